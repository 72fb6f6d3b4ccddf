//===- LowerValues.h - Values of the partial evaluator and the LIR emitter -===//
///
/// \file
/// Private to the lowering. A Python value during partial evaluation is
/// either known at compile time (numbers, strings, containers, distribution
/// and module objects, tensors of constants) or a run-time tensor: an LIR
/// value with a static shape. The Emitter appends LIR instructions to the
/// current region and keeps, for every LIR value, the set of score sites it
/// depends on through data and control (the Rao-Blackwellisation graph).
//===----------------------------------------------------------------------===//
#pragma once

#include "svic/backend/Lir.h"
#include "svic/ir/IR.h"

#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace svic::backend::lower {

/// Aborts the lowering with a located diagnostic; caught in lowerEstimator.
struct CompileFailure : std::runtime_error {
  bool Unsupported; ///< compile.unsupported rather than compile.error
  SourceLoc Loc;
  CompileFailure(bool Unsupported, SourceLoc Loc, const std::string &Msg)
      : std::runtime_error(Msg), Unsupported(Unsupported), Loc(Loc) {}
};
[[noreturn]] void unsupported(SourceLoc Loc, const std::string &Msg);
[[noreturn]] void invalid(SourceLoc Loc, const std::string &Msg);

using Dims = std::vector<int64_t>;
/// NumPy broadcasting of two shapes; nullopt when they do not broadcast.
std::optional<Dims> broadcastDims(const Dims &A, const Dims &B);
std::string dimsString(const Dims &D);
/// Flat index into an operand of shape \p In broadcast to the shape \p Out.
int64_t broadcastIndex(int64_t Flat, const Dims &Out, const Dims &In);

/// Sorted set of score-site indices.
using DepSet = std::vector<uint32_t>;
void unite(DepSet &Into, const DepSet &From);

struct Value;
using ValuePtr = std::shared_ptr<const Value>;

/// Pyro's biject_to of a bounded support, from the unconstrained u: the
/// interval (Low, Low + Width) as Low + Width * sigmoid(u) (both null: the
/// unit interval), or the simplex by torch's stick-breaking, K - 1 reals
/// onto K entries.
struct Bijection {
  bool Simplex = false;
  ValuePtr Low, Width;
};

struct DistObject {
  lir::Dist D = lir::Dist::Normal;
  std::string Name;                ///< the pyro.distributions class name
  std::vector<ValuePtr> Params;    ///< in lir::Dist parameter order
  /// Shape of one draw before plates, without a vector distribution's own
  /// event dim: the parameters' broadcast, then `.expand`; its last
  /// Reinterpreted dims were moved to the event by `.to_event`.
  Dims Full;
  size_t Reinterpreted = 0;
  ValuePtr Mask; ///< `.mask(m)` aligned with Full (event dims padded), null when absent
  /// OneHotCategorical: D is Categorical{Probs,Logits}; values are one-hot
  /// vectors over the parameter's last dim instead of indices.
  bool OneHot = false;
  /// Laplace, Cauchy, HalfCauchy, StudentT, Geometric, Binomial: composed
  /// from LIR's elementwise ops (log-density and sampler), D unused. Params:
  /// (loc, scale), (loc, scale), (scale), (df, loc, scale), (probs or logits;
  /// Logits says which), (total_count, probs or logits), ZeroInflatedNegativeBinomial
  /// (total_count, logits, gate_logits).
  std::optional<ir::DistId> Composite;
  bool Logits = false;
  bool Reparameterizable = false;  ///< Pyro's has_rsample
  /// MaskedMixture: component0, component1 (Params holds the mask). Delta
  /// is composite too, Params = {v}.
  std::vector<std::shared_ptr<const DistObject>> Components;
  /// Set: the Normal D pushed forward through Pyro's biject_to of a bounded
  /// support (IR's BijectToInterval); Full and Params stay the Normal's.
  std::optional<Bijection> Bounded;
};

/// An nn module object. Weights are constants until `pyro.module` registers
/// the object; from then on they read the parameters "name$$$weight", ...
struct ModuleObject {
  ir::ModuleId Kind{};
  std::vector<std::pair<std::string, ValuePtr>> Weights; ///< ("weight", tensor), ("bias", ...)
  std::vector<ValuePtr> Members;                          ///< nn.Sequential
  double Scalar0 = 0, Scalar1 = 0;                         ///< softplus beta/threshold, softmax dim
};

/// The result of index assignments (x[box] = v, possibly many in a row) as
/// one gather from its pieces: element i is concat(flat Sources)[Index[i]].
/// Kept unemitted so that a loop of k assignments costs one gather instead
/// of k full copies; Emitter::materialize emits it on first use.
struct ScatterForm {
  std::vector<ValuePtr> Sources; ///< 1-D tensors
  std::shared_ptr<const std::vector<double>> Index;
  lir::Block *Home = nullptr;    ///< where it was made; the emitted value is reused there only
  lir::ValueId Emitted = 0;
};

struct Value {
  enum class Kind { None, Bool, Int, Float, Str, Tensor, List, Tuple, Dict, Dist, Module, Constraint, Drawn };
  Kind K = Kind::None;
  bool B = false;
  int64_t I = 0;
  double F = 0;
  std::string S;
  // Tensor: static data (Static set) or a run-time LIR value.
  Dims Shape;
  bool IsInt = false; ///< an integer tensor (indices); values are exact doubles
  /// A bool tensor (torch.bool; IsInt too, values 0/1): as an index it
  /// selects (a mask) where an integer tensor gathers, so every shape
  /// operation keeps it and a dtype change clears it.
  bool IsBool = false;
  std::optional<std::vector<double>> Static;
  lir::ValueId V = 0;
  // Containers; Dict keys in Keys.
  std::vector<ValuePtr> Items, Keys;
  std::shared_ptr<DistObject> Dist;
  std::shared_ptr<ModuleObject> Module;
  // Constraint
  ir::ConstraintId Constraint = ir::ConstraintId::Real;
  double Low = 0, High = 0;

  /// The data arguments this tensor was computed from, through elementwise
  /// and shape operations ("x1, x2"), for errors that name them.
  /// On a None value: the entry argument that had no data.
  std::string Origin;

  /// A run-time tensor computed from given data arguments and constants
  /// alone (never a param or a latent) has its values known at compile time.
  /// The lowering keeps it a run-time value and consults Known only where it
  /// needs a compile-time fact (a shape, a bound, a Python int): then the
  /// data arguments in KnownFrom are fixed (Emitter::fixKnown) and checked at
  /// entry. Null for every other value.
  std::shared_ptr<const std::vector<double>> Known;
  std::vector<std::string> KnownFrom; ///< sorted, unique
  /// A run-time tensor not yet emitted (V is 0 until materialize).
  std::shared_ptr<ScatterForm> Scatter;
  /// Drawn (svic simulate): a view, of shape Shape, of the entry argument
  /// Origin that the simulator draws. Its values do not exist before the
  /// draw; the view holds where each of its elements lies in the argument
  /// (flat row-major positions), so that an observation through it writes
  /// the draw there. Null for an argument too large to enumerate, until a
  /// selection of its leading rows (OpBuilder::index).
  std::shared_ptr<const std::vector<double>> Positions;
  /// Drawn, for an argument given and redrawn (`svic simulate --redraw`):
  /// the given values of the same view, which reads by value see.
  ValuePtr Given;

  bool isNumber() const { return K == Kind::Bool || K == Kind::Int || K == Kind::Float; }
  bool isTensor() const { return K == Kind::Tensor; }
  bool isStatic() const { return K != Kind::Tensor || Static.has_value(); }
  double number() const { return K == Kind::Bool ? (B ? 1 : 0) : K == Kind::Int ? double(I) : F; }
};

ValuePtr makeNone();
ValuePtr makeBool(bool B);
ValuePtr makeInt(int64_t I);
ValuePtr makeFloat(double F);
ValuePtr makeStr(std::string S);
ValuePtr makeStaticTensor(Dims Shape, std::vector<double> Data, bool IsInt = false, bool IsBool = false);
ValuePtr makeSequence(Value::Kind K, std::vector<ValuePtr> Items);
/// The values of a static tensor, or the Known values of a run-time one; null otherwise.
const std::vector<double> *knownData(const Value &V);
/// Marks \p R (a run-time tensor just computed from \p Operands) as Known
/// with \p Data when every tensor operand is static or Known.
ValuePtr withKnown(ValuePtr R, const std::vector<ValuePtr> &Operands, std::vector<double> Data);
std::string typeName(const Value &V);
/// "a None value" or, for a missing data argument, what to do about it.
std::string describe(const Value &V);
/// An entry argument without data (None) or one svic simulate draws: its
/// values are read where they do not exist.
bool isAbsentData(const Value &V);
/// The error for reading the values of \p V, absent data: what to pass.
std::string absentData(const Value &V);
/// Why reading data argument \p Name, which svic simulate draws, is an error.
std::string drawnRead(const std::string &Name);
/// Python's str() of a static value (site names).
std::string pyStr(const Value &V, SourceLoc Loc);

/// Appends LIR to the current region and tracks dependence sets.
class Emitter {
public:
  explicit Emitter(lir::Function &F) : F(F), Current(&F.Entry) { Deps.emplace_back(); }

  lir::Function &fn() { return F; }
  lir::Block *current() { return Current; }
  void setCurrent(lir::Block *B) { Current = B; }

  /// Control dependences of the code being emitted (the guards' sets).
  std::vector<DepSet> ControlStack;
  DepSet controlDeps() const;

  const DepSet &deps(lir::ValueId V) const { return Deps.at(V); }
  void addDeps(lir::ValueId V, const DepSet &D) { unite(Deps.at(V), D); }

  /// Appends \p I with a fresh result of shape \p S; its dependence set is
  /// the union of its operands' and the control stack's.
  lir::ValueId emit(lir::Instr I, Dims S, const std::string &Name = {});
  lir::ValueId emit(lir::Op O, std::vector<lir::ValueId> Operands, Dims S) {
    lir::Instr I;
    I.Opcode = O;
    I.Operands = std::move(Operands);
    return emit(std::move(I), std::move(S));
  }
  /// A value defined by an If: its set is given by the caller.
  lir::ValueId newValue(Dims S, DepSet D, const std::string &Name = {});

  /// The run-time value of a tensor or number (constants become Const).
  lir::ValueId materialize(const Value &V, SourceLoc Loc);

  /// \p V itself, or for a run-time tensor with Known values a static tensor
  /// of those values: the program is then specialised to the data arguments
  /// it comes from, which are recorded in Fixed (first use) so that the entry
  /// checks them.
  ValuePtr fixKnown(const ValuePtr &V, SourceLoc Loc);
  std::map<std::string, SourceLoc> Fixed;

private:
  lir::Function &F;
  lir::Block *Current;
  std::vector<DepSet> Deps; ///< by ValueId
};

} // namespace svic::backend::lower
