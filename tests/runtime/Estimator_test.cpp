// The estimator: bit-identical across thread counts, the mean and standard
// error of the per-sample values, unbiasedness on a model with a known
// gradient, the first bad sample, and pilot baselines.

#include "FakeModel.h"
#include "svic/runtime/Engine.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace svic::runtime;
using svic::testing::FakeDescriptor;
using svic::testing::fakeSample;

namespace {

Estimator fakeEstimator(double X = 2.0) {
  return Estimator(Descriptor::parse(FakeDescriptor), fakeSample, {X, -1, -1});
}

void expectIdentical(const Estimate &A, const Estimate &B) {
  EXPECT_EQ(A.Samples, B.Samples);
  EXPECT_EQ(A.GradMean, B.GradMean);
  EXPECT_EQ(A.GradStderr, B.GradStderr);
  EXPECT_EQ(A.ElboMean, B.ElboMean);
  EXPECT_EQ(A.ElboStderr, B.ElboStderr);
  EXPECT_EQ(A.SignalMean, B.SignalMean);
  EXPECT_EQ(A.KinkHits, B.KinkHits);
  EXPECT_EQ(A.BadSite, B.BadSite);
  EXPECT_EQ(A.BadSample, B.BadSample);
}

TEST(Estimator, BitIdenticalForAnyThreadCount) {
  Estimator E = fakeEstimator();
  std::vector<double> U = {0.3, -0.2}, B = {1.5};
  for (int64_t K : {1, 255, 777, 5000}) {
    Estimate One = E.estimate(U, 42, 3, K, 1, B);
    EXPECT_EQ(One.BadSite, -1) << "workspace shared between samples";
    for (int T : {2, 3, 8})
      expectIdentical(One, E.estimate(U, 42, 3, K, T, B));
  }
}

TEST(Estimator, MeanAndStderrOfThePerSampleValues) {
  Estimator E = fakeEstimator();
  std::vector<double> U = {0.3, -0.2}, B = {0.7};
  constexpr int64_t K = 3000;
  Estimate Est = E.estimate(U, 9, 5, K, 2, B);
  // Recompute every sample directly with long double sums.
  std::vector<double> Data = {2.0, -1, -1}, Ws(8);
  long double Sum[4] = {0, 0, 0, 0}, SumSq[4] = {0, 0, 0, 0};
  int64_t Kinks = 0;
  for (int64_t K0 = 0; K0 < K; ++K0) {
    double G[2] = {0, 0}, Sig[1] = {0};
    svic_sample_ctx C{
        U.data(), Data.data(), B.data(), G, Sig, Ws.data(), 9, 5, static_cast<uint64_t>(K0), -1, 0};
    double H = fakeSample(&C);
    double V[4] = {G[0], G[1], H, Sig[0]};
    for (int J = 0; J < 4; ++J) {
      Sum[J] += V[J];
      SumSq[J] += static_cast<long double>(V[J]) * V[J];
    }
    Kinks += C.kink_hits;
  }
  auto Mean = [&](int J) { return static_cast<double>(Sum[J] / K); };
  auto Stderr = [&](int J) {
    long double M = Sum[J] / K;
    return static_cast<double>(std::sqrt((SumSq[J] - K * M * M) / (K - 1) / K));
  };
  EXPECT_NEAR(Est.GradMean[0], Mean(0), 1e-12);
  EXPECT_NEAR(Est.GradMean[1], Mean(1), 1e-12);
  EXPECT_NEAR(Est.ElboMean, Mean(2), 1e-12);
  EXPECT_NEAR(Est.SignalMean[0], Mean(3), 1e-12);
  EXPECT_NEAR(Est.GradStderr[0], Stderr(0), 1e-10);
  EXPECT_NEAR(Est.GradStderr[1], Stderr(1), 1e-10);
  EXPECT_NEAR(Est.ElboStderr, Stderr(2), 1e-10);
  EXPECT_EQ(Est.KinkHits, Kinks);
  EXPECT_EQ(Est.Samples, K);
}

TEST(Estimator, UnbiasedOnAModelWithAKnownGradient) {
  Estimator E = fakeEstimator(2.0);
  double Loc = 0.3, Scale = 0.8;
  Estimate Est = E.estimate({Loc, std::log(Scale)}, 1, 0, 200000, 2, {0.0});
  EXPECT_NEAR(Est.GradMean[0], 2.0 - 2 * Loc, 4 * Est.GradStderr[0]);
  EXPECT_NEAR(Est.GradMean[1], 1 - 2 * Scale * Scale, 4 * Est.GradStderr[1]);
  // ELBO = E[log N(z; 0, 1) + log N(x; z, 1)] + entropy of N(loc, scale).
  double Elbo = -(Loc * Loc + Scale * Scale) / 2 - ((2 - Loc) * (2 - Loc) + Scale * Scale) / 2 -
                std::log(2 * M_PI) + 0.5 * std::log(2 * M_PI * M_E * Scale * Scale);
  EXPECT_NEAR(Est.ElboMean, Elbo, 4 * Est.ElboStderr);
}

TEST(Estimator, ReportsTheFirstBadSampleInSampleOrder) {
  Estimator E = fakeEstimator();
  for (int T : {1, 3}) {
    Estimate Est = E.estimate({150.0, 0.0}, 1, 0, 2000, T, {0.0});
    EXPECT_EQ(Est.BadSite, 1);
    EXPECT_EQ(Est.BadSample, 300u);
  }
}

TEST(Estimator, PilotBaselinesComeFromAnIndependentRun) {
  Estimator E = fakeEstimator();
  std::vector<double> U = {0.1, 0.2};
  for (int64_t K : {300, 4000}) {
    Estimate Pilot = E.estimate(U, 5, Estimator::PilotStep, std::min<int64_t>(K, 1000), 1, {});
    expectIdentical(E.estimateWithPilotBaselines(U, 5, K, 2),
                    E.estimate(U, 5, 0, K, 1, Pilot.SignalMean));
  }
  // The baseline changes the estimate (the score term uses it).
  EXPECT_NE(E.estimate(U, 5, 0, 100, 1, {0.0}).GradMean[0],
            E.estimate(U, 5, 0, 100, 1, {3.0}).GradMean[0]);
}

TEST(Estimator, RejectsMisshapenInputs) {
  Estimator E = fakeEstimator();
  EXPECT_THROW(E.estimate({0.0}, 1, 0, 10, 1, {}), RuntimeError);
  EXPECT_THROW(E.estimate({0.0, 0.0}, 1, 0, 10, 1, {1.0, 2.0}), RuntimeError);
  EXPECT_THROW(E.estimate({0.0, 0.0}, 1, 0, 0, 1, {}), RuntimeError);
  EXPECT_THROW(Estimator(Descriptor::parse(FakeDescriptor), fakeSample, {1.0}), RuntimeError);
}

} // namespace
