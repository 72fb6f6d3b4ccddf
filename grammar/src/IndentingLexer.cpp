//===- IndentingLexer.cpp - Python lexer with INDENT/DEDENT -----------------===//

#include "svic/grammar/IndentingLexer.h"

#include "antlr4-runtime.h"

#include <cstdio>

namespace svic::grammar {

using antlr4::Token;

const std::vector<std::string> IndentingLexer::NoNames;

IndentingLexer::IndentingLexer(SourceStream *Input) : antlr4::Lexer(Input), Src(*Input) {
  // The scanner never reports errors through ANTLR; drop the console listener
  // anyway so that nothing is ever printed.
  removeErrorListeners();
}

const antlr4::atn::ATN &IndentingLexer::getATN() const {
  static const antlr4::atn::ATN None;
  return None;
}

std::string describeCodePoint(uint32_t C) {
  if (C >= 0x21 && C < 0x7f)
    return std::string("'") + static_cast<char>(C) + "'";
  char Buf[16];
  std::snprintf(Buf, sizeof(Buf), "U+%04X", static_cast<unsigned>(C));
  return Buf;
}

static uint32_t firstCodePoint(const std::string &S) {
  if (S.empty())
    return 0;
  auto B = [&](size_t I) {
    return I < S.size() ? static_cast<uint32_t>(static_cast<unsigned char>(S[I])) : 0u;
  };
  uint32_t C0 = B(0);
  if (C0 < 0x80)
    return C0;
  if ((C0 & 0xE0) == 0xC0)
    return ((C0 & 0x1F) << 6) | (B(1) & 0x3F);
  if ((C0 & 0xF0) == 0xE0)
    return ((C0 & 0x0F) << 12) | ((B(1) & 0x3F) << 6) | (B(2) & 0x3F);
  return ((C0 & 0x07) << 18) | ((B(1) & 0x3F) << 12) | ((B(2) & 0x3F) << 6) | (B(3) & 0x3F);
}

static bool isBracketOpen(size_t T) {
  return T == PyroLexer::OPEN_PAREN || T == PyroLexer::OPEN_BRACK || T == PyroLexer::OPEN_BRACE;
}
static bool isBracketClose(size_t T) {
  return T == PyroLexer::CLOSE_PAREN || T == PyroLexer::CLOSE_BRACK || T == PyroLexer::CLOSE_BRACE;
}
static size_t matchingOpen(size_t Close) {
  switch (Close) {
  case PyroLexer::CLOSE_PAREN:
    return PyroLexer::OPEN_PAREN;
  case PyroLexer::CLOSE_BRACK:
    return PyroLexer::OPEN_BRACK;
  default:
    return PyroLexer::OPEN_BRACE;
  }
}

static bool isStrictPrefix(const std::string &Short, const std::string &Long) {
  return Short.size() < Long.size() && Long.compare(0, Short.size(), Short) == 0;
}

void IndentingLexer::error(LexError::Kind K, size_t Line, size_t Column, std::string Message) {
  Errors.push_back(LexError{K, Line, Column, std::move(Message)});
}

std::string Lexeme::getText() const {
  if (Synthetic)
    return Synthetic;
  // As CommonToken::getText: the input's text, "<EOF>" past its end.
  const size_t N = Src->size();
  if (Start < N && Stop < N)
    return Src->getText(antlr4::misc::Interval(Start, Stop));
  return "<EOF>";
}

Lexeme IndentingLexer::pop() {
  Lexeme T = Pending.front();
  Pending.pop_front();
  return T;
}

Lexeme IndentingLexer::rawNext() {
  if (Ahead.empty())
    return scanRaw();
  Lexeme T = Ahead.front();
  Ahead.pop_front();
  return T;
}

size_t IndentingLexer::charAfter(const Lexeme &T) { return Src.at(T.Stop + 1); }

/// Reads ahead to the end of the logical line: a statement that starts with
/// the name `match` and ends with ':' can only be a match statement.
bool IndentingLexer::startsMatchStatement() {
  size_t Depth = 0, Last = Token::INVALID_TYPE;
  for (size_t I = 0;; ++I) {
    if (I == Ahead.size())
      Ahead.push_back(scanRaw());
    const size_t Type = Ahead[I].Type;
    if (Type == Token::EOF || (Type == NEWLINE && Depth == 0))
      return Last == COLON && I > 0 && Ahead[0].Type != COLON && Ahead[0].Type != ASSIGN;
    if (isBracketOpen(Type))
      ++Depth;
    else if (isBracketClose(Type) && Depth > 0)
      --Depth;
    if (Type != NEWLINE)
      Last = Type;
  }
}

void IndentingLexer::retypeSoftKeyword(Lexeme &T) {
  while (!MatchBodies.empty() && Indents.size() < MatchBodies.back())
    MatchBodies.pop_back();
  const std::string Text = T.getText();
  if (Text == "case" && !MatchBodies.empty() && MatchBodies.back() == Indents.size()) {
    T.Type = CASE;
  } else if (Text == "match" && startsMatchStatement()) {
    T.Type = MATCH;
    MatchBodies.push_back(Indents.size() + 1); // the case blocks are one level deeper
  }
}

Lexeme IndentingLexer::synth(size_t Type, const Lexeme &At, const char *Text, size_t Line,
                             size_t Column) {
  Lexeme T = At; // At's indices, as a CommonToken copied from it
  T.Type = Type;
  T.Synthetic = Text;
  T.Line = Line;
  T.Column = Column;
  return T;
}

void IndentingLexer::indentTo(const std::string &Indent, const Lexeme &At, size_t Line) {
  const size_t Col = Indent.size(); // indentation is ASCII whitespace
  if (Indent == Indents.back())
    return;
  if (isStrictPrefix(Indents.back(), Indent)) {
    Indents.push_back(Indent);
    Pending.push_back(synth(INDENT, At, "<INDENT>", Line, Col));
    return;
  }
  bool Popped = false;
  while (Indents.size() > 1 && isStrictPrefix(Indent, Indents.back())) {
    Indents.pop_back();
    Popped = true;
    Pending.push_back(synth(DEDENT, At, "<DEDENT>", Line, Col));
    if (Indent == Indents.back())
      return;
  }
  if (Popped && isStrictPrefix(Indents.back(), Indent)) {
    error(LexError::Kind::Indentation, Line, Col,
          "unindent does not match any outer indentation level");
    Indents.push_back(Indent); // recover: continue at this level, no block opened
    return;
  }
  error(LexError::Kind::Indentation, Line, Col,
        "inconsistent use of tabs and spaces in indentation");
  // Recover: treat the line as being at the current level.
  if (Indents.size() > 1)
    Indents.back() = Indent;
  else
    Indents.push_back(Indent);
}

void IndentingLexer::checkErrorToken(const Lexeme &T) {
  switch (T.getType()) {
  case ERROR_CHAR: {
    uint32_t C = firstCodePoint(T.getText());
    if (C == '\\')
      error(LexError::Kind::Syntax, T.getLine(), T.getCharPositionInLine(),
            "unexpected character after line continuation character");
    else if (C == 0)
      error(LexError::Kind::Syntax, T.getLine(), T.getCharPositionInLine(),
            "source code cannot contain null bytes");
    else
      error(LexError::Kind::Syntax, T.getLine(), T.getCharPositionInLine(),
            "invalid character " + describeCodePoint(C) + " in the source");
    break;
  }
  case UNTERMINATED_STRING:
    error(LexError::Kind::Syntax, T.getLine(), T.getCharPositionInLine(),
          "unterminated string literal");
    break;
  case UNTERMINATED_LONG_STRING:
    error(LexError::Kind::Syntax, T.getLine(), T.getCharPositionInLine(),
          "unterminated triple-quoted string literal");
    break;
  default:
    break;
  }
}

std::unique_ptr<Token> IndentingLexer::nextToken() {
  Lexeme T = next();
  return _factory->create({this, _input}, T.Type, T.Synthetic ? T.Synthetic : "",
                          Token::DEFAULT_CHANNEL, T.Start, T.Stop, T.Line, T.Column);
}

Lexeme IndentingLexer::next() {
  if (!Pending.empty())
    return pop();
  for (;;) {
    Lexeme T = rawNext();
    if (T.getType() == NAME && AtLineStart)
      retypeSoftKeyword(T);
    const size_t Type = T.getType();

    if (First && Type != Token::EOF && Type != NEWLINE) {
      First = false;
      if (T.getCharPositionInLine() > 0 && T.getStartIndex() > 0) {
        // The first line is indented: let the parser see an unexpected INDENT.
        std::string Lead = _input->getText(antlr4::misc::Interval(
            static_cast<ssize_t>(0), static_cast<ssize_t>(T.getStartIndex()) - 1));
        if (Lead.find_first_not_of(" \t\f") == std::string::npos) {
          indentTo(Lead, T, T.getLine());
          Pending.push_back(std::move(T));
          AtLineStart = false;
          return pop();
        }
      }
    }
    First = false;

    if (isBracketOpen(Type)) {
      Brackets.push_back(OpenBracket{Type, T.getLine(), T.getCharPositionInLine(), T.getText()});
      AtLineStart = false;
      return T;
    }
    if (isBracketClose(Type)) {
      if (Brackets.empty()) {
        error(LexError::Kind::Syntax, T.getLine(), T.getCharPositionInLine(),
              "unmatched '" + T.getText() + "'");
      } else {
        const OpenBracket &Open = Brackets.back();
        if (Open.Type != matchingOpen(Type)) {
          std::string Msg = "closing parenthesis '" + T.getText() +
                            "' does not match opening parenthesis '" + Open.Text + "'";
          if (Open.Line != T.getLine())
            Msg += " on line " + std::to_string(Open.Line);
          error(LexError::Kind::Syntax, T.getLine(), T.getCharPositionInLine(), Msg);
        }
        Brackets.pop_back();
      }
      AtLineStart = false;
      return T;
    }

    if (Type == NEWLINE) {
      if (!Brackets.empty())
        continue; // implicit line joining
      const size_t La = charAfter(T);
      const bool NextBlank =
          La == '\n' || La == '\r' || La == '#' || La == static_cast<size_t>(Token::EOF);
      if (!AtLineStart) {
        Pending.push_back(synth(NEWLINE, T, "\n", T.getLine(), T.getCharPositionInLine()));
        AtLineStart = true;
      }
      if (!NextBlank) {
        std::string Text = T.getText();
        size_t Ws = Text.find_first_not_of("\r\n");
        std::string Indent = Ws == std::string::npos ? std::string() : Text.substr(Ws);
        // A form feed resets the indentation count (CPython).
        size_t Ff = Indent.rfind('\f');
        if (Ff != std::string::npos)
          Indent = Indent.substr(Ff + 1);
        indentTo(Indent, T, T.getLine() + 1);
      }
      if (Pending.empty())
        continue; // blank or comment-only line
      return pop();
    }

    if (Type == Token::EOF) {
      // An unclosed bracket after another lexical error (an unterminated
      // string swallowing the ')', a mismatched bracket) is its consequence.
      if (!Brackets.empty() && Errors.empty()) {
        const OpenBracket &Open = Brackets.back();
        error(LexError::Kind::Syntax, Open.Line, Open.Column,
              "'" + Open.Text + "' was never closed");
      }
      Brackets.clear();
      if (!AtLineStart)
        Pending.push_back(synth(NEWLINE, T, "\n", T.getLine(), T.getCharPositionInLine()));
      AtLineStart = true;
      while (Indents.size() > 1) {
        Indents.pop_back();
        Pending.push_back(synth(DEDENT, T, "<DEDENT>", T.getLine(), T.getCharPositionInLine()));
      }
      Pending.push_back(std::move(T));
      return pop();
    }

    checkErrorToken(T);
    AtLineStart = false;
    return T;
  }
}

} // namespace svic::grammar
