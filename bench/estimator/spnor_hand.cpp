//===- spnor_hand.cpp - Hand-written selective ELBO-gradient estimator for spnor ===//
//
// The practical limit for svic's generated code on examples/paper/spnor: the
// same estimator svic generates, written by hand.
//
//   guide  z1 ~ N(theta1, 1)  pathwise: z1 = theta1 + e1
//          z2 ~ N(theta2, 1)  score:    z2 = theta2 + e2, no gradient path
//   model  z1 ~ N(0, 5), z2 ~ N(z1, 3), x = 0 ~ N(1, 1) if z2 > 0 else N(-2, 1)
//
//   h   = log p(z1) + log p(z2 | z1) + log p(x | z2) - log q(z1) - log q(z2)
//   L2  = log p(z2 | z1) + log p(x | z2) - log q(z2)       (the factors downstream of z2,
//                                                           the observe by control dependence)
//   g1  = d/dtheta1 of h through z1 = -z1/25 + (z2 - z1)/9   (log q(z1(theta1)) does not depend on theta1)
//   g2  = d/dtheta2 [-log q(z2)] + e2 (L2 - b) = e2 (L2 - b - 1)
//
// b is a running average of L2 (decay 0.9, updated after use, as Pyro's decaying
// average baseline). Noise comes from the runtime's counter-based RNG
// svic_rt_std_normal(seed, step, sample, site, 0) with site 0 = z1, 1 = z2, so
// that a comparison with svic measures the generated code, not the RNG.
//
// Usage: svic-spnor-hand [repeats]         timings + gradient check, one JSON object:
//          nsPerEstimate      one call per single-sample estimate (its own step, baseline update after it)
//          nsPerSample10000   per sample of one 10,000-sample estimate (likewise 100000)
//          nsPerStep          single-sample estimate + Adam update
//        svic-spnor-hand grad T1 T2 K SEED  gradient mean/stderr at theta over K samples
//===----------------------------------------------------------------------===//
#include "svic/runtime/Abi.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace {

constexpr double HalfLog2Pi = 0.91893853320467274178;
constexpr double Log3 = 1.09861228866810969140;
constexpr double Log5 = 1.60943791243410037460;
// log N(0; 1, 1) and log N(0; -2, 1)
constexpr double LogLikPos = -0.5 - HalfLog2Pi;
constexpr double LogLikNeg = -2.0 - HalfLog2Pi;

struct Spnor {
  double Theta[2] = {1.0, 1.0};
  double Baseline = 0.0;

  /// One single-sample estimate; adds the ascent gradient to G, returns h and the signal in *L2.
  inline double sample(uint64_t Seed, uint64_t Step, uint64_t K, double *G, double *L2Out) const {
    double E1 = svic_rt_std_normal(Seed, Step, K, 0, 0);
    double E2 = svic_rt_std_normal(Seed, Step, K, 1, 0);
    double Z1 = Theta[0] + E1, Z2 = Theta[1] + E2;
    double D = (Z2 - Z1) * (1.0 / 3.0);
    double LpZ1 = -0.5 * Z1 * Z1 * (1.0 / 25.0) - Log5 - HalfLog2Pi;
    double LpZ2 = -0.5 * D * D - Log3 - HalfLog2Pi;
    double LpX = Z2 > 0 ? LogLikPos : LogLikNeg;
    double Lq1 = -0.5 * E1 * E1 - HalfLog2Pi;
    double Lq2 = -0.5 * E2 * E2 - HalfLog2Pi;
    double L2 = LpZ2 + LpX - Lq2;
    G[0] += -Z1 * (1.0 / 25.0) + (Z2 - Z1) * (1.0 / 9.0);
    G[1] += E2 * (L2 - Baseline - 1.0);
    *L2Out = L2;
    return LpZ1 + LpZ2 + LpX - Lq1 - Lq2;
  }

  /// A K-sample estimate at a fixed baseline, then the baseline update with the mean signal.
  double estimate(uint64_t Seed, uint64_t Step, uint64_t Samples, double *G) {
    G[0] = G[1] = 0;
    double Elbo = 0, Sig = 0;
    for (uint64_t K = 0; K < Samples; ++K) {
      double L2;
      Elbo += sample(Seed, Step, K, G, &L2);
      Sig += L2;
    }
    double Inv = 1.0 / static_cast<double>(Samples);
    G[0] *= Inv;
    G[1] *= Inv;
    Baseline = 0.9 * Baseline + 0.1 * Sig * Inv;
    return Elbo * Inv;
  }
};

/// torch.optim.Adam (Pyro's defaults: betas 0.9, 0.999, eps 1e-8) ascending the ELBO.
template <int N> struct Adam {
  double Lr, M[N] = {}, V[N] = {}, B1t = 1, B2t = 1;
  explicit Adam(double Lr) : Lr(Lr) {}
  void step(double *P, const double *G) {
    B1t *= 0.9;
    B2t *= 0.999;
    double StepSize = Lr / (1 - B1t), Bc2 = std::sqrt(1 - B2t);
    for (int I = 0; I < N; ++I) {
      M[I] = 0.9 * M[I] + 0.1 * G[I];
      V[I] = 0.999 * V[I] + 0.001 * G[I] * G[I];
      P[I] += StepSize * M[I] / (std::sqrt(V[I]) / Bc2 + 1e-8);
    }
  }
};

using Clock = std::chrono::steady_clock;

/// The fastest repeat: on a shared machine noise only adds time.
double best(const std::vector<double> &V) { return *std::min_element(V.begin(), V.end()); }

double median(std::vector<double> V) {
  std::sort(V.begin(), V.end());
  return V[V.size() / 2];
}

volatile double Sink;

/// ns per single-sample estimate (each estimate its own step, baseline updated after each).
double timeEstimates(uint64_t N) {
  Spnor S;
  double G[2], Acc = 0;
  auto T0 = Clock::now();
  for (uint64_t I = 0; I < N; ++I) {
    Acc += S.estimate(7, I, 1, G);
    Acc += G[0] + G[1];
  }
  auto T1 = Clock::now();
  Sink = Acc;
  return std::chrono::duration<double, std::nano>(T1 - T0).count() / static_cast<double>(N);
}

/// ns per sample of one estimate with N samples.
double timeManySamples(uint64_t N) {
  Spnor S;
  double G[2];
  auto T0 = Clock::now();
  double E = S.estimate(7, 0, N, G);
  auto T1 = Clock::now();
  Sink = E + G[0] + G[1];
  return std::chrono::duration<double, std::nano>(T1 - T0).count() / static_cast<double>(N);
}

/// ns per SVI step: a single-sample estimate plus the Adam update (lr 0.01).
double timeSteps(uint64_t N) {
  Spnor S;
  Adam<2> Opt(0.01);
  double G[2];
  auto T0 = Clock::now();
  for (uint64_t I = 0; I < N; ++I) {
    S.estimate(7, I, 1, G);
    Opt.step(S.Theta, G);
  }
  auto T1 = Clock::now();
  Sink = S.Theta[0] + S.Theta[1];
  return std::chrono::duration<double, std::nano>(T1 - T0).count() / static_cast<double>(N);
}

/// Per-sample gradient mean and stderr at Theta with the baseline held at 0 (one step of K samples).
void gradient(double T1, double T2, uint64_t K, uint64_t Seed, double *Mean, double *Stderr) {
  Spnor S;
  S.Theta[0] = T1;
  S.Theta[1] = T2;
  double Sum[2] = {}, Sq[2] = {};
  for (uint64_t I = 0; I < K; ++I) {
    double G[2] = {}, L2;
    S.sample(Seed, 0, I, G, &L2);
    for (int J = 0; J < 2; ++J) {
      Sum[J] += G[J];
      Sq[J] += G[J] * G[J];
    }
  }
  for (int J = 0; J < 2; ++J) {
    double M = Sum[J] / K;
    Mean[J] = M;
    Stderr[J] = std::sqrt((Sq[J] / K - M * M) * K / (K - 1) / K);
  }
}

} // namespace

int main(int Argc, char **Argv) {
  if (Argc == 6 && std::string_view(Argv[1]) == "grad") {
    double M[2], S[2];
    gradient(std::atof(Argv[2]), std::atof(Argv[3]), std::strtoull(Argv[4], nullptr, 10),
             std::strtoull(Argv[5], nullptr, 10), M, S);
    std::printf("{\"gradient\": {\"theta1\": {\"mean\": [%.17g], \"stderr\": [%.17g]}, "
                "\"theta2\": {\"mean\": [%.17g], \"stderr\": [%.17g]}}}\n",
                M[0], S[0], M[1], S[1]);
    return 0;
  }
  int Repeats = Argc > 1 ? std::atoi(Argv[1]) : 11;
  std::vector<double> Est, Many, Many5, Steps;
  for (int R = 0; R < Repeats; ++R) {
    Est.push_back(timeEstimates(1000000));
    Many.push_back(timeManySamples(10000));
    Many5.push_back(timeManySamples(100000));
    Steps.push_back(timeSteps(1000000));
  }
  double M1[2], S1[2], M2[2], S2[2];
  gradient(1, 1, 1000000, 1, M1, S1);
  gradient(0.5, -0.5, 1000000, 1, M2, S2);
  std::printf("{\"model\": \"spnor\", \"repeats\": %d, \"nsPerEstimate\": %.2f, \"nsPerSample10000\": %.2f, "
              "\"nsPerSample100000\": %.2f, "
              "\"nsPerStep\": %.2f, \"best\": {\"nsPerEstimate\": %.2f, \"nsPerSample10000\": %.2f, "
              "\"nsPerSample100000\": %.2f, \"nsPerStep\": %.2f}, \"check\": {\"1,1\": [%.5f, %.5f, %.5f, %.5f], "
              "\"0.5,-0.5\": [%.5f, %.5f, %.5f, %.5f]}}\n",
              Repeats, median(Est), median(Many), median(Many5), median(Steps), best(Est), best(Many), best(Many5),
              best(Steps), M1[0], S1[0], M1[1], S1[1], M2[0], S2[0], M2[1], S2[1]);
  return 0;
}
