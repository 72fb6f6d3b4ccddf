//===- Lower.h - Core IR (model + guide) to one LIR estimator function ------===//
///
/// \file
/// Partially evaluates the model and guide programs against the shapes and
/// compile-time scalars of a data set: Python values (ints, strings, lists,
/// distribution and module objects, loop trip counts, site names) are decided
/// here; tensor computations become LIR instructions. The result is the
/// single-sample estimator of Lir.h: the guide samples every latent (pathwise
/// as z = T_theta(eps), score with no gradient path), the model scores them,
/// and each score site gets its Rao-Blackwellised learning signal: the factors
/// that depend on it through data or control (a factor under `if z > 0`
/// depends on z), computed from the LIR's def-use and region structure.
//===----------------------------------------------------------------------===//
#pragma once

#include "svic/backend/Lir.h"
#include "svic/ir/Diagnostics.h"
#include "svic/ir/IR.h"
#include "svic/runtime/Engine.h"

#include <map>
#include <optional>
#include <set>
#include <string>

namespace svic::backend {

enum class EstimatorKind {
  Auto,     ///< pathwise for the analysis' selection, score for the rest
  Score,    ///< every guide latent by the score estimator
  Pathwise, ///< every guide latent pathwise; refused where that is unsound or impossible
  Pyro,     ///< Pyro's Trace_ELBO: pathwise wherever the distribution has rsample, no
            ///< Rao-Blackwellisation, no baseline (shows its bias)
};

std::string_view estimatorName(EstimatorKind K);
std::optional<EstimatorKind> parseEstimator(std::string_view S);

struct LowerOptions {
  EstimatorKind Estimator = EstimatorKind::Auto;
  /// The analysis' `reparameterize.selected` (Auto and Pathwise read it).
  std::set<std::string> Selected;
  /// Entry arguments: their shapes fix the program's shapes; a 0-d integral
  /// value is a compile-time Python int (sizes, loop bounds).
  runtime::DataSet Data;
  /// Seeds torch.rand/randn in parameter initialisers and module weights.
  uint64_t InitSeed = 0;
  /// lowerSimulator: the shapes of entry arguments to draw that the program
  /// does not fix itself (`svic simulate --shape`).
  std::map<std::string, std::vector<int64_t>> DrawShapes;
  /// lowerSimulator: given entry arguments to draw anew where the model
  /// observes them; reads by value before see the given values
  /// (`svic simulate --redraw`).
  std::set<std::string> Redraw;
  /// Also write the guide's draws and every log-density term through
  /// lir::Op::Output (LoweredProgram::Trace), so that one sample can be
  /// replayed by Pyro and its terms compared (`svic grad --trace-out`).
  bool RecordTrace = false;
};

/// One recorded value of a traced sample: a guide latent's draw, the
/// summed log-density term of a model or guide site (a site under two
/// branches has two terms, one of them 0), or a value that Pyro needs to
/// reproduce the sample and cannot draw itself (Replay: an nn.Dropout
/// multiplier, "dropout:N" in call order, guide first; the weight of a
/// module never registered, "module:model:VAR.weight").
struct TraceEntry {
  enum class Kind { Latent, ModelTerm, GuideTerm, Replay } K = Kind::Latent;
  std::string Site; ///< Replay: the whole key
  std::vector<int64_t> Shape; ///< the draw's shape; terms are scalars
  int64_t Offset = 0;         ///< in the outputs after the gradient (Lir.h Op::Output)
  double Scale = 1;           ///< a term's weight in the ELBO (|factor sign|)
};

struct LoweredProgram {
  lir::Function Fn;
  runtime::Descriptor Desc;       ///< WorkspaceDoubles is filled by the caller from Codegen
  std::vector<TraceEntry> Trace; ///< with LowerOptions::RecordTrace
};

/// An observed data argument that `svic simulate` draws.
struct SimulatedArg {
  /// One observation of the argument: the site's draw, Positions.size()
  /// doubles at Offset in the simulator's outputs (ctx->grad), belongs at
  /// these flat row-major positions of the argument.
  struct Draw {
    std::string Site;
    int64_t Offset = 0;
    std::vector<int64_t> Positions;
  };
  std::string Name;           ///< the entry argument
  std::vector<int64_t> Shape; ///< as the program reshapes it or --shape gives it, else the site's value shape
  std::vector<Draw> Draws;    ///< disjoint; positions no site observes are 0
  /// Every draw is from a Categorical, whose samples torch types int64: the
  /// argument is written as integer data (runtime::Array::Integer).
  bool Integer = true;
};

/// The model alone, run forward from its prior: every sample site draws
/// (latents and observations alike), params and module weights keep their
/// initial values, factors are ignored (they weight draws, they do not make
/// them). An entry argument absent from the data and observed (`obs=x`, or
/// through a view: `obs=x[ix]`, `obs=x[:, t, :]`, a mask) is drawn at its
/// site, written through lir::Op::Output and scattered by the caller into
/// the positions the view selects. Its shape and views of it may be used
/// before; its values may not (an error asking for it with --data:
/// covariates are inputs, not draws).
struct LoweredSimulator {
  lir::Function Fn;
  runtime::Descriptor Desc; ///< inputs and sites; no params, no factors
  std::vector<SimulatedArg> Outputs;
};

/// Nullopt iff errors were reported to \p DE (each with its location).
std::optional<LoweredProgram> lowerEstimator(const ir::Program &Model, const ir::Program &Guide,
                                             const LowerOptions &Opts, const SourceManager &SM,
                                             DiagnosticEngine &DE);

/// Nullopt iff errors were reported to \p DE. Reads Opts.Data, Opts.DrawShapes, Opts.Redraw and Opts.InitSeed only.
std::optional<LoweredSimulator> lowerSimulator(const ir::Program &Model, const LowerOptions &Opts,
                                               const SourceManager &SM, DiagnosticEngine &DE);

} // namespace svic::backend
