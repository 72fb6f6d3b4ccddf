//===- Reparam.cpp - Selective reparameterisation (notes §d.3) -------------===//
///
/// \file
/// Steps of notes/smoothness-analysis.md §d.3 with the [R] improvements:
///  1. analyse model and guide (score semantics) for the goal φ;
///  2. θ = params(M) ∪ params(G), R = guide latents (Delta sites included),
///     ND = every name in which the model density or the guide density
///     (sample factors AND observe/factor terms) may not be φ;
///  3. θ-condition: θ ∩ ND = ∅;
///  4. π = continuous, reparameterisable guide latents outside ND;
///  5–7. re-analyse the guide with π reparameterised and accept iff no sampled
///     value, density factor or likelihood term may be non-φ in θ;
///  8. otherwise shrink π greedily (drop the offending sites, else the site
///     whose removal restores the condition) and re-check.
//===----------------------------------------------------------------------===//

#include "svic/analysis/Reparam.h"

#include <algorithm>
#include <map>
#include <set>

namespace svic::analysis {
namespace {

std::string adjective(Property P) {
  switch (P) {
  case Property::Diff:
    return "differentiable";
  case Property::Lips:
    return "Lipschitz";
  case Property::Cont:
    return "continuous";
  }
  return "smooth";
}

std::string where(const SourceLoc &L, const SourceManager *SM, std::string_view Role) {
  std::string File = std::string(Role) + ".py";
  if (SM && L.File != 0) {
    const std::string &Path = SM->path(L.File);
    size_t Slash = Path.find_last_of('/');
    File = Slash == std::string::npos ? Path : Path.substr(Slash + 1);
  }
  if (SM)
    return File + ":" + SM->position(L); // a notebook's cell and line
  return File + ":" + std::to_string(L.Line) + ":" + std::to_string(L.Col);
}

std::string firstWitness(const NameVerdict &V, const SourceManager *SM, std::string_view Role) {
  if (V.Witnesses.empty())
    return "";
  const Witness &W = V.Witnesses.front();
  return " (" + W.Operation + " at " + where(W.Loc, SM, Role) + ")";
}

std::set<std::string> nonSmooth(const SmoothnessResult &R) {
  std::set<std::string> S;
  for (const NameVerdict &V : R.Names)
    if (!V.Smooth)
      S.insert(V.Name);
  return S;
}

/// Names of θ the reparameterised guide may be non-φ in: through the
/// likelihood terms, any density factor, or any sampled value.
std::set<std::string> recheck(const SmoothnessResult &R, const std::set<std::string> &Theta,
                              std::set<std::string> *OffendingSites) {
  std::set<std::string> Hit;
  for (const std::string &N : R.DensityNonSmooth)
    if (Theta.count(N))
      Hit.insert(N);
  for (const SiteSets &S : R.Sites) {
    bool Off = false;
    for (const auto *L : {&S.ProbNonSmooth, &S.ValueNonSmooth})
      for (const std::string &N : *L)
        if (Theta.count(N)) {
          Hit.insert(N);
          Off = true;
        }
    if (Off && OffendingSites)
      OffendingSites->insert(S.Name);
  }
  return Hit;
}

} // namespace

ReparamResult selectReparameterization(const ir::Program &Model, const NumericFacts &NM,
                                       const ir::Program &Guide, const NumericFacts &NG,
                                       Property Goal, const SourceManager *SM) {
  return selectReparameterization(Model, NM, Guide, NG, analyzeSmoothness(Model, NM, Goal),
                                  analyzeSmoothness(Guide, NG, Goal), Goal, SM);
}

ReparamResult selectReparameterization(const ir::Program &Model, const NumericFacts &NM,
                                       const ir::Program &Guide, const NumericFacts &NG,
                                       const SmoothnessResult &RM, const SmoothnessResult &RG,
                                       Property Goal, const SourceManager *SM) {
  ReparamResult Res;
  ProgramNames PM = collectNames(Model), PG = collectNames(Guide);

  std::set<std::string> Theta(PM.Params.begin(), PM.Params.end());
  Theta.insert(PG.Params.begin(), PG.Params.end());
  std::set<std::string> NDModel = nonSmooth(RM), NDGuide = nonSmooth(RG);
  std::set<std::string> Discrete;
  for (const auto *P : {&PM, &PG})
    for (const ProgramNames::Latent &L : P->Latents)
      if (L.Discrete)
        Discrete.insert(L.Name);

  // Candidates: the guide's latents (a Delta site is a reparameterisable site
  // to Pyro; the analysis treats it as an assignment).
  std::map<std::string, bool> GuideLatents; // name -> reparameterisable continuous
  for (const ProgramNames::Latent &L : PG.Latents)
    GuideLatents[L.Name] = L.Reparameterizable && !Discrete.count(L.Name);
  for (const std::string &N : PG.PointMasses)
    GuideLatents.emplace(N, !Discrete.count(N));

  auto Because = [&](const std::string &N) -> std::string {
    if (NDModel.count(N)) {
      const NameVerdict *V = RM.find(N);
      return "model density may not be " + adjective(Goal) + " in " + N +
             (V ? firstWitness(*V, SM, "model") : "");
    }
    const NameVerdict *V = RG.find(N);
    return "guide density may not be " + adjective(Goal) + " in " + N +
           (V ? firstWitness(*V, SM, "guide") : "");
  };

  // Step 3: θ ∩ ND = ∅.
  Res.ThetaConditionHolds = true;
  for (const std::string &T : Theta)
    if (NDModel.count(T) || NDGuide.count(T)) {
      Res.ThetaConditionHolds = false;
      Res.Reasons.push_back("parameter " + T + ": " + Because(T));
    }

  // Step 4: π.
  std::set<std::string> Pi;
  std::map<std::string, std::string> Why;
  for (const auto &[N, Reparam] : GuideLatents) {
    if (Discrete.count(N))
      Why[N] = N + ": discrete (score estimator)";
    else if (!Reparam)
      Why[N] = N + ": its guide distribution has no reparameterised sampler";
    else if (NDModel.count(N) || NDGuide.count(N))
      Why[N] = N + ": " + Because(N);
    else
      Pi.insert(N);
  }

  // Steps 5-8: re-check with π reparameterised; shrink greedily while the
  // reparameterisation itself (not the score-semantics guide) breaks it.
  auto Recheck = [&](const std::set<std::string> &P, std::set<std::string> *Off) {
    SmoothnessOptions O;
    O.Reparameterized = !P.empty();
    O.ReparamNames.assign(P.begin(), P.end());
    return recheck(analyzeSmoothness(Guide, NG, Goal, O), Theta, Off);
  };
  // The score-semantics guide: RG itself (default options).
  const std::set<std::string> Baseline = recheck(RG, Theta, nullptr);
  auto Attributable = [&](const std::set<std::string> &H) {
    std::set<std::string> R;
    for (const std::string &T : H)
      if (!Baseline.count(T))
        R.insert(T);
    return R;
  };
  std::set<std::string> Offending;
  std::set<std::string> Hit = Recheck(Pi, &Offending);
  while (!Attributable(Hit).empty() && !Pi.empty()) {
    std::vector<std::string> Drop;
    for (const std::string &N : Offending)
      if (Pi.count(N))
        Drop.push_back(N);
    if (Drop.empty()) {
      // No reparameterised site is itself offending: drop the one whose
      // removal restores the condition, else the last one.
      for (const std::string &N : Pi) {
        std::set<std::string> Trial = Pi;
        Trial.erase(N);
        if (Attributable(Recheck(Trial, nullptr)).empty()) {
          Drop.push_back(N);
          break;
        }
      }
      if (Drop.empty())
        Drop.push_back(*Pi.rbegin());
    }
    std::string Ts;
    for (const std::string &T : Attributable(Hit))
      Ts += (Ts.empty() ? "" : ", ") + T;
    for (const std::string &N : Drop) {
      Pi.erase(N);
      Why[N] = N + ": reparameterising it may make the guide non-" + adjective(Goal) + " in " + Ts;
    }
    Offending.clear();
    Hit = Recheck(Pi, &Offending);
  }
  for (const std::string &T : Hit)
    if (Res.ThetaConditionHolds || !(NDModel.count(T) || NDGuide.count(T)))
      Res.Reasons.push_back("parameter " + T + ": the reparameterised guide may not be " +
                            adjective(Goal) + " in " + T);

  Res.ConditionHolds = Res.ThetaConditionHolds && Hit.empty();
  Res.Selected.assign(Pi.begin(), Pi.end());
  for (const auto &[N, R] : GuideLatents)
    if (!Pi.count(N))
      Res.Score.push_back(N);
  for (const std::string &N : Res.Score)
    if (Why.count(N))
      Res.Reasons.push_back(Why[N]);
  return Res;
}

} // namespace svic::analysis
