//===- property_bench.cpp - Large-scale soundness run of the smoothness analysis ===//
///
/// `svic-property-bench N SEED [--print] [--quiet]`: generates N random scalar
/// programs from seeds SEED, SEED+1, ..., runs the frontend, the numeric and
/// smoothness analyses (diff, lips, cont) and the numeric checker of every
/// smooth claim (tests/testkit, tests/property/PropertyHarness), then prints
/// the counts (programs, claims, claims checked, probe lines, evaluations,
/// violations), the wall time, and every violation with its program.
/// `--probe-maybreak` also probes every name the analysis reported mayBreak
/// and counts how often the checker witnesses the non-smoothness (power).
/// `--print` prints the generated programs with the analysis' verdicts instead;
/// `svic-property-bench --file PATH [SEED]` checks one source file (a reduced
/// reproducer) and prints its verdicts and violations.
/// `svic-property-bench --emit DIR N SEED` writes the generated programs as
/// DIR/gSEED.py with a sidecar DIR/gSEED.json holding data values for their
/// entry arguments (drawn like the checker's, uniform in [-2, 2]), for the
/// differential run against real Pyro (tests/differential/generated_diff.py).
/// Exit status: 0 without violations, 1 with violations, 2 on bad usage.
//===----------------------------------------------------------------------===//

#include "PropertyHarness.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

using namespace svic::testkit;

namespace {

/// Writes programs SEED .. SEED+N-1 and their data sidecars into Dir.
int emitPrograms(const std::string &Dir, unsigned long long N, unsigned long long Seed) {
  const int DataSets = 3;
  for (unsigned long long I = 0; I < N; ++I) {
    GeneratorOptions O;
    O.PyroOracle = true; // checked in real Pyro, not in the reference interpreter
    GeneratedProgram G = generateProgram(Seed + I, O);
    std::string Stem = Dir + "/g" + std::to_string(Seed + I);
    std::ofstream Py(Stem + ".py"), Js(Stem + ".json");
    if (!Py || !Js) {
      std::fprintf(stderr, "cannot write '%s.py'\n", Stem.c_str());
      return 2;
    }
    Py << G.Source;
    Rng DR(mixSeed(G.Seed, 0xDA7A));
    Js << "{\"seed\": " << G.Seed << ", \"mostlySmooth\": " << (G.MostlySmooth ? "true" : "false")
       << ", \"data\": [";
    for (int D = 0; D < DataSets; ++D) {
      Js << (D ? ", {" : "{");
      for (size_t K = 0; K < G.DataInputs.size(); ++K) {
        char Buf[64];
        std::snprintf(Buf, sizeof Buf, "%.17g", DR.uniform(-2, 2));
        Js << (K ? ", " : "") << "\"" << G.DataInputs[K] << "\": " << Buf;
      }
      Js << "}";
    }
    Js << "]}\n";
  }
  return 0;
}

} // namespace

int main(int Argc, char **Argv) {
  if (Argc == 5 && !std::strcmp(Argv[1], "--emit")) {
    char *E1 = nullptr, *E2 = nullptr;
    unsigned long long N = std::strtoull(Argv[3], &E1, 10), Seed = std::strtoull(Argv[4], &E2, 10);
    if (*E1 || *E2) {
      std::fprintf(stderr, "bad N or SEED\n");
      return 2;
    }
    return emitPrograms(Argv[2], N, Seed);
  }
  if (Argc >= 3 && !std::strcmp(Argv[1], "--file")) {
    std::ifstream In(Argv[2]);
    if (!In) {
      std::fprintf(stderr, "cannot read '%s'\n", Argv[2]);
      return 2;
    }
    std::stringstream SS;
    SS << In.rdbuf();
    unsigned long long Seed = Argc > 3 ? std::strtoull(Argv[3], nullptr, 10) : 1;
    ProgramResult R = runSource(SS.str(), Seed);
    std::cout << "# verdicts:\n" << R.Verdicts << R.FrontendDiagnostics;
    for (const Violation &V : R.Report.Violations)
      std::cout << V.describe() << "\n";
    std::cout << "# " << R.Report.Stats.summary() << (R.Report.SkipReason.empty() ? "" : "; skipped: ")
              << R.Report.SkipReason << "\n";
    return R.Report.Violations.empty() && !R.FrontendRejected ? 0 : 1;
  }
  if (Argc < 3) {
    std::fprintf(stderr, "usage: %s N SEED [--print] [--quiet] [--probe-maybreak] | --file PATH [SEED] | --emit DIR N SEED\n", Argv[0]);
    return 2;
  }
  char *End = nullptr;
  unsigned long long N = std::strtoull(Argv[1], &End, 10);
  if (*End) {
    std::fprintf(stderr, "bad N '%s'\n", Argv[1]);
    return 2;
  }
  unsigned long long Seed = std::strtoull(Argv[2], &End, 10);
  if (*End) {
    std::fprintf(stderr, "bad SEED '%s'\n", Argv[2]);
    return 2;
  }
  bool Print = false, Quiet = false;
  HarnessOptions HO;
  for (int I = 3; I < Argc; ++I) {
    if (!std::strcmp(Argv[I], "--print"))
      Print = true;
    else if (!std::strcmp(Argv[I], "--quiet"))
      Quiet = true;
    else if (!std::strcmp(Argv[I], "--probe-maybreak"))
      HO.ProbeMayBreak = true;
    else {
      std::fprintf(stderr, "unknown option '%s'\n", Argv[I]);
      return 2;
    }
  }
  if (Print) {
    for (unsigned long long I = 0; I < N; ++I) {
      ProgramResult R = runGenerated(Seed + I);
      std::cout << "# seed " << Seed + I << (R.MostlySmooth ? " (mostly smooth)" : " (wild)") << "\n"
                << R.Source << "# verdicts:\n" << R.Verdicts << R.FrontendDiagnostics << "# "
                << R.Report.Stats.summary() << "\n\n";
    }
    return 0;
  }
  auto T0 = std::chrono::steady_clock::now();
  Totals T;
  for (unsigned long long I = 0; I < N; ++I) {
    T.add(runGenerated(Seed + I, HO));
    if (!Quiet && (I + 1) % 1000 == 0)
      std::fprintf(stderr, "... %llu programs, %zu violations\n", I + 1, T.Stats.Violations);
  }
  double Secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - T0).count();
  for (const ProgramResult &R : T.Failures)
    std::cout << describeFailure(R) << "\n";
  std::cout << "svic-property-bench: " << N << " programs from seed " << Seed << " in " << Secs << " s\n"
            << T.summary() << "\n";
  return T.Stats.Violations == 0 && T.FrontendRejected == 0 ? 0 : 1;
}
