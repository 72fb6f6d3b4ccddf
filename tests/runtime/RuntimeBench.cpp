//===- RuntimeBench.cpp - ns per call of the hot runtime entry points ------===//
//
// Not a test: prints the median over repetitions of the time per call, so the
// figures in reports come from one reproducible program.
//
//===----------------------------------------------------------------------===//

#include "svic/runtime/Engine.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <vector>

namespace {

/// Thread CPU time, so that other processes on a shared machine do not count.
double cpuNs() {
  timespec T;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &T);
  return static_cast<double>(T.tv_sec) * 1e9 + static_cast<double>(T.tv_nsec);
}

struct Timing {
  double Median, Best;
};

/// Median and best of 7 repetitions; on a shared machine the best is the
/// closer estimate of the uncontended cost.
template <typename F> Timing nsPerCall(F Body, int64_t N) {
  std::vector<double> Runs;
  for (int Rep = 0; Rep < 7; ++Rep) {
    double T0 = cpuNs();
    Body(N);
    Runs.push_back((cpuNs() - T0) / static_cast<double>(N));
  }
  std::sort(Runs.begin(), Runs.end());
  return {Runs[Runs.size() / 2], Runs.front()};
}

void print(const char *Name, Timing T) {
  std::printf("%-30s median %6.2f ns  best %6.2f ns\n", Name, T.Median, T.Best);
}

/// The cheapest possible generated function: what remains per sample is the
/// estimator's own overhead (context setup, zeroing, the block reduction).
double trivialSample(svic_sample_ctx *C) {
  C->grad[0] += 1e-3 * static_cast<double>(C->sample & 7);
  C->grad[1] -= 1.0;
  C->signals[0] = 0.5;
  return -static_cast<double>(C->sample & 3);
}

constexpr const char *TrivialDescriptor = R"({"version":1,"estimator":"auto",
 "params":[{"name":"a","shape":[2],"unconstrainedShape":[2],"offset":0,"size":2,"constraint":{"kind":"real"},
            "init":[0,0]}],
 "paramDoubles":2,"inputs":[],"dataDoubles":0,"sites":[],"checks":[],"scoreSites":["s"],"pathwiseSites":[],"workspaceDoubles":4})";

} // namespace

int main() {
  constexpr int64_t N = 10'000'000;
  volatile double Sink = 0;
  Timing Normal = nsPerCall(
      [&](int64_t M) {
        double S = 0;
        for (int64_t K = 0; K < M; ++K)
          S += svic_rt_std_normal(42, 7, static_cast<uint64_t>(K), 1, 0);
        Sink = S;
      },
      N);
  Timing Uniform = nsPerCall(
      [&](int64_t M) {
        double S = 0;
        for (int64_t K = 0; K < M; ++K)
          S += svic_rt_uniform01(42, 7, static_cast<uint64_t>(K), 1, 0);
        Sink = S;
      },
      N);
  Timing Lpdf = nsPerCall(
      [&](int64_t M) {
        double S = 0, G[3];
        for (int64_t K = 0; K < M; ++K) {
          S += svic_rt_lpdf_normal(static_cast<double>(K & 1023) * 1e-3, 0.25, 1.5, G);
          S += G[2];
        }
        Sink = S;
      },
      N);
  Timing Gamma = nsPerCall(
      [&](int64_t M) {
        double S = 0;
        for (int64_t K = 0; K < M; ++K)
          S += svic_rt_sample_gamma(42, 7, static_cast<uint64_t>(K), 1, 0, 2.5, 1.0);
        Sink = S;
      },
      N / 10);
  svic::runtime::Estimator Est(svic::runtime::Descriptor::parse(TrivialDescriptor), trivialSample,
                               {});
  std::vector<double> U = {0, 0}, B = {0};
  Timing Overhead =
      nsPerCall([&](int64_t M) { Sink = Est.estimate(U, 1, 0, M, 1, B).ElboMean; }, N);
  print("estimator overhead per sample", Overhead);
  print("svic_rt_std_normal", Normal);
  print("svic_rt_uniform01", Uniform);
  print("svic_rt_lpdf_normal (partials)", Lpdf);
  print("svic_rt_sample_gamma(2.5)", Gamma);
  return 0;
}
