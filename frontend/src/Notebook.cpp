//===- Notebook.cpp - Jupyter notebooks as Python sources -----------------===//

#include "Notebook.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <vector>

namespace svic::frontend {

namespace {

/// A cell's source: nbformat allows one string or a list of lines.
std::optional<std::string> cellSource(const nlohmann::json &Cell) {
  auto It = Cell.find("source");
  if (It == Cell.end())
    return std::string();
  if (It->is_string())
    return It->get<std::string>();
  if (!It->is_array())
    return std::nullopt;
  std::string Out;
  for (const nlohmann::json &L : *It) {
    if (!L.is_string())
      return std::nullopt;
    Out += L.get<std::string>();
  }
  return Out;
}

std::vector<std::string> splitLines(const std::string &S) {
  std::vector<std::string> Out;
  std::istringstream In(S);
  for (std::string L; std::getline(In, L);)
    Out.push_back(L);
  return Out;
}

bool isMagic(const std::string &Line) {
  size_t I = Line.find_first_not_of(" \t");
  return I != std::string::npos && (Line[I] == '%' || Line[I] == '!');
}

} // namespace

bool isNotebookPath(const std::string &Path) {
  return Path.size() > 6 && Path.compare(Path.size() - 6, 6, ".ipynb") == 0;
}

std::optional<FileId> loadSource(const std::string &Path, SourceManager &SM, DiagnosticEngine &DE) {
  std::string Err;
  if (!isNotebookPath(Path)) {
    std::optional<FileId> F = SM.loadFile(Path, Err);
    if (!F)
      DE.report(DiagId::IoError, SourceLoc{}, Err);
    return F;
  }
  std::ifstream In(Path, std::ios::binary);
  if (!In) {
    DE.report(DiagId::IoError, SourceLoc{}, "cannot open '" + Path + "'");
    return std::nullopt;
  }
  std::ostringstream Buf;
  Buf << In.rdbuf();
  auto Bad = [&](const std::string &Why) -> std::optional<FileId> {
    SourceLoc L;
    L.File = SM.addFile(Path, "");
    DE.report(DiagId::Notebook, L, "not a Jupyter notebook (nbformat 4): " + Why);
    return std::nullopt;
  };
  nlohmann::json Doc = nlohmann::json::parse(Buf.str(), nullptr, /*allow_exceptions=*/false);
  if (Doc.is_discarded())
    return Bad("the file is not valid JSON");
  if (!Doc.is_object() || !Doc.contains("cells") || !Doc["cells"].is_array())
    return Bad("no \"cells\" list");

  std::string Text;
  uint32_t Line = 1;
  std::vector<std::pair<uint32_t, uint32_t>> Cells;
  std::vector<std::pair<uint32_t, std::string>> Skipped; // (line, why)
  uint32_t Number = 0;
  for (const nlohmann::json &Cell : Doc["cells"]) {
    ++Number;
    if (!Cell.is_object())
      return Bad("cell " + std::to_string(Number) + " is not an object");
    auto Type = Cell.find("cell_type");
    if (Type == Cell.end() || !Type->is_string() || *Type != "code")
      continue;
    std::optional<std::string> Src = cellSource(Cell);
    if (!Src)
      return Bad("cell " + std::to_string(Number) + " has a malformed \"source\"");
    std::vector<std::string> Lines = splitLines(*Src);
    if (Lines.empty())
      continue;
    Cells.push_back({Number, Line});
    // A cell magic whose body is not Python blanks the whole cell.
    bool SkipCell = false;
    if (Lines[0].rfind("%%", 0) == 0) {
      std::string Magic = Lines[0].substr(2, Lines[0].find_first_of(" \t") - 2);
      SkipCell = Magic != "time" && Magic != "timeit" && Magic != "capture";
    }
    for (const std::string &L : Lines) {
      if (SkipCell || isMagic(L)) {
        if (SkipCell && &L != &Lines[0])
          Text += "\n";
        else {
          Skipped.push_back({Line, SkipCell ? "cell magic '" + L + "' (the cell is not Python)"
                                            : "IPython magic '" + L + "'"});
          Text += "\n";
        }
      } else {
        Text += L + "\n";
      }
      ++Line;
    }
  }
  FileId F = SM.addFile(Path, std::move(Text));
  SM.setNotebookCells(F, std::move(Cells));
  for (const auto &[L, Why] : Skipped) {
    SourceLoc Loc;
    Loc.File = F;
    Loc.Line = L;
    Loc.Col = 1;
    DE.report(DiagId::NotebookMagic, Loc, Why + " skipped");
  }
  return F;
}

} // namespace svic::frontend
