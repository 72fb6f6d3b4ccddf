//===- numeric_test.cpp - The numeric pre-analysis on programs -------------===//
///
/// Program-level tests of analyzeNumeric: the proofs the smoothness analysis
/// needs on the benchmark idioms (notes/smoothness-analysis.md §c), guard
/// refinement and dead branches, loops, parameters and supports, and the
/// domain issues. Most programs are real sources through the frontend; a few
/// hand-built IR programs check the interpreter without it.
//===----------------------------------------------------------------------===//

#include "svic/analysis/Numeric.h"

#include "svic/ir/IR.h"

#include "svic/frontend/Frontend.h"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <limits>
#include <sstream>

using namespace svic;
using namespace svic::ir;
using analysis::analyzeNumeric;
using analysis::Interval;
using analysis::NumericResult;
using analysis::NumValue;

namespace {

constexpr double Inf = std::numeric_limits<double>::infinity();

//===-- Finding nodes ---------------------------------------------------------===//

void walkExpr(const Expr *E, const std::function<void(const Expr &)> &F);

void walkAll(const std::vector<ExprPtr> &Es, const std::function<void(const Expr &)> &F) {
  for (const ExprPtr &X : Es)
    walkExpr(X.get(), F);
}

void walkExpr(const Expr *E, const std::function<void(const Expr &)> &F) {
  if (!E)
    return;
  F(*E);
  switch (E->Kind) {
  case ExprKind::Constant:
  case ExprKind::VarRef:
  case ExprKind::Ellipsis:
    break;
  case ExprKind::Unary:
    walkExpr(cast<UnaryExpr>(E)->Operand.get(), F);
    break;
  case ExprKind::Binary:
    walkExpr(cast<BinaryExpr>(E)->Lhs.get(), F);
    walkExpr(cast<BinaryExpr>(E)->Rhs.get(), F);
    break;
  case ExprKind::Compare:
    walkExpr(cast<CompareExpr>(E)->Lhs.get(), F);
    walkExpr(cast<CompareExpr>(E)->Rhs.get(), F);
    break;
  case ExprKind::Logical:
    walkExpr(cast<LogicalExpr>(E)->Lhs.get(), F);
    walkExpr(cast<LogicalExpr>(E)->Rhs.get(), F);
    break;
  case ExprKind::Conditional:
    walkExpr(cast<ConditionalExpr>(E)->Cond.get(), F);
    walkExpr(cast<ConditionalExpr>(E)->Then.get(), F);
    walkExpr(cast<ConditionalExpr>(E)->Else.get(), F);
    break;
  case ExprKind::Call:
    walkAll(cast<CallExpr>(E)->Args.Args, F);
    break;
  case ExprKind::ModuleCtor:
    walkAll(cast<ModuleCtorExpr>(E)->Args.Args, F);
    walkAll(cast<ModuleCtorExpr>(E)->Members, F);
    break;
  case ExprKind::ModuleCall:
    walkExpr(cast<ModuleCallExpr>(E)->Callee.get(), F);
    walkAll(cast<ModuleCallExpr>(E)->Args, F);
    break;
  case ExprKind::Distribution:
    walkAll(cast<DistributionExpr>(E)->Args.Args, F);
    for (const DistTransform &T : cast<DistributionExpr>(E)->Transforms)
      walkExpr(T.Arg.get(), F);
    break;
  case ExprKind::Subscript:
    walkExpr(cast<SubscriptExpr>(E)->Base.get(), F);
    walkAll(cast<SubscriptExpr>(E)->Indices, F);
    break;
  case ExprKind::Slice:
    walkExpr(cast<SliceExpr>(E)->Lower.get(), F);
    walkExpr(cast<SliceExpr>(E)->Upper.get(), F);
    walkExpr(cast<SliceExpr>(E)->Step.get(), F);
    break;
  case ExprKind::Tuple:
  case ExprKind::List:
    walkAll(cast<SequenceExpr>(E)->Elements, F);
    break;
  case ExprKind::Dict:
    walkAll(cast<DictExpr>(E)->Keys, F);
    walkAll(cast<DictExpr>(E)->Values, F);
    break;
  case ExprKind::Attribute:
    walkExpr(cast<AttributeExpr>(E)->Base.get(), F);
    break;
  case ExprKind::IndexUpdate:
    walkExpr(cast<IndexUpdateExpr>(E)->Base.get(), F);
    walkAll(cast<IndexUpdateExpr>(E)->Indices, F);
    walkExpr(cast<IndexUpdateExpr>(E)->Value.get(), F);
    break;
  case ExprKind::AttrUpdate:
    walkExpr(cast<AttrUpdateExpr>(E)->Base.get(), F);
    walkExpr(cast<AttrUpdateExpr>(E)->Value.get(), F);
    break;
  case ExprKind::Constraint:
    walkAll(cast<ConstraintExpr>(E)->Args, F);
    break;
  }
}

/// Statements in program order (pre-order) and every expression under them.
void walkBlock(const Block &B, const std::function<void(const Stmt &)> &FS,
               const std::function<void(const Expr &)> &FE) {
  for (const StmtPtr &SP : B) {
    const Stmt *S = SP.get();
    FS(*S);
    switch (S->Kind) {
    case StmtKind::Assign:
      walkExpr(cast<AssignStmt>(S)->Value.get(), FE);
      break;
    case StmtKind::ExprStmt:
      walkExpr(cast<ExprStmt>(S)->Value.get(), FE);
      break;
    case StmtKind::Sample:
      walkExpr(cast<SampleStmt>(S)->Dist.get(), FE);
      walkExpr(cast<SampleStmt>(S)->Obs.get(), FE);
      break;
    case StmtKind::Param:
      walkExpr(cast<ParamStmt>(S)->Init.get(), FE);
      walkExpr(cast<ParamStmt>(S)->Constraint.get(), FE);
      break;
    case StmtKind::Module:
      break;
    case StmtKind::Factor:
      walkExpr(cast<FactorStmt>(S)->LogProb.get(), FE);
      break;
    case StmtKind::If:
      walkExpr(cast<IfStmt>(S)->Cond.get(), FE);
      walkBlock(cast<IfStmt>(S)->Then, FS, FE);
      walkBlock(cast<IfStmt>(S)->Else, FS, FE);
      break;
    case StmtKind::For:
      walkBlock(cast<ForStmt>(S)->Body, FS, FE);
      break;
    case StmtKind::While:
      walkExpr(cast<WhileStmt>(S)->Cond.get(), FE);
      walkBlock(cast<WhileStmt>(S)->Body, FS, FE);
      break;
    case StmtKind::With:
      walkExpr(cast<WithStmt>(S)->Arg.get(), FE);
      walkBlock(cast<WithStmt>(S)->Body, FS, FE);
      break;
    case StmtKind::Return:
      walkExpr(cast<ReturnStmt>(S)->Value.get(), FE);
      break;
    case StmtKind::Assert:
      walkExpr(cast<AssertStmt>(S)->Cond.get(), FE);
      break;
    }
  }
}

template <typename T> std::vector<const T *> allOf(const Program &P) {
  std::vector<const T *> Out;
  if constexpr (std::is_base_of_v<Stmt, T>)
    walkBlock(
        P.Body,
        [&](const Stmt &S) {
          if (auto *X = dyn_cast<T>(&S))
            Out.push_back(X);
        },
        [](const Expr &) {});
  else
    walkBlock(
        P.Body, [](const Stmt &) {},
        [&](const Expr &E) {
          if (auto *X = dyn_cast<T>(&E))
            Out.push_back(X);
        });
  return Out;
}

/// The (first) sample statement named \p Site.
const SampleStmt &site(const Program &P, std::string_view Site) {
  for (const SampleStmt *S : allOf<SampleStmt>(P))
    if (S->Name.Canonical == Site)
      return *S;
  throw std::runtime_error("no sample site " + std::string(Site));
}

/// The argument of the distribution of \p Site bound to the slot \p Slot.
const Expr &distArg(const Program &P, std::string_view Site, std::string_view Slot) {
  const DistributionExpr &D = *site(P, Site).Dist;
  auto I = paramIndex(D.info().Params, Slot);
  if (!I || *I >= D.Args.Args.size() || !D.Args.Args[*I])
    throw std::runtime_error("no argument " + std::string(Slot) + " at " + std::string(Site));
  return *D.Args.Args[*I];
}

/// The N-th call of \p Op in program order.
const CallExpr &callOf(const Program &P, OpId Op, size_t N = 0) {
  size_t K = 0;
  for (const CallExpr *C : allOf<CallExpr>(P))
    if (C->Op == Op && K++ == N)
      return *C;
  throw std::runtime_error("no such call: " + opInfo(Op).QualifiedName);
}

/// The N-th binary expression with operator \p Op.
const BinaryExpr &binaryOf(const Program &P, BinaryOp Op, size_t N = 0) {
  size_t K = 0;
  for (const BinaryExpr *B : allOf<BinaryExpr>(P))
    if (B->Op == Op && K++ == N)
      return *B;
  throw std::runtime_error("no such binary expression");
}

const IfStmt &ifOf(const Program &P, size_t N = 0) { return *allOf<IfStmt>(P).at(N); }

//===-- Running sources ---------------------------------------------------------===//

struct Analysed {
  SourceManager SM;
  std::unique_ptr<Program> P;
  std::unique_ptr<Program> Pair; ///< the other program of the pair
  NumericResult R;
  std::string Errors;

  const Program &prog() const { return *P; }
  /// Proved in the distribution parameter's domain (from Distributions.def).
  bool inDomain(std::string_view Site, std::string_view Slot) const {
    const DistributionExpr &D = *site(*P, Site).Dist;
    auto I = paramIndex(D.info().Params, Slot);
    return R.provedInDomain(distArg(*P, Site, Slot).Id, D.info().Params[*I].Domain);
  }
  Interval value(std::string_view Site, std::string_view Slot) const {
    return R.valueOf(distArg(*P, Site, Slot).Id);
  }
  /// Issues whose message contains \p Part.
  size_t issues(std::string_view Part) const {
    size_t N = 0;
    for (const auto &I : R.domainIssues())
      N += I.What.find(Part) != std::string::npos;
    return N;
  }
};

std::unique_ptr<Analysed> analyse(const std::string &Src, bool Guide = false) {
  auto A = std::make_unique<Analysed>();
  DiagnosticEngine DE;
  frontend::EntryNames Names;
  if (Guide)
    Names.ModelFn = "guide"; // a guide-only source: analyse `guide` as the entry
  auto L = frontend::loadProgramsFromText("test.py", Src, "", "", Names, A->SM, DE);
  for (const Diagnostic &D : DE.sorted())
    A->Errors += renderText(D, A->SM, false) + "\n";
  if (!L)
    throw std::runtime_error("frontend failed:\n" + A->Errors);
  A->P = std::move(L->Model);
  if (!A->P)
    throw std::runtime_error("no such program");
  A->R = analyzeNumeric(*A->P);
  return A;
}

std::unique_ptr<Analysed> analyseFile(const std::string &Dir, bool Guide) {
  auto A = std::make_unique<Analysed>();
  DiagnosticEngine DE;
  std::string Base = std::string(SVIC_EXAMPLES_DIR) + "/paper/" + Dir;
  auto L = frontend::loadPrograms(Base + "/model.py", Base + "/guide.py", {}, A->SM, DE);
  for (const Diagnostic &D : DE.sorted())
    A->Errors += renderText(D, A->SM, false) + "\n";
  if (!L)
    throw std::runtime_error("frontend failed on " + Dir + ":\n" + A->Errors);
  A->P = Guide ? std::move(L->Guide) : std::move(L->Model);
  A->Pair = Guide ? std::move(L->Model) : std::move(L->Guide);
  A->R = analyzeNumeric(*A->P, {}, A->Pair.get()); // as `svic analyze` runs it
  return A;
}

const char *Prelude = R"(import torch
import torch.nn as nn
import torch.nn.functional as F
import pyro
import pyro.distributions as dist
from torch.distributions import constraints
)";

std::string prog(const std::string &Body) { return std::string(Prelude) + Body; }

} // namespace

//===----------------------------------------------------------------------===//
// Hand-built IR (no frontend needed)
//===----------------------------------------------------------------------===//

namespace {

template <typename... Ts> std::vector<ExprPtr> vec(Ts &&...Xs) {
  std::vector<ExprPtr> V;
  (V.push_back(std::move(Xs)), ...);
  return V;
}

/// A minimal IR builder.
struct Build {
  Program P;
  uint32_t Line = 1;
  SourceLoc loc() { return SourceLoc{1, Line++, 1, 0, 0, 0}; }
  ExprPtr num(double V) {
    auto C = P.make<ConstantExpr>(loc());
    C->Ty = ConstantExpr::Type::Float;
    C->FloatValue = V;
    return C;
  }
  ExprPtr ref(VarId V) {
    auto R = P.make<VarRefExpr>(loc());
    R->Var = V;
    return R;
  }
  ExprPtr bin(BinaryOp Op, ExprPtr L, ExprPtr R) {
    auto B = P.make<BinaryExpr>(loc());
    B->Op = Op;
    B->Lhs = std::move(L);
    B->Rhs = std::move(R);
    return B;
  }
  ExprPtr cmp(CompareOp Op, ExprPtr L, ExprPtr R) {
    auto C = P.make<CompareExpr>(loc());
    C->Op = Op;
    C->Lhs = std::move(L);
    C->Rhs = std::move(R);
    return C;
  }
  ExprPtr call(OpId Op, std::vector<ExprPtr> Args) {
    auto C = P.make<CallExpr>(loc());
    C->Op = Op;
    C->Args.Args = std::move(Args);
    return C;
  }
  StmtPtr assign(VarId V, ExprPtr E) {
    auto A = P.make<AssignStmt>(loc());
    A->Target = V;
    A->Value = std::move(E);
    return A;
  }
  std::unique_ptr<SampleStmt> sample(std::string Name, DistId D, std::vector<ExprPtr> Args,
                                     std::optional<VarId> Target = std::nullopt) {
    auto S = P.make<SampleStmt>(loc());
    S->Name.Canonical = std::move(Name);
    S->Dist = P.make<DistributionExpr>(loc());
    S->Dist->Dist = D;
    S->Dist->Args.Args = std::move(Args);
    S->Target = Target;
    return S;
  }
};

} // namespace

TEST(NumericIR, StraightLineArithmetic) {
  Build B;
  VarId X = B.P.addVar("x", VarKind::User, {});
  VarId In = B.P.addVar("data", VarKind::Input, {});
  B.P.Inputs.push_back(In);
  B.P.Body.push_back(B.assign(X, B.call(OpId::Exp, vec(B.ref(In)))));
  auto S = B.sample("z", DistId::Normal, vec(B.num(0), B.bin(BinaryOp::Add, B.ref(X), B.num(0.5))));
  const Expr *Scale = S->Dist->Args.Args[1].get();
  B.P.Body.push_back(std::move(S));
  auto S2 = B.sample("w", DistId::Normal, vec(B.num(0), B.ref(In)));
  const Expr *Scale2 = S2->Dist->Args.Args[1].get();
  B.P.Body.push_back(std::move(S2));
  NumericResult R = analyzeNumeric(B.P);
  EXPECT_EQ(R.valueOf(Scale->Id), Interval::greaterThan(0.5));
  EXPECT_TRUE(R.provedPositive(Scale->Id));
  EXPECT_TRUE(R.provedInDomain(Scale->Id, "positive"));
  EXPECT_FALSE(R.provedPositive(Scale2->Id)); // an input is top
  ASSERT_EQ(R.domainIssues().size(), 1u);
  EXPECT_EQ(R.domainIssues()[0].What, "scale of Normal may be <= 0");
  EXPECT_EQ(R.domainIssues()[0].Node, Scale2->Id);
  EXPECT_TRUE(R.reachable(B.P.Body[0]->Id));
}

TEST(NumericIR, WhileCounterLoop) {
  // i = 0; while i < 10: i = i + 1;  z ~ Normal(0, i)
  Build B;
  VarId I = B.P.addVar("i", VarKind::User, {});
  B.P.Body.push_back(B.assign(I, B.num(0)));
  auto W = B.P.make<WhileStmt>(B.loc());
  W->Cond = B.cmp(CompareOp::Lt, B.ref(I), B.num(10));
  auto Inc = B.bin(BinaryOp::Add, B.ref(I), B.num(1));
  const Expr *IncE = Inc.get();
  W->Body.push_back(B.assign(I, std::move(Inc)));
  B.P.Body.push_back(std::move(W));
  auto S = B.sample("z", DistId::Normal, vec(B.num(0), B.ref(I)));
  const Expr *Scale = S->Dist->Args.Args[1].get();
  B.P.Body.push_back(std::move(S));
  NumericResult R = analyzeNumeric(B.P);
  // Inside: i ∈ [0, 9] so i + 1 ∈ [1, 10] (widening, then narrowing).
  EXPECT_EQ(R.valueOf(IncE->Id), Interval::integers(1, 10));
  // After: i >= 10, and the narrowed invariant gives exactly 10.
  EXPECT_EQ(R.valueOf(Scale->Id), Interval::point(10));
  EXPECT_TRUE(R.provedPositive(Scale->Id));
  EXPECT_GT(R.stats().Iterations, 2u);
}

TEST(NumericIR, UnevaluatedAndUnknownNodes) {
  Build B;
  VarId X = B.P.addVar("x", VarKind::User, {});
  auto If = B.P.make<IfStmt>(B.loc());
  auto Cond = B.P.make<ConstantExpr>(B.loc());
  Cond->Ty = ConstantExpr::Type::Bool;
  Cond->BoolValue = false;
  If->Cond = std::move(Cond);
  auto Dead = B.bin(BinaryOp::Div, B.num(1), B.num(0));
  const Expr *DeadE = Dead.get();
  If->Then.push_back(B.assign(X, std::move(Dead)));
  const Stmt *DeadS = If->Then[0].get();
  const IfStmt *IfS = If.get();
  B.P.Body.push_back(std::move(If));
  NumericResult R = analyzeNumeric(B.P);
  EXPECT_TRUE(R.branchDead(*IfS, true));
  EXPECT_FALSE(R.branchDead(*IfS, false));
  EXPECT_FALSE(R.reachable(DeadS->Id));
  EXPECT_FALSE(R.evaluated(DeadE->Id));
  EXPECT_TRUE(R.provedNonZero(cast<BinaryExpr>(DeadE)->Rhs->Id)); // unreachable: vacuous
  EXPECT_TRUE(R.valueOf(DeadE->Id).isBottom());
  EXPECT_TRUE(R.domainIssues().empty());
  EXPECT_FALSE(R.provedPositive(1u << 30)); // not a node of the program
}

//===----------------------------------------------------------------------===//
// Real programs through the frontend
//===----------------------------------------------------------------------===//


TEST(NumericSource, SgdefRateIsPositive) {
  // sgdef model: Gamma(alpha, beta / (z @ w)) with z, w Gamma samples.
  auto A = analyse(prog(R"(
def model(x):
    alpha = torch.tensor(0.1)
    beta = torch.tensor(0.3)
    with pyro.plate("w_plate", 600):
        w = pyro.sample("w", dist.Gamma(alpha, beta))
    with pyro.plate("data", 320):
        z_top = pyro.sample("z_top", dist.Gamma(alpha, beta).expand_by([40]).to_event(1))
        w = torch.reshape(w, [40, 15])
        mean = torch.matmul(z_top, w)
        z_mid = pyro.sample("z_mid", dist.Gamma(alpha, beta / mean).to_event(1))
        mean2 = z_mid @ torch.t(w)
        pyro.sample("obs", dist.Poisson(mean2).to_event(1), obs=x)
)"));
  EXPECT_TRUE(A->inDomain("z_mid", "concentration"));
  EXPECT_TRUE(A->inDomain("z_mid", "rate"));
  EXPECT_EQ(A->value("z_mid", "rate"), Interval::positive());
  EXPECT_TRUE(A->R.provedNonZero(binaryOf(A->prog(), BinaryOp::Div).Rhs->Id));
  EXPECT_TRUE(A->R.provedPrecondition(binaryOf(A->prog(), BinaryOp::Div)));
  EXPECT_TRUE(A->inDomain("obs", "rate"));
  EXPECT_TRUE(A->R.domainIssues().empty()) << A->R.domainIssues()[0].What;
}

TEST(NumericSource, SgdefGuideSoftplusDivision) {
  auto A = analyse(prog(R"(
def guide(x):
    softplus = nn.Softplus()
    with pyro.plate("w_plate", 600):
        a = pyro.param("log_alpha", 0.5 * torch.ones(600) + 0.1 * torch.randn(600))
        m = pyro.param("log_mean", 0.1 * torch.randn(600))
        a = softplus(a)
        m = softplus(m)
        pyro.sample("w", dist.Gamma(a, a / m))
)"),
                   true);
  EXPECT_TRUE(A->inDomain("w", "concentration"));
  EXPECT_TRUE(A->inDomain("w", "rate"));
  EXPECT_TRUE(A->R.domainIssues().empty());
}

TEST(NumericSource, DpmmStickBreakingProbs) {
  auto A = analyse(prog(R"(
def model(data, T=20, N=320, alpha=1.1):
    with pyro.plate("beta_plate", T - 1):
        beta = pyro.sample("beta", dist.Beta(1, 1.1))
    with pyro.plate("lambda_plate", T):
        lmbda = pyro.sample("lambda", dist.Gamma(3, 0.05))
    with pyro.plate("data", N):
        beta1m_cumprod = torch.cumprod(1 - beta, -1)
        mix_weights = F.pad(beta, (0, 1), value=1) * F.pad(beta1m_cumprod, (1, 0), value=1)
        z = pyro.sample("z", dist.Categorical(mix_weights))
        pyro.sample("obs", dist.Poisson(lmbda[z]), obs=data)
)"));
  EXPECT_EQ(A->R.valueOf(callOf(A->prog(), OpId::Cumprod).Id), Interval::make(0, true, 1, false));
  EXPECT_EQ(A->value("z", "probs"), Interval::make(0, true, 1, false));
  EXPECT_TRUE(A->inDomain("z", "probs"));
  EXPECT_TRUE(A->inDomain("obs", "rate"));
  EXPECT_TRUE(A->inDomain("beta", "concentration0"));
  EXPECT_TRUE(A->R.domainIssues().empty());
  // Without the pad value the padding adds 0, which breaks the proof.
  auto B = analyse(prog(R"(
def model(data):
    beta = pyro.sample("beta", dist.Beta(1, 1.1))
    w = F.pad(beta, (0, 1))
    pyro.sample("z", dist.Categorical(w))
)"));
  EXPECT_FALSE(B->inDomain("z", "probs"));
  EXPECT_EQ(B->issues("probs of Categorical may be <= 0"), 1u);
}

TEST(NumericSource, NormalScales) {
  auto A = analyse(prog(R"(
fc = nn.Linear(10, 2)
sp = nn.Softplus()
net = nn.Sequential(nn.Linear(10, 5), nn.Softplus())
def model(x):
    pyro.module("fc", fc)
    pyro.module("net", net)
    s = pyro.param("s", torch.ones(3), constraint=constraints.positive)
    h = fc(x)
    pyro.sample("a", dist.Normal(0., torch.exp(h)))
    pyro.sample("b", dist.Normal(0., F.softplus(h)))
    pyro.sample("c", dist.Normal(0., s))
    pyro.sample("d", dist.Normal(0., sp(h)))
    pyro.sample("e", dist.Normal(0., torch.exp(0.5 * h) * s))
    pyro.sample("f", dist.Normal(0., net(x)))
    pyro.sample("g", dist.Normal(0., h))
    pyro.sample("h", dist.Normal(0., F.relu(h)))
    pyro.sample("i", dist.Normal(0., F.relu(h) + 1e-3))
    pyro.sample("j", dist.LogNormal(0., torch.sigmoid(h)))
    pyro.sample("k", dist.Normal(0., 1 / s))
)"));
  for (const char *S : {"a", "b", "c", "d", "e", "f", "i", "j", "k"})
    EXPECT_TRUE(A->inDomain(S, "scale")) << S;
  EXPECT_FALSE(A->inDomain("g", "scale")); // a Linear output
  EXPECT_FALSE(A->inDomain("h", "scale")); // relu >= 0 only
  EXPECT_EQ(A->value("h", "scale"), Interval::nonNegative());
  EXPECT_EQ(A->issues("scale of Normal may be <= 0"), 2u);
}

TEST(NumericSource, TupleElementsKeepTheirRanges) {
  // An encoder returning (loc, scale) keeps its scale's positivity through
  // the unpacking; a list (mutable) and an unknown index use the summary.
  auto A = analyse(prog(R"(
def encode(h):
    return h, torch.exp(h)
def model(x):
    h = pyro.param("h", torch.zeros(3))
    loc, scale = encode(h)
    pyro.sample("a", dist.Normal(loc, scale))
    t = (h, torch.exp(h))
    pyro.sample("b", dist.Normal(0., t[-1]))
    pyro.sample("c", dist.Normal(0., t[0]))
    l = [h, torch.exp(h)]
    pyro.sample("d", dist.Normal(0., l[1]))
    pyro.sample("e", dist.Normal(0., t[int(x)]))
    u = t if x > 0 else (torch.exp(h), h)
    pyro.sample("f", dist.Normal(0., u[1]))
    n = ((h, torch.exp(h)), h)
    pyro.sample("g", dist.Normal(0., n[0][1]))
)"));
  for (const char *S : {"a", "b", "g"})
    EXPECT_TRUE(A->inDomain(S, "scale")) << S;
  for (const char *S : {"c", "d", "e", "f"})
    EXPECT_FALSE(A->inDomain(S, "scale")) << S;
}

TEST(NumericSource, GammaDirichletViaSoftplusAndOffset) {
  // lda guide: Dirichlet(topic_words_posterior + 0.5), Gamma(positive param, 1.)
  auto A = analyse(prog(R"(
def guide(data):
    twp = pyro.param("twp", torch.ones(8), constraint=constraints.positive)
    tw = pyro.param("tw", torch.ones(8, 16), constraint=constraints.positive)
    raw = pyro.param("raw", torch.zeros(8))
    with pyro.plate("topics", 8):
        pyro.sample("topic_weights", dist.Gamma(twp, 1.))
        pyro.sample("topic_words", dist.Dirichlet(tw + 0.5))
        pyro.sample("u", dist.Gamma(F.softplus(raw) + 0.5, F.softplus(raw)))
        pyro.sample("v", dist.Dirichlet(raw + 0.5))
)"),
                   true);
  EXPECT_TRUE(A->inDomain("topic_weights", "concentration"));
  EXPECT_TRUE(A->inDomain("topic_words", "concentration"));
  EXPECT_EQ(A->value("topic_words", "concentration"), Interval::greaterThan(0.5));
  EXPECT_TRUE(A->inDomain("u", "concentration"));
  EXPECT_TRUE(A->inDomain("u", "rate"));
  EXPECT_FALSE(A->inDomain("v", "concentration")); // an unconstrained param
}

TEST(NumericSource, AirGuideDivisionFails) {
  auto A = analyse(prog(R"(
z_where_scale_prior = nn.Parameter(torch.FloatTensor([0.2, 1.0, 1.0]), requires_grad=False)
def guide(data):
    out = torch.randn(64, 7)
    z_where_scale = F.softplus(out[:, 4:])
    z_where = pyro.sample("z_where", dist.Normal(out[:, 1:4], z_where_scale * z_where_scale_prior).to_event(1))
    inv = torch.cat((torch.ones(64, 1), -z_where[:, 1:]), 1)
    inv = inv / z_where[:, 0:1]
    w = pyro.sample("w", dist.Normal(0., 1.))
    y = w / 2.0
)"),
                   true);
  EXPECT_TRUE(A->inDomain("z_where", "scale")); // softplus > 0 times a positive constant
  const BinaryExpr &Div = binaryOf(A->prog(), BinaryOp::Div);
  EXPECT_FALSE(A->R.provedNonZero(Div.Rhs->Id)); // a Normal sample may be 0
  EXPECT_FALSE(A->R.provedPrecondition(Div));
  EXPECT_TRUE(A->R.provedPrecondition(binaryOf(A->prog(), BinaryOp::Div, 1)));
  ASSERT_EQ(A->R.domainIssues().size(), 1u);
  EXPECT_EQ(A->R.domainIssues()[0].Node, Div.Id);
  EXPECT_NE(A->R.domainIssues()[0].What.find("divisor"), std::string::npos);
}

TEST(NumericSource, IfGuardsRefineBothBranches) {
  auto A = analyse(prog(R"(
def model(x):
    z = pyro.sample("z", dist.Normal(0., 1.))
    if z > 0:
        pyro.sample("a", dist.Normal(0., z))
    else:
        pyro.sample("b", dist.Normal(0., -z))
        pyro.sample("c", dist.Normal(0., 1. - z))
    if z >= 1:
        pyro.sample("d", dist.Normal(0., torch.log(z)))
    if x is not None and x > 2:
        pyro.sample("e", dist.Normal(0., x - 2))
)"));
  EXPECT_TRUE(A->inDomain("a", "scale"));
  EXPECT_EQ(A->value("a", "scale"), Interval::positive());
  EXPECT_FALSE(A->inDomain("b", "scale")); // -z >= 0 only
  EXPECT_EQ(A->value("b", "scale"), Interval::nonNegative());
  EXPECT_TRUE(A->inDomain("c", "scale"));
  EXPECT_TRUE(A->R.provedPrecondition(callOf(A->prog(), OpId::Log))); // log z with z >= 1
  EXPECT_FALSE(A->inDomain("d", "scale"));                            // log 1 = 0
  EXPECT_TRUE(A->inDomain("e", "scale"));
  const IfStmt &If0 = ifOf(A->prog());
  EXPECT_FALSE(A->R.branchDead(If0, true));
  EXPECT_FALSE(A->R.branchDead(If0, false));
}

TEST(NumericSource, DeadBranches) {
  auto A = analyse(prog(R"(
def model(x, y=None):
    s = torch.exp(x)
    if True:
        pyro.sample("a", dist.Normal(0., 1.))
    if s > 0:
        pyro.sample("b", dist.Normal(0., s))
    else:
        pyro.sample("c", dist.Normal(0., -1.))
    if y is None:
        pyro.sample("d", dist.Normal(0., 1.))
    n = None
    if n is None:
        n = 3.0
    pyro.sample("e", dist.Normal(0., n))
    if s < -1:
        pyro.sample("f", dist.Normal(0., 1.))
)"));
  const auto Ifs = allOf<IfStmt>(A->prog());
  ASSERT_EQ(Ifs.size(), 5u);
  EXPECT_FALSE(A->R.branchDead(*Ifs[0], true));
  EXPECT_TRUE(A->R.branchDead(*Ifs[0], false));
  EXPECT_FALSE(A->R.branchDead(*Ifs[1], true));
  EXPECT_TRUE(A->R.branchDead(*Ifs[1], false)); // exp(x) > 0 always
  EXPECT_FALSE(A->R.reachable(site(A->prog(), "c").Id));
  EXPECT_TRUE(
      A->R.provedInDomain(distArg(A->prog(), "c", "scale").Id, "positive")); // unreachable: vacuous
  EXPECT_FALSE(A->R.branchDead(*Ifs[2], true)); // y is an input: may be None
  EXPECT_FALSE(A->R.branchDead(*Ifs[2], false));
  EXPECT_FALSE(A->R.branchDead(*Ifs[3], true)); // n is None
  EXPECT_TRUE(A->R.branchDead(*Ifs[3], false));
  EXPECT_TRUE(A->inDomain("e", "scale"));
  EXPECT_TRUE(A->R.branchDead(*Ifs[4], true));
  EXPECT_TRUE(A->R.domainIssues().empty());
}

TEST(NumericSource, NonFiniteConstantsAreNeverEmpty) {
  // Issue 8: math.inf used to be the empty interval, so `z < inf` pruned both
  // branches and everything after it was vacuously proved.
  auto A = analyse(prog(R"(
import math
def model():
    z = pyro.sample("z", dist.Normal(0., 1.))
    c = math.inf
    if z < c:
        y = 1.
    else:
        y = 2.
    pyro.sample("a", dist.Normal(0., torch.exp(z)))
    pyro.sample("b", dist.Normal(0., torch.exp(z * c)))
    pyro.sample("d", dist.Normal(0., torch.exp(float("-inf") + z)))
)"));
  const IfStmt &If0 = ifOf(A->prog());
  EXPECT_FALSE(A->R.branchDead(If0, true));
  EXPECT_FALSE(A->R.branchDead(If0, false));
  EXPECT_TRUE(A->R.reachable(site(A->prog(), "a").Id));
  EXPECT_TRUE(A->inDomain("a", "scale"));
  // exp(z * inf) is 0 for z < 0 (and nan at 0): no fact about it.
  EXPECT_FALSE(A->inDomain("b", "scale"));
  EXPECT_FALSE(A->inDomain("d", "scale"));
}

TEST(NumericSource, NaNConstantMakesGuardsMayNaN) {
  // Every comparison with nan is false: `z * 0 + nan > 0` decides nothing, and
  // neither does its negation.
  auto A = analyse(prog(R"(
import math
def model():
    z = pyro.sample("z", dist.Normal(0., 1.))
    c = math.nan
    w = z * 0. + c
    if w > 0.:
        pyro.sample("a", dist.Normal(0., w))
    if not (w <= 0.):
        pyro.sample("b", dist.Normal(0., w))
    assert not (w <= 0.)
    pyro.sample("c", dist.Normal(0., w))
)"));
  const auto Ifs = allOf<IfStmt>(A->prog());
  ASSERT_EQ(Ifs.size(), 2u);
  for (const IfStmt *If : Ifs) {
    EXPECT_FALSE(A->R.branchDead(*If, true));
    EXPECT_FALSE(A->R.branchDead(*If, false));
  }
  EXPECT_FALSE(A->inDomain("a", "scale"));
  EXPECT_FALSE(A->inDomain("b", "scale"));
  EXPECT_FALSE(A->inDomain("c", "scale")); // nan passes `not (nan <= 0)`
}

TEST(NumericSource, LeakyReluWithANonFiniteSlope) {
  // nn.LeakyReLU(math.nan) aborted on an assertion.
  auto A = analyse(prog(R"(
import math
act = nn.LeakyReLU(math.nan)
def model():
    z = pyro.sample("z", dist.Normal(0., 1.))
    pyro.sample("a", dist.Normal(0., act(z)))
    pyro.sample("b", dist.Normal(0., F.leaky_relu(z, math.inf)))
)"));
  EXPECT_FALSE(A->inDomain("a", "scale"));
  EXPECT_FALSE(A->inDomain("b", "scale"));
}

TEST(NumericSource, SquaresAndTwoArgumentMinMax) {
  auto A = analyse(prog(R"(
def model(x):
    z = pyro.sample("z", dist.Normal(0., 1.))
    pyro.sample("a", dist.Normal(0., z * z + 0.1))
    pyro.sample("b", dist.Normal(0., z ** 2 + 0.1))
    pyro.sample("c", dist.Normal(0., torch.pow(z, 2) + 0.1))
    pyro.sample("d", dist.Normal(0., torch.min(torch.exp(z), x)))
    pyro.sample("e", dist.Normal(0., torch.maximum(torch.exp(z), x)))
)"));
  EXPECT_TRUE(A->inDomain("a", "scale")); // x * x is a square
  EXPECT_TRUE(A->inDomain("b", "scale"));
  EXPECT_TRUE(A->inDomain("c", "scale"));
  // x may be a tensor: torch.min(exp(z), x) may be the elementwise minimum.
  EXPECT_TRUE(A->value("d", "scale").contains(-1));
  EXPECT_TRUE(A->inDomain("e", "scale"));
}

TEST(NumericSource, FirstParamDeclarationFixesTheConstraint) {
  // Pyro's param store ignores a later declaration's constraint: b is -1 here.
  auto A = analyse(prog(R"(
def model():
    a = pyro.param("a", torch.tensor(-1.))
    b = pyro.param("a", torch.tensor(1.), constraint=constraints.positive)
    pyro.sample("x", dist.Normal(0., b))
    c = pyro.param("c", torch.tensor(1.), constraint=constraints.positive)
    d = pyro.param("c")
    pyro.sample("y", dist.Normal(0., c))
)"));
  EXPECT_FALSE(A->inDomain("x", "scale"));
  EXPECT_TRUE(A->inDomain("y", "scale")); // a lookup initialises nothing
}

TEST(NumericSource, RangesThatDependOnOptionalArguments) {
  // Checked with torch 1.13: softplus(-4, threshold=-5) = -4, softplus(x,
  // beta=-1) < 0, cumsum of (0, 1) values as int is 0, full(.., 0.5,
  // dtype=long) is 0, fill_ converts to the receiver's dtype.
  auto A = analyse(prog(R"(
def model(x):
    z = pyro.sample("z", dist.Normal(0., 1.))
    u = pyro.sample("u", dist.Uniform(0.1, 0.9))
    pyro.sample("a", dist.Normal(0., F.softplus(z, threshold=-5.)))
    pyro.sample("b", dist.Normal(0., F.softplus(z, beta=-1.)))
    pyro.sample("c", dist.Normal(0., F.softplus(z, beta=2.)))
    pyro.sample("d", dist.Normal(0., torch.cumsum(u, 0, dtype=torch.int)))
    pyro.sample("e", dist.Normal(0., torch.cumsum(u, 0)))
    pyro.sample("f", dist.Normal(0., torch.full((2,), 0.5, dtype=torch.long)))
    pyro.sample("g", dist.Normal(0., torch.full((2,), 0.5)))
    pyro.sample("h", dist.Normal(0., x.fill_(0.5)))
    pyro.sample("i", dist.Normal(0., x.fill_(2.)))
)"));
  EXPECT_FALSE(A->inDomain("a", "scale"));
  EXPECT_FALSE(A->inDomain("b", "scale"));
  EXPECT_TRUE(A->inDomain("c", "scale"));
  EXPECT_FALSE(A->inDomain("d", "scale"));
  EXPECT_TRUE(A->inDomain("e", "scale"));
  EXPECT_FALSE(A->inDomain("f", "scale"));
  EXPECT_TRUE(A->inDomain("g", "scale"));
  EXPECT_FALSE(A->inDomain("h", "scale")); // 0 in an integer tensor
  EXPECT_TRUE(A->inDomain("i", "scale"));
}

TEST(NumericSource, ForLoopIndexRanges) {
  auto A = analyse(prog(R"(
def model(x):
    for i in range(1, 5):
        pyro.sample("a_{}".format(i), dist.Normal(0., i))
    for j in range(5):
        pyro.sample("b_{}".format(j), dist.Normal(0., j))
    for k in range(3):
        pyro.sample("c_{}".format(k), dist.Normal(0., k + 1))
    for t in pyro.plate("steps", 4):
        pyro.sample("d_{}".format(t), dist.Normal(0., t + 0.5))
)"));
  EXPECT_EQ(A->value("a_{}", "scale"), Interval::integers(1, 4));
  EXPECT_TRUE(A->inDomain("a_{}", "scale"));
  EXPECT_EQ(A->value("b_{}", "scale"), Interval::integers(0, 4));
  EXPECT_FALSE(A->inDomain("b_{}", "scale"));
  EXPECT_EQ(A->value("c_{}", "scale"), Interval::integers(1, 3));
  EXPECT_TRUE(A->inDomain("d_{}", "scale"));
}

TEST(NumericSource, LoopsWithWidening) {
  auto A = analyse(prog(R"(
def model(x):
    s = 1.0
    i = 0
    for t in range(100):
        s = s * 0.5
        pyro.sample("a_{}".format(t), dist.Normal(0., s))
    while i < 10:
        i = i + 1
    pyro.sample("b", dist.Normal(0., i))
    h = torch.zeros(3)
    for t in range(10):
        h = torch.tanh(h + x)
    pyro.sample("c", dist.Normal(0., 1. - h))
    acc = torch.ones(3)
    for t in range(10):
        acc = acc + torch.exp(x)
    pyro.sample("d", dist.Normal(0., acc))
    u = 0.0
    for t in range(10):
        u = u - 1.0
    pyro.sample("e", dist.Normal(0., -u))
)"));
  EXPECT_TRUE(A->inDomain("a_{}", "scale"));
  EXPECT_TRUE(A->value("a_{}", "scale").leq(Interval::make(0, true, 0.5, false)));
  EXPECT_EQ(A->value("b", "scale"), Interval::point(10));
  EXPECT_TRUE(A->inDomain("c", "scale")); // tanh < 1
  EXPECT_TRUE(A->inDomain("d", "scale"));
  // range(10) surely runs, so after the loop u <= -1 (the entry value 0 is gone).
  EXPECT_TRUE(A->inDomain("e", "scale"));
  EXPECT_EQ(A->value("e", "scale"), Interval::integers(1, Inf));
  EXPECT_GT(A->R.stats().Iterations, 4u);
}

TEST(NumericSource, ParameterConstraints) {
  auto A = analyse(prog(R"(
def guide(x):
    p = pyro.param("p", torch.ones(3), constraint=constraints.positive)
    q = pyro.param("q", torch.ones(3) / 3, constraint=constraints.simplex)
    u = pyro.param("u", torch.tensor(0.5), constraint=constraints.unit_interval)
    g = pyro.param("g", torch.tensor(2.), constraint=constraints.greater_than(1.))
    iv = pyro.param("iv", torch.tensor(2.), constraint=constraints.interval(1., 3.))
    r = pyro.param("r", torch.ones(3))
    nn_ = pyro.param("nn_", torch.ones(3), constraint=constraints.nonnegative)
    pyro.sample("a", dist.Normal(0., p))
    pyro.sample("b", dist.Categorical(q))
    pyro.sample("c", dist.Bernoulli(u))
    pyro.sample("d", dist.Normal(0., torch.log(g)))
    pyro.sample("e", dist.Normal(0., iv))
    pyro.sample("f", dist.Normal(0., r))
    pyro.sample("g", dist.Normal(0., nn_))
    pyro.sample("h", dist.Normal(0., 1. - q))
)"),
                   true);
  EXPECT_TRUE(A->inDomain("a", "scale"));
  EXPECT_TRUE(A->inDomain("b", "probs"));
  EXPECT_TRUE(A->inDomain("c", "probs"));
  EXPECT_TRUE(A->inDomain("d", "scale"));
  EXPECT_TRUE(A->R.provedPrecondition(callOf(A->prog(), OpId::Log)));
  EXPECT_TRUE(A->inDomain("e", "scale"));
  EXPECT_EQ(A->value("e", "scale"), Interval::closed(1, 3));
  EXPECT_FALSE(A->inDomain("f", "scale")); // an unconstrained param is trained to anything
  EXPECT_FALSE(A->inDomain("g", "scale"));
  EXPECT_FALSE(A->inDomain("h", "scale")); // a one-element simplex is exactly 1
}

TEST(NumericSource, ParamAliasing) {
  // pyro.param on an nn.Parameter trains the tensor itself.
  auto A = analyse(prog(R"(
h_init = nn.Parameter(torch.ones(3))
c_init = nn.Parameter(torch.ones(3))
def guide(x):
    pyro.param("h_init", h_init)
    pyro.sample("a", dist.Normal(0., h_init))
    pyro.sample("b", dist.Normal(0., c_init))
)"),
                   true);
  EXPECT_FALSE(A->inDomain("a", "scale"));
  EXPECT_TRUE(A->inDomain("b", "scale")); // never registered: stays 1
}

TEST(NumericSource, OpPreconditions) {
  auto A = analyse(prog(R"(
def model(x):
    a = torch.log(torch.exp(x))
    b = torch.log(x)
    c = torch.sqrt(F.softplus(x))
    d = torch.sqrt(F.relu(x))
    e = torch.log1p(F.relu(x))
    f = torch.log1p(x)
    g = x ** 2
    h = x ** 0.5
    i = F.softplus(x) ** 0.5
    j = torch.pow(x, 3)
    k = torch.pow(torch.exp(x), x)
    l = x ** -1
    m = torch.exp(x) ** -1
    n = torch.rsqrt(torch.exp(x))
    o = torch.lgamma(F.softplus(x) + 1)
    p = torch.log(1 + x)
    q = torch.log(torch.sigmoid(x))
)"));
  const Program &P = A->prog();
  EXPECT_TRUE(A->R.provedPrecondition(callOf(P, OpId::Log, 0)));
  EXPECT_FALSE(A->R.provedPrecondition(callOf(P, OpId::Log, 1)));
  EXPECT_TRUE(A->R.provedPrecondition(callOf(P, OpId::Sqrt, 0)));
  EXPECT_FALSE(A->R.provedPrecondition(callOf(P, OpId::Sqrt, 1))); // sqrt needs > 0 for smoothness
  EXPECT_TRUE(A->R.provedPrecondition(callOf(P, OpId::Log1p, 0)));
  EXPECT_FALSE(A->R.provedPrecondition(callOf(P, OpId::Log1p, 1)));
  EXPECT_TRUE(A->R.provedPrecondition(binaryOf(P, BinaryOp::Pow, 0)));  // integer exponent
  EXPECT_FALSE(A->R.provedPrecondition(binaryOf(P, BinaryOp::Pow, 1))); // x ** 0.5
  EXPECT_TRUE(A->R.provedPrecondition(binaryOf(P, BinaryOp::Pow, 2)));  // softplus ** 0.5
  EXPECT_TRUE(A->R.provedPrecondition(callOf(P, OpId::Pow, 0)));
  EXPECT_TRUE(A->R.provedPrecondition(callOf(P, OpId::Pow, 1)));        // positive base
  EXPECT_FALSE(A->R.provedPrecondition(binaryOf(P, BinaryOp::Pow, 3))); // x ** -1
  EXPECT_TRUE(A->R.provedPrecondition(binaryOf(P, BinaryOp::Pow, 4)));  // exp(x) ** -1
  EXPECT_TRUE(A->R.provedPrecondition(callOf(P, OpId::Rsqrt)));
  EXPECT_TRUE(A->R.provedPrecondition(callOf(P, OpId::Lgamma)));
  EXPECT_FALSE(A->R.provedPrecondition(callOf(P, OpId::Log, 2))); // log(1 + x), x data
  EXPECT_TRUE(A->R.provedPrecondition(callOf(P, OpId::Log, 3)));  // log(sigmoid)
  EXPECT_EQ(A->issues("argument of torch.log may be <= 0"), 2u);
  EXPECT_EQ(A->issues("argument of torch.sqrt"), 1u);
  EXPECT_EQ(A->issues("argument of torch.log1p may be <= -1"), 1u);
  EXPECT_EQ(A->issues("base of **"), 2u);
}

TEST(NumericSource, SupportsFeedValues) {
  auto A = analyse(prog(R"(
def model(x):
    b = pyro.sample("b", dist.Beta(2., 2.))
    pyro.sample("c", dist.Bernoulli(b))
    g = pyro.sample("g", dist.Gamma(2., 2.))
    pyro.sample("p", dist.Poisson(g))
    u = pyro.sample("u", dist.Uniform(1., 2.))
    pyro.sample("v", dist.Normal(0., u))
    e = pyro.sample("e", dist.Exponential(1.))
    hn = pyro.sample("hn", dist.HalfNormal(1.))
    ln = pyro.sample("ln", dist.LogNormal(0., 1.))
    pyro.sample("w", dist.Gamma(e + hn, ln))
    d = pyro.sample("d", dist.Dirichlet(torch.ones(3)))
    pyro.sample("k", dist.Categorical(d))
    bern = pyro.sample("bern", dist.Bernoulli(0.5))
    pyro.sample("m", dist.Bernoulli(bern))
    n = pyro.sample("n", dist.Normal(0., 1.))
    pyro.sample("q", dist.Normal(0., n))
    y = pyro.sample("y", dist.Normal(0., 1.), obs=torch.tensor(2.))
    pyro.sample("r", dist.Normal(0., y))
    z = pyro.sample("z", dist.Normal(0., 1.), obs=x)
    pyro.sample("s", dist.Normal(0., z))
    u0 = pyro.sample("u0", dist.Uniform(0., 2.))
    pyro.sample("t", dist.Normal(0., u0))
    c = pyro.sample("cnt", dist.Binomial(10, b))
    pyro.sample("bin2", dist.Binomial(c, 0.5))
)"));
  EXPECT_TRUE(A->inDomain("c", "probs"));
  EXPECT_EQ(A->value("c", "probs"), Interval::open(0, 1));
  EXPECT_TRUE(A->inDomain("p", "rate"));
  EXPECT_TRUE(A->inDomain("v", "scale"));
  EXPECT_TRUE(A->inDomain("w", "concentration"));
  EXPECT_TRUE(A->inDomain("w", "rate"));
  EXPECT_TRUE(A->inDomain("k", "probs"));
  EXPECT_TRUE(A->inDomain("m", "probs"));
  EXPECT_FALSE(A->inDomain("q", "scale"));
  EXPECT_TRUE(A->inDomain("r", "scale")); // observed 2.0
  EXPECT_EQ(A->value("r", "scale"), Interval::point(2));
  EXPECT_FALSE(A->inDomain("s", "scale")); // observed data: anything
  EXPECT_FALSE(A->inDomain("t", "scale")); // Uniform(0, 2) may give 0
  EXPECT_TRUE(A->inDomain("cnt", "total_count"));
  EXPECT_TRUE(A->inDomain("bin2", "total_count")); // a Binomial count
  EXPECT_EQ(A->value("bin2", "total_count"), Interval::integers(0, 10));
}

TEST(NumericSource, ModulesAndSquashing) {
  auto A = analyse(prog(R"(
enc = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
head = nn.Sequential(nn.Linear(4, 3), nn.Sigmoid())
soft = nn.Softmax(dim=-1)
relu = nn.ReLU()
def model(x):
    pyro.module("enc", enc)
    pyro.module("head", head)
    h = enc(x)
    pyro.sample("a", dist.Bernoulli(head(x)))
    pyro.sample("b", dist.Categorical(soft(h)))
    pyro.sample("c", dist.Categorical(F.softmax(h, -1)))
    pyro.sample("d", dist.Bernoulli(torch.sigmoid(h)))
    pyro.sample("e", dist.Normal(0., relu(h) + 1.))
    pyro.sample("f", dist.Normal(0., h))
    pyro.sample("g", dist.Bernoulli(logits=h))
)"));
  EXPECT_TRUE(A->inDomain("a", "probs"));
  EXPECT_TRUE(A->inDomain("b", "probs"));
  EXPECT_TRUE(A->inDomain("c", "probs"));
  EXPECT_TRUE(A->inDomain("d", "probs"));
  EXPECT_TRUE(A->inDomain("e", "scale"));
  EXPECT_FALSE(A->inDomain("f", "scale"));
  EXPECT_TRUE(A->inDomain("g", "logits"));
}

TEST(NumericSource, NestedDistributionsAndCounts) {
  auto A = analyse(prog(R"(
def model(x, mask):
    conc = pyro.param("conc", torch.ones(3), constraint=constraints.positive)
    rate = pyro.param("rate", torch.ones(3), constraint=constraints.positive)
    pyro.sample("m", dist.MaskedMixture(mask, dist.Gamma(conc, rate), dist.Delta(torch.tensor(-1.))), obs=x)
    n = len(x)
    pyro.sample("b", dist.Binomial(n, 0.5))
    pyro.sample("b2", dist.Binomial(x, 0.5))
)"));
  EXPECT_TRUE(A->inDomain("m", "component0"));
  EXPECT_TRUE(A->inDomain("m", "component1"));
  const auto &M = *cast<DistributionExpr>(&distArg(A->prog(), "m", "component0"));
  EXPECT_TRUE(A->R.provedInDomain(M.Args.Args[0]->Id, "positive"));
  EXPECT_TRUE(A->inDomain("b", "total_count"));
  EXPECT_FALSE(A->inDomain("b2", "total_count"));
  EXPECT_FALSE(A->R.provedInDomain(distArg(A->prog(), "b2", "total_count").Id, "posdef"));
}

TEST(NumericSource, ConstantDiagonalMatricesArePositiveDefinite) {
  // eye(n) (n >= 2) times or divided by finite positive numbers, and sums of
  // such matrices, are diagonal with a positive diagonal: positive definite
  // and lower Cholesky. Anything else stays unproved.
  auto A = analyse(prog(R"(
def model(y):
    s = pyro.sample("s", dist.HalfNormal(1.0))
    K = torch.eye(2) / 4.0 + 0.5 * torch.eye(2)
    pyro.sample("a", dist.MultivariateNormal(torch.zeros(2), 5 * torch.eye(2)))
    pyro.sample("b", dist.MultivariateNormal(torch.zeros(3), covariance_matrix=torch.eye(3) * 2.0))
    pyro.sample("c", dist.MultivariateNormal(torch.zeros(2), scale_tril=torch.eye(2)))
    pyro.sample("d", dist.MultivariateNormal(torch.zeros(2), K))
    pyro.sample("e", dist.MultivariateNormal(torch.zeros(2), s * torch.eye(2)))
    pyro.sample("f", dist.MultivariateNormal(torch.zeros(2), torch.eye(2) - 0.5))
    pyro.sample("g", dist.MultivariateNormal(torch.zeros(1), torch.eye(1)))
    pyro.sample("h", dist.MultivariateNormal(torch.zeros(2), torch.eye(2, 3)))
    pyro.sample("i", dist.MultivariateNormal(torch.zeros(2), y * torch.eye(2)))
    pyro.sample("j", dist.MultivariateNormal(torch.zeros(2), torch.eye(2) / s))
    pyro.sample("k", dist.MultivariateNormal(torch.zeros(2), torch.eye(2) * float("inf")))
    pyro.sample("l", dist.MultivariateNormal(torch.zeros(2), torch.eye(2) * 1e-300 * 1e-300))
)"));
  for (const char *Site : {"a", "b", "d", "e"})
    EXPECT_TRUE(A->inDomain(Site, "covariance_matrix")) << Site;
  EXPECT_TRUE(A->inDomain("c", "scale_tril"));
  // Not diagonal; eye(1) times a matrix broadcasts to a full one; not
  // square; an unknown or unbounded scale; a diagonal that may round to 0.
  for (const char *Site : {"f", "g", "h", "i", "j", "k", "l"})
    EXPECT_FALSE(A->inDomain(Site, "covariance_matrix")) << Site;
}

TEST(NumericSource, ConditionalExprAssertAndArithmetic) {
  auto A = analyse(prog(R"(
def model(x):
    y = x if x > 0 else 1.0
    pyro.sample("a", dist.Normal(0., y))
    assert x > 3
    pyro.sample("b", dist.Normal(0., x - 3))
    n = 7 // 2
    pyro.sample("c", dist.Normal(0., n))
    m = 7 % 3
    pyro.sample("d", dist.Normal(0., m))
    k = abs(x - 10) + 1
    pyro.sample("e", dist.Normal(0., k))
    q = torch.clamp(x, min=1e-3)
    pyro.sample("f", dist.Normal(0., q))
    r = max(x, 0.5)
    pyro.sample("g", dist.Normal(0., r))
)"));
  EXPECT_TRUE(A->inDomain("a", "scale"));
  EXPECT_TRUE(A->inDomain("b", "scale"));
  EXPECT_EQ(A->value("c", "scale"), Interval::point(3));
  EXPECT_EQ(A->value("d", "scale"), Interval::point(1));
  EXPECT_TRUE(A->inDomain("e", "scale"));
  EXPECT_TRUE(A->inDomain("f", "scale"));
  EXPECT_TRUE(A->inDomain("g", "scale"));
}

TEST(NumericSource, NonNumbersConvertToAnything) {
  auto A = analyse(prog(R"(
def model(x):
    eps = float("1e-3")
    pyro.sample("a", dist.Normal(0., eps))
    k = int("3")
    pyro.sample("b", dist.Binomial(k, 0.5))
    e = torch.tensor([])
    pyro.sample("c", dist.Normal(0., torch.exp(x)))
)"));
  EXPECT_FALSE(A->inDomain("a", "scale")); // not the empty set of an empty tensor
  EXPECT_TRUE(A->value("a", "scale").isTop());
  EXPECT_FALSE(A->inDomain("b", "total_count"));
  EXPECT_TRUE(A->R.reachable(site(A->prog(), "c").Id)); // an empty tensor is not an error
}

TEST(NumericSource, Reachability) {
  auto A = analyse(prog(R"(
def model(x):
    s = torch.exp(x)
    pyro.sample("a", dist.Normal(0., s))
    if s < 0:
        pyro.sample("b", dist.Normal(0., 1.))
)"));
  EXPECT_TRUE(A->R.reachable(site(A->prog(), "a").Id));
  EXPECT_FALSE(A->R.reachable(site(A->prog(), "b").Id)); // exp(x) < 0 never holds
  EXPECT_TRUE(A->inDomain("a", "scale"));
}

//===-- The paper's benchmarks (examples/paper) -------------------------------------===//

TEST(NumericBenchmarks, ProofsOnThePaperPrograms) {
  // sgdef: every Gamma parameter and division proved, model and guide.
  for (bool Guide : {false, true}) {
    auto A = analyseFile("sgdef", Guide);
    EXPECT_TRUE(A->R.domainIssues().empty()) << "sgdef " << Guide;
    for (const BinaryExpr *B : allOf<BinaryExpr>(A->prog()))
      EXPECT_TRUE(A->R.provedPrecondition(*B));
  }
  // dpmm model: the Categorical probs, and Beta(1, alpha) with alpha the
  // entry parameter's default 1.1 (no data overrides it here).
  {
    auto A = analyseFile("dpmm", false);
    EXPECT_TRUE(A->inDomain("z", "probs"));
    EXPECT_TRUE(A->inDomain("obs", "rate"));
    EXPECT_TRUE(A->inDomain("beta", "concentration0"));
    EXPECT_TRUE(A->R.domainIssues().empty());
    auto G = analyseFile("dpmm", true);
    EXPECT_TRUE(G->inDomain("z", "probs")); // simplex param
    EXPECT_TRUE(G->inDomain("beta", "concentration0"));
    EXPECT_TRUE(G->inDomain("lambda", "concentration"));
    EXPECT_TRUE(G->inDomain("lambda", "rate"));
  }
  // air guide: z_where's scale proved, the division by z_where[:, 0:1] not.
  {
    auto A = analyseFile("air", true);
    EXPECT_TRUE(A->inDomain("z_where_{}", "scale"));
    EXPECT_TRUE(A->inDomain("z_what_{}", "scale"));
    EXPECT_TRUE(A->inDomain("z_pres_{}", "probs"));
    ASSERT_EQ(A->R.domainIssues().size(), 1u);
    EXPECT_NE(A->R.domainIssues()[0].What.find("divisor"), std::string::npos);
    auto M = analyseFile("air", false);
    EXPECT_TRUE(M->R.domainIssues().empty());
    EXPECT_TRUE(M->inDomain("z_pres_{}", "probs"));
  }
  // Every Normal/LogNormal scale of the benchmarks that the oracle calls
  // smooth is proved, and so are the operations on data that the model
  // observes: prodlda's Multinomial total_count, int(max(sum(docs))), with
  // docs observed by that Multinomial, and scanvi's guide's log(1 + x), with
  // x observed by the model's ZeroInflatedNegativeBinomial (counts).
  struct Expect {
    const char *Dir;
    size_t ModelIssues, GuideIssues;
  };
  for (const Expect &E :
       {Expect{"br", 0, 0}, Expect{"csis", 0, 0}, Expect{"cvae", 0, 0}, Expect{"dmm", 0, 0},
        Expect{"lda", 0, 0}, Expect{"mhmm", 0, 0}, Expect{"prodlda", 0, 0}, Expect{"scanvi", 0, 0},
        Expect{"spnor", 0, 0}, Expect{"ssvae", 0, 0}, Expect{"vae", 0, 0}}) {
    auto M = analyseFile(E.Dir, false);
    auto G = analyseFile(E.Dir, true);
    EXPECT_EQ(M->R.domainIssues().size(), E.ModelIssues) << E.Dir << " model";
    EXPECT_EQ(G->R.domainIssues().size(), E.GuideIssues) << E.Dir << " guide";
  }
}

TEST(NumericBenchmarks, BranchesOfThePaperPrograms) {
  // scanvi: `if True:` blocks have a dead else; `if y is None` (y an input) both live.
  auto A = analyseFile("scanvi", true);
  size_t DeadElse = 0, BothLive = 0;
  for (const IfStmt *I : allOf<IfStmt>(A->prog())) {
    DeadElse += A->R.branchDead(*I, false) && !A->R.branchDead(*I, true);
    BothLive += !A->R.branchDead(*I, false) && !A->R.branchDead(*I, true);
  }
  EXPECT_GE(DeadElse, 4u);
  EXPECT_GE(BothLive, 1u);
  // spnor: `if z2 > 0` with z2 Normal: both branches live.
  auto S = analyseFile("spnor", false);
  EXPECT_FALSE(S->R.branchDead(ifOf(S->prog()), true));
  EXPECT_FALSE(S->R.branchDead(ifOf(S->prog()), false));
}


//===----------------------------------------------------------------------===//
// The table's rows: every operation, module, distribution and constraint
//===----------------------------------------------------------------------===//

namespace {
/// Arguments for every formal of \p Formals (one for a variadic slot), each
/// \p V; optional slots are left absent.
std::vector<std::optional<NumValue>> argsFor(const std::vector<ParamSpec> &Formals,
                                             const NumValue &V) {
  std::vector<std::optional<NumValue>> Args;
  for (const ParamSpec &F : Formals)
    Args.push_back(F.Optional ? std::nullopt : std::optional<NumValue>(V));
  return Args;
}

CallExpr callWithSlots(OpId Op, size_t N) {
  CallExpr C;
  C.Op = Op;
  C.Args.Args.resize(N); // absent expressions: transfers only peek at constant strings
  return C;
}

bool within(const NumValue &V, ValueRange R) {
  Interval I = V.num();
  if (R == ValueRange::Integer)
    return I.isBottom() || I.isIntegral();
  return I.leq(Interval::ofValueRange(R));
}
} // namespace

TEST(NumericTable, EveryOpRespectsItsTableRange) {
  using analysis::numeric_detail::transferCall;
  // Where the analysis is deliberately weaker than the table: a softmax over a
  // dimension of size 1 is exactly 1, so (0, 1] instead of (0, 1).
  auto Deviates = [](OpId Op) { return Op == OpId::FSoftmax || Op == OpId::Softmax; };
  for (const OpInfo &Info : allOps()) {
    CallExpr C = callWithSlots(Info.Id, Info.Params.size());
    for (const NumValue &In :
         {NumValue::number(Interval::top()), NumValue::number(Interval::positive()),
          NumValue::number(Interval::open(0, 1))}) {
      if (Info.Pre != Precondition::None && !In.num().isPositive())
        continue; // outside the op's domain the result is top by design
      NumValue R = transferCall(C, argsFor(Info.Params, In));
      EXPECT_FALSE(R.isBottom()) << Info.QualifiedName;
      if (Info.Range == ValueRange::Any || Info.Range == ValueRange::SameSign)
        continue;
      if (Deviates(Info.Id)) {
        EXPECT_EQ(R.num(), Interval::make(0, true, 1, false)) << Info.QualifiedName;
        continue;
      }
      EXPECT_TRUE(within(R, Info.Range))
          << Info.QualifiedName << " gives " << R.str() << " on " << In.str();
    }
    // A bottom argument (an unreachable value) gives bottom.
    if (!Info.Params.empty() && !Info.Params[0].Optional) {
      auto Args = argsFor(Info.Params, NumValue::number(Interval::top()));
      Args[0] = NumValue::bottom();
      EXPECT_TRUE(transferCall(C, Args).isBottom()) << Info.QualifiedName;
    }
  }
}

TEST(NumericTable, SameSignOpsKeepTheSign) {
  using analysis::numeric_detail::transferCall;
  for (const OpInfo &Info : allOps()) {
    if (Info.Range != ValueRange::SameSign || Info.Params.empty())
      continue;
    CallExpr C = callWithSlots(Info.Id, Info.Params.size());
    auto Args = argsFor(Info.Params, NumValue::number(Interval::positive()));
    for (size_t I = 1; I < Args.size(); ++I)
      if (Args[I])
        Args[I] = NumValue::number(Interval::integers(0, 3)); // sizes, dims, fill values
    NumValue R = transferCall(C, Args);
    if (Info.Id == OpId::Full || Info.Id == OpId::FillInit || Info.Id == OpId::NewTensor ||
        Info.Id == OpId::NewFull)
      EXPECT_EQ(R.num(), Interval::integers(0, 3)) << Info.QualifiedName; // the fill value or data
    else
      EXPECT_TRUE(R.num().isPositive()) << Info.QualifiedName << " gives " << R.str();
  }
}

TEST(NumericTable, EveryModuleRespectsItsTableRange) {
  using analysis::numeric_detail::transferModule;
  auto NoMembers = [](const Expr &) -> const ModuleCtorExpr * { return nullptr; };
  for (const ModuleInfo &Info : allModules()) {
    ModuleCtorExpr M;
    M.Module = Info.Id;
    for (const NumValue &In :
         {NumValue::number(Interval::top()), NumValue::number(Interval::positive())}) {
      NumValue R = transferModule(M, {In}, NoMembers);
      EXPECT_FALSE(R.isBottom()) << Info.QualifiedName;
      if (Info.Range == ValueRange::Any)
        continue;
      if (Info.Range == ValueRange::SameSign) {
        EXPECT_EQ(R.num(), In.num()) << Info.QualifiedName;
        continue;
      }
      if (Info.Id == ModuleId::SoftmaxModule) {
        EXPECT_EQ(R.num(), Interval::make(0, true, 1, false));
        continue;
      }
      EXPECT_TRUE(within(R, Info.Range)) << Info.QualifiedName << " gives " << R.str();
    }
  }
  // Sequential composes its members: Linear then Softplus is positive.
  ModuleCtorExpr Lin, Sp, Seq;
  Lin.Module = ModuleId::Linear;
  Sp.Module = ModuleId::Softplus;
  Seq.Module = ModuleId::Sequential;
  Seq.Members.push_back(std::make_unique<VarRefExpr>());
  Seq.Members.push_back(std::make_unique<VarRefExpr>());
  const Expr *First = Seq.Members[0].get();
  auto Members = [&](const Expr &E) -> const ModuleCtorExpr * { return &E == First ? &Lin : &Sp; };
  EXPECT_EQ(transferModule(Seq, {NumValue::number(Interval::top())}, Members).num(),
            Interval::positive());
  // An unknown member makes the result unknown.
  EXPECT_TRUE(transferModule(Seq, {NumValue::number(Interval::top())}, NoMembers).num().isTop());
}

TEST(NumericTable, EveryDistributionSupport) {
  using analysis::numeric_detail::sampleSupport;
  for (const DistInfo &Info : allDistributions()) {
    DistributionExpr D;
    D.Dist = Info.Id;
    auto Args = argsFor(Info.Params, NumValue::number(Interval::closed(1, 2)));
    NumValue S = sampleSupport(
        D, Args, {NumValue::number(Interval::positive()), NumValue::number(Interval::point(-1))});
    EXPECT_FALSE(S.isBottom()) << Info.Name;
    Interval I = S.num();
    switch (Info.Support) {
    case SupportKind::Positive:
      EXPECT_EQ(I, Interval::positive()) << Info.Name;
      break;
    case SupportKind::UnitInterval:
      EXPECT_EQ(I, Interval::open(0, 1)) << Info.Name;
      break;
    case SupportKind::Simplex:
      EXPECT_EQ(I, Interval::make(0, true, 1, false)) << Info.Name;
      break;
    case SupportKind::Boolean:
    case SupportKind::OneHot:
      EXPECT_EQ(I, Interval::integers(0, 1)) << Info.Name;
      break;
    case SupportKind::NonNegativeInteger:
      EXPECT_EQ(I, Interval::integers(0, Inf)) << Info.Name;
      break;
    case SupportKind::IntegerInterval:
      EXPECT_TRUE(I.isIntegral() && I.isNonNegative()) << Info.Name;
      break;
    case SupportKind::Interval: // Uniform(low, high) in [low.lo, high.hi)
      EXPECT_EQ(I, Interval::make(1, false, 2, true)) << Info.Name;
      break;
    case SupportKind::Point: // Delta(v) is v
      EXPECT_EQ(I, Interval::closed(1, 2)) << Info.Name;
      break;
    case SupportKind::Mixed: // the join of the components
      EXPECT_EQ(I, Interval::point(-1).join(Interval::positive())) << Info.Name;
      break;
    case SupportKind::Circular:
      EXPECT_TRUE(I.contains(3.14159) && I.contains(-3.14159) && !I.contains(3.2)) << Info.Name;
      break;
    default:
      EXPECT_TRUE(I.isTop()) << Info.Name << " " << I.str();
      break;
    }
  }
  // Binomial: {0..total_count}.
  DistributionExpr Bin;
  Bin.Dist = DistId::Binomial;
  std::vector<std::optional<NumValue>> BA = {NumValue::number(Interval::point(10)), std::nullopt,
                                             std::nullopt};
  EXPECT_EQ(sampleSupport(Bin, BA, {}).num(), Interval::integers(0, 10));
}

TEST(NumericTable, EveryConstraintSupport) {
  using analysis::numeric_detail::constraintSupport;
  std::vector<NumValue> Args = {NumValue::number(Interval::point(1)),
                                NumValue::number(Interval::point(3))};
  std::map<ConstraintId, Interval> Expected = {
      {ConstraintId::Positive, Interval::positive()},
      {ConstraintId::SoftplusPositive, Interval::positive()},
      {ConstraintId::Nonnegative, Interval::nonNegative()},
      {ConstraintId::UnitInterval, Interval::closed(0, 1)},
      {ConstraintId::Simplex, Interval::make(0, true, 1, false)},
      {ConstraintId::Boolean, Interval::integers(0, 1)},
      {ConstraintId::NonnegativeInteger, Interval::integers(0, Inf)},
      {ConstraintId::PositiveInteger, Interval::integers(1, Inf)},
      {ConstraintId::GreaterThan, Interval::greaterThan(1)},
      {ConstraintId::GreaterThanEq, Interval::atLeast(1)},
      {ConstraintId::LessThan, Interval::lessThan(1)},
      {ConstraintId::Interval, Interval::closed(1, 3)},
      {ConstraintId::HalfOpenInterval, Interval::make(1, false, 3, true)},
      {ConstraintId::IntegerInterval, Interval::integers(1, 3)},
  };
  for (const ConstraintInfo &Info : allConstraints()) {
    Interval I = constraintSupport(Info.Id, Args).num();
    auto It = Expected.find(Info.Id);
    if (It == Expected.end())
      EXPECT_TRUE(I.isTop()) << Info.Name << " " << I.str(); // real, real_vector, matrices
    else
      EXPECT_EQ(I, It->second) << Info.Name;
  }
  // A constraint argument we know nothing about gives no bound.
  EXPECT_TRUE(constraintSupport(ConstraintId::GreaterThan, {NumValue::none()}).num().isTop());
}
