//===- transfer_test.cpp - Every transfer function of the smoothness analysis ===//
///
/// \file
/// One test per statement/expression transfer function (hand-built IR), the
/// whole operation/module/distribution table against the three properties,
/// partial operations with and without numeric proofs, if/loop tainting,
/// witnesses and chains, and the 10,000-line performance bound.
//===----------------------------------------------------------------------===//

#include "TestIR.h"

#include <gtest/gtest.h>


using namespace svic;
using namespace svic::ir;
using namespace svic::analysis;
using namespace svic::smoothtest;

namespace {

const Property AllProps[] = {Property::Diff, Property::Lips, Property::Cont};

SmoothnessResult run(Builder &B, Property Prop, const NumericFacts &F = FakeFacts{},
                     const SmoothnessOptions &O = {}) {
  return analyzeSmoothness(B.P, F, Prop, O);
}

bool smooth(const SmoothnessResult &R, const std::string &N) {
  const NameVerdict *V = R.find(N);
  if (!V)
    throw std::runtime_error("no name " + N);
  return V->Smooth;
}

std::vector<std::string> ops(const SmoothnessResult &R, const std::string &N) {
  std::vector<std::string> Out;
  for (const Witness &W : R.find(N)->Witnesses)
    Out.push_back(W.Operation);
  return Out;
}

bool hasOp(const SmoothnessResult &R, const std::string &N, const std::string &Op) {
  for (const Witness &W : R.find(N)->Witnesses)
    if (W.Operation == Op)
      return true;
  return false;
}

/// z ~ Normal(0, 1); x = F(z); observe Normal(x, 1) at 0.
struct Fixture {
  Builder B;
  VarId Z, X;
  Fixture() {
    Z = B.var("zv");
    X = B.var("x");
    B.add(B.sample(Z, "z", B.normal(B.num(0), B.num(1))));
  }
  void observeX() { B.add(B.observe("obs", B.normal(B.v(X), B.num(1)), B.num(0))); }
};

void checkInvariants(const SmoothnessResult &R) {
  for (size_t I = 1; I < R.Names.size(); ++I)
    EXPECT_LT(R.Names[I - 1].Name, R.Names[I].Name);
  for (const NameVerdict &V : R.Names) {
    if (V.Discrete) {
      EXPECT_FALSE(V.Smooth);
    }
    EXPECT_EQ(V.Smooth, V.Witnesses.empty()) << V.Name;
  }
}

//===-- Assignments and expressions -------------------------------------------===//

TEST(Transfer, AssignSmoothArithmetic) {
  Fixture F;
  F.B.add(F.B.assign(F.X, F.B.add(F.B.mul(F.B.v(F.Z), F.B.num(2)), F.B.num(1))));
  F.observeX();
  for (Property P : AllProps) {
    auto R = run(F.B, P);
    EXPECT_TRUE(smooth(R, "z"));
    checkInvariants(R);
  }
}

TEST(Transfer, NaiveChainRuleCounterExampleInProgram) {
  // y = z; out = 0 * z + |y|: smooth in z in the second statement alone.
  Fixture F;
  VarId Y = F.B.var("y");
  F.B.add(F.B.assign(Y, F.B.v(F.Z)));
  F.B.add(
      F.B.assign(F.X, F.B.add(F.B.mul(F.B.num(0), F.B.v(F.Z)), F.B.call1("torch.abs", F.B.v(Y)))));
  F.observeX();
  auto D = run(F.B, Property::Diff);
  EXPECT_FALSE(smooth(D, "z"));
  EXPECT_EQ(ops(D, "z"), std::vector<std::string>{"abs"});
  EXPECT_EQ(D.find("z")->Witnesses[0].Chain, (std::vector<std::string>{"z", "zv", "y"}));
  EXPECT_TRUE(smooth(run(F.B, Property::Lips), "z"));
}

TEST(Transfer, ComparisonsAndBooleans) {
  auto Check = [](auto Make, const std::string &Op) {
    Fixture F;
    F.B.add(F.B.assign(F.X, Make(F.B, F.Z)));
    F.observeX();
    for (Property P : AllProps) {
      auto R = run(F.B, P);
      EXPECT_FALSE(smooth(R, "z")) << Op;
      EXPECT_TRUE(hasOp(R, "z", Op)) << Op;
    }
  };
  Check([](Builder &B, VarId Z) { return B.cmp(CompareOp::Gt, B.v(Z), B.num(0)); }, "comparison");
  Check([](Builder &B, VarId Z) { return B.cmp(CompareOp::Is, B.v(Z), B.none()); }, "comparison");
  Check([](Builder &B, VarId Z) { return B.logical(LogicalOp::And, B.v(Z), B.num(1)); },
        "boolean operator");
  Check([](Builder &B, VarId Z) { return B.unary(UnaryOp::Not, B.v(Z)); }, "not");
  Check([](Builder &B, VarId Z) { return B.bin(BinaryOp::FloorDiv, B.v(Z), B.num(2)); },
        "floor division");
  Check([](Builder &B, VarId Z) { return B.bin(BinaryOp::Mod, B.v(Z), B.num(2)); }, "modulo");
  Check(
      [](Builder &B, VarId Z) {
        return B.cond(B.cmp(CompareOp::Gt, B.v(Z), B.num(0)), B.v(Z),
                      B.unary(UnaryOp::Neg, B.v(Z)));
      },
      "conditional expression");
}

TEST(Transfer, NegationAndMatmulAreSmooth) {
  Fixture F;
  F.B.add(
      F.B.assign(F.X, F.B.bin(BinaryOp::MatMul, F.B.unary(UnaryOp::Neg, F.B.v(F.Z)), F.B.v(F.Z))));
  F.observeX();
  EXPECT_TRUE(smooth(run(F.B, Property::Diff), "z"));
}

TEST(Transfer, Division) {
  Fixture F;
  auto Div = F.B.bin(BinaryOp::Div, F.B.num(1), F.B.v(F.Z));
  NodeId Rhs = cast<BinaryExpr>(Div.get())->Rhs->Id;
  F.B.add(F.B.assign(F.X, std::move(Div)));
  F.observeX();
  auto R = run(F.B, Property::Lips);
  EXPECT_FALSE(smooth(R, "z"));
  EXPECT_EQ(ops(R, "z"), std::vector<std::string>{"division"});
  FakeFacts Proved;
  Proved.NonZero.insert(Rhs);
  EXPECT_TRUE(smooth(run(F.B, Property::Diff, Proved), "z"));
  // Dividing by a constant never needs a proof; the numerator is smooth.
  Fixture G;
  G.B.add(G.B.assign(G.X, G.B.bin(BinaryOp::Div, G.B.v(G.Z), G.B.num(3))));
  G.observeX();
  EXPECT_TRUE(smooth(run(G.B, Property::Diff), "z"));
}

TEST(Transfer, PowerOperator) {
  auto Make = [](double Exp, bool ProvePos) {
    Fixture F;
    auto E = F.B.bin(BinaryOp::Pow, F.B.v(F.Z), F.B.num(Exp));
    NodeId Base = cast<BinaryExpr>(E.get())->Lhs->Id;
    F.B.add(F.B.assign(F.X, std::move(E)));
    F.observeX();
    FakeFacts Facts;
    if (ProvePos)
      Facts.Positive.insert(Base);
    return smooth(run(F.B, Property::Diff, Facts), "z");
  };
  EXPECT_TRUE(Make(2, false));
  EXPECT_TRUE(Make(0, false));
  EXPECT_FALSE(Make(0.5, false));
  EXPECT_TRUE(Make(0.5, true));
  EXPECT_FALSE(Make(-1, false));
}

TEST(Transfer, PartialCallsNeedPreconditions) {
  struct Case {
    const char *Op;
    bool ByPrecondition; // proved through provedPrecondition, else provedPositive
  } Cases[] = {{"torch.log", true},   {"torch.lgamma", true}, {"torch.rsqrt", true},
               {"torch.log1p", true}, {"torch.sqrt", false},  {"math.log", true}};
  for (const Case &C : Cases) {
    for (int Proof = 0; Proof < 2; ++Proof) {
      Fixture F;
      auto Call = F.B.callE(C.Op, exprs(F.B.v(F.Z)));
      FakeFacts Facts;
      if (Proof) {
        if (C.ByPrecondition)
          Facts.Precondition.insert(Call->Id);
        else
          Facts.Positive.insert(Call->Args.Args[0]->Id);
      }
      F.B.add(F.B.assign(F.X, std::move(Call)));
      F.observeX();
      for (Property P : AllProps) {
        auto R = run(F.B, P, Facts);
        EXPECT_EQ(smooth(R, "z"), Proof == 1) << C.Op;
        if (!Proof) {
          EXPECT_NE(R.find("z")->Witnesses[0].Operation.find("not proved"), std::string::npos)
              << C.Op;
        }
      }
    }
  }
  // pow with an integer exponent >= 0 needs nothing.
  Fixture F;
  F.B.add(F.B.assign(F.X, F.B.call2("torch.pow", F.B.v(F.Z), F.B.integer(3))));
  F.observeX();
  EXPECT_TRUE(smooth(run(F.B, Property::Diff), "z"));
  Fixture G;
  G.B.add(G.B.assign(G.X, G.B.call2("torch.pow", G.B.v(G.Z), G.B.num(0.5))));
  G.observeX();
  EXPECT_TRUE(hasOp(run(G.B, Property::Lips), "z", "pow (base not proved > 0)"));
}

//===-- The whole table against the three properties ------------------------------===//

// Every operation: z in slot 0, constants elsewhere; smooth iff the slot's
// class promises the property (preconditions proved by the fake).
TEST(Table, EveryOperationSlot0) {
  FakeFacts All;
  All.All = true;
  for (const OpInfo &I : allOps()) {
    if (I.Params.empty() || I.Id == OpId::DistLogProb || I.Id == OpId::DistSample)
      continue;
    for (Property P : AllProps) {
      Fixture F;
      std::vector<ExprPtr> Args;
      Args.push_back(F.B.v(F.Z));
      for (size_t K = 1; K < I.Params.size(); ++K)
        Args.push_back(I.Params[K].Optional ? nullptr : F.B.num(1));
      auto C = F.B.P.make<CallExpr>(F.B.loc());
      C->Op = I.Id;
      C->Args.Args = std::move(Args);
      F.B.add(F.B.assign(F.X, std::move(C)));
      F.observeX();
      auto R = run(F.B, P, All);
      bool ShapeOnly = I.Id == OpId::Size || I.Id == OpId::Dim || I.Id == OpId::PyLen ||
                       I.Id == OpId::NewZeros || I.Id == OpId::NewOnes || I.Id == OpId::NewTensor ||
                       I.Id == OpId::NewFull || I.Id == OpId::ZerosLike || I.Id == OpId::OnesLike;
      bool Expect = ShapeOnly || classSatisfies(I.Params[0].Class, P);
      EXPECT_EQ(smooth(R, "z"), Expect) << I.QualifiedName << " " << propertyName(P);
      checkInvariants(R);
    }
  }
}

TEST(Table, ClassSatisfies) {
  using S = Smoothness;
  EXPECT_TRUE(classSatisfies(S::Diff, Property::Diff));
  EXPECT_FALSE(classSatisfies(S::Lips, Property::Diff));
  EXPECT_TRUE(classSatisfies(S::Lips, Property::Lips));
  EXPECT_FALSE(classSatisfies(S::Cont, Property::Lips));
  EXPECT_TRUE(classSatisfies(S::Cont, Property::Cont));
  EXPECT_FALSE(classSatisfies(S::None, Property::Cont));
  EXPECT_EQ(propertyName(Property::Cont), "cont");
}

// Every module: m = Ctor(); pyro.module("m", m); x = m(z).
TEST(Table, EveryModule) {
  for (const ModuleInfo &I : allModules()) {
    if (I.CallParams.empty() || I.Id == ModuleId::Sequential)
      continue;
    for (Property P : AllProps) {
      Fixture F;
      VarId M = F.B.var("m");
      std::vector<ExprPtr> CtorArgs;
      for (const ParamSpec &PS : I.CtorParams)
        CtorArgs.push_back(PS.Optional ? nullptr : F.B.integer(2));
      F.B.add(F.B.assign(M, F.B.ctor(I.QualifiedName, std::move(CtorArgs))));
      F.B.add(F.B.module("net", M));
      F.B.add(F.B.assign(F.X, F.B.mcall1(M, F.B.v(F.Z))));
      F.observeX();
      auto R = run(F.B, P);
      EXPECT_EQ(smooth(R, "z"), classSatisfies(I.CallParams[0].Class, P)) << I.QualifiedName;
      EXPECT_EQ(smooth(R, "net"), classSatisfies(I.WeightsSmooth, P)) << I.QualifiedName;
      checkInvariants(R);
    }
  }
}

/// Fills the required slots of a distribution with constants (a Normal for
/// distribution-valued slots) and puts \p Special in slot \p Slot.
std::unique_ptr<DistributionExpr> distWith(Builder &B, const DistInfo &I, size_t Slot,
                                           ExprPtr Special) {
  auto D = B.P.make<DistributionExpr>(B.loc());
  D->Dist = I.Id;
  for (size_t K = 0; K < I.Params.size(); ++K) {
    if (K == Slot) {
      D->Args.Args.push_back(std::move(Special));
      continue;
    }
    if (I.Params[K].Optional) {
      D->Args.Args.push_back(nullptr);
      continue;
    }
    if (I.Params[K].Domain == "dist")
      D->Args.Args.push_back(B.normal(B.num(0), B.num(1)));
    else
      D->Args.Args.push_back(B.num(1));
  }
  return D;
}

// Every distribution parameter slot (z as the parameter of an observe) and
// every distribution's value (a latent sampled from it).
TEST(Table, EveryDistribution) {
  FakeFacts All;
  All.All = true;
  for (const DistInfo &I : allDistributions()) {
    if (I.Id == DistId::Delta)
      continue; // an assignment, tested separately
    for (Property P : AllProps) {
      for (size_t K = 0; K < I.Params.size(); ++K) {
        Fixture F;
        ExprPtr Special =
            I.Params[K].Domain == "dist" ? ExprPtr(F.B.normal(F.B.v(F.Z), F.B.num(1))) : F.B.v(F.Z);
        F.B.add(F.B.observe("obs", distWith(F.B, I, K, std::move(Special)), F.B.num(0)));
        auto R = run(F.B, P, All);
        EXPECT_EQ(smooth(R, "z"), classSatisfies(I.Params[K].Class, P))
            << I.Name << "." << I.Params[K].Name << " " << propertyName(P);
      }
      Builder B;
      VarId X = B.var("x");
      B.add(B.sample(X, "x", distWith(B, I, I.Params.size(), nullptr)));
      auto R = run(B, P, All);
      EXPECT_EQ(R.find("x")->Discrete, I.Discrete) << I.Name;
      EXPECT_EQ(smooth(R, "x"), !I.Discrete && classSatisfies(I.ValueSmooth, P)) << I.Name;
      if (I.Discrete) {
        EXPECT_EQ(ops(R, "x"), std::vector<std::string>{"discrete distribution"});
      }
      checkInvariants(R);
    }
  }
}

//===-- Distribution parameters, observes, factors ----------------------------------===//

TEST(Transfer, DistributionDomainChecks) {
  for (int Proof = 0; Proof < 2; ++Proof) {
    Builder B;
    VarId Z = B.var("z");
    B.add(B.sample(Z, "z", B.normal(B.num(0), B.num(1))));
    auto D = B.normal(B.num(0), B.v(Z));
    NodeId ScaleNode = D->Args.Args[1]->Id;
    B.add(B.observe("obs", std::move(D), B.num(0)));
    FakeFacts F;
    if (Proof)
      F.InDomain.insert(ScaleNode);
    auto R = run(B, Property::Diff, F);
    EXPECT_EQ(smooth(R, "z"), Proof == 1);
    if (!Proof) {
      EXPECT_EQ(ops(R, "z"), std::vector<std::string>{"Normal scale (not proved > 0)"});
    }
  }
}

TEST(Transfer, ObserveValueSmoothness) {
  // Observing a discrete distribution at a latent-dependent value.
  Builder B;
  VarId Z = B.var("z");
  B.add(B.sample(Z, "z", B.normal(B.num(0), B.num(1))));
  B.add(B.observe("obs", B.dist1("Bernoulli", B.num(0.5)), B.v(Z)));
  auto R = run(B, Property::Cont);
  EXPECT_FALSE(smooth(R, "z"));
  // ... and torch raises when the value is not in {0, 1}: partiality too.
  EXPECT_EQ(ops(R, "z"), (std::vector<std::string>{
                             "Bernoulli density in the observed value",
                             "Bernoulli observed value (not proved in the support)"}));
  // Continuous observe of a latent-dependent value is smooth; so are its params.
  Builder C;
  VarId Z2 = C.var("z");
  C.add(C.sample(Z2, "z", C.normal(C.num(0), C.num(1))));
  C.add(C.observe("obs", C.normal(C.num(0), C.num(1)), C.mul(C.v(Z2), C.v(Z2))));
  C.add(C.observe("obs2", C.dist1("Bernoulli", C.call1("torch.sigmoid", C.v(Z2))), C.num(1)));
  FakeFacts All;
  All.All = true;
  EXPECT_TRUE(smooth(run(C, Property::Diff, All), "z"));
  // The observe's result variable holds the observed value.
  Builder D;
  VarId Z3 = D.var("z"), Y = D.var("y");
  D.add(D.sample(Z3, "z", D.normal(D.num(0), D.num(1))));
  D.add(D.sample(Y, "y", D.normal(D.num(0), D.num(1)), D.call1("torch.abs", D.v(Z3))));
  D.add(D.observe("o", D.normal(D.v(Y), D.num(1)), D.num(0)));
  auto RD = run(D, Property::Diff);
  EXPECT_FALSE(smooth(RD, "z"));
  EXPECT_EQ(RD.find("y"), nullptr) << "an observe is not a name";
}

TEST(Transfer, Factor) {
  for (int Abs = 0; Abs < 2; ++Abs) {
    Builder B;
    VarId Z = B.var("z");
    B.add(B.sample(Z, "z", B.normal(B.num(0), B.num(1))));
    B.add(B.factor("f", Abs ? B.call1("torch.abs", B.v(Z)) : B.mul(B.v(Z), B.v(Z))));
    EXPECT_EQ(smooth(run(B, Property::Diff), "z"), Abs == 0);
    EXPECT_TRUE(smooth(run(B, Property::Lips), "z"));
  }
}

TEST(Transfer, DistLogProb) {
  auto Make = [](const std::string &Dist, bool ViaVar, Property P) {
    Builder B;
    VarId Z = B.var("z"), D = B.var("d"), L = B.var("lp");
    B.add(B.sample(Z, "z", B.normal(B.num(0), B.num(1))));
    auto Dis =
        Dist == "Categorical" ? B.dist1("Categorical", B.num(0.5)) : B.normal(B.num(0), B.num(1));
    if (Dist == "Laplace")
      Dis = B.dist("Laplace", exprs(B.num(0), B.num(1)));
    ExprPtr Self;
    if (ViaVar) {
      B.add(B.assign(D, std::move(Dis)));
      Self = B.v(D);
    } else {
      Self = std::move(Dis);
    }
    B.add(B.assign(L, B.call2("Distribution.log_prob", std::move(Self), B.v(Z))));
    B.add(B.factor("f", B.v(L)));
    return smooth(run(B, P), "z");
  };
  EXPECT_TRUE(Make("Normal", false, Property::Diff));
  EXPECT_TRUE(Make("Normal", true, Property::Diff));
  EXPECT_FALSE(Make("Categorical", false, Property::Cont));
  EXPECT_FALSE(Make("Laplace", true, Property::Diff));
  EXPECT_TRUE(Make("Laplace", true, Property::Lips));
  // Smooth in the distribution's parameters per its row.
  Builder B;
  VarId Z = B.var("z"), L = B.var("lp");
  B.add(B.sample(Z, "z", B.normal(B.num(0), B.num(1))));
  B.add(B.assign(
      L, B.call2("Distribution.log_prob", B.dist("Uniform", exprs(B.v(Z), B.num(5))), B.num(1))));
  B.add(B.factor("f", B.v(L)));
  EXPECT_TRUE(hasOp(run(B, Property::Cont), "z", "Uniform low"));
}

TEST(Transfer, MaskedMixtureComponentsUseTheirRows) {
  FakeFacts All;
  All.All = true;
  for (int Uni = 0; Uni < 2; ++Uni) {
    Builder B;
    VarId Z = B.var("z"), A = B.var("a");
    B.add(B.sample(Z, "z", B.normal(B.num(0), B.num(1))));
    B.add(B.assign(A, B.call1("torch.nn.functional.softplus", B.v(Z))));
    ExprPtr C0 = Uni ? ExprPtr(B.dist("Uniform", exprs(B.v(A), B.num(9))))
                     : ExprPtr(B.dist("Gamma", exprs(B.v(A), B.num(2))));
    auto Mix = B.dist("MaskedMixture", exprs(B.num(1), std::move(C0), B.dist1("Delta", B.num(-1))));
    B.add(B.observe("o", std::move(Mix), B.num(3)));
    EXPECT_EQ(smooth(run(B, Property::Diff, All), "z"), Uni == 0);
  }
}

//===-- Sample sites -----------------------------------------------------------------===//

TEST(Transfer, DiscreteLatentWitness) {
  Builder B;
  VarId C = B.var("c"), L = B.var("lam");
  B.add(B.sample(L, "lam", B.dist("Gamma", exprs(B.num(1), B.num(1)))));
  B.add(B.sample(C, "c", B.dist1("Categorical", B.num(0.5))));
  uint32_t SiteLine = B.Line - 1;
  B.add(B.observe("obs", B.dist1("Poisson", B.sub1(B.v(L), B.v(C))), B.num(3)));
  FakeFacts All;
  All.All = true;
  auto R = run(B, Property::Diff, All);
  const NameVerdict *V = R.find("c");
  ASSERT_TRUE(V);
  EXPECT_TRUE(V->Discrete);
  EXPECT_FALSE(V->Smooth);
  ASSERT_GE(V->Witnesses.size(), 1u);
  EXPECT_EQ(V->Witnesses[0].Operation, "discrete distribution");
  EXPECT_EQ(V->Witnesses[0].Loc.Line, SiteLine);
  EXPECT_EQ(V->Witnesses[0].Chain, std::vector<std::string>{"c"});
  EXPECT_TRUE(hasOp(R, "c", "index"));
  EXPECT_TRUE(smooth(R, "lam")) << "indexing is smooth in the base";
  checkInvariants(R);
}

TEST(Transfer, TemplateNamesInLoops) {
  for (int Abs = 0; Abs < 2; ++Abs) {
    Builder B;
    VarId T = B.var("t"), Prev = B.var("prev"), Zt = B.var("z_t");
    B.add(B.assign(Prev, B.num(0)));
    Block Body;
    Body.push_back(B.sample(Zt, B.name("z_{}", exprs(B.v(T))),
                            B.normal(Abs ? B.call1("torch.abs", B.v(Prev)) : B.v(Prev), B.num(1))));
    Body.push_back(B.assign(Prev, B.v(Zt)));
    B.add(B.forRange(T, B.integer(3), std::move(Body)));
    auto R = run(B, Property::Diff);
    ASSERT_EQ(R.Names.size(), 1u);
    EXPECT_EQ(R.Names[0].Name, "z_{}");
    EXPECT_EQ(R.Names[0].Smooth, Abs == 0);
    EXPECT_GE(R.Stats.Iterations, 2u);
  }
}

TEST(Transfer, DynamicNameIsKept) {
  Builder B;
  VarId Z = B.var("z"), K = B.input("k");
  SiteName N;
  N.NameForm = SiteName::Form::Dynamic;
  N.Canonical = "names[k]";
  N.DynamicExpr = B.v(K);
  N.Loc = B.loc();
  B.add(B.sample(Z, std::move(N), B.normal(B.num(0), B.num(1))));
  auto R = run(B, Property::Diff);
  ASSERT_TRUE(R.find("names[k]"));
  EXPECT_TRUE(R.find("names[k]")->Smooth);
}

TEST(Transfer, DistributionMaskAndPoutine) {
  // .mask(m) with a latent-dependent m: the masked factor jumps.
  Builder B;
  VarId Z = B.var("z"), W = B.var("w");
  B.add(B.sample(Z, "z", B.normal(B.num(0), B.num(1))));
  auto D = B.normal(B.num(0), B.num(1));
  B.transform(*D, DistTransformKind::Mask, B.v(Z));
  B.transform(*D, DistTransformKind::ToEvent, B.integer(1));
  B.add(B.sample(W, "w", std::move(D)));
  auto R = run(B, Property::Lips);
  EXPECT_FALSE(smooth(R, "z"));
  EXPECT_EQ(ops(R, "z"), std::vector<std::string>{"mask"});
  EXPECT_TRUE(smooth(R, "w"));

  for (int Mask = 0; Mask < 2; ++Mask) {
    Builder C;
    VarId Z2 = C.var("z");
    C.add(C.sample(Z2, "z", C.normal(C.num(0), C.num(1))));
    Block Body;
    Body.push_back(C.observe("o", C.normal(C.num(0), C.num(1)), C.num(1)));
    C.add(C.withCtx(Mask ? WithStmt::Context::Mask : WithStmt::Context::Scale, C.v(Z2),
                    std::move(Body)));
    // A scale proved > 0 is smooth (density^s); Pyro raises on one <= 0.
    FakeFacts Pos;
    Pos.All = true;
    auto RC = run(C, Property::Diff, Pos);
    EXPECT_EQ(smooth(RC, "z"), Mask == 0) << "poutine.scale is smooth, poutine.mask is not";
    if (Mask) {
      EXPECT_EQ(ops(RC, "z"), std::vector<std::string>{"mask"});
    }
  }
}

TEST(Transfer, ScaleNotProvedPositiveMayRaise) {
  // with poutine.scale(scale=z): Pyro raises "Expected scale > 0" for z <= 0.
  Builder C;
  VarId Z = C.var("z");
  C.add(C.sample(Z, "z", C.normal(C.num(0), C.num(1))));
  Block Body;
  Body.push_back(C.observe("o", C.normal(C.num(0), C.num(1)), C.num(1)));
  C.add(C.withCtx(WithStmt::Context::Scale, C.v(Z), std::move(Body)));
  for (Property P : AllProps) {
    auto R = run(C, P);
    EXPECT_FALSE(smooth(R, "z"));
    EXPECT_TRUE(hasOp(R, "z", "poutine.scale (scale not proved > 0)"));
  }
}

TEST(Transfer, ObservedDeltaJumps) {
  // pyro.sample("x", Delta(z), obs=0.): log_prob is 0 at z == 0, else -inf.
  Builder C;
  VarId Z = C.var("z");
  C.add(C.sample(Z, "z", C.normal(C.num(0), C.num(1))));
  C.add(C.observe("x", C.dist1("Delta", C.v(Z)), C.num(0)));
  for (Property P : AllProps) {
    auto R = run(C, P);
    EXPECT_FALSE(smooth(R, "z"));
    EXPECT_TRUE(hasOp(R, "z", "observed Delta"));
  }
}

TEST(Transfer, ExpressionStatementThatMayRaise) {
  // math.log(z) as a statement: its value is dropped, but it raises for z <= 0.
  Builder C;
  VarId Z = C.var("z");
  C.add(C.sample(Z, "z", C.normal(C.num(0), C.num(1))));
  C.add(C.exprStmt(C.call1("math.log", C.v(Z))));
  C.add(C.observe("o", C.normal(C.num(0), C.num(1)), C.num(0)));
  auto R = run(C, Property::Cont);
  EXPECT_FALSE(smooth(R, "z"));
  EXPECT_TRUE(hasOp(R, "z", "expression statement that may raise"));
  FakeFacts All;
  All.All = true;
  EXPECT_TRUE(smooth(run(C, Property::Cont, All), "z"));
}

TEST(Transfer, PlatesAndIndexVariables) {
  Builder B;
  VarId Data = B.input("data"), Ix = B.var("ix"), Batch = B.var("batch"), Z = B.var("z");
  Block Body;
  Body.push_back(B.assign(Batch, B.sub1(B.v(Data), B.v(Ix))));
  Body.push_back(B.sample(Z, "z", B.normal(B.num(0), B.num(1))));
  Body.push_back(B.observe("o", B.normal(B.v(Z), B.num(1)), B.v(Batch)));
  B.add(B.plate("data", B.integer(64), std::move(Body), Ix));
  auto R = run(B, Property::Diff);
  EXPECT_TRUE(smooth(R, "z"));
}

TEST(Transfer, DeltaAndDeterministicAreAssignments) {
  // Guide: doc = Delta(f(p)); z ~ Normal(doc, 1): p reaches z's density smoothly.
  Builder B;
  VarId P = B.var("p"), Doc = B.var("doc"), Z = B.var("z");
  B.add(B.param(P, "p", B.num(0)));
  B.add(B.sample(Doc, "doc", B.dist1("Delta", B.mul(B.v(P), B.num(2)))));
  B.add(B.sample(Z, "z", B.normal(B.v(Doc), B.num(1))));
  auto R = run(B, Property::Diff);
  EXPECT_EQ(R.find("doc"), nullptr) << "a Delta site is not a latent";
  EXPECT_TRUE(smooth(R, "p"));
  EXPECT_TRUE(smooth(R, "z"));
  // Model: pyro.deterministic("y", relu(z)) (a Delta observed at its value) adds no density.
  Builder C;
  VarId Z2 = C.var("z"), Loc = C.var("loc");
  C.add(C.sample(Z2, "z", C.normal(C.num(0), C.num(1))));
  C.add(C.assign(Loc, C.call1("torch.relu", C.v(Z2))));
  C.add(C.observe("y", C.dist1("Delta", C.v(Loc)), C.v(Loc)));
  EXPECT_TRUE(smooth(run(C, Property::Diff), "z"));
}

TEST(Transfer, ReparameterisedSemantics) {
  // Guide z ~ Normal(|p|, s): under score semantics |p| only enters prb[z];
  // reparameterised, the value of z depends on p (non-smoothly under Diff).
  Builder B;
  VarId P = B.var("p"), S = B.var("s"), Z = B.var("z");
  B.add(B.param(P, "p", B.num(0)));
  B.add(B.param(S, "s", B.num(1)));
  B.add(B.sample(Z, "z", B.normal(B.call1("torch.abs", B.v(P)), B.v(S))));
  auto Score = run(B, Property::Diff);
  EXPECT_FALSE(smooth(Score, "p"));
  EXPECT_FALSE(smooth(Score, "s")) << "scale not proved > 0";
  ASSERT_EQ(Score.Sites.size(), 1u);
  // Only the unproved scale makes the value undefined (torch raises): s, not p.
  EXPECT_EQ(Score.Sites[0].ValueNonSmooth, std::vector<std::string>{"s"});
  SmoothnessOptions O;
  O.Reparameterized = true;
  O.ReparamNames = {"z"};
  auto Rep = run(B, Property::Diff, FakeFacts{}, O);
  EXPECT_EQ(Rep.Sites[0].ValueNonSmooth, std::vector<std::string>{"p"});
  EXPECT_TRUE(Rep.Sites[0].ProbNonSmooth.empty()) << "noise density; domain failures not added";
  EXPECT_TRUE(smooth(Rep, "s"));
  EXPECT_TRUE(smooth(run(B, Property::Lips, FakeFacts{}, O), "p"));
}

//===-- Params and modules ------------------------------------------------------------===//

TEST(Transfer, ParamBindsTheResultVariable) {
  // a = pyro.param("a", torch.tensor(0.)); the init is a call, not a.
  Builder B;
  VarId A = B.var("a"), X = B.var("x");
  B.add(B.param(A, "a", B.call1("torch.tensor", B.num(0))));
  B.add(B.assign(X, B.call1("torch.abs", B.v(A))));
  B.add(B.observe("o", B.normal(B.v(X), B.num(1)), B.num(0)));
  auto R = run(B, Property::Diff);
  EXPECT_FALSE(smooth(R, "a"));
  EXPECT_TRUE(R.find("a")->IsParam);
  EXPECT_EQ(R.find("a")->Witnesses[0].Chain, (std::vector<std::string>{"a", "a"}));
  EXPECT_TRUE(smooth(run(B, Property::Lips), "a"));
  // Statement form pyro.param("h", h): h itself becomes the parameter.
  Builder C;
  VarId H = C.var("h"), Y = C.var("y");
  C.add(C.assign(H, C.call1("torch.nn.Parameter", C.call1("torch.zeros", C.integer(3)))));
  C.add(C.param(std::nullopt, "h", C.v(H)));
  C.add(C.assign(Y, C.call1("torch.nn.functional.relu", C.v(H))));
  C.add(C.observe("o", C.normal(C.v(Y), C.num(1)), C.num(0)));
  auto RC = run(C, Property::Diff);
  EXPECT_FALSE(smooth(RC, "h"));
  EXPECT_EQ(ops(RC, "h"), std::vector<std::string>{"relu"});
}

TEST(Transfer, ParamStatementFormReachesAliases) {
  // alias = h; pyro.param("h", h); relu(alias): the same tensor object.
  Builder B;
  VarId H = B.var("h"), A = B.var("alias"), Y = B.var("y");
  B.add(B.assign(H, B.call1("torch.nn.Parameter", B.call1("torch.zeros", B.integer(3)))));
  B.add(B.assign(A, B.v(H)));
  B.add(B.param(std::nullopt, "h", B.v(H)));
  B.add(B.assign(Y, B.call1("torch.nn.functional.relu", B.v(A))));
  B.add(B.observe("o", B.normal(B.v(Y), B.num(1)), B.num(0)));
  EXPECT_FALSE(smooth(run(B, Property::Diff), "h"));
  EXPECT_TRUE(smooth(run(B, Property::Lips), "h"));
}

TEST(Transfer, ModuleCallsUseTheModuleVariable) {
  // fc registered as "decoder" (a different name, notes g.2), then relu(fc(z)).
  Builder B;
  VarId Fc = B.var("m_fc1"), Relu = B.var("relu"), Z = B.var("z"), H = B.var("h");
  B.add(B.assign(Fc, B.ctor("torch.nn.Linear", exprs(B.integer(2), B.integer(3)))));
  B.add(B.assign(Relu, B.ctor("torch.nn.ReLU")));
  B.add(B.module("decoder", Fc));
  B.add(B.sample(Z, "z", B.normal(B.num(0), B.num(1))));
  B.add(B.assign(H, B.mcall1(Relu, B.mcall1(Fc, B.v(Z)))));
  B.add(B.observe("o", B.normal(B.v(H), B.num(1)), B.num(0)));
  auto D = run(B, Property::Diff);
  EXPECT_FALSE(smooth(D, "decoder"));
  EXPECT_FALSE(smooth(D, "z"));
  EXPECT_EQ(ops(D, "decoder"), std::vector<std::string>{"relu"});
  auto L = run(B, Property::Lips);
  EXPECT_TRUE(smooth(L, "decoder"));
  EXPECT_TRUE(smooth(L, "z"));
  // Weights of a layer applied after the relu stay differentiable.
  Builder C;
  VarId F1 = C.var("f1"), F2 = C.var("f2"), R2 = C.var("relu"), X = C.var("x"), O = C.var("out");
  C.add(C.assign(F1, C.ctor("torch.nn.Linear", exprs(C.integer(2), C.integer(3)))));
  C.add(C.assign(F2, C.ctor("torch.nn.Linear", exprs(C.integer(3), C.integer(1)))));
  C.add(C.assign(R2, C.ctor("torch.nn.ReLU")));
  C.add(C.module("first", F1));
  C.add(C.module("second", F2));
  C.add(C.sample(X, "x", C.normal(C.num(0), C.num(1))));
  C.add(C.assign(O, C.mcall1(F2, C.mcall1(R2, C.mcall1(F1, C.v(X))))));
  C.add(C.observe("o", C.normal(C.v(O), C.num(1)), C.num(0)));
  auto RC = run(C, Property::Diff);
  EXPECT_FALSE(smooth(RC, "first"));
  EXPECT_TRUE(smooth(RC, "second"));
}

TEST(Transfer, RnnReluVariantAndSequential) {
  auto Net = [](Builder &B, VarId M, VarId Z, VarId X) {
    B.add(B.module("net", M));
    B.add(B.sample(Z, "z", B.normal(B.num(0), B.num(1))));
    B.add(B.assign(X, B.mcall1(M, B.v(Z))));
    B.add(B.observe("o", B.normal(B.v(X), B.num(1)), B.num(0)));
  };
  for (int Relu = 0; Relu < 2; ++Relu) {
    Builder B;
    VarId M = B.var("rnn"), Z = B.var("z"), X = B.var("x");
    std::vector<Kw> K;
    K.push_back(Kw{"nonlinearity", B.str(Relu ? "relu" : "tanh")});
    B.add(B.assign(M, B.ctor("torch.nn.RNN", exprs(B.integer(2), B.integer(3)), std::move(K))));
    Net(B, M, Z, X);
    auto D = run(B, Property::Diff);
    EXPECT_EQ(smooth(D, "net"), Relu == 0);
    EXPECT_EQ(smooth(D, "z"), Relu == 0);
    if (Relu) {
      EXPECT_EQ(ops(D, "net"), std::vector<std::string>{"rnn (nonlinearity='relu')"});
    }
    EXPECT_TRUE(smooth(run(B, Property::Lips), "net"));
  }
  for (int WithRelu = 0; WithRelu < 2; ++WithRelu) {
    Builder B;
    VarId M = B.var("seq"), Z = B.var("z"), X = B.var("x");
    std::vector<ExprPtr> Members;
    Members.push_back(B.ctor("torch.nn.Linear", exprs(B.integer(2), B.integer(3))));
    if (WithRelu)
      Members.push_back(B.ctor("torch.nn.ReLU"));
    Members.push_back(B.ctor("torch.nn.Linear", exprs(B.integer(3), B.integer(1))));
    B.add(B.assign(M, B.ctor("torch.nn.Sequential", {}, {}, std::move(Members))));
    Net(B, M, Z, X);
    auto D = run(B, Property::Diff);
    EXPECT_EQ(smooth(D, "net"), WithRelu == 0);
    EXPECT_EQ(smooth(D, "z"), WithRelu == 0);
    EXPECT_TRUE(smooth(run(B, Property::Lips), "net"));
  }
}

TEST(Transfer, RegisteringAModuleReachesItsContainersAndAliases) {
  // seq = Sequential(fc, ReLU()); pyro.module("fc", fc); seq(z): the object fc
  // is shared, so seq's calls read θ_fc (through the relu: not differentiable).
  for (int Alias = 0; Alias < 2; ++Alias) {
    Builder B;
    VarId Fc = B.var("fc"), Seq = B.var("seq"), Z = B.var("z"), X = B.var("x");
    B.add(B.assign(Fc, B.ctor("torch.nn.Linear", exprs(B.integer(2), B.integer(3)))));
    if (Alias) {
      B.add(B.assign(Seq, B.v(Fc)));
    } else {
      std::vector<ExprPtr> Members;
      Members.push_back(B.v(Fc));
      Members.push_back(B.ctor("torch.nn.ReLU"));
      B.add(B.assign(Seq, B.ctor("torch.nn.Sequential", {}, {}, std::move(Members))));
    }
    B.add(B.module("fc", Fc));
    B.add(B.sample(Z, "z", B.normal(B.num(0), B.num(1))));
    B.add(B.assign(X, B.mcall1(Seq, B.v(Z))));
    if (Alias)
      B.add(B.assign(X, B.call1("torch.relu", B.v(X))));
    B.add(B.observe("o", B.normal(B.v(X), B.num(1)), B.num(0)));
    EXPECT_FALSE(smooth(run(B, Property::Diff), "fc")) << Alias;
    EXPECT_TRUE(smooth(run(B, Property::Lips), "fc")) << Alias;
  }
}

TEST(Transfer, MaxWithDimReturnsIndices) {
  for (int WithDim = 0; WithDim < 2; ++WithDim) {
    Fixture F;
    std::vector<ExprPtr> Args;
    Args.push_back(F.B.v(F.Z));
    if (WithDim)
      Args.push_back(F.B.integer(0));
    F.B.add(F.B.assign(F.X, F.B.call("torch.max", std::move(Args))));
    F.observeX();
    EXPECT_EQ(smooth(run(F.B, Property::Lips), "z"), WithDim == 0);
  }
}

TEST(Transfer, UnknownModuleCallIsNonSmooth) {
  Builder B;
  VarId M = B.input("f"), Z = B.var("z"), X = B.var("x");
  B.add(B.sample(Z, "z", B.normal(B.num(0), B.num(1))));
  B.add(B.assign(X, B.mcall1(M, B.v(Z))));
  B.add(B.observe("o", B.normal(B.v(X), B.num(1)), B.num(0)));
  auto R = run(B, Property::Cont);
  EXPECT_FALSE(smooth(R, "z"));
  EXPECT_EQ(ops(R, "z"), std::vector<std::string>{"call of an unknown module"});
}

//===-- Indexing, updates, attributes ----------------------------------------------------===//

TEST(Transfer, IndexingAndUpdates) {
  auto Run = [](auto Make) {
    Fixture F;
    Make(F.B, F.Z, F.X);
    F.observeX();
    return run(F.B, Property::Diff);
  };
  // x = z[0:2]: smooth in the base.
  EXPECT_TRUE(smooth(Run([](Builder &B, VarId Z, VarId X) {
                       B.add(B.assign(X, B.sub1(B.v(Z), B.slice(B.integer(0), B.integer(2)))));
                     }),
                     "z"));
  // x = w[z]: non-smooth in the index.
  auto R = Run([](Builder &B, VarId Z, VarId X) {
    B.add(B.assign(X, B.sub1(B.call1("torch.ones", B.integer(3)), B.v(Z))));
  });
  EXPECT_EQ(ops(R, "z"), std::vector<std::string>{"index"});
  // buf[0] = z (smooth in base and value); buf[z] = 1 (not in the index).
  EXPECT_TRUE(smooth(Run([](Builder &B, VarId Z, VarId X) {
                       B.add(B.assign(X, B.call1("torch.zeros", B.integer(3))));
                       B.add(B.assign(X, B.indexUpdate(B.v(X), exprs(B.integer(0)), B.v(Z))));
                     }),
                     "z"));
  EXPECT_FALSE(smooth(Run([](Builder &B, VarId Z, VarId X) {
                        B.add(B.assign(X, B.call1("torch.zeros", B.integer(3))));
                        B.add(B.assign(X, B.indexUpdate(B.v(X), exprs(B.v(Z)), B.num(1))));
                      }),
                      "z"));
  // obj.weight.data = z: smooth; x.shape: a (static) constant; x.foo: opaque.
  EXPECT_TRUE(smooth(Run([](Builder &B, VarId Z, VarId X) {
                       B.add(B.assign(X, B.call1("torch.zeros", B.integer(3))));
                       B.add(B.assign(X, B.attrUpdate(B.v(X), {"weight", "data"}, B.v(Z))));
                     }),
                     "z"));
  EXPECT_TRUE(
      smooth(Run([](Builder &B, VarId Z, VarId X) {
               B.add(B.assign(X, B.call2("torch.Tensor.expand", B.v(Z), B.attr(B.v(Z), "shape"))));
             }),
             "z"));
  EXPECT_FALSE(smooth(
      Run([](Builder &B, VarId Z, VarId X) { B.add(B.assign(X, B.attr(B.v(Z), "foo"))); }), "z"));
}

TEST(Transfer, ContainersAndConstants) {
  // (z, 2)[0], [z][0], {"k": z}["k"], x[..., 0], constraints: smooth in z's value.
  auto Run = [](auto Make) {
    Fixture F;
    F.B.add(F.B.assign(F.X, Make(F.B, F.Z)));
    F.observeX();
    return smooth(run(F.B, Property::Diff), "z");
  };
  EXPECT_TRUE(Run(
      [](Builder &B, VarId Z) { return B.sub1(B.tuple(exprs(B.v(Z), B.num(2))), B.integer(0)); }));
  EXPECT_TRUE(Run([](Builder &B, VarId Z) {
    auto L = B.P.makeSequence(ExprKind::List, B.loc());
    L->Elements.push_back(B.v(Z));
    return B.sub1(std::move(L), B.integer(0));
  }));
  EXPECT_TRUE(Run([](Builder &B, VarId Z) {
    auto D = B.P.make<DictExpr>(B.loc());
    D->Keys.push_back(B.str("k"));
    D->Values.push_back(B.v(Z));
    return B.sub1(std::move(D), B.str("k"));
  }));
  EXPECT_FALSE(Run([](Builder &B, VarId Z) {
    auto D = B.P.make<DictExpr>(B.loc());
    D->Keys.push_back(B.v(Z));
    D->Values.push_back(B.num(1));
    return ExprPtr(std::move(D));
  })) << "a latent-dependent dict key";
  EXPECT_TRUE(Run([](Builder &B, VarId Z) {
    return B.sub(B.v(Z), exprs(B.P.make<EllipsisExpr>(B.loc()), B.integer(0)));
  }));
  EXPECT_FALSE(Run([](Builder &B, VarId Z) {
    auto C = B.P.make<ConstraintExpr>(B.loc());
    C->Constraint = ConstraintId::GreaterThan;
    C->Args.push_back(B.v(Z));
    return ExprPtr(std::move(C));
  })) << "a constraint object built from a latent is opaque";
}

TEST(Transfer, NoGradReturnAndSubsampledPlates) {
  Builder B;
  VarId Z = B.var("z"), X = B.var("x"), Ix = B.var("ix"), D = B.input("data");
  B.add(B.sample(Z, "z", B.normal(B.num(0), B.num(1))));
  B.add(B.withCtx(WithStmt::Context::NoGrad, nullptr, block(B.assign(X, B.mul(B.v(Z), B.v(Z))))));
  auto Pl = B.plate("data", B.integer(100),
                    block(B.observe("o", B.normal(B.v(X), B.num(1)), B.sub1(B.v(D), B.v(Ix)))), Ix);
  cast<WithStmt>(Pl.get())->Plate.SubsampleSize = B.integer(10);
  B.add(std::move(Pl));
  auto Ret = B.P.make<ReturnStmt>(B.next());
  Ret->Value = B.call1("torch.abs", B.v(Z));
  B.add(std::move(Ret));
  EXPECT_TRUE(smooth(run(B, Property::Diff), "z")) << "the return value is not part of the density";
}

//===-- Control flow ---------------------------------------------------------------------===//

/// The split-normal model of the paper's Section 2.
Builder spnorModel(NodeId *IfId = nullptr, uint32_t *IfLine = nullptr) {
  Builder B;
  VarId Z1 = B.var("z1"), Z2 = B.var("z2");
  B.add(B.sample(Z1, "z1", B.normal(B.num(0), B.num(5))));
  B.add(B.sample(Z2, "z2", B.normal(B.v(Z1), B.num(3))));
  auto If = B.ifs(B.cmp(CompareOp::Gt, B.v(Z2), B.num(0)),
                  block(B.observe("x", B.normal(B.num(1), B.num(1)), B.num(0))),
                  block(B.observe("x", B.normal(B.num(-2), B.num(1)), B.num(0))));
  if (IfId)
    *IfId = If->Id;
  if (IfLine)
    *IfLine = If->Loc.Line;
  B.add(std::move(If));
  return B;
}

TEST(Transfer, IfTaintsWrittenDims) {
  uint32_t IfLine = 0;
  Builder B = spnorModel(nullptr, &IfLine);
  for (Property P : AllProps) {
    auto R = run(B, P);
    EXPECT_TRUE(smooth(R, "z1"));
    EXPECT_FALSE(smooth(R, "z2"));
    const NameVerdict *V = R.find("z2");
    ASSERT_EQ(V->Witnesses.size(), 1u);
    EXPECT_EQ(V->Witnesses[0].Operation, "if");
    EXPECT_EQ(V->Witnesses[0].Loc.Line, IfLine);
    EXPECT_EQ(V->Witnesses[0].Chain, (std::vector<std::string>{"z2", "z2"}));
    checkInvariants(R);
  }
}

TEST(Transfer, DeadBranchIsNotAnalysed) {
  NodeId If = 0;
  Builder B = spnorModel(&If);
  FakeFacts F;
  F.Dead[If] = {false, true};
  EXPECT_TRUE(smooth(run(B, Property::Diff, F), "z2"));
  // A guard on data only (no name) never taints names.
  Builder C;
  VarId Z = C.var("z"), D = C.input("d");
  C.add(C.sample(Z, "z", C.normal(C.num(0), C.num(1))));
  C.add(C.ifs(C.cmp(CompareOp::Is, C.v(D), C.none()),
              block(C.observe("o", C.normal(C.v(Z), C.num(1)), C.num(0)))));
  EXPECT_TRUE(smooth(run(C, Property::Diff), "z"));
}

TEST(Transfer, IfWithoutWritesDoesNotTaint) {
  Builder B;
  VarId Z = B.var("z"), X = B.var("x");
  B.add(B.sample(Z, "z", B.normal(B.num(0), B.num(1))));
  B.add(B.ifs(B.cmp(CompareOp::Gt, B.v(Z), B.num(0)), block(B.exprStmt(B.v(Z)))));
  B.add(B.assign(X, B.v(Z)));
  B.add(B.observe("o", B.normal(B.v(X), B.num(1)), B.num(0)));
  EXPECT_TRUE(smooth(run(B, Property::Diff), "z"));
}

TEST(Transfer, LoopCarriedNonSmoothness) {
  // x3 = |x2|; x2 = x1 (= z): |z| appears only from the second iteration on.
  Builder B;
  VarId Z = B.var("z"), X1 = B.var("x1"), X2 = B.var("x2"), X3 = B.var("x3"), T = B.var("t");
  B.add(B.sample(Z, "z", B.normal(B.num(0), B.num(1))));
  B.add(B.assign(X1, B.v(Z)));
  B.add(B.assign(X2, B.num(0)));
  B.add(B.assign(X3, B.num(0)));
  B.add(B.forRange(T, B.integer(3),
                   block(B.assign(X3, B.call1("torch.abs", B.v(X2))), B.assign(X2, B.v(X1)))));
  B.add(B.observe("o", B.normal(B.v(X3), B.num(1)), B.num(0)));
  auto R = run(B, Property::Diff);
  EXPECT_FALSE(smooth(R, "z"));
  EXPECT_EQ(ops(R, "z"), std::vector<std::string>{"abs"});
  EXPECT_EQ(R.find("z")->Witnesses[0].Chain, (std::vector<std::string>{"z", "z", "x1", "x2"}));
  EXPECT_GE(R.Stats.Iterations, 2u);
  EXPECT_TRUE(smooth(run(B, Property::Lips), "z"));
}

TEST(Transfer, LoopBoundsAndWhileGuards) {
  // for t in range(int(k)) with k a latent: the iteration count jumps.
  Builder B;
  VarId K = B.var("k"), T = B.var("t"), Acc = B.var("acc");
  B.add(B.sample(K, "k", B.normal(B.num(3), B.num(1))));
  B.add(B.assign(Acc, B.num(0)));
  B.add(B.forRange(T, B.v(K), block(B.assign(Acc, B.add(B.v(Acc), B.num(1))))));
  B.add(B.observe("o", B.normal(B.v(Acc), B.num(1)), B.num(0)));
  auto R = run(B, Property::Cont);
  EXPECT_FALSE(smooth(R, "k"));
  EXPECT_TRUE(hasOp(R, "k", "for"));

  // while x > 0: x = x - 1, with x = z.
  Builder C;
  VarId Z = C.var("z"), X = C.var("x");
  C.add(C.sample(Z, "z", C.normal(C.num(0), C.num(1))));
  C.add(C.assign(X, C.v(Z)));
  C.add(C.whileS(C.cmp(CompareOp::Gt, C.v(X), C.num(0)),
                 block(C.assign(X, C.bin(BinaryOp::Sub, C.v(X), C.num(1))))));
  C.add(C.observe("o", C.normal(C.v(X), C.num(1)), C.num(0)));
  auto RC = run(C, Property::Cont);
  EXPECT_FALSE(smooth(RC, "z"));
  EXPECT_TRUE(hasOp(RC, "z", "while"));

  // A while loop over a counter unrelated to names leaves z smooth, and a
  // loop that never touches z does not make z's density non-smooth.
  Builder D;
  VarId Z2 = D.var("z"), W = D.var("w");
  D.add(D.sample(Z2, "z", D.normal(D.num(0), D.num(1))));
  D.add(D.assign(W, D.integer(3)));
  D.add(D.whileS(D.cmp(CompareOp::Gt, D.v(W), D.integer(0)),
                 block(D.assign(W, D.bin(BinaryOp::Sub, D.v(W), D.integer(1))))));
  D.add(D.observe("o", D.normal(D.v(Z2), D.num(1)), D.num(0)));
  EXPECT_TRUE(smooth(run(D, Property::Diff), "z"));
}

TEST(Transfer, AssertDecidesTermination) {
  Builder B;
  VarId Z = B.var("z");
  B.add(B.sample(Z, "z", B.normal(B.num(0), B.num(1))));
  B.add(B.assertS(B.cmp(CompareOp::Gt, B.v(Z), B.num(0))));
  B.add(B.observe("o", B.normal(B.num(0), B.num(1)), B.num(0)));
  auto R = run(B, Property::Lips);
  EXPECT_FALSE(smooth(R, "z"));
  EXPECT_TRUE(hasOp(R, "z", "assert"));
}

TEST(Transfer, BranchThatMayRaiseDependsOnTheGuard) {
  // if z > 0: v = math.log(c) with c not proved > 0: the run stops or not
  // depending on z, though nothing the branch writes reaches the density.
  Builder B;
  VarId Z = B.var("z"), C = B.var("c"), V = B.var("v");
  B.add(B.sample(Z, "z", B.normal(B.num(0), B.num(1))));
  B.add(B.assign(C, B.call1("torch.randn", B.integer(1))));
  B.add(B.ifs(B.cmp(CompareOp::Gt, B.v(Z), B.num(0)),
              block(B.assign(V, B.call1("math.log", B.v(C))))));
  B.add(B.observe("o", B.normal(B.num(0), B.num(1)), B.num(0)));
  auto R = run(B, Property::Cont);
  EXPECT_FALSE(smooth(R, "z"));
  EXPECT_TRUE(hasOp(R, "z", "if"));
  // With the logarithm proved safe, the branch cannot stop the run.
  FakeFacts All;
  All.All = true;
  EXPECT_TRUE(smooth(run(B, Property::Cont, All), "z"));
}

//===-- Witness chains -----------------------------------------------------------------------===//

TEST(Witnesses, ChainFromNameToOperation) {
  Builder B;
  VarId Z = B.var("zv"), H = B.var("h"), O = B.var("out");
  B.add(B.sample(Z, "z", B.normal(B.num(0), B.num(1))));
  B.add(B.assign(H, B.mul(B.v(Z), B.num(2))));
  B.add(B.assign(O, B.call1("torch.abs", B.v(H))));
  uint32_t AbsLine = B.Line - 1;
  B.add(B.observe("o", B.normal(B.v(O), B.num(1)), B.num(0)));
  auto R = run(B, Property::Diff);
  const NameVerdict *V = R.find("z");
  ASSERT_EQ(V->Witnesses.size(), 1u);
  EXPECT_EQ(V->Witnesses[0].Operation, "abs");
  EXPECT_EQ(V->Witnesses[0].Loc.Line, AbsLine);
  EXPECT_EQ(V->Witnesses[0].Chain, (std::vector<std::string>{"z", "zv", "h"}));
}

TEST(Witnesses, SortedAndDeduplicated) {
  Builder B;
  VarId Z = B.var("z"), A = B.var("a"), C = B.var("c");
  B.add(B.sample(Z, "z", B.normal(B.num(0), B.num(1))));
  B.add(B.assign(C, B.call1("torch.sign", B.v(Z))));
  B.add(B.assign(A, B.call1("torch.abs", B.v(Z))));
  B.add(B.observe("o", B.normal(B.add(B.v(A), B.v(C)), B.num(1)), B.num(0)));
  auto R = run(B, Property::Diff);
  EXPECT_EQ(ops(R, "z"), (std::vector<std::string>{"sign", "abs"}));
}

//===-- Scale ------------------------------------------------------------===//

// Scale, not speed: a 10,000-line program is analysed and its result is
// well formed. The time (< 1 s) is measured by `svic-bench analysis` in
// bench/RESULTS.md; a wall-clock bound here failed on a loaded machine.
TEST(Scale, TenThousandLines) {
  Builder B;
  VarId Prev = B.var("prev"), T = B.var("t");
  B.add(B.assign(Prev, B.num(0)));
  int Lines = 0;
  for (int Site = 0; Lines < 10000; ++Site) {
    VarId Z = B.var("z" + std::to_string(Site));
    B.add(B.sample(Z, "z" + std::to_string(Site), B.normal(B.v(Prev), B.num(1))));
    ++Lines;
    VarId Cur = Z;
    for (int K = 0; K < 40; ++K, ++Lines) {
      VarId N = B.var("h" + std::to_string(Site) + "_" + std::to_string(K));
      ExprPtr E = K % 7 == 3 ? B.call1("torch.tanh", B.v(Cur))
                             : B.add(B.mul(B.v(Cur), B.num(0.5)), B.v(Prev));
      B.add(B.assign(N, std::move(E)));
      Cur = N;
    }
    if (Site % 5 == 0) {
      VarId Acc = B.var("acc" + std::to_string(Site));
      B.add(B.assign(Acc, B.v(Cur)));
      B.add(B.forRange(T, B.integer(4), block(B.assign(Acc, B.add(B.v(Acc), B.v(Cur))))));
      B.add(B.ifs(
          B.cmp(CompareOp::Gt, B.v(Prev), B.num(0)),
          block(B.observe("o" + std::to_string(Site), B.normal(B.v(Acc), B.num(1)), B.num(0)))));
      Lines += 4;
      Cur = Acc;
    }
    B.add(B.observe("x" + std::to_string(Site), B.normal(B.v(Cur), B.num(1)), B.num(0)));
    ++Lines;
    Prev = Cur;
  }
  auto R = run(B, Property::Diff);
  EXPECT_GE(R.Names.size(), 200u);
  checkInvariants(R);
}

} // namespace
