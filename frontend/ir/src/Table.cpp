//===- Table.cpp - Typed view of the shared operation/distribution table ---===//

#include "svic/ir/Table.h"

#include <cassert>
#include <cstdlib>
#include <unordered_map>

namespace svic::ir {

std::string_view smoothnessName(Smoothness S) {
  switch (S) {
  case Smoothness::Diff:
    return "diff";
  case Smoothness::Lips:
    return "lips";
  case Smoothness::Cont:
    return "cont";
  case Smoothness::None:
    return "none";
  }
  return "none";
}

Smoothness weakest(Smoothness A, Smoothness B) { return A > B ? A : B; }

std::string_view supportName(SupportKind K) {
  switch (K) {
  case SupportKind::Real:
    return "real";
  case SupportKind::RealVector:
    return "real_vector";
  case SupportKind::Positive:
    return "positive";
  case SupportKind::NonNegative:
    return "nonnegative";
  case SupportKind::UnitInterval:
    return "unit_interval";
  case SupportKind::ClosedUnitInterval:
    return "closed_unit_interval";
  case SupportKind::Interval:
    return "interval";
  case SupportKind::GreaterThan:
    return "greater_than";
  case SupportKind::GreaterThanEq:
    return "greater_than_eq";
  case SupportKind::LessThan:
    return "less_than";
  case SupportKind::Simplex:
    return "simplex";
  case SupportKind::Circular:
    return "circular";
  case SupportKind::Boolean:
    return "boolean";
  case SupportKind::NonNegativeInteger:
    return "nonnegative_integer";
  case SupportKind::IntegerInterval:
    return "integer_interval";
  case SupportKind::OneHot:
    return "one_hot";
  case SupportKind::Point:
    return "point";
  case SupportKind::Mixed:
    return "mixed";
  case SupportKind::PositiveDefinite:
    return "positive_definite";
  case SupportKind::LowerCholesky:
    return "lower_cholesky";
  case SupportKind::Unknown:
    return "unknown";
  }
  return "unknown";
}

bool isDiscreteSupport(SupportKind K) {
  switch (K) {
  case SupportKind::Boolean:
  case SupportKind::NonNegativeInteger:
  case SupportKind::IntegerInterval:
  case SupportKind::OneHot:
    return true;
  default:
    return false;
  }
}

static std::optional<Smoothness> classFromLetter(char C) {
  switch (C) {
  case 'd':
    return Smoothness::Diff;
  case 'l':
    return Smoothness::Lips;
  case 'c':
    return Smoothness::Cont;
  case 'n':
    return Smoothness::None;
  default:
    return std::nullopt;
  }
}

std::optional<std::vector<ParamSpec>> parseSignature(std::string_view Sig) {
  std::vector<ParamSpec> Out;
  while (!Sig.empty()) {
    size_t Comma = Sig.find(',');
    std::string_view Item = Sig.substr(0, Comma);
    Sig = Comma == std::string_view::npos ? std::string_view() : Sig.substr(Comma + 1);
    if (Comma != std::string_view::npos && Sig.empty())
      return std::nullopt; // trailing comma
    ParamSpec P;
    if (!Item.empty() && (Item.back() == '?' || Item.back() == '*')) {
      P.Optional = true;
      P.Variadic = Item.back() == '*';
      Item.remove_suffix(1);
    }
    size_t Colon = Item.find(':');
    if (Colon == 0 || Colon == std::string_view::npos || Colon + 1 >= Item.size())
      return std::nullopt;
    P.Name = std::string(Item.substr(0, Colon));
    std::string_view Rest = Item.substr(Colon + 1);
    std::optional<Smoothness> Cls = classFromLetter(Rest[0]);
    if (!Cls)
      return std::nullopt;
    P.Class = *Cls;
    if (Rest.size() > 1) {
      if (Rest[1] != ':' || Rest.size() == 2)
        return std::nullopt;
      P.Domain = std::string(Rest.substr(2));
    }
    if (!Out.empty() && Out.back().Variadic)
      return std::nullopt; // only the last slot may be variadic
    Out.push_back(std::move(P));
  }
  return Out;
}

// Table rows are compile-time constants; a malformed one is a programming error
// caught by the table tests on the first lookup.
static std::vector<ParamSpec> mustParse(std::string_view Sig) {
  std::optional<std::vector<ParamSpec>> P = parseSignature(Sig);
  if (!P) {
    assert(false && "malformed signature in a .def table");
    std::abort();
  }
  return std::move(*P);
}

const std::vector<OpInfo> &allOps() {
  static const std::vector<OpInfo> Ops = [] {
    std::vector<OpInfo> V;
#define SVIC_OP(Id, Name, Params, Range, Pre, Shape)                                               \
  V.push_back(OpInfo{OpId::Id, Name, mustParse(Params), ValueRange::Range, Precondition::Pre,       \
                     ShapeRule::Shape});
#include "svic/ir/Operations.def"
    return V;
  }();
  return Ops;
}

const std::vector<ModuleInfo> &allModules() {
  static const std::vector<ModuleInfo> Mods = [] {
    std::vector<ModuleInfo> V;
#define SVIC_MODULE(Id, Name, CtorParams, CallParams, Weights, Range, Relu)                         \
  V.push_back(ModuleInfo{ModuleId::Id, Name, mustParse(CtorParams), mustParse(CallParams),          \
                         Smoothness::Weights, ValueRange::Range, Relu});
#include "svic/ir/Operations.def"
    return V;
  }();
  return Mods;
}

const std::vector<DistInfo> &allDistributions() {
  static const std::vector<DistInfo> Dists = [] {
    std::vector<DistInfo> V;
#define SVIC_DIST(Id, Name, Params, Support, Discrete, Reparam, ValueSmooth, EventRank)            \
  V.push_back(DistInfo{DistId::Id, Name, mustParse(Params), SupportKind::Support, Discrete, Reparam,  \
                       Smoothness::ValueSmooth, EventRank});
#include "svic/ir/Distributions.def"
    return V;
  }();
  return Dists;
}

const std::vector<ConstraintInfo> &allConstraints() {
  static const std::vector<ConstraintInfo> Cs = [] {
    std::vector<ConstraintInfo> V;
#define SVIC_CONSTRAINT(Id, Name, Args, Support)                                                   \
  V.push_back(ConstraintInfo{ConstraintId::Id, Name, Args, SupportKind::Support});
#include "svic/ir/Constraints.def"
    return V;
  }();
  return Cs;
}

const OpInfo &opInfo(OpId Id) { return allOps()[static_cast<size_t>(Id)]; }
const ModuleInfo &moduleInfo(ModuleId Id) { return allModules()[static_cast<size_t>(Id)]; }
const DistInfo &distInfo(DistId Id) { return allDistributions()[static_cast<size_t>(Id)]; }
const ConstraintInfo &constraintInfo(ConstraintId Id) {
  return allConstraints()[static_cast<size_t>(Id)];
}

template <typename Row, typename IdT>
static std::optional<IdT> findByName(const std::vector<Row> &Rows, std::string_view Name,
                                     std::string Row::*Field) {
  for (const Row &R : Rows)
    if (R.*Field == Name)
      return R.Id;
  return std::nullopt;
}

std::optional<OpId> findOp(std::string_view Name) {
  return findByName<OpInfo, OpId>(allOps(), Name, &OpInfo::QualifiedName);
}
std::optional<ModuleId> findModule(std::string_view Name) {
  return findByName<ModuleInfo, ModuleId>(allModules(), Name, &ModuleInfo::QualifiedName);
}
std::optional<DistId> findDistribution(std::string_view Name) {
  return findByName<DistInfo, DistId>(allDistributions(), Name, &DistInfo::Name);
}
std::optional<ConstraintId> findConstraint(std::string_view Name) {
  return findByName<ConstraintInfo, ConstraintId>(allConstraints(), Name, &ConstraintInfo::Name);
}

std::optional<size_t> paramIndex(const std::vector<ParamSpec> &Params, std::string_view Name) {
  for (size_t I = 0; I < Params.size(); ++I)
    if (Params[I].Name == Name)
      return I;
  return std::nullopt;
}

} // namespace svic::ir
