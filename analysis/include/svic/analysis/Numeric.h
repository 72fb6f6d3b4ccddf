//===- Numeric.h - The numeric pre-analysis (phase 1) ----------------------===//
///
/// \file
/// A forward abstract interpreter over one ir::Program that computes, for every
/// expression node, the elementwise range of its value (joined over every
/// evaluation), which statements may execute, which `if` branches are dead,
/// and which operation preconditions and distribution-parameter domains are
/// proved (notes/smoothness-analysis.md §c). The smoothness analysis consumes
/// it only through NumericResult's queries.
///
/// Abstraction. A Python value is a NumValue: the interval of every number it
/// holds (a tensor elementwise, a list/tuple/dict the join of its elements) and
/// the set of non-numeric kinds it may be (None, string, module object,
/// distribution, sequence, other object), plus which `nn.*(...)` constructor
/// made it when it is a module. The environment maps VarId -> NumValue with
/// absent variables top (entry-function inputs, unassigned names), and is
/// bottom (unreachable) as soon as one variable has no possible value.
///
/// Soundness. "proved" means: in every execution that reaches the node without
/// an earlier runtime error, and for every element of the value, in real
/// arithmetic. Assumptions (documented in the report): reductions and matrix
/// products range over at least one element (an empty sum is 0); a value
/// outside an operation's domain (log of a negative) is treated as "anything",
/// not as NaN; float32 underflow is ignored, as in the paper. A value that
/// may be ±inf or NaN because a non-finite constant (math.inf, float("nan"))
/// reaches it is recorded as possibly KOther, so nothing is proved about it,
/// and a guard that may involve one neither refines nor prunes.
//===----------------------------------------------------------------------===//
#pragma once

#include "svic/analysis/Fixpoint.h"
#include "svic/analysis/Interval.h"
#include "svic/analysis/Lattice.h"
#include "svic/analysis/MapDomain.h"
#include "svic/ir/IR.h"

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace svic::analysis {

/// The abstract value of one Python value.
class NumValue {
public:
  /// What a value may be besides its numbers. KNum: a number or tensor (its
  /// elements are in num(), which is bottom for an empty tensor).
  enum Kind : uint8_t {
    KNum = 1,
    KNone = 2,
    KString = 4,
    KModule = 8,
    KDist = 16,
    KSeq = 32,   ///< list/tuple/dict (elements' numbers in num(), their kinds here)
    KOther = 64, ///< slices, constraint objects, opaque objects, non-finite numbers
    KAll = 127,
  };

  static NumValue bottom();
  static NumValue top();
  static NumValue number(const Interval &I);
  static NumValue none();
  static NumValue string();
  static NumValue dist();
  static NumValue other();
  /// A module object made by the ModuleCtor expression \p Ctor.
  static NumValue module(ir::NodeId Ctor);
  /// A list/tuple/dict whose elements are joined in \p Elements.
  static NumValue sequence(const NumValue &Elements);
  /// A tuple of exactly these elements. Tuples are immutable, so unpacking
  /// one (`loc, scale = encoder(x)`) keeps each element's range; the
  /// smashed summary stays the join of them all.
  static NumValue tuple(std::vector<NumValue> Elements);

  const Interval &num() const { return Num; }
  uint8_t kinds() const { return Kinds; }
  bool may(Kind K) const { return (Kinds & K) != 0; }
  /// No possible value is None, a string, a module, a distribution or another
  /// object: a number, a tensor, or a container of those.
  bool isNumeric() const { return (Kinds & ~(KNum | KSeq)) == 0; }
  /// The constructor expression of the module, if known and unique.
  std::optional<ir::NodeId> moduleCtor() const;
  /// The elements, when the value is known to be a tuple of that length.
  const std::vector<NumValue> *elements() const { return Elems.get(); }
  /// 0, or a bound L > 0 such that every value is a square matrix (or a batch
  /// of them), at least 2 x 2, that is 0 off its diagonal and >= L on it:
  /// `torch.eye(n)` scaled by positive numbers. Such a matrix is positive definite and its
  /// own Cholesky factor.
  double diagonalLow() const { return DiagLo; }
  /// This value, known to be such a diagonal matrix (\p Lo > 0; else not).
  NumValue withDiagonal(double Lo) const;

  NumValue withNum(const Interval &I) const;
  NumValue withKinds(uint8_t K) const;

  bool isBottom() const { return Kinds == 0; }
  bool isTop() const;
  bool leq(const NumValue &B) const;
  NumValue join(const NumValue &B) const;
  NumValue meet(const NumValue &B) const;
  NumValue widen(const NumValue &B) const;
  NumValue narrow(const NumValue &B) const;
  bool operator==(const NumValue &B) const;
  std::string str() const;

private:
  NumValue(Interval Num, uint8_t Kinds, uint32_t Ctor) : Num(Num), Kinds(Kinds), Ctor(Ctor) {
    normalize();
  }
  void normalize();
  static constexpr uint32_t NoCtor = 0;
  static constexpr uint32_t AnyCtor = UINT32_MAX;

  Interval Num;
  uint8_t Kinds;
  uint32_t Ctor; ///< flat lattice: NoCtor (bottom), a node id, AnyCtor (top)
  /// Null: no more is known than the summary above. Else the value is also a
  /// tuple of these elements (a refinement of the summary; every operation
  /// that builds a new value drops it).
  std::shared_ptr<const std::vector<NumValue>> Elems;
  /// See diagonalLow(); like Elems a refinement that new values drop.
  double DiagLo = 0;
};

static_assert(Lattice<NumValue>);
std::ostream &operator<<(std::ostream &OS, const NumValue &V);

using NumEnv = MapDomain<ir::VarId, NumValue>;
static_assert(Lattice<NumEnv>);

class NumericResult {
public:
  /// Elementwise range of the value of expression node E, joined over every
  /// evaluation (bottom if never evaluated, or if it holds no numbers).
  Interval valueOf(ir::NodeId E) const;
  /// The full abstract value (bottom if never evaluated).
  NumValue abstractValueOf(ir::NodeId E) const;
  /// E was evaluated in some reachable state.
  bool evaluated(ir::NodeId E) const;

  /// E may evaluate to ±inf or NaN (an element of it, for a tensor): a
  /// non-finite constant or a partial operation not proved safe reaches it.
  bool mayBeNonFinite(ir::NodeId E) const { return E >= NonFinite.size() || NonFinite[E]; }

  /// 0 ∉ valueOf(E) and E is surely numeric; true if E is never evaluated.
  bool provedNonZero(ir::NodeId E) const;
  /// valueOf(E) ⊆ (0, inf).
  bool provedPositive(ir::NodeId E) const;
  /// valueOf(E) ⊆ [0, inf).
  bool provedNonNegative(ir::NodeId E) const;
  /// valueOf(E) ⊆ (C, inf).
  bool provedGreaterThan(ir::NodeId E, double C) const;
  /// A distribution-parameter domain of Distributions.def proved for E:
  /// "any" always; "real" when not maybe NaN; "positive"/"probs" > 0; "nonneg" >= 0; "unit01"
  /// ⊆ [0, 1]; "count" a non-negative integer; "bool" ⊆ {0, 1}; "dist" a
  /// distribution object; "posdef"/"lowerchol" a finite diagonal matrix with
  /// a positive diagonal (NumValue::diagonalLow); unknown names never.
  bool provedInDomain(ir::NodeId E, std::string_view Domain) const;
  /// The op's Precondition (Table.h) at call node C: PositiveArg0 arg0 > 0;
  /// GreaterMinusOneArg0 arg0 > -1; SqrtArg0 arg0 > 0 (smoothness needs it);
  /// Power: the exponent is an integer >= 0, or a negative integer and the
  /// base is non-zero, or else the base > 0.
  bool provedPrecondition(const ir::CallExpr &C) const;
  /// The same for the partial binary operators: Div/FloorDiv/Mod need a
  /// non-zero divisor, Pow the Power rule; the others are total (true).
  bool provedPrecondition(const ir::BinaryExpr &B) const;
  /// Statement S may execute.
  bool reachable(ir::NodeId S) const;
  /// The branch can never execute (also when the `if` itself is unreachable).
  bool branchDead(const ir::IfStmt &S, bool ThenBranch) const;

  /// Possible domain violations found (op precondition or distribution
  /// parameter not proved), sorted by location, for diagnostics.
  struct DomainIssue {
    ir::NodeId Node; ///< the argument (distribution parameter) or the call/binary node
    SourceLoc Loc;
    std::string What; ///< e.g. "scale of Normal may be <= 0"
  };
  const std::vector<DomainIssue> &domainIssues() const { return Issues; }
  FixpointStats stats() const { return Stats; }

private:
  friend class NumericInterpreter;
  bool numericFact(ir::NodeId E, bool (*Pred)(const Interval &)) const;

  std::vector<NumValue> Values;                           ///< by NodeId
  std::vector<uint8_t> Evaluated;                         ///< by NodeId (expressions)
  std::vector<uint8_t> Reached;                           ///< by NodeId (statements)
  std::vector<uint8_t> NonFinite;                         ///< by NodeId (expressions)
  std::map<ir::NodeId, std::pair<bool, bool>> BranchLive; ///< IfStmt -> (then, else) may run
  std::vector<DomainIssue> Issues;
  FixpointStats Stats;
};

/// \p Pair: the other program of the model/guide pair. Both get the same
/// arguments, whose observation in either bounds their values, and share one
/// param store, whose first declaration of a name fixes its constraint (see
/// docs/semantics.md).
NumericResult analyzeNumeric(const ir::Program &P, const FixpointOptions &Opts = {},
                             const ir::Program *Pair = nullptr);

/// Transfer functions of the table's rows, shared by the interpreter
/// (Numeric.cpp) and its tests; not part of the consumer API.
namespace numeric_detail {
/// Result of calling primitive C on argument values (one per C.Args entry,
/// nullopt for an absent optional slot).
NumValue transferCall(const ir::CallExpr &C, const std::vector<std::optional<NumValue>> &Args);
/// Result of calling the module made by \p Ctor on \p Args; \p Member gives
/// the constructor of an nn.Sequential member expression (nullptr: unknown).
using MemberCtorFn = std::function<const ir::ModuleCtorExpr *(const ir::Expr &Member)>;
NumValue transferModule(const ir::ModuleCtorExpr &Ctor, const std::vector<NumValue> &Args,
                        const MemberCtorFn &Member);
/// Values a sample of distribution D can take, given its argument values (one
/// per D.Args entry) and, for MaskedMixture, the supports of its components.
NumValue sampleSupport(const ir::DistributionExpr &D,
                       const std::vector<std::optional<NumValue>> &Args,
                       const std::vector<NumValue> &ComponentSupports);
/// Values a parameter constrained by C can take, given the constraint's arguments.
NumValue constraintSupport(ir::ConstraintId C, const std::vector<NumValue> &Args);
} // namespace numeric_detail

} // namespace svic::analysis
