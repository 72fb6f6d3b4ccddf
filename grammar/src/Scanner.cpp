//===- Scanner.cpp - The tokens of PyroLexer.g4, hand-written ---------------===//
///
/// \file
/// IndentingLexer::scanRaw gives exactly the tokens the generated PyroLexer
/// gives (type, indices, line, column; skipped rules skipped): ANTLR's
/// longest match, the earlier rule winning a tie. The generated lexer cost
/// about 900 instructions a character, warm, and twice that in a fresh
/// process while it built its DFA; a `svic analyze` spent a quarter of its
/// time there. tests/frontend/LexerTest.cpp checks both agree.
//===----------------------------------------------------------------------===//

#include "svic/grammar/IndentingLexer.h"

#include "antlr4-runtime.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace svic::grammar {

using antlr4::Token;

namespace {

constexpr size_t Eof = static_cast<size_t>(Token::EOF);

/// The characters from the scan position on (ANTLR's code points).
class Cursor {
public:
  explicit Cursor(const SourceStream &In, size_t Pos) : In(In), Pos(Pos) {}
  size_t at(size_t Off) const { return In.at(Pos + Off); }

private:
  const SourceStream &In;
  size_t Pos;
};

bool isDigit(size_t C) { return C >= '0' && C <= '9'; }
bool isIdStart(size_t C) {
  return (C >= 'a' && C <= 'z') || (C >= 'A' && C <= 'Z') || C == '_' || (C >= 0x80 && C != Eof);
}
bool isIdContinue(size_t C) { return isIdStart(C) || isDigit(C); }
bool isBlank(size_t C) { return C == ' ' || C == '\t' || C == '\f'; }

/// `( '_'? D )*` after a first D at \p Off when \p First, else `( '_'? D )+`:
/// the end offset, or \p Off when nothing matched.
template <typename Pred> size_t digitRun(const Cursor &C, size_t Off, Pred D, bool First) {
  size_t End = Off;
  if (First) {
    if (!D(C.at(Off)))
      return Off;
    End = Off + 1;
  }
  for (;;) {
    size_t Q = End + (C.at(End) == '_' ? 1 : 0);
    if (!D(C.at(Q)))
      return End;
    End = Q + 1;
  }
}

/// DIGIT_PART: the end offset, or \p Off.
size_t digitPart(const Cursor &C, size_t Off) { return digitRun(C, Off, isDigit, true); }

/// The longest FLOAT_NUMBER, IMAG_NUMBER and INTEGER at 0: (length, type), or
/// length 0.
std::pair<size_t, size_t> number(const Cursor &C) {
  const size_t D = digitPart(C, 0); // DIGIT_PART, 0 if none
  size_t PointFloat = 0;
  if (C.at(D) == '.') {
    size_t E = digitPart(C, D + 1);
    if (E > D + 1)
      PointFloat = E; // DIGIT_PART? '.' DIGIT_PART
    else if (D > 0)
      PointFloat = D + 1; // DIGIT_PART '.'
  }
  size_t ExpFloat = 0;
  for (size_t Base : {D, PointFloat}) {
    if (Base == 0 || (C.at(Base) != 'e' && C.at(Base) != 'E'))
      continue;
    size_t K = Base + 1;
    if (C.at(K) == '+' || C.at(K) == '-')
      ++K;
    size_t E = digitPart(C, K);
    if (E > K)
      ExpFloat = std::max(ExpFloat, E);
  }
  size_t Float = std::max(PointFloat, ExpFloat);
  size_t Imag = 0;
  for (size_t Base : {PointFloat, ExpFloat, D})
    if (Base > 0 && (C.at(Base) == 'j' || C.at(Base) == 'J'))
      Imag = std::max(Imag, Base + 1);
  size_t Int = 0;
  size_t C0 = C.at(0);
  if (C0 >= '1' && C0 <= '9') {
    Int = D;
  } else if (C0 == '0') {
    Int = digitRun(
        C, 0, [](size_t X) { return X == '0'; }, true);
    size_t C1 = C.at(1);
    auto Radix = [&](auto Pred) {
      if (size_t End = digitRun(C, 2, Pred, false); End > 2) // at least one digit
        Int = std::max(Int, End);
    };
    if (C1 == 'o' || C1 == 'O')
      Radix([](size_t X) { return X >= '0' && X <= '7'; });
    else if (C1 == 'x' || C1 == 'X')
      Radix(
          [](size_t X) { return isDigit(X) || (X >= 'a' && X <= 'f') || (X >= 'A' && X <= 'F'); });
    else if (C1 == 'b' || C1 == 'B')
      Radix([](size_t X) { return X == '0' || X == '1'; });
  }
  // Rule order breaks ties: FLOAT_NUMBER, IMAG_NUMBER, INTEGER.
  std::pair<size_t, size_t> Best{0, 0};
  for (auto [Len, Type] : {std::pair<size_t, size_t>{Float, PyroLexer::FLOAT_NUMBER},
                           {Imag, PyroLexer::IMAG_NUMBER},
                           {Int, PyroLexer::INTEGER}})
    if (Len > Best.first)
      Best = {Len, Type};
  return Best;
}

/// ESCAPE_SEQ at \p I (a backslash): its end, or \p I when the input ends.
size_t escape(const Cursor &C, size_t I) {
  size_t N = C.at(I + 1);
  if (N == Eof)
    return I;
  return N == '\r' && C.at(I + 2) == '\n' ? I + 3 : I + 2;
}

/// STRING, UNTERMINATED_STRING and UNTERMINATED_LONG_STRING after a prefix of
/// \p P characters: (length, type) of the longest.
std::pair<size_t, size_t> string(const Cursor &C, size_t P) {
  const size_t Q = C.at(P);
  const bool Triple = C.at(P + 1) == Q && C.at(P + 2) == Q;
  size_t Str = 0, Unterminated = 0, UnterminatedLong = 0;
  // SHORT_STRING and UNTERMINATED_STRING share their body.
  for (size_t I = P + 1;;) {
    size_t X = C.at(I);
    if (X == '\\') {
      size_t E = escape(C, I);
      if (E == I) { // the trailing '\\'? before the end of the input
        Unterminated = I + 1;
        break;
      }
      I = E;
      continue;
    }
    if (X == Q)
      Str = I + 1;
    if (X == Q || X == '\r' || X == '\n' || X == Eof) {
      Unterminated = I;
      break;
    }
    ++I;
  }
  if (Triple) {
    // LONG_STRING: the first closing triple quote (a non-greedy loop).
    for (size_t I = P + 3;;) {
      size_t X = C.at(I);
      if (X == Eof)
        break;
      if (X == Q && C.at(I + 1) == Q && C.at(I + 2) == Q) {
        Str = std::max(Str, I + 3);
        break;
      }
      if (X == '\\') {
        size_t E = escape(C, I);
        if (E == I)
          break;
        I = E;
      } else {
        ++I;
      }
    }
    // UNTERMINATED_LONG_STRING: no closing triple quote up to the end.
    for (size_t I = P + 3;;) {
      size_t X = C.at(I);
      if (X == Eof) {
        UnterminatedLong = I;
        break;
      }
      if (X == Q) {
        size_t N = 1;
        while (N < 3 && C.at(I + N) == Q)
          ++N;
        if (N == 3)
          break;
        I += N;
        X = C.at(I);
        if (X == Eof) {
          UnterminatedLong = I;
          break;
        }
      }
      if (X == '\\') {
        size_t E = escape(C, I);
        if (E == I) {
          UnterminatedLong = I + 1;
          break;
        }
        I = E;
      } else {
        ++I;
      }
    }
  }
  std::pair<size_t, size_t> Best{0, 0};
  for (auto [Len, Type] : {std::pair<size_t, size_t>{Str, PyroLexer::STRING},
                           {Unterminated, PyroLexer::UNTERMINATED_STRING},
                           {UnterminatedLong, PyroLexer::UNTERMINATED_LONG_STRING}})
    if (Len > Best.first)
      Best = {Len, Type};
  return Best;
}

/// The length of a string prefix at 0 followed by a quote, or -1.
int stringPrefix(const Cursor &C) {
  auto IsQuote = [](size_t X) { return X == '\'' || X == '"'; };
  auto In = [](size_t X, std::string_view Set) {
    return std::any_of(Set.begin(), Set.end(), [X](char S) { return size_t(S) == X; });
  };
  size_t C0 = C.at(0);
  if (IsQuote(C0))
    return 0;
  if (!In(C0, "rRuUbBfF"))
    return -1; // most tokens: no prefix, and no second look
  size_t C1 = C.at(1);
  if (IsQuote(C1))
    return 1;
  if (((In(C0, "rR") && In(C1, "bBfF")) || (In(C0, "bBfF") && In(C1, "rR"))) && IsQuote(C.at(2)))
    return 2;
  return -1;
}

struct Keyword {
  std::string_view Text;
  size_t Type;
};
constexpr std::array<Keyword, 35> Keywords{{
    {"and", PyroLexer::AND},
    {"as", PyroLexer::AS},
    {"assert", PyroLexer::ASSERT},
    {"async", PyroLexer::ASYNC},
    {"await", PyroLexer::AWAIT},
    {"break", PyroLexer::BREAK},
    {"class", PyroLexer::CLASS},
    {"continue", PyroLexer::CONTINUE},
    {"def", PyroLexer::DEF},
    {"del", PyroLexer::DEL},
    {"elif", PyroLexer::ELIF},
    {"else", PyroLexer::ELSE},
    {"except", PyroLexer::EXCEPT},
    {"False", PyroLexer::FALSE},
    {"finally", PyroLexer::FINALLY},
    {"for", PyroLexer::FOR},
    {"from", PyroLexer::FROM},
    {"global", PyroLexer::GLOBAL},
    {"if", PyroLexer::IF},
    {"import", PyroLexer::IMPORT},
    {"in", PyroLexer::IN},
    {"is", PyroLexer::IS},
    {"lambda", PyroLexer::LAMBDA},
    {"None", PyroLexer::NONE},
    {"nonlocal", PyroLexer::NONLOCAL},
    {"not", PyroLexer::NOT},
    {"or", PyroLexer::OR},
    {"pass", PyroLexer::PASS},
    {"raise", PyroLexer::RAISE},
    {"return", PyroLexer::RETURN},
    {"True", PyroLexer::TRUE},
    {"try", PyroLexer::TRY},
    {"while", PyroLexer::WHILE},
    {"with", PyroLexer::WITH},
    {"yield", PyroLexer::YIELD},
}};

/// A NAME of \p Len characters, or the keyword it spells.
size_t nameType(const Cursor &C, size_t Len) {
  if (Len > 8)
    return PyroLexer::NAME;
  char Buf[8];
  for (size_t I = 0; I < Len; ++I) {
    size_t X = C.at(I);
    if (X >= 0x80)
      return PyroLexer::NAME;
    Buf[I] = static_cast<char>(X);
  }
  std::string_view Text(Buf, Len);
  for (const Keyword &K : Keywords)
    if (K.Text[0] == Text[0] && K.Text == Text) // the first character rules out most
      return K.Type;
  return PyroLexer::NAME;
}

struct Operator {
  std::string_view Text;
  size_t Type;
};
// Longest first, so that the first match is the longest.
constexpr std::array<Operator, 48> Operators{{
    {"...", PyroLexer::ELLIPSIS},
    {"<<=", PyroLexer::LEFT_SHIFT_ASSIGN},
    {">>=", PyroLexer::RIGHT_SHIFT_ASSIGN},
    {"**=", PyroLexer::POWER_ASSIGN},
    {"//=", PyroLexer::IDIV_ASSIGN},
    {"**", PyroLexer::POWER},
    {"<<", PyroLexer::LEFT_SHIFT},
    {">>", PyroLexer::RIGHT_SHIFT},
    {"//", PyroLexer::IDIV},
    {"==", PyroLexer::EQUALS},
    {">=", PyroLexer::GT_EQ},
    {"<=", PyroLexer::LT_EQ},
    {"<>", PyroLexer::NOT_EQ_1},
    {"!=", PyroLexer::NOT_EQ_2},
    {"->", PyroLexer::ARROW},
    {":=", PyroLexer::WALRUS},
    {"+=", PyroLexer::ADD_ASSIGN},
    {"-=", PyroLexer::SUB_ASSIGN},
    {"*=", PyroLexer::MULT_ASSIGN},
    {"@=", PyroLexer::AT_ASSIGN},
    {"/=", PyroLexer::DIV_ASSIGN},
    {"%=", PyroLexer::MOD_ASSIGN},
    {"&=", PyroLexer::AND_ASSIGN},
    {"|=", PyroLexer::OR_ASSIGN},
    {"^=", PyroLexer::XOR_ASSIGN},
    {".", PyroLexer::DOT},
    {"*", PyroLexer::STAR},
    {"(", PyroLexer::OPEN_PAREN},
    {")", PyroLexer::CLOSE_PAREN},
    {",", PyroLexer::COMMA},
    {":", PyroLexer::COLON},
    {";", PyroLexer::SEMI_COLON},
    {"=", PyroLexer::ASSIGN},
    {"[", PyroLexer::OPEN_BRACK},
    {"]", PyroLexer::CLOSE_BRACK},
    {"|", PyroLexer::OR_OP},
    {"^", PyroLexer::XOR},
    {"&", PyroLexer::AND_OP},
    {"+", PyroLexer::ADD},
    {"-", PyroLexer::MINUS},
    {"/", PyroLexer::DIV},
    {"%", PyroLexer::MOD},
    {"~", PyroLexer::NOT_OP},
    {"{", PyroLexer::OPEN_BRACE},
    {"}", PyroLexer::CLOSE_BRACE},
    {"<", PyroLexer::LESS_THAN},
    {">", PyroLexer::GREATER_THAN},
    {"@", PyroLexer::AT},
}};

std::pair<size_t, size_t> op(const Cursor &C) {
  const size_t Next[3] = {C.at(0), C.at(1), C.at(2)};
  for (const Operator &O : Operators) {
    if (Next[0] != static_cast<unsigned char>(O.Text[0]))
      continue; // most entries differ in the first character: skip them cheaply
    size_t I = 1;
    while (I < O.Text.size() && Next[I] == static_cast<unsigned char>(O.Text[I]))
      ++I;
    if (I == O.Text.size())
      return {I, O.Type};
  }
  return {0, 0};
}

/// The longest rule at 0: (length, type); a type of 0 is a skipped rule.
std::pair<size_t, size_t> longest(const Cursor &C) {
  const size_t C0 = C.at(0);
  if (int P = stringPrefix(C); P >= 0)
    return string(C, static_cast<size_t>(P)); // longer than the NAME of the prefix
  if (isIdStart(C0)) {
    size_t Len = 1;
    while (isIdContinue(C.at(Len)))
      ++Len;
    return {Len, nameType(C, Len)};
  }
  if (isDigit(C0) || C0 == '.') {
    std::pair<size_t, size_t> Num = number(C), Op = op(C);
    return Num.first >= Op.first && Num.first > 0 ? Num : Op; // FLOAT_NUMBER is the earlier rule
  }
  if (C0 == '\n' || C0 == '\r') {
    size_t Len = C0 == '\r' && C.at(1) == '\n' ? 2 : 1;
    while (isBlank(C.at(Len)))
      ++Len;
    return {Len, PyroLexer::NEWLINE};
  }
  if (isBlank(C0)) {
    size_t Len = 1;
    while (isBlank(C.at(Len)))
      ++Len;
    return {Len, 0};
  }
  if (C0 == '#') {
    size_t Len = 1;
    while (C.at(Len) != '\r' && C.at(Len) != '\n' && C.at(Len) != Eof)
      ++Len;
    return {Len, 0};
  }
  if (C0 == '\\') {
    size_t Len = 1;
    while (C.at(Len) == ' ' || C.at(Len) == '\t')
      ++Len;
    if (C.at(Len) == '\n')
      return {Len + 1, 0};
    if (C.at(Len) == '\r')
      return {Len + (C.at(Len + 1) == '\n' ? 2 : 1), 0};
    return {1, PyroLexer::ERROR_CHAR};
  }
  if (std::pair<size_t, size_t> Op = op(C); Op.first > 0)
    return Op;
  return {1, PyroLexer::ERROR_CHAR};
}

} // namespace

Lexeme IndentingLexer::scanRaw() {
  for (;;) {
    const size_t Start = Src.index();
    const Cursor C(Src, Start);
    const size_t Line = ScanLine, Column = ScanColumn;
    if (C.at(0) == Eof)
      return Lexeme{Token::EOF, Start, Start - 1, Line, Column, nullptr, &Src};
    auto [Len, Type] = longest(C);
    for (size_t I = 0; I < Len; ++I) {
      if (C.at(I) == '\n') {
        ++ScanLine;
        ScanColumn = 0;
      } else {
        ++ScanColumn;
      }
    }
    Src.seek(Start + Len);
    if (Type != 0)
      return Lexeme{Type, Start, Start + Len - 1, Line, Column, nullptr, &Src};
  }
}

} // namespace svic::grammar
