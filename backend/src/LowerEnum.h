//===- LowerEnum.h - Summing out enumerated model sites ---------------------===//
///
/// \file
/// Private to the lowering. A model site marked for enumeration that the
/// guide does not sample is summed out, as Pyro's TraceEnum_ELBO does: the
/// model runs with the site bound to all its values at once, laid along a
/// new dim left of the plates (Pyro's enumeration dims), so every density
/// that depends on it is a tensor over those dims. The ELBO term of these
/// densities is log sum_y exp(sum of them), computed here by variable
/// elimination in sampling order, which along a Markov chain is the forward
/// algorithm (cost O(T K^2)). A site the elimination cannot handle soundly is
/// a located error naming it.
//===----------------------------------------------------------------------===//
#pragma once

#include "LowerOps.h"

namespace svic::backend::lower {

/// Dependence ids of enumerated sites start here, above every score site's.
inline constexpr uint32_t EnumDepBase = 1u << 30;

struct EnumVar {
  std::string Site;
  SourceLoc Loc;
  int Dim = 0;            ///< negative: the site's values lie along this dim
  int64_t Size = 0;       ///< the number of values
  std::vector<int> Plates; ///< dims of the enclosing plates, sorted
};

/// The log-density of a model site that depends on an enumerated site,
/// unsummed (Pyro's packed log_prob: the mask inside, the scale outside).
struct EnumFactor {
  ValuePtr LogP;
  std::string Site;
  SourceLoc Loc;
  std::vector<int> Plates; ///< as EnumVar::Plates
  double Scale = 1;        ///< poutine.scale's factor, applied after the sum
};

/// The enumerated sites (indices into the EnumVar list) in \p D.
std::vector<size_t> enumVarsIn(const DepSet &D);

/// The scalar sum over plates of log sum_{enumerated values} exp(sum of
/// \p Factors), as TraceEnum_ELBO's contraction computes it with
/// \p PlateRank plate dims (its max_plate_nesting).
ValuePtr contractEnumerated(OpBuilder &Ops, Emitter &E, const std::vector<EnumVar> &Vars,
                            const std::vector<EnumFactor> &Factors, int PlateRank);

} // namespace svic::backend::lower
