//===- main.cpp - The svic command-line tool --------------------------------===//
///
/// \file
/// Dispatches to a subcommand and maps outcomes to exit codes: 0 ok, 1 a
/// definite problem with --werror, 2 bad input, 3 internal error.
//===----------------------------------------------------------------------===//

#include "Commands.h"

#include <exception>
#include <iostream>
#include <string>
#include <vector>

namespace {

const char *Usage = "usage: svic <command> [options]\n"
                    "\n"
                    "commands:\n"
                    "  analyze FILE   prove smoothness, check model/guide support match, select\n"
                    "                 the guide latents that may be reparameterised\n"
                    "  parse FILE     check that FILE is valid Python (syntax only)\n"
                    "  sites FILE     list sample, observe, param, factor and plate sites\n"
                    "  grad FILE      estimate the ELBO gradient at fixed params (native, selective)\n"
                    "  run FILE       JIT-compile the estimator and train the params (SVI)\n"
                    "  compile FILE   write the estimator as a .so/.o with a C API\n"
                    "  simulate FILE  draw data from the model's prior predictive\n"
                    "\n"
                    "`svic <command> --help` describes a command's options.\n"
                    "options: --help, --version\n";

} // namespace

int main(int Argc, char **Argv) {
  using namespace svic::driver;
  std::vector<std::string> Args(Argv + 1, Argv + Argc);
  if (Args.empty()) {
    std::cerr << Usage;
    return ExitBadInput;
  }
  const std::string Command = Args.front();
  Args.erase(Args.begin());
  try {
    if (Command == "--help" || Command == "-h" || Command == "help") {
      std::cout << Usage;
      return ExitOk;
    }
    if (Command == "--version") {
      std::cout << "svic " << SVIC_VERSION << "\n";
      return ExitOk;
    }
    if (Command == "analyze")
      return runAnalyze(Args);
    if (Command == "parse")
      return runParse(Args);
    if (Command == "sites")
      return runSites(Args);
    if (Command == "grad")
      return runGrad(Args);
    if (Command == "run")
      return runTrain(Args);
    if (Command == "compile")
      return runCompile(Args);
    if (Command == "simulate")
      return runSimulate(Args);
    std::cerr << "svic: error: unknown command '" << Command << "'\n\n" << Usage;
    return ExitBadInput;
  } catch (const std::exception &E) {
    std::cerr << "svic: internal error: " << E.what()
              << "\nthis is a bug in svic; please report it with the input that caused it\n";
    return ExitInternal;
  }
}
