//===- checker_test.cpp - The smoothness checker can fail, and only then ----===//
///
/// The 1-D checker must flag known non-smooth functions when a claim is forced
/// (abs at 0 for Diff, sqrt at 0 for Lips, a step for Cont, NaN regions for
/// every property) and must not flag smooth ones, steep ones, or the weaker
/// property they do satisfy: a checker that cannot fail would make the property
/// test prove nothing, a checker that fails on smooth functions would drown it.
//===----------------------------------------------------------------------===//

#include "SmoothnessChecker.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace svic::testkit;

namespace {

struct Case {
  const char *Name;
  std::function<double(double)> F;
  double Lo, Hi;
};

/// The findings for a forced claim of property P.
std::vector<LineFinding> probe(const Case &C, Prop P) {
  return checkLine(C.F, C.Lo, C.Hi, P == Prop::Diff, P == Prop::Lips, P == Prop::Cont);
}

std::string show(const std::vector<LineFinding> &Fs) {
  std::string S;
  for (const LineFinding &F : Fs)
    S += F.Kind + " at " + std::to_string(F.Point) + ": " + F.Evidence + "\n";
  return S;
}

void expectFlagged(const Case &C, Prop P, Prop Refuted) {
  std::vector<LineFinding> Fs = probe(C, P);
  ASSERT_FALSE(Fs.empty()) << C.Name << " not flagged under " << propName(P);
  EXPECT_EQ(Fs.front().Refutes, Refuted) << C.Name << ": " << show(Fs);
}

void expectClean(const Case &C, Prop P) {
  std::vector<LineFinding> Fs = probe(C, P);
  EXPECT_TRUE(Fs.empty()) << C.Name << " flagged under " << propName(P) << ":\n" << show(Fs);
}

const double Kink = 0.3137; // off the grid
const double Nan = std::numeric_limits<double>::quiet_NaN();

TEST(CheckLine, FlagsAbsForDiffOnly) {
  for (double At : {Kink, 0.0 /* a grid point of [-1, 1] */}) {
    Case C{"|x - c|", [At](double X) { return std::fabs(X - At); }, -1, 1};
    expectFlagged(C, Prop::Diff, Prop::Diff);
    expectClean(C, Prop::Lips);
    expectClean(C, Prop::Cont);
  }
  Case Relu{"0.01 relu(x - c) + x^2", [](double X) { return 0.01 * std::max(X - Kink, 0.0) + X * X; }, -2, 2};
  expectFlagged(Relu, Prop::Diff, Prop::Diff);
  expectClean(Relu, Prop::Lips);
  Case Laplace{"Laplace log-density in loc", [](double X) { return -std::log(2.0) - std::fabs(0.5 - X); }, -1, 2};
  expectFlagged(Laplace, Prop::Diff, Prop::Diff);
}

TEST(CheckLine, FlagsSqrtForLipsButNotCont) {
  for (double At : {Kink, 0.0}) {
    Case C{"sqrt|x - c|", [At](double X) { return std::sqrt(std::fabs(X - At)); }, -1, 1};
    expectFlagged(C, Prop::Lips, Prop::Lips);
    expectFlagged(C, Prop::Diff, Prop::Lips);
    expectClean(C, Prop::Cont);
  }
  Case Cube{"cbrt(x - c)", [](double X) { return std::cbrt(X - Kink); }, -1, 1};
  expectFlagged(Cube, Prop::Lips, Prop::Lips);
  expectClean(Cube, Prop::Cont);
}

TEST(CheckLine, FlagsStepsForEveryProperty) {
  for (double At : {Kink, 0.0}) {
    Case C{"x + [x > c]", [At](double X) { return X + (X > At ? 1.0 : 0.0); }, -1, 1};
    expectFlagged(C, Prop::Cont, Prop::Cont);
    expectFlagged(C, Prop::Lips, Prop::Cont);
    expectFlagged(C, Prop::Diff, Prop::Cont);
  }
  // A step smaller than the smooth variation over one grid interval.
  Case Small{"sin(x) + 0.05 [x > c]", [](double X) { return std::sin(X) + (X > Kink ? 0.05 : 0.0); }, -2, 2};
  expectFlagged(Small, Prop::Cont, Prop::Cont);
  Case Tiny{"1 + 1e-6 [x > c]", [](double X) { return 1 + (X > Kink ? 1e-6 : 0.0); }, -2, 2};
  expectFlagged(Tiny, Prop::Cont, Prop::Cont);
  Case Floor{"floor(3x)", [](double X) { return std::floor(3 * X); }, -0.9, 0.9};
  expectFlagged(Floor, Prop::Cont, Prop::Cont);
  Case Pole{"1/(x - c)", [](double X) { return 1.0 / (X - Kink); }, -1, 1};
  expectFlagged(Pole, Prop::Cont, Prop::Cont);
}

TEST(CheckLine, FlagsNonFiniteRegions) {
  Case Undefined{"log(x - c)", [](double X) { return std::log(X - Kink); }, -1, 1};
  std::vector<LineFinding> Fs = probe(Undefined, Prop::Cont);
  ASSERT_FALSE(Fs.empty());
  EXPECT_EQ(Fs.front().Kind, "non-finite");
  EXPECT_NEAR(Fs.front().Point, Kink, 1e-9);
  // A NaN region wider than the grid spacing (narrower ones may be missed).
  Case NanPoint{"NaN on (c, c + 0.15)", [](double X) { return X > Kink && X < Kink + 0.15 ? Nan : X; }, -1, 1};
  expectFlagged(NanPoint, Prop::Cont, Prop::Cont);
}

TEST(CheckLine, SmoothFunctionsAreClean) {
  std::vector<Case> Cases = {
      {"sin(x) + x^3", [](double X) { return std::sin(X) + X * X * X; }, -2, 2},
      {"exp(3x)", [](double X) { return std::exp(3 * X); }, -2, 2},
      {"Normal log-density in loc", [](double X) { return -0.5 * (0.3 - X) * (0.3 - X) - 0.9189; }, -3, 3},
      {"1e6 x^2 + 1e3", [](double X) { return 1e6 * X * X + 1e3; }, -1, 1},
      {"1e4 x", [](double X) { return 1e4 * X; }, -1, 1},
      {"tanh(1e6 (x - c))", [](double X) { return std::tanh(1e6 * (X - Kink)); }, -1, 1},
      {"|x - c|^1.5 (C1)", [](double X) { return std::pow(std::fabs(X - Kink), 1.5); }, -1, 1},
      {"log x near the support boundary", [](double X) { return std::log(X); }, 1e-3, 1},
      {"Gamma(0.5) log-density in the value", [](double X) { return -0.5 * std::log(X) - X; }, 1e-3, 4},
      {"large constant", [](double X) { return 1e9 + std::sin(X); }, -1, 1},
      {"flat", [](double) { return -12.5; }, -1, 1},
      {"x^2 sin(1/x) away from 0", [](double X) { return X * X * std::sin(1 / X); }, 0.05, 1},
  };
  for (const Case &C : Cases)
    for (Prop P : {Prop::Diff, Prop::Lips, Prop::Cont})
      expectClean(C, P);
}

TEST(CheckLine, FloatOverflowIsNotAViolation) {
  // exp(exp(x)) overflows to inf near x = 6.56: numerics, not a singularity.
  Case C{"exp(exp(x))", [](double X) { return std::exp(std::exp(X)); }, 5, 7};
  LineStats S;
  std::vector<LineFinding> Fs = checkLine(C.F, C.Lo, C.Hi, true, true, true, {}, &S);
  EXPECT_TRUE(Fs.empty()) << show(Fs);
  EXPECT_GE(S.OverflowSkips, 1u);
}

TEST(CheckLine, CountsEvaluations) {
  LineStats S;
  checkLine([](double X) { return X; }, 0, 1, true, false, false, {}, &S);
  EXPECT_GT(S.Evaluations, 21u);
  EXPECT_LT(S.Evaluations, 2000u);
}

} // namespace
