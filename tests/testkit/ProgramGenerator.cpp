//===- ProgramGenerator.cpp - Random scalar model programs -----------------===//

#include "ProgramGenerator.h"

#include <cctype>
#include <cstdio>
#include <functional>
#include <sstream>

namespace svic::testkit {

//===-- Rng -------------------------------------------------------------------===//

uint64_t Rng::next() {
  uint64_t Z = (State += 0x9E3779B97F4A7C15ull);
  Z = (Z ^ (Z >> 30)) * 0xBF58476D1CE4E5B9ull;
  Z = (Z ^ (Z >> 27)) * 0x94D049BB133111EBull;
  return Z ^ (Z >> 31);
}

double Rng::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

int Rng::range(int Lo, int Hi) {
  if (Hi <= Lo)
    return Lo;
  uint64_t Span = static_cast<uint64_t>(Hi - Lo) + 1;
  return Lo + static_cast<int>(next() % Span);
}

uint64_t mixSeed(uint64_t A, uint64_t B) {
  Rng R(A * 0x9E3779B97F4A7C15ull ^ (B + 0x632BE59BD9B4E019ull + (A << 6) + (A >> 2)));
  R.next();
  return R.next();
}

namespace {

/// What an expression is known to be (by construction, and provably so for
/// the numeric pre-analysis in the smooth constructions).
enum class Rg { Any, Pos, Unit };

struct Leaf {
  std::string Name;
  Rg Range = Rg::Any;
  bool Bounded = true; ///< an input (moderate magnitude): safe in exp(0.5 * leaf)
  bool IsLatentLike = false; ///< depends on a latent or a parameter
  double Weight = 1.0;
};

struct Helper {
  std::string Name;
  int Arity = 1;
};

std::string num(double X) {
  char Buf[32];
  std::snprintf(Buf, sizeof Buf, "%.2f", X);
  std::string S = Buf;
  if (S == "-0.00")
    S = "0.00";
  if (X < 0)
    return "(" + S + ")";
  return S;
}

class Gen {
public:
  Gen(uint64_t Seed, const GeneratorOptions &O) : R(mixSeed(Seed, 0x5EED)), O(O) {
    Smooth = O.MostlySmooth < 0 ? (Seed % 2 == 0) : O.MostlySmooth == 1;
    PSmoothOp = Smooth ? 0.93 : 0.5;
    PLatentGuard = Smooth ? 0.25 : 0.7;
  }

  GeneratedProgram run(uint64_t Seed) {
    GeneratedProgram G;
    G.Seed = Seed;
    G.MostlySmooth = Smooth;
    line("import math");
    line("import torch");
    line("import torch.nn.functional as F");
    line("import pyro");
    line("import pyro.distributions as dist");
    line("import pyro.poutine as poutine");
    line("from torch.distributions import constraints");
    line("");
    int NHelpers = R.range(0, 2);
    for (int I = 0; I < NHelpers; ++I)
      genHelper();
    if (R.coin(0.25))
      genObsHelper();
    int NData = R.range(0, O.MaxDataInputs);
    std::string Params;
    for (int I = 0; I < NData; ++I) {
      std::string D = "d" + std::to_string(I);
      G.DataInputs.push_back(D);
      Params += (I ? ", " : "") + D;
    }
    line("");
    line("def model(" + Params + "):");
    ++Indent;
    for (const std::string &D : G.DataInputs) {
      Scope.push_back(Leaf{D, Rg::Any, true, false, 0.7});
      DataNames.push_back(D);
    }
    int NParams = R.range(0, O.MaxParams);
    for (int I = 0; I < NParams; ++I)
      genParam(I);
    if (NParams > 0 && R.coin(0.3)) {
      // The same param read again by name: the store's value.
      int I = R.range(0, NParams - 1);
      const Leaf First = Scope[Scope.size() - static_cast<size_t>(NParams - I)];
      std::string N = "p" + std::to_string(I) + "_again";
      if (O.PyroOracle && R.coin(0.5)) {
        // Redeclared with another constraint: the store keeps the first one.
        line(N + " = pyro.param(\"p" + std::to_string(I) + "\", torch.tensor(0.5), constraint=constraints." +
             (First.Range == Rg::Unit ? "positive" : "unit_interval") + ")");
      } else {
        line(N + " = pyro.param(\"p" + std::to_string(I) + "\")");
      }
      Scope.push_back(Leaf{N, First.Range, true, true, 2.0});
    }
    LatentsLeft = R.range(O.MinLatents, O.MaxLatents);
    int Steps = R.range(O.MinSteps, O.MaxSteps);
    // Interleave latent samples with the other steps; the first step is a latent.
    genLatentStmt();
    while (Steps > 0 || LatentsLeft > 0) {
      if (LatentsLeft > 0 && (Steps == 0 || R.coin(0.4))) {
        genLatentStmt();
        continue;
      }
      genStep();
      --Steps;
    }
    // The likelihood: make the density depend on what was computed.
    int NFinal = R.range(1, 2);
    for (int I = 0; I < NFinal; ++I)
      genObserve();
    --Indent;
    G.Source = Out.str();
    return G;
  }

private:
  Rng R;
  GeneratorOptions O;
  bool Smooth = true;
  double PSmoothOp = 0.9;
  double PLatentGuard = 0.5;
  std::ostringstream Out;
  int Indent = 0;
  std::vector<Leaf> Scope;
  std::vector<std::string> DataNames;
  std::vector<Helper> Helpers;
  std::vector<std::string> Lists; ///< lists of scalars built so far
  bool HaveObsHelper = false, UsedObsHelper = false;
  std::string LoopVar; ///< inside a for loop: its index
  int LatentsLeft = 0;
  int NextVar = 0, NextObs = 0, NextFactor = 0, NextLatent = 0, NextLoop = 0;
  int ExprBudget = 0;
  /// > 0 inside conditional expressions, `and`/`or` and while conditions,
  /// where the frontend cannot inline helper calls (short-circuit evaluation).
  int NoHelper = 0;

  struct NoHelperScope {
    Gen &G;
    explicit NoHelperScope(Gen &G) : G(G) { ++G.NoHelper; }
    ~NoHelperScope() { --G.NoHelper; }
  };

  void line(const std::string &S) {
    if (S.empty()) {
      Out << "\n";
      return;
    }
    Out << std::string(static_cast<size_t>(Indent) * 4, ' ') << S << "\n";
  }

  std::string freshVar() { return "v" + std::to_string(NextVar++); }

  //--- leaves --------------------------------------------------------------

  const Leaf *pickLeaf(const std::function<bool(const Leaf &)> &Ok) {
    double Total = 0;
    for (size_t I = 0; I < Scope.size(); ++I)
      if (Ok(Scope[I]))
        Total += Scope[I].Weight * (1.0 + 2.0 * static_cast<double>(I) / static_cast<double>(Scope.size()));
    if (Total <= 0)
      return nullptr;
    double U = R.uniform() * Total;
    for (size_t I = 0; I < Scope.size(); ++I) {
      if (!Ok(Scope[I]))
        continue;
      U -= Scope[I].Weight * (1.0 + 2.0 * static_cast<double>(I) / static_cast<double>(Scope.size()));
      if (U <= 0)
        return &Scope[I];
    }
    for (size_t I = Scope.size(); I-- > 0;)
      if (Ok(Scope[I]))
        return &Scope[I];
    return nullptr;
  }

  std::string leaf() {
    if (!LoopVar.empty() && R.coin(0.15))
      return LoopVar;
    if (R.coin(0.15) || Scope.empty())
      return num(R.uniform(-2, 2));
    const Leaf *L = pickLeaf([](const Leaf &) { return true; });
    return L ? L->Name : num(R.uniform(-2, 2));
  }

  std::string boundedLeaf() {
    const Leaf *L = pickLeaf([](const Leaf &X) { return X.Bounded; });
    return L ? L->Name : num(R.uniform(-1, 1));
  }

  std::string posLeaf() {
    const Leaf *L = pickLeaf([](const Leaf &X) { return X.Range != Rg::Any; });
    if (L && R.coin(0.75))
      return L->Name;
    return num(R.uniform(0.3, 2.5));
  }

  std::string unitLeaf() {
    const Leaf *L = pickLeaf([](const Leaf &X) { return X.Range == Rg::Unit; });
    if (L && R.coin(0.6))
      return L->Name;
    return num(R.uniform(0.15, 0.85));
  }

  //--- expressions ---------------------------------------------------------

  /// A bounded expression (safe as an argument of exp).
  std::string tame(int D) {
    switch (R.range(0, 5)) {
    case 0:
      return "torch.tanh(" + expr(D) + ")";
    case 1:
      return "torch.sigmoid(" + expr(D) + ")";
    case 2:
      return "torch.sin(" + expr(D) + ")";
    case 3:
      return "torch.cos(" + expr(D) + ")";
    case 4:
      return "(" + num(R.uniform(-0.6, 0.6)) + " * " + boundedLeaf() + ")";
    default:
      return num(R.uniform(-1, 1));
    }
  }

  std::string dataGuard() {
    if (!LoopVar.empty() && R.coin(0.3))
      return "(" + LoopVar + " > " + std::to_string(R.range(0, 2)) + ")";
    if (!DataNames.empty() && R.coin(0.8))
      return "(" + DataNames[static_cast<size_t>(R.range(0, static_cast<int>(DataNames.size()) - 1))] +
             (R.coin(0.5) ? " > " : " < ") + num(R.uniform(-1, 1)) + ")";
    return R.coin(0.5) ? "(1.0 > 0.5)" : "(0.2 > 0.7)";
  }

  std::string latentGuard(int D) {
    auto cmp = [&] {
      return "(" + expr(D) + (R.coin(0.5) ? " > " : " < ") + num(R.uniform(-1.5, 1.5)) + ")";
    };
    switch (R.range(0, 6)) {
    case 5:
      return rangeGuard(D);
    case 0: {
      NoHelperScope NH(*this);
      return "(" + cmp() + " and " + cmp() + ")";
    }
    case 1: {
      NoHelperScope NH(*this);
      return "(" + cmp() + " or " + dataGuard() + ")";
    }
    case 2:
      return "(not " + cmp() + ")";
    default:
      return cmp();
    }
  }

  /// A guard on a latent whose outcome the range of the compared expression
  /// may decide (sigmoid(e) < 1.0 always holds): exercises the numeric
  /// analysis' dead-branch pruning, which must not hide a live branch.
  std::string rangeGuard(int D) {
    switch (R.range(0, 5)) {
    case 0:
      return "(torch.sigmoid(" + expr(D) + ") " + (R.coin(0.5) ? "< " : "> ") +
             (R.coin(0.5) ? "1.0" : R.coin(0.5) ? "0.0" : "0.5") + ")";
    case 1:
      return "(torch.exp(" + tame(D) + ") " + (R.coin(0.5) ? "> " : "< ") + (R.coin(0.5) ? "0.0" : "1.0") + ")";
    case 2:
      return "(torch.tanh(" + expr(D) + ") " + (R.coin(0.5) ? "< " : "> ") +
             (R.coin(0.5) ? "1.0" : R.coin(0.5) ? "(-1.0)" : "0.2") + ")";
    case 3:
      return "(" + posLeaf() + (R.coin(0.5) ? " > " : " < ") + (R.coin(0.5) ? "0.0" : "0.7") + ")";
    case 4:
      return "(torch.abs(" + expr(D) + ") " + (R.coin(0.5) ? ">= " : "< ") + (R.coin(0.5) ? "0.0" : "0.4") + ")";
    default:
      return "((" + expr(D) + " ** 2) " + (R.coin(0.5) ? ">= " : "> ") + (R.coin(0.5) ? "0.0" : "1.0") + ")";
    }
  }

  std::string guard(int D) { return R.coin(PLatentGuard) ? latentGuard(D) : dataGuard(); }

  std::string helperCall(int D) {
    const Helper &H = Helpers[static_cast<size_t>(R.range(0, static_cast<int>(Helpers.size()) - 1))];
    std::string S = H.Name + "(";
    for (int I = 0; I < H.Arity; ++I)
      S += (I ? ", " : "") + expr(D);
    return S + ")";
  }

  std::string expr(int D) {
    if (D <= 0 || R.coin(0.25) || --ExprBudget < 0)
      return leaf();
    if (!R.coin(PSmoothOp))
      return nonSmooth(D);
    switch (R.range(0, 26)) {
    case 0:
    case 1:
      return "(" + expr(D - 1) + " + " + expr(D - 1) + ")";
    case 2:
      return "(" + expr(D - 1) + " - " + expr(D - 1) + ")";
    case 3:
      return "(" + expr(D - 1) + " * " + leaf() + ")";
    case 4:
      return "(" + num(R.uniform(-2, 2)) + " * " + expr(D - 1) + ")";
    case 5:
      return "torch.exp(" + tame(D - 1) + ")";
    case 6:
      return "torch.tanh(" + expr(D - 1) + ")";
    case 7:
      return "torch.sigmoid(" + expr(D - 1) + ")";
    case 8:
      return (R.coin(0.5) ? "torch.sin(" : "torch.cos(") + expr(D - 1) + ")";
    case 9:
      // Optional arguments: beta keeps it smooth; a threshold other than the
      // default switches to x where the curves differ (a jump).
      if (R.coin(0.2))
        return "F.softplus(" + expr(D - 1) + (R.coin(0.5) ? ", beta=2.0)" : ", 1.0, 1.0)");
      return "F.softplus(" + expr(D - 1) + ")";
    case 10:
      return "torch.log(" + pos(D - 1) + ")";
    case 11:
      return (R.coin(0.5) ? "torch.log1p(" : "torch.sqrt(") + pos(D - 1) + ")";
    case 12:
      return "(" + expr(D - 1) + " ** 2)";
    case 13:
      return "torch.pow(" + expr(D - 1) + ", 3)";
    case 14:
      return "(" + pos(D - 1) + " ** " + (R.coin(0.5) ? "0.5" : "1.5") + ")";
    case 15:
      return "(" + expr(D - 1) + " / " + pos(D - 1) + ")";
    case 16:
      if (!Helpers.empty() && NoHelper == 0)
        return helperCall(D - 1);
      return "(-" + expr(D - 1) + ")";
    case 17:
      if (R.coin(0.5))
        return "torch.where(" + dataGuard() + ", " + expr(D - 1) + ", " + expr(D - 1) + ")";
      return conditional(D - 1, dataGuard());
    case 18:
      return "torch.erf(" + expr(D - 1) + ")";
    case 19:
      return R.coin(0.5) ? "torch.expm1(" + tame(D - 1) + ")" : "math.exp(" + tame(D - 1) + ")";
    case 20:
      return R.coin(0.5) ? "torch.lgamma(" + pos(D - 1) + ")" : "torch.digamma(" + pos(D - 1) + ")";
    case 21:
      return "(" + pos(D - 1) + " ** (-0.5))";
    case 22:
      return "torch.logsumexp(torch.stack([" + expr(D - 1) + ", " + expr(D - 1) + "]), 0)";
    case 23:
      return "torch.sum(torch.stack([" + expr(D - 1) + ", " + expr(D - 1) + "]))";
    case 24:
      return "dist.Normal(" + expr(D - 1) + ", " + pos(D - 1) + ").log_prob(" + expr(D - 1) + ")";
    case 25:
      if (!Lists.empty()) // a constant index into a list of scalars
        return Lists[static_cast<size_t>(R.range(0, static_cast<int>(Lists.size()) - 1))] + "[" +
               std::to_string(R.range(-1, 1)) + "]";
      return "(" + expr(D - 1) + " * " + leaf() + ")";
    default:
      return "(-" + expr(D - 1) + ")";
    }
  }

  std::string nonSmooth(int D) {
    double U = R.uniform();
    if (U < 0.4) { // Lipschitz, not differentiable
      switch (R.range(0, 12)) {
      case 0:
        return "torch.relu(" + expr(D - 1) + ")";
      case 1:
        return "torch.abs(" + expr(D - 1) + ")";
      case 2:
        return "F.relu(" + expr(D - 1) + ")";
      case 3: {
        double A = R.uniform(-1.5, 0.5);
        return "torch.clamp(" + expr(D - 1) + ", min=" + num(A) + ", max=" + num(A + R.uniform(0.3, 2)) + ")";
      }
      case 4:
        return "torch.clamp(" + expr(D - 1) + ", min=" + num(R.uniform(-1, 1)) + ")";
      case 5:
        return "torch.minimum(" + expr(D - 1) + ", " + expr(D - 1) + ")";
      case 6:
        return "torch.maximum(" + expr(D - 1) + ", " + expr(D - 1) + ")";
      case 7:
        return (R.coin(0.5) ? "min(" : "max(") + expr(D - 1) + ", " + expr(D - 1) + ")";
      case 8:
        return "abs(" + expr(D - 1) + ")";
      case 9:
        return "F.leaky_relu(" + expr(D - 1) + ", 0.1)";
      case 10:
        return "torch.max(torch.stack([" + expr(D - 1) + ", " + expr(D - 1) + "]))";
      case 11:
        return "dist.Laplace(" + expr(D - 1) + ", " + pos(D - 1) + ").log_prob(" + expr(D - 1) + ")";
      default:
        return "F.elu(" + expr(D - 1) + ")";
      }
    }
    if (U < 0.6) { // continuous, not Lipschitz
      switch (R.range(0, 3)) {
      case 0:
        return "torch.sqrt(torch.abs(" + expr(D - 1) + "))";
      case 1:
        return "torch.sqrt(torch.relu(" + expr(D - 1) + "))";
      case 2:
        return "(torch.abs(" + expr(D - 1) + ") ** 0.5)";
      default:
        return "torch.pow(torch.abs(" + expr(D - 1) + "), 0.3)";
      }
    }
    switch (R.range(0, 18)) { // discontinuous or partial
    case 0:
      return "torch.floor(" + expr(D - 1) + ")";
    case 1:
      return "torch.ceil(" + expr(D - 1) + ")";
    case 2:
      return "torch.round(" + expr(D - 1) + ")";
    case 3:
      return "torch.sign(" + expr(D - 1) + ")";
    case 4:
      return "torch.where(" + expr(D - 1) + " > " + num(R.uniform(-1, 1)) + ", " + expr(D - 1) + ", " +
             expr(D - 1) + ")";
    case 5: {
      NoHelperScope NH(*this);
      return conditional(D - 1, latentGuard(D - 1));
    }
    case 6:
      return "(" + expr(D - 1) + " / (" + expr(D - 1) + " - " + num(R.uniform(-1, 1)) + "))";
    case 7:
      return "torch.log(" + varExpr(D - 1) + ")";
    case 8:
      return "torch.sqrt(" + varExpr(D - 1) + ")";
    case 9:
      return "(" + varExpr(D - 1) + " ** 0.5)";
    case 10:
      return "(" + varExpr(D - 1) + (R.coin(0.5) ? " ** (-1))" : " ** (-2))");
    case 11:
      return "torch.rsqrt(" + varExpr(D - 1) + ")";
    case 12:
      return "torch.log1p(" + varExpr(D - 1) + ")";
    case 13:
      return (R.coin(0.5) ? "torch.lgamma(" : "torch.digamma(") + varExpr(D - 1) + ")";
    case 14:
      return "math.log(" + varExpr(D - 1) + ")";
    case 15:
      return "((" + expr(D - 1) + " > " + num(R.uniform(-1, 1)) + ") * " + num(R.uniform(0.2, 2)) + ")";
    case 16:
      return "(" + expr(D - 1) + " < " + num(R.uniform(-1, 1)) + ").float()";
    case 17:
      if (!Lists.empty())
        return Lists[static_cast<size_t>(R.range(0, static_cast<int>(Lists.size()) - 1))] + "[int(" + expr(D - 1) +
               " > " + num(R.uniform(-1, 1)) + ")]";
      return "torch.floor(" + expr(D - 1) + ")";
    default:
      return "(" + expr(D - 1) + " / " + expr(D - 1) + ")";
    }
  }

  /// An expression that mentions at least one variable: a partial operation
  /// on constants only is undefined everywhere, which tests nothing.
  std::string varExpr(int D) {
    std::string E = expr(D);
    auto isIdent = [](char C) { return std::isalnum(static_cast<unsigned char>(C)) || C == '_'; };
    auto mentions = [&](const std::string &N) {
      for (size_t P = E.find(N); P != std::string::npos; P = E.find(N, P + 1)) {
        bool Before = P == 0 || !isIdent(E[P - 1]);
        bool After = P + N.size() >= E.size() || !isIdent(E[P + N.size()]);
        if (Before && After)
          return true;
      }
      return false;
    };
    for (const Leaf &L : Scope)
      if (mentions(L.Name))
        return E;
    if (!LoopVar.empty() && mentions(LoopVar))
      return E;
    const Leaf *L = pickLeaf([](const Leaf &X) { return X.IsLatentLike; });
    if (!L)
      return E;
    return "(" + E + " + " + L->Name + ")";
  }

  std::string conditional(int D, const std::string &Guard) {
    NoHelperScope NH(*this);
    return "(" + expr(D) + " if " + Guard + " else " + expr(D) + ")";
  }

  /// A positive expression; in the smooth constructions provably so.
  std::string pos(int D) {
    if (!R.coin(PSmoothOp)) {
      switch (R.range(0, 10)) {
      case 0:
        return "(torch.abs(" + varExpr(D) + ") + " + num(R.uniform(0.05, 0.5)) + ")";
      case 1:
        return "(torch.relu(" + varExpr(D) + ") + " + num(R.uniform(0.05, 0.5)) + ")";
      case 2:
        return "torch.clamp(" + varExpr(D) + ", min=" + num(R.uniform(0.05, 0.5)) + ")";
      case 3:
        return varExpr(D); // may be <= 0: invalid parameters
      case 4:
        return "torch.abs(" + varExpr(D) + ")"; // 0 at a point
      case 5:
        return "torch.exp(torch.floor(" + tame(D) + "))";
      case 6:
        return "torch.relu(" + varExpr(D) + ")"; // 0 on a half-line
      case 7:
        return "(torch.cos(" + varExpr(D) + ") + 1.0)"; // 0 at points
      case 8:
        return "(" + varExpr(D) + " ** 2)"; // 0 at points
      case 9:
        return "(torch.sigmoid(" + varExpr(D) + ") - 0.5)";
      default:
        return "(" + varExpr(D) + " + 1.0)";
      }
    }
    if (D <= 0 || R.coin(0.3))
      return posLeaf();
    switch (R.range(0, 8)) {
    case 0:
    case 1:
      return "torch.exp(" + tame(D - 1) + ")";
    case 2:
      return "F.softplus(" + tame(D - 1) + ")";
    case 3:
      return "(" + pos(D - 1) + " + " + pos(D - 1) + ")";
    case 4:
      return "(" + pos(D - 1) + " * " + posLeaf() + ")";
    case 5:
      return "torch.sigmoid(" + expr(D - 1) + ")";
    case 6:
      return "(torch.sigmoid(" + expr(D - 1) + ") + " + num(R.uniform(0.1, 1)) + ")";
    case 7:
      return "(1.0 - torch.tanh(" + tame(D - 1) + "))";
    default:
      return "(1.0 + (" + expr(D - 1) + " ** 2))";
    }
  }

  std::string unit(int D) {
    if (!R.coin(PSmoothOp)) {
      switch (R.range(0, 2)) {
      case 0:
        return "torch.clamp(" + varExpr(D) + ", " + num(R.uniform(0.05, 0.2)) + ", " + num(R.uniform(0.8, 0.95)) +
               ")";
      case 1:
        return "(0.5 + (0.4 * torch.sign(" + varExpr(D) + ")))";
      default:
        return "torch.sigmoid(torch.floor(" + varExpr(D) + "))";
      }
    }
    if (D <= 0 || R.coin(0.3))
      return unitLeaf();
    return R.coin(0.8) ? "torch.sigmoid(" + expr(D - 1) + ")" : "torch.exp((-" + pos(D - 1) + "))";
  }

  /// Provably positive by simple interval reasoning, whatever the mode (an
  /// observed value stays in its distribution's support: notes §a.5.2).
  std::string safePos() {
    ExprBudget = 6;
    switch (R.range(0, 3)) {
    case 0:
      return "torch.exp(" + tame(1) + ")";
    case 1:
      return "(F.softplus(" + tame(1) + ") + 0.05)";
    case 2: {
      const Leaf *L = pickLeaf([](const Leaf &X) { return X.Range != Rg::Any && X.IsLatentLike; });
      if (L)
        return "(" + L->Name + " + 0.05)";
      return num(R.uniform(0.3, 2));
    }
    default:
      return num(R.uniform(0.3, 2));
    }
  }

  std::string topExpr(int D = 3) {
    ExprBudget = 12;
    return expr(D);
  }
  std::string topPos(int D = 2) {
    ExprBudget = 8;
    return pos(D);
  }
  std::string topUnit(int D = 2) {
    ExprBudget = 8;
    return unit(D);
  }

  //--- distributions ---------------------------------------------------------

  enum class Supp { Real, Pos, Unit, Interval, Bool, Count };

  Supp pickSupport() {
    double U = R.uniform();
    if (!Smooth && U < 0.05)
      return Supp::Bool;
    if (!Smooth && U < 0.08)
      return Supp::Count;
    if (U < 0.45)
      return Supp::Real;
    if (U < 0.8)
      return Supp::Pos;
    if (U < 0.93)
      return Supp::Unit;
    return Supp::Interval;
  }

  std::string distOf(Supp S) {
    switch (S) {
    case Supp::Real:
      switch (R.range(0, Smooth ? 6 : 4)) {
      case 1:
        return "dist.Cauchy(" + topExpr(2) + ", " + topPos() + ")";
      case 2:
        return "dist.StudentT(" + topPos() + ", " + topExpr(2) + ", " + topPos() + ")";
      case 3:
        return "dist.Laplace(" + topExpr(2) + ", " + topPos() + ")";
      case 4:
        return "dist.Normal(loc=" + topExpr(2) + ", scale=" + topPos() + ")";
      default:
        return "dist.Normal(" + topExpr(2) + ", " + topPos() + ")";
      }
    case Supp::Pos:
      switch (R.range(0, 3)) {
      case 0:
        return "dist.Gamma(" + topPos() + ", " + topPos() + ")";
      case 1:
        return "dist.Exponential(" + topPos() + ")";
      case 2:
        return "dist.HalfNormal(" + topPos() + ")";
      default:
        return "dist.LogNormal(" + topExpr(2) + ", " + topPos() + ")";
      }
    case Supp::Unit:
      return "dist.Beta(" + topPos() + ", " + topPos() + ")";
    case Supp::Interval: {
      if (!Smooth && R.coin(0.3))
        return "dist.Uniform(" + num(-1.0) + ", " + topPos() + ")"; // a bound that moves
      double A = R.uniform(-2, 1);
      return "dist.Uniform(" + num(A) + ", " + num(A + R.uniform(0.5, 3)) + ")";
    }
    case Supp::Bool:
      return "dist.Bernoulli(probs=" + topUnit() + ")";
    case Supp::Count:
      return "dist.Poisson(" + topPos() + ")";
    }
    return "dist.Normal(0., 1.)";
  }

  Rg rangeOf(Supp S) {
    switch (S) {
    case Supp::Pos:
      return Rg::Pos;
    case Supp::Unit:
      return Rg::Unit;
    default:
      return Rg::Any;
    }
  }

  //--- statements ------------------------------------------------------------

  void genParam(int I) {
    std::string N = "p" + std::to_string(I);
    std::string Init = "pyro.param(\"" + N + "\", torch.tensor(";
    switch (R.range(0, 5)) {
    case 0:
    case 1:
      line(N + " = " + Init + num(R.uniform(0.2, 2)) + "), constraint=constraints.positive)");
      Scope.push_back(Leaf{N, Rg::Pos, true, true, 2.0});
      return;
    case 2:
      line(N + " = " + Init + num(R.uniform(0.2, 0.8)) + "), constraint=constraints.unit_interval)");
      Scope.push_back(Leaf{N, Rg::Unit, true, true, 2.0});
      return;
    case 3:
      line(N + " = " + Init + "1.5), constraint=constraints.greater_than(1.0))");
      Scope.push_back(Leaf{N, Rg::Pos, true, true, 2.0});
      return;
    case 4:
      line(N + " = " + Init + "0.5), constraint=constraints.interval(-1.0, 2.0))");
      Scope.push_back(Leaf{N, Rg::Any, true, true, 2.0});
      return;
    default:
      line(N + " = " + Init + num(R.uniform(-1, 1)) + "))");
      Scope.push_back(Leaf{N, Rg::Any, true, true, 2.0});
      return;
    }
  }

  /// One latent sample (possibly under an if or in a loop).
  void genLatentStmt() {
    if (LatentsLeft <= 0)
      return;
    double U = R.uniform();
    if (U < 0.12 && LatentsLeft > 0) {
      genLatentInBranches();
      return;
    }
    if (U < 0.24) {
      genLoop(/*WithLatent=*/true);
      return;
    }
    Supp S = pickSupport();
    std::string N = (S == Supp::Bool ? "b" : S == Supp::Count ? "k" : "z") + std::to_string(NextLatent++);
    line(N + " = pyro.sample(\"" + N + "\", " + distOf(S) + ")");
    --LatentsLeft;
    Scope.push_back(Leaf{N, rangeOf(S), true, true, 3.0});
  }

  void genLatentInBranches() {
    Supp S = pickSupport();
    if (S == Supp::Bool || S == Supp::Count || S == Supp::Interval)
      S = Supp::Real;
    std::string N = "z" + std::to_string(NextLatent++);
    --LatentsLeft;
    line("if " + guard(1) + ":");
    ++Indent;
    line(N + " = pyro.sample(\"" + N + "\", " + distOf(S) + ")");
    --Indent;
    if (R.coin(0.7)) {
      line("else:");
      ++Indent;
      line(N + " = pyro.sample(\"" + N + "\", " + distOf(S) + ")");
      --Indent;
      Scope.push_back(Leaf{N, rangeOf(S), true, true, 3.0});
    } else {
      // Sampled on one path only; the other path leaves a constant behind.
      line("else:");
      ++Indent;
      line(N + " = torch.tensor(" + num(S == Supp::Real ? R.uniform(-1, 1) : R.uniform(0.2, 0.8)) + ")");
      --Indent;
      Scope.push_back(Leaf{N, rangeOf(S), true, true, 3.0});
    }
  }

  void genStep() {
    double U = R.uniform();
    if (O.PyroOracle && U < 0.08)
      return genTensorUpdate();
    if (U < 0.25)
      return genAssign();
    if (U < 0.42)
      return genIf();
    if (U < 0.52)
      return genLoop(false);
    if (U < 0.64)
      return genObserve();
    if (U < 0.72)
      return genFactor();
    if (U < 0.76)
      return genWhile();
    if (U < 0.80)
      return genList();
    if (U < 0.84)
      return genUnpack();
    if (U < 0.89)
      return genHandledObserve();
    if (U < 0.92)
      return genDistValue();
    if (U < 0.935)
      return genAssert();
    if (U < 0.95)
      return genExprStmtOrInf();
    if (HaveObsHelper && !UsedObsHelper) {
      UsedObsHelper = true;
      line("obs_helper(" + topExpr(2) + ", " + topPos() + ")");
      return;
    }
    genAssign();
  }

  /// `lst = []`, appends in a loop, reads at constant or computed indices.
  void genList() {
    std::string L = "lst" + std::to_string(Lists.size());
    std::string T = "t" + std::to_string(NextLoop++);
    line(L + " = []");
    line("for " + T + " in range(3):");
    ++Indent;
    std::string Saved = LoopVar;
    LoopVar = T;
    line(L + ".append(" + topExpr(2) + ")");
    LoopVar = Saved;
    --Indent;
    Lists.push_back(L);
    if (R.coin(0.5)) {
      line(L + "[" + std::to_string(R.range(0, 2)) + "] = " + topExpr(2));
    }
    if (R.coin(0.4)) {
      // An update through a second name of the same list reaches L.
      std::string A = L + "_alias";
      line(A + " = " + L);
      if (R.coin(0.5))
        line(A + "[" + std::to_string(R.range(0, 2)) + "] = " + topExpr(2));
      else
        line(A + ".append(" + topExpr(2) + ")");
    }
  }

  /// A fresh tensor updated in place through a view or an alias (basic
  /// slicing, view, reshape, the same object), by index assignment or an
  /// in-place method; its elements are read afterwards through the base.
  void genTensorUpdate() {
    std::string B = "tb" + std::to_string(NextVar++), V = "tv" + std::to_string(NextVar++);
    line(B + " = torch.zeros(2)");
    line(B + "[0] = " + topExpr(2));
    line(B + "[1] = " + topExpr(2));
    const char *Views[] = {"", "[0:2]", ".view(2)", ".reshape(2)", "[:]"};
    line(V + " = " + B + Views[R.range(0, 4)]);
    std::string I = std::to_string(R.range(0, 1));
    switch (R.range(0, 5)) {
    case 0:
      line(V + "[" + I + "] = " + topExpr(2));
      break;
    case 1:
      line(V + "[" + I + "] += " + topExpr(2));
      break;
    case 2:
      line(V + (R.coin(0.5) ? " += " : " *= ") + topExpr(1));
      break;
    case 3:
      line(V + (R.coin(0.5) ? ".add_(" : ".mul_(") + topExpr(1) + ")");
      break;
    case 4:
      line(V + ".clamp_(min=" + num(R.uniform(-1, 1)) + ")");
      break;
    default:
      // Rebinding the view's name makes a new tensor: the base keeps its values.
      line(V + " = " + V + " + " + topExpr(1));
      break;
    }
    std::string E0 = freshVar(), E1 = freshVar();
    line(E0 + " = " + B + "[0]");
    line(E1 + " = " + B + "[1]");
    Scope.push_back(Leaf{E0, Rg::Any, false, true, 2.0});
    Scope.push_back(Leaf{E1, Rg::Any, false, true, 2.0});
  }

  /// Tuple unpacking and augmented assignment.
  void genUnpack() {
    std::string A = freshVar(), B = freshVar();
    // A gets a fresh object: `+=` on a tensor variable would update it in
    // place through every alias (a latent's own value included), which the
    // reference interpreter does not model.
    line(A + ", " + B + " = ((" + topExpr(2) + ") + 0.0, " + topExpr(2) + ")");
    line(A + (R.coin(0.5) ? " += " : " *= ") + topExpr(1));
    Scope.push_back(Leaf{A, Rg::Any, false, true, 2.0});
    Scope.push_back(Leaf{B, Rg::Any, false, true, 2.0});
  }

  /// An observe under poutine.scale or poutine.mask, or with .mask(m).
  void genHandledObserve() {
    std::string N = "\"o" + std::to_string(NextObs++) + "\"";
    switch (R.range(0, 2)) {
    case 0:
      line("with poutine.scale(scale=" + num(R.uniform(0.1, 3)) + "):");
      ++Indent;
      genObserveNamed(N);
      --Indent;
      return;
    case 1:
      line("with poutine.mask(mask=" + guard(1) + "):");
      ++Indent;
      genObserveNamed(N);
      --Indent;
      return;
    default:
      line("pyro.sample(" + N + ", dist.Normal(" + topExpr() + ", " + topPos() + ").mask(" + guard(1) +
           "), obs=torch.tensor(" + num(R.uniform(-1, 1)) + "))");
      return;
    }
  }

  /// A distribution object used as a value; log_prob is evaluated inside the
  /// support (a Gamma's at a provably positive value, notes §a.5.2).
  void genDistValue() {
    std::string D = "dd" + std::to_string(NextVar++);
    std::string V;
    if (R.coin(0.7)) {
      line(D + " = dist.Normal(" + topExpr(2) + ", " + topPos() + ")");
      V = topExpr(2);
    } else {
      line(D + " = dist.Gamma(" + topPos() + ", " + topPos() + ")");
      V = safePos();
    }
    line("pyro.factor(\"f" + std::to_string(NextFactor++) + "\", " + D + ".log_prob(" + V + "))");
  }

  /// An assertion: a program that fails has no density there.
  /// An expression statement that may raise (math.log of a value that may be
  /// <= 0 decides termination), or an infinite constant that a clamp absorbs.
  void genExprStmtOrInf() {
    if (R.coin(0.5)) {
      line(std::string("math.log(") + (Smooth ? topPos() : topExpr(1)) + ")");
      return;
    }
    std::string V = freshVar();
    line(V + " = torch.clamp(" + topExpr(2) + ", min=(-math.inf), max=math.inf)");
    Scope.push_back(Leaf{V, Rg::Any, false, true, 2.0});
  }

  void genAssert() {
    NoHelperScope NH(*this);
    if (Smooth || R.coin(0.3)) {
      line("assert " + dataGuard() + " or (1.0 > 0.5)"); // holds everywhere
      return;
    }
    ExprBudget = 6;
    line("assert " + expr(1) + " > " + num(R.uniform(-3, -1.5))); // fails on a region
  }

  void genAssign() {
    std::string V = freshVar();
    line(V + " = " + topExpr());
    Scope.push_back(Leaf{V, Rg::Any, false, true, 2.0});
  }

  void genObserve() {
    std::string N = "o" + std::to_string(NextObs++);
    genObserveNamed("\"" + N + "\"");
  }

  void genObserveNamed(const std::string &Name) {
    std::string D, Obs;
    // Observed values: mostly constants; otherwise a function of the latents
    // that stays inside the support (the analysis assumes obs values have a
    // non-zero density, notes §a.5.2; the out-of-support case is a
    // regression test of its own).
    const bool Latent = R.coin(0.25);
    auto realObs = [&](double Lo, double Hi) { return Latent ? topExpr(2) : "torch.tensor(" + num(R.uniform(Lo, Hi)) + ")"; };
    auto posObs = [&] { return Latent ? safePos() : "torch.tensor(" + num(R.uniform(0.2, 2)) + ")"; };
    switch (R.range(0, 10)) {
    case 0:
      D = "dist.Bernoulli(probs=" + topUnit() + ")";
      Obs = Latent ? "((" + topExpr(1) + " > " + num(R.uniform(-1, 1)) + ") * 1.0)"
                   : std::string("torch.tensor(") + (R.coin(0.5) ? "1." : "0.") + ")";
      break;
    case 1:
      D = "dist.Bernoulli(logits=" + topExpr(2) + ")";
      Obs = std::string("torch.tensor(") + (R.coin(0.5) ? "1." : "0.") + ")";
      break;
    case 2:
      D = "dist.Poisson(" + topPos() + ")";
      Obs = "torch.tensor(" + std::to_string(R.range(0, 3)) + ".)";
      break;
    case 3:
      D = "dist.Exponential(" + topPos() + ")";
      Obs = posObs();
      break;
    case 4:
      D = "dist.Gamma(" + topPos() + ", " + topPos() + ")";
      Obs = posObs();
      break;
    case 5:
      D = "dist.Beta(" + topPos() + ", " + topPos() + ")";
      Obs = Latent ? "torch.sigmoid(" + topExpr(2) + ")" : "torch.tensor(" + num(R.uniform(0.1, 0.9)) + ")";
      break;
    case 6:
      D = "dist.Laplace(" + topExpr(2) + ", " + topPos() + ")";
      Obs = realObs(-1, 1);
      break;
    case 7:
      D = "dist.StudentT(" + topPos() + ", " + topExpr(2) + ", " + topPos() + ")";
      Obs = realObs(-1, 1);
      break;
    case 8:
      D = "dist.LogNormal(" + topExpr(2) + ", " + topPos() + ")";
      Obs = posObs();
      break;
    default:
      D = "dist.Normal(" + topExpr() + ", " + topPos() + ")";
      Obs = realObs(-1, 1);
      break;
    }
    line("pyro.sample(" + Name + ", " + D + ", obs=" + Obs + ")");
  }

  void genFactor() {
    std::string N = "f" + std::to_string(NextFactor++);
    std::string E = topExpr();
    if (R.coin(0.4))
      E = "(-(" + E + " ** 2))"; // keep factors bounded above most of the time
    line("pyro.factor(\"" + N + "\", " + E + ")");
  }

  void genIf() {
    switch (R.range(0, 5)) {
    case 0: { // the same variable in both branches
      std::string V = freshVar();
      line("if " + guard(1) + ":");
      ++Indent;
      line(V + " = " + topExpr());
      --Indent;
      line("else:");
      ++Indent;
      line(V + " = " + topExpr());
      --Indent;
      Scope.push_back(Leaf{V, Rg::Any, false, true, 2.0});
      return;
    }
    case 1: { // update in one branch
      std::string V = freshVar();
      line(V + " = " + topExpr());
      line("if " + guard(1) + ":");
      ++Indent;
      line(V + " = " + topExpr());
      --Indent;
      Scope.push_back(Leaf{V, Rg::Any, false, true, 2.0});
      return;
    }
    case 2: { // an observe under each branch (spnor)
      std::string N = "\"o" + std::to_string(NextObs++) + "\"";
      line("if " + guard(1) + ":");
      ++Indent;
      genObserveNamed(N);
      --Indent;
      line("else:");
      ++Indent;
      genObserveNamed(N);
      --Indent;
      return;
    }
    case 3: { // a factor under one branch
      line("if " + guard(1) + ":");
      ++Indent;
      genFactor();
      --Indent;
      return;
    }
    case 4: { // elif chain
      std::string V = freshVar();
      line("if " + guard(1) + ":");
      ++Indent;
      line(V + " = " + topExpr());
      --Indent;
      line("elif " + guard(1) + ":");
      ++Indent;
      line(V + " = " + topExpr());
      --Indent;
      line("else:");
      ++Indent;
      line(V + " = " + topExpr());
      --Indent;
      Scope.push_back(Leaf{V, Rg::Any, false, true, 2.0});
      return;
    }
    default: { // nested
      std::string V = freshVar();
      line(V + " = " + topExpr());
      line("if " + guard(1) + ":");
      ++Indent;
      line("if " + guard(1) + ":");
      ++Indent;
      line(V + " = " + topExpr());
      --Indent;
      line("else:");
      ++Indent;
      genObserve();
      --Indent;
      --Indent;
      Scope.push_back(Leaf{V, Rg::Any, false, true, 2.0});
      return;
    }
    }
  }

  void genLoop(bool WithLatent) {
    int K = NextLoop++;
    std::string Acc = "acc" + std::to_string(K);
    std::string T = "t" + std::to_string(K);
    line(Acc + " = " + (R.coin(0.5) ? num(R.uniform(-1, 1)) : topExpr(2)));
    if (!Smooth && R.coin(0.15)) {
      // The number of iterations depends on the latents: a step function.
      line("for " + T + " in range(int(torch.clamp(" + topExpr(2) + ", min=0.0, max=3.0)) + 1):");
    } else {
      line("for " + T + " in range(" + std::to_string(R.range(2, 4)) + "):");
    }
    ++Indent;
    std::string SavedLoop = LoopVar;
    LoopVar = T;
    Scope.push_back(Leaf{Acc, Rg::Any, false, true, 2.5});
    bool Latent = WithLatent && LatentsLeft > 0;
    int N = R.range(1, 3);
    bool Accumulated = false;
    for (int I = 0; I < N || !Accumulated || Latent; ++I) {
      if (Latent && (I > 0 || R.coin(0.5))) {
        std::string W = "w" + std::to_string(NextLatent++);
        Supp S = R.coin(0.7) ? Supp::Real : Supp::Pos;
        line(W + " = pyro.sample(\"" + W + "_{}\".format(" + T + "), " + distOf(S) + ")");
        line(Acc + " = " + Acc + " + (" + num(R.uniform(0.3, 1)) + " * " + W + ")");
        --LatentsLeft;
        Latent = false;
        Accumulated = true;
        continue;
      }
      switch (R.range(0, 5)) {
      case 0:
      case 1:
        line(Acc + " = (" + Acc + " * " + num(R.uniform(0.2, 0.9)) + ") + " + topExpr(2));
        Accumulated = true;
        break;
      case 2:
        line("if " + guard(1) + ":");
        ++Indent;
        line(Acc + " = " + Acc + " + " + topExpr(2));
        --Indent;
        Accumulated = true;
        break;
      case 3:
        genObserveNamed("\"y" + std::to_string(K) + "_" + std::to_string(I) + "_{}\".format(" + T + ")");
        break;
      case 4:
        line("pyro.factor(\"g" + std::to_string(K) + "_" + std::to_string(I) + "_{}\".format(" + T + "), (-(" +
             topExpr(2) + " ** 2)))");
        break;
      default:
        line(Acc + " = " + Acc + " + " + topExpr(2));
        Accumulated = true;
        break;
      }
    }
    LoopVar = SavedLoop;
    --Indent;
  }

  void genWhile() {
    int K = NextLoop++;
    std::string N = "n" + std::to_string(K);
    std::string W = "u" + std::to_string(K);
    line(N + " = 0");
    if (R.coin(Smooth ? 0.7 : 0.3)) {
      // The iteration count is a constant: smooth in everything.
      line(W + " = " + topExpr(2));
      line("while " + N + " < " + std::to_string(R.range(1, 3)) + ":");
      ++Indent;
      line(W + " = (" + W + " * " + num(R.uniform(0.3, 0.9)) + ") + " + topExpr(2));
      line(N + " = " + N + " + 1");
      --Indent;
    } else {
      // The iteration count depends on a latent: a step function of it.
      line(W + " = 0.0");
      NoHelperScope NH(*this);
      line("while (" + W + " < " + topExpr(2) + ") and (" + N + " < 4):");
      ++Indent;
      line(W + " = " + W + " + 0.5");
      line(N + " = " + N + " + 1");
      --Indent;
    }
    Scope.push_back(Leaf{W, Rg::Any, false, true, 2.0});
  }

  //--- helpers -----------------------------------------------------------------

  void genHelper() {
    Helper H;
    H.Name = "h" + std::to_string(Helpers.size());
    H.Arity = R.range(1, 2);
    std::vector<Leaf> SavedScope = std::move(Scope);
    std::vector<std::string> SavedData = std::move(DataNames);
    Scope.clear();
    DataNames.clear();
    std::string Params;
    for (int I = 0; I < H.Arity; ++I) {
      std::string A = std::string(1, static_cast<char>('a' + I));
      Scope.push_back(Leaf{A, Rg::Any, false, true, 3.0});
      Params += (I ? ", " : "") + A;
    }
    line("def " + H.Name + "(" + Params + "):");
    ++Indent;
    if (R.coin(0.35)) {
      line("r = " + topExpr(2));
      line("if " + latentGuard(1) + ":");
      ++Indent;
      line("r = " + topExpr(2));
      --Indent;
      line("return r");
    } else {
      line("return " + topExpr(2));
    }
    --Indent;
    line("");
    line("");
    Scope = std::move(SavedScope);
    DataNames = std::move(SavedData);
    Helpers.push_back(H);
  }

  void genObsHelper() {
    line("def obs_helper(m, s):");
    ++Indent;
    line("pyro.sample(\"oh\", dist.Normal(m, s), obs=torch.tensor(" + num(R.uniform(-1, 1)) + "))");
    --Indent;
    line("");
    line("");
    HaveObsHelper = true;
  }
};

} // namespace

GeneratedProgram generateProgram(uint64_t Seed, const GeneratorOptions &O) {
  Gen G(Seed, O);
  return G.run(Seed);
}

} // namespace svic::testkit
