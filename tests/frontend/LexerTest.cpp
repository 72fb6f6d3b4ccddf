//===- LexerTest.cpp - The indentation lexer --------------------------------===//

#include "PyroLexer.h"
#include "antlr4-runtime.h"
#include "svic/grammar/IndentingLexer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using svic::grammar::IndentingLexer;
using svic::grammar::PyroLexer;
using svic::grammar::SourceStream;

namespace {

struct Lexed {
  std::vector<std::string> Tokens; ///< NEWLINE/INDENT/DEDENT/EOF by name, others by text
  std::vector<svic::grammar::LexError> Errors;
  int count(const std::string &T) const {
    int N = 0;
    for (const std::string &S : Tokens)
      N += S == T;
    return N;
  }
  std::string joined() const {
    std::string S;
    for (const std::string &T : Tokens)
      S += (S.empty() ? "" : " ") + T;
    return S;
  }
};

Lexed lex(const std::string &Src) {
  SourceStream In(Src);
  IndentingLexer L(&In);
  Lexed Out;
  for (;;) {
    std::unique_ptr<antlr4::Token> T = L.nextToken();
    switch (T->getType()) {
    case PyroLexer::NEWLINE:
      Out.Tokens.push_back("NL");
      break;
    case PyroLexer::INDENT:
      Out.Tokens.push_back("INDENT");
      break;
    case PyroLexer::DEDENT:
      Out.Tokens.push_back("DEDENT");
      break;
    case antlr4::Token::EOF:
      Out.Tokens.push_back("EOF");
      break;
    default:
      Out.Tokens.push_back(T->getText());
    }
    if (T->getType() == antlr4::Token::EOF)
      break;
  }
  Out.Errors = L.errors();
  return Out;
}

TEST(IndentingLexer, NestedBlocksBalance) {
  Lexed L = lex("def f():\n    if x:\n        y = 1\n    z = 2\nw = 3\n");
  EXPECT_EQ(L.count("INDENT"), 2);
  EXPECT_EQ(L.count("DEDENT"), 2);
  EXPECT_TRUE(L.Errors.empty());
  EXPECT_EQ(L.joined(),
            "def f ( ) : NL INDENT if x : NL INDENT y = 1 NL DEDENT z = 2 NL DEDENT w = "
            "3 NL EOF");
}

TEST(IndentingLexer, DedentsClosedAtEndOfFile) {
  Lexed L = lex("def f():\n    if x:\n        y = 1");
  EXPECT_EQ(L.count("INDENT"), 2);
  EXPECT_EQ(L.count("DEDENT"), 2);
  EXPECT_EQ(L.Tokens.back(), "EOF");
  EXPECT_EQ(L.Tokens[L.Tokens.size() - 4], "NL"); // a NEWLINE is synthesised before the DEDENTs
}

TEST(IndentingLexer, BlankAndCommentLinesAreIgnored) {
  Lexed L =
      lex("def f():\n\n    # comment\n    x = 1  # trailing\n\n      # odd comment\n    y = 2\n");
  EXPECT_EQ(L.count("INDENT"), 1);
  EXPECT_EQ(L.count("DEDENT"), 1);
  EXPECT_EQ(L.count("NL"), 3);
  EXPECT_TRUE(L.Errors.empty());
}

TEST(IndentingLexer, BracketsJoinLines) {
  Lexed L = lex("x = f(1,\n      2,\n  3)\ny = [\n]\nz = {\n 'a': 1}\n");
  EXPECT_EQ(L.count("INDENT"), 0);
  EXPECT_EQ(L.count("NL"), 3);
  EXPECT_TRUE(L.Errors.empty());
}

TEST(IndentingLexer, BackslashContinuation) {
  Lexed L = lex("x = 1 + \\\n        2\ny = 3\n");
  EXPECT_EQ(L.count("INDENT"), 0);
  EXPECT_EQ(L.count("NL"), 2);
  EXPECT_EQ(L.joined(), "x = 1 + 2 NL y = 3 NL EOF");
}

TEST(IndentingLexer, InconsistentDedentIsReportedNotThrown) {
  Lexed L = lex("if x:\n    y = 1\n  z = 2\n");
  ASSERT_EQ(L.Errors.size(), 1u);
  EXPECT_EQ(L.Errors[0].K, svic::grammar::LexError::Kind::Indentation);
  EXPECT_EQ(L.Errors[0].Line, 3u);
  EXPECT_EQ(L.Errors[0].Column, 2u);
  EXPECT_NE(L.Errors[0].Message.find("unindent does not match"), std::string::npos);
}

TEST(IndentingLexer, TabsAndSpacesMixedInconsistently) {
  Lexed L = lex("if x:\n        y = 1\n\tz = 2\n");
  ASSERT_EQ(L.Errors.size(), 1u);
  EXPECT_NE(L.Errors[0].Message.find("tabs and spaces"), std::string::npos);
  // Consistent tabs are fine.
  EXPECT_TRUE(lex("if x:\n\ty = 1\n\tif y:\n\t\tz = 2\n").Errors.empty());
}

TEST(IndentingLexer, FirstLineIndentedGivesIndent) {
  Lexed L = lex("  x = 1\n");
  EXPECT_EQ(L.Tokens[0], "INDENT");
}

TEST(IndentingLexer, UnclosedAndMismatchedBrackets) {
  Lexed A = lex("x = f(1,\n  2\n");
  ASSERT_EQ(A.Errors.size(), 1u);
  EXPECT_EQ(A.Errors[0].Message, "'(' was never closed");
  EXPECT_EQ(A.Errors[0].Line, 1u);
  EXPECT_EQ(A.Errors[0].Column, 5u);
  Lexed B = lex("x = [1, 2)\n");
  ASSERT_GE(B.Errors.size(), 1u);
  EXPECT_NE(B.Errors[0].Message.find("does not match"), std::string::npos);
  Lexed C = lex("x = 1)\n");
  ASSERT_EQ(C.Errors.size(), 1u);
  EXPECT_EQ(C.Errors[0].Message, "unmatched ')'");
}

TEST(IndentingLexer, StringsAndNumbers) {
  Lexed L = lex("a = r'\\d' + b\"x\" + f'{y}' + '''multi\nline''' + rb'q' + 1e-3 + 0x1F + 1_000 "
                "+ 3j + .5\n");
  EXPECT_TRUE(L.Errors.empty());
  EXPECT_EQ(L.count("NL"), 1);
  EXPECT_EQ(L.Tokens[2], "r'\\d'");
  EXPECT_EQ(L.Tokens[8], "'''multi\nline'''");
  EXPECT_EQ(L.Tokens[12], "1e-3");
  EXPECT_EQ(L.Tokens[14], "0x1F");
  EXPECT_EQ(L.Tokens[16], "1_000");
}

TEST(IndentingLexer, UnterminatedStringsAndBadCharacters) {
  EXPECT_EQ(lex("x = 'abc\n").Errors.at(0).Message, "unterminated string literal");
  EXPECT_EQ(lex("x = \"\"\"abc\n").Errors.at(0).Message,
            "unterminated triple-quoted string literal");
  EXPECT_EQ(lex("x = 1 ? 2\n").Errors.at(0).Message, "invalid character '?' in the source");
  EXPECT_EQ(lex("x = 1 \\ 2\n").Errors.at(0).Message,
            "unexpected character after line continuation character");
}

TEST(IndentingLexer, AllOperators) {
  Lexed L = lex("a += b -= c *= d /= e //= f %= g **= h @= i &= j |= k ^= l <<= m >>= n := o -> p "
                "... == != <> <= >= < > << >> ~ ** //\n");
  EXPECT_TRUE(L.Errors.empty());
  for (const char *Op : {"+=", "//=", "**=", "<<=", ">>=", ":=", "->", "...", "<>", "~", "//"})
    EXPECT_EQ(L.count(Op), 1) << Op;
}

//===-- The hand-written scanner against the generated lexer --------------------===//

/// Every field of a token (an antlr4::Token or a grammar::Lexeme).
template <typename TokenT> std::string describe(const TokenT &T) {
  return std::to_string(T.getType()) + " [" + std::to_string(T.getStartIndex()) + "," +
         std::to_string(T.getStopIndex()) + "] " + std::to_string(T.getLine()) + ":" +
         std::to_string(T.getCharPositionInLine()) + " ch" + std::to_string(T.getChannel()) + " '" +
         T.getText() + "'";
}

/// Compares the token streams of \p Src up to the first difference.
void expectSameTokens(const std::string &Src, const std::string &What) {
  SourceStream In1(Src);
  antlr4::ANTLRInputStream In2(Src);
  IndentingLexer Scanner(&In1);
  PyroLexer Generated(&In2);
  Generated.removeErrorListeners();
  for (size_t I = 0;; ++I) {
    svic::grammar::Lexeme A = Scanner.scanRaw();
    std::unique_ptr<antlr4::Token> B = Generated.nextToken();
    ASSERT_EQ(describe(A), describe(*B)) << What << ", token " << I;
    if (B->getType() == antlr4::Token::EOF)
      return;
  }
}

TEST(Scanner, AgreesWithTheGeneratedLexer) {
  const char *Cases[] = {
      "",
      "x",
      "\n",
      "  \t\f x\n",
      "\r\n\r  x\r",
      "# c\nx # d",
      "a\\\n b",
      "a\\ \t\r\nb",
      "a \\ b",
      "a\\",
      "if iffy elif else_ match case _x x1 \xc3\xa9 \xc3\xb1"
      "ame \xe2\x82\xac",
      "True False None and or not in is lambda yield await async nonlocal global",
      "0 00 0_0 01 012.5 1_000 1__0 1_ 0x 0x1F 0X_f 0o17 0o8 0b101 0b2 0b_1 0_",
      "1. .5 1.5 1.e5 1e5 1E+5 1e-5 1e 1e+ 1.5e 1.5e3j 1j 1J .5j 1.j 1_0.0_1e1_0 1..2 ...5 ..",
      "x.y 1.real 1 .real a...b 0j 0e0 00.5 0_0.1 0x_ 0o_",
      R"('a' "b" '' "" ''' ''' """a""" '''a''b''' '''a\'''' 'a\'b' 'a\
b')",
      R"(r'x' R"x" b'x' rb'x' Br'x' fR'x' u'x' ur'x' bu'x' f'{x}' rf"""x""")",
      "'abc\nx = 1",
      "\"abc\\\n",
      "'abc\\",
      "'abc\\\r\nd'",
      "'a\rb'",
      "'a\\\rb'",
      "'''abc",
      "'''abc''",
      "'''abc'",
      R"("""ab\)",
      R"("""a""b\"""")",
      R"('''a\)",
      "x = '''\nline\n''' + \"\"\"\"\"\"",
      "''''",
      "'''''",
      "''''''",
      "'''''''",
      "'",
      "''",
      "a+=b-=c*=d/=e//=f%=g**=h@=i&=j|=k^=l<<=m>>=n:=o->p==q!=r<>s<=t>=u<v>w<<x>>y**z//",
      "~a @b (c)[d]{e},f:g;h=i|j^k&l+m-n/o%p*q",
      "! ? $ ` \x01 !x",
      "def f(a, *b, **c) -> int:\n    return a\n",
      "class C(B):\n  pass\n\n\n",
  };
  for (const char *C : Cases)
    expectSameTokens(C, std::string("case ") + C);
}

TEST(Scanner, AgreesWithTheGeneratedLexerOnTheExamples) {
  size_t Files = 0;
  for (const auto &E : std::filesystem::recursive_directory_iterator(SVIC_EXAMPLES_DIR)) {
    if (E.path().extension() != ".py")
      continue;
    std::ifstream In(E.path(), std::ios::binary);
    std::stringstream Text;
    Text << In.rdbuf();
    expectSameTokens(Text.str(), E.path().string());
    ++Files;
  }
  EXPECT_GT(Files, 30u);
}

/// The fast parser reads next(), ANTLR's parser nextToken(): the same tokens,
/// layout tokens included.
TEST(IndentingLexer, NextAndNextTokenAgree) {
  size_t Files = 0;
  for (const auto &E : std::filesystem::recursive_directory_iterator(SVIC_EXAMPLES_DIR)) {
    if (E.path().extension() != ".py")
      continue;
    std::ifstream In(E.path(), std::ios::binary);
    std::stringstream Text;
    Text << In.rdbuf();
    SourceStream S1(Text.str()), S2(Text.str());
    IndentingLexer L1(&S1), L2(&S2);
    for (size_t I = 0;; ++I) {
      svic::grammar::Lexeme A = L1.next();
      std::unique_ptr<antlr4::Token> B = L2.nextToken();
      ASSERT_EQ(describe(A), describe(*B)) << E.path() << ", token " << I;
      if (A.Type == antlr4::Token::EOF)
        break;
    }
    ++Files;
  }
  EXPECT_GT(Files, 30u);
}

/// SourceStream stands in for ANTLRInputStream (the ANTLR parser reads the
/// tokens' text through it): same LA, seek, size and getText, on ASCII text
/// (read in place) and on other text (code points).
TEST(SourceStream, BehavesAsANTLRInputStream) {
  const char *Texts[] = {"", "x", "a = 1\n", "s = '\xc3\xa9\xe2\x82\xac'\n# \xf0\x9f\x98\x80\n"};
  for (const char *T : Texts) {
    SourceStream Ours(T);
    antlr4::ANTLRInputStream Ref(T);
    ASSERT_EQ(Ours.size(), Ref.size()) << T;
    EXPECT_EQ(Ours.toString(), Ref.toString());
    EXPECT_EQ(Ours.getSourceName(), Ref.getSourceName());
    const ssize_t N = static_cast<ssize_t>(Ref.size());
    for (ssize_t A = -1; A <= N + 1; ++A)
      for (ssize_t B = -1; B <= N + 1; ++B)
        EXPECT_EQ(Ours.getText(antlr4::misc::Interval(A, B)),
                  Ref.getText(antlr4::misc::Interval(A, B)))
            << T << " [" << A << ", " << B << "]";
    for (size_t Pos = 0; Pos <= Ref.size() + 1; ++Pos) {
      Ours.seek(Pos);
      Ref.seek(Pos);
      ASSERT_EQ(Ours.index(), Ref.index());
      for (ssize_t I = -3; I <= 3; ++I)
        EXPECT_EQ(Ours.LA(I), Ref.LA(I)) << T << " at " << Pos << ", LA(" << I << ")";
    }
    EXPECT_THROW(Ours.consume(), antlr4::IllegalStateException);
    Ours.seek(0);
    Ref.seek(0);
    for (ssize_t I = 0; I < N; ++I) {
      Ours.consume();
      Ref.consume();
      EXPECT_EQ(Ours.LA(-1), Ref.LA(-1));
    }
  }
}

} // namespace
