//===- TestUtil.h - Building IR from source strings in tests ----------------===//
#pragma once

#include "svic/frontend/Frontend.h"
#include "svic/ir/Diagnostics.h"
#include "svic/ir/IR.h"
#include "svic/ir/Source.h"

#include <memory>
#include <string>

namespace svic::test {

/// A model (and optional guide) lowered from in-memory source.
struct Lowered {
  SourceManager SM;
  DiagnosticEngine DE;
  std::optional<frontend::LoadedPrograms> Programs;

  bool ok() const { return Programs.has_value() && !DE.hasErrors(); }
  const ir::Program &model() const { return *Programs->Model; }
  const ir::Program &guide() const { return *Programs->Guide; }
  /// Every diagnostic rendered as `line:col: message [id]`, one per line.
  std::string diags() const;
  /// The printed IR of the model (without the header lines).
  std::string modelIr() const;
  std::string guideIr() const;
};

std::unique_ptr<Lowered> lower(const std::string &Source, frontend::EntryNames Names = {},
                               const std::string &GuideSource = "");

/// Wraps \p Body (indented by 4) as the body of `def model():` after the usual
/// imports.
std::string inModel(const std::string &Body, const std::string &Params = "");

/// Lowers \p Source, expects exactly one error diagnostic and returns it as
/// `line:col: message [id]`.
std::string firstError(const std::string &Source);

} // namespace svic::test
