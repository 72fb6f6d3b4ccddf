//===- Interpreter.cpp - Concrete log-density of scalar svic programs ------===//

#include "Interpreter.h"

#include <boost/math/policies/policy.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/erf.hpp>
#include <boost/math/special_functions/gamma.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace svic::testkit {

using namespace svic::ir;

namespace {

constexpr double Inf = std::numeric_limits<double>::infinity();
constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

// Special functions never throw here: an error becomes NaN/inf as in PyTorch.
using NoThrow = boost::math::policies::policy<
    boost::math::policies::domain_error<boost::math::policies::ignore_error>,
    boost::math::policies::pole_error<boost::math::policies::ignore_error>,
    boost::math::policies::overflow_error<boost::math::policies::ignore_error>,
    boost::math::policies::underflow_error<boost::math::policies::ignore_error>,
    boost::math::policies::evaluation_error<boost::math::policies::ignore_error>,
    boost::math::policies::promote_double<false>>;

bool isInteger(double X) { return std::isfinite(X) && X == std::floor(X); }

/// torch.lgamma: log|Γ(x)|, +inf at the poles (x a non-positive integer).
double lgammaT(double X) {
  if (std::isnan(X))
    return NaN;
  if (X == Inf || X == -Inf)
    return Inf;
  if (X <= 0 && isInteger(X))
    return Inf;
  return boost::math::lgamma(X, NoThrow());
}

/// torch.digamma: -inf at 0 (PyTorch >= 1.8), NaN at negative integers.
double digammaT(double X) {
  if (std::isnan(X))
    return NaN;
  if (X == 0)
    return std::signbit(X) ? Inf : -Inf;
  if (X < 0 && isInteger(X))
    return NaN;
  if (X == Inf)
    return Inf;
  if (X == -Inf)
    return NaN;
  return boost::math::digamma(X, NoThrow());
}

/// torch.xlogy: 0 where x == 0 (unless y is NaN).
double xlogy(double X, double Y) {
  if (std::isnan(Y))
    return NaN;
  if (X == 0)
    return 0;
  return X * std::log(Y);
}

/// torch.nn.functional.softplus(x, beta, threshold): linear above threshold.
double softplusT(double X, double Beta, double Threshold) {
  if (X * Beta > Threshold)
    return X;
  return std::log1p(std::exp(Beta * X)) / Beta;
}

double sigmoidT(double X) {
  if (X >= 0)
    return 1.0 / (1.0 + std::exp(-X));
  double E = std::exp(X);
  return E / (1.0 + E);
}

/// Python's round(): half to even (the default rounding mode of nearbyint).
double roundHalfEven(double X) { return std::nearbyint(X); }

//===-- Values ----------------------------------------------------------------===//

struct DistValue;

struct Value {
  enum class Kind : uint8_t { Unset, None, Num, Str, Seq, Dist };
  Kind K = Kind::Unset;
  bool Tensor = false; ///< a torch value (IEEE semantics) rather than a Python number
  double Num = 0;
  std::string Str;
  std::shared_ptr<const std::vector<Value>> Seq;
  std::shared_ptr<const DistValue> Dist;

  static Value none() {
    Value V;
    V.K = Kind::None;
    return V;
  }
  static Value num(double X, bool Tensor) {
    Value V;
    V.K = Kind::Num;
    V.Num = X;
    V.Tensor = Tensor;
    return V;
  }
  static Value str(std::string S) {
    Value V;
    V.K = Kind::Str;
    V.Str = std::move(S);
    return V;
  }
  static Value seq(std::vector<Value> Es, bool Tensor) {
    Value V;
    V.K = Kind::Seq;
    V.Tensor = Tensor;
    V.Seq = std::make_shared<const std::vector<Value>>(std::move(Es));
    return V;
  }
};

struct DistValue {
  DistId Id{};
  std::vector<std::optional<double>> Params;
  std::optional<bool> Mask; ///< .mask(m)
};

/// A construct the interpreter does not model: the program is skipped.
struct Unsupported {
  std::string Msg;
};
/// A Python/PyTorch run-time error (exception): the density is undefined.
struct PyError {
  std::string Msg;
};

[[noreturn]] void unsupported(std::string Msg) { throw Unsupported{std::move(Msg)}; }
[[noreturn]] void pyError(std::string Msg) { throw PyError{std::move(Msg)}; }

bool truthy(const Value &V) {
  switch (V.K) {
  case Value::Kind::None:
    return false;
  case Value::Kind::Num:
    return V.Num != 0; // NaN is truthy, as in Python and torch
  case Value::Kind::Str:
    return !V.Str.empty();
  case Value::Kind::Seq:
    if (V.Tensor && V.Seq->size() != 1)
      pyError("boolean value of a tensor with more than one value is ambiguous");
    return V.Tensor ? truthy((*V.Seq)[0]) : !V.Seq->empty();
  case Value::Kind::Dist:
    return true;
  case Value::Kind::Unset:
    break;
  }
  pyError("use of an unassigned variable");
}

double asNum(const Value &V, const char *What) {
  if (V.K == Value::Kind::Num)
    return V.Num;
  if (V.K == Value::Kind::Seq && V.Tensor && V.Seq->size() == 1 && (*V.Seq)[0].K == Value::Kind::Num)
    return (*V.Seq)[0].Num;
  if (V.K == Value::Kind::Unset)
    pyError(std::string("use of an unassigned variable in ") + What);
  unsupported(std::string("non-scalar value in ") + What);
}

std::string formatIndex(const Value &V) {
  if (V.K == Value::Kind::Str)
    return V.Str;
  double X = asNum(V, "a site name");
  if (isInteger(X) && std::fabs(X) < 1e15)
    return std::to_string(static_cast<long long>(X));
  char Buf[64];
  std::snprintf(Buf, sizeof Buf, "%.17g", X);
  return Buf;
}

} // namespace

//===-- Supports --------------------------------------------------------------===//

std::string SupportInfo::describe() const {
  std::ostringstream OS;
  OS << supportName(Kind) << (Discrete ? " (discrete)" : "") << " (" << Lo << ", " << Hi << ")";
  return OS.str();
}

SupportInfo supportOf(DistId D, const std::vector<std::optional<double>> &Params) {
  const DistInfo &I = distInfo(D);
  SupportInfo S;
  S.Kind = I.Support;
  S.Discrete = I.Discrete;
  switch (I.Support) {
  case SupportKind::Positive:
  case SupportKind::NonNegative:
    S.Lo = 0;
    break;
  case SupportKind::UnitInterval:
  case SupportKind::ClosedUnitInterval:
    S.Lo = 0;
    S.Hi = 1;
    break;
  case SupportKind::Interval:
    S.Lo = Params.size() > 0 && Params[0] ? *Params[0] : NaN;
    S.Hi = Params.size() > 1 && Params[1] ? *Params[1] : NaN;
    break;
  case SupportKind::Boolean:
    S.Lo = 0;
    S.Hi = 1;
    break;
  case SupportKind::NonNegativeInteger:
    S.Lo = 0;
    break;
  case SupportKind::IntegerInterval:
    S.Lo = 0;
    S.Hi = D == DistId::Binomial && Params.size() > 0 && Params[0] ? *Params[0] : NaN;
    break;
  case SupportKind::Circular:
    S.Lo = -M_PI;
    S.Hi = M_PI;
    break;
  default:
    break;
  }
  return S;
}

SupportInfo supportOf(ConstraintId C, const std::vector<double> &Args) {
  const ConstraintInfo &I = constraintInfo(C);
  SupportInfo S;
  S.Kind = I.Support;
  S.Discrete = isDiscreteSupport(I.Support);
  switch (C) {
  case ConstraintId::Positive:
  case ConstraintId::SoftplusPositive:
  case ConstraintId::Nonnegative:
    S.Lo = 0;
    break;
  case ConstraintId::UnitInterval:
    S.Lo = 0;
    S.Hi = 1;
    break;
  case ConstraintId::GreaterThan:
  case ConstraintId::GreaterThanEq:
    S.Lo = Args.size() > 0 ? Args[0] : NaN;
    break;
  case ConstraintId::LessThan:
    S.Hi = Args.size() > 0 ? Args[0] : NaN;
    break;
  case ConstraintId::Interval:
  case ConstraintId::HalfOpenInterval:
  case ConstraintId::IntegerInterval:
    S.Lo = Args.size() > 0 ? Args[0] : NaN;
    S.Hi = Args.size() > 1 ? Args[1] : NaN;
    break;
  case ConstraintId::Boolean:
    S.Lo = 0;
    S.Hi = 1;
    break;
  case ConstraintId::NonnegativeInteger:
  case ConstraintId::PositiveInteger:
    S.Lo = 0;
    break;
  default:
    break;
  }
  return S;
}

//===-- Scalar operations ------------------------------------------------------===//

std::optional<double> Interpreter::applyOp(OpId Op, const std::vector<std::optional<double>> &A) {
  auto arg = [&](size_t I) -> std::optional<double> { return I < A.size() ? A[I] : std::nullopt; };
  if (!arg(0))
    return std::nullopt;
  const double X = *arg(0);
  switch (Op) {
  case OpId::Exp:
    return std::exp(X);
  case OpId::Expm1:
    return std::expm1(X);
  case OpId::Log:
    return X < 0 ? NaN : std::log(X); // log(0) = -inf
  case OpId::Log1p:
    return X < -1 ? NaN : std::log1p(X);
  case OpId::Sqrt:
    return X < 0 ? NaN : std::sqrt(X);
  case OpId::Rsqrt:
    return X < 0 ? NaN : 1.0 / std::sqrt(X);
  case OpId::Pow: {
    if (!arg(1))
      return std::nullopt;
    return std::pow(X, *arg(1)); // NaN for a negative base and a fractional exponent
  }
  case OpId::Sigmoid:
  case OpId::FSigmoid:
    return sigmoidT(X);
  case OpId::Tanh:
  case OpId::FTanh:
    return std::tanh(X);
  case OpId::Sin:
    return std::sin(X);
  case OpId::Cos:
    return std::cos(X);
  case OpId::Erf:
    return std::isnan(X) ? NaN : boost::math::erf(X, NoThrow());
  case OpId::Lgamma:
    return lgammaT(X);
  case OpId::Digamma:
    return digammaT(X);
  case OpId::Abs:
  case OpId::PyAbs:
    return std::fabs(X);
  case OpId::Sign:
    return std::isnan(X) ? NaN : (X > 0 ? 1.0 : (X < 0 ? -1.0 : 0.0));
  case OpId::Floor:
    return std::floor(X);
  case OpId::Ceil:
    return std::ceil(X);
  case OpId::Round:
    return roundHalfEven(X);
  case OpId::Clamp: {
    // torch.clamp: min(max(x, lo), hi); with lo > hi every value becomes hi.
    double R = X;
    if (std::isnan(R))
      return NaN;
    if (arg(1)) {
      if (std::isnan(*arg(1)))
        return NaN;
      R = std::max(R, *arg(1));
    }
    if (arg(2)) {
      if (std::isnan(*arg(2)))
        return NaN;
      R = std::min(R, *arg(2));
    }
    return R;
  }
  case OpId::Minimum:
  case OpId::Maximum: {
    if (!arg(1))
      return std::nullopt;
    double Y = *arg(1);
    if (std::isnan(X) || std::isnan(Y))
      return NaN;
    return Op == OpId::Minimum ? std::min(X, Y) : std::max(X, Y);
  }
  case OpId::Relu:
  case OpId::FRelu:
    return std::isnan(X) ? NaN : (X > 0 ? X : 0.0);
  case OpId::FSoftplus:
    return softplusT(X, arg(1).value_or(1.0), arg(2).value_or(20.0));
  case OpId::FElu: {
    double Alpha = arg(1).value_or(1.0);
    return X > 0 ? X : Alpha * std::expm1(X);
  }
  case OpId::FLeakyRelu: {
    double Slope = arg(1).value_or(0.01);
    return X > 0 ? X : X * Slope;
  }
  // Python's math module: errors are exceptions, hence NaN.
  case OpId::MathExp: {
    double R = std::exp(X);
    return std::isinf(R) && !std::isinf(X) ? NaN : R; // OverflowError
  }
  case OpId::MathLog: {
    if (!(X > 0))
      return NaN; // ValueError: math domain error
    double R = std::log(X);
    if (arg(1)) {
      double B = *arg(1);
      if (!(B > 0) || B == 1)
        return NaN;
      R /= std::log(B);
    }
    return R;
  }
  case OpId::MathSqrt:
    return X < 0 ? NaN : std::sqrt(X);
  case OpId::MathFloor:
    return std::isfinite(X) ? std::floor(X) : NaN;
  case OpId::MathCeil:
    return std::isfinite(X) ? std::ceil(X) : NaN;
  case OpId::MathLgamma:
    return X <= 0 && isInteger(X) ? NaN : lgammaT(X);
  default:
    return std::nullopt;
  }
}

//===-- Distributions ---------------------------------------------------------===//

namespace {
enum class LPKind { Ok, Invalid, Outside };

std::optional<double> logProbImpl(DistId D, const std::vector<std::optional<double>> &P, double X, LPKind &K) {
  K = LPKind::Ok;
  auto par = [&](size_t I) -> std::optional<double> { return I < P.size() ? P[I] : std::nullopt; };
  auto need = [&](size_t I) -> double { return par(I) ? *par(I) : NaN; };
  const double LogSqrt2Pi = 0.5 * std::log(2 * M_PI);
  if (std::isnan(X))
    return (K = LPKind::Invalid, NaN);
  switch (D) {
  case DistId::Normal:
  case DistId::LogNormal: {
    double Loc = need(0), Scale = need(1);
    if (std::isnan(Loc) || !(Scale > 0))
      return (K = LPKind::Invalid, NaN);
    double Y = X, Jac = 0;
    if (D == DistId::LogNormal) {
      if (!(X > 0))
        return (K = LPKind::Outside, -Inf);
      Y = std::log(X);
      Jac = -Y;
    }
    double Z = (Y - Loc);
    return -(Z * Z) / (2 * Scale * Scale) - std::log(Scale) - LogSqrt2Pi + Jac;
  }
  case DistId::HalfNormal: {
    double Scale = need(0);
    if (!(Scale > 0))
      return (K = LPKind::Invalid, NaN);
    if (X < 0)
      return (K = LPKind::Outside, -Inf);
    return -(X * X) / (2 * Scale * Scale) - std::log(Scale) - LogSqrt2Pi + std::log(2.0);
  }
  case DistId::Cauchy:
  case DistId::HalfCauchy: {
    double Loc = D == DistId::Cauchy ? need(0) : 0.0;
    double Scale = D == DistId::Cauchy ? need(1) : need(0);
    if (std::isnan(Loc) || !(Scale > 0))
      return (K = LPKind::Invalid, NaN);
    double Extra = 0;
    if (D == DistId::HalfCauchy) {
      if (X < 0)
        return (K = LPKind::Outside, -Inf);
      Extra = std::log(2.0);
    }
    double Z = (X - Loc) / Scale;
    return -std::log(M_PI) - std::log(Scale) - std::log1p(Z * Z) + Extra;
  }
  case DistId::StudentT: {
    double Df = need(0), Loc = par(1).value_or(0.0), Scale = par(2).value_or(1.0);
    if (!(Df > 0) || std::isnan(Loc) || !(Scale > 0))
      return (K = LPKind::Invalid, NaN);
    double Y = (X - Loc) / Scale;
    double Z = std::log(Scale) + 0.5 * std::log(Df) + 0.5 * std::log(M_PI) + lgammaT(0.5 * Df) -
               lgammaT(0.5 * (Df + 1.0));
    return -0.5 * (Df + 1.0) * std::log1p(Y * Y / Df) - Z;
  }
  case DistId::Laplace: {
    double Loc = need(0), Scale = need(1);
    if (std::isnan(Loc) || !(Scale > 0))
      return (K = LPKind::Invalid, NaN);
    return -std::log(2 * Scale) - std::fabs(X - Loc) / Scale;
  }
  case DistId::Uniform: {
    double Lo = need(0), Hi = need(1);
    if (!(Lo < Hi))
      return (K = LPKind::Invalid, NaN);
    if (!(Lo <= X && X < Hi))
      return (K = LPKind::Outside, -Inf);
    return -std::log(Hi - Lo);
  }
  case DistId::Exponential: {
    double Rate = need(0);
    if (!(Rate > 0))
      return (K = LPKind::Invalid, NaN);
    if (X < 0)
      return (K = LPKind::Outside, -Inf);
    return std::log(Rate) - Rate * X;
  }
  case DistId::Gamma: {
    double C = need(0), R = need(1);
    if (!(C > 0) || !(R > 0))
      return (K = LPKind::Invalid, NaN);
    if (X < 0)
      return (K = LPKind::Outside, -Inf);
    return xlogy(C, R) + xlogy(C - 1, X) - R * X - lgammaT(C);
  }
  case DistId::Beta: {
    double C1 = need(0), C0 = need(1);
    if (!(C1 > 0) || !(C0 > 0))
      return (K = LPKind::Invalid, NaN);
    if (X < 0 || X > 1)
      return (K = LPKind::Outside, -Inf);
    return xlogy(C1 - 1, X) + xlogy(C0 - 1, 1 - X) + lgammaT(C1 + C0) - lgammaT(C1) - lgammaT(C0);
  }
  case DistId::Bernoulli: {
    // The mathematical density p^x (1 - p)^(1 - x). torch clamps probs to
    // [eps, 1 - eps] first (clamp_probs), a numerical guard that makes
    // log_prob non-differentiable in probs at eps (float32: sigmoid(z) at
    // z = -15.9); the analysis reasons about the density, so the guard is not
    // modelled (SmoothnessChecker.h, "Reference semantics").
    if (par(0) && !par(1)) {
      double Pr = *par(0);
      if (!(Pr >= 0 && Pr <= 1))
        return (K = LPKind::Invalid, NaN);
      if (X != 0 && X != 1)
        return (K = LPKind::Outside, -Inf);
      return xlogy(X, Pr) + xlogy(1 - X, 1 - Pr);
    }
    if (par(1) && !par(0)) {
      double Logits = *par(1);
      if (std::isnan(Logits))
        return (K = LPKind::Invalid, NaN);
      if (X != 0 && X != 1)
        return (K = LPKind::Outside, -Inf);
      // -binary_cross_entropy_with_logits(logits, x)
      return -(std::max(Logits, 0.0) - Logits * X + std::log1p(std::exp(-std::fabs(Logits))));
    }
    return (K = LPKind::Invalid, NaN); // exactly one of probs/logits
  }
  case DistId::Poisson: {
    double Rate = need(0);
    if (!(Rate >= 0))
      return (K = LPKind::Invalid, NaN);
    if (X < 0 || !isInteger(X))
      return (K = LPKind::Outside, -Inf);
    return xlogy(X, Rate) - Rate - lgammaT(X + 1);
  }
  case DistId::Geometric: {
    double Pr;
    if (par(0) && !par(1)) {
      Pr = *par(0);
      if (!(Pr > 0 && Pr <= 1))
        return (K = LPKind::Invalid, NaN);
    } else if (par(1) && !par(0)) {
      if (std::isnan(*par(1)))
        return (K = LPKind::Invalid, NaN);
      Pr = sigmoidT(*par(1));
    } else {
      return (K = LPKind::Invalid, NaN);
    }
    if (X < 0 || !isInteger(X))
      return (K = LPKind::Outside, -Inf);
    double Q = (Pr == 1 && X == 0) ? 0.0 : Pr;
    return X * std::log1p(-Q) + std::log(Pr);
  }
  default:
    return std::nullopt;
  }
}

} // namespace

std::optional<double> Interpreter::logProb(DistId D, const std::vector<std::optional<double>> &P, double X,
                                           bool *RangeEvent) {
  LPKind K;
  std::optional<double> R = logProbImpl(D, P, X, K);
  // Valid parameters and a value in the support give a finite log-density
  // mathematically: a non-finite one is float underflow/overflow.
  if (RangeEvent && R && K == LPKind::Ok && !std::isfinite(*R))
    *RangeEvent = true;
  // Differences of lgamma of huge arguments (StudentT's normaliser, Gamma and
  // Beta) keep only a few digits: the result moves in visible float steps.
  if (RangeEvent && (D == DistId::StudentT || D == DistId::Gamma || D == DistId::Beta))
    for (size_t I = 0; I < P.size() && I < 2; ++I)
      if (P[I] && std::fabs(*P[I]) > 1e7 && !(D == DistId::StudentT && I == 1))
        *RangeEvent = true;
  return R;
}

//===-- The evaluator -----------------------------------------------------------===//

namespace {

struct Evaluator {
  const Program &P;
  const RunInputs &In;
  RunResult &Out;
  std::vector<Value> Vars;
  double LogDensity = 0;
  bool RangeEvent = false;
  double Scale = 1;
  bool MaskOn = true;
  long Budget = 200000; // statements and loop iterations

  Evaluator(const Program &P, const RunInputs &In, RunResult &Out) : P(P), In(In), Out(Out) {
    Vars.resize(P.numVars());
  }

  /// The slot of a variable; an id out of range is a broken IR, never a crash.
  Value &slot(VarId V) {
    if (V == 0 || V >= Vars.size())
      unsupported("invalid IR: variable id " + std::to_string(V) + " out of range");
    return Vars[V];
  }

  void tick() {
    if (--Budget < 0)
      pyError("step budget exhausted (non-terminating loop?)");
  }

  //--- expressions ---------------------------------------------------------

  double evalNum(const Expr *E, const char *What) {
    if (!E)
      unsupported(std::string("missing expression in ") + What);
    return asNum(eval(*E), What);
  }

  std::optional<double> evalOptNum(const Expr *E, const char *What) {
    if (!E)
      return std::nullopt;
    Value V = eval(*E);
    if (V.K == Value::Kind::None)
      return std::nullopt;
    return asNum(V, What);
  }

  static bool anyTensor(const Value &A, const Value &B) { return A.Tensor || B.Tensor; }

  Value binary(BinaryOp Op, const Value &A, const Value &B) {
    if (A.K == Value::Kind::Seq || B.K == Value::Kind::Seq) {
      if (Op == BinaryOp::Add && A.K == Value::Kind::Seq && B.K == Value::Kind::Seq && !A.Tensor &&
          !B.Tensor) {
        std::vector<Value> Es(*A.Seq);
        Es.insert(Es.end(), B.Seq->begin(), B.Seq->end());
        return Value::seq(std::move(Es), false);
      }
      unsupported("arithmetic on a sequence");
    }
    double X = asNum(A, "an arithmetic operand"), Y = asNum(B, "an arithmetic operand");
    bool T = anyTensor(A, B);
    Value Res = binaryNum(Op, X, Y, T);
    noteBinaryRange(Op, X, Y, Res.Num);
    return Res;
  }

  static bool tiny(double R) { return R == 0 || std::fpclassify(R) == FP_SUBNORMAL; }

  /// Overflow/underflow of an arithmetic operation whose real result is
  /// finite and non-zero.
  void noteBinaryRange(BinaryOp Op, double X, double Y, double R) {
    if (!std::isfinite(X) || !std::isfinite(Y))
      return;
    switch (Op) {
    case BinaryOp::Add:
    case BinaryOp::Sub: {
      // Overflow, or catastrophic cancellation of large operands (the result
      // keeps only the absolute precision eps * max(|X|, |Y|)).
      double Big = std::max(std::fabs(X), std::fabs(Y));
      RangeEvent = RangeEvent || std::isinf(R) || (Big > 1e6 && std::fabs(R) < 1e-2 * Big);
      break;
    }
    case BinaryOp::Mul:
      RangeEvent = RangeEvent || std::isinf(R) || (X != 0 && Y != 0 && tiny(R));
      break;
    case BinaryOp::Div:
      RangeEvent = RangeEvent || (Y != 0 && std::isinf(R)) || (X != 0 && Y != 0 && tiny(R));
      break;
    case BinaryOp::Pow:
      RangeEvent = RangeEvent || (X != 0 && (std::isinf(R) || tiny(R)));
      break;
    default:
      break;
    }
  }

  Value binaryNum(BinaryOp Op, double X, double Y, bool T) {
    switch (Op) {
    case BinaryOp::Add:
      return Value::num(X + Y, T);
    case BinaryOp::Sub:
      return Value::num(X - Y, T);
    case BinaryOp::Mul:
      return Value::num(X * Y, T);
    case BinaryOp::Div:
      if (!T && Y == 0)
        pyError("ZeroDivisionError: float division by zero");
      return Value::num(X / Y, T);
    case BinaryOp::FloorDiv:
      if (!T && Y == 0)
        pyError("ZeroDivisionError: float floor division by zero");
      return Value::num(std::floor(X / Y), T);
    case BinaryOp::Mod: {
      if (!T && Y == 0)
        pyError("ZeroDivisionError: float modulo");
      double R = std::fmod(X, Y);
      if (R != 0 && ((R < 0) != (Y < 0)))
        R += Y;
      return Value::num(R, T);
    }
    case BinaryOp::Pow: {
      if (!T) {
        if (X == 0 && Y < 0)
          pyError("ZeroDivisionError: 0.0 cannot be raised to a negative power");
        if (X < 0 && !isInteger(Y))
          pyError("a negative Python float to a fractional power is a complex number (TypeError in torch)");
        double R = std::pow(X, Y);
        if (std::isinf(R) && std::isfinite(X) && std::isfinite(Y)) {
          RangeEvent = true;
          pyError("OverflowError: numerical result out of range");
        }
        return Value::num(R, false);
      }
      return Value::num(std::pow(X, Y), true);
    }
    case BinaryOp::BitAnd:
    case BinaryOp::BitOr: {
      if (!isInteger(X) || !isInteger(Y))
        pyError("TypeError: bitwise operation on floats");
      long long L = static_cast<long long>(X), R = static_cast<long long>(Y);
      return Value::num(static_cast<double>(Op == BinaryOp::BitAnd ? (L & R) : (L | R)), T);
    }
    case BinaryOp::MatMul:
      unsupported("matrix product of scalars");
    }
    unsupported("binary operator");
  }

  Value compare(CompareOp Op, const Value &A, const Value &B) {
    if (Op == CompareOp::Is || Op == CompareOp::IsNot) {
      bool Same;
      if (A.K == Value::Kind::None || B.K == Value::Kind::None)
        Same = A.K == B.K;
      else
        unsupported("`is` between non-None values");
      return Value::num((Op == CompareOp::Is) == Same ? 1.0 : 0.0, false);
    }
    if (Op == CompareOp::In || Op == CompareOp::NotIn)
      unsupported("`in` comparison");
    if (A.K == Value::Kind::None || B.K == Value::Kind::None) {
      if (Op == CompareOp::Eq || Op == CompareOp::Ne) {
        bool Eq = A.K == B.K;
        return Value::num((Op == CompareOp::Eq) == Eq ? 1.0 : 0.0, false);
      }
      pyError("TypeError: ordering comparison with None");
    }
    if (A.K == Value::Kind::Str && B.K == Value::Kind::Str) {
      int C = A.Str.compare(B.Str);
      bool R = false;
      switch (Op) {
      case CompareOp::Lt: R = C < 0; break;
      case CompareOp::Le: R = C <= 0; break;
      case CompareOp::Gt: R = C > 0; break;
      case CompareOp::Ge: R = C >= 0; break;
      case CompareOp::Eq: R = C == 0; break;
      case CompareOp::Ne: R = C != 0; break;
      default: break;
      }
      return Value::num(R, false);
    }
    double X = asNum(A, "a comparison"), Y = asNum(B, "a comparison");
    bool R = false;
    switch (Op) {
    case CompareOp::Lt: R = X < Y; break;
    case CompareOp::Le: R = X <= Y; break;
    case CompareOp::Gt: R = X > Y; break;
    case CompareOp::Ge: R = X >= Y; break;
    case CompareOp::Eq: R = X == Y; break;
    case CompareOp::Ne: R = X != Y; break;
    default: break;
    }
    return Value::num(R ? 1.0 : 0.0, anyTensor(A, B));
  }

  Value subscript(const Value &Base, const std::vector<ExprPtr> &Indices) {
    if (Indices.size() != 1)
      unsupported("multi-dimensional indexing");
    if (Base.K != Value::Kind::Seq) {
      if (Base.K == Value::Kind::Num && Base.Tensor)
        pyError("IndexError: invalid index of a 0-dim tensor");
      unsupported("indexing a non-sequence");
    }
    const std::vector<Value> &Es = *Base.Seq;
    const long N = static_cast<long>(Es.size());
    const Expr &IE = *Indices[0];
    if (const auto *S = dyn_cast<SliceExpr>(&IE)) {
      auto bound = [&](const ExprPtr &E) -> std::optional<long> {
        if (!E)
          return std::nullopt;
        Value V = eval(*E);
        if (V.K == Value::Kind::None)
          return std::nullopt;
        double X = asNum(V, "a slice bound");
        if (!isInteger(X))
          pyError("TypeError: slice indices must be integers");
        return static_cast<long>(X);
      };
      long Step = bound(S->Step).value_or(1);
      if (Step == 0)
        pyError("ValueError: slice step cannot be zero");
      // Python's slice.indices(N).
      auto norm = [&](const ExprPtr &E, long DefaultPos, long DefaultNeg) {
        std::optional<long> B = bound(E);
        if (!B)
          return Step > 0 ? DefaultPos : DefaultNeg;
        long I = *B;
        if (I < 0)
          I += N;
        if (Step > 0)
          return std::clamp(I, 0L, N);
        return std::clamp(I, -1L, N - 1);
      };
      long Lo = norm(S->Lower, 0, N - 1);
      long Hi = norm(S->Upper, N, -1);
      std::vector<Value> Sub;
      for (long I = Lo; Step > 0 ? I < Hi : I > Hi; I += Step)
        Sub.push_back(Es[static_cast<size_t>(I)]);
      return Value::seq(std::move(Sub), Base.Tensor);
    }
    if (isa<EllipsisExpr>(&IE))
      unsupported("ellipsis index");
    double X = asNum(eval(IE), "an index");
    if (!isInteger(X))
      pyError("TypeError: indices must be integers");
    long I = static_cast<long>(X);
    if (I < 0)
      I += N;
    if (I < 0 || I >= N)
      pyError("IndexError: index out of range");
    return Es[static_cast<size_t>(I)];
  }

  Value distribution(const DistributionExpr &D) {
    auto DV = std::make_shared<DistValue>();
    DV->Id = D.Dist;
    const size_t NSlots = D.info().Params.size();
    if (D.Args.Args.size() > NSlots)
      unsupported("extra distribution arguments");
    DV->Params.resize(NSlots);
    for (size_t I = 0; I < D.Args.Args.size(); ++I) {
      const Expr *A = D.Args.Args[I].get();
      if (!A)
        continue;
      Value V = eval(*A);
      if (V.K == Value::Kind::None)
        continue;
      if (V.K == Value::Kind::Dist)
        unsupported("distribution-valued distribution argument");
      DV->Params[I] = asNum(V, "a distribution argument");
    }
    for (const DistTransform &T : D.Transforms) {
      switch (T.Kind) {
      case DistTransformKind::ToEvent:
      case DistTransformKind::Independent:
      case DistTransformKind::Expand:
      case DistTransformKind::ExpandBy:
        if (T.Arg)
          (void)eval(*T.Arg);
        break; // no-ops on scalars
      case DistTransformKind::Mask:
        if (!T.Arg)
          unsupported("mask without argument");
        DV->Mask = truthy(eval(*T.Arg)) && DV->Mask.value_or(true);
        break;
      case DistTransformKind::BijectToInterval: // only in synthesised autoguides
        unsupported("biject_to");
      }
    }
    Value V;
    V.K = Value::Kind::Dist;
    V.Dist = std::move(DV);
    return V;
  }

  /// log_prob of a distribution value, with its mask; NaN/-inf as documented.
  double distLogProb(const DistValue &D, double X) {
    std::optional<double> LP = Interpreter::logProb(D.Id, D.Params, X, &RangeEvent);
    if (!LP)
      unsupported("log-density of " + distInfo(D.Id).Name);
    if (D.Mask && !*D.Mask)
      return 0.0;
    return *LP;
  }

  Value call(const CallExpr &C) {
    const std::vector<ExprPtr> &A = C.Args.Args;
    auto argVal = [&](size_t I) -> std::optional<Value> {
      if (I >= A.size() || !A[I])
        return std::nullopt;
      return eval(*A[I]);
    };
    switch (C.Op) {
    case OpId::Tensor:
    case OpId::FloatTensor:
    case OpId::AsTensor: {
      for (size_t I = 1; I < A.size(); ++I)
        if (A[I])
          (void)eval(*A[I]); // dtype/device/requires_grad
      std::optional<Value> D = argVal(0);
      if (!D)
        unsupported("torch.tensor without data");
      return toTensor(*D);
    }
    case OpId::Stack: {
      std::optional<Value> D = argVal(0);
      if (!D || D->K != Value::Kind::Seq || (A.size() > 1 && A[1]))
        unsupported("torch.stack of non-scalars");
      return toTensor(*D);
    }
    case OpId::DistLogProb: {
      std::optional<Value> D = argVal(0), X = argVal(1);
      if (!D || D->K != Value::Kind::Dist || !X)
        unsupported("log_prob of a non-distribution");
      return Value::num(distLogProb(*D->Dist, asNum(*X, "log_prob")), true);
    }
    case OpId::Item:
    case OpId::PyFloat: {
      std::optional<Value> X = argVal(0);
      if (!X)
        unsupported("float() without argument");
      if (X->K == Value::Kind::Str)
        unsupported("float of a string");
      return Value::num(asNum(*X, "float()"), false);
    }
    case OpId::FloatCast:
    case OpId::Double:
    case OpId::Detach:
    case OpId::Clone:
    case OpId::Contiguous: {
      std::optional<Value> X = argVal(0);
      if (!X)
        unsupported("cast without argument");
      return Value::num(asNum(*X, "a cast"), true);
    }
    case OpId::Long:
    case OpId::IntCast: {
      double X = asNum(*argVal(0), "a cast");
      if (!std::isfinite(X))
        return Value::num(static_cast<double>(std::numeric_limits<int64_t>::min()), true);
      return Value::num(std::trunc(X), true);
    }
    case OpId::Bool:
      return Value::num(asNum(*argVal(0), "bool()") != 0 ? 1.0 : 0.0, true);
    case OpId::PyInt: {
      std::optional<Value> X = argVal(0);
      if (!X)
        unsupported("int() without argument");
      double V = asNum(*X, "int()");
      if (std::isnan(V))
        pyError("ValueError: cannot convert float NaN to integer");
      if (std::isinf(V))
        pyError("OverflowError: cannot convert float infinity to integer");
      return Value::num(std::trunc(V), false);
    }
    case OpId::PyLen: {
      std::optional<Value> X = argVal(0);
      if (!X || X->K != Value::Kind::Seq)
        pyError("TypeError: len() of a non-sequence");
      return Value::num(static_cast<double>(X->Seq->size()), false);
    }
    case OpId::PyRound: {
      if (A.size() > 1 && A[1])
        unsupported("round with ndigits");
      std::optional<Value> X = argVal(0);
      double V = asNum(*X, "round()");
      if (!X->Tensor && !std::isfinite(V))
        pyError("round() of a non-finite float");
      return Value::num(roundHalfEven(V), X->Tensor);
    }
    case OpId::PyMin:
    case OpId::PyMax: {
      std::vector<Value> Items;
      for (const ExprPtr &E : A)
        if (E)
          Items.push_back(eval(E));
      if (Items.size() == 1) {
        if (Items[0].K != Value::Kind::Seq)
          pyError("TypeError: object is not iterable");
        Items = std::vector<Value>(*Items[0].Seq);
      }
      if (Items.empty())
        pyError("ValueError: min/max of an empty sequence");
      // Python keeps the first extreme item: replace only on a strict improvement.
      Value Best = Items[0];
      for (size_t I = 1; I < Items.size(); ++I) {
        double B = asNum(Best, "min/max"), X = asNum(Items[I], "min/max");
        if (C.Op == OpId::PyMin ? X < B : X > B)
          Best = Items[I];
      }
      (void)asNum(Best, "min/max");
      return Best;
    }
    case OpId::ZerosLike:
    case OpId::OnesLike: {
      (void)asNum(*argVal(0), "zeros_like");
      return Value::num(C.Op == OpId::ZerosLike ? 0.0 : 1.0, true);
    }
    case OpId::ListAppend: {
      std::optional<Value> L = argVal(0), V = argVal(1);
      if (!L || L->K != Value::Kind::Seq || L->Tensor || !V)
        unsupported("list.append on a non-list");
      std::vector<Value> Es(*L->Seq);
      Es.push_back(*V);
      return Value::seq(std::move(Es), false);
    }
    case OpId::Sum:
    case OpId::Mean:
    case OpId::Prod:
    case OpId::Max:
    case OpId::Min:
    case OpId::Logsumexp: {
      // Scalars and 1-D stacks only: a dim argument must be 0 or -1.
      if (A.size() > 1 && A[1]) {
        double Dim = asNum(eval(*A[1]), "a reduction dim");
        if (Dim != 0 && Dim != -1)
          unsupported("reduction over a dimension");
      } else if (C.Op == OpId::Logsumexp) {
        unsupported("logsumexp needs a dim");
      }
      for (size_t I = 2; I < A.size(); ++I)
        if (A[I])
          unsupported("reduction with keepdim/dtype");
      std::optional<Value> X = argVal(0);
      if (!X)
        unsupported("reduction without argument");
      std::vector<double> Xs;
      if (X->K == Value::Kind::Seq) {
        for (const Value &E : *X->Seq)
          Xs.push_back(asNum(E, "a reduction"));
      } else {
        Xs.push_back(asNum(*X, "a reduction"));
      }
      if (Xs.empty()) {
        if (C.Op == OpId::Max || C.Op == OpId::Min)
          pyError("RuntimeError: max of an empty tensor");
        return Value::num(C.Op == OpId::Prod ? 1.0 : (C.Op == OpId::Mean ? NaN : 0.0), true);
      }
      if (C.Op == OpId::Logsumexp) {
        double M = -Inf;
        for (double V : Xs)
          M = std::isnan(V) || std::isnan(M) ? NaN : std::max(M, V);
        if (!std::isfinite(M))
          return Value::num(M, true);
        double Acc = 0;
        for (double V : Xs)
          Acc += std::exp(V - M);
        return Value::num(M + std::log(Acc), true);
      }
      double R = C.Op == OpId::Prod ? 1.0 : (C.Op == OpId::Sum || C.Op == OpId::Mean ? 0.0 : Xs[0]);
      for (double V : Xs) {
        switch (C.Op) {
        case OpId::Sum:
        case OpId::Mean:
          R += V;
          break;
        case OpId::Prod:
          R *= V;
          break;
        case OpId::Max:
          R = (std::isnan(V) || std::isnan(R)) ? NaN : std::max(R, V);
          break;
        case OpId::Min:
          R = (std::isnan(V) || std::isnan(R)) ? NaN : std::min(R, V);
          break;
        default:
          break;
        }
      }
      if (C.Op == OpId::Mean)
        R /= static_cast<double>(Xs.size());
      return Value::num(R, true);
    }
    case OpId::Where: {
      std::optional<Value> Cond = argVal(0);
      std::optional<Value> X = argVal(1), Y = argVal(2);
      if (!Cond || !X || !Y)
        unsupported("torch.where with one argument");
      double XV = asNum(*X, "torch.where"), YV = asNum(*Y, "torch.where");
      return Value::num(truthy(*Cond) ? XV : YV, true);
    }
    default:
      break;
    }
    // Elementwise operations on numbers.
    std::vector<std::optional<double>> Args;
    bool AnyTensor = false;
    for (size_t I = 0; I < A.size(); ++I) {
      if (!A[I]) {
        Args.push_back(std::nullopt);
        continue;
      }
      Value V = eval(*A[I]);
      if (V.K == Value::Kind::None) {
        Args.push_back(std::nullopt);
        continue;
      }
      AnyTensor = AnyTensor || V.Tensor;
      Args.push_back(asNum(V, C.info().QualifiedName.c_str()));
    }
    std::optional<double> R = Interpreter::applyOp(C.Op, Args);
    if (!R)
      unsupported("operation " + C.info().QualifiedName);
    noteOpRange(C.Op, Args, *R);
    const std::string &Name = C.info().QualifiedName;
    bool IsMath = Name.rfind("math.", 0) == 0;
    if (IsMath && std::isnan(*R) && !(Args[0] && std::isnan(*Args[0])))
      pyError("ValueError: math domain error in " + Name);
    bool IsPyBuiltin = C.Op == OpId::PyAbs;
    return Value::num(*R, IsMath ? false : (IsPyBuiltin ? AnyTensor : true));
  }

  /// Saturation, overflow and underflow of elementwise operations whose real
  /// result is finite and strictly inside their range.
  void noteOpRange(OpId Op, const std::vector<std::optional<double>> &Args, double R) {
    if (Args.empty() || !Args[0] || !std::isfinite(*Args[0]))
      return;
    const double X = *Args[0];
    bool E = false;
    switch (Op) {
    case OpId::Exp:
      E = std::isinf(R) || tiny(R);
      break;
    case OpId::MathExp:
      E = std::isnan(R) || tiny(R); // OverflowError
      break;
    case OpId::Expm1:
      E = std::isinf(R) || R == -1;
      break;
    // Saturation: within 1e-8 of the bound, 1 - |R| has lost half of its
    // digits, so log(1 - p) and the like move in visible float steps.
    case OpId::Sigmoid:
    case OpId::FSigmoid:
      E = tiny(R) || R > 1 - 1e-8;
      break;
    case OpId::Tanh:
    case OpId::FTanh:
    case OpId::Erf:
      E = std::fabs(R) > 1 - 1e-8;
      break;
    case OpId::Sin:
    case OpId::Cos:
      // Beyond ~1e7 the rounding error of the argument (eps |x|) is visible at
      // the checker's resolution: the result is numerically noise.
      E = std::fabs(X) > 1e7;
      break;
    case OpId::FSoftplus:
      E = tiny(R);
      break;
    case OpId::Lgamma:
    case OpId::MathLgamma:
      E = (std::isinf(R) && !(X <= 0 && X == std::floor(X))) || X > 1e7;
      break;
    case OpId::Pow:
      E = X != 0 && Args.size() > 1 && Args[1] && std::isfinite(*Args[1]) && (std::isinf(R) || tiny(R));
      break;
    default:
      E = std::fpclassify(R) == FP_SUBNORMAL;
      break;
    }
    RangeEvent = RangeEvent || E;
  }

  static Value toTensor(const Value &D) {
    if (D.K == Value::Kind::Num)
      return Value::num(D.Num, true);
    if (D.K == Value::Kind::Seq) {
      std::vector<Value> Es;
      for (const Value &E : *D.Seq)
        Es.push_back(toTensor(E));
      return Value::seq(std::move(Es), true);
    }
    unsupported("torch.tensor of a non-number");
  }

  Value eval(const ExprPtr &E) {
    if (!E)
      unsupported("invalid IR: a missing expression");
    return eval(*E);
  }

  Value eval(const Expr &E) {
    switch (E.Kind) {
    case ExprKind::Constant: {
      const auto &C = *cast<ConstantExpr>(&E);
      switch (C.Ty) {
      case ConstantExpr::Type::None:
        return Value::none();
      case ConstantExpr::Type::String:
        return Value::str(C.StringValue);
      default:
        return Value::num(C.number(), false);
      }
    }
    case ExprKind::VarRef: {
      VarId V = cast<VarRefExpr>(&E)->Var;
      if (V >= Vars.size() || Vars[V].K == Value::Kind::Unset)
        pyError("NameError: variable '" + (V < P.numVars() ? P.var(V).Name : std::string("?")) +
                "' is not assigned");
      return Vars[V];
    }
    case ExprKind::Unary: {
      const auto &U = *cast<UnaryExpr>(&E);
      Value X = eval(U.Operand);
      switch (U.Op) {
      case UnaryOp::Neg:
        return Value::num(-asNum(X, "unary -"), X.Tensor);
      case UnaryOp::Pos:
        return Value::num(asNum(X, "unary +"), X.Tensor);
      case UnaryOp::Not:
        return Value::num(truthy(X) ? 0.0 : 1.0, false);
      case UnaryOp::Invert:
        unsupported("operator ~");
      }
      unsupported("unary operator");
    }
    case ExprKind::Binary: {
      const auto &B = *cast<BinaryExpr>(&E);
      Value L = eval(B.Lhs);
      Value R = eval(B.Rhs);
      return binary(B.Op, L, R);
    }
    case ExprKind::Compare: {
      const auto &C = *cast<CompareExpr>(&E);
      Value L = eval(C.Lhs);
      Value R = eval(C.Rhs);
      return compare(C.Op, L, R);
    }
    case ExprKind::Logical: {
      const auto &L = *cast<LogicalExpr>(&E);
      Value A = eval(L.Lhs);
      bool T = truthy(A);
      if (L.Op == LogicalOp::And)
        return T ? eval(L.Rhs) : A;
      return T ? A : eval(L.Rhs);
    }
    case ExprKind::Conditional: {
      const auto &C = *cast<ConditionalExpr>(&E);
      return truthy(eval(C.Cond)) ? eval(C.Then) : eval(C.Else);
    }
    case ExprKind::Call:
      return call(*cast<CallExpr>(&E));
    case ExprKind::Distribution:
      return distribution(*cast<DistributionExpr>(&E));
    case ExprKind::Subscript: {
      const auto &S = *cast<SubscriptExpr>(&E);
      Value B = eval(S.Base);
      return subscript(B, S.Indices);
    }
    case ExprKind::Tuple:
    case ExprKind::List: {
      const auto &S = *cast<SequenceExpr>(&E);
      std::vector<Value> Es;
      for (const ExprPtr &X : S.Elements)
        Es.push_back(eval(X));
      return Value::seq(std::move(Es), false);
    }
    case ExprKind::IndexUpdate: {
      const auto &U = *cast<IndexUpdateExpr>(&E);
      Value B = eval(U.Base);
      if (B.K != Value::Kind::Seq || U.Indices.size() != 1 || isa<SliceExpr>(U.Indices[0].get()))
        unsupported("index update of a non-sequence");
      double X = asNum(eval(U.Indices[0]), "an index");
      Value V = eval(U.Value);
      std::vector<Value> Es(*B.Seq);
      long N = static_cast<long>(Es.size());
      if (!isInteger(X))
        pyError("TypeError: indices must be integers");
      long I = static_cast<long>(X);
      if (I < 0)
        I += N;
      if (I < 0 || I >= N)
        pyError("IndexError: assignment index out of range");
      Es[static_cast<size_t>(I)] = B.Tensor ? Value::num(asNum(V, "an index update"), true) : V;
      return Value::seq(std::move(Es), B.Tensor);
    }
    case ExprKind::Slice:
    case ExprKind::Ellipsis:
      unsupported("slice outside an index");
    case ExprKind::ModuleCtor:
    case ExprKind::ModuleCall:
      unsupported("nn modules");
    case ExprKind::Dict:
      unsupported("dict values");
    case ExprKind::Attribute:
      unsupported("attribute " + cast<AttributeExpr>(&E)->Name);
    case ExprKind::AttrUpdate:
      unsupported("attribute update");
    case ExprKind::Constraint:
      unsupported("constraint outside pyro.param");
    }
    unsupported("expression kind");
  }

  //--- statements ----------------------------------------------------------

  std::pair<std::string, std::string> siteName(const SiteName &N) {
    switch (N.NameForm) {
    case SiteName::Form::Literal:
      return {N.Canonical, N.Canonical};
    case SiteName::Form::Template: {
      std::string Out;
      size_t Next = 0;
      const std::string &C = N.Canonical;
      for (size_t I = 0; I < C.size(); ++I) {
        if (C[I] == '{' && I + 1 < C.size() && C[I + 1] == '}') {
          if (Next >= N.Indices.size())
            unsupported("site-name template with too few arguments");
          Out += formatIndex(eval(N.Indices[Next++]));
          ++I;
        } else {
          Out += C[I];
        }
      }
      return {Out, C};
    }
    case SiteName::Form::Dynamic:
      break;
    }
    unsupported("dynamic site name");
  }

  double readName(const SiteRequest &R) {
    if (In.RecordSites)
      Out.Sites.push_back(R);
    if (In.Names) {
      auto It = In.Names->find(R.Concrete);
      if (It != In.Names->end())
        return It->second;
    }
    if (In.OnMissing)
      if (std::optional<double> V = In.OnMissing(R))
        return *V;
    pyError("no value for site '" + R.Concrete + "'");
  }

  void addLog(double LP) {
    if (!MaskOn)
      return;
    LogDensity += Scale * LP;
  }

  void execBlock(const Block &B) {
    for (const StmtPtr &S : B)
      exec(*S);
  }

  void exec(const Stmt &S) {
    tick();
    switch (S.Kind) {
    case StmtKind::Assign: {
      const auto &A = *cast<AssignStmt>(&S);
      slot(A.Target) = eval(A.Value);
      return;
    }
    case StmtKind::ExprStmt:
      (void)eval(cast<ExprStmt>(&S)->Value);
      return;
    case StmtKind::Sample: {
      const auto &Smp = *cast<SampleStmt>(&S);
      auto [Concrete, Canonical] = siteName(Smp.Name);
      if (!Smp.Dist)
        unsupported("invalid IR: a sample without distribution");
      Value DV = distribution(*Smp.Dist);
      const DistValue &D = *DV.Dist;
      if (Smp.isObserve()) {
        Value O = eval(*Smp.Obs);
        if (O.K == Value::Kind::None)
          unsupported("obs=None");
        addLog(distLogProb(D, asNum(O, "an observed value")));
        if (Smp.Target)
          slot(*Smp.Target) = Value::num(asNum(O, "an observed value"), true);
        return;
      }
      if (D.Id == DistId::Delta)
        unsupported("Delta sample");
      SiteRequest R;
      R.SiteKind = SiteRequest::Kind::Latent;
      R.Concrete = std::move(Concrete);
      R.Canonical = std::move(Canonical);
      R.Support = supportOf(D.Id, D.Params);
      R.Dist = D.Id;
      double X = readName(R);
      addLog(distLogProb(D, X));
      if (Smp.Target)
        slot(*Smp.Target) = Value::num(X, true);
      return;
    }
    case StmtKind::Param: {
      const auto &Pm = *cast<ParamStmt>(&S);
      auto [Concrete, Canonical] = siteName(Pm.Name);
      if (Pm.Init)
        (void)eval(*Pm.Init); // its errors are the program's errors
      SiteRequest R;
      R.SiteKind = SiteRequest::Kind::Param;
      R.Concrete = std::move(Concrete);
      R.Canonical = std::move(Canonical);
      if (Pm.Constraint) {
        std::vector<double> Args;
        for (const ExprPtr &A : Pm.Constraint->Args)
          Args.push_back(evalNum(A.get(), "a constraint argument"));
        R.Support = supportOf(Pm.Constraint->Constraint, Args);
      }
      double X = readName(R);
      if (Pm.Target)
        slot(*Pm.Target) = Value::num(X, true);
      return;
    }
    case StmtKind::Module:
      unsupported("pyro.module");
    case StmtKind::Factor: {
      const auto &F = *cast<FactorStmt>(&S);
      (void)siteName(F.Name);
      addLog(evalNum(F.LogProb.get(), "a factor"));
      return;
    }
    case StmtKind::If: {
      const auto &I = *cast<IfStmt>(&S);
      if (truthy(eval(I.Cond)))
        execBlock(I.Then);
      else
        execBlock(I.Else);
      return;
    }
    case StmtKind::For: {
      const auto &F = *cast<ForStmt>(&S);
      long Start = 0, Stop = 0, Step = 1;
      if (F.Over == ForStmt::Iter::Range) {
        auto intOf = [&](const ExprPtr &E, long Default) {
          if (!E)
            return Default;
          double X = evalNum(E.get(), "range()");
          if (!isInteger(X))
            pyError("TypeError: range() of a float");
          return static_cast<long>(X);
        };
        Start = intOf(F.Start, 0);
        Stop = intOf(F.Stop, 0);
        Step = intOf(F.Step, 1);
        if (Step == 0)
          pyError("ValueError: range() arg 3 must not be zero");
      } else {
        if (F.Plate.SubsampleSize)
          unsupported("subsampled sequential plate");
        (void)siteName(F.Plate.Name);
        double N = evalNum(F.Plate.Size.get(), "a plate size");
        if (!isInteger(N))
          pyError("TypeError: plate size");
        Stop = static_cast<long>(N);
      }
      for (long I = Start; Step > 0 ? I < Stop : I > Stop; I += Step) {
        tick();
        slot(F.Index) = Value::num(static_cast<double>(I), false);
        execBlock(F.Body);
      }
      return;
    }
    case StmtKind::While: {
      const auto &W = *cast<WhileStmt>(&S);
      while (truthy(eval(W.Cond))) {
        tick();
        execBlock(W.Body);
      }
      return;
    }
    case StmtKind::With: {
      const auto &W = *cast<WithStmt>(&S);
      switch (W.Ctx) {
      case WithStmt::Context::NoGrad:
        execBlock(W.Body);
        return;
      case WithStmt::Context::Scale: {
        double Sc = evalNum(W.Arg.get(), "poutine.scale");
        double Saved = Scale;
        Scale *= Sc;
        execBlock(W.Body);
        Scale = Saved;
        return;
      }
      case WithStmt::Context::Mask: {
        bool M = truthy(eval(W.Arg));
        bool Saved = MaskOn;
        MaskOn = MaskOn && M;
        execBlock(W.Body);
        MaskOn = Saved;
        return;
      }
      case WithStmt::Context::Plate:
        unsupported("vectorised plate");
      }
      return;
    }
    case StmtKind::Return: {
      const auto &R = *cast<ReturnStmt>(&S);
      if (R.Value)
        (void)eval(*R.Value);
      return;
    }
    case StmtKind::Assert: {
      const auto &A = *cast<AssertStmt>(&S);
      if (!truthy(eval(A.Cond)))
        pyError("AssertionError");
      return;
    }
    }
  }
};

} // namespace

Interpreter::Interpreter(const Program &P) : Prog(P) {}
Interpreter::~Interpreter() = default;

RunResult Interpreter::run(const RunInputs &In) const {
  RunResult Out;
  Evaluator Ev(Prog, In, Out);
  try {
    for (VarId V : Prog.Inputs) {
      const std::string &Name = Prog.var(V).Name;
      auto It = In.Data ? In.Data->find(Name) : decltype(In.Data->end()){};
      if (!In.Data || It == In.Data->end())
        pyError("no value for entry input '" + Name + "'");
      Ev.slot(V) = Value::num(It->second, true);
    }
    Ev.execBlock(Prog.Body);
    Out.LogDensity = Ev.LogDensity;
    Out.RangeEvent = Ev.RangeEvent;
  } catch (const Unsupported &U) {
    Out.St = RunResult::Status::Unsupported;
    Out.Message = U.Msg;
    Out.LogDensity = NaN;
  } catch (const PyError &E) {
    Out.RangeEvent = Ev.RangeEvent;
    Out.St = RunResult::Status::RuntimeError;
    Out.Message = E.Msg;
    Out.LogDensity = NaN;
  }
  return Out;
}

} // namespace svic::testkit
