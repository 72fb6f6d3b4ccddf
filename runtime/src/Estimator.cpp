//===- Estimator.cpp - Multi-sample gradient estimates over threads ----------===//
//
// Samples are cut into fixed blocks of BlockSamples. A block is reduced in
// sample order into (count, mean, M2) per value, and blocks are merged in
// block order with Chan et al.'s pairwise formula, so the result depends on
// K only, not on which thread ran which block. Within a block the sums are
// shifted by the block's first sample, which keeps the variance accurate when
// the mean is large (ELBOs of -1e4 with stderr 1) without a division per
// sample.
//
//===----------------------------------------------------------------------===//

#include "svic/runtime/Engine.h"

#include "WorkerPool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>

namespace svic::runtime {

namespace {

using detail::Scratch;

/// A scratch from the shared spares (or a new one), sized for this program;
/// generated code writes every workspace value before reading it, so a reused
/// workspace needs no clearing.
Scratch takeScratch(detail::PoolHolder &Pool, size_t P, size_t S, size_t NV, size_t Workspace) {
  Scratch Sc;
  {
    std::lock_guard<std::mutex> G(Pool.SpareLock);
    if (!Pool.Spare.empty()) {
      Sc = std::move(Pool.Spare.back());
      Pool.Spare.pop_back();
    }
  }
  Sc.Grad.resize(P);
  Sc.Signals.resize(S);
  Sc.Workspace.resize(Workspace);
  Sc.Shift.resize(NV);
  Sc.S1.resize(NV);
  Sc.S2.resize(NV);
  return Sc;
}

void returnScratch(detail::PoolHolder &Pool, Scratch &&Sc) {
  std::lock_guard<std::mutex> G(Pool.SpareLock);
  Pool.Spare.push_back(std::move(Sc));
}

/// The reduction of one block: count, then mean and M2 per value.
struct BlockStats {
  int64_t N = 0;
  double *Mean = nullptr, *M2 = nullptr;
  int32_t BadSite = -1;
  uint64_t BadSample = 0;
  int64_t KinkHits = 0;
};

} // namespace

Estimator::Estimator(Descriptor Desc, svic_sample_fn F, std::vector<double> Values, svic_block_fn Blk)
    : D(std::move(Desc)), Fn(F), Block(Blk), Data(std::move(Values)),
      Pool(std::make_shared<detail::PoolHolder>()) {
  if (!Fn)
    throw RuntimeError("no sample function");
  if (static_cast<int64_t>(Data.size()) != D.DataDoubles)
    throw RuntimeError("the data buffer has " + std::to_string(Data.size()) +
                       " values but the program expects " + std::to_string(D.DataDoubles));
}

double Estimator::sampleOnce(const double *U, uint64_t Seed, uint64_t Step, const double *Baselines,
                             double *Grad, double *Signals, double *Workspace, int32_t &BadSite,
                             int32_t &KinkHits) const {
  std::fill(Grad, Grad + D.ParamDoubles, 0.0);
  std::fill(Signals, Signals + D.ScoreSites.size(), 0.0);
  svic_sample_ctx Ctx;
  Ctx.params = U;
  Ctx.data = Data.data();
  Ctx.baselines = Baselines;
  Ctx.grad = Grad;
  Ctx.signals = Signals;
  Ctx.workspace = Workspace;
  Ctx.seed = Seed;
  Ctx.step = Step;
  Ctx.sample = 0;
  Ctx.bad_site = -1;
  Ctx.kink_hits = 0;
  double Elbo = Fn(&Ctx);
  BadSite = Ctx.bad_site;
  KinkHits = Ctx.kink_hits;
  return Elbo;
}

Estimate Estimator::estimateOne(const std::vector<double> &U, uint64_t Seed, uint64_t Step,
                                const double *Baselines,
                                std::chrono::steady_clock::time_point Start) const {
  const size_t P = static_cast<size_t>(D.ParamDoubles), S = D.ScoreSites.size();
  Scratch Sc = takeScratch(*Pool, P, S, 0, static_cast<size_t>(D.WorkspaceDoubles));
  Estimate E;
  E.Samples = 1;
  int32_t Kinks = 0;
  E.ElboMean = sampleOnce(U.data(), Seed, Step, Baselines, Sc.Grad.data(), Sc.Signals.data(),
                          Sc.Workspace.data(), E.BadSite, Kinks);
  E.KinkHits = Kinks;
  E.GradMean = Sc.Grad;
  E.GradStderr.assign(P, 0.0);
  E.SignalMean = Sc.Signals;
  returnScratch(*Pool, std::move(Sc));
  E.Seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - Start).count();
  return E;
}

Estimate Estimator::estimate(const std::vector<double> &U, uint64_t Seed, uint64_t Step, int64_t K,
                             int Threads, const std::vector<double> &Baselines) const {
  auto Start = std::chrono::steady_clock::now();
  const size_t P = static_cast<size_t>(D.ParamDoubles), S = D.ScoreSites.size();
  if (U.size() != P)
    throw RuntimeError("expected " + std::to_string(P) + " unconstrained param values, got " +
                       std::to_string(U.size()));
  if (!Baselines.empty() && Baselines.size() != S)
    throw RuntimeError("expected " + std::to_string(S) + " baselines, got " +
                       std::to_string(Baselines.size()));
  if (K < 1)
    throw RuntimeError("the number of samples must be at least 1");
  std::vector<double> ZeroBaselines(Baselines.empty() ? S : 0, 0.0);
  const double *B = Baselines.empty() ? ZeroBaselines.data() : Baselines.data();

  if (K == 1) // a training step: no blocks, no moments (bit-identical to them: mean = the sample)
    return estimateOne(U, Seed, Step, B, Start);

  // Values per sample: the gradient, the ELBO, the learning signals.
  const size_t NV = P + 1 + S;
  const int64_t NumBlocks = (K + BlockSamples - 1) / BlockSamples;
  std::vector<double> Moments(static_cast<size_t>(NumBlocks) * NV * 2);
  std::vector<BlockStats> Blocks(static_cast<size_t>(NumBlocks));

  auto RunBlock = [&](int64_t Blk, Scratch &Sc) {
    svic_sample_ctx Ctx;
    Ctx.params = U.data();
    Ctx.data = Data.data();
    Ctx.baselines = B;
    Ctx.grad = Sc.Grad.data();
    Ctx.signals = Sc.Signals.data();
    Ctx.workspace = Sc.Workspace.data();
    Ctx.seed = Seed;
    Ctx.step = Step;
    BlockStats &St = Blocks[static_cast<size_t>(Blk)];
    double *Shift = Sc.Shift.data(), *S1 = Sc.S1.data(), *S2 = Sc.S2.data();
    std::fill(Sc.S1.begin(), Sc.S1.end(), 0.0);
    std::fill(Sc.S2.begin(), Sc.S2.end(), 0.0);
    double *G = Sc.Grad.data(), *Sig = Sc.Signals.data();
    const int64_t K0 = Blk * BlockSamples, K1 = std::min(K, K0 + BlockSamples);
    int64_t Kinks = 0;
    if (Block) {
      uint64_t BadSample = 0;
      Block(&Ctx, static_cast<uint64_t>(K0), static_cast<uint64_t>(K1), Shift, S1, S2, &BadSample);
      if (Ctx.bad_site >= 0) {
        St.BadSite = Ctx.bad_site;
        St.BadSample = BadSample;
      }
      Kinks = Ctx.kink_hits;
    } else {
      for (int64_t Smp = K0; Smp < K1; ++Smp) {
        for (size_t J = 0; J < P; ++J)
          G[J] = 0;
        for (size_t J = 0; J < S; ++J)
          Sig[J] = 0;
        Ctx.sample = static_cast<uint64_t>(Smp);
        Ctx.bad_site = -1;
        Ctx.kink_hits = 0;
        double Elbo = Fn(&Ctx);
        // Values in the order gradient, ELBO, signals.
        if (Smp == K0) {
          std::copy(G, G + P, Shift);
          Shift[P] = Elbo;
          std::copy(Sig, Sig + S, Shift + P + 1);
        }
        for (size_t J = 0; J < P; ++J) {
          double X = G[J] - Shift[J];
          S1[J] += X;
          S2[J] += X * X;
        }
        double X = Elbo - Shift[P];
        S1[P] += X;
        S2[P] += X * X;
        for (size_t J = 0; J < S; ++J) {
          double Y = Sig[J] - Shift[P + 1 + J];
          S1[P + 1 + J] += Y;
          S2[P + 1 + J] += Y * Y;
        }
        if (Ctx.bad_site >= 0 && St.BadSite < 0) [[unlikely]] {
          St.BadSite = Ctx.bad_site;
          St.BadSample = static_cast<uint64_t>(Smp);
        }
        Kinks += Ctx.kink_hits;
      }
    }
    St.KinkHits = Kinks;
    St.N = K1 - K0;
    St.Mean = Moments.data() + static_cast<size_t>(Blk) * NV * 2;
    St.M2 = St.Mean + NV;
    const double N = static_cast<double>(St.N);
    for (size_t J = 0; J < NV; ++J) {
      St.Mean[J] = Shift[J] + S1[J] / N;
      St.M2[J] = std::max(S2[J] - S1[J] * S1[J] / N, 0.0);
    }
  };
  auto TakeScratch = [&] { return takeScratch(*Pool, P, S, NV, static_cast<size_t>(D.WorkspaceDoubles)); };
  auto ReturnScratch = [&](Scratch &&Sc) { returnScratch(*Pool, std::move(Sc)); };

  int64_t Workers = std::min<int64_t>(std::max(Threads, 1), NumBlocks);
  if (Workers == 1) {
    Scratch Sc = TakeScratch();
    for (int64_t Blk = 0; Blk < NumBlocks; ++Blk)
      RunBlock(Blk, Sc);
    ReturnScratch(std::move(Sc));
  } else {
    std::atomic<int64_t> Next{0};
    auto Work = [&] {
      Scratch Sc = TakeScratch();
      for (int64_t Blk = Next++; Blk < NumBlocks; Blk = Next++)
        RunBlock(Blk, Sc);
      ReturnScratch(std::move(Sc));
    };
    std::function<void()> Body = Work;
    std::lock_guard<std::mutex> L(Pool->Lock);
    if (!Pool->Pool || Pool->Pool->workers() < Workers - 1)
      Pool->Pool = std::make_unique<detail::WorkerPool>(static_cast<int>(Workers - 1));
    Pool->Pool->run(static_cast<int>(Workers), Body);
  }

  // Merge blocks in block order (Chan, Golub and LeVeque).
  std::vector<double> Mean(NV, 0.0), M2(NV, 0.0);
  Estimate E;
  double N = 0;
  for (const BlockStats &St : Blocks) {
    double Nb = static_cast<double>(St.N), Total = N + Nb;
    for (size_t J = 0; J < NV; ++J) {
      double Delta = St.Mean[J] - Mean[J];
      Mean[J] += Delta * Nb / Total;
      M2[J] += St.M2[J] + Delta * Delta * N * Nb / Total;
    }
    N = Total;
    if (St.BadSite >= 0 && E.BadSite < 0) {
      E.BadSite = St.BadSite;
      E.BadSample = St.BadSample;
    }
    E.KinkHits += St.KinkHits;
  }
  auto Stderr = [&](size_t J) { return K > 1 ? std::sqrt(M2[J] / (N - 1) / N) : 0.0; };
  E.Samples = K;
  E.GradMean.assign(Mean.begin(), Mean.begin() + static_cast<std::ptrdiff_t>(P));
  for (size_t J = 0; J < P; ++J)
    E.GradStderr.push_back(Stderr(J));
  E.ElboMean = Mean[P];
  E.ElboStderr = Stderr(P);
  E.SignalMean.assign(Mean.begin() + static_cast<std::ptrdiff_t>(P + 1), Mean.end());
  E.Seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - Start).count();
  return E;
}

Estimate Estimator::estimateWithPilotBaselines(const std::vector<double> &U, uint64_t Seed,
                                               int64_t K, int Threads) const {
  std::vector<double> Baselines;
  if (!D.ScoreSites.empty() && D.UseBaselines)
    Baselines = estimate(U, Seed, PilotStep, std::min(K, PilotSamples), Threads, {}).SignalMean;
  return estimate(U, Seed, 0, K, Threads, Baselines);
}

} // namespace svic::runtime
