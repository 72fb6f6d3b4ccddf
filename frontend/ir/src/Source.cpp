//===- Source.cpp - Source files, locations and inlining frames ------------===//

#include "svic/ir/Source.h"

#include <algorithm>
#include <cassert>
#include <fstream>
#include <sstream>
#include <tuple>

namespace svic {

bool operator<(const SourceLoc &A, const SourceLoc &B) {
  return std::tie(A.File, A.Line, A.Col) < std::tie(B.File, B.Line, B.Col);
}

SourceManager::SourceManager() {
  Files.push_back(File{});
  Frames.push_back(InlineFrame{});
}

FileId SourceManager::addFile(std::string Path, std::string Text) {
  File F;
  F.Path = std::move(Path);
  F.Text = std::move(Text);
  F.LineStarts.push_back(0);
  for (size_t I = 0; I < F.Text.size(); ++I)
    if (F.Text[I] == '\n')
      F.LineStarts.push_back(I + 1);
  Files.push_back(std::move(F));
  return static_cast<FileId>(Files.size() - 1);
}

std::optional<FileId> SourceManager::loadFile(const std::string &Path, std::string &Error) {
  std::ifstream In(Path, std::ios::binary);
  if (!In) {
    Error = "cannot open '" + Path + "'";
    return std::nullopt;
  }
  std::ostringstream Buf;
  Buf << In.rdbuf();
  if (In.bad()) {
    Error = "cannot read '" + Path + "'";
    return std::nullopt;
  }
  return addFile(Path, Buf.str());
}

void SourceManager::setNotebookCells(FileId F,
                                     std::vector<std::pair<uint32_t, uint32_t>> Cells) {
  assert(F < Files.size() && "unknown file id");
  Files[F].Cells = std::move(Cells);
}

std::pair<uint32_t, uint32_t> SourceManager::cellLine(FileId F, uint32_t Line) const {
  if (F == 0 || F >= Files.size() || Files[F].Cells.empty())
    return {0, Line};
  const auto &Cells = Files[F].Cells;
  auto It = std::upper_bound(Cells.begin(), Cells.end(), Line,
                             [](uint32_t L, const auto &C) { return L < C.second; });
  if (It == Cells.begin())
    return {0, Line};
  --It;
  return {It->first, Line - It->second + 1};
}

std::string SourceManager::position(SourceLoc L) const {
  auto [Cell, Line] = cellLine(L.File, L.Line);
  std::string Pos = std::to_string(Line) + ":" + std::to_string(L.Col);
  return Cell ? "cell " + std::to_string(Cell) + ":" + Pos : Pos;
}

const std::string &SourceManager::path(FileId F) const {
  assert(F < Files.size() && "unknown file id");
  return Files[F].Path;
}

const std::string &SourceManager::text(FileId F) const {
  assert(F < Files.size() && "unknown file id");
  return Files[F].Text;
}

std::string_view SourceManager::lineText(FileId F, uint32_t Line) const {
  if (F == 0 || F >= Files.size() || Line == 0)
    return {};
  const File &Fi = Files[F];
  if (Line > Fi.LineStarts.size())
    return {};
  size_t Begin = Fi.LineStarts[Line - 1];
  size_t End = Line < Fi.LineStarts.size() ? Fi.LineStarts[Line] : Fi.Text.size();
  std::string_view V(Fi.Text.data() + Begin, End - Begin);
  while (!V.empty() && (V.back() == '\n' || V.back() == '\r'))
    V.remove_suffix(1);
  return V;
}

InlineId SourceManager::addInlineFrame(SourceLoc CallSite, std::string Callee) {
  Frames.push_back(InlineFrame{CallSite, std::move(Callee)});
  return static_cast<InlineId>(Frames.size() - 1);
}

const InlineFrame &SourceManager::inlineFrame(InlineId Id) const {
  assert(Id > 0 && Id < Frames.size() && "unknown inline frame");
  return Frames[Id];
}

} // namespace svic
