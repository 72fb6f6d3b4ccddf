//===- CodegenTest.cpp - Control flow, estimator outputs, RNG, AOT ----------===//
//
// If regions in both directions, learning signals and adjoint seeds, kink
// counting, CheckFinite, random sources and samplers against the runtime,
// the ctx layout, and object emission.
//
//===----------------------------------------------------------------------===//

#include "JitUtil.h"

#include "CodegenPlan.h"

#include "svic/runtime/Abi.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <tuple>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <set>

using namespace svic::backend;
using namespace svic::backend::test;
namespace codegen = svic::backend::codegen;

namespace {

// The emitter builds svic_sample_ctx from these offsets and checks them
// against the target's DataLayout; here they are checked against the C header.
static_assert(offsetof(svic_sample_ctx, params) == codegen::ctx::ByteOffset[codegen::ctx::Params]);
static_assert(offsetof(svic_sample_ctx, data) == codegen::ctx::ByteOffset[codegen::ctx::Data]);
static_assert(offsetof(svic_sample_ctx, baselines) == codegen::ctx::ByteOffset[codegen::ctx::Baselines]);
static_assert(offsetof(svic_sample_ctx, grad) == codegen::ctx::ByteOffset[codegen::ctx::Grad]);
static_assert(offsetof(svic_sample_ctx, signals) == codegen::ctx::ByteOffset[codegen::ctx::Signals]);
static_assert(offsetof(svic_sample_ctx, workspace) == codegen::ctx::ByteOffset[codegen::ctx::Workspace]);
static_assert(offsetof(svic_sample_ctx, seed) == codegen::ctx::ByteOffset[codegen::ctx::Seed]);
static_assert(offsetof(svic_sample_ctx, step) == codegen::ctx::ByteOffset[codegen::ctx::Step]);
static_assert(offsetof(svic_sample_ctx, sample) == codegen::ctx::ByteOffset[codegen::ctx::Sample]);
static_assert(offsetof(svic_sample_ctx, bad_site) == codegen::ctx::ByteOffset[codegen::ctx::BadSite]);
static_assert(offsetof(svic_sample_ctx, kink_hits) == codegen::ctx::ByteOffset[codegen::ctx::KinkHits]);
static_assert(sizeof(svic_sample_ctx) == codegen::ctx::Size);

ValueId scalarConst(Builder &B, double X) { return B.constant({}, {X}); }

TEST(Control, IfTakesOneBranchForwardAndBackward) {
  // y = cond ? theta^2 * phi : sin(theta)
  Builder B;
  ValueId Cond = B.input({});
  ValueId Theta = B.param({}), Phi = B.param({});
  ValueId Y = B.ifThenElse(
      Cond, {Shape{}},
      [&] { return std::vector<ValueId>{B.op(Op::Mul, {}, {B.op(Op::Mul, {}, {Theta, Theta}), Phi})}; },
      [&] { return std::vector<ValueId>{B.op(Op::Sin, {}, {Theta})}; })[0];
  B.factor(Y);
  ASSERT_EQ(verify(B.F), "");
  Jit J(B.F);
  ASSERT_TRUE(J.ok()) << J.Result.Error;
  J.Params = {0.7, 1.3};
  J.Data = {1};
  EXPECT_DOUBLE_EQ(J.run(), 0.7 * 0.7 * 1.3);
  EXPECT_DOUBLE_EQ(J.Grad[0], 2 * 0.7 * 1.3);
  EXPECT_DOUBLE_EQ(J.Grad[1], 0.7 * 0.7);
  J.Data = {0};
  EXPECT_DOUBLE_EQ(J.run(), std::sin(0.7));
  EXPECT_DOUBLE_EQ(J.Grad[0], std::cos(0.7));
  EXPECT_EQ(J.Grad[1], 0); // phi only lives in the branch not taken
}

TEST(Control, ReverseSweepRebranchesOnARandomCondition) {
  // z ~ N(0,1) (no gradient); if z > 0: f = theta * z else f = theta^3.
  Builder B;
  ValueId Theta = B.param({});
  ValueId Z = B.op(Op::StdNormal, {}, {}, [](Instr &I) { I.Site = 2; });
  ValueId Cond = B.op(Op::Gt, {}, {Z, scalarConst(B, 0)});
  ValueId Y = B.ifThenElse(
      Cond, {Shape{}}, [&] { return std::vector<ValueId>{B.op(Op::Mul, {}, {Theta, Z})}; },
      [&] {
        ValueId T2 = B.op(Op::Mul, {}, {Theta, Theta});
        return std::vector<ValueId>{B.op(Op::Mul, {}, {T2, Theta})};
      })[0];
  B.factor(Y);
  Jit J(B.F);
  ASSERT_TRUE(J.ok()) << J.Result.Error;
  J.Params = {1.1};
  int Seen[2] = {0, 0};
  for (uint64_t S = 0; S < 16; ++S) {
    J.Sample = S;
    J.run();
    double Zv = svic_rt_std_normal(J.Seed, J.Step, S, 2, 0);
    ++Seen[Zv > 0];
    EXPECT_DOUBLE_EQ(J.Grad[0], Zv > 0 ? Zv : 3 * 1.1 * 1.1) << "sample " << S;
  }
  EXPECT_GT(Seen[0], 0);
  EXPECT_GT(Seen[1], 0);
}

TEST(Control, NestedIfWithTensorResults) {
  Builder B;
  ValueId C1 = B.input({}), C2 = B.input({});
  ValueId X = B.param({{3}});
  ValueId Y = B.ifThenElse(
      C1, {Shape{{3}}},
      [&] {
        return B.ifThenElse(
            C2, {Shape{{3}}}, [&] { return std::vector<ValueId>{B.op(Op::Exp, {{3}}, {X})}; },
            [&] { return std::vector<ValueId>{B.op(Op::Mul, {{3}}, {X, X})}; });
      },
      [&] { return std::vector<ValueId>{X}; })[0];
  std::mt19937_64 Rng(9);
  B.factor(B.weightedSum(Y, Rng));
  ASSERT_EQ(verify(B.F), "");
  Jit J(B.F);
  ASSERT_TRUE(J.ok()) << J.Result.Error;
  J.Params = {0.3, -0.4, 1.2};
  for (double A : {0.0, 1.0})
    for (double Bc : {0.0, 1.0}) {
      J.Data = {A, Bc};
      expectGradientMatches(J, "nested If");
    }
}

TEST(Estimator, SignalsAndSeeds) {
  // f0 = a^2 (guide, the score site's log q), f1 = a b (model, downstream),
  // f2 = b (model, not downstream).
  Builder B;
  ValueId A = B.param({}), Bv = B.param({});
  size_t F0 = B.factor(B.op(Op::Mul, {}, {A, A}), -1, "z");
  size_t F1 = B.factor(B.op(Op::Mul, {}, {A, Bv}), 1, "x");
  B.factor(B.op(Op::Neg, {}, {B.op(Op::Neg, {}, {Bv})}), 1, "y");
  B.F.ScoreSites.push_back({"z", F0, {F0, F1}});
  ASSERT_EQ(verify(B.F), "");
  Jit J(B.F);
  ASSERT_TRUE(J.ok()) << J.Result.Error;
  double a = 0.8, b = -1.7, Base = 0.25;
  J.Params = {a, b};
  J.Baselines = {Base};
  double Elbo = J.run();
  double L = -a * a + a * b;
  EXPECT_DOUBLE_EQ(Elbo, -a * a + a * b + b);
  EXPECT_DOUBLE_EQ(J.Signals[0], L);
  double C0 = -1 + (L - Base);
  EXPECT_DOUBLE_EQ(J.Grad[0], C0 * 2 * a + b);
  EXPECT_DOUBLE_EQ(J.Grad[1], a + 1);
}

TEST(Estimator, SplitNormalShapedFunction) {
  // spnor with z1 pathwise and z2 by the score estimator: 2 normal draws, 6
  // log-densities, a branch. Reports the cost of one estimate.
  Builder B;
  ValueId T1 = B.param({}), T2 = B.param({});
  ValueId One = scalarConst(B, 1), Zero = scalarConst(B, 0);
  ValueId E1 = B.op(Op::StdNormal, {}, {}, [](Instr &I) { I.Site = 0; });
  ValueId Z1 = B.op(Op::Add, {}, {T1, E1});
  auto normal = [&](ValueId X, ValueId Loc, ValueId Scale) {
    return B.op(Op::LogProb, {}, {X, Loc, Scale}, [](Instr &I) { I.D = Dist::Normal; });
  };
  B.factor(normal(Z1, T1, One), -1, "z1");
  ValueId Z2 = B.op(Op::Sample, {}, {T2, One}, [](Instr &I) {
    I.D = Dist::Normal;
    I.Site = 1;
  });
  size_t Q2 = B.factor(normal(Z2, T2, One), -1, "z2");
  B.factor(normal(Z1, Zero, scalarConst(B, 5)), 1, "z1");
  size_t P2 = B.factor(normal(Z2, Z1, scalarConst(B, 3)), 1, "z2");
  ValueId Cond = B.op(Op::Gt, {}, {Z2, Zero});
  ValueId Lx = B.ifThenElse(
      Cond, {Shape{}}, [&] { return std::vector<ValueId>{normal(Zero, One, One)}; },
      [&] { return std::vector<ValueId>{normal(Zero, scalarConst(B, -2), One)}; })[0];
  size_t X = B.factor(Lx, 1, "x");
  B.F.ScoreSites.push_back({"z2", Q2, {Q2, P2, X}});
  ASSERT_EQ(verify(B.F), "");
  Jit J(B.F, /*WantIR=*/true);
  ASSERT_TRUE(J.ok()) << J.Result.Error;
  J.Params = {1, 1};
  // The pathwise part alone: d/dtheta1 of f(z1 = theta1 + e1), by hand.
  J.Sample = 5;
  double Elbo = J.run();
  double E = svic_rt_std_normal(J.Seed, J.Step, 5, 0, 0);
  double Z2v = 1 + svic_rt_std_normal(J.Seed, J.Step, 5, 1, 0);
  double Z1v = 1 + E;
  double L = -svic_rt_lpdf_normal(Z2v, 1, 1, nullptr) + svic_rt_lpdf_normal(Z2v, Z1v, 3, nullptr) +
             svic_rt_lpdf_normal(0, Z2v > 0 ? 1 : -2, 1, nullptr);
  EXPECT_DOUBLE_EQ(J.Signals[0], L);
  EXPECT_TRUE(std::isfinite(Elbo));
  double G1 = -Z1v / 25 + (Z2v - Z1v) / 9; // d/dz1 of the model; log q1's theta1 terms cancel
  EXPECT_NEAR(J.Grad[0], G1, 1e-12);
  double C = -1 + L; // baseline 0
  EXPECT_NEAR(J.Grad[1], C * (Z2v - 1), 1e-12);
  const std::string &IR = J.Result.OptimizedIR;
  EXPECT_EQ(IR.find("svic_rt_lpdf_normal"), std::string::npos) << "the Normal density is inlined";
  // Scalars live in registers, and the only calls are direct calls into the
  // runtime or to intrinsics (no allocation, no indirect calls); outlined,
  // the rules are calls to internal functions over the workspace instead.
  if (TestOutlineFrom > 0) {
    EXPECT_EQ(IR.find("alloca"), std::string::npos) << IR;
    for (size_t At = IR.find(" call "); At != std::string::npos; At = IR.find(" call ", At + 1)) {
      size_t Callee = IR.find('@', At), Line = IR.find('\n', At);
      ASSERT_LT(Callee, Line) << "an indirect call: " << IR.substr(At, Line - At);
      EXPECT_TRUE(IR.compare(Callee, 8, "@svic_rt") == 0 || IR.compare(Callee, 6, "@llvm.") == 0)
          << IR.substr(At, Line - At);
    }
  }

  constexpr int N = 200000;
  auto T0 = std::chrono::steady_clock::now();
  double Acc = 0;
  for (int I = 0; I < N; ++I) {
    J.Ctx.sample = I;
    Acc += J.Model->sampleFn()(&J.Ctx);
  }
  double Ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - T0).count() / N;
  EXPECT_TRUE(std::isfinite(Acc));
  RecordProperty("ns_per_estimate", std::to_string(Ns));
  RecordProperty("compile_ms", std::to_string(J.Result.CompileMs));
  std::printf("spnor-shaped estimate: %.1f ns per call, compiled in %.1f ms\n", Ns, J.Result.CompileMs);
}

TEST(Estimator, KinksAreCountedAndFollowTheConventions) {
  Builder B;
  ValueId X = B.param({});
  B.factor(B.op(Op::Relu, {}, {X}));
  B.factor(B.op(Op::Abs, {}, {X}));
  B.factor(B.op(Op::Maximum, {}, {X, X}));
  B.factor(B.op(Op::Minimum, {}, {X, scalarConst(B, 0)}));
  B.factor(B.op(Op::Clamp, {}, {X}, [](Instr &I) {
    I.Scalar0 = 0;
    I.Scalar1 = 1;
  }));
  B.factor(B.op(Op::Sqrt, {}, {B.op(Op::Exp, {}, {X})}));
  Jit J(B.F);
  ASSERT_TRUE(J.ok()) << J.Result.Error;
  J.Params = {0};
  J.run();
  // relu'(0) = 0, |x|'(0) = 0, max(x, x) and min(x, 0) pass the gradient to
  // their first argument, clamp at a bound 0; sqrt(exp(x)) is smooth.
  EXPECT_DOUBLE_EQ(J.Grad[0], 0 + 0 + 1 + 1 + 0 + 0.5);
  EXPECT_EQ(J.Ctx.kink_hits, 5);
  J.Params = {0.5};
  J.run();
  EXPECT_EQ(J.Ctx.kink_hits, 1); // the tie of max(x, x)
  EXPECT_DOUBLE_EQ(J.Grad[0], 1 + 1 + 1 + 0 + 1 + 0.5 * std::exp(0.25));
}

TEST(Estimator, CheckFiniteNamesTheFirstBadSite) {
  Builder B;
  ValueId X = B.param({{2}});
  ValueId L = B.op(Op::Log, {{2}}, {X});
  ValueId C1 = B.op(Op::CheckFinite, {{2}}, {L}, [](Instr &I) { I.Site = 3; });
  ValueId S = B.sum(C1);
  ValueId C2 = B.op(Op::CheckFinite, {}, {S}, [](Instr &I) { I.Site = 4; });
  B.factor(C2);
  Jit J(B.F);
  ASSERT_TRUE(J.ok()) << J.Result.Error;
  J.Params = {1, 2};
  J.run();
  EXPECT_EQ(J.Ctx.bad_site, -1);
  EXPECT_DOUBLE_EQ(J.Grad[1], 0.5); // CheckFinite passes the gradient through
  J.Params = {1, -2};
  J.run();
  EXPECT_EQ(J.Ctx.bad_site, 3);
  J.Params = {1, 0}; // log 0 = -inf
  J.run();
  EXPECT_EQ(J.Ctx.bad_site, 3);
}

TEST(Estimator, CheckIndexFlagsAnIndexOutsideItsRange) {
  Builder B;
  ValueId X = B.param({{2}});
  ValueId Gather = B.op(Op::CheckIndex, {{2}}, {X}, [](Instr &I) {
    I.Ints = {-3, 3};
    I.Site = SVIC_CHECK_BASE + 0;
  });
  ValueId Scatter = B.op(Op::CheckIndex, {{2}}, {X}, [](Instr &I) {
    I.Ints = {0, 3};
    I.Site = SVIC_CHECK_BASE + 1;
  });
  B.factor(B.sum(B.op(Op::Add, {{2}}, {Gather, Scatter})));
  Jit J(B.F);
  ASSERT_TRUE(J.ok()) << J.Result.Error;
  for (auto [Lo, Hi, Bad] : {std::tuple{0, 2, -1}, std::tuple{2, 0, -1}, std::tuple{-1, 2, 1},
                             std::tuple{-3, 0, 1}, std::tuple{3, 0, 0}, std::tuple{0, -4, 0}}) {
    J.Params = {double(Lo), double(Hi)};
    J.run();
    EXPECT_EQ(J.Ctx.bad_site, Bad < 0 ? -1 : SVIC_CHECK_BASE + Bad) << Lo << ", " << Hi;
    EXPECT_DOUBLE_EQ(J.Grad[0], 0); // an index has no gradient
  }
  J.Ctx.bad_site = 7; // a site flagged earlier stays the one reported
  J.Params = {5, 5};
  J.Model->sampleFn()(&J.Ctx);
  EXPECT_EQ(J.Ctx.bad_site, 7);
}

TEST(Random, SourcesAreTheRuntimeStreams) {
  Builder B;
  ValueId N = B.op(Op::StdNormal, {{2, 2}}, {}, [](Instr &I) { I.Site = 4; });
  ValueId U = B.op(Op::Uniform01, {{3}}, {}, [](Instr &I) { I.Site = 9; });
  int64_t PN = B.probe(N), PU = B.probe(U);
  Jit J(B.F);
  ASSERT_TRUE(J.ok()) << J.Result.Error;
  J.run();
  for (uint32_t I = 0; I < 4; ++I)
    EXPECT_EQ(J.Grad[PN + I], svic_rt_std_normal(J.Seed, J.Step, J.Sample, 4, I));
  for (uint32_t I = 0; I < 3; ++I)
    EXPECT_EQ(J.Grad[PU + I], svic_rt_uniform01(J.Seed, J.Step, J.Sample, 9, I));
}

TEST(Random, SubsampleDrawsDistinctIndicesFromItsStream) {
  Builder B;
  ValueId Part = B.op(Op::Subsample, {{4}}, {}, [](Instr &I) {
    I.Site = 7;
    I.Ints = {10};
  });
  ValueId All = B.op(Op::Subsample, {{10}}, {}, [](Instr &I) {
    I.Site = 8;
    I.Ints = {10};
  });
  int64_t PP = B.probe(Part), PA = B.probe(All);
  ASSERT_EQ(verify(B.F), "");
  Jit J(B.F);
  ASSERT_TRUE(J.ok()) << J.Result.Error;
  std::set<std::vector<double>> Seen;
  for (uint64_t Step = 0; Step < 20; ++Step) {
    J.Step = Step;
    J.run();
    std::vector<double> Got(J.Grad.begin() + PP, J.Grad.begin() + PP + 4), Want(4);
    svic_rt_subsample(J.Seed, Step, J.Sample, 7, 10, 4, Want.data());
    EXPECT_EQ(Got, Want); // the generated code calls the runtime's stream
    std::set<double> Distinct(Got.begin(), Got.end());
    EXPECT_EQ(Distinct.size(), 4u);
    for (double X : Got)
      EXPECT_TRUE(X >= 0 && X <= 9 && X == std::floor(X)) << X;
    Seen.insert(Got);
    std::vector<double> Perm(J.Grad.begin() + PA, J.Grad.begin() + PA + 10);
    std::sort(Perm.begin(), Perm.end());
    for (int I = 0; I < 10; ++I)
      EXPECT_EQ(Perm[static_cast<size_t>(I)], I); // subsample_size == size: a permutation
  }
  EXPECT_GT(Seen.size(), 15u); // a new subsample at (almost) every step
  // Every index equally likely: 4000 draws of 4 of 10, each index about 1600 times.
  std::vector<int> Count(10, 0);
  for (uint64_t Step = 0; Step < 4000; ++Step) {
    double Out[4];
    svic_rt_subsample(1, Step, 0, 3, 10, 4, Out);
    for (double X : Out)
      ++Count[static_cast<size_t>(X)];
  }
  for (int C : Count)
    EXPECT_NEAR(C, 1600, 160);

  B.F.Entry.Body[0].Ints = {3};
  EXPECT_NE(verify(B.F).find("subsample"), std::string::npos) << verify(B.F);
}

TEST(Random, SamplersAndNoGradientPath) {
  Builder B;
  ValueId P = B.param({{4}});
  auto sample = [&](Dist D, Shape S, std::vector<ValueId> Ops, uint32_t Site) {
    return B.op(Op::Sample, std::move(S), std::move(Ops), [&](Instr &I) {
      I.D = D;
      I.Site = Site;
    });
  };
  ValueId Bern = sample(Dist::BernoulliProbs, {{4}}, {P}, 1);
  ValueId Logits = B.constant({{2, 3}}, {0.1, 1.5, -0.7, 2.0, -1.0, 0.3});
  ValueId Cat = sample(Dist::CategoricalLogits, {{2}}, {Logits}, 2);
  ValueId Gam = sample(Dist::Gamma, {{4}}, {P, scalarConst(B, 1.5)}, 3);
  ValueId Conc = B.constant({{3}}, {1.0, 2.0, 0.5});
  ValueId Dir = sample(Dist::Dirichlet, {{2, 3}}, {Conc}, 4);
  ValueId Nrm = sample(Dist::Normal, {{4}}, {P, scalarConst(B, 2)}, 5);
  int64_t PB = B.probe(Bern), PC = B.probe(Cat), PG = B.probe(Gam), PD = B.probe(Dir), PNm = B.probe(Nrm);
  Jit J(B.F);
  ASSERT_TRUE(J.ok()) << J.Result.Error;
  std::vector<double> Ps = {0.1, 0.5, 0.9, 0.3};
  std::copy(Ps.begin(), Ps.end(), J.Params.begin());
  for (size_t K = 4; K < J.Params.size(); ++K)
    J.Params[K] = 1;
  J.run();
  auto u = [&](uint32_t Site, uint32_t E) { return svic_rt_uniform01(J.Seed, J.Step, J.Sample, Site, E); };
  for (uint32_t I = 0; I < 4; ++I) {
    EXPECT_EQ(J.Grad[PB + I], u(1, I) < Ps[I] ? 1 : 0);
    EXPECT_EQ(J.Grad[PG + I], svic_rt_sample_gamma(J.Seed, J.Step, J.Sample, 3, I, Ps[I], 1.5));
    EXPECT_EQ(J.Grad[PNm + I], Ps[I] + 2 * svic_rt_std_normal(J.Seed, J.Step, J.Sample, 5, I));
  }
  std::vector<double> L = {0.1, 1.5, -0.7, 2.0, -1.0, 0.3};
  for (uint32_t R = 0; R < 2; ++R) {
    double Total = 0, Cum = 0;
    for (int K = 0; K < 3; ++K)
      Total += std::exp(L[R * 3 + K]);
    double T = u(2, R) * Total;
    int Want = 0;
    for (int K = 0; K < 2; ++K) {
      Cum += std::exp(L[R * 3 + K]);
      Want += Cum <= T;
    }
    EXPECT_EQ(J.Grad[PC + R], Want);
  }
  double C[3] = {1.0, 2.0, 0.5}, Out[3];
  for (uint32_t R = 0; R < 2; ++R) {
    svic_rt_sample_dirichlet(J.Seed, J.Step, J.Sample, 4, R, C, 3, Out);
    for (int K = 0; K < 3; ++K)
      EXPECT_EQ(J.Grad[PD + R * 3 + K], Out[K]);
  }
  // The samples depend on P only without a gradient path.
  for (int K = 0; K < 4; ++K)
    EXPECT_EQ(J.Grad[K], 0);
}

TEST(Estimator, StopGradientAndInactiveValues) {
  Builder B;
  ValueId T = B.param({});
  ValueId D = B.input({});
  ValueId S = B.op(Op::StopGradient, {}, {T});
  B.factor(B.op(Op::Mul, {}, {T, S}));
  B.factor(B.op(Op::Exp, {}, {D})); // no param: no adjoint code
  Jit J(B.F);
  ASSERT_TRUE(J.ok()) << J.Result.Error;
  J.Params = {1.5};
  J.Data = {0.5};
  EXPECT_DOUBLE_EQ(J.run(), 1.5 * 1.5 + std::exp(0.5));
  EXPECT_DOUBLE_EQ(J.Grad[0], 1.5);
  EXPECT_STREQ(J.Model->descriptor(), "{\"test\":true}");
}

// An unrolled recurrence: every step slices its input at another offset,
// draws at another site and repeats the same tensor ops. Outlined, each
// distinct rule is one function however many steps call it, and the values,
// draws and gradients are those of the code emitted whole.
TEST(Codegen, OutlinedRulesMergeAcrossStepsAndAgreeWithInlineCode) {
  constexpr int Steps = 8;
  Builder B;
  std::mt19937_64 Rng(11);
  ValueId W = B.param({{4, 4}});
  ValueId X = B.input({{Steps, 3, 4}});
  ValueId H = B.constant({{3, 4}}, std::vector<double>(12, 0.1));
  for (int T = 0; T < Steps; ++T) {
    ValueId Xt = B.op(Op::Slice, {{1, 3, 4}}, {X}, [&](Instr &I) { I.Ints = {T, T + 1, 1, 0, 3, 1, 0, 4, 1}; });
    ValueId Z = B.op(Op::StdNormal, {{3, 4}}, {}, [&](Instr &I) { I.Site = static_cast<uint32_t>(T); });
    ValueId Pre = B.op(Op::Add, {{3, 4}}, {B.op(Op::MatMul, {{3, 4}}, {H, W}), B.op(Op::Reshape, {{3, 4}}, {Xt})});
    H = B.op(Op::Tanh, {{3, 4}}, {B.op(Op::Add, {{3, 4}}, {Pre, Z})});
  }
  B.factor(B.weightedSum(H, Rng));
  ASSERT_EQ(verify(B.F), "");

  Jit Whole(B.F, /*WantIR=*/false, /*OutlineFrom=*/1000);
  Jit Outlined(B.F, /*WantIR=*/true, /*OutlineFrom=*/1);
  ASSERT_TRUE(Whole.ok()) << Whole.Result.Error;
  ASSERT_TRUE(Outlined.ok()) << Outlined.Result.Error;
  std::uniform_real_distribution<double> U(-0.5, 0.5);
  for (double &P : Whole.Params)
    P = U(Rng);
  for (double &D : Whole.Data)
    D = U(Rng);
  Outlined.Params = Whole.Params;
  Outlined.Data = Whole.Data;
  EXPECT_NEAR(Outlined.run(), Whole.run(), 1e-12);
  for (size_t P = 0; P < Whole.Grad.size(); ++P)
    EXPECT_NEAR(Outlined.Grad[P], Whole.Grad[P], 1e-12) << P;
  expectGradientMatches(Outlined, "outlined recurrence");

  // Forward rules (not the chunks that call them): one per distinct rule,
  // not one per step (the steps call 6 x 8 = 48).
  const std::string &IR = Outlined.Result.OptimizedIR;
  int Rules = 0;
  for (size_t At = IR.find("define internal"); At != std::string::npos; At = IR.find("define internal", At + 1)) {
    size_t Name = IR.find("@svic.fwd", At), Line = IR.find('\n', At);
    Rules += Name < Line && IR.compare(Name, 15, "@svic.fwd.chunk") != 0;
  }
  EXPECT_GT(Rules, 0) << IR;
  EXPECT_LE(Rules, 12) << IR;
}

// A gather whose operand is a reshape made many chunks earlier: its reverse
// rule zeroes the adjoint through the reshape's root, which the gather's chunk
// does not otherwise use (AIR's grid_sample reads a reshaped image so).
TEST(Codegen, OutlinedRuleZeroesAnAdjointThroughAnEarlierAlias) {
  Builder B;
  std::mt19937_64 Rng(5);
  ValueId P = B.param({{6}});
  ValueId V = B.op(Op::Reshape, {{2, 3}}, {B.op(Op::Tanh, {{6}}, {P})});
  ValueId Q = B.param({{4}});
  for (int K = 0; K < 80; ++K) // more rules than one chunk holds
    Q = B.op(Op::Tanh, {{4}}, {Q});
  B.factor(B.weightedSum(Q, Rng));
  ValueId Ix = B.constant({{3}}, {2, 0, 2});
  ValueId G = B.op(Op::Gather, {{2, 3}}, {V, Ix}, [](Instr &I) { I.Axis = 1; });
  B.factor(B.weightedSum(G, Rng));
  ASSERT_EQ(verify(B.F), "");

  Jit Whole(B.F, /*WantIR=*/false, /*OutlineFrom=*/1000);
  Jit Outlined(B.F, /*WantIR=*/false, /*OutlineFrom=*/1);
  ASSERT_TRUE(Whole.ok()) << Whole.Result.Error;
  ASSERT_TRUE(Outlined.ok()) << Outlined.Result.Error;
  std::uniform_real_distribution<double> U(-0.9, 0.9);
  for (double &X : Whole.Params)
    X = U(Rng);
  Outlined.Params = Whole.Params;
  EXPECT_NEAR(Outlined.run(), Whole.run(), 1e-12);
  for (size_t K = 0; K < Whole.Grad.size(); ++K)
    EXPECT_NEAR(Outlined.Grad[K], Whole.Grad[K], 1e-12) << K;
  expectGradientMatches(Outlined, "outlined gather of an earlier reshape");
}

// A minibatch of a large input (AIR's data[ix], ix = arange(64)): only the
// prefix up to the last row gathered or sliced is read, so only it needs to
// be in ctx->data; relocated there, the values are those of the whole input.
TEST(Codegen, InputsHoldOnlyThePrefixTheyRead) {
  Builder B;
  std::mt19937_64 Rng(3);
  ValueId Rows = B.input({{10, 4}});
  ValueId Slab = B.input({{6, 3}});
  ValueId Whole = B.input({{5}});
  ValueId P = B.param({{2, 4}});
  ValueId G = B.op(Op::Gather, {{2, 4}}, {B.op(Op::Reshape, {{10, 4}}, {Rows}), B.constant({{2}}, {2, 0})},
                   [](Instr &I) { I.Axis = 0; });
  ValueId S = B.op(Op::Slice, {{2, 2}}, {Slab}, [](Instr &I) { I.Ints = {1, 3, 1, 0, 3, 2}; });
  B.factor(B.weightedSum(B.op(Op::Mul, {{2, 4}}, {G, P}), Rng));
  B.factor(B.weightedSum(S, Rng));
  B.factor(B.weightedSum(B.op(Op::Exp, {{5}}, {Whole}), Rng));
  std::map<int64_t, int64_t> Reads = inputReads(B.F);
  EXPECT_EQ(Reads, (std::map<int64_t, int64_t>{{0, 12}, {40, 9}, {58, 5}}));

  Jit Full(B.F);
  Function Packed = B.F;
  relocateInputs(Packed.Entry, {{0, {0, 12}}, {40, {12, 9}}, {58, {21, 5}}});
  Packed.DataDoubles = 26;
  ASSERT_EQ(verify(Packed), "");
  Jit Part(Packed);
  ASSERT_TRUE(Full.ok()) << Full.Result.Error;
  ASSERT_TRUE(Part.ok()) << Part.Result.Error;
  std::uniform_real_distribution<double> U(-1, 1);
  for (double &X : Full.Data)
    X = U(Rng);
  for (double &X : Full.Params)
    X = U(Rng);
  Part.Params = Full.Params;
  for (auto [From, To, N] : {std::tuple{0, 0, 12}, {40, 12, 9}, {58, 21, 5}})
    std::copy_n(Full.Data.begin() + From, N, Part.Data.begin() + To);
  EXPECT_DOUBLE_EQ(Part.run(), Full.run());
  for (size_t K = 0; K < Full.Grad.size(); ++K)
    EXPECT_DOUBLE_EQ(Part.Grad[K], Full.Grad[K]) << K;
}

TEST(Codegen, RejectsInvalidLir) {
  Builder B;
  ValueId T = B.param({});
  B.F.Entry.Body.back().Operands.push_back(T);
  CodegenResult R;
  EXPECT_EQ(jitCompile(B.F, "{}", R), nullptr);
  EXPECT_FALSE(R.Ok);
  EXPECT_NE(R.Error.find("invalid LIR"), std::string::npos) << R.Error;
}

TEST(Codegen, EmitsAnObjectFileAndTheOptimisedModule) {
  Builder B;
  ValueId T = B.param({});
  B.factor(B.op(Op::Mul, {}, {T, T}));
  std::string Path = (std::filesystem::temp_directory_path() / "svic_backend_test.o").string();
  CodegenResult R = emitObject(B.F, "{\"k\":1}", Path, /*WantIR=*/true);
  ASSERT_TRUE(R.Ok) << R.Error;
  std::ifstream In(Path, std::ios::binary);
  std::string Bytes((std::istreambuf_iterator<char>(In)), std::istreambuf_iterator<char>());
  ASSERT_GT(Bytes.size(), 4u);
  EXPECT_EQ(Bytes.substr(0, 4), "\x7f"
                                "ELF");
  EXPECT_NE(Bytes.find("{\"k\":1}"), std::string::npos);
  EXPECT_NE(R.OptimizedIR.find("define double @svic_gen_sample"), std::string::npos);
  EXPECT_NE(R.OptimizedIR.find("@svic_gen_descriptor"), std::string::npos);
  RecordProperty("compile_ms", std::to_string(R.CompileMs));
  std::filesystem::remove(Path);
  EXPECT_FALSE(emitObject(B.F, "{}", "/nonexistent-dir/x.o").Ok);
}

} // namespace

namespace {

// A simulator (svic simulate): Output writes its operand to ctx->grad at its
// offset; nothing else is written there.
TEST(Simulator, OutputWritesItsOperandToTheOutputs) {
  Builder B;
  ValueId X = B.input({{2, 3}});
  ValueId Y = B.op(Op::Exp, {{2, 3}}, {X});
  B.op(Op::Output, {}, {Y}, [](Instr &I) { I.Offset = 1; });
  B.F.OutputDoubles = 8;
  EXPECT_EQ(verify(B.F), "");
  Jit J(B.F);
  ASSERT_TRUE(J.ok()) << J.Result.Error;
  J.Data = {0, 1, -1, 0.5, 2, -3};
  std::vector<double> Out(8, -7.0);
  svic_sample_ctx Ctx{};
  Ctx.data = J.Data.data();
  Ctx.grad = Out.data();
  Ctx.workspace = J.Workspace.data();
  Ctx.bad_site = -1;
  EXPECT_EQ(J.Model->sampleFn()(&Ctx), 0.0);
  EXPECT_EQ(Out[0], -7.0);
  EXPECT_EQ(Out[7], -7.0);
  for (size_t I = 0; I < 6; ++I)
    EXPECT_DOUBLE_EQ(Out[I + 1], std::exp(J.Data[I])) << I;

  B.F.Entry.Body.back().Offset = 3;
  EXPECT_NE(verify(B.F).find("writes past OutputDoubles"), std::string::npos) << verify(B.F);
}

// An estimator lowered with RecordTrace (svic grad --trace-out): its outputs
// follow the gradient in ctx->grad, which the gradient sweep leaves alone.
TEST(Simulator, AnEstimatorsOutputsFollowItsGradient) {
  Builder B;
  ValueId Theta = B.param({{2}});
  ValueId X = B.input({{2}});
  B.factor(B.sum(B.op(Op::Mul, {{2}}, {Theta, X})));
  B.op(Op::Output, {}, {X}, [](Instr &I) { I.Offset = 0; });
  B.F.OutputDoubles = 2;
  EXPECT_EQ(verify(B.F), "");
  Jit J(B.F);
  ASSERT_TRUE(J.ok()) << J.Result.Error;
  J.Data = {3, -4};
  J.Params = {0.5, 0.25};
  std::vector<double> Out(4, 0.0);
  svic_sample_ctx Ctx{};
  Ctx.params = J.Params.data();
  Ctx.data = J.Data.data();
  Ctx.grad = Out.data();
  Ctx.workspace = J.Workspace.data();
  Ctx.bad_site = -1;
  EXPECT_DOUBLE_EQ(J.Model->sampleFn()(&Ctx), 0.5);
  EXPECT_EQ(Out, (std::vector<double>{3, -4, 3, -4})); // d/dtheta, then the output
}

} // namespace
