//===- block_test.cpp - svic_gen_block equals the runtime's per-sample loop ===//
//
// For small models the backend also emits svic_gen_block, which reduces a
// block of samples in generated code. The estimator must not depend on which
// path ran: these tests lower real programs, compile them once, and compare
// the estimates of an Estimator with the block function against one without
// it, bit for bit, including blocks cut short, several threads, kinks, and
// samples whose log-density is not finite.
//===----------------------------------------------------------------------===//

#include "svic/backend/Codegen.h"
#include "svic/backend/Lower.h"
#include "svic/frontend/Frontend.h"
#include "svic/runtime/Engine.h"

#include <gtest/gtest.h>

#include <cstring>

using namespace svic;
using namespace svic::backend;

namespace {

struct Compiled {
  LoweredProgram L;
  std::unique_ptr<JitModel> M;
};

Compiled compile(const std::string &Body, runtime::DataSet Data = {}) {
  std::string Text = "import torch\nimport pyro\nimport pyro.distributions as dist\n"
                     "from torch.distributions import constraints\n\n\n" +
                     Body;
  SourceManager SM;
  DiagnosticEngine DE;
  auto LP = frontend::loadProgramsFromText("pair.py", Text, "", "", frontend::EntryNames{}, SM, DE);
  EXPECT_TRUE(LP && LP->Model && LP->Guide);
  LowerOptions O;
  O.Estimator = EstimatorKind::Score;
  O.Data = std::move(Data);
  auto L = lowerEstimator(*LP->Model, *LP->Guide, O, SM, DE);
  EXPECT_TRUE(L.has_value()) << Text;
  Compiled C{std::move(*L), nullptr};
  C.L.Desc.WorkspaceDoubles = workspaceDoubles(C.L.Fn);
  CodegenResult R;
  C.M = jitCompile(C.L.Fn, C.L.Desc.toJson(), R);
  EXPECT_TRUE(C.M) << R.Error;
  return C;
}

bool sameBits(double A, double B) { return std::memcmp(&A, &B, sizeof A) == 0; }

void expectSameBits(const std::vector<double> &A, const std::vector<double> &B, const char *What) {
  EXPECT_EQ(A.size(), B.size()) << What;
  if (A.size() != B.size())
    return;
  for (size_t I = 0; I < A.size(); ++I)
    EXPECT_TRUE(sameBits(A[I], B[I])) << What << "[" << I << "]: " << A[I] << " vs " << B[I];
}

/// Estimates with and without svic_gen_block agree bit for bit; returns the
/// estimate.
runtime::Estimate expectBlockMatchesLoop(const Compiled &C, const std::vector<double> &Data, int64_t K, int Threads,
                            int32_t ExpectBadSite = -1) {
  EXPECT_NE(C.M->blockFn(), nullptr) << "a small model gets a block function";
  runtime::Estimator WithBlock(C.L.Desc, C.M->sampleFn(), Data, C.M->blockFn());
  runtime::Estimator Loop(C.L.Desc, C.M->sampleFn(), Data);
  std::vector<double> U = runtime::initialUnconstrained(C.L.Desc);
  std::vector<double> Baselines(C.L.Desc.ScoreSites.size(), 0.25);
  runtime::Estimate A = WithBlock.estimate(U, 5, 2, K, Threads, Baselines);
  runtime::Estimate B = Loop.estimate(U, 5, 2, K, Threads, Baselines);
  expectSameBits(A.GradMean, B.GradMean, "grad mean");
  expectSameBits(A.GradStderr, B.GradStderr, "grad stderr");
  expectSameBits(A.SignalMean, B.SignalMean, "signal mean");
  EXPECT_TRUE(sameBits(A.ElboMean, B.ElboMean)) << A.ElboMean << " vs " << B.ElboMean;
  EXPECT_TRUE(sameBits(A.ElboStderr, B.ElboStderr));
  EXPECT_EQ(A.BadSite, B.BadSite);
  EXPECT_EQ(A.BadSample, B.BadSample);
  EXPECT_EQ(A.KinkHits, B.KinkHits);
  EXPECT_EQ(A.BadSite, ExpectBadSite);
  return A;
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

TEST(GeneratedBlock, SpnorMatchesTheRuntimeLoopForAnyBlockCutAndThreads) {
  Compiled C = compile(Spnor);
  for (int64_t K : {2, 255, 256, 257, 1000})
    for (int Threads : {1, 2})
      expectBlockMatchesLoop(C, {}, K, Threads);
}

TEST(GeneratedBlock, VectorParamsDataAndKinks) {
  runtime::DataSet Data;
  Data["x"] = {{6}, {0.5, -1.0, 2.0, 0.0, 1.5, -0.25}};
  Compiled C = compile(R"(
def model(x):
    w = pyro.sample("w", dist.Normal(torch.zeros(2), 1.).to_event(1))
    with pyro.plate("data", 6):
        pyro.sample("y", dist.Normal(w[0] * x + w[1], 1.), obs=x)

def guide(x):
    loc = pyro.param("loc", torch.zeros(2))
    scale = pyro.param("scale", torch.ones(2), constraint=constraints.positive)
    pyro.sample("w", dist.Normal(torch.relu(loc), scale).to_event(1))
)",
                       Data);
  std::vector<double> Flat = runtime::bindInputs(C.L.Desc, Data);
  // loc = 0 puts the guide's relu exactly at its kink in every sample.
  EXPECT_GT(expectBlockMatchesLoop(C, Flat, 700, 2).KinkHits, 0);
}

TEST(GeneratedBlock, NonFiniteSamplesNameTheSameFirstSite) {
  // The observation 0.5 lies outside Uniform(z, z + 1) for most z: log p = -inf.
  Compiled C = compile(R"(
def model():
    z = pyro.sample("z", dist.Normal(0., 1.))
    pyro.sample("x", dist.Uniform(z, z + 1.), obs=torch.tensor(0.5))

def guide():
    m = pyro.param("m", torch.tensor(0.))
    pyro.sample("z", dist.Normal(m, 1.))
)");
  std::vector<double> U = runtime::initialUnconstrained(C.L.Desc);
  int32_t Observe = -1;
  for (size_t S = 0; S < C.L.Desc.Sites.size(); ++S)
    if (C.L.Desc.Sites[S].Name == "x")
      Observe = static_cast<int32_t>(S);
  ASSERT_GE(Observe, 0);
  expectBlockMatchesLoop(C, {}, 600, 2, Observe);
}

} // namespace
