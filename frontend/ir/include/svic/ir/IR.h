//===- IR.h - The svic core IR ----------------------------------------------===//
///
/// \file
/// The typed, structured IR that the frontend produces and the analyses and
/// the backend consume (SPEC §4). It includes neither ANTLR nor LLVM.
///
/// Syntax. A Program is one model or guide: the module-level statements of its
/// file followed by the entry function's body, with every user helper function
/// inlined (InlineFrames in the SourceManager keep the call sites). Control
/// flow is structured: If, For (over a range or a sequential pyro.plate),
/// While, With (vectorised plate, poutine.scale/mask, torch.no_grad). The
/// probabilistic commands are atomic statements: Sample (with `Obs` set it is
/// an observe), Param, Module, Factor. Expressions are trees; every call is
/// resolved to a row of the shared table (Table.h) with its arguments bound to
/// the row's parameter slots, so consumers never look at Python names again.
///
/// Semantics. Python's, restricted: variables are function-scoped and unique
/// after inlining (VarIds); entry-function parameters are free inputs; `x[i] =
/// v` is the pure update `x = IndexUpdate(x, i, v)`, in-place methods likewise
/// rebind their receiver; tuple unpacking is indexing of a temporary.
///
/// Limits. Shapes are not stored here: the shape analysis infers them. A site
/// name the frontend cannot read statically is kept as a Dynamic name so
/// analyses answer "unknown" instead of dropping the site.
//===----------------------------------------------------------------------===//
#pragma once

#include "svic/ir/Source.h"
#include "svic/ir/Table.h"

#include <cassert>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace svic::ir {

using NodeId = uint32_t;
using VarId = uint32_t;

//===-- LLVM-style casting over the Kind discriminators --------------------===//
template <typename To, typename From> bool isa(const From *V) { return To::classof(V); }
template <typename To, typename From> To *cast(From *V) {
  assert(V && To::classof(V) && "cast to the wrong node kind");
  return static_cast<To *>(V);
}
template <typename To, typename From> const To *cast(const From *V) {
  assert(V && To::classof(V) && "cast to the wrong node kind");
  return static_cast<const To *>(V);
}
template <typename To, typename From> To *dyn_cast(From *V) {
  return V && To::classof(V) ? static_cast<To *>(V) : nullptr;
}
template <typename To, typename From> const To *dyn_cast(const From *V) {
  return V && To::classof(V) ? static_cast<const To *>(V) : nullptr;
}

struct Node {
  NodeId Id = 0;   ///< unique within its Program; the key of analysis tables
  SourceLoc Loc;
};

//===-- Expressions ---------------------------------------------------------===//

enum class ExprKind {
  Constant,
  VarRef,
  Unary,
  Binary,
  Compare,
  Logical,
  Conditional,
  Call,        ///< a primitive operation of the table
  ModuleCtor,  ///< nn.Linear(...) etc.: makes a callable module object
  ModuleCall,  ///< calling a module object: fc(x)
  Distribution,
  Subscript,
  Slice,
  Ellipsis,
  Tuple,
  List,
  Dict,
  Attribute,   ///< x.shape, fc.weight: an opaque, non-smooth read of a field
  IndexUpdate, ///< the value of x after `x[idx] = v`
  AttrUpdate,  ///< the value of x after `x.a.b = v`
  Constraint,  ///< constraints.positive, constraints.interval(0, 1)
};

struct Expr : Node {
  const ExprKind Kind;
  explicit Expr(ExprKind K) : Kind(K) {}
  virtual ~Expr() = default;
};
using ExprPtr = std::unique_ptr<Expr>;

struct ConstantExpr : Expr {
  enum class Type { None, Bool, Int, Float, String };
  Type Ty = Type::None;
  bool BoolValue = false;
  int64_t IntValue = 0;
  double FloatValue = 0;
  std::string StringValue;
  ConstantExpr() : Expr(ExprKind::Constant) {}
  bool isNumber() const { return Ty == Type::Bool || Ty == Type::Int || Ty == Type::Float; }
  /// Bool, Int and Float as a double.
  double number() const;
  static bool classof(const Expr *E) { return E->Kind == ExprKind::Constant; }
};

struct VarRefExpr : Expr {
  VarId Var = 0;
  VarRefExpr() : Expr(ExprKind::VarRef) {}
  static bool classof(const Expr *E) { return E->Kind == ExprKind::VarRef; }
};

enum class UnaryOp { Neg, Pos, Not, Invert };
struct UnaryExpr : Expr {
  UnaryOp Op = UnaryOp::Neg;
  ExprPtr Operand;
  UnaryExpr() : Expr(ExprKind::Unary) {}
  static bool classof(const Expr *E) { return E->Kind == ExprKind::Unary; }
};

enum class BinaryOp { Add, Sub, Mul, Div, FloorDiv, Mod, Pow, MatMul, BitAnd, BitOr };
struct BinaryExpr : Expr {
  BinaryOp Op = BinaryOp::Add;
  ExprPtr Lhs, Rhs;
  BinaryExpr() : Expr(ExprKind::Binary) {}
  static bool classof(const Expr *E) { return E->Kind == ExprKind::Binary; }
};

enum class CompareOp { Lt, Le, Gt, Ge, Eq, Ne, Is, IsNot, In, NotIn };
struct CompareExpr : Expr {
  CompareOp Op = CompareOp::Lt;
  ExprPtr Lhs, Rhs;
  CompareExpr() : Expr(ExprKind::Compare) {}
  static bool classof(const Expr *E) { return E->Kind == ExprKind::Compare; }
};

enum class LogicalOp { And, Or };
struct LogicalExpr : Expr {
  LogicalOp Op = LogicalOp::And;
  ExprPtr Lhs, Rhs;
  LogicalExpr() : Expr(ExprKind::Logical) {}
  static bool classof(const Expr *E) { return E->Kind == ExprKind::Logical; }
};

/// `Then if Cond else Else`
struct ConditionalExpr : Expr {
  ExprPtr Cond, Then, Else;
  ConditionalExpr() : Expr(ExprKind::Conditional) {}
  static bool classof(const Expr *E) { return E->Kind == ExprKind::Conditional; }
};

/// Arguments bound to the formal slots of a table row: Args[i] is slot i
/// (nullptr when an optional slot is absent); a variadic last slot takes every
/// remaining argument, so Args may be longer than the row's slot list.
struct BoundArgs {
  std::vector<ExprPtr> Args;
  /// Index of the formal slot for argument \p I given the row's formals.
  static size_t slotOf(size_t I, const std::vector<ParamSpec> &Formals) {
    return I < Formals.size() ? I : Formals.size() - 1;
  }
};

struct CallExpr : Expr {
  OpId Op{};
  BoundArgs Args;
  /// OpaqueCall only: the callee as written (`np.foo`, `obj.method`).
  std::string Callee;
  /// OpaqueCall only: the call may run user code (it receives a user function,
  /// lambda, class or object, or calls a value of unknown kind), which may
  /// sample, observe or add factors under names svic cannot see.
  bool MayRunUserCode = false;
  CallExpr() : Expr(ExprKind::Call) {}
  const OpInfo &info() const { return opInfo(Op); }
  static bool classof(const Expr *E) { return E->Kind == ExprKind::Call; }
};

struct ModuleCtorExpr : Expr {
  ModuleId Module{};
  BoundArgs Args;
  /// Members of an nn.Sequential (module expressions), else empty.
  std::vector<ExprPtr> Members;
  ModuleCtorExpr() : Expr(ExprKind::ModuleCtor) {}
  const ModuleInfo &info() const { return moduleInfo(Module); }
  static bool classof(const Expr *E) { return E->Kind == ExprKind::ModuleCtor; }
};

struct ModuleCallExpr : Expr {
  ExprPtr Callee; ///< a VarRef to a module object, or a ModuleCtor
  std::vector<ExprPtr> Args;
  ModuleCallExpr() : Expr(ExprKind::ModuleCall) {}
  static bool classof(const Expr *E) { return E->Kind == ExprKind::ModuleCall; }
};

/// BijectToInterval: the distribution pushed forward through Pyro's
/// biject_to(support) for a bounded support: an interval (a sigmoid, then
/// low + (high - low) * .) or the simplex (stick-breaking, K - 1 reals onto
/// K entries), as the autoguides map their Normal; only the frontend's
/// autoguide synthesis makes it.
enum class DistTransformKind { ToEvent, Independent, Expand, ExpandBy, Mask, BijectToInterval };
struct DistTransform {
  DistTransformKind Kind;
  /// Event dims, shape or mask; BijectToInterval: a distribution whose
  /// support is the target (Uniform(low, high): the interval; a Dirichlet:
  /// its simplex), or null for the unit interval.
  ExprPtr Arg;
  SourceLoc Loc;
};

/// `dist.Normal(loc, scale).expand([3]).to_event(1)`
struct DistributionExpr : Expr {
  DistId Dist{};
  BoundArgs Args;
  std::vector<DistTransform> Transforms; ///< in application order
  /// DistId::Opaque only: the distribution as written (`dist.ZeroInflatedPoisson`),
  /// for witnesses and reports; its Args are every argument of the call.
  std::string OpaqueName;
  DistributionExpr() : Expr(ExprKind::Distribution) {}
  const DistInfo &info() const { return distInfo(Dist); }
  static bool classof(const Expr *E) { return E->Kind == ExprKind::Distribution; }
};

/// `Base[I0, I1, ...]`; an index is any expression, a Slice, an Ellipsis or a
/// None constant (new axis).
struct SubscriptExpr : Expr {
  ExprPtr Base;
  std::vector<ExprPtr> Indices;
  /// Pyro's `Vindex(Base)[...]` (pyro.ops.indexing.vindex): the tensor indices
  /// broadcast with each other and with Base's dims left of those the indices
  /// name (its batch dims, written as a leading `...`); each `:` keeps its dim
  /// on the right. Its indices are tensors, ints, full slices and at most a
  /// leading Ellipsis.
  bool Vectorized = false;
  SubscriptExpr() : Expr(ExprKind::Subscript) {}
  static bool classof(const Expr *E) { return E->Kind == ExprKind::Subscript; }
};

struct SliceExpr : Expr {
  ExprPtr Lower, Upper, Step; ///< each may be null
  SliceExpr() : Expr(ExprKind::Slice) {}
  static bool classof(const Expr *E) { return E->Kind == ExprKind::Slice; }
};

struct EllipsisExpr : Expr {
  EllipsisExpr() : Expr(ExprKind::Ellipsis) {}
  static bool classof(const Expr *E) { return E->Kind == ExprKind::Ellipsis; }
};

/// Tuple and List literals.
struct SequenceExpr : Expr {
  std::vector<ExprPtr> Elements;
  explicit SequenceExpr(ExprKind K) : Expr(K) { assert(K == ExprKind::Tuple || K == ExprKind::List); }
  static bool classof(const Expr *E) { return E->Kind == ExprKind::Tuple || E->Kind == ExprKind::List; }
};

struct DictExpr : Expr {
  std::vector<ExprPtr> Keys, Values;
  DictExpr() : Expr(ExprKind::Dict) {}
  static bool classof(const Expr *E) { return E->Kind == ExprKind::Dict; }
};

struct AttributeExpr : Expr {
  ExprPtr Base;
  std::string Name;
  AttributeExpr() : Expr(ExprKind::Attribute) {}
  static bool classof(const Expr *E) { return E->Kind == ExprKind::Attribute; }
};

struct IndexUpdateExpr : Expr {
  ExprPtr Base;
  std::vector<ExprPtr> Indices;
  ExprPtr Value;
  IndexUpdateExpr() : Expr(ExprKind::IndexUpdate) {}
  static bool classof(const Expr *E) { return E->Kind == ExprKind::IndexUpdate; }
};

struct AttrUpdateExpr : Expr {
  ExprPtr Base;
  std::vector<std::string> Path; ///< "weight", "data" for x.weight.data = v
  ExprPtr Value;
  AttrUpdateExpr() : Expr(ExprKind::AttrUpdate) {}
  static bool classof(const Expr *E) { return E->Kind == ExprKind::AttrUpdate; }
};

struct ConstraintExpr : Expr {
  ConstraintId Constraint = ConstraintId::Real;
  std::vector<ExprPtr> Args;
  ConstraintExpr() : Expr(ExprKind::Constraint) {}
  static bool classof(const Expr *E) { return E->Kind == ExprKind::Constraint; }
};

//===-- Site names ------------------------------------------------------------===//

/// A sample/param/plate name. Canonical is SPEC §8's canonical name: the
/// literal, or the template with each replacement field written `{}`; Indices
/// are the template's arguments in order.
struct SiteName {
  enum class Form { Literal, Template, Dynamic };
  Form NameForm = Form::Literal;
  std::string Canonical;
  std::vector<ExprPtr> Indices;
  ExprPtr DynamicExpr; ///< Form::Dynamic only: the expression computing the name
  SourceLoc Loc;
};

//===-- Statements ------------------------------------------------------------===//

enum class StmtKind { Assign, ExprStmt, Sample, Param, Module, Factor, If, For, While, With, Return, Assert };

struct Stmt : Node {
  const StmtKind Kind;
  explicit Stmt(StmtKind K) : Kind(K) {}
  virtual ~Stmt() = default;
};
using StmtPtr = std::unique_ptr<Stmt>;
using Block = std::vector<StmtPtr>;

struct AssignStmt : Stmt {
  VarId Target = 0;
  ExprPtr Value;
  AssignStmt() : Stmt(StmtKind::Assign) {}
  static bool classof(const Stmt *S) { return S->Kind == StmtKind::Assign; }
};

/// An expression evaluated for its possible errors only.
struct ExprStmt : Stmt {
  ExprPtr Value;
  ExprStmt() : Stmt(StmtKind::ExprStmt) {}
  static bool classof(const Stmt *S) { return S->Kind == StmtKind::ExprStmt; }
};

/// `Target = pyro.sample(Name, Dist, obs=Obs)`; an observe when Obs is set
/// (Obs may still evaluate to None at run time: `obs=ys` with ys an input).
struct SampleStmt : Stmt {
  /// Pyro's infer["enumerate"] of the site (an explicit `infer={...}` or a
  /// config_enumerate around it): an enumerating ELBO sums the site out
  /// instead of taking it from the guide. Unknown: the request is computed.
  enum class Enumeration { None, Parallel, Sequential, Unknown };
  std::optional<VarId> Target;
  SiteName Name;
  std::unique_ptr<DistributionExpr> Dist;
  ExprPtr Obs;
  Enumeration Enumerate = Enumeration::None;
  SampleStmt() : Stmt(StmtKind::Sample) {}
  bool isObserve() const { return Obs != nullptr; }
  static bool classof(const Stmt *S) { return S->Kind == StmtKind::Sample; }
};

/// `Target = pyro.param(Name, Init, constraint=Constraint)`
struct ParamStmt : Stmt {
  std::optional<VarId> Target;
  SiteName Name;
  ExprPtr Init;                           ///< may be null (a param defined elsewhere)
  std::unique_ptr<ConstraintExpr> Constraint; ///< null: constraints.real
  ParamStmt() : Stmt(StmtKind::Param) {}
  static bool classof(const Stmt *S) { return S->Kind == StmtKind::Param; }
};

/// `pyro.module(Name, ModuleVar)`: from here on the object in ModuleVar holds
/// the parameters named Name.
struct ModuleStmt : Stmt {
  std::optional<VarId> Target;
  SiteName Name;
  VarId ModuleVar = 0;
  ModuleStmt() : Stmt(StmtKind::Module) {}
  static bool classof(const Stmt *S) { return S->Kind == StmtKind::Module; }
};

/// `pyro.factor(Name, LogProb)`: adds LogProb to the log-density.
struct FactorStmt : Stmt {
  SiteName Name;
  ExprPtr LogProb;
  FactorStmt() : Stmt(StmtKind::Factor) {}
  static bool classof(const Stmt *S) { return S->Kind == StmtKind::Factor; }
};

struct IfStmt : Stmt {
  ExprPtr Cond;
  Block Then, Else;
  IfStmt() : Stmt(StmtKind::If) {}
  static bool classof(const Stmt *S) { return S->Kind == StmtKind::If; }
};

/// `pyro.plate(Name, Size, SubsampleSize, dim=Dim)`; null fields were not given.
struct PlateInfo {
  SiteName Name;
  ExprPtr Size, SubsampleSize, Dim;
  SourceLoc Loc; ///< the pyro.plate call
};

/// `for Index in range(Start, Stop, Step)` or `for Index in pyro.plate(...)`.
struct ForStmt : Stmt {
  enum class Iter { Range, Plate };
  Iter Over = Iter::Range;
  VarId Index = 0;
  ExprPtr Start, Stop, Step; ///< Range: Start/Step default to 0/1 (never null)
  PlateInfo Plate;           ///< Plate only
  Block Body;
  ForStmt() : Stmt(StmtKind::For) {}
  static bool classof(const Stmt *S) { return S->Kind == StmtKind::For; }
};

struct WhileStmt : Stmt {
  ExprPtr Cond;
  Block Body;
  WhileStmt() : Stmt(StmtKind::While) {}
  static bool classof(const Stmt *S) { return S->Kind == StmtKind::While; }
};

/// One context manager; `with a, b:` nests two WithStmts.
struct WithStmt : Stmt {
  enum class Context { Plate, Scale, Mask, NoGrad };
  Context Ctx = Context::Plate;
  PlateInfo Plate;                 ///< Plate only
  std::optional<VarId> IndexVar;   ///< Plate only: `as i`
  ExprPtr Arg;                     ///< Scale: the scale; Mask: the mask
  Block Body;
  WithStmt() : Stmt(StmtKind::With) {}
  static bool classof(const Stmt *S) { return S->Kind == StmtKind::With; }
};

/// Only as the last statement of the entry function.
struct ReturnStmt : Stmt {
  ExprPtr Value; ///< may be null
  ReturnStmt() : Stmt(StmtKind::Return) {}
  static bool classof(const Stmt *S) { return S->Kind == StmtKind::Return; }
};

struct AssertStmt : Stmt {
  ExprPtr Cond;
  AssertStmt() : Stmt(StmtKind::Assert) {}
  static bool classof(const Stmt *S) { return S->Kind == StmtKind::Assert; }
};

//===-- Programs --------------------------------------------------------------===//

enum class VarKind {
  User,   ///< assigned by the program
  Temp,   ///< introduced by lowering (tuple unpacking, inlined returns)
  Input,  ///< a parameter of the entry function: a free input (data)
};

struct VarInfo {
  std::string Name; ///< source name; inlined locals get a `name@callee#n` suffix
  VarKind Kind = VarKind::User;
  SourceLoc Loc;    ///< first definition
};

enum class Role { Model, Guide };

class Program {
public:
  Role ProgramRole = Role::Model;
  FileId File = 0;
  std::string EntryFunction;
  std::vector<VarInfo> Vars; ///< indexed by VarId; index 0 is unused
  std::vector<VarId> Inputs; ///< entry-function parameters in order
  Block Body;
  /// Callees of the opaque calls that may run user code (CallExpr::
  /// MayRunUserCode): the program may sample names that no statement shows.
  std::set<std::string> OpaqueUserCode;
  /// The file builds an ELBO that enumerates (TraceEnum_ELBO and its
  /// variants): sites marked for enumeration are summed out there. Under
  /// Trace_ELBO the marks are ignored and such a site is drawn from its prior.
  bool EnumeratingElbo = false;

  Program() { Vars.push_back(VarInfo{"<none>", VarKind::Temp, {}}); }

  VarId addVar(std::string Name, VarKind K, SourceLoc Loc) {
    Vars.push_back(VarInfo{std::move(Name), K, Loc});
    return static_cast<VarId>(Vars.size() - 1);
  }
  const VarInfo &var(VarId V) const { return Vars.at(V); }
  size_t numVars() const { return Vars.size(); }

  /// Creates a node with a fresh id at \p Loc.
  template <typename T> std::unique_ptr<T> make(SourceLoc Loc) {
    auto N = std::make_unique<T>();
    N->Id = ++LastId;
    N->Loc = Loc;
    return N;
  }
  std::unique_ptr<SequenceExpr> makeSequence(ExprKind K, SourceLoc Loc) {
    auto N = std::make_unique<SequenceExpr>(K);
    N->Id = ++LastId;
    N->Loc = Loc;
    return N;
  }
  NodeId numNodeIds() const { return LastId + 1; }

private:
  NodeId LastId = 0;
};

/// Deep copy of an expression; the copy gets fresh node ids from \p P and
/// keeps the source locations.
ExprPtr cloneExpr(const Expr &E, Program &P);

/// Names for printing and reports.
std::string_view unaryOpName(UnaryOp Op);
std::string_view binaryOpName(BinaryOp Op);
std::string_view compareOpName(CompareOp Op);
std::string_view exprKindName(ExprKind K);
std::string_view stmtKindName(StmtKind K);

} // namespace svic::ir
