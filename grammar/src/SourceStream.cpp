//===- SourceStream.cpp - The lexer's input: a UTF-8 text as code points ---===//

#include "svic/grammar/SourceStream.h"

#include <algorithm>

namespace svic::grammar {

SourceStream::SourceStream(std::string Text)
    : Bytes(std::move(Text)), Ascii(std::all_of(Bytes.begin(), Bytes.end(), [](char C) {
        return static_cast<unsigned char>(C) < 0x80;
      })) {
  if (!Ascii)
    Points = antlrcpp::utf8_to_utf32(Bytes.data(), Bytes.data() + Bytes.size());
  N = Ascii ? Bytes.size() : Points.size();
}

void SourceStream::consume() {
  if (P >= N)
    throw antlr4::IllegalStateException("cannot consume EOF");
  ++P;
}

size_t SourceStream::LA(ssize_t I) {
  // ANTLRInputStream's: LA(1) is the next character, LA(-1) the previous one.
  if (I == 0)
    return 0;
  if (I < 0) {
    ++I;
    if (static_cast<ssize_t>(P) + I - 1 < 0)
      return static_cast<size_t>(antlr4::Token::EOF);
  }
  return at(static_cast<size_t>(static_cast<ssize_t>(P) + I - 1));
}

void SourceStream::seek(size_t Index) { P = std::min(Index, N); }

std::string SourceStream::getSourceName() const { return antlr4::IntStream::UNKNOWN_SOURCE_NAME; }

std::string SourceStream::getText(const antlr4::misc::Interval &I) {
  if (I.a < 0 || I.b < 0)
    return "";
  // ANTLRInputStream's clamping, wrap-around of a reversed interval included.
  size_t Start = static_cast<size_t>(I.a);
  size_t Stop = std::min(static_cast<size_t>(I.b), N - 1);
  if (Start >= N)
    return "";
  size_t Count = Stop - Start + 1;
  if (Ascii)
    return Bytes.substr(Start, Count);
  return antlrcpp::utf32_to_utf8(Points.substr(Start, Count));
}

std::string SourceStream::toString() const { return Bytes; }

} // namespace svic::grammar
