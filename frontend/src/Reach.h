//===- Reach.h - What the entry functions reach (frontend-internal) --------===//
///
/// \file
/// svic analyses what the entry functions reach, not what the file holds
/// (SPEC §3): the module-level statements that bind a name an entry reads,
/// transitively through the names those statements (and the bodies of the
/// functions and classes they define) read in turn. Everything else (argparse
/// set-up, `main()`, plotting, data loading, unused classes) is skipped.
/// Imports only bind names, so they are always kept. The reach is computed on
/// the AST by names, before lowering; it over-approximates (a name read by
/// any method of a reached class counts), which is safe: a statement kept for
/// nothing is lowered but changes no site.
//===----------------------------------------------------------------------===//
#pragma once

#include "svic/frontend/Ast.h"

#include <set>
#include <string>
#include <vector>

namespace svic::frontend {

/// Names \p F reads from enclosing scopes: every name its body (and its
/// decorators, defaults and nested functions) reads that is not one of its
/// locals or parameters.
std::set<std::string> freeNames(const ast::FunctionDef &F);

/// For each statement of \p M, whether lowering \p Entries needs it; \p Roots
/// are further names they need (the class of an entry method).
std::vector<bool> reachedStatements(const ast::Module &M,
                                    const std::vector<const ast::FunctionDef *> &Entries,
                                    const std::set<std::string> &Roots = {});

/// The names expression \p E reads.
std::set<std::string> exprNames(const ast::Expr &E);

/// Calls `Name(...)` anywhere in \p M (module level, function and class
/// bodies); with \p Qualified also `x.Name(...)`.
void findCalls(const ast::Module &M, const std::string &Name, std::vector<const ast::Call *> &Out,
               bool Qualified = false);

/// The module-level functions (the last definition of each name) that call
/// `pyro.sample` or a module-level function that does, by name: candidate
/// entries, in file order.
std::vector<const ast::FunctionDef *> samplingFunctions(const ast::Module &M);

/// `if __name__ == "__main__":` (or any test of `__name__`): never runs when
/// the file is loaded as a model.
bool isMainGuard(const ast::Stmt &S);

} // namespace svic::frontend
