//===- ExecBackend.cpp - The native commands, run by svic-backend ----------===//
///
/// \file
/// `svic` links neither LLVM nor the backend: loading and relocating
/// libLLVM (and the libraries it pulls in) took most of the start-up of a
/// short `svic analyze`. The commands that generate code (grad, run, compile,
/// simulate) replace this process with `svic-backend`, built from the same
/// sources with the backend linked in and installed next to `svic`.
//===----------------------------------------------------------------------===//

#include "Commands.h"

#include <cerrno>
#include <climits>
#include <cstring>
#include <iostream>
#include <unistd.h>

namespace svic::driver {

namespace {

int execBackend(const char *Command, const std::vector<std::string> &Args) {
  char Self[PATH_MAX];
  ssize_t N = readlink("/proc/self/exe", Self, sizeof(Self) - 1);
  if (N <= 0) {
    std::cerr << "svic: error: cannot locate the svic executable: " << std::strerror(errno) << "\n";
    return ExitInternal;
  }
  std::string Path(Self, static_cast<size_t>(N));
  Path = Path.substr(0, Path.rfind('/') + 1) + "svic-backend";
  std::vector<std::string> Argv = {"svic", Command};
  Argv.insert(Argv.end(), Args.begin(), Args.end());
  std::vector<char *> Ptrs;
  for (std::string &A : Argv)
    Ptrs.push_back(A.data());
  Ptrs.push_back(nullptr);
  std::cout.flush();
  execv(Path.c_str(), Ptrs.data());
  std::cerr << "svic: error: cannot run the native backend '" << Path
            << "': " << std::strerror(errno) << "\n";
  return ExitInternal;
}

} // namespace

int runGrad(const std::vector<std::string> &Args) { return execBackend("grad", Args); }
int runTrain(const std::vector<std::string> &Args) { return execBackend("run", Args); }
int runCompile(const std::vector<std::string> &Args) { return execBackend("compile", Args); }
int runSimulate(const std::vector<std::string> &Args) { return execBackend("simulate", Args); }

} // namespace svic::driver
