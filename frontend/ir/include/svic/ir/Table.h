//===- Table.h - Typed view of the shared operation/distribution table -----===//
///
/// \file
/// Parses the rows of Operations.def, Distributions.def and Constraints.def
/// once into typed records. Every consumer (frontend binding, numeric and
/// smoothness analyses, support analysis, backend) asks this table, never its
/// own copy.
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace svic::ir {

/// Smoothness class, ordered from strongest to weakest: a Diff function is also
/// Lips and Cont. `None` promises nothing (discontinuous, discrete, shapes).
enum class Smoothness : uint8_t { Diff, Lips, Cont, None };

std::string_view smoothnessName(Smoothness S);
/// The weaker of two classes (composition of claims).
Smoothness weakest(Smoothness A, Smoothness B);

/// What the numeric analysis may assume of an operation's result.
enum class ValueRange : uint8_t {
  Any,
  Positive,            // (0, inf)
  NonNegative,         // [0, inf)
  OpenUnit,            // (0, 1)
  ClosedUnit,          // [0, 1]
  HalfOpenUnit,        // [0, 1)
  OpenSymmetricUnit,   // (-1, 1)
  ClosedSymmetricUnit, // [-1, 1]
  Zero,
  One,
  Integer,
  SameSign, // the range of the first smooth argument (reshapes, sums of it, casts)
};

/// The domain on which an operation is defined and smooth; the numeric
/// pre-analysis must prove it for the smoothness claim to hold.
enum class Precondition : uint8_t {
  None,
  PositiveArg0,        // log, rsqrt, lgamma: arg0 > 0
  GreaterMinusOneArg0, // log1p: arg0 > -1
  SqrtArg0,            // defined for arg0 >= 0, smooth (even Lipschitz) only for arg0 > 0
  Power,               // pow: integer exponent >= 1 or base > 0 (analysis rule)
};

/// Shape rule used by the shape/plate checks.
enum class ShapeRule : uint8_t {
  Elementwise, // broadcast of the tensor arguments
  Same,        // shape of argument 0
  Reduce,      // argument 0 with `dim` reduced (or kept) - softmax keeps it
  Reshape,
  Expand,
  Unsqueeze,
  Squeeze,
  Transpose,
  Cat,
  Stack,
  IndexSelect,
  Matmul,
  Construct, // built from size arguments or data literals
  Scalar,
  Opaque, // unknown shape
};

/// One formal parameter of an operation, module call or distribution.
struct ParamSpec {
  std::string Name;
  Smoothness Class = Smoothness::None;
  bool Optional = false;
  bool Variadic = false;
  /// Distribution parameters only: "real", "positive", "unit01", ... (see
  /// Distributions.def); empty for operations.
  std::string Domain;
};

enum class OpId : uint16_t {
#define SVIC_OP(Id, Name, Params, Range, Pre, Shape) Id,
#include "svic/ir/Operations.def"
};

enum class ModuleId : uint16_t {
#define SVIC_MODULE(Id, Name, CtorParams, CallParams, Weights, Range, Relu) Id,
#include "svic/ir/Operations.def"
};

struct OpInfo {
  OpId Id;
  std::string QualifiedName;
  std::vector<ParamSpec> Params;
  ValueRange Range;
  Precondition Pre;
  ShapeRule Shape;
};

struct ModuleInfo {
  ModuleId Id;
  std::string QualifiedName;
  std::vector<ParamSpec> CtorParams;
  std::vector<ParamSpec> CallParams;
  Smoothness WeightsSmooth;
  ValueRange Range;
  bool ReluVariant;
};

/// Where the values of a distribution (or a constrained parameter) live.
enum class SupportKind : uint8_t {
  Real,
  RealVector,
  Positive,
  NonNegative,
  UnitInterval,       // open (0, 1)
  ClosedUnitInterval, // [0, 1]
  Interval,           // [low, high] from the parameters
  GreaterThan,
  GreaterThanEq,
  LessThan,
  Simplex,
  Circular, // [-pi, pi)
  Boolean,
  NonNegativeInteger,
  IntegerInterval, // {0..n-1} (Categorical) or {0..total_count} (Binomial)
  OneHot,
  Point, // Delta
  Mixed, // MaskedMixture: the union of its components' supports
  PositiveDefinite,
  LowerCholesky,
  Unknown, // an opaque distribution's: nothing is known of it
};

/// The name used in reports (SPEC §8 `support`).
std::string_view supportName(SupportKind K);
/// True for supports whose values are integers (counting base measure).
bool isDiscreteSupport(SupportKind K);

enum class DistId : uint16_t {
#define SVIC_DIST(Id, Name, Params, Support, Discrete, Reparam, ValueSmooth, EventRank) Id,
#include "svic/ir/Distributions.def"
};

struct DistInfo {
  DistId Id;
  std::string Name;
  std::vector<ParamSpec> Params;
  SupportKind Support;
  bool Discrete;
  bool Reparameterizable;
  Smoothness ValueSmooth;
  int EventRank;
};

enum class ConstraintId : uint16_t {
#define SVIC_CONSTRAINT(Id, Name, Args, Support) Id,
#include "svic/ir/Constraints.def"
};

struct ConstraintInfo {
  ConstraintId Id;
  std::string Name;
  int NumArgs; // -1: a plain attribute such as constraints.positive
  SupportKind Support;
};

const OpInfo &opInfo(OpId Id);
const ModuleInfo &moduleInfo(ModuleId Id);
const DistInfo &distInfo(DistId Id);
const ConstraintInfo &constraintInfo(ConstraintId Id);

const std::vector<OpInfo> &allOps();
const std::vector<ModuleInfo> &allModules();
const std::vector<DistInfo> &allDistributions();
const std::vector<ConstraintInfo> &allConstraints();

std::optional<OpId> findOp(std::string_view QualifiedName);
std::optional<ModuleId> findModule(std::string_view QualifiedName);
/// By class name as in pyro.distributions ("Normal").
std::optional<DistId> findDistribution(std::string_view Name);
std::optional<ConstraintId> findConstraint(std::string_view Name);

/// Index of the formal named \p Name, if any.
std::optional<size_t> paramIndex(const std::vector<ParamSpec> &Params, std::string_view Name);

/// Parses a "name:class[:domain][?|*],..." signature; exposed for the table tests.
/// Returns an empty optional on a malformed signature.
std::optional<std::vector<ParamSpec>> parseSignature(std::string_view Sig);

} // namespace svic::ir
