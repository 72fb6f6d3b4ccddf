//===- AutoGuide.cpp - Pyro's autoguides synthesised from the model's IR --===//

#include "AutoGuide.h"

#include "Reach.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

namespace svic::frontend {

namespace {

using namespace svic::ir;

const std::vector<std::string> &autoGuideClasses() {
  static const std::vector<std::string> Classes = {
      "AutoNormal",         "AutoDiagonalNormal", "AutoMultivariateNormal",
      "AutoLowRankMultivariateNormal", "AutoDelta", "AutoLaplaceApproximation"};
  return Classes;
}

//===-- Finding the construction in the AST ----------------------------------===//

/// The last component of a callee: `AutoNormal`, `autoguide.AutoNormal`.
std::string calleeName(const ast::Expr &F) {
  if (auto *N = ir::dyn_cast<ast::Name>(&F))
    return N->Id;
  if (auto *A = ir::dyn_cast<ast::Attribute>(&F))
    return A->Attr;
  return "";
}

/// Whether \p E names the model entry: `model`, `x.method` for a method, or
/// an instance (one of \p Instances) when the entry is `Class.forward`.
bool namesModel(const ast::Expr &E, const std::string &ModelEntry,
                const std::set<std::string> &Instances) {
  size_t Dot = ModelEntry.find('.');
  std::string Fn = Dot == std::string::npos ? ModelEntry : ModelEntry.substr(Dot + 1);
  if (auto *N = ir::dyn_cast<ast::Name>(&E))
    return Dot == std::string::npos ? N->Id == Fn : Instances.count(N->Id) > 0;
  if (auto *A = ir::dyn_cast<ast::Attribute>(&E))
    return A->Attr == Fn;
  return false;
}

/// Names bound to `Class(...)` anywhere in \p B (`model = Regression(3)`).
void collectInstances(const ast::Body &B, const std::string &Class, std::set<std::string> &Out) {
  forEachConstruction(B, [&](const std::string &Var, const std::string &Cls) {
    if (Cls == Class)
      Out.insert(Var);
  });
}

/// The objects calling the model entry when it is `Class.forward` (or
/// `__call__`): the instances of Class the file builds.
void entryInstances(const ast::Module &M, const std::string &ModelEntry,
                    std::set<std::string> &Out) {
  size_t Dot = ModelEntry.find('.');
  if (Dot != std::string::npos &&
      (ModelEntry.substr(Dot + 1) == "forward" || ModelEntry.substr(Dot + 1) == "__call__"))
    collectInstances(M.Stmts, ModelEntry.substr(0, Dot), Out);
}

/// A list or tuple of string literals.
std::optional<std::vector<std::string>> nameList(const ast::Expr &E) {
  auto *S = ir::dyn_cast<ast::Sequence>(&E);
  if (!S)
    return std::nullopt;
  std::vector<std::string> Out;
  for (const ast::ExprPtr &X : S->Elts) {
    auto *C = ir::dyn_cast<ast::Constant>(X.get());
    if (!C || C->Ty != ast::Constant::Type::Str)
      return std::nullopt;
    Out.push_back(C->Str);
  }
  return Out;
}

struct Finder {
  const std::string &ModelEntry, &OnlyClass;
  DiagnosticEngine &DE;
  std::set<std::string> Instances; ///< of the entry's class, for `Class.forward`
  std::optional<AutoGuideRequest> Found;
  bool Stop = false; ///< an AutoGuideList svic cannot model: no single autoguide is the guide
  /// Constructions of the class asked for, of another model argument.
  std::vector<AutoGuideRequest> OfClass;
  /// The module's and the enclosing functions' bodies, innermost last: a
  /// hide_fn/expose_fn passed by name is a def of one of them.
  std::vector<const ast::Body *> Scopes;

  /// The filter of `hide_fn=E`/`expose_fn=E`: a lambda, or the name of the
  /// one def of that name in the innermost scope that defines it.
  std::optional<NameFilter> filterOf(const ast::Expr &E) const {
    auto *N = ir::dyn_cast<ast::Name>(&E);
    if (!N)
      return parseNameFilter(E);
    for (auto It = Scopes.rbegin(); It != Scopes.rend(); ++It) {
      const ast::FunctionDef *Def = nullptr;
      size_t Count = 0;
      for (const ast::StmtPtr &S : **It)
        if (auto *F = ir::dyn_cast<ast::FunctionDef>(S.get()); F && F->Name == N->Id) {
          Def = F;
          ++Count;
        }
      if (Count > 0)
        return Count == 1 ? parseNameFilter(*Def) : std::nullopt;
    }
    return std::nullopt;
  }

  /// The request of the construction \p C of autoguide \p Cls, and whether
  /// it is built from the model entry; nullopt for a construction without a
  /// model argument, or after a located error (Found then stops the search).
  std::optional<AutoGuideRequest> request(const ast::Call &C, const std::string &Cls,
                                          bool &OfModel) {
    OfModel = false;
    const ast::Expr *Arg = nullptr;
    for (const ast::Arg &A : C.Args)
      if ((A.K == ast::Arg::Kind::Positional && !Arg) ||
          (A.K == ast::Arg::Kind::Keyword && A.Name == "model"))
        Arg = A.Value.get();
    if (!Arg)
      return std::nullopt;
    AutoGuideRequest Req;
    Req.Class = Cls;
    Req.Loc = C.Loc;
    Req.Constructed = true;
    if (auto *B = ir::dyn_cast<ast::Call>(Arg); B && calleeName(*B->Func) == "block") {
      const ast::Expr *Inner = nullptr;
      for (const ast::Arg &A : B->Args) {
        if (A.K == ast::Arg::Kind::Positional && !Inner) {
          Inner = A.Value.get();
          continue;
        }
        std::optional<std::vector<std::string>> L;
        std::optional<NameFilter> Fn;
        if (A.K == ast::Arg::Kind::Keyword && (A.Name == "hide" || A.Name == "expose"))
          L = nameList(*A.Value);
        else if (A.K == ast::Arg::Kind::Keyword && (A.Name == "hide_fn" || A.Name == "expose_fn"))
          Fn = filterOf(*A.Value);
        if (!L && !Fn) {
          DE.report(DiagId::AutoGuide, A.Loc,
                    "poutine.block around the model of " + Cls +
                        ": only hide=[...] and expose=[...] with literal site names, and "
                        "hide_fn/expose_fn lambdas or one-line defs testing msg[\"name\"] "
                        "(startswith, endswith, ==, in a literal list, also on msg[\"name\"][:k], "
                        "not/and/or) are modelled");
          Found = Req; // stop the search; the error stands
          return std::nullopt;
        }
        if (Fn)
          Req.HideFn = A.Name == "hide_fn" ? std::move(*Fn)
                                           : NameFilter{NameFilter::Kind::Not, "", {std::move(*Fn)}};
        else
          (A.Name == "hide" ? Req.Hide : Req.Expose) = std::move(*L);
      }
      OfModel = Inner && namesModel(*Inner, ModelEntry, Instances);
    } else {
      OfModel = namesModel(*Arg, ModelEntry, Instances);
    }
    return Req;
  }

  void listNotModelled(SourceLoc L, const std::string &Why) {
    DE.report(DiagId::AutoGuide, Severity::Warning, L,
              "AutoGuideList " + Why +
                  ": the model is analysed without a guide (write the "
                  "guide, or name one autoguide class with --guide-fn)");
    Stop = true;
  }

  void call(const ast::Call &C) {
    std::string Cls = calleeName(*C.Func);
    // A list body() did not take as `List = AutoGuideList(model)`: its parts
    // would each be taken for the whole guide.
    if (Cls == "AutoGuideList" && OnlyClass.empty())
      return listNotModelled(C.Loc, "built other than as 'name = AutoGuideList(model)'");
    if (!isAutoGuideClass(Cls) || (!OnlyClass.empty() && Cls != OnlyClass))
      return;
    bool OfModel = false;
    std::optional<AutoGuideRequest> Req = request(C, Cls, OfModel);
    if (!Req)
      return;
    if (OfModel)
      Found = std::move(*Req);
    else
      OfClass.push_back(std::move(*Req));
  }

  /// `List = AutoGuideList(model)` at \p At in \p B, its parts the autoguides
  /// the following statements of \p B append (`List.append(AutoNormal(
  /// poutine.block(model, hide=[...])))`, or the deprecated `add`).
  void guideList(const ast::Body &B, size_t At, const std::string &List, const ast::Call &C) {
    bool OfModel = false;
    std::optional<AutoGuideRequest> Req = request(C, "AutoGuideList", OfModel);
    if (!Req || !OfModel) {
      if (Req)
        OfClass.push_back(std::move(*Req));
      return;
    }
    for (size_t I = At + 1; I < B.size(); ++I) {
      auto *E = ir::dyn_cast<ast::ExprStmt>(B[I].get());
      auto *Add = E ? ir::dyn_cast<ast::Call>(E->Value.get()) : nullptr;
      auto *M = Add ? ir::dyn_cast<ast::Attribute>(Add->Func.get()) : nullptr;
      auto *Of = M ? ir::dyn_cast<ast::Name>(M->Value.get()) : nullptr;
      if (!Of || Of->Id != List || (M->Attr != "append" && M->Attr != "add"))
        continue;
      auto *Part =
          Add->Args.size() == 1 ? ir::dyn_cast<ast::Call>(Add->Args[0].Value.get()) : nullptr;
      std::string Cls = Part ? calleeName(*Part->Func) : "";
      bool PartOfModel = false;
      std::optional<AutoGuideRequest> P =
          isAutoGuideClass(Cls) ? request(*Part, Cls, PartOfModel) : std::nullopt;
      if (Found)
        return; // a located error in the part
      if (!P || !PartOfModel)
        return listNotModelled(Add->Loc, "part that is not an autoguide of the model");
      Req->Parts.push_back(std::move(*P));
    }
    if (Req->Parts.empty())
      return listNotModelled(C.Loc, "without parts appended where it is built");
    Found = std::move(*Req);
  }

  void expr(ast::Expr &E) {
    if (Found || Stop)
      return;
    if (auto *C = ir::dyn_cast<ast::Call>(&E))
      call(*C);
    if (!Found && !Stop)
      ast::forEachChild(E, [&](ast::Expr &X) { expr(X); });
  }

  void body(const ast::Body &B) {
    for (size_t I = 0; I < B.size(); ++I) {
      if (Found || Stop)
        return;
      if (auto *A = ir::dyn_cast<ast::Assign>(B[I].get()); A && A->Targets.size() == 1)
        if (auto *V = ir::dyn_cast<ast::Name>(A->Targets[0].get()))
          if (auto *C = ir::dyn_cast<ast::Call>(A->Value.get());
              C && calleeName(*C->Func) == "AutoGuideList" && OnlyClass.empty()) {
            guideList(B, I, V->Id, *C);
            continue;
          }
      stmt(*B[I]);
    }
  }

  void stmt(const ast::Stmt &S) {
    auto E = [&](const ast::ExprPtr &X) {
      if (X)
        expr(*X);
    };
    switch (S.Kind) {
    case ast::StmtKind::Expr:
      return E(ir::cast<ast::ExprStmt>(&S)->Value);
    case ast::StmtKind::Assign:
      return E(ir::cast<ast::Assign>(&S)->Value);
    case ast::StmtKind::AnnAssign:
      return E(ir::cast<ast::AnnAssign>(&S)->Value);
    case ast::StmtKind::Return:
      return E(ir::cast<ast::Return>(&S)->Value);
    case ast::StmtKind::If: {
      auto *I = ir::cast<ast::If>(&S);
      E(I->Test);
      body(I->Then);
      return body(I->OrElse);
    }
    case ast::StmtKind::For: {
      auto *F = ir::cast<ast::For>(&S);
      E(F->Iter);
      body(F->Loop);
      return body(F->OrElse);
    }
    case ast::StmtKind::While:
      return body(ir::cast<ast::While>(&S)->Loop);
    case ast::StmtKind::With: {
      auto *W = ir::cast<ast::With>(&S);
      for (const ast::WithItem &I : W->Items)
        E(I.Context);
      return body(W->Inner);
    }
    case ast::StmtKind::FunctionDef: {
      const ast::Body &Inner = ir::cast<ast::FunctionDef>(&S)->Inner;
      Scopes.push_back(&Inner);
      body(Inner);
      Scopes.pop_back();
      return;
    }
    case ast::StmtKind::ClassDef:
      return body(ir::cast<ast::ClassDef>(&S)->Inner);
    case ast::StmtKind::Try: {
      auto *T = ir::cast<ast::Try>(&S);
      body(T->Inner);
      for (const auto &H : T->Handlers)
        body(H.Inner);
      body(T->OrElse);
      return body(T->Finally);
    }
    default:
      return;
    }
  }
};

//===-- Building the guide's IR -----------------------------------------------===//

/// Appends to \p G the guide one autoguide builds from the model \p M: its
/// params named \p Prefix + Pyro's suffixes (`AutoNormal.locs.z`, or
/// `AutoGuideList.0.locs.z` for a part of a list), its sites after the
/// model's deterministic statements, which it replays for their shapes.
class Synth {
public:
  Synth(const Program &M, const AutoGuideRequest &Req, DiagnosticEngine &DE, Program &G,
        std::string Prefix)
      : M(M), Req(Req), DE(DE), G(&G), Prefix(std::move(Prefix)) {}

  bool run() {
    Packed = autoGuideIsMarginal(Req.Class);
    if (Packed)
      packedParams(G->Body);
    block(M.Body, G->Body);
    if (Failed)
      return false;
    if (Packed && Latents == 0) {
      // Pyro: "found no latent variables; Use an empty guide instead".
      DE.report(DiagId::AutoGuide, Req.Loc,
                Req.Class + " found no latent variables in the model (Pyro raises for it)");
      return false;
    }
    return true;
  }

private:
  const Program &M;
  const AutoGuideRequest &Req;
  DiagnosticEngine &DE;
  Program *G;
  const std::string Prefix; ///< of the param names
  bool Failed = false, Packed = false;
  unsigned Latents = 0;
  unsigned SequentialPlates = 0; ///< enclosing `for ... in pyro.plate`
  std::vector<const PlateInfo *> VecPlates; ///< enclosing `with pyro.plate`, outermost first
  VarId PackedLoc = 0, PackedStd = 0;

  // Expression builders; every node is located at the model site it stands for.
  ExprPtr ref(VarId V, SourceLoc L) {
    auto R = G->make<VarRefExpr>(L);
    R->Var = V;
    return R;
  }
  ExprPtr num(double X, SourceLoc L) {
    auto C = G->make<ConstantExpr>(L);
    C->Ty = ConstantExpr::Type::Float;
    C->FloatValue = X;
    return C;
  }
  ExprPtr integer(int64_t X, SourceLoc L) {
    auto C = G->make<ConstantExpr>(L);
    C->Ty = ConstantExpr::Type::Int;
    C->IntValue = X;
    return C;
  }
  ExprPtr call(OpId Op, std::vector<ExprPtr> Args, SourceLoc L) {
    auto C = G->make<CallExpr>(L);
    C->Op = Op;
    C->Args.Args = std::move(Args);
    return C;
  }
  ExprPtr bin(BinaryOp Op, ExprPtr A, ExprPtr B, SourceLoc L) {
    auto E = G->make<BinaryExpr>(L);
    E->Op = Op;
    E->Lhs = std::move(A);
    E->Rhs = std::move(B);
    return E;
  }
  /// `E[..., :-1]`: the unconstrained coordinates of a simplex value of
  /// shape E's (biject_to(simplex) maps K - 1 reals onto K entries).
  ExprPtr dropLastEntry(ExprPtr E, SourceLoc L) {
    auto S = G->make<SubscriptExpr>(L);
    S->Base = std::move(E);
    S->Indices.push_back(G->make<EllipsisExpr>(L));
    auto Sl = G->make<SliceExpr>(L);
    Sl->Upper = integer(-1, L);
    S->Indices.push_back(std::move(Sl));
    return S;
  }
  /// torch's StickBreakingTransform (biject_to(simplex)) of \p X, as torch
  /// computes it: z = clamp(sigmoid(x - log(offset)), tiny, 1 - eps) with
  /// offset = K, K - 1, ..., 1 for K = X.shape[-1], then
  /// y = pad(z, [0, 1], 1) * pad(cumprod(1 - z), [1, 0], 1); and the log
  /// density Pyro's AutoContinuous gives the Delta site, the inverse's
  /// log|det J| = -sum(-s + logsigmoid(s) + log(y[..., :-1])) with
  /// s = x - log(offset) (logsigmoid(s) = -softplus(-s)).
  std::pair<ExprPtr, ExprPtr> stickBreaking(ExprPtr X, SourceLoc L, Block &Out) {
    auto temp = [&](const std::string &Name, ExprPtr V, SourceLoc At) {
      VarId T = G->addVar(Name, VarKind::Temp, At);
      assign(T, std::move(V), At, Out);
      return T;
    };
    auto Call = [&](OpId Op, std::vector<ExprPtr> A) { return call(Op, std::move(A), L); };
    auto Args = [](auto... Xs) {
      std::vector<ExprPtr> V;
      (V.push_back(std::move(Xs)), ...);
      return V;
    };
    VarId XV = temp("stick_breaking_input", std::move(X), L);
    ExprPtr Ones = Call(OpId::OnesLike, Args(ref(XV, L)));
    ExprPtr Count = Call(
        OpId::Sum, Args(Call(OpId::OnesLike, Args(ref(XV, L))), integer(-1, L), boolean(true, L)));
    ExprPtr Offset = bin(BinaryOp::Sub, bin(BinaryOp::Add, std::move(Count), num(1, L), L),
                         Call(OpId::Cumsum, Args(std::move(Ones), integer(-1, L))), L);
    VarId Shifted =
        temp("stick_breaking_shifted",
             bin(BinaryOp::Sub, ref(XV, L), Call(OpId::Log, Args(std::move(Offset))), L), L);
    // float32's finfo, the dtype Pyro's guides run in.
    VarId Z = temp("stick_breaking_z",
                   Call(OpId::Clamp, Args(Call(OpId::Sigmoid, Args(ref(Shifted, L))),
                                          num(std::numeric_limits<float>::min(), L),
                                          num(1.0 - std::numeric_limits<float>::epsilon(), L))),
                   L);
    ExprPtr Rest =
        Call(OpId::Cumprod, Args(bin(BinaryOp::Sub, num(1, L), ref(Z, L), L), integer(-1, L)));
    auto Pad = [&](ExprPtr E, int64_t Before, int64_t After) {
      auto Widths = G->makeSequence(ExprKind::List, L);
      Widths->Elements.push_back(integer(Before, L));
      Widths->Elements.push_back(integer(After, L));
      return Call(OpId::FPad, Args(std::move(E), ExprPtr(std::move(Widths)), nullptr, num(1, L)));
    };
    VarId Y = temp("stick_breaking_y",
                   bin(BinaryOp::Mul, Pad(ref(Z, L), 0, 1), Pad(std::move(Rest), 1, 0), L), L);
    auto Neg = [&](ExprPtr E) {
      auto U = G->make<UnaryExpr>(L);
      U->Op = UnaryOp::Neg;
      U->Operand = std::move(E);
      return ExprPtr(std::move(U));
    };
    ExprPtr LogSigmoid = Neg(Call(OpId::FSoftplus, Args(Neg(ref(Shifted, L)))));
    ExprPtr Terms =
        bin(BinaryOp::Add, bin(BinaryOp::Add, Neg(ref(Shifted, L)), std::move(LogSigmoid), L),
            Call(OpId::Log, Args(dropLastEntry(ref(Y, L), L))), L);
    return {ref(Y, L), Neg(Call(OpId::Sum, Args(std::move(Terms), integer(-1, L))))};
  }
  ExprPtr boolean(bool B, SourceLoc L) {
    auto C = G->make<ConstantExpr>(L);
    C->Ty = ConstantExpr::Type::Bool;
    C->BoolValue = B;
    return C;
  }
  std::unique_ptr<ConstraintExpr> constraint(ConstraintId C, SourceLoc L) {
    auto E = G->make<ConstraintExpr>(L);
    E->Constraint = C;
    return E;
  }
  SiteName literal(const std::string &Name, SourceLoc L) {
    SiteName N;
    N.Canonical = Name;
    N.Loc = L;
    return N;
  }
  /// \p Prefix + the site's name, keeping a template's fields.
  SiteName prefixed(const std::string &Prefix, const SiteName &Site) {
    SiteName N;
    N.NameForm = Site.NameForm;
    N.Canonical = Prefix + Site.Canonical;
    N.Loc = Site.Loc;
    for (const ExprPtr &I : Site.Indices)
      N.Indices.push_back(cloneExpr(*I, *G));
    if (Site.DynamicExpr)
      N.DynamicExpr = cloneExpr(*Site.DynamicExpr, *G);
    return N;
  }
  SiteName copyName(const SiteName &Site) { return prefixed("", Site); }

  /// `V = pyro.param(Name, Init, constraint=C)`; returns V.
  VarId param(SiteName Name, ExprPtr Init, std::unique_ptr<ConstraintExpr> C, SourceLoc L,
              Block &Out) {
    VarId V = G->addVar(Name.Canonical, VarKind::Temp, L);
    auto P = G->make<ParamStmt>(L);
    P->Target = V;
    P->Name = std::move(Name);
    P->Init = std::move(Init);
    P->Constraint = std::move(C);
    Out.push_back(std::move(P));
    return V;
  }

  /// The packed latent vector's parameters and the per-entry marginal scale
  /// (Pyro's `_loc_scale`), before the model's statements.
  void packedParams(Block &Out) {
    SourceLoc L = Req.Loc;
    const std::string &C = Req.Class;
    PackedLoc = param(literal(Prefix + ".loc", L), nullptr, nullptr, L, Out);
    if (C == "AutoLaplaceApproximation")
      return;
    VarId Scale = param(literal(Prefix + ".scale", L), nullptr,
                        constraint(ConstraintId::SoftplusPositive, L), L, Out);
    ExprPtr Std;
    if (C == "AutoDiagonalNormal") {
      Std = ref(Scale, L);
    } else if (C == "AutoMultivariateNormal") {
      VarId Tril = param(literal(Prefix + ".scale_tril", L), nullptr,
                         constraint(ConstraintId::LowerCholesky, L), L, Out);
      std::vector<ExprPtr> U;
      U.push_back(ref(Scale, L));
      U.push_back(integer(-1, L));
      ExprPtr ScaleTril = bin(BinaryOp::Mul, call(OpId::Unsqueeze, std::move(U), L), ref(Tril, L), L);
      Std = sqrtSumSquares(std::move(ScaleTril), nullptr, L);
    } else { // AutoLowRankMultivariateNormal
      VarId Factor = param(literal(Prefix + ".cov_factor", L), nullptr, nullptr, L, Out);
      Std = bin(BinaryOp::Mul, ref(Scale, L), sqrtSumSquares(ref(Factor, L), num(1, L), L), L);
    }
    PackedStd = G->addVar(Prefix + ".std", VarKind::Temp, L);
    auto A = G->make<AssignStmt>(L);
    A->Target = PackedStd;
    A->Value = std::move(Std);
    Out.push_back(std::move(A));
  }

  /// `(X.pow(2).sum(-1) + Plus).sqrt()`
  ExprPtr sqrtSumSquares(ExprPtr X, ExprPtr Plus, SourceLoc L) {
    std::vector<ExprPtr> P, S, R;
    P.push_back(std::move(X));
    P.push_back(num(2, L));
    S.push_back(call(OpId::Pow, std::move(P), L));
    S.push_back(integer(-1, L));
    ExprPtr Sum = call(OpId::Sum, std::move(S), L);
    if (Plus)
      Sum = bin(BinaryOp::Add, std::move(Sum), std::move(Plus), L);
    R.push_back(std::move(Sum));
    return call(OpId::Sqrt, std::move(R), L);
  }

  /// Whether a name the template \p T spells (each `{}` any text, `{{` and
  /// `}}` a brace) may be \p Name.
  static bool templateMayMatch(const std::string &T, const std::string &Name) {
    std::vector<std::string> Parts(1);
    for (size_t I = 0; I < T.size(); ++I) {
      if ((T[I] == '{' || T[I] == '}') && I + 1 < T.size() && T[I + 1] == T[I]) {
        Parts.back() += T[I++];
      } else if (T[I] == '{' && I + 1 < T.size() && T[I + 1] == '}') {
        Parts.emplace_back();
        ++I;
      } else {
        Parts.back() += T[I];
      }
    }
    // The first part is a prefix, the last a suffix, the others in order between.
    if (Name.compare(0, Parts.front().size(), Parts.front()) != 0)
      return false;
    size_t At = Parts.front().size();
    for (size_t K = 1; K + 1 < Parts.size(); ++K) {
      size_t F = Name.find(Parts[K], At);
      if (F == std::string::npos)
        return false;
      At = F + Parts[K].size();
    }
    const std::string &Last = Parts.back();
    return Parts.size() == 1 ? At == Name.size()
                             : Name.size() >= At + Last.size() &&
                                   Name.compare(Name.size() - Last.size(), Last.size(), Last) == 0;
  }

  bool exposed(const SampleStmt &S) {
    if (Req.HideFn) {
      std::optional<bool> Hidden =
          S.Name.NameForm == SiteName::Form::Dynamic
              ? std::nullopt
              : Req.HideFn->eval(S.Name.Canonical, S.Name.NameForm == SiteName::Form::Template);
      if (!Hidden) {
        error(S.Loc, "poutine.block's hide_fn/expose_fn around the model cannot be decided for "
                     "the site '" + S.Name.Canonical + "' from its name's literal text");
        return false;
      }
      return !*Hidden;
    }
    if (!Req.Hide && !Req.Expose)
      return true;
    const std::vector<std::string> &Listed = Req.Expose ? *Req.Expose : *Req.Hide;
    // A template none of the listed names can spell is certainly not listed
    // (`z_{}` against expose=["phi", "rho"]).
    const bool Unlisted =
        S.Name.NameForm == SiteName::Form::Template &&
        std::none_of(Listed.begin(), Listed.end(),
                     [&](const std::string &N) { return templateMayMatch(S.Name.Canonical, N); });
    if (S.Name.NameForm != SiteName::Form::Literal && !Unlisted) {
      error(S.Loc, "poutine.block with a site name list around a site whose name is computed ('" +
                       S.Name.Canonical + "') is not modelled");
      return false;
    }
    auto In = [&](const std::vector<std::string> &L) {
      return !Unlisted && std::find(L.begin(), L.end(), S.Name.Canonical) != L.end();
    };
    // Pyro's block: expose wins when both are given.
    if (Req.Expose)
      return In(*Req.Expose);
    return !In(*Req.Hide);
  }

  void error(SourceLoc L, std::string Msg) {
    Diagnostic &D = DE.report(DiagId::AutoGuide, L, std::move(Msg));
    D.Notes.push_back({Req.Loc, Req.Constructed ? "the " + Req.Class + " is built here"
                                                : Req.Class + " asked for by --guide-fn"});
    Failed = true;
  }

  /// A value shaped like the site's batch (and event) shape before its
  /// expand/to_event transforms: zeros broadcast from the distribution's
  /// tensor arguments (MultivariateNormal: its loc).
  ExprPtr shapeOf(const DistributionExpr &D, SourceLoc L) {
    ExprPtr Sum;
    for (size_t I = 0; I < D.Args.Args.size(); ++I) {
      const ExprPtr &A = D.Args.Args[I];
      if (!A)
        continue;
      ExprPtr C = cloneExpr(*A, *G);
      Sum = Sum ? bin(BinaryOp::Add, std::move(Sum), std::move(C), L) : std::move(C);
      if (D.Dist == DistId::MultivariateNormal)
        break;
    }
    std::vector<ExprPtr> A;
    A.push_back(Sum ? std::move(Sum) : num(0, L));
    return call(OpId::ZerosLike, std::move(A), L);
  }

  /// \p Init (the shape of the model's distribution) broadcast over the
  /// enclosing vectorised plates, as Pyro's AutoNormal and AutoDelta shape
  /// their params like the site's value: `Init + zeros(sizes)`, a plate's
  /// size at its dim (Pyro's allocation: the first free dim from the right,
  /// outermost plate first) and 1 elsewhere and on the event dims. \p Init
  /// unchanged where svic cannot tell the dims: a plate's dim that is not a
  /// literal, a subsampled plate, an event rank or expand that is not literal.
  ExprPtr overPlates(ExprPtr Init, const DistributionExpr &MD, SourceLoc L) {
    auto Literal = [](const Expr *E) -> std::optional<int64_t> {
      int64_t Sign = 1;
      if (auto *U = E ? dyn_cast<UnaryExpr>(E) : nullptr; U && U->Op == UnaryOp::Neg) {
        Sign = -1;
        E = U->Operand.get();
      }
      auto *C = E ? dyn_cast<ConstantExpr>(E) : nullptr;
      if (!C || C->Ty != ConstantExpr::Type::Int)
        return std::nullopt;
      return Sign * C->IntValue;
    };
    int64_t EventRank = MD.info().EventRank;
    for (const DistTransform &T : MD.Transforms) {
      if (T.Kind == DistTransformKind::Expand || T.Kind == DistTransformKind::ExpandBy)
        return Init;
      if (T.Kind == DistTransformKind::ToEvent || T.Kind == DistTransformKind::Independent) {
        std::optional<int64_t> N = Literal(T.Arg.get());
        if (!N)
          return Init;
        EventRank += *N;
      }
    }
    std::map<int64_t, const PlateInfo *> ByDim; // negative batch dims
    for (const PlateInfo *Pl : VecPlates) {
      if (Pl->SubsampleSize || !Pl->Size)
        return Init;
      int64_t Dim = -1;
      if (Pl->Dim) {
        std::optional<int64_t> D = Literal(Pl->Dim.get());
        if (!D || *D >= 0)
          return Init;
        Dim = *D;
      } else {
        while (ByDim.count(Dim))
          --Dim;
      }
      ByDim[Dim] = Pl;
    }
    if (ByDim.empty())
      return Init;
    std::vector<ExprPtr> Sizes;
    for (int64_t D = ByDim.begin()->first; D <= -1; ++D) {
      auto It = ByDim.find(D);
      Sizes.push_back(It == ByDim.end() ? integer(1, L) : cloneExpr(*It->second->Size, *G));
    }
    for (int64_t E = 0; E < EventRank; ++E)
      Sizes.push_back(integer(1, L));
    return bin(BinaryOp::Add, std::move(Init), call(OpId::Zeros, std::move(Sizes), L), L);
  }

  /// The model's batch/event transforms (not its mask), re-applied.
  void copyTransforms(const DistributionExpr &From, DistributionExpr &To) {
    for (const DistTransform &T : From.Transforms)
      if (T.Kind != DistTransformKind::Mask)
        To.Transforms.push_back(
            DistTransform{T.Kind, T.Arg ? cloneExpr(*T.Arg, *G) : nullptr, T.Loc});
  }

  /// The bounds of the model's Interval support: Uniform's low and high,
  /// both required arguments (the lowering rejects a Uniform without them).
  std::pair<ExprPtr, ExprPtr> bounds(const DistributionExpr &MD) {
    return {cloneExpr(*MD.Args.Args.at(0), *G), cloneExpr(*MD.Args.Args.at(1), *G)};
  }

  std::unique_ptr<DistributionExpr> dist(DistId Id, std::vector<ExprPtr> Args, SourceLoc L) {
    auto D = G->make<DistributionExpr>(L);
    D->Dist = Id;
    D->Args.Args = std::move(Args);
    return D;
  }

  void latent(const SampleStmt &S, Block &Out) {
    if (!S.Dist) {
      error(S.Loc, Req.Class + " over site '" + S.Name.Canonical +
                       "' whose distribution svic does not know");
      return;
    }
    const DistributionExpr &MD = *S.Dist;
    const DistInfo &Info = MD.info();
    SourceLoc L = S.Loc;
    if (Info.Discrete) {
      error(L, Req.Class + " cannot handle discrete sample site '" + S.Name.Canonical +
                   "' (Pyro raises: continuous inference cannot handle discrete sample sites); "
                   "enumerate it and hide it: " + Req.Class + "(poutine.block(model, hide=['" +
                   S.Name.Canonical + "']))");
      return;
    }
    if (SequentialPlates > 0) {
      error(L, Req.Class + " over site '" + S.Name.Canonical +
                   "' in a sequential pyro.plate (Pyro raises: AutoGuide does not support "
                   "sequential pyro.plate)");
      return;
    }
    ++Latents;
    const SupportKind K = Info.Support;
    const bool RealSupport = K == SupportKind::Real || K == SupportKind::RealVector;
    auto Unmodelled = [&] {
      error(L, Req.Class + " over site '" + S.Name.Canonical + "' (" + Info.Name + ", support " +
                   std::string(supportName(K)) + "): svic models this autoguide only on " +
                   "real, positive, unit-interval, interval and simplex" + " supports");
    };

    std::unique_ptr<DistributionExpr> GD;
    if (MD.Dist == DistId::Opaque) {
      // Pyro maps the site by biject_to(support) of a support svic does not
      // know: the guide's site is an opaque distribution of the autoguide's
      // parameters for it (Pyro's names; their initial values unknown).
      std::vector<ExprPtr> A;
      if (Packed) {
        A.push_back(ref(PackedLoc, L));
        if (Req.Class != "AutoLaplaceApproximation")
          A.push_back(ref(PackedStd, L));
      } else if (Req.Class == "AutoDelta") {
        A.push_back(ref(param(prefixed(Prefix + ".", S.Name), nullptr, nullptr, L, Out), L));
      } else {
        A.push_back(ref(param(prefixed(Prefix + ".locs.", S.Name), nullptr, nullptr, L, Out), L));
        A.push_back(ref(param(prefixed(Prefix + ".scales.", S.Name), nullptr,
                              constraint(ConstraintId::SoftplusPositive, L), L, Out),
                        L));
      }
      GD = dist(DistId::Opaque, std::move(A), L);
      GD->OpaqueName = Req.Class + " over " + MD.OpaqueName;
    } else if (Req.Class == "AutoDelta") {
      // AutoDelta: a point at a parameter constrained to the support.
      std::unique_ptr<ConstraintExpr> C;
      ExprPtr Init = overPlates(shapeOf(MD, L), MD, L);
      switch (K) {
      case SupportKind::Real:
      case SupportKind::RealVector:
        break;
      case SupportKind::Positive:
        C = constraint(ConstraintId::Positive, L);
        Init = bin(BinaryOp::Add, std::move(Init), num(1, L), L);
        break;
      case SupportKind::UnitInterval:
      case SupportKind::ClosedUnitInterval:
        C = constraint(ConstraintId::UnitInterval, L);
        Init = bin(BinaryOp::Add, std::move(Init), num(0.5, L), L);
        break;
      case SupportKind::Interval: { // a param in (low, high), from its midpoint
        auto [Lo, Hi] = bounds(MD);
        ExprPtr Mid =
            bin(BinaryOp::Mul, bin(BinaryOp::Add, cloneExpr(*Lo, *G), cloneExpr(*Hi, *G), L),
                num(0.5, L), L);
        Init = bin(BinaryOp::Add, std::move(Init), std::move(Mid), L);
        C = constraint(ConstraintId::Interval, L);
        C->Args.push_back(std::move(Lo));
        C->Args.push_back(std::move(Hi));
        break;
      }
      case SupportKind::Simplex: {
        C = constraint(ConstraintId::Simplex, L);
        std::vector<ExprPtr> A; // the uniform point: softmax of zeros
        A.push_back(std::move(Init));
        A.push_back(integer(-1, L));
        Init = call(OpId::FSoftmax, std::move(A), L);
        break;
      }
      default:
        return Unmodelled();
      }
      VarId P = param(prefixed(Prefix + ".", S.Name), std::move(Init), std::move(C), L, Out);
      std::vector<ExprPtr> A;
      A.push_back(ref(P, L));
      A.push_back(nullptr);
      A.push_back(integer(Info.EventRank, L));
      GD = dist(DistId::Delta, std::move(A), L);
    } else if (Req.Class == "AutoLaplaceApproximation") {
      // The MAP point of the packed vector, mapped by biject_to(support).
      ExprPtr V = ref(PackedLoc, L), LogDensity;
      if (K == SupportKind::Positive || K == SupportKind::UnitInterval ||
          K == SupportKind::Interval) {
        std::vector<ExprPtr> A;
        A.push_back(std::move(V));
        V = call(K == SupportKind::Positive ? OpId::Exp : OpId::Sigmoid, std::move(A), L);
        if (K == SupportKind::Interval) { // low + (high - low) * sigmoid(.)
          auto [Lo, Hi] = bounds(MD);
          ExprPtr Width = bin(BinaryOp::Sub, std::move(Hi), cloneExpr(*Lo, *G), L);
          V = bin(BinaryOp::Add, std::move(Lo),
                  bin(BinaryOp::Mul, std::move(Width), std::move(V), L), L);
        }
      } else if (K == SupportKind::Simplex) {
        std::tie(V, LogDensity) = stickBreaking(std::move(V), L, Out);
      } else if (!RealSupport) {
        return Unmodelled();
      }
      std::vector<ExprPtr> A;
      A.push_back(std::move(V));
      A.push_back(std::move(LogDensity));
      A.push_back(integer(Info.EventRank, L));
      GD = dist(DistId::Delta, std::move(A), L);
    } else {
      // Normal on the unconstrained space mapped by biject_to(support): exp
      // pushes it forward to a LogNormal, a sigmoid into a bounded interval,
      // stick-breaking from K - 1 reals onto the simplex of K entries.
      const bool Simplex = K == SupportKind::Simplex;
      const bool Bounded = K == SupportKind::UnitInterval || K == SupportKind::Interval || Simplex;
      if (!RealSupport && K != SupportKind::Positive && !Bounded)
        return Unmodelled();
      ExprPtr Loc, Scale;
      if (Packed) {
        Loc = ref(PackedLoc, L);
        Scale = ref(PackedStd, L);
      } else {
        ExprPtr Init = overPlates(shapeOf(MD, L), MD, L);
        ExprPtr ScaleInit = bin(BinaryOp::Add, overPlates(shapeOf(MD, L), MD, L), num(0.1, L),
                                L); // Pyro's init_scale
        if (Simplex) {
          Init = dropLastEntry(std::move(Init), L);
          ScaleInit = dropLastEntry(std::move(ScaleInit), L);
        }
        Loc = ref(param(prefixed(Prefix + ".locs.", S.Name), std::move(Init), nullptr, L, Out), L);
        Scale = ref(param(prefixed(Prefix + ".scales.", S.Name), std::move(ScaleInit),
                          constraint(ConstraintId::SoftplusPositive, L), L, Out),
                    L);
      }
      std::vector<ExprPtr> A;
      A.push_back(std::move(Loc));
      A.push_back(std::move(Scale));
      GD = dist(K == SupportKind::Positive ? DistId::LogNormal : DistId::Normal, std::move(A), L);
      if (Info.EventRank > 0)
        GD->Transforms.push_back(
            DistTransform{DistTransformKind::ToEvent, integer(Info.EventRank, L), L});
      if (Bounded) {
        ExprPtr Target; // the unit interval, else Uniform(low, high)'s or the model's simplex
        if (Simplex) {  // Dirichlet(ones_like(concentration)): only the event size matters
          std::vector<ExprPtr> B;
          B.push_back(call(OpId::OnesLike, {}, L));
          cast<CallExpr>(B.back().get())->Args.Args.push_back(cloneExpr(*MD.Args.Args.at(0), *G));
          Target = dist(DistId::Dirichlet, std::move(B), L);
        } else if (K == SupportKind::Interval) {
          auto [Lo, Hi] = bounds(MD);
          std::vector<ExprPtr> B;
          B.push_back(std::move(Lo));
          B.push_back(std::move(Hi));
          Target = dist(DistId::Uniform, std::move(B), L);
        }
        GD->Transforms.push_back(
            DistTransform{DistTransformKind::BijectToInterval, std::move(Target), L});
      }
    }
    copyTransforms(MD, *GD);
    auto Site = G->make<SampleStmt>(L);
    Site->Target = S.Target;
    Site->Name = copyName(S.Name);
    Site->Dist = std::move(GD);
    Out.push_back(std::move(Site));
  }

  void assign(std::optional<VarId> T, ExprPtr V, SourceLoc L, Block &Out) {
    if (!T || !V)
      return;
    auto A = G->make<AssignStmt>(L);
    A->Target = *T;
    A->Value = std::move(V);
    Out.push_back(std::move(A));
  }

  static bool holdsSite(const Block &B) {
    for (const StmtPtr &S : B) {
      if (isa<SampleStmt>(S.get()))
        return true;
      if (auto *I = dyn_cast<IfStmt>(S.get()); I && (holdsSite(I->Then) || holdsSite(I->Else)))
        return true;
      if (auto *F = dyn_cast<ForStmt>(S.get()); F && holdsSite(F->Body))
        return true;
      if (auto *W = dyn_cast<WhileStmt>(S.get()); W && holdsSite(W->Body))
        return true;
      if (auto *W = dyn_cast<WithStmt>(S.get()); W && holdsSite(W->Body))
        return true;
    }
    return false;
  }

  PlateInfo clonePlate(const PlateInfo &P) {
    PlateInfo C;
    C.Name = copyName(P.Name);
    C.Size = P.Size ? cloneExpr(*P.Size, *G) : nullptr;
    C.SubsampleSize = P.SubsampleSize ? cloneExpr(*P.SubsampleSize, *G) : nullptr;
    C.Dim = P.Dim ? cloneExpr(*P.Dim, *G) : nullptr;
    C.Loc = P.Loc;
    return C;
  }

  void block(const Block &In, Block &Out) {
    for (const StmtPtr &S : In)
      stmt(*S, Out);
  }

  void stmt(const Stmt &S, Block &Out) {
    auto Clone = [&](const ExprPtr &E) { return E ? cloneExpr(*E, *G) : nullptr; };
    switch (S.Kind) {
    case StmtKind::Assign: {
      const auto &A = *cast<AssignStmt>(&S);
      return assign(A.Target, Clone(A.Value), S.Loc, Out);
    }
    case StmtKind::Sample: {
      const auto &Sa = *cast<SampleStmt>(&S);
      if (Sa.isObserve())
        return assign(Sa.Target, Clone(Sa.Obs), S.Loc, Out);
      if (exposed(Sa))
        return latent(Sa, Out);
      // A site the block hides: the guide does not sample it; later values
      // computed from it get a draw of its distribution.
      if (Sa.Target && Sa.Dist) {
        std::vector<ExprPtr> A;
        A.push_back(cloneExpr(*Sa.Dist, *G));
        assign(Sa.Target, call(OpId::DistSample, std::move(A), S.Loc), S.Loc, Out);
      }
      return;
    }
    case StmtKind::Param: {
      const auto &P = *cast<ParamStmt>(&S);
      return assign(P.Target, Clone(P.Init), S.Loc, Out);
    }
    case StmtKind::Module: {
      const auto &Mo = *cast<ModuleStmt>(&S);
      return assign(Mo.Target, ref(Mo.ModuleVar, S.Loc), S.Loc, Out);
    }
    case StmtKind::ExprStmt: // the model's checks and side effects are not the guide's
    case StmtKind::Assert:
    case StmtKind::Factor:
    case StmtKind::Return:
      return;
    case StmtKind::If: {
      const auto &I = *cast<IfStmt>(&S);
      auto N = G->make<IfStmt>(S.Loc);
      N->Cond = Clone(I.Cond);
      block(I.Then, N->Then);
      block(I.Else, N->Else);
      Out.push_back(std::move(N));
      return;
    }
    case StmtKind::For: {
      const auto &F = *cast<ForStmt>(&S);
      auto N = G->make<ForStmt>(S.Loc);
      N->Over = F.Over;
      N->Index = F.Index;
      N->Start = Clone(F.Start);
      N->Stop = Clone(F.Stop);
      N->Step = Clone(F.Step);
      if (F.Over == ForStmt::Iter::Plate)
        N->Plate = clonePlate(F.Plate);
      SequentialPlates += F.Over == ForStmt::Iter::Plate;
      block(F.Body, N->Body);
      SequentialPlates -= F.Over == ForStmt::Iter::Plate;
      // The guide's plates are those of its sites (Pyro's _create_plates).
      if (F.Over == ForStmt::Iter::Plate && !holdsSite(N->Body))
        return;
      Out.push_back(std::move(N));
      return;
    }
    case StmtKind::While: {
      const auto &W = *cast<WhileStmt>(&S);
      auto N = G->make<WhileStmt>(S.Loc);
      N->Cond = Clone(W.Cond);
      block(W.Body, N->Body);
      Out.push_back(std::move(N));
      return;
    }
    case StmtKind::With: {
      const auto &W = *cast<WithStmt>(&S);
      Block Body;
      if (W.Ctx == WithStmt::Context::Plate)
        VecPlates.push_back(&W.Plate);
      block(W.Body, Body);
      if (W.Ctx == WithStmt::Context::Plate)
        VecPlates.pop_back();
      // Scale, mask and no_grad act on the model's densities only; a plate
      // stays when it holds one of the guide's sites.
      if (W.Ctx != WithStmt::Context::Plate || !holdsSite(Body)) {
        for (StmtPtr &B : Body)
          Out.push_back(std::move(B));
        return;
      }
      auto N = G->make<WithStmt>(S.Loc);
      N->Ctx = W.Ctx;
      N->Plate = clonePlate(W.Plate);
      N->IndexVar = W.IndexVar;
      N->Body = std::move(Body);
      Out.push_back(std::move(N));
      return;
    }
    }
  }
};

} // namespace

bool isAutoGuideClass(const std::string &Name) {
  const auto &C = autoGuideClasses();
  return std::find(C.begin(), C.end(), Name) != C.end();
}

bool autoGuideIsMarginal(const std::string &Class) {
  return Class != "AutoNormal" && Class != "AutoDelta";
}

void forEachAssignedCall(const ast::Stmt &S,
                         const std::function<void(const std::string &, const ast::Call &)> &Fn) {
  if (auto *A = ir::dyn_cast<ast::Assign>(&S)) {
    auto *C = ir::dyn_cast<ast::Call>(A->Value.get());
    if (C && !calleeName(*C->Func).empty())
      for (const ast::ExprPtr &T : A->Targets)
        if (auto *N = ir::dyn_cast<ast::Name>(T.get()))
          Fn(N->Id, *C);
  } else if (auto *F = ir::dyn_cast<ast::FunctionDef>(&S)) {
    forEachAssignedCall(F->Inner, Fn);
  } else if (auto *I = ir::dyn_cast<ast::If>(&S)) {
    forEachAssignedCall(I->Then, Fn);
    forEachAssignedCall(I->OrElse, Fn);
  } else if (auto *W = ir::dyn_cast<ast::With>(&S)) {
    forEachAssignedCall(W->Inner, Fn);
  }
}

void forEachAssignedCall(const ast::Body &B,
                         const std::function<void(const std::string &, const ast::Call &)> &Fn) {
  for (const ast::StmtPtr &S : B)
    forEachAssignedCall(*S, Fn);
}

void forEachConstruction(const ast::Stmt &S,
                         const std::function<void(const std::string &, const std::string &)> &Fn) {
  forEachAssignedCall(S, [&](const std::string &V, const ast::Call &C) {
    Fn(V, calleeName(*C.Func));
  });
}

void forEachConstruction(const ast::Body &B,
                         const std::function<void(const std::string &, const std::string &)> &Fn) {
  for (const ast::StmtPtr &S : B)
    forEachConstruction(*S, Fn);
}

std::vector<std::string> autoGuideModelNames(const ast::Module &M) {
  std::vector<std::string> Out;
  for (const std::string &Cls : autoGuideClasses()) {
    std::vector<const ast::Call *> Calls;
    findCalls(M, Cls, Calls, true);
    for (const ast::Call *C : Calls)
      for (const ast::Arg &A : C->Args)
        if (A.K == ast::Arg::Kind::Positional || (A.K == ast::Arg::Kind::Keyword && A.Name == "model")) {
          const ast::Expr *Model = A.Value.get();
          // AutoX(poutine.block(model, ...))
          if (auto *B = ir::dyn_cast<ast::Call>(Model); B && calleeName(*B->Func) == "block" &&
                                                         !B->Args.empty())
            Model = B->Args.front().Value.get();
          if (auto *N = ir::dyn_cast<ast::Name>(Model))
            Out.push_back(N->Id);
          break;
        }
  }
  return Out;
}

std::optional<AutoGuideRequest> findAutoGuide(const ast::Module &M, const std::string &ModelEntry,
                                              const std::string &OnlyClass, DiagnosticEngine &DE) {
  Finder F{ModelEntry, OnlyClass, DE, {}, std::nullopt, false, {}, {&M.Stmts}};
  entryInstances(M, ModelEntry, F.Instances);
  F.body(M.Stmts);
  // `--guide-fn AutoDelta` with one AutoDelta in the file built from a
  // variable (`model = models[args.model]`, Pyro's examples/hmm.py): that
  // construction is the one asked for.
  if (!F.Found && !F.Stop && !OnlyClass.empty() && F.OfClass.size() == 1) {
    DE.report(DiagId::AutoGuide, Severity::Note, F.OfClass.front().Loc,
              "the only " + OnlyClass + " built in the file is taken as the guide of '" +
                  ModelEntry + "' (with its poutine.block, if any)");
    return F.OfClass.front();
  }
  return F.Stop ? std::nullopt : F.Found;
}

bool lastBoundToAutoGuide(const ast::Module &M, const std::string &Name) {
  bool AutoGuide = false;
  for (const ast::StmtPtr &S : M.Stmts) {
    if (auto *F = ir::dyn_cast<ast::FunctionDef>(S.get()); F && F->Name == Name)
      AutoGuide = false;
    if (auto *A = ir::dyn_cast<ast::Assign>(S.get()))
      for (const ast::ExprPtr &T : A->Targets)
        if (auto *N = ir::dyn_cast<ast::Name>(T.get()); N && N->Id == Name) {
          auto *Same = ir::dyn_cast<ast::Name>(A->Value.get());
          if (Same && Same->Id == Name)
            continue; // `guide = guide` keeps the binding
          auto *C = ir::dyn_cast<ast::Call>(A->Value.get());
          AutoGuide = C && isAutoGuideClass(calleeName(*C->Func));
        }
  }
  return AutoGuide;
}

std::optional<AutoGuideRequest> autoGuideBoundTo(const ast::Module &M, const std::string &Var,
                                                const std::string &ModelEntry,
                                                DiagnosticEngine &DE) {
  const ast::Call *Bound = nullptr;
  forEachAssignedCall(M.Stmts, [&](const std::string &V, const ast::Call &C) {
    if (V == Var)
      Bound = isAutoGuideClass(calleeName(*C.Func)) ? &C : nullptr;
  });
  if (!Bound)
    return std::nullopt;
  const std::string Cls = calleeName(*Bound->Func);
  Finder F{ModelEntry, Cls, DE, {}, std::nullopt, false, {}, {&M.Stmts}};
  entryInstances(M, ModelEntry, F.Instances);
  F.call(*Bound);
  if (!F.Found) {
    DE.report(DiagId::MissingEntry, Bound->Loc,
              "'" + Var + "' is " + Cls + " built from another model than '" + ModelEntry +
                  "'; name that model with --model-fn");
    return std::nullopt;
  }
  return F.Found;
}

std::unique_ptr<ir::Program> synthesizeAutoGuide(const ir::Program &Model,
                                                 const AutoGuideRequest &Req,
                                                 DiagnosticEngine &DE) {
  auto G = std::make_unique<Program>();
  G->ProgramRole = Role::Guide;
  G->File = Model.File;
  G->EntryFunction = Req.Class;
  G->Vars = Model.Vars;
  G->Inputs = Model.Inputs;
  if (Req.Parts.empty())
    return Synth(Model, Req, DE, *G, Req.Class).run() ? std::move(G) : nullptr;
  // AutoGuideList: its parts in order, each a submodule named by its index
  // (Pyro 1.8.6: `AutoGuideList.0.locs.a`, `AutoGuideList.1.loc`).
  for (size_t K = 0; K < Req.Parts.size(); ++K)
    if (!Synth(Model, Req.Parts[K], DE, *G, Req.Class + "." + std::to_string(K)).run())
      return nullptr;
  return G;
}

} // namespace svic::frontend
