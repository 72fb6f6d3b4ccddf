//===- LirUtil.h - Opcode classes and shape rules shared by verify/codegen -===//
///
/// \file
/// Private to svic_backend: the facts about LIR opcodes that both the verifier
/// and the code generator rely on, kept in one place so they cannot disagree.
//===----------------------------------------------------------------------===//
#pragma once

#include "svic/backend/Lir.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace svic::backend::lir {

inline bool isUnaryElementwise(Op O) {
  return (O >= Op::Neg && O <= Op::Digamma) || O == Op::Not || O == Op::Clamp;
}
inline bool isBinaryElementwise(Op O) { return (O >= Op::Add && O <= Op::Maximum) || (O >= Op::Lt && O <= Op::Or); }
inline bool isElementwise(Op O) { return isUnaryElementwise(O) || isBinaryElementwise(O) || O == Op::Where; }
/// Elementwise results that are piecewise constant: they pass no gradient.
inline bool isPiecewiseConstant(Op O) {
  return O == Op::Sign || O == Op::Floor || O == Op::Ceil || O == Op::Round || (O >= Op::Lt && O <= Op::Not);
}

/// Number of distribution parameters (operands of Sample; LogProb has one more).
inline size_t distArity(Dist D) {
  switch (D) {
  case Dist::Normal:
  case Dist::LogNormal:
  case Dist::Uniform:
  case Dist::Gamma:
  case Dist::Beta:
    return 2;
  default:
    return 1;
  }
}
/// Categorical and Dirichlet: the parameter's last dim is the event.
inline bool hasVectorParam(Dist D) {
  return D == Dist::CategoricalProbs || D == Dist::CategoricalLogits || D == Dist::Dirichlet;
}
/// Distributions over integers: no gradient w.r.t. the value.
inline bool isDiscrete(Dist D) {
  return D == Dist::BernoulliProbs || D == Dist::BernoulliLogits || D == Dist::Poisson ||
         D == Dist::CategoricalProbs || D == Dist::CategoricalLogits;
}

/// Row-major strides of \p S.
inline std::vector<int64_t> strides(const Shape &S) {
  std::vector<int64_t> St(S.rank(), 1);
  for (size_t I = S.rank(); I-- > 1;)
    St[I - 1] = St[I] * S.Dims[I];
  return St;
}

/// NumPy broadcasting of \p Operand to \p Result (right-aligned; each operand
/// dim equals the result's or is 1).
inline bool broadcastsTo(const Shape &Operand, const Shape &Result) {
  if (Operand.rank() > Result.rank())
    return false;
  size_t Lead = Result.rank() - Operand.rank();
  for (size_t I = 0; I < Operand.rank(); ++I)
    if (Operand.Dims[I] != 1 && Operand.Dims[I] != Result.Dims[Lead + I])
      return false;
  return true;
}

/// \p S without its last dim (the batch shape of an event-vector operand).
inline Shape dropLast(const Shape &S) {
  Shape B = S;
  if (!B.Dims.empty())
    B.Dims.pop_back();
  return B;
}

/// The flat offset in its operand of a Slice's first element (0 for any
/// other instruction).
inline int64_t sliceOrigin(const Function &F, const Instr &I) {
  if (I.Opcode != Op::Slice)
    return 0;
  std::vector<int64_t> St = strides(F.shape(I.Operands[0]));
  int64_t Origin = 0;
  for (size_t D = 0; D < St.size(); ++D)
    Origin += I.Ints[3 * D] * St[D];
  return Origin;
}

/// Whether gradient can flow from the result of \p I to operand \p Idx.
inline bool passesGradient(const Instr &I, size_t Idx) {
  switch (I.Opcode) {
  case Op::Where:
    return Idx != 0;
  case Op::Gather:
    return Idx == 0;
  case Op::LogProb:
    return Idx != 0 || !isDiscrete(I.D);
  case Op::Sample:
  case Op::StopGradient:
  case Op::CheckIndex:
  case Op::Output:
  case Op::If:
    return false;
  default:
    return !isPiecewiseConstant(I.Opcode);
  }
}

} // namespace svic::backend::lir
