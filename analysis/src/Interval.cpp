//===- Interval.cpp - Intervals over the reals with open/closed bounds -----===//

#include "svic/analysis/Interval.h"

#include "svic/ir/Table.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cfloat>
#include <cmath>
#include <limits>
#include <ostream>
#include <sstream>

namespace svic::analysis {

namespace {

constexpr double Inf = std::numeric_limits<double>::infinity();
/// Below this magnitude the error terms of fma/TwoSum may underflow: results
/// there are treated as inexact.
constexpr double Tiny = 0x1p-900;

double down(double X, int Ulps = 1) {
  for (int I = 0; I < Ulps; ++I)
    X = std::nextafter(X, -Inf);
  return X;
}
double up(double X, int Ulps = 1) {
  for (int I = 0; I < Ulps; ++I)
    X = std::nextafter(X, Inf);
  return X;
}

bool isInteger(double X) { return std::isfinite(X) && std::floor(X) == X; }

/// A bound computed in floating point: V is a lower (upper) bound of the exact
/// value, Strict says the exact value is strictly above (below) V.
struct Rounded {
  double V;
  bool Strict;
};

int signOf(double X) { return X > 0 ? 1 : (X < 0 ? -1 : 0); }

/// Lower/upper bound of a value of known sign \p S whose computed
/// approximation \p R is within one rounding of it (used when the error term
/// is not reliable).
Rounded looseLo(double R, int S) {
  double V = down(R);
  if (S > 0 && V <= 0)
    return {0, true};
  return {V, true};
}
Rounded looseHi(double R, int S) {
  double V = up(R);
  if (S < 0 && V >= 0)
    return {0, true}; // stored as -0 / +0 alike; the interval normalises
  return {V, true};
}

//===-- Exact-or-outward addition, multiplication, division ------------------===//

/// a + b for a lower bound: a, b are lower bounds (never +inf).
Rounded addLo(double A, double B) {
  if (A == -Inf || B == -Inf)
    return {-Inf, false};
  if (A == Inf || B == Inf)
    return {Inf, false};
  double S = A + B;
  if (std::isinf(S))
    return S > 0 ? Rounded{DBL_MAX, true} : Rounded{-Inf, false};
  double BB = S - A;
  double Err = (A - (S - BB)) + (B - BB);
  if (Err == 0)
    return {S, false};
  if (Err > 0)
    return {S, true};
  return {down(S), true};
}

Rounded addHi(double A, double B) {
  if (A == Inf || B == Inf)
    return {Inf, false};
  if (A == -Inf || B == -Inf)
    return {-Inf, false};
  double S = A + B;
  if (std::isinf(S))
    return S < 0 ? Rounded{-DBL_MAX, true} : Rounded{Inf, false};
  double BB = S - A;
  double Err = (A - (S - BB)) + (B - BB);
  if (Err == 0)
    return {S, false};
  if (Err < 0)
    return {S, true};
  return {up(S), true};
}

/// The exact product a*b with 0 * inf = 0, rounded down (Lower) or up.
Rounded mulRound(double A, double B, bool Lower) {
  if (A == 0 || B == 0)
    return {0, false};
  int S = signOf(A) * signOf(B);
  if (std::isinf(A) || std::isinf(B))
    return {S > 0 ? Inf : -Inf, false};
  double P = A * B;
  if (std::isinf(P)) {
    if (Lower)
      return P > 0 ? Rounded{DBL_MAX, true} : Rounded{-Inf, false};
    return P < 0 ? Rounded{-DBL_MAX, true} : Rounded{Inf, false};
  }
  if (std::fabs(P) < Tiny)
    return Lower ? looseLo(P, S) : looseHi(P, S);
  double E = std::fma(A, B, -P); // exact: a*b = P + E
  if (E == 0)
    return {P, false};
  if (Lower)
    return E > 0 ? Rounded{P, true} : Rounded{down(P), true};
  return E < 0 ? Rounded{P, true} : Rounded{up(P), true};
}

/// The exact quotient a/b, b != 0 or b a signed zero standing for the limit
/// from that side; finite / inf = 0 and inf / inf = 0 by convention (corners).
Rounded divRound(double A, double B, bool Lower) {
  if (A == 0)
    return {0, false};
  if (std::isinf(B))
    return {0, false};
  int S = signOf(A) * (std::signbit(B) ? -1 : 1);
  if (B == 0 || std::isinf(A))
    return {S > 0 ? Inf : -Inf, false};
  double Q = A / B;
  if (std::isinf(Q)) {
    if (Lower)
      return Q > 0 ? Rounded{DBL_MAX, true} : Rounded{-Inf, false};
    return Q < 0 ? Rounded{-DBL_MAX, true} : Rounded{Inf, false};
  }
  if (std::fabs(Q) < Tiny || std::fabs(A) < Tiny || std::fabs(B) < Tiny)
    return Lower ? looseLo(Q, S) : looseHi(Q, S);
  double R = std::fma(-Q, B, A); // exact remainder: a = q*b + r
  if (R == 0)
    return {Q, false};
  bool Above = (R > 0) == (B > 0); // exact quotient > Q
  if (Lower)
    return Above ? Rounded{Q, true} : Rounded{down(Q), true};
  return Above ? Rounded{up(Q), true} : Rounded{Q, true};
}

/// One corner of a product/quotient box: the endpoint values and whether both
/// are attained (closed and finite).
struct Corner {
  double A, B;
  bool Attained;
};

/// Hull of the corner values under \p Op, closing a bound that is exactly hit
/// by an attained corner, or that is 0 when a zero factor is attained.
template <typename RoundFn>
Interval cornersHull(const std::array<Corner, 4> &Cs, RoundFn Round, bool ZeroAttained,
                     bool Integral) {
  double Lo = Inf, Hi = -Inf;
  bool LoClosed = false, HiClosed = false;
  for (const Corner &C : Cs) {
    Rounded L = Round(C.A, C.B, true);
    Rounded H = Round(C.A, C.B, false);
    bool LC = !L.Strict && C.Attained;
    bool HC = !H.Strict && C.Attained;
    if (L.V < Lo) {
      Lo = L.V;
      LoClosed = LC;
    } else if (L.V == Lo) {
      LoClosed = LoClosed || LC;
    }
    if (H.V > Hi) {
      Hi = H.V;
      HiClosed = HC;
    } else if (H.V == Hi) {
      HiClosed = HiClosed || HC;
    }
  }
  if (Lo == 0 && ZeroAttained)
    LoClosed = true;
  if (Hi == 0 && ZeroAttained)
    HiClosed = true;
  return Interval::make(Lo, !LoClosed, Hi, !HiClosed, Integral);
}

bool finiteClosedLo(const Interval &A) { return std::isfinite(A.lo()) && !A.loOpen(); }
bool finiteClosedHi(const Interval &A) { return std::isfinite(A.hi()) && !A.hiOpen(); }

//===-- Monotone maps -----------------------------------------------------===//

/// The image of A under a strictly increasing continuous F defined on A.
/// F(±inf) are the limits NegInfVal/PosInfVal (never attained); F is exact at
/// the points where Exact returns true, and within \p Ulps ulps elsewhere.
template <typename Fn, typename ExactFn>
Interval increasing(const Interval &A, Fn F, double NegInfVal, double PosInfVal, ExactFn Exact,
                    int Ulps) {
  if (A.isBottom())
    return A;
  double Lo, Hi;
  bool LoOpen, HiOpen;
  if (A.lo() == -Inf) {
    Lo = NegInfVal;
    LoOpen = true;
  } else if (Exact(A.lo())) {
    Lo = F(A.lo());
    LoOpen = A.loOpen();
  } else {
    Lo = down(F(A.lo()), Ulps);
    LoOpen = true;
  }
  if (A.hi() == Inf) {
    Hi = PosInfVal;
    HiOpen = true;
  } else if (Exact(A.hi())) {
    Hi = F(A.hi());
    HiOpen = A.hiOpen();
  } else {
    Hi = up(F(A.hi()), Ulps);
    HiOpen = true;
  }
  return Interval::make(Lo, LoOpen, Hi, HiOpen);
}

//===-- Bounds as points of a ladder (widening) -----------------------------===//

/// Lower bound L1 admits at least what L2 admits.
bool lowerLeq(double V1, bool O1, double V2, bool O2) {
  return V1 < V2 || (V1 == V2 && (!O1 || O2));
}
/// Upper bound U1 admits at least what U2 admits.
bool upperGeq(double V1, bool O1, double V2, bool O2) {
  return V1 > V2 || (V1 == V2 && (!O1 || O2));
}

constexpr std::array<double, 3> Thresholds = {-1, 0, 1};

} // namespace

//===----------------------------------------------------------------------===//
// Construction and normal form
//===----------------------------------------------------------------------===//

Interval Interval::bottom() { return Interval(); }

Interval Interval::top() { return make(-Inf, true, Inf, true); }

Interval Interval::point(double V) {
  // inf and nan are not reals: the point of neither is any real, never none
  // (an empty interval would make everything computed from it vacuous).
  if (!std::isfinite(V))
    return top();
  return make(V, false, V, false);
}

Interval Interval::make(double Lo, bool LoOpen, double Hi, bool HiOpen, bool Integral) {
  Interval I;
  I.Empty = false;
  I.Lo = Lo;
  I.Hi = Hi;
  I.LoOpen = LoOpen;
  I.HiOpen = HiOpen;
  I.Integral = Integral;
  I.normalize();
  return I;
}

Interval Interval::greaterThan(double C) { return make(C, true, Inf, true); }
Interval Interval::atLeast(double C) { return make(C, false, Inf, true); }
Interval Interval::lessThan(double C) { return make(-Inf, true, C, true); }
Interval Interval::atMost(double C) { return make(-Inf, true, C, false); }
Interval Interval::integers(double Lo, double Hi) { return make(Lo, false, Hi, false, true); }

void Interval::normalize() {
  if (Empty)
    return;
  if (std::isnan(Lo) || std::isnan(Hi)) {
    // A NaN bound would poison every comparison: forget the interval.
    Lo = -Inf;
    Hi = Inf;
    Integral = false;
  }
  if (Lo == Inf || Hi == -Inf) {
    *this = Interval();
    return;
  }
  if (Lo == -Inf)
    LoOpen = true;
  if (Hi == Inf)
    HiOpen = true;
  if (Integral) {
    if (std::isfinite(Lo)) {
      double C = std::ceil(Lo);
      if (C == Lo && LoOpen)
        C += 1;
      Lo = C;
      LoOpen = false;
    }
    if (std::isfinite(Hi)) {
      double F = std::floor(Hi);
      if (F == Hi && HiOpen)
        F -= 1;
      Hi = F;
      HiOpen = false;
    }
  }
  if (Lo > Hi || (Lo == Hi && (LoOpen || HiOpen))) {
    *this = Interval();
    return;
  }
  if (Lo == 0)
    Lo = 0; // -0 -> +0
  if (Hi == 0)
    Hi = 0;
  if (Lo == Hi && isInteger(Lo))
    Integral = true;
}

Interval Interval::ofValueRange(ir::ValueRange R) {
  using ir::ValueRange;
  switch (R) {
  case ValueRange::Any:
  case ValueRange::SameSign:
    return top();
  case ValueRange::Positive:
    return positive();
  case ValueRange::NonNegative:
    return nonNegative();
  case ValueRange::OpenUnit:
    return openUnit();
  case ValueRange::ClosedUnit:
    return closedUnit();
  case ValueRange::HalfOpenUnit:
    return make(0, false, 1, true);
  case ValueRange::OpenSymmetricUnit:
    return open(-1, 1);
  case ValueRange::ClosedSymmetricUnit:
    return closed(-1, 1);
  case ValueRange::Zero:
    return point(0);
  case ValueRange::One:
    return point(1);
  case ValueRange::Integer:
    return integers(-Inf, Inf);
  }
  return top();
}

//===----------------------------------------------------------------------===//
// Queries
//===----------------------------------------------------------------------===//

bool Interval::isTop() const { return !Empty && !Integral && Lo == -Inf && Hi == Inf; }

bool Interval::contains(double V) const {
  if (Empty || std::isnan(V))
    return false;
  if (Integral && !isInteger(V))
    return false;
  bool AboveLo = LoOpen ? V > Lo : V >= Lo;
  bool BelowHi = HiOpen ? V < Hi : V <= Hi;
  return AboveLo && BelowHi;
}

std::optional<double> Interval::pointValue() const {
  if (!Empty && Lo == Hi)
    return Lo;
  return std::nullopt;
}

bool Interval::allGreaterThan(double C) const { return Empty || Lo > C || (Lo == C && LoOpen); }
bool Interval::allAtLeast(double C) const { return Empty || Lo >= C; }
bool Interval::allLessThan(double C) const { return Empty || Hi < C || (Hi == C && HiOpen); }
bool Interval::allAtMost(double C) const { return Empty || Hi <= C; }
bool Interval::isPositive() const { return allGreaterThan(0); }
bool Interval::isNonNegative() const { return allAtLeast(0); }
bool Interval::isNegative() const { return allLessThan(0); }
bool Interval::isNonPositive() const { return allAtMost(0); }
bool Interval::isZero() const { return !Empty && Lo == 0 && Hi == 0; }

//===----------------------------------------------------------------------===//
// Lattice
//===----------------------------------------------------------------------===//

bool Interval::leq(const Interval &B) const {
  if (Empty)
    return true;
  if (B.Empty)
    return false;
  if (B.Integral && !Integral)
    return false; // a non-integral interval holds a non-integer
  return lowerLeq(B.Lo, B.LoOpen, Lo, LoOpen) && upperGeq(B.Hi, B.HiOpen, Hi, HiOpen);
}

Interval Interval::join(const Interval &B) const {
  if (Empty)
    return B;
  if (B.Empty)
    return *this;
  bool MyLo = lowerLeq(Lo, LoOpen, B.Lo, B.LoOpen);
  bool MyHi = upperGeq(Hi, HiOpen, B.Hi, B.HiOpen);
  return make(MyLo ? Lo : B.Lo, MyLo ? LoOpen : B.LoOpen, MyHi ? Hi : B.Hi,
              MyHi ? HiOpen : B.HiOpen, Integral && B.Integral);
}

Interval Interval::meet(const Interval &B) const {
  if (Empty || B.Empty)
    return bottom();
  bool TheirLo = lowerLeq(Lo, LoOpen, B.Lo, B.LoOpen);
  bool TheirHi = upperGeq(Hi, HiOpen, B.Hi, B.HiOpen);
  return make(TheirLo ? B.Lo : Lo, TheirLo ? B.LoOpen : LoOpen, TheirHi ? B.Hi : Hi,
              TheirHi ? B.HiOpen : HiOpen, Integral || B.Integral);
}

Interval Interval::widen(const Interval &B) const {
  if (Empty)
    return B;
  if (B.Empty)
    return *this;
  double L = Lo, H = Hi;
  bool LO = LoOpen, HO = HiOpen;
  if (!lowerLeq(Lo, LoOpen, B.Lo, B.LoOpen)) {
    // B goes lower: jump to the greatest ladder bound below B's
    // (open 1, closed 1, open 0, closed 0, open -1, closed -1, -inf).
    L = -Inf;
    LO = true;
    for (auto It = Thresholds.rbegin(); It != Thresholds.rend(); ++It) {
      if (lowerLeq(*It, true, B.Lo, B.LoOpen)) {
        L = *It;
        LO = true;
        break;
      }
      if (lowerLeq(*It, false, B.Lo, B.LoOpen)) {
        L = *It;
        LO = false;
        break;
      }
    }
  }
  if (!upperGeq(Hi, HiOpen, B.Hi, B.HiOpen)) {
    H = Inf;
    HO = true;
    for (double T : Thresholds) {
      if (upperGeq(T, true, B.Hi, B.HiOpen)) {
        H = T;
        HO = true;
        break;
      }
      if (upperGeq(T, false, B.Hi, B.HiOpen)) {
        H = T;
        HO = false;
        break;
      }
    }
  }
  return make(L, LO, H, HO, Integral && B.Integral);
}

Interval Interval::narrow(const Interval &B) const {
  if (Empty || B.Empty)
    return bottom();
  auto IsLadder = [](double V) {
    return std::isinf(V) || std::find(Thresholds.begin(), Thresholds.end(), V) != Thresholds.end();
  };
  double L = Lo, H = Hi;
  bool LO = LoOpen, HO = HiOpen;
  // Refine only bounds a widening may have produced, and only inwards.
  if (IsLadder(Lo) && !lowerLeq(B.Lo, B.LoOpen, Lo, LoOpen)) {
    L = B.Lo;
    LO = B.LoOpen;
  }
  if (IsLadder(Hi) && !upperGeq(B.Hi, B.HiOpen, Hi, HiOpen)) {
    H = B.Hi;
    HO = B.HiOpen;
  }
  return make(L, LO, H, HO, Integral || B.Integral);
}

Interval Interval::hull() const {
  if (Empty)
    return *this;
  return make(Lo, LoOpen, Hi, HiOpen, false);
}

Interval Interval::integral() const {
  if (Empty)
    return *this;
  return make(Lo, LoOpen, Hi, HiOpen, true);
}

bool Interval::operator==(const Interval &B) const {
  if (Empty || B.Empty)
    return Empty == B.Empty;
  return Lo == B.Lo && Hi == B.Hi && LoOpen == B.LoOpen && HiOpen == B.HiOpen &&
         Integral == B.Integral;
}

std::string Interval::str() const {
  if (Empty)
    return "bot";
  std::ostringstream OS;
  OS.precision(17);
  if (Integral)
    OS << "Z";
  if (Lo == Hi) {
    OS << "{" << Lo << "}";
    return OS.str();
  }
  OS << (LoOpen ? "(" : "[");
  if (Lo == -Inf)
    OS << "-inf";
  else
    OS << Lo;
  OS << ", ";
  if (Hi == Inf)
    OS << "inf";
  else
    OS << Hi;
  OS << (HiOpen ? ")" : "]");
  return OS.str();
}

std::ostream &operator<<(std::ostream &OS, const Interval &I) { return OS << I.str(); }

//===----------------------------------------------------------------------===//
// Arithmetic
//===----------------------------------------------------------------------===//

Interval operator-(const Interval &A) {
  if (A.isBottom())
    return A;
  return Interval::make(-A.hi(), A.hiOpen(), -A.lo(), A.loOpen(), A.isIntegral());
}

Interval operator+(const Interval &A, const Interval &B) {
  if (A.isBottom() || B.isBottom())
    return Interval::bottom();
  Rounded L = addLo(A.lo(), B.lo());
  Rounded H = addHi(A.hi(), B.hi());
  return Interval::make(L.V, L.Strict || A.loOpen() || B.loOpen(), H.V,
                        H.Strict || A.hiOpen() || B.hiOpen(), A.isIntegral() && B.isIntegral());
}

Interval operator-(const Interval &A, const Interval &B) { return A + (-B); }

Interval operator*(const Interval &A, const Interval &B) {
  if (A.isBottom() || B.isBottom())
    return Interval::bottom();
  std::array<Corner, 4> Cs = {Corner{A.lo(), B.lo(), finiteClosedLo(A) && finiteClosedLo(B)},
                              Corner{A.lo(), B.hi(), finiteClosedLo(A) && finiteClosedHi(B)},
                              Corner{A.hi(), B.lo(), finiteClosedHi(A) && finiteClosedLo(B)},
                              Corner{A.hi(), B.hi(), finiteClosedHi(A) && finiteClosedHi(B)}};
  return cornersHull(Cs, mulRound, A.contains(0) || B.contains(0),
                     A.isIntegral() && B.isIntegral());
}

Interval operator/(const Interval &A, const Interval &B) {
  if (A.isBottom() || B.isBottom())
    return Interval::bottom();
  if (B.contains(0))
    return Interval::top();
  // 0 is not in B, so B lies on one side of it; an open bound at 0 stands for
  // the limit from that side (a signed zero).
  bool Pos = B.isPositive();
  double BLo = B.lo() == 0 ? (Pos ? 0.0 : -0.0) : B.lo();
  double BHi = B.hi() == 0 ? (Pos ? 0.0 : -0.0) : B.hi();
  auto Att = [](double V, bool Closed) { return Closed && std::isfinite(V) && V != 0; };
  bool ALo = finiteClosedLo(A), AHi = finiteClosedHi(A);
  bool BL = Att(BLo, !B.loOpen()), BH = Att(BHi, !B.hiOpen());
  std::array<Corner, 4> Cs = {Corner{A.lo(), BLo, ALo && BL}, Corner{A.lo(), BHi, ALo && BH},
                              Corner{A.hi(), BLo, AHi && BL}, Corner{A.hi(), BHi, AHi && BH}};
  return cornersHull(Cs, divRound, A.contains(0), false);
}

namespace ival {

Interval floorDiv(const Interval &A, const Interval &B) {
  if (A.isBottom() || B.isBottom())
    return Interval::bottom();
  if (B.contains(0))
    return Interval::top();
  return floor(A / B);
}

Interval mod(const Interval &A, const Interval &B) {
  if (A.isBottom() || B.isBottom())
    return Interval::bottom();
  if (B.contains(0))
    return Interval::top();
  if (A.isPoint() && B.isPoint() && A.isIntegral() && B.isIntegral() &&
      std::fabs(A.lo()) < 0x1p52 && std::fabs(B.lo()) < 0x1p52) {
    double R = std::fmod(A.lo(), B.lo()); // exact; Python's result has the divisor's sign
    if (R != 0 && ((R < 0) != (B.lo() < 0)))
      R += B.lo();
    return Interval::point(R);
  }
  // The result has the divisor's sign and magnitude below |divisor|.
  Interval R = B.isPositive() ? Interval::make(0, false, B.hi(), true)
                              : Interval::make(B.lo(), true, 0, false);
  if (A.isIntegral() && B.isIntegral())
    R = R.integral();
  // When A already lies in [0, B.lo) (or the mirror), a % b == a.
  if (B.isPositive() && A.isNonNegative() && A.allLessThan(B.lo()))
    return A.meet(R);
  return R;
}

namespace {

/// x^n for an integer n >= 1 and x >= 0 (or any x if it is exact), rounded
/// down or up by repeated multiplication.
Rounded powNatRound(double X, long N, bool Lower) {
  if (X == 0)
    return {0, false};
  if (std::isinf(X))
    return {X, false};
  if (N > 64) {
    double P = std::pow(X, static_cast<double>(N));
    if (std::isinf(P))
      return Lower ? Rounded{DBL_MAX, true} : Rounded{Inf, false};
    return Lower ? looseLo(down(P, 3), 1) : Rounded{up(P, 4), true};
  }
  Rounded R{X, false};
  for (long I = 1; I < N; ++I) {
    Rounded Next = mulRound(R.V, X, Lower);
    R = {Next.V, R.Strict || Next.Strict};
  }
  return R;
}

/// X^N for X ⊆ [0, inf), integer N >= 1: increasing.
Interval powNatNonNeg(const Interval &X, long N) {
  if (X.isBottom())
    return X;
  Rounded L = powNatRound(X.lo(), N, true);
  Rounded H = powNatRound(X.hi(), N, false);
  return Interval::make(L.V, L.Strict || X.loOpen(), H.V, H.Strict || X.hiOpen(), X.isIntegral());
}

/// X^N for integer N >= 1 and any X.
Interval powNat(const Interval &X, long N) {
  if (X.isNonNegative())
    return powNatNonNeg(X, N);
  if (N % 2 == 0)
    return powNatNonNeg(abs(X), N);
  // Odd power: increasing on the reals; (-x)^n = -(x^n).
  Interval Neg = -powNatNonNeg((-X).meet(Interval::nonNegative()), N);
  Interval Pos = powNatNonNeg(X.meet(Interval::nonNegative()), N);
  return Neg.join(Pos);
}

/// X^P for a real point P on X ⊆ [0, inf).
Interval powRealNonNeg(const Interval &X, double P) {
  if (X.isBottom())
    return X;
  if (P > 0) {
    // Increasing from 0^P = 0.
    auto F = [P](double V) { return std::pow(V, P); };
    auto Exact = [](double V) { return V == 0 || V == 1; };
    return increasing(X, F, 0, Inf, Exact, 4).meet(Interval::nonNegative());
  }
  // Decreasing on (0, inf); 0 ** negative is not a number.
  if (X.contains(0))
    return Interval::top();
  double Lo, Hi;
  bool LoOpen = true, HiOpen = true;
  if (X.hi() == Inf)
    Lo = 0;
  else if (X.hi() == 1) {
    Lo = 1;
    LoOpen = X.hiOpen();
  } else
    Lo = down(std::pow(X.hi(), P), 4);
  if (X.lo() == 0)
    Hi = Inf;
  else if (X.lo() == 1) {
    Hi = 1;
    HiOpen = X.loOpen();
  } else
    Hi = up(std::pow(X.lo(), P), 4);
  return Interval::make(Lo, LoOpen, Hi, HiOpen).meet(Interval::positive());
}

} // namespace

Interval pow(const Interval &A, const Interval &B) {
  if (A.isBottom() || B.isBottom())
    return Interval::bottom();
  if (auto P = B.pointValue()) {
    double E = *P;
    if (isInteger(E) && std::fabs(E) <= 1e6) {
      long N = static_cast<long>(E);
      if (N == 0)
        return Interval::point(1);
      if (N > 0)
        return powNat(A, N);
      if (A.contains(0))
        return Interval::top();
      return Interval::point(1) / powNat(A, -N);
    }
    if (!A.isNonNegative())
      return Interval::top(); // a negative base to a fractional power is NaN
    return powRealNonNeg(A, E);
  }
  // A general exponent: exp(B log A) on A > 0; 0^b = 0 for b > 0.
  if (!A.isNonNegative())
    return Interval::top();
  Interval Pos = A.meet(Interval::positive());
  Interval R = Pos.isBottom() ? Interval::bottom() : exp(B * log(Pos));
  if (A.contains(0)) {
    if (!B.isPositive())
      return Interval::top();
    R = R.join(Interval::point(0));
  }
  return R;
}

Interval exp(const Interval &A) {
  Interval R = increasing(
      A, [](double V) { return std::exp(V); }, 0, Inf, [](double V) { return V == 0; }, 4);
  return R.meet(Interval::positive());
}

Interval expm1(const Interval &A) {
  Interval R = increasing(
      A, [](double V) { return std::expm1(V); }, -1, Inf, [](double V) { return V == 0; }, 4);
  return R.meet(Interval::greaterThan(-1));
}

Interval log(const Interval &A) {
  if (A.isBottom())
    return A;
  if (!A.isPositive())
    return Interval::top(); // log 0 = -inf and log of a negative are not reals
  auto F = [](double V) { return std::log(V); };
  return increasing(
      A, F, -Inf, Inf, [](double V) { return V == 1; }, 4);
}

Interval log1p(const Interval &A) {
  if (A.isBottom())
    return A;
  if (!A.allGreaterThan(-1))
    return Interval::top();
  auto F = [](double V) { return std::log1p(V); };
  return increasing(
      A, F, -Inf, Inf, [](double V) { return V == 0; }, 4);
}

Interval sqrt(const Interval &A) {
  if (A.isBottom())
    return A;
  if (!A.isNonNegative())
    return Interval::top();
  // IEEE sqrt is correctly rounded; exact iff r*r == v.
  auto Exact = [](double V) {
    double R = std::sqrt(V);
    return std::fma(R, R, -V) == 0 && V >= Tiny;
  };
  auto F = [](double V) { return std::sqrt(V); };
  Interval R = increasing(
      A, F, 0, Inf, [&](double V) { return V == 0 || Exact(V); }, 1);
  return R.meet(Interval::nonNegative());
}

Interval rsqrt(const Interval &A) {
  if (A.isBottom())
    return A;
  if (!A.isPositive())
    return Interval::top(); // 1 / sqrt(0) = inf
  return Interval::point(1) / sqrt(A);
}

Interval sigmoid(const Interval &A) {
  if (A.isBottom())
    return A;
  // 1 / (1 + exp(-x)), each step sound.
  Interval R = Interval::point(1) / (Interval::point(1) + exp(-A));
  return R.meet(Interval::openUnit());
}

Interval tanh(const Interval &A) {
  Interval R = increasing(
      A, [](double V) { return std::tanh(V); }, -1, 1, [](double V) { return V == 0; }, 4);
  return R.meet(Interval::open(-1, 1));
}

Interval erf(const Interval &A) {
  Interval R = increasing(
      A, [](double V) { return std::erf(V); }, -1, 1, [](double V) { return V == 0; }, 4);
  return R.meet(Interval::open(-1, 1));
}

Interval softplus(const Interval &A) {
  if (A.isBottom())
    return A;
  // log1p(exp(x)) > max(0, x); torch returns x itself above its threshold
  // (x > 20), so the result is only >= x there.
  Interval R = log1p(exp(A)).join(A.meet(Interval::greaterThan(20)));
  return R.meet(Interval::positive()).meet(Interval::make(A.lo(), A.loOpen(), Inf, true));
}

Interval elu(const Interval &A) {
  if (A.isBottom())
    return A;
  Interval Neg = A.meet(Interval::nonPositive());
  Interval Pos = A.meet(Interval::positive());
  return expm1(Neg).join(Pos);
}

Interval leakyRelu(const Interval &A, double Slope) {
  if (A.isBottom())
    return A;
  assert(Slope >= 0 && "leaky relu slope must be non-negative for monotonicity");
  Interval Neg = A.meet(Interval::negative());
  Interval Pos = A.meet(Interval::nonNegative());
  return (Neg * Interval::point(Slope)).join(Pos);
}

Interval abs(const Interval &A) {
  if (A.isBottom())
    return A;
  if (A.isNonNegative())
    return A;
  if (A.isNonPositive())
    return -A;
  // 0 inside: [0, max(-lo, hi)].
  double NL = -A.lo();
  double H;
  bool HO;
  if (NL > A.hi()) {
    H = NL;
    HO = A.loOpen();
  } else if (NL < A.hi()) {
    H = A.hi();
    HO = A.hiOpen();
  } else {
    H = A.hi();
    HO = A.loOpen() && A.hiOpen();
  }
  return Interval::make(0, false, H, HO, A.isIntegral());
}

Interval relu(const Interval &A) { return max(A, Interval::point(0)); }

Interval sign(const Interval &A) {
  if (A.isBottom())
    return A;
  Interval R = Interval::bottom();
  if (!A.meet(Interval::negative()).isBottom())
    R = R.join(Interval::point(-1));
  if (A.contains(0))
    R = R.join(Interval::point(0));
  if (!A.meet(Interval::positive()).isBottom())
    R = R.join(Interval::point(1));
  return R;
}

Interval max(const Interval &A, const Interval &B) {
  if (A.isBottom() || B.isBottom())
    return Interval::bottom();
  double L, H;
  bool LO, HO;
  // max(x, y) >= max(lo_a, lo_b), attained iff the larger bound is attained
  // (and, on a tie, both are).
  if (A.lo() > B.lo()) {
    L = A.lo();
    LO = A.loOpen();
  } else if (A.lo() < B.lo()) {
    L = B.lo();
    LO = B.loOpen();
  } else {
    L = A.lo();
    LO = A.loOpen() || B.loOpen();
  }
  if (A.hi() > B.hi()) {
    H = A.hi();
    HO = A.hiOpen();
  } else if (A.hi() < B.hi()) {
    H = B.hi();
    HO = B.hiOpen();
  } else {
    H = A.hi();
    HO = A.hiOpen() && B.hiOpen();
  }
  return Interval::make(L, LO, H, HO, A.isIntegral() && B.isIntegral());
}

Interval min(const Interval &A, const Interval &B) { return -max(-A, -B); }

Interval clamp(const Interval &A, const Interval *Lo, const Interval *Hi) {
  Interval R = A;
  if (Lo)
    R = max(R, *Lo);
  if (Hi)
    R = min(R, *Hi);
  return R;
}

Interval floor(const Interval &A) {
  if (A.isBottom())
    return A;
  double L = A.lo() == -Inf ? -Inf : std::floor(A.lo());
  double H = A.hi();
  if (H != Inf) {
    double F = std::floor(H);
    H = (F == H && A.hiOpen()) ? F - 1 : F;
  }
  return Interval::integers(L, H);
}

Interval ceil(const Interval &A) { return -floor(-A); }

Interval round(const Interval &A) {
  if (A.isBottom())
    return A;
  // |round(x) - x| <= 1/2.
  Interval Shifted = A.hull() + Interval::closed(-0.5, 0.5);
  double L = Shifted.lo() == -Inf ? -Inf : std::ceil(Shifted.lo());
  double H = Shifted.hi() == Inf ? Inf : std::floor(Shifted.hi());
  return Interval::integers(L, H).meet(floor(A).join(ceil(A)));
}

Interval trunc(const Interval &A) {
  if (A.isBottom())
    return A;
  Interval Pos = floor(A.meet(Interval::nonNegative()));
  Interval Neg = ceil(A.meet(Interval::nonPositive()));
  return Pos.join(Neg);
}

Interval sumOf(const Interval &A) {
  if (A.isBottom())
    return A;
  Interval R = Interval::top();
  if (A.isZero())
    R = Interval::point(0);
  else if (A.isPositive())
    R = Interval::positive();
  else if (A.isNonNegative())
    R = Interval::nonNegative();
  else if (A.isNegative())
    R = Interval::negative();
  else if (A.isNonPositive())
    R = Interval::nonPositive();
  return A.isIntegral() ? R.integral() : R;
}

Interval productOf(const Interval &A) {
  if (A.isBottom())
    return A;
  Interval R = Interval::top();
  auto Try = [&](const Interval &Class) {
    if (R.isTop() && A.leq(Class))
      R = Class;
  };
  // The tightest class closed under products that holds A.
  Try(Interval::point(0));
  Try(Interval::point(1));
  Try(Interval::make(0, true, 1, false));  // (0, 1]
  Try(Interval::closed(0, 1));             // [0, 1]
  Try(Interval::make(1, true, Inf, true)); // (1, inf)
  Try(Interval::atLeast(1));               // [1, inf)
  Try(Interval::closed(-1, 1));            // [-1, 1]
  Try(Interval::positive());
  Try(Interval::nonNegative());
  return A.isIntegral() ? R.integral() : R;
}

Interval matmul(const Interval &A, const Interval &B) { return sumOf(A * B); }

//===-- Comparisons -------------------------------------------------------===//

Cmp mirror(Cmp Op) {
  switch (Op) {
  case Cmp::Lt:
    return Cmp::Gt;
  case Cmp::Le:
    return Cmp::Ge;
  case Cmp::Gt:
    return Cmp::Lt;
  case Cmp::Ge:
    return Cmp::Le;
  case Cmp::Eq:
    return Cmp::Eq;
  case Cmp::Ne:
    return Cmp::Ne;
  }
  return Op;
}

Cmp negate(Cmp Op) {
  switch (Op) {
  case Cmp::Lt:
    return Cmp::Ge;
  case Cmp::Le:
    return Cmp::Gt;
  case Cmp::Gt:
    return Cmp::Le;
  case Cmp::Ge:
    return Cmp::Lt;
  case Cmp::Eq:
    return Cmp::Ne;
  case Cmp::Ne:
    return Cmp::Eq;
  }
  return Op;
}

Truth compare(Cmp Op, const Interval &A, const Interval &B) {
  if (A.isBottom() || B.isBottom())
    return Truth::Unknown;
  switch (Op) {
  case Cmp::Lt:
    // every a < every b: A.hi < B.lo (or equal with one side open)
    if (A.hi() < B.lo() || (A.hi() == B.lo() && (A.hiOpen() || B.loOpen())))
      return Truth::True;
    if (A.lo() >= B.hi())
      return Truth::False;
    return Truth::Unknown;
  case Cmp::Le:
    if (A.hi() <= B.lo())
      return Truth::True;
    if (A.lo() > B.hi() || (A.lo() == B.hi() && (A.loOpen() || B.hiOpen())))
      return Truth::False;
    return Truth::Unknown;
  case Cmp::Gt:
    return compare(Cmp::Lt, B, A);
  case Cmp::Ge:
    return compare(Cmp::Le, B, A);
  case Cmp::Eq:
    if (A.meet(B).isBottom())
      return Truth::False;
    if (A.isPoint() && B.isPoint() && A.lo() == B.lo())
      return Truth::True;
    return Truth::Unknown;
  case Cmp::Ne: {
    Truth T = compare(Cmp::Eq, A, B);
    return T == Truth::Unknown ? T : (T == Truth::True ? Truth::False : Truth::True);
  }
  }
  return Truth::Unknown;
}

Interval refineLeft(Cmp Op, const Interval &A, const Interval &B) {
  if (A.isBottom() || B.isBottom())
    return Interval::bottom();
  switch (Op) {
  case Cmp::Lt: // a < b for some b: a < B.hi
    return A.meet(Interval::make(-Inf, true, B.hi(), true));
  case Cmp::Le:
    return A.meet(Interval::make(-Inf, true, B.hi(), B.hiOpen()));
  case Cmp::Gt:
    return A.meet(Interval::make(B.lo(), true, Inf, true));
  case Cmp::Ge:
    return A.meet(Interval::make(B.lo(), B.loOpen(), Inf, true));
  case Cmp::Eq:
    return A.meet(B);
  case Cmp::Ne:
    if (auto P = B.pointValue()) {
      // Cut the point off a closed bound.
      if (A.lo() == *P && !A.loOpen())
        return Interval::make(A.lo(), true, A.hi(), A.hiOpen(), A.isIntegral());
      if (A.hi() == *P && !A.hiOpen())
        return Interval::make(A.lo(), A.loOpen(), A.hi(), true, A.isIntegral());
    }
    return A;
  }
  return A;
}

} // namespace ival

} // namespace svic::analysis
