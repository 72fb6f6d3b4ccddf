//===- lower_test.cpp - Model + guide to the LIR estimator -------------------===//

#include "svic/backend/Lower.h"
#include "svic/frontend/Frontend.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>

using namespace svic;
using namespace svic::backend;

namespace {

const char *Header = "import torch\nimport torch.nn.functional as F\nimport pyro\n"
                     "import pyro.distributions as dist\nfrom torch.distributions import constraints\n\n\n";

struct Result {
  std::optional<LoweredProgram> L;
  std::vector<Diagnostic> Diags;
};

Result lower(const std::string &Src, EstimatorKind K, std::set<std::string> Selected,
             runtime::DataSet Data = {}) {
  SourceManager SM;
  DiagnosticEngine DE;
  std::string Text = std::string(Header) + Src;
  auto LP = frontend::loadProgramsFromText("pair.py", Text, "", "", frontend::EntryNames{}, SM, DE);
  EXPECT_TRUE(LP && LP->Model && LP->Guide) << Text;
  Result R;
  if (!LP || !LP->Guide)
    return R;
  LowerOptions O;
  O.Estimator = K;
  O.Selected = std::move(Selected);
  O.Data = std::move(Data);
  R.L = lowerEstimator(*LP->Model, *LP->Guide, O, SM, DE);
  R.Diags = DE.sorted();
  for (const Diagnostic &D : R.Diags)
    std::cerr << "  diag " << D.Loc.Line << ":" << D.Loc.Col << ": " << D.Message << "\n";
  if (R.L) {
    std::string V = lir::verify(R.L->Fn);
    EXPECT_EQ(V, "") << lir::print(R.L->Fn);
  }
  return R;
}

/// The site names of the factors downstream of score site \p S.
std::vector<std::string> downstream(const LoweredProgram &L, const std::string &S) {
  for (const lir::ScoreSite &Sc : L.Fn.ScoreSites)
    if (Sc.Name == S) {
      std::vector<std::string> Out;
      for (size_t I : Sc.Downstream)
        Out.push_back((L.Fn.Factors[I].Sign < 0 ? "q:" : "p:") + L.Fn.Factors[I].Site);
      std::sort(Out.begin(), Out.end());
      return Out;
    }
  ADD_FAILURE() << "no score site " << S;
  return {};
}

const char *Spnor = R"(
def model():
    z1 = pyro.sample("z1", dist.Normal(0., 5.))
    z2 = pyro.sample("z2", dist.Normal(z1, 3.))
    if z2 > 0:
        pyro.sample("x", dist.Normal(1., 1.), obs=torch.tensor(0.))
    else:
        pyro.sample("x", dist.Normal(-2., 1.), obs=torch.tensor(0.))


def guide():
    theta1 = pyro.param("theta1", torch.tensor(1.))
    theta2 = pyro.param("theta2", torch.tensor(1.))
    pyro.sample("z1", dist.Normal(theta1, 1.))
    pyro.sample("z2", dist.Normal(theta2, 1.))
)";

TEST(Lowering, AutoKeepsTheAnalysisSelectionAndCountsControlDependence) {
  Result R = lower(Spnor, EstimatorKind::Auto, {"z1"});
  ASSERT_TRUE(R.L);
  EXPECT_EQ(R.L->Desc.PathwiseSites, std::vector<std::string>{"z1"});
  EXPECT_EQ(R.L->Desc.ScoreSites, std::vector<std::string>{"z2"});
  // The observe under `if z2 > 0` is downstream of z2 (both branches), z1's
  // factors are not: Pyro's TraceGraph_ELBO misses exactly the first part.
  EXPECT_EQ(downstream(*R.L, "z2"), (std::vector<std::string>{"p:x", "p:x", "p:z2", "q:z2"}));
  EXPECT_EQ(R.L->Fn.Factors.size(), 6u);
  ASSERT_EQ(R.L->Desc.Params.size(), 2u);
  EXPECT_EQ(R.L->Desc.Params[0].Name, "theta1");
  EXPECT_EQ(R.L->Desc.Params[0].Init, std::vector<double>{1.0});
}

TEST(Lowering, ScoreEstimatorDropsFactorsIndependentOfTheSite) {
  Result R = lower(Spnor, EstimatorKind::Score, {"z1"});
  ASSERT_TRUE(R.L);
  EXPECT_EQ(R.L->Desc.ScoreSites, (std::vector<std::string>{"z1", "z2"}));
  // The guide samples z2 independently of z1, so x depends on z1 only through
  // the model's z2 factor, whose parameter is z1.
  EXPECT_EQ(downstream(*R.L, "z1"), (std::vector<std::string>{"p:z1", "p:z2", "q:z1"}));
}

TEST(Lowering, PyroEstimatorReparameterisesEverythingWithRsampleAndUsesTheWholeElbo) {
  Result R = lower(Spnor, EstimatorKind::Pyro, {"z1"});
  ASSERT_TRUE(R.L);
  EXPECT_EQ(R.L->Desc.PathwiseSites, (std::vector<std::string>{"z1", "z2"}));
  EXPECT_TRUE(R.L->Desc.ScoreSites.empty());
}

TEST(Lowering, PathwiseRefusesASiteTheAnalysisDidNotSelect) {
  Result R = lower(Spnor, EstimatorKind::Pathwise, {"z1"});
  EXPECT_FALSE(R.L);
  ASSERT_EQ(R.Diags.size(), 1u);
  EXPECT_NE(R.Diags[0].Message.find("'z2'"), std::string::npos) << R.Diags[0].Message;
  EXPECT_EQ(R.Diags[0].Loc.Line, 22u); // the guide's z2 site
}

TEST(Lowering, AVariableMergedAfterABranchCarriesTheGuardsDependence) {
  Result R = lower(R"(
def model():
    z = pyro.sample("z", dist.Normal(0., 1.))
    if z > 0:
        m = 1.
    else:
        m = -2.
    pyro.sample("x", dist.Normal(m, 1.), obs=torch.tensor(0.5))


def guide():
    loc = pyro.param("loc", torch.tensor(0.))
    pyro.sample("z", dist.Normal(loc, 1.))
)",
                   EstimatorKind::Score, {});
  ASSERT_TRUE(R.L);
  EXPECT_EQ(downstream(*R.L, "z"), (std::vector<std::string>{"p:x", "p:z", "q:z"}));
}

TEST(Lowering, PlatesGiveGuideSitesTheirBatchShapeAndInputsTheirDataShape) {
  runtime::DataSet Data;
  Data["y"] = runtime::Array{{4}, {1, 2, 3, 4}};
  Data["n"] = runtime::Array{{}, {4}};
  Result R = lower(R"(
def model(y, n):
    with pyro.plate("data", n):
        z = pyro.sample("z", dist.Normal(0., 1.))
        pyro.sample("obs", dist.Normal(z, 1.), obs=y)


def guide(y, n):
    loc = pyro.param("loc", torch.zeros(n))
    scale = pyro.param("scale", torch.ones(n), constraint=constraints.positive)
    with pyro.plate("data", n):
        pyro.sample("z", dist.Normal(loc, scale))
)",
                   EstimatorKind::Auto, {"z"}, Data);
  ASSERT_TRUE(R.L);
  ASSERT_EQ(R.L->Desc.Inputs.size(), 1u); // n is a compile-time int
  EXPECT_EQ(R.L->Desc.Inputs[0].Name, "y");
  EXPECT_EQ(R.L->Desc.Inputs[0].Shape, std::vector<int64_t>{4});
  EXPECT_EQ(R.L->Desc.Params[1].C.K, runtime::Constraint::Kind::Positive);
  EXPECT_EQ(R.L->Desc.ParamDoubles, 8);
}

TEST(Lowering, ModelLatentWithoutGuideSiteIsALocatedError) {
  Result R = lower(R"(
def model():
    a = pyro.sample("a", dist.Normal(0., 1.))
    b = pyro.sample("b", dist.Normal(a, 1.))


def guide():
    pyro.sample("a", dist.Normal(0., 1.))
)",
                   EstimatorKind::Auto, {"a"});
  EXPECT_FALSE(R.L);
  ASSERT_FALSE(R.Diags.empty());
  EXPECT_EQ(R.Diags[0].Loc.Line, 11u);
  EXPECT_NE(R.Diags[0].Message.find("'b'"), std::string::npos);
}

// Pyro's param store keeps transform_to(simplex).inv(p) = log p: as many
// unconstrained entries as the simplex has, mapped back by softmax.
TEST(Lowering, SimplexParamsAreStoredAsPyrosSoftmaxLogits) {
  Result R = lower(R"(
def model():
    pyro.sample("c", dist.Categorical(torch.ones(3) / 3))


def guide():
    p = pyro.param("p", torch.ones(3) / 3, constraint=constraints.simplex)
    pyro.sample("c", dist.Categorical(p))
)",
                   EstimatorKind::Auto, {});
  ASSERT_TRUE(R.L);
  EXPECT_EQ(R.L->Desc.Params[0].Size, 3);
  EXPECT_EQ(R.L->Desc.Params[0].Shape, std::vector<int64_t>{3});
  EXPECT_NE(lir::print(R.L->Fn).find("Softmax"), std::string::npos) << lir::print(R.L->Fn);
  EXPECT_EQ(R.L->Desc.ScoreSites, std::vector<std::string>{"c"});
}

TEST(Lowering, ShapeMismatchOfAnObservationIsReported) {
  runtime::DataSet Data;
  Data["y"] = runtime::Array{{3}, {1, 2, 3}};
  Result R = lower(R"(
def model(y):
    with pyro.plate("data", 5):
        pyro.sample("obs", dist.Normal(0., 1.), obs=y)


def guide(y):
    pass
)",
                   EstimatorKind::Auto, {}, Data);
  EXPECT_FALSE(R.L);
  ASSERT_FALSE(R.Diags.empty());
  EXPECT_NE(R.Diags[0].Message.find("[3]"), std::string::npos) << R.Diags[0].Message;
}

} // namespace

namespace {

/// Instructions of opcode \p O in \p B and its regions.
size_t count(const lir::Block &B, lir::Op O) {
  size_t N = 0;
  for (const lir::Instr &I : B.Body) {
    N += I.Opcode == O;
    for (const lir::Block &R : I.Regions)
      N += count(R, O);
  }
  return N;
}

// A module called at every step of a loop (an unrolled RNN) transposes its
// weight once, not once per call: the copy and its adjoint were most of dmm's
// memory and time.
TEST(Lowering, ModuleWeightsAreTransposedOnceForAllCalls) {
  Result R = lower(R"(
import torch.nn as nn

lin = nn.Linear(3, 3)
rnn = nn.RNN(2, 3, 1, True, True, 0.0, False, nonlinearity='relu')


def model():
    pyro.module("lin", lin)
    pyro.module("rnn", rnn)
    h = torch.zeros(1, 3)
    for t in range(4):
        h = torch.tanh(lin(h))
    out, _ = rnn(torch.ones(1, 5, 2))
    pyro.sample("x", dist.Normal(h.sum() + out.sum(), 1.), obs=torch.tensor(0.5))


def guide():
    pass
)",
                   EstimatorKind::Auto, {});
  ASSERT_TRUE(R.L);
  // lin.weight once, rnn.weight_ih_l0 and weight_hh_l0 once each, over 4 + 5 steps.
  EXPECT_EQ(count(R.L->Fn.Entry, lir::Op::Transpose), 3u) << lir::print(R.L->Fn);
  EXPECT_EQ(count(R.L->Fn.Entry, lir::Op::MatMul), 4u + 2 * 5u);
}

} // namespace
