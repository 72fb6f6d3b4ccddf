//===- LirInputs.cpp - How much of each data input a function reads ---------===//
///
/// A minibatch of a large data set (AIR's `data[ix]` of 60000 images with
/// ix = arange(64)) reads a prefix of the argument; only that prefix needs to
/// be in ctx->data. The bound is exact for reads through reshapes, static
/// slices and gathers by a constant index; any other use reads everything.
//===----------------------------------------------------------------------===//

#include "LirUtil.h"

#include <algorithm>
#include <functional>
#include <map>

namespace svic::backend::lir {

namespace {

struct Use {
  const Instr *User;
  size_t Operand;
};

class ReadBounds {
public:
  explicit ReadBounds(const Function &F) : F(F) { index(F.Entry); }

  /// One past the last flat element of \p V that some use reads.
  int64_t of(ValueId V) const {
    int64_t N = F.shape(V).numel(), Bound = 0;
    auto It = Uses.find(V);
    if (It == Uses.end())
      return 0;
    for (const Use &U : It->second) {
      Bound = std::max(Bound, read(*U.User, U.Operand, N));
      if (Bound >= N)
        return N;
    }
    return Bound;
  }

  std::vector<const Instr *> Inputs;

private:
  const Function &F;
  std::map<ValueId, std::vector<Use>> Uses;
  std::map<ValueId, const Instr *> Defs;

  void index(const Block &B) {
    for (const Instr &I : B.Body) {
      if (I.Opcode == Op::Input)
        Inputs.push_back(&I);
      if (I.Opcode != Op::If)
        Defs[I.Result] = &I;
      for (size_t K = 0; K < I.Operands.size(); ++K)
        Uses[I.Operands[K]].push_back({&I, K});
      for (const Block &R : I.Regions) {
        index(R);
        for (ValueId Y : R.Yields) // a yielded value is read whole
          Uses[Y].push_back({&I, I.Operands.size()});
      }
    }
  }

  int64_t read(const Instr &I, size_t Operand, int64_t N) const {
    if (Operand != 0 || I.Operands.empty())
      return N;
    const Shape &In = F.shape(I.Operands[0]);
    switch (I.Opcode) {
    case Op::Reshape:
    case Op::StopGradient: return of(I.Result);
    case Op::Slice: {
      const Shape &Out = F.shape(I.Result);
      if (Out.numel() == 0)
        return 0;
      std::vector<int64_t> St = strides(In);
      int64_t Last = 0;
      for (size_t D = 0; D < In.rank(); ++D)
        Last += (I.Ints[3 * D] + (Out.Dims[D] - 1) * I.Ints[3 * D + 2]) * St[D];
      return Last + 1;
    }
    case Op::Gather: {
      auto Def = Defs.find(I.Operands[1]);
      if (Def == Defs.end() || Def->second->Opcode != Op::Const || Def->second->Data.empty())
        return N;
      const std::vector<double> &Ix = Def->second->Data;
      if (*std::min_element(Ix.begin(), Ix.end()) < 0)
        return N; // wraps around to the end
      auto Axis = static_cast<size_t>(I.Axis);
      int64_t Outer = 1, Inner = 1, Len = In.Dims[Axis];
      for (size_t D = 0; D < Axis; ++D)
        Outer *= In.Dims[D];
      for (size_t D = Axis + 1; D < In.rank(); ++D)
        Inner *= In.Dims[D];
      if (Outer == 0)
        return 0;
      auto Max = std::min(static_cast<int64_t>(*std::max_element(Ix.begin(), Ix.end())), Len - 1);
      return ((Outer - 1) * Len + Max + 1) * Inner;
    }
    default: return N;
    }
  }
};

} // namespace

std::map<int64_t, int64_t> inputReads(const Function &F) {
  ReadBounds R(F);
  std::map<int64_t, int64_t> Out;
  for (const Instr *I : R.Inputs)
    Out[I->Offset] = std::max(Out[I->Offset], R.of(I->Result));
  return Out;
}

void relocateInputs(Block &B, const std::map<int64_t, std::pair<int64_t, int64_t>> &To) {
  for (Instr &I : B.Body) {
    if (I.Opcode == Op::Input) {
      const auto &[Offset, Read] = To.at(I.Offset);
      I.Offset = Offset;
      I.Ints = {Read};
    }
    for (Block &R : I.Regions)
      relocateInputs(R, To);
  }
}

} // namespace svic::backend::lir
