//===- Diagnostics.h - Located diagnostics with stable ids -----------------===//
///
/// \file
/// Producers (frontend, analyses) report Diagnostics into one engine and never
/// print; the driver renders them (text with source excerpt, JSON, SARIF). A
/// run keeps going after an error so one invocation reports every problem.
//===----------------------------------------------------------------------===//
#pragma once

#include "svic/ir/Source.h"

#include <string>
#include <string_view>
#include <vector>

namespace svic {

enum class Severity { Note, Warning, Error };

enum class DiagId {
#define SVIC_DIAG(Id, Name, Sev, Doc) Id,
#include "svic/ir/DiagIds.def"
};

std::string_view diagName(DiagId Id);
std::string_view diagDoc(DiagId Id);
Severity diagDefaultSeverity(DiagId Id);
std::string_view severityName(Severity S);
/// Every registered id, in registry order (for docs and SARIF rules).
std::vector<DiagId> allDiagIds();

struct DiagNote {
  SourceLoc Loc;
  std::string Message;
};

struct Diagnostic {
  DiagId Id;
  Severity Sev;
  SourceLoc Loc;
  std::string Message; ///< lowercase, no final period (LLVM style)
  std::vector<DiagNote> Notes;
};

class DiagnosticEngine {
public:
  /// Reports with the id's default severity; the returned reference stays valid
  /// until the next report and is for attaching notes.
  Diagnostic &report(DiagId Id, SourceLoc Loc, std::string Message);
  Diagnostic &report(DiagId Id, Severity Sev, SourceLoc Loc, std::string Message);

  bool hasErrors() const { return Errors > 0; }
  size_t errorCount() const { return Errors; }
  const std::vector<Diagnostic> &diagnostics() const { return Diags; }
  /// Diagnostics sorted by (file, line, column, id), duplicates removed.
  std::vector<Diagnostic> sorted() const;

private:
  std::vector<Diagnostic> Diags;
  size_t Errors = 0;
};

/// `file:line:col: severity: message [id]`, the source line with a caret under
/// the column, then each note the same way (and "inlined from" notes).
std::string renderText(const Diagnostic &D, const SourceManager &SM, bool Color);

} // namespace svic
