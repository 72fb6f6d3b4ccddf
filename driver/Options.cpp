//===- Options.cpp - Command-line parsing shared by the subcommands --------===//

#include "Options.h"

#include <iostream>

namespace po = boost::program_options;

namespace svic::driver {

bool parseCommandLine(const std::vector<std::string> &Args, po::options_description &Desc, std::string &File,
                      const bool &Help, po::variables_map &VM) {
  po::options_description Hidden;
  Hidden.add_options()("file", po::value(&File));
  po::options_description All;
  All.add(Desc).add(Hidden);
  po::positional_options_description Pos;
  Pos.add("file", 1);
  try {
    po::store(po::command_line_parser(Args).options(All).positional(Pos).run(), VM);
    po::notify(VM);
  } catch (const po::error &E) {
    std::cerr << "svic: error: " << E.what() << "\n";
    return false;
  }
  if (!Help && File.empty()) {
    std::cerr << "svic: error: no input file\n";
    return false;
  }
  return true;
}

} // namespace svic::driver
