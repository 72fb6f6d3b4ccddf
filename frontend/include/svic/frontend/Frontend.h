//===- Frontend.h - Python files to svic IR programs ------------------------===//
///
/// \file
/// The frontend's public API, called by the driver and by the analyses'
/// tests: parse the model (and guide) file, resolve names, inline helper
/// functions and lower the entry functions to the core IR (IR.h). All
/// problems are reported through the DiagnosticEngine with their locations;
/// nothing is printed and no exception escapes. ANTLR stays behind this API.
//===----------------------------------------------------------------------===//
#pragma once

#include "svic/ir/Diagnostics.h"
#include "svic/ir/IR.h"
#include "svic/ir/Source.h"

#include <memory>
#include <optional>
#include <set>
#include <string>

namespace svic::frontend {

/// Entry-function names; an empty name selects the default rule (SPEC §3).
struct EntryNames {
  std::string ModelFn, GuideFn;
  /// Entry parameters the caller passes (the names a --data file holds). An
  /// entry parameter with a literal default (`T=20`) that is not given is that
  /// value; a given one, or one without such a default, is an input.
  std::set<std::string> GivenInputs = {};
};

struct LoadedPrograms {
  std::unique_ptr<ir::Program> Model;
  std::unique_ptr<ir::Program> Guide; ///< null when there is no guide
  /// The autoguide class the guide was synthesised from (empty: written).
  std::string AutoGuide;
  /// The synthesised guide holds per-site marginals, not the joint of a
  /// packed latent vector: right for the analyses, not for the estimator.
  bool AutoGuideMarginal = false;
};

/// Loads ModelPath (and GuidePath if non-empty) and lowers the entry functions.
/// Default entry rule: model file: ModelFn if given, else `model`, else `main`;
/// guide: GuidePath's (or the model file's) GuideFn if given, else `guide`,
/// else (only when GuidePath is a separate file) `main`. A missing model entry
/// is a frontend.missing-entry error; a missing guide that was not asked for
/// explicitly (no GuidePath, no GuideFn) leaves Guide null. Returns nullopt iff
/// errors were reported.
std::optional<LoadedPrograms> loadPrograms(const std::string &ModelPath,
                                           const std::string &GuidePath, const EntryNames &Names,
                                           SourceManager &SM, DiagnosticEngine &DE);

/// Same from in-memory text (tests): the files are named by Path, with
/// contents Text. An empty GuidePath means no separate guide file.
std::optional<LoadedPrograms> loadProgramsFromText(const std::string &Path, const std::string &Text,
                                                   const std::string &GuidePath,
                                                   const std::string &GuideText,
                                                   const EntryNames &Names, SourceManager &SM,
                                                   DiagnosticEngine &DE);

/// `svic parse`: reads and parses \p Path (syntax only: nothing is resolved
/// or lowered). False iff an error was reported.
bool checkSyntax(const std::string &Path, SourceManager &SM, DiagnosticEngine &DE);

/// `--dump-ast`: a readable dump of the parsed file's AST; nullopt on syntax
/// (or I/O, encoding) errors.
std::optional<std::string> dumpAst(const std::string &Path, SourceManager &SM,
                                   DiagnosticEngine &DE);

} // namespace svic::frontend
