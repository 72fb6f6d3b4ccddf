//===- SourceStream.h - The lexer's input: a UTF-8 text as code points -----===//
///
/// \file
/// What antlr4::ANTLRInputStream gives (the same indices, LA, seek and
/// getText), for the IndentingLexer. ANTLRInputStream copies the text to
/// UTF-32 and converts every token's text back through std::codecvt; ASCII
/// text (every program of examples/ and nearly all real code) is read here in
/// place, and the scanner reads characters with `at` instead of a virtual LA
/// per character. Other text is held as code points, as ANTLR does.
//===----------------------------------------------------------------------===//
#pragma once

#include "antlr4-runtime.h"

#include <string>

namespace svic::grammar {

class SourceStream final : public antlr4::CharStream {
public:
  explicit SourceStream(std::string Text);

  /// The code point at index \p I, or EOF past the end.
  size_t at(size_t I) const {
    if (I >= N)
      return static_cast<size_t>(antlr4::Token::EOF);
    return Ascii ? static_cast<unsigned char>(Bytes[I]) : static_cast<size_t>(Points[I]);
  }

  void consume() override;
  size_t LA(ssize_t I) override;
  ssize_t mark() override { return -1; }
  void release(ssize_t) override {}
  size_t index() override { return P; }
  void seek(size_t Index) override;
  size_t size() override { return N; }
  std::string getSourceName() const override;
  std::string getText(const antlr4::misc::Interval &I) override;
  std::string toString() const override;

private:
  std::string Bytes;     ///< the text
  bool Ascii;            ///< code-point indices are byte offsets
  std::u32string Points; ///< the code points, when not Ascii
  size_t N;              ///< number of code points
  size_t P = 0;          ///< index of the next code point
};

} // namespace svic::grammar
