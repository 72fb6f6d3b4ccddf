//===- AutoGuide.h - Pyro's autoguides synthesised from the model's IR ----===//
///
/// \file
/// `AutoNormal(model)` and its siblings are guides Pyro builds from a trace of
/// the model. svic builds the same guide from the model's lowered IR: the
/// model's statements in order, each latent site it exposes replaced by the
/// autoguide's parameters (under Pyro's names) and a site of the same name on
/// the model's support; observations, factors and the model's parameters and
/// modules dropped, vectorised plates kept around the sites they hold.
///
/// Pyro samples each latent on the unconstrained space and maps it with
/// biject_to(support) into a Delta site beside an auxiliary site. svic folds
/// the pair into one site: identity (real) gives Normal, exp (positive) gives
/// LogNormal, both exactly Pyro's pushforward; other supports are an error
/// (not modelled). The packed-vector guides (AutoDiagonalNormal,
/// AutoMultivariateNormal, AutoLowRankMultivariateNormal,
/// AutoLaplaceApproximation) give each site the marginal Pyro's own
/// `_loc_scale` computes, reading the whole latent vector: svic does not track
/// the offsets, so every site depends on every entry (an over-approximation)
/// and the correlations are not represented, which the estimator refuses.
//===----------------------------------------------------------------------===//
#pragma once

#include "SiteFilter.h"
#include "svic/frontend/Ast.h"
#include "svic/ir/Diagnostics.h"
#include "svic/ir/IR.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace svic::frontend {

/// An autoguide to build: its class and the poutine.block around the model.
struct AutoGuideRequest {
  std::string Class;                        ///< "AutoNormal", ...
  std::optional<std::vector<std::string>> Hide, Expose;
  /// hide_fn=, or the negation of expose_fn= (Pyro ignores the lists then).
  std::optional<NameFilter> HideFn;
  SourceLoc Loc; ///< the construction, else (--guide-fn) the model's def
  bool Constructed = false; ///< Loc is an `AutoX(...)` call in the file
  /// AutoGuideList: the autoguides appended to it, in order.
  std::vector<AutoGuideRequest> Parts;
};

/// True for the autoguide classes svic synthesises.
bool isAutoGuideClass(const std::string &Name);

/// The first `AutoX(model)` / `AutoX(poutine.block(model, hide=[...]))` in
/// \p M (anywhere: main(), a class body, module level) applied to the model
/// entry \p ModelEntry ("model" or "Class.method"); with \p OnlyClass set, of
/// that class only. A block whose arguments are not literal name lists is
/// an error; an AutoGuideList (without \p OnlyClass) a warning and no guide.
std::optional<AutoGuideRequest> findAutoGuide(const ast::Module &M, const std::string &ModelEntry,
                                              const std::string &OnlyClass, DiagnosticEngine &DE);

/// Calls \p Fn(var, class) for each `var = Class(...)` (or `m.Class(...)`)
/// in \p B and the bodies of its functions, ifs and withs.
void forEachConstruction(const ast::Body &B,
                         const std::function<void(const std::string &, const std::string &)> &Fn);
void forEachConstruction(const ast::Stmt &S,
                         const std::function<void(const std::string &, const std::string &)> &Fn);

/// Calls \p Fn(var, call) for each `var = f(...)` in \p B and the bodies of
/// its functions, ifs and withs, in source order.
void forEachAssignedCall(const ast::Body &B,
                         const std::function<void(const std::string &, const ast::Call &)> &Fn);
void forEachAssignedCall(const ast::Stmt &S,
                         const std::function<void(const std::string &, const ast::Call &)> &Fn);

/// Whether the last module-level binding of \p Name is an autoguide
/// construction (`guide = AutoNormal(model)` after a `def guide`, as a
/// notebook rebinds a name from cell to cell).
bool lastBoundToAutoGuide(const ast::Module &M, const std::string &Name);

/// The autoguide bound to \p Var by its last assignment (`hmm_guide =
/// AutoDelta(poutine.block(hmm_model, ...))`), when that value is an
/// autoguide construction; one built from another model than \p ModelEntry
/// is reported to \p DE as an error.
std::optional<AutoGuideRequest> autoGuideBoundTo(const ast::Module &M, const std::string &Var,
                                                const std::string &ModelEntry,
                                                DiagnosticEngine &DE);

/// The names passed as the model to an autoguide construction anywhere in
/// \p M (`AutoNormal(net)`, `AutoDelta(poutine.block(net, ...))`).
std::vector<std::string> autoGuideModelNames(const ast::Module &M);

/// The guide \p Req builds from \p Model; null after reporting to \p DE
/// (discrete latents, sequential plates, supports not modelled).
std::unique_ptr<ir::Program> synthesizeAutoGuide(const ir::Program &Model,
                                                 const AutoGuideRequest &Req,
                                                 DiagnosticEngine &DE);

/// True when the guide built by \p Class drops correlations the estimator
/// would need (the packed-vector guides).
bool autoGuideIsMarginal(const std::string &Class);

} // namespace svic::frontend
