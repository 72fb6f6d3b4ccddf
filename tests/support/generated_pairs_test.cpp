//===- generated_pairs_test.cpp - Property test over generated pairs -------===//
///
/// \file
/// Generates model/guide pairs as source text: random sets of sites with
/// random distributions of the table, inside random plates and loops
/// (literal, with-plate, unrolled and summarised range loops, sequential
/// plates with and without subsampling, loops around plates, nested loops,
/// if/else on an input). The guide is first an exact copy (must be `match`),
/// then perturbed: a site dropped on one side, a distribution replaced by one
/// whose support is not contained in the other side's, or a size changed. A
/// perturbed pair must never be reported `match`; since every construct used
/// is one the analysis handles precisely, it must be `mismatch`.
///
/// The generator's own notion of support inclusion (Oracle below) is written
/// independently of the analysis's table.
//===----------------------------------------------------------------------===//

#include "svic/analysis/Support.h"
#include "svic/frontend/Frontend.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <sstream>

using namespace svic;
using namespace svic::analysis;

namespace {

constexpr double Inf = std::numeric_limits<double>::infinity();

/// A distribution the generator knows: its text, base measure (L Lebesgue on
/// R^n, S simplex, C counting, O one-hot, D Dirac), bounds and event size.
struct DistSpec {
  const char *Text;
  char Meas;
  double Lo, Hi;
  int Event; ///< 0: scalar
};

const DistSpec Pool[] = {
    {"dist.Normal(0.0, 1.0)", 'L', -Inf, Inf, 0},
    {"dist.Cauchy(0.0, 2.0)", 'L', -Inf, Inf, 0},
    {"dist.Laplace(1.0, 0.5)", 'L', -Inf, Inf, 0},
    {"dist.StudentT(3.0, 0.0, 1.0)", 'L', -Inf, Inf, 0},
    {"dist.Exponential(2.0)", 'L', 0, Inf, 0},
    {"dist.Gamma(2.0, 3.0)", 'L', 0, Inf, 0},
    {"dist.LogNormal(0.0, 1.0)", 'L', 0, Inf, 0},
    {"dist.HalfNormal(1.0)", 'L', 0, Inf, 0},
    {"dist.HalfCauchy(1.0)", 'L', 0, Inf, 0},
    {"dist.Beta(2.0, 2.0)", 'L', 0, 1, 0},
    {"dist.Uniform(0.0, 1.0)", 'L', 0, 1, 0},
    {"dist.Uniform(-2.0, 5.0)", 'L', -2, 5, 0},
    {"dist.Uniform(0.0, 10.0)", 'L', 0, 10, 0},
    {"dist.Bernoulli(0.3)", 'C', 0, 1, 0},
    {"dist.Categorical(torch.ones(4) / 4.0)", 'C', 0, 3, 0},
    {"dist.Categorical(torch.ones(2) / 2.0)", 'C', 0, 1, 0},
    {"dist.Poisson(3.0)", 'C', 0, Inf, 0},
    {"dist.Geometric(0.5)", 'C', 0, Inf, 0},
    {"dist.Binomial(10, 0.5)", 'C', 0, 10, 0},
    {"dist.Dirichlet(torch.ones(3))", 'S', 0, 1, 3},
    {"dist.Normal(torch.zeros(3), torch.ones(3)).to_event(1)", 'L', -Inf, Inf, 3},
    {"dist.Gamma(torch.ones(3), torch.ones(3)).to_event(1)", 'L', 0, Inf, 3},
    {"dist.MultivariateNormal(torch.zeros(3), torch.eye(3))", 'L', -Inf, Inf, 3},
    {"dist.OneHotCategorical(torch.ones(3) / 3.0)", 'O', 0, 1, 3},
    {"dist.Delta(torch.tensor(0.5))", 'D', 0.5, 0.5, 0},
};
constexpr size_t PoolSize = std::size(Pool);
constexpr size_t DeltaIdx = PoolSize - 1;

/// Whether the guide's support is certainly not contained in the model's.
bool certainlyNotIncluded(const DistSpec &G, const DistSpec &M) {
  auto Cont = [](char C) { return C == 'L' || C == 'S'; };
  if (M.Meas == 'D')
    return false; // not generated
  if (G.Meas == 'D')
    return Cont(M.Meas); // a point mass against a density
  if (Cont(G.Meas) != Cont(M.Meas))
    return true;
  if (G.Meas == 'S' || M.Meas == 'S')
    return G.Meas != M.Meas;
  if (G.Meas == 'O' || M.Meas == 'O')
    return false; // not used as a perturbation
  return G.Lo < M.Lo || G.Hi > M.Hi;
}

enum Ctx {
  Plain,
  WithPlate,
  SmallLoop,
  BigLoop,
  SeqPlate,
  SubPlate,
  LoopPlate,
  Nested,
  Branch,
  NumCtx
};

struct SiteSpec {
  size_t Dist = 0;
  Ctx C = Plain;
  int N = 1, M = 1; ///< sizes (loop bound / plate size; inner size; subsample)
  bool ExpandBy = false;
};

std::string distText(const SiteSpec &S) {
  std::string D = Pool[S.Dist].Text;
  if (S.ExpandBy)
    D += ".expand_by([2])";
  return D;
}

void render(std::ostringstream &O, size_t K, const SiteSpec &S) {
  std::string Ks = std::to_string(K);
  std::string D = distText(S);
  switch (S.C) {
  case Plain:
    O << "    x" << Ks << " = pyro.sample(\"s" << Ks << "\", " << D << ")\n";
    break;
  case WithPlate:
    O << "    with pyro.plate(\"p" << Ks << "\", " << S.N << "):\n";
    O << "        x" << Ks << " = pyro.sample(\"s" << Ks << "\", " << D << ")\n";
    break;
  case SmallLoop:
  case BigLoop:
    O << "    for i" << Ks << " in range(" << S.N << "):\n";
    O << "        pyro.sample(\"f" << Ks << "_{}\".format(i" << Ks << "), " << D << ")\n";
    break;
  case SeqPlate:
    O << "    for i" << Ks << " in pyro.plate(\"q" << Ks << "\", " << S.N << "):\n";
    O << "        pyro.sample(\"f" << Ks << "_{}\".format(i" << Ks << "), " << D << ")\n";
    break;
  case SubPlate:
    O << "    for i" << Ks << " in pyro.plate(\"q" << Ks << "\", " << S.N << ", " << S.M << "):\n";
    O << "        pyro.sample(\"f" << Ks << "_{}\".format(i" << Ks << "), " << D << ")\n";
    break;
  case LoopPlate:
    O << "    for i" << Ks << " in range(" << S.N << "):\n";
    O << "        with pyro.plate(\"p" << Ks << "\", " << S.M << "):\n";
    O << "            pyro.sample(\"f" << Ks << "_{}\".format(i" << Ks << "), " << D << ")\n";
    break;
  case Nested:
    O << "    for i" << Ks << " in range(" << S.N << "):\n";
    O << "        for j" << Ks << " in range(" << S.M << "):\n";
    O << "            pyro.sample(\"g" << Ks << "_{}_{}\".format(i" << Ks << ", j" << Ks << "), "
      << D << ")\n";
    break;
  case Branch:
    O << "    if flag:\n";
    O << "        x" << Ks << " = pyro.sample(\"s" << Ks << "\", " << D << ")\n";
    O << "    else:\n";
    O << "        x" << Ks << " = pyro.sample(\"s" << Ks << "\", " << D << ")\n";
    break;
  default:
    break;
  }
}

/// Sites are keyed by their index K in the original list, so a dropped site
/// keeps the other names.
using Program = std::vector<std::pair<size_t, SiteSpec>>;

std::string renderProgram(const char *Fn, const Program &P) {
  std::ostringstream O;
  O << "def " << Fn << "(flag):\n";
  if (P.empty())
    O << "    pass\n";
  for (const auto &[K, S] : P)
    render(O, K, S);
  return O.str();
}

std::string sourceOf(const Program &M, const Program &G) {
  return "import torch\nimport pyro\nimport pyro.distributions as dist\n\n\n" +
         renderProgram("model", M) + "\n\n" + renderProgram("guide", G);
}

Program randomProgram(std::mt19937 &Rng) {
  auto Pick = [&](int Lo, int Hi) { return std::uniform_int_distribution<int>(Lo, Hi)(Rng); };
  Program P;
  int NSites = Pick(1, 5);
  for (int K = 0; K < NSites; ++K) {
    SiteSpec S;
    S.Dist =
        static_cast<size_t>(Pick(0, static_cast<int>(DeltaIdx) - 1)); // no Delta in the originals
    S.C = static_cast<Ctx>(Pick(0, NumCtx - 1));
    switch (S.C) {
    case WithPlate:
      S.N = Pick(2, 7);
      break;
    case SmallLoop:
      S.N = Pick(1, 6);
      break;
    case BigLoop:
      S.N = Pick(20, 200);
      break;
    case SeqPlate:
      S.N = Pick(2, 40);
      break;
    case SubPlate:
      S.N = Pick(3, 40);
      S.M = Pick(1, S.N - 1);
      break;
    case LoopPlate:
      S.N = Pick(1, 30);
      S.M = Pick(2, 6);
      break;
    case Nested:
      S.N = Pick(1, 25);
      S.M = Pick(1, 25);
      break;
    default:
      break;
    }
    P.push_back({static_cast<size_t>(K), S});
  }
  return P;
}

struct PairResult {
  bool Loaded = false;
  std::string Diag;
  SupportResult R;
  double Ms = 0;
};

PairResult analyse(const std::string &Src) {
  PairResult PR;
  SourceManager SM;
  DiagnosticEngine DE;
  auto LP = frontend::loadProgramsFromText("gen.py", Src, "", "", frontend::EntryNames{}, SM, DE);
  if (!LP || !LP->Model || !LP->Guide) {
    for (const Diagnostic &D : DE.sorted())
      PR.Diag += std::to_string(D.Loc.Line) + ": " + D.Message + "\n";
    return PR;
  }
  PR.Loaded = true;
  for (int Rep = 0; Rep < 2; ++Rep) { // the better of two runs: less machine noise
    auto T0 = std::chrono::steady_clock::now();
    PR.R = analyzeSupport(*LP->Model, *LP->Guide);
    double Ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - T0).count();
    PR.Ms = Rep == 0 ? Ms : std::min(PR.Ms, Ms);
  }
  return PR;
}

std::string describe(const PairResult &PR) {
  std::string S = "verdict " + PR.R.Verdict;
  for (const SiteSupport &X : PR.R.Sites)
    S += "\n  " + X.Name + " " + X.Verdict + " [" + X.IndexRange + "]: " + X.Reason;
  for (const PlateSupport &X : PR.R.Plates)
    S += "\n  plate " + X.Name + " " + X.Verdict + ": " + X.Reason;
  for (const ShapeError &E : PR.R.ShapeErrors)
    S += "\n  error line " + std::to_string(E.Loc.Line) + ": " + E.Message;
  return S;
}

enum class Perturb { Drop, Dist, Size };

/// Applies a perturbation to \p P (the program on the perturbed side), using
/// \p Other (the unperturbed side) to choose a distribution that is not
/// included. False when this perturbation does not apply.
bool perturb(Program &P, Perturb Kind, std::mt19937 &Rng, bool OnGuide) {
  if (P.empty())
    return false;
  size_t At = std::uniform_int_distribution<size_t>(0, P.size() - 1)(Rng);
  SiteSpec &S = P[At].second;
  switch (Kind) {
  case Perturb::Drop:
    P.erase(P.begin() + static_cast<long>(At));
    return true;
  case Perturb::Dist: {
    // The guide's new distribution must not be included in the model's, or
    // the model's new one must not include the guide's.
    std::vector<size_t> Cands;
    for (size_t D = 0; D < PoolSize; ++D) {
      const DistSpec &New = Pool[D], &Old = Pool[S.Dist];
      if (!OnGuide && D == DeltaIdx)
        continue;
      if (New.Meas == 'O' || Old.Meas == 'O')
        continue;
      bool Bad = OnGuide ? certainlyNotIncluded(New, Old) : certainlyNotIncluded(Old, New);
      if (Bad)
        Cands.push_back(D);
    }
    if (Cands.empty())
      return false;
    S.Dist = Cands[std::uniform_int_distribution<size_t>(0, Cands.size() - 1)(Rng)];
    return true;
  }
  case Perturb::Size:
    switch (S.C) {
    case WithPlate:
    case SmallLoop:
    case BigLoop:
    case SeqPlate:
      S.N += 1;
      return true;
    case SubPlate:
      if (S.M + 1 < S.N)
        S.M += 1;
      else if (S.M > 1)
        S.M -= 1;
      else
        S.N += 1, S.M += 1;
      return true;
    case LoopPlate:
    case Nested:
      if (std::uniform_int_distribution<int>(0, 1)(Rng))
        S.N += 1;
      else
        S.M += 1;
      return true;
    default:
      S.ExpandBy = true;
      return true;
    }
  }
  return false;
}

TEST(SupportGeneratedPairs, IdenticalMatchPerturbedNever) {
  int Pairs = 0, Identical = 0, Perturbed = 0, PerturbedMismatch = 0, Timed = 0;
  double TotalMs = 0, MaxMs = 0;
  for (unsigned Seed = 0; Seed < 120; ++Seed) {
    std::mt19937 Rng(Seed * 7919u + 17u);
    Program Base = randomProgram(Rng);
    {
      std::string Src = sourceOf(Base, Base);
      PairResult PR = analyse(Src);
      ASSERT_TRUE(PR.Loaded) << "frontend rejected a generated program:\n" << Src << PR.Diag;
      ++Pairs;
      ++Identical;
      ++Timed;
      TotalMs += PR.Ms;
      MaxMs = std::max(MaxMs, PR.Ms);
      EXPECT_EQ(PR.R.Verdict, "match") << "identical pair, seed " << Seed << ":\n"
                                       << Src << describe(PR);
    }
    for (Perturb Kind : {Perturb::Drop, Perturb::Dist, Perturb::Size}) {
      bool OnGuide = std::uniform_int_distribution<int>(0, 1)(Rng) == 1;
      Program M = Base, G = Base;
      if (!perturb(OnGuide ? G : M, Kind, Rng, OnGuide))
        continue;
      std::string Src = sourceOf(M, G);
      PairResult PR = analyse(Src);
      ASSERT_TRUE(PR.Loaded) << "frontend rejected a generated program:\n" << Src << PR.Diag;
      ++Pairs;
      ++Perturbed;
      ++Timed;
      TotalMs += PR.Ms;
      MaxMs = std::max(MaxMs, PR.Ms);
      EXPECT_NE(PR.R.Verdict, "match") << "perturbed pair reported match, seed " << Seed << ":\n"
                                       << Src << describe(PR);
      EXPECT_EQ(PR.R.Verdict, "mismatch")
          << "perturbed pair not found certain, seed " << Seed << ":\n"
          << Src << describe(PR);
      if (PR.R.Verdict == "mismatch")
        ++PerturbedMismatch;
    }
  }
  EXPECT_GE(Pairs, 300);
  std::printf("\ngenerated pairs: %d (%d identical, %d perturbed, %d of them mismatch); "
              "analysis time per pair: mean %.3f ms, max %.3f ms\n",
              Pairs, Identical, Perturbed, PerturbedMismatch, Timed ? TotalMs / Timed : 0.0, MaxMs);
}

} // namespace
