//===- Lower.h - AST to core IR (frontend-internal) -------------------------===//
#pragma once

#include "svic/frontend/Ast.h"
#include "svic/ir/Diagnostics.h"
#include "svic/ir/IR.h"

#include <memory>

namespace svic::frontend {

/// Lowers the module-level statements of \p M followed by the body of
/// \p Entry into a Program. Errors are reported to \p DE; the returned program
/// is complete but meaningless when errors were reported.
std::unique_ptr<ir::Program> lowerProgram(const ast::Module &M, const ast::FunctionDef &Entry,
                                          ir::Role R, SourceManager &SM, DiagnosticEngine &DE);

} // namespace svic::frontend
