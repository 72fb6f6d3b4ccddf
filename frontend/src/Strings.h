//===- Strings.h - String literals, f-strings and UTF-8 (frontend-internal) -===//
#pragma once

#include "svic/ir/Source.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace svic::frontend {

struct InvalidUtf8 {
  uint32_t Line, Col; ///< 1-based; Col in bytes
  unsigned Byte;
};
/// The first byte that is not part of well-formed UTF-8, if any.
std::optional<InvalidUtf8> findInvalidUtf8(std::string_view Text);

/// The encoding named by a PEP 263 coding declaration (`# -*- coding: latin-1
/// -*-`) on line 1 or 2, lower-case; nullopt without one.
std::optional<std::string> declaredEncoding(std::string_view Text);
/// \p Text converted from \p Encoding to UTF-8; nullopt when the encoding is
/// unknown or the text is not valid in it.
std::optional<std::string> toUtf8(std::string_view Text, const std::string &Encoding);

/// One STRING token split into prefix flags and body.
struct StringPiece {
  bool IsRaw = false, IsBytes = false, IsF = false;
  std::string Body;  ///< between the quotes, undecoded
  SourceLoc BodyLoc; ///< position of the first body byte
};
StringPiece splitStringToken(const std::string &Token, SourceLoc TokenLoc);

/// Decodes Python escape sequences (\n, \x41, \u00e9, \N{...} is kept as is).
std::string decodeEscapes(std::string_view Raw);

/// A literal run or a replacement field of an f-string.
struct FStringItem {
  bool IsField = false;
  std::string Text; ///< decoded literal text, or the field's expression source
  std::string Conversion, FormatSpec;
  SourceLoc Loc;
};
/// Splits an f-string body; false with \p Err / \p ErrLoc on malformed input.
bool splitFString(const StringPiece &Piece, std::vector<FStringItem> &Out, std::string &Err,
                  SourceLoc &ErrLoc);

/// Python's `str.format` field syntax, for "...".format(...) site names.
struct FormatField {
  bool IsField = false;
  std::string Text; ///< literal text (braces unescaped) or the field name ("", "0", "t")
  std::string FormatSpec, Conversion;
};
/// false when the template is malformed (single '}', unclosed '{').
bool splitFormatTemplate(std::string_view Template, std::vector<FormatField> &Out);

} // namespace svic::frontend
