//===- Engine.h - Descriptors, data, the estimator and the SVI loop -*- C++ -*-===//
//
// The C++ side of the runtime that drives generated code: the descriptor the
// backend writes next to svic_gen_sample, parameter transforms (Pyro's
// biject_to), data loading and binding, the multi-sample gradient estimator,
// torch's optimisers and the training loop with atomic checkpoints.
//
// Determinism: an estimate over K samples is reduced in fixed blocks of
// samples, so it is bit-identical for any thread count; a training step uses
// the step number as the RNG's step, so a resumed run draws the same noise
// as an uninterrupted one.
//
//===----------------------------------------------------------------------===//
#ifndef SVIC_RUNTIME_ENGINE_H
#define SVIC_RUNTIME_ENGINE_H

#include "svic/runtime/Abi.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace svic::runtime {

namespace detail {
struct PoolHolder;
} // namespace detail

/// An error whose message is meant for the user: it names the file, the data
/// argument, the param or the site at fault.
struct RuntimeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

//===-- Descriptor ---------------------------------------------------------===//

struct Constraint {
  // Appended kinds keep the numbers that checkpoints' fingerprints hold.
  enum class Kind { Real, Positive, GreaterThan, Interval, UnitInterval, Simplex, SoftplusPositive };
  Kind K = Kind::Real;
  double Low = 0, High = 0;
};

struct ParamDesc {
  std::string Name;
  std::vector<int64_t> Shape;              ///< constrained
  std::vector<int64_t> UnconstrainedShape; ///< simplex: last dim n - 1
  int64_t Offset = 0, Size = 0;            ///< in the flat unconstrained buffer
  Constraint C;
  std::vector<double> Init; ///< constrained values, row-major
};

struct InputDesc {
  std::string Name;
  std::vector<int64_t> Shape;
  int64_t Offset = 0, Size = 0;
  /// The program reads only the first Read (<= Size) elements; only they are
  /// in the data buffer (a minibatch of a large data set).
  int64_t Read = 0;
  /// Non-empty FixedAt: the program was compiled for these values (a shape or
  /// a Python value at FixedAt, "file:line:col", depends on them), and
  /// bindInputs refuses other data.
  std::vector<double> Fixed;
  std::string FixedAt;
};

struct SiteDesc {
  std::string Name, Program /*"model"|"guide"*/, Kind /*"sample"|"observe"|"factor"*/,
      Location /*"file:line:col"*/;
};

/// A run-time check the generated code makes where torch raises: an index
/// tensor's values must lie in [Low, High) (a dimension of size n: [-n, n)
/// for a gather, [0, n) for a scatter).
struct CheckDesc {
  std::string Location /*"file:line:col"*/;
  int64_t Low = 0, High = 0;
};

struct Descriptor {
  int Version = 1;
  std::string Estimator;
  std::vector<ParamDesc> Params;
  int64_t ParamDoubles = 0;
  std::vector<InputDesc> Inputs;
  int64_t DataDoubles = 0;
  std::vector<SiteDesc> Sites;
  std::vector<CheckDesc> Checks; ///< ctx->bad_site = SVIC_CHECK_BASE + index
  std::vector<std::string> ScoreSites, PathwiseSites;
  /// False for Pyro's Trace_ELBO (`--estimator pyro`): its score terms have
  /// no baseline, so the estimate shows exactly what Pyro computes.
  bool UseBaselines = true;
  int64_t WorkspaceDoubles = 0;

  /// Parses and checks the descriptor JSON (offsets, sizes); throws
  /// RuntimeError.
  static Descriptor parse(const std::string &Json);
  /// The inverse of parse.
  std::string toJson() const;
};

/// What ctx->bad_site = \p BadSite (>= 0) reports: "LOC: error: ..." for a
/// failed check (an index out of range), else nullopt (a non-finite site).
std::optional<std::string> failedCheck(const Descriptor &D, int32_t BadSite);
/// "non-finite value at site 'NAME' (LOC)" for ctx->bad_site = \p BadSite, a site.
std::string nonFiniteSite(const Descriptor &D, int32_t BadSite);

/// "[3, 2]", "[]" for a scalar.
std::string formatShape(const std::vector<int64_t> &Shape);
int64_t numElements(const std::vector<int64_t> &Shape);

//===-- Parameter transforms -----------------------------------------------===//
// Exactly Pyro's param store (transform_to): positive = exp, greater_than =
// low + exp, interval = low + (high - low) sigmoid, unit_interval = sigmoid
// (clipped as torch does), simplex = softmax over the last dim (n values).

void toConstrained(const ParamDesc &P, const double *U, double *Out);
/// Throws RuntimeError naming the param when a value violates its constraint.
void toUnconstrained(const ParamDesc &P, const double *C, double *Out);
/// The params' Init values mapped to the flat unconstrained buffer.
std::vector<double> initialUnconstrained(const Descriptor &D);

//===-- Data ----------------------------------------------------------------===//

struct Array {
  std::vector<int64_t> Shape;
  /// Row-major. May stop short of numElements(Shape): the elements past it
  /// are 0 (the loader keeps the trailing zeros of a large array implicit).
  std::vector<double> Values;
  /// Integers by type, as torch.tensor makes an int64 tensor of them: JSON
  /// integer literals, an integer .npy dtype. Such data can index a tensor.
  bool Integer = false;
};
/// Arrays of at least this many elements are loaded without their trailing zeros.
constexpr int64_t ImplicitZerosFrom = int64_t(1) << 20;
/// Every element of \p A, the implicit zeros included.
std::vector<double> denseValues(const Array &A);
using DataSet = std::map<std::string, Array>;

/// Loads .json (object: name -> number, nested lists, or an object for a
/// dict argument, flattened to "name.key.subkey"), .csv (header row, one
/// 1-D column per name), .npy (one array named by the file stem) or .npz.
/// Errors are RuntimeErrors "path:line: ..." or "path: ...".
DataSet loadData(const std::string &Path);
/// The flat data buffer in Inputs order, each input's first Read elements
/// (what the program reads). An input of shape [] also accepts a
/// one-element array. Throws RuntimeError naming a missing or misshapen
/// argument and the expected shape.
std::vector<double> bindInputs(const Descriptor &D, const DataSet &Data);
/// Writes \p Data as .json (name -> number or nested lists; integral values
/// as integers) or .npz (one little-endian float64 .npy member per name,
/// stored uncompressed, or deflated when the array's trailing zeros are
/// implicit, so that they cost no memory), atomically; loadData reads
/// either back exactly.
/// Throws RuntimeError for another extension or an I/O error.
void writeData(const std::string &Path, const DataSet &Data);

//===-- Estimator -------------------------------------------------------------===//

struct Estimate {
  int64_t Samples = 0;
  std::vector<double> GradMean, GradStderr; ///< ascent direction of the ELBO
  double ElboMean = 0, ElboStderr = 0;
  std::vector<double> SignalMean; ///< per score site
  int32_t BadSite = -1;           ///< of the first sample (in sample order) with one
  uint64_t BadSample = 0;
  int64_t KinkHits = 0;
  double Seconds = 0;
};

class Estimator {
public:
  /// Samples are reduced in blocks of this many, whatever the thread count.
  static constexpr int64_t BlockSamples = 256;
  /// The pilot run for baselines uses this step index and at most PilotSamples.
  static constexpr uint64_t PilotStep = UINT64_MAX;
  static constexpr int64_t PilotSamples = 1000;

  /// \p Block, when the model has one, reduces whole blocks in generated code
  /// with the same result as looping over \p Fn.
  Estimator(Descriptor D, svic_sample_fn Fn, std::vector<double> Data, svic_block_fn Block = nullptr);

  /// Samples k = 0..K-1 of (Seed, Step); mean and standard error over samples
  /// per gradient element. Baselines: one per score site (empty = zeros).
  Estimate estimate(const std::vector<double> &U, uint64_t Seed, uint64_t Step, int64_t K,
                    int Threads, const std::vector<double> &Baselines) const;
  /// What `svic grad` and the C API report: baselines are the SignalMean of an
  /// independent pilot run (step PilotStep, min(K, PilotSamples) samples), then
  /// estimate(U, Seed, 0, K, ...). No pilot without score sites.
  Estimate estimateWithPilotBaselines(const std::vector<double> &U, uint64_t Seed, int64_t K,
                                      int Threads) const;

  /// One sample (index 0 of Seed, Step) into caller-owned buffers, with no
  /// allocation: Grad (ParamDoubles) and Signals (one per score site) are
  /// overwritten, Workspace holds WorkspaceDoubles. Returns the sample's ELBO;
  /// the numbers equal estimate() with K = 1.
  double sampleOnce(const double *U, uint64_t Seed, uint64_t Step, const double *Baselines, double *Grad,
                    double *Signals, double *Workspace, int32_t &BadSite, int32_t &KinkHits) const;

  const Descriptor &descriptor() const { return D; }

private:
  Estimate estimateOne(const std::vector<double> &U, uint64_t Seed, uint64_t Step,
                       const double *Baselines, std::chrono::steady_clock::time_point Start) const;

  Descriptor D;
  svic_sample_fn Fn;
  svic_block_fn Block;
  std::vector<double> Data;
  /// Worker threads, kept between estimates; shared by copies.
  std::shared_ptr<detail::PoolHolder> Pool;
};

//===-- Optimisers ------------------------------------------------------------===//

struct OptimizerConfig {
  enum class Kind { Adam, SGD } K = Kind::Adam;
  double Lr = 1e-3;
  double Beta1 = 0.9, Beta2 = 0.999, Eps = 1e-8, Momentum = 0;
};

/// torch.optim.Adam / SGD minimising -ELBO: step() takes the ELBO's ascent
/// gradient.
class Optimizer {
public:
  Optimizer(OptimizerConfig C, size_t N);
  void step(std::vector<double> &U, const std::vector<double> &Ascent);
  nlohmann::json state() const;
  /// Throws RuntimeError when the state does not fit this optimiser.
  void loadState(const nlohmann::json &J);
  const OptimizerConfig &config() const { return C; }

private:
  OptimizerConfig C;
  int64_t T = 0;
  /// Beta1^T and Beta2^T for Adam's bias corrections, kept as running
  /// products (a pow per step costs as much as a small model's whole step).
  double Beta1Power = 1, Beta2Power = 1;
  std::vector<double> M, V; ///< Adam: moments; SGD: M is the momentum buffer
};

//===-- Training -----------------------------------------------------------------===//

struct TrainConfig {
  int64_t Steps = 1000;
  int64_t Samples = 1;
  uint64_t Seed = 0;
  int Threads = 1;
  OptimizerConfig Opt;
  std::string CheckpointPath;
  int64_t CheckpointEvery = 100;
  std::string ResumePath;
  std::string TracePath;
  double BaselineDecay = 0.9;
};

/// A NaN or infinity stopped training; the message names the site (or the
/// param whose gradient) and the step.
struct NonFiniteError : RuntimeError {
  NonFiniteError(const std::string &Msg, std::string Site, int64_t Step)
      : RuntimeError(Msg), Site(std::move(Site)), Step(Step) {}
  std::string Site;
  int64_t Step;
};

/// A run-time check failed (an index out of range); the message starts
/// "file:line:col: error:".
struct CheckError : RuntimeError {
  using RuntimeError::RuntimeError;
};

class Trainer {
public:
  Trainer(Descriptor D, svic_sample_fn Fn, std::vector<double> Data, TrainConfig C,
          std::vector<double> InitialU /*empty: initialUnconstrained*/, svic_block_fn Block = nullptr);

  /// Runs to C.Steps, resuming from C.ResumePath if set (with the
  /// checkpoint's seed); checkpoints every C.CheckpointEvery steps and at the
  /// end. Steps are numbered from 0, in OnStep, the trace and errors. On a
  /// non-finite value, writes the last good state to the checkpoint and
  /// throws NonFiniteError.
  void run(const std::function<void(int64_t Step, double Elbo)> &OnStep);
  /// One step at the current step index with the given seed and samples
  /// (what the C API's step does); throws NonFiniteError, the state unchanged.
  Estimate stepOnce(uint64_t Seed, int64_t Samples);
  /// Replaces the optimiser; its state starts afresh.
  void setOptimizer(const OptimizerConfig &Opt);

  /// {"name": constrained value (number or nested lists)}.
  nlohmann::json paramsJson() const;
  /// The constrained values of one param, row-major.
  std::vector<double> constrainedParam(const ParamDesc &P) const;
  const std::vector<double> &unconstrained() const { return U; }
  const std::vector<double> &baselines() const { return Baselines; }
  /// The number of completed steps, i.e. the index of the next one.
  int64_t step() const { return Step; }
  double lastElbo() const { return LastElbo; }
  const Estimator &estimator() const { return Est; }

  /// The checkpoint of the current state, and loading one (checks that it was
  /// written for the same params).
  nlohmann::json checkpointJson() const;
  void loadCheckpoint(const std::string &Path);

private:
  void writeCheckpoint() const;
  /// Checks a step's outcome, updates the baselines, steps the optimiser.
  void apply(double Elbo, const std::vector<double> &Grad, const std::vector<double> &Signals,
             int32_t BadSite, uint64_t BadSample);

  Estimator Est;
  TrainConfig C;
  std::vector<double> U, Baselines;
  std::vector<double> OneGrad, OneSignals, OneWorkspace; ///< one-sample steps reuse these
  Optimizer Opt;
  int64_t Step = 0;
  double LastElbo = 0;
};

/// Writes Bytes to Path so that a crash leaves either the old or the new file:
/// a temporary file in the same directory, fsync, rename, fsync of the
/// directory. Throws RuntimeError.
void writeFileAtomically(const std::string &Path, const std::string &Bytes);

} // namespace svic::runtime

#endif
