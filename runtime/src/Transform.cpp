//===- Transform.cpp - Pyro's param-store transforms for constraints ---------===//
//
// Pyro's param store keeps transform_to(constraint).inv(value): the same as
// biject_to except for the simplex, where it is torch's SoftmaxTransform (n
// unconstrained values per event, inverse log), not stick breaking. Sigmoids
// are clipped into [tiny, 1 - eps] and their inverses clamp the same way, as
// torch's SigmoidTransform does, so that an optimised param never reaches the
// boundary exactly.
//
//===----------------------------------------------------------------------===//

#include "svic/runtime/Engine.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <sstream>

namespace svic::runtime {

namespace {

double clippedSigmoid(double X) {
  double S = X >= 0 ? 1 / (1 + std::exp(-X)) : std::exp(X) / (1 + std::exp(X));
  return std::min(std::max(S, DBL_MIN), 1 - DBL_EPSILON);
}

/// torch.nn.functional.softplus with its default threshold, as Pyro's
/// SoftplusTransform calls it.
double softplus(double X) { return X > 20 ? X : std::log1p(std::exp(X)); }

/// Pyro's softplus_inv: y + log(-expm1(-y)).
double softplusInverse(double Y) { return Y + std::log(-std::expm1(-Y)); }

double clampedLogit(double Y) {
  Y = std::min(std::max(Y, DBL_MIN), 1 - DBL_EPSILON);
  return std::log(Y) - std::log1p(-Y);
}

[[noreturn]] void outside(const ParamDesc &P, double V, const std::string &Why) {
  std::ostringstream OS;
  OS.precision(17);
  OS << "param '" << P.Name << "': value " << V << " " << Why;
  throw RuntimeError(OS.str());
}

/// The number of simplex events and their length n.
std::pair<int64_t, int64_t> simplexEvents(const ParamDesc &P) {
  int64_t N = P.Shape.empty() ? 1 : P.Shape.back();
  return {N ? numElements(P.Shape) / N : 0, N};
}

} // namespace

void toConstrained(const ParamDesc &P, const double *U, double *Out) {
  using K = Constraint::Kind;
  const Constraint &C = P.C;
  if (C.K == K::Simplex) {
    // SoftmaxTransform: y = exp(x - max x) / sum exp(x - max x), per event.
    auto [Events, N] = simplexEvents(P);
    for (int64_t E = 0; E < Events; ++E) {
      const double *X = U + E * N;
      double *Y = Out + E * N;
      double Max = *std::max_element(X, X + N), Sum = 0;
      for (int64_t I = 0; I < N; ++I)
        Sum += Y[I] = std::exp(X[I] - Max);
      for (int64_t I = 0; I < N; ++I)
        Y[I] /= Sum;
    }
    return;
  }
  for (int64_t I = 0; I < P.Size; ++I) {
    double X = U[I];
    switch (C.K) {
    case K::Real:
      Out[I] = X;
      break;
    case K::Positive:
      Out[I] = std::exp(X);
      break;
    case K::SoftplusPositive:
      Out[I] = softplus(X);
      break;
    case K::GreaterThan:
      Out[I] = C.Low + std::exp(X);
      break;
    case K::Interval:
      Out[I] = C.Low + (C.High - C.Low) * clippedSigmoid(X);
      break;
    case K::UnitInterval:
      Out[I] = clippedSigmoid(X);
      break;
    case K::Simplex:
      break;
    }
  }
}

void toUnconstrained(const ParamDesc &P, const double *Values, double *Out) {
  using K = Constraint::Kind;
  const Constraint &C = P.C;
  int64_t Count = numElements(P.Shape);
  for (int64_t I = 0; I < Count; ++I)
    if (!std::isfinite(Values[I]))
      outside(P, Values[I], "is not finite");
  if (C.K == K::Simplex) {
    // SoftmaxTransform's inverse: x = log y. A zero entry would be -inf,
    // which no optimiser step can move; Pyro would store it all the same.
    auto [Events, N] = simplexEvents(P);
    for (int64_t E = 0; E < Events; ++E) {
      const double *Y = Values + E * N;
      double *X = Out + E * N;
      double Sum = 0;
      for (int64_t I = 0; I < N; ++I) {
        if (!(Y[I] > 0))
          outside(P, Y[I], "is not positive, but the param is constrained to the simplex (its unconstrained "
                           "value, log y, must be finite)");
        Sum += Y[I];
      }
      if (!(std::fabs(Sum - 1) <= 1e-6))
        outside(P, Sum,
                "is the sum of an event, but the param is constrained to the simplex (sum 1)");
      for (int64_t I = 0; I < N; ++I)
        X[I] = std::log(Y[I]);
    }
    return;
  }
  for (int64_t I = 0; I < Count; ++I) {
    double Y = Values[I];
    switch (C.K) {
    case K::Real:
      Out[I] = Y;
      break;
    case K::Positive:
      if (!(Y > 0))
        outside(P, Y, "is not positive");
      Out[I] = std::log(Y);
      break;
    case K::SoftplusPositive:
      if (!(Y > 0))
        outside(P, Y, "is not positive");
      Out[I] = softplusInverse(Y);
      break;
    case K::GreaterThan:
      if (!(Y > C.Low))
        outside(P, Y, "is not greater than " + std::to_string(C.Low));
      Out[I] = std::log(Y - C.Low);
      break;
    case K::Interval:
      if (!(Y >= C.Low && Y <= C.High))
        outside(P, Y,
                "is outside the interval [" + std::to_string(C.Low) + ", " +
                    std::to_string(C.High) + "]");
      Out[I] = clampedLogit((Y - C.Low) / (C.High - C.Low));
      break;
    case K::UnitInterval:
      if (!(Y >= 0 && Y <= 1))
        outside(P, Y, "is outside the unit interval");
      Out[I] = clampedLogit(Y);
      break;
    case K::Simplex:
      break;
    }
  }
}

std::vector<double> initialUnconstrained(const Descriptor &D) {
  std::vector<double> U(static_cast<size_t>(D.ParamDoubles), 0.0);
  for (const ParamDesc &P : D.Params)
    toUnconstrained(P, P.Init.data(), U.data() + P.Offset);
  return U;
}

} // namespace svic::runtime
