//===- SupportCompare.cpp - Comparing the model's and the guide's sites ----===//
///
/// \file
/// The final comparison of notes §b.8, with three-valued verdicts: a site is
/// `match` only when it is proved (same exact index set, guide support ⊆ model
/// support, equal fully known shapes and event shapes), `mismatch` /
/// `model-only` / `guide-only` only when certain, `unknown` otherwise.
//===----------------------------------------------------------------------===//

#include "svic/analysis/Support.h"

#include <algorithm>
#include <functional>
#include <set>

namespace svic::analysis {

using namespace support;

namespace {

/// A canonical name as a pattern: literal pieces and fields; a field is INT
/// (every index seen there is an integer) or ANY.
struct Pattern {
  std::vector<std::string> Pieces; ///< Pieces.size() == Fields.size() + 1
  std::vector<bool> IntField;
};

Pattern patternOf(const std::string &Key, const NameSet *M, const NameSet *G, bool Dynamic) {
  Pattern P;
  if (Dynamic) {
    P.Pieces = {"", ""};
    P.IntField = {false};
    return P;
  }
  std::string Cur;
  size_t I = 0;
  while (I < Key.size()) {
    if (Key.compare(I, 2, "{}") == 0) {
      P.Pieces.push_back(Cur);
      Cur.clear();
      P.IntField.push_back(true);
      I += 2;
      continue;
    }
    Cur += Key[I++];
  }
  P.Pieces.push_back(Cur);
  // A field is INT when every component seen at that position is integral.
  for (const NameSet *N : {M, G}) {
    if (!N)
      continue;
    for (const IndexBox &B : N->May) {
      if (B.C.size() != P.IntField.size()) {
        std::fill(P.IntField.begin(), P.IntField.end(), false);
        continue;
      }
      for (size_t K = 0; K < B.C.size(); ++K)
        if (B.C[K].K == IndexComp::Kind::Str || B.C[K].K == IndexComp::Kind::Any)
          P.IntField[K] = false;
    }
  }
  return P;
}

/// Whether two patterns can produce a common string (INT = -?[0-9]+, ANY =
/// any string). A product-automaton search over (piece, offset, field-state).
bool patternsIntersect(const Pattern &A, const Pattern &B) {
  // Fast rejections: two literals (distinct keys), incompatible literal
  // prefixes or suffixes.
  if (A.IntField.empty() && B.IntField.empty())
    return A.Pieces[0] == B.Pieces[0];
  const std::string &PA = A.Pieces.front(), &PB = B.Pieces.front();
  if (PA.compare(0, std::min(PA.size(), PB.size()), PB, 0, std::min(PA.size(), PB.size())) != 0)
    return false;
  const std::string &SA = A.Pieces.back(), &SB = B.Pieces.back();
  size_t N = std::min(SA.size(), SB.size());
  if (SA.compare(SA.size() - N, N, SB, SB.size() - N, N) != 0)
    return false;
  // A position in a pattern: inside piece P at offset O (State 0), or inside
  // field P after its first character (State 1: after '-', 2: in digits, 3:
  // ANY consumed >= 0 chars).
  struct Pos {
    size_t P, O;
    int St;
    bool operator<(const Pos &X) const { return std::tie(P, O, St) < std::tie(X.P, X.O, X.St); }
  };
  auto Closure = [](const Pattern &Pt, Pos X, std::vector<Pos> &Out) {
    // Epsilon moves: at the end of a piece enter the following field; an ANY
    // field may be left at once; a digit field may be left after a digit.
    std::vector<Pos> Work{X};
    std::set<Pos> Seen;
    while (!Work.empty()) {
      Pos Y = Work.back();
      Work.pop_back();
      if (!Seen.insert(Y).second)
        continue;
      Out.push_back(Y);
      if (Y.St == 0 && Y.O == Pt.Pieces[Y.P].size() && Y.P + 1 < Pt.Pieces.size()) {
        // Enter field Y.P.
        if (!Pt.IntField[Y.P]) {
          Work.push_back({Y.P, 0, 3});
        } else {
          Work.push_back({Y.P, 0, 4}); // expecting '-' or a digit
        }
      }
      if (Y.St == 3 || Y.St == 2)
        Work.push_back({Y.P + 1, 0, 0}); // leave the field
    }
  };
  auto Step = [](const Pattern &Pt, const Pos &X, char C, std::vector<Pos> &Out) {
    switch (X.St) {
    case 0:
      if (X.O < Pt.Pieces[X.P].size() && Pt.Pieces[X.P][X.O] == C)
        Out.push_back({X.P, X.O + 1, 0});
      break;
    case 3:
      Out.push_back(X);
      break;
    case 4:
      if (C == '-')
        Out.push_back({X.P, 0, 1});
      else if (C >= '0' && C <= '9')
        Out.push_back({X.P, 0, 2});
      break;
    case 1:
    case 2:
      if (C >= '0' && C <= '9')
        Out.push_back({X.P, 0, 2});
      break;
    }
  };
  auto Accepting = [](const Pattern &Pt, const Pos &X) {
    return X.St == 0 && X.P + 1 == Pt.Pieces.size() && X.O == Pt.Pieces[X.P].size();
  };
  std::string Alphabet = "-0x";
  for (const Pattern *Pt : {&A, &B})
    for (const std::string &S : Pt->Pieces)
      Alphabet += S;
  std::sort(Alphabet.begin(), Alphabet.end());
  Alphabet.erase(std::unique(Alphabet.begin(), Alphabet.end()), Alphabet.end());
  std::set<std::pair<Pos, Pos>> Seen;
  std::vector<std::pair<Pos, Pos>> Work;
  {
    std::vector<Pos> CA, CB;
    Closure(A, {0, 0, 0}, CA);
    Closure(B, {0, 0, 0}, CB);
    for (const Pos &X : CA)
      for (const Pos &Y : CB)
        Work.push_back({X, Y});
  }
  while (!Work.empty()) {
    auto [X, Y] = Work.back();
    Work.pop_back();
    if (!Seen.insert({X, Y}).second)
      continue;
    if (Seen.size() > 20000)
      return true; // give up: assume they may meet
    if (Accepting(A, X) && Accepting(B, Y))
      return true;
    for (char C : Alphabet) {
      std::vector<Pos> NA, NB;
      Step(A, X, C, NA);
      Step(B, Y, C, NB);
      for (const Pos &X2 : NA) {
        std::vector<Pos> CA;
        Closure(A, X2, CA);
        for (const Pos &Y2 : NB) {
          std::vector<Pos> CB;
          Closure(B, Y2, CB);
          for (const Pos &X3 : CA)
            for (const Pos &Y3 : CB)
              if (!Seen.count({X3, Y3}))
                Work.push_back({X3, Y3});
        }
      }
    }
  }
  return false;
}

std::string joinStrings(const std::vector<std::string> &Xs, const char *Sep) {
  std::string R;
  for (const std::string &X : Xs) {
    if (!R.empty())
      R += Sep;
    R += X;
  }
  return R;
}

std::string distNames(const SiteFacts &F) {
  std::vector<std::string> Xs;
  for (const SupportDesc &S : F.Supports)
    if (std::find(Xs.begin(), Xs.end(), S.Dist) == Xs.end())
      Xs.push_back(S.Dist);
  if (F.SupportUnknown)
    Xs.push_back("?");
  return joinStrings(Xs, " | ");
}

std::string supportText(const SiteFacts &F) {
  std::vector<std::string> Xs;
  for (const SupportDesc &S : F.Supports)
    if (std::find(Xs.begin(), Xs.end(), S.str()) == Xs.end())
      Xs.push_back(S.str());
  if (F.SupportUnknown)
    Xs.push_back("?");
  return joinStrings(Xs, " | ");
}

std::string plateText(const PlateFacts &F) {
  if (!F.HasSize)
    return "plate()";
  std::string S = "plate(" + Shape::dimStr(F.SizeDim);
  if (F.SubDim != F.SizeDim)
    S += ", " + Shape::dimStr(F.SubDim);
  return S + ")";
}

bool exactSet(const NameSet &N) {
  if (N.PossibleDup)
    return false;
  for (const IndexBox &B : N.May)
    for (const IndexComp &C : B.C)
      if (C.K == IndexComp::Kind::Any)
        return false;
  return definitelySubset(N.May, N.Must);
}

bool equalSets(const BoxSet &A, const BoxSet &B) {
  if (A == B)
    return true;
  return definitelySubset(A, B) && definitelySubset(B, A);
}

struct Verdicts {
  std::vector<std::string> Mismatch, Unknown;
};

} // namespace

SupportResult analyzeSupport(const ir::Program &Model, const ir::Program &Guide) {
  return analyzeSupport(Model, Guide, SupportOptions{});
}

SupportResult analyzeSupport(const ir::Program &Model, const ir::Program &Guide,
                             const SupportOptions &Opts) {
  SupportResult Res;
  ProgramAnalysis M, G;
  try {
    M = analyzeProgram(Model, Opts, &Guide);
    G = analyzeProgram(Guide, Opts, &Model);
  } catch (...) {
    // FixpointDiverged (a domain bug) or resource exhaustion: no claim.
    std::string What = "unknown exception";
    try {
      throw;
    } catch (const std::exception &E) {
      What = E.what();
    } catch (...) {
    }
    Res.Verdict = "unknown";
    Res.ShapeErrors.clear();
    SiteSupport S;
    S.Name = "<analysis>";
    S.Verdict = "unknown";
    S.Reason = "internal error in the support analysis: " + What;
    Res.Sites.push_back(S);
    return Res;
  }
  for (ShapeError &E : M.Errors)
    Res.ShapeErrors.push_back(E);
  for (ShapeError &E : G.Errors)
    Res.ShapeErrors.push_back(E);
  std::stable_sort(Res.ShapeErrors.begin(), Res.ShapeErrors.end(),
                   [](const ShapeError &A, const ShapeError &B) {
                     if (A.Loc < B.Loc || B.Loc < A.Loc)
                       return A.Loc < B.Loc;
                     return A.Program == ir::Role::Model && B.Program != ir::Role::Model;
                   });

  const SupportState &SM = M.Final, &SG = G.Final;
  bool MDead = SM.isBottom(), GDead = SG.isBottom();
  static const NameMap NoNames;
  static const std::map<std::string, SiteFacts> NoSites;
  static const CowMap<std::string, PlateFacts> NoPlates;
  const auto &MN = MDead ? NoNames : SM.Names, &GN = GDead ? NoNames : SG.Names;
  const auto &MS = MDead ? NoSites : SM.Sites, &GS = GDead ? NoSites : SG.Sites;
  const auto &MP = MDead ? NoPlates : SM.Plates, &GP = GDead ? NoPlates : SG.Plates;

  std::set<std::string> Keys;
  for (const auto *Ns : {&MN, &GN})
    for (const auto &[K, N] : *Ns)
      if (!N.May.empty() && !isAuxiliaryKey(K))
        Keys.insert(K);

  auto IsDyn = [&](const std::string &K) {
    return (!MDead && SM.DynKeys.count(K)) || (!GDead && SG.DynKeys.count(K));
  };
  bool MHasDyn = !MDead && !SM.DynKeys.empty(), GHasDyn = !GDead && !SG.DynKeys.empty();
  // Why a program may sample names no statement shows.
  auto DynWhy = [](const SupportState &S) -> std::string {
    for (const std::string &K : S.DynKeys)
      if (K.rfind("<opaque call to ", 0) == 0)
        return "it makes an " + K.substr(1, K.size() - 2) + " that may run code that samples";
    return "it has sites with run-time names";
  };

  // Names that may spell the same string under different keys.
  std::map<std::string, std::string> Alias;
  {
    std::vector<std::pair<std::string, Pattern>> Ps;
    for (const std::string &K : Keys) {
      if (IsDyn(K))
        continue; // handled on their own (see below)
      auto MI = MN.find(K), GI = GN.find(K);
      Ps.push_back({K, patternOf(K, MI == MN.end() ? nullptr : &MI->second,
                                 GI == GN.end() ? nullptr : &GI->second, IsDyn(K))});
    }
    for (size_t I = 0; I < Ps.size(); ++I)
      for (size_t J = I + 1; J < Ps.size(); ++J)
        if (patternsIntersect(Ps[I].second, Ps[J].second)) {
          Alias[Ps[I].first] = Ps[J].first;
          Alias[Ps[J].first] = Ps[I].first;
        }
  }

  // Templates with several fields are compared as index tuples; that is
  // comparing names only when different tuples spell different names: every
  // field is an integer and every separator between two fields holds a
  // character an integer cannot contain.
  std::set<std::string> Ambiguous;
  for (const std::string &K : Keys) {
    if (IsDyn(K))
      continue;
    auto MI = MN.find(K), GI = GN.find(K);
    Pattern P = patternOf(K, MI == MN.end() ? nullptr : &MI->second,
                          GI == GN.end() ? nullptr : &GI->second, false);
    if (P.IntField.size() < 2)
      continue;
    bool Amb = std::find(P.IntField.begin(), P.IntField.end(), false) != P.IntField.end();
    for (size_t I = 1; I + 1 < P.Pieces.size() && !Amb; ++I)
      Amb = P.Pieces[I].find_first_not_of("0123456789-") == std::string::npos;
    if (Amb)
      Ambiguous.insert(K);
  }

  std::string DeadReason;
  if (MDead)
    DeadReason = "the model raises an error on every run, so it has no trace to compare";
  else if (GDead)
    DeadReason = "the guide raises an error on every run, so it has no trace to compare";

  for (const std::string &K : Keys) {
    SiteSupport R;
    R.Name = K;
    auto MI = MN.find(K), GI = GN.find(K);
    const NameSet *MNs = MI == MN.end() || MI->second.May.empty() ? nullptr : &MI->second;
    const NameSet *GNs = GI == GN.end() || GI->second.May.empty() ? nullptr : &GI->second;
    auto MFi = MS.find(K), GFi = GS.find(K);
    const SiteFacts *MF = MFi == MS.end() ? nullptr : &MFi->second;
    const SiteFacts *GF = GFi == GS.end() ? nullptr : &GFi->second;
    if (MNs && MF) {
      R.ModelDistribution = distNames(*MF);
      R.ModelSupport = supportText(*MF);
      R.ModelLoc = MF->Loc;
    }
    if (GNs && GF) {
      R.GuideDistribution = distNames(*GF);
      R.GuideSupport = supportText(*GF);
      R.GuideLoc = GF->Loc;
    }
    bool Templated = K.find("{}") != std::string::npos;
    if (Templated || IsDyn(K)) {
      const NameSet *Src =
          MNs && exactSet(*MNs) ? MNs : (GNs && exactSet(*GNs) ? GNs : (MNs ? MNs : GNs));
      if (Src)
        R.IndexRange = boxSetStr(exactSet(*Src) ? Src->Must : Src->May);
      if (IsDyn(K))
        R.IndexRange = "?";
    }
    Verdicts V;
    bool MMust = MNs && !MNs->Must.empty(), GMust = GNs && !GNs->Must.empty();
    if (!DeadReason.empty()) {
      R.Verdict = "unknown";
      R.Reason = DeadReason;
      Res.Sites.push_back(std::move(R));
      continue;
    }
    if (IsDyn(K)) {
      R.Verdict = "unknown";
      R.Reason = "the site name is computed at run time, so which names are sampled is not known";
      Res.Sites.push_back(std::move(R));
      continue;
    }
    if (Alias.count(K)) {
      R.Verdict = "unknown";
      R.Reason = "names of '" + K + "' may coincide with names of '" + Alias[K] +
                 "'; the analysis compares names per key and cannot tell them apart";
      Res.Sites.push_back(std::move(R));
      continue;
    }
    if (Ambiguous.count(K)) {
      R.Verdict = "unknown";
      R.Reason = "names of '" + K +
                 "' are compared as index tuples, but different tuples may spell the same name "
                 "(fields not separated by a character an index cannot contain)";
      Res.Sites.push_back(std::move(R));
      continue;
    }
    if (!GNs && MF && MF->Enum != SiteFacts::Enumerated::No && !GHasDyn) {
      // Pyro: model sites an enumerating ELBO sums out need no guide site.
      if (MF->Enum == SiteFacts::Enumerated::Unknown) {
        R.Verdict = "unknown";
        R.Reason = "the guide never samples '" + K +
                   "' and whether the model enumerates it is not known (a computed infer "
                   "request, a distribution Pyro may not enumerate, or some samples not marked)";
      } else if (Model.EnumeratingElbo) {
        R.Verdict = "match";
        R.Reason = "the model enumerates '" + K +
                   "' and the file builds an enumerating ELBO (TraceEnum_ELBO), which sums it "
                   "out; the guide need not sample it";
      } else {
        R.Verdict = MMust ? "model-only" : "unknown";
        R.Reason = "the model marks '" + K +
                   "' for enumeration but the file builds no enumerating ELBO "
                   "(TraceEnum_ELBO); Trace_ELBO draws it from the prior and the guide never "
                   "samples it";
      }
      Res.Sites.push_back(std::move(R));
      continue;
    }
    if (!GNs) {
      if (MMust && !GHasDyn) {
        R.Verdict = "model-only";
        R.Reason = "the model definitely samples '" + K + "'" +
                   (Templated ? " (indices " + boxSetStr(MNs->Must) + ")" : std::string()) +
                   " but the guide never does";
      } else {
        R.Verdict = "unknown";
        R.Reason =
            MMust ? "the model samples '" + K + "', the guide never under this name but " +
                        DynWhy(SG)
                  : "the model may sample '" + K + "' (on some paths) and the guide never does";
      }
      Res.Sites.push_back(std::move(R));
      continue;
    }
    if (!MNs) {
      if (GMust && !MHasDyn) {
        R.Verdict = "guide-only";
        R.Reason = "the guide definitely samples '" + K + "'" +
                   (Templated ? " (indices " + boxSetStr(GNs->Must) + ")" : std::string()) +
                   " but the model never does";
      } else {
        R.Verdict = "unknown";
        R.Reason =
            GMust ? "the guide samples '" + K + "', the model never under this name but " +
                        DynWhy(SM)
                  : "the guide may sample '" + K + "' (on some paths) and the model never does";
      }
      Res.Sites.push_back(std::move(R));
      continue;
    }
    // Names.
    bool EM = exactSet(*MNs), EG = exactSet(*GNs);
    if (EM && EG && equalSets(MNs->Must, GNs->Must)) {
      // same names
    } else if (definitelyNotSubset(MNs->Must, GNs->May)) {
      V.Mismatch.push_back("the model samples indices " + boxSetStr(MNs->Must) + " of '" + K +
                           "' and the guide only " + boxSetStr(GNs->May));
    } else if (definitelyNotSubset(GNs->Must, MNs->May)) {
      V.Mismatch.push_back("the guide samples indices " + boxSetStr(GNs->Must) + " of '" + K +
                           "' and the model only " + boxSetStr(MNs->May));
    } else {
      std::string Why;
      if (MNs->PossibleDup || GNs->PossibleDup)
        Why = std::string("the ") + (MNs->PossibleDup ? "model" : "guide") +
              " may sample a name of '" + K + "' twice";
      else if (!EM || !EG)
        Why = std::string("the ") + (!EM ? "model" : "guide") + " samples '" + K +
              "' on some paths only, or at indices not known exactly";
      else
        Why = "the index sets " + boxSetStr(MNs->Must) + " and " + boxSetStr(GNs->Must) +
              " are not proved equal";
      V.Unknown.push_back(Why);
    }
    bool BothMust = MMust && GMust;
    bool PointMismatch = false; // the support mismatch is a Delta over a density
    // Supports.
    if (!MF || !GF || MF->SupportUnknown || GF->SupportUnknown || MF->Supports.empty() ||
        GF->Supports.empty()) {
      V.Unknown.push_back("the distribution of '" + K + "' is not known on both sides");
    } else {
      bool AllIn = true, AllOut = true;
      std::string OutWhy, UnkWhy, InWhy;
      bool PointOverDensity = true;
      for (const SupportDesc &Gs : GF->Supports)
        for (const SupportDesc &Ms : MF->Supports) {
          BaseMeasure MM = Ms.measure();
          PointOverDensity &= Gs.measure() == BaseMeasure::Dirac &&
                              (MM == BaseMeasure::Lebesgue || MM == BaseMeasure::Simplex);
          InclusionResult IR = guideSupportIncluded(Gs, Ms);
          if (IR.R != Inclusion::Included) {
            AllIn = false;
            if (UnkWhy.empty() || IR.R == Inclusion::Unknown)
              UnkWhy = IR.Reason;
          } else if (InWhy.empty()) {
            InWhy = IR.Reason;
          }
          if (IR.R != Inclusion::NotIncluded)
            AllOut = false;
          else if (OutWhy.empty())
            OutWhy = IR.Reason;
        }
      if (AllOut && BothMust) {
        V.Mismatch.push_back(OutWhy);
        PointMismatch = PointOverDensity;
      } else if (!AllIn) {
        V.Unknown.push_back(AllOut ? OutWhy + " (but the site is sampled only on some paths)"
                                   : UnkWhy);
      }
    }
    // Shapes.
    if (MF && GF && MF->Seen && GF->Seen) {
      // Leading dims of size 1 (a guide param built as torch.ones(1, N, W))
      // change nothing Pyro scores: the other program's density broadcasts
      // over them, element for element.
      auto WithoutLeadingOnes = [](Shape S) {
        if (S.RankKnown) {
          auto First = std::find_if(S.Dims.begin(), S.Dims.end(), [](int64_t D) { return D != 1; });
          S.Dims.erase(S.Dims.begin(), First);
        }
        return S;
      };
      const Shape A = WithoutLeadingOnes(MF->Value), B = WithoutLeadingOnes(GF->Value);
      bool Differ = false;
      if (A.RankKnown && B.RankKnown) {
        if (A.rank() != B.rank())
          Differ = true;
        else
          for (size_t I = 0; I < A.rank(); ++I)
            if (A.Dims[I] >= 0 && B.Dims[I] >= 0 && A.Dims[I] != B.Dims[I])
              Differ = true;
      }
      bool EvDiffer =
          MF->Event.RankKnown && GF->Event.RankKnown && MF->Event.rank() != GF->Event.rank();
      if (Differ && BothMust)
        V.Mismatch.push_back("value shapes differ: model " + MF->Value.str() + ", guide " +
                             GF->Value.str());
      else if (EvDiffer && BothMust)
        V.Mismatch.push_back("event dims differ: model event shape " + MF->Event.str() +
                             ", guide " + GF->Event.str());
      else if (Differ || EvDiffer)
        V.Unknown.push_back("value shapes may differ: model " + MF->Value.str() + ", guide " +
                            GF->Value.str());
      else if (!A.fullyKnown() || !B.fullyKnown() || !MF->Event.fullyKnown() ||
               !GF->Event.fullyKnown())
        V.Unknown.push_back("value shape not fully known: model " + MF->Value.str() + ", guide " +
                            GF->Value.str());
      else if (A != B || MF->Event != GF->Event)
        V.Unknown.push_back("value shapes not proved equal: model " + MF->Value.str() + " (event " +
                            MF->Event.str() + "), guide " + GF->Value.str() + " (event " +
                            GF->Event.str() + ")");
    } else {
      V.Unknown.push_back("value shape not known");
    }
    if (!V.Mismatch.empty()) {
      R.Verdict = "mismatch";
      R.Reason = joinStrings(V.Mismatch, "; ");
      R.PointEstimate = PointMismatch && V.Mismatch.size() == 1;
    } else if (!V.Unknown.empty()) {
      R.Verdict = "unknown";
      R.Reason = joinStrings(V.Unknown, "; ");
    } else {
      R.Verdict = "match";
      std::string Sup = MF->Supports.size() == 1 && GF->Supports.size() == 1
                            ? "guide support " + GF->Supports[0].str() +
                                  " is contained in model support " + MF->Supports[0].str()
                            : "every guide support is contained in every model support";
      R.Reason = (Templated ? "same indices " + boxSetStr(MNs->Must) + "; " : std::string()) + Sup +
                 "; shape " + MF->Value.str();
    }
    Res.Sites.push_back(std::move(R));
  }

  // Plate pseudo-sites.
  std::set<std::string> PKeys;
  for (const auto &[K, F] : MP)
    PKeys.insert(K);
  for (const auto &[K, F] : GP)
    PKeys.insert(K);
  for (const std::string &K : PKeys) {
    PlateSupport R;
    R.Name = K;
    auto MI = MP.find(K), GI = GP.find(K);
    const PlateFacts *A = MI == MP.end() ? nullptr : &MI->second;
    const PlateFacts *B = GI == GP.end() ? nullptr : &GI->second;
    if (A) {
      R.Model = plateText(*A);
      R.ModelLoc = A->Loc;
    }
    if (B) {
      R.Guide = plateText(*B);
      R.GuideLoc = B->Loc;
    }
    if (!DeadReason.empty()) {
      R.Verdict = "unknown";
      R.Reason = DeadReason;
    } else if (!B) {
      R.Verdict = "model-only";
      R.Reason =
          "a plate only in the model is allowed (its subsample site is not a latent variable)";
    } else if (!A) {
      if (B->Must) {
        R.Verdict = "guide-only";
        R.Reason = "the guide declares plate '" + K + "' and the model never does";
      } else {
        R.Verdict = "unknown";
        R.Reason =
            "the guide may declare plate '" + K + "' (on some paths) and the model never does";
      }
    } else {
      int64_t MSub = A->SubDim, GSub = B->SubDim, MSz = A->SizeDim, GSz = B->SizeDim;
      bool BothMust = A->Must && B->Must;
      if (!A->HasSize && !B->HasSize) {
        R.Verdict = A->Must ? "match" : "unknown";
        R.Reason = A->Must ? "both plates have no size"
                           : "the model declares plate '" + K + "' only on some paths";
      } else if (A->HasSize != B->HasSize) {
        R.Verdict = "unknown";
        R.Reason = "only one side gives the plate a size";
      } else if (MSub >= 0 && GSub >= 0 && MSub != GSub && BothMust) {
        R.Verdict = "mismatch";
        R.Reason = "subsample sizes differ: model " + R.Model + ", guide " + R.Guide;
      } else if (MSz >= 0 && GSz >= 0 && GSz > MSz && BothMust) {
        R.Verdict = "mismatch";
        R.Reason =
            "the guide's plate is larger than the model's: model " + R.Model + ", guide " + R.Guide;
      } else if (Shape::isExact(MSub) && MSub == GSub && Shape::isExact(MSz) &&
                 Shape::isExact(GSz) && (MSz == GSz || (MSz >= 0 && GSz >= 0 && GSz <= MSz)) &&
                 A->Must) {
        R.Verdict = "match";
        R.Reason = "same subsample size, the guide's plate is not larger";
      } else {
        R.Verdict = "unknown";
        R.Reason = A->Must ? "plate sizes not known on both sides"
                           : "the model declares plate '" + K + "' only on some paths";
      }
    }
    Res.Plates.push_back(std::move(R));
  }

  // The sites an opaque call samples are named nowhere: they may have no
  // partner on the other side, so no verdict over all sites is "match".
  for (const auto &[Role, S, Dead] :
       {std::tuple{"model", &SM, MDead}, std::tuple{"guide", &SG, GDead}}) {
    const bool Opaque = !Dead && std::any_of(S->DynKeys.begin(), S->DynKeys.end(), [](const std::string &K) {
      return K.rfind("<opaque call to ", 0) == 0;
    });
    if (!Opaque)
      continue;
    SiteSupport R;
    R.Name = std::string("<sites of the ") + Role + "'s opaque calls>";
    R.Verdict = "unknown";
    R.Reason = std::string("the ") + Role + " may sample sites no statement names: " + DynWhy(*S);
    Res.Sites.push_back(std::move(R));
  }

  bool AnyMismatch = false, AllMatch = true;
  for (const SiteSupport &S : Res.Sites) {
    if (S.Verdict == "mismatch" || S.Verdict == "model-only" || S.Verdict == "guide-only")
      AnyMismatch = true;
    if (S.Verdict != "match")
      AllMatch = false;
  }
  for (const PlateSupport &P : Res.Plates) {
    if (P.Verdict == "mismatch" || P.Verdict == "guide-only")
      AnyMismatch = true;
    if (P.Verdict != "match" && P.Verdict != "model-only")
      AllMatch = false;
  }
  if (MDead || GDead)
    AllMatch = false;
  if (AnyMismatch)
    Res.Verdict = "mismatch";
  else if (AllMatch && Res.ShapeErrors.empty())
    Res.Verdict = "match";
  else
    Res.Verdict = "unknown";
  return Res;
}

} // namespace svic::analysis
