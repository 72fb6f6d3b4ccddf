//===- reparam_test.cpp - Selective reparameterisation (notes §d.3) -------===//

#include "TestIR.h"

#include "svic/analysis/Reparam.h"

#include <gtest/gtest.h>

using namespace svic;
using namespace svic::ir;
using namespace svic::analysis;
using namespace svic::smoothtest;

namespace {

Builder spnorModel() {
  Builder B;
  VarId Z1 = B.var("z1"), Z2 = B.var("z2");
  B.add(B.sample(Z1, "z1", B.normal(B.num(0), B.num(5))));
  B.add(B.sample(Z2, "z2", B.normal(B.v(Z1), B.num(3))));
  B.add(B.ifs(B.cmp(CompareOp::Gt, B.v(Z2), B.num(0)),
              block(B.observe("x", B.normal(B.num(1), B.num(1)), B.num(0))),
              block(B.observe("x", B.normal(B.num(-2), B.num(1)), B.num(0)))));
  return B;
}

Builder spnorGuide() {
  Builder B;
  VarId T1 = B.var("theta1"), T2 = B.var("theta2"), Z1 = B.var("z1"), Z2 = B.var("z2");
  B.add(B.param(T1, "theta1", B.call1("torch.tensor", B.num(1))));
  B.add(B.param(T2, "theta2", B.call1("torch.tensor", B.num(1))));
  B.add(B.sample(Z1, "z1", B.normal(B.v(T1), B.num(1))));
  B.add(B.sample(Z2, "z2", B.normal(B.v(T2), B.num(1))));
  return B;
}

TEST(Reparam, SplitNormalSelectsOnlyZ1) {
  Builder M = spnorModel(), G = spnorGuide();
  for (Property P : {Property::Diff, Property::Lips, Property::Cont}) {
    ReparamResult R = selectReparameterization(M.P, FakeFacts{}, G.P, FakeFacts{}, P);
    EXPECT_EQ(R.Selected, std::vector<std::string>{"z1"});
    EXPECT_EQ(R.Score, std::vector<std::string>{"z2"});
    EXPECT_TRUE(R.ThetaConditionHolds);
    EXPECT_TRUE(R.ConditionHolds);
    ASSERT_EQ(R.Reasons.size(), 1u);
    EXPECT_EQ(R.Reasons[0].rfind("z2: model density may not be", 0), 0u) << R.Reasons[0];
    EXPECT_NE(R.Reasons[0].find("(if at model.py:"), std::string::npos) << R.Reasons[0];
  }
}

TEST(Reparam, DiscreteAndDeltaGuideSites) {
  // Model: w ~ Normal; c ~ Categorical; d ~ Dirichlet. Guide: w ~ Normal(p, 1),
  // c ~ Categorical(q), d = Delta(softmax(p)).
  Builder M;
  VarId W = M.var("w"), C = M.var("c"), D = M.var("d");
  M.add(M.sample(W, "w", M.normal(M.num(0), M.num(1))));
  M.add(M.sample(C, "c", M.dist1("Categorical", M.num(0.5))));
  M.add(M.sample(D, "d", M.dist1("Dirichlet", M.num(1))));
  Builder G;
  VarId P = G.var("p"), Q = G.var("q"), GW = G.var("w"), GC = G.var("c"), GD = G.var("d");
  G.add(G.param(P, "p", G.num(0)));
  G.add(G.param(Q, "q", G.num(0.5)));
  G.add(G.sample(GW, "w", G.normal(G.v(P), G.num(1))));
  G.add(G.sample(GC, "c", G.dist1("Categorical", G.v(Q))));
  G.add(G.sample(GD, "d", G.dist1("Delta", G.call1("torch.nn.functional.softmax", G.v(P)))));
  FakeFacts All;
  All.All = true;
  ReparamResult R = selectReparameterization(M.P, All, G.P, All);
  EXPECT_EQ(R.Selected, (std::vector<std::string>{"d", "w"}));
  EXPECT_EQ(R.Score, std::vector<std::string>{"c"});
  EXPECT_TRUE(R.ConditionHolds);
  ASSERT_EQ(R.Reasons.size(), 1u);
  EXPECT_EQ(R.Reasons[0], "c: discrete (score estimator)");
}

TEST(Reparam, GuideFactorCountsAndThetaCondition) {
  // The guide's own factor |p| is part of the ELBO (notes g.5): under Diff
  // the θ-condition fails; under Lips it holds.
  Builder M;
  VarId Z = M.var("z");
  M.add(M.sample(Z, "z", M.normal(M.num(0), M.num(1))));
  Builder G;
  VarId P = G.var("p"), GZ = G.var("z");
  G.add(G.param(P, "p", G.num(0)));
  G.add(G.sample(GZ, "z", G.normal(G.v(P), G.num(1))));
  G.add(G.factor("f", G.call1("torch.abs", G.v(P))));
  ReparamResult D =
      selectReparameterization(M.P, FakeFacts{}, G.P, FakeFacts{}, Property::Diff);
  EXPECT_FALSE(D.ThetaConditionHolds);
  EXPECT_FALSE(D.ConditionHolds);
  EXPECT_EQ(D.Selected, std::vector<std::string>{"z"}) << "z itself is fine; shrinking cannot help";
  ASSERT_FALSE(D.Reasons.empty());
  EXPECT_EQ(
      D.Reasons[0].rfind("parameter p: guide density may not be differentiable in p (abs at", 0),
      0u)
      << D.Reasons[0];
  ReparamResult L =
      selectReparameterization(M.P, FakeFacts{}, G.P, FakeFacts{}, Property::Lips);
  EXPECT_TRUE(L.ThetaConditionHolds);
  EXPECT_TRUE(L.ConditionHolds);
}

TEST(Reparam, NonReparameterisableGuideSite) {
  Builder M;
  VarId A = M.var("a");
  M.add(M.sample(A, "a", M.dist("VonMises", exprs(M.num(0), M.num(1)))));
  Builder G;
  VarId GA = G.var("a");
  G.add(G.sample(GA, "a", G.dist("VonMises", exprs(G.num(0), G.num(2)))));
  ReparamResult R = selectReparameterization(M.P, FakeFacts{}, G.P, FakeFacts{});
  EXPECT_TRUE(R.Selected.empty());
  EXPECT_EQ(R.Score, std::vector<std::string>{"a"});
  EXPECT_TRUE(R.ConditionHolds);
}

} // namespace
