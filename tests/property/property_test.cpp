//===- property_test.cpp - The smoothness analysis never claims too much ----===//
///
/// Soundness of SPEC §5.2 by property testing: 1000 random scalar programs
/// (fixed seeds, tests/testkit ProgramGenerator) go through the real frontend,
/// the numeric pre-analysis and the smoothness analysis for diff, lips and
/// cont; every name reported `smooth` is probed numerically on the program's
/// log-density (testkit SmoothnessChecker). The test asserts zero refuted
/// claims (each violation is printed with its program), that the frontend
/// accepts every generated program and gives a well-formed IR, and that
/// enough smooth claims were made and checked for the test to mean something.
///
/// Sharded by seed range (one ctest test per shard) so `ctest -j2` uses both
/// cores; the whole suite takes ~20 s of CPU (~10 s wall with -j2).
///
/// Regression cases below: programs on which the analysis was found to claim
/// too much (expected behaviour in each comment), a frontend bug the property
/// run found, and programs on which an earlier checker raised false alarms
/// (float artefacts), pinned so the checker stays quiet on them.
//===----------------------------------------------------------------------===//

#include "PropertyHarness.h"

#include <gtest/gtest.h>

#include <cstdio>

using namespace svic::testkit;

namespace {

constexpr int NumShards = 10;
constexpr uint64_t ProgramsPerShard = 100; // 1000 programs in all
constexpr uint64_t FirstSeed = 1;

class PropertyShard : public ::testing::TestWithParam<int> {};

TEST_P(PropertyShard, NoSmoothClaimIsRefuted) {
  const uint64_t Begin = FirstSeed + static_cast<uint64_t>(GetParam()) * ProgramsPerShard;
  Totals T;
  for (uint64_t Seed = Begin; Seed < Begin + ProgramsPerShard; ++Seed)
    T.add(runGenerated(Seed));
  std::printf("[property] seeds [%llu, %llu): %s\n", static_cast<unsigned long long>(Begin),
              static_cast<unsigned long long>(Begin + ProgramsPerShard), T.summary().c_str());
  for (const ProgramResult &R : T.Failures)
    ADD_FAILURE() << describeFailure(R);
  EXPECT_EQ(T.Stats.Violations, 0u);
  EXPECT_EQ(T.FrontendRejected, 0u);
  EXPECT_EQ(T.Stats.NamesMissingFromReport, 0u);
  // A test that never sees a smooth claim proves nothing.
  EXPECT_GE(T.Stats.Programs, ProgramsPerShard * 3 / 4);
  EXPECT_GE(T.Stats.ClaimsChecked, 3 * ProgramsPerShard);
  EXPECT_GE(T.SmoothClaims[0], ProgramsPerShard / 2); // diff
  EXPECT_GE(T.SmoothClaims[1], ProgramsPerShard);     // lips
  EXPECT_GE(T.SmoothClaims[2], ProgramsPerShard);     // cont
}

INSTANTIATE_TEST_SUITE_P(Seeds, PropertyShard, ::testing::Range(0, NumShards));

//===-- Regression cases --------------------------------------------------------===//

const char *Header = "import math\nimport torch\nimport torch.nn.functional as F\nimport pyro\n"
                     "import pyro.distributions as dist\nimport pyro.poutine as poutine\n"
                     "from torch.distributions import constraints\n\n\n";

ProgramResult run(const std::string &Body, uint64_t Seed = 1) { return runSource(Header + Body, Seed); }

bool smoothIn(const ProgramResult &R, const std::string &Name, Prop P) {
  const Claim *C = R.claimOf(Name);
  return C && C->claims(P);
}

std::string show(const ProgramResult &R) { return describeFailure(R); }

/// FINDING (analysis): a value that depends on a latent can leave the support
/// of the distribution that scores it, as an observed value or through
/// `.log_prob`. The density of `y` is exp(-w) for w >= 0 and 0 for w < 0
/// (Pyro's validation raises), so it jumps at w = 0; the analysis uses only
/// the distribution's value-smoothness on its support and claims w smooth
/// for diff, lips and cont. (notes §a.5.2 assumes observed values have
/// non-zero density; SPEC §3 accepts any obs.) Expected: w mayBreak for every
/// property, or a proof that the value stays in the support's interior. (The
/// generated programs respect §a.5.2, so only this test pins the finding.)
TEST(PropertyRegression, ScoredValueLeavesTheSupport) {
  for (const char *Stmt : {"    pyro.sample(\"y\", dist.Exponential(1.), obs=w)\n",
                           "    pyro.factor(\"f\", dist.Gamma(2., 1.).log_prob(w))\n"}) {
    ProgramResult R = run(std::string("def model():\n"
                                      "    w = pyro.sample(\"w\", dist.Normal(0., 1.))\n") +
                          Stmt);
    ASSERT_FALSE(R.FrontendRejected) << R.FrontendDiagnostics;
    for (Prop P : {Prop::Diff, Prop::Lips, Prop::Cont})
      EXPECT_FALSE(smoothIn(R, "w", P)) << propName(P) << "\n" << show(R);
    EXPECT_TRUE(R.Report.Violations.empty()) << show(R);
  }
}

/// FINDING (analysis): a Python exception makes the program fail on a region
/// even when the value is never used: math.log(z) raises ValueError for
/// z <= 0, `1.0 / float(z > 0.)` raises ZeroDivisionError. The density is
/// undefined there (the Partiality rule of notes §a.4: only smooth outside
/// the inputs that decide failure); the analysis ignores dead values and
/// claims z smooth. (torch.log would return NaN silently; `assert z > 0` is
/// handled correctly.) Expected: z mayBreak for every property.
TEST(PropertyRegression, PythonErrorInDeadCode) {
  for (const char *Stmt : {"    v = math.log(z)\n", "    v = 1.0 / float(z > 0.)\n"}) {
    ProgramResult R = run(std::string("def model():\n"
                                      "    z = pyro.sample(\"z\", dist.Normal(0., 1.))\n") +
                          Stmt);
    ASSERT_FALSE(R.FrontendRejected) << R.FrontendDiagnostics;
    for (Prop P : {Prop::Diff, Prop::Lips, Prop::Cont})
      EXPECT_FALSE(smoothIn(R, "z", P)) << propName(P) << "\n" << show(R);
    EXPECT_TRUE(R.Report.Violations.empty()) << show(R);
  }
}

/// FINDING (numeric pre-analysis): branch pruning ignores NaN. sqrt or log of
/// a negative parameter is NaN in torch, abs(NaN) is NaN and `NaN >= 0.0` is
/// False, so the `else` branch the interval analysis proves dead runs for
/// every p < 0: the density jumps at p = 0 (here the observation's scale
/// changes from 1 to 2), yet p is claimed smooth for diff, lips and cont.
/// Expected: p mayBreak (a guard on a value that may be NaN is not decided by
/// its interval), or the branch kept live.
TEST(PropertyRegression, NaNGuardPrunedAsDead) {
  for (const char *Op : {"torch.sqrt(p)", "torch.log(p)"}) {
    ProgramResult R = run(std::string("def model():\n"
                                      "    p = pyro.param(\"p\", torch.tensor(1.0))\n"
                                      "    z = pyro.sample(\"z\", dist.Normal(0., 1.))\n"
                                      "    if torch.abs(") +
                          Op +
                          ") >= 0.0:\n"
                          "        pyro.sample(\"x\", dist.Normal(z, 1.), obs=torch.tensor(0.5))\n"
                          "    else:\n"
                          "        pyro.sample(\"x\", dist.Normal(z, 2.), obs=torch.tensor(0.5))\n");
    ASSERT_FALSE(R.FrontendRejected) << R.FrontendDiagnostics;
    for (Prop P : {Prop::Diff, Prop::Lips, Prop::Cont})
      EXPECT_FALSE(smoothIn(R, "p", P)) << Op << " " << propName(P) << "\n" << show(R);
    EXPECT_TRUE(smoothIn(R, "z", Prop::Diff)) << show(R);
    EXPECT_TRUE(R.Report.Violations.empty()) << show(R);
  }
}

/// FINDING (frontend): a helper whose return value is a conditional
/// expression, called in the return of another helper, is lowered to an
/// assignment to an invalid variable id (`%<invalid> = %ret@h0#1` in the IR
/// dump, uninitialised id); the smoothness analysis then crashes (SIGSEGV in
/// Analyzer::collect). Expected: a well-formed IR; z is smooth (h0 is the
/// identity).
TEST(PropertyRegression, NestedHelperReturningAConditional) {
  ProgramResult R = run("def h0(a):\n"
                        "    return a if 0.2 > 0.7 else a\n\n\n"
                        "def h1(a):\n"
                        "    return h0(a)\n\n\n"
                        "def model():\n"
                        "    z = pyro.sample(\"z\", dist.Normal(0., 1.))\n"
                        "    pyro.sample(\"x\", dist.Normal(h1(z), 1.), obs=torch.tensor(0.5))\n");
  ASSERT_FALSE(R.FrontendRejected) << R.FrontendDiagnostics;
  EXPECT_TRUE(smoothIn(R, "z", Prop::Diff)) << show(R);
  EXPECT_TRUE(R.Report.Violations.empty()) << show(R);
}

/// Agreement on the paper's example (spnor): z1 smooth, z2 not, and the
/// checker confirms the claims.
TEST(PropertyRegression, Spnor) {
  ProgramResult R = run("def model():\n"
                        "    z1 = pyro.sample(\"z1\", dist.Normal(0., 5.))\n"
                        "    z2 = pyro.sample(\"z2\", dist.Normal(z1, 3.))\n"
                        "    if z2 > 0:\n"
                        "        pyro.sample(\"x\", dist.Normal(1., 1.), obs=torch.tensor(0.))\n"
                        "    else:\n"
                        "        pyro.sample(\"x\", dist.Normal(-2., 1.), obs=torch.tensor(0.))\n");
  ASSERT_FALSE(R.FrontendRejected) << R.FrontendDiagnostics;
  for (Prop P : {Prop::Diff, Prop::Lips, Prop::Cont}) {
    EXPECT_TRUE(smoothIn(R, "z1", P)) << show(R);
    EXPECT_FALSE(smoothIn(R, "z2", P)) << show(R);
  }
  EXPECT_TRUE(R.Report.Violations.empty()) << show(R);
  EXPECT_EQ(R.Report.Stats.ClaimsChecked, 3u);
}

/// Generated programs on which an earlier checker raised false alarms: smooth
/// densities whose float evaluation oscillates far below the probing scale
/// (cos/sin of arguments growing like 1/p^3), log(1 - sigmoid(x)) moving in
/// float steps once sigmoid(x) is within 1e-16 of 1, and a StudentT whose
/// df ~ 1e11 makes its lgamma normaliser cancel to a few digits. The checker must
/// stay quiet (the interpreter flags saturation; the local tests require a
/// cusp's or a kink's regular scaling over several decades).
TEST(PropertyRegression, CheckerFloatArtefacts) {
  const std::pair<uint64_t, const char *> Cases[] = {
      {328, R"PY(def model(d0, d1):
    p0 = pyro.param("p0", torch.tensor(0.67), constraint=constraints.unit_interval)
    p1 = pyro.param("p1", torch.tensor(1.82), constraint=constraints.positive)
    z0 = pyro.sample("z0", dist.Normal(torch.exp(torch.sigmoid((p1 if (d0 > 0.73) else p0))), (torch.sigmoid((d1 * p0)) + 0.73)))
    pyro.factor("f0", torch.sigmoid(z0))
    acc0 = (-0.32)
    for t0 in range(3):
        if (d1 < 0.49):
            acc0 = acc0 + math.exp(torch.cos((acc0 / p1)))
    pyro.sample("o0", dist.Normal(torch.pow(torch.where((d1 > 0.19), torch.exp(torch.sin(z0)), (acc0 * p0)), 3), torch.exp(torch.sin(z0))).mask((d1 < (-0.79))), obs=torch.tensor((-0.22)))
    pyro.sample("o1", dist.Gamma(F.softplus(torch.cos((acc0 * z0))), F.softplus(torch.cos(torch.sum(torch.stack([p0, p1]))))), obs=torch.tensor(1.02))
    lst0 = []
    for t1 in range(3):
        lst0.append((1.60 * F.softplus(p1)))
    lst0[1] = torch.lgamma((0.47 + p0))
    pyro.sample("o2", dist.Laplace(p0, p1), obs=d0)
    pyro.sample("o3", dist.Bernoulli(probs=torch.sigmoid((z0 - (-0.65)))), obs=(((0.76 ** 1.5) > (-0.77)) * 1.0))
)PY"},
      {64, R"PY(def h0(a, b):
    return torch.sum(torch.stack([torch.tanh(a), torch.cos(b)]))



def model():
    p0 = pyro.param("p0", torch.tensor(0.92), constraint=constraints.positive)
    if (1.0 > 0.5):
        z0 = pyro.sample("z0", dist.Cauchy((p0 ** 1.5), p0))
    else:
        z0 = torch.tensor((-0.94))
    pyro.factor("f0", torch.log(torch.sigmoid(((-0.91) * 1.09))))
    if (not (F.softplus(z0) < (-1.01))):
        v0 = torch.sin(torch.sigmoid(torch.pow(z0, 3)))
    elif (0.2 > 0.7):
        v0 = torch.lgamma((torch.erf(z0) - p0))
    else:
        v0 = (z0 * z0)
    v1 = (((z0 + z0) * (-1.02)) * z0)
    z1 = pyro.sample("z1", dist.Normal(((-1.23) * (0.01 * v0)), torch.exp((0.27 * z0))))
    pyro.sample("o0", dist.Normal(z1, torch.exp(torch.sin(dist.Normal((-0.87), p0).log_prob(z1)))), obs=torch.tensor(0.06))
    v2 = ((-0.29) * (-(z0 * z0)))
    pyro.sample("o1", dist.Exponential(torch.exp(torch.cos((p0 ** (-0.5))))), obs=torch.tensor(1.57))
    n0 = 0
    u0 = v1
    while n0 < 1:
        u0 = (u0 * 0.51) + 1.80
        n0 = n0 + 1
    pyro.sample("o2", dist.Bernoulli(probs=torch.exp((-(1.0 - torch.tanh(torch.cos(v1)))))), obs=torch.tensor(1.))
    pyro.sample("o3", dist.Bernoulli(logits=(p0 + (-z0))), obs=torch.tensor(0.))
)PY"},
      {3186, R"PY(def model():
    p0 = pyro.param("p0", torch.tensor(0.95), constraint=constraints.positive)
    z0 = pyro.sample("z0", dist.Beta((torch.sigmoid(p0) + 0.20), 1.69))
    with poutine.scale(scale=1.37):
        pyro.sample("o0", dist.Laplace(z0, torch.exp(torch.sin(torch.digamma(z0)))), obs=torch.sqrt((z0 * p0)))
    v0 = (z0 + torch.expm1(torch.sigmoid((p0 * z0))))
    z1 = pyro.sample("z1", dist.LogNormal(((v0 + p0) + v0), (torch.sigmoid(torch.log(p0)) + 0.64)))
    if ((torch.where((0.2 > 0.7), p0, z0) < (-1.19)) or (1.0 > 0.5)):
        pyro.sample("o1", dist.Gamma(z1, (1.0 - torch.tanh(torch.sin(min(z1, v0))))), obs=torch.tensor(1.81))
    else:
        pyro.sample("o1", dist.Normal(torch.log(z0), (1.0 - torch.tanh(torch.sigmoid(torch.sum(torch.stack([1.96, z1])))))), obs=torch.tensor(0.06))
    z2 = pyro.sample("z2", dist.StudentT((1.0 + (dist.Normal(z0, z1).log_prob(p0) ** 2)), (torch.erf((-0.01)) * v0), (torch.clamp(z1, min=(-1.36), max=(-0.09)) + F.softplus(torch.sigmoid(v0)))))
    z3 = pyro.sample("z3", dist.Beta((torch.sigmoid(torch.sum(torch.stack([z0, z0]))) + 0.56), 0.54))
    pyro.sample("o2", dist.Gamma((1.0 - torch.tanh(torch.sigmoid((z3 ** (-0.5))))), (z1 * z3)), obs=torch.tensor(1.31))
)PY"},
      {982, R"PY(def obs_helper(m, s):
    pyro.sample("oh", dist.Normal(m, s), obs=torch.tensor((-0.30)))



def model(d0, d1):
    p0 = pyro.param("p0", torch.tensor(0.38))
    p1 = pyro.param("p1", torch.tensor(0.64))
    z0 = pyro.sample("z0", dist.StudentT((torch.relu(torch.sqrt((0.59 * 0.72))) + 0.31), p1, 2.19))
    n0 = 0
    u0 = 0.0
    while (u0 < torch.pow(torch.exp(torch.cos(p1)), 3)) and (n0 < 4):
        u0 = u0 + 0.5
        n0 = n0 + 1
    if (0.2 > 0.7):
        z1 = pyro.sample("z1", dist.StudentT(((1.22 + 1.02) + 1.17), (0.01 * torch.where((d0 > (-0.55)), z0, p1)), F.softplus(torch.cos(u0))))
    else:
        z1 = pyro.sample("z1", dist.Normal(torch.sqrt(torch.exp((0.04 * p1))), torch.exp(torch.sin(math.exp(0.58)))))
    z2 = pyro.sample("z2", dist.Normal((torch.sin(z1) + d1), (torch.sigmoid((1.90 ** 2)) + 0.58)))
    acc1 = 0.64
    for t1 in range(2):
        acc1 = acc1 + u0
        acc1 = (acc1 * 0.36) + z2
        pyro.sample("y1_2_{}".format(t1), dist.Laplace((torch.pow(z0, 3) * z2), torch.exp(0.00)), obs=torch.tensor(0.85))
    v0 = (acc1 if (d1 < 0.28) else (-1.29))
    pyro.factor("f0", F.softplus((-0.84)))
    pyro.factor("f1", torch.pow(torch.expm1(torch.cos((z1 + z2))), 3))
    pyro.sample("o0", dist.Laplace(z1, torch.exp(torch.sin(F.softplus(z0)))), obs=torch.tensor((-0.43)))
    pyro.sample("o1", dist.Bernoulli(probs=torch.sigmoid(torch.pow(v0, 3))), obs=torch.tensor(0.))
)PY"},
  };
  for (const auto &[Seed, Body] : Cases) {
    ProgramResult R = run(Body, Seed);
    ASSERT_FALSE(R.FrontendRejected) << R.FrontendDiagnostics;
    EXPECT_GT(R.Report.Stats.ClaimsChecked, 0u) << show(R);
    EXPECT_TRUE(R.Report.Violations.empty()) << show(R);
  }
}

} // namespace
