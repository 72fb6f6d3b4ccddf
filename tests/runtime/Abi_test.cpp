// The C ABI used by generated code: every log-density against independent
// closed forms or Boost.Math, every partial against central finite
// differences, the samplers' moments, and the RNG's counter discipline.

#include "svic/runtime/Abi.h"

#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/poisson.hpp>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <set>
#include <vector>

namespace {

constexpr double Inf = std::numeric_limits<double>::infinity();
using ScalarLpdf = double (*)(double, double, double, double *);

/// Central difference of F at X with a step relative to |X|.
double centralDiff(const std::function<double(double)> &F, double X) {
  double H = 1e-6 * std::max(1.0, std::fabs(X));
  return (F(X + H) - F(X - H)) / (2 * H);
}

/// Checks g[0..2] of Lpdf at (X, A, B) against central differences; Which
/// selects the arguments that are continuous (bit 0: x, 1: a, 2: b).
void checkPartials(ScalarLpdf Lpdf, double X, double A, double B, unsigned Which) {
  double G[3];
  double Lp = Lpdf(X, A, B, G);
  ASSERT_TRUE(std::isfinite(Lp)) << X << " " << A << " " << B;
  double Args[3] = {X, A, B};
  for (int I = 0; I < 3; ++I) {
    if (!(Which & (1u << I))) {
      EXPECT_EQ(G[I], 0) << "partial " << I << " of a discrete or unused argument";
      continue;
    }
    auto F = [&](double V) {
      double Copy[3] = {Args[0], Args[1], Args[2]};
      Copy[I] = V;
      return Lpdf(Copy[0], Copy[1], Copy[2], nullptr);
    };
    double Fd = centralDiff(F, Args[I]);
    EXPECT_NEAR(G[I], Fd, 1e-5 * std::max(1.0, std::fabs(Fd)))
        << "partial " << I << " at (" << X << ", " << A << ", " << B << ")";
  }
}

struct Rand {
  std::mt19937_64 Gen{12345};
  double operator()(double Lo, double Hi) {
    return std::uniform_real_distribution<double>(Lo, Hi)(Gen);
  }
};

TEST(AbiLpdf, PartialsMatchFiniteDifferences) {
  Rand R;
  for (int T = 0; T < 50; ++T) {
    checkPartials(svic_rt_lpdf_normal, R(-3, 3), R(-2, 2), R(0.3, 3), 7);
    checkPartials(svic_rt_lpdf_lognormal, R(0.1, 5), R(-1, 1), R(0.3, 2), 7);
    checkPartials(svic_rt_lpdf_halfnormal, R(0.05, 4), R(0.3, 3), 0, 3);
    double Lo = R(-2, 0), Hi = R(0.5, 3);
    checkPartials(svic_rt_lpdf_uniform, R(Lo + 0.01, Hi - 0.01), Lo, Hi, 6);
    checkPartials(svic_rt_lpdf_exponential, R(0.01, 5), R(0.2, 4), 0, 3);
    checkPartials(svic_rt_lpdf_gamma, R(0.1, 5), R(0.3, 5), R(0.2, 3), 7);
    checkPartials(svic_rt_lpdf_beta, R(0.05, 0.95), R(0.3, 5), R(0.3, 5), 7);
    checkPartials(svic_rt_lpdf_bernoulli_probs, T % 2, R(0.05, 0.95), 0, 2);
    checkPartials(svic_rt_lpdf_bernoulli_logits, T % 2, R(-4, 4), 0, 2);
    checkPartials(svic_rt_lpdf_poisson, T % 7, R(0.2, 8), 0, 2);
  }
}

TEST(AbiLpdf, ValuesMatchBoostDistributions) {
  Rand R;
  for (int T = 0; T < 30; ++T) {
    double X = R(0.05, 0.95), A = R(0.3, 4), B = R(0.3, 4);
    EXPECT_NEAR(svic_rt_lpdf_normal(X, A - 2, B, nullptr),
                std::log(boost::math::pdf(boost::math::normal(A - 2, B), X)), 1e-12);
    EXPECT_NEAR(svic_rt_lpdf_lognormal(X, A - 2, B, nullptr),
                std::log(boost::math::pdf(boost::math::lognormal(A - 2, B), X)), 1e-12);
    // Boost's gamma takes a scale, torch's a rate.
    EXPECT_NEAR(svic_rt_lpdf_gamma(X * 4, A, B, nullptr),
                std::log(boost::math::pdf(boost::math::gamma_distribution<>(A, 1 / B), X * 4)),
                1e-11);
    EXPECT_NEAR(svic_rt_lpdf_beta(X, A, B, nullptr),
                std::log(boost::math::pdf(boost::math::beta_distribution<>(A, B), X)), 1e-11);
    unsigned K = T % 12;
    EXPECT_NEAR(svic_rt_lpdf_poisson(K, A, 0, nullptr),
                std::log(boost::math::pdf(boost::math::poisson(A), K)), 1e-11);
    EXPECT_NEAR(svic_rt_lpdf_exponential(X, A, 0, nullptr), std::log(A) - A * X, 1e-14);
    EXPECT_NEAR(svic_rt_lpdf_halfnormal(X, B, 0, nullptr),
                std::log(2 * boost::math::pdf(boost::math::normal(0, B), X)), 1e-12);
    EXPECT_NEAR(svic_rt_lpdf_uniform(X, -A, B + 1, nullptr), -std::log(A + B + 1), 1e-14);
    EXPECT_NEAR(svic_rt_lpdf_bernoulli_probs(1, X, 0, nullptr), std::log(X), 1e-12);
    EXPECT_NEAR(svic_rt_lpdf_bernoulli_probs(0, X, 0, nullptr), std::log1p(-X), 1e-12);
    double L = A - 2;
    EXPECT_NEAR(svic_rt_lpdf_bernoulli_logits(1, L, 0, nullptr), -std::log1p(std::exp(-L)), 1e-12);
    EXPECT_NEAR(svic_rt_lpdf_bernoulli_logits(0, L, 0, nullptr), -std::log1p(std::exp(L)), 1e-12);
  }
  EXPECT_NEAR(svic_rt_lgamma(5), std::log(24.0), 1e-13);
  EXPECT_NEAR(svic_rt_digamma(1), -0.57721566490153286, 1e-14);
}

TEST(AbiLpdf, OutsideTheSupportIsMinusInfinityWithZeroPartials) {
  double G[3] = {1, 1, 1};
  EXPECT_EQ(svic_rt_lpdf_lognormal(0, 0, 1, G), -Inf);
  EXPECT_EQ(G[0], 0);
  EXPECT_EQ(svic_rt_lpdf_halfnormal(-1e-9, 1, 0, nullptr), -Inf);
  EXPECT_TRUE(std::isfinite(svic_rt_lpdf_halfnormal(0, 1, 0, nullptr)));
  // Uniform's support is [low, high), as torch's log_prob.
  EXPECT_TRUE(std::isfinite(svic_rt_lpdf_uniform(1, 1, 2, nullptr)));
  EXPECT_EQ(svic_rt_lpdf_uniform(2, 1, 2, nullptr), -Inf);
  EXPECT_EQ(svic_rt_lpdf_exponential(-0.5, 1, 0, nullptr), -Inf);
  EXPECT_EQ(svic_rt_lpdf_gamma(-0.5, 2, 1, nullptr), -Inf);
  EXPECT_EQ(svic_rt_lpdf_beta(1.5, 2, 2, nullptr), -Inf);
  EXPECT_EQ(svic_rt_lpdf_bernoulli_probs(0.5, 0.3, 0, nullptr), -Inf);
  EXPECT_EQ(svic_rt_lpdf_bernoulli_logits(2, 0.3, 0, nullptr), -Inf);
  EXPECT_EQ(svic_rt_lpdf_poisson(1.5, 2, 0, nullptr), -Inf);
  EXPECT_EQ(svic_rt_lpdf_poisson(-1, 2, 0, nullptr), -Inf);
  double P[3] = {0.2, 0.3, 0.5};
  EXPECT_EQ(svic_rt_lpdf_categorical_probs(3, P, 3, nullptr), -Inf);
  EXPECT_EQ(svic_rt_lpdf_categorical_logits(-1, P, 3, nullptr), -Inf);
  double X[3] = {0.2, 0.3, 0.6};
  EXPECT_EQ(svic_rt_lpdf_dirichlet(X, P, 3, nullptr, nullptr), -Inf);
  // Gamma at 0 with concentration 1 is finite (torch's xlogy convention).
  EXPECT_NEAR(svic_rt_lpdf_gamma(0, 1, 2.5, nullptr), std::log(2.5), 1e-15);
}

TEST(AbiLpdf, BernoulliProbsAreClampedAsTorchDoes) {
  // clamp_probs keeps p in [eps, 1 - eps]: log p(1 | p = 0) = log(eps), and
  // the gradient through the clamp is 0.
  double G[3];
  EXPECT_NEAR(svic_rt_lpdf_bernoulli_probs(1, 0, 0, G),
              std::log(std::numeric_limits<double>::epsilon()), 1e-9);
  EXPECT_EQ(G[1], 0);
}

TEST(AbiLpdf, CategoricalNormalisesProbsAndDifferentiates) {
  Rand R;
  for (int T = 0; T < 20; ++T) {
    std::vector<double> P = {R(0.1, 2), R(0.1, 2), R(0.1, 2), R(0.1, 2)};
    double Sum = P[0] + P[1] + P[2] + P[3];
    double K = T % 4;
    std::vector<double> G(4);
    double Lp = svic_rt_lpdf_categorical_probs(K, P.data(), 4, G.data());
    EXPECT_NEAR(Lp, std::log(P[T % 4] / Sum), 1e-13);
    std::vector<double> Gl(4);
    double Ll = svic_rt_lpdf_categorical_logits(K, P.data(), 4, Gl.data());
    double Lse = std::log(std::exp(P[0]) + std::exp(P[1]) + std::exp(P[2]) + std::exp(P[3]));
    EXPECT_NEAR(Ll, P[T % 4] - Lse, 1e-13);
    for (int J = 0; J < 4; ++J) {
      auto Fp = [&](double V) {
        auto C = P;
        C[J] = V;
        return svic_rt_lpdf_categorical_probs(K, C.data(), 4, nullptr);
      };
      auto Fl = [&](double V) {
        auto C = P;
        C[J] = V;
        return svic_rt_lpdf_categorical_logits(K, C.data(), 4, nullptr);
      };
      EXPECT_NEAR(G[J], centralDiff(Fp, P[J]), 1e-6);
      EXPECT_NEAR(Gl[J], centralDiff(Fl, P[J]), 1e-6);
    }
  }
}

TEST(AbiLpdf, DirichletValueAndPartials) {
  Rand R;
  for (int T = 0; T < 20; ++T) {
    std::vector<double> C = {R(0.5, 4), R(0.5, 4), R(0.5, 4)};
    double A = R(0.1, 0.4), B = R(0.1, 0.4);
    std::vector<double> X = {A, B, 1 - A - B};
    std::vector<double> Gx(3), Gc(3);
    double Lp = svic_rt_lpdf_dirichlet(X.data(), C.data(), 3, Gx.data(), Gc.data());
    double Expected = std::lgamma(C[0] + C[1] + C[2]);
    for (int I = 0; I < 3; ++I)
      Expected += (C[I] - 1) * std::log(X[I]) - std::lgamma(C[I]);
    EXPECT_NEAR(Lp, Expected, 1e-11);
    for (int I = 0; I < 3; ++I) {
      auto Fc = [&](double V) {
        auto Cc = C;
        Cc[I] = V;
        return svic_rt_lpdf_dirichlet(X.data(), Cc.data(), 3, nullptr, nullptr);
      };
      // x moves off the simplex by 1e-8, inside torch's 1e-6 tolerance.
      auto Fx = [&](double V) {
        auto Xc = X;
        Xc[I] = V;
        return svic_rt_lpdf_dirichlet(Xc.data(), C.data(), 3, nullptr, nullptr);
      };
      double H = 1e-8;
      EXPECT_NEAR(Gc[I], centralDiff(Fc, C[I]), 1e-6);
      EXPECT_NEAR(Gx[I], (Fx(X[I] + H) - Fx(X[I] - H)) / (2 * H),
                  1e-5 * std::max(1.0, std::fabs(Gx[I])));
    }
    // A two-component Dirichlet is a Beta.
    double Xb[2] = {A, 1 - A};
    EXPECT_NEAR(svic_rt_lpdf_dirichlet(Xb, C.data(), 2, nullptr, nullptr),
                svic_rt_lpdf_beta(A, C[0], C[1], nullptr), 1e-12);
  }
}

TEST(AbiRng, SameCounterSameValueAndDistinctCountersDiffer) {
  EXPECT_EQ(svic_rt_std_normal(1, 2, 3, 4, 5), svic_rt_std_normal(1, 2, 3, 4, 5));
  EXPECT_EQ(svic_rt_uniform01(9, 0, 0, 0, 0), svic_rt_uniform01(9, 0, 0, 0, 0));
  std::set<double> Seen;
  // Each coordinate of the counter, including the high sample bits and the
  // pilot step, must change the draw.
  Seen.insert(svic_rt_uniform01(1, 2, 3, 4, 5));
  Seen.insert(svic_rt_uniform01(2, 2, 3, 4, 5));
  Seen.insert(svic_rt_uniform01(1ull << 32 | 1, 2, 3, 4, 5));
  Seen.insert(svic_rt_uniform01(1, 3, 3, 4, 5));
  Seen.insert(svic_rt_uniform01(1, UINT64_MAX, 3, 4, 5));
  Seen.insert(svic_rt_uniform01(1, 2, 4, 4, 5));
  Seen.insert(svic_rt_uniform01(1, 2, 3ull | 1ull << 32, 4, 5));
  Seen.insert(svic_rt_uniform01(1, 2, 3, 5, 5));
  Seen.insert(svic_rt_uniform01(1, 2, 3, 4, 6));
  EXPECT_EQ(Seen.size(), 9u);
}

TEST(AbiRng, UniformIsOpenUnitAndUncorrelatedAcrossCounters) {
  constexpr int N = 200000;
  double Sum = 0, SumSq = 0, Cross = 0;
  for (int K = 0; K < N; ++K) {
    double U = svic_rt_uniform01(7, 1, K, 0, 0);
    double V = svic_rt_uniform01(7, 1, K, 1, 0);
    ASSERT_GT(U, 0);
    ASSERT_LT(U, 1);
    Sum += U;
    SumSq += U * U;
    Cross += (U - 0.5) * (V - 0.5);
  }
  EXPECT_NEAR(Sum / N, 0.5, 4 * std::sqrt(1.0 / 12 / N));
  EXPECT_NEAR(SumSq / N - (Sum / N) * (Sum / N), 1.0 / 12, 0.002);
  // Correlation of draws for two sites of the same sample: sd 1/sqrt(N).
  EXPECT_NEAR(Cross / N * 12, 0, 4 / std::sqrt(double(N)));
}

TEST(AbiRng, NeighbouringCountersAreUncorrelated) {
  // Pairs that differ in one coordinate by one: sample, step, element, seed,
  // and sample bit 32 (the high sample bits share a word with the site).
  constexpr int N = 100000;
  double Corr[5] = {0, 0, 0, 0, 0};
  for (int K = 0; K < N; ++K) {
    double Z = svic_rt_std_normal(4, 10, K, 3, 1);
    Corr[0] += Z * svic_rt_std_normal(4, 10, K + 1, 3, 1);
    Corr[1] += Z * svic_rt_std_normal(4, 11, K, 3, 1);
    Corr[2] += Z * svic_rt_std_normal(4, 10, K, 3, 2);
    Corr[3] += Z * svic_rt_std_normal(5, 10, K, 3, 1);
    Corr[4] += Z * svic_rt_std_normal(4, 10, K | 1ull << 32, 3, 1);
  }
  for (double C : Corr)
    EXPECT_NEAR(C / N, 0, 4 / std::sqrt(double(N)));
}

TEST(AbiRng, UniformHistogramIsFlat) {
  // Chi-square over 64 bins; 63 degrees of freedom, the 0.9999 quantile is 117.
  constexpr int N = 640000, Bins = 64;
  std::vector<int> Count(Bins, 0);
  for (int K = 0; K < N; ++K)
    ++Count[static_cast<int>(svic_rt_uniform01(123, 0, K, 9, 0) * Bins)];
  double Chi2 = 0, Expected = double(N) / Bins;
  for (int C : Count)
    Chi2 += (C - Expected) * (C - Expected) / Expected;
  EXPECT_LT(Chi2, 117);
}

TEST(AbiRng, NormalMatchesTheNormalDistribution) {
  constexpr int N = 1000000;
  const double Qs[] = {-3.8, -2, -1, -0.3, 0, 0.5, 1.5, 2.5, 3.7};
  std::vector<int> Below(std::size(Qs), 0);
  double Sum = 0, SumSq = 0, Sum4 = 0;
  for (int K = 0; K < N; ++K) {
    double Z = svic_rt_std_normal(3, 0, K, 2, 0);
    Sum += Z;
    SumSq += Z * Z;
    Sum4 += Z * Z * Z * Z;
    for (size_t I = 0; I < std::size(Qs); ++I)
      Below[I] += Z < Qs[I];
  }
  EXPECT_NEAR(Sum / N, 0, 4 / std::sqrt(double(N)));
  EXPECT_NEAR(SumSq / N, 1, 4 * std::sqrt(2.0 / N));
  EXPECT_NEAR(Sum4 / N, 3, 4 * std::sqrt(96.0 / N));
  boost::math::normal Std;
  for (size_t I = 0; I < std::size(Qs); ++I) {
    double P = boost::math::cdf(Std, Qs[I]);
    EXPECT_NEAR(double(Below[I]) / N, P, 5 * std::sqrt(P * (1 - P) / N)) << "at " << Qs[I];
  }
}

/// Mean and variance of N draws of Sampler(k).
std::pair<double, double> moments(const std::function<double(uint64_t)> &Sampler, int N) {
  double Sum = 0, SumSq = 0;
  for (int K = 0; K < N; ++K) {
    double X = Sampler(K);
    Sum += X;
    SumSq += X * X;
  }
  double Mean = Sum / N;
  return {Mean, SumSq / N - Mean * Mean};
}

TEST(AbiSample, GammaMoments) {
  for (double C : {0.3, 1.0, 2.5, 40.0}) {
    double Rate = 1.7;
    auto [Mean, Var] =
        moments([&](uint64_t K) { return svic_rt_sample_gamma(11, 0, K, 0, 0, C, Rate); }, 200000);
    double M = C / Rate, V = C / (Rate * Rate);
    EXPECT_NEAR(Mean, M, 5 * std::sqrt(V / 200000)) << C;
    EXPECT_NEAR(Var, V, 0.03 * V) << C;
  }
}

TEST(AbiSample, BetaMoments) {
  for (auto [A, B] : {std::pair{0.5, 0.5}, {2.0, 5.0}, {10.0, 1.5}}) {
    auto [Mean, Var] =
        moments([&](uint64_t K) { return svic_rt_sample_beta(5, 1, K, 3, 0, A, B); }, 200000);
    double M = A / (A + B), V = A * B / ((A + B) * (A + B) * (A + B + 1));
    EXPECT_NEAR(Mean, M, 5 * std::sqrt(V / 200000));
    EXPECT_NEAR(Var, V, 0.03 * V);
  }
}

TEST(AbiSample, PoissonMomentsForBothAlgorithms) {
  for (double Rate : {0.0, 0.7, 4.0, 9.99, 10.0, 35.0, 1000.0}) {
    auto [Mean, Var] = moments(
        [&](uint64_t K) {
          double X = svic_rt_sample_poisson(2, 0, K, 1, 0, Rate);
          EXPECT_EQ(X, std::floor(X));
          return X;
        },
        200000);
    EXPECT_NEAR(Mean, Rate, 5 * std::sqrt(Rate / 200000) + 1e-12) << Rate;
    EXPECT_NEAR(Var, Rate, 0.03 * Rate + 1e-12) << Rate;
  }
}

TEST(AbiSample, DirichletIsOnTheSimplexWithTheRightMean) {
  const double C[3] = {0.5, 2.0, 4.5};
  double Sums[3] = {0, 0, 0};
  constexpr int N = 100000;
  for (int K = 0; K < N; ++K) {
    double Out[3];
    svic_rt_sample_dirichlet(8, 0, K, 0, 2, C, 3, Out);
    EXPECT_NEAR(Out[0] + Out[1] + Out[2], 1, 1e-12);
    for (int I = 0; I < 3; ++I)
      Sums[I] += Out[I];
  }
  for (int I = 0; I < 3; ++I)
    EXPECT_NEAR(Sums[I] / N, C[I] / 7, 0.004);
}

TEST(AbiSample, SamplersAreDeterministic) {
  EXPECT_EQ(svic_rt_sample_gamma(1, 2, 3, 4, 5, 0.4, 2),
            svic_rt_sample_gamma(1, 2, 3, 4, 5, 0.4, 2));
  EXPECT_EQ(svic_rt_sample_poisson(1, 2, 3, 4, 5, 50), svic_rt_sample_poisson(1, 2, 3, 4, 5, 50));
  EXPECT_NE(svic_rt_sample_gamma(1, 2, 3, 4, 5, 0.4, 2),
            svic_rt_sample_gamma(1, 2, 4, 4, 5, 0.4, 2));
}

} // namespace
