//===- NumericOps.cpp - Numeric transfer functions of the table's rows ------===//
///
/// \file
/// One case per row of Operations.def (operations and modules),
/// Distributions.def (supports) and Constraints.def, with no `default:` so a
/// new row is a compile error (-Wswitch) until it gets a transfer function.
//===----------------------------------------------------------------------===//

#include "svic/analysis/Numeric.h"

#include <cmath>
#include <limits>
#include <numbers>

namespace svic::analysis::numeric_detail {

using ir::ConstantExpr;
using ir::OpId;

namespace {

constexpr double Inf = std::numeric_limits<double>::infinity();

NumValue num(const Interval &I) { return NumValue::number(I); }
NumValue topNum() { return num(Interval::top()); }

/// The string of a constant string argument, if it is one.
std::optional<std::string> constString(const ir::Expr *E) {
  if (const auto *C = E ? ir::dyn_cast<ConstantExpr>(E) : nullptr)
    if (C->Ty == ConstantExpr::Type::String)
      return C->StringValue;
  return std::nullopt;
}

/// The numbers an argument contributes. A value that may be a string or an
/// object but holds no known numbers (float("1e-3"), an opaque attribute) may
/// convert to any number: top, never the empty set of an empty tensor.
Interval numbersOf(const NumValue &V) {
  if (V.num().isBottom() && (V.kinds() & ~(NumValue::KNum | NumValue::KSeq)))
    return Interval::top();
  return V.num();
}

/// The argument values of a call, with accessors that tolerate absent slots.
struct ArgView {
  const std::vector<std::optional<NumValue>> &Args;
  bool has(size_t I) const { return I < Args.size() && Args[I].has_value(); }
  /// The numbers of argument I (top when absent: callers check has()).
  Interval n(size_t I) const { return has(I) ? numbersOf(*Args[I]) : Interval::top(); }
};

/// torch.pad / F.pad: the input's values plus the fill value in constant
/// mode (default 0); other modes only repeat input values.
Interval padValues(const ir::CallExpr &C, const ArgView &A) {
  Interval In = A.n(0);
  const auto &As = C.Args.Args;
  bool HasMode = As.size() > 2 && As[2];
  // Only constant mode (the default) adds new values; a mode we cannot read
  // may be constant mode.
  if (HasMode) {
    auto Mode = constString(As[2].get());
    if (Mode && *Mode != "constant")
      return In;
  }
  Interval Fill = A.has(3) ? A.n(3) : Interval::point(0);
  return In.join(Fill);
}

/// bool(v) elementwise.
Interval truthOf(const Interval &V) {
  if (V.isBottom())
    return V;
  if (V.isZero())
    return Interval::point(0);
  return V.excludesZero() ? Interval::point(1) : Interval::integers(0, 1);
}

/// The values of \p V converted to the dtype named by \p Dtype (torch 1.13:
/// integer types truncate toward zero and wrap when out of range, bool is
/// v != 0). \p Known: the dtype is the one given (null: the default, V
/// itself); else it is unknown (a fill_ receiver's) and may be any.
Interval castTo(const Interval &V, const ir::Expr *Dtype, bool Known = true) {
  if (V.isBottom() || (Known && !Dtype))
    return V;
  Interval T = ival::trunc(V);
  auto Ints = [&](double Lo, double Hi) {
    return T.leq(Interval::closed(Lo, Hi)) ? T : Interval::integers(Lo, Hi);
  };
  if (Known) {
    auto D = constString(Dtype);
    if (!D)
      Known = false;
    else if (*D == "torch.float" || *D == "torch.float32" || *D == "torch.float64" ||
             *D == "torch.double" || *D == "torch.half" || *D == "torch.float16" ||
             *D == "torch.bfloat16")
      return V;
    else if (*D == "torch.bool")
      return truthOf(V);
    else if (*D == "torch.uint8")
      return Ints(0, 255);
    else if (*D == "torch.int8")
      return Ints(-128, 127);
    else if (*D == "torch.int16" || *D == "torch.short")
      return Ints(-32768, 32767);
    else if (*D == "torch.int32" || *D == "torch.int" || *D == "torch.int64" || *D == "torch.long")
      return T.leq(Interval::closed(-2147483648.0, 2147483647.0)) ? T : Interval::top();
    else
      Known = false;
  }
  // Any dtype: the value, its truncation (wrapped into a narrow type), its truth.
  if (!T.leq(Interval::closed(-2147483648.0, 2147483647.0)))
    return Interval::top();
  return V.join(T)
      .join(Ints(0, 255))
      .join(Ints(-128, 127))
      .join(Ints(-32768, 32767))
      .join(truthOf(V));
}

/// A reduction's input converted to its `dtype` argument: an integer type
/// narrower than 64 bits may also wrap while accumulating.
Interval reductionInput(const Interval &X, const ir::Expr *Dtype) {
  if (!Dtype)
    return X;
  auto D = constString(Dtype);
  if (D && (*D == "torch.int64" || *D == "torch.long" || *D == "torch.bool"))
    return castTo(X, Dtype);
  Interval C = castTo(X, Dtype);
  return C == X ? X : Interval::top();
}

/// torch's softplus(x, beta, threshold): log(1 + exp(beta x)) / beta where
/// beta x <= threshold, else x. Positive and above x when beta > 0 and
/// threshold >= 0; with beta < 0 or threshold < 0 it may be negative.
Interval softplusRange(const Interval &X, std::optional<Interval> Beta,
                       std::optional<Interval> Threshold) {
  if (!Beta && !Threshold)
    return ival::softplus(X);
  if ((Beta && !Beta->isPositive()) || (Threshold && !Threshold->isNonNegative()))
    return Interval::top();
  return Interval::positive().meet(Interval::make(X.lo(), X.loOpen(), Inf, true));
}

/// The sign class of a value joined with 0 (what scaling by a non-negative
/// factor or masking preserves).
Interval signWithZero(const Interval &I) {
  if (I.isBottom())
    return I;
  if (I.isNonNegative())
    return Interval::nonNegative();
  if (I.isNonPositive())
    return Interval::nonPositive();
  return Interval::top();
}

} // namespace

NumValue transferCall(const ir::CallExpr &C, const std::vector<std::optional<NumValue>> &Args) {
  // A required argument with no possible value: the call is not reached.
  for (const auto &A : Args)
    if (A && A->isBottom())
      return NumValue::bottom();
  ArgView A{Args};
  Interval X = A.n(0);
  auto ArgExpr = [&](size_t I) -> const ir::Expr * {
    return I < C.Args.Args.size() ? C.Args.Args[I].get() : nullptr;
  };
  switch (C.Op) {
  // --- elementwise math ---------------------------------------------------
  case OpId::Exp:
  case OpId::MathExp:
    return num(ival::exp(X));
  case OpId::Expm1:
    return num(ival::expm1(X));
  case OpId::Log:
    return num(ival::log(X));
  case OpId::MathLog:
    if (A.has(1)) // log(x, base) = log x / log base
      return num(ival::log(X) / ival::log(A.n(1)));
    return num(ival::log(X));
  case OpId::Log1p:
    return num(ival::log1p(X));
  case OpId::Sqrt:
  case OpId::MathSqrt:
    return num(ival::sqrt(X));
  case OpId::Rsqrt:
    return num(ival::rsqrt(X));
  case OpId::Pow:
    return num(ival::pow(X, A.n(1)));
  case OpId::Sigmoid:
  case OpId::FSigmoid:
    return num(ival::sigmoid(X));
  case OpId::Tanh:
  case OpId::FTanh:
    return num(ival::tanh(X));
  case OpId::Sin:
  case OpId::Cos:
    return num(Interval::closed(-1, 1));
  case OpId::Erf:
    return num(ival::erf(X));
  case OpId::Lgamma:
  case OpId::MathLgamma:
  case OpId::Digamma:
    return topNum();
  case OpId::Abs:
  case OpId::PyAbs:
    return num(ival::abs(X));
  case OpId::Sign:
    return num(ival::sign(X));
  case OpId::Floor:
  case OpId::MathFloor:
    return num(ival::floor(X));
  case OpId::Ceil:
  case OpId::MathCeil:
    return num(ival::ceil(X));
  case OpId::Round:
  case OpId::PyRound:
    if (C.Op == OpId::PyRound && A.has(1))
      return num(X.isBottom() ? X : Interval::top()); // round(x, ndigits) keeps decimals
    return num(ival::round(X));
  case OpId::Clamp: {
    Interval Lo = A.n(1), Hi = A.n(2);
    return num(ival::clamp(X, A.has(1) ? &Lo : nullptr, A.has(2) ? &Hi : nullptr));
  }
  case OpId::Minimum:
    return num(ival::min(X, A.n(1)));
  case OpId::Maximum:
    return num(ival::max(X, A.n(1)));
  case OpId::PyMin:
  case OpId::PyMax: {
    // min(iterable) ranges over the elements; min(a, b, ...) folds.
    if (Args.size() == 1)
      return num(X);
    Interval R = X;
    for (size_t I = 1; I < Args.size(); ++I)
      if (A.has(I))
        R = C.Op == OpId::PyMin ? ival::min(R, A.n(I)) : ival::max(R, A.n(I));
    return num(R);
  }
  case OpId::Where:
    return num(A.n(1).join(A.n(2)));
  case OpId::Relu:
  case OpId::FRelu:
    return num(ival::relu(X));
  case OpId::FSoftplus:
    return num(softplusRange(X, A.has(1) ? std::optional(A.n(1)) : std::nullopt,
                             A.has(2) ? std::optional(A.n(2)) : std::nullopt));
  case OpId::FElu:
    if (A.has(1))
      return num(X.isNonNegative() ? X : Interval::top());
    return num(ival::elu(X));
  case OpId::FLeakyRelu: {
    double Slope = 0.01;
    if (A.has(1)) {
      auto P = A.n(1).pointValue();
      if (!P || !std::isfinite(*P) || *P < 0) // nan or inf: not a slope
        return num(X.isNonNegative() ? X : Interval::top());
      Slope = *P;
    }
    return num(ival::leakyRelu(X, Slope));
  }
  case OpId::FSoftmax:
  case OpId::Softmax:
    // (0, 1), or exactly 1 along a dimension of size 1.
    return num(Interval::make(0, true, 1, false));
  case OpId::FLogSoftmax:
    return num(Interval::nonPositive());
  case OpId::FPad:
    return num(padValues(C, A));
  case OpId::FAffineGrid:
    return topNum();
  case OpId::FGridSample: {
    // Bilinear/nearest sampling with any padding mode is a convex combination
    // of input values and 0; bicubic may overshoot.
    auto Mode = C.Args.Args.size() > 2 ? constString(C.Args.Args[2].get()) : std::nullopt;
    bool HasMode = C.Args.Args.size() > 2 && C.Args.Args[2];
    if (HasMode && (!Mode || (*Mode != "bilinear" && *Mode != "nearest")))
      return topNum();
    Interval R = X.join(Interval::point(0));
    return num(Interval::make(R.lo(), R.loOpen(), R.hi(), R.hiOpen()));
  }

  // --- reductions -----------------------------------------------------------
  case OpId::Sum:
    return num(ival::sumOf(reductionInput(X, ArgExpr(3))));
  case OpId::Cumsum:
    return num(ival::sumOf(reductionInput(X, ArgExpr(2))));
  case OpId::Mean:
    return num(reductionInput(X, ArgExpr(3)).hull());
  case OpId::Prod:
    return num(ival::productOf(reductionInput(X, ArgExpr(3))));
  case OpId::Cumprod:
    return num(ival::productOf(reductionInput(X, ArgExpr(2))));
  case OpId::Max:
  case OpId::Min:
    // Values (and, with dim, a tuple of values and indices). A second
    // argument the frontend could not tell from a dim may be a tensor: then
    // it is the elementwise maximum / minimum.
    if (A.has(1))
      return NumValue::sequence(num(X.join(Interval::integers(0, Inf))))
          .join(num(C.Op == OpId::Max ? ival::max(X, A.n(1)) : ival::min(X, A.n(1))));
    return num(X);
  case OpId::Logsumexp:
    return num(X.isBottom() ? X : Interval::make(X.lo(), X.loOpen(), Inf, true));
  case OpId::Argmax:
    return num(Interval::integers(0, Inf));
  case OpId::Norm:
    if (X.excludesZero())
      return num(Interval::positive());
    return num(Interval::nonNegative());

  // --- shapes: the same elements ---------------------------------------------
  case OpId::Reshape:
  case OpId::View:
  case OpId::Expand:
  case OpId::ExpandAs:
  case OpId::Unsqueeze:
  case OpId::Squeeze:
  case OpId::Transpose:
  case OpId::T:
  case OpId::Flatten:
  case OpId::Cat:
  case OpId::Stack:
  case OpId::IndexSelect:
  case OpId::Gather:
  case OpId::Contiguous:
  case OpId::Clone:
  case OpId::Detach:
  case OpId::FloatCast:
  case OpId::Double:
  case OpId::Item:
  case OpId::Tensor:
  case OpId::FloatTensor:
  case OpId::AsTensor:
  case OpId::Parameter:
  case OpId::PyFloat:
    return num(X);
  case OpId::Tolist:
  case OpId::PyTuple:
  case OpId::PyList:
    return NumValue::sequence(num(X));
  case OpId::ScatterAdd: {
    // self + a sum of zero or more elements of src.
    Interval Added = ival::sumOf(A.n(3)).join(Interval::point(0));
    return num(X + Added);
  }
  case OpId::Size:
    return NumValue::sequence(num(Interval::integers(0, Inf)));
  case OpId::Dim:
  case OpId::PyLen:
    return num(Interval::integers(0, Inf));
  case OpId::Long:
  case OpId::IntCast:
  case OpId::PyInt:
    return num(ival::trunc(X));
  case OpId::LongTensor:
    return num(ival::trunc(X));
  case OpId::Bool:
    if (X.isBottom())
      return num(X);
    if (X.excludesZero())
      return num(Interval::point(1));
    if (X.isZero())
      return num(Interval::point(0));
    return num(Interval::integers(0, 1));

  // --- construction -----------------------------------------------------------
  case OpId::Zeros:
  case OpId::ZerosLike:
  case OpId::NewZeros:
  case OpId::ZeroInit:
    return num(Interval::point(0));
  case OpId::Ones:
  case OpId::OnesLike:
  case OpId::NewOnes:
    return num(Interval::point(1));
  case OpId::Eye: {
    // eye(n), n >= 2: a square identity (eye(n, m) may not be square, and
    // eye(1) times a matrix broadcasts to a full one).
    NumValue I = num(Interval::integers(0, 1));
    return A.has(0) && !A.has(1) && A.n(0).allAtLeast(2) ? I.withDiagonal(1) : I;
  }
  case OpId::Full:
    return num(castTo(A.n(1), ArgExpr(2)));
  case OpId::FillInit:
    // Converted to the receiver's dtype, which the IR does not carry.
    return num(castTo(A.n(1), nullptr, false));
  case OpId::NewTensor: // the receiver's dtype unless one is given
    return num(castTo(A.n(1), ArgExpr(2), ArgExpr(2) != nullptr));
  case OpId::NewFull:
    return num(castTo(A.n(2), ArgExpr(3), ArgExpr(3) != nullptr));
  case OpId::Arange: {
    // Between start and end (end excluded); arange(n) starts at 0.
    Interval Start = A.has(1) ? X : Interval::point(0);
    Interval End = A.has(1) ? A.n(1) : X;
    Interval R = Start.join(End).hull();
    bool Integral = Start.isIntegral() && End.isIntegral() && (!A.has(2) || A.n(2).isIntegral());
    return num(Integral ? R.integral() : R);
  }
  case OpId::Linspace:
    return num(X.join(A.n(1)).hull());
  case OpId::Rand:
    return num(Interval::make(0, false, 1, true));
  case OpId::Randn:
  case OpId::NormalInit:
    return topNum();
  case OpId::UniformInit: {
    Interval From = A.has(1) ? A.n(1) : Interval::point(0);
    Interval To = A.has(2) ? A.n(2) : Interval::point(1);
    return num(From.join(To).hull());
  }

  // --- linear algebra -----------------------------------------------------------
  case OpId::Matmul:
  case OpId::Mm:
  case OpId::Bmm:
    return num(ival::matmul(X, A.n(1)));
  case OpId::Einsum: // a sum of products over index ranges the interval does not know
    return topNum();

  // --- Python builtins ------------------------------------------------------
  case OpId::PyStr:
  case OpId::StrFormat:
    return NumValue::string();
  case OpId::ListAppend: {
    NumValue L = Args.empty() || !Args[0] ? NumValue::sequence(NumValue::bottom()) : *Args[0];
    NumValue V = Args.size() > 1 && Args[1] ? *Args[1] : NumValue::top();
    return NumValue::sequence(L.join(V));
  }

  // --- distributions as values -------------------------------------------------
  case OpId::DistLogProb:
    return topNum();
  case OpId::DistSample:
    return topNum(); // refined by the interpreter when self is a literal distribution

  // --- calls svic does not model: any value at all -----------------------------
  case OpId::OpaqueCall:
    return NumValue::top();
  }
  return topNum();
}

NumValue transferModule(const ir::ModuleCtorExpr &Ctor, const std::vector<NumValue> &Args,
                        const MemberCtorFn &Member) {
  for (const NumValue &V : Args)
    if (V.isBottom())
      return NumValue::bottom();
  Interval X = Args.empty() ? Interval::top() : numbersOf(Args[0]);
  auto CtorArgPoint = [&](size_t I) -> std::optional<double> {
    const auto &As = Ctor.Args.Args;
    if (I >= As.size() || !As[I])
      return std::nullopt;
    if (const auto *C = ir::dyn_cast<ConstantExpr>(As[I].get()))
      if (C->isNumber())
        return C->number();
    return std::nullopt;
  };
  auto HasCtorArg = [&](size_t I) {
    return I < Ctor.Args.Args.size() && Ctor.Args.Args[I] != nullptr;
  };
  switch (Ctor.Module) {
  case ir::ModuleId::Linear:
  case ir::ModuleId::Bilinear:
  case ir::ModuleId::BatchNorm1d:
    return topNum();
  case ir::ModuleId::ReLU:
    return num(ival::relu(X));
  case ir::ModuleId::LeakyReLU: {
    double Slope = 0.01;
    if (HasCtorArg(0)) {
      auto P = CtorArgPoint(0);
      if (!P || !std::isfinite(*P) || *P < 0) // nan or inf: not a slope
        return num(X.isNonNegative() ? X : Interval::top());
      Slope = *P;
    }
    return num(ival::leakyRelu(X, Slope));
  }
  case ir::ModuleId::ELU:
    if (HasCtorArg(0) && CtorArgPoint(0) != std::optional<double>(1.0))
      return num(X.isNonNegative() ? X : Interval::top());
    return num(ival::elu(X));
  case ir::ModuleId::Softplus: {
    auto Opt = [&](size_t I) -> std::optional<Interval> {
      if (!HasCtorArg(I))
        return std::nullopt;
      auto P = CtorArgPoint(I);
      return P ? Interval::point(*P) : Interval::top();
    };
    return num(softplusRange(X, Opt(0), Opt(1)));
  }
  case ir::ModuleId::Sigmoid:
    return num(ival::sigmoid(X));
  case ir::ModuleId::Tanh:
    return num(ival::tanh(X));
  case ir::ModuleId::SoftmaxModule:
    return num(Interval::make(0, true, 1, false));
  case ir::ModuleId::LogSoftmaxModule:
    return num(Interval::nonPositive());
  case ir::ModuleId::Identity:
    return Args.empty() ? topNum() : Args[0];
  case ir::ModuleId::Dropout:
    // Training mode: x * mask / (1 - p) with mask in {0, 1}.
    return num(signWithZero(X));
  case ir::ModuleId::RNN:
  case ir::ModuleId::GRU:
  case ir::ModuleId::LSTMCell:
    // (output, state) tuples.
    return NumValue::sequence(topNum());
  case ir::ModuleId::GRUCell:
    return topNum();
  case ir::ModuleId::Sequential: {
    NumValue V = Args.empty() ? topNum() : Args[0];
    for (const ir::ExprPtr &M : Ctor.Members) {
      const ir::ModuleCtorExpr *MC = M ? Member(*M) : nullptr;
      if (!MC)
        return topNum();
      V = transferModule(*MC, {V}, Member);
    }
    return V;
  }
  }
  return topNum();
}

NumValue sampleSupport(const ir::DistributionExpr &D,
                       const std::vector<std::optional<NumValue>> &Args,
                       const std::vector<NumValue> &ComponentSupports) {
  const ir::DistInfo &Info = D.info();
  auto Slot = [&](std::string_view Name) -> std::optional<Interval> {
    auto I = ir::paramIndex(Info.Params, Name);
    if (!I || *I >= Args.size() || !Args[*I])
      return std::nullopt;
    return Args[*I]->num();
  };
  switch (Info.Support) {
  case ir::SupportKind::Real:
  case ir::SupportKind::RealVector:
  case ir::SupportKind::PositiveDefinite:
  case ir::SupportKind::LowerCholesky:
    return topNum();
  case ir::SupportKind::Positive:
    return num(Interval::positive());
  case ir::SupportKind::NonNegative:
    return num(Interval::nonNegative());
  case ir::SupportKind::UnitInterval:
    return num(Interval::openUnit());
  case ir::SupportKind::ClosedUnitInterval:
    return num(Interval::closedUnit());
  case ir::SupportKind::Interval: {
    // Uniform(low, high) samples lie in [low, high).
    auto Lo = Slot("low"), Hi = Slot("high");
    if (!Lo || !Hi || Lo->isBottom() || Hi->isBottom())
      return topNum();
    return num(Interval::make(Lo->lo(), Lo->loOpen(), Hi->hi(), true));
  }
  case ir::SupportKind::GreaterThan:
  case ir::SupportKind::GreaterThanEq:
  case ir::SupportKind::LessThan:
    return topNum(); // bounds come from constraints, not distributions
  case ir::SupportKind::Simplex:
    // Each coordinate is in (0, 1), or exactly 1 for a one-element simplex.
    return num(Interval::make(0, true, 1, false));
  case ir::SupportKind::Circular: {
    double Pi = std::numbers::pi;
    return num(Interval::closed(std::nextafter(-Pi, -Inf), std::nextafter(Pi, Inf)));
  }
  case ir::SupportKind::Boolean:
  case ir::SupportKind::OneHot:
    return num(Interval::integers(0, 1));
  case ir::SupportKind::NonNegativeInteger:
    return num(Interval::integers(0, Inf));
  case ir::SupportKind::IntegerInterval: {
    // {0..total_count} (Binomial) or {0..n-1} (Categorical).
    if (auto N = Slot("total_count"); N && !N->isBottom())
      return num(Interval::integers(0, N->hi()));
    return num(Interval::integers(0, Inf));
  }
  case ir::SupportKind::Point: {
    // Delta(v) samples v.
    if (!Args.empty() && Args[0])
      return *Args[0];
    return topNum();
  }
  case ir::SupportKind::Unknown: // an opaque distribution may sample any value at all
    return NumValue::top();
  case ir::SupportKind::Mixed: {
    if (ComponentSupports.empty())
      return topNum();
    NumValue R = NumValue::bottom();
    for (const NumValue &S : ComponentSupports)
      R = R.join(S);
    return R;
  }
  }
  return topNum();
}

NumValue constraintSupport(ir::ConstraintId C, const std::vector<NumValue> &Args) {
  auto Arg = [&](size_t I) -> std::optional<Interval> {
    if (I >= Args.size() || Args[I].num().isBottom())
      return std::nullopt;
    return Args[I].num();
  };
  using ir::ConstraintId;
  switch (C) {
  case ConstraintId::Real:
  case ConstraintId::RealVector:
  case ConstraintId::PositiveDefinite:
  case ConstraintId::LowerCholesky:
  case ConstraintId::CorrCholesky:
    return topNum();
  case ConstraintId::Positive:
  case ConstraintId::SoftplusPositive:
    return num(Interval::positive());
  case ConstraintId::Nonnegative:
    return num(Interval::nonNegative());
  case ConstraintId::UnitInterval:
    return num(Interval::closedUnit());
  case ConstraintId::Simplex:
    return num(Interval::make(0, true, 1, false));
  case ConstraintId::Boolean:
    return num(Interval::integers(0, 1));
  case ConstraintId::NonnegativeInteger:
    return num(Interval::integers(0, Inf));
  case ConstraintId::PositiveInteger:
    return num(Interval::integers(1, Inf));
  case ConstraintId::GreaterThan:
    if (auto L = Arg(0))
      return num(Interval::greaterThan(L->lo()));
    return topNum();
  case ConstraintId::GreaterThanEq:
    if (auto L = Arg(0))
      return num(Interval::make(L->lo(), L->loOpen(), Inf, true));
    return topNum();
  case ConstraintId::LessThan:
    if (auto H = Arg(0))
      return num(Interval::lessThan(H->hi()));
    return topNum();
  case ConstraintId::Interval:
  case ConstraintId::HalfOpenInterval:
  case ConstraintId::IntegerInterval: {
    auto L = Arg(0), H = Arg(1);
    if (!L || !H)
      return topNum();
    bool HalfOpen = C == ConstraintId::HalfOpenInterval;
    Interval R = Interval::make(L->lo(), L->loOpen(), H->hi(), HalfOpen || H->hiOpen());
    return num(C == ConstraintId::IntegerInterval ? R.integral() : R);
  }
  }
  return topNum();
}

} // namespace svic::analysis::numeric_detail
