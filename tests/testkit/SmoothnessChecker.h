//===- SmoothnessChecker.h - Numeric refutation of smoothness claims -*- C++ -*-===//
///
/// \file
/// Tries to refute the smoothness analysis' claims on a concrete program by
/// probing its log-density (testkit Interpreter) along lines.
///
/// Semantics checked (notes/smoothness-analysis.md §a.2): "smooth in n" means
/// that for every fixed value of all other inputs (other latents, parameters,
/// data), v ↦ logdensity(..., n := v) is differentiable (C¹) / locally
/// Lipschitz / continuous on the interior of n's support; the claimed set is
/// also smooth jointly, which random directions over all claimed names probe.
/// The log-density must also stay finite there: NaN (undefined: invalid
/// distribution parameters, a math error) or ±inf (a zero density) appearing
/// next to finite values is a violation of continuity. A Diff claim implies
/// Lips implies Cont, so a claim is probed with every weaker test too.
///
/// Method, per claimed name and random base point (all names inside their
/// supports, the density finite there; rejection sampling), on a window
/// around the base value kept 1e-3 inside the support (one base point in four
/// probes the whole range [-3, 3] / (0, 5] / the interval):
///  - a grid of points locates candidate intervals: the largest change, the
///    largest change against the neighbours' prediction (Cont), the largest
///    slope (Lips) and slope change (Diff, Lips), absolutely and relative to
///    the neighbouring intervals;
///  - each candidate is refined by ~40 bisections, keeping the worse half
///    (for slope changes also the centred half), down to ~1e-12 of its width;
///  - Cont: a jump is a change that does not shrink under refinement
///    (|Δ| at the end > 1/2 |Δ| half-way, and above 1e-8 (1 + |f|));
///  - Lips: at every located point, the difference quotient for h = 1e-2 …
///    1e-8 grows at every decade (x1.25) while the change itself shrinks
///    (x0.8), by x8 overall, with a settled growth exponent: a cusp |x-c|^a;
///  - Diff: at the points of largest slope change, the one-sided derivatives
///    for h = 1e-2 … 1e-8 disagree beyond 1e-5 relative at every h resolved
///    above the measured floating noise, the gap is constant over the finest
///    three decades (a smooth function's shrinks like O(h)) and each one-sided
///    derivative converges: a kink;
///  - non-finite values next to finite ones (NaN: undefined; -inf: a zero of
///    the density) are located by bisection: a violation of every property.
/// Tolerances are chosen so smooth functions with large derivatives, sqrt-type
/// cusps under Cont, and |x|^1.5 under Diff are not flagged (unit tests).
///
/// Reference semantics. Operations follow PyTorch in float64 (relu'(0) does
/// not matter, but relu(0) = 0, sign(0) = 0, clamp with min > max, softplus's
/// threshold, round half to even); distributions are the mathematical
/// densities with Pyro's argument validation (invalid parameters: undefined),
/// not torch's numerical guards (Bernoulli's clamp_probs). Float artefacts
/// are not violations: the interpreter flags evaluations that overflowed,
/// underflowed, saturated or cancelled catastrophically (RunResult::RangeEvent), and a finding whose
/// evaluations are flagged is dropped and counted (OverflowSkips); the local
/// tests also require the regular scaling of a kink or cusp over several
/// decades, so a smooth function oscillating far below the probing scale
/// (cos(1/p^3)) is not mistaken for one. Checking in log space is stricter
/// than the density at zeros of the density (log p -> -inf where p -> 0):
/// the generator keeps observed values and probabilities away from such
/// zeros, and a sound analysis does not claim smoothness through them.
//===----------------------------------------------------------------------===//
#pragma once

#include "Interpreter.h"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace svic::testkit {

/// Mirrors svic::analysis::Property without depending on the analysis.
enum class Prop { Diff, Lips, Cont };
std::string_view propName(Prop P);

/// What the analysis claims about one (canonical) name.
struct Claim {
  std::string Name;
  bool Diff = false, Lips = false, Cont = false;
  bool claims(Prop P) const { return P == Prop::Diff ? Diff : P == Prop::Lips ? Lips : Cont; }
};

struct CheckOptions {
  int BasePoints = 4;
  int GridPoints = 21;
  int Bisections = 40;
  int MaxInstances = 2;  ///< concrete instances probed per template name
  bool JointProbes = true;
  int MaxBaseTries = 25;
  /// Half-widths of the probing windows, cycled over base points; 0 is the
  /// whole range where generated programs put their thresholds.
  std::vector<double> Widths = {0.0, 1.0, 0.3, 2.5};
};

/// One finding of the 1-D checker: the strongest property it refutes (a Cont
/// finding also refutes Lips and Diff, a Lips finding also Diff).
struct LineFinding {
  Prop Refutes = Prop::Cont;
  std::string Kind; ///< "jump", "non-finite", "non-lipschitz", "kink"
  double Point = 0;
  std::string Evidence;
};

struct LineStats {
  size_t Evaluations = 0;
  size_t OverflowSkips = 0; ///< non-finite boundaries that were float artefacts
};

/// Probes F on [Lo, Hi] with the tests of the requested properties.
/// \p Artifact, if given, tells whether a non-finite value at a point is a
/// float-range artefact (the interpreter's RangeEvent) rather than a property
/// of the function; such boundaries are skipped and counted.
std::vector<LineFinding> checkLine(const std::function<double(double)> &F, double Lo, double Hi,
                                   bool TestDiff, bool TestLips, bool TestCont,
                                   const CheckOptions &O = {}, LineStats *Stats = nullptr,
                                   const std::function<bool(double)> &Artifact = {});

struct Violation {
  uint64_t ProgramSeed = 0;
  std::string Name; ///< canonical name, or "{a, b}" for a joint direction
  Prop Property = Prop::Cont;
  std::string Kind;
  std::string Point;    ///< base point and the located point
  std::string Evidence; ///< the numbers
  std::string describe() const;
};

struct CheckStats {
  size_t Programs = 0;          ///< programs checked (not skipped)
  size_t ProgramsSkipped = 0;   ///< interpreter could not run them / no base point
  size_t Claims = 0;            ///< (name, property) smooth claims made
  size_t ClaimsChecked = 0;     ///< of those, probed at least once
  size_t Lines = 0;             ///< lines probed (per name and joint)
  size_t Evaluations = 0;       ///< interpreter runs
  size_t BasePointsRejected = 0;
  size_t OverflowSkips = 0;     ///< findings dropped as float artefacts
  size_t Violations = 0;
  size_t NamesMissingFromReport = 0; ///< sampled/param names the analysis did not list
  void add(const CheckStats &O);
  std::string summary() const;
};

struct CheckReport {
  CheckStats Stats;
  std::vector<Violation> Violations;
  std::string SkipReason;
  std::vector<std::string> MissingFromReport;
};

/// Checks every claim on program \p P. \p Reported (optional) lists every
/// name the analysis reported (smooth or not) for the completeness count.
CheckReport checkProgram(const ir::Program &P, const std::vector<Claim> &Claims, uint64_t Seed,
                         const CheckOptions &O = {}, const std::vector<std::string> *Reported = nullptr);

} // namespace svic::testkit
