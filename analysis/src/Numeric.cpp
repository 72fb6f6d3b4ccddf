//===- Numeric.cpp - The numeric pre-analysis (phase 1) --------------------===//
///
/// \file
/// A forward abstract interpreter over the structured IR: statements map an
/// environment (NumEnv) to the environment after them, expressions map an
/// environment to a NumValue. `if` guards refine both branches; loops go
/// through loopFixpoint with widening, and their bodies are replayed once on
/// the final invariant to record the facts of every node (so facts are joined
/// over every evaluation, never over the intermediate iterates).
//===----------------------------------------------------------------------===//

#include "svic/analysis/Numeric.h"
#include "svic/ir/Sites.h"
#include "svic/ir/Walk.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <limits>
#include <set>

namespace svic::analysis {

using namespace ir;
using numeric_detail::constraintSupport;
using numeric_detail::sampleSupport;
using numeric_detail::transferCall;
using numeric_detail::transferModule;

namespace {

constexpr double Inf = std::numeric_limits<double>::infinity();

NumValue numOrBottom(const Interval &I) {
  return I.isBottom() ? NumValue::bottom() : NumValue::number(I);
}

/// `t[k]` on a value known to be a tuple, with one index known to be the
/// integer k (Python's negative indices count from the end); null otherwise.
const NumValue *tupleElement(const NumValue &Base, const std::vector<NumValue> &Index) {
  const std::vector<NumValue> *Elems = Base.elements();
  if (!Elems || Index.size() != 1 || Index[0].kinds() != NumValue::KNum)
    return nullptr;
  std::optional<double> K = Index[0].num().pointValue();
  if (!K || *K != std::floor(*K))
    return nullptr;
  double N = static_cast<double>(Elems->size());
  double At = *K < 0 ? *K + N : *K;
  if (At < 0 || At >= N)
    return nullptr; // IndexError; the summary stands
  return &(*Elems)[static_cast<size_t>(At)];
}

/// Every possible value is truthy (an empty tensor raises instead).
bool definitelyTrue(const NumValue &V) {
  if (V.isBottom())
    return false;
  if (V.kinds() & ~(NumValue::KNum | NumValue::KModule | NumValue::KDist))
    return false;
  return !V.may(NumValue::KNum) || V.num().excludesZero();
}

/// Every possible value is falsy.
bool definitelyFalse(const NumValue &V) {
  if (V.isBottom())
    return false;
  if (V.kinds() & ~(NumValue::KNum | NumValue::KNone))
    return false;
  return !V.may(NumValue::KNum) || V.num().isBottom() || V.num().isZero();
}

NumValue boolValue(ival::Truth T) {
  switch (T) {
  case ival::Truth::True:
    return NumValue::number(Interval::point(1));
  case ival::Truth::False:
    return NumValue::number(Interval::point(0));
  case ival::Truth::Unknown:
    break;
  }
  return NumValue::number(Interval::integers(0, 1));
}

std::optional<ival::Cmp> numericCmp(CompareOp Op) {
  switch (Op) {
  case CompareOp::Lt:
    return ival::Cmp::Lt;
  case CompareOp::Le:
    return ival::Cmp::Le;
  case CompareOp::Gt:
    return ival::Cmp::Gt;
  case CompareOp::Ge:
    return ival::Cmp::Ge;
  case CompareOp::Eq:
    return ival::Cmp::Eq;
  case CompareOp::Ne:
    return ival::Cmp::Ne;
  case CompareOp::Is:
  case CompareOp::IsNot:
  case CompareOp::In:
  case CompareOp::NotIn:
    break;
  }
  return std::nullopt;
}

bool isNoneConstant(const Expr &E) {
  const auto *C = dyn_cast<ConstantExpr>(&E);
  return C && C->Ty == ConstantExpr::Type::None;
}

/// Calls F on every expression of the block, outer before inner.
void walkExprs(const Block &B, const std::function<void(const Expr &)> &F);

void walkExpr(const Expr *E, const std::function<void(const Expr &)> &F) {
  if (!E)
    return;
  F(*E);
  ir::forEachChild(*E, [&](const Expr &C) { walkExpr(&C, F); });
}

void walkSite(const SiteName &N, const std::function<void(const Expr &)> &F) {
  for (const ExprPtr &I : N.Indices)
    walkExpr(I.get(), F);
  walkExpr(N.DynamicExpr.get(), F);
}

void walkPlate(const PlateInfo &P, const std::function<void(const Expr &)> &F) {
  walkSite(P.Name, F);
  walkExpr(P.Size.get(), F);
  walkExpr(P.SubsampleSize.get(), F);
  walkExpr(P.Dim.get(), F);
}

void walkExprs(const Block &B, const std::function<void(const Expr &)> &F) {
  for (const StmtPtr &SP : B) {
    const Stmt *S = SP.get();
    switch (S->Kind) {
    case StmtKind::Assign:
      walkExpr(cast<AssignStmt>(S)->Value.get(), F);
      break;
    case StmtKind::ExprStmt:
      walkExpr(cast<ExprStmt>(S)->Value.get(), F);
      break;
    case StmtKind::Sample: {
      const auto *X = cast<SampleStmt>(S);
      walkSite(X->Name, F);
      walkExpr(X->Dist.get(), F);
      walkExpr(X->Obs.get(), F);
      break;
    }
    case StmtKind::Param: {
      const auto *X = cast<ParamStmt>(S);
      walkSite(X->Name, F);
      walkExpr(X->Init.get(), F);
      walkExpr(X->Constraint.get(), F);
      break;
    }
    case StmtKind::Module:
      walkSite(cast<ModuleStmt>(S)->Name, F);
      break;
    case StmtKind::Factor:
      walkSite(cast<FactorStmt>(S)->Name, F);
      walkExpr(cast<FactorStmt>(S)->LogProb.get(), F);
      break;
    case StmtKind::If:
      walkExpr(cast<IfStmt>(S)->Cond.get(), F);
      walkExprs(cast<IfStmt>(S)->Then, F);
      walkExprs(cast<IfStmt>(S)->Else, F);
      break;
    case StmtKind::For: {
      const auto *X = cast<ForStmt>(S);
      walkExpr(X->Start.get(), F);
      walkExpr(X->Stop.get(), F);
      walkExpr(X->Step.get(), F);
      if (X->Over == ForStmt::Iter::Plate)
        walkPlate(X->Plate, F);
      walkExprs(X->Body, F);
      break;
    }
    case StmtKind::While:
      walkExpr(cast<WhileStmt>(S)->Cond.get(), F);
      walkExprs(cast<WhileStmt>(S)->Body, F);
      break;
    case StmtKind::With: {
      const auto *X = cast<WithStmt>(S);
      if (X->Ctx == WithStmt::Context::Plate)
        walkPlate(X->Plate, F);
      walkExpr(X->Arg.get(), F);
      walkExprs(X->Body, F);
      break;
    }
    case StmtKind::Return:
      walkExpr(cast<ReturnStmt>(S)->Value.get(), F);
      break;
    case StmtKind::Assert:
      walkExpr(cast<AssertStmt>(S)->Cond.get(), F);
      break;
    }
  }
}

} // namespace

//===----------------------------------------------------------------------===//
// The interpreter
//===----------------------------------------------------------------------===//

class NumericInterpreter {
public:
  NumericInterpreter(const Program &P, const FixpointOptions &Opts, NumericResult &R,
                     const Program *Pair)
      : P(P), Opts(Opts), R(R), Pair(Pair) {
    size_t N = P.numNodeIds();
    R.Values.assign(N, NumValue::bottom());
    R.Evaluated.assign(N, 0);
    R.Reached.assign(N, 0);
    walkExprs(P.Body, [this](const Expr &E) {
      if (const auto *M = dyn_cast<ModuleCtorExpr>(&E))
        Ctors.emplace(M->Id, M);
    });
    markNaN();
    MixedParams = ir::paramsWithMixedConstraints(P, Pair);
  }

  void run() {
    execBlock(P.Body, entryEnv());
    markNonFinite();
    collectIssues();
  }

private:
  const Program &P;
  const FixpointOptions &Opts;
  NumericResult &R;
  const Program *Pair; ///< the other program of the model/guide pair, if any
  bool Recording = true;
  std::map<NodeId, const ModuleCtorExpr *> Ctors;
  /// Per nn.Sequential member expression: the constructor its value came
  /// from (0: none seen, max: several), recorded on every evaluation.
  std::map<NodeId, uint32_t> MemberCtor;

  /// The support of the distribution that \p Observer observes its input
  /// \p Pos with, whole (`obs=x`) and unmodified, on every path: in its body
  /// or under plates and `poutine.scale` only (a mask or a block may leave
  /// the density without the site). Observed values are assumed to have
  /// non-zero density (Pyro raises on one outside the support with validation
  /// on), so the entry value lies in the support; nullopt when nothing is known.
  static std::optional<NumValue> observedSupport(const Program &Observer, size_t Pos) {
    VarId In = Observer.Inputs[Pos];
    bool Assigned = false;
    ir::forEachStmt(Observer.Body, [&](const ir::Stmt &S) {
      std::optional<VarId> T;
      if (const auto *A = dyn_cast<AssignStmt>(&S))
        T = A->Target;
      else if (const auto *Sa = dyn_cast<SampleStmt>(&S))
        T = Sa->Target;
      else if (const auto *Pa = dyn_cast<ParamStmt>(&S))
        T = Pa->Target;
      else if (const auto *M = dyn_cast<ModuleStmt>(&S))
        T = M->Target;
      Assigned = Assigned || T == In;
    });
    if (Assigned)
      return std::nullopt;
    std::optional<NumValue> Fact;
    std::function<void(const ir::Block &)> Scan = [&](const ir::Block &B) {
      for (const ir::StmtPtr &S : B) {
        if (const auto *W = dyn_cast<ir::WithStmt>(S.get())) {
          if (W->Ctx == ir::WithStmt::Context::Plate || W->Ctx == ir::WithStmt::Context::Scale)
            Scan(W->Body);
          continue;
        }
        const auto *Sa = dyn_cast<SampleStmt>(S.get());
        const auto *Obs = Sa && Sa->Obs ? dyn_cast<VarRefExpr>(Sa->Obs.get()) : nullptr;
        if (!Obs || Obs->Var != In)
          continue;
        bool Masked = std::any_of(Sa->Dist->Transforms.begin(), Sa->Dist->Transforms.end(),
                                  [](const ir::DistTransform &T) { return T.Kind == ir::DistTransformKind::Mask; });
        if (Masked)
          continue;
        // Any value of the arguments: the support over every environment.
        std::vector<std::optional<NumValue>> Args;
        for (const ExprPtr &A : Sa->Dist->Args.Args)
          Args.push_back(A ? std::optional<NumValue>(NumValue::top()) : std::nullopt);
        NumValue V = sampleSupport(*Sa->Dist, Args, {});
        Fact = Fact ? Fact->meet(V) : V;
      }
    };
    Scan(Observer.Body);
    return Fact;
  }

  /// The entry state: the inputs that this program or the other one of the
  /// pair observes (an input of the guide is the model's input of the same
  /// position and name: SVI passes both the same arguments).
  NumEnv entryEnv() const {
    NumEnv Env = NumEnv::top();
    for (size_t I = 0; I < P.Inputs.size(); ++I) {
      std::optional<NumValue> Fact = observedSupport(P, I);
      if (Pair && I < Pair->Inputs.size() && Pair->var(Pair->Inputs[I]).Name == P.var(P.Inputs[I]).Name)
        if (std::optional<NumValue> M = observedSupport(*Pair, I))
          Fact = Fact ? Fact->meet(*M) : *M;
      if (Fact)
        Env.set(P.Inputs[I], *Fact);
    }
    return Env;
  }

  /// Variables that may hold NaN: assigned (anywhere, flow-insensitively) from
  /// an expression with a partial operation, a non-finite constant or another
  /// such variable. Inputs are assumed NaN-free (data is checked when it is
  /// loaded).
  std::vector<uint8_t> NaNVars;
  /// Params whose declarations disagree on the constraint.
  std::set<std::string> MixedParams;

  /// A literal inf/nan (math.inf, 1e400, float("nan")).
  static bool isNonFiniteSource(const Expr &E) {
    if (const auto *K = dyn_cast<ConstantExpr>(&E))
      return K->isNumber() && !std::isfinite(K->number());
    if (const auto *C = dyn_cast<CallExpr>(&E); C && C->Op == OpId::PyFloat) {
      const Expr *A = C->Args.Args.empty() ? nullptr : C->Args.Args[0].get();
      const auto *S = A ? dyn_cast<ConstantExpr>(A) : nullptr;
      return S && S->Ty == ConstantExpr::Type::String &&
             !std::isfinite(std::strtod(S->StringValue.c_str(), nullptr));
    }
    return false;
  }
  /// Operations that give NaN outside their domain: 0/0, log(-1), sqrt(-1),
  /// (-1) ** 0.5, and their relatives; and non-finite constants (inf - inf).
  static bool isPartial(const Expr &E) {
    if (isNonFiniteSource(E))
      return true;
    if (const auto *C = dyn_cast<CallExpr>(&E))
      return C->info().Pre != ir::Precondition::None;
    if (const auto *B = dyn_cast<BinaryExpr>(&E))
      return B->Op == BinaryOp::Div || B->Op == BinaryOp::FloorDiv || B->Op == BinaryOp::Mod ||
             B->Op == BinaryOp::Pow;
    return false;
  }
  static bool contains(const Expr &E, bool (*Source)(const Expr &)) {
    bool Found = Source(E);
    ir::forEachChild(E, [&](const Expr &C) { Found = Found || contains(C, Source); });
    return Found;
  }
  static void varRefs(const Expr &E, std::vector<VarId> &Out) {
    if (const auto *V = dyn_cast<VarRefExpr>(&E))
      Out.push_back(V->Var);
    ir::forEachChild(E, [&](const Expr &C) { varRefs(C, Out); });
  }

  /// The variables assigned from an expression with a \p Source node or from
  /// another such variable (flow-insensitively).
  std::vector<uint8_t> taintedVars(bool (*Source)(const Expr &)) const {
    std::vector<uint8_t> Tainted(P.numVars(), 0);
    std::vector<std::vector<VarId>> Users(P.numVars());
    std::vector<VarId> Work;
    auto Define = [&](VarId Target, const Expr &Value) {
      if (contains(Value, Source))
        Work.push_back(Target);
      std::vector<VarId> Refs;
      varRefs(Value, Refs);
      for (VarId R : Refs)
        Users[R].push_back(Target);
    };
    ir::forEachStmt(P.Body, [&](const ir::Stmt &S) {
      if (const auto *A = dyn_cast<AssignStmt>(&S))
        Define(A->Target, *A->Value);
      else if (const auto *Sa = dyn_cast<SampleStmt>(&S); Sa && Sa->Target && Sa->Obs)
        Define(*Sa->Target, *Sa->Obs);
      else if (const auto *Pa = dyn_cast<ParamStmt>(&S); Pa && Pa->Target && Pa->Init)
        Define(*Pa->Target, *Pa->Init); // the optimiser starts from the init
    });
    while (!Work.empty()) {
      VarId V = Work.back();
      Work.pop_back();
      if (Tainted[V])
        continue;
      Tainted[V] = 1;
      for (VarId U : Users[V])
        Work.push_back(U);
    }
    return Tainted;
  }

  void markNaN() { NaNVars = taintedVars(isPartial); }

  /// An operation whose table range is bounded maps ±inf to a finite value
  /// or NaN (sigmoid(inf) = 1, sin(inf) = nan).
  static bool boundedRange(ir::ValueRange R) {
    switch (R) {
    case ir::ValueRange::OpenUnit:
    case ir::ValueRange::ClosedUnit:
    case ir::ValueRange::HalfOpenUnit:
    case ir::ValueRange::OpenSymmetricUnit:
    case ir::ValueRange::ClosedSymmetricUnit:
    case ir::ValueRange::Zero:
    case ir::ValueRange::One:
      return true;
    default:
      return false;
    }
  }

  /// After the run: the nodes that may evaluate to ±inf, from a non-finite
  /// constant (NaN ones included), a partial operation whose precondition is
  /// not proved (1 / 0, log 0, 0 ** -1; sqrt(-1) is only NaN), or an operand
  /// that may be one; variables are joined flow-insensitively over their
  /// assignments. Inputs, sample values and params are finite; an operation on
  /// data alone is no exception (log(1 + x) is safe only where x > -1 is
  /// proved, e.g. from the support x is observed with). Intervals are sets of
  /// reals, so such a value is recorded as possibly "other" and no fact is
  /// proved about it (softplus(-inf) = 0 is not > 0). A NaN made by a partial
  /// operation needs no mark: NaN absorbs every operation, so the density is
  /// undefined on the whole section, and the operation already counts as
  /// partial in its inputs.
  void markNonFinite() {
    std::vector<uint8_t> &NF = R.NonFinite;
    NF.assign(P.numNodeIds(), 0);
    std::vector<uint8_t> Vars(P.numVars(), 0);
    std::function<bool(const Expr &)> Mark = [&](const Expr &E) {
      bool Child = false;
      ir::forEachChild(E, [&](const Expr &C) { Child = Mark(C) || Child; });
      bool F = Child;
      switch (E.Kind) {
      case ExprKind::Constant:
        F = isNonFiniteSource(E);
        break;
      case ExprKind::VarRef:
        F = Vars[cast<VarRefExpr>(&E)->Var];
        break;
      case ExprKind::Compare:
        F = false; // a bool
        break;
      case ExprKind::Unary:
        F = Child && cast<UnaryExpr>(&E)->Op != UnaryOp::Not;
        break;
      case ExprKind::Attribute: {
        const std::string &N = cast<AttributeExpr>(&E)->Name;
        F = Child && N != "shape" && N != "ndim";
        break;
      }
      case ExprKind::Call: {
        const auto &C = *cast<CallExpr>(&E);
        const ir::OpInfo &I = C.info();
        if (C.Op == OpId::FGridSample) // interpolates the input; an inf grid gives NaN
          Child = !C.Args.Args.empty() && C.Args.Args[0] && NF[C.Args.Args[0]->Id];
        bool Pole = I.Pre != ir::Precondition::None && I.Pre != ir::Precondition::SqrtArg0 &&
                    !R.provedPrecondition(C);
        F = isNonFiniteSource(E) || (!boundedRange(I.Range) && (Child || Pole));
        break;
      }
      case ExprKind::Binary: {
        const auto &B = *cast<BinaryExpr>(&E);
        F = Child || (B.Op != BinaryOp::Mod && !R.provedPrecondition(B));
        break;
      }
      default:
        break;
      }
      NF[E.Id] = F;
      return F;
    };
    auto Root = [&](const Expr *E) { return E && Mark(*E); };
    for (bool Changed = true; Changed;) {
      Changed = false;
      auto Set = [&](std::optional<VarId> V, bool F) {
        if (V && F && !Vars[*V])
          Vars[*V] = Changed = true;
      };
      ir::forEachStmt(P.Body, [&](const ir::Stmt &S) {
        if (const auto *A = dyn_cast<AssignStmt>(&S))
          Set(A->Target, Root(A->Value.get()));
        else if (const auto *Sa = dyn_cast<SampleStmt>(&S))
          Set(Sa->Target, Root(Sa->Obs.get()));
      });
    }
    walkExprs(P.Body, [&](const Expr &E) {
      if (!NF[E.Id])
        Mark(E);
    });
    for (NodeId Id = 0; Id < NF.size(); ++Id)
      if (NF[Id] && !R.Values[Id].isBottom())
        R.Values[Id] = R.Values[Id].withKinds(R.Values[Id].kinds() | NumValue::KOther);
  }

  bool mayBeNaN(const Expr &E) const {
    if (const auto *V = dyn_cast<VarRefExpr>(&E))
      return NaNVars[V->Var];
    if (isPartial(E))
      return true;
    bool Found = false;
    ir::forEachChild(E, [&](const Expr &C) { Found = Found || mayBeNaN(C); });
    return Found;
  }

  /// refine(), except for a guard that may involve NaN: every comparison
  /// with NaN is false, which intervals cannot express, so such a guard
  /// neither refines nor prunes a branch.
  NumEnv guard(const Expr &Cond, bool Truth, const NumEnv &Env) {
    return mayBeNaN(Cond) ? Env : refine(Cond, Truth, Env);
  }

  /// Turns recording off for the lifetime of the scope (fixpoint iterates,
  /// guard refinement).
  struct Quiet {
    NumericInterpreter &I;
    bool Saved;
    explicit Quiet(NumericInterpreter &I) : I(I), Saved(I.Recording) { I.Recording = false; }
    ~Quiet() { I.Recording = Saved; }
    Quiet(const Quiet &) = delete;
    Quiet &operator=(const Quiet &) = delete;
  };

  void record(const Expr &E, const NumValue &V) {
    if (!Recording)
      return;
    assert(E.Id < R.Values.size() && "node id outside the program");
    R.Values[E.Id] = R.Values[E.Id].join(V);
    R.Evaluated[E.Id] = 1;
  }

  //===-- Statements ---------------------------------------------------------===//

  NumEnv execBlock(const Block &B, NumEnv Env) {
    for (const StmtPtr &S : B) {
      if (Env.isBottom())
        break;
      Env = execStmt(*S, std::move(Env));
    }
    return Env;
  }

  NumEnv execStmt(const Stmt &S, NumEnv Env) {
    if (Env.isBottom())
      return Env;
    if (Recording)
      R.Reached[S.Id] = 1;
    switch (S.Kind) {
    case StmtKind::Assign: {
      const auto &A = *cast<AssignStmt>(&S);
      NumValue V = eval(*A.Value, Env);
      Env.set(A.Target, V);
      return Env;
    }
    case StmtKind::ExprStmt:
      if (eval(*cast<ExprStmt>(&S)->Value, Env).isBottom())
        return NumEnv::bottom(); // the expression cannot complete
      return Env;
    case StmtKind::Sample:
      return execSample(*cast<SampleStmt>(&S), std::move(Env));
    case StmtKind::Param:
      return execParam(*cast<ParamStmt>(&S), std::move(Env));
    case StmtKind::Module: {
      const auto &M = *cast<ModuleStmt>(&S);
      evalSite(M.Name, Env);
      if (M.Target)
        Env.set(*M.Target, Env.get(M.ModuleVar));
      return Env;
    }
    case StmtKind::Factor: {
      const auto &F = *cast<FactorStmt>(&S);
      evalSite(F.Name, Env);
      if (eval(*F.LogProb, Env).isBottom())
        return NumEnv::bottom();
      return Env;
    }
    case StmtKind::If:
      return execIf(*cast<IfStmt>(&S), std::move(Env));
    case StmtKind::For:
      return execFor(*cast<ForStmt>(&S), std::move(Env));
    case StmtKind::While:
      return execWhile(*cast<WhileStmt>(&S), std::move(Env));
    case StmtKind::With:
      return execWith(*cast<WithStmt>(&S), std::move(Env));
    case StmtKind::Return: {
      const auto &Ret = *cast<ReturnStmt>(&S);
      if (Ret.Value)
        eval(*Ret.Value, Env);
      return Env;
    }
    case StmtKind::Assert: {
      const auto &A = *cast<AssertStmt>(&S);
      eval(*A.Cond, Env);
      return guard(*A.Cond, true, Env);
    }
    }
    return Env;
  }

  void evalSite(const SiteName &N, const NumEnv &Env) {
    for (const ExprPtr &I : N.Indices)
      if (I)
        eval(*I, Env);
    if (N.DynamicExpr)
      eval(*N.DynamicExpr, Env);
  }

  NumEnv execSample(const SampleStmt &S, NumEnv Env) {
    evalSite(S.Name, Env);
    if (eval(*S.Dist, Env).isBottom())
      return NumEnv::bottom(); // an argument cannot be computed
    NumValue Support = supportOf(*S.Dist, Env);
    NumValue V = Support;
    if (S.Obs) {
      // Observed: the value is the observation, or a fresh sample when the
      // observation turns out to be None at run time.
      NumValue O = eval(*S.Obs, Env);
      V = O.may(NumValue::KNone) ? O.withKinds(O.kinds() & ~NumValue::KNone).join(Support) : O;
    }
    if (S.Target)
      Env.set(*S.Target, V);
    return Env;
  }

  /// The values a sample of D can take in Env.
  NumValue supportOf(const DistributionExpr &D, const NumEnv &Env) {
    Quiet Q(*this);
    std::vector<std::optional<NumValue>> Args;
    std::vector<NumValue> Components;
    for (const ExprPtr &A : D.Args.Args) {
      if (!A) {
        Args.push_back(std::nullopt);
        continue;
      }
      Args.push_back(eval(*A, Env));
      if (const auto *C = dyn_cast<DistributionExpr>(A.get()))
        Components.push_back(supportOf(*C, Env));
    }
    if (D.info().Support == SupportKind::Mixed && Components.size() < 2)
      Components.clear(); // a component we cannot see: unknown support
    return sampleSupport(D, Args, Components);
  }

  NumEnv execParam(const ParamStmt &S, NumEnv Env) {
    evalSite(S.Name, Env);
    if (S.Init)
      eval(*S.Init, Env);
    NumValue V = NumValue::number(Interval::top()); // trained: any value
    if (S.Constraint) {
      eval(*S.Constraint, Env);
      std::vector<NumValue> Args;
      {
        Quiet Q(*this);
        for (const ExprPtr &A : S.Constraint->Args)
          Args.push_back(A ? eval(*A, Env) : NumValue::top());
      }
      // Pyro's param store keeps the constraint of the first declaration
      // that runs: with declarations that disagree, any value.
      if (!MixedParams.count(S.Name.Canonical))
        V = constraintSupport(S.Constraint->Constraint, Args);
    }
    if (S.Target)
      Env.set(*S.Target, V);
    // `pyro.param(name, t)` with t unconstrained trains the tensor t itself
    // (the store keeps its storage); constrained, t keeps its value. Either
    // way t may now hold its old value or any value the parameter takes.
    if (S.Init)
      if (const auto *VR = dyn_cast<VarRefExpr>(S.Init.get()))
        Env.set(VR->Var, Env.get(VR->Var).join(V));
    return Env;
  }

  NumEnv execIf(const IfStmt &S, NumEnv Env) {
    eval(*S.Cond, Env);
    NumEnv ThenIn = guard(*S.Cond, true, Env);
    NumEnv ElseIn = guard(*S.Cond, false, Env);
    if (Recording) {
      auto &Live = R.BranchLive[S.Id];
      Live.first = Live.first || !ThenIn.isBottom();
      Live.second = Live.second || !ElseIn.isBottom();
    }
    NumEnv ThenOut = execBlock(S.Then, std::move(ThenIn));
    NumEnv ElseOut = execBlock(S.Else, std::move(ElseIn));
    return ThenOut.join(ElseOut);
  }

  /// The loop-head invariant: least X ⊒ Entry with Body(X) ⊑ X, computed
  /// quietly; verified to be a post-fixpoint (narrowing of a non-monotone
  /// body could break that), else recomputed without narrowing.
  template <typename BodyFn> NumEnv loopHead(const NumEnv &Entry, BodyFn Body) {
    Quiet Q(*this);
    NumEnv X = loopFixpoint(Entry, Body, Opts, &R.Stats);
    if (!Entry.join(Body(X)).leq(X)) {
      FixpointOptions NoNarrow = Opts;
      NoNarrow.NarrowingIterations = 0;
      X = loopFixpoint(Entry, Body, NoNarrow, &R.Stats);
    }
    return X;
  }

  /// Values of the index of `for i in range(Start, Stop, Step)`, and whether
  /// the range is surely non-empty.
  static std::pair<Interval, bool> rangeIndex(const Interval &Start, const Interval &Stop,
                                              const Interval &Step) {
    if (Start.isBottom() || Stop.isBottom() || Step.isBottom())
      return {Interval::bottom(), false};
    if (Step.isPositive()) {
      Interval I = Interval::make(Start.lo(), Start.loOpen(), Stop.hi(), true, true);
      bool NonEmpty = ival::compare(ival::Cmp::Lt, Start, Stop) == ival::Truth::True;
      return {I, NonEmpty};
    }
    if (Step.isNegative()) {
      Interval I = Interval::make(Stop.lo(), true, Start.hi(), Start.hiOpen(), true);
      bool NonEmpty = ival::compare(ival::Cmp::Gt, Start, Stop) == ival::Truth::True;
      return {I, NonEmpty};
    }
    return {Start.join(Stop).integral(), false};
  }

  static Interval plateIndex(const NumValue &Size) {
    if (Size.num().isBottom())
      return Interval::integers(0, Inf);
    return Interval::make(0, false, Size.num().hi(), true, true);
  }

  NumValue evalPlate(const PlateInfo &Pl, const NumEnv &Env) {
    evalSite(Pl.Name, Env);
    NumValue Size = Pl.Size ? eval(*Pl.Size, Env) : NumValue::top();
    if (Pl.SubsampleSize)
      eval(*Pl.SubsampleSize, Env);
    if (Pl.Dim)
      eval(*Pl.Dim, Env);
    return Size;
  }

  NumEnv execFor(const ForStmt &S, NumEnv Env) {
    Interval Index = Interval::bottom();
    bool NonEmpty = false;
    if (S.Over == ForStmt::Iter::Range) {
      NumValue Start = S.Start ? eval(*S.Start, Env) : NumValue::number(Interval::point(0));
      NumValue Stop = S.Stop ? eval(*S.Stop, Env) : NumValue::top();
      NumValue Step = S.Step ? eval(*S.Step, Env) : NumValue::number(Interval::point(1));
      if (Start.isBottom() || Stop.isBottom() || Step.isBottom())
        return NumEnv::bottom();
      std::tie(Index, NonEmpty) = rangeIndex(Start.num().isBottom() ? Interval::top() : Start.num(),
                                             Stop.num().isBottom() ? Interval::top() : Stop.num(),
                                             Step.num().isBottom() ? Interval::top() : Step.num());
    } else {
      for (const ExprPtr *E : {&S.Start, &S.Stop, &S.Step})
        if (*E)
          eval(**E, Env);
      NumValue Size = evalPlate(S.Plate, Env);
      if (Size.isBottom())
        return NumEnv::bottom();
      Index = plateIndex(Size);
      NonEmpty = Size.num().allGreaterThan(0) && Size.isNumeric() && !S.Plate.SubsampleSize;
    }
    if (Index.isBottom())
      return Env; // the body never runs
    NumValue IndexV = NumValue::number(Index);
    auto Body = [&](const NumEnv &X) {
      NumEnv In = X;
      In.set(S.Index, IndexV);
      return execBlock(S.Body, std::move(In));
    };
    NumEnv Head = loopHead(Env, Body);
    NumEnv Out = Body(Head); // recorded: the body on the final invariant
    return NonEmpty ? Out : Head.join(Out);
  }

  NumEnv execWhile(const WhileStmt &S, NumEnv Env) {
    auto Body = [&](const NumEnv &X) { return execBlock(S.Body, guard(*S.Cond, true, X)); };
    NumEnv Head = loopHead(Env, Body);
    eval(*S.Cond, Head);
    Body(Head); // recorded
    return guard(*S.Cond, false, Head);
  }

  NumEnv execWith(const WithStmt &S, NumEnv Env) {
    switch (S.Ctx) {
    case WithStmt::Context::Plate: {
      NumValue Size = evalPlate(S.Plate, Env);
      if (Size.isBottom())
        return NumEnv::bottom();
      if (S.IndexVar)
        Env.set(*S.IndexVar, NumValue::number(plateIndex(Size)));
      break;
    }
    case WithStmt::Context::Scale:
    case WithStmt::Context::Mask:
    case WithStmt::Context::NoGrad:
      if (S.Arg)
        eval(*S.Arg, Env);
      break;
    }
    return execBlock(S.Body, std::move(Env));
  }

  //===-- Guards ------------------------------------------------------------===//

  /// The part of Env in which Cond evaluates to \p Truth (bottom if none).
  NumEnv refine(const Expr &Cond, bool Truth, const NumEnv &Env) {
    if (Env.isBottom())
      return Env;
    Quiet Q(*this);
    switch (Cond.Kind) {
    case ExprKind::Unary: {
      const auto &U = *cast<UnaryExpr>(&Cond);
      if (U.Op == UnaryOp::Not)
        return refine(*U.Operand, !Truth, Env);
      break;
    }
    case ExprKind::Logical: {
      const auto &L = *cast<LogicalExpr>(&Cond);
      bool IsAnd = L.Op == LogicalOp::And;
      // `a and b` is true iff both are; `a or b` false iff both are.
      if (IsAnd == Truth)
        return refine(*L.Rhs, Truth, refine(*L.Lhs, Truth, Env));
      NumEnv First = refine(*L.Lhs, Truth, Env);
      NumEnv Second = refine(*L.Rhs, Truth, refine(*L.Lhs, !Truth, Env));
      return First.join(Second);
    }
    case ExprKind::Compare:
      return refineCompare(*cast<CompareExpr>(&Cond), Truth, Env);
    case ExprKind::VarRef:
      return refineTruthy(cast<VarRefExpr>(&Cond)->Var, Truth, Env);
    default:
      break;
    }
    NumValue V = eval(Cond, Env);
    if (V.isBottom() || (Truth ? definitelyFalse(V) : definitelyTrue(V)))
      return NumEnv::bottom();
    return Env;
  }

  NumEnv refineTruthy(VarId X, bool Truth, NumEnv Env) {
    NumValue V = Env.get(X);
    uint8_t K = V.kinds();
    Interval N = V.num();
    if (Truth) {
      K &= ~NumValue::KNone;
      if (!(K & NumValue::KSeq))
        N = ival::refineLeft(ival::Cmp::Ne, N, Interval::point(0));
      if ((K & NumValue::KNum) && N.isBottom() && !(K & NumValue::KSeq))
        K &= ~NumValue::KNum;
    } else {
      K &= ~(NumValue::KModule | NumValue::KDist);
      if (!(K & NumValue::KSeq))
        N = N.meet(Interval::point(0));
      if ((K & NumValue::KNum) && N.isBottom() && !(K & NumValue::KSeq))
        K &= ~NumValue::KNum;
    }
    Env.set(X, V.withKinds(K).withNum(N));
    return Env;
  }

  NumEnv refineCompare(const CompareExpr &C, bool Truth, NumEnv Env) {
    NumValue L = eval(*C.Lhs, Env);
    NumValue Rv = eval(*C.Rhs, Env);
    if (L.isBottom() || Rv.isBottom())
      return NumEnv::bottom();
    if (C.Op == CompareOp::Is || C.Op == CompareOp::IsNot) {
      bool IsNone = (C.Op == CompareOp::Is) == Truth; // the branch where `x is None`
      const Expr *Var = nullptr;
      NumValue V = L;
      if (isNoneConstant(*C.Rhs))
        Var = C.Lhs.get();
      else if (isNoneConstant(*C.Lhs)) {
        Var = C.Rhs.get();
        V = Rv;
      } else
        return Env;
      if (IsNone) {
        if (!V.may(NumValue::KNone))
          return NumEnv::bottom();
        if (const auto *VR = dyn_cast<VarRefExpr>(Var))
          Env.set(VR->Var, NumValue::none());
        return Env;
      }
      if (V.kinds() == NumValue::KNone)
        return NumEnv::bottom();
      if (const auto *VR = dyn_cast<VarRefExpr>(Var))
        Env.set(VR->Var, V.withKinds(V.kinds() & ~NumValue::KNone));
      return Env;
    }
    auto Op = numericCmp(C.Op);
    if (!Op)
      return Env;
    ival::Cmp O = Truth ? *Op : ival::negate(*Op);
    if (L.kinds() == NumValue::KNum && Rv.kinds() == NumValue::KNum &&
        ival::compare(O, L.num(), Rv.num()) == ival::Truth::False)
      return NumEnv::bottom();
    bool Ordering = O != ival::Cmp::Eq && O != ival::Cmp::Ne;
    constexpr uint8_t KNum = NumValue::KNum;
    // Refines the variable on one side by `side Cmp other`.
    auto RefineSide = [&](const Expr &Side, ival::Cmp Cmp, const NumValue &Other) {
      const auto *VR = dyn_cast<VarRefExpr>(&Side);
      if (!VR)
        return;
      NumValue V = Env.get(VR->Var);
      if (Ordering) {
        // An ordering that does not raise compares two numbers, unless both
        // sides may be strings or sequences (compared lexicographically).
        if (!Other.may(NumValue::KNum))
          return;
        if ((V.may(NumValue::KString) && Other.may(NumValue::KString)) ||
            (V.may(NumValue::KSeq) && Other.may(NumValue::KSeq)))
          return;
        Env.set(VR->Var, numOrBottom(ival::refineLeft(Cmp, V.num(), Other.num())));
        return;
      }
      if (Other.kinds() != KNum)
        return; // equality with something that may be None or a string
      if (Cmp == ival::Cmp::Eq) {
        Env.set(VR->Var, numOrBottom(ival::refineLeft(Cmp, V.num(), Other.num())));
        return;
      }
      if (!V.may(NumValue::KNum))
        return;
      Interval N = ival::refineLeft(Cmp, V.num(), Other.num());
      Env.set(VR->Var, (N.isBottom() && V.kinds() == KNum) ? NumValue::bottom() : V.withNum(N));
    };
    RefineSide(*C.Lhs, O, Rv);
    if (!Env.isBottom())
      RefineSide(*C.Rhs, ival::mirror(O), refreshed(*C.Lhs, L, Env));
    return Env;
  }

  /// The value of a compared side after refinement.
  NumValue refreshed(const Expr &Side, const NumValue &Old, const NumEnv &Env) {
    if (const auto *VR = dyn_cast<VarRefExpr>(&Side))
      return Env.get(VR->Var);
    return Old;
  }

  //===-- Expressions --------------------------------------------------------===//

  NumValue eval(const Expr &E, const NumEnv &Env) {
    if (Env.isBottom())
      return NumValue::bottom();
    NumValue V = evalImpl(E, Env);
    record(E, V);
    return V;
  }

  std::vector<std::optional<NumValue>> evalArgs(const BoundArgs &A, const NumEnv &Env) {
    std::vector<std::optional<NumValue>> Vs;
    Vs.reserve(A.Args.size());
    for (const ExprPtr &X : A.Args)
      Vs.push_back(X ? std::optional<NumValue>(eval(*X, Env)) : std::nullopt);
    return Vs;
  }

  NumValue evalImpl(const Expr &E, const NumEnv &Env) {
    switch (E.Kind) {
    case ExprKind::Constant: {
      const auto &C = *cast<ConstantExpr>(&E);
      switch (C.Ty) {
      case ConstantExpr::Type::None:
        return NumValue::none();
      case ConstantExpr::Type::String:
        return NumValue::string();
      case ConstantExpr::Type::Bool:
      case ConstantExpr::Type::Int:
      case ConstantExpr::Type::Float:
        return NumValue::number(Interval::point(C.number()));
      }
      return NumValue::top();
    }
    case ExprKind::VarRef:
      return Env.get(cast<VarRefExpr>(&E)->Var);
    case ExprKind::Unary:
      return evalUnary(*cast<UnaryExpr>(&E), Env);
    case ExprKind::Binary:
      return evalBinary(*cast<BinaryExpr>(&E), Env);
    case ExprKind::Compare:
      return evalCompare(*cast<CompareExpr>(&E), Env);
    case ExprKind::Logical: {
      const auto &L = *cast<LogicalExpr>(&E);
      NumValue A = eval(*L.Lhs, Env);
      if (A.isBottom())
        return A;
      bool IsAnd = L.Op == LogicalOp::And;
      // `a and b` is a when a is falsy, else b; `a or b` the mirror.
      if (IsAnd ? definitelyFalse(A) : definitelyTrue(A))
        return A;
      NumValue B = eval(*L.Rhs, refine(*L.Lhs, IsAnd, Env));
      if (IsAnd ? definitelyTrue(A) : definitelyFalse(A))
        return B;
      return A.join(B);
    }
    case ExprKind::Conditional: {
      const auto &C = *cast<ConditionalExpr>(&E);
      eval(*C.Cond, Env);
      NumValue T = eval(*C.Then, guard(*C.Cond, true, Env));
      NumValue F = eval(*C.Else, guard(*C.Cond, false, Env));
      return T.join(F);
    }
    case ExprKind::Call:
      return evalCall(*cast<CallExpr>(&E), Env);
    case ExprKind::ModuleCtor: {
      const auto &M = *cast<ModuleCtorExpr>(&E);
      evalArgs(M.Args, Env);
      for (const ExprPtr &Member : M.Members) {
        if (!Member)
          continue;
        NumValue V = eval(*Member, Env);
        uint32_t C = V.moduleCtor() ? *V.moduleCtor() : UINT32_MAX;
        auto [It, New] = MemberCtor.emplace(Member->Id, C);
        if (!New && It->second != C)
          It->second = UINT32_MAX;
      }
      return NumValue::module(M.Id);
    }
    case ExprKind::ModuleCall:
      return evalModuleCall(*cast<ModuleCallExpr>(&E), Env);
    case ExprKind::Distribution: {
      const auto &D = *cast<DistributionExpr>(&E);
      auto Args = evalArgs(D.Args, Env);
      for (const auto &A : Args)
        if (A && A->isBottom())
          return NumValue::bottom();
      for (const DistTransform &T : D.Transforms)
        if (T.Arg)
          eval(*T.Arg, Env);
      return NumValue::dist();
    }
    case ExprKind::Subscript: {
      const auto &S = *cast<SubscriptExpr>(&E);
      NumValue B = eval(*S.Base, Env);
      std::vector<NumValue> Index;
      for (const ExprPtr &I : S.Indices)
        Index.push_back(I ? eval(*I, Env) : NumValue::other());
      if (B.isBottom())
        return B;
      if (const NumValue *Elem = tupleElement(B, Index))
        return *Elem;
      // Elements of a tensor, a list/tuple (whose element kinds are folded
      // into the container's; what is known of a tuple's positions does not
      // hold for one element) or a dict; strings index to strings.
      if (B.may(NumValue::KSeq) || B.may(NumValue::KOther))
        return B.withKinds(B.kinds());
      uint8_t K = B.kinds() & (NumValue::KNum | NumValue::KString);
      return K ? B.withKinds(K) : NumValue::bottom();
    }
    case ExprKind::Slice: {
      const auto &S = *cast<SliceExpr>(&E);
      for (const ExprPtr *X : {&S.Lower, &S.Upper, &S.Step})
        if (*X)
          eval(**X, Env);
      return NumValue::other();
    }
    case ExprKind::Ellipsis:
      return NumValue::other();
    case ExprKind::Tuple: {
      std::vector<NumValue> Elems;
      for (const ExprPtr &X : cast<SequenceExpr>(&E)->Elements)
        Elems.push_back(X ? eval(*X, Env) : NumValue::top());
      return NumValue::tuple(std::move(Elems));
    }
    case ExprKind::List: {
      NumValue Elems = NumValue::bottom();
      for (const ExprPtr &X : cast<SequenceExpr>(&E)->Elements)
        if (X)
          Elems = Elems.join(eval(*X, Env));
      return NumValue::sequence(Elems);
    }
    case ExprKind::Dict: {
      const auto &D = *cast<DictExpr>(&E);
      for (const ExprPtr &K : D.Keys)
        if (K)
          eval(*K, Env);
      NumValue Vals = NumValue::bottom();
      for (const ExprPtr &V : D.Values)
        if (V)
          Vals = Vals.join(eval(*V, Env));
      return NumValue::sequence(Vals);
    }
    case ExprKind::Attribute: {
      const auto &A = *cast<AttributeExpr>(&E);
      NumValue B = eval(*A.Base, Env);
      if (B.isBottom())
        return B;
      if (A.Name == "shape")
        return NumValue::sequence(NumValue::number(Interval::integers(0, Inf)));
      if (A.Name == "ndim")
        return NumValue::number(Interval::integers(0, Inf));
      if ((A.Name == "data" || A.Name == "T" || A.Name == "mT") && B.kinds() == NumValue::KNum)
        return B;
      return NumValue::top();
    }
    case ExprKind::IndexUpdate: {
      const auto &U = *cast<IndexUpdateExpr>(&E);
      NumValue B = eval(*U.Base, Env);
      for (const ExprPtr &I : U.Indices)
        if (I)
          eval(*I, Env);
      NumValue V = eval(*U.Value, Env);
      if (B.isBottom() || V.isBottom())
        return NumValue::bottom();
      return B.join(V.withKinds(V.kinds() & ~NumValue::KModule));
    }
    case ExprKind::AttrUpdate: {
      const auto &U = *cast<AttrUpdateExpr>(&E);
      NumValue B = eval(*U.Base, Env);
      NumValue V = eval(*U.Value, Env);
      if (B.isBottom() || V.isBottom())
        return NumValue::bottom();
      // `t.data = v` replaces a tensor's values; on a module it sets a field.
      if (B.may(NumValue::KNum) || B.may(NumValue::KOther))
        return B.join(V.withKinds(V.kinds() & ~NumValue::KModule));
      return B;
    }
    case ExprKind::Constraint:
      for (const ExprPtr &A : cast<ConstraintExpr>(&E)->Args)
        if (A)
          eval(*A, Env);
      return NumValue::other();
    }
    return NumValue::top();
  }

  NumValue evalUnary(const UnaryExpr &U, const NumEnv &Env) {
    NumValue O = eval(*U.Operand, Env);
    if (O.isBottom())
      return O;
    switch (U.Op) {
    case UnaryOp::Neg:
      return NumValue::number(-O.num());
    case UnaryOp::Pos:
      return NumValue::number(O.num());
    case UnaryOp::Not:
      return boolValue(definitelyTrue(O)    ? ival::Truth::False
                       : definitelyFalse(O) ? ival::Truth::True
                                            : ival::Truth::Unknown);
    case UnaryOp::Invert: {
      // ~b is logical not on bool tensors, -x - 1 on integers (and ~True == -2).
      Interval R = -O.num() - Interval::point(1);
      if (O.num().leq(Interval::integers(0, 1)))
        R = R.join(Interval::integers(0, 1));
      return NumValue::number(R);
    }
    }
    return NumValue::top();
  }

  static bool sameVariable(const Expr &A, const Expr &B) {
    const auto *VA = dyn_cast<VarRefExpr>(&A), *VB = dyn_cast<VarRefExpr>(&B);
    return VA && VB && VA->Var == VB->Var;
  }

  NumValue evalBinary(const BinaryExpr &B, const NumEnv &Env) {
    NumValue L = eval(*B.Lhs, Env);
    NumValue Rv = eval(*B.Rhs, Env);
    if (L.isBottom() || Rv.isBottom())
      return NumValue::bottom();
    if (L.may(NumValue::KOther) || Rv.may(NumValue::KOther))
      return NumValue::top(); // an object with its own operators
    const Interval &X = L.num(), &Y = Rv.num();
    NumValue Res = NumValue::bottom();
    bool BothNum = L.may(NumValue::KNum) && Rv.may(NumValue::KNum);
    if (BothNum) {
      Interval N = Interval::top();
      switch (B.Op) {
      case BinaryOp::Add:
        N = X + Y;
        break;
      case BinaryOp::Sub:
        N = X - Y;
        break;
      case BinaryOp::Mul:
        // x * x reads one value twice: a square, never negative.
        N = sameVariable(*B.Lhs, *B.Rhs) ? ival::pow(X, Interval::point(2)) : X * Y;
        break;
      case BinaryOp::Div:
        N = X / Y;
        break;
      case BinaryOp::FloorDiv:
        N = ival::floorDiv(X, Y);
        break;
      case BinaryOp::Mod:
        N = ival::mod(X, Y);
        break;
      case BinaryOp::Pow:
        N = ival::pow(X, Y);
        break;
      case BinaryOp::MatMul:
        N = ival::matmul(X, Y);
        break;
      case BinaryOp::BitAnd:
      case BinaryOp::BitOr:
        N = bitOp(B.Op, X, Y);
        break;
      }
      Res = NumValue::number(N).withDiagonal(diagonalLow(B.Op, L, Rv));
    }
    // Sequence and string operators: concatenation, repetition, formatting.
    constexpr uint8_t Containers = NumValue::KSeq | NumValue::KString;
    switch (B.Op) {
    case BinaryOp::Add:
      if ((L.kinds() & Containers) && (Rv.kinds() & Containers)) {
        NumValue Cat = L.join(Rv);
        Res = Res.join(Cat.withKinds(Cat.kinds() & ~NumValue::KNum));
      }
      break;
    case BinaryOp::Mul:
      if (L.kinds() & Containers)
        Res = Res.join(L.withKinds(L.kinds() & ~NumValue::KNum));
      if (Rv.kinds() & Containers)
        Res = Res.join(Rv.withKinds(Rv.kinds() & ~NumValue::KNum));
      break;
    case BinaryOp::Mod:
      if (L.may(NumValue::KString))
        Res = Res.join(NumValue::string());
      break;
    default:
      break;
    }
    return Res;
  }

  /// The diagonal bound (NumValue::diagonalLow) of `L op R`: a diagonal matrix
  /// times or divided by finite positive numbers (a scalar or a tensor that
  /// broadcasts: it scales the diagonal and keeps the zeros), or the sum of
  /// two diagonal matrices; 0 otherwise. Rounding is monotone, so the bound
  /// computed from the operands' bounds holds for the computed values; a
  /// bound below float32's least positive number is dropped, as float32
  /// arithmetic may round the diagonal to 0.
  static double diagonalLow(BinaryOp Op, const NumValue &L, const NumValue &R) {
    static constexpr double Tiny = std::numeric_limits<float>::denorm_min();
    // [lo, hi] of finite positive numbers; `(0, ...` counts from Tiny.
    auto Scale = [](const NumValue &V) -> std::optional<std::pair<double, double>> {
      const Interval &I = V.num();
      if (V.kinds() != NumValue::KNum || I.isBottom() || I.lo() < 0 ||
          (I.lo() == 0 && !I.loOpen()) || !(I.hi() < Inf || I.hiOpen()))
        return std::nullopt;
      return std::make_pair(std::max(I.lo(), Tiny), I.hi());
    };
    auto Kept = [](double Lo) { return Lo >= Tiny ? Lo : 0.0; };
    switch (Op) {
    case BinaryOp::Mul:
      if (auto S = Scale(R); S && L.diagonalLow() > 0)
        return Kept(L.diagonalLow() * S->first);
      if (auto S = Scale(L); S && R.diagonalLow() > 0)
        return Kept(R.diagonalLow() * S->first);
      return 0;
    case BinaryOp::Div:
      if (auto S = Scale(R); S && L.diagonalLow() > 0)
        return Kept(L.diagonalLow() / S->second);
      return 0;
    case BinaryOp::Add:
      return L.diagonalLow() > 0 && R.diagonalLow() > 0
                 ? std::max(L.diagonalLow(), R.diagonalLow())
                 : 0;
    default:
      return 0;
    }
  }

  static Interval bitOp(BinaryOp Op, const Interval &X, const Interval &Y) {
    Interval Bool = Interval::integers(0, 1);
    if (X.leq(Bool) && Y.leq(Bool))
      return Bool;
    if (X.isIntegral() && Y.isIntegral() && X.isNonNegative() && Y.isNonNegative()) {
      if (Op == BinaryOp::BitAnd)
        return Interval::integers(0, std::min(X.hi(), Y.hi()));
      return Interval::integers(0, Inf);
    }
    return Interval::top();
  }

  NumValue evalCompare(const CompareExpr &C, const NumEnv &Env) {
    NumValue L = eval(*C.Lhs, Env);
    NumValue Rv = eval(*C.Rhs, Env);
    if (L.isBottom() || Rv.isBottom())
      return NumValue::bottom();
    if (C.Op == CompareOp::Is || C.Op == CompareOp::IsNot) {
      ival::Truth T = ival::Truth::Unknown;
      const NumValue *V = isNoneConstant(*C.Rhs) ? &L : isNoneConstant(*C.Lhs) ? &Rv : nullptr;
      if (V) {
        if (!V->may(NumValue::KNone))
          T = ival::Truth::False;
        else if (V->kinds() == NumValue::KNone)
          T = ival::Truth::True;
      }
      if (C.Op == CompareOp::IsNot && T != ival::Truth::Unknown)
        T = T == ival::Truth::True ? ival::Truth::False : ival::Truth::True;
      return boolValue(T);
    }
    auto Op = numericCmp(C.Op);
    if (Op && L.kinds() == NumValue::KNum && Rv.kinds() == NumValue::KNum)
      return boolValue(ival::compare(*Op, L.num(), Rv.num()));
    return boolValue(ival::Truth::Unknown);
  }

  NumValue evalCall(const CallExpr &C, const NumEnv &Env) {
    auto Args = evalArgs(C.Args, Env);
    if (C.Op == OpId::DistSample && !C.Args.Args.empty() && C.Args.Args[0])
      if (const auto *D = dyn_cast<DistributionExpr>(C.Args.Args[0].get())) {
        for (const auto &A : Args)
          if (A && A->isBottom())
            return NumValue::bottom();
        return supportOf(*D, Env);
      }
    return transferCall(C, Args);
  }

  NumValue evalModuleCall(const ModuleCallExpr &M, const NumEnv &Env) {
    NumValue Callee = eval(*M.Callee, Env);
    std::vector<NumValue> Args;
    for (const ExprPtr &A : M.Args)
      Args.push_back(A ? eval(*A, Env) : NumValue::none());
    if (Callee.isBottom())
      return Callee;
    for (const NumValue &A : Args)
      if (A.isBottom())
        return A;
    auto C = Callee.moduleCtor();
    auto It = C ? Ctors.find(*C) : Ctors.end();
    if (It == Ctors.end())
      return NumValue::top(); // an object we do not know
    auto Member = [this](const Expr &X) -> const ModuleCtorExpr * {
      if (const auto *MC = dyn_cast<ModuleCtorExpr>(&X))
        return MC;
      auto MIt = MemberCtor.find(X.Id);
      if (MIt == MemberCtor.end() || MIt->second == 0 || MIt->second == UINT32_MAX)
        return nullptr;
      auto CIt = Ctors.find(MIt->second);
      return CIt == Ctors.end() ? nullptr : CIt->second;
    };
    return transferModule(*It->second, Args, Member);
  }

  //===-- Diagnostics ------------------------------------------------------===//

  void collectIssues() {
    walkExprs(P.Body, [this](const Expr &E) {
      if (!R.evaluated(E.Id))
        return;
      if (const auto *D = dyn_cast<DistributionExpr>(&E)) {
        const DistInfo &Info = D->info();
        for (size_t I = 0; I < D->Args.Args.size(); ++I) {
          const Expr *A = D->Args.Args[I].get();
          if (!A || Info.Params.empty())
            continue;
          const ParamSpec &Slot = Info.Params[BoundArgs::slotOf(I, Info.Params)];
          if (!R.provedInDomain(A->Id, Slot.Domain))
            R.Issues.push_back(
                {A->Id, A->Loc,
                 Slot.Name + " of " + Info.Name + " " + domainViolation(Slot.Domain)});
        }
      } else if (const auto *C = dyn_cast<CallExpr>(&E)) {
        if (C->info().Pre != Precondition::None && !R.provedPrecondition(*C))
          R.Issues.push_back(
              {C->Id, C->Loc, preconditionViolation(C->info().Pre, C->info().QualifiedName)});
      } else if (const auto *B = dyn_cast<BinaryExpr>(&E)) {
        if (!R.provedPrecondition(*B)) {
          std::string What =
              B->Op == BinaryOp::Pow
                  ? preconditionViolation(Precondition::Power, "**")
                  : std::string("divisor of ") + std::string(binaryOpName(B->Op)) + " may be 0";
          R.Issues.push_back({B->Id, B->Loc, What});
        }
      }
    });
    std::stable_sort(R.Issues.begin(), R.Issues.end(), [](const auto &A, const auto &B) {
      if (A.Loc < B.Loc)
        return true;
      if (B.Loc < A.Loc)
        return false;
      return A.Node < B.Node;
    });
  }

  static std::string domainViolation(const std::string &Domain) {
    if (Domain == "positive" || Domain == "probs")
      return "may be <= 0";
    if (Domain == "nonneg")
      return "may be < 0";
    if (Domain == "unit01")
      return "may lie outside [0, 1]";
    if (Domain == "count")
      return "may not be a non-negative integer";
    if (Domain == "bool")
      return "may not be 0 or 1";
    if (Domain == "dist")
      return "may not be a distribution";
    if (Domain == "posdef")
      return "may not be positive definite";
    if (Domain == "lowerchol")
      return "may not be a lower Cholesky factor";
    return "may lie outside its domain '" + Domain + "'";
  }

  static std::string preconditionViolation(Precondition Pre, const std::string &Op) {
    switch (Pre) {
    case Precondition::None:
      break;
    case Precondition::PositiveArg0:
    case Precondition::SqrtArg0:
      return "argument of " + Op + " may be <= 0";
    case Precondition::GreaterMinusOneArg0:
      return "argument of " + Op + " may be <= -1";
    case Precondition::Power:
      return "base of " + Op +
             " may be <= 0 with a non-integer exponent (or 0 with a negative one)";
    }
    return "precondition of " + Op + " may fail";
  }
};

//===----------------------------------------------------------------------===//
// Results
//===----------------------------------------------------------------------===//

NumValue NumericResult::abstractValueOf(NodeId E) const {
  return E < Values.size() ? Values[E] : NumValue::bottom();
}

Interval NumericResult::valueOf(NodeId E) const { return abstractValueOf(E).num(); }

bool NumericResult::evaluated(NodeId E) const { return E < Evaluated.size() && Evaluated[E]; }

bool NumericResult::numericFact(NodeId E, bool (*Pred)(const Interval &)) const {
  if (E >= Values.size())
    return false; // not a node of the analysed program
  if (!Evaluated[E])
    return true; // never evaluated: vacuously
  const NumValue &V = Values[E];
  return V.isNumeric() && Pred(V.num());
}

bool NumericResult::provedNonZero(NodeId E) const {
  return numericFact(E, [](const Interval &I) { return I.excludesZero(); });
}
bool NumericResult::provedPositive(NodeId E) const {
  return numericFact(E, [](const Interval &I) { return I.isPositive(); });
}
bool NumericResult::provedNonNegative(NodeId E) const {
  return numericFact(E, [](const Interval &I) { return I.isNonNegative(); });
}
bool NumericResult::provedGreaterThan(NodeId E, double C) const {
  if (E >= Values.size())
    return false;
  if (!Evaluated[E])
    return true;
  return Values[E].isNumeric() && Values[E].num().allGreaterThan(C);
}

bool NumericResult::provedInDomain(NodeId E, std::string_view Domain) const {
  if (Domain == "any" || Domain.empty())
    return true;
  if (E >= Values.size())
    return false;
  if (Domain == "real") // validation rejects NaN (constraints.real is x == x)
    return !evaluated(E) || !mayBeNonFinite(E);
  if (!Evaluated[E])
    return true;
  if (Domain == "dist")
    return Values[E].kinds() == NumValue::KDist;
  if (Domain == "positive" || Domain == "probs")
    return provedPositive(E);
  if (Domain == "nonneg")
    return provedNonNegative(E);
  if (Domain == "unit01")
    return numericFact(E, [](const Interval &I) { return I.allAtLeast(0) && I.allAtMost(1); });
  if (Domain == "count")
    return numericFact(
        E, [](const Interval &I) { return I.isBottom() || (I.isIntegral() && I.isNonNegative()); });
  if (Domain == "bool")
    return numericFact(E, [](const Interval &I) { return I.leq(Interval::integers(0, 1)); });
  if (Domain == "posdef" || Domain == "lowerchol")
    return Values[E].diagonalLow() > 0 && !mayBeNonFinite(E) &&
           (Values[E].num().hi() < Inf || Values[E].num().hiOpen());
  return false; // unknown domains are never proved
}

namespace {
/// The Power rule on the recorded values of base and exponent.
bool powerSafe(const NumericResult &R, NodeId Base, NodeId Exponent) {
  NumValue Y = R.abstractValueOf(Exponent);
  if (!R.evaluated(Exponent) || (Y.isNumeric() && Y.num().isBottom()))
    return true;
  if (Y.isNumeric() && Y.num().isIntegral()) {
    if (Y.num().isNonNegative())
      return true;
    return R.provedNonZero(Base);
  }
  return R.provedPositive(Base);
}
} // namespace

bool NumericResult::provedPrecondition(const CallExpr &C) const {
  if (C.Id >= Values.size())
    return false; // not a node of the analysed program
  if (!evaluated(C.Id))
    return true;
  const auto &As = C.Args.Args;
  const Expr *Arg0 = As.empty() ? nullptr : As[0].get();
  switch (C.info().Pre) {
  case Precondition::None:
    return true;
  case Precondition::PositiveArg0:
  case Precondition::SqrtArg0:
    return Arg0 && provedPositive(Arg0->Id);
  case Precondition::GreaterMinusOneArg0:
    return Arg0 && provedGreaterThan(Arg0->Id, -1);
  case Precondition::Power: {
    const Expr *Arg1 = As.size() > 1 ? As[1].get() : nullptr;
    return Arg0 && Arg1 && powerSafe(*this, Arg0->Id, Arg1->Id);
  }
  }
  return false;
}

bool NumericResult::provedPrecondition(const BinaryExpr &B) const {
  if (B.Id >= Values.size())
    return false;
  if (!evaluated(B.Id))
    return true;
  switch (B.Op) {
  case BinaryOp::Div:
  case BinaryOp::FloorDiv:
  case BinaryOp::Mod:
    return B.Rhs && provedNonZero(B.Rhs->Id);
  case BinaryOp::Pow:
    return B.Lhs && B.Rhs && powerSafe(*this, B.Lhs->Id, B.Rhs->Id);
  case BinaryOp::Add:
  case BinaryOp::Sub:
  case BinaryOp::Mul:
  case BinaryOp::MatMul:
  case BinaryOp::BitAnd:
  case BinaryOp::BitOr:
    return true;
  }
  return false;
}

bool NumericResult::reachable(NodeId S) const { return S < Reached.size() && Reached[S]; }

bool NumericResult::branchDead(const IfStmt &S, bool ThenBranch) const {
  if (S.Id >= Reached.size())
    return false; // not a statement of the analysed program: claim nothing
  if (!reachable(S.Id))
    return true;
  auto It = BranchLive.find(S.Id);
  if (It == BranchLive.end())
    return true;
  return !(ThenBranch ? It->second.first : It->second.second);
}

NumericResult analyzeNumeric(const Program &P, const FixpointOptions &Opts, const Program *Pair) {
  NumericResult R;
  NumericInterpreter I(P, Opts, R, Pair);
  I.run();
  return R;
}

} // namespace svic::analysis
