//===- interval_test.cpp - The interval domain and its transfer functions --===//
///
/// Every transfer function gets (1) precision checks on the intervals the
/// benchmarks need and (2) soundness spot checks: concrete points sampled in
/// the input intervals (closed bounds, points just inside open bounds, huge
/// values for infinite bounds, random interior points), the concrete function
/// applied, and membership of the result checked. Concrete results are
/// computed in double, so membership is checked in the closure of the
/// abstract result (rounding may land exactly on an open bound).
//===----------------------------------------------------------------------===//

#include "svic/analysis/Interval.h"

#include "svic/ir/Table.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <vector>

using svic::analysis::Interval;
namespace ival = svic::analysis::ival;

namespace {

constexpr double Inf = std::numeric_limits<double>::infinity();

Interval I(double Lo, double Hi) { return Interval::closed(Lo, Hi); }
Interval O(double Lo, double Hi) { return Interval::open(Lo, Hi); }
Interval LO(double Lo, double Hi) { return Interval::make(Lo, true, Hi, false); } // (lo, hi]
Interval RO(double Lo, double Hi) { return Interval::make(Lo, false, Hi, true); } // [lo, hi)
Interval Pt(double V) { return Interval::point(V); }
Interval Z(double Lo, double Hi) { return Interval::integers(Lo, Hi); }

/// Concrete points of \p A: the closed bounds, points just inside open
/// bounds, large values toward infinite bounds and random interior points.
std::vector<double> samples(const Interval &A, std::mt19937 &G, int Random = 40) {
  std::vector<double> S;
  if (A.isBottom())
    return S;
  double Lo = A.lo(), Hi = A.hi();
  double ELo = std::isinf(Lo) ? -1e6 : Lo, EHi = std::isinf(Hi) ? 1e6 : Hi;
  auto Add = [&](double V) {
    if (A.isIntegral())
      V = std::round(V);
    if (A.contains(V))
      S.push_back(V);
  };
  Add(Lo);
  Add(Hi);
  Add(std::nextafter(Lo, Inf));
  Add(std::nextafter(Hi, -Inf));
  for (double D : {1e-300, 1e-12, 1e-6, 0.25, 1.0, 3.0})
    Add(ELo + D), Add(EHi - D);
  if (std::isinf(Lo))
    for (double V : {-1e300, -1e30, -700.0, -40.0, -1.0})
      Add(V);
  if (std::isinf(Hi))
    for (double V : {1e300, 1e30, 700.0, 40.0, 1.0})
      Add(V);
  for (double V : {-1.0, -0.5, 0.0, 0.5, 1.0, 2.0})
    Add(V);
  std::uniform_real_distribution<double> U(0, 1);
  for (int K = 0; K < Random; ++K)
    Add(ELo + (EHi - ELo) * U(G));
  if (S.empty() && A.pointValue())
    S.push_back(*A.pointValue());
  return S;
}

/// V is in A or on one of its bounds (rounding of the concrete evaluation).
bool inClosure(const Interval &A, double V) {
  if (A.contains(V))
    return true;
  if (A.isBottom() || std::isnan(V))
    return false;
  if (A.isIntegral() && std::floor(V) != V)
    return false;
  return V == A.lo() || V == A.hi() || (V >= A.lo() && V <= A.hi());
}

struct Sound {
  std::mt19937 G{12345};

  void unary(const char *Name, const std::function<Interval(const Interval &)> &Abs,
             const std::function<double(double)> &Conc, const std::vector<Interval> &Inputs) {
    for (const Interval &A : Inputs) {
      Interval R = Abs(A);
      if (R.isTop())
        continue; // top holds everything (and stands for NaN/inf outside the domain)
      for (double X : samples(A, G)) {
        double Y = Conc(X);
        EXPECT_TRUE(inClosure(R, Y))
            << Name << "(" << X << ") = " << Y << " not in " << R.str() << " = " << Name << A.str();
      }
    }
  }

  void binary(const char *Name,
              const std::function<Interval(const Interval &, const Interval &)> &Abs,
              const std::function<double(double, double)> &Conc,
              const std::vector<Interval> &Inputs) {
    for (const Interval &A : Inputs)
      for (const Interval &B : Inputs) {
        Interval R = Abs(A, B);
        if (R.isTop())
          continue;
        auto SA = samples(A, G, 8), SB = samples(B, G, 8);
        for (double X : SA)
          for (double Y : SB) {
            double Z = Conc(X, Y);
            if (std::isnan(Z))
              ADD_FAILURE() << Name << "(" << X << ", " << Y << ") is NaN but " << R.str()
                            << " is not top";
            else
              EXPECT_TRUE(inClosure(R, Z))
                  << Name << "(" << X << ", " << Y << ") = " << Z << " not in " << R.str()
                  << " from " << A.str() << ", " << B.str();
          }
      }
  }
};

/// A spread of inputs: signs, open/closed bounds, points, unbounded, integral.
std::vector<Interval> inputs() {
  return {Interval::top(),
          Interval::positive(),
          Interval::nonNegative(),
          Interval::negative(),
          Interval::nonPositive(),
          O(0, 1),
          I(0, 1),
          LO(0, 1),
          RO(0, 1),
          O(-1, 1),
          I(-2, 3),
          I(-3, -1),
          Pt(0),
          Pt(1),
          Pt(-1),
          Pt(2.5),
          I(0.5, 4),
          O(1, Inf),
          I(-1e3, 1e3),
          Z(0, 5),
          Z(-3, 3),
          Z(1, Inf),
          I(1e-10, 1e-5),
          RO(-Inf, -0.5)};
}

double sigmoid(double X) { return 1 / (1 + std::exp(-X)); }
double softplus(double X) { return X > 20 ? X : std::log1p(std::exp(X)); }

} // namespace

//===-- Representation -------------------------------------------------------===//

TEST(IntervalRepr, DistinguishesPositiveNonNegativeZero) {
  Interval Pos = Interval::positive(), NonNeg = Interval::nonNegative(), Zero = Pt(0);
  EXPECT_TRUE(Pos.isPositive());
  EXPECT_FALSE(NonNeg.isPositive());
  EXPECT_TRUE(NonNeg.isNonNegative());
  EXPECT_TRUE(Zero.isZero());
  EXPECT_TRUE(Pos.leq(NonNeg));
  EXPECT_FALSE(NonNeg.leq(Pos));
  EXPECT_TRUE(Zero.leq(NonNeg));
  EXPECT_FALSE(Zero.leq(Pos));
  EXPECT_TRUE(Pos.meet(Zero).isBottom());
  EXPECT_EQ(Pos.join(Zero), NonNeg);
  EXPECT_FALSE(Pos.contains(0));
  EXPECT_TRUE(NonNeg.contains(0));
}

TEST(IntervalRepr, NormalForm) {
  EXPECT_TRUE(Interval::make(1, true, 1, false).isBottom());
  EXPECT_TRUE(Interval::make(2, false, 1, false).isBottom());
  EXPECT_TRUE(Interval::make(Inf, false, Inf, false).isBottom());
  EXPECT_EQ(Interval::make(-Inf, false, Inf, false), Interval::top());
  EXPECT_EQ(Interval::make(-0.0, false, 1, false), I(0, 1));
  EXPECT_TRUE(std::signbit(I(-0.0, 0).lo()) == false);
  // integral: bounds move inwards to integers
  EXPECT_EQ(Interval::make(0, true, 3.5, false, true), Z(1, 3));
  EXPECT_EQ(Interval::make(0.2, false, 3, true, true), Z(1, 2));
  EXPECT_TRUE(Interval::make(0.2, false, 0.8, false, true).isBottom());
  // integer points are integral
  EXPECT_TRUE(Pt(3).isIntegral());
  EXPECT_FALSE(Pt(3.5).isIntegral());
  EXPECT_EQ(Pt(3), Z(3, 3));
  EXPECT_EQ(Interval::bottom(), Interval::make(5, false, 4, false));
  EXPECT_EQ(Pt(2).pointValue(), std::optional<double>(2));
  EXPECT_FALSE(I(1, 2).isPoint());
  EXPECT_EQ(I(0, 1).str(), "[0, 1]");
  EXPECT_EQ(Interval::positive().str(), "(0, inf)");
  EXPECT_EQ(Z(0, 2).str(), "Z[0, 2]");
  EXPECT_EQ(Interval::bottom().str(), "bot");
}

TEST(IntervalRepr, NonFinitePointsAreTop) {
  // inf and nan are values, just not reals: never the empty set.
  const double Inf = std::numeric_limits<double>::infinity();
  EXPECT_TRUE(Interval::point(Inf).isTop());
  EXPECT_TRUE(Interval::point(-Inf).isTop());
  EXPECT_TRUE(Interval::point(std::nan("")).isTop());
  EXPECT_FALSE((Interval::point(1) - Interval::point(Inf)).isBottom());
}

TEST(IntervalRepr, Queries) {
  EXPECT_TRUE(O(0, 1).allGreaterThan(0));
  EXPECT_FALSE(I(0, 1).allGreaterThan(0));
  EXPECT_TRUE(I(0, 1).allAtLeast(0));
  EXPECT_TRUE(O(-1, 2).allGreaterThan(-1));
  EXPECT_TRUE(RO(0, 1).allLessThan(1));
  EXPECT_FALSE(I(0, 1).allLessThan(1));
  EXPECT_TRUE(I(0, 1).allAtMost(1));
  EXPECT_TRUE(Interval::bottom().isPositive()); // vacuous
  EXPECT_TRUE(Z(0, 3).contains(2));
  EXPECT_FALSE(Z(0, 3).contains(2.5));
  EXPECT_TRUE(Interval::negative().isNegative());
  EXPECT_TRUE(Interval::nonPositive().isNonPositive());
  EXPECT_TRUE(O(-1, 0).excludesZero());
}

TEST(IntervalRepr, ValueRangeColumn) {
  using svic::ir::ValueRange;
  EXPECT_EQ(Interval::ofValueRange(ValueRange::Positive), Interval::positive());
  EXPECT_EQ(Interval::ofValueRange(ValueRange::NonNegative), Interval::nonNegative());
  EXPECT_EQ(Interval::ofValueRange(ValueRange::OpenUnit), O(0, 1));
  EXPECT_EQ(Interval::ofValueRange(ValueRange::ClosedUnit), I(0, 1));
  EXPECT_EQ(Interval::ofValueRange(ValueRange::HalfOpenUnit), RO(0, 1));
  EXPECT_EQ(Interval::ofValueRange(ValueRange::OpenSymmetricUnit), O(-1, 1));
  EXPECT_EQ(Interval::ofValueRange(ValueRange::ClosedSymmetricUnit), I(-1, 1));
  EXPECT_EQ(Interval::ofValueRange(ValueRange::Zero), Pt(0));
  EXPECT_EQ(Interval::ofValueRange(ValueRange::One), Pt(1));
  EXPECT_EQ(Interval::ofValueRange(ValueRange::Integer), Z(-Inf, Inf));
  EXPECT_TRUE(Interval::ofValueRange(ValueRange::Any).isTop());
  EXPECT_TRUE(Interval::ofValueRange(ValueRange::SameSign).isTop());
}

//===-- Lattice operations (specific cases; laws are in lattice_laws_test) -----===//

TEST(IntervalLattice, JoinMeetOpenness) {
  EXPECT_EQ(O(0, 1).join(I(1, 2)), LO(0, 2));
  EXPECT_EQ(O(0, 1).join(O(0, 1)), O(0, 1));
  EXPECT_EQ(O(0, 1).join(RO(0, 1)), RO(0, 1));
  EXPECT_EQ(I(0, 1).meet(O(0, 2)), LO(0, 1));
  EXPECT_TRUE(O(0, 1).meet(I(1, 2)).isBottom());
  EXPECT_EQ(Z(0, 3).join(Pt(0.5)), I(0, 3));
  EXPECT_EQ(Z(0, 3).meet(O(0, 2.5)), Z(1, 2));
  EXPECT_TRUE(Interval::bottom().join(Pt(1)) == Pt(1));
}

TEST(IntervalLattice, WideningThresholds) {
  // Lower bounds fall to the ladder (1, [1, (0, [0, (-1, [-1, -inf.
  EXPECT_EQ(I(1, 2).widen(I(0.5, 2)), LO(0, 2));
  EXPECT_EQ(LO(0, 2).widen(I(0, 2)), I(0, 2));
  EXPECT_EQ(I(0, 2).widen(I(-0.5, 2)), LO(-1, 2));
  EXPECT_EQ(I(-1, 2).widen(I(-5, 2)), Interval::atMost(2));
  // Upper bounds rise to 0), 0], 1), 1], inf.
  EXPECT_EQ(I(-2, -1).widen(I(-2, -0.5)), RO(-2, 0));
  EXPECT_EQ(O(0, 0.5).widen(O(0, 0.75)), O(0, 1));
  EXPECT_EQ(I(0, 1).widen(I(0, 2)), Interval::nonNegative());
  // Stable bounds stay.
  EXPECT_EQ(I(0, 5).widen(I(1, 4)), I(0, 5));
  // A positive counter stays positive.
  EXPECT_EQ(I(1, 1).widen(I(1, 2)), Interval::atLeast(1));
  EXPECT_TRUE(O(0, 1).widen(O(0, 3)).isPositive());
}

TEST(IntervalLattice, Narrowing) {
  EXPECT_EQ(Interval::nonNegative().narrow(I(0, 10)), I(0, 10));
  EXPECT_EQ(I(0, 1).narrow(I(0.5, 0.75)), I(0.5, 0.75)); // threshold bounds refine
  EXPECT_EQ(I(0.3, 7).narrow(I(0.5, 6)), I(0.3, 7));     // others do not
  EXPECT_EQ(Interval::top().narrow(Z(0, 9)), Z(0, 9));
  EXPECT_TRUE(I(0, 1).narrow(Interval::bottom()).isBottom());
}

//===-- Arithmetic ----------------------------------------------------------===//

TEST(IntervalArith, AddSub) {
  EXPECT_EQ(O(0, 1) + O(0, 1), O(0, 2));
  EXPECT_EQ(Interval::positive() + Pt(0.5), Interval::greaterThan(0.5));
  EXPECT_EQ(Interval::positive() + Interval::nonNegative(), Interval::positive());
  EXPECT_EQ(Pt(1) - O(0, 1), O(0, 1)); // dpmm: 1 - beta
  EXPECT_EQ(Pt(1) - I(0, 1), I(0, 1));
  EXPECT_EQ(Z(0, 3) + Z(1, 2), Z(1, 5));
  EXPECT_EQ(-LO(0, 1), RO(-1, 0));
  // outward rounding: 0.1 + 0.2 is not exact
  Interval S = Pt(0.1) + Pt(0.2);
  EXPECT_TRUE(S.contains(0.1 + 0.2) || S.lo() <= 0.1 + 0.2);
  EXPECT_LT(S.lo(), S.hi());
  EXPECT_TRUE(S.loOpen() && S.hiOpen());
  // exact sums stay points
  EXPECT_EQ(Pt(0.5) + Pt(0.25), Pt(0.75));
  EXPECT_EQ(Pt(1) - Pt(1), Pt(0));
  // overflow: the lower bound stays finite and below the true sum
  Interval Big = Pt(1e308) + Pt(1e308);
  EXPECT_TRUE(Big.isPositive());
  EXPECT_EQ(Big.hi(), Inf);

  Sound S2;
  S2.binary(
      "add", [](auto &A, auto &B) { return A + B; }, [](double X, double Y) { return X + Y; },
      inputs());
  S2.binary(
      "sub", [](auto &A, auto &B) { return A - B; }, [](double X, double Y) { return X - Y; },
      inputs());
  S2.unary(
      "neg", [](auto &A) { return -A; }, [](double X) { return -X; }, inputs());
}

TEST(IntervalArith, Mul) {
  EXPECT_EQ(O(0, 1) * O(0, 1), O(0, 1));
  EXPECT_EQ(LO(0, 1) * LO(0, 1), LO(0, 1)); // dpmm: pad(.., 1) * pad(.., 1)
  EXPECT_EQ(Interval::positive() * Interval::positive(), Interval::positive());
  EXPECT_EQ(Interval::positive() * Interval::negative(), Interval::negative());
  EXPECT_EQ(Interval::nonNegative() * Interval::positive(), Interval::nonNegative());
  EXPECT_EQ(Pt(0) * Interval::top(), Pt(0));
  EXPECT_EQ(I(-1, 2) * I(3, 4), I(-4, 8));
  EXPECT_EQ(O(0, 1) * Interval::top(), Interval::top());
  EXPECT_EQ(Z(-2, 3) * Z(1, 2), Z(-4, 6));
  // underflow: the product of two tiny positives is still positive
  EXPECT_TRUE((Pt(1e-200) * Pt(1e-200)).isPositive());
  Sound S;
  S.binary(
      "mul", [](auto &A, auto &B) { return A * B; }, [](double X, double Y) { return X * Y; },
      inputs());
}

TEST(IntervalArith, Div) {
  EXPECT_EQ(Pt(1) / Interval::positive(), Interval::positive());
  EXPECT_EQ(Interval::positive() / Interval::positive(),
            Interval::positive());                                 // sgdef alpha / mean
  EXPECT_EQ(Pt(0.1) / Interval::positive(), Interval::positive()); // sgdef beta / mean
  EXPECT_EQ(I(0, 1) / LO(0, 1), Interval::nonNegative());
  EXPECT_EQ(Pt(1) / I(2, 4), I(0.25, 0.5));
  EXPECT_EQ(Pt(-1) / Interval::negative(), Interval::positive());
  EXPECT_EQ(O(-1, 1) / LO(0, 1), Interval::top());
  EXPECT_EQ(Pt(6) / Pt(3), Pt(2));
  EXPECT_FALSE((Pt(6) / Pt(3)).isIntegral() && false);
  // a divisor that may be 0 gives top (air: out / z_where[:, 0:1])
  EXPECT_TRUE((Pt(1) / Interval::top()).isTop());
  EXPECT_TRUE((Pt(1) / I(0, 1)).isTop());
  EXPECT_TRUE((Pt(0) / Pt(0)).isTop());
  // 1 / 3 is not exact
  Interval T = Pt(1) / Pt(3);
  EXPECT_TRUE(T.loOpen() && T.hiOpen());
  EXPECT_TRUE(T.lo() < 1.0 / 3 + 1e-15 && T.hi() > 1.0 / 3 - 1e-15);
  Sound S;
  S.binary(
      "div", [](auto &A, auto &B) { return A / B; }, [](double X, double Y) { return X / Y; },
      inputs());
}

TEST(IntervalArith, FloorDivMod) {
  EXPECT_EQ(ival::floorDiv(Z(0, 10), Pt(3)), Z(0, 3));
  EXPECT_TRUE(ival::floorDiv(Pt(1), I(0, 1)).isTop());
  EXPECT_EQ(ival::mod(Z(0, 100), Pt(7)), Z(0, 6));
  EXPECT_EQ(ival::mod(Z(0, 3), Pt(7)), Z(0, 3));
  EXPECT_EQ(ival::mod(I(-5, 5), Pt(2)), RO(0, 2));
  EXPECT_EQ(ival::mod(I(-5, 5), Pt(-2)), LO(-2, 0));
  EXPECT_TRUE(ival::mod(Pt(1), Interval::top()).isTop());
  Sound S;
  // Python's float floor division (exact where x / y underflows).
  auto PyFloorDiv = [](double X, double Y) {
    double M = std::fmod(X, Y);
    double D = (X - M) / Y;
    if (M != 0 && ((Y < 0) != (M < 0)))
      D -= 1;
    double F = std::floor(D);
    return D - F > 0.5 ? F + 1 : F;
  };
  S.binary("floordiv", ival::floorDiv, PyFloorDiv, inputs());
  S.binary(
      "mod", ival::mod,
      [](double X, double Y) {
        double R = std::fmod(X, Y);
        return (R != 0 && ((R < 0) != (Y < 0))) ? R + Y : R;
      },
      inputs());
}

TEST(IntervalArith, PowIntegerExponent) {
  EXPECT_EQ(ival::pow(I(-2, 3), Pt(2)), I(0, 9));
  EXPECT_EQ(ival::pow(O(-2, 1), Pt(2)), RO(0, 4));
  EXPECT_EQ(ival::pow(I(-2, 3), Pt(3)), I(-8, 27));
  EXPECT_EQ(ival::pow(Interval::top(), Pt(2)), Interval::nonNegative());
  EXPECT_EQ(ival::pow(Interval::top(), Pt(0)), Pt(1));
  EXPECT_EQ(ival::pow(Interval::positive(), Pt(-1)), Interval::positive());
  EXPECT_EQ(ival::pow(I(2, 4), Pt(-2)), I(1.0 / 16, 0.25));
  EXPECT_TRUE(ival::pow(I(-1, 1), Pt(-1)).isTop());
  EXPECT_EQ(ival::pow(Z(0, 3), Pt(2)), Z(0, 9));
  EXPECT_EQ(ival::pow(Pt(5), Pt(0.5)).contains(std::sqrt(5.0)), true);
  Sound S;
  std::vector<Interval> Exps = {Pt(0), Pt(1), Pt(2), Pt(3), Pt(4), Pt(-1), Pt(-2), Pt(-3), Pt(7)};
  for (const Interval &E : Exps)
    S.unary(
        "pow_int", [&](auto &A) { return ival::pow(A, E); },
        [&](double X) { return std::pow(X, *E.pointValue()); }, inputs());
}

TEST(IntervalArith, PowRealExponent) {
  EXPECT_EQ(ival::pow(Interval::nonNegative(), Pt(0.5)), Interval::nonNegative());
  EXPECT_EQ(ival::pow(Interval::positive(), Pt(0.5)), Interval::positive());
  EXPECT_TRUE(ival::pow(I(-1, 1), Pt(0.5)).isTop()); // negative base, fractional power
  EXPECT_EQ(ival::pow(Interval::positive(), Pt(-0.5)), Interval::positive());
  EXPECT_TRUE(ival::pow(Interval::nonNegative(), Pt(-0.5)).isTop());
  EXPECT_EQ(ival::pow(I(0, 1), Pt(1.5)), I(0, 1));
  // a general exponent on a positive base: exp(b log a) > 0
  EXPECT_TRUE(ival::pow(Interval::positive(), Interval::top()).isPositive());
  EXPECT_TRUE(ival::pow(I(-1, 1), I(1, 2)).isTop());
  EXPECT_EQ(ival::pow(I(0, 1), I(1, 2)).isNonNegative(), true);
  Sound S;
  for (double E : {0.5, 1.5, -0.5, -2.5, 0.1, 3.7})
    S.unary(
        "pow_real", [&](auto &A) { return ival::pow(A, Pt(E)); },
        [&](double X) { return std::pow(X, E); }, inputs());
  S.binary(
      "pow", ival::pow, [](double X, double Y) { return std::pow(X, Y); },
      {Interval::positive(), O(0, 1), I(0.5, 4), I(0, 2), I(1, 2), Pt(2), O(1, Inf), I(-1, 1)});
}

TEST(IntervalFunctions, ExpLog) {
  EXPECT_EQ(ival::exp(Interval::top()), Interval::positive());
  EXPECT_EQ(ival::exp(Pt(0)), Pt(1));
  EXPECT_EQ(ival::exp(Interval::nonPositive()), LO(0, 1));
  EXPECT_TRUE(ival::exp(I(-1e6, 0)).isPositive());
  EXPECT_EQ(ival::log(Pt(1)), Pt(0));
  EXPECT_EQ(ival::log(LO(0, 1)), Interval::nonPositive());
  EXPECT_EQ(ival::log(O(0, 1)), Interval::negative());
  EXPECT_TRUE(ival::log(I(0, 1)).isTop()); // log 0 is not a real
  EXPECT_TRUE(ival::log(I(-1, 1)).isTop());
  EXPECT_TRUE(ival::log(O(1, Inf)).isPositive());
  EXPECT_EQ(ival::expm1(Interval::top()), Interval::greaterThan(-1));
  EXPECT_EQ(ival::expm1(Pt(0)), Pt(0));
  EXPECT_EQ(ival::log1p(Interval::nonNegative()), Interval::nonNegative());
  EXPECT_TRUE(ival::log1p(I(-1, 0)).isTop());
  EXPECT_EQ(ival::log1p(O(-1, 0)), Interval::negative());
  Sound S;
  S.unary(
      "exp", ival::exp, [](double X) { return std::exp(X); }, inputs());
  S.unary(
      "expm1", ival::expm1, [](double X) { return std::expm1(X); }, inputs());
  S.unary(
      "log", ival::log, [](double X) { return std::log(X); }, inputs());
  S.unary(
      "log1p", ival::log1p, [](double X) { return std::log1p(X); }, inputs());
}

TEST(IntervalFunctions, SqrtRsqrt) {
  EXPECT_EQ(ival::sqrt(Interval::nonNegative()), Interval::nonNegative());
  EXPECT_EQ(ival::sqrt(Interval::positive()), Interval::positive());
  EXPECT_EQ(ival::sqrt(I(4, 9)), I(2, 3));
  EXPECT_TRUE(ival::sqrt(I(-1, 1)).isTop());
  Interval S2 = ival::sqrt(Pt(2));
  EXPECT_TRUE(S2.lo() < std::sqrt(2.0) + 1e-15 && S2.hi() > std::sqrt(2.0) - 1e-15);
  EXPECT_EQ(ival::rsqrt(Interval::positive()), Interval::positive());
  EXPECT_TRUE(ival::rsqrt(Interval::nonNegative()).isTop());
  EXPECT_EQ(ival::rsqrt(I(4, 16)), I(0.25, 0.5));
  Sound S;
  S.unary(
      "sqrt", ival::sqrt, [](double X) { return std::sqrt(X); }, inputs());
  S.unary(
      "rsqrt", ival::rsqrt, [](double X) { return 1 / std::sqrt(X); }, inputs());
}

TEST(IntervalFunctions, SquashingFunctions) {
  EXPECT_EQ(ival::sigmoid(Interval::top()), O(0, 1));
  EXPECT_TRUE(ival::sigmoid(Pt(0)).contains(0.5));
  EXPECT_TRUE(ival::sigmoid(Interval::positive()).allGreaterThan(0.5 - 1e-12));
  EXPECT_EQ(ival::tanh(Interval::top()), O(-1, 1));
  EXPECT_EQ(ival::tanh(Pt(0)), Pt(0));
  EXPECT_EQ(ival::tanh(Interval::positive()), O(0, 1));
  EXPECT_EQ(ival::erf(Interval::top()), O(-1, 1));
  EXPECT_EQ(ival::erf(Interval::nonNegative()), RO(0, 1));
  EXPECT_EQ(ival::softplus(Interval::top()), Interval::positive());
  EXPECT_TRUE(ival::softplus(Pt(25)).contains(25)); // torch's linear regime
  EXPECT_TRUE(ival::softplus(I(-3, 5)).isPositive());
  EXPECT_TRUE(ival::softplus(O(2, 3)).allGreaterThan(2));
  Sound S;
  S.unary("sigmoid", ival::sigmoid, sigmoid, inputs());
  S.unary(
      "tanh", ival::tanh, [](double X) { return std::tanh(X); }, inputs());
  S.unary(
      "erf", ival::erf, [](double X) { return std::erf(X); }, inputs());
  S.unary("softplus", ival::softplus, softplus, inputs());
}

TEST(IntervalFunctions, PiecewiseLinear) {
  EXPECT_EQ(ival::relu(Interval::top()), Interval::nonNegative());
  EXPECT_EQ(ival::relu(O(-1, 2)), RO(0, 2));
  EXPECT_EQ(ival::relu(O(0.5, 2)), O(0.5, 2));
  EXPECT_EQ(ival::relu(Interval::negative()), Pt(0));
  EXPECT_EQ(ival::abs(I(-3, 2)), I(0, 3));
  EXPECT_EQ(ival::abs(O(-3, 2)), RO(0, 3));
  EXPECT_EQ(ival::abs(O(-2, -1)), O(1, 2));
  EXPECT_EQ(ival::abs(Interval::top()), Interval::nonNegative());
  EXPECT_EQ(ival::elu(Interval::top()), Interval::greaterThan(-1));
  EXPECT_EQ(ival::elu(Interval::positive()), Interval::positive());
  EXPECT_EQ(ival::leakyRelu(I(-1, 1), 0.1), I(-0.1, 1));
  EXPECT_EQ(ival::sign(Interval::positive()), Pt(1));
  EXPECT_EQ(ival::sign(Interval::nonNegative()), Z(0, 1));
  EXPECT_EQ(ival::sign(Interval::top()), Z(-1, 1));
  Sound S;
  S.unary(
      "relu", ival::relu, [](double X) { return X > 0 ? X : 0.0; }, inputs());
  S.unary(
      "abs", ival::abs, [](double X) { return std::fabs(X); }, inputs());
  S.unary(
      "elu", ival::elu, [](double X) { return X > 0 ? X : std::expm1(X); }, inputs());
  S.unary(
      "leaky_relu", [](auto &A) { return ival::leakyRelu(A, 0.01); },
      [](double X) { return X >= 0 ? X : 0.01 * X; }, inputs());
  S.unary(
      "sign", ival::sign, [](double X) { return X > 0 ? 1.0 : (X < 0 ? -1.0 : 0.0); }, inputs());
}

TEST(IntervalFunctions, MinMaxClamp) {
  EXPECT_EQ(ival::max(O(0, 1), I(0.5, 2)), I(0.5, 2));
  EXPECT_EQ(ival::max(O(0, 1), RO(0, 1)), O(0, 1));
  EXPECT_EQ(ival::min(Interval::positive(), Pt(1)), LO(0, 1));
  EXPECT_EQ(ival::min(I(-1, 1), I(0, 2)), I(-1, 1));
  Interval Lo = Pt(1e-3), Hi = Pt(1);
  EXPECT_EQ(ival::clamp(Interval::top(), &Lo, nullptr), Interval::atLeast(1e-3));
  EXPECT_EQ(ival::clamp(Interval::top(), &Lo, &Hi), I(1e-3, 1));
  EXPECT_EQ(ival::clamp(Interval::top(), nullptr, &Hi), Interval::atMost(1));
  Sound S;
  S.binary(
      "max", ival::max, [](double X, double Y) { return std::max(X, Y); }, inputs());
  S.binary(
      "min", ival::min, [](double X, double Y) { return std::min(X, Y); }, inputs());
  S.binary(
      "clamp_min", [](auto &A, auto &B) { return ival::clamp(A, &B, nullptr); },
      [](double X, double Y) { return std::max(X, Y); }, inputs());
  for (const Interval &M : {Pt(0), Pt(1), I(1, 2)})
    S.binary(
        "clamp", [&](auto &A, auto &B) { return ival::clamp(A, &B, &M); },
        [&](double X, double Y) {
          // torch.clamp(x, lo, hi) = min(max(x, lo), hi) for each hi in M
          return std::min(std::max(X, Y), M.lo());
        },
        {I(-2, 3), O(0, 1), Interval::top(), Pt(0.5)});
}

TEST(IntervalFunctions, Rounding) {
  EXPECT_EQ(ival::floor(O(0, 1)), Pt(0));
  EXPECT_EQ(ival::floor(I(0.5, 2)), Z(0, 2));
  EXPECT_EQ(ival::floor(RO(0, 2)), Z(0, 1));
  EXPECT_EQ(ival::ceil(O(0, 1)), Pt(1));
  EXPECT_EQ(ival::ceil(LO(0, 2)), Z(1, 2));
  EXPECT_EQ(ival::round(I(0.6, 1.4)), Pt(1));
  EXPECT_EQ(ival::round(I(0, 1)), Z(0, 1));
  EXPECT_EQ(ival::trunc(O(-1.5, 1.5)), Z(-1, 1));
  EXPECT_EQ(ival::trunc(O(0, 1)), Pt(0));
  EXPECT_EQ(ival::floor(Interval::top()), Z(-Inf, Inf));
  Sound S;
  S.unary(
      "floor", ival::floor, [](double X) { return std::floor(X); }, inputs());
  S.unary(
      "ceil", ival::ceil, [](double X) { return std::ceil(X); }, inputs());
  S.unary(
      "round", ival::round, [](double X) { return std::nearbyint(X); }, inputs());
  S.unary(
      "round_half_away", ival::round, [](double X) { return std::round(X); }, inputs());
  S.unary(
      "trunc", ival::trunc, [](double X) { return std::trunc(X); }, inputs());
}

TEST(IntervalFunctions, Reductions) {
  EXPECT_EQ(ival::sumOf(O(0, 1)), Interval::positive());
  EXPECT_EQ(ival::sumOf(I(0, 1)), Interval::nonNegative());
  EXPECT_EQ(ival::sumOf(Pt(0)), Pt(0));
  EXPECT_EQ(ival::sumOf(O(-1, 0)), Interval::negative());
  EXPECT_TRUE(ival::sumOf(O(-1, 1)).isTop());
  EXPECT_EQ(ival::sumOf(Z(0, 1)), Z(0, Inf));
  EXPECT_EQ(ival::productOf(O(0, 1)), LO(0, 1)); // dpmm: cumprod(1 - beta)
  EXPECT_EQ(ival::productOf(I(0, 1)), I(0, 1));
  EXPECT_EQ(ival::productOf(Interval::positive()), Interval::positive());
  EXPECT_EQ(ival::productOf(O(1, 3)), O(1, Inf));
  EXPECT_EQ(ival::productOf(O(-1, 1)), I(-1, 1));
  EXPECT_TRUE(ival::productOf(I(-2, 1)).isTop());
  EXPECT_EQ(ival::matmul(Interval::positive(), Interval::positive()),
            Interval::positive()); // sgdef
  EXPECT_EQ(ival::matmul(Interval::positive(), Interval::nonNegative()), Interval::nonNegative());
  EXPECT_TRUE(ival::matmul(Interval::positive(), Interval::top()).isTop());
  // Soundness: sums and products of 1..5 sampled elements.
  std::mt19937 G(7);
  for (const Interval &A : inputs()) {
    Interval Sum = ival::sumOf(A), Prod = ival::productOf(A);
    auto Pts = samples(A, G, 10);
    if (Pts.empty())
      continue;
    std::uniform_int_distribution<size_t> Pick(0, Pts.size() - 1);
    for (int Trial = 0; Trial < 200; ++Trial) {
      int N = 1 + Trial % 5;
      double S = 0, P = 1;
      for (int K = 0; K < N; ++K) {
        double V = Pts[Pick(G)];
        S += V;
        P *= V;
      }
      if (!Sum.isTop() && std::isfinite(S)) {
        EXPECT_TRUE(inClosure(Sum, S)) << S << " not in sumOf" << A.str() << " = " << Sum.str();
      }
      if (!Prod.isTop() && std::isfinite(P)) {
        EXPECT_TRUE(inClosure(Prod, P))
            << P << " not in productOf" << A.str() << " = " << Prod.str();
      }
    }
  }
}

//===-- Comparisons and guard refinement ----------------------------------------===//

TEST(IntervalCompare, Truth) {
  using ival::Cmp;
  using ival::Truth;
  EXPECT_EQ(ival::compare(Cmp::Gt, Interval::positive(), Pt(0)), Truth::True);
  EXPECT_EQ(ival::compare(Cmp::Gt, Interval::nonNegative(), Pt(0)), Truth::Unknown);
  EXPECT_EQ(ival::compare(Cmp::Ge, Interval::nonNegative(), Pt(0)), Truth::True);
  EXPECT_EQ(ival::compare(Cmp::Lt, Interval::nonNegative(), Pt(0)), Truth::False);
  EXPECT_EQ(ival::compare(Cmp::Lt, RO(0, 1), Pt(1)), Truth::True);
  EXPECT_EQ(ival::compare(Cmp::Le, I(0, 1), Pt(1)), Truth::True);
  EXPECT_EQ(ival::compare(Cmp::Le, LO(1, 2), Pt(1)), Truth::False);
  EXPECT_EQ(ival::compare(Cmp::Eq, Pt(1), Pt(1)), Truth::True);
  EXPECT_EQ(ival::compare(Cmp::Eq, O(0, 1), Pt(1)), Truth::False);
  EXPECT_EQ(ival::compare(Cmp::Ne, O(0, 1), Pt(1)), Truth::True);
  EXPECT_EQ(ival::compare(Cmp::Ne, I(0, 1), Pt(1)), Truth::Unknown);
  EXPECT_EQ(ival::compare(Cmp::Lt, Interval::bottom(), Pt(1)), Truth::Unknown);
  EXPECT_EQ(ival::negate(Cmp::Lt), Cmp::Ge);
  EXPECT_EQ(ival::mirror(Cmp::Lt), Cmp::Gt);
  // Soundness: a True/False verdict holds for sampled pairs.
  std::mt19937 G(3);
  for (Cmp Op : {Cmp::Lt, Cmp::Le, Cmp::Gt, Cmp::Ge, Cmp::Eq, Cmp::Ne})
    for (const Interval &A : inputs())
      for (const Interval &B : inputs()) {
        Truth T = ival::compare(Op, A, B);
        if (T == Truth::Unknown)
          continue;
        for (double X : samples(A, G, 4))
          for (double Y : samples(B, G, 4)) {
            bool C = Op == Cmp::Lt   ? X < Y
                     : Op == Cmp::Le ? X <= Y
                     : Op == Cmp::Gt ? X > Y
                     : Op == Cmp::Ge ? X >= Y
                     : Op == Cmp::Eq ? X == Y
                                     : X != Y;
            EXPECT_EQ(C, T == Truth::True)
                << X << " vs " << Y << " in " << A.str() << ", " << B.str();
          }
      }
}

TEST(IntervalCompare, Refinement) {
  using ival::Cmp;
  // `if x > 0` on a real x: x ∈ (0, inf) in the then branch, (-inf, 0] else.
  EXPECT_EQ(ival::refineLeft(Cmp::Gt, Interval::top(), Pt(0)), Interval::positive());
  EXPECT_EQ(ival::refineLeft(Cmp::Le, Interval::top(), Pt(0)), Interval::nonPositive());
  EXPECT_EQ(ival::refineLeft(Cmp::Ge, Interval::top(), Pt(0)), Interval::nonNegative());
  EXPECT_EQ(ival::refineLeft(Cmp::Lt, I(-5, 5), Pt(1)), RO(-5, 1));
  EXPECT_EQ(ival::refineLeft(Cmp::Gt, Z(0, 9), Pt(0)), Z(1, 9));
  EXPECT_EQ(ival::refineLeft(Cmp::Eq, Interval::top(), Pt(2)), Pt(2));
  EXPECT_EQ(ival::refineLeft(Cmp::Ne, Interval::nonNegative(), Pt(0)), Interval::positive());
  EXPECT_EQ(ival::refineLeft(Cmp::Ne, I(-1, 1), Pt(0)), I(-1, 1));
  EXPECT_TRUE(ival::refineLeft(Cmp::Gt, I(0, 1), Pt(5)).isBottom());
  // against an interval: some b in B
  EXPECT_EQ(ival::refineLeft(Cmp::Gt, Interval::top(), I(1, 2)), Interval::greaterThan(1));
  EXPECT_EQ(ival::refineLeft(Cmp::Lt, Interval::top(), I(1, 2)), Interval::lessThan(2));
  // Soundness: every x in A with x Op b for some sampled b is kept.
  std::mt19937 G(5);
  for (Cmp Op : {Cmp::Lt, Cmp::Le, Cmp::Gt, Cmp::Ge, Cmp::Eq, Cmp::Ne})
    for (const Interval &A : inputs())
      for (const Interval &B : inputs()) {
        Interval R = ival::refineLeft(Op, A, B);
        for (double X : samples(A, G, 4))
          for (double Y : samples(B, G, 4)) {
            bool C = Op == Cmp::Lt   ? X < Y
                     : Op == Cmp::Le ? X <= Y
                     : Op == Cmp::Gt ? X > Y
                     : Op == Cmp::Ge ? X >= Y
                     : Op == Cmp::Eq ? X == Y
                                     : X != Y;
            if (C) {
              EXPECT_TRUE(R.contains(X))
                  << X << " dropped from " << A.str() << " by refine vs " << B.str();
            }
          }
      }
}
