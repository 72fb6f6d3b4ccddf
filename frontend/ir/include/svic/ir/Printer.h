//===- Printer.h - The readable `--dump-ir` form of a Program ---------------===//
///
/// \file
/// One statement per line, blocks indented by two spaces, variables as
/// `%name` (a later variable with the same name gets `~N`), locations as
/// `@line:col` (code inlined from a helper adds `via callee@line:col` for each
/// call), operations by their qualified table name, site names with their
/// index expressions. The output is deterministic and holds no node ids and no
/// absolute paths beyond the file path as given, so it is usable in goldens.
//===----------------------------------------------------------------------===//
#pragma once

#include "svic/ir/IR.h"
#include "svic/ir/Source.h"

#include <string>
#include <string_view>

namespace svic::ir {

std::string printProgram(const Program &P, const SourceManager &SM);

/// One expression in the same notation (tests and debugging).
std::string printExpr(const Expr &E, const Program &P, const SourceManager &SM);

/// A number as printed in the IR dump: integers as integers, other doubles in
/// the shortest form that reads back exactly (always with '.' or 'e').
std::string formatNumber(double V);

/// A string as a double-quoted literal with C-style escapes.
std::string quoteString(std::string_view S);

} // namespace svic::ir
