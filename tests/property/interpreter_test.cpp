//===- interpreter_test.cpp - Known values of the testkit interpreter -------===//
///
/// Log-densities against closed forms (computed independently with Python's
/// math module, formulas of torch.distributions) and the scalar operations
/// against PyTorch's documented edge cases. Programs through the frontend are
/// in program_test.cpp.
//===----------------------------------------------------------------------===//

#include "Interpreter.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace svic;
using namespace svic::testkit;
using ir::DistId;
using ir::OpId;

namespace {

constexpr double Inf = std::numeric_limits<double>::infinity();
using Args = std::vector<std::optional<double>>;

double lp(DistId D, Args P, double X) {
  std::optional<double> R = Interpreter::logProb(D, P, X);
  EXPECT_TRUE(R.has_value());
  return R.value_or(std::nan(""));
}

double op(OpId O, Args A) {
  std::optional<double> R = Interpreter::applyOp(O, A);
  EXPECT_TRUE(R.has_value());
  return R.value_or(std::nan(""));
}

TEST(InterpreterLogProb, ContinuousDistributions) {
  EXPECT_NEAR(lp(DistId::Normal, {0., 1.}, 0.), -0.91893853320467274, 1e-14);
  EXPECT_NEAR(lp(DistId::Normal, {1., 2.}, 0.), -1.737085713764618, 1e-14);
  EXPECT_NEAR(lp(DistId::LogNormal, {0., 1.}, 1.), -0.91893853320467274, 1e-14);
  EXPECT_NEAR(lp(DistId::LogNormal, {0.5, 0.7}, 2.), -1.2934779467220654, 1e-13);
  EXPECT_NEAR(lp(DistId::HalfNormal, {1.}, 1.), -0.7257913526447274, 1e-14);
  EXPECT_NEAR(lp(DistId::Cauchy, {0., 1.}, 0.), -std::log(M_PI), 1e-14);
  EXPECT_NEAR(lp(DistId::Cauchy, {1., 2.}, 3.), -2.5310242469692907, 1e-14);
  EXPECT_NEAR(lp(DistId::StudentT, {1., std::nullopt, std::nullopt}, 0.), -std::log(M_PI), 1e-13);
  EXPECT_NEAR(lp(DistId::StudentT, {3., std::nullopt, std::nullopt}, 0.), -1.0008888496235095, 1e-13);
  EXPECT_NEAR(lp(DistId::StudentT, {3., 1., 2.}, 0.), -1.8541214455305277, 1e-13);
  EXPECT_NEAR(lp(DistId::Laplace, {0., 1.}, 1.), -1.6931471805599454, 1e-14);
  EXPECT_NEAR(lp(DistId::Exponential, {2.}, 0.5), -0.3068528194400547, 1e-14);
  EXPECT_NEAR(lp(DistId::Gamma, {2., 3.}, 1.), -0.8027754226637804, 1e-13);
  EXPECT_NEAR(lp(DistId::Gamma, {0.5, 2.}, 0.3), -0.22380495048175975, 1e-13);
  EXPECT_NEAR(lp(DistId::Beta, {2., 3.}, 0.4), 0.546964670381864, 1e-13);
  EXPECT_NEAR(lp(DistId::Beta, {0.5, 0.5}, 0.2), -0.22843915397524583, 1e-13);
  EXPECT_NEAR(lp(DistId::Uniform, {0., 2.}, 1.), -std::log(2.0), 1e-15);
}

TEST(InterpreterLogProb, DiscreteDistributions) {
  EXPECT_NEAR(lp(DistId::Bernoulli, {0.3, std::nullopt}, 1.), std::log(0.3), 1e-14);
  EXPECT_NEAR(lp(DistId::Bernoulli, {0.3, std::nullopt}, 0.), std::log(0.7), 1e-14);
  EXPECT_NEAR(lp(DistId::Bernoulli, {std::nullopt, 0.}, 0.), -std::log(2.0), 1e-15);
  EXPECT_NEAR(lp(DistId::Bernoulli, {std::nullopt, 2.}, 1.), -std::log1p(std::exp(-2.0)), 1e-15);
  // The mathematical density, not torch's clamp_probs guard: probs = 0 has
  // density 0 at 1 and 1 at 0.
  EXPECT_EQ(lp(DistId::Bernoulli, {0., std::nullopt}, 1.), -Inf);
  EXPECT_EQ(lp(DistId::Bernoulli, {0., std::nullopt}, 0.), 0.0);
  EXPECT_NEAR(lp(DistId::Poisson, {2.}, 3.), -1.7123179275482192, 1e-13);
  EXPECT_NEAR(lp(DistId::Poisson, {0.}, 0.), 0.0, 1e-15);
  EXPECT_NEAR(lp(DistId::Geometric, {0.25, std::nullopt}, 2.), -1.9616585060234524, 1e-14);
}

TEST(InterpreterLogProb, InvalidParametersAreNaN) {
  EXPECT_TRUE(std::isnan(lp(DistId::Normal, {0., 0.}, 0.)));
  EXPECT_TRUE(std::isnan(lp(DistId::Normal, {0., -1.}, 0.)));
  EXPECT_TRUE(std::isnan(lp(DistId::Normal, {std::nan(""), 1.}, 0.)));
  EXPECT_TRUE(std::isnan(lp(DistId::Gamma, {-1., 1.}, 1.)));
  EXPECT_TRUE(std::isnan(lp(DistId::Beta, {1., 0.}, 0.5)));
  EXPECT_TRUE(std::isnan(lp(DistId::Uniform, {1., 0.}, 0.5)));
  EXPECT_TRUE(std::isnan(lp(DistId::Exponential, {0.}, 0.5)));
  EXPECT_TRUE(std::isnan(lp(DistId::Bernoulli, {1.5, std::nullopt}, 1.)));
  EXPECT_TRUE(std::isnan(lp(DistId::Poisson, {-0.1}, 1.)));
  EXPECT_TRUE(std::isnan(lp(DistId::StudentT, {0., 0., 1.}, 1.)));
}

TEST(InterpreterLogProb, OutsideTheSupportIsMinusInf) {
  EXPECT_EQ(lp(DistId::Exponential, {1.}, -1.), -Inf);
  EXPECT_EQ(lp(DistId::Gamma, {2., 1.}, -0.5), -Inf);
  EXPECT_EQ(lp(DistId::Beta, {2., 2.}, 1.5), -Inf);
  EXPECT_EQ(lp(DistId::Uniform, {0., 2.}, 2.), -Inf); // low <= x < high
  EXPECT_EQ(lp(DistId::LogNormal, {0., 1.}, 0.), -Inf);
  EXPECT_EQ(lp(DistId::HalfNormal, {1.}, -0.1), -Inf);
  EXPECT_EQ(lp(DistId::Poisson, {1.}, 1.5), -Inf);
}

TEST(InterpreterLogProb, FloatRangeEventsAreFlagged) {
  bool Event = false;
  // Valid parameters, a value in the support, but y^2/df overflows.
  double R = Interpreter::logProb(DistId::StudentT, {1e-320, 0., 1.}, 1e160, &Event).value();
  EXPECT_FALSE(std::isfinite(R));
  EXPECT_TRUE(Event);
  Event = false;
  (void)Interpreter::logProb(DistId::Normal, {0., -1.}, 0., &Event); // invalid: not an artefact
  EXPECT_FALSE(Event);
  (void)Interpreter::logProb(DistId::Exponential, {1.}, -1., &Event); // outside: not an artefact
  EXPECT_FALSE(Event);
  (void)Interpreter::logProb(DistId::Normal, {0., 1.}, 3., &Event);
  EXPECT_FALSE(Event);
}

TEST(InterpreterLogProb, UnsupportedDistributionIsReported) {
  EXPECT_FALSE(Interpreter::logProb(DistId::Dirichlet, {1.}, 0.5).has_value());
}

TEST(InterpreterOps, PyTorchEdgeCases) {
  EXPECT_EQ(op(OpId::Relu, {-1.}), 0.0);
  EXPECT_EQ(op(OpId::FRelu, {2.}), 2.0);
  EXPECT_EQ(op(OpId::Abs, {-3.}), 3.0);
  EXPECT_EQ(op(OpId::Sign, {0.}), 0.0);
  EXPECT_EQ(op(OpId::Sign, {-0.2}), -1.0);
  EXPECT_EQ(op(OpId::Floor, {-0.5}), -1.0);
  EXPECT_EQ(op(OpId::Ceil, {-0.5}), 0.0);
  EXPECT_EQ(op(OpId::Round, {2.5}), 2.0); // half to even
  EXPECT_EQ(op(OpId::Round, {3.5}), 4.0);
  EXPECT_EQ(op(OpId::Clamp, {5., 0., 1.}), 1.0);
  EXPECT_EQ(op(OpId::Clamp, {-5., 0., std::nullopt}), 0.0);
  EXPECT_EQ(op(OpId::Clamp, {0.5, 1., 0.}), 0.0); // min > max: everything becomes max
  EXPECT_EQ(op(OpId::Minimum, {1., 2.}), 1.0);
  EXPECT_EQ(op(OpId::Maximum, {1., 2.}), 2.0);
  EXPECT_TRUE(std::isnan(op(OpId::Maximum, {std::nan(""), 2.})));
  EXPECT_EQ(op(OpId::Log, {0.}), -Inf);
  EXPECT_TRUE(std::isnan(op(OpId::Log, {-1.})));
  EXPECT_TRUE(std::isnan(op(OpId::Sqrt, {-1.})));
  EXPECT_TRUE(std::isnan(op(OpId::Log1p, {-2.})));
  EXPECT_TRUE(std::isnan(op(OpId::Pow, {-8., 1.0 / 3.0})));
  EXPECT_EQ(op(OpId::Pow, {-2., 3.}), -8.0);
  EXPECT_EQ(op(OpId::Pow, {0., -1.}), Inf);
  EXPECT_EQ(op(OpId::Lgamma, {0.}), Inf);
  EXPECT_NEAR(op(OpId::Lgamma, {-0.5}), 1.265512123484645, 1e-13);
  EXPECT_NEAR(op(OpId::Digamma, {1.}), -0.5772156649015329, 1e-14);
  EXPECT_EQ(op(OpId::Digamma, {0.}), -Inf);
  EXPECT_NEAR(op(OpId::Erf, {0.5}), 0.5204998778130465, 1e-15);
  EXPECT_EQ(op(OpId::Sigmoid, {0.}), 0.5);
  EXPECT_EQ(op(OpId::Sigmoid, {-800.}), 0.0);
  EXPECT_EQ(op(OpId::Sigmoid, {800.}), 1.0);
  // softplus(x) = x above the threshold (beta * x > 20).
  EXPECT_EQ(op(OpId::FSoftplus, {25., std::nullopt, std::nullopt}), 25.0);
  EXPECT_NEAR(op(OpId::FSoftplus, {0., std::nullopt, std::nullopt}), 0.6931471805599453, 1e-15);
  EXPECT_NEAR(op(OpId::FSoftplus, {1., 2., std::nullopt}), std::log1p(std::exp(2.0)) / 2, 1e-15);
  EXPECT_NEAR(op(OpId::FElu, {-1.}), -0.6321205588285577, 1e-15);
  EXPECT_NEAR(op(OpId::FLeakyRelu, {-2., 0.1}), -0.2, 1e-15);
  EXPECT_NEAR(op(OpId::FLeakyRelu, {-2.}), -0.02, 1e-15);
}

TEST(InterpreterOps, PythonMathErrorsAreNaN) {
  EXPECT_TRUE(std::isnan(op(OpId::MathLog, {0.})));
  EXPECT_TRUE(std::isnan(op(OpId::MathSqrt, {-1.})));
  EXPECT_TRUE(std::isnan(op(OpId::MathExp, {1000.})));
  EXPECT_TRUE(std::isnan(op(OpId::MathLgamma, {-1.})));
  EXPECT_NEAR(op(OpId::MathLog, {8., 2.}), 3.0, 1e-15);
}

TEST(InterpreterOps, UnmodelledOperationsAreReported) {
  EXPECT_FALSE(Interpreter::applyOp(OpId::Matmul, {1., 2.}).has_value());
}

} // namespace
