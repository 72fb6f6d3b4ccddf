//===- SmoothnessChecker.cpp - Numeric refutation of smoothness claims ------===//

#include "SmoothnessChecker.h"
#include "ProgramGenerator.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

namespace svic::testkit {

namespace {

constexpr double Eps = std::numeric_limits<double>::epsilon();
constexpr double Overflow = 1e200;

std::string fmt(double X) {
  char Buf[40];
  std::snprintf(Buf, sizeof Buf, "%.17g", X);
  return Buf;
}

std::string fmt6(double X) {
  char Buf[40];
  std::snprintf(Buf, sizeof Buf, "%.6g", X);
  return Buf;
}

/// Evaluates with a count.
struct Fn {
  const std::function<double(double)> &F;
  LineStats &S;
  const std::function<bool(double)> &Artifact;
  double operator()(double X) const {
    ++S.Evaluations;
    return F(X);
  }
  /// Whether an evaluation at one of \p Xs is numerically unreliable.
  bool unreliable(std::initializer_list<double> Xs) const {
    if (!Artifact)
      return false;
    for (double X : Xs) {
      ++S.Evaluations;
      if (Artifact(X))
        return true;
    }
    return false;
  }
};

struct Pt {
  double X, F;
};

/// Locates the boundary between finite A and non-finite B.
std::optional<LineFinding> boundary(const Fn &F, Pt A, Pt B, LineStats &S) {
  for (int I = 0; I < 60 && std::fabs(B.X - A.X) > 4 * Eps * std::max(1.0, std::fabs(A.X)); ++I) {
    double M = A.X + (B.X - A.X) / 2;
    double FM = F(M);
    if (std::isfinite(FM))
      A = {M, FM};
    else
      B = {M, FM};
  }
  if (std::fabs(A.F) > Overflow || F.unreliable({A.X, B.X})) {
    ++S.OverflowSkips;
    return std::nullopt;
  }
  LineFinding L;
  L.Refutes = Prop::Cont;
  L.Kind = "non-finite";
  L.Point = B.X;
  L.Evidence = "f(" + fmt(A.X) + ") = " + fmt(A.F) + " but f(" + fmt(B.X) + ") = " + fmt(B.F);
  return L;
}

enum class Measure { Change, Slope, Kink };

/// Bisection over three overlapping halves of [A, B] (midpoint M known),
/// keeping the one with the largest measure. Returns the measure half-way and
/// at the end, the final interval, or a non-finite boundary finding.
struct Refined {
  double MidValue = 0, EndValue = 0;
  Pt A{0, 0}, M{0, 0}, B{0, 0};
  std::optional<LineFinding> NonFinite;
  bool Degenerate = false;
};

double measure(Measure K, const Pt &A, const Pt &M, const Pt &B) {
  switch (K) {
  case Measure::Change:
    return std::fabs(B.F - A.F);
  case Measure::Slope:
    return std::fabs(B.F - A.F) / (B.X - A.X);
  case Measure::Kink:
    return std::fabs((B.F - M.F) / (B.X - M.X) - (M.F - A.F) / (M.X - A.X));
  }
  return 0;
}

Refined refine(const Fn &F, Measure K, Pt A, Pt M, Pt B, int Steps, LineStats &S) {
  // Changes and slopes are refined over the two halves only: the half holding
  // a jump, a pole or a monotone cusp always has the larger change, whereas a
  // centred interval next to a pole can beat it and lose the pole. Slope
  // changes (kinks) also need the centred interval, for a kink at M.
  const bool Centre = K == Measure::Kink;
  Refined R;
  for (int I = 0; I < Steps; ++I) {
    double W = B.X - A.X;
    if (!(W > 8 * Eps * std::max(1.0, std::fabs(M.X)))) {
      R.Degenerate = true;
      break;
    }
    if (!Centre) {
      // Only the endpoints of each half matter: one new point per step.
      bool Left = measure(K, A, A, M) >= measure(K, M, M, B);
      if (Left)
        B = M;
      else
        A = M;
      Pt N{A.X + (B.X - A.X) / 2, 0};
      N.F = F(N.X);
      if (!std::isfinite(N.F)) {
        R.NonFinite = boundary(F, std::isfinite(A.F) ? A : B, N, S);
        R.Degenerate = !R.NonFinite;
        return R;
      }
      M = N;
    } else {
      Pt Q1{A.X + W / 4, 0}, Q3{B.X - W / 4, 0};
      Q1.F = F(Q1.X);
      Q3.F = F(Q3.X);
      for (const Pt *Q : {&Q1, &Q3}) {
        if (!std::isfinite(Q->F)) {
          R.NonFinite = boundary(F, M, *Q, S);
          R.Degenerate = !R.NonFinite;
          return R;
        }
      }
      double ML = measure(K, A, Q1, M), MR = measure(K, M, Q3, B), MC = measure(K, Q1, M, Q3);
      if (ML >= MR && ML >= MC) {
        B = M;
        M = Q1;
      } else if (MR >= MC) {
        A = M;
        M = Q3;
      } else {
        A = Q1;
        B = Q3;
      }
    }
    double Cur = measure(K, A, M, B);
    if (I == Steps / 2)
      R.MidValue = Cur;
    R.EndValue = Cur;
  }
  R.A = A;
  R.M = M;
  R.B = B;
  return R;
}

/// Indices of the largest value and of the largest value relative to its
/// neighbours (deduplicated).
std::vector<size_t> candidates(const std::vector<double> &V, const std::vector<bool> &Valid) {
  std::vector<size_t> Out;
  double Best = -1, BestRel = -1;
  size_t IBest = V.size(), IRel = V.size();
  for (size_t I = 0; I < V.size(); ++I) {
    if (!Valid[I])
      continue;
    if (V[I] > Best) {
      Best = V[I];
      IBest = I;
    }
    double Nb = 0;
    if (I > 0 && Valid[I - 1])
      Nb = std::max(Nb, V[I - 1]);
    if (I + 1 < V.size() && Valid[I + 1])
      Nb = std::max(Nb, V[I + 1]);
    double Rel = V[I] / (Nb + 1e-300);
    if (Rel > BestRel) {
      BestRel = Rel;
      IRel = I;
    }
  }
  if (IBest < V.size())
    Out.push_back(IBest);
  if (IRel < V.size() && IRel != IBest)
    Out.push_back(IRel);
  return Out;
}

/// The floating noise of F around C, measured: the spread of F over a few
/// points a few ulps away (the evaluation rounds in many operations, so the
/// noise can be far above eps |F(C)|).
double noiseAt(const Fn &F, double C, double F0) {
  double N = 0;
  const double U = 4 * Eps * std::max(1.0, std::fabs(C));
  for (double K : {-2.0, -1.0, 1.0, 2.0}) {
    double V = F(C + K * U);
    if (!std::isfinite(V))
      return std::numeric_limits<double>::infinity();
    N = std::max(N, std::fabs(V - F0));
  }
  return std::max(N, Eps * std::fabs(F0));
}

/// The step sizes of the local tests at a located point.
constexpr double Steps[] = {1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8};

/// Diff: one-sided derivatives at C for h = 1e-2 ... 1e-8 disagree beyond
/// tolerance at every h resolved above floating noise, and the disagreement
/// does not decay like O(h) over the last decade (a kink keeps it constant, a
/// cusp makes it grow; a smooth function, also a steep one, makes it shrink).
std::optional<LineFinding> derivativeTest(const Fn &F, double C, double Lo, double Hi) {
  double F0 = F(C);
  if (!std::isfinite(F0))
    return std::nullopt;
  const double Noise = noiseAt(F, C, F0);
  std::vector<double> Gaps, DPs, DMs;
  double LastH = 0;
  std::string Ev;
  for (double H : Steps) {
    if (C - H <= Lo || C + H >= Hi)
      continue;
    double FP = F(C + H), FM = F(C - H);
    if (!std::isfinite(FP) || !std::isfinite(FM))
      return std::nullopt; // the non-finite tests handle this
    double DP = (FP - F0) / H, DM = (F0 - FM) / H;
    double Gap = std::fabs(DP - DM);
    if (!(Gap * H > 200 * Noise))
      break; // below the floating noise from here on
    if (!(Gap > 1e-5 * (1 + std::fabs(DP) + std::fabs(DM))))
      return std::nullopt; // the derivatives agree at this scale
    Gaps.push_back(Gap);
    DPs.push_back(DP);
    DMs.push_back(DM);
    LastH = H;
    Ev += " h=" + fmt6(H) + ": D+=" + fmt6(DP) + " D-=" + fmt6(DM) + ";";
  }
  const size_t N = Gaps.size();
  if (N < 3)
    return std::nullopt;
  // A kink: over the finest three decades the gap is constant (a smooth
  // function's shrinks like O(h); a fast oscillation's wanders) ...
  double GMax = std::max({Gaps[N - 1], Gaps[N - 2], Gaps[N - 3]});
  double GMin = std::min({Gaps[N - 1], Gaps[N - 2], Gaps[N - 3]});
  if (!(GMax <= 1.5 * GMin))
    return std::nullopt;
  // ... and each one-sided derivative converges.
  double Scale = std::fabs(DPs[N - 1]) + std::fabs(DMs[N - 1]);
  if (!(std::fabs(DPs[N - 1] - DPs[N - 2]) <= 0.1 * Scale && std::fabs(DMs[N - 1] - DMs[N - 2]) <= 0.1 * Scale))
    return std::nullopt; // diverging derivatives: the Lipschitz test's business
  // ... and each side is linear at the finest step: f(c + h/2) is halfway.
  // An oscillation faster than the step (sin(1 / x^2) near 0) is not.
  for (double Sd : {1.0, -1.0}) {
    double Full = F(C + Sd * LastH) - F0, Half = F(C + Sd * LastH / 2) - F0;
    if (!(std::fabs(Full - 2 * Half) <= 0.1 * std::fabs(Full) + 200 * Noise))
      return std::nullopt;
  }
  if (F.unreliable({C, C - LastH, C + LastH})) {
    ++F.S.OverflowSkips;
    return std::nullopt;
  }
  LineFinding L;
  L.Refutes = Prop::Diff;
  L.Kind = "kink";
  L.Point = C;
  L.Evidence = "one-sided derivatives at " + fmt(C) + " disagree:" + Ev;
  return L;
}

/// Lips: the difference quotient max(|f(c±h) - f(c)|)/h at C keeps growing
/// as h goes from 1e-2 to 1e-8 (x8 overall, x1.5 over the last decade
/// resolved above floating noise): unbounded, so not locally Lipschitz at C.
std::optional<LineFinding> quotientTest(const Fn &F, double C, double Lo, double Hi) {
  double F0 = F(C);
  if (!std::isfinite(F0))
    return std::nullopt;
  const double Noise = noiseAt(F, C, F0);
  std::vector<double> Qs, Deltas;
  double LastH = 0;
  std::string Ev;
  for (double H : Steps) {
    if (C - H <= Lo || C + H >= Hi)
      continue;
    double FP = F(C + H), FM = F(C - H);
    if (!std::isfinite(FP) || !std::isfinite(FM))
      return std::nullopt;
    double Delta = std::max(std::fabs(FP - F0), std::fabs(F0 - FM));
    if (!(Delta > 1e-11 * (1 + std::fabs(F0)) && Delta > 100 * Noise))
      break; // below floating resolution
    double Q = Delta / H;
    if (!Qs.empty() && Q < 0.95 * Qs.back())
      return std::nullopt; // not growing
    Qs.push_back(Q);
    Deltas.push_back(Delta);
    LastH = H;
    Ev += " h=" + fmt6(H) + ": " + fmt6(Q) + ";";
  }
  if (Qs.size() < 4)
    return std::nullopt;
  if (!(Qs.back() > 8 * Qs.front()))
    return std::nullopt;
  // A cusp of a continuous function, |x - c|^a with 0 < a < 1: at every
  // decade the quotient grows (by 10^(1-a)) and the change itself shrinks
  // (by 10^a). A change that does not shrink is a jump at this scale, or an
  // oscillation far below it (a steep smooth function), which the continuity
  // test and a finer scale decide.
  for (size_t I = 1; I < Qs.size(); ++I)
    if (!(Qs[I] > 1.25 * Qs[I - 1] && Deltas[I] < 0.8 * Deltas[I - 1]))
      return std::nullopt;
  // The growth exponent settles (1 - a for a cusp |x - c|^a); a smooth but
  // fast-oscillating function gives erratic exponents instead.
  const size_t N = Qs.size();
  double E1 = std::log10(Qs[N - 1] / Qs[N - 2]), E2 = std::log10(Qs[N - 2] / Qs[N - 3]);
  if (!(std::fabs(E1 - E2) <= 0.25))
    return std::nullopt;
  // At half the finest step the change is 2^-a of it on the larger side (a
  // cusp), not anything (an oscillation faster than the step).
  {
    double FP = F(C + LastH) - F0, FM = F(C - LastH) - F0;
    double Sd = std::fabs(FP) >= std::fabs(FM) ? 1.0 : -1.0;
    double Full = Sd > 0 ? FP : FM, Half = F(C + Sd * LastH / 2) - F0;
    double Ratio = Half / Full;
    if (!(Ratio >= 0.45 && Ratio <= 1.05))
      return std::nullopt;
  }
  if (F.unreliable({C, C - LastH, C + LastH})) {
    ++F.S.OverflowSkips;
    return std::nullopt;
  }
  LineFinding L;
  L.Refutes = Prop::Lips;
  L.Kind = "non-lipschitz";
  L.Point = C;
  L.Evidence = "difference quotients at " + fmt(C) + " grow without bound:" + Ev;
  return L;
}

} // namespace

std::string_view propName(Prop P) {
  switch (P) {
  case Prop::Diff:
    return "diff";
  case Prop::Lips:
    return "lips";
  case Prop::Cont:
    return "cont";
  }
  return "?";
}

std::vector<LineFinding> checkLine(const std::function<double(double)> &Func, double Lo, double Hi,
                                   bool TestDiff, bool TestLips, bool TestCont, const CheckOptions &O,
                                   LineStats *StatsOut, const std::function<bool(double)> &Artifact) {
  LineStats Local;
  LineStats &S = StatsOut ? *StatsOut : Local;
  Fn F{Func, S, Artifact};
  std::vector<LineFinding> Out;
  if (!(Lo < Hi) || !(TestDiff || TestLips || TestCont))
    return Out;
  // Every claim implies continuity, a Diff (C1) claim local Lipschitzness.
  TestCont = true;
  TestLips = TestLips || TestDiff;
  const int G = std::max(5, O.GridPoints);
  std::vector<Pt> Grid(static_cast<size_t>(G));
  for (int I = 0; I < G; ++I) {
    double X = Lo + (Hi - Lo) * I / (G - 1);
    Grid[static_cast<size_t>(I)] = {X, F(X)};
  }
  auto finite = [&](size_t I) { return std::isfinite(Grid[I].F); };

  // Non-finite values next to finite ones.
  for (size_t I = 0; I + 1 < Grid.size(); ++I) {
    if (finite(I) == finite(I + 1))
      continue;
    Pt A = finite(I) ? Grid[I] : Grid[I + 1];
    Pt B = finite(I) ? Grid[I + 1] : Grid[I];
    if (auto L = boundary(F, A, B, S)) {
      Out.push_back(*L);
      return Out; // the strongest refutation; the rest would only repeat it
    }
  }

  const size_t NI = Grid.size() - 1;
  std::vector<double> Signed(NI), Change(NI), Slope(NI), Residual(NI);
  std::vector<bool> Valid(NI);
  for (size_t I = 0; I < NI; ++I) {
    Valid[I] = finite(I) && finite(I + 1);
    Signed[I] = Valid[I] ? Grid[I + 1].F - Grid[I].F : 0;
    Change[I] = std::fabs(Signed[I]);
    Slope[I] = Valid[I] ? Change[I] / (Grid[I + 1].X - Grid[I].X) : 0;
  }
  // A jump smaller than the smooth variation per interval still stands out
  // against the prediction from the neighbouring intervals.
  for (size_t I = 0; I < NI; ++I) {
    if (!Valid[I])
      continue;
    bool L = I > 0 && Valid[I - 1], R = I + 1 < NI && Valid[I + 1];
    double Pred = L && R ? (Signed[I - 1] + Signed[I + 1]) / 2 : L ? Signed[I - 1] : R ? Signed[I + 1] : 0;
    Residual[I] = std::fabs(Signed[I] - Pred);
  }
  auto refineInterval = [&](Measure K, size_t I) {
    Pt A = Grid[I], B = Grid[I + 1];
    Pt M{A.X + (B.X - A.X) / 2, 0};
    M.F = F(M.X);
    if (!std::isfinite(M.F)) {
      Refined R;
      R.NonFinite = boundary(F, A, M, S);
      R.Degenerate = !R.NonFinite;
      return R;
    }
    return refine(F, K, A, M, B, O.Bisections, S);
  };
  auto dedupe = [](std::vector<size_t> A, const std::vector<size_t> &B) {
    for (size_t I : B)
      if (std::find(A.begin(), A.end(), I) == A.end())
        A.push_back(I);
    return A;
  };
  std::vector<double> Located; // refined points, for the local tests

  // Cont: a change that does not shrink under refinement.
  std::vector<size_t> CandC = candidates(Change, Valid);
  CandC.resize(std::min<size_t>(CandC.size(), 1));
  CandC = dedupe(CandC, candidates(Residual, Valid));
  for (size_t I : CandC) {
    Refined R = refineInterval(Measure::Change, I);
    if (R.NonFinite) {
      Out.push_back(*R.NonFinite);
      return Out;
    }
    if (R.Degenerate)
      continue;
    Located.push_back(R.M.X);
    double Scale = 1 + std::fabs(R.M.F);
    if (R.EndValue > 1e-8 * Scale && R.EndValue > 0.5 * R.MidValue) {
      if (F.unreliable({R.A.X, R.B.X})) {
        ++S.OverflowSkips;
        continue;
      }
      LineFinding L;
      L.Refutes = Prop::Cont;
      L.Kind = "jump";
      L.Point = R.M.X;
      L.Evidence = "f jumps by " + fmt6(R.EndValue) + " across [" + fmt(R.A.X) + ", " + fmt(R.B.X) +
                   "] (f = " + fmt(R.A.F) + " -> " + fmt(R.B.F) + "; change " + fmt6(R.MidValue) +
                   " at half the refinement)";
      Out.push_back(L);
      return Out;
    }
  }
  if (!TestLips)
    return Out;

  // Points where the slope is largest or changes most.
  std::vector<double> KinkPts;
  std::vector<size_t> CandS = candidates(Slope, Valid);
  CandS.resize(std::min<size_t>(CandS.size(), 1));
  for (size_t I : CandS) {
    Refined R = refineInterval(Measure::Slope, I);
    if (R.NonFinite) {
      Out.push_back(*R.NonFinite);
      return Out;
    }
    if (!R.Degenerate)
      Located.push_back(R.M.X);
  }
  if (NI >= 2) {
    std::vector<double> Kink(NI - 1);
    std::vector<bool> KValid(NI - 1);
    for (size_t I = 0; I + 1 < NI; ++I) {
      KValid[I] = Valid[I] && Valid[I + 1];
      Kink[I] = KValid[I] ? std::fabs(Signed[I + 1] / (Grid[I + 2].X - Grid[I + 1].X) -
                                      Signed[I] / (Grid[I + 1].X - Grid[I].X))
                          : 0;
    }
    for (size_t I : candidates(Kink, KValid)) {
      Refined R = refine(F, Measure::Kink, Grid[I], Grid[I + 1], Grid[I + 2], O.Bisections, S);
      if (R.NonFinite) {
        Out.push_back(*R.NonFinite);
        return Out;
      }
      if (!R.Degenerate) {
        Located.push_back(R.M.X);
        KinkPts.push_back(R.M.X);
      }
    }
  }
  std::vector<double> Tested;
  for (double C : Located) {
    bool Seen = false;
    for (double T : Tested)
      Seen = Seen || std::fabs(T - C) < 1e-9 * std::max(1.0, std::fabs(C));
    if (Seen)
      continue;
    Tested.push_back(C);
    if (auto L = quotientTest(F, C, Lo, Hi)) {
      Out.push_back(*L);
      return Out;
    }
  }
  if (!TestDiff)
    return Out;
  for (double C : KinkPts)
    if (auto L = derivativeTest(F, C, Lo, Hi)) {
      Out.push_back(*L);
      return Out;
    }
  return Out;
}

//===-- Programs ----------------------------------------------------------------===//

std::string Violation::describe() const {
  std::ostringstream OS;
  OS << "seed " << ProgramSeed << ": claimed " << propName(Property) << "-smooth in " << Name << ", but "
     << Kind << "\n  at: " << Point << "\n  evidence: " << Evidence;
  return OS.str();
}

void CheckStats::add(const CheckStats &O) {
  Programs += O.Programs;
  ProgramsSkipped += O.ProgramsSkipped;
  Claims += O.Claims;
  ClaimsChecked += O.ClaimsChecked;
  Lines += O.Lines;
  Evaluations += O.Evaluations;
  BasePointsRejected += O.BasePointsRejected;
  OverflowSkips += O.OverflowSkips;
  Violations += O.Violations;
  NamesMissingFromReport += O.NamesMissingFromReport;
}

std::string CheckStats::summary() const {
  std::ostringstream OS;
  OS << "programs checked " << Programs << ", skipped " << ProgramsSkipped << "; smooth claims " << Claims
     << ", claims checked " << ClaimsChecked << "; probe lines " << Lines << ", log-density evaluations "
     << Evaluations << "; base points rejected " << BasePointsRejected << ", float-artefact skips " << OverflowSkips
     << "; names missing from the report " << NamesMissingFromReport << "; violations " << Violations;
  return OS.str();
}

namespace {

/// A point inside (the interior of) a support, drawn from a fixed proposal.
double propose(const SupportInfo &S, uint64_t H) {
  Rng R(H);
  R.next();
  if (S.Discrete) {
    if (S.Kind == ir::SupportKind::Boolean)
      return R.coin(0.5) ? 1.0 : 0.0;
    if (std::isfinite(S.Hi))
      return static_cast<double>(R.range(0, static_cast<int>(std::min(S.Hi, 1e6))));
    return static_cast<double>(R.range(0, 4));
  }
  if (std::isnan(S.Lo) || std::isnan(S.Hi) || !(S.Lo < S.Hi))
    return std::numeric_limits<double>::quiet_NaN();
  bool FL = std::isfinite(S.Lo), FH = std::isfinite(S.Hi);
  if (!FL && !FH)
    return R.uniform(-2.5, 2.5);
  if (FL && FH)
    return S.Lo + (S.Hi - S.Lo) * R.uniform(0.03, 0.97);
  double Off = std::exp(R.uniform(std::log(0.1), std::log(4.0)));
  return FL ? S.Lo + Off : S.Hi - Off;
}

uint64_t hashName(uint64_t Seed, const std::string &N) {
  uint64_t H = 1469598103934665603ull;
  for (char C : N)
    H = (H ^ static_cast<unsigned char>(C)) * 1099511628211ull;
  return mixSeed(Seed, H);
}

/// Probing window around X0 inside the support's interior; W <= 0 asks for
/// the whole range where generated programs put their thresholds ([-3, 3] on
/// the real line, up to 5 on a half-line, the whole of a bounded interval).
std::pair<double, double> window(const SupportInfo &S, double X0, double W) {
  const bool FL = std::isfinite(S.Lo), FH = std::isfinite(S.Hi);
  double Range = FL && FH ? S.Hi - S.Lo : 1.0;
  // 1% inside a finite bound: nearer, a smooth term like Normal(., z)
  // .log_prob(.) at z -> 0 varies on scales below the finest step (1e-8), and
  // a steep oscillation or transition reads as a kink or cusp.
  double Margin = 1e-2 * Range;
  double Lo, Hi;
  if (W <= 0) {
    Lo = FL ? S.Lo : std::min(-3.0, X0 - 0.5);
    Hi = FH ? S.Hi : std::max(FL ? S.Lo + 5.0 : 3.0, X0 + 0.5);
    if (!FL && FH)
      Lo = std::min(S.Hi - 5.0, X0 - 0.5);
  } else {
    if (FL && FH)
      W = std::min(W, 0.5 * Range);
    Lo = X0 - W;
    Hi = X0 + W;
  }
  return {std::max(S.Lo + Margin, Lo), std::min(S.Hi - Margin, Hi)};
}

struct SiteInfo {
  SiteRequest Req;
  double Value = 0;
};

} // namespace

CheckReport checkProgram(const ir::Program &P, const std::vector<Claim> &Claims, uint64_t Seed,
                         const CheckOptions &O, const std::vector<std::string> *Reported) {
  CheckReport Rep;
  CheckStats &St = Rep.Stats;
  Interpreter Interp(P);
  Rng R(mixSeed(Seed, 0xC4EC));

  std::map<std::string, Claim> ClaimOf;
  for (const Claim &C : Claims) {
    if (!(C.Diff || C.Lips || C.Cont))
      continue;
    ClaimOf[C.Name] = C;
    St.Claims += C.Diff + C.Lips + C.Cont;
  }
  std::set<std::pair<std::string, Prop>> Checked, Violated;
  std::set<std::string> SeenCanonical;

  auto addViolation = [&](const std::string &Name, Prop Pr, const LineFinding &L, const std::string &Where) {
    if (!Violated.insert({Name, Pr}).second)
      return;
    Violation V;
    V.ProgramSeed = Seed;
    V.Name = Name;
    V.Property = Pr;
    V.Kind = L.Kind;
    V.Point = Where + " -> located at " + fmt(L.Point);
    V.Evidence = L.Evidence;
    Rep.Violations.push_back(std::move(V));
  };
  auto refutes = [](const LineFinding &L, Prop Claimed) {
    // A Cont finding refutes every claim; a Lips one Lips and Diff; a Diff one Diff.
    return static_cast<int>(Claimed) <= static_cast<int>(L.Refutes);
  };

  bool AnyBase = false;
  for (int B = 0; B < O.BasePoints; ++B) {
    // Draw a base point by rejection.
    std::map<std::string, double> Data, Names;
    std::vector<SiteInfo> Sites;
    bool Ok = false;
    uint64_t BaseSeed = 0;
    for (int Try = 0; Try < O.MaxBaseTries && !Ok; ++Try) {
      BaseSeed = R.next();
      Data.clear();
      Names.clear();
      Rng DR(BaseSeed);
      for (ir::VarId V : P.Inputs)
        Data[P.var(V).Name] = DR.uniform(-2, 2);
      RunInputs In;
      In.Data = &Data;
      In.Names = &Names;
      In.RecordSites = true;
      In.OnMissing = [&](const SiteRequest &Req) -> std::optional<double> {
        double V = propose(Req.Support, hashName(BaseSeed, Req.Concrete));
        Names[Req.Concrete] = V;
        return V;
      };
      RunResult Res = Interp.run(In);
      ++St.Evaluations;
      if (Res.St == RunResult::Status::Unsupported) {
        Rep.SkipReason = "interpreter: " + Res.Message;
        St.ProgramsSkipped = 1;
        return Rep;
      }
      if (Res.St != RunResult::Status::Ok || !std::isfinite(Res.LogDensity) ||
          std::fabs(Res.LogDensity) > 1e12) {
        ++St.BasePointsRejected;
        continue;
      }
      Ok = true;
      Sites.clear();
      std::set<std::string> Seen;
      for (const SiteRequest &Req : Res.Sites)
        if (Seen.insert(Req.Concrete).second)
          Sites.push_back(SiteInfo{Req, Names.at(Req.Concrete)});
    }
    if (!Ok)
      continue;
    AnyBase = true;
    for (const SiteInfo &S : Sites)
      SeenCanonical.insert(S.Req.Canonical);

    std::string BaseDesc;
    for (const auto &[K, V] : Data)
      BaseDesc += K + "=" + fmt6(V) + " ";
    for (const SiteInfo &S : Sites)
      BaseDesc += S.Req.Concrete + "=" + fmt(S.Value) + " ";

    // The log-density with some coordinates moved; sites first reached off
    // the base path get their deterministic proposal.
    std::map<std::string, double> Work = Names;
    auto density = [&]() {
      RunInputs In;
      In.Data = &Data;
      In.Names = &Work;
      In.OnMissing = [&](const SiteRequest &Req) -> std::optional<double> {
        return propose(Req.Support, hashName(BaseSeed, Req.Concrete));
      };
      ++St.Evaluations;
      return Interp.run(In);
    };
    const double W = O.Widths.empty() ? 1.0 : O.Widths[static_cast<size_t>(B) % O.Widths.size()];

    // Per name.
    std::map<std::string, std::vector<const SiteInfo *>> Instances;
    for (const SiteInfo &S : Sites)
      Instances[S.Req.Canonical].push_back(&S);
    for (const auto &[Name, C] : ClaimOf) {
      auto It = Instances.find(Name);
      if (It == Instances.end())
        continue; // not reached at this base point: the density does not depend on it here
      bool Discrete = false;
      for (const SiteInfo *S : It->second)
        Discrete = Discrete || S->Req.Support.Discrete;
      if (Discrete) {
        LineFinding L;
        L.Refutes = Prop::Cont;
        L.Kind = "a discrete latent claimed smooth";
        L.Evidence = "discrete support " + It->second.front()->Req.Support.describe();
        for (Prop Pr : {Prop::Diff, Prop::Lips, Prop::Cont})
          if (C.claims(Pr)) {
            Checked.insert({Name, Pr});
            addViolation(Name, Pr, L, "any point");
          }
        continue;
      }
      int Count = 0;
      for (const SiteInfo *S : It->second) {
        if (Count++ >= O.MaxInstances)
          break;
        auto [Lo, Hi] = window(S->Req.Support, S->Value, W);
        if (!(Lo < Hi) || !(Lo <= S->Value && S->Value <= Hi))
          continue;
        const std::string Coord = S->Req.Concrete;
        std::function<double(double)> F = [&](double X) {
          Work[Coord] = X;
          return density().LogDensity;
        };
        std::function<bool(double)> Art = [&](double X) {
          Work[Coord] = X;
          return density().RangeEvent;
        };
        LineStats LS;
        ++St.Lines;
        std::vector<LineFinding> Fs = checkLine(F, Lo, Hi, C.Diff, C.Lips, C.Cont, O, &LS, Art);
        Work[Coord] = S->Value;
        St.OverflowSkips += LS.OverflowSkips;
        for (Prop Pr : {Prop::Diff, Prop::Lips, Prop::Cont})
          if (C.claims(Pr))
            Checked.insert({Name, Pr});
        for (const LineFinding &L : Fs)
          for (Prop Pr : {Prop::Diff, Prop::Lips, Prop::Cont})
            if (C.claims(Pr) && refutes(L, Pr))
              addViolation(Name, Pr, L,
                           "base " + BaseDesc + "; moving " + Coord + " in [" + fmt(Lo) + ", " + fmt(Hi) + "]");
      }
    }

    // Joint directions over every name claimed under one property.
    if (!O.JointProbes)
      continue;
    for (Prop Pr : {Prop::Diff, Prop::Lips, Prop::Cont}) {
      std::vector<const SiteInfo *> Coords;
      std::string SetName;
      for (const auto &[Name, C] : ClaimOf) {
        if (!C.claims(Pr))
          continue;
        auto It = Instances.find(Name);
        if (It == Instances.end())
          continue;
        bool Discrete = false;
        for (const SiteInfo *S : It->second)
          Discrete = Discrete || S->Req.Support.Discrete;
        if (Discrete)
          continue;
        SetName += (SetName.empty() ? "" : ", ") + Name;
        for (const SiteInfo *S : It->second)
          Coords.push_back(S);
      }
      if (Coords.size() < 2)
        continue;
      Rng DR(mixSeed(BaseSeed, static_cast<uint64_t>(Pr) + 17));
      std::vector<double> Dir(Coords.size());
      double Norm = 0;
      for (double &D : Dir) {
        D = DR.uniform(-1, 1);
        Norm += D * D;
      }
      Norm = std::sqrt(Norm);
      if (!(Norm > 1e-6))
        continue;
      const double WJ = W > 0 ? W : 2.0;
      double TLo = -WJ, THi = WJ;
      for (size_t I = 0; I < Coords.size(); ++I) {
        Dir[I] /= Norm;
        auto [Lo, Hi] = window(Coords[I]->Req.Support, Coords[I]->Value, 1e300);
        if (std::fabs(Dir[I]) < 1e-12)
          continue;
        double T1 = (Lo - Coords[I]->Value) / Dir[I], T2 = (Hi - Coords[I]->Value) / Dir[I];
        TLo = std::max(TLo, std::min(T1, T2));
        THi = std::min(THi, std::max(T1, T2));
      }
      if (!(TLo < 0 && 0 < THi))
        continue;
      auto set = [&](double T) {
        for (size_t I = 0; I < Coords.size(); ++I)
          Work[Coords[I]->Req.Concrete] = Coords[I]->Value + T * Dir[I];
      };
      std::function<double(double)> F = [&](double T) {
        set(T);
        return density().LogDensity;
      };
      std::function<bool(double)> Art = [&](double T) {
        set(T);
        return density().RangeEvent;
      };
      LineStats LS;
      ++St.Lines;
      std::vector<LineFinding> Fs =
          checkLine(F, TLo, THi, Pr == Prop::Diff, Pr != Prop::Cont, true, O, &LS, Art);
      for (const SiteInfo *S : Coords)
        Work[S->Req.Concrete] = S->Value;
      St.OverflowSkips += LS.OverflowSkips;
      std::string DirDesc;
      for (size_t I = 0; I < Coords.size(); ++I)
        DirDesc += Coords[I]->Req.Concrete + ":" + fmt6(Dir[I]) + " ";
      for (const LineFinding &L : Fs)
        if (refutes(L, Pr))
          addViolation("{" + SetName + "}", Pr, L,
                       "base " + BaseDesc + "; direction " + DirDesc + "t in [" + fmt(TLo) + ", " + fmt(THi) + "]");
    }
  }
  if (!AnyBase) {
    Rep.SkipReason = "no base point with a finite log-density";
    St.ProgramsSkipped = 1;
    return Rep;
  }
  St.Programs = 1;
  St.ClaimsChecked = Checked.size();
  St.Violations = Rep.Violations.size();
  if (Reported) {
    std::set<std::string> Rp(Reported->begin(), Reported->end());
    for (const std::string &N : SeenCanonical)
      if (!Rp.count(N))
        Rep.MissingFromReport.push_back(N);
    St.NamesMissingFromReport = Rep.MissingFromReport.size();
  }
  return Rep;
}

} // namespace svic::testkit
