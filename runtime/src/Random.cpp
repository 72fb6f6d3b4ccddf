//===- Random.cpp - Ziggurat tables and rejection samplers -----------------===//

#include "Random.h"

#include <boost/math/special_functions/gamma.hpp>

#include <cfloat>
#include <cmath>
#include <limits>

namespace svic::runtime::detail {

namespace {

/// Right edge of the base layer and the common layer area for 256 layers.
constexpr double ZigR = 3.6541528853610088;
constexpr double ZigV = 4.92867323399e-3;

ZigguratTables makeZiggurat() {
  ZigguratTables T;
  constexpr double M = 0x1p52;
  double Dn = ZigR, Tn = ZigR;
  double Q = ZigV / std::exp(-0.5 * Dn * Dn);
  T.K[0] = static_cast<uint64_t>(Dn / Q * M);
  T.K[1] = 0;
  T.W[0] = Q / M;
  T.W[255] = Dn / M;
  T.F[0] = 1;
  T.F[255] = std::exp(-0.5 * Dn * Dn);
  for (int I = 254; I >= 1; --I) {
    Dn = std::sqrt(-2 * std::log(ZigV / Dn + std::exp(-0.5 * Dn * Dn)));
    T.K[I + 1] = static_cast<uint64_t>(Dn / Tn * M);
    Tn = Dn;
    T.F[I] = std::exp(-0.5 * Dn * Dn);
    T.W[I] = Dn / M;
  }
  return T;
}

} // namespace

const ZigguratTables Ziggurat = makeZiggurat();

double Stream::normalSlow(unsigned Layer, double X, uint64_t U) {
  for (;;) {
    if (Layer == 0) {
      // The tail beyond R (Marsaglia 1964).
      double Xx, Yy;
      do {
        Xx = -std::log(uniform()) / ZigR;
        Yy = -std::log(uniform());
      } while (Yy + Yy <= Xx * Xx);
      return withSign(ZigR + Xx, U);
    }
    // The wedge between the layer's inner rectangle and the curve.
    if ((Ziggurat.F[Layer - 1] - Ziggurat.F[Layer]) * uniform() + Ziggurat.F[Layer] <
        std::exp(-0.5 * X * X))
      return withSign(X, U);
    U = next();
    Layer = U & 0xFF;
    uint64_t Abs = U >> 12;
    X = static_cast<double>(Abs) * Ziggurat.W[Layer];
    if (Abs < Ziggurat.K[Layer])
      return withSign(X, U);
  }
}

double Stream::gamma(double Conc) {
  if (!(Conc > 0))
    return std::numeric_limits<double>::quiet_NaN();
  // Marsaglia and Tsang (2000); for Conc < 1, G(Conc + 1) U^(1/Conc).
  double Boost = 1;
  if (Conc < 1) {
    Boost = std::exp(std::log(uniform()) / Conc);
    Conc += 1;
  }
  double D = Conc - 1.0 / 3, C = 1 / std::sqrt(9 * D);
  for (;;) {
    double X, V;
    do {
      X = normal();
      V = 1 + C * X;
    } while (V <= 0);
    V = V * V * V;
    double U = uniform();
    double X2 = X * X;
    if (U < 1 - 0.0331 * X2 * X2 || std::log(U) < 0.5 * X2 + D * (1 - V + std::log(V)))
      // torch clamps Gamma samples to the smallest normal double.
      return std::max(D * V * Boost, DBL_MIN);
  }
}

double Stream::poisson(double Rate) {
  if (!(Rate >= 0) || std::isinf(Rate))
    return std::numeric_limits<double>::quiet_NaN();
  if (Rate < 10) {
    // Inversion by sequential search: one uniform.
    double U = uniform();
    double P = std::exp(-Rate), Cdf = P;
    double K = 0;
    while (U > Cdf && P > 0) {
      K += 1;
      P *= Rate / K;
      Cdf += P;
    }
    return K;
  }
  // PTRS, transformed rejection with squeeze (Hoermann 1993).
  double SLam = std::sqrt(Rate), LogLam = std::log(Rate);
  double B = 0.931 + 2.53 * SLam;
  double A = -0.059 + 0.02483 * B;
  double InvAlpha = 1.1239 + 1.1328 / (B - 3.4);
  double Vr = 0.9277 - 3.6224 / (B - 2);
  for (;;) {
    double U = uniform() - 0.5;
    double V = uniform();
    double Us = 0.5 - std::fabs(U);
    double K = std::floor((2 * A / Us + B) * U + Rate + 0.43);
    if (Us >= 0.07 && V <= Vr)
      return K;
    if (K < 0 || (Us < 0.013 && V > Us))
      continue;
    if (std::log(V) + std::log(InvAlpha) - std::log(A / (Us * Us) + B) <=
        -Rate + K * LogLam - boost::math::lgamma(K + 1))
      return K;
  }
}

} // namespace svic::runtime::detail
