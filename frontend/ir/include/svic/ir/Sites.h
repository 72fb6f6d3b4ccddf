//===- Sites.h - The site inventory of a Program (`svic sites`) -------------===//
///
/// \file
/// One record per syntactic sample, observe, param (pyro.param and
/// pyro.module), factor and plate site of a program, with its distribution
/// and support from the shared tables. Code inlined several times from one
/// helper yields one record per distinct name at that source position.
//===----------------------------------------------------------------------===//
#pragma once

#include "svic/ir/IR.h"
#include "svic/ir/Source.h"

#include <set>
#include <string>
#include <vector>

namespace svic::ir {

struct SiteRecord {
  std::string Name;          ///< canonical name (SPEC §8)
  std::string Kind;          ///< sample | observe | param | factor | plate
  std::string Distribution;  ///< class name; "" for params, factors and plates
  std::string Support;       ///< supportName(); "" when none (factor, plate)
  std::string SupportDetail; ///< e.g. "interval(0, 10)" when the bounds are constants, else ""
  bool Discrete = false;
  bool Reparameterizable = false;
  SourceLoc Loc; ///< the pyro.sample / pyro.param / ... call
};

/// The sites of \p P sorted by name, then location.
std::vector<SiteRecord> collectSites(const Program &P);

/// The canonical names of the params of \p P whose declarations with an
/// initial value (any of which may be the first to run, and Pyro's param
/// store keeps the first one's constraint) do not all declare the same
/// constraint without arguments: the value of such a param is in no one
/// declaration's support.
std::set<std::string> paramsWithMixedConstraints(const Program &P, const Program *Pair = nullptr);

} // namespace svic::ir
