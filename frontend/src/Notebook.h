//===- Notebook.h - Jupyter notebooks as Python sources -------------------===//
///
/// \file
/// `svic analyze nb.ipynb`: the code cells of an nbformat-4 notebook, in
/// order, are one Python file. IPython magics (`%...`, `!...`) are blank
/// lines with a note, and so is a cell under a `%%` cell magic other than
/// `%%time`, `%%timeit` and `%%capture` (whose body is Python). Locations map
/// back to `nb.ipynb:cell N:LINE:COL`, N counting every cell from 1.
//===----------------------------------------------------------------------===//
#pragma once

#include "svic/ir/Diagnostics.h"
#include "svic/ir/Source.h"

#include <optional>
#include <string>

namespace svic::frontend {

/// True when \p Path names a notebook (`.ipynb`).
bool isNotebookPath(const std::string &Path);

/// Reads \p Path: a notebook's code cells, or the file as it is. Reports I/O
/// and notebook-format errors to \p DE.
std::optional<FileId> loadSource(const std::string &Path, SourceManager &SM, DiagnosticEngine &DE);

} // namespace svic::frontend
