//===- Diagnostics.cpp - Located diagnostics with stable ids ---------------===//

#include "svic/ir/Diagnostics.h"

#include <algorithm>
#include <tuple>

namespace svic {

namespace {
struct DiagRow {
  std::string_view Name;
  Severity Sev;
  std::string_view Doc;
};
const DiagRow Rows[] = {
#define SVIC_DIAG(Id, Name, Sev, Doc) {Name, Severity::Sev, Doc},
#include "svic/ir/DiagIds.def"
};
} // namespace

std::string_view diagName(DiagId Id) { return Rows[static_cast<size_t>(Id)].Name; }
std::string_view diagDoc(DiagId Id) { return Rows[static_cast<size_t>(Id)].Doc; }
Severity diagDefaultSeverity(DiagId Id) { return Rows[static_cast<size_t>(Id)].Sev; }

std::string_view severityName(Severity S) {
  switch (S) {
  case Severity::Note:
    return "note";
  case Severity::Warning:
    return "warning";
  case Severity::Error:
    return "error";
  }
  return "error";
}

std::vector<DiagId> allDiagIds() {
  std::vector<DiagId> Ids;
  for (size_t I = 0; I < std::size(Rows); ++I)
    Ids.push_back(static_cast<DiagId>(I));
  return Ids;
}

Diagnostic &DiagnosticEngine::report(DiagId Id, SourceLoc Loc, std::string Message) {
  return report(Id, diagDefaultSeverity(Id), Loc, std::move(Message));
}

Diagnostic &DiagnosticEngine::report(DiagId Id, Severity Sev, SourceLoc Loc, std::string Message) {
  if (Sev == Severity::Error)
    ++Errors;
  Diags.push_back(Diagnostic{Id, Sev, Loc, std::move(Message), {}});
  return Diags.back();
}

std::vector<Diagnostic> DiagnosticEngine::sorted() const {
  std::vector<Diagnostic> Out = Diags;
  auto Key = [](const Diagnostic &D) {
    return std::make_tuple(D.Loc.File, D.Loc.Line, D.Loc.Col, static_cast<int>(D.Id),
                           std::string_view(D.Message));
  };
  std::stable_sort(Out.begin(), Out.end(),
                   [&](const Diagnostic &A, const Diagnostic &B) { return Key(A) < Key(B); });
  Out.erase(std::unique(Out.begin(), Out.end(),
                        [&](const Diagnostic &A, const Diagnostic &B) { return Key(A) == Key(B); }),
            Out.end());
  return Out;
}

static void renderLocated(std::string &Out, const SourceManager &SM, SourceLoc Loc,
                          std::string_view Label, std::string_view LabelColor,
                          std::string_view Message, std::string_view Suffix, bool Color) {
  const char *Bold = Color ? "\x1b[1m" : "";
  const char *Reset = Color ? "\x1b[0m" : "";
  Out += Bold;
  if (Loc.File != 0) {
    Out += SM.path(Loc.File);
    if (Loc.valid())
      Out += ":" + SM.position(Loc);
    Out += ": ";
  }
  Out += Color ? std::string(LabelColor) : "";
  Out += Label;
  Out += ": ";
  Out += Reset;
  Out += Bold;
  Out += Message;
  Out += Reset;
  Out += Suffix;
  Out += "\n";
  std::string_view Line = SM.lineText(Loc.File, Loc.Line);
  if (Line.empty())
    return;
  std::string Num = std::to_string(SM.cellLine(Loc.File, Loc.Line).second);
  Out += " " + Num + " | " + std::string(Line) + "\n";
  Out += " " + std::string(Num.size(), ' ') + " | ";
  // Tabs keep their width so the caret lines up.
  for (uint32_t I = 1; I < Loc.Col && I - 1 < Line.size(); ++I)
    Out += Line[I - 1] == '\t' ? '\t' : ' ';
  Out += Color ? "\x1b[32m^\x1b[0m\n" : "^\n";
}

std::string renderText(const Diagnostic &D, const SourceManager &SM, bool Color) {
  static constexpr std::string_view SevColor[] = {"\x1b[36m", "\x1b[35m", "\x1b[31m"};
  std::string Out;
  std::string Suffix = " [" + std::string(diagName(D.Id)) + "]";
  renderLocated(Out, SM, D.Loc, severityName(D.Sev), SevColor[static_cast<int>(D.Sev)], D.Message,
                Suffix, Color);
  for (InlineId F = D.Loc.Inlined; F != 0; F = SM.inlineFrame(F).CallSite.Inlined) {
    const InlineFrame &Frame = SM.inlineFrame(F);
    renderLocated(Out, SM, Frame.CallSite, "note", SevColor[0],
                  "in code inlined from this call to '" + Frame.Callee + "'", "", Color);
  }
  for (const DiagNote &N : D.Notes)
    renderLocated(Out, SM, N.Loc, "note", SevColor[0], N.Message, "", Color);
  return Out;
}

} // namespace svic
