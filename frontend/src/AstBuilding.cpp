//===- AstBuilding.cpp - What both AST builders share -----------------------===//

#include "AstBuilding.h"

#include "Strings.h"
#include "svic/grammar/IndentingLexer.h"
#include "svic/ir/IR.h"

#include "antlr4-runtime.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace svic::frontend {

using antlr4::Token;

//===-- Positions --------------------------------------------------------------===//

LocMap::LocMap(FileId F, std::string_view Text, uint32_t FirstLineColShift)
    : File(F), Text(Text), FirstLineShift(FirstLineColShift) {
  LineStarts.push_back(0);
  for (size_t I = 0; I < Text.size(); ++I) {
    if (Text[I] == '\n') // like ANTLR and the SourceManager
      LineStarts.push_back(I + 1);
  }
  NonAscii.assign(LineStarts.size(), false);
  size_t Line = 0;
  for (size_t I = 0; I < Text.size(); ++I) {
    while (Line + 1 < LineStarts.size() && LineStarts[Line + 1] <= I)
      ++Line;
    if (static_cast<unsigned char>(Text[I]) >= 0x80)
      NonAscii[Line] = true;
  }
}

uint32_t LocMap::colOf(size_t Line, size_t Cp) const {
  uint32_t Shift = Line == 1 ? FirstLineShift : 0;
  if (Line == 0 || Line > LineStarts.size())
    return static_cast<uint32_t>(Cp + 1) + Shift;
  if (!NonAscii[Line - 1])
    return static_cast<uint32_t>(Cp + 1) + Shift;
  size_t B = LineStarts[Line - 1];
  size_t Seen = 0;
  while (B < Text.size() && Seen < Cp) {
    ++B;
    while (B < Text.size() && (static_cast<unsigned char>(Text[B]) & 0xC0) == 0x80)
      ++B;
    ++Seen;
  }
  return static_cast<uint32_t>(B - LineStarts[Line - 1] + 1) + Shift;
}

template <typename TokenT> SourceLoc LocMap::start(const TokenT *T) const {
  SourceLoc L;
  L.File = File;
  L.Line = static_cast<uint32_t>(T->getLine());
  L.Col = colOf(T->getLine(), T->getCharPositionInLine());
  return L;
}

template <typename TokenT> SourceLoc LocMap::span(const TokenT *First, const TokenT *Last) const {
  SourceLoc L = start(First);
  if (Last->getType() != Tok::STRING) {
    // Only strings span lines: the end is start + length in code points.
    size_t Len = Last->getStopIndex() >= Last->getStartIndex()
                     ? Last->getStopIndex() - Last->getStartIndex() + 1
                     : 0;
    L.EndLine = static_cast<uint32_t>(Last->getLine());
    L.EndCol = colOf(Last->getLine(), Last->getCharPositionInLine() + Len);
    return L;
  }
  std::string Text = Last->getText();
  SourceLoc E = start(Last);
  size_t Nl = Text.rfind('\n');
  if (Nl == std::string::npos) {
    L.EndLine = E.Line;
    L.EndCol = E.Col + static_cast<uint32_t>(Text.size());
  } else {
    L.EndLine = E.Line + static_cast<uint32_t>(std::count(Text.begin(), Text.end(), '\n'));
    L.EndCol = static_cast<uint32_t>(Text.size() - Nl);
  }
  return L;
}

template SourceLoc LocMap::start(const Token *) const;
template SourceLoc LocMap::start(const grammar::Lexeme *) const;
template SourceLoc LocMap::span(const Token *, const Token *) const;
template SourceLoc LocMap::span(const grammar::Lexeme *, const grammar::Lexeme *) const;

bool isLayoutToken(size_t Type) {
  return Type == Tok::NEWLINE || Type == Tok::INDENT || Type == Tok::DEDENT || Type == Token::EOF;
}

//===-- Numbers and operators --------------------------------------------------===//

std::unique_ptr<ast::Constant> makeInteger(std::string Text) {
  auto C = std::make_unique<ast::Constant>();
  C->Str = Text;
  Text.erase(std::remove(Text.begin(), Text.end(), '_'), Text.end());
  int Base = 10;
  size_t Begin = 0;
  if (Text.size() > 1 && Text[0] == '0' && std::isalpha(static_cast<unsigned char>(Text[1]))) {
    char B = static_cast<char>(std::tolower(static_cast<unsigned char>(Text[1])));
    Base = B == 'x' ? 16 : B == 'o' ? 8 : 2;
    Begin = 2;
  }
  uint64_t V = 0;
  long double D = 0;
  bool Overflow = false;
  for (size_t I = Begin; I < Text.size(); ++I) {
    int Digit = std::isdigit(static_cast<unsigned char>(Text[I]))
                    ? Text[I] - '0'
                    : std::tolower(static_cast<unsigned char>(Text[I])) - 'a' + 10;
    D = D * Base + Digit;
    if (V > (static_cast<uint64_t>(INT64_MAX) - static_cast<uint64_t>(Digit)) /
                static_cast<uint64_t>(Base))
      Overflow = true;
    else
      V = V * static_cast<uint64_t>(Base) + static_cast<uint64_t>(Digit);
  }
  if (Overflow) {
    C->Ty = ast::Constant::Type::Float;
    C->Float = static_cast<double>(D);
    C->Overflow = true;
  } else {
    C->Ty = ast::Constant::Type::Int;
    C->Int = static_cast<int64_t>(V);
  }
  return C;
}

double parseFloat(std::string Text) {
  Text.erase(std::remove(Text.begin(), Text.end(), '_'), Text.end());
  return std::strtod(Text.c_str(), nullptr);
}

ast::BinOpKind binOpOfToken(size_t Type) {
  switch (Type) {
  case Tok::OR_OP:
    return ast::BinOpKind::BitOr;
  case Tok::XOR:
    return ast::BinOpKind::BitXor;
  case Tok::AND_OP:
    return ast::BinOpKind::BitAnd;
  case Tok::LEFT_SHIFT:
    return ast::BinOpKind::LShift;
  case Tok::RIGHT_SHIFT:
    return ast::BinOpKind::RShift;
  case Tok::ADD:
    return ast::BinOpKind::Add;
  case Tok::MINUS:
    return ast::BinOpKind::Sub;
  case Tok::STAR:
    return ast::BinOpKind::Mult;
  case Tok::AT:
    return ast::BinOpKind::MatMult;
  case Tok::DIV:
    return ast::BinOpKind::Div;
  case Tok::MOD:
    return ast::BinOpKind::Mod;
  case Tok::IDIV:
    return ast::BinOpKind::FloorDiv;
  default:
    return ast::BinOpKind::Pow;
  }
}

ast::BinOpKind augOpOfToken(size_t Type) {
  switch (Type) {
  case Tok::ADD_ASSIGN:
    return ast::BinOpKind::Add;
  case Tok::SUB_ASSIGN:
    return ast::BinOpKind::Sub;
  case Tok::MULT_ASSIGN:
    return ast::BinOpKind::Mult;
  case Tok::AT_ASSIGN:
    return ast::BinOpKind::MatMult;
  case Tok::DIV_ASSIGN:
    return ast::BinOpKind::Div;
  case Tok::MOD_ASSIGN:
    return ast::BinOpKind::Mod;
  case Tok::AND_ASSIGN:
    return ast::BinOpKind::BitAnd;
  case Tok::OR_ASSIGN:
    return ast::BinOpKind::BitOr;
  case Tok::XOR_ASSIGN:
    return ast::BinOpKind::BitXor;
  case Tok::LEFT_SHIFT_ASSIGN:
    return ast::BinOpKind::LShift;
  case Tok::RIGHT_SHIFT_ASSIGN:
    return ast::BinOpKind::RShift;
  case Tok::POWER_ASSIGN:
    return ast::BinOpKind::Pow;
  default:
    return ast::BinOpKind::FloorDiv;
  }
}

ast::CmpOpKind cmpOpOfTokens(size_t First, size_t Second) {
  switch (First) {
  case Tok::LESS_THAN:
    return ast::CmpOpKind::Lt;
  case Tok::GREATER_THAN:
    return ast::CmpOpKind::Gt;
  case Tok::EQUALS:
    return ast::CmpOpKind::Eq;
  case Tok::GT_EQ:
    return ast::CmpOpKind::GtE;
  case Tok::LT_EQ:
    return ast::CmpOpKind::LtE;
  case Tok::NOT_EQ_1:
  case Tok::NOT_EQ_2:
    return ast::CmpOpKind::NotEq;
  case Tok::NOT:
    return ast::CmpOpKind::NotIn;
  case Tok::IN:
    return ast::CmpOpKind::In;
  default:
    return Second == Tok::NOT ? ast::CmpOpKind::IsNot : ast::CmpOpKind::Is;
  }
}

//===-- Unsupported constructs ---------------------------------------------------===//

namespace {
struct ConstructText {
  const char *What, *Hint;
};
ConstructText textOf(Construct C) {
  switch (C) {
  case Construct::Break:
    return {"break statements", "restructure the loop with a condition"};
  case Construct::Continue:
    return {"continue statements", "use an if statement in the loop body"};
  case Construct::YieldStmt:
    return {"generator functions (yield)", "return a value or append to a list"};
  case Construct::Raise:
    return {"raise statements", ""};
  case Construct::Del:
    return {"del statements", "assign a new value instead"};
  case Construct::Global:
    return {"global statements", "pass the value as an argument and return it"};
  case Construct::Nonlocal:
    return {"nonlocal statements", "pass the value as an argument and return it"};
  case Construct::Match:
    return {"match statements", "use if/elif"};
  case Construct::AsyncWith:
    return {"async with statements", "use a plain with"};
  case Construct::AsyncFor:
    return {"async for statements", "use a plain for"};
  case Construct::YieldExpr:
    return {"yield expressions", ""};
  case Construct::Walrus:
    return {"assignment expressions (:=)", "assign in a separate statement"};
  case Construct::Await:
    return {"await expressions", ""};
  case Construct::AsyncComp:
    return {"asynchronous comprehensions", "use a plain for"};
  case Construct::DictUnpackComp:
    return {"dict unpacking (**) in dict comprehensions", ""};
  }
  return {"", ""};
}
} // namespace

std::unique_ptr<ast::Unsupported> unsupported(SourceLoc L, Construct C) {
  auto U = std::make_unique<ast::Unsupported>();
  U->Loc = L;
  ConstructText T = textOf(C);
  U->What = T.What;
  U->Hint = T.Hint;
  return U;
}

std::unique_ptr<ast::UnsupportedStmt> unsupportedStmt(SourceLoc L, Construct C) {
  auto U = std::make_unique<ast::UnsupportedStmt>();
  U->Loc = L;
  ConstructText T = textOf(C);
  U->What = T.What;
  U->Hint = T.Hint;
  return U;
}

//===-- Compound nodes -------------------------------------------------------------===//

ast::ExprPtr tupleOrSingle(SourceLoc L, std::vector<ast::ExprPtr> Elems, bool HasComma) {
  if (Elems.size() == 1 && !HasComma)
    return std::move(Elems[0]);
  auto T = std::make_unique<ast::Sequence>(ast::ExprKind::Tuple);
  T->Loc = L;
  T->Elts = std::move(Elems);
  return T;
}

ast::ExprPtr makeLambda(SourceLoc L, std::vector<ast::Param> Params, ast::ExprPtr Body) {
  auto E = std::make_unique<ast::Lambda>();
  E->Loc = L;
  E->Fn = std::make_unique<ast::FunctionDef>();
  E->Fn->Loc = L;
  E->Fn->Name = "<lambda>";
  E->Fn->Params = std::move(Params);
  auto Ret = std::make_unique<ast::Return>();
  Ret->Loc = Body->Loc;
  Ret->Value = std::move(Body);
  E->Fn->Inner.push_back(std::move(Ret));
  return E;
}

void setClassArgs(ast::ClassDef &C, std::vector<ast::Arg> Args) {
  for (ast::Arg &A : Args) {
    if (A.K == ast::Arg::Kind::Positional)
      C.Bases.push_back(std::move(A.Value));
    else
      C.Keywords.push_back(std::move(A));
  }
}

//===-- f-string fields --------------------------------------------------------------===//

std::string wrapField(const std::string &Text) { return "(" + Text + ")"; }

namespace {
void shiftLoc(SourceLoc &L, uint32_t LineDelta, int64_t ColDelta) {
  if (!L.valid())
    return;
  if (L.Line == 1)
    L.Col = static_cast<uint32_t>(static_cast<int64_t>(L.Col) + ColDelta);
  if (L.EndLine == 1)
    L.EndCol = static_cast<uint32_t>(static_cast<int64_t>(L.EndCol) + ColDelta);
  L.Line += LineDelta;
  if (L.EndLine)
    L.EndLine += LineDelta;
}

void shiftLocations(ast::Expr &E, uint32_t LineDelta, int64_t ColDelta) {
  shiftLoc(E.Loc, LineDelta, ColDelta);
  if (auto *C = ir::dyn_cast<ast::Call>(&E))
    for (ast::Arg &A : C->Args)
      shiftLoc(A.Loc, LineDelta, ColDelta);
  if (auto *F = ir::dyn_cast<ast::FString>(&E))
    for (ast::FString::Part &Part : F->Parts)
      shiftLoc(Part.Loc, LineDelta, ColDelta);
  ast::forEachChild(E, [&](ast::Expr &Child) { shiftLocations(Child, LineDelta, ColDelta); });
}

void appendLiteral(ast::FString &F, std::string Text, SourceLoc L) {
  if (Text.empty())
    return;
  if (!F.Parts.empty() && !F.Parts.back().IsField) {
    F.Parts.back().Text += Text;
    return;
  }
  ast::FString::Part Part;
  Part.Text = std::move(Text);
  Part.Loc = L;
  F.Parts.push_back(std::move(Part));
}
} // namespace

void placeField(ast::Expr &E, SourceLoc At) {
  // Line 1 of the wrapped text starts at At.Col - 1 (the added '(').
  shiftLocations(E, At.Line - 1, static_cast<int64_t>(At.Col) - 2);
}

//===-- BuilderBase --------------------------------------------------------------------===//

void BuilderBase::stringError(SourceLoc L, std::string Msg) {
  DE.report(DiagId::Syntax, L, std::move(Msg));
  Failed = true;
}

void BuilderBase::fieldError(SourceLoc At, const std::string &Text) {
  std::string Shown = Text.size() > 40 ? Text.substr(0, 37) + "..." : Text;
  stringError(At, "f-string: invalid expression in replacement field '{" + Shown + "}'");
}

void BuilderBase::nestedTooDeeply(SourceLoc L) {
  if (!DeepReported)
    DE.report(DiagId::Syntax, L,
              "the code is nested too deeply (brackets, operators or blocks); simplify it");
  DeepReported = true;
  Failed = true;
}

template <typename TokenT>
ast::ExprPtr BuilderBase::strings(const std::vector<const TokenT *> &Strings, SourceLoc L) {
  std::vector<StringPiece> Pieces;
  bool AnyF = false, AnyBytes = false, AnyStr = false;
  for (const TokenT *T : Strings) {
    StringPiece Piece = splitStringToken(T->getText(), LM.span(T, T));
    AnyF |= Piece.IsF;
    AnyBytes |= Piece.IsBytes;
    AnyStr |= !Piece.IsBytes;
    Pieces.push_back(std::move(Piece));
  }
  if (AnyBytes && AnyStr) {
    stringError(L, "cannot mix bytes and nonbytes literals");
    return node<ast::Constant>(L);
  }
  if (!AnyF) {
    auto C = node<ast::Constant>(L);
    C->Ty = AnyBytes ? ast::Constant::Type::Bytes : ast::Constant::Type::Str;
    for (const StringPiece &Piece : Pieces)
      C->Str += Piece.IsRaw ? Piece.Body : decodeEscapes(Piece.Body);
    return C;
  }
  auto F = node<ast::FString>(L);
  for (StringPiece &Piece : Pieces) {
    if (!Piece.IsF) {
      appendLiteral(*F, Piece.IsRaw ? Piece.Body : decodeEscapes(Piece.Body), Piece.BodyLoc);
      continue;
    }
    std::vector<FStringItem> Items;
    std::string Err;
    SourceLoc ErrLoc;
    if (!splitFString(Piece, Items, Err, ErrLoc)) {
      stringError(ErrLoc, Err);
      continue;
    }
    for (FStringItem &It : Items) {
      if (!It.IsField) {
        appendLiteral(*F, std::move(It.Text), It.Loc);
        continue;
      }
      ast::FString::Part Part;
      Part.IsField = true;
      Part.Text = It.Text;
      Part.Conversion = It.Conversion;
      Part.FormatSpec = It.FormatSpec;
      Part.Loc = It.Loc;
      Part.Value = parseField(It.Text, It.Loc);
      if (!Part.Value)
        continue;
      F->Parts.push_back(std::move(Part));
    }
  }
  return F;
}

template ast::ExprPtr BuilderBase::strings(const std::vector<const Token *> &, SourceLoc);
template ast::ExprPtr BuilderBase::strings(const std::vector<const grammar::Lexeme *> &, SourceLoc);

} // namespace svic::frontend
