//===- Parse.h - Source text to the Python AST ------------------------------===//
///
/// \file
/// Builds the AST of Ast.h for a file of the SourceManager: with the
/// hand-written parser (FastParse.cpp), or, where it declines (any syntax
/// error among others), with the ANTLR parser (SLL first, LL on failure).
/// Syntax, indentation and encoding errors go to the DiagnosticEngine with
/// their positions; no exception escapes and nothing is printed. ANTLR stays
/// out of this header.
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

/// Which parser builds the AST: the hand-written one, falling back to ANTLR
/// (Auto, what parseModule above does unless SVIC_PARSER=antlr is set); only
/// the hand-written one (Fast: null without a diagnostic where it declines);
/// or only ANTLR. The two must build equal trees (tests/frontend).
enum class ParserPath { Auto, Fast, Antlr };
std::unique_ptr<ast::Module> parseModule(FileId F, const SourceManager &SM, DiagnosticEngine &DE,
                                         ParserPath Path);

/// Source text of \p Loc (a single line; line breaks and indentation inside
/// the range collapse to one space). Empty when the location is invalid.
std::string sourceText(const SourceManager &SM, const SourceLoc &Loc);

} // namespace svic::frontend
