//===- Options.h - Command-line parsing shared by the subcommands ----------===//
#pragma once

#include <boost/program_options.hpp>

#include <string>
#include <vector>

namespace svic::driver {

/// Parses \p Args into \p Desc plus one positional FILE. Prints the error and
/// returns false on bad usage, and when FILE is missing unless \p Help (bound
/// in \p Desc) was set.
bool parseCommandLine(const std::vector<std::string> &Args, boost::program_options::options_description &Desc,
                      std::string &File, const bool &Help, boost::program_options::variables_map &VM);

} // namespace svic::driver
