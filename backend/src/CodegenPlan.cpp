//===- CodegenPlan.cpp - Activity analysis and storage planning -------------===//

#include "CodegenPlan.h"

#include "LirUtil.h"

#include "svic/backend/Codegen.h"

namespace svic::backend::codegen {

using namespace lir;

namespace {

/// Whether gradient flows from \p I's result to operand \p Idx in \p F.
bool edge(const Function &F, const Instr &I, size_t Idx) {
  if (I.Opcode == Op::CheckFinite)
    return F.shape(I.Result) == F.shape(I.Operands[Idx]);
  return passesGradient(I, Idx);
}

class Planner {
public:
  Planner(const Function &F, bool Outlined) : F(F) {
    P.Outlined = Outlined;
    size_t N = F.Values.size();
    Varied.assign(N, false);
    Useful.assign(N, false);
    P.Active.assign(N, false);
    P.Value.assign(N, {});
    P.Adjoint.assign(N, {});
  }

  Plan run() {
    forward(F.Entry);
    for (const Factor &Fa : F.Factors)
      Useful[Fa.Value] = true;
    backward(F.Entry);
    for (size_t V = 0; V < F.Values.size(); ++V)
      P.Active[V] = Varied[V] && Useful[V];
    storage(F.Entry);
    return std::move(P);
  }

private:
  const Function &F;
  Plan P;
  std::vector<bool> Varied, Useful;

  void forward(const Block &B) {
    for (const Instr &I : B.Body) {
      if (I.Opcode == Op::If) {
        forward(I.Regions[0]);
        forward(I.Regions[1]);
        for (size_t J = 0; J < I.Results.size(); ++J)
          Varied[I.Results[J]] = Varied[I.Regions[0].Yields[J]] || Varied[I.Regions[1].Yields[J]];
        continue;
      }
      bool V = I.Opcode == Op::Param;
      for (size_t J = 0; J < I.Operands.size(); ++J)
        V = V || (Varied[I.Operands[J]] && edge(F, I, J));
      Varied[I.Result] = V;
    }
  }

  void backward(const Block &B) {
    for (auto It = B.Body.rbegin(); It != B.Body.rend(); ++It) {
      const Instr &I = *It;
      if (I.Opcode == Op::If) {
        for (size_t J = 0; J < I.Results.size(); ++J)
          if (Useful[I.Results[J]])
            for (const Block &R : I.Regions)
              Useful[R.Yields[J]] = true;
        backward(I.Regions[1]);
        backward(I.Regions[0]);
        continue;
      }
      if (!Useful[I.Result])
        continue;
      for (size_t J = 0; J < I.Operands.size(); ++J)
        if (edge(F, I, J))
          Useful[I.Operands[J]] = true;
    }
  }

  bool local(int64_t Numel) const { return !P.Outlined && Numel <= MaxLocalDoubles; }
  Slot fresh(int64_t Numel) {
    if (local(Numel))
      return {Storage::Local, 0, 0};
    Slot S{Storage::Workspace, P.WorkspaceDoubles, 0};
    P.WorkspaceDoubles += Numel;
    return S;
  }

  /// The value whose storage \p V's aliases, following chains.
  ValueId root(ValueId V) const {
    while (P.Value[V].Kind == Storage::Alias)
      V = P.Value[V].Of;
    return V;
  }
  ValueId adjointRoot(ValueId V) const {
    while (P.Adjoint[V].Kind == Storage::Alias)
      V = P.Adjoint[V].Of;
    return V;
  }

  void storage(const Block &B) {
    for (const Instr &I : B.Body) {
      if (I.Opcode == Op::If) {
        storage(I.Regions[0]);
        storage(I.Regions[1]);
        for (ValueId R : I.Results)
          place(R, nullptr);
        continue;
      }
      place(I.Result, &I);
      if (P.Active[I.Result])
        if (int64_t N = scratchDoubles(F, I))
          P.Scratch[&I] = fresh(N);
    }
  }

  void place(ValueId V, const Instr *I) {
    int64_t N = F.shape(V).numel();
    Op O = I ? I->Opcode : Op::If;
    bool SameLayout = I && !I->Operands.empty() && F.shape(I->Operands[0]).numel() == N;
    if (O == Op::Reshape || O == Op::StopGradient || (O == Op::CheckFinite && SameLayout))
      P.Value[V] = {Storage::Alias, 0, root(I->Operands[0])};
    else if (O == Op::Const)
      P.Value[V] = {Storage::Global, 0, 0};
    else if (O == Op::Param && !local(N))
      P.Value[V] = {Storage::Params, I->Offset, 0};
    else if (O == Op::Input && !local(N))
      P.Value[V] = {Storage::Data, I->Offset, 0};
    else
      P.Value[V] = fresh(N);
    if (!P.Active[V])
      return;
    if ((O == Op::Reshape || O == Op::CheckFinite) && P.Value[V].Kind == Storage::Alias)
      P.Adjoint[V] = {Storage::Alias, 0, adjointRoot(I->Operands[0])};
    else
      P.Adjoint[V] = fresh(N);
  }
};

bool anyActive(const Plan &P, const Block &B) {
  for (const Instr &I : B.Body)
    if (P.needsReverse(I))
      return true;
  return false;
}

} // namespace

bool Plan::needsReverse(const Instr &I) const {
  if (I.Opcode != Op::If)
    return Active[I.Result];
  for (ValueId R : I.Results)
    if (Active[R])
      return true;
  return anyActive(*this, I.Regions[0]) || anyActive(*this, I.Regions[1]);
}

int64_t scratchDoubles(const Function &F, const Instr &I) {
  switch (I.Opcode) {
  case Op::Prod:
    return 2 * F.shape(I.Result).numel(); // zero count and product of the non-zeros per output
  case Op::LogProb:
    if (I.D == Dist::CategoricalProbs || I.D == Dist::CategoricalLogits)
      return F.shape(I.Operands[1]).Dims.back();
    if (I.D == Dist::Dirichlet)
      return 2 * F.shape(I.Operands[1]).Dims.back();
    return 0;
  default:
    return 0;
  }
}

bool hasLoop(const Function &F, const Instr &I) {
  if (I.Opcode == Op::If || I.Opcode == Op::Const || I.Opcode == Op::Reshape || I.Opcode == Op::StopGradient)
    return false;
  if (F.shape(I.Result).numel() > 1)
    return true;
  for (ValueId V : I.Operands)
    if (F.shape(V).numel() > 1)
      return true;
  return false;
}

size_t loopRules(const Function &F, const Instr &I) {
  size_t N = hasLoop(F, I);
  for (const Block &R : I.Regions)
    for (const Instr &J : R.Body)
      N += loopRules(F, J);
  return N;
}

bool outlinesRules(const Function &F, size_t OutlineFrom) {
  size_t N = 0;
  for (const Instr &I : F.Entry.Body)
    N += loopRules(F, I);
  return N >= OutlineFrom;
}

Plan plan(const Function &F, size_t OutlineFrom) { return Planner(F, outlinesRules(F, OutlineFrom)).run(); }

} // namespace svic::backend::codegen

namespace svic::backend {

int64_t workspaceDoubles(const lir::Function &F, size_t OutlineFrom) {
  return codegen::plan(F, OutlineFrom).WorkspaceDoubles;
}

} // namespace svic::backend
