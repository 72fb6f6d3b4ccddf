//===- Interval.h - Intervals over the reals with open/closed bounds -------===//
///
/// \file
/// The value domain of the numeric pre-analysis: a (possibly empty) interval of
/// real numbers whose bounds are each open or closed and may be infinite, plus
/// an "integral" flag (every value is an integer). Open bounds are what make
/// `> 0` (an open lower bound at 0), `>= 0` (closed) and `= 0` (the point)
/// three different elements, which the smoothness analysis needs: sqrt and log
/// are smooth only on (0, inf), a division only away from 0.
///
/// Semantics. An element denotes a set of reals; tensors are abstracted
/// elementwise (one interval for all elements). Transfer functions are sound
/// for real arithmetic: every bound computed in double precision is rounded
/// outwards (error-free transformations for + - * /, one or two ulps for the
/// libm functions), and a bound that had to be rounded becomes open since the
/// true bound lies strictly inside. An operation applied outside its domain
/// (log of a negative, division by an interval containing 0) returns top:
/// the NaN/inf it produces is not a real, and the op's precondition is what the
/// analysis reports. Float32 underflow (exp(-200) == 0 in torch) is outside
/// this real-number semantics, as in the paper.
///
/// Representation is canonical (infinite bounds open, -0 stored as +0,
/// integral intervals with closed integer bounds, integer points marked
/// integral), so operator== is semantic equality.
///
/// Widening jumps to the thresholds {-1, 0, 1} (each open, then closed), then
/// to infinity; narrowing refines only infinite or threshold bounds.
//===----------------------------------------------------------------------===//
#pragma once

#include "svic/analysis/Lattice.h"

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

namespace svic::ir {
enum class ValueRange : uint8_t;
}

namespace svic::analysis {

class Interval {
public:
  //===-- Construction ------------------------------------------------------===//
  static Interval bottom();
  static Interval top();
  /// {V}; top when V is inf or nan (not a real, yet a value).
  static Interval point(double V);
  /// General constructor; an empty range gives bottom. \p Integral restricts
  /// the set to its integers.
  static Interval make(double Lo, bool LoOpen, double Hi, bool HiOpen, bool Integral = false);
  static Interval closed(double Lo, double Hi) { return make(Lo, false, Hi, false); }
  static Interval open(double Lo, double Hi) { return make(Lo, true, Hi, true); }
  static Interval greaterThan(double C); ///< (C, inf)
  static Interval atLeast(double C);     ///< [C, inf)
  static Interval lessThan(double C);    ///< (-inf, C)
  static Interval atMost(double C);      ///< (-inf, C]
  static Interval positive() { return greaterThan(0); }
  static Interval nonNegative() { return atLeast(0); }
  static Interval negative() { return lessThan(0); }
  static Interval nonPositive() { return atMost(0); }
  static Interval openUnit() { return open(0, 1); }
  static Interval closedUnit() { return closed(0, 1); }
  /// All integers in [Lo, Hi] (bounds may be infinite).
  static Interval integers(double Lo, double Hi);
  /// The range the table promises for an operation's result; SameSign and Any
  /// give top (SameSign is the caller's business).
  static Interval ofValueRange(ir::ValueRange R);

  //===-- Queries -----------------------------------------------------------===//
  bool isBottom() const { return Empty; }
  bool isTop() const;
  double lo() const { return Lo; }
  double hi() const { return Hi; }
  bool loOpen() const { return LoOpen; }
  bool hiOpen() const { return HiOpen; }
  bool isIntegral() const { return Integral; }
  bool contains(double V) const;
  /// The single value of a point interval.
  std::optional<double> pointValue() const;
  bool isPoint() const { return pointValue().has_value(); }

  /// Sign facts; each is vacuously true of bottom.
  bool isPositive() const;    ///< ⊆ (0, inf)
  bool isNonNegative() const; ///< ⊆ [0, inf)
  bool isNegative() const;    ///< ⊆ (-inf, 0)
  bool isNonPositive() const; ///< ⊆ (-inf, 0]
  bool excludesZero() const { return !contains(0); }
  bool isZero() const; ///< = {0}
  /// ⊆ (C, inf) / ⊆ [C, inf) / ⊆ (-inf, C) / ⊆ (-inf, C].
  bool allGreaterThan(double C) const;
  bool allAtLeast(double C) const;
  bool allLessThan(double C) const;
  bool allAtMost(double C) const;
  bool within(const Interval &Other) const { return leq(Other); }

  //===-- Lattice -----------------------------------------------------------===//
  bool leq(const Interval &B) const;
  Interval join(const Interval &B) const;
  Interval meet(const Interval &B) const;
  Interval widen(const Interval &B) const;
  Interval narrow(const Interval &B) const;
  void joinWith(const Interval &B) { *this = join(B); }
  void meetWith(const Interval &B) { *this = meet(B); }
  void widenWith(const Interval &B) { *this = widen(B); }
  void narrowWith(const Interval &B) { *this = narrow(B); }
  /// The same set without the integrality restriction (its real hull).
  Interval hull() const;
  /// The same interval restricted to integers.
  Interval integral() const;

  bool operator==(const Interval &B) const;
  bool operator!=(const Interval &B) const { return !(*this == B); }

  /// "(0, inf)", "[0, 1]", "{2}", "bot", with a "Z" prefix when integral.
  std::string str() const;

private:
  Interval() = default; // only through the named constructors
  void normalize();

  double Lo = 0, Hi = 0;
  bool LoOpen = false, HiOpen = false;
  bool Integral = false;
  bool Empty = true;
};

static_assert(Lattice<Interval>);

/// Prints str() (also what GoogleTest shows for failed comparisons).
std::ostream &operator<<(std::ostream &OS, const Interval &I);

//===-- Arithmetic (elementwise, sound for real arithmetic) -----------------===//
Interval operator-(const Interval &A);
Interval operator+(const Interval &A, const Interval &B);
Interval operator-(const Interval &A, const Interval &B);
Interval operator*(const Interval &A, const Interval &B);
/// Top when B may be 0 (also when A = {0}: 0/0 is not a number).
Interval operator/(const Interval &A, const Interval &B);

namespace ival {
/// Python/torch floor division and modulo (result with the divisor's sign);
/// top when B may be 0.
Interval floorDiv(const Interval &A, const Interval &B);
Interval mod(const Interval &A, const Interval &B);
/// A ** B: integer point exponents exactly (even powers are >= 0), real point
/// exponents on A >= 0, general exponents on A > 0 through exp(B log A).
Interval pow(const Interval &A, const Interval &B);

Interval exp(const Interval &A);
Interval expm1(const Interval &A);
/// Top unless A > 0 (log 0 = -inf is not a real).
Interval log(const Interval &A);
/// Top unless A > -1.
Interval log1p(const Interval &A);
/// Top unless A >= 0.
Interval sqrt(const Interval &A);
/// 1 / sqrt(A); top unless A > 0.
Interval rsqrt(const Interval &A);
Interval sigmoid(const Interval &A);
Interval tanh(const Interval &A);
Interval erf(const Interval &A);
/// log(1 + exp(A)) (beta = 1).
Interval softplus(const Interval &A);
/// x for x > 0, exp(x) - 1 otherwise (alpha = 1).
Interval elu(const Interval &A);
/// x for x >= 0, Slope * x otherwise; Slope must be >= 0.
Interval leakyRelu(const Interval &A, double Slope);
Interval abs(const Interval &A);
Interval relu(const Interval &A);
Interval sign(const Interval &A);
/// Elementwise minimum / maximum of two values.
Interval min(const Interval &A, const Interval &B);
Interval max(const Interval &A, const Interval &B);
/// torch.clamp(A, Lo, Hi) = min(max(A, Lo), Hi); a missing bound is nullptr.
Interval clamp(const Interval &A, const Interval *Lo, const Interval *Hi);
Interval floor(const Interval &A);
Interval ceil(const Interval &A);
/// Round half to even (any rounding to nearest is covered).
Interval round(const Interval &A);
/// Truncation toward zero (int(), .long()).
Interval trunc(const Interval &A);

/// The values of a sum (or cumulative sum) of one or more elements of A: its
/// sign class ((0, inf), [0, inf), {0}, ...) or top.
Interval sumOf(const Interval &A);
/// The values of a product of one or more elements of A (cumprod, prod).
Interval productOf(const Interval &A);
/// A matrix product of tensors with elements in A and B: a sum of one or more
/// products, i.e. sumOf(A * B).
Interval matmul(const Interval &A, const Interval &B);

//===-- Comparisons -----------------------------------------------------===//
enum class Cmp { Lt, Le, Gt, Ge, Eq, Ne };
/// Whether `a Op b` holds for every a in A, b in B (True), for none (False),
/// or depends (Unknown). Bottom operands give Unknown.
enum class Truth { False, True, Unknown };
Truth compare(Cmp Op, const Interval &A, const Interval &B);
/// The values of A for which `a Op b` holds for some b in B (guard
/// refinement of the left operand); bottom when none.
Interval refineLeft(Cmp Op, const Interval &A, const Interval &B);
/// The mirrored comparison: `a Op b` ⟺ `b mirror(Op) a`.
Cmp mirror(Cmp Op);
/// The negation: !(a Op b) ⟺ a negate(Op) b.
Cmp negate(Cmp Op);
} // namespace ival

} // namespace svic::analysis
