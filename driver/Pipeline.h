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
#include "svic/runtime/Engine.h"

#include <map>
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

/// Gives the analyses what a data file (the estimator's loader: JSON, CSV,
/// .npy/.npz) says about the entry inputs of \p P: before the body, a scalar
/// input is assigned its value, an array input is viewed as its shape and
/// clamped to the range of its values (the identity on that data). Returns the
/// names in \p Data that are inputs of \p P.
std::vector<std::string> bindInputData(ir::Program &P,
                                       const std::map<std::string, runtime::Array> &Data);

/// Runs numeric, smoothness (for \p Props), support match and
/// reparameterisation selection on a loaded run.
void runAnalyses(AnalysisRun &Run, const std::vector<analysis::Property> &Props,
                 const SourceManager &SM);

} // namespace svic::driver
