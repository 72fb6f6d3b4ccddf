//===- Strings.cpp - String literals, f-strings and UTF-8 ------------------===//

#include "Strings.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <iconv.h>

namespace svic::frontend {

std::optional<std::string> declaredEncoding(std::string_view Text) {
  size_t Begin = 0;
  for (int Line = 0; Line < 2 && Begin < Text.size(); ++Line) {
    size_t End = Text.find('\n', Begin);
    std::string_view L = Text.substr(Begin, End == std::string_view::npos ? End : End - Begin);
    size_t First = L.find_first_not_of(" \t\f");
    if (First == std::string_view::npos || L[First] != '#') {
      if (First != std::string_view::npos)
        return std::nullopt; // code before the declaration
    } else if (size_t At = L.find("coding"); At != std::string_view::npos && At + 6 < L.size() &&
                                              (L[At + 6] == ':' || L[At + 6] == '=')) {
      size_t I = At + 7;
      while (I < L.size() && (L[I] == ' ' || L[I] == '\t'))
        ++I;
      std::string Name;
      while (I < L.size() && (std::isalnum(static_cast<unsigned char>(L[I])) || L[I] == '-' ||
                              L[I] == '_' || L[I] == '.'))
        Name += static_cast<char>(std::tolower(static_cast<unsigned char>(L[I++])));
      if (!Name.empty())
        return Name;
    }
    if (End == std::string_view::npos)
      break;
    Begin = End + 1;
  }
  return std::nullopt;
}

std::optional<std::string> toUtf8(std::string_view Text, const std::string &Encoding) {
  iconv_t Cd = iconv_open("UTF-8", Encoding.c_str());
  if (Cd == reinterpret_cast<iconv_t>(-1))
    return std::nullopt;
  std::string Out(Text.size() * 4 + 16, '\0');
  char *In = const_cast<char *>(Text.data());
  size_t InLeft = Text.size();
  char *Dst = Out.data();
  size_t DstLeft = Out.size();
  const bool Ok = iconv(Cd, &In, &InLeft, &Dst, &DstLeft) != static_cast<size_t>(-1);
  iconv_close(Cd);
  if (!Ok || InLeft != 0)
    return std::nullopt;
  Out.resize(Out.size() - DstLeft);
  return Out;
}

std::optional<InvalidUtf8> findInvalidUtf8(std::string_view Text) {
  uint32_t Line = 1;
  size_t LineStart = 0;
  size_t I = 0;
  const size_t N = Text.size();
  auto Byte = [&](size_t K) { return static_cast<unsigned char>(Text[K]); };
  auto Fail = [&](size_t K) {
    return InvalidUtf8{Line, static_cast<uint32_t>(K - LineStart + 1), Byte(K)};
  };
  while (I < N) {
    unsigned char C = Byte(I);
    if (C < 0x80) {
      if (C == '\n') {
        ++Line;
        LineStart = I + 1;
      }
      ++I;
      continue;
    }
    size_t Len;
    uint32_t Min, Cp;
    if ((C & 0xE0) == 0xC0) {
      Len = 2, Min = 0x80, Cp = C & 0x1F;
    } else if ((C & 0xF0) == 0xE0) {
      Len = 3, Min = 0x800, Cp = C & 0x0F;
    } else if ((C & 0xF8) == 0xF0) {
      Len = 4, Min = 0x10000, Cp = C & 0x07;
    } else {
      return Fail(I);
    }
    if (I + Len > N)
      return Fail(I);
    for (size_t K = 1; K < Len; ++K) {
      if ((Byte(I + K) & 0xC0) != 0x80)
        return Fail(I);
      Cp = (Cp << 6) | (Byte(I + K) & 0x3F);
    }
    if (Cp < Min || Cp > 0x10FFFF || (Cp >= 0xD800 && Cp <= 0xDFFF))
      return Fail(I);
    I += Len;
  }
  return std::nullopt;
}

StringPiece splitStringToken(const std::string &Token, SourceLoc TokenLoc) {
  StringPiece P;
  size_t I = 0;
  while (I < Token.size() && Token[I] != '\'' && Token[I] != '"') {
    char C = static_cast<char>(std::tolower(static_cast<unsigned char>(Token[I])));
    P.IsRaw |= C == 'r';
    P.IsBytes |= C == 'b';
    P.IsF |= C == 'f';
    ++I;
  }
  size_t Q =
      (Token.size() >= I + 6 && Token[I + 1] == Token[I] && Token[I + 2] == Token[I]) ? 3 : 1;
  size_t Begin = I + Q;
  size_t End = Token.size() >= Begin + Q ? Token.size() - Q : Begin;
  P.Body = Token.substr(Begin, End - Begin);
  P.BodyLoc = TokenLoc;
  P.BodyLoc.Col = TokenLoc.Col + static_cast<uint32_t>(Begin);
  P.BodyLoc.EndLine = 0;
  P.BodyLoc.EndCol = 0;
  return P;
}

static void appendUtf8(std::string &Out, uint32_t Cp) {
  if (Cp < 0x80) {
    Out += static_cast<char>(Cp);
  } else if (Cp < 0x800) {
    Out += static_cast<char>(0xC0 | (Cp >> 6));
    Out += static_cast<char>(0x80 | (Cp & 0x3F));
  } else if (Cp < 0x10000) {
    Out += static_cast<char>(0xE0 | (Cp >> 12));
    Out += static_cast<char>(0x80 | ((Cp >> 6) & 0x3F));
    Out += static_cast<char>(0x80 | (Cp & 0x3F));
  } else {
    Out += static_cast<char>(0xF0 | (Cp >> 18));
    Out += static_cast<char>(0x80 | ((Cp >> 12) & 0x3F));
    Out += static_cast<char>(0x80 | ((Cp >> 6) & 0x3F));
    Out += static_cast<char>(0x80 | (Cp & 0x3F));
  }
}

std::string decodeEscapes(std::string_view Raw) {
  std::string Out;
  Out.reserve(Raw.size());
  for (size_t I = 0; I < Raw.size(); ++I) {
    char C = Raw[I];
    if (C != '\\' || I + 1 >= Raw.size()) {
      Out += C;
      continue;
    }
    char E = Raw[++I];
    auto Hex = [&](size_t Digits) -> bool {
      uint32_t V = 0;
      for (size_t K = 1; K <= Digits; ++K) {
        if (I + K >= Raw.size() || !std::isxdigit(static_cast<unsigned char>(Raw[I + K])))
          return false;
        char D = static_cast<char>(std::tolower(static_cast<unsigned char>(Raw[I + K])));
        V = V * 16 + static_cast<uint32_t>(
                         std::isdigit(static_cast<unsigned char>(D)) ? D - '0' : D - 'a' + 10);
      }
      appendUtf8(Out, V);
      I += Digits;
      return true;
    };
    switch (E) {
    case '\n':
      break;
    case '\r':
      if (I + 1 < Raw.size() && Raw[I + 1] == '\n')
        ++I;
      break;
    case '\\':
      Out += '\\';
      break;
    case '\'':
      Out += '\'';
      break;
    case '"':
      Out += '"';
      break;
    case 'a':
      Out += '\a';
      break;
    case 'b':
      Out += '\b';
      break;
    case 'f':
      Out += '\f';
      break;
    case 'n':
      Out += '\n';
      break;
    case 'r':
      Out += '\r';
      break;
    case 't':
      Out += '\t';
      break;
    case 'v':
      Out += '\v';
      break;
    case 'x':
      if (!Hex(2))
        Out += "\\x";
      break;
    case 'u':
      if (!Hex(4))
        Out += "\\u";
      break;
    case 'U':
      if (!Hex(8))
        Out += "\\U";
      break;
    default:
      if (E >= '0' && E <= '7') {
        uint32_t V = static_cast<uint32_t>(E - '0');
        for (int K = 0; K < 2 && I + 1 < Raw.size() && Raw[I + 1] >= '0' && Raw[I + 1] <= '7'; ++K)
          V = V * 8 + static_cast<uint32_t>(Raw[++I] - '0');
        appendUtf8(Out, V);
      } else {
        Out += '\\';
        Out += E;
      }
    }
  }
  return Out;
}

namespace {
/// Walks a body byte by byte keeping the source position.
struct Cursor {
  std::string_view S;
  size_t I = 0;
  uint32_t Line, Col;
  Cursor(std::string_view S, SourceLoc Start) : S(S), Line(Start.Line), Col(Start.Col) {}
  bool done() const { return I >= S.size(); }
  char peek(size_t K = 0) const { return I + K < S.size() ? S[I + K] : '\0'; }
  void advance() {
    if (S[I] == '\n') {
      ++Line;
      Col = 1;
    } else {
      ++Col;
    }
    ++I;
  }
};
} // namespace

bool splitFString(const StringPiece &Piece, std::vector<FStringItem> &Out, std::string &Err,
                  SourceLoc &ErrLoc) {
  Cursor C(Piece.Body, Piece.BodyLoc);
  std::string Raw;
  SourceLoc RawLoc = Piece.BodyLoc;
  auto here = [&] {
    SourceLoc L = Piece.BodyLoc;
    L.Line = C.Line;
    L.Col = C.Col;
    return L;
  };
  auto flush = [&] {
    if (Raw.empty())
      return;
    FStringItem It;
    It.Text = Piece.IsRaw ? Raw : decodeEscapes(Raw);
    It.Loc = RawLoc;
    Out.push_back(std::move(It));
    Raw.clear();
  };
  while (!C.done()) {
    char Ch = C.peek();
    if (Ch == '{' && C.peek(1) == '{') {
      if (Raw.empty())
        RawLoc = here();
      Raw += '{';
      C.advance();
      C.advance();
      continue;
    }
    if (Ch == '}' && C.peek(1) == '}') {
      if (Raw.empty())
        RawLoc = here();
      Raw += '}';
      C.advance();
      C.advance();
      continue;
    }
    if (Ch == '}') {
      Err = "f-string: single '}' is not allowed";
      ErrLoc = here();
      return false;
    }
    if (Ch != '{') {
      if (Raw.empty())
        RawLoc = here();
      Raw += Ch;
      if (Ch == '\\' && !Piece.IsRaw && C.peek(1) != '\0') {
        C.advance();
        Raw += C.peek();
      }
      C.advance();
      continue;
    }
    // A replacement field.
    flush();
    SourceLoc OpenLoc = here();
    C.advance();
    SourceLoc ExprLoc = here();
    std::string Expr, Conv, Spec;
    int Depth = 0;
    char InQuote = 0;
    enum { InExpr, InConv, InSpec } State = InExpr;
    bool Closed = false;
    while (!C.done()) {
      char D = C.peek();
      if (State == InExpr) {
        if (InQuote) {
          if (D == InQuote)
            InQuote = 0;
          Expr += D;
          C.advance();
          continue;
        }
        if (D == '\'' || D == '"') {
          InQuote = D;
        } else if (D == '(' || D == '[' || D == '{') {
          ++Depth;
        } else if ((D == ')' || D == ']' || D == '}') && Depth > 0) {
          --Depth;
        } else if (D == '}' && Depth == 0) {
          Closed = true;
          C.advance();
          break;
        } else if (D == '!' && Depth == 0 && C.peek(1) != '=') {
          State = InConv;
          C.advance();
          continue;
        } else if (D == ':' && Depth == 0) {
          State = InSpec;
          C.advance();
          continue;
        }
        Expr += D;
        C.advance();
      } else if (State == InConv) {
        if (D == ':') {
          State = InSpec;
          C.advance();
          continue;
        }
        if (D == '}') {
          Closed = true;
          C.advance();
          break;
        }
        Conv += D;
        C.advance();
      } else {
        if (D == '{') {
          ++Depth;
        } else if (D == '}') {
          if (Depth == 0) {
            Closed = true;
            C.advance();
            break;
          }
          --Depth;
        }
        Spec += D;
        C.advance();
      }
    }
    if (!Closed) {
      Err = "f-string: expecting '}'";
      ErrLoc = OpenLoc;
      return false;
    }
    size_t First = Expr.find_first_not_of(" \t\r\n");
    if (First == std::string::npos) {
      Err = "f-string: empty expression not allowed";
      ErrLoc = OpenLoc;
      return false;
    }
    // Self-documenting `{x=}` prints "x=" before the value.
    size_t Last = Expr.find_last_not_of(" \t\r\n");
    if (Expr[Last] == '=' && Last > 0 &&
        std::string("=!<>").find(Expr[Last - 1]) == std::string::npos) {
      FStringItem Lit;
      Lit.Text = Expr;
      Lit.Loc = ExprLoc;
      Out.push_back(std::move(Lit));
      Expr = Expr.substr(0, Last);
    }
    if (!Conv.empty() && Conv != "r" && Conv != "s" && Conv != "a") {
      Err = "f-string: invalid conversion character '" + Conv + "': expected 's', 'r', or 'a'";
      ErrLoc = OpenLoc;
      return false;
    }
    FStringItem It;
    It.IsField = true;
    It.Text = Expr;
    It.Conversion = Conv;
    It.FormatSpec = Spec;
    It.Loc = ExprLoc;
    Out.push_back(std::move(It));
  }
  flush();
  return true;
}

bool splitFormatTemplate(std::string_view T, std::vector<FormatField> &Out) {
  std::string Lit;
  auto flush = [&] {
    if (Lit.empty())
      return;
    FormatField F;
    F.Text = std::move(Lit);
    Out.push_back(std::move(F));
    Lit.clear();
  };
  for (size_t I = 0; I < T.size(); ++I) {
    char C = T[I];
    if (C == '{' && I + 1 < T.size() && T[I + 1] == '{') {
      Lit += '{';
      ++I;
      continue;
    }
    if (C == '}' && I + 1 < T.size() && T[I + 1] == '}') {
      Lit += '}';
      ++I;
      continue;
    }
    if (C == '}')
      return false;
    if (C != '{') {
      Lit += C;
      continue;
    }
    flush();
    size_t J = I + 1;
    int Depth = 0;
    std::string Body;
    for (; J < T.size(); ++J) {
      if (T[J] == '{')
        ++Depth;
      else if (T[J] == '}') {
        if (Depth == 0)
          break;
        --Depth;
      }
      Body += T[J];
    }
    if (J >= T.size())
      return false;
    FormatField F;
    F.IsField = true;
    size_t Colon = Body.find(':');
    std::string Head = Colon == std::string::npos ? Body : Body.substr(0, Colon);
    if (Colon != std::string::npos)
      F.FormatSpec = Body.substr(Colon + 1);
    size_t Bang = Head.find('!');
    if (Bang != std::string::npos) {
      F.Conversion = Head.substr(Bang + 1);
      Head = Head.substr(0, Bang);
    }
    F.Text = Head;
    Out.push_back(std::move(F));
    I = J;
  }
  flush();
  return true;
}


} // namespace svic::frontend
