//===- Lower.h - AST to core IR (frontend-internal) -------------------------===//
#pragma once

#include "svic/frontend/Ast.h"
#include "svic/ir/Diagnostics.h"
#include "svic/ir/IR.h"

#include <memory>
#include <set>
#include <string>

namespace svic::frontend {

/// Lowers the module-level statements of \p M that \p Entry reaches followed
/// by the body of \p Entry into a Program. When \p EntryClass is set, Entry
/// is a method of it: the program first constructs one object of the class
/// (with the arguments of a static constructor call in the file, else the
/// parameter defaults) and binds `self` to it. An entry parameter with a
/// literal default that is not in \p GivenInputs is that value, not an input.
/// \p EntryCondition: the entry is a module-level `x = pyro.condition(Entry,
/// data={...})`, so it runs under that handler.
/// Errors are reported to \p DE;
/// the returned program is complete but meaningless when errors were reported.
std::unique_ptr<ir::Program> lowerProgram(const ast::Module &M, const ast::FunctionDef &Entry,
                                          const ast::ClassDef *EntryClass, ir::Role R,
                                          const std::set<std::string> &GivenInputs,
                                          SourceManager &SM, DiagnosticEngine &DE,
                                          const ast::Call *EntryCondition = nullptr);

} // namespace svic::frontend
