//===- SupportDomain.cpp - Shapes, supports, name sets and states ----------===//
///
/// \file
/// The pieces of the support-match domain (Support.h): tensor shapes and the
/// Pyro shape rules (broadcasting, to_event, expand, plates), the support
/// inclusion relation, index boxes and name sets, abstract values, and the
/// lattice of states.
//===----------------------------------------------------------------------===//

#include "svic/analysis/Support.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace svic::analysis::support {

namespace {
constexpr double Inf = SupportDesc::Inf;

std::string num(double V) {
  if (V == Inf)
    return "inf";
  if (V == -Inf)
    return "-inf";
  std::ostringstream OS;
  OS << V;
  return OS.str();
}
} // namespace

//===----------------------------------------------------------------------===//
// Shapes
//===----------------------------------------------------------------------===//

bool Shape::fullyKnown() const {
  if (!RankKnown)
    return false;
  return std::all_of(Dims.begin(), Dims.end(), isExact);
}

std::string Shape::dimStr(int64_t D) {
  if (D >= 0)
    return std::to_string(D);
  if (isSym(D)) {
    int64_t C = SymBase - D;
    return "arg" + std::to_string(C / 64) + ".shape[" + std::to_string(C % 64) + "]";
  }
  return "?";
}

std::optional<int64_t> Shape::numel() const {
  if (!RankKnown || std::any_of(Dims.begin(), Dims.end(), [](int64_t D) { return D < 0; }))
    return std::nullopt;
  int64_t N = 1;
  for (int64_t D : Dims)
    N *= D;
  return N;
}

Shape Shape::join(const Shape &O) const {
  if (!RankKnown || !O.RankKnown || Dims.size() != O.Dims.size())
    return unknown();
  Shape R = *this;
  for (size_t I = 0; I < Dims.size(); ++I)
    if (Dims[I] != O.Dims[I])
      R.Dims[I] = UnknownDim;
  return R;
}

bool Shape::leq(const Shape &O) const {
  if (!O.RankKnown)
    return true;
  if (!RankKnown || Dims.size() != O.Dims.size())
    return false;
  for (size_t I = 0; I < Dims.size(); ++I)
    if (O.Dims[I] != UnknownDim && O.Dims[I] != Dims[I])
      return false;
  return true;
}

std::string Shape::str() const {
  if (!RankKnown)
    return "?";
  std::string S = "[";
  for (size_t I = 0; I < Dims.size(); ++I) {
    if (I)
      S += ", ";
    S += dimStr(Dims[I]);
  }
  return S + "]";
}

ShapeOutcome broadcastShapes(const Shape &A, const Shape &B) {
  if (!A.RankKnown || !B.RankKnown)
    return {Shape::unknown(), ""};
  size_t R = std::max(A.rank(), B.rank());
  std::vector<int64_t> Out(R, 1);
  for (size_t I = 0; I < R; ++I) {
    int64_t DA = I < A.rank() ? A.Dims[A.rank() - 1 - I] : 1;
    int64_t DB = I < B.rank() ? B.Dims[B.rank() - 1 - I] : 1;
    int64_t D;
    bool KA = DA >= 0, KB = DB >= 0;
    if (DA == DB)
      D = DA;
    else if (DA == 1)
      D = DB;
    else if (DB == 1)
      D = DA;
    else if (!KA && !KB)
      D = Shape::UnknownDim; // unknown or two different symbols
    else if (!KA)
      D = DB; // ? or a symbol against k > 1: k (a run where they differ raises)
    else if (!KB)
      D = DA;
    else
      return {Shape::unknown(), "shapes " + A.str() + " and " + B.str() +
                                    " cannot be broadcast together (dim -" + std::to_string(I + 1) +
                                    ": " + std::to_string(DA) + " vs " + std::to_string(DB) + ")"};
    Out[R - 1 - I] = D;
  }
  return {Shape::of(std::move(Out)), ""};
}

Shape concatShapes(const Shape &A, const Shape &B) {
  if (!A.RankKnown || !B.RankKnown)
    return Shape::unknown();
  Shape R = A;
  R.Dims.insert(R.Dims.end(), B.Dims.begin(), B.Dims.end());
  return R;
}

Shape dropLast(const Shape &S, size_t N) {
  if (!S.RankKnown)
    return S;
  if (N >= S.rank())
    return Shape::scalar();
  return Shape::of(std::vector<int64_t>(S.Dims.begin(), S.Dims.end() - N));
}

Shape takeLast(const Shape &S, size_t N) {
  if (!S.RankKnown)
    return Shape::of(std::vector<int64_t>(N, Shape::UnknownDim));
  if (N >= S.rank())
    return S;
  return Shape::of(std::vector<int64_t>(S.Dims.end() - N, S.Dims.end()));
}

std::string applyToEvent(DistShape &D, std::optional<int64_t> N) {
  if (N && *N < 0) {
    D.Batch = Shape::unknown();
    D.Event = Shape::unknown();
    return "";
  }
  if (!D.Batch.RankKnown) {
    if (!N) {
      D.Event = Shape::unknown();
      D.Batch = Shape::unknown();
      return "";
    }
    D.Event = concatShapes(Shape::of(std::vector<int64_t>(*N, Shape::UnknownDim)), D.Event);
    return "";
  }
  size_t K = N ? static_cast<size_t>(*N) : D.Batch.rank();
  if (K > D.Batch.rank())
    return "to_event(" + std::to_string(K) + ") on a distribution with batch shape " +
           D.Batch.str() + " (only " + std::to_string(D.Batch.rank()) + " batch dims)";
  D.Event = concatShapes(takeLast(D.Batch, K), D.Event);
  D.Batch = dropLast(D.Batch, K);
  return "";
}

std::string applyExpandBy(DistShape &D, const Shape &S) {
  D.Batch = concatShapes(S, D.Batch);
  return "";
}

std::string applyExpand(DistShape &D, const Shape &S) {
  if (!S.RankKnown) {
    D.Batch = Shape::unknown();
    return "";
  }
  if (!D.Batch.RankKnown) {
    Shape R = S;
    for (auto &X : R.Dims)
      if (!Shape::isExact(X))
        X = Shape::UnknownDim;
    D.Batch = R;
    return "";
  }
  if (D.Batch.rank() > S.rank())
    return "expand(" + S.str() + ") of a distribution with batch shape " + D.Batch.str() +
           " (more batch dims than the target)";
  Shape R = S;
  size_t Off = S.rank() - D.Batch.rank();
  for (size_t I = 0; I < S.rank(); ++I) {
    int64_t Old = I >= Off ? D.Batch.Dims[I - Off] : Shape::UnknownDim;
    int64_t New = S.Dims[I];
    if (!Shape::isExact(New)) { // -1 keeps the existing size (or unknown)
      R.Dims[I] = I >= Off ? Old : Shape::UnknownDim;
      continue;
    }
    if (I >= Off && Old >= 0 && New >= 0 && Old != 1 && Old != New)
      return "expand(" + S.str() + ") of a distribution with batch shape " + D.Batch.str() +
             ": dim " + std::to_string(I) + " has size " + std::to_string(Old) + ", not 1 or " +
             std::to_string(New);
  }
  D.Batch = R;
  return "";
}

std::string broadcastUnderPlates(DistShape &D, const std::vector<ActivePlate> &Plates,
                                 const std::string &Site) {
  bool Any = false;
  for (const ActivePlate &P : Plates) {
    if (!P.HasSize)
      continue;
    Any = true;
    if (P.Dim == 0) { // unknown dim: the batch shape cannot be built
      D.Batch = Shape::unknown();
      return "";
    }
  }
  if (!Any || !D.Batch.RankKnown)
    return "";
  for (const ActivePlate &P : Plates) {
    if (!P.HasSize)
      continue;
    size_t K = static_cast<size_t>(-P.Dim);
    if (D.Batch.rank() < K)
      D.Batch.Dims.insert(D.Batch.Dims.begin(), K - D.Batch.rank(), 1);
    int64_t &Cur = D.Batch.Dims[D.Batch.rank() - K];
    int64_t Sz = Shape::isExact(P.Size) ? P.Size : Shape::UnknownDim;
    if (Cur == Sz)
      continue;
    if (Cur == 1 || Cur == Shape::UnknownDim) { // becomes the plate size (assumed for ?)
      Cur = Sz;
      continue;
    }
    if (Sz == Shape::UnknownDim)
      continue;
    if (Cur < 0 || Sz < 0) { // a symbol against another size: not decided
      Cur = Sz >= 0 ? Sz : (Cur >= 0 ? Cur : Shape::UnknownDim);
      continue;
    }
    return "shape mismatch inside plate('" + P.Name + "') at site '" + Site + "': dim " +
           std::to_string(P.Dim) + " of the batch shape has size " + std::to_string(Cur) +
           " but the plate has size " + std::to_string(P.Size);
  }
  return "";
}

int allocatePlateDim(const std::vector<ActivePlate> &Plates) {
  for (const ActivePlate &P : Plates)
    if (P.Dim == 0)
      return 0;
  int D = -1;
  while (
      std::any_of(Plates.begin(), Plates.end(), [&](const ActivePlate &P) { return P.Dim == D; }))
    --D;
  return D;
}

//===----------------------------------------------------------------------===//
// Supports
//===----------------------------------------------------------------------===//

BaseMeasure SupportDesc::measure() const {
  using K = ir::SupportKind;
  switch (Kind) {
  case K::Real:
  case K::RealVector:
  case K::Positive:
  case K::NonNegative:
  case K::UnitInterval:
  case K::ClosedUnitInterval:
  case K::Interval:
  case K::GreaterThan:
  case K::GreaterThanEq:
  case K::LessThan:
  case K::Circular:
    return BaseMeasure::Lebesgue;
  case K::Simplex:
    return BaseMeasure::Simplex;
  case K::Boolean:
  case K::NonNegativeInteger:
  case K::IntegerInterval:
    return BaseMeasure::Counting;
  case K::OneHot:
    return BaseMeasure::OneHot;
  case K::Point:
    return BaseMeasure::Dirac;
  case K::Mixed:
  case K::PositiveDefinite:
  case K::LowerCholesky:
  case K::Unknown:
    return BaseMeasure::Unknown;
  }
  return BaseMeasure::Unknown;
}

static std::string boundStr(double Min, double Max) {
  if (Min == Max)
    return num(Min);
  if (std::isfinite(Min) && std::isfinite(Max))
    return num(Min) + ".." + num(Max);
  return "?";
}

std::string SupportDesc::str() const {
  using K = ir::SupportKind;
  switch (Kind) {
  case K::Interval:
    return "interval(" + boundStr(LoMin, LoMax) + ", " + boundStr(HiMin, HiMax) + ")";
  case K::IntegerInterval:
    return "integer_interval(" + boundStr(LoMin, LoMax) + ", " + boundStr(HiMin, HiMax) + ")";
  case K::GreaterThan:
  case K::GreaterThanEq:
    return std::string(ir::supportName(Kind)) + "(" + boundStr(LoMin, LoMax) + ")";
  case K::LessThan:
    return std::string(ir::supportName(Kind)) + "(" + boundStr(HiMin, HiMax) + ")";
  default:
    return std::string(ir::supportName(Kind));
  }
}

SupportDesc supportOf(ir::DistId D, const Interval &Lo, const Interval &Hi) {
  using K = ir::SupportKind;
  const ir::DistInfo &Info = ir::distInfo(D);
  SupportDesc S;
  S.Dist = Info.Name;
  S.Kind = Info.Support;
  auto Set = [&](double L0, double L1, double H0, double H1) {
    S.LoMin = L0;
    S.LoMax = L1;
    S.HiMin = H0;
    S.HiMax = H1;
  };
  auto Range = [](const Interval &I, double &Min, double &Max) {
    if (I.isBottom()) {
      Min = -Inf;
      Max = Inf;
      return;
    }
    Min = I.lo();
    Max = I.hi();
  };
  switch (S.Kind) {
  case K::Real:
  case K::RealVector:
    Set(-Inf, -Inf, Inf, Inf);
    break;
  case K::Positive:
  case K::NonNegative:
    Set(0, 0, Inf, Inf);
    break;
  case K::UnitInterval:
  case K::ClosedUnitInterval:
  case K::Boolean:
  case K::OneHot:
  case K::Simplex:
    Set(0, 0, 1, 1);
    break;
  case K::Circular:
    Set(-M_PI, -M_PI, M_PI, M_PI);
    break;
  case K::NonNegativeInteger:
    Set(0, 0, Inf, Inf);
    if (D == ir::DistId::Multinomial) {
      // Entries in [0, total_count] (and their sum at most total_count).
      Set(0, 0, 0, 0);
      Range(Hi, S.HiMin, S.HiMax);
      S.HiMin = std::max(S.HiMin, 0.0);
    }
    break;
  case K::Interval:
    Range(Lo, S.LoMin, S.LoMax);
    Range(Hi, S.HiMin, S.HiMax);
    break;
  case K::IntegerInterval:
    Set(0, 0, 0, 0);
    Range(Hi, S.HiMin, S.HiMax);
    if (S.HiMin < 0)
      S.HiMin = 0;
    break;
  default:
    break;
  }
  return S;
}

static std::string describe(const SupportDesc &S) { return S.Dist + " (support " + S.str() + ")"; }

InclusionResult guideSupportIncluded(const SupportDesc &G, const SupportDesc &M) {
  BaseMeasure MG = G.measure(), MM = M.measure();
  auto R = [](Inclusion I, std::string Why) { return InclusionResult{I, std::move(Why)}; };
  if (MG == BaseMeasure::Unknown || MM == BaseMeasure::Unknown)
    return R(Inclusion::Unknown, "the support of " +
                                     (MG == BaseMeasure::Unknown ? describe(G) : describe(M)) +
                                     " is not modelled");
  bool GCont = MG == BaseMeasure::Lebesgue || MG == BaseMeasure::Simplex;
  bool MCont = MM == BaseMeasure::Lebesgue || MM == BaseMeasure::Simplex;
  bool GDisc = MG == BaseMeasure::Counting || MG == BaseMeasure::OneHot;
  bool MDisc = MM == BaseMeasure::Counting || MM == BaseMeasure::OneHot;
  if (MG == BaseMeasure::Dirac) {
    if (MM == BaseMeasure::Dirac)
      return R(Inclusion::Unknown, "guide and model are both point masses (Delta); they agree only "
                                   "if both sit at the same value, "
                                   "which is not proved");
    if (MCont)
      return R(Inclusion::NotIncluded,
               "base measures differ: the guide's Delta is a point mass, while the model's " +
                   describe(M) +
                   " has a density w.r.t. Lebesgue measure, so the point has model probability 0");
    return R(Inclusion::Unknown,
             "the guide's Delta is a point mass; that its value lies in the model's support " +
                 M.str() + " is not proved");
  }
  if (MM == BaseMeasure::Dirac) {
    if (GCont)
      return R(Inclusion::NotIncluded,
               "base measures differ: the model's Delta is a point mass, while the guide's " +
                   describe(G) + " spreads its mass over a continuum");
    if (MG == BaseMeasure::Counting && G.HiMin > G.LoMax)
      return R(Inclusion::NotIncluded,
               "the guide's " + describe(G) +
                   " puts mass on several values, the model's Delta on one");
    return R(Inclusion::Unknown, "the model's Delta is a point mass; the guide's " + describe(G) +
                                     " is not proved to sit on it");
  }
  if (GCont != MCont || GDisc != MDisc)
    return R(Inclusion::NotIncluded,
             std::string("base measures differ: the guide's ") + describe(G) + " is " +
                 (GCont ? "continuous" : "discrete") + ", the model's " + describe(M) + " is " +
                 (MCont ? "continuous" : "discrete"));
  if (M.Dist == "Multinomial") {
    // torch's multinomial(n) constraint: entries >= 0 summing to at most n,
    // which only another Multinomial with at most n trials is proved to meet.
    if (G.Dist == "Multinomial" && G.HiMax <= M.HiMin)
      return R(Inclusion::Included, "multinomial counts of at most " + num(G.HiMax) +
                                        " trials, inside the model's " + num(M.HiMin));
    if (MG == BaseMeasure::OneHot && M.HiMin >= 1)
      return R(Inclusion::Included,
               "a one-hot vector sums to 1, at most the model's " + num(M.HiMin) + " trials");
    return R(Inclusion::Unknown, "the model's " + describe(M) +
                                     " also bounds the sum of the entries by total_count; the "
                                     "guide's " +
                                     describe(G) + " is not proved to");
  }
  if (MG == BaseMeasure::Simplex || MM == BaseMeasure::Simplex) {
    if (MG == MM)
      return R(Inclusion::Included, "both on the simplex");
    return R(Inclusion::NotIncluded,
             "base measures differ: " +
                 (MG == BaseMeasure::Simplex ? "the guide's " + describe(G)
                                             : "the model's " + describe(M)) +
                 " lives on the probability simplex, a null set of Lebesgue measure on R^n, while "
                 "the other has a "
                 "density on R^n");
  }
  if (MG == BaseMeasure::OneHot || MM == BaseMeasure::OneHot) {
    if (MG == MM)
      return R(Inclusion::Included, "both one-hot");
    if (MG == BaseMeasure::OneHot) {
      if (M.LoMax <= 0 && M.HiMin >= 1)
        return R(Inclusion::Included, "one-hot vectors have entries in {0, 1}, inside " + M.str());
      if (M.HiMax < 1 || M.LoMin > 0)
        return R(Inclusion::NotIncluded,
                 "one-hot vectors have entries 0 and 1, outside the model's " + M.str());
      return R(Inclusion::Unknown, "bounds of the model's " + M.str() + " not known");
    }
    return R(Inclusion::Unknown, "the model accepts only one-hot vectors; the guide's " +
                                     describe(G) + " is not proved to produce only those");
  }
  // Same base measure (Lebesgue on R^n or counting), elementwise intervals.
  bool Disc = MG == BaseMeasure::Counting;
  const char *Where = Disc ? "" : " (up to null sets)";
  if (M.LoMax <= G.LoMin && G.HiMax <= M.HiMin)
    return R(Inclusion::Included,
             "guide support " + G.str() + " is contained in model support " + M.str() + Where);
  if (G.LoMax < M.LoMin)
    return R(Inclusion::NotIncluded, "guide support " + G.str() + " of " + G.Dist +
                                         " is not contained in model support " + M.str() + " of " +
                                         M.Dist + ": it extends below " + num(M.LoMin));
  if (G.HiMin > M.HiMax)
    return R(Inclusion::NotIncluded, "guide support " + G.str() + " of " + G.Dist +
                                         " is not contained in model support " + M.str() + " of " +
                                         M.Dist + ": it extends above " + num(M.HiMax));
  return R(Inclusion::Unknown, "inclusion of guide support " + G.str() + " in model support " +
                                   M.str() + " depends on bounds that are not known");
}

//===----------------------------------------------------------------------===//
// Index components, boxes and name sets
//===----------------------------------------------------------------------===//

static bool isIntString(const std::string &S, int64_t &V) {
  if (S.empty() || S.size() > 18)
    return false;
  size_t I = S[0] == '-' ? 1 : 0;
  if (I == S.size())
    return false;
  if (S[I] == '0' && S.size() > I + 1)
    return false;
  if (S == "-0")
    return false;
  for (size_t J = I; J < S.size(); ++J)
    if (S[J] < '0' || S[J] > '9')
      return false;
  V = std::stoll(S);
  return true;
}

IndexComp IndexComp::range(int64_t Lo, int64_t Hi) {
  IndexComp C;
  C.K = Kind::Range;
  C.Lo = {Lo, 0};
  C.Hi = {Hi, 0};
  return C;
}

IndexComp IndexComp::sym(uint32_t Loop, int64_t Off) {
  IndexComp C;
  C.K = Kind::Range;
  C.Lo = {Off, Loop};
  C.Hi = {Off + 1, Loop};
  return C;
}

IndexComp IndexComp::plate(std::string Name, int64_t Off, int64_t Size, int64_t Sub) {
  IndexComp C;
  C.K = Kind::Plate;
  C.Text = std::move(Name);
  C.Off = Off;
  C.PlateSize = Size;
  C.PlateSub = Sub;
  return C;
}

IndexComp IndexComp::str(std::string S) {
  int64_t V;
  if (isIntString(S, V))
    return point(V);
  IndexComp C;
  C.K = Kind::Str;
  C.Text = std::move(S);
  return C;
}

bool IndexComp::operator==(const IndexComp &O) const {
  if (K != O.K)
    return false;
  switch (K) {
  case Kind::Range:
    return Lo == O.Lo && Hi == O.Hi;
  case Kind::Plate:
    return Text == O.Text && Off == O.Off && PlateSize == O.PlateSize && PlateSub == O.PlateSub;
  case Kind::Str:
    return Text == O.Text;
  case Kind::Any:
    return true;
  }
  return false;
}

bool IndexComp::operator<(const IndexComp &O) const {
  if (K != O.K)
    return K < O.K;
  switch (K) {
  case Kind::Range:
    if (!(Lo == O.Lo))
      return Lo < O.Lo;
    return Hi < O.Hi;
  case Kind::Plate:
    if (Text != O.Text)
      return Text < O.Text;
    if (Off != O.Off)
      return Off < O.Off;
    if (PlateSize != O.PlateSize)
      return PlateSize < O.PlateSize;
    return PlateSub < O.PlateSub;
  case Kind::Str:
    return Text < O.Text;
  case Kind::Any:
    return false;
  }
  return false;
}

static std::string boundText(const Bound &B) {
  if (!B.Loop)
    return std::to_string(B.C);
  std::string S = "i" + std::to_string(B.Loop);
  if (B.C > 0)
    S += "+" + std::to_string(B.C);
  else if (B.C < 0)
    S += std::to_string(B.C);
  return S;
}

std::string IndexComp::str() const {
  switch (K) {
  case Kind::Range:
    if (isPoint())
      return boundText(Lo);
    return "[" + boundText(Lo) + ", " + boundText(Hi) + ")";
  case Kind::Plate: {
    std::string S = "subsample of plate '" + Text + "'";
    if (PlateSize >= 0 || PlateSub >= 0)
      S += " (" + (PlateSub >= 0 ? std::to_string(PlateSub) : std::string("?")) + " of [0, " +
           (PlateSize >= 0 ? std::to_string(PlateSize) : std::string("?")) + "))";
    if (Off)
      S += (Off > 0 ? " + " : " - ") + std::to_string(Off > 0 ? Off : -Off);
    return S;
  }
  case Kind::Str:
    return "'" + Text + "'";
  case Kind::Any:
    return "?";
  }
  return "?";
}

std::string IndexBox::str() const {
  std::string S;
  for (size_t I = 0; I < C.size(); ++I) {
    if (I)
      S += " x ";
    S += C[I].str();
  }
  return S;
}

std::string boxSetStr(const BoxSet &S) {
  if (S.empty())
    return "{}";
  if (S.size() == 1)
    return S[0].str();
  std::string R = "{";
  for (size_t I = 0; I < S.size(); ++I) {
    if (I)
      R += ", ";
    R += S[I].str();
  }
  return R + "}";
}

static Interval boundRange(const Bound &B, const LoopRanges &R) {
  Interval C = Interval::point(static_cast<double>(B.C));
  if (!B.Loop)
    return C;
  auto It = R.find(B.Loop);
  if (It == R.end())
    return Interval::top();
  return C + It->second;
}

Overlap overlapComp(const IndexComp &A, const IndexComp &B, const LoopRanges &R) {
  using K = IndexComp::Kind;
  if (A.K == K::Any || B.K == K::Any)
    return Overlap::Maybe;
  if (A.K == K::Str || B.K == K::Str) {
    if (A.K == K::Str && B.K == K::Str)
      return A.Text == B.Text ? Overlap::Definite : Overlap::Never;
    return Overlap::Never; // a non-integer string never formats like an integer
  }
  if (A.K == K::Plate && B.K == K::Plate)
    return A == B ? Overlap::Definite : Overlap::Maybe;
  if (A.K == K::Plate || B.K == K::Plate)
    return Overlap::Maybe;
  // Two ranges. Same symbolic base in all four bounds: exact arithmetic.
  uint32_t L = A.Lo.Loop;
  if (A.Hi.Loop == L && B.Lo.Loop == L && B.Hi.Loop == L) {
    if (A.Hi.C <= A.Lo.C || B.Hi.C <= B.Lo.C)
      return Overlap::Never;
    return std::max(A.Lo.C, B.Lo.C) < std::min(A.Hi.C, B.Hi.C) ? Overlap::Definite : Overlap::Never;
  }
  // A point (one value p, whatever its symbolic form) against a range.
  auto PointVsRange = [&](const IndexComp &Pt, const IndexComp &Rg) {
    Interval P = boundRange(Pt.Lo, R), Lo = boundRange(Rg.Lo, R), Hi = boundRange(Rg.Hi, R);
    if (P.isBottom() || Lo.isBottom() || Hi.isBottom())
      return Overlap::Maybe;
    if (P.hi() < Lo.lo() || P.lo() >= Hi.hi())
      return Overlap::Never;
    if (Lo.hi() <= P.lo() && P.hi() < Hi.lo())
      return Overlap::Definite;
    return Overlap::Maybe;
  };
  if (A.isPoint())
    return PointVsRange(A, B);
  if (B.isPoint())
    return PointVsRange(B, A);
  Interval ALo = boundRange(A.Lo, R), AHi = boundRange(A.Hi, R);
  Interval BLo = boundRange(B.Lo, R), BHi = boundRange(B.Hi, R);
  if (AHi.hi() <= ALo.lo() || BHi.hi() <= BLo.lo())
    return Overlap::Never; // certainly empty
  if (AHi.hi() <= BLo.lo() || BHi.hi() <= ALo.lo())
    return Overlap::Never;
  if (std::max(ALo.hi(), BLo.hi()) < std::min(AHi.lo(), BHi.lo()))
    return Overlap::Definite;
  return Overlap::Maybe;
}

Overlap overlapBox(const IndexBox &A, const IndexBox &B, const LoopRanges &R) {
  if (A.C.size() != B.C.size())
    return Overlap::Maybe;
  Overlap Res = Overlap::Definite;
  for (size_t I = 0; I < A.C.size(); ++I) {
    Overlap O = overlapComp(A.C[I], B.C[I], R);
    if (O == Overlap::Never)
      return Overlap::Never;
    if (O == Overlap::Maybe)
      Res = Overlap::Maybe;
  }
  return Res;
}

static bool structurallyEmpty(const IndexBox &B) {
  for (const IndexComp &C : B.C)
    if (C.K == IndexComp::Kind::Range && C.Lo.Loop == C.Hi.Loop && C.Hi.C <= C.Lo.C)
      return true;
  return false;
}

/// A's component is contained in B's (exactly computable cases only).
static bool compWithin(const IndexComp &A, const IndexComp &B) {
  if (A == B)
    return true;
  if (B.K == IndexComp::Kind::Any)
    return false; // Any is "some unknown value", not "every value"
  if (A.K != IndexComp::Kind::Range || B.K != IndexComp::Kind::Range)
    return false;
  uint32_t L = A.Lo.Loop;
  if (A.Hi.Loop != L || B.Lo.Loop != L || B.Hi.Loop != L)
    return false;
  return B.Lo.C <= A.Lo.C && A.Hi.C <= B.Hi.C;
}

void condense(BoxSet &S) {
  S.erase(std::remove_if(S.begin(), S.end(), structurallyEmpty), S.end());
  std::sort(S.begin(), S.end());
  S.erase(std::unique(S.begin(), S.end()), S.end());
  bool Changed = true;
  while (Changed) {
    Changed = false;
    for (size_t I = 0; I < S.size() && !Changed; ++I)
      for (size_t J = 0; J < S.size() && !Changed; ++J) {
        if (I == J || S[I].C.size() != S[J].C.size())
          continue;
        // Drop a box contained in another one.
        bool Within = true;
        for (size_t K = 0; K < S[I].C.size() && Within; ++K)
          Within = compWithin(S[I].C[K], S[J].C[K]);
        if (Within) {
          if (S[I].Loc.valid() && (!S[J].Loc.valid() || S[I].Loc < S[J].Loc))
            S[J].Loc = S[I].Loc;
          S.erase(S.begin() + I);
          Changed = true;
          break;
        }
        size_t Diff = 0, At = 0;
        for (size_t K = 0; K < S[I].C.size(); ++K)
          if (!(S[I].C[K] == S[J].C[K])) {
            ++Diff;
            At = K;
          }
        if (Diff != 1)
          continue;
        const IndexComp &A = S[I].C[At], &B = S[J].C[At];
        if (A.K != IndexComp::Kind::Range || B.K != IndexComp::Kind::Range)
          continue;
        // Ranges over the same base that overlap or touch merge into one.
        uint32_t L = A.Lo.Loop;
        if (A.Hi.Loop != L || B.Lo.Loop != L || B.Hi.Loop != L)
          continue;
        if (std::max(A.Lo.C, B.Lo.C) > std::min(A.Hi.C, B.Hi.C))
          continue;
        IndexBox M = S[I];
        M.C[At].Lo.C = std::min(A.Lo.C, B.Lo.C);
        M.C[At].Hi.C = std::max(A.Hi.C, B.Hi.C);
        if (S[J].Loc.valid() && (!M.Loc.valid() || S[J].Loc < M.Loc))
          M.Loc = S[J].Loc;
        size_t Hi = std::max(I, J), Lo = std::min(I, J);
        S.erase(S.begin() + Hi);
        S.erase(S.begin() + Lo);
        S.push_back(std::move(M));
        std::sort(S.begin(), S.end());
        Changed = true;
      }
  }
}

namespace {
/// The relation of component A to component B when it can be computed
/// exactly: Disjoint, or the intersection and A's parts outside B.
struct CompSplit {
  bool Ok = false;
  bool Disjoint = false;
  IndexComp Inter;
  std::vector<IndexComp> Outside;
};

CompSplit splitComp(const IndexComp &A, const IndexComp &B) {
  using K = IndexComp::Kind;
  CompSplit R;
  if (A == B && A.K != K::Any) {
    R.Ok = true;
    R.Inter = A;
    return R;
  }
  if (A.K == K::Any || B.K == K::Any)
    return R;
  if (A.K == K::Str || B.K == K::Str) {
    // Different strings, or a string against integers.
    R.Ok = true;
    R.Disjoint = true;
    return R;
  }
  if (A.K != K::Range || B.K != K::Range)
    return R;
  uint32_t L = A.Lo.Loop;
  if (A.Hi.Loop != L || B.Lo.Loop != L || B.Hi.Loop != L)
    return R;
  int64_t Lo = std::max(A.Lo.C, B.Lo.C), Hi = std::min(A.Hi.C, B.Hi.C);
  R.Ok = true;
  if (Lo >= Hi) {
    R.Disjoint = true;
    return R;
  }
  R.Inter = A;
  R.Inter.Lo.C = Lo;
  R.Inter.Hi.C = Hi;
  if (A.Lo.C < Lo) {
    IndexComp P = A;
    P.Hi.C = Lo;
    R.Outside.push_back(P);
  }
  if (Hi < A.Hi.C) {
    IndexComp P = A;
    P.Lo.C = Hi;
    R.Outside.push_back(P);
  }
  return R;
}

/// A \ B for boxes; nullopt when some component pair is not comparable.
std::optional<BoxSet> subtractBox(const IndexBox &A, const IndexBox &B) {
  if (A.C.size() != B.C.size())
    return std::nullopt;
  std::vector<CompSplit> Splits;
  for (size_t I = 0; I < A.C.size(); ++I) {
    CompSplit S = splitComp(A.C[I], B.C[I]);
    if (!S.Ok)
      return std::nullopt;
    if (S.Disjoint)
      return BoxSet{A};
    Splits.push_back(std::move(S));
  }
  BoxSet Out;
  for (size_t I = 0; I < A.C.size(); ++I)
    for (const IndexComp &P : Splits[I].Outside) {
      IndexBox N = A;
      for (size_t J = 0; J < I; ++J)
        N.C[J] = Splits[J].Inter;
      N.C[I] = P;
      Out.push_back(std::move(N));
    }
  return Out;
}

/// A \ B, or nullopt when not computable.
std::optional<BoxSet> subtractSets(const BoxSet &A, const BoxSet &B) {
  BoxSet Cur = A;
  for (const IndexBox &Y : B) {
    BoxSet Next;
    for (const IndexBox &X : Cur) {
      auto D = subtractBox(X, Y);
      if (!D)
        return std::nullopt;
      Next.insert(Next.end(), D->begin(), D->end());
    }
    Cur = std::move(Next);
    if (Cur.size() > 4096)
      return std::nullopt;
  }
  Cur.erase(std::remove_if(Cur.begin(), Cur.end(), structurallyEmpty), Cur.end());
  return Cur;
}
} // namespace

bool definitelySubset(const BoxSet &A, const BoxSet &B) {
  auto D = subtractSets(A, B);
  return D && D->empty();
}

bool definitelyNotSubset(const BoxSet &A, const BoxSet &B) {
  // Per box of A: a remainder computed exactly is a set of names of A that
  // are in no box of B. A's boxes are exact (Must) sets.
  for (const IndexBox &X : A) {
    auto D = subtractSets(BoxSet{X}, B);
    if (D && !D->empty()) {
      // The remainder must be certainly non-empty: components that are
      // plates/strings are non-empty, ranges are non-empty by construction.
      return true;
    }
  }
  return false;
}

BoxSet intersectBoxSets(const BoxSet &A, const BoxSet &B) {
  BoxSet Out;
  for (const IndexBox &X : A)
    for (const IndexBox &Y : B) {
      if (X.C.size() != Y.C.size())
        continue;
      IndexBox N = X;
      bool Ok = true;
      for (size_t I = 0; I < X.C.size() && Ok; ++I) {
        CompSplit S = splitComp(X.C[I], Y.C[I]);
        if (!S.Ok || S.Disjoint)
          Ok = false;
        else
          N.C[I] = S.Inter;
      }
      if (Ok)
        Out.push_back(std::move(N));
    }
  condense(Out);
  return Out;
}

std::string siteKey(SiteKind K, const std::string &Key) {
  switch (K) {
  case SiteKind::Latent:
    return Key;
  case SiteKind::Observed:
    return "\x01observed:" + Key;
  case SiteKind::Param:
    return "\x01param:" + Key;
  case SiteKind::Plate:
    return "\x01plate:" + Key;
  }
  return Key;
}

bool isAuxiliaryKey(const std::string &Key) { return !Key.empty() && Key[0] == '\x01'; }

bool NameSet::leq(const NameSet &O) const {
  if (PossibleDup && !O.PossibleDup)
    return false;
  return definitelySubset(May, O.May) && definitelySubset(O.Must, Must);
}

NameSet NameSet::join(const NameSet &O) const {
  NameSet R;
  R.PossibleDup = PossibleDup || O.PossibleDup;
  R.May = May;
  R.May.insert(R.May.end(), O.May.begin(), O.May.end());
  condense(R.May);
  R.Must = intersectBoxSets(Must, O.Must);
  return R;
}

//===----------------------------------------------------------------------===//
// Values
//===----------------------------------------------------------------------===//

Value Value::top() {
  Value V;
  V.Kinds = KAll;
  return V;
}

Value Value::none() {
  Value V;
  V.Kinds = KNone;
  return V;
}

Value Value::boolean(std::optional<bool> B) {
  Value V;
  V.Kinds = KBool;
  V.Num = B ? Interval::point(*B ? 1 : 0) : Interval::integers(0, 1);
  V.Sh = Shape::scalar();
  return V;
}

Value Value::integer(const Interval &I) {
  Value V;
  V.Kinds = KInt;
  V.Num = I.isBottom() ? Interval::integers(-Inf, Inf) : I.integral();
  if (V.Num.isBottom())
    V.Num = Interval::integers(-Inf, Inf);
  V.Sh = Shape::scalar();
  return V;
}

Value Value::number(double D) {
  Value V;
  V.Kinds = KFloat;
  V.Num = Interval::point(D);
  V.Sh = Shape::scalar();
  return V;
}

Value Value::real(const Interval &I) {
  Value V;
  V.Kinds = KFloat;
  V.Num = I.isBottom() ? Interval::top() : I;
  V.Sh = Shape::scalar();
  return V;
}

Value Value::tensor(Shape S, const Interval &I) {
  Value V;
  V.Kinds = KTensor;
  V.Sh = std::move(S);
  V.Num = I.isBottom() ? Interval::top() : I;
  return V;
}

Value Value::string(std::string S) {
  Value V;
  V.Kinds = KStr;
  V.Str = std::move(S);
  return V;
}

Value Value::sequence(std::vector<Value> E) {
  Value V;
  V.Kinds = KSeq;
  V.ElemsKnown = true;
  V.Elems = std::move(E);
  return V;
}

Shape Value::shape() const {
  if (!isNumeric())
    return Shape::unknown();
  return Sh;
}

static constexpr uint16_t NumKinds = Value::KBool | Value::KInt | Value::KFloat | Value::KTensor;

bool ModuleVal::operator==(const ModuleVal &O) const {
  if (Id != O.Id || In != O.In || Out != O.Out || Layers != O.Layers ||
      Bidirectional != O.Bidirectional || BatchFirst != O.BatchFirst ||
      Members.size() != O.Members.size())
    return false;
  for (size_t I = 0; I < Members.size(); ++I)
    if (!(Members[I] == O.Members[I] ||
          (Members[I] && O.Members[I] && *Members[I] == *O.Members[I])))
      return false;
  return true;
}

bool DistVal::operator==(const DistVal &O) const {
  return Supports == O.Supports && SupportUnknown == O.SupportUnknown && Sh == O.Sh &&
         ShapeUnknown == O.ShapeUnknown;
}

template <typename T>
static bool samePtr(const std::shared_ptr<const T> &A, const std::shared_ptr<const T> &B) {
  return A == B || (A && B && *A == *B);
}

static Value combineValues(const Value &A, const Value &B, bool Widen, int Depth = 0) {
  if (A.isBottom())
    return B;
  if (B.isBottom())
    return A;
  Value R;
  R.Kinds = A.Kinds | B.Kinds;
  bool AN = A.may(NumKinds), BN = B.may(NumKinds);
  if (AN && BN) {
    R.Num = Widen ? A.Num.widen(B.Num) : A.Num.join(B.Num);
    R.Sh = A.Sh.join(B.Sh);
  } else if (AN) {
    R.Num = A.Num;
    R.Sh = A.Sh;
  } else if (BN) {
    R.Num = B.Num;
    R.Sh = B.Sh;
  }
  if (R.Num.isBottom())
    R.Num = Interval::top();
  // Strings.
  if (A.may(Value::KStr) && B.may(Value::KStr))
    R.Str = A.Str == B.Str ? A.Str : std::nullopt;
  else
    R.Str = A.may(Value::KStr) ? A.Str : B.Str;
  // Sequences.
  if (A.may(Value::KSeq) && B.may(Value::KSeq)) {
    // Widening cuts nesting deeper than a few levels (x = [x] in a loop).
    if (A.ElemsKnown && B.ElemsKnown && A.Elems.size() == B.Elems.size() && (!Widen || Depth < 4)) {
      R.ElemsKnown = true;
      for (size_t I = 0; I < A.Elems.size(); ++I)
        R.Elems.push_back(combineValues(A.Elems[I], B.Elems[I], Widen, Depth + 1));
    }
  } else if (A.may(Value::KSeq)) {
    R.ElemsKnown = A.ElemsKnown;
    R.Elems = A.Elems;
  } else if (B.may(Value::KSeq)) {
    R.ElemsKnown = B.ElemsKnown;
    R.Elems = B.Elems;
  }
  // Modules and distributions.
  if (A.may(Value::KModule) && B.may(Value::KModule))
    R.Mod = samePtr(A.Mod, B.Mod) ? A.Mod : nullptr;
  else
    R.Mod = A.may(Value::KModule) ? A.Mod : B.Mod;
  if (A.may(Value::KDist) && B.may(Value::KDist))
    R.Dist = samePtr(A.Dist, B.Dist) ? A.Dist : nullptr;
  else
    R.Dist = A.may(Value::KDist) ? A.Dist : B.Dist;
  // Symbolic counters and dims.
  bool AI = A.may(Value::KInt), BI = B.may(Value::KInt);
  if (AI && BI) {
    R.Sym = A.Sym == B.Sym ? A.Sym : std::nullopt;
    R.DimSym = A.DimSym == B.DimSym ? A.DimSym : 0;
  } else {
    R.Sym = AI ? A.Sym : B.Sym;
    R.DimSym = AI ? A.DimSym : B.DimSym;
  }
  R.Input = A.Input == B.Input ? A.Input : std::nullopt;
  if (A.may(Value::KSeq) && B.may(Value::KSeq))
    R.ShapeOf = A.ShapeOf == B.ShapeOf ? A.ShapeOf : std::nullopt;
  else
    R.ShapeOf = A.may(Value::KSeq) ? A.ShapeOf : B.ShapeOf;
  return R;
}

Value Value::join(const Value &O) const { return combineValues(*this, O, false); }
Value Value::widen(const Value &O) const { return combineValues(*this, O, true); }

bool Value::leq(const Value &O) const {
  if (isBottom())
    return true;
  if ((Kinds & ~O.Kinds) != 0)
    return false;
  if (may(NumKinds)) {
    if (!Num.leq(O.Num) || !Sh.leq(O.Sh))
      return false;
  }
  if (may(KStr) && O.Str && Str != O.Str)
    return false;
  if (may(KSeq) && O.ElemsKnown) {
    if (!ElemsKnown || Elems.size() != O.Elems.size())
      return false;
    for (size_t I = 0; I < Elems.size(); ++I)
      if (!Elems[I].leq(O.Elems[I]))
        return false;
  }
  if (may(KModule) && O.Mod && !samePtr(Mod, O.Mod))
    return false;
  if (may(KDist) && O.Dist && !samePtr(Dist, O.Dist))
    return false;
  if (may(KInt) && O.Sym && Sym != O.Sym)
    return false;
  if (may(KInt) && O.DimSym && DimSym != O.DimSym)
    return false;
  if (O.Input && Input != O.Input)
    return false;
  if (may(KSeq) && O.ShapeOf && ShapeOf != O.ShapeOf)
    return false;
  return true;
}

//===----------------------------------------------------------------------===//
// Site and plate facts
//===----------------------------------------------------------------------===//

SiteFacts SiteFacts::join(const SiteFacts &O, bool Widen) const {
  SiteFacts R = *this;
  R.SupportUnknown = SupportUnknown || O.SupportUnknown;
  for (const SupportDesc &S : O.Supports) {
    auto It = std::find_if(R.Supports.begin(), R.Supports.end(), [&](const SupportDesc &X) {
      return X.Dist == S.Dist && X.Kind == S.Kind;
    });
    if (It == R.Supports.end()) {
      R.Supports.push_back(S);
      continue;
    }
    auto Lower = [&](double A, double B) { return B < A ? (Widen ? -Inf : B) : A; };
    auto Upper = [&](double A, double B) { return B > A ? (Widen ? Inf : B) : A; };
    It->LoMin = Lower(It->LoMin, S.LoMin);
    It->HiMin = Lower(It->HiMin, S.HiMin);
    It->LoMax = Upper(It->LoMax, S.LoMax);
    It->HiMax = Upper(It->HiMax, S.HiMax);
  }
  std::sort(R.Supports.begin(), R.Supports.end(), [](const SupportDesc &A, const SupportDesc &B) {
    return A.Dist != B.Dist ? A.Dist < B.Dist : A.Kind < B.Kind;
  });
  if (!Seen) {
    R.Value = O.Value;
    R.Event = O.Event;
    R.Enum = O.Enum;
  } else if (O.Seen) {
    R.Value = Value.join(O.Value);
    R.Event = Event.join(O.Event);
    R.Enum = Enum == O.Enum ? Enum : Enumerated::Unknown;
  }
  R.Seen = Seen || O.Seen;
  if (O.Loc.valid() && (!R.Loc.valid() || O.Loc < R.Loc))
    R.Loc = O.Loc;
  return R;
}

bool SiteFacts::leq(const SiteFacts &O) const {
  if (SupportUnknown && !O.SupportUnknown)
    return false;
  if (Seen && O.Seen && Enum != O.Enum && O.Enum != Enumerated::Unknown)
    return false;
  for (const SupportDesc &S : Supports) {
    auto It = std::find_if(O.Supports.begin(), O.Supports.end(), [&](const SupportDesc &X) {
      return X.Dist == S.Dist && X.Kind == S.Kind;
    });
    if (It == O.Supports.end())
      return false;
    if (S.LoMin < It->LoMin || S.LoMax > It->LoMax || S.HiMin < It->HiMin || S.HiMax > It->HiMax)
      return false;
  }
  if (Seen) {
    if (!O.Seen || !Value.leq(O.Value) || !Event.leq(O.Event))
      return false;
  }
  return true;
}

bool SiteFacts::operator==(const SiteFacts &O) const {
  return Supports == O.Supports && SupportUnknown == O.SupportUnknown && Seen == O.Seen &&
         Value == O.Value && Event == O.Event && Enum == O.Enum;
}

PlateFacts PlateFacts::join(const PlateFacts &O, bool Widen) const {
  PlateFacts R = *this;
  R.Must = Must && O.Must;
  R.Size = Widen ? Size.widen(O.Size) : Size.join(O.Size);
  R.Sub = Widen ? Sub.widen(O.Sub) : Sub.join(O.Sub);
  R.HasSize = HasSize && O.HasSize;
  R.SizeDim = SizeDim == O.SizeDim ? SizeDim : Shape::UnknownDim;
  R.SubDim = SubDim == O.SubDim ? SubDim : Shape::UnknownDim;
  if (O.Loc.valid() && (!R.Loc.valid() || O.Loc < R.Loc))
    R.Loc = O.Loc;
  return R;
}

bool PlateFacts::leq(const PlateFacts &O) const {
  if (O.Must && !Must)
    return false;
  if (!HasSize && O.HasSize)
    return false;
  if ((O.SizeDim != Shape::UnknownDim && O.SizeDim != SizeDim) ||
      (O.SubDim != Shape::UnknownDim && O.SubDim != SubDim))
    return false;
  return Size.leq(O.Size) && Sub.leq(O.Sub);
}

bool PlateFacts::operator==(const PlateFacts &O) const {
  return Must == O.Must && Size == O.Size && Sub == O.Sub && HasSize == O.HasSize &&
         SizeDim == O.SizeDim && SubDim == O.SubDim;
}

//===----------------------------------------------------------------------===//
// States
//===----------------------------------------------------------------------===//

const std::shared_ptr<const Value> &ValueEnv::slot(size_t I) const {
  static const std::shared_ptr<const Value> None;
  const std::shared_ptr<Chunk> &C = Chunks[I / ChunkSize];
  return C ? (*C)[I % ChunkSize] : None;
}

const Value &ValueEnv::operator[](size_t I) const {
  static const Value Bottom = Value::bottom();
  if (I >= Size)
    return Bottom;
  const std::shared_ptr<const Value> &V = slot(I);
  return V ? *V : Bottom;
}

void ValueEnv::resize(size_t N) {
  // Slots dropped by a shrink must read as bottom if the env grows again.
  for (size_t I = N; I < Size && I / ChunkSize < (N + ChunkSize - 1) / ChunkSize; ++I)
    if (slot(I))
      set(I, Value::bottom());
  Chunks.resize((N + ChunkSize - 1) / ChunkSize);
  Size = N;
}

void ValueEnv::set(size_t I, Value V) {
  if (I >= Size)
    resize(I + 1);
  std::shared_ptr<Chunk> &C = Chunks[I / ChunkSize];
  if (!C)
    C = std::make_shared<Chunk>();
  else if (C.use_count() > 1)
    C = std::make_shared<Chunk>(*C);
  (*C)[I % ChunkSize] = V.isBottom() ? nullptr : std::make_shared<const Value>(std::move(V));
}

SupportState SupportState::bottom() { return SupportState(); }

SupportState SupportState::top() {
  SupportState S;
  S.Bottom = false;
  S.Top = true;
  return S;
}

SupportState SupportState::entry(const ir::Program &P) {
  SupportState S;
  S.Bottom = false;
  S.Env.resize(P.numVars());
  // Entry-function inputs are the data the caller passes: any value but None
  // (the IR keeps no parameter defaults, so `ys=None` is not visible here).
  for (size_t K = 0; K < P.Inputs.size(); ++K) {
    ir::VarId V = P.Inputs[K];
    if (V >= S.Env.size())
      continue;
    Value In = Value::top();
    In.Kinds &= ~Value::KNone;
    In.Input = static_cast<uint32_t>(K);
    S.Env.set(V, In);
  }
  return S;
}

bool SupportState::leq(const SupportState &O) const {
  if (Bottom)
    return true;
  if (O.Bottom)
    return false;
  if (O.Top)
    return true;
  if (Top)
    return false;
  if (Env.size() != O.Env.size())
    return false;
  for (size_t I = Env.nextUnshared(0, O.Env); I < Env.size(); I = Env.nextUnshared(I + 1, O.Env))
    if (!Env.shares(I, O.Env) && !Env[I].leq(O.Env[I]))
      return false;
  // Maps still shared are equal (and leq is reflexive).
  if (!Names.sameAs(O.Names)) {
    for (const auto &[K, N] : Names) {
      auto It = O.Names.find(K);
      if (It == O.Names.end()) {
        if (!N.May.empty() || N.PossibleDup)
          return false;
        continue;
      }
      if (!N.leq(It->second))
        return false;
    }
    for (const auto &[K, N] : O.Names)
      if (!Names.count(K) && !N.Must.empty())
        return false;
  }
  for (const auto &[K, F] : Sites) {
    auto It = O.Sites.find(K);
    if (It == O.Sites.end() || !F.leq(It->second))
      return false;
  }
  if (!Plates.sameAs(O.Plates)) {
    for (const auto &[K, F] : Plates) {
      auto It = O.Plates.find(K);
      if (It == O.Plates.end() || !F.leq(It->second))
        return false;
    }
    for (const auto &[K, F] : O.Plates)
      if (!Plates.count(K) && F.Must)
        return false;
  }
  if (!std::includes(O.DynKeys.begin(), O.DynKeys.end(), DynKeys.begin(), DynKeys.end()))
    return false;
  if (O.DynMust && !DynMust)
    return false;
  return true;
}

SupportState SupportState::combine(const SupportState &O, bool Widen) const {
  if (Bottom)
    return O;
  if (O.Bottom)
    return *this;
  if (Top || O.Top)
    return top();
  SupportState R = *this;
  size_t N = std::max(Env.size(), O.Env.size());
  R.Env.resize(N);
  // Slots, and maps, the two still share are equal: x ⊔ x = x.
  for (size_t I = R.Env.nextUnshared(0, O.Env); I < O.Env.size();
       I = R.Env.nextUnshared(I + 1, O.Env)) {
    if (R.Env.shares(I, O.Env) || O.Env[I].isBottom())
      continue;
    if (R.Env[I].isBottom()) {
      R.Env.set(I, O.Env[I]);
      continue;
    }
    R.Env.set(I, Widen ? R.Env[I].widen(O.Env[I]) : R.Env[I].join(O.Env[I]));
  }
  if (!R.Names.sameAs(O.Names)) {
    for (auto &[K, NS] : R.Names) {
      auto It = O.Names.find(K);
      NS = NS.join(It == O.Names.end() ? NameSet{} : It->second);
    }
    for (const auto &[K, NS] : O.Names)
      if (!R.Names.count(K))
        R.Names[K] = NameSet{}.join(NS);
  }
  for (const auto &[K, F] : O.Sites) {
    auto It = R.Sites.find(K);
    if (It == R.Sites.end())
      R.Sites.emplace(K, F);
    else
      It->second = It->second.join(F, Widen);
  }
  if (!R.Plates.sameAs(O.Plates)) {
    for (auto &[K, F] : R.Plates)
      if (!O.Plates.count(K))
        F.Must = false;
    for (const auto &[K, F] : O.Plates) {
      auto It = R.Plates.find(K);
      if (It == R.Plates.end()) {
        PlateFacts P = F;
        P.Must = false;
        R.Plates.emplace(K, P);
      } else {
        It->second = It->second.join(F, Widen);
      }
    }
  }
  R.DynKeys.insert(O.DynKeys.begin(), O.DynKeys.end());
  R.DynMust = DynMust && O.DynMust;
  return R;
}

SupportState SupportState::join(const SupportState &O) const { return combine(O, false); }
SupportState SupportState::widen(const SupportState &O) const { return combine(O, true); }

SupportState SupportState::narrow(const SupportState &O) const {
  // O = Entry ⊔ Body(this) ⊑ this is itself a sound loop invariant (one
  // descending step), so it is the narrowing when it is below this.
  if (O.leq(*this))
    return O;
  return *this;
}

} // namespace svic::analysis::support
