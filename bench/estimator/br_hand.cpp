//===- br_hand.cpp - Hand-written pathwise ELBO-gradient estimator for br ------===//
//
// The practical limit for svic's generated code on the br training reference
// (../shared/benchmarks/br-reference/model.py + data.csv): all five latents
// pathwise, z_i = loc_i + exp(u_i) e_i, with u_i the unconstrained value of the
// positive scale (Pyro's constraints.positive = exp transform).
//
//   model  a ~ N(0, 10), bA, bR, bAR ~ N(0, 1), sigma_raw ~ N(5, 5), sigma = softplus(sigma_raw)
//          y_n ~ N(a + bA x1_n + bR x2_n + bAR x1_n x2_n, sigma), n < 170
//   h = log p(z) + sum_n log p(y_n | z) - log q(z)
//   d h / d loc_i = dlogp/dz_i,  d h / d u_i = dlogp/dz_i * exp(u_i) e_i + 1   (the entropy's log-scale)
//
// One fused pass over the data per sample, as the generated code must do (no
// precomputed sufficient statistics). Noise: svic_rt_std_normal(seed, step,
// sample, site, 0), site i = latent i, so a comparison with svic measures code
// generation, not the RNG.
//
// Usage: svic-br-hand DATA.csv [repeats]           timings, one JSON object
//        svic-br-hand DATA.csv grad K SEED         gradient mean/stderr at Pyro's initialisation
//        svic-br-hand DATA.csv train STEPS SEED    Adam lr 0.01 for STEPS steps: final params and ELBO
//===----------------------------------------------------------------------===//
#include "svic/runtime/Abi.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr double HalfLog2Pi = 0.91893853320467274178;
constexpr int NP = 10; // loc[0..4], u[5..9]
const char *Names[NP] = {"a_loc",   "bA_loc",   "bR_loc",   "bAR_loc",   "sigma_raw_loc",
                         "a_scale", "bA_scale", "bR_scale", "bAR_scale", "sigma_raw_scale"};

struct Data {
  std::vector<double> X1, X2, Y;
};

Data readCsv(const char *Path) {
  std::ifstream In(Path);
  if (!In) {
    std::fprintf(stderr, "cannot read %s\n", Path);
    std::exit(2);
  }
  std::string Line;
  std::getline(In, Line); // header x1,x2,y
  Data D;
  while (std::getline(In, Line)) {
    if (Line.empty())
      continue;
    std::stringstream S(Line);
    std::string F;
    double V[3];
    for (double &X : V) {
      std::getline(S, F, ',');
      X = std::stod(F);
    }
    D.X1.push_back(V[0]);
    D.X2.push_back(V[1]);
    D.Y.push_back(V[2]);
  }
  return D;
}

struct Br {
  const Data &D;
  double P[NP] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0}; // locs 0, scales exp(0) = 1: Pyro's initialisation
  explicit Br(const Data &D) : D(D) {}

  /// One single-sample estimate: adds the ascent gradient to G, returns h.
  inline double sample(uint64_t Seed, uint64_t Step, uint64_t K, double *G) const {
    double E[5], S[5], Z[5];
    for (int I = 0; I < 5; ++I) {
      E[I] = svic_rt_std_normal(Seed, Step, K, static_cast<uint32_t>(I), 0);
      S[I] = std::exp(P[5 + I]);
      Z[I] = P[I] + S[I] * E[I];
    }
    double A = Z[0], BA = Z[1], BR = Z[2], BAR = Z[3], Raw = Z[4];
    double Sigma = Raw > 0 ? Raw + std::log1p(std::exp(-Raw)) : std::log1p(std::exp(Raw));
    double DSigma = 1.0 / (1.0 + std::exp(-Raw));
    double R0 = 0, R1 = 0, R2 = 0, R12 = 0, RR = 0;
    const double *X1 = D.X1.data(), *X2 = D.X2.data(), *Y = D.Y.data();
    size_t N = D.Y.size();
    for (size_t J = 0; J < N; ++J) {
      double X12 = X1[J] * X2[J];
      double R = Y[J] - (A + BA * X1[J] + BR * X2[J] + BAR * X12);
      R0 += R;
      R1 += R * X1[J];
      R2 += R * X2[J];
      R12 += R * X12;
      RR += R * R;
    }
    double Nd = static_cast<double>(N), Inv2 = 1.0 / (Sigma * Sigma);
    double LogLik = -Nd * (std::log(Sigma) + HalfLog2Pi) - 0.5 * RR * Inv2;
    double DSig = -Nd / Sigma + RR * Inv2 / Sigma;
    double Dz[5] = {-A * 0.01 + R0 * Inv2, -BA + R1 * Inv2, -BR + R2 * Inv2, -BAR + R12 * Inv2,
                    -(Raw - 5.0) * 0.04 + DSig * DSigma};
    double LogPrior = -0.5 * A * A * 0.01 - std::log(10.0) - 0.5 * (BA * BA + BR * BR + BAR * BAR) -
                      0.5 * (Raw - 5.0) * (Raw - 5.0) * 0.04 - std::log(5.0) - 5 * HalfLog2Pi;
    double Entropy = 0;
    for (int I = 0; I < 5; ++I) {
      G[I] += Dz[I];
      G[5 + I] += Dz[I] * S[I] * E[I] + 1.0;
      Entropy += P[5 + I] + HalfLog2Pi + 0.5 * E[I] * E[I];
    }
    return LogPrior + LogLik + Entropy;
  }

  double estimate(uint64_t Seed, uint64_t Step, uint64_t Samples, double *G) const {
    std::fill(G, G + NP, 0.0);
    double Elbo = 0;
    for (uint64_t K = 0; K < Samples; ++K)
      Elbo += sample(Seed, Step, K, G);
    double Inv = 1.0 / static_cast<double>(Samples);
    for (int I = 0; I < NP; ++I)
      G[I] *= Inv;
    return Elbo * Inv;
  }
};

/// torch.optim.Adam (betas 0.9, 0.999, eps 1e-8) ascending the ELBO.
struct Adam {
  double Lr, M[NP] = {}, V[NP] = {}, B1t = 1, B2t = 1;
  explicit Adam(double Lr) : Lr(Lr) {}
  void step(double *P, const double *G) {
    B1t *= 0.9;
    B2t *= 0.999;
    double StepSize = Lr / (1 - B1t), Bc2 = std::sqrt(1 - B2t);
    for (int I = 0; I < NP; ++I) {
      M[I] = 0.9 * M[I] + 0.1 * G[I];
      V[I] = 0.999 * V[I] + 0.001 * G[I] * G[I];
      P[I] += StepSize * M[I] / (std::sqrt(V[I]) / Bc2 + 1e-8);
    }
  }
};

using Clock = std::chrono::steady_clock;
volatile double Sink;

/// The fastest repeat: on a shared machine noise only adds time.
double best(const std::vector<double> &V) { return *std::min_element(V.begin(), V.end()); }

double median(std::vector<double> V) {
  std::sort(V.begin(), V.end());
  return V[V.size() / 2];
}

double timeEstimates(const Data &D, uint64_t N) {
  Br B(D);
  double G[NP], Acc = 0;
  auto T0 = Clock::now();
  for (uint64_t I = 0; I < N; ++I) {
    Acc += B.estimate(7, I, 1, G);
    Acc += G[0] + G[9];
  }
  auto T1 = Clock::now();
  Sink = Acc;
  return std::chrono::duration<double, std::nano>(T1 - T0).count() / static_cast<double>(N);
}

double timeManySamples(const Data &D, uint64_t N) {
  Br B(D);
  double G[NP];
  auto T0 = Clock::now();
  double E = B.estimate(7, 0, N, G);
  auto T1 = Clock::now();
  Sink = E + G[0];
  return std::chrono::duration<double, std::nano>(T1 - T0).count() / static_cast<double>(N);
}

double timeSteps(const Data &D, uint64_t N) {
  Br B(D);
  Adam Opt(0.01);
  double G[NP];
  auto T0 = Clock::now();
  for (uint64_t I = 0; I < N; ++I) {
    B.estimate(7, I, 1, G);
    Opt.step(B.P, G);
  }
  auto T1 = Clock::now();
  Sink = B.P[0];
  return std::chrono::duration<double, std::nano>(T1 - T0).count() / static_cast<double>(N);
}

void printParams(const double *P) {
  for (int I = 0; I < NP; ++I)
    std::printf("%s\"%s\": %.17g", I ? ", " : "", Names[I], I < 5 ? P[I] : std::exp(P[I]));
}

} // namespace

int main(int Argc, char **Argv) {
  if (Argc < 2) {
    std::fprintf(stderr, "usage: svic-br-hand DATA.csv [repeats | grad K SEED | train STEPS SEED]\n");
    return 2;
  }
  Data D = readCsv(Argv[1]);
  if (Argc == 5 && std::string_view(Argv[2]) == "grad") {
    uint64_t K = std::strtoull(Argv[3], nullptr, 10), Seed = std::strtoull(Argv[4], nullptr, 10);
    Br B(D);
    double Sum[NP] = {}, Sq[NP] = {};
    for (uint64_t I = 0; I < K; ++I) {
      double G[NP] = {};
      B.sample(Seed, 0, I, G);
      for (int J = 0; J < NP; ++J) {
        Sum[J] += G[J];
        Sq[J] += G[J] * G[J];
      }
    }
    std::printf("{\"gradient\": {");
    for (int J = 0; J < NP; ++J) {
      double M = Sum[J] / K, Se = std::sqrt((Sq[J] / K - M * M) / (K - 1));
      std::printf("%s\"%s\": {\"mean\": [%.17g], \"stderr\": [%.17g]}", J ? ", " : "", Names[J], M, Se);
    }
    std::printf("}}\n");
    return 0;
  }
  if (Argc == 5 && std::string_view(Argv[2]) == "train") {
    uint64_t Steps = std::strtoull(Argv[3], nullptr, 10), Seed = std::strtoull(Argv[4], nullptr, 10);
    Br B(D);
    Adam Opt(0.01);
    double G[NP], Tail = 0;
    uint64_t TailN = std::min<uint64_t>(2000, Steps);
    for (uint64_t I = 0; I < Steps; ++I) {
      double E = B.estimate(Seed, I, 1, G);
      if (I >= Steps - TailN)
        Tail += E;
      Opt.step(B.P, G);
    }
    std::printf("{\"steps\": %llu, \"elboLastMean\": %.6f, \"params\": {", static_cast<unsigned long long>(Steps),
                Tail / TailN);
    printParams(B.P);
    std::printf("}}\n");
    return 0;
  }
  int Repeats = Argc > 2 ? std::atoi(Argv[2]) : 11;
  std::vector<double> Est, Many, Steps;
  for (int R = 0; R < Repeats; ++R) {
    Est.push_back(timeEstimates(D, 200000));
    Many.push_back(timeManySamples(D, 100000));
    Steps.push_back(timeSteps(D, 200000));
  }
  std::printf("{\"model\": \"br\", \"repeats\": %d, \"rows\": %zu, \"nsPerEstimate\": %.2f, "
              "\"nsPerSample100000\": %.2f, \"nsPerStep\": %.2f, \"best\": {\"nsPerEstimate\": %.2f, "
              "\"nsPerSample100000\": %.2f, \"nsPerStep\": %.2f}}\n",
              Repeats, D.Y.size(), median(Est), median(Many), median(Steps), best(Est), best(Many), best(Steps));
  return 0;
}
