//===- Report.cpp - Text, JSON (schema v1) and SARIF renderings -------------===//

#include "Report.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

namespace svic::driver {

using analysis::NameVerdict;
using analysis::Property;
using analysis::SmoothnessResult;

namespace {

const char *roleName(const ir::Program &P) {
  return P.ProgramRole == ir::Role::Model ? "model" : "guide";
}

Json locationJson(const SourceLoc &L, const SourceManager &SM) {
  Json J;
  auto [Cell, Line] = SM.cellLine(L.File, L.Line);
  if (Cell)
    J["cell"] = Cell;
  J["line"] = Line;
  J["column"] = L.Col;
  return J;
}

/// A location with its file, and the call sites it was inlined through.
Json fileLocationJson(const SourceLoc &L, const SourceManager &SM) {
  Json J;
  if (L.File != 0)
    J["file"] = SM.path(L.File);
  if (L.valid()) {
    auto [Cell, Line] = SM.cellLine(L.File, L.Line);
    if (Cell)
      J["cell"] = Cell;
    J["line"] = Line;
    J["column"] = L.Col;
  }
  Json Frames = Json::array();
  for (InlineId F = L.Inlined; F != 0; F = SM.inlineFrame(F).CallSite.Inlined) {
    const InlineFrame &Frame = SM.inlineFrame(F);
    Json Fr = locationJson(Frame.CallSite, SM);
    Fr["function"] = Frame.Callee;
    Frames.push_back(std::move(Fr));
  }
  if (!Frames.empty())
    J["inlinedFrom"] = std::move(Frames);
  return J;
}

Json siteJson(const ir::SiteRecord &S, const SourceManager &SM) {
  Json J;
  J["name"] = S.Name;
  J["kind"] = S.Kind;
  if (!S.Distribution.empty())
    J["distribution"] = S.Distribution;
  if (!S.Support.empty())
    J["support"] = S.Support;
  if (!S.SupportDetail.empty())
    J["supportDetail"] = S.SupportDetail;
  // An opaque distribution's site: whether its values are discrete is unknown.
  if (S.Support == ir::supportName(ir::SupportKind::Unknown))
    J["discrete"] = nullptr;
  else
    J["discrete"] = S.Discrete;
  J["reparameterizable"] = S.Reparameterizable;
  J["location"] = locationJson(S.Loc, SM);
  return J;
}

Json diagnosticJson(const Diagnostic &D, const SourceManager &SM) {
  Json J;
  J["id"] = diagName(D.Id);
  J["severity"] = severityName(D.Sev);
  J["message"] = D.Message;
  J["location"] = fileLocationJson(D.Loc, SM);
  if (!D.Notes.empty()) {
    Json Notes = Json::array();
    for (const DiagNote &N : D.Notes)
      Notes.push_back(Json{{"message", N.Message}, {"location", fileLocationJson(N.Loc, SM)}});
    J["notes"] = std::move(Notes);
  }
  return J;
}

Json toolJson() { return Json{{"name", "svic"}, {"version", SVIC_VERSION}}; }

std::string_view adjective(Property P) {
  switch (P) {
  case Property::Diff:
    return "differentiable";
  case Property::Lips:
    return "locally Lipschitz";
  case Property::Cont:
    return "continuous";
  }
  return "smooth";
}

std::string joinNames(const std::vector<std::string> &Names) {
  if (Names.empty())
    return "-";
  std::string Out;
  for (const std::string &N : Names)
    Out += (Out.empty() ? "" : ", ") + N;
  return Out;
}

/// "z -> h -> out"; a variable named like its site appears once.
std::string chainText(const std::vector<std::string> &Chain) {
  std::string Out;
  for (size_t I = 0; I < Chain.size(); ++I)
    if (I == 0 || Chain[I] != Chain[I - 1])
      Out += (Out.empty() ? "" : " -> ") + Chain[I];
  return Out;
}

/// One warning per (program, name): the weakest requested property that is
/// not proved names the problem, and the strongest proved one is reported
/// alongside, so users read one line instead of three.
void smoothnessDiagnostics(const ProgramFacts &F, std::vector<Diagnostic> &Out) {
  if (F.Smoothness.empty())
    return;
  const std::vector<NameVerdict> &Names = F.Smoothness.front().Names;
  for (size_t I = 0; I < Names.size(); ++I) {
    const NameVerdict &First = Names[I];
    if (First.Discrete)
      continue;
    const SmoothnessResult *WeakestBroken = nullptr;
    const SmoothnessResult *StrongestProved = nullptr;
    for (const SmoothnessResult &R : F.Smoothness) {
      const NameVerdict &V = R.Names[I];
      if (!V.Smooth && (!WeakestBroken || R.Prop > WeakestBroken->Prop))
        WeakestBroken = &R;
      if (V.Smooth && (!StrongestProved || R.Prop < StrongestProved->Prop))
        StrongestProved = &R;
    }
    if (!WeakestBroken)
      continue;
    const NameVerdict &V = WeakestBroken->Names[I];
    std::string What = First.IsParam ? "parameter" : "latent";
    std::string Msg = std::string(roleName(*F.Prog)) + " density may not be " +
                      std::string(adjective(WeakestBroken->Prop)) + " in " + What + " '" + V.Name +
                      "'";
    if (StrongestProved)
      Msg += " (proved " + std::string(adjective(StrongestProved->Prop)) + ")";
    SourceLoc Anchor = V.Witnesses.empty() ? SourceLoc{} : V.Witnesses.front().Loc;
    Diagnostic D{DiagId::SmoothMayBreak, Severity::Warning, Anchor, Msg, {}};
    for (const analysis::Witness &Wit : V.Witnesses) {
      std::string Note = "'" + Wit.Operation + "' depends on '" + V.Name + "'";
      std::string Chain = chainText(Wit.Chain);
      if (Chain != V.Name)
        Note += " through " + Chain;
      D.Notes.push_back(DiagNote{Wit.Loc, std::move(Note)});
    }
    Out.push_back(std::move(D));
  }
}

/// Operations and distribution parameters the numeric pre-analysis could not
/// prove inside their domain: the reason behind many may-break verdicts.
void numericDiagnostics(const ProgramFacts &F, std::vector<Diagnostic> &Out) {
  if (!F.Numeric)
    return;
  for (const analysis::NumericResult::DomainIssue &I : F.Numeric->domainIssues())
    Out.push_back(Diagnostic{DiagId::NumericDomain, Severity::Warning, I.Loc, I.What, {}});
}

const ir::SiteRecord *findSite(const ProgramFacts &F, const std::string &Name,
                               const std::string &Kind = "sample") {
  for (const ir::SiteRecord &S : F.Sites)
    if (S.Name == Name && S.Kind == Kind)
      return &S;
  return nullptr;
}

void supportDiagnostics(const AnalysisRun &Run, std::vector<Diagnostic> &Out) {
  if (!Run.Support)
    return;
  for (const analysis::SiteSupport &S : Run.Support->Sites) {
    if (S.Verdict == "match")
      continue;
    if (S.Verdict == "mismatch") {
      // Equal supports and a shape reason: the value's shape differs (the
      // note says how), not its support.
      bool ShapeOnly = S.GuideSupport == S.ModelSupport && (S.Reason.rfind("value shapes differ", 0) == 0 ||
                                                            S.Reason.rfind("event dims differ", 0) == 0);
      Diagnostic D{DiagId::SupportMismatch, Severity::Error, S.GuideLoc,
                   ShapeOnly ? "guide samples '" + S.Name + "' from " + S.GuideDistribution +
                                   " with a value of another shape than the model's (both supports are " +
                                   S.ModelSupport + ")"
                             : "guide samples '" + S.Name + "' from " + S.GuideDistribution + " (support: " +
                                   S.GuideSupport + ") but the model's support is " + S.ModelSupport,
                   {}};
      D.Notes.push_back(DiagNote{S.ModelLoc, "the model samples '" + S.Name + "' from " +
                                                 S.ModelDistribution + " here"});
      if (!S.Reason.empty())
        D.Notes.push_back(DiagNote{S.GuideLoc, S.Reason});
      Out.push_back(std::move(D));
    } else if (S.Verdict == "model-only") {
      Out.push_back(Diagnostic{DiagId::SupportModelOnly, Severity::Error, S.ModelLoc,
                               "the model samples '" + S.Name +
                                   "' but the guide never does; every latent needs a guide site",
                               {}});
    } else if (S.Verdict == "guide-only") {
      Out.push_back(Diagnostic{DiagId::SupportGuideOnly, Severity::Error, S.GuideLoc,
                               "the guide samples '" + S.Name + "' but the model never does",
                               {}});
    } else {
      SourceLoc At = S.GuideLoc.valid() ? S.GuideLoc : S.ModelLoc;
      Out.push_back(Diagnostic{DiagId::SupportUnknown, Severity::Warning, At,
                               "could not prove that the supports of '" + S.Name +
                                   "' match: " + S.Reason,
                               {}});
    }
  }
  // A plate the guide has and the model lacks changes the guide's density
  // scaling; Pyro only warns, but the ELBO is then not the model's.
  for (const analysis::PlateSupport &P : Run.Support->Plates) {
    if (P.Verdict == "match" || P.Verdict == "model-only")
      continue;
    SourceLoc At = P.GuideLoc.valid() ? P.GuideLoc : P.ModelLoc;
    bool Definite = P.Verdict != "unknown";
    Out.push_back(Diagnostic{Definite ? DiagId::SupportMismatch : DiagId::SupportUnknown,
                             Definite ? Severity::Error : Severity::Warning, At,
                             "plate '" + P.Name + "' differs between model and guide: " + P.Reason,
                             {}});
  }
  for (const analysis::ShapeError &E : Run.Support->ShapeErrors)
    Out.push_back(Diagnostic{E.DuplicateSite ? DiagId::DuplicateSite : DiagId::ShapeError,
                             Severity::Error, E.Loc, E.Message, {}});
}

void reparamDiagnostics(const AnalysisRun &Run, std::vector<Diagnostic> &Out) {
  if (!Run.Reparam || Run.Facts.size() < 2)
    return;
  const ProgramFacts &Model = Run.Facts[0], &Guide = Run.Facts[1];
  const std::string ParamPrefix = "parameter ";
  for (const std::string &Reason : Run.Reparam->Reasons) {
    std::string Name = Reason.substr(0, Reason.find(':'));
    std::string Why = Reason.substr(std::min(Reason.size(), Name.size() + 2));
    if (Name.compare(0, ParamPrefix.size(), ParamPrefix) == 0) {
      // The condition fails in a parameter whatever the latents use: the
      // selected latents stay pathwise, and this gradient may be biased.
      Name = Name.substr(ParamPrefix.size());
      const ir::SiteRecord *S = findSite(Guide, Name, "param");
      if (!S)
        S = findSite(Model, Name, "param");
      std::string Message =
          "the selective reparameterisation condition does not hold in parameter '" + Name +
          "' (" + Why + "): its gradient estimate may be biased under any estimator; the " +
          "selected latents keep the pathwise estimator";
      SourceLoc Loc = S ? S->Loc : SourceLoc{Guide.Prog->File, 0, 0, 0, 0, 0};
      Out.push_back(
          Diagnostic{DiagId::ReparamConditionFailed, Severity::Warning, Loc, Message, {}});
      continue;
    }
    const ir::SiteRecord *S = findSite(Guide, Name);
    Out.push_back(Diagnostic{DiagId::ReparamScore, Severity::Note, S ? S->Loc : SourceLoc{},
                             "guide latent '" + Name +
                                 "' must use the score estimator to stay unbiased (" + Why + ")",
                             {}});
  }
}

std::vector<Diagnostic> sortedUnique(std::vector<Diagnostic> Ds) {
  DiagnosticEngine Sorter;
  for (Diagnostic &D : Ds) {
    Diagnostic &R = Sorter.report(D.Id, D.Sev, D.Loc, std::move(D.Message));
    R.Notes = std::move(D.Notes);
  }
  return Sorter.sorted();
}

Json smoothnessJson(const ProgramFacts &F, const SourceManager &SM) {
  Json Out = Json::object();
  for (const SmoothnessResult &R : F.Smoothness) {
    Json Smooth = Json::array(), MayBreak = Json::array();
    for (const NameVerdict &V : R.Names) {
      if (V.Smooth) {
        Smooth.push_back(V.Name);
        continue;
      }
      Json Wits = Json::array();
      for (const analysis::Witness &W : V.Witnesses)
        Wits.push_back(Json{{"operation", W.Operation},
                            {"location", fileLocationJson(W.Loc, SM)},
                            {"chain", W.Chain}});
      MayBreak.push_back(Json{{"name", V.Name}, {"witnesses", std::move(Wits)}});
    }
    Out[std::string(analysis::propertyName(R.Prop))] =
        Json{{"smooth", std::move(Smooth)}, {"mayBreak", std::move(MayBreak)}};
  }
  return Out;
}

Json programJson(const ProgramFacts &F, const SourceManager &SM, bool WithAnalyses) {
  Json P;
  P["role"] = roleName(*F.Prog);
  P["file"] = F.Path;
  P["function"] = F.Prog->EntryFunction;
  Json Sites = Json::array();
  for (const ir::SiteRecord &S : F.Sites)
    Sites.push_back(siteJson(S, SM));
  P["sites"] = std::move(Sites);
  if (WithAnalyses)
    P["smoothness"] = smoothnessJson(F, SM);
  return P;
}

Json supportJson(const analysis::SupportResult &S, const SourceManager &SM) {
  Json Sites = Json::array();
  for (const analysis::SiteSupport &Site : S.Sites) {
    Json J;
    J["name"] = Site.Name;
    J["model"] = Site.ModelSupport;
    J["guide"] = Site.GuideSupport;
    J["verdict"] = Site.Verdict;
    J["reason"] = Site.Reason;
    if (!Site.IndexRange.empty())
      J["indexRange"] = Site.IndexRange;
    if (!Site.ModelDistribution.empty())
      J["modelDistribution"] = Site.ModelDistribution;
    if (!Site.GuideDistribution.empty())
      J["guideDistribution"] = Site.GuideDistribution;
    if (Site.ModelLoc.valid())
      J["modelLocation"] = fileLocationJson(Site.ModelLoc, SM);
    if (Site.GuideLoc.valid())
      J["guideLocation"] = fileLocationJson(Site.GuideLoc, SM);
    Sites.push_back(std::move(J));
  }
  Json Plates = Json::array();
  for (const analysis::PlateSupport &P : S.Plates) {
    Json J{{"name", P.Name}, {"model", P.Model}, {"guide", P.Guide}, {"verdict", P.Verdict},
           {"reason", P.Reason}};
    if (P.ModelLoc.valid())
      J["modelLocation"] = fileLocationJson(P.ModelLoc, SM);
    if (P.GuideLoc.valid())
      J["guideLocation"] = fileLocationJson(P.GuideLoc, SM);
    Plates.push_back(std::move(J));
  }
  Json Errors = Json::array();
  for (const analysis::ShapeError &E : S.ShapeErrors)
    Errors.push_back(Json{{"message", E.Message},
                          {"kind", E.DuplicateSite ? "duplicate-site" : "shape"},
                          {"location", fileLocationJson(E.Loc, SM)}});
  return Json{{"verdict", S.Verdict},
              {"sites", std::move(Sites)},
              {"plates", std::move(Plates)},
              {"shapeErrors", std::move(Errors)}};
}

Json diagnosticsJson(const std::vector<Diagnostic> &Diags, const SourceManager &SM) {
  Json Out = Json::array();
  for (const Diagnostic &D : Diags)
    Out.push_back(diagnosticJson(D, SM));
  return Out;
}

/// Columns \p S takes on a terminal: its UTF-8 code points (site names may
/// be `θ`), not its bytes.
size_t displayWidth(const std::string &S) {
  return std::count_if(S.begin(), S.end(),
                       [](char C) { return (static_cast<unsigned char>(C) & 0xC0) != 0x80; });
}

std::string padRight(std::string S, size_t W) {
  if (size_t N = displayWidth(S); N < W)
    S.append(W - N, ' ');
  return S;
}

} // namespace

std::vector<Diagnostic> analysisDiagnostics(const AnalysisRun &Run, const SourceManager &SM) {
  std::vector<Diagnostic> Out;
  for (const ProgramFacts &F : Run.Facts) {
    smoothnessDiagnostics(F, Out);
    numericDiagnostics(F, Out);
  }
  supportDiagnostics(Run, Out);
  reparamDiagnostics(Run, Out);
  return sortedUnique(std::move(Out));
}

std::string renderSitesText(const AnalysisRun &Run, const SourceManager &SM) {
  std::ostringstream OS;
  for (const ProgramFacts &F : Run.Facts) {
    OS << roleName(*F.Prog) << " " << F.Path << " (" << F.Prog->EntryFunction << ")\n";
    if (F.Sites.empty())
      OS << "  (no sites)\n";
    size_t W = 4;
    for (const ir::SiteRecord &S : F.Sites)
      W = std::max(W, displayWidth(S.Name));
    for (const ir::SiteRecord &S : F.Sites) {
      std::string Support = S.SupportDetail.empty() ? S.Support : S.SupportDetail;
      OS << "  " << padRight(S.Name, W) << "  " << padRight(S.Kind, 7) << "  "
         << padRight(S.Distribution.empty() ? "-" : S.Distribution, 17) << "  "
         << padRight(Support.empty() ? "-" : Support, 20) << "  "
         << padRight(S.Kind == "sample" || S.Kind == "observe"
                         ? (S.Support == ir::supportName(ir::SupportKind::Unknown) ? "unknown"
                            : S.Discrete                                           ? "discrete"
                                                                                   : "continuous")
                         : "-",
                     10)
         << "  " << (S.Reparameterizable ? "rsample" : "-      ") << "  " << SM.position(S.Loc)
         << "\n";
    }
  }
  return OS.str();
}

Json sitesJson(const AnalysisRun *Run, const std::vector<Diagnostic> &Diags,
               const SourceManager &SM) {
  Json J;
  J["schemaVersion"] = SchemaVersion;
  J["tool"] = toolJson();
  Json Programs = Json::array();
  if (Run)
    for (const ProgramFacts &F : Run->Facts)
      Programs.push_back(programJson(F, SM, /*WithAnalyses=*/false));
  J["programs"] = std::move(Programs);
  J["diagnostics"] = diagnosticsJson(Diags, SM);
  return J;
}

std::string renderAnalyzeText(const AnalysisRun &Run, const std::vector<Diagnostic> &Diags,
                              const SourceManager &SM, bool Color) {
  std::ostringstream OS;
  for (const Diagnostic &D : Diags)
    OS << renderText(D, SM, Color);
  if (!Diags.empty())
    OS << "\n";
  OS << "summary\n";
  for (const ProgramFacts &F : Run.Facts) {
    OS << "  " << roleName(*F.Prog) << " " << F.Path << " (" << F.Prog->EntryFunction << ")\n";
    for (const SmoothnessResult &R : F.Smoothness) {
      std::vector<std::string> Smooth, Broken;
      for (const NameVerdict &V : R.Names)
        (V.Smooth ? Smooth : Broken).push_back(V.Name);
      OS << "    " << padRight(std::string(analysis::propertyName(R.Prop)), 5)
         << "smooth: " << joinNames(Smooth) << "\n"
         << "         may break: " << joinNames(Broken) << "\n";
    }
  }
  if (Run.Support) {
    std::map<std::string, int> Count;
    for (const analysis::SiteSupport &S : Run.Support->Sites)
      ++Count[S.Verdict];
    OS << "  support match: " << Run.Support->Verdict << " (";
    bool First = true;
    for (const auto &[Verdict, N] : Count) {
      OS << (First ? "" : ", ") << N << " " << Verdict;
      First = false;
    }
    if (Count.empty())
      OS << "no latent sites";
    OS << "; " << Run.Support->ShapeErrors.size() << " shape error"
       << (Run.Support->ShapeErrors.size() == 1 ? "" : "s") << ")\n";
  }
  if (Run.Reparam) {
    OS << "  reparameterise (pathwise): " << joinNames(Run.Reparam->Selected) << "\n"
       << "  score estimator: " << joinNames(Run.Reparam->Score) << "\n"
       << "  selection condition: " << (Run.Reparam->ConditionHolds ? "holds" : "does not hold")
       << "\n";
  }
  if (Run.Facts.size() < 2)
    OS << "  (no guide: support match and reparameterisation need one; use --guide)\n";
  return OS.str();
}

Json analyzeJson(const AnalysisRun *Run, const std::vector<Diagnostic> &Diags,
                 const SourceManager &SM) {
  Json J;
  J["schemaVersion"] = SchemaVersion;
  J["tool"] = toolJson();
  J["analysisVersions"] = Json{{"numeric", 1}, {"smoothness", 1}, {"support", 1}, {"reparameterize", 1}};
  Json Programs = Json::array();
  if (Run)
    for (const ProgramFacts &F : Run->Facts)
      Programs.push_back(programJson(F, SM, /*WithAnalyses=*/true));
  J["programs"] = std::move(Programs);
  if (Run && Run->Support)
    J["supportMatch"] = supportJson(*Run->Support, SM);
  if (Run && Run->Reparam)
    J["reparameterize"] = Json{{"selected", Run->Reparam->Selected},
                               {"score", Run->Reparam->Score},
                               {"conditionHolds", Run->Reparam->ConditionHolds},
                               {"thetaConditionHolds", Run->Reparam->ThetaConditionHolds},
                               {"reasons", Run->Reparam->Reasons}};
  J["diagnostics"] = diagnosticsJson(Diags, SM);
  if (Run)
    J["timings"] = Json{{"parseMs", Run->ParseMs}, {"analysisMs", Run->AnalysisMs}};
  return J;
}

Json sarifLog(const std::vector<Diagnostic> &Diags, const SourceManager &SM) {
  auto Level = [](Severity S) {
    switch (S) {
    case Severity::Error:
      return "error";
    case Severity::Warning:
      return "warning";
    case Severity::Note:
      return "note";
    }
    return "none";
  };
  auto PhysicalLocation = [&](const SourceLoc &L) {
    Json Loc;
    Json Phys;
    if (L.File != 0)
      Phys["artifactLocation"] = Json{{"uri", SM.path(L.File)}};
    if (L.valid())
      Phys["region"] = Json{{"startLine", L.Line}, {"startColumn", L.Col}};
    Loc["physicalLocation"] = std::move(Phys);
    return Loc;
  };
  Json Rules = Json::array();
  for (DiagId Id : allDiagIds())
    Rules.push_back(Json{{"id", diagName(Id)},
                         {"shortDescription", Json{{"text", diagDoc(Id)}}},
                         {"defaultConfiguration", Json{{"level", Level(diagDefaultSeverity(Id))}}}});
  Json Results = Json::array();
  for (const Diagnostic &D : Diags) {
    Json R;
    R["ruleId"] = diagName(D.Id);
    R["ruleIndex"] = static_cast<int>(D.Id);
    R["level"] = Level(D.Sev);
    R["message"] = Json{{"text", D.Message}};
    R["locations"] = Json::array({PhysicalLocation(D.Loc)});
    if (!D.Notes.empty()) {
      Json Related = Json::array();
      for (size_t I = 0; I < D.Notes.size(); ++I) {
        Json Rel = PhysicalLocation(D.Notes[I].Loc);
        Rel["id"] = I;
        Rel["message"] = Json{{"text", D.Notes[I].Message}};
        Related.push_back(std::move(Rel));
      }
      R["relatedLocations"] = std::move(Related);
    }
    Results.push_back(std::move(R));
  }
  Json Driver{{"name", "svic"}, {"version", SVIC_VERSION}, {"rules", std::move(Rules)}};
  Json Run{{"tool", Json{{"driver", std::move(Driver)}}}, {"results", std::move(Results)}};
  return Json{{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
              {"version", "2.1.0"},
              {"runs", Json::array({std::move(Run)})}};
}

} // namespace svic::driver
