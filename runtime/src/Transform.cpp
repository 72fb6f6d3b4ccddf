//===- Transform.cpp - Pyro's biject_to for parameter constraints ------------===//
//
// Sigmoids are clipped into [tiny, 1 - eps] and their inverses clamp the same
// way, as torch's SigmoidTransform and StickBreakingTransform do, so that an
// optimised param never reaches the boundary exactly.
//
//===----------------------------------------------------------------------===//

#include "svic/runtime/Engine.h"

#include <cfloat>
#include <cmath>
#include <sstream>

namespace svic::runtime {

namespace {

double clippedSigmoid(double X) {
  double S = X >= 0 ? 1 / (1 + std::exp(-X)) : std::exp(X) / (1 + std::exp(X));
  return std::min(std::max(S, DBL_MIN), 1 - DBL_EPSILON);
}

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

/// The number of simplex events and their length n (unconstrained n - 1).
std::pair<int64_t, int64_t> simplexEvents(const ParamDesc &P) {
  int64_t N = P.Shape.empty() ? 1 : P.Shape.back();
  return {N ? numElements(P.Shape) / N : 0, N};
}

} // namespace

void toConstrained(const ParamDesc &P, const double *U, double *Out) {
  using K = Constraint::Kind;
  const Constraint &C = P.C;
  if (C.K == K::Simplex) {
    // StickBreakingTransform: z_i = sigmoid(x_i - log(n - 1 - i)),
    // y_i = z_i prod_{j<i} (1 - z_j), y_{n-1} = prod_j (1 - z_j).
    auto [Events, N] = simplexEvents(P);
    for (int64_t E = 0; E < Events; ++E) {
      const double *X = U + E * (N - 1);
      double *Y = Out + E * N;
      double Rest = 1;
      for (int64_t I = 0; I + 1 < N; ++I) {
        double Z = clippedSigmoid(X[I] - std::log(static_cast<double>(N - 1 - I)));
        Y[I] = Z * Rest;
        Rest *= 1 - Z;
      }
      Y[N - 1] = Rest;
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
    // Inverse stick breaking: x_i = log y_i - log(1 - sum_{j<=i} y_j) + log(n - 1 - i).
    auto [Events, N] = simplexEvents(P);
    for (int64_t E = 0; E < Events; ++E) {
      const double *Y = Values + E * N;
      double *X = Out + E * (N - 1);
      double Sum = 0;
      for (int64_t I = 0; I < N; ++I) {
        if (Y[I] < 0)
          outside(P, Y[I], "is negative, but the param is constrained to the simplex");
        Sum += Y[I];
      }
      if (!(std::fabs(Sum - 1) <= 1e-6))
        outside(P, Sum,
                "is the sum of an event, but the param is constrained to the simplex (sum 1)");
      double Cum = 0;
      for (int64_t I = 0; I + 1 < N; ++I) {
        Cum += Y[I];
        double Sf = std::max(1 - Cum, DBL_MIN);
        X[I] = std::log(Y[I]) - std::log(Sf) + std::log(static_cast<double>(N - 1 - I));
      }
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
