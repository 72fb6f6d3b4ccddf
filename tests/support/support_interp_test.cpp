//===- support_interp_test.cpp - The support analysis on hand-built IR -----===//
///
/// \file
/// Transfer functions of the support interpreter and the final comparison,
/// on small model/guide programs built directly as IR (no frontend): sample
/// sites and observes, duplicates (literal, in loops, across iterations),
/// index families and their intervals (unrolled and summarised loops, nested
/// and swapped loops, subsampled sequential plates), joins at ifs, plates
/// (sizes, dims, nesting, collisions, unreachable loops), supports and shapes.
//===----------------------------------------------------------------------===//

#include "svic/analysis/Support.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>

using namespace svic;
using namespace svic::analysis;
using namespace svic::ir;

namespace {

template <typename... T> Block blk(T &&...S) {
  Block B;
  (B.push_back(std::move(S)), ...);
  return B;
}

template <typename... T> std::vector<ExprPtr> args(T &&...S) {
  std::vector<ExprPtr> V;
  (V.push_back(std::move(S)), ...);
  return V;
}

/// Builds one program; every statement gets its own line number.
class Builder {
public:
  Program P;
  uint32_t Line = 1;

  explicit Builder(Role R = Role::Model) { P.ProgramRole = R; }

  SourceLoc loc(uint32_t L = 0) {
    SourceLoc S;
    S.File = P.ProgramRole == Role::Model ? 1 : 2;
    S.Line = L ? L : Line;
    S.Col = 1;
    return S;
  }
  VarId var(const std::string &N) {
    auto It = Vars.find(N);
    if (It != Vars.end())
      return It->second;
    VarId V = P.addVar(N, VarKind::User, loc());
    Vars[N] = V;
    return V;
  }
  VarId input(const std::string &N) {
    VarId V = var(N);
    P.Vars[V].Kind = VarKind::Input;
    P.Inputs.push_back(V);
    return V;
  }
  ExprPtr i(int64_t X) {
    auto C = P.make<ConstantExpr>(loc());
    C->Ty = ConstantExpr::Type::Int;
    C->IntValue = X;
    return C;
  }
  ExprPtr f(double X) {
    auto C = P.make<ConstantExpr>(loc());
    C->Ty = ConstantExpr::Type::Float;
    C->FloatValue = X;
    return C;
  }
  ExprPtr b(bool X) {
    auto C = P.make<ConstantExpr>(loc());
    C->Ty = ConstantExpr::Type::Bool;
    C->BoolValue = X;
    return C;
  }
  ExprPtr none() { return P.make<ConstantExpr>(loc()); }
  ExprPtr v(const std::string &N) {
    auto R = P.make<VarRefExpr>(loc());
    R->Var = var(N);
    return R;
  }
  ExprPtr list(std::vector<ExprPtr> Es) {
    auto L = P.makeSequence(ExprKind::List, loc());
    L->Elements = std::move(Es);
    return L;
  }
  ExprPtr ints(std::vector<int64_t> Xs) {
    std::vector<ExprPtr> Es;
    for (int64_t X : Xs)
      Es.push_back(i(X));
    return list(std::move(Es));
  }
  ExprPtr call(const char *Name, std::vector<ExprPtr> As) {
    auto C = P.make<CallExpr>(loc());
    auto Op = findOp(Name);
    EXPECT_TRUE(Op.has_value()) << Name;
    C->Op = *Op;
    C->Args.Args = std::move(As);
    return C;
  }
  ExprPtr bin(BinaryOp Op, ExprPtr A, ExprPtr B) {
    auto E = P.make<BinaryExpr>(loc());
    E->Op = Op;
    E->Lhs = std::move(A);
    E->Rhs = std::move(B);
    return E;
  }
  ExprPtr cmp(CompareOp Op, ExprPtr A, ExprPtr B) {
    auto E = P.make<CompareExpr>(loc());
    E->Op = Op;
    E->Lhs = std::move(A);
    E->Rhs = std::move(B);
    return E;
  }
  ExprPtr zeros(std::vector<int64_t> S) { return call("torch.zeros", args(ints(std::move(S)))); }
  ExprPtr ones(std::vector<int64_t> S) { return call("torch.ones", args(ints(std::move(S)))); }

  std::unique_ptr<DistributionExpr> dist(const char *Name, std::vector<ExprPtr> As) {
    auto D = P.make<DistributionExpr>(loc());
    auto Id = findDistribution(Name);
    EXPECT_TRUE(Id.has_value()) << Name;
    D->Dist = *Id;
    D->Args.Args = std::move(As);
    return D;
  }
  std::unique_ptr<DistributionExpr> normal() { return dist("Normal", args(f(0), f(1))); }
  std::unique_ptr<DistributionExpr> bern() { return dist("Bernoulli", args(f(0.5))); }
  std::unique_ptr<DistributionExpr> then(std::unique_ptr<DistributionExpr> D, DistTransformKind K,
                                         ExprPtr A) {
    D->Transforms.push_back(DistTransform{K, std::move(A), loc()});
    return D;
  }

  SiteName lit(const std::string &N) {
    SiteName S;
    S.NameForm = SiteName::Form::Literal;
    S.Canonical = N;
    S.Loc = loc();
    return S;
  }
  SiteName tmpl(const std::string &T, std::vector<ExprPtr> Idx) {
    SiteName S;
    S.NameForm = SiteName::Form::Template;
    S.Canonical = T;
    S.Indices = std::move(Idx);
    S.Loc = loc();
    return S;
  }
  SiteName dyn(const std::string &Canon, ExprPtr E) {
    SiteName S;
    S.NameForm = SiteName::Form::Dynamic;
    S.Canonical = Canon;
    S.DynamicExpr = std::move(E);
    S.Loc = loc();
    return S;
  }

  StmtPtr sample(SiteName N, std::unique_ptr<DistributionExpr> D, ExprPtr Obs = nullptr,
                 std::optional<std::string> Target = std::nullopt) {
    auto S = P.make<SampleStmt>(loc());
    S->Name = std::move(N);
    S->Dist = std::move(D);
    S->Obs = std::move(Obs);
    if (Target)
      S->Target = var(*Target);
    ++Line;
    return S;
  }
  StmtPtr assign(const std::string &V, ExprPtr E) {
    auto S = P.make<AssignStmt>(loc());
    S->Target = var(V);
    S->Value = std::move(E);
    ++Line;
    return S;
  }
  StmtPtr forRange(const std::string &V, ExprPtr Start, ExprPtr Stop, Block Body) {
    auto S = P.make<ForStmt>(loc());
    S->Over = ForStmt::Iter::Range;
    S->Index = var(V);
    S->Start = Start ? std::move(Start) : i(0);
    S->Stop = std::move(Stop);
    S->Step = i(1);
    S->Body = std::move(Body);
    ++Line;
    return S;
  }
  PlateInfo plate(const std::string &N, ExprPtr Size, ExprPtr Sub = nullptr,
                  ExprPtr Dim = nullptr) {
    PlateInfo PI;
    PI.Name = lit(N);
    PI.Size = std::move(Size);
    PI.SubsampleSize = std::move(Sub);
    PI.Dim = std::move(Dim);
    PI.Loc = loc();
    return PI;
  }
  StmtPtr forPlate(const std::string &V, PlateInfo PI, Block Body) {
    auto S = P.make<ForStmt>(loc());
    S->Over = ForStmt::Iter::Plate;
    S->Index = var(V);
    S->Plate = std::move(PI);
    S->Body = std::move(Body);
    ++Line;
    return S;
  }
  StmtPtr withPlate(PlateInfo PI, Block Body, std::optional<std::string> As = std::nullopt) {
    auto S = P.make<WithStmt>(loc());
    S->Ctx = WithStmt::Context::Plate;
    S->Plate = std::move(PI);
    if (As)
      S->IndexVar = var(*As);
    S->Body = std::move(Body);
    ++Line;
    return S;
  }
  StmtPtr ifS(ExprPtr C, Block Then, Block Else = {}) {
    auto S = P.make<IfStmt>(loc());
    S->Cond = std::move(C);
    S->Then = std::move(Then);
    S->Else = std::move(Else);
    ++Line;
    return S;
  }
  StmtPtr whileS(ExprPtr C, Block Body) {
    auto S = P.make<WhileStmt>(loc());
    S->Cond = std::move(C);
    S->Body = std::move(Body);
    ++Line;
    return S;
  }
  void add(StmtPtr S) { P.Body.push_back(std::move(S)); }

private:
  std::map<std::string, VarId> Vars;
};

const SiteSupport *site(const SupportResult &R, const std::string &N) {
  for (const SiteSupport &S : R.Sites)
    if (S.Name == N)
      return &S;
  return nullptr;
}

std::string verdictOf(const SupportResult &R, const std::string &N) {
  const SiteSupport *S = site(R, N);
  return S ? S->Verdict : "<absent>";
}

bool hasDup(const SupportResult &R) {
  for (const ShapeError &E : R.ShapeErrors)
    if (E.DuplicateSite)
      return true;
  return false;
}

bool hasShapeError(const SupportResult &R) {
  for (const ShapeError &E : R.ShapeErrors)
    if (!E.DuplicateSite)
      return true;
  return false;
}

/// A family x_{i} for i in range(N) (unrolled when N is small, summarised
/// otherwise).
void familyLoop(Builder &B, int64_t N,
                std::unique_ptr<DistributionExpr> (Builder::*D)() = &Builder::bern) {
  B.add(B.forRange("i", B.i(0), B.i(N), blk(B.sample(B.tmpl("x_{}", args(B.v("i"))), (B.*D)()))));
}

//===-- Sites and duplicates -------------------------------------------------===//

TEST(SupportInterp, SameLiteralSitesMatch) {
  Builder M, G(Role::Guide);
  M.add(M.sample(M.lit("x"), M.normal()));
  G.add(G.sample(G.lit("x"), G.normal()));
  SupportResult R = analyzeSupport(M.P, G.P);
  EXPECT_EQ(R.Verdict, "match");
  ASSERT_EQ(R.Sites.size(), 1u);
  EXPECT_EQ(R.Sites[0].Verdict, "match");
  EXPECT_EQ(R.Sites[0].ModelDistribution, "Normal");
  EXPECT_EQ(R.Sites[0].GuideSupport, "real");
  EXPECT_EQ(R.Sites[0].IndexRange, "");
}

TEST(SupportInterp, LiteralDuplicate) {
  Builder M, G(Role::Guide);
  M.add(M.sample(M.lit("x"), M.bern()));
  M.add(M.sample(M.lit("x"), M.bern())); // line 2
  G.add(G.sample(G.lit("x"), G.bern()));
  SupportResult R = analyzeSupport(M.P, G.P);
  ASSERT_TRUE(hasDup(R));
  EXPECT_EQ(R.ShapeErrors[0].Loc.Line, 2u);
  EXPECT_EQ(R.ShapeErrors[0].Program, Role::Model);
  EXPECT_NE(R.Verdict, "match");
}

TEST(SupportInterp, ConstantNameInLoopIsDuplicate) {
  for (int64_t N : {2, 100}) { // unrolled, then summarised
    Builder M, G(Role::Guide);
    M.add(M.forRange("i", M.i(0), M.i(N), blk(M.sample(M.lit("x"), M.bern()))));
    G.add(G.sample(G.lit("x"), G.bern()));
    SupportResult R = analyzeSupport(M.P, G.P);
    EXPECT_TRUE(hasDup(R)) << N;
    EXPECT_NE(R.Verdict, "match");
  }
}

TEST(SupportInterp, ConstantNameInLoopOfOneIsFine) {
  Builder M, G(Role::Guide);
  M.add(M.forRange("i", M.i(0), M.i(1), blk(M.sample(M.lit("x"), M.bern()))));
  G.add(G.sample(G.lit("x"), G.bern()));
  EXPECT_EQ(analyzeSupport(M.P, G.P).Verdict, "match");
}

TEST(SupportInterp, CrossIterationCollision) {
  for (int64_t N : {4, 100}) {
    Builder M, G(Role::Guide);
    M.add(M.forRange(
        "i", M.i(0), M.i(N),
        blk(M.sample(M.tmpl("x_{}", args(M.v("i"))), M.bern()),
            M.sample(M.tmpl("x_{}", args(M.bin(BinaryOp::Add, M.v("i"), M.i(1)))), M.bern()))));
    familyLoop(G, N);
    SupportResult R = analyzeSupport(M.P, G.P);
    EXPECT_TRUE(hasDup(R)) << N;
  }
}

TEST(SupportInterp, TwoSitesOneIterationNoCollision) {
  Builder M, G(Role::Guide);
  for (Builder *B : {&M, &G})
    B->add(
        B->forRange("i", B->i(0), B->i(50),
                    blk(B->sample(B->tmpl("x_{}", args(B->bin(BinaryOp::Mul, B->v("i"), B->i(1)))),
                                  B->bern()))));
  // i * 1 is not a tracked counter expression: the index is only a range.
  SupportResult R = analyzeSupport(M.P, G.P);
  EXPECT_FALSE(hasDup(R));
  EXPECT_EQ(verdictOf(R, "x_{}"), "unknown");
}

//===-- Index families ------------------------------------------------------===//

TEST(SupportInterp, FamilyUnrolledAndSummarised) {
  for (int64_t N : {4, 160}) {
    Builder M, G(Role::Guide);
    familyLoop(M, N);
    familyLoop(G, N);
    SupportResult R = analyzeSupport(M.P, G.P);
    EXPECT_EQ(R.Verdict, "match") << N;
    ASSERT_NE(site(R, "x_{}"), nullptr);
    EXPECT_EQ(site(R, "x_{}")->IndexRange, "[0, " + std::to_string(N) + ")");
  }
}

TEST(SupportInterp, FamilyIntervalsDiffer) {
  for (int64_t N : {4, 160}) {
    Builder M, G(Role::Guide);
    familyLoop(M, N);
    familyLoop(G, N - 1);
    SupportResult R = analyzeSupport(M.P, G.P);
    EXPECT_EQ(R.Verdict, "mismatch") << N;
    EXPECT_EQ(verdictOf(R, "x_{}"), "mismatch");
  }
}

TEST(SupportInterp, FamilyWithUnknownBoundIsUnknown) {
  Builder M, G(Role::Guide);
  M.input("n");
  G.input("n");
  for (Builder *B : {&M, &G})
    B->add(B->forRange("i", B->i(0), B->v("n"),
                       blk(B->sample(B->tmpl("x_{}", args(B->v("i"))), B->bern()))));
  SupportResult R = analyzeSupport(M.P, G.P);
  EXPECT_EQ(R.Verdict, "unknown");
  EXPECT_EQ(verdictOf(R, "x_{}"), "unknown");
}

void nested(Builder &B, const std::vector<std::string> &Order, std::map<std::string, int64_t> Sizes,
            const std::vector<std::string> &NameVars) {
  std::vector<ExprPtr> Idx;
  std::string T = "x";
  for (const std::string &V : NameVars) {
    Idx.push_back(B.v(V));
    T += "_{}";
  }
  Block Body = blk(B.sample(B.tmpl(T, std::move(Idx)), B.bern()));
  for (auto It = Order.rbegin(); It != Order.rend(); ++It) {
    StmtPtr L = B.forRange(*It, B.i(0), B.i(Sizes[*It]), std::move(Body));
    Body = blk(std::move(L));
  }
  for (StmtPtr &S : Body)
    B.add(std::move(S));
}

TEST(SupportInterp, NestedSwappedLoops) {
  // 3 x 3 (unrolled) and 24 x 12 x 8 (summarised) families, loops in opposite orders.
  {
    Builder M, G(Role::Guide);
    nested(M, {"i", "j"}, {{"i", 3}, {"j", 3}}, {"i", "j"});
    nested(G, {"j", "i"}, {{"i", 3}, {"j", 3}}, {"i", "j"});
    SupportResult R = analyzeSupport(M.P, G.P);
    EXPECT_EQ(R.Verdict, "match");
    EXPECT_EQ(site(R, "x_{}_{}")->IndexRange, "[0, 3) x [0, 3)");
  }
  {
    Builder M, G(Role::Guide);
    std::map<std::string, int64_t> Sz{{"i", 24}, {"j", 12}, {"k", 8}};
    nested(M, {"i", "j", "k"}, Sz, {"i", "j", "k"});
    nested(G, {"k", "j", "i"}, Sz, {"i", "j", "k"});
    SupportResult R = analyzeSupport(M.P, G.P);
    EXPECT_EQ(R.Verdict, "match");
    EXPECT_EQ(site(R, "x_{}_{}_{}")->IndexRange, "[0, 24) x [0, 12) x [0, 8)");
  }
}

TEST(SupportInterp, LiteralAliasingATemplateIsUnknown) {
  Builder M, G(Role::Guide);
  M.add(M.sample(M.lit("x_1"), M.bern()));
  G.add(G.sample(G.tmpl("x_{}", args(G.i(1))), G.bern()));
  SupportResult R = analyzeSupport(M.P, G.P);
  EXPECT_EQ(verdictOf(R, "x_1"), "unknown");
  EXPECT_EQ(verdictOf(R, "x_{}"), "unknown");
  EXPECT_EQ(R.Verdict, "unknown");
}

TEST(SupportInterp, DistinctPrefixesDoNotAlias) {
  Builder M, G(Role::Guide);
  for (Builder *B : {&M, &G}) {
    B->add(B->sample(B->tmpl("z_pres_{}", args(B->i(0))), B->bern()));
    B->add(B->sample(B->tmpl("z_{}", args(B->i(0))), B->normal()));
    B->add(B->sample(B->lit("z_loc"), B->normal()));
  }
  EXPECT_EQ(analyzeSupport(M.P, G.P).Verdict, "match");
}

TEST(SupportInterp, DynamicNamesAreUnknown) {
  Builder M, G(Role::Guide);
  M.add(M.sample(M.lit("a"), M.normal()));
  M.add(M.sample(M.lit("b"), M.normal()));
  G.add(G.sample(G.lit("a"), G.normal()));
  G.add(G.sample(G.dyn("<name>", G.v("nm")), G.normal()));
  SupportResult R = analyzeSupport(M.P, G.P);
  EXPECT_EQ(verdictOf(R, "<name>"), "unknown");
  EXPECT_EQ(verdictOf(R, "b"), "unknown"); // the dynamic site may be named b
  EXPECT_EQ(verdictOf(R, "a"), "match");
  EXPECT_EQ(R.Verdict, "unknown");
}

//===-- Control flow -----------------------------------------------------------===//

TEST(SupportInterp, JoinAtIf) {
  {
    Builder M, G(Role::Guide);
    M.input("c");
    M.add(M.ifS(M.v("c"), blk(M.sample(M.lit("x"), M.normal())),
                blk(M.sample(M.lit("x"), M.normal()))));
    G.add(G.sample(G.lit("x"), G.normal()));
    EXPECT_EQ(analyzeSupport(M.P, G.P).Verdict, "match");
  }
  {
    Builder M, G(Role::Guide);
    M.input("c");
    M.add(M.ifS(M.v("c"), blk(M.sample(M.lit("x"), M.normal()))));
    G.add(G.sample(G.lit("x"), G.normal()));
    SupportResult R = analyzeSupport(M.P, G.P);
    EXPECT_EQ(verdictOf(R, "x"), "unknown"); // the model samples x on some paths only
    EXPECT_EQ(R.Verdict, "unknown");
  }
  {
    Builder M, G(Role::Guide);
    M.input("c");
    M.add(M.ifS(M.v("c"), blk(M.sample(M.lit("x"), M.normal())),
                blk(M.sample(M.lit("x"), M.dist("Uniform", args(M.f(0), M.f(1)))))));
    G.add(G.sample(G.lit("x"), G.normal()));
    SupportResult R = analyzeSupport(M.P, G.P);
    EXPECT_EQ(verdictOf(R, "x"), "unknown"); // fine on one path, not on the other
  }
}

TEST(SupportInterp, DeadBranchAndForInUnreachableBranch) {
  Builder M, G(Role::Guide);
  M.add(M.ifS(M.b(false),
              blk(M.forRange("i", M.i(0), M.i(3), blk(M.sample(M.lit("y"), M.normal()))))));
  M.add(M.sample(M.lit("x"), M.normal()));
  G.add(G.sample(G.lit("x"), G.normal()));
  SupportResult R = analyzeSupport(M.P, G.P);
  EXPECT_EQ(R.Verdict, "match");
  EXPECT_EQ(site(R, "y"), nullptr);
}

TEST(SupportInterp, BranchOnCounterOfUnrolledLoop) {
  // s38-like: y_{j} only when i == 0, z only when i == 1.
  Builder M, G(Role::Guide);
  for (Builder *B : {&M, &G}) {
    auto Y = B->sample(B->tmpl("y_{}", args(B->v("j"))),
                       B->then(B->bern(), DistTransformKind::ExpandBy, B->ints({5})));
    auto WY = B->withPlate(B->plate("plate2", B->i(10), B->i(5)), blk(std::move(Y)));
    auto LJ = B->forPlate("j", B->plate("plate1", B->i(2)), blk(std::move(WY)));
    auto Z = B->sample(B->lit("z"), B->then(B->bern(), DistTransformKind::ExpandBy, B->ints({5})));
    auto WZ = B->withPlate(B->plate("plate2", B->i(10), B->i(5)), blk(std::move(Z)));
    auto Elif = B->ifS(B->cmp(CompareOp::Eq, B->v("i"), B->i(1)), blk(std::move(WZ)));
    auto If =
        B->ifS(B->cmp(CompareOp::Eq, B->v("i"), B->i(0)), blk(std::move(LJ)), blk(std::move(Elif)));
    auto X = B->sample(B->tmpl("x_{}", args(B->v("i"))), B->bern());
    B->add(B->forPlate("i", B->plate("plate0", B->i(2)), blk(std::move(X), std::move(If))));
  }
  SupportResult R = analyzeSupport(M.P, G.P);
  EXPECT_EQ(R.Verdict, "match");
  EXPECT_EQ(verdictOf(R, "y_{}"), "match");
  EXPECT_EQ(verdictOf(R, "z"), "match");
  EXPECT_TRUE(R.ShapeErrors.empty());
}

TEST(SupportInterp, WhileLoops) {
  // A counter loop with a constant bound runs concretely: exact names.
  {
    Builder M, G(Role::Guide);
    for (Builder *B : {&M, &G}) {
      B->add(B->assign("k", B->i(0)));
      B->add(B->whileS(B->cmp(CompareOp::Lt, B->v("k"), B->i(5)),
                       blk(B->sample(B->tmpl("x_{}", args(B->v("k"))), B->bern()),
                           B->assign("k", B->bin(BinaryOp::Add, B->v("k"), B->i(1))))));
    }
    SupportResult R = analyzeSupport(M.P, G.P);
    EXPECT_EQ(verdictOf(R, "x_{}"), "match");
    EXPECT_EQ(site(R, "x_{}")->IndexRange, "[0, 5)");
  }
  // An unknown bound: summarised with a fixpoint, terminates, unknown.
  {
    Builder M, G(Role::Guide);
    for (Builder *B : {&M, &G}) {
      B->input("n");
      B->add(B->assign("k", B->i(0)));
      B->add(B->whileS(B->cmp(CompareOp::Lt, B->v("k"), B->v("n")),
                       blk(B->sample(B->tmpl("x_{}", args(B->v("k"))), B->bern()),
                           B->assign("k", B->bin(BinaryOp::Add, B->v("k"), B->i(1))))));
    }
    SupportResult R = analyzeSupport(M.P, G.P);
    EXPECT_EQ(verdictOf(R, "x_{}"), "unknown");
    EXPECT_FALSE(hasDup(R));
  }
  // A constant name in a loop that certainly runs twice.
  {
    Builder M, G(Role::Guide);
    M.add(M.assign("k", M.i(0)));
    M.add(M.whileS(M.cmp(CompareOp::Lt, M.v("k"), M.i(2)),
                   blk(M.sample(M.lit("x"), M.bern()),
                       M.assign("k", M.bin(BinaryOp::Add, M.v("k"), M.i(1))))));
    G.add(G.sample(G.lit("x"), G.bern()));
    EXPECT_TRUE(hasDup(analyzeSupport(M.P, G.P)));
  }
}

TEST(SupportInterp, LoopCarriedShapeReachesFixpoint) {
  // h = h + z_t with a known shape: the shape survives widening.
  Builder M, G(Role::Guide);
  for (Builder *B : {&M, &G}) {
    B->add(B->assign("h", B->zeros({20, 5})));
    B->add(B->forRange("t", B->i(0), B->i(100),
                       blk(B->sample(B->tmpl("z_{}", args(B->v("t"))),
                                     B->then(B->dist("Normal", args(B->v("h"), B->f(1))),
                                             DistTransformKind::ToEvent, B->i(1)),
                                     nullptr, std::string("zt")),
                           B->assign("h", B->bin(BinaryOp::Add, B->v("h"), B->v("zt"))))));
  }
  SupportResult R = analyzeSupport(M.P, G.P);
  EXPECT_EQ(R.Verdict, "match");
  EXPECT_EQ(site(R, "z_{}")->Reason.find("shape [20, 5]") != std::string::npos, true)
      << site(R, "z_{}")->Reason;
}

//===-- Plates ------------------------------------------------------------------===//

TEST(SupportInterp, PlateBroadcastError) {
  Builder M, G(Role::Guide);
  for (Builder *B : {&M, &G})
    B->add(B->withPlate(B->plate("plate", B->i(10), B->i(5)),
                        blk(B->sample(B->lit("x"), B->then(B->bern(), DistTransformKind::ExpandBy,
                                                           B->ints({2}))))));
  SupportResult R = analyzeSupport(M.P, G.P);
  ASSERT_TRUE(hasShapeError(R));
  EXPECT_EQ(R.ShapeErrors[0].Program, Role::Model);
  EXPECT_EQ(R.ShapeErrors[0].Loc.Line, 1u);
  EXPECT_EQ(R.Verdict, "unknown");
}

TEST(SupportInterp, SubsampledPlateShape) {
  Builder M, G(Role::Guide);
  for (Builder *B : {&M, &G})
    B->add(B->withPlate(B->plate("plate", B->i(10), B->i(5)),
                        blk(B->sample(B->lit("x"), B->then(B->bern(), DistTransformKind::ExpandBy,
                                                           B->ints({5}))))));
  SupportResult R = analyzeSupport(M.P, G.P);
  EXPECT_EQ(R.Verdict, "match");
  EXPECT_NE(site(R, "x")->Reason.find("shape [5]"), std::string::npos);
  ASSERT_EQ(R.Plates.size(), 1u);
  EXPECT_EQ(R.Plates[0].Verdict, "match");
  EXPECT_EQ(R.Plates[0].Model, "plate(10, 5)");
}

TEST(SupportInterp, NestedPlatesAndDims) {
  Builder M, G(Role::Guide);
  for (Builder *B : {&M, &G})
    B->add(B->withPlate(
        B->plate("a", B->i(5)),
        blk(B->sample(B->lit("x"), B->bern()),
            B->withPlate(B->plate("b", B->i(6)), blk(B->sample(B->lit("y"), B->bern()))))));
  SupportResult R = analyzeSupport(M.P, G.P);
  EXPECT_EQ(R.Verdict, "match");
  EXPECT_NE(site(R, "x")->Reason.find("shape [5]"), std::string::npos);
  EXPECT_NE(site(R, "y")->Reason.find("shape [6, 5]"), std::string::npos);
}

TEST(SupportInterp, DimCollision) {
  Builder M, G(Role::Guide);
  for (Builder *B : {&M, &G})
    B->add(B->withPlate(B->plate("a", B->i(5)),
                        blk(B->withPlate(B->plate("b", B->i(6), nullptr, B->i(-1)),
                                         blk(B->sample(B->lit("y"), B->bern()))))));
  SupportResult R = analyzeSupport(M.P, G.P);
  ASSERT_TRUE(hasShapeError(R));
  EXPECT_EQ(R.ShapeErrors[0].Loc.Line, 2u); // the inner with
}

TEST(SupportInterp, PlateSizeFromLen) {
  Builder M, G(Role::Guide);
  for (Builder *B : {&M, &G}) {
    B->add(B->assign("data", B->zeros({7, 2})));
    B->add(B->withPlate(B->plate("d", B->call("len", args(B->v("data")))),
                        blk(B->sample(B->lit("x"), B->normal()))));
  }
  SupportResult R = analyzeSupport(M.P, G.P);
  EXPECT_EQ(R.Verdict, "match");
  EXPECT_NE(site(R, "x")->Reason.find("shape [7]"), std::string::npos);
}

TEST(SupportInterp, UnknownPlateSizeNeverMatchesShapes) {
  Builder M, G(Role::Guide);
  M.input("n");
  G.input("n");
  for (Builder *B : {&M, &G})
    B->add(B->withPlate(B->plate("d", B->v("n")), blk(B->sample(B->lit("x"), B->normal()))));
  SupportResult R = analyzeSupport(M.P, G.P);
  EXPECT_EQ(verdictOf(R, "x"), "unknown"); // [?] against [?]: not proved equal
}

TEST(SupportInterp, SubsampledSequentialPlateFamily) {
  Builder M, G(Role::Guide);
  for (Builder *B : {&M, &G})
    B->add(B->forPlate(
        "i", B->plate("iplate", B->i(3), B->i(2)),
        blk(B->withPlate(
            B->plate("plate", B->i(3), B->i(2)),
            blk(B->sample(B->tmpl("x_{}", args(B->v("i"))),
                          B->then(B->bern(), DistTransformKind::ExpandBy, B->ints({2}))))))));
  SupportResult R = analyzeSupport(M.P, G.P);
  EXPECT_EQ(R.Verdict, "match");
  EXPECT_NE(site(R, "x_{}")->IndexRange.find("subsample of plate 'iplate'"), std::string::npos);
}

TEST(SupportInterp, GuideOnlyPlateIsMismatch) {
  Builder M, G(Role::Guide);
  M.add(M.sample(M.lit("x"), M.bern()));
  G.add(G.forPlate("i", G.plate("plate", G.i(10)), {}));
  G.add(G.sample(G.lit("x"), G.bern()));
  SupportResult R = analyzeSupport(M.P, G.P);
  EXPECT_EQ(verdictOf(R, "x"), "match");
  EXPECT_EQ(R.Verdict, "mismatch");
  ASSERT_EQ(R.Plates.size(), 1u);
  EXPECT_EQ(R.Plates[0].Verdict, "guide-only");
  // The other way round is allowed.
  SupportResult R2 = analyzeSupport(G.P, M.P);
  EXPECT_EQ(R2.Verdict, "match");
}

//===-- Distributions, supports and shapes --------------------------------------===//

TEST(SupportInterp, BayesianRegressionSigma) {
  Builder M, G(Role::Guide);
  M.add(M.sample(M.lit("sigma"), M.dist("Uniform", args(M.f(0), M.f(10)))));
  G.add(G.sample(G.lit("sigma"), G.normal()));
  SupportResult R = analyzeSupport(M.P, G.P);
  EXPECT_EQ(R.Verdict, "mismatch");
  const SiteSupport *S = site(R, "sigma");
  EXPECT_EQ(S->Verdict, "mismatch");
  EXPECT_EQ(S->ModelSupport, "interval(0, 10)");
  EXPECT_EQ(S->GuideSupport, "real");
  EXPECT_NE(S->Reason.find("not contained in model support interval(0, 10)"), std::string::npos)
      << S->Reason;
}

TEST(SupportInterp, DeltaGuide) {
  Builder M, G(Role::Guide);
  M.add(M.sample(M.lit("d"), M.dist("Dirichlet", args(M.ones({8})))));
  G.add(G.sample(G.lit("d"),
                 G.then(G.dist("Delta", args(G.ones({8}))), DistTransformKind::ToEvent, G.i(1))));
  SupportResult R = analyzeSupport(M.P, G.P);
  EXPECT_EQ(verdictOf(R, "d"), "mismatch");
  EXPECT_NE(site(R, "d")->Reason.find("base measures differ"), std::string::npos);
}

TEST(SupportInterp, ShapeMismatchAndEventDims) {
  Builder M, G(Role::Guide);
  M.add(M.sample(M.lit("x"), M.then(M.dist("Normal", args(M.zeros({2}), M.ones({2}))),
                                    DistTransformKind::ToEvent, M.i(1))));
  G.add(G.sample(G.lit("x"), G.then(G.dist("Normal", args(G.zeros({2, 1}), G.ones({2, 1}))),
                                    DistTransformKind::ToEvent, G.i(2))));
  SupportResult R = analyzeSupport(M.P, G.P);
  EXPECT_EQ(verdictOf(R, "x"), "mismatch");
  Builder M2, G2(Role::Guide);
  M2.add(M2.sample(M2.lit("x"), M2.then(M2.dist("Normal", args(M2.zeros({2}), M2.ones({2}))),
                                        DistTransformKind::ToEvent, M2.i(1))));
  G2.add(G2.sample(G2.lit("x"), G2.dist("Normal", args(G2.zeros({2}), G2.ones({2})))));
  EXPECT_EQ(verdictOf(analyzeSupport(M2.P, G2.P), "x"), "mismatch"); // event dims 1 vs 0
}

TEST(SupportInterp, ParameterBroadcastErrorAndToEventError) {
  {
    Builder M, G(Role::Guide);
    M.add(M.sample(M.lit("x"), M.dist("Normal", args(M.zeros({3}), M.ones({4})))));
    G.add(G.sample(G.lit("x"), G.normal()));
    EXPECT_TRUE(hasShapeError(analyzeSupport(M.P, G.P)));
  }
  {
    Builder M, G(Role::Guide);
    M.add(M.sample(M.lit("x"), M.then(M.normal(), DistTransformKind::ToEvent, M.i(1))));
    G.add(G.sample(G.lit("x"), G.normal()));
    EXPECT_TRUE(hasShapeError(analyzeSupport(M.P, G.P)));
  }
}

TEST(SupportInterp, Observes) {
  // Observed sites are not latent, but their distributions are checked.
  {
    Builder M, G(Role::Guide);
    M.add(M.sample(M.lit("x"), M.normal()));
    M.add(M.sample(M.lit("obs"), M.normal(), M.f(1.0)));
    G.add(G.sample(G.lit("x"), G.normal()));
    SupportResult R = analyzeSupport(M.P, G.P);
    EXPECT_EQ(R.Verdict, "match");
    EXPECT_EQ(site(R, "obs"), nullptr);
  }
  {
    Builder M, G(Role::Guide);
    M.add(M.sample(M.lit("obs"), M.dist("Normal", args(M.zeros({3}), M.ones({4}))), M.zeros({3})));
    EXPECT_TRUE(hasShapeError(analyzeSupport(M.P, G.P)));
  }
  {
    // obs=None is latent; obs that may be None makes the site may-latent.
    Builder M, G(Role::Guide);
    M.input("c");
    M.add(M.ifS(M.v("c"), blk(M.assign("ys", M.none())), blk(M.assign("ys", M.f(1.0)))));
    M.add(M.sample(M.lit("y"), M.bern(), M.none()));
    M.add(M.sample(M.lit("w"), M.bern(), M.v("ys")));
    G.add(G.sample(G.lit("y"), G.bern()));
    G.add(G.sample(G.lit("w"), G.bern()));
    SupportResult R = analyzeSupport(M.P, G.P);
    EXPECT_EQ(verdictOf(R, "y"), "match");
    EXPECT_EQ(verdictOf(R, "w"), "unknown");
  }
}

TEST(SupportInterp, ModelOnlyAndGuideOnly) {
  Builder M, G(Role::Guide);
  M.add(M.sample(M.lit("a"), M.normal()));
  G.add(G.sample(G.lit("b"), G.normal()));
  SupportResult R = analyzeSupport(M.P, G.P);
  EXPECT_EQ(verdictOf(R, "a"), "model-only");
  EXPECT_EQ(verdictOf(R, "b"), "guide-only");
  EXPECT_EQ(R.Verdict, "mismatch");
}

TEST(SupportInterp, Timing) {
  Builder M, G(Role::Guide);
  std::map<std::string, int64_t> Sz{{"i", 20}, {"t", 160}};
  nested(M, {"i", "t"}, Sz, {"i", "t"});
  nested(G, {"t", "i"}, Sz, {"i", "t"});
  auto T0 = std::chrono::steady_clock::now();
  SupportResult R = analyzeSupport(M.P, G.P);
  double Ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - T0).count();
  EXPECT_EQ(R.Verdict, "match");
  EXPECT_LT(Ms, 50.0);
}

} // namespace

namespace {

TEST(SupportInterp, AmbiguousTemplatesAreUnknown) {
  // "x_{}{}" with (1, 12) and (11, 2) are both x_112.
  Builder M, G(Role::Guide);
  M.add(M.sample(M.tmpl("x_{}{}", args(M.i(1), M.i(12))), M.bern()));
  G.add(G.sample(G.tmpl("x_{}{}", args(G.i(11), G.i(2))), G.bern()));
  SupportResult R = analyzeSupport(M.P, G.P);
  EXPECT_EQ(verdictOf(R, "x_{}{}"), "unknown");
  // With a separator the tuples are the names.
  Builder M2, G2(Role::Guide);
  M2.add(M2.sample(M2.tmpl("x_{}_{}", args(M2.i(1), M2.i(12))), M2.bern()));
  G2.add(G2.sample(G2.tmpl("x_{}_{}", args(G2.i(11), G2.i(2))), G2.bern()));
  EXPECT_EQ(verdictOf(analyzeSupport(M2.P, G2.P), "x_{}_{}"), "mismatch");
}

} // namespace
