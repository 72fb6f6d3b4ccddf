//===- Commands.h - The `svic` subcommands ---------------------------------===//
#pragma once

#include <string>
#include <vector>

namespace svic::driver {

/// Exit codes (SPEC §2).
enum ExitCode : int { ExitOk = 0, ExitProblem = 1, ExitBadInput = 2, ExitInternal = 3 };

int runParse(const std::vector<std::string> &Args);
int runSites(const std::vector<std::string> &Args);
int runAnalyze(const std::vector<std::string> &Args);
int runGrad(const std::vector<std::string> &Args);
int runTrain(const std::vector<std::string> &Args);
int runCompile(const std::vector<std::string> &Args);
int runSimulate(const std::vector<std::string> &Args);

} // namespace svic::driver
