//===- SupportInterp.cpp - Forward abstract interpreter of one program -----===//
///
/// \file
/// Runs one program (model or guide) over the support/shape domain of
/// Support.h: expressions to abstract values (shapes from the ShapeRule column
/// of the table, intervals from its Range column), statements to states,
/// sample sites to name sets and site facts, plates to the broadcast stack,
/// loops unrolled or summarised (loopFixpoint + one symbolic pass).
//===----------------------------------------------------------------------===//

#include "svic/analysis/Fixpoint.h"
#include "svic/analysis/Support.h"
#include "svic/ir/Sites.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace svic::analysis::support {

namespace {

constexpr double Inf = SupportDesc::Inf;
constexpr int64_t UnknownSize = INT64_MIN;

bool sameLoc(const SourceLoc &A, const SourceLoc &B) { return !(A < B) && !(B < A); }

std::optional<int64_t> asInt(const Value &V) {
  if (!V.only(Value::KInt | Value::KBool))
    return std::nullopt;
  auto P = V.Num.pointValue();
  if (!P || std::floor(*P) != *P || std::fabs(*P) > 9e15)
    return std::nullopt;
  return static_cast<int64_t>(*P);
}

std::optional<bool> asBool(const Value &V) {
  if (!V.only(Value::KInt | Value::KBool))
    return std::nullopt;
  auto P = V.Num.pointValue();
  if (!P)
    return std::nullopt;
  return *P != 0;
}

Interval nonNegInts() { return Interval::integers(0, Inf); }

/// A known size, a symbolic dim (Shape::isSym) or a negative literal.
std::optional<int64_t> asDim(const Value &V) {
  if (auto I = asInt(V))
    return I;
  if (V.only(Value::KInt) && V.DimSym)
    return V.DimSym;
  return std::nullopt;
}

/// The integer value of a dim (known, symbolic or unknown).
Value dimValue(int64_t D) {
  if (D >= 0)
    return Value::integer(Interval::point(static_cast<double>(D)));
  Value V = Value::integer(nonNegInts());
  if (Shape::isSym(D))
    V.DimSym = D;
  return V;
}

Interval orTop(const Interval &I) { return I.isBottom() ? Interval::top() : I; }

/// Truthiness of a value (Python's bool()).
ival::Truth truthOf(const Value &V) {
  using ival::Truth;
  if (V.isBottom())
    return Truth::Unknown;
  if (V.definitelyNone())
    return Truth::False;
  if (V.isNumber()) {
    if (V.Num.isZero())
      return Truth::False;
    if (V.Num.excludesZero())
      return Truth::True;
    return Truth::Unknown;
  }
  if (V.only(Value::KStr) && V.Str)
    return V.Str->empty() ? Truth::False : Truth::True;
  if (V.only(Value::KSeq) && V.ElemsKnown)
    return V.Elems.empty() ? Truth::False : Truth::True;
  if (V.only(Value::KModule | Value::KDist))
    return Truth::True;
  return Truth::Unknown;
}

Value boolOf(ival::Truth T) {
  if (T == ival::Truth::True)
    return Value::boolean(true);
  if (T == ival::Truth::False)
    return Value::boolean(false);
  return Value::boolean(std::nullopt);
}

ival::Truth notTruth(ival::Truth T) {
  if (T == ival::Truth::True)
    return ival::Truth::False;
  if (T == ival::Truth::False)
    return ival::Truth::True;
  return T;
}

/// A numeric result: a number when both operands are numbers, else a tensor.
Value numericResult(const Value &A, const Value &B, Shape S, Interval Num, bool IntResult) {
  Num = orTop(Num);
  if (A.isNumber() && B.isNumber()) {
    if (IntResult)
      return Value::integer(Num);
    return Value::real(Num);
  }
  return Value::tensor(std::move(S), Num);
}

/// Python's repr of a float (shortest round-trip digits, ".0" when integral).
std::string pyFloat(double D) {
  if (std::isnan(D))
    return "nan";
  if (std::isinf(D))
    return D > 0 ? "inf" : "-inf";
  char Buf[64];
  for (int P = 1; P <= 17; ++P) {
    std::snprintf(Buf, sizeof Buf, "%.*g", P, D);
    if (std::strtod(Buf, nullptr) == D)
      break;
  }
  std::string S = Buf;
  if (S.find_first_of(".einn") == std::string::npos)
    S += ".0";
  return S;
}

/// str() of a constant value, when it is one.
std::optional<std::string> constText(const Value &V) {
  if (V.only(Value::KStr) && V.Str)
    return V.Str;
  if (V.definitelyNone())
    return std::string("None");
  auto P = V.Num.pointValue();
  if (!P)
    return std::nullopt;
  if (V.only(Value::KBool))
    return std::string(*P != 0 ? "True" : "False");
  if (V.only(Value::KInt) && std::fabs(*P) < 9e15)
    return std::to_string(static_cast<int64_t>(*P));
  if (V.only(Value::KFloat))
    return pyFloat(*P);
  return std::nullopt;
}

/// Python formatting of a constant index for a site name.
std::optional<IndexComp> indexComp(const Value &V) {
  if (V.Sym && V.only(Value::KInt))
    return IndexComp::sym(V.Sym->Loop, V.Sym->C);
  if (auto I = asInt(V)) {
    if (V.only(Value::KBool))
      return IndexComp::str(*I ? "True" : "False");
    return IndexComp::point(*I);
  }
  if (V.only(Value::KStr) && V.Str)
    return IndexComp::str(*V.Str);
  if (auto T = constText(V))
    return IndexComp::str(*T);
  return std::nullopt;
}

/// The range a non-exact index may take, as an inexact component.
IndexComp hullComp(const Value &V) {
  if (V.only(Value::KInt) && V.Num.lo() > -Inf && V.Num.hi() < Inf)
    return IndexComp::range(static_cast<int64_t>(std::ceil(V.Num.lo())),
                            static_cast<int64_t>(std::floor(V.Num.hi())) + 1);
  return IndexComp::any();
}

/// How a for loop iterates.
struct LoopIter {
  enum Kind { Range, Plate, Opaque } K = Opaque;
  Interval Start = Interval::top(), Stop = Interval::top();
  std::string PlateName;
  int64_t PlateSize = Shape::UnknownDim, PlateSub = Shape::UnknownDim;
  Interval IdxRange = Interval::top();
  int64_t MinTrip = 0, MaxTrip = INT64_MAX;
  bool ExactIters = false;
};

struct PlateEval {
  std::string Name;
  bool HasSize = false, HasSub = false;
  int64_t Size = Shape::UnknownDim, Sub = Shape::UnknownDim;
  Interval SizeI = Interval::top(), SubI = Interval::top();
  bool DimGiven = false, DimUnknown = false;
  int Dim = 0;
  /// The number of indices the plate yields (subsample or size), -1 unknown.
  int64_t effective() const { return HasSub ? Sub : (HasSize ? Size : Shape::UnknownDim); }
};

class Interp {
public:
  Interp(const ir::Program &P, const SupportOptions &O, std::vector<ShapeError> &E, const ir::Program *Pair)
      : P(P), Opts(O), Errors(E), MixedParams(ir::paramsWithMixedConstraints(P, Pair)) {}

  SupportState run() {
    SupportState S = execBlock(P.Body, SupportState::entry(P));
    if (!S.isBottom())
      S.Sites = std::move(Facts);
    return S;
  }

private:
  const ir::Program &P;
  const SupportOptions &Opts;
  std::vector<ShapeError> &Errors;
  bool Report = true;
  bool Raised = false;
  /// Product of the trip counts of the enclosing unrolled loops: nested
  /// unrolling stops at MaxUnrollWork body runs.
  uint64_t UnrollWork = 1;
  static constexpr uint64_t MaxUnrollWork = 64;
  std::vector<ActivePlate> Plates;
  LoopRanges Loops;
  std::map<std::string, SiteFacts> Facts;
  /// Params whose declarations disagree on the constraint.
  std::set<std::string> MixedParams;

  //===-- Errors ---------------------------------------------------------===//

  void error(const std::string &Msg, SourceLoc Loc, bool Dup = false) {
    Raised = true;
    if (!Report)
      return;
    for (const ShapeError &E : Errors)
      if (sameLoc(E.Loc, Loc) && E.Message == Msg)
        return;
    Errors.push_back(ShapeError{Msg, Loc, Dup, P.ProgramRole});
  }

  std::string lineOf(const SourceLoc &L) const {
    return L.valid() ? "line " + std::to_string(L.Line) : "?";
  }

  //===-- Statements -----------------------------------------------------===//

  SupportState execBlock(const ir::Block &B, SupportState S) {
    for (const ir::StmtPtr &St : B) {
      if (S.isBottom())
        break;
      S = execStmt(*St, std::move(S));
    }
    return S;
  }

  SupportState execStmt(const ir::Stmt &St, SupportState S) {
    Raised = false;
    switch (St.Kind) {
    case ir::StmtKind::Assign: {
      const auto &A = *ir::cast<ir::AssignStmt>(&St);
      Value V = eval(*A.Value, S);
      if (Raised)
        return SupportState::bottom();
      setVar(S, A.Target, std::move(V));
      return S;
    }
    case ir::StmtKind::ExprStmt: {
      eval(*ir::cast<ir::ExprStmt>(&St)->Value, S);
      return Raised ? SupportState::bottom() : S;
    }
    case ir::StmtKind::Sample:
      return execSample(*ir::cast<ir::SampleStmt>(&St), std::move(S));
    case ir::StmtKind::Param:
      return execParam(*ir::cast<ir::ParamStmt>(&St), std::move(S));
    case ir::StmtKind::Module: {
      const auto &M = *ir::cast<ir::ModuleStmt>(&St);
      if (M.Target)
        setVar(S, *M.Target, getVar(S, M.ModuleVar));
      return S;
    }
    case ir::StmtKind::Factor: {
      const auto &F = *ir::cast<ir::FactorStmt>(&St);
      eval(*F.LogProb, S);
      if (Raised || !registerSite(S, SiteKind::Observed, F.Name, F.Name.Canonical, F.Loc, true))
        return SupportState::bottom();
      return S;
    }
    case ir::StmtKind::If:
      return execIf(*ir::cast<ir::IfStmt>(&St), std::move(S));
    case ir::StmtKind::For:
      return execFor(*ir::cast<ir::ForStmt>(&St), std::move(S));
    case ir::StmtKind::While:
      return execWhile(*ir::cast<ir::WhileStmt>(&St), std::move(S));
    case ir::StmtKind::With:
      return execWith(*ir::cast<ir::WithStmt>(&St), std::move(S));
    case ir::StmtKind::Return: {
      const auto &R = *ir::cast<ir::ReturnStmt>(&St);
      if (R.Value)
        eval(*R.Value, S);
      return Raised ? SupportState::bottom() : S;
    }
    case ir::StmtKind::Assert: {
      const auto &A = *ir::cast<ir::AssertStmt>(&St);
      ival::Truth T = truthOf(eval(*A.Cond, S));
      if (Raised || T == ival::Truth::False)
        return SupportState::bottom();
      return assume(std::move(S), *A.Cond, true);
    }
    }
    return S;
  }

  Value getVar(const SupportState &S, ir::VarId V) const {
    if (V >= S.Env.size() || S.Env[V].isBottom())
      return Value::top();
    return S.Env[V];
  }

  void setVar(SupportState &S, ir::VarId V, Value X) { S.Env.set(V, std::move(X)); }

  SupportState execIf(const ir::IfStmt &I, SupportState S) {
    ival::Truth T = truthOf(eval(*I.Cond, S));
    if (Raised)
      return SupportState::bottom();
    SupportState Then = SupportState::bottom(), Else = SupportState::bottom();
    if (T != ival::Truth::False)
      Then = execBlock(I.Then, assume(S, *I.Cond, true));
    if (T != ival::Truth::True)
      Else = execBlock(I.Else, assume(std::move(S), *I.Cond, false));
    return Then.join(Else);
  }

  /// Refines \p S by the fact that \p Cond evaluated to \p Branch.
  SupportState assume(SupportState S, const ir::Expr &Cond, bool Branch) {
    if (S.isBottom())
      return S;
    if (const auto *U = ir::dyn_cast<ir::UnaryExpr>(&Cond); U && U->Op == ir::UnaryOp::Not)
      return assume(std::move(S), *U->Operand, !Branch);
    if (const auto *L = ir::dyn_cast<ir::LogicalExpr>(&Cond)) {
      if ((L->Op == ir::LogicalOp::And) == Branch) {
        S = assume(std::move(S), *L->Lhs, Branch);
        return assume(std::move(S), *L->Rhs, Branch);
      }
      return S;
    }
    if (const auto *V = ir::dyn_cast<ir::VarRefExpr>(&Cond)) {
      if (Branch && V->Var < S.Env.size() && S.Env[V->Var].may(Value::KNone)) {
        Value X = S.Env[V->Var];
        if (X.Kinds != Value::KNone) {
          X.Kinds &= ~Value::KNone;
          S.Env.set(V->Var, X);
        } else {
          return SupportState::bottom();
        }
      }
      return S;
    }
    const auto *C = ir::dyn_cast<ir::CompareExpr>(&Cond);
    if (!C)
      return S;
    const ir::Expr *VarSide = C->Lhs.get(), *Other = C->Rhs.get();
    bool Mirrored = false;
    if (!ir::isa<ir::VarRefExpr>(VarSide)) {
      std::swap(VarSide, Other);
      Mirrored = true;
    }
    const auto *VR = ir::dyn_cast<ir::VarRefExpr>(VarSide);
    if (!VR || VR->Var >= S.Env.size() || S.Env[VR->Var].isBottom())
      return S;
    Value X = S.Env[VR->Var];
    bool OldRaised = Raised;
    Value O = eval(*Other, S);
    Raised = OldRaised;
    S = refineVar(std::move(S), VR->Var, X, O, *C, Mirrored, Branch);
    return S;
  }

  SupportState refineVar(SupportState S, ir::VarId Var, Value X, const Value &O,
                         const ir::CompareExpr &Cmp, bool Mirrored, bool Branch) {
    const ir::CompareExpr *C = &Cmp;
    if (C->Op == ir::CompareOp::Is || C->Op == ir::CompareOp::IsNot) {
      if (!O.definitelyNone())
        return S;
      bool IsNone = (C->Op == ir::CompareOp::Is) == Branch;
      if (IsNone) {
        if (!X.may(Value::KNone))
          return SupportState::bottom();
        X = Value::none();
      } else {
        if (X.Kinds == Value::KNone)
          return SupportState::bottom();
        X.Kinds &= ~Value::KNone;
      }
      S.Env.set(Var, X);
      return S;
    }
    if (!X.isNumber() || !O.isNumber())
      return S;
    ival::Cmp Op;
    switch (C->Op) {
    case ir::CompareOp::Lt:
      Op = ival::Cmp::Lt;
      break;
    case ir::CompareOp::Le:
      Op = ival::Cmp::Le;
      break;
    case ir::CompareOp::Gt:
      Op = ival::Cmp::Gt;
      break;
    case ir::CompareOp::Ge:
      Op = ival::Cmp::Ge;
      break;
    case ir::CompareOp::Eq:
      Op = ival::Cmp::Eq;
      break;
    case ir::CompareOp::Ne:
      Op = ival::Cmp::Ne;
      break;
    default:
      return S;
    }
    if (Mirrored)
      Op = ival::mirror(Op);
    if (!Branch)
      Op = ival::negate(Op);
    Interval R = ival::refineLeft(Op, X.Num, O.Num);
    if (R.isBottom())
      return SupportState::bottom();
    if (!(R == X.Num)) {
      X.Num = R;
      S.Env.set(Var, X);
    }
    return S;
  }

  //===-- Params and samples --------------------------------------------===//

  Interval constraintRange(const ir::ConstraintExpr *C, const SupportState &S) {
    if (!C)
      return Interval::top();
    auto Arg = [&](size_t I) -> Interval {
      if (I >= C->Args.size() || !C->Args[I])
        return Interval::top();
      Value V = eval(*C->Args[I], S);
      return V.isNumber() ? V.Num : Interval::top();
    };
    switch (C->Constraint) {
    case ir::ConstraintId::Positive:
    case ir::ConstraintId::SoftplusPositive:
      return Interval::positive();
    case ir::ConstraintId::Nonnegative:
      return Interval::nonNegative();
    case ir::ConstraintId::UnitInterval:
    case ir::ConstraintId::Simplex:
      return Interval::closedUnit();
    case ir::ConstraintId::Boolean:
      return Interval::integers(0, 1);
    case ir::ConstraintId::NonnegativeInteger:
      return nonNegInts();
    case ir::ConstraintId::PositiveInteger:
      return Interval::integers(1, Inf);
    case ir::ConstraintId::GreaterThan: {
      Interval A = Arg(0);
      return A.lo() > -Inf ? Interval::greaterThan(A.lo()) : Interval::top();
    }
    case ir::ConstraintId::GreaterThanEq: {
      Interval A = Arg(0);
      return A.lo() > -Inf ? Interval::atLeast(A.lo()) : Interval::top();
    }
    case ir::ConstraintId::LessThan: {
      Interval A = Arg(0);
      return A.hi() < Inf ? Interval::lessThan(A.hi()) : Interval::top();
    }
    case ir::ConstraintId::Interval:
    case ir::ConstraintId::HalfOpenInterval: {
      Interval A = Arg(0), B = Arg(1);
      return A.lo() > -Inf && B.hi() < Inf && A.lo() <= B.hi() ? Interval::closed(A.lo(), B.hi())
                                                               : Interval::top();
    }
    case ir::ConstraintId::IntegerInterval: {
      Interval A = Arg(0), B = Arg(1);
      return Interval::integers(A.lo(), B.hi());
    }
    default:
      return Interval::top();
    }
  }

  SupportState execParam(const ir::ParamStmt &Pm, SupportState S) {
    Value Init = Pm.Init ? eval(*Pm.Init, S) : Value::top();
    Interval C = constraintRange(Pm.Constraint.get(), S);
    if (Raised || !registerSite(S, SiteKind::Param, Pm.Name, Pm.Name.Canonical, Pm.Loc, true))
      return SupportState::bottom();
    if (Pm.Target) {
      // The optimiser moves the value anywhere in the constraint's support
      // (anywhere at all unconstrained: the initial value is no fact), and
      // the store keeps the first declaration's constraint.
      Shape Sh = Init.isNumeric() ? Init.shape() : Shape::unknown();
      Interval Num = MixedParams.count(Pm.Name.Canonical) ? Interval::top() : C;
      setVar(S, *Pm.Target, Value::tensor(Sh, Num));
    }
    return S;
  }

  SupportState execSample(const ir::SampleStmt &St, SupportState S) {
    std::shared_ptr<const DistVal> D;
    if (St.Dist) {
      D = evalDist(*St.Dist, S);
    } else {
      auto U = std::make_shared<DistVal>();
      U->SupportUnknown = U->ShapeUnknown = true;
      D = U;
    }
    if (Raised)
      return SupportState::bottom();
    std::optional<Value> Obs;
    if (St.Obs) {
      Obs = eval(*St.Obs, S);
      if (Raised)
        return SupportState::bottom();
    }
    // Latent when there is no obs or it is None.
    bool MayLatent = !Obs || Obs->may(Value::KNone) || Obs->isBottom();
    bool MustLatent = !Obs || Obs->definitelyNone();
    bool MayObserved = Obs && !Obs->definitelyNone();
    // A run-time name that evaluates to a constant string is that literal.
    std::string Key = St.Name.Canonical;
    bool Dynamic = St.Name.NameForm == ir::SiteName::Form::Dynamic;
    if (Dynamic && St.Name.DynamicExpr) {
      Value NV = eval(*St.Name.DynamicExpr, S);
      if (Raised)
        return SupportState::bottom();
      if (NV.only(Value::KStr) && NV.Str) {
        Key = *NV.Str;
        Dynamic = false;
      }
    }

    DistShape Sh = D->Sh;
    bool ShapeUnknown = D->ShapeUnknown;
    if (!ShapeUnknown) {
      std::string E = broadcastUnderPlates(Sh, Plates, Key);
      if (!E.empty()) {
        error(E, St.Loc);
        return SupportState::bottom();
      }
    } else {
      Sh.Batch = Shape::unknown();
      Sh.Event = Shape::unknown();
    }

    Value Result = Value::bottom();
    if (MayLatent) {
      // An opaque distribution may sample any value, not only a tensor.
      Result = St.Dist && St.Dist->Dist == ir::DistId::Opaque ? Value::top()
                                                              : Value::tensor(Sh.value(), D->Range);
      if (std::all_of(D->Supports.begin(), D->Supports.end(),
                      [](const SupportDesc &X) { return X.measure() == BaseMeasure::Counting; }) &&
          !D->Supports.empty())
        Result.Num = Result.Num.integral().isBottom() ? Result.Num : Result.Num.integral();
      if (!registerName(S, St, Key, Dynamic, MustLatent))
        return SupportState::bottom();
      SiteFacts F;
      F.Supports = D->Supports;
      F.SupportUnknown = D->SupportUnknown;
      F.Seen = true;
      F.Value = Sh.value();
      F.Event = Sh.Event;
      F.Loc = St.Loc;
      using E = ir::SampleStmt::Enumeration;
      F.Enum = St.Enumerate == E::None      ? SiteFacts::Enumerated::No
               : St.Enumerate == E::Unknown ? SiteFacts::Enumerated::Unknown
                                            : SiteFacts::Enumerated::Yes;
      // Facts are joined over every sample of the key that is reached, in a
      // table beside the states (not copied at every branch and loop
      // iteration). Samples reached only in loop iterates below the final
      // invariant contribute facts below the final ones, and samples on
      // paths that later fail only add alternatives: an over-approximation.
      auto It = Facts.find(Key);
      if (It == Facts.end())
        Facts.emplace(Key, F);
      else
        It->second = It->second.join(F);
    }
    if (MayObserved && !registerSite(S, SiteKind::Observed, St.Name, Key, St.Loc, !MayLatent))
      return SupportState::bottom();
    if (MayObserved) {
      Value O = *Obs;
      O.Kinds &= ~Value::KNone;
      if (O.isBottom())
        O = Value::top();
      Result = Result.join(O);
    }
    if (St.Target)
      setVar(S, *St.Target, Result);
    return S;
  }

  /// Adds this sample's name to the name sets; false after a definite
  /// duplicate.
  bool registerName(SupportState &S, const ir::SampleStmt &St, const std::string &Key, bool Dynamic,
                    bool Definite) {
    if (Dynamic) {
      S.DynKeys.insert(Key);
      S.DynMust = S.DynMust || Definite;
      NameSet &N = S.Names[Key];
      IndexBox B;
      B.C.push_back(IndexComp::any());
      B.Loc = St.Loc;
      N.May.push_back(B);
      condense(N.May);
      N.PossibleDup = true;
      return true;
    }
    return registerSite(S, SiteKind::Latent, St.Name, Key, St.Loc, Definite);
  }

  /// The names a site name spells here (its template indices' values), and
  /// whether they are known exactly; nullopt when evaluating them raised.
  std::optional<std::pair<IndexBox, bool>> boxOf(const SupportState &S, const ir::SiteName &N,
                                                 SourceLoc Loc) {
    IndexBox B;
    B.Loc = Loc;
    bool Exact = true;
    if (N.NameForm == ir::SiteName::Form::Template) {
      for (const ir::ExprPtr &E : N.Indices) {
        Value V = E ? eval(*E, S) : Value::top();
        if (auto C = indexComp(V)) {
          B.C.push_back(*C);
        } else {
          B.C.push_back(hullComp(V));
          Exact = false;
        }
      }
      if (Raised)
        return std::nullopt;
    }
    return std::make_pair(B, Exact);
  }

  static const char *kindName(SiteKind K) {
    switch (K) {
    case SiteKind::Latent:
      return "a sample site";
    case SiteKind::Observed:
      return "an observed sample or factor";
    case SiteKind::Param:
      return "a param";
    case SiteKind::Plate:
      return "a plate";
    }
    return "a site";
  }

  /// Registers a trace site of kind \p K named by \p N (canonical key \p Key);
  /// false after a definite clash. Pyro's trace raises when a name is
  /// recorded twice, except for a param recorded again as a param (and a
  /// plate object entered again, which the IR does not tell apart from a new
  /// plate of the same name: plates never clash with plates here).
  bool registerSite(SupportState &S, SiteKind K, const ir::SiteName &N, const std::string &Key,
                    SourceLoc Loc, bool Definite) {
    if (N.NameForm == ir::SiteName::Form::Dynamic && K != SiteKind::Latent)
      return true; // a run-time name: not checked
    auto Box = boxOf(S, N, Loc);
    if (!Box)
      return false;
    auto [B, Exact] = *Box;
    if (K == SiteKind::Latent || K == SiteKind::Observed) {
      if (!addBox(S, siteKey(K, Key), B, Definite && Exact, Exact))
        return false;
    } else {
      NameSet &Own = S.Names[siteKey(K, Key)];
      Own.May.push_back(B);
      condense(Own.May);
      if (Definite && Exact) {
        Own.Must.push_back(B);
        condense(Own.Must);
      }
    }
    for (SiteKind O : {SiteKind::Latent, SiteKind::Observed, SiteKind::Param, SiteKind::Plate}) {
      if (O == K)
        continue; // addBox's business, or allowed
      auto It = S.Names.find(siteKey(O, Key));
      if (It == S.Names.end())
        continue;
      for (const IndexBox &M : It->second.Must)
        if (Definite && Exact && overlapBox(B, M, Loops) == Overlap::Definite) {
          error("duplicate site name '" + Key + "'" +
                    (B.C.empty() ? std::string() : " at index " + B.str()) + ": " + kindName(K) +
                    " and " + kindName(O) + " (at " + lineOf(M.Loc) + ") share it",
                Loc, true);
          return false;
        }
      bool Maybe = false;
      for (const IndexBox &M : It->second.May)
        Maybe = Maybe || overlapBox(B, M, Loops) != Overlap::Never;
      if (Maybe && (K == SiteKind::Latent || O == SiteKind::Latent))
        S.Names[Key].PossibleDup = true;
    }
    return true;
  }

  bool addBox(SupportState &S, const std::string &Key, const IndexBox &B, bool Definite,
              bool Exact) {
    NameSet &N = S.Names[Key];
    for (const IndexBox &M : N.Must) {
      Overlap O = overlapBox(B, M, Loops);
      if (O == Overlap::Definite && Definite) {
        std::string Name = displayKey(Key);
        if (!B.C.empty())
          Name += " at index " + B.str();
        error(
            "duplicate sample site '" + Name + "': " +
                (sameLoc(M.Loc, B.Loc)
                     ? std::string("sampled again by the same statement in a later loop iteration")
                     : "already sampled at " + lineOf(M.Loc)),
            B.Loc, true);
        return false;
      }
    }
    for (const IndexBox &M : N.May)
      if (overlapBox(B, M, Loops) != Overlap::Never)
        N.PossibleDup = true;
    if (!Exact && B.C.empty())
      N.PossibleDup = true;
    N.May.push_back(B);
    condense(N.May);
    if (Definite) {
      N.Must.push_back(B);
      condense(N.Must);
    }
    return true;
  }

  /// The site name behind a name-set key.
  static std::string displayKey(const std::string &Key) {
    return isAuxiliaryKey(Key) ? Key.substr(Key.find(':') + 1) : Key;
  }

  //===-- Plates ---------------------------------------------------------===//

  PlateEval evalPlate(const ir::PlateInfo &PI, const SupportState &S) {
    PlateEval R;
    R.Name = PI.Name.Canonical;
    if (PI.Size) {
      Value V = eval(*PI.Size, S);
      if (!V.definitelyNone()) {
        R.HasSize = true;
        if (auto I = asDim(V); I && Shape::isExact(*I))
          R.Size = *I;
        if (V.isNumber())
          R.SizeI = V.Num;
      }
    }
    if (PI.SubsampleSize) {
      Value V = eval(*PI.SubsampleSize, S);
      if (!V.definitelyNone()) {
        R.HasSub = true;
        if (auto I = asDim(V); I && Shape::isExact(*I))
          R.Sub = *I;
        if (V.isNumber())
          R.SubI = V.Num;
      }
    }
    if (PI.Dim) {
      Value V = eval(*PI.Dim, S);
      if (!V.definitelyNone()) {
        R.DimGiven = true;
        if (auto I = asInt(V); I && *I < 0 && *I > -64)
          R.Dim = static_cast<int>(*I);
        else
          R.DimUnknown = true;
      }
    }
    return R;
  }

  /// A plate with a size records a site of its name when it is built.
  bool registerPlateSite(SupportState &S, const ir::PlateInfo &PI, const PlateEval &PE,
                         SourceLoc Loc) {
    if (!PE.HasSize)
      return true;
    return registerSite(S, SiteKind::Plate, PI.Name, PE.Name, PI.Loc.valid() ? PI.Loc : Loc, true);
  }

  void registerPlate(SupportState &S, const PlateEval &PE, SourceLoc Loc) {
    PlateFacts F;
    F.Must = true;
    F.HasSize = PE.HasSize || PE.HasSub;
    F.Size = PE.HasSize ? PE.SizeI : Interval::top();
    F.Sub = PE.HasSub ? PE.SubI : F.Size;
    F.SizeDim = PE.HasSize ? PE.Size : Shape::UnknownDim;
    F.SubDim = PE.HasSub ? PE.Sub : F.SizeDim;
    F.Loc = Loc;
    auto It = S.Plates.find(PE.Name);
    if (It == S.Plates.end()) {
      S.Plates.emplace(PE.Name, F);
    } else {
      PlateFacts J = It->second.join(F);
      J.Must = true;
      It->second = J;
    }
  }

  SupportState execWith(const ir::WithStmt &W, SupportState S) {
    switch (W.Ctx) {
    case ir::WithStmt::Context::Scale:
    case ir::WithStmt::Context::Mask:
      if (W.Arg) {
        eval(*W.Arg, S);
        if (Raised)
          return SupportState::bottom();
      }
      return execBlock(W.Body, std::move(S));
    case ir::WithStmt::Context::NoGrad:
      return execBlock(W.Body, std::move(S));
    case ir::WithStmt::Context::Plate:
      break;
    }
    PlateEval PE = evalPlate(W.Plate, S);
    if (Raised || !registerPlateSite(S, W.Plate, PE, W.Loc))
      return SupportState::bottom();
    registerPlate(S, PE, W.Plate.Loc.valid() ? W.Plate.Loc : W.Loc);
    int Dim;
    if (PE.DimUnknown) {
      Dim = 0;
    } else if (PE.DimGiven) {
      Dim = PE.Dim;
      for (const ActivePlate &AP : Plates)
        if (AP.Dim == Dim) {
          error("plate('" + PE.Name + "') asks for dim " + std::to_string(Dim) +
                    ", which the enclosing plate('" + AP.Name + "') already uses",
                W.Loc);
          return SupportState::bottom();
        }
    } else {
      Dim = allocatePlateDim(Plates);
    }
    ActivePlate AP;
    AP.Name = PE.Name;
    AP.HasSize = PE.HasSize || PE.HasSub;
    AP.Size = Shape::isExact(PE.effective()) ? PE.effective() : Shape::UnknownDim;
    AP.Dim = Dim;
    AP.Loc = W.Loc;
    if (W.IndexVar) {
      if (AP.HasSize) {
        Interval Idx =
            PE.Size >= 0 ? Interval::integers(0, static_cast<double>(PE.Size - 1)) : nonNegInts();
        setVar(S, *W.IndexVar, Value::tensor(Shape::of({AP.Size}), Idx));
      } else {
        setVar(S, *W.IndexVar, Value::tensor(Shape::unknown(), nonNegInts()));
      }
    }
    Plates.push_back(AP);
    S = execBlock(W.Body, std::move(S));
    Plates.pop_back();
    return S;
  }

  //===-- Loops ----------------------------------------------------------===//

  SupportState execFor(const ir::ForStmt &F, SupportState S) {
    LoopIter LI;
    if (F.Over == ir::ForStmt::Iter::Range) {
      Value Start = F.Start ? eval(*F.Start, S) : Value::integer(Interval::point(0));
      Value Stop = F.Stop ? eval(*F.Stop, S) : Value::top();
      Value Step = F.Step ? eval(*F.Step, S) : Value::integer(Interval::point(1));
      if (Raised)
        return SupportState::bottom();
      auto A = asInt(Start), B = asInt(Stop), C = asInt(Step);
      if (C && *C == 0)
        return SupportState::bottom(); // ValueError: range() arg 3 must not be zero
      if (A && B && C) {
        std::vector<int64_t> Vals;
        int64_t N = *C > 0 ? std::max<int64_t>(0, (*B - *A + *C - 1) / *C)
                           : std::max<int64_t>(0, (*A - *B - *C - 1) / -*C);
        if (N <= static_cast<int64_t>(Opts.UnrollLimit) &&
            UnrollWork * static_cast<uint64_t>(N) <= MaxUnrollWork) {
          for (int64_t I = 0; I < N; ++I)
            Vals.push_back(*A + I * *C);
          return unroll(F, std::move(S), Vals);
        }
        if (*C != 1) {
          LI.K = LoopIter::Opaque;
          int64_t Last = *A + (N - 1) * *C;
          LI.IdxRange = Interval::integers(static_cast<double>(std::min(*A, Last)),
                                           static_cast<double>(std::max(*A, Last)));
          LI.MinTrip = LI.MaxTrip = N;
          return summarise(F, std::move(S), LI);
        }
      }
      Interval StartI = Start.isNumber() ? Start.Num : Interval::top();
      Interval StopI = Stop.isNumber() ? Stop.Num : Interval::top();
      if (!C || *C != 1) {
        LI.K = LoopIter::Opaque;
        LI.IdxRange = Interval::integers(-Inf, Inf);
        LI.MinTrip = 0;
        LI.MaxTrip = INT64_MAX;
        return summarise(F, std::move(S), LI);
      }
      LI.K = LoopIter::Range;
      LI.Start = StartI;
      LI.Stop = StopI;
      double Lo = StartI.lo(), Hi = StopI.hi() - 1;
      LI.IdxRange = Lo <= Hi ? Interval::integers(Lo, Hi) : Interval::integers(Lo, Lo);
      double MinT = StopI.lo() - StartI.hi(), MaxT = StopI.hi() - StartI.lo();
      auto Clamp = [](double X) { return static_cast<int64_t>(std::min(X, 1e15)); };
      LI.MinTrip = MinT > 0 && std::isfinite(MinT) ? Clamp(MinT) : 0;
      LI.MaxTrip = std::isfinite(MaxT) ? std::max<int64_t>(0, Clamp(MaxT)) : INT64_MAX;
      LI.ExactIters = A && B;
      return summarise(F, std::move(S), LI);
    }
    // A sequential plate.
    PlateEval PE = evalPlate(F.Plate, S);
    if (Raised || !registerPlateSite(S, F.Plate, PE, F.Loc))
      return SupportState::bottom();
    registerPlate(S, PE, F.Plate.Loc.valid() ? F.Plate.Loc : F.Loc);
    bool Subsampled =
        PE.HasSub && !(PE.HasSize && PE.Size >= 0 && PE.Sub >= 0 && PE.Sub >= PE.Size);
    if (!Subsampled && PE.HasSize && PE.Size >= 0) {
      if (PE.Size <= static_cast<int64_t>(Opts.UnrollLimit) &&
          UnrollWork * static_cast<uint64_t>(PE.Size) <= MaxUnrollWork) {
        std::vector<int64_t> Vals;
        for (int64_t I = 0; I < PE.Size; ++I)
          Vals.push_back(I);
        return unroll(F, std::move(S), Vals);
      }
      LI.K = LoopIter::Range;
      LI.Start = Interval::point(0);
      LI.Stop = Interval::point(static_cast<double>(PE.Size));
      LI.IdxRange = Interval::integers(0, static_cast<double>(PE.Size - 1));
      LI.MinTrip = LI.MaxTrip = PE.Size;
      LI.ExactIters = true;
      return summarise(F, std::move(S), LI);
    }
    if (Subsampled) {
      LI.K = LoopIter::Plate;
      LI.PlateName = PE.Name;
      LI.PlateSize = PE.HasSize ? PE.Size : Shape::UnknownDim;
      LI.PlateSub = PE.Sub;
      LI.IdxRange =
          PE.Size >= 0 ? Interval::integers(0, static_cast<double>(PE.Size - 1)) : nonNegInts();
      LI.MinTrip = PE.Sub >= 0 ? PE.Sub : 0;
      LI.MaxTrip = PE.Sub >= 0 ? PE.Sub : INT64_MAX;
      LI.ExactIters = true;
      return summarise(F, std::move(S), LI);
    }
    // Size unknown.
    LI.K = LoopIter::Range;
    LI.Start = Interval::point(0);
    LI.Stop = PE.SizeI.isBottom() ? Interval::top() : PE.SizeI;
    LI.IdxRange = nonNegInts();
    LI.MinTrip = PE.SizeI.lo() > 0 && std::isfinite(PE.SizeI.lo())
                     ? static_cast<int64_t>(std::min(PE.SizeI.lo(), 1e15))
                     : 0;
    LI.MaxTrip = std::isfinite(PE.SizeI.hi())
                     ? static_cast<int64_t>(std::min(std::max(PE.SizeI.hi(), 0.0), 1e15))
                     : INT64_MAX;
    return summarise(F, std::move(S), LI);
  }

  SupportState unroll(const ir::ForStmt &F, SupportState S, const std::vector<int64_t> &Vals) {
    uint64_t Saved = UnrollWork;
    UnrollWork *= std::max<uint64_t>(1, Vals.size());
    for (int64_t V : Vals) {
      if (S.isBottom())
        break;
      setVar(S, F.Index, Value::integer(Interval::point(static_cast<double>(V))));
      S = execBlock(F.Body, std::move(S));
    }
    UnrollWork = Saved;
    return S;
  }

  static void stripSym(SupportState &S, uint32_t L) {
    for (size_t I = 0; I < S.Env.size(); ++I)
      if (hasSym(S.Env[I], L)) {
        Value V = S.Env[I];
        stripSymValue(V, L);
        S.Env.set(I, std::move(V));
      }
  }
  static bool hasSym(const Value &V, uint32_t L) {
    if (V.Sym && V.Sym->Loop == L)
      return true;
    return std::any_of(V.Elems.begin(), V.Elems.end(),
                       [&](const Value &E) { return hasSym(E, L); });
  }
  static void stripSymValue(Value &V, uint32_t L) {
    if (V.Sym && V.Sym->Loop == L)
      V.Sym.reset();
    for (Value &E : V.Elems)
      stripSymValue(E, L);
  }

  SupportState summarise(const ir::ForStmt &F, SupportState S, const LoopIter &LI) {
    if (LI.MaxTrip == 0)
      return S;
    uint32_t L = F.Id ? F.Id : 0xFFFFFFFFu;
    bool Symbolic = LI.K != LoopIter::Opaque;
    auto Bind = [&](SupportState &X) {
      if (X.isBottom())
        return;
      Value I = Value::integer(LI.IdxRange);
      if (Symbolic)
        I.Sym = Bound{0, L};
      setVar(X, F.Index, I);
    };
    NameMap Saved = std::move(S.Names);
    S.Names.clear();
    SupportState Entry = S;
    if (Symbolic)
      Loops.insert_or_assign(L, LI.IdxRange);
    bool OldReport = Report;
    Report = false;
    auto Body = [&](const SupportState &X) {
      if (X.isBottom())
        return X;
      SupportState Y = X;
      Bind(Y);
      Y = execBlock(F.Body, std::move(Y));
      if (!Y.isBottom()) {
        Y.Names.clear();
        stripSym(Y, L);
      }
      return Y;
    };
    SupportState Head = loopFixpoint(Entry, Body);
    Report = OldReport;
    SupportState Last = Head;
    Bind(Last);
    Last = execBlock(F.Body, std::move(Last));
    NameMap Foot;
    if (!Last.isBottom()) {
      Foot = std::move(Last.Names);
      Last.Names.clear();
      stripSym(Last, L);
      setVar(Last, F.Index, Value::integer(LI.IdxRange));
    }
    SupportState Exit = LI.MinTrip >= 1 ? Last : Entry.join(Last);
    Loops.erase(L);
    if (Exit.isBottom())
      return Exit;
    Exit.Names = std::move(Saved);
    if (!mergeFootprint(Exit, Foot, L, LI, F.Loc))
      return SupportState::bottom();
    return Exit;
  }

  struct Quantified {
    std::optional<IndexBox> May, Must;
    bool CrossDefinite = false, CrossPossible = false;
  };

  /// The names of all iterations from the names \p B of one iteration.
  Quantified quantify(const IndexBox &B, uint32_t L, const LoopIter &LI, bool IsMust) {
    Quantified Q;
    std::vector<size_t> At;
    for (size_t I = 0; I < B.C.size(); ++I)
      if (B.C[I].mentions(L))
        At.push_back(I);
    if (At.empty()) {
      Q.May = B;
      if (IsMust && LI.MinTrip >= 1)
        Q.Must = B;
      Q.CrossDefinite = IsMust && LI.MinTrip >= 2;
      Q.CrossPossible = LI.MaxTrip >= 2;
      return Q;
    }
    auto Hull = [&](const IndexComp &C) {
      auto BR = [&](const Bound &X) {
        Interval V = Interval::point(static_cast<double>(X.C));
        if (X.Loop == L)
          V = V + LI.IdxRange;
        else if (X.Loop) {
          auto It = Loops.find(X.Loop);
          V = It == Loops.end() ? Interval::top() : V + It->second;
        }
        return V;
      };
      Interval Lo = BR(C.Lo), Hi = BR(C.Hi);
      if (!std::isfinite(Lo.lo()) || !std::isfinite(Hi.hi()) || Lo.isBottom() || Hi.isBottom())
        return IndexComp::any();
      // Other loops' counters are dropped by the hull (their range is used).
      return IndexComp::range(static_cast<int64_t>(Lo.lo()), static_cast<int64_t>(Hi.hi()));
    };
    bool Injective = false;
    for (size_t I : At)
      if (B.C[I].Lo.Loop == L && B.C[I].Hi.Loop == L && B.C[I].Hi.C - B.C[I].Lo.C == 1)
        Injective = true;
    if (At.size() == 1 && B.C[At[0]].Lo.Loop == L && B.C[At[0]].Hi.Loop == L) {
      const IndexComp &C = B.C[At[0]];
      int64_t A = C.Lo.C, W = C.Hi.C - C.Lo.C;
      if (W <= 0)
        return Q; // empty
      IndexBox M = B;
      if (LI.K == LoopIter::Plate) {
        if (W == 1) {
          M.C[At[0]] = IndexComp::plate(LI.PlateName, A, LI.PlateSize, LI.PlateSub);
          Q.May = M;
          if (IsMust && LI.MinTrip >= 1)
            Q.Must = M;
          return Q;
        }
        M.C[At[0]] = Hull(C);
        Q.May = M;
        Q.CrossPossible = LI.MaxTrip >= 2;
        return Q;
      }
      // A range loop: {i + A .. i + A + W - 1 | Start <= i < Stop}.
      double SLo = LI.Start.lo(), SHi = LI.Start.hi(), ELo = LI.Stop.lo(), EHi = LI.Stop.hi();
      if (std::isfinite(SLo) && std::isfinite(EHi))
        M.C[At[0]] =
            IndexComp::range(static_cast<int64_t>(SLo) + A, static_cast<int64_t>(EHi) - 1 + A + W);
      else
        M.C[At[0]] = IndexComp::any();
      Q.May = M;
      if (IsMust && std::isfinite(SHi) && std::isfinite(ELo) && ELo - SHi >= 1) {
        IndexBox U = B;
        U.C[At[0]] =
            IndexComp::range(static_cast<int64_t>(SHi) + A, static_cast<int64_t>(ELo) - 1 + A + W);
        Q.Must = U;
      }
      Q.CrossDefinite = IsMust && W >= 2 && LI.MinTrip >= 2;
      Q.CrossPossible = W >= 2 && LI.MaxTrip >= 2;
      return Q;
    }
    IndexBox M = B;
    for (size_t I : At)
      M.C[I] = Hull(B.C[I]);
    Q.May = M;
    Q.CrossPossible = !Injective && LI.MaxTrip >= 2;
    return Q;
  }

  bool mergeFootprint(SupportState &Exit, const NameMap &Foot, uint32_t L,
                      const LoopIter &LI, SourceLoc LoopLoc) {
    for (const auto &[Key, N] : Foot) {
      if (Key.rfind(siteKey(SiteKind::Param, ""), 0) == 0 ||
          Key.rfind(siteKey(SiteKind::Plate, ""), 0) == 0) {
        // Recorded again in every iteration, which Pyro allows (params) or
        // which we cannot tell from re-entering one plate object.
        NameSet &T = Exit.Names[Key];
        for (const IndexBox &B : N.May)
          if (auto Q = quantify(B, L, LI, false).May)
            T.May.push_back(*Q);
        condense(T.May);
        continue;
      }
      BoxSet QMust, QMay;
      bool PossibleDup = N.PossibleDup;
      for (const IndexBox &B : N.Must) {
        Quantified Q = quantify(B, L, LI, true);
        if (Q.CrossDefinite) {
          error("duplicate sample site '" + displayKey(Key) +
                    "': sampled again in a later iteration of the loop at " + lineOf(LoopLoc),
                B.Loc, true);
          return false;
        }
        if (Q.Must)
          QMust.push_back(*Q.Must);
      }
      for (const IndexBox &B : N.May) {
        Quantified Q = quantify(B, L, LI, false);
        if (Q.May)
          QMay.push_back(*Q.May);
        PossibleDup = PossibleDup || Q.CrossPossible;
      }
      for (size_t I = 0; I < QMust.size(); ++I)
        for (size_t J = I + 1; J < QMust.size(); ++J)
          if (overlapBox(QMust[I], QMust[J], Loops) == Overlap::Definite) {
            error("duplicate sample site '" + displayKey(Key) + "': two samples in the loop at " +
                      lineOf(LoopLoc) + " produce the same name",
                  QMust[J].Loc, true);
            return false;
          }
      for (size_t I = 0; I < QMay.size(); ++I)
        for (size_t J = I + 1; J < QMay.size(); ++J)
          if (!(QMay[I] == QMay[J]) && overlapBox(QMay[I], QMay[J], Loops) != Overlap::Never)
            PossibleDup = true;
      NameSet &T = Exit.Names[Key];
      for (const IndexBox &B : QMust)
        for (const IndexBox &M : T.Must)
          if (overlapBox(B, M, Loops) == Overlap::Definite) {
            error("duplicate sample site '" + displayKey(Key) + "': already sampled at " +
                      lineOf(M.Loc),
                  B.Loc, true);
            return false;
          }
      for (const IndexBox &B : QMay)
        for (const IndexBox &M : T.May)
          if (overlapBox(B, M, Loops) != Overlap::Never)
            PossibleDup = true;
      T.May.insert(T.May.end(), QMay.begin(), QMay.end());
      condense(T.May);
      T.Must.insert(T.Must.end(), QMust.begin(), QMust.end());
      condense(T.Must);
      T.PossibleDup = T.PossibleDup || PossibleDup;
    }
    return true;
  }

  SupportState execWhile(const ir::WhileStmt &W, SupportState S) {
    // Run iterations concretely while the condition is decided (a counter
    // loop with constant bounds); summarise from where it no longer is.
    for (unsigned K = 0;; ++K) {
      ival::Truth T = truthOf(eval(*W.Cond, S));
      if (Raised)
        return SupportState::bottom();
      if (T == ival::Truth::False)
        return assume(std::move(S), *W.Cond, false);
      if (T == ival::Truth::Unknown || K >= Opts.UnrollLimit ||
          UnrollWork * (K + 1) > MaxUnrollWork)
        break;
      S = execBlock(W.Body, std::move(S));
      if (S.isBottom())
        return S;
    }
    NameMap Saved = std::move(S.Names);
    S.Names.clear();
    SupportState Entry = S;
    bool OldReport = Report;
    Report = false;
    auto Body = [&](const SupportState &X) {
      SupportState Y = assume(X, *W.Cond, true);
      Y = execBlock(W.Body, std::move(Y));
      if (!Y.isBottom())
        Y.Names.clear();
      return Y;
    };
    SupportState Head = loopFixpoint(Entry, Body);
    Report = OldReport;
    SupportState Last = execBlock(W.Body, assume(Head, *W.Cond, true));
    NameMap Foot;
    if (!Last.isBottom()) {
      Foot = std::move(Last.Names);
      Last.Names.clear();
    }
    Raised = false;
    SupportState Exit = assume(Head.join(Last), *W.Cond, false);
    if (Exit.isBottom())
      return Exit;
    Exit.Names = std::move(Saved);
    for (const auto &[Key, N] : Foot) {
      NameSet &T = Exit.Names[Key];
      // A while loop has no counter of its own: the names of one iteration
      // (symbolic only in enclosing loops' counters) may occur in any
      // number of iterations.
      for (const IndexBox &B : N.May)
        T.May.push_back(B);
      condense(T.May);
      T.PossibleDup = true; // the body may run several times
    }
    return Exit;
  }

  //===-- Expressions ----------------------------------------------------===//

  struct Args {
    std::vector<std::optional<Value>> V;
    const Value *at(size_t I) const { return I < V.size() && V[I] ? &*V[I] : nullptr; }
    std::vector<const Value *> from(size_t I) const {
      std::vector<const Value *> R;
      for (size_t J = I; J < V.size(); ++J)
        if (V[J])
          R.push_back(&*V[J]);
      return R;
    }
  };

  Args evalArgs(const ir::BoundArgs &B, const SupportState &S) {
    Args A;
    for (const ir::ExprPtr &E : B.Args)
      A.V.push_back(E ? std::optional<Value>(eval(*E, S)) : std::nullopt);
    return A;
  }

  /// Sizes given as one list/tuple or as several ints; UnknownSize for
  /// entries that are not constants; nullopt when the list itself is unknown.
  static std::optional<std::vector<int64_t>> sizeList(const std::vector<const Value *> &Xs) {
    std::vector<int64_t> R;
    if (Xs.size() == 1 && Xs[0]->may(Value::KSeq)) {
      if (!Xs[0]->only(Value::KSeq) || !Xs[0]->ElemsKnown)
        return std::nullopt;
      for (const Value &E : Xs[0]->Elems) {
        auto I = asDim(E);
        R.push_back(I ? *I : UnknownSize);
      }
      return R;
    }
    for (const Value *X : Xs) {
      if (!X->isNumber())
        return std::nullopt;
      auto I = asDim(*X);
      R.push_back(I ? *I : UnknownSize);
    }
    return R;
  }

  static Shape shapeOfSizes(const std::optional<std::vector<int64_t>> &L) {
    if (!L)
      return Shape::unknown();
    Shape S = Shape::of({});
    for (int64_t D : *L)
      S.Dims.push_back(Shape::isExact(D) ? D : Shape::UnknownDim);
    return S;
  }

  static std::optional<int64_t> normDim(int64_t D, size_t Rank) {
    int64_t R = static_cast<int64_t>(Rank);
    if (D < 0)
      D += R;
    if (D < 0 || D >= R)
      return std::nullopt;
    return D;
  }

  Value eval(const ir::Expr &E, const SupportState &S) {
    using K = ir::ExprKind;
    switch (E.Kind) {
    case K::Constant: {
      const auto &C = *ir::cast<ir::ConstantExpr>(&E);
      switch (C.Ty) {
      case ir::ConstantExpr::Type::None:
        return Value::none();
      case ir::ConstantExpr::Type::Bool:
        return Value::boolean(C.BoolValue);
      case ir::ConstantExpr::Type::Int:
        return Value::integer(Interval::point(static_cast<double>(C.IntValue)));
      case ir::ConstantExpr::Type::Float:
        return Value::number(C.FloatValue);
      case ir::ConstantExpr::Type::String:
        return Value::string(C.StringValue);
      }
      return Value::top();
    }
    case K::VarRef:
      return getVar(S, ir::cast<ir::VarRefExpr>(&E)->Var);
    case K::Unary:
      return evalUnary(*ir::cast<ir::UnaryExpr>(&E), S);
    case K::Binary: {
      const auto &B = *ir::cast<ir::BinaryExpr>(&E);
      Value L = eval(*B.Lhs, S), R = eval(*B.Rhs, S);
      Value V = evalBinary(B.Op, L, R, E.Loc);
      const auto *VL = ir::dyn_cast<ir::VarRefExpr>(B.Lhs.get());
      const auto *VR = ir::dyn_cast<ir::VarRefExpr>(B.Rhs.get());
      if (B.Op == ir::BinaryOp::Mul && VL && VR && VL->Var == VR->Var && V.isNumeric())
        V.Num = V.Num.meet(ival::pow(L.Num, Interval::point(2))); // x * x: a square
      return V;
    }
    case K::Compare:
      return evalCompare(*ir::cast<ir::CompareExpr>(&E), S);
    case K::Logical: {
      const auto &L = *ir::cast<ir::LogicalExpr>(&E);
      Value A = eval(*L.Lhs, S);
      ival::Truth T = truthOf(A);
      bool And = L.Op == ir::LogicalOp::And;
      if ((And && T == ival::Truth::False) || (!And && T == ival::Truth::True))
        return A;
      Value B = eval(*L.Rhs, S);
      if (T != ival::Truth::Unknown)
        return B;
      return A.join(B);
    }
    case K::Conditional: {
      const auto &C = *ir::cast<ir::ConditionalExpr>(&E);
      ival::Truth T = truthOf(eval(*C.Cond, S));
      if (T == ival::Truth::True)
        return eval(*C.Then, S);
      if (T == ival::Truth::False)
        return eval(*C.Else, S);
      return eval(*C.Then, S).join(eval(*C.Else, S));
    }
    case K::Call:
      return evalCall(*ir::cast<ir::CallExpr>(&E), S);
    case K::ModuleCtor:
      return evalModuleCtor(*ir::cast<ir::ModuleCtorExpr>(&E), S);
    case K::ModuleCall:
      return evalModuleCall(*ir::cast<ir::ModuleCallExpr>(&E), S);
    case K::Distribution: {
      Value V;
      V.Kinds = Value::KDist;
      V.Dist = evalDist(*ir::cast<ir::DistributionExpr>(&E), S);
      return V;
    }
    case K::Subscript:
      return evalSubscript(*ir::cast<ir::SubscriptExpr>(&E), S);
    case K::Slice:
    case K::Ellipsis: {
      Value V;
      V.Kinds = Value::KOther;
      return V;
    }
    case K::Tuple:
    case K::List: {
      const auto &Q = *ir::cast<ir::SequenceExpr>(&E);
      std::vector<Value> Es;
      for (const ir::ExprPtr &X : Q.Elements)
        Es.push_back(X ? eval(*X, S) : Value::top());
      return Value::sequence(std::move(Es));
    }
    case K::Dict: {
      const auto &D = *ir::cast<ir::DictExpr>(&E);
      for (const ir::ExprPtr &X : D.Keys)
        if (X)
          eval(*X, S);
      for (const ir::ExprPtr &X : D.Values)
        if (X)
          eval(*X, S);
      Value V;
      V.Kinds = Value::KOther;
      return V;
    }
    case K::Attribute:
      return evalAttribute(*ir::cast<ir::AttributeExpr>(&E), S);
    case K::IndexUpdate: {
      const auto &U = *ir::cast<ir::IndexUpdateExpr>(&E);
      Value B = eval(*U.Base, S);
      std::vector<Value> Idx;
      for (const ir::ExprPtr &X : U.Indices)
        Idx.push_back(X ? eval(*X, S) : Value::top());
      Value V = U.Value ? eval(*U.Value, S) : Value::top();
      if (B.only(Value::KSeq)) {
        if (B.ElemsKnown && Idx.size() == 1)
          if (auto I = asInt(Idx[0]))
            if (auto N = normDim(*I, B.Elems.size())) {
              B.Elems[*N] = V;
              return B;
            }
        B.ElemsKnown = false;
        B.Elems.clear();
        return B;
      }
      if (B.isNumeric()) {
        B.Num = V.isNumeric() ? B.Num.join(V.Num) : Interval::top();
        B.Sym.reset();
        B.DimSym = 0;
        B.Input.reset();
        return B;
      }
      return Value::top();
    }
    case K::AttrUpdate: {
      const auto &U = *ir::cast<ir::AttrUpdateExpr>(&E);
      Value B = eval(*U.Base, S);
      if (U.Value)
        eval(*U.Value, S);
      if (B.isNumeric() && !U.Path.empty() && U.Path[0] == "data")
        B.Num = Interval::top();
      B.Input.reset();
      return B;
    }
    case K::Constraint: {
      Value V;
      V.Kinds = Value::KOther;
      return V;
    }
    }
    return Value::top();
  }

  Value evalUnary(const ir::UnaryExpr &U, const SupportState &S) {
    Value A = eval(*U.Operand, S);
    switch (U.Op) {
    case ir::UnaryOp::Not:
      return boolOf(notTruth(truthOf(A)));
    case ir::UnaryOp::Pos:
      return A;
    case ir::UnaryOp::Neg:
      if (!A.isNumeric())
        return Value::top();
      {
        Value R = A;
        R.Num = orTop(-A.Num);
        R.Sym.reset();
        R.Input.reset();
        R.DimSym = 0;
        if (R.Kinds & Value::KBool) {
          R.Kinds = static_cast<uint16_t>((R.Kinds & ~Value::KBool) | Value::KInt);
        }
        return R;
      }
    case ir::UnaryOp::Invert:
      if (!A.isNumeric())
        return Value::top();
      return Value::tensor(A.shape(), Interval::top())
          .join(A.isNumber() ? Value::integer(Interval::top()) : Value::bottom());
    }
    return Value::top();
  }

  Value evalBinary(ir::BinaryOp Op, const Value &A, const Value &B, SourceLoc Loc) {
    using BO = ir::BinaryOp;
    // Strings and sequences.
    if (A.only(Value::KStr) || B.only(Value::KStr)) {
      if (Op == BO::Add && A.only(Value::KStr) && B.only(Value::KStr) && A.Str && B.Str)
        return Value::string(*A.Str + *B.Str);
      Value V;
      V.Kinds = Value::KStr;
      return V;
    }
    if (A.only(Value::KSeq) || B.only(Value::KSeq)) {
      if (Op == BO::Add && A.only(Value::KSeq) && B.only(Value::KSeq) && A.ElemsKnown &&
          B.ElemsKnown) {
        std::vector<Value> Es = A.Elems;
        Es.insert(Es.end(), B.Elems.begin(), B.Elems.end());
        return Value::sequence(std::move(Es));
      }
      if (Op == BO::Mul) {
        const Value &Seq = A.only(Value::KSeq) ? A : B;
        const Value &N = A.only(Value::KSeq) ? B : A;
        auto K = asInt(N);
        if (Seq.ElemsKnown && K && *K >= 0 && *K * Seq.Elems.size() <= 64) {
          std::vector<Value> Es;
          for (int64_t I = 0; I < *K; ++I)
            Es.insert(Es.end(), Seq.Elems.begin(), Seq.Elems.end());
          return Value::sequence(std::move(Es));
        }
      }
      Value V;
      V.Kinds = Value::KSeq;
      return V;
    }
    if (!A.isNumeric() || !B.isNumeric())
      return Value::top();
    if (Op == BO::MatMul)
      return matmul(A, B, Loc);
    ShapeOutcome SO = broadcastShapes(A.shape(), B.shape());
    if (SO.failed()) {
      error("operands of '" + std::string(ir::binaryOpName(Op)) +
                "' cannot be broadcast: " + SO.Error,
            Loc);
      return Value::top();
    }
    bool Ints = A.only(Value::KInt | Value::KBool) && B.only(Value::KInt | Value::KBool);
    Interval N = Interval::top();
    bool IntResult = false;
    switch (Op) {
    case BO::Add:
      N = A.Num + B.Num;
      IntResult = Ints;
      break;
    case BO::Sub:
      N = A.Num - B.Num;
      IntResult = Ints;
      break;
    case BO::Mul:
      N = A.Num * B.Num;
      IntResult = Ints;
      break;
    case BO::Div:
      N = A.Num / B.Num;
      break;
    case BO::FloorDiv:
      N = ival::floorDiv(A.Num, B.Num);
      IntResult = Ints;
      break;
    case BO::Mod:
      N = ival::mod(A.Num, B.Num);
      IntResult = Ints;
      break;
    case BO::Pow:
      N = ival::pow(A.Num, B.Num);
      IntResult = Ints && B.Num.lo() >= 0;
      break;
    case BO::BitAnd:
    case BO::BitOr:
      N = Ints ? Interval::integers(-Inf, Inf) : Interval::integers(0, 1);
      IntResult = Ints;
      break;
    case BO::MatMul:
      break;
    }
    Value R = numericResult(A, B, SO.S, N, IntResult);
    if (R.only(Value::KInt)) {
      // Symbolic counters: (c + i) +/- k.
      auto KA = asInt(A), KB = asInt(B);
      if (Op == BO::Add && A.Sym && KB)
        R.Sym = Bound{A.Sym->C + *KB, A.Sym->Loop};
      else if (Op == BO::Add && B.Sym && KA)
        R.Sym = Bound{B.Sym->C + *KA, B.Sym->Loop};
      else if (Op == BO::Sub && A.Sym && KB)
        R.Sym = Bound{A.Sym->C - *KB, A.Sym->Loop};
    }
    return R;
  }

  Value evalCompare(const ir::CompareExpr &C, const SupportState &S) {
    Value A = eval(*C.Lhs, S), B = eval(*C.Rhs, S);
    using CO = ir::CompareOp;
    if (C.Op == CO::Is || C.Op == CO::IsNot) {
      ival::Truth T = ival::Truth::Unknown;
      if (A.definitelyNone() && B.definitelyNone())
        T = ival::Truth::True;
      else if ((A.definitelyNone() && !B.may(Value::KNone)) ||
               (B.definitelyNone() && !A.may(Value::KNone)))
        T = ival::Truth::False;
      return boolOf(C.Op == CO::Is ? T : notTruth(T));
    }
    if (C.Op == CO::In || C.Op == CO::NotIn)
      return Value::boolean(std::nullopt);
    if (A.isNumeric() && B.isNumeric() && (A.may(Value::KTensor) || B.may(Value::KTensor))) {
      ShapeOutcome SO = broadcastShapes(A.shape(), B.shape());
      if (SO.failed()) {
        error("operands of a comparison cannot be broadcast: " + SO.Error, C.Loc);
        return Value::top();
      }
      if (A.isNumber() || B.isNumber() || !A.only(Value::KTensor) || !B.only(Value::KTensor))
        return Value::tensor(SO.S, Interval::integers(0, 1)).join(Value::boolean(std::nullopt));
      return Value::tensor(SO.S, Interval::integers(0, 1));
    }
    if (A.only(Value::KStr) && B.only(Value::KStr) && A.Str && B.Str &&
        (C.Op == CO::Eq || C.Op == CO::Ne))
      return Value::boolean((*A.Str == *B.Str) == (C.Op == CO::Eq));
    if (A.definitelyNone() || B.definitelyNone()) {
      if (C.Op == CO::Eq || C.Op == CO::Ne) {
        ival::Truth T = ival::Truth::Unknown;
        if (A.definitelyNone() && B.definitelyNone())
          T = ival::Truth::True;
        else if (!A.may(Value::KNone) || !B.may(Value::KNone))
          T = ival::Truth::False;
        return boolOf(C.Op == CO::Eq ? T : notTruth(T));
      }
    }
    if (!A.isNumber() || !B.isNumber())
      return Value::boolean(std::nullopt);
    if (A.Sym && B.Sym && A.Sym->Loop == B.Sym->Loop) {
      int64_t D = A.Sym->C - B.Sym->C;
      bool R;
      switch (C.Op) {
      case CO::Lt:
        R = D < 0;
        break;
      case CO::Le:
        R = D <= 0;
        break;
      case CO::Gt:
        R = D > 0;
        break;
      case CO::Ge:
        R = D >= 0;
        break;
      case CO::Eq:
        R = D == 0;
        break;
      case CO::Ne:
        R = D != 0;
        break;
      default:
        return Value::boolean(std::nullopt);
      }
      return Value::boolean(R);
    }
    ival::Cmp Op;
    switch (C.Op) {
    case CO::Lt:
      Op = ival::Cmp::Lt;
      break;
    case CO::Le:
      Op = ival::Cmp::Le;
      break;
    case CO::Gt:
      Op = ival::Cmp::Gt;
      break;
    case CO::Ge:
      Op = ival::Cmp::Ge;
      break;
    case CO::Eq:
      Op = ival::Cmp::Eq;
      break;
    case CO::Ne:
      Op = ival::Cmp::Ne;
      break;
    default:
      return Value::boolean(std::nullopt);
    }
    return boolOf(ival::compare(Op, A.Num, B.Num));
  }

  Value matmul(const Value &A, const Value &B, SourceLoc Loc) {
    Shape SA = A.shape(), SB = B.shape();
    Interval N = orTop(ival::matmul(A.Num, B.Num));
    if (!SA.RankKnown || !SB.RankKnown || SA.rank() == 0 || SB.rank() == 0)
      return Value::tensor(Shape::unknown(), N);
    int64_t KA = SA.Dims.back(), KB = SB.rank() == 1 ? SB.Dims[0] : SB.Dims[SB.rank() - 2];
    if (KA >= 0 && KB >= 0 && KA != KB) {
      error("matmul of shapes " + SA.str() + " and " + SB.str() + ": inner dimensions " +
                std::to_string(KA) + " and " + std::to_string(KB) + " differ",
            Loc);
      return Value::top();
    }
    if (SA.rank() == 1 && SB.rank() == 1)
      return Value::tensor(Shape::scalar(), N);
    if (SA.rank() == 1)
      return Value::tensor(concatShapes(dropLast(SB, 2), Shape::of({SB.Dims.back()})), N);
    if (SB.rank() == 1)
      return Value::tensor(dropLast(SA, 1), N);
    ShapeOutcome Batch = broadcastShapes(dropLast(SA, 2), dropLast(SB, 2));
    if (Batch.failed()) {
      error("matmul batch dimensions cannot be broadcast: " + Batch.Error, Loc);
      return Value::top();
    }
    return Value::tensor(concatShapes(Batch.S, Shape::of({SA.Dims[SA.rank() - 2], SB.Dims.back()})),
                         N);
  }

  //===-- Calls ----------------------------------------------------------===//

  /// Shape of torch.tensor(data): nested lists give their nesting.
  static std::optional<Shape> dataShape(const Value &V, Interval &Num, int Depth = 0) {
    if (Depth > 8)
      return std::nullopt;
    if (V.isNumber() || V.only(Value::KTensor)) {
      Num = Num.isBottom() ? V.Num : Num.join(V.Num);
      return V.isNumber() ? Shape::scalar() : V.shape();
    }
    if (!V.only(Value::KSeq) || !V.ElemsKnown)
      return std::nullopt;
    std::optional<Shape> Inner;
    for (const Value &E : V.Elems) {
      auto S = dataShape(E, Num, Depth + 1);
      if (!S)
        return std::nullopt;
      Inner = Inner ? Inner->join(*S) : *S;
    }
    if (!Inner)
      Inner = Shape::scalar();
    return concatShapes(Shape::of({static_cast<int64_t>(V.Elems.size())}), *Inner);
  }

  Interval elementwiseRange(ir::OpId Op, const Args &A) {
    using O = ir::OpId;
    const Value *X = A.at(0);
    Interval In = X && X->isNumeric() ? X->Num : Interval::top();
    switch (Op) {
    case O::Exp:
      return ival::exp(In);
    case O::Expm1:
      return ival::expm1(In);
    case O::Log:
      return ival::log(In);
    case O::Log1p:
      return ival::log1p(In);
    case O::Sqrt:
      return ival::sqrt(In);
    case O::Rsqrt:
      return ival::rsqrt(In);
    case O::Pow: {
      const Value *Y = A.at(1);
      return Y && Y->isNumeric() ? ival::pow(In, Y->Num) : Interval::top();
    }
    case O::Sigmoid:
    case O::FSigmoid:
      return ival::sigmoid(In);
    case O::Tanh:
    case O::FTanh:
      return ival::tanh(In);
    case O::Erf:
      return ival::erf(In);
    case O::Abs:
      return ival::abs(In);
    case O::Relu:
    case O::FRelu:
      return ival::relu(In);
    case O::FSoftplus:
      return A.at(1) ? Interval::positive() : ival::softplus(In);
    case O::Sign:
      return ival::sign(In);
    case O::Floor:
      return ival::floor(In);
    case O::Ceil:
      return ival::ceil(In);
    case O::Round:
      return ival::round(In);
    case O::Clamp: {
      const Value *Lo = A.at(1), *Hi = A.at(2);
      const Interval *L = Lo && Lo->isNumeric() ? &Lo->Num : nullptr;
      const Interval *H = Hi && Hi->isNumeric() ? &Hi->Num : nullptr;
      return ival::clamp(In, L, H);
    }
    case O::Minimum:
    case O::Maximum: {
      const Value *Y = A.at(1);
      if (!Y || !Y->isNumeric())
        return Interval::top();
      return Op == O::Minimum ? ival::min(In, Y->Num) : ival::max(In, Y->Num);
    }
    case O::Where: {
      const Value *Y = A.at(1), *Z = A.at(2);
      if (!Y || !Z || !Y->isNumeric() || !Z->isNumeric())
        return Interval::top();
      return Y->Num.join(Z->Num);
    }
    case O::FElu:
      return ival::elu(In);
    default:
      break;
    }
    const ir::OpInfo &Info = ir::opInfo(Op);
    if (Info.Range == ir::ValueRange::SameSign)
      return In;
    return Interval::ofValueRange(Info.Range);
  }

  Value evalCall(const ir::CallExpr &C, const SupportState &S) {
    using O = ir::OpId;
    Args A = evalArgs(C.Args, S);
    const ir::OpInfo &Info = C.info();
    const Value *X = A.at(0);
    auto Arg0Shape = [&]() { return X && X->isNumeric() ? X->shape() : Shape::unknown(); };
    auto Arg0Num = [&]() { return X && X->isNumeric() ? X->Num : Interval::top(); };
    auto RangeOf = [&]() {
      if (Info.Range == ir::ValueRange::SameSign)
        return Arg0Num();
      return Interval::ofValueRange(Info.Range);
    };
    auto IntArg = [&](size_t I) -> std::optional<int64_t> {
      const Value *V = A.at(I);
      return V ? asInt(*V) : std::nullopt;
    };
    switch (C.Op) {
    //-- Python builtins and math.
    case O::PyLen: {
      if (!X)
        return Value::integer(nonNegInts());
      if (X->only(Value::KSeq) && X->ElemsKnown)
        return Value::integer(Interval::point(static_cast<double>(X->Elems.size())));
      if (X->only(Value::KStr) && X->Str)
        return Value::integer(Interval::point(static_cast<double>(X->Str->size())));
      if (X->only(Value::KTensor)) {
        Shape Sh = X->shape();
        if (Sh.RankKnown && Sh.rank() >= 1)
          return dimValue(Sh.Dims[0]);
      }
      if (X->Input && !X->shape().RankKnown)
        return dimValue(Shape::inputDim(*X->Input, 0));
      return Value::integer(nonNegInts());
    }
    case O::Size: {
      Shape Sh = Arg0Shape();
      std::optional<uint32_t> In = X && !Sh.RankKnown ? X->Input : std::nullopt;
      if (const Value *D = A.at(1)) {
        auto I = asInt(*D);
        if (I && Sh.RankKnown)
          if (auto N = normDim(*I, Sh.rank()))
            return dimValue(Sh.Dims[*N]);
        if (I && *I >= 0 && *I < 64 && In)
          return dimValue(Shape::inputDim(*In, static_cast<uint32_t>(*I)));
        return Value::integer(nonNegInts());
      }
      return shapeAsSequence(Sh, In);
    }
    case O::Dim: {
      Shape Sh = Arg0Shape();
      return Value::integer(Sh.RankKnown ? Interval::point(static_cast<double>(Sh.rank()))
                                         : nonNegInts());
    }
    case O::Item:
    case O::PyFloat:
      if (X && X->only(Value::KStr))
        return Value::real(Interval::top());
      return Value::real(Arg0Num());
    case O::PyInt:
      return Value::integer(X && X->isNumeric() ? ival::trunc(X->Num) : Interval::top());
    case O::PyAbs:
      if (X && X->isNumber()) {
        Value R = *X;
        R.Num = orTop(ival::abs(X->Num));
        R.Sym.reset();
        R.DimSym = 0;
        return R;
      }
      break;
    case O::PyMin:
    case O::PyMax: {
      std::vector<const Value *> Xs = A.from(0);
      if (Xs.size() == 1 && Xs[0]->only(Value::KSeq) && Xs[0]->ElemsKnown) {
        std::vector<const Value *> Ys;
        for (const Value &E : Xs[0]->Elems)
          Ys.push_back(&E);
        Xs = Ys;
      }
      if (Xs.empty() ||
          !std::all_of(Xs.begin(), Xs.end(), [](const Value *V) { return V->isNumber(); }))
        return Value::top();
      Interval R = Xs[0]->Num;
      bool Int = Xs[0]->only(Value::KInt | Value::KBool);
      for (size_t I = 1; I < Xs.size(); ++I) {
        R = C.Op == O::PyMin ? ival::min(R, Xs[I]->Num) : ival::max(R, Xs[I]->Num);
        Int = Int && Xs[I]->only(Value::KInt | Value::KBool);
      }
      return Int ? Value::integer(R) : Value::real(orTop(R));
    }
    case O::PyRound:
      return A.at(1) ? Value::real(Interval::top())
                     : Value::integer(X && X->isNumber() ? ival::round(X->Num) : Interval::top());
    case O::PyStr: {
      if (X)
        if (auto T = constText(*X))
          return Value::string(*T);
      Value V;
      V.Kinds = Value::KStr;
      return V;
    }
    case O::StrFormat: {
      // self: the template with every replacement field written {} (literal
      // braces doubled); the remaining arguments fill the fields in order.
      Value V;
      V.Kinds = Value::KStr;
      if (!X || !X->only(Value::KStr) || !X->Str)
        return V;
      std::vector<const Value *> Fs = A.from(1);
      std::string Out;
      const std::string &T = *X->Str;
      size_t F = 0;
      for (size_t I = 0; I < T.size(); ++I) {
        if (T.compare(I, 2, "{{") == 0 || T.compare(I, 2, "}}") == 0) {
          Out += T[I];
          ++I;
        } else if (T.compare(I, 2, "{}") == 0) {
          if (F >= Fs.size())
            return V;
          auto Txt = constText(*Fs[F++]);
          if (!Txt)
            return V;
          Out += *Txt;
          ++I;
        } else if (T[I] == '{' || T[I] == '}') {
          return V; // a conversion or format spec ("{:02d}"): not modelled
        } else {
          Out += T[I];
        }
      }
      return Value::string(Out);
    }
    case O::PyTuple:
    case O::PyList:
      if (X && X->only(Value::KSeq))
        return *X;
      {
        Value V;
        V.Kinds = Value::KSeq;
        return V;
      }
    case O::ListAppend: {
      if (X && X->only(Value::KSeq) && X->ElemsKnown && X->Elems.size() < 256) {
        Value R = *X;
        R.Elems.push_back(A.at(1) ? *A.at(1) : Value::top());
        return R;
      }
      Value V;
      V.Kinds = Value::KSeq;
      return V;
    }
    case O::MathExp:
      return Value::real(orTop(ival::exp(Arg0Num())));
    case O::MathLog:
      return Value::real(orTop(A.at(1) ? Interval::top() : ival::log(Arg0Num())));
    case O::MathSqrt:
      return Value::real(orTop(ival::sqrt(Arg0Num())));
    case O::MathFloor:
      return Value::integer(orTop(ival::floor(Arg0Num())));
    case O::MathCeil:
      return Value::integer(orTop(ival::ceil(Arg0Num())));
    case O::MathLgamma:
      return Value::real(Interval::top());

    //-- Construction.
    case O::Tensor:
    case O::FloatTensor:
    case O::LongTensor:
    case O::AsTensor: {
      if (!X)
        return Value::tensor(Shape::unknown());
      if ((C.Op == O::FloatTensor || C.Op == O::LongTensor) && X->only(Value::KInt)) {
        auto Sizes = sizeList(A.from(0));
        return Value::tensor(shapeOfSizes(Sizes), Interval::top());
      }
      Interval Num = Interval::bottom();
      auto Sh = dataShape(*X, Num);
      Num = orTop(Num);
      if (C.Op == O::LongTensor)
        Num = Num.integral().isBottom() ? Interval::integers(-Inf, Inf) : Num.integral();
      return Value::tensor(Sh ? *Sh : Shape::unknown(), Num);
    }
    case O::Zeros:
    case O::Ones:
    case O::Rand:
    case O::Randn:
      return Value::tensor(shapeOfSizes(sizeList(A.from(0))), RangeOf());
    case O::NewZeros:
    case O::NewOnes:
      return Value::tensor(shapeOfSizes(sizeList(A.from(1))), RangeOf());
    case O::Full:
    case O::NewFull: { // new_full(size, fill) of a receiver: its dtype, not its values
      const size_t From = C.Op == O::NewFull ? 1 : 0;
      const Value *Size = A.at(From), *Fill = A.at(From + 1);
      return Value::tensor(shapeOfSizes(Size ? sizeList({Size}) : std::nullopt),
                           Fill && Fill->isNumeric() ? Fill->Num : Interval::top());
    }
    case O::NewTensor: {
      const Value *Data = A.at(1);
      if (!Data)
        return Value::tensor(Shape::unknown());
      Interval Num = Interval::bottom();
      auto Sh = dataShape(*Data, Num);
      return Value::tensor(Sh ? *Sh : Shape::unknown(), orTop(Num));
    }
    case O::Eye: {
      auto N = IntArg(0), M = A.at(1) ? IntArg(1) : IntArg(0);
      return Value::tensor(Shape::of({N ? *N : Shape::UnknownDim, M ? *M : Shape::UnknownDim}),
                           Interval::closedUnit());
    }
    case O::Arange: {
      std::optional<int64_t> Start = 0, End, Step = 1;
      if (A.at(1)) {
        Start = IntArg(0);
        End = IntArg(1);
      } else {
        End = IntArg(0);
      }
      if (A.at(2))
        Step = IntArg(2);
      if (Start && End && Step && *Step != 0) {
        int64_t N = *Step > 0 ? std::max<int64_t>(0, (*End - *Start + *Step - 1) / *Step)
                              : std::max<int64_t>(0, (*Start - *End - *Step - 1) / -*Step);
        Interval R = N > 0 ? Interval::integers(
                                 static_cast<double>(std::min(*Start, *Start + (N - 1) * *Step)),
                                 static_cast<double>(std::max(*Start, *Start + (N - 1) * *Step)))
                           : Interval::integers(-Inf, Inf);
        return Value::tensor(Shape::of({N}), R);
      }
      return Value::tensor(Shape::of({Shape::UnknownDim}), Interval::top());
    }
    case O::Linspace: {
      auto N = IntArg(2);
      return Value::tensor(Shape::of({N ? *N : Shape::UnknownDim}), Interval::top());
    }

    //-- Shapes the Shape column does not describe.
    case O::ExpandAs: {
      const Value *Y = A.at(1);
      return Value::tensor(Y && Y->isNumeric() ? Y->shape() : Shape::unknown(), Arg0Num());
    }
    case O::Flatten: {
      Shape In = Arg0Shape();
      auto S0 = A.at(1) ? IntArg(1) : std::optional<int64_t>(0);
      auto S1 = A.at(2) ? IntArg(2) : std::optional<int64_t>(-1);
      if (!In.RankKnown || !S0 || !S1)
        return Value::tensor(Shape::unknown(), Arg0Num());
      if (In.rank() == 0)
        return Value::tensor(Shape::of({1}), Arg0Num());
      auto N0 = normDim(*S0, In.rank()), N1 = normDim(*S1, In.rank());
      if (!N0 || !N1 || *N0 > *N1)
        return Value::tensor(Shape::unknown(), Arg0Num());
      int64_t P = 1;
      for (int64_t I = *N0; I <= *N1; ++I)
        P = (In.Dims[I] < 0 || P < 0) ? Shape::UnknownDim : P * In.Dims[I];
      Shape Out = Shape::of(std::vector<int64_t>(In.Dims.begin(), In.Dims.begin() + *N0));
      Out.Dims.push_back(P);
      Out.Dims.insert(Out.Dims.end(), In.Dims.begin() + *N1 + 1, In.Dims.end());
      return Value::tensor(Out, Arg0Num());
    }
    case O::Gather: {
      const Value *Idx = A.at(2);
      return Value::tensor(Idx && Idx->isNumeric() ? Idx->shape() : Shape::unknown(), Arg0Num());
    }
    case O::FAffineGrid: {
      auto L = A.at(1) ? sizeList({A.at(1)}) : std::nullopt;
      if (L && L->size() == 4)
        return Value::tensor(Shape::of({(*L)[0] >= 0 ? (*L)[0] : Shape::UnknownDim,
                                        (*L)[2] >= 0 ? (*L)[2] : Shape::UnknownDim,
                                        (*L)[3] >= 0 ? (*L)[3] : Shape::UnknownDim, 2}),
                             Interval::top());
      return Value::tensor(Shape::unknown());
    }
    case O::FGridSample: {
      Shape In = Arg0Shape();
      const Value *G = A.at(1);
      Shape GS = G && G->isNumeric() ? G->shape() : Shape::unknown();
      if (In.RankKnown && In.rank() == 4 && GS.RankKnown && GS.rank() == 4)
        return Value::tensor(Shape::of({In.Dims[0], In.Dims[1], GS.Dims[1], GS.Dims[2]}),
                             Interval::top());
      return Value::tensor(Shape::unknown());
    }
    case O::DistLogProb: {
      const Value *V = A.at(1);
      if (!X || !X->only(Value::KDist) || !X->Dist || X->Dist->ShapeUnknown || !V ||
          !V->isNumeric())
        return Value::tensor(Shape::unknown());
      const DistShape &DS = X->Dist->Sh;
      Shape VS = V->shape();
      if (!DS.Event.RankKnown || !VS.RankKnown || VS.rank() < DS.Event.rank())
        return Value::tensor(Shape::unknown());
      ShapeOutcome SO = broadcastShapes(dropLast(VS, DS.Event.rank()), DS.Batch);
      if (SO.failed()) {
        error("log_prob value of shape " + VS.str() + " does not broadcast with batch shape " +
                  DS.Batch.str(),
              C.Loc);
        return Value::top();
      }
      return Value::tensor(SO.S, Interval::top());
    }
    case O::DistSample: {
      if (!X || !X->only(Value::KDist) || !X->Dist || X->Dist->ShapeUnknown)
        return Value::tensor(Shape::unknown());
      Shape Pre = A.at(1) ? shapeOfSizes(sizeList({A.at(1)})) : Shape::scalar();
      return Value::tensor(concatShapes(Pre, X->Dist->Sh.value()), X->Dist->Range);
    }
    default:
      break;
    }

    switch (Info.Shape) {
    case ir::ShapeRule::Reshape: {
      Shape In = Arg0Shape();
      auto L = sizeList(A.from(1));
      if (!L)
        return Value::tensor(Shape::unknown(), Arg0Num());
      Shape Out = shapeOfSizes(L);
      // One -1 is inferred from the number of elements.
      size_t Infer = 0, Count = 0;
      int64_t Known = 1;
      bool AllKnown = true;
      for (size_t I = 0; I < L->size(); ++I) {
        if ((*L)[I] == -1) {
          Infer = I;
          ++Count;
        } else if ((*L)[I] < 0) {
          AllKnown = false;
        } else {
          Known *= (*L)[I];
        }
      }
      if (Count == 1 && AllKnown)
        if (auto NE = In.numel(); NE && Known > 0 && *NE % Known == 0)
          Out.Dims[Infer] = *NE / Known;
      return Value::tensor(Out, Arg0Num());
    }
    case ir::ShapeRule::Expand: {
      Shape In = Arg0Shape();
      auto L = sizeList(A.from(1));
      if (!L)
        return Value::tensor(Shape::unknown(), Arg0Num());
      Shape Out = shapeOfSizes(L);
      if (In.RankKnown) {
        if (In.rank() > Out.rank()) {
          error("expand(" + Out.str() + ") of a tensor of shape " + In.str() + ": too few sizes",
                C.Loc);
          return Value::top();
        }
        size_t Off = Out.rank() - In.rank();
        for (size_t I = 0; I < Out.rank(); ++I) {
          int64_t Req = (*L)[I];
          int64_t Old = I >= Off ? In.Dims[I - Off] : Shape::UnknownDim;
          if (Req == -1) {
            Out.Dims[I] = Old;
            continue;
          }
          if (Req >= 0 && Old >= 0 && Old != 1 && Old != Req) {
            error("expand(" + Out.str() + ") of a tensor of shape " + In.str() + ": dim " +
                      std::to_string(I) + " has size " + std::to_string(Old),
                  C.Loc);
            return Value::top();
          }
        }
      }
      return Value::tensor(Out, Arg0Num());
    }
    case ir::ShapeRule::Unsqueeze: {
      Shape In = Arg0Shape();
      auto D = IntArg(1);
      if (!In.RankKnown || !D)
        return Value::tensor(Shape::unknown(), Arg0Num());
      int64_t P = *D < 0 ? *D + static_cast<int64_t>(In.rank()) + 1 : *D;
      if (P < 0 || P > static_cast<int64_t>(In.rank()))
        return Value::tensor(Shape::unknown(), Arg0Num());
      In.Dims.insert(In.Dims.begin() + P, 1);
      return Value::tensor(In, Arg0Num());
    }
    case ir::ShapeRule::Squeeze: {
      Shape In = Arg0Shape();
      if (!In.RankKnown)
        return Value::tensor(In, Arg0Num());
      if (A.at(1)) {
        auto D = IntArg(1);
        auto N = D ? normDim(*D, In.rank()) : std::nullopt;
        if (In.rank() == 0)
          return Value::tensor(In, Arg0Num());
        if (!N || In.Dims[*N] < 0)
          return Value::tensor(Shape::unknown(), Arg0Num());
        if (In.Dims[*N] == 1)
          In.Dims.erase(In.Dims.begin() + *N);
        return Value::tensor(In, Arg0Num());
      }
      Shape Out = Shape::of({});
      for (int64_t D : In.Dims) {
        if (D < 0)
          return Value::tensor(Shape::unknown(), Arg0Num());
        if (D != 1)
          Out.Dims.push_back(D);
      }
      return Value::tensor(Out, Arg0Num());
    }
    case ir::ShapeRule::Transpose: {
      Shape In = Arg0Shape();
      if (!In.RankKnown)
        return Value::tensor(In, Arg0Num());
      if (C.Args.Args.size() < 3 || !A.at(1)) { // torch.t / .T
        if (In.rank() == 2)
          std::swap(In.Dims[0], In.Dims[1]);
        return Value::tensor(In, Arg0Num());
      }
      auto D0 = IntArg(1), D1 = IntArg(2);
      auto N0 = D0 ? normDim(*D0, In.rank()) : std::nullopt,
           N1 = D1 ? normDim(*D1, In.rank()) : std::nullopt;
      if (!N0 || !N1)
        return Value::tensor(Shape::unknown(), Arg0Num());
      std::swap(In.Dims[*N0], In.Dims[*N1]);
      return Value::tensor(In, Arg0Num());
    }
    case ir::ShapeRule::Cat:
    case ir::ShapeRule::Stack:
      return catStack(C, A);
    case ir::ShapeRule::IndexSelect: {
      Shape In = Arg0Shape();
      auto D = IntArg(1);
      const Value *Idx = A.at(2);
      if (!In.RankKnown || !D)
        return Value::tensor(Shape::unknown(), Arg0Num());
      auto N = normDim(*D, In.rank());
      if (!N)
        return Value::tensor(Shape::unknown(), Arg0Num());
      Shape IS = Idx && Idx->isNumeric() ? Idx->shape() : Shape::unknown();
      In.Dims[*N] = IS.RankKnown && IS.rank() == 1 ? IS.Dims[0] : Shape::UnknownDim;
      return Value::tensor(In, Arg0Num());
    }
    case ir::ShapeRule::Matmul: {
      const Value *Y = A.at(1);
      if (!X || !Y || !X->isNumeric() || !Y->isNumeric())
        return Value::tensor(Shape::unknown());
      return matmul(*X, *Y, C.Loc);
    }
    case ir::ShapeRule::Elementwise: {
      Shape Sh = Shape::scalar();
      bool AnyTensor = false, AllNumeric = true;
      for (const auto &V : A.V) {
        if (!V || V->definitelyNone())
          continue;
        if (V->only(Value::KStr))
          continue;
        if (!V->isNumeric()) {
          AllNumeric = false;
          continue;
        }
        AnyTensor = AnyTensor || V->may(Value::KTensor);
        ShapeOutcome SO = broadcastShapes(Sh, V->shape());
        if (SO.failed()) {
          error("arguments of " + Info.QualifiedName + " cannot be broadcast: " + SO.Error, C.Loc);
          return Value::top();
        }
        Sh = SO.S;
      }
      Interval N = orTop(elementwiseRange(C.Op, A));
      if (!AllNumeric)
        return Value::tensor(Shape::unknown(), N);
      (void)AnyTensor;
      return Value::tensor(Sh, N);
    }
    case ir::ShapeRule::Same: {
      Interval N = orTop(RangeOf());
      if (C.Op == O::Long || C.Op == O::IntCast)
        N = orTop(ival::trunc(Arg0Num()));
      return Value::tensor(Arg0Shape(), N);
    }
    case ir::ShapeRule::Reduce:
      return reduce(C, A);
    case ir::ShapeRule::Scalar:
      return Value::real(orTop(RangeOf()));
    default:
      return Value::tensor(Shape::unknown(), orTop(RangeOf()));
    }
  }

  /// `x.shape`: the dims when the rank is known; for an entry input of
  /// unknown rank, a sequence whose elements are symbolic dims.
  Value shapeAsSequence(const Shape &Sh, std::optional<uint32_t> Input = std::nullopt) {
    if (!Sh.RankKnown) {
      Value V;
      V.Kinds = Value::KSeq;
      V.ShapeOf = Input;
      return V;
    }
    std::vector<Value> Es;
    for (int64_t D : Sh.Dims)
      Es.push_back(dimValue(D));
    return Value::sequence(std::move(Es));
  }

  Value catStack(const ir::CallExpr &C, const Args &A) {
    const Value *X = A.at(0);
    const Value *DimV = A.at(1);
    std::optional<int64_t> D = DimV ? asInt(*DimV) : std::optional<int64_t>(0);
    if (!X || !X->only(Value::KSeq) || !X->ElemsKnown || X->Elems.empty() || !D)
      return Value::tensor(Shape::unknown());
    Interval Num = Interval::bottom();
    std::vector<Shape> Ss;
    for (const Value &E : X->Elems) {
      if (!E.isNumeric())
        return Value::tensor(Shape::unknown());
      Num = Num.isBottom() ? E.Num : Num.join(E.Num);
      Ss.push_back(E.shape());
    }
    Num = orTop(Num);
    bool IsCat = C.info().Shape == ir::ShapeRule::Cat;
    size_t Rank = 0;
    for (const Shape &S : Ss) {
      if (!S.RankKnown)
        return Value::tensor(Shape::unknown(), Num);
      Rank = S.rank();
    }
    for (const Shape &S : Ss)
      if (S.rank() != Rank)
        return Value::tensor(Shape::unknown(), Num); // torch also accepts legacy empty tensors
    auto N = normDim(*D, IsCat ? Rank : Rank + 1);
    if (!N)
      return Value::tensor(Shape::unknown(), Num);
    Shape Out = Ss[0];
    for (size_t I = 1; I < Ss.size(); ++I)
      for (size_t K = 0; K < Rank; ++K) {
        if (IsCat && static_cast<int64_t>(K) == *N)
          continue;
        int64_t P = Out.Dims[K], Q = Ss[I].Dims[K];
        if (P >= 0 && Q >= 0 && P != Q) {
          error(std::string(IsCat ? "torch.cat" : "torch.stack") + ": tensors of shapes " +
                    Ss[0].str() + " and " + Ss[I].str() + " differ in dim " + std::to_string(K),
                C.Loc);
          return Value::top();
        }
        if (P < 0)
          Out.Dims[K] = Q;
      }
    if (IsCat) {
      int64_t Sum = 0;
      for (const Shape &S : Ss)
        Sum = (Sum < 0 || S.Dims[*N] < 0) ? Shape::UnknownDim : Sum + S.Dims[*N];
      Out.Dims[*N] = Sum;
    } else {
      Out.Dims.insert(Out.Dims.begin() + *N, static_cast<int64_t>(Ss.size()));
    }
    return Value::tensor(Out, Num);
  }

  Value reduce(const ir::CallExpr &C, const Args &A) {
    using O = ir::OpId;
    const Value *X = A.at(0);
    Shape In = X && X->isNumeric() ? X->shape() : Shape::unknown();
    Interval Num = X && X->isNumeric() ? X->Num : Interval::top();
    Interval R = Interval::top();
    switch (C.Op) {
    case O::FSoftmax:
    case O::Softmax:
      return Value::tensor(In, Interval::openUnit().join(Interval::closedUnit()));
    case O::FLogSoftmax:
      return Value::tensor(In, Interval::atMost(0));
    case O::Sum:
      R = ival::sumOf(Num);
      break;
    case O::Prod:
      R = ival::productOf(Num);
      break;
    case O::Mean:
    case O::Max:
    case O::Min:
      R = Num;
      break;
    case O::Argmax:
      R = nonNegInts();
      break;
    case O::Norm:
      R = Interval::nonNegative();
      break;
    default:
      R = Interval::top();
      break;
    }
    R = orTop(R);
    size_t DimSlot = C.Op == O::Norm ? 2 : 1;
    size_t KeepSlot = C.Op == O::Norm ? 3 : 2;
    const Value *DV = A.at(DimSlot);
    if ((C.Op == O::Max || C.Op == O::Min) && DV &&
        !DV->only(Value::KInt | Value::KBool | Value::KNone)) {
      // Not surely a dim: maybe torch.max(a, b), the elementwise maximum.
      if (DV->may(Value::KInt | Value::KBool))
        return Value::top();
      Interval B = DV->isNumeric() ? DV->Num : Interval::top();
      return Value::tensor(Shape::unknown(),
                           orTop(R.join(C.Op == O::Max ? ival::max(Num, B) : ival::min(Num, B))));
    }
    bool Keep = false;
    if (const Value *KV = A.at(KeepSlot)) {
      auto B = asBool(*KV);
      if (!B)
        return Value::tensor(Shape::unknown(), R);
      Keep = *B;
    }
    if (!DV || DV->definitelyNone())
      return Value::tensor(Shape::scalar(), R);
    if (!In.RankKnown)
      return Value::tensor(Shape::unknown(), R);
    std::vector<int64_t> Dims;
    if (DV->only(Value::KSeq) && DV->ElemsKnown) {
      for (const Value &E : DV->Elems) {
        auto I = asInt(E);
        if (!I)
          return Value::tensor(Shape::unknown(), R);
        Dims.push_back(*I);
      }
    } else if (auto I = asInt(*DV)) {
      Dims.push_back(*I);
    } else {
      return Value::tensor(Shape::unknown(), R);
    }
    std::vector<bool> Drop(In.rank(), false);
    for (int64_t D : Dims) {
      auto N = normDim(D, In.rank());
      if (!N)
        return Value::tensor(Shape::unknown(), R);
      Drop[*N] = true;
    }
    Shape Out = Shape::of({});
    for (size_t I = 0; I < In.rank(); ++I) {
      if (!Drop[I])
        Out.Dims.push_back(In.Dims[I]);
      else if (Keep)
        Out.Dims.push_back(1);
    }
    Value V = Value::tensor(Out, R);
    if ((C.Op == O::Max || C.Op == O::Min) && Dims.size() == 1)
      return Value::sequence({V, Value::tensor(Out, nonNegInts())});
    return V;
  }

  //===-- Modules --------------------------------------------------------===//

  Value evalModuleCtor(const ir::ModuleCtorExpr &M, const SupportState &S) {
    Args A = evalArgs(M.Args, S);
    const ir::ModuleInfo &Info = M.info();
    auto Slot = [&](std::string_view Name) -> const Value * {
      auto I = ir::paramIndex(Info.CtorParams, Name);
      return I ? A.at(*I) : nullptr;
    };
    auto IntOf = [&](std::string_view Name, int64_t Def) {
      const Value *V = Slot(Name);
      if (!V)
        return Def;
      auto I = asInt(*V);
      return I ? *I : Shape::UnknownDim;
    };
    auto BoolOf = [&](std::string_view Name, bool Def) -> std::optional<bool> {
      const Value *V = Slot(Name);
      if (!V)
        return Def;
      return asBool(*V);
    };
    auto MV = std::make_shared<ModuleVal>();
    MV->Id = M.Module;
    using MI = ir::ModuleId;
    switch (M.Module) {
    case MI::Linear:
      MV->In = IntOf("in_features", Shape::UnknownDim);
      MV->Out = IntOf("out_features", Shape::UnknownDim);
      break;
    case MI::Bilinear:
      MV->In = IntOf("in1_features", Shape::UnknownDim);
      MV->Out = IntOf("out_features", Shape::UnknownDim);
      break;
    case MI::RNN:
    case MI::GRU: {
      MV->In = IntOf("input_size", Shape::UnknownDim);
      MV->Out = IntOf("hidden_size", Shape::UnknownDim);
      MV->Layers = IntOf("num_layers", 1);
      auto BF = BoolOf("batch_first", false), BD = BoolOf("bidirectional", false);
      if (!BF || !BD)
        MV->Layers = Shape::UnknownDim;
      MV->BatchFirst = BF.value_or(false);
      MV->Bidirectional = BD.value_or(false);
      break;
    }
    case MI::LSTMCell:
    case MI::GRUCell:
      MV->In = IntOf("input_size", Shape::UnknownDim);
      MV->Out = IntOf("hidden_size", Shape::UnknownDim);
      break;
    case MI::Sequential:
      for (const ir::ExprPtr &E : M.Members) {
        Value V = E ? eval(*E, S) : Value::top();
        MV->Members.push_back(V.only(Value::KModule) ? V.Mod : nullptr);
      }
      break;
    default:
      break;
    }
    Value V;
    V.Kinds = Value::KModule;
    V.Mod = MV;
    return V;
  }

  Value evalModuleCall(const ir::ModuleCallExpr &MC, const SupportState &S) {
    Value Callee = eval(*MC.Callee, S);
    std::vector<Value> As;
    for (const ir::ExprPtr &E : MC.Args)
      As.push_back(E ? eval(*E, S) : Value::top());
    if (!Callee.only(Value::KModule) || !Callee.Mod)
      return Value::top();
    return applyModule(*Callee.Mod, As, MC.Loc);
  }

  Value applyModule(const ModuleVal &M, const std::vector<Value> &As, SourceLoc Loc) {
    using MI = ir::ModuleId;
    const Value *X = As.empty() ? nullptr : &As[0];
    Shape In = X && X->isNumeric() ? X->shape() : Shape::unknown();
    const ir::ModuleInfo &Info = ir::moduleInfo(M.Id);
    auto LastDimCheck = [&](const char *What, int64_t Want) -> bool {
      if (!In.RankKnown || In.rank() == 0 || Want < 0)
        return true;
      int64_t Got = In.Dims.back();
      if (Got >= 0 && Got != Want) {
        error(std::string(What) + " expects inputs with last dimension " + std::to_string(Want) +
                  ", got a tensor of shape " + In.str(),
              Loc);
        return false;
      }
      return true;
    };
    auto Replace = [&](const Shape &S, int64_t D) {
      if (!S.RankKnown || S.rank() == 0)
        return Shape::unknown();
      Shape R = S;
      R.Dims.back() = D >= 0 ? D : Shape::UnknownDim;
      return R;
    };
    switch (M.Id) {
    case MI::Linear:
      if (!LastDimCheck("nn.Linear", M.In))
        return Value::top();
      return Value::tensor(Replace(In, M.Out));
    case MI::Bilinear:
      return Value::tensor(Replace(In, M.Out));
    case MI::RNN:
    case MI::GRU: {
      if (!LastDimCheck(M.Id == MI::RNN ? "nn.RNN" : "nn.GRU", M.In))
        return Value::top();
      int64_t Dirs = M.Bidirectional ? 2 : 1;
      int64_t H = M.Out >= 0 ? M.Out * Dirs : Shape::UnknownDim;
      Value Out = Value::tensor(Replace(In, H));
      int64_t L = M.Layers >= 0 ? M.Layers * Dirs : Shape::UnknownDim;
      Shape HN = Shape::unknown();
      if (In.RankKnown && In.rank() == 3)
        HN = Shape::of({L, M.BatchFirst ? In.Dims[0] : In.Dims[1], M.Out});
      else if (In.RankKnown && In.rank() == 2)
        HN = Shape::of({L, M.Out});
      return Value::sequence({Out, Value::tensor(HN)});
    }
    case MI::LSTMCell: {
      if (!LastDimCheck("nn.LSTMCell", M.In))
        return Value::top();
      Shape H = Replace(In, M.Out);
      return Value::sequence({Value::tensor(H), Value::tensor(H)});
    }
    case MI::GRUCell:
      if (!LastDimCheck("nn.GRUCell", M.In))
        return Value::top();
      return Value::tensor(Replace(In, M.Out));
    case MI::Sequential: {
      std::vector<Value> Cur = As;
      for (const auto &Mem : M.Members) {
        if (!Mem)
          return Value::top();
        Value R = applyModule(*Mem, Cur, Loc);
        Cur = {R};
      }
      return Cur.empty() ? Value::top() : Cur[0];
    }
    default: {
      // Activations, normalisation, dropout: the shape of the input.
      Interval Num = X && X->isNumeric() ? X->Num : Interval::top();
      Interval R = Interval::top();
      switch (M.Id) {
      case MI::ReLU:
        R = ival::relu(Num);
        break;
      case MI::Sigmoid:
        R = ival::sigmoid(Num);
        break;
      case MI::Tanh:
        R = ival::tanh(Num);
        break;
      case MI::Softplus:
        R = Interval::positive();
        break;
      case MI::Identity:
        R = Num;
        break;
      default:
        R = Info.Range == ir::ValueRange::SameSign ? Num : Interval::ofValueRange(Info.Range);
        break;
      }
      return Value::tensor(In, orTop(R));
    }
    }
  }

  //===-- Subscripts and attributes --------------------------------------===//

  Value evalAttribute(const ir::AttributeExpr &A, const SupportState &S) {
    Value B = eval(*A.Base, S);
    if (A.Name == "shape" && B.may(Value::KTensor)) {
      if (B.only(Value::KTensor) && B.shape().RankKnown)
        return shapeAsSequence(B.shape());
      if (B.Input)
        return shapeAsSequence(Shape::unknown(), B.Input);
      if (B.only(Value::KTensor))
        return shapeAsSequence(B.shape());
    }
    if (A.Name == "data" && B.isNumeric())
      return B;
    if (A.Name == "T" && B.only(Value::KTensor)) {
      Shape Sh = B.shape();
      if (Sh.RankKnown)
        std::reverse(Sh.Dims.begin(), Sh.Dims.end());
      return Value::tensor(Sh, B.Num);
    }
    if (A.Name == "ndim" && B.only(Value::KTensor)) {
      Shape Sh = B.shape();
      return Value::integer(Sh.RankKnown ? Interval::point(static_cast<double>(Sh.rank()))
                                         : nonNegInts());
    }
    if (B.only(Value::KModule) && B.Mod && B.Mod->Id == ir::ModuleId::Linear) {
      if (A.Name == "weight")
        return Value::tensor(Shape::of({B.Mod->Out, B.Mod->In}));
      if (A.Name == "bias")
        return Value::tensor(Shape::of({B.Mod->Out}));
    }
    return Value::top();
  }

  Value evalSubscript(const ir::SubscriptExpr &Sub, const SupportState &S) {
    Value B = eval(*Sub.Base, S);
    std::vector<const ir::Expr *> IdxE;
    std::vector<Value> Idx;
    for (const ir::ExprPtr &E : Sub.Indices) {
      IdxE.push_back(E.get());
      if (!E) {
        Idx.push_back(Value::top());
        continue;
      }
      if (ir::isa<ir::SliceExpr>(E.get()) || ir::isa<ir::EllipsisExpr>(E.get())) {
        Value O;
        O.Kinds = Value::KOther;
        Idx.push_back(O);
        if (const auto *Sl = ir::dyn_cast<ir::SliceExpr>(E.get())) {
          if (Sl->Lower)
            eval(*Sl->Lower, S);
          if (Sl->Upper)
            eval(*Sl->Upper, S);
          if (Sl->Step)
            eval(*Sl->Step, S);
        }
        continue;
      }
      Idx.push_back(eval(*E, S));
    }
    if (B.only(Value::KSeq)) {
      if (!B.ElemsKnown && B.ShapeOf && Idx.size() == 1)
        if (auto I = asInt(Idx[0]); I && *I >= 0 && *I < 64)
          return dimValue(Shape::inputDim(*B.ShapeOf, static_cast<uint32_t>(*I)));
      if (!B.ElemsKnown)
        return Value::top();
      if (Idx.size() == 1) {
        if (auto I = asInt(Idx[0])) {
          if (auto N = normDim(*I, B.Elems.size()))
            return B.Elems[*N];
          return Value::top();
        }
        if (const auto *Sl = ir::dyn_cast<ir::SliceExpr>(IdxE[0])) {
          auto L = sliceLength(*Sl, static_cast<int64_t>(B.Elems.size()), S);
          if (L.second && L.first.has_value()) {
            // Only the common forms [a:b] with step 1 are materialised.
            if (!Sl->Step) {
              int64_t N = static_cast<int64_t>(B.Elems.size());
              int64_t Lo = 0;
              if (Sl->Lower) {
                auto V = asInt(eval(*Sl->Lower, S));
                Lo = V ? *V : 0;
                if (Lo < 0)
                  Lo = std::max<int64_t>(0, Lo + N);
                Lo = std::min(Lo, N);
              }
              std::vector<Value> Es(B.Elems.begin() + Lo, B.Elems.begin() + Lo + *L.first);
              return Value::sequence(std::move(Es));
            }
          }
          Value V;
          V.Kinds = Value::KSeq;
          return V;
        }
      }
      Value J = Value::bottom();
      for (const Value &E : B.Elems)
        J = J.join(E);
      return J.isBottom() ? Value::top() : J;
    }
    if (!B.isNumeric() || !B.may(Value::KTensor)) {
      // An unknown container: with a slice, an ellipsis, a new axis or
      // several indices it is an array and the result is one (never None);
      // a single key may read anything (a dict entry may be None).
      bool ArrayIndex = Idx.size() > 1;
      for (size_t I = 0; I < Idx.size(); ++I)
        if ((IdxE[I] && (ir::isa<ir::SliceExpr>(IdxE[I]) || ir::isa<ir::EllipsisExpr>(IdxE[I]))) ||
            Idx[I].definitelyNone())
          ArrayIndex = true;
      if (ArrayIndex) {
        Value V = Value::top();
        V.Kinds &= ~Value::KNone;
        return V;
      }
      return Value::top();
    }
    Shape In = B.shape();
    if (!In.RankKnown)
      return Value::tensor(Shape::unknown(), B.Num);
    if (Sub.Vectorized)
      return evalVindex(Sub, B, IdxE, Idx);
    // Count the indices that consume a dimension.
    size_t Consuming = 0;
    bool HasEllipsis = false;
    for (size_t I = 0; I < Idx.size(); ++I) {
      if (IdxE[I] && ir::isa<ir::EllipsisExpr>(IdxE[I]))
        HasEllipsis = true;
      else if (!Idx[I].definitelyNone())
        ++Consuming;
    }
    if (Consuming > In.rank()) {
      if (B.only(Value::KTensor))
        error("too many indices (" + std::to_string(Consuming) + ") for a tensor of shape " +
                  In.str(),
              Sub.Loc);
      return Value::top();
    }
    std::vector<int64_t> Out;
    std::vector<Shape> AdvShapes;
    std::optional<size_t> AdvPos;
    bool AdvAdjacent = true;
    size_t LastAdv = 0;
    size_t Dim = 0;
    for (size_t I = 0; I < Idx.size(); ++I) {
      const Value &V = Idx[I];
      if (IdxE[I] && ir::isa<ir::EllipsisExpr>(IdxE[I])) {
        size_t Skip = In.rank() - Consuming;
        for (size_t K = 0; K < Skip; ++K)
          Out.push_back(In.Dims[Dim++]);
        continue;
      }
      if (V.definitelyNone()) {
        Out.push_back(1);
        continue;
      }
      if (const auto *Sl = IdxE[I] ? ir::dyn_cast<ir::SliceExpr>(IdxE[I]) : nullptr) {
        auto L = sliceLength(*Sl, In.Dims[Dim], S);
        Out.push_back(L.first ? *L.first : Shape::UnknownDim);
        ++Dim;
        continue;
      }
      if (V.only(Value::KInt | Value::KBool) && V.isNumber()) {
        ++Dim;
        continue;
      }
      if (V.isNumeric() && V.may(Value::KTensor)) {
        // A tensor of 0s and 1s may be a boolean mask: it consumes as many
        // dims as it has and leaves one of data-dependent length.
        if (V.Num.leq(Interval::closedUnit()))
          return Value::tensor(Shape::unknown(), B.Num);
        if (AdvPos && LastAdv + 1 != I)
          AdvAdjacent = false;
        if (!AdvPos)
          AdvPos = Out.size();
        LastAdv = I;
        AdvShapes.push_back(V.only(Value::KTensor) ? V.shape() : Shape::unknown());
        ++Dim;
        continue;
      }
      return Value::tensor(Shape::unknown(), B.Num);
    }
    (void)HasEllipsis;
    for (; Dim < In.rank(); ++Dim)
      Out.push_back(In.Dims[Dim]);
    Shape R = Shape::of(Out);
    if (AdvPos) {
      Shape AS = AdvShapes[0];
      for (size_t K = 1; K < AdvShapes.size(); ++K) {
        ShapeOutcome SO = broadcastShapes(AS, AdvShapes[K]);
        if (SO.failed()) {
          error("index tensors cannot be broadcast together: " + SO.Error, Sub.Loc);
          return Value::top();
        }
        AS = SO.S;
      }
      if (!AS.RankKnown)
        return Value::tensor(Shape::unknown(), B.Num);
      size_t Pos = AdvAdjacent ? *AdvPos : 0;
      R.Dims.insert(R.Dims.begin() + Pos, AS.Dims.begin(), AS.Dims.end());
    }
    return Value::tensor(R, B.Num);
  }

  /// Pyro's Vindex(x)[...] of a tensor \p B of known rank: the named dims are
  /// the rightmost after a leading `...`, else the leftmost; the index
  /// tensors broadcast with the dims left of them and each `:` keeps its dim
  /// on the right. What the backend refuses (other slices, None, an inner
  /// `...`) has an unknown shape here.
  Value evalVindex(const ir::SubscriptExpr &Sub, const Value &B, const std::vector<const ir::Expr *> &IdxE,
                   const std::vector<Value> &Idx) {
    const Shape In = B.shape();
    const bool Leading = !IdxE.empty() && IdxE[0] && ir::isa<ir::EllipsisExpr>(IdxE[0]);
    const size_t Named = Idx.size() - (Leading ? 1 : 0);
    if (Named > In.rank()) {
      if (B.only(Value::KTensor))
        error("too many indices (" + std::to_string(Named) + ") for a tensor of shape " + In.str(), Sub.Loc);
      return Value::top();
    }
    const size_t First = Leading ? In.rank() - Named : 0;
    Shape Batch = Shape::of(std::vector<int64_t>(In.Dims.begin(), In.Dims.begin() + First));
    std::vector<int64_t> Kept;
    for (size_t I = Leading ? 1 : 0, Dim = First; I < Idx.size(); ++I, ++Dim) {
      const Value &V = Idx[I];
      if (const auto *Sl = IdxE[I] ? ir::dyn_cast<ir::SliceExpr>(IdxE[I]) : nullptr) {
        if (Sl->Lower || Sl->Upper || Sl->Step)
          return Value::tensor(Shape::unknown(), B.Num);
        Kept.push_back(In.Dims[Dim]);
      } else if (V.only(Value::KInt) && V.isNumber()) {
        continue;
      } else if (V.isNumeric() && V.only(Value::KTensor)) {
        ShapeOutcome SO = broadcastShapes(Batch, V.shape());
        if (SO.failed()) {
          error("the index tensors of Vindex cannot be broadcast with the dims left of them: " + SO.Error, Sub.Loc);
          return Value::top();
        }
        Batch = SO.S;
      } else {
        return Value::tensor(Shape::unknown(), B.Num);
      }
    }
    if (!Batch.RankKnown)
      return Value::tensor(Shape::unknown(), B.Num);
    Kept.insert(Kept.end(), In.Dims.begin() + First + Named, In.Dims.end());
    return Value::tensor(concatShapes(Batch, Shape::of(std::move(Kept))), B.Num);
  }

  /// The length of slice \p Sl over a dimension of size \p N (-1 unknown);
  /// second = the bounds are constants.
  std::pair<std::optional<int64_t>, bool> sliceLength(const ir::SliceExpr &Sl, int64_t N,
                                                      const SupportState &S) {
    auto Get = [&](const ir::ExprPtr &E, bool &Ok) -> std::optional<int64_t> {
      if (!E)
        return std::nullopt;
      Value V = eval(*E, S);
      if (V.definitelyNone())
        return std::nullopt;
      auto I = asInt(V);
      if (!I)
        Ok = false;
      return I;
    };
    bool Ok = true;
    auto Lo = Get(Sl.Lower, Ok), Hi = Get(Sl.Upper, Ok), St = Get(Sl.Step, Ok);
    if (!Ok)
      return {std::nullopt, false};
    int64_t Step = St ? *St : 1;
    if (Step <= 0)
      return {std::nullopt, false};
    if (N < 0) {
      // Unknown size: only [a:b] with both bounds of the same sign is known.
      if (Lo && Hi && ((*Lo >= 0 && *Hi >= 0) || (*Lo < 0 && *Hi < 0)) && Step == 1)
        return {std::max<int64_t>(0, *Hi - *Lo), true};
      return {std::nullopt, true};
    }
    auto Clamp = [&](std::optional<int64_t> V, int64_t Def) {
      if (!V)
        return Def;
      int64_t X = *V < 0 ? *V + N : *V;
      return std::clamp<int64_t>(X, 0, N);
    };
    int64_t A = Clamp(Lo, 0), B = Clamp(Hi, N);
    if (B <= A)
      return {0, true};
    return {(B - A + Step - 1) / Step, true};
  }

  //===-- Distributions --------------------------------------------------===//

  std::shared_ptr<const DistVal> evalDist(const ir::DistributionExpr &D, const SupportState &S) {
    using DI = ir::DistId;
    Args A = evalArgs(D.Args, S);
    const ir::DistInfo &Info = D.info();
    auto R = std::make_shared<DistVal>();
    auto ShapeOf = [&](const Value *V) {
      return V && V->isNumeric() ? V->shape() : Shape::unknown();
    };
    auto First = [&](std::initializer_list<size_t> Slots) -> const Value * {
      for (size_t I : Slots)
        if (const Value *V = A.at(I); V && !V->definitelyNone())
          return V;
      return nullptr;
    };
    auto Broadcast = [&](Shape X, const Shape &Y) -> std::optional<Shape> {
      ShapeOutcome SO = broadcastShapes(X, Y);
      if (SO.failed()) {
        error("parameters of " + Info.Name + " cannot be broadcast together: " + SO.Error, D.Loc);
        return std::nullopt;
      }
      return SO.S;
    };
    auto LastDim = [](const Shape &Sh) {
      return Sh.RankKnown && Sh.rank() >= 1 ? Sh.Dims.back() : Shape::UnknownDim;
    };
    DistShape Sh;
    Interval Lo = Interval::top(), Hi = Interval::top();
    switch (D.Dist) {
    case DI::Opaque: {
      // Nothing is known of it: its shape, support and values (nor what its
      // transforms do to them).
      SupportDesc SD;
      SD.Dist = D.OpaqueName;
      SD.Kind = ir::SupportKind::Unknown;
      R->Supports = {SD};
      R->SupportUnknown = true;
      R->ShapeUnknown = true;
      R->Sh.Batch = Shape::unknown();
      R->Sh.Event = Shape::unknown();
      return R;
    }
    case DI::Categorical:
    case DI::OneHotCategorical: {
      Shape PS = ShapeOf(First({0, 1}));
      Sh.Batch = dropLast(PS, 1);
      int64_t N = LastDim(PS);
      if (D.Dist == DI::OneHotCategorical)
        Sh.Event = Shape::of({N});
      Hi = N >= 1 ? Interval::point(static_cast<double>(N - 1)) : nonNegInts();
      break;
    }
    case DI::Dirichlet: {
      Shape CS = ShapeOf(A.at(0));
      Sh.Batch = dropLast(CS, 1);
      Sh.Event = Shape::of({LastDim(CS)});
      break;
    }
    case DI::MultivariateNormal: {
      Shape LS = ShapeOf(A.at(0));
      const Value *MV = First({1, 2, 3});
      Shape MS = ShapeOf(MV);
      auto B = Broadcast(dropLast(LS, 1), MV ? dropLast(MS, 2) : Shape::scalar());
      if (!B)
        return R;
      Sh.Batch = *B;
      int64_t N = LastDim(LS);
      if (N < 0)
        N = LastDim(MS);
      Sh.Event = Shape::of({N});
      break;
    }
    case DI::Multinomial: {
      Hi = A.at(0) ? (A.at(0)->isNumeric() ? A.at(0)->Num : Interval::top()) : Interval::point(1);
      Shape PS = ShapeOf(First({1, 2}));
      auto B = Broadcast(A.at(0) ? ShapeOf(A.at(0)) : Shape::scalar(), dropLast(PS, 1));
      if (!B)
        return R;
      Sh.Batch = *B;
      Sh.Event = Shape::of({LastDim(PS)});
      break;
    }
    case DI::Delta: {
      Shape VS = ShapeOf(A.at(0));
      int64_t K = 0;
      if (const Value *E = A.at(2)) {
        auto I = asInt(*E);
        if (!I || *I < 0) {
          Sh.Batch = Shape::unknown();
          Sh.Event = Shape::unknown();
          break;
        }
        K = *I;
      }
      if (VS.RankKnown && static_cast<size_t>(K) > VS.rank()) {
        error("Delta with event_dim=" + std::to_string(K) + " of a value of shape " + VS.str(),
              D.Loc);
        return R;
      }
      Sh.Batch = dropLast(VS, static_cast<size_t>(K));
      Sh.Event = takeLast(VS, static_cast<size_t>(K));
      R->Range = A.at(0) && A.at(0)->isNumeric() ? A.at(0)->Num : Interval::top();
      break;
    }
    case DI::MaskedMixture: {
      const Value *C0 = A.at(1), *C1 = A.at(2);
      if (!C0 || !C1 || !C0->only(Value::KDist) || !C1->only(Value::KDist) || !C0->Dist ||
          !C1->Dist) {
        R->SupportUnknown = true;
        R->ShapeUnknown = true;
        return R;
      }
      auto B = Broadcast(ShapeOf(A.at(0)), C0->Dist->Sh.Batch);
      if (!B)
        return R;
      auto B2 = Broadcast(*B, C1->Dist->Sh.Batch);
      if (!B2)
        return R;
      Sh.Batch = *B2;
      Sh.Event = C0->Dist->Sh.Event;
      R->Supports = C0->Dist->Supports;
      for (const SupportDesc &X : C1->Dist->Supports)
        if (std::find(R->Supports.begin(), R->Supports.end(), X) == R->Supports.end())
          R->Supports.push_back(X);
      R->SupportUnknown = C0->Dist->SupportUnknown || C1->Dist->SupportUnknown;
      R->ShapeUnknown = C0->Dist->ShapeUnknown || C1->Dist->ShapeUnknown;
      R->Range = C0->Dist->Range.join(C1->Dist->Range);
      break;
    }
    default: {
      Shape B = Shape::scalar();
      for (size_t I = 0; I < A.V.size(); ++I) {
        const Value *V = A.at(I);
        if (!V || V->definitelyNone())
          continue;
        if (I < Info.Params.size() && (Info.Params[I].Domain == "dist"))
          continue;
        auto Nb = Broadcast(B, ShapeOf(V));
        if (!Nb)
          return R;
        B = *Nb;
      }
      Sh.Batch = B;
      if (D.Dist == DI::Uniform) {
        Lo = A.at(0) && A.at(0)->isNumeric() ? A.at(0)->Num : Interval::top();
        Hi = A.at(1) && A.at(1)->isNumeric() ? A.at(1)->Num : Interval::top();
      } else if (D.Dist == DI::Binomial) {
        Hi = A.at(0) ? (A.at(0)->isNumeric() ? A.at(0)->Num : Interval::top()) : Interval::point(1);
      }
      break;
    }
    }
    if (D.Dist != DI::MaskedMixture) {
      SupportDesc SD = supportOf(D.Dist, Lo, Hi);
      R->Supports = {SD};
      if (SD.measure() != BaseMeasure::Dirac && SD.measure() != BaseMeasure::Unknown) {
        double L0 = SD.LoMin, H1 = SD.HiMax;
        if (L0 <= H1 && !(L0 == -Inf && H1 == Inf))
          R->Range = L0 == -Inf ? Interval::atMost(H1)
                                : (H1 == Inf ? Interval::atLeast(L0) : Interval::closed(L0, H1));
        if (SD.measure() == BaseMeasure::Counting || SD.measure() == BaseMeasure::OneHot)
          R->Range = R->Range.integral().isBottom() ? R->Range : R->Range.integral();
      }
      if (SD.measure() == BaseMeasure::Unknown)
        R->SupportUnknown = true;
    }
    for (const ir::DistTransform &T : D.Transforms) {
      SourceLoc TL = T.Loc.valid() ? T.Loc : D.Loc;
      Value V = T.Arg ? eval(*T.Arg, S) : Value::none();
      std::string Err;
      switch (T.Kind) {
      case ir::DistTransformKind::ToEvent:
      case ir::DistTransformKind::Independent: {
        if (!T.Arg || V.definitelyNone()) {
          Err = applyToEvent(Sh, std::nullopt);
          break;
        }
        auto N = asInt(V);
        if (!N) {
          Sh.Batch = Shape::unknown();
          Sh.Event = Shape::unknown();
          break;
        }
        Err = applyToEvent(Sh, *N);
        break;
      }
      case ir::DistTransformKind::ExpandBy: {
        auto L = sizeList({&V});
        Err = applyExpandBy(Sh, shapeOfSizes(L));
        break;
      }
      case ir::DistTransformKind::Expand: {
        auto L = sizeList({&V});
        Err = applyExpand(Sh, shapeOfSizes(L));
        break;
      }
      case ir::DistTransformKind::Mask: {
        // Pyro broadcasts a tensor mask with the batch shape (and expands
        // the distribution to it); a Python bool changes nothing.
        if (!T.Arg || V.only(Value::KBool))
          break;
        Shape MS = V.isNumeric() ? V.shape() : Shape::unknown();
        ShapeOutcome O = broadcastShapes(MS, Sh.Batch);
        if (O.failed())
          Err = "the mask of shape " + MS.str() + " does not broadcast with the batch shape " +
                Sh.Batch.str() + ": " + O.Error;
        else
          Sh.Batch = O.S;
        break;
      }
      case ir::DistTransformKind::BijectToInterval: {
        // The draw mapped onto the target's support: Uniform(low, high)'s
        // interval or a Dirichlet's simplex, else (0, 1). An interval keeps
        // the shapes; stick-breaking maps K - 1 entries onto K.
        if (T.Arg && V.Dist) {
          R->Supports = V.Dist->Supports;
          R->SupportUnknown = V.Dist->SupportUnknown;
          R->Range = V.Dist->Range;
          if (cast<ir::DistributionExpr>(T.Arg.get())->info().Support == ir::SupportKind::Simplex) {
            if (!Sh.Event.RankKnown || Sh.Event.rank() == 0 || V.Dist->ShapeUnknown) {
              Sh.Batch = Shape::unknown();
              Sh.Event = Shape::unknown();
            } else if (Sh.Event.Dims.back() >= 0) {
              Sh.Event.Dims.back() += 1;
            }
          }
        } else if (T.Arg) {
          R->Supports.clear();
          R->SupportUnknown = true;
          R->Range = Interval::top();
        } else {
          R->Supports = {supportOf(DI::Beta, Interval::top(), Interval::top())};
          R->SupportUnknown = false;
          R->Range = Interval::open(0, 1);
        }
        for (SupportDesc &X : R->Supports)
          X.Dist = Info.Name;
        break;
      }
      }
      if (!Err.empty()) {
        error(Err, TL);
        return R;
      }
    }
    R->Sh = Sh;
    return R;
  }
};

} // namespace

ProgramAnalysis analyzeProgram(const ir::Program &P, const SupportOptions &Opts, const ir::Program *Pair) {
  ProgramAnalysis R;
  Interp I(P, Opts, R.Errors, Pair);
  R.Final = I.run();
  // An opaque call that may run user code may sample names no statement shows.
  if (!R.Final.isBottom())
    for (const std::string &Callee : P.OpaqueUserCode)
      R.Final.DynKeys.insert(opaqueKey(Callee));
  std::sort(R.Errors.begin(), R.Errors.end(),
            [](const ShapeError &A, const ShapeError &B) { return A.Loc < B.Loc; });
  return R;
}

} // namespace svic::analysis::support
