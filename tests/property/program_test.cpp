//===- program_test.cpp - Interpreter and checker on real programs ----------===//
///
/// Programs go through the real frontend. The interpreter's log-density is
/// compared with closed forms (loops with template names, branches, helpers,
/// while, params, data, Python semantics), and the program-level checker must
/// refute forced claims that are false (relu/abs under Diff, sqrt under Lips,
/// an `if` on a latent under Cont, an unproved scale, a discrete latent) while
/// accepting true ones.
//===----------------------------------------------------------------------===//

#include "Interpreter.h"
#include "ProgramGenerator.h"
#include "SmoothnessChecker.h"

#include "svic/frontend/Frontend.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace svic;
using namespace svic::testkit;

namespace {

constexpr double LogSqrt2Pi = 0.91893853320467274;

double normalLp(double X, double Mu, double S) {
  return -(X - Mu) * (X - Mu) / (2 * S * S) - std::log(S) - LogSqrt2Pi;
}

struct Loaded {
  SourceManager SM;
  DiagnosticEngine DE;
  std::unique_ptr<ir::Program> Model;
};

std::unique_ptr<Loaded> load(const std::string &Body) {
  auto L = std::make_unique<Loaded>();
  std::string Src = "import math\nimport torch\nimport torch.nn.functional as F\nimport pyro\n"
                    "import pyro.distributions as dist\nfrom torch.distributions import constraints\n\n" +
                    Body;
  auto P = frontend::loadProgramsFromText("t.py", Src, "", "", {}, L->SM, L->DE);
  std::string Diags;
  for (const Diagnostic &D : L->DE.sorted())
    Diags += renderText(D, L->SM, false) + "\n";
  EXPECT_TRUE(P && P->Model) << Diags;
  if (P && P->Model)
    L->Model = std::move(P->Model);
  return L;
}

RunResult run(const ir::Program &P, std::map<std::string, double> Names, std::map<std::string, double> Data = {},
              bool Record = false) {
  Interpreter I(P);
  RunInputs In;
  In.Names = &Names;
  In.Data = &Data;
  In.RecordSites = Record;
  return I.run(In);
}

TEST(InterpreterProgram, LatentsObservesAndFactors) {
  auto L = load("def model():\n"
                "    z = pyro.sample(\"z\", dist.Normal(0., 1.))\n"
                "    pyro.sample(\"x\", dist.Normal(z, 2.), obs=torch.tensor(0.5))\n"
                "    pyro.factor(\"f\", -z * z)\n");
  ASSERT_TRUE(L->Model);
  RunResult R = run(*L->Model, {{"z", 0.3}});
  ASSERT_EQ(R.St, RunResult::Status::Ok) << R.Message;
  EXPECT_NEAR(R.LogDensity, normalLp(0.3, 0, 1) + normalLp(0.5, 0.3, 2) - 0.09, 1e-12);
}

TEST(InterpreterProgram, LoopsWithTemplateNames) {
  auto L = load("def model():\n"
                "    acc = 0.\n"
                "    for t in range(3):\n"
                "        w = pyro.sample(\"w_{}\".format(t), dist.Normal(acc, 1.))\n"
                "        acc = acc + w\n"
                "    pyro.sample(\"x\", dist.Normal(acc, 1.), obs=torch.tensor(0.))\n");
  ASSERT_TRUE(L->Model);
  RunResult R = run(*L->Model, {{"w_0", 0.5}, {"w_1", -0.25}, {"w_2", 1.0}}, {}, true);
  ASSERT_EQ(R.St, RunResult::Status::Ok) << R.Message;
  double Expect = normalLp(0.5, 0, 1) + normalLp(-0.25, 0.5, 1) + normalLp(1.0, 0.25, 1) + normalLp(0, 1.25, 1);
  EXPECT_NEAR(R.LogDensity, Expect, 1e-12);
  ASSERT_EQ(R.Sites.size(), 3u);
  EXPECT_EQ(R.Sites[2].Concrete, "w_2");
  EXPECT_EQ(R.Sites[2].Canonical, "w_{}");
}

TEST(InterpreterProgram, BranchesHelpersWhileAndData) {
  auto L = load("def sq(a):\n"
                "    return a * a\n\n\n"
                "def model(d):\n"
                "    z = pyro.sample(\"z\", dist.Normal(0., 1.))\n"
                "    if z > d:\n"
                "        m = sq(z)\n"
                "    else:\n"
                "        m = -1.0\n"
                "    n = 0\n"
                "    u = 0.0\n"
                "    while (u < z) and (n < 4):\n"
                "        u = u + 0.5\n"
                "        n = n + 1\n"
                "    pyro.sample(\"x\", dist.Normal(m + u, 1.), obs=torch.tensor(0.))\n");
  ASSERT_TRUE(L->Model);
  RunResult A = run(*L->Model, {{"z", 1.2}}, {{"d", 0.5}});
  ASSERT_EQ(A.St, RunResult::Status::Ok) << A.Message;
  EXPECT_NEAR(A.LogDensity, normalLp(1.2, 0, 1) + normalLp(0, 1.44 + 1.5, 1), 1e-12);
  RunResult B = run(*L->Model, {{"z", 0.2}}, {{"d", 0.5}});
  EXPECT_NEAR(B.LogDensity, normalLp(0.2, 0, 1) + normalLp(0, -1.0 + 0.5, 1), 1e-12);
}

TEST(InterpreterProgram, ParamsAndSupports) {
  auto L = load("def model():\n"
                "    s = pyro.param(\"s\", torch.tensor(1.), constraint=constraints.positive)\n"
                "    g = pyro.sample(\"g\", dist.Gamma(2., s))\n"
                "    b = pyro.sample(\"b\", dist.Beta(2., 3.))\n"
                "    u = pyro.sample(\"u\", dist.Uniform(-1., 3.))\n");
  ASSERT_TRUE(L->Model);
  RunResult R = run(*L->Model, {{"s", 3.}, {"g", 1.}, {"b", 0.4}, {"u", 0.}}, {}, true);
  ASSERT_EQ(R.St, RunResult::Status::Ok) << R.Message;
  EXPECT_NEAR(R.LogDensity, -0.8027754226637804 + 0.546964670381864 - std::log(4.0), 1e-12);
  ASSERT_EQ(R.Sites.size(), 4u);
  EXPECT_EQ(R.Sites[0].SiteKind, SiteRequest::Kind::Param);
  EXPECT_EQ(R.Sites[0].Support.Lo, 0.0);
  EXPECT_EQ(R.Sites[2].Support.Hi, 1.0);
  EXPECT_EQ(R.Sites[3].Support.Lo, -1.0);
  EXPECT_EQ(R.Sites[3].Support.Hi, 3.0);
}

TEST(InterpreterProgram, PythonAndTorchSemantics) {
  auto L = load("def model():\n"
                "    z = pyro.sample(\"z\", dist.Normal(0., 1.))\n"
                "    a = min(z, 1.0)\n"
                "    b = max(0.5, z) if z > 0 else torch.clamp(z, min=-0.1)\n"
                "    c = torch.where(z > 0, F.relu(z), torch.abs(z))\n"
                "    pyro.factor(\"f\", a + b + c + torch.sign(z))\n");
  ASSERT_TRUE(L->Model);
  RunResult R = run(*L->Model, {{"z", -0.3}});
  ASSERT_EQ(R.St, RunResult::Status::Ok) << R.Message;
  EXPECT_NEAR(R.LogDensity, normalLp(-0.3, 0, 1) + (-0.3 - 0.1 + 0.3 - 1.0), 1e-12);
}

TEST(InterpreterProgram, InvalidParametersAndErrors) {
  auto L = load("def model():\n"
                "    z = pyro.sample(\"z\", dist.Normal(0., 1.))\n"
                "    pyro.sample(\"x\", dist.Normal(0., z), obs=torch.tensor(0.))\n");
  ASSERT_TRUE(L->Model);
  RunResult R = run(*L->Model, {{"z", -0.5}});
  EXPECT_EQ(R.St, RunResult::Status::Ok);
  EXPECT_TRUE(std::isnan(R.LogDensity));
  auto D = load("def model():\n"
                "    z = pyro.sample(\"z\", dist.Normal(0., 1.))\n"
                "    pyro.factor(\"f\", 1.0 / (2.0 - 2.0))\n");
  ASSERT_TRUE(D->Model);
  RunResult E = run(*D->Model, {{"z", 0.1}});
  EXPECT_EQ(E.St, RunResult::Status::RuntimeError); // ZeroDivisionError on Python floats
  EXPECT_TRUE(std::isnan(E.LogDensity));
  RunResult M = run(*L->Model, {}); // no value for z
  EXPECT_EQ(M.St, RunResult::Status::RuntimeError);
}

TEST(InterpreterProgram, UnsupportedConstructsAreReportedNotCrashes) {
  auto L = load("def model():\n"
                "    with pyro.plate(\"p\", 3):\n"
                "        pyro.sample(\"z\", dist.Normal(0., 1.))\n");
  ASSERT_TRUE(L->Model);
  RunResult R = run(*L->Model, {{"z", 0.}});
  EXPECT_EQ(R.St, RunResult::Status::Unsupported);
}

TEST(InterpreterProgram, FloatRangeEvents) {
  auto L = load("def model():\n"
                "    z = pyro.sample(\"z\", dist.Normal(0., 1.))\n"
                "    pyro.sample(\"x\", dist.Normal(0., torch.sigmoid(-1000. * z)), obs=torch.tensor(0.))\n");
  ASSERT_TRUE(L->Model);
  RunResult R = run(*L->Model, {{"z", 1.0}}); // sigmoid underflows to 0: an invalid scale
  EXPECT_FALSE(std::isfinite(R.LogDensity));
  EXPECT_TRUE(R.RangeEvent);
  RunResult S = run(*L->Model, {{"z", -0.001}});
  EXPECT_TRUE(std::isfinite(S.LogDensity));
  EXPECT_FALSE(S.RangeEvent);
}

/// Forced claims on a one-latent program.
CheckReport force(const std::string &Body, const std::string &Name, bool Diff, bool Lips, bool Cont) {
  auto L = load(Body);
  if (!L->Model)
    return {};
  Claim C;
  C.Name = Name;
  C.Diff = Diff;
  C.Lips = Lips;
  C.Cont = Cont;
  CheckOptions O;
  O.BasePoints = 12; // detection must not depend on a lucky base point
  return checkProgram(*L->Model, {C}, 7, O);
}

std::string show(const CheckReport &R) {
  std::string S = R.SkipReason;
  for (const Violation &V : R.Violations)
    S += V.describe() + "\n";
  return S;
}

const char *AbsProgram = "def model():\n"
                         "    z = pyro.sample(\"z\", dist.Normal(0., 1.))\n"
                         "    pyro.factor(\"f\", torch.abs(z - 0.3))\n";
const char *SqrtProgram = "def model():\n"
                          "    z = pyro.sample(\"z\", dist.Normal(0., 1.))\n"
                          "    pyro.factor(\"f\", torch.sqrt(torch.abs(z - 0.3)))\n";
const char *SpnorProgram = "def model():\n"
                           "    z1 = pyro.sample(\"z1\", dist.Normal(0., 5.))\n"
                           "    z2 = pyro.sample(\"z2\", dist.Normal(z1, 3.))\n"
                           "    if z2 > 0:\n"
                           "        pyro.sample(\"x\", dist.Normal(1., 1.), obs=torch.tensor(0.))\n"
                           "    else:\n"
                           "        pyro.sample(\"x\", dist.Normal(-2., 1.), obs=torch.tensor(0.))\n";

TEST(CheckProgram, RefutesForcedFalseClaims) {
  CheckReport A = force(AbsProgram, "z", true, false, false);
  ASSERT_EQ(A.Violations.size(), 1u) << show(A);
  EXPECT_EQ(A.Violations[0].Property, Prop::Diff);
  EXPECT_EQ(A.Violations[0].Kind, "kink");

  CheckReport S = force(SqrtProgram, "z", false, true, false);
  ASSERT_EQ(S.Violations.size(), 1u) << show(S);
  EXPECT_EQ(S.Violations[0].Kind, "non-lipschitz");

  CheckReport J = force(SpnorProgram, "z2", false, false, true);
  ASSERT_EQ(J.Violations.size(), 1u) << show(J);
  EXPECT_EQ(J.Violations[0].Kind, "jump");

  CheckReport N = force("def model():\n"
                        "    z = pyro.sample(\"z\", dist.Normal(0., 1.))\n"
                        "    pyro.sample(\"x\", dist.Normal(0., z + 0.5), obs=torch.tensor(0.))\n",
                        "z", false, false, true);
  ASSERT_EQ(N.Violations.size(), 1u) << show(N);
  EXPECT_EQ(N.Violations[0].Kind, "non-finite");

  CheckReport D = force("def model():\n"
                        "    b = pyro.sample(\"b\", dist.Bernoulli(0.3))\n"
                        "    pyro.sample(\"x\", dist.Normal(b, 1.), obs=torch.tensor(0.))\n",
                        "b", false, false, true);
  ASSERT_EQ(D.Violations.size(), 1u) << show(D);

  // A parameter that moves a Uniform bound past a fixed latent value.
  CheckReport U = force("def model():\n"
                        "    p = pyro.param(\"p\", torch.tensor(2.), constraint=constraints.positive)\n"
                        "    u = pyro.sample(\"u\", dist.Uniform(0., p))\n",
                        "p", false, false, true);
  EXPECT_EQ(U.Violations.size(), 1u) << show(U);
}

TEST(CheckProgram, AcceptsTrueClaims) {
  CheckReport A = force(AbsProgram, "z", false, true, true);
  EXPECT_TRUE(A.Violations.empty()) << show(A);
  CheckReport S = force(SqrtProgram, "z", false, false, true);
  EXPECT_TRUE(S.Violations.empty()) << show(S);
  CheckReport J = force(SpnorProgram, "z1", true, true, true);
  EXPECT_TRUE(J.Violations.empty()) << show(J);
  EXPECT_EQ(J.Stats.ClaimsChecked, 3u);
  CheckReport G = force("def model():\n"
                        "    s = pyro.param(\"s\", torch.tensor(1.), constraint=constraints.positive)\n"
                        "    g = pyro.sample(\"g\", dist.Gamma(torch.exp(torch.sin(s)), s))\n"
                        "    acc = 0.\n"
                        "    for t in range(3):\n"
                        "        w = pyro.sample(\"w_{}\".format(t), dist.LogNormal(acc, g))\n"
                        "        acc = acc + torch.tanh(w)\n"
                        "    pyro.sample(\"x\", dist.Poisson(torch.exp(acc / 4.)), obs=torch.tensor(2.))\n",
                        "w_{}", true, true, true);
  EXPECT_TRUE(G.Violations.empty()) << show(G);
  EXPECT_EQ(G.Stats.ClaimsChecked, 3u);
}

TEST(CheckProgram, JointDirectionsAreProbed) {
  auto L = load(SpnorProgram);
  ASSERT_TRUE(L->Model);
  // Claiming both names continuous is false; the joint probe refutes the set.
  CheckOptions O;
  O.BasePoints = 12;
  CheckReport R = checkProgram(*L->Model, {{"z1", false, false, true}, {"z2", false, false, true}}, 3, O);
  bool Joint = false;
  for (const Violation &V : R.Violations)
    Joint = Joint || V.Name == "{z1, z2}";
  EXPECT_TRUE(Joint) << show(R);
}

TEST(Generator, DeterministicAndVaried) {
  GeneratedProgram A = generateProgram(42), B = generateProgram(42), C = generateProgram(43);
  EXPECT_EQ(A.Source, B.Source);
  EXPECT_NE(A.Source, C.Source);
  EXPECT_TRUE(A.MostlySmooth);
  EXPECT_FALSE(C.MostlySmooth);
  EXPECT_NE(A.Source.find("def model("), std::string::npos);
}

TEST(Generator, ProgramsLoadAndRun) {
  // Every generated program is accepted by the frontend (the property test
  // checks this on all its seeds; here a quick sample) and runs.
  int Ran = 0;
  for (uint64_t Seed = 1000; Seed < 1040; ++Seed) {
    GeneratedProgram G = generateProgram(Seed);
    SourceManager SM;
    DiagnosticEngine DE;
    auto P = frontend::loadProgramsFromText("g.py", G.Source, "", "", {}, SM, DE);
    std::string Diags;
    for (const Diagnostic &D : DE.sorted())
      Diags += renderText(D, SM, false) + "\n";
    ASSERT_TRUE(P && P->Model) << "seed " << Seed << ":\n" << Diags << G.Source;
    Interpreter I(*P->Model);
    std::map<std::string, double> Data;
    for (const std::string &D : G.DataInputs)
      Data[D] = 0.1;
    RunInputs In;
    In.Data = &Data;
    In.OnMissing = [](const SiteRequest &R) -> std::optional<double> {
      return std::isfinite(R.Support.Lo) ? R.Support.Lo + 0.5 : 0.5;
    };
    RunResult R = I.run(In);
    EXPECT_NE(R.St, RunResult::Status::Unsupported) << R.Message << "\n" << G.Source;
    Ran += R.St == RunResult::Status::Ok;
  }
  EXPECT_GT(Ran, 20);
}

} // namespace
