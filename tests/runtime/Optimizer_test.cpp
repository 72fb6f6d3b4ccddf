// torch.optim.Adam and SGD on hand-computed steps; the state survives a JSON
// round trip without changing the trajectory.

#include "svic/runtime/Engine.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace svic::runtime;

namespace {

TEST(Optimizer, AdamFirstStepIsLrTimesTheSign) {
  // Step 1: m = 0.1 g, v = 0.001 g^2; bias-corrected m / sqrt(v) = sign(g),
  // so the param moves by lr g / (|g| + eps) against the loss gradient.
  OptimizerConfig C;
  C.Lr = 0.1;
  Optimizer Opt(C, 2);
  std::vector<double> U = {1.0, -2.0};
  Opt.step(U, {-0.5, 3.0}); // ascent direction: loss gradients 0.5 and -3
  EXPECT_NEAR(U[0], 1.0 - 0.1 * 0.5 / (0.5 + 1e-8), 1e-15);
  EXPECT_NEAR(U[1], -2.0 + 0.1 * 3.0 / (3.0 + 1e-8), 1e-15);
}

TEST(Optimizer, AdamMatchesTheTextbookUpdateOverManySteps) {
  OptimizerConfig C;
  C.Lr = 0.01;
  C.Beta1 = 0.8;
  C.Beta2 = 0.99;
  Optimizer Opt(C, 1);
  std::vector<double> U = {0.3};
  long double P = 0.3, M = 0, V = 0;
  for (int T = 1; T <= 50; ++T) {
    double Ascent = std::sin(T * 0.7) - 0.2 * static_cast<double>(P);
    long double G = -Ascent;
    Opt.step(U, {Ascent});
    M = 0.8L * M + 0.2L * G;
    V = 0.99L * V + 0.01L * G * G;
    long double MHat = M / (1 - std::pow(0.8L, T)), VHat = V / (1 - std::pow(0.99L, T));
    P -= 0.01L * MHat / (std::sqrt(VHat) + 1e-8L);
    ASSERT_NEAR(U[0], static_cast<double>(P), 1e-12) << "step " << T;
  }
}

TEST(Optimizer, SgdWithAndWithoutMomentum) {
  OptimizerConfig C;
  C.K = OptimizerConfig::Kind::SGD;
  C.Lr = 0.1;
  Optimizer Plain(C, 1);
  std::vector<double> U = {0.0};
  Plain.step(U, {-1.0});
  EXPECT_DOUBLE_EQ(U[0], -0.1);
  // torch: the buffer starts at the first gradient, then buf = 0.9 buf + g.
  C.Momentum = 0.9;
  Optimizer Mom(C, 1);
  U = {0.0};
  Mom.step(U, {-1.0});
  EXPECT_DOUBLE_EQ(U[0], -0.1);
  Mom.step(U, {-2.0});
  EXPECT_NEAR(U[0], -0.1 - 0.1 * (0.9 * 1 + 2), 1e-15);
}

TEST(Optimizer, StateRoundTripContinuesTheSameTrajectory) {
  for (auto K : {OptimizerConfig::Kind::Adam, OptimizerConfig::Kind::SGD}) {
    OptimizerConfig C;
    C.K = K;
    C.Lr = 0.05;
    C.Momentum = 0.5;
    Optimizer A(C, 2), B(C, 2);
    std::vector<double> Ua = {1, 2}, Ub;
    for (int T = 0; T < 5; ++T)
      A.step(Ua, {0.3 * T, -1.0 + T});
    B.loadState(nlohmann::json::parse(A.state().dump()));
    Ub = Ua;
    for (int T = 5; T < 10; ++T) {
      A.step(Ua, {0.3 * T, -1.0 + T});
      B.step(Ub, {0.3 * T, -1.0 + T});
    }
    EXPECT_EQ(Ua, Ub);
  }
  OptimizerConfig Sgd;
  Sgd.K = OptimizerConfig::Kind::SGD;
  Optimizer Adam(OptimizerConfig(), 2), Other(Sgd, 2);
  EXPECT_THROW(Other.loadState(Adam.state()), RuntimeError);
  Optimizer Small(OptimizerConfig(), 1);
  EXPECT_THROW(Small.loadState(Adam.state()), RuntimeError);
}

} // namespace
