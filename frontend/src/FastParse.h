//===- FastParse.h - Hand-written parser for the common case (internal) ----===//
///
/// \file
/// A recursive-descent parser (precedence climbing for operators) for the
/// grammar of grammar/PyroParser.g4, over the tokens of the IndentingLexer,
/// building the AST the ANTLR parse-tree builder builds, with the same
/// locations. It never reports: at a syntax error, a lexical error, a string
/// literal error, deep nesting or any input whose ANTLR parse it does not
/// mirror exactly, it declines and the ANTLR parse runs as before (so every
/// diagnostic comes from there). Declining is always correct; accepting
/// input ANTLR rejects, or building a different tree, is a bug, which the
/// differential test and the fuzzer look for.
//===----------------------------------------------------------------------===//
#pragma once

#include "AstBuilding.h"

#include <memory>
#include <string>

namespace svic::frontend {

/// The AST of \p Text (without a byte order mark), or null when declined.
std::unique_ptr<ast::Module> fastParseModule(const std::string &Text, const LocMap &LM);

} // namespace svic::frontend
