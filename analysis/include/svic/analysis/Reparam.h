//===- Reparam.h - Selective reparameterisation (POPL 2023, section 6) -----===//
///
/// \file
/// Chooses the guide latents whose pathwise (reparameterised) gradient keeps
/// the ELBO gradient estimator unbiased, from the smoothness of the model and
/// guide densities (notes/smoothness-analysis.md §d.3), with the improvements
/// of §d.3 [R]: the guide's observe/factor terms count, θ, the latents and the
/// discrete flags come from the programs, the condition is re-checked on the
/// reparameterised guide, and the selection is shrunk greedily when the
/// re-check fails.
///
/// Condition (for goal φ, Lips by default as in the paper's Table 5):
///   ND      = names in which the model or the guide density may not be φ;
///   θ ∩ ND  = ∅ (ThetaConditionHolds);
///   π       = continuous guide latents (Delta sites included) outside ND;
///   after reparameterising π, the guide's sampled values and density factors
///   are φ in θ (ConditionHolds, which also requires the θ condition).
//===----------------------------------------------------------------------===//
#pragma once

#include "svic/analysis/Smoothness.h"

#include <string>
#include <vector>

namespace svic::analysis {

struct ReparamResult {
  /// Guide latents to reparameterise, sorted.
  std::vector<std::string> Selected;
  /// Guide continuous latents not selected and discrete guide latents, sorted.
  std::vector<std::string> Score;
  bool ThetaConditionHolds = false;
  /// The re-check on the result (implies ThetaConditionHolds).
  bool ConditionHolds = false;
  /// Why each latent of Score is not selected, and why a condition fails, e.g.
  /// "z2: model density may not be Lipschitz in z2 (if at model.py:20:5)".
  std::vector<std::string> Reasons;
};

ReparamResult selectReparameterization(const ir::Program &Model, const NumericResult &NM,
                                       const ir::Program &Guide, const NumericResult &NG,
                                       Property Goal = Property::Lips,
                                       const SourceManager *SM = nullptr);
ReparamResult selectReparameterization(const ir::Program &Model, const NumericFacts &NM,
                                       const ir::Program &Guide, const NumericFacts &NG,
                                       Property Goal = Property::Lips,
                                       const SourceManager *SM = nullptr);
/// The same with the smoothness results for \p Goal of the model (\p RM) and
/// the guide (\p RG) already computed (analyzeSmoothness with the default
/// options), as `svic analyze` has them: steps 1 and 5's baseline reuse them.
ReparamResult selectReparameterization(const ir::Program &Model, const NumericResult &NM,
                                       const ir::Program &Guide, const NumericResult &NG,
                                       const SmoothnessResult &RM, const SmoothnessResult &RG,
                                       Property Goal = Property::Lips,
                                       const SourceManager *SM = nullptr);
ReparamResult selectReparameterization(const ir::Program &Model, const NumericFacts &NM,
                                       const ir::Program &Guide, const NumericFacts &NG,
                                       const SmoothnessResult &RM, const SmoothnessResult &RG,
                                       Property Goal = Property::Lips,
                                       const SourceManager *SM = nullptr);

} // namespace svic::analysis
