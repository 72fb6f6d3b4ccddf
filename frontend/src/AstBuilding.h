//===- AstBuilding.h - What both AST builders share (frontend-internal) ----===//
///
/// \file
/// The AST is built by two parsers over the same token stream: the
/// hand-written one (FastParse.cpp) and, when it declines, the ANTLR parse
/// tree walk (Parse.cpp). Everything that decides a node's content apart from
/// the grammar walk lives here, once: token positions to source locations,
/// number and string literals with f-string fields, the messages of
/// unsupported constructs, lambdas.
//===----------------------------------------------------------------------===//
#pragma once

#include "svic/frontend/Ast.h"
#include "svic/ir/Diagnostics.h"
#include "svic/ir/Source.h"

#include "PyroLexer.h"

#include <string>
#include <string_view>
#include <vector>

namespace svic::frontend {

using Tok = grammar::PyroLexer;

/// Maps ANTLR positions (line, code-point column) of one text to svic
/// locations (line, 1-based byte column).
class LocMap {
public:
  LocMap(FileId F, std::string_view Text, uint32_t FirstLineColShift);

  FileId file() const { return File; }

  /// 1-based byte column of code-point column \p Cp (0-based) on \p Line.
  uint32_t colOf(size_t Line, size_t Cp) const;
  /// For an antlr4::Token (ANTLR's parse) or a grammar::Lexeme (the fast
  /// parser's), which have the same accessors.
  template <typename TokenT> SourceLoc start(const TokenT *T) const;
  /// Location spanning \p First .. \p Last (inclusive).
  template <typename TokenT> SourceLoc span(const TokenT *First, const TokenT *Last) const;

private:
  FileId File;
  std::string_view Text;
  uint32_t FirstLineShift;
  std::vector<size_t> LineStarts;
  std::vector<bool> NonAscii;
};

/// NEWLINE, INDENT, DEDENT and EOF: never the last token of a node's location.
bool isLayoutToken(size_t Type);

std::unique_ptr<ast::Constant> makeInteger(std::string Text);
double parseFloat(std::string Text);

ast::BinOpKind binOpOfToken(size_t Type);
/// The operator of an augmented assignment token (`+=` ...).
ast::BinOpKind augOpOfToken(size_t Type);
/// The comparison starting with token \p First; \p Second is the next token
/// (`not in`, `is not`).
ast::CmpOpKind cmpOpOfTokens(size_t First, size_t Second);

/// Constructs the grammar reads and svic keeps as Unsupported nodes.
enum class Construct {
  Break,
  Continue,
  YieldStmt,
  Raise,
  Del,
  Global,
  Nonlocal,
  Match,
  AsyncWith,
  AsyncFor,
  YieldExpr,
  Walrus,
  Await,
  AsyncComp,
  DictUnpackComp,
};
std::unique_ptr<ast::Unsupported> unsupported(SourceLoc L, Construct C);
std::unique_ptr<ast::UnsupportedStmt> unsupportedStmt(SourceLoc L, Construct C);

/// Builds a tuple from \p Elems unless there is one element and no comma.
ast::ExprPtr tupleOrSingle(SourceLoc L, std::vector<ast::ExprPtr> Elems, bool HasComma);
/// `lambda params: body` as the function `def <lambda>(params): return body`.
ast::ExprPtr makeLambda(SourceLoc L, std::vector<ast::Param> Params, ast::ExprPtr Body);
/// Splits a class's arguments into bases and keywords.
void setClassArgs(ast::ClassDef &C, std::vector<ast::Arg> Args);

/// An f-string field is parsed, like CPython does, in parentheses so that it
/// may span lines.
std::string wrapField(const std::string &Text);
/// Moves the locations of a field's tree, parsed from wrapField's text, to
/// where the field is in the file (\p At).
void placeField(ast::Expr &E, SourceLoc At);

/// The state and literal handling both builders share; each supplies the
/// parse of an f-string field with its own parser.
class BuilderBase {
public:
  bool failed() const { return Failed; }

protected:
  BuilderBase(const LocMap &LM, DiagnosticEngine &DE) : LM(LM), DE(DE) {}
  virtual ~BuilderBase() = default;

  const LocMap &LM;
  DiagnosticEngine &DE;
  bool Failed = false;

  template <typename T> static std::unique_ptr<T> node(SourceLoc L) {
    auto N = std::make_unique<T>();
    N->Loc = L;
    return N;
  }

  void stringError(SourceLoc L, std::string Msg);
  void fieldError(SourceLoc At, const std::string &Text);
  void nestedTooDeeply(SourceLoc L);

  /// The Constant or FString of the adjacent STRING tokens \p Strings, at \p L.
  template <typename TokenT>
  ast::ExprPtr strings(const std::vector<const TokenT *> &Strings, SourceLoc L);

  /// The expression of an f-string replacement field \p Text at \p At;
  /// null after reporting an error.
  virtual ast::ExprPtr parseField(const std::string &Text, SourceLoc At) = 0;

private:
  bool DeepReported = false;
};

} // namespace svic::frontend
