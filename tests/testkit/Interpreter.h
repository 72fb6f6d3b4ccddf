//===- Interpreter.h - Concrete log-density of scalar svic programs --------===//
///
/// \file
/// A reference interpreter of ir::Program restricted to SCALAR programs: every
/// tensor is a one-element tensor held as a double (bools and ints as doubles),
/// tuples/lists of scalars exist for indexing. It computes the program's
/// log-density in the score semantics of notes/smoothness-analysis.md §a.1: the
/// value of every latent sample site and every pyro.param is an input read from
/// an assignment (the "random database"), and the density is the product of the
/// latent sites' densities at those values, the observe likelihoods and the
/// factors.
///
/// Operations follow PyTorch's float64 semantics (torch.set_default_dtype(
/// torch.float64)); Python numbers follow Python's (ZeroDivisionError, math
/// domain errors). Distribution parameters outside their domain make the
/// log-density NaN (Pyro validates arguments), a value outside the support gives
/// -inf (density 0). A Python-level error (exception) also gives NaN. A
/// construct the interpreter does not model (plates, modules, shapes) gives the
/// status Unsupported: the caller skips the program, it is never a crash.
//===----------------------------------------------------------------------===//
#pragma once

#include "svic/ir/IR.h"

#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace svic::testkit {

/// Where a latent or parameter lives: the open interval (Lo, Hi) is the
/// interior used for probing; discrete supports list integer values.
struct SupportInfo {
  ir::SupportKind Kind = ir::SupportKind::Real;
  double Lo = -std::numeric_limits<double>::infinity();
  double Hi = std::numeric_limits<double>::infinity();
  bool Discrete = false;
  std::string describe() const;
};

/// The support of a distribution given its (evaluated) parameters by slot.
SupportInfo supportOf(ir::DistId D, const std::vector<std::optional<double>> &Params);
/// The support of a constrained parameter (constraint arguments evaluated).
SupportInfo supportOf(ir::ConstraintId C, const std::vector<double> &Args);

/// One input name the program read while running.
struct SiteRequest {
  enum class Kind { Latent, Param };
  Kind SiteKind = Kind::Latent;
  std::string Concrete;  ///< "z_2" for "z_{}".format(2)
  std::string Canonical; ///< SPEC §8 canonical name ("z_{}")
  SupportInfo Support;
  std::optional<ir::DistId> Dist; ///< latents only
};

/// The values of the names (by concrete name); a name that is not in the map
/// is asked from OnMissing (which may draw it and remember it); without
/// OnMissing a missing name is a runtime error (NaN).
struct RunInputs {
  const std::map<std::string, double> *Names = nullptr;
  std::function<std::optional<double>(const SiteRequest &)> OnMissing;
  /// Entry-function inputs by source name (data); a missing one is an error.
  const std::map<std::string, double> *Data = nullptr;
  /// Record every site read (for discovering names and supports).
  bool RecordSites = false;
};

struct RunResult {
  enum class Status { Ok, RuntimeError, Unsupported };
  Status St = Status::Ok;
  double LogDensity = 0;  ///< NaN on RuntimeError
  std::string Message;    ///< why RuntimeError / Unsupported
  /// Some operation left the range of doubles where the real result is finite
  /// and non-zero (exp/product overflow or underflow, sigmoid/tanh/erf within
  /// 1e-8 of their bounds, a non-finite log-density for valid parameters, sin
  /// or cos of an argument beyond 1e7 whose rounding error is visible): the
  /// value is numerically unreliable, an apparent jump, kink or singularity
  /// there is a float artefact, not a property of the program.
  bool RangeEvent = false;
  std::vector<SiteRequest> Sites; ///< with RecordSites, in execution order
};

/// Evaluates one program; stateless across runs, cheap to copy-construct.
class Interpreter {
public:
  explicit Interpreter(const ir::Program &P);
  ~Interpreter();
  Interpreter(const Interpreter &) = delete;
  Interpreter &operator=(const Interpreter &) = delete;

  RunResult run(const RunInputs &In) const;

  /// Log-density of a scalar distribution at \p X with PyTorch's formulas;
  /// NaN for invalid parameters, -inf outside the support. Unsupported
  /// distributions return an empty optional. \p RangeEvent is set when the
  /// parameters are valid and X is in the support but the result is not finite
  /// (float overflow/underflow). Exposed for the unit tests.
  static std::optional<double> logProb(ir::DistId D, const std::vector<std::optional<double>> &Params,
                                       double X, bool *RangeEvent = nullptr);

  /// The scalar PyTorch/Python semantics of an elementwise operation applied to
  /// numbers (absent optional slots as nullopt). Empty optional: not modelled.
  /// Exposed for the unit tests.
  static std::optional<double> applyOp(ir::OpId Op, const std::vector<std::optional<double>> &Args);

private:
  const ir::Program &Prog;
};

} // namespace svic::testkit
