//===- SiteFilter.h - poutine.block's hide_fn/expose_fn on site names -----===//
///
/// \file
/// `poutine.block(fn, expose_fn=lambda msg: msg["name"].startswith("probs_"))`
/// decides per site from its name. svic reads such a lambda when its body
/// tests only `msg["name"]` (startswith, endswith, ==, !=, in / not in a
/// literal list, also on a prefix or suffix slice `msg["name"][:3]`,
/// combined with not/and/or) and evaluates it on each site's
/// canonical name; a template name (`x_{}`) is decided when its literal text
/// decides it, else the verdict is unknown.
//===----------------------------------------------------------------------===//
#pragma once

#include "svic/frontend/Ast.h"

#include <optional>
#include <string>
#include <vector>

namespace svic::frontend {

struct NameFilter {
  enum class Kind { StartsWith, EndsWith, Equals, Not, And, Or } K = Kind::Equals;
  std::string Text;              ///< StartsWith, EndsWith, Equals
  std::vector<NameFilter> Parts; ///< Not (one), And, Or
  /// The predicate on the site \p Canonical (with `{}` fields and doubled
  /// literal braces when \p Template); nullopt when the fields decide it.
  std::optional<bool> eval(const std::string &Canonical, bool Template) const;
};

/// The filter a `lambda msg: ...` computes, or nullopt when its body is not
/// of the form above.
std::optional<NameFilter> parseNameFilter(const ast::Expr &E);
/// The same for `def f(msg): return ...` (a body of that one statement).
std::optional<NameFilter> parseNameFilter(const ast::FunctionDef &Fn);

} // namespace svic::frontend
