//===- Abi.cpp - RNG, log-densities and samplers for generated code -------===//
//
// Everything here is called per sample from generated code, so it is written
// for speed: no allocation, no exceptions (Boost.Math reports errors as
// NaN/inf through an ignore-error policy), and the normal sampler is a
// ziggurat whose fast path costs one Philox block and a table lookup.
//
// Log-densities follow torch.distributions' log_prob formulas and supports.
//
//===----------------------------------------------------------------------===//

#include "svic/runtime/Abi.h"

#include "Random.h"

#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>

#include <cfloat>
#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

namespace {

using namespace boost::math::policies;
/// Poles and overflow become inf/NaN instead of exceptions: the generated
/// code detects non-finite values itself and names the site.
using QuietPolicy =
    policy<domain_error<ignore_error>, pole_error<ignore_error>, overflow_error<ignore_error>,
           evaluation_error<ignore_error>, rounding_error<ignore_error>, promote_double<false>>;

constexpr double Inf = std::numeric_limits<double>::infinity();
/// log(sqrt(2 pi)), the constant torch subtracts in Normal.log_prob.
constexpr double LogSqrt2Pi = 0.91893853320467274178;
/// torch.finfo(float64).eps, the bound of torch's clamp_probs.
constexpr double ProbEps = DBL_EPSILON;

double lgammaQ(double X) { return boost::math::lgamma(X, QuietPolicy()); }
double digammaQ(double X) { return boost::math::digamma(X, QuietPolicy()); }

/// torch.xlogy: 0 when X is 0 (unless Y is NaN), X log Y otherwise.
double xlogy(double X, double Y) {
  if (X == 0 && !std::isnan(Y))
    return 0;
  return X * std::log(Y);
}

double outside(double *G, int N) {
  if (G)
    for (int I = 0; I < N; ++I)
      G[I] = 0;
  return -Inf;
}

bool isNonNegativeInteger(double X) { return X >= 0 && std::isfinite(X) && std::floor(X) == X; }

/// log p of a Normal at a point, with d/dx, d/dloc, d/dscale.
double normalLpdf(double X, double Loc, double Scale, double *G) {
  double D = X - Loc;
  double Var = Scale * Scale;
  double Lp = -(D * D) / (2 * Var) - std::log(Scale) - LogSqrt2Pi;
  if (G) {
    G[0] = -D / Var;
    G[1] = D / Var;
    G[2] = D * D / (Var * Scale) - 1 / Scale;
  }
  return Lp;
}

/// -binary_cross_entropy_with_logits(L, X), in torch's stable form.
double bernoulliLogitsLp(double X, double L) {
  double M = std::max(-L, 0.0);
  return -((1 - X) * L + M + std::log(std::exp(-M) + std::exp(-L - M)));
}

double sigmoid(double L) {
  if (L >= 0)
    return 1 / (1 + std::exp(-L));
  double E = std::exp(L);
  return E / (1 + E);
}

} // namespace

using svic::runtime::detail::Stream;

extern "C" {

double svic_rt_std_normal(uint64_t Seed, uint64_t Step, uint64_t Sample, uint32_t Site,
                          uint32_t Elem) {
  Stream S(Seed, Step, Sample, Site, Elem);
  return S.normal();
}

double svic_rt_uniform01(uint64_t Seed, uint64_t Step, uint64_t Sample, uint32_t Site,
                         uint32_t Elem) {
  Stream S(Seed, Step, Sample, Site, Elem);
  return S.uniform();
}

double svic_rt_lpdf_normal(double X, double Loc, double Scale, double *G) {
  return normalLpdf(X, Loc, Scale, G);
}

double svic_rt_lpdf_lognormal(double X, double Loc, double Scale, double *G) {
  // torch: TransformedDistribution(Normal, ExpTransform); log|dy/dx| = log y.
  if (!(X > 0))
    return outside(G, 3);
  double Y = std::log(X);
  double Lp = normalLpdf(Y, Loc, Scale, G) - Y;
  if (G)
    G[0] = (G[0] - 1) / X;
  return Lp;
}

double svic_rt_lpdf_halfnormal(double X, double Scale, double, double *G) {
  if (!(X >= 0))
    return outside(G, 3);
  double Lp = normalLpdf(X, 0, Scale, G) + std::numbers::ln2;
  if (G) {
    G[1] = G[2];
    G[2] = 0;
  }
  return Lp;
}

double svic_rt_lpdf_uniform(double X, double Low, double High, double *G) {
  if (!(Low <= X && X < High))
    return outside(G, 3);
  double W = High - Low;
  if (G) {
    G[0] = 0;
    G[1] = 1 / W;
    G[2] = -1 / W;
  }
  return -std::log(W);
}

double svic_rt_lpdf_exponential(double X, double Rate, double, double *G) {
  if (!(X >= 0))
    return outside(G, 3);
  if (G) {
    G[0] = -Rate;
    G[1] = 1 / Rate - X;
    G[2] = 0;
  }
  return std::log(Rate) - Rate * X;
}

double svic_rt_lpdf_gamma(double X, double Conc, double Rate, double *G) {
  if (!(X >= 0))
    return outside(G, 3);
  if (G) {
    // d/dx of xlogy(c - 1, x) is 0 when c = 1, also at x = 0.
    G[0] = (Conc == 1 ? 0 : (Conc - 1) / X) - Rate;
    G[1] = std::log(Rate) + std::log(X) - digammaQ(Conc);
    G[2] = Conc / Rate - X;
  }
  return xlogy(Conc, Rate) + xlogy(Conc - 1, X) - Rate * X - lgammaQ(Conc);
}

double svic_rt_lpdf_beta(double X, double C1, double C0, double *G) {
  if (!(X >= 0 && X <= 1))
    return outside(G, 3);
  double Y = 1 - X;
  if (G) {
    double DigSum = digammaQ(C1 + C0);
    G[0] = (C1 == 1 ? 0 : (C1 - 1) / X) - (C0 == 1 ? 0 : (C0 - 1) / Y);
    G[1] = std::log(X) + DigSum - digammaQ(C1);
    G[2] = std::log(Y) + DigSum - digammaQ(C0);
  }
  return xlogy(C1 - 1, X) + xlogy(C0 - 1, Y) + lgammaQ(C1 + C0) - lgammaQ(C1) - lgammaQ(C0);
}

double svic_rt_lpdf_bernoulli_probs(double X, double P, double, double *G) {
  if (!(X == 0 || X == 1))
    return outside(G, 3);
  // torch: logits = log(pc) - log1p(-pc) with pc = clamp(p, eps, 1 - eps).
  double Pc = std::min(std::max(P, ProbEps), 1 - ProbEps);
  double L = std::log(Pc) - std::log1p(-Pc);
  if (G) {
    G[0] = 0;
    // d lp/dl = x - sigmoid(l) = x - pc; dl/dp = 1/(pc(1 - pc)) inside the clamp.
    G[1] = (P >= ProbEps && P <= 1 - ProbEps) ? (X - Pc) / (Pc * (1 - Pc)) : 0;
    G[2] = 0;
  }
  return bernoulliLogitsLp(X, L);
}

double svic_rt_lpdf_bernoulli_logits(double X, double L, double, double *G) {
  if (!(X == 0 || X == 1))
    return outside(G, 3);
  if (G) {
    G[0] = 0;
    G[1] = X - sigmoid(L);
    G[2] = 0;
  }
  return bernoulliLogitsLp(X, L);
}

double svic_rt_lpdf_poisson(double X, double Rate, double, double *G) {
  if (!isNonNegativeInteger(X))
    return outside(G, 3);
  if (G) {
    G[0] = 0;
    G[1] = (X == 0 ? 0 : X / Rate) - 1;
    G[2] = 0;
  }
  return xlogy(X, Rate) - Rate - lgammaQ(X + 1);
}

double svic_rt_lpdf_categorical_probs(double X, const double *P, int64_t N, double *Gp) {
  if (!(isNonNegativeInteger(X) && X < static_cast<double>(N))) {
    if (Gp)
      for (int64_t J = 0; J < N; ++J)
        Gp[J] = 0;
    return -Inf;
  }
  int64_t K = static_cast<int64_t>(X);
  double Sum = 0;
  for (int64_t J = 0; J < N; ++J)
    Sum += P[J];
  double Q = P[K] / Sum;
  double Qc = std::min(std::max(Q, ProbEps), 1 - ProbEps);
  if (Gp) {
    // d/dp_j log(p_k / sum p) = [j = k]/p_k - 1/sum, zero where clamped.
    bool Active = Q >= ProbEps && Q <= 1 - ProbEps;
    for (int64_t J = 0; J < N; ++J)
      Gp[J] = Active ? (J == K ? 1 / P[K] : 0) - 1 / Sum : 0;
  }
  return std::log(Qc);
}

double svic_rt_lpdf_categorical_logits(double X, const double *L, int64_t N, double *Gp) {
  if (!(isNonNegativeInteger(X) && X < static_cast<double>(N))) {
    if (Gp)
      for (int64_t J = 0; J < N; ++J)
        Gp[J] = 0;
    return -Inf;
  }
  int64_t K = static_cast<int64_t>(X);
  double Max = -Inf;
  for (int64_t J = 0; J < N; ++J)
    Max = std::max(Max, L[J]);
  double Sum = 0;
  for (int64_t J = 0; J < N; ++J)
    Sum += std::exp(L[J] - Max);
  double Lse = Max + std::log(Sum);
  if (Gp)
    for (int64_t J = 0; J < N; ++J)
      Gp[J] = (J == K ? 1 : 0) - std::exp(L[J] - Lse);
  return L[K] - Lse;
}

double svic_rt_lpdf_dirichlet(const double *X, const double *C, int64_t N, double *Gx, double *Gc) {
  // torch's simplex constraint: non-negative entries summing to 1 within 1e-6.
  double SumX = 0;
  bool InSupport = true;
  for (int64_t I = 0; I < N; ++I) {
    InSupport &= X[I] >= 0;
    SumX += X[I];
  }
  if (!InSupport || !(std::fabs(SumX - 1) < 1e-6)) {
    for (int64_t I = 0; I < N; ++I) {
      if (Gx)
        Gx[I] = 0;
      if (Gc)
        Gc[I] = 0;
    }
    return -Inf;
  }
  double SumC = 0, Lp = 0;
  for (int64_t I = 0; I < N; ++I) {
    SumC += C[I];
    Lp += xlogy(C[I] - 1, X[I]) - lgammaQ(C[I]);
  }
  Lp += lgammaQ(SumC);
  double DigSum = Gc ? digammaQ(SumC) : 0;
  for (int64_t I = 0; I < N; ++I) {
    if (Gx)
      Gx[I] = C[I] == 1 ? 0 : (C[I] - 1) / X[I];
    if (Gc)
      Gc[I] = std::log(X[I]) + DigSum - digammaQ(C[I]);
  }
  return Lp;
}

double svic_rt_sample_gamma(uint64_t Seed, uint64_t Step, uint64_t Sample, uint32_t Site,
                            uint32_t Elem, double Conc, double Rate) {
  Stream S(Seed, Step, Sample, Site, Elem);
  return S.gamma(Conc) / Rate;
}

double svic_rt_sample_beta(uint64_t Seed, uint64_t Step, uint64_t Sample, uint32_t Site,
                           uint32_t Elem, double C1, double C0) {
  // Both Gammas come from one stream, one after the other.
  Stream S(Seed, Step, Sample, Site, Elem);
  double X = S.gamma(C1);
  double Y = S.gamma(C0);
  // torch clamps Beta samples into [tiny, 1 - eps] so that log_prob stays finite.
  return std::min(std::max(X / (X + Y), DBL_MIN), 1 - DBL_EPSILON);
}

double svic_rt_sample_poisson(uint64_t Seed, uint64_t Step, uint64_t Sample, uint32_t Site,
                              uint32_t Elem, double Rate) {
  Stream S(Seed, Step, Sample, Site, Elem);
  return S.poisson(Rate);
}

void svic_rt_sample_dirichlet(uint64_t Seed, uint64_t Step, uint64_t Sample, uint32_t Site,
                              uint32_t Elem, const double *C, int64_t N, double *Out) {
  // Component j of event `Elem` draws from element Elem * n + j, so events of
  // one vectorised site never share a stream.
  double Sum = 0;
  for (int64_t J = 0; J < N; ++J) {
    Stream S(Seed, Step, Sample, Site, static_cast<uint32_t>(Elem * static_cast<uint64_t>(N) + J));
    Out[J] = S.gamma(C[J]);
    Sum += Out[J];
  }
  for (int64_t J = 0; J < N; ++J)
    Out[J] /= Sum;
}

void svic_rt_subsample(uint64_t Seed, uint64_t Step, uint64_t Sample, uint32_t Site, int64_t N, int64_t M,
                       double *Out) {
  // The shuffle works on an identity permutation kept per thread and undoes
  // its swaps afterwards, so a step costs O(m) and allocates nothing.
  thread_local std::vector<int64_t> Perm, Swapped;
  for (int64_t I = static_cast<int64_t>(Perm.size()); I < N; ++I)
    Perm.push_back(I);
  Swapped.clear();
  Stream S(Seed, Step, Sample, Site, 0);
  for (int64_t J = 0; J < M; ++J) {
    int64_t K = J + std::min<int64_t>(static_cast<int64_t>(S.uniform() * static_cast<double>(N - J)), N - J - 1);
    std::swap(Perm[J], Perm[K]);
    Swapped.push_back(K);
    Out[J] = static_cast<double>(Perm[J]);
  }
  for (int64_t J = M; J-- > 0;)
    std::swap(Perm[J], Perm[Swapped[J]]);
}

double svic_rt_lgamma(double X) { return lgammaQ(X); }
double svic_rt_digamma(double X) { return digammaQ(X); }

} // extern "C"
