//===- Source.h - Source files, locations and inlining frames --------------===//
///
/// \file
/// Every IR node carries a SourceLoc (1-based line and column, plus its end) so
/// every analysis result can name a line. Code inlined from a helper function
/// keeps the callee's location and points at an InlineFrame recording the call
/// site, so a witness shows both (stanc3's `included_from`).
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <string_view>
#include <vector>

namespace svic {

using FileId = uint32_t;
using InlineId = uint32_t; ///< 0: not inlined

struct SourceLoc {
  FileId File = 0;
  uint32_t Line = 0; ///< 1-based; 0 means "no location"
  uint32_t Col = 0;  ///< 1-based
  uint32_t EndLine = 0;
  uint32_t EndCol = 0; ///< one past the last character
  InlineId Inlined = 0;

  bool valid() const { return Line != 0; }
};

/// Orders by file, line, column: the order of diagnostics and report rows.
bool operator<(const SourceLoc &A, const SourceLoc &B);

struct InlineFrame {
  SourceLoc CallSite; ///< the call that was inlined (itself possibly inlined)
  std::string Callee;
};

/// Owns the text of every file the run reads and the inlining frames.
class SourceManager {
public:
  SourceManager();

  /// Registers \p Text under \p Path. File ids start at 1.
  FileId addFile(std::string Path, std::string Text);
  /// Reads \p Path from disk; empty optional with \p Error set on failure.
  std::optional<FileId> loadFile(const std::string &Path, std::string &Error);

  const std::string &path(FileId F) const;
  const std::string &text(FileId F) const;
  /// Text of 1-based line \p Line without its newline; empty when out of range.
  std::string_view lineText(FileId F, uint32_t Line) const;

  /// Marks \p F as the code cells of a notebook: cell number \p Cells[i].first
  /// starts at line \p Cells[i].second of the text (ascending).
  void setNotebookCells(FileId F, std::vector<std::pair<uint32_t, uint32_t>> Cells);
  /// The cell holding \p Line and the line within it; {0, Line} outside notebooks.
  std::pair<uint32_t, uint32_t> cellLine(FileId F, uint32_t Line) const;
  /// "LINE:COL", or "cell N:LINE:COL" in a notebook (docs/language.md).
  std::string position(SourceLoc L) const;

  InlineId addInlineFrame(SourceLoc CallSite, std::string Callee);
  const InlineFrame &inlineFrame(InlineId Id) const;

private:
  struct File {
    std::string Path;
    std::string Text;
    std::vector<size_t> LineStarts;
    std::vector<std::pair<uint32_t, uint32_t>> Cells; ///< (cell number, first line)
  };
  std::vector<File> Files;          // index 0 is a placeholder for "no file"
  std::vector<InlineFrame> Frames;  // index 0 is a placeholder for "not inlined"
};

} // namespace svic
