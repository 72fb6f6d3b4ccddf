//===- Report.h - Text, JSON (schema v1) and SARIF renderings ---------------===//
///
/// \file
/// The only place results become text. Analysis facts are first turned into
/// Diagnostics (so text and SARIF share ids, severities and locations), then
/// rendered. Output is deterministic: sorted by file, line, column and id.
//===----------------------------------------------------------------------===//
#pragma once

#include "Pipeline.h"

#include <nlohmann/json.hpp>

namespace svic::driver {

using Json = nlohmann::ordered_json;

inline constexpr int SchemaVersion = 1;

/// Diagnostics describing the analysis facts: may-break warnings, support
/// verdicts, shape errors, reparameterisation notes.
std::vector<Diagnostic> analysisDiagnostics(const AnalysisRun &Run, const SourceManager &SM);

std::string renderSitesText(const AnalysisRun &Run, const SourceManager &SM);
Json sitesJson(const AnalysisRun *Run, const std::vector<Diagnostic> &Diags, const SourceManager &SM);

/// The readable report: every diagnostic with its excerpt, then a summary.
std::string renderAnalyzeText(const AnalysisRun &Run, const std::vector<Diagnostic> &Diags,
                              const SourceManager &SM, bool Color);
/// SPEC §8. \p Run is null when the input could not be loaded.
Json analyzeJson(const AnalysisRun *Run, const std::vector<Diagnostic> &Diags,
                 const SourceManager &SM);
Json sarifLog(const std::vector<Diagnostic> &Diags, const SourceManager &SM);

} // namespace svic::driver
