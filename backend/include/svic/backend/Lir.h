//===- Lir.h - The backend's low-level tensor IR ---------------------------===//
///
/// \file
/// The core IR (svic/ir/IR.h) stays the contract between frontend, analyses
/// and backend. Below it, the backend lowers one model/guide pair into a
/// single LIR Function: the whole single-sample ELBO estimate, guide first,
/// then model, with every Python-level fact (loop trip counts, site names,
/// shapes, plate sizes, constants) already decided. What remains is a
/// dataflow program over statically shaped float64 tensors with structured
/// branches on run-time values, which Codegen turns into LLVM IR together
/// with its adjoint (reverse-mode AD as generated code).
///
/// SSA: every ValueId is defined once; a value defined inside an If region is
/// visible only there and in nested regions; an If passes values out through
/// its Yields/Results. Values are row-major tensors of doubles (integers and
/// booleans included, as exact doubles).
///
/// The estimator is described by Factors and ScoreSites. With factor values
/// f_i and signs s_i (+1 model, -1 guide), the function returns
/// elbo = sum_i s_i f_i, writes L_k = sum_{i in Downstream_k} s_i f_i for
/// each score site k, and adds to ctx->grad the gradient (w.r.t. the Param
/// values) of the surrogate sum_i c_i f_i, where
/// c_i = s_i + sum_{k : ScoreSites[k].LogQ == i} (L_k - baselines[k])
/// is a run-time constant (no gradient flows through c_i).
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <string>
#include <map>
#include <vector>

namespace svic::backend::lir {

using ValueId = uint32_t;

struct Shape {
  std::vector<int64_t> Dims; ///< empty: a scalar
  int64_t numel() const {
    int64_t N = 1;
    for (int64_t D : Dims) N *= D;
    return N;
  }
  size_t rank() const { return Dims.size(); }
  bool operator==(const Shape &O) const { return Dims == O.Dims; }
  bool operator!=(const Shape &O) const { return Dims != O.Dims; }
};

/// Distributions the runtime implements (svic/runtime/Abi.h).
enum class Dist : uint8_t {
  Normal,      ///< loc, scale
  LogNormal,   ///< loc, scale
  HalfNormal,  ///< scale
  Uniform,     ///< low, high
  Exponential, ///< rate
  Gamma,       ///< concentration, rate
  Beta,        ///< concentration1, concentration0
  BernoulliProbs,
  BernoulliLogits,
  Poisson,            ///< rate
  CategoricalProbs,   ///< probs [..., n]; value [...] holds indices
  CategoricalLogits,  ///< logits [..., n]
  Dirichlet,          ///< concentration [..., n]; value [..., n]
};

enum class Op : uint8_t {
  //-- sources ---------------------------------------------------------------
  Const,     ///< Data holds numel values
  Input,     ///< ctx->data[Offset ...], numel values; Ints = {R} when only the first R are there
             ///< (and read: relocateInputs)
  Param,     ///< ctx->params[Offset ...]: an unconstrained parameter; its adjoint goes to ctx->grad
  StdNormal, ///< one N(0,1) draw per element: svic_rt_std_normal(..., Site, element index)
  Uniform01, ///< one U(0,1) draw per element
  Subsample, ///< Ints = {n}: numel distinct indices of 0..n-1 in random order, as torch.randperm(n)[:numel]
             ///< (svic_rt_subsample on Site's stream): pyro.plate's subsample_size

  //-- elementwise, operands broadcast (NumPy rules) to the result shape -------
  Neg, Exp, Log, Log1p, Expm1, Sqrt, Rsqrt, Sigmoid, LogSigmoid, Tanh,
  Softplus, ///< Scalar0 = beta, Scalar1 = threshold (torch: x*beta > threshold => x)
  Relu, Abs, Sign, Floor, Ceil, Round, Sin, Cos, Erf, Lgamma, Digamma,
  Add, Sub, Mul, Div, Pow, Minimum, Maximum,
  Lt, Le, Gt, Ge, Eq, Ne, And, Or, Not, ///< results are 0.0 / 1.0; no gradient
  Where, ///< (cond, a, b): cond != 0 ? a : b
  Clamp, ///< (x): Scalar0 = lower, Scalar1 = upper (+-inf when absent)

  //-- shape -----------------------------------------------------------------
  Reshape,   ///< (x) to the result shape, same numel
  Expand,    ///< (x) broadcast to the result shape
  Transpose, ///< (x) result dim i = operand dim Ints[i]
  Slice,     ///< (x) Ints = {start, stop, step} for each operand dim (steps > 0); result shape given
  Gather,    ///< (x, index): result = x indexed along axis Axis by the integer-valued index
             ///< tensor; result shape = x.dims[:Axis] ++ index.dims ++ x.dims[Axis+1:]
  Concat,    ///< (x0, x1, ...) along Axis

  //-- reductions and linear algebra -------------------------------------------
  Sum,        ///< (x) over Ints (empty: all axes); KeepDim
  Prod,       ///< (x) as Sum
  Softmax,    ///< (x) along Axis
  LogSoftmax, ///< (x) along Axis
  MatMul,     ///< (a, b) with torch.matmul's rules for rank 1 and 2 operands

  //-- distributions ---------------------------------------------------------
  LogProb, ///< (value, params...) D: elementwise log-density, shape = broadcast batch shape
           ///< (for Categorical/Dirichlet the last dim of the vector parameter is the event)
  Sample,  ///< (params...) D, Site: a draw with no gradient path, shape = result shape
  StopGradient, ///< (x): same value, no gradient

  //-- bookkeeping -------------------------------------------------------------
  CheckFinite, ///< (x) Site: if any element is not finite and ctx->bad_site < 0, set it to Site.
               ///< Result: x itself (a scalar 0 result is fine; it is never read)
  CheckIndex,  ///< (index) Ints = {low, high}, Site = SVIC_CHECK_BASE + a descriptor "checks"
               ///< index: if an element is outside [low, high) and ctx->bad_site < 0, set it to
               ///< Site, where torch raises (a gather clamps such an index; a one-hot scatter
               ///< drops it). Result: the index itself; no gradient
  Output,      ///< (x): writes x to ctx->grad[ParamDoubles + Offset ...], after the gradient: a
               ///< simulator's draws, or an estimator's recorded trace. Scalar result, never read;
               ///< no gradient

  //-- control -----------------------------------------------------------------
  If, ///< (cond scalar) Then / Else regions; Results[i] = Then.Yields[i] or Else.Yields[i]
};

struct Block;

struct Instr {
  Op Opcode = Op::Const;
  ValueId Result = 0; ///< unused for If (see Results)
  std::vector<ValueId> Operands;
  // Attributes; which ones an opcode reads is documented in Op.
  std::vector<double> Data;
  std::vector<int64_t> Ints;
  double Scalar0 = 0, Scalar1 = 0;
  int64_t Offset = 0;
  int64_t Axis = 0;
  bool KeepDim = false;
  Dist D = Dist::Normal;
  uint32_t Site = 0; ///< an RNG stream id (StdNormal, Uniform01, Sample), a descriptor site index
                     ///< (CheckFinite) or SVIC_CHECK_BASE + a check index (CheckIndex)
  // If only.
  std::vector<ValueId> Results;
  std::vector<Block> Regions; ///< [0] then, [1] else
};

struct Block {
  std::vector<Instr> Body;
  std::vector<ValueId> Yields; ///< If regions only
};

struct ValueInfo {
  Shape S;
  std::string Name; ///< for printing and debugging
};

struct Factor {
  ValueId Value = 0; ///< a scalar: the summed log-density term (0 when not executed)
  double Sign = 1;   ///< +1 model, -1 guide
  std::string Site;  ///< for printing
};

struct ScoreSite {
  std::string Name;
  size_t LogQ = 0;                ///< index into Function::Factors of log q(z_s)
  std::vector<size_t> Downstream; ///< indices into Factors, sorted
};

struct Function {
  std::vector<ValueInfo> Values; ///< indexed by ValueId; index 0 is unused
  Block Entry;
  std::vector<Factor> Factors;
  std::vector<ScoreSite> ScoreSites;
  int64_t ParamDoubles = 0; ///< size of ctx->params and ctx->grad
  int64_t DataDoubles = 0;
  /// Doubles written through Output after the gradient in ctx->grad: a
  /// simulator's draws, or a recorded trace; 0 for a plain estimator.
  int64_t OutputDoubles = 0;

  Function() { Values.push_back({Shape{}, "<none>"}); }
  ValueId newValue(Shape S, std::string Name = {}) {
    Values.push_back({std::move(S), std::move(Name)});
    return static_cast<ValueId>(Values.size() - 1);
  }
  const Shape &shape(ValueId V) const { return Values.at(V).S; }
};

std::string opName(Op O);
std::string distName(Dist D);
/// Readable listing (for --dump-lir and tests).
std::string print(const Function &F);
/// Structural checks (operand counts, SSA, shapes of elementwise ops);
/// returns an empty string when the function is well formed.
std::string verify(const Function &F);
/// The elements of ctx->data an Input instruction holds: Ints[0], else all.
inline int64_t inputDoubles(const Instr &I, const Shape &S) { return I.Ints.empty() ? S.numel() : I.Ints[0]; }
/// Input offset -> how many leading elements of it \p F reads (LirInputs.cpp).
std::map<int64_t, int64_t> inputReads(const Function &F);
/// Moves each Input at offset O to To[O].first, holding To[O].second elements.
void relocateInputs(Block &B, const std::map<int64_t, std::pair<int64_t, int64_t>> &To);

} // namespace svic::backend::lir
