//===- PropertyHarness.h - Generate, analyse, refute ------------*- C++ -*-===//
///
/// \file
/// The pipeline shared by property_test and bench/property_bench: generate a
/// random program (testkit ProgramGenerator), load it through the real
/// frontend, run the numeric pre-analysis and the smoothness analysis for
/// diff, lips and cont, turn every `smooth` verdict into a claim and let the
/// testkit SmoothnessChecker try to refute it on the program's log-density.
//===----------------------------------------------------------------------===//
#pragma once

#include "ProgramGenerator.h"
#include "SmoothnessChecker.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace svic::testkit {

struct HarnessOptions {
  GeneratorOptions Gen;
  CheckOptions Check;
  /// Also probe every (name, property) the analysis reported mayBreak, to
  /// measure how often the checker can witness the non-smoothness (the
  /// checker's power and the analysis' precision); never a failure.
  bool ProbeMayBreak = false;
};

struct ProgramResult {
  uint64_t Seed = 0;
  std::string Source;
  bool MostlySmooth = false;
  bool FrontendRejected = false;
  std::string FrontendDiagnostics;
  bool AnalysisFailed = false; ///< SmoothnessResult::Failed for some property
  size_t SmoothClaims[3] = {0, 0, 0}; ///< by Prop (diff, lips, cont)
  CheckReport Report;
  /// With ProbeMayBreak: continuous names reported mayBreak, and of those
  /// the ones the checker refuted numerically (non-smoothness witnessed).
  size_t MayBreak[3] = {0, 0, 0};
  size_t Witnessed[3] = {0, 0, 0};
  /// The analysis' verdicts, "name: diff lips cont" per reported name.
  std::string Verdicts;
  /// The same as claims, one per reported name (all false: mayBreak).
  std::vector<Claim> Claims;
  const Claim *claimOf(const std::string &Name) const;
};

/// Runs the pipeline on the program generated from \p Seed.
ProgramResult runGenerated(uint64_t Seed, const HarnessOptions &O = {});
/// Runs the pipeline on a given source (regression cases); \p Seed seeds the
/// checker's base points.
ProgramResult runSource(const std::string &Source, uint64_t Seed, const HarnessOptions &O = {});

struct Totals {
  size_t Programs = 0;
  size_t MostlySmooth = 0;
  size_t FrontendRejected = 0;
  size_t AnalysisFailed = 0;
  size_t SmoothClaims[3] = {0, 0, 0};
  size_t MayBreak[3] = {0, 0, 0};
  size_t Witnessed[3] = {0, 0, 0};
  CheckStats Stats;
  std::vector<ProgramResult> Failures; ///< with violations or frontend rejections
  std::map<std::string, size_t> SkipReasons; ///< why programs were not checked
  void add(ProgramResult R);
  std::string summary() const;
};

/// A violation report with the program source, for test and bench output.
std::string describeFailure(const ProgramResult &R);

} // namespace svic::testkit
