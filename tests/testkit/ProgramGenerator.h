//===- ProgramGenerator.h - Random scalar model programs ---------*- C++ -*-===//
///
/// \file
/// A seeded generator of SOURCE TEXT for small model programs in the svic
/// subset (SPEC §3): 1-4 continuous latents whose distribution parameters are
/// random expressions of earlier latents, parameters and data (Normal,
/// LogNormal, HalfNormal, Cauchy, StudentT, Laplace, Exponential, Gamma, Beta,
/// Uniform; in wild programs also Bernoulli and Poisson latents); 0-2
/// pyro.param (real, positive, unit_interval, greater_than, interval);
/// expressions over smooth, Lipschitz-only, continuous-only and discontinuous
/// or partial operations (relu, abs, clamp, min/max, floor, sign, where,
/// comparisons as numbers, log/sqrt/pow/rsqrt/lgamma off their domain, `/`);
/// `if`/`elif` on latents, on data, on constants and on ranges the numeric
/// analysis may decide; latents sampled under branches; `for t in range(k)`
/// loops that accumulate, with template-named observes, factors and latents
/// (in wild programs also latent-dependent trip counts); bounded and
/// latent-dependent `while` loops; helper functions (with `if` inside, nested);
/// lists with append/index/update; tuple unpacking and augmented assignment;
/// observes with constant or latent-dependent values (kept in the support),
/// under poutine.scale/poutine.mask or with `.mask(m)`; distribution objects
/// and `.log_prob`; `pyro.factor`; assertions.
///
/// Every program is scalar, so the testkit Interpreter evaluates it. Half of
/// the seeds produce "mostly smooth" programs (few non-smooth operations,
/// distribution parameters built to be provably in their domain) so that the
/// analysis makes many smooth claims; the other half are "wild".
///
/// Numerical hygiene: arguments of exp are bounded expressions (tanh, sigmoid,
/// sin, cos, small multiples of a leaf) so that a smooth density never
/// overflows on the probed ranges; a property checker must not confuse float
/// overflow with a real singularity.
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace svic::testkit {

struct GeneratorOptions {
  /// -1: decided by the seed (even seeds mostly smooth); 0: wild; 1: mostly smooth.
  int MostlySmooth = -1;
  int MinLatents = 1;
  int MaxLatents = 4;
  int MaxParams = 2;
  int MaxDataInputs = 2;
  /// Number of body steps (assignments, ifs, loops, observes, factors) besides
  /// the latent samples.
  int MinSteps = 2;
  int MaxSteps = 7;
  /// Also constructs that svic's reference interpreter does not model, for
  /// programs checked in real Pyro only (`svic-property-bench --emit`):
  /// in-place updates of tensors through views and aliases, and a param
  /// redeclared with another constraint.
  bool PyroOracle = false;
};

struct GeneratedProgram {
  uint64_t Seed = 0;
  bool MostlySmooth = false;
  std::string Source;                  ///< a complete file with `def model(...)`
  std::vector<std::string> DataInputs; ///< the entry function's parameters
};

/// Deterministic in (Seed, Options) on every platform (own RNG arithmetic).
GeneratedProgram generateProgram(uint64_t Seed, const GeneratorOptions &O = {});

/// SplitMix64: the testkit's portable random source.
class Rng {
public:
  explicit Rng(uint64_t Seed) : State(Seed) {}
  uint64_t next();
  /// Uniform in [0, 1).
  double uniform();
  double uniform(double Lo, double Hi) { return Lo + (Hi - Lo) * uniform(); }
  /// Uniform integer in [Lo, Hi].
  int range(int Lo, int Hi);
  bool coin(double P) { return uniform() < P; }

private:
  uint64_t State;
};

/// A 64-bit mix of two values (derivation of sub-seeds).
uint64_t mixSeed(uint64_t A, uint64_t B);

} // namespace svic::testkit
