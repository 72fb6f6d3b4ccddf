//===- Pipeline.h - The stages of `svic analyze` and `svic sites` ----------===//
///
/// \file
/// Runs frontend and analyses in order and collects their facts. Rendering
/// lives in Report.h; nothing here prints.
//===----------------------------------------------------------------------===//
#pragma once

#include "svic/analysis/Numeric.h"
#include "svic/analysis/Reparam.h"
#include "svic/analysis/Smoothness.h"
#include "svic/analysis/Support.h"
#include "svic/frontend/Frontend.h"
#include "svic/ir/Diagnostics.h"
#include "svic/ir/IR.h"
#include "svic/ir/Sites.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace svic::driver {

struct InputOptions {
  std::string ModelPath;
  std::string GuidePath; ///< empty: the guide, if any, is in the model file
  frontend::EntryNames Entries;
};

struct ProgramFacts {
  const ir::Program *Prog = nullptr;
  std::string Path;
  std::vector<ir::SiteRecord> Sites;
  std::optional<analysis::NumericResult> Numeric;
  std::vector<analysis::SmoothnessResult> Smoothness; ///< one per requested property
};

struct AnalysisRun {
  frontend::LoadedPrograms Programs;
  std::vector<ProgramFacts> Facts; ///< model first, then guide if present
  std::optional<analysis::SupportResult> Support;
  std::optional<analysis::ReparamResult> Reparam;
  double ParseMs = 0;
  double AnalysisMs = 0;
};

/// Loads the programs and lists their sites. Empty optional iff input errors
/// were reported to \p DE.
std::optional<AnalysisRun> loadAndInventory(const InputOptions &In, SourceManager &SM,
                                            DiagnosticEngine &DE);

/// Runs numeric, smoothness (for \p Props), support match and
/// reparameterisation selection on a loaded run.
void runAnalyses(AnalysisRun &Run, const std::vector<analysis::Property> &Props,
                 const SourceManager &SM);

} // namespace svic::driver
