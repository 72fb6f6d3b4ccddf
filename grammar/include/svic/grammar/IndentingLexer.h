//===- IndentingLexer.h - Python lexer with INDENT/DEDENT -------------------===//
///
/// \file
/// A token source with the tokens of PyroLexer.g4 (scanned by hand: the
/// generated lexer is not run, so its ATN is never loaded) that implements Python's
/// layout rules: NEWLINE tokens inside brackets are dropped (implicit line
/// joining) and so are blank and comment-only lines; a change of indentation
/// at the start of a logical line becomes INDENT or DEDENT tokens; the end of
/// the file closes every open block. It never throws: malformed input (an
/// unindent to no outer level, tabs and spaces mixed inconsistently, an
/// unterminated string, a stray character, an unclosed or mismatched bracket)
/// is recorded as a LexError that the frontend turns into a diagnostic.
///
/// `match` and `case` are soft keywords: a NAME `match` that starts a logical
/// line ending in ':' becomes MATCH, and a NAME `case` that starts a line at
/// the indentation of an open match statement's body becomes CASE.
///
/// Indentation levels are compared as strings, which is stricter than and
/// consistent with CPython's TabError rule: a deeper level must extend the
/// enclosing one's whitespace, and a dedent must return to exactly one of the
/// enclosing levels.
//===----------------------------------------------------------------------===//
#pragma once

#include "PyroLexer.h"
#include "svic/grammar/SourceStream.h"

#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace svic::grammar {

struct LexError {
  enum class Kind { Syntax, Indentation };
  Kind K = Kind::Syntax;
  size_t Line = 0;   ///< 1-based
  size_t Column = 0; ///< 0-based, in code points (ANTLR's charPositionInLine)
  std::string Message;
};

/// A token as the IndentingLexer makes it: the fields of the
/// antlr4::CommonToken that nextToken() gives for it, without allocating one
/// (the fast parser reads these). The accessors are named as antlr4::Token's
/// so that code reading locations takes either.
struct Lexeme {
  size_t Type = 0;
  size_t Start = 0, Stop = 0; ///< code-point indices, inclusive (Stop = Start - 1 at EOF)
  size_t Line = 0, Column = 0;
  /// The text of a token made by the layout rules (INDENT, DEDENT, NEWLINE),
  /// else null: the text is the source's.
  const char *Synthetic = nullptr;
  SourceStream *Src = nullptr;

  size_t getType() const { return Type; }
  size_t getStartIndex() const { return Start; }
  size_t getStopIndex() const { return Stop; }
  size_t getLine() const { return Line; }
  size_t getCharPositionInLine() const { return Column; }
  size_t getChannel() const { return antlr4::Token::DEFAULT_CHANNEL; }
  /// antlr4::CommonToken::getText of the same token.
  std::string getText() const;
};

class IndentingLexer : public antlr4::Lexer {
public:
  /// The token types (PyroLexer's) it uses by name.
  enum : size_t {
    NAME = PyroLexer::NAME,
    NEWLINE = PyroLexer::NEWLINE,
    INDENT = PyroLexer::INDENT,
    DEDENT = PyroLexer::DEDENT,
    MATCH = PyroLexer::MATCH,
    CASE = PyroLexer::CASE,
    COLON = PyroLexer::COLON,
    ASSIGN = PyroLexer::ASSIGN,
    ERROR_CHAR = PyroLexer::ERROR_CHAR,
    UNTERMINATED_STRING = PyroLexer::UNTERMINATED_STRING,
    UNTERMINATED_LONG_STRING = PyroLexer::UNTERMINATED_LONG_STRING,
  };

  explicit IndentingLexer(SourceStream *Input);

  /// The next token after the layout rules.
  Lexeme next();
  /// next() as an ANTLR token, for ANTLR's parser.
  std::unique_ptr<antlr4::Token> nextToken() override;

  // What antlr4::Lexer asks of a lexer; without an ATN, nothing to give.
  size_t getLine() const override { return ScanLine; }
  size_t getCharPositionInLine() override { return ScanColumn; }
  const std::vector<std::string> &getTokenNames() const override { return NoNames; }
  const std::vector<std::string> &getRuleNames() const override { return NoNames; }
  const std::vector<std::string> &getChannelNames() const override { return NoNames; }
  const std::vector<std::string> &getModeNames() const override { return NoNames; }
  std::string getGrammarFileName() const override { return "PyroLexer.g4"; }
  const antlr4::atn::ATN &getATN() const override;

  /// Errors found so far, in input order.
  const std::vector<LexError> &errors() const { return Errors; }

  /// The next token of the lexer grammar, before indentation: what
  /// PyroLexer::nextToken gives, hand-written for speed (Scanner.cpp).
  Lexeme scanRaw();

private:
  struct OpenBracket {
    size_t Type;
    size_t Line, Column;
    std::string Text;
  };

  static const std::vector<std::string> NoNames;
  SourceStream &Src; ///< _input, read without virtual calls
  std::deque<Lexeme> Pending;
  /// Tokens of the generated lexer read ahead (to classify `match`).
  std::deque<Lexeme> Ahead;
  /// Indentation depths (Indents.size()) of the bodies of open match
  /// statements, innermost last.
  std::vector<size_t> MatchBodies;
  std::vector<std::string> Indents{std::string()};
  std::vector<OpenBracket> Brackets;
  std::vector<LexError> Errors;
  size_t ScanLine = 1, ScanColumn = 0; ///< where scanRaw is (ANTLR's line and column)
  bool AtLineStart = true;
  bool First = true;

  Lexeme pop();
  Lexeme rawNext();
  bool startsMatchStatement();
  void retypeSoftKeyword(Lexeme &T);
  /// The character right after \p T, or EOF (independent of read-ahead).
  size_t charAfter(const Lexeme &T);
  static Lexeme synth(size_t Type, const Lexeme &At, const char *Text, size_t Line, size_t Column);
  void indentTo(const std::string &Indent, const Lexeme &At, size_t Line);
  void checkErrorToken(const Lexeme &T);
  void error(LexError::Kind K, size_t Line, size_t Column, std::string Message);
};

/// A quoted, printable spelling of a code point for messages: 'x' or U+0001.
std::string describeCodePoint(uint32_t C);

} // namespace svic::grammar
