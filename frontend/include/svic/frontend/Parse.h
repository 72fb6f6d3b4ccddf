//===- Parse.h - Source text to the Python AST ------------------------------===//
///
/// \file
/// Runs the ANTLR lexer/parser (SLL first, LL on failure) over a file of the
/// SourceManager and builds the AST of Ast.h. Syntax, indentation and encoding
/// errors go to the DiagnosticEngine with their positions; no exception
/// escapes and nothing is printed. ANTLR stays out of this header.
//===----------------------------------------------------------------------===//
#pragma once

#include "svic/frontend/Ast.h"
#include "svic/ir/Diagnostics.h"
#include "svic/ir/Source.h"

#include <memory>
#include <string>

namespace svic::frontend {

/// Parses file \p F. Returns null iff an error was reported.
std::unique_ptr<ast::Module> parseModule(FileId F, const SourceManager &SM, DiagnosticEngine &DE);

/// Source text of \p Loc (a single line; line breaks and indentation inside
/// the range collapse to one space). Empty when the location is invalid.
std::string sourceText(const SourceManager &SM, const SourceLoc &Loc);

} // namespace svic::frontend
