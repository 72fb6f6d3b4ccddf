//===- CodegenPlan.cpp - Activity analysis and storage planning -------------===//

#include "CodegenPlan.h"

#include "LirUtil.h"

#include "svic/backend/Codegen.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <queue>
#include <set>

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
    assignWorkspace();
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
  /// A stack slot, or a workspace slot whose offset assignWorkspace() picks.
  Slot fresh(int64_t Numel) {
    if (local(Numel))
      return {Storage::Local, 0, 0};
    return {Storage::Workspace, 0, 0};
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
    if (O == Op::Reshape || O == Op::StopGradient || O == Op::CheckIndex ||
        (O == Op::CheckFinite && SameLayout))
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

  //===-- Workspace reuse ----------------------------------------------------===//
  //
  // Time runs over the top-level instructions: instruction p's forward rule
  // at p, the seeds at T, its reverse rule at 2T - p. An If is one step, so
  // everything inside it lives at least through its whole forward and reverse
  // rule. A slot is live from its first write to its last read, both
  // inclusive, so the buffers of one rule never share memory (the outlined
  // rules take them as noalias arguments). Every slot is written before it is
  // read in each sample (adjoints by their first writer, Emitter::
  // prepareAdjoints), so a reused slot needs no clearing.

  struct Live {
    int64_t Start = INT64_MAX, End = INT64_MIN;
    void cover(int64_t T) {
      Start = std::min(Start, T);
      End = std::max(End, T);
    }
    void cover(const Live &L) {
      if (L.Start <= L.End) {
        cover(L.Start);
        cover(L.End);
      }
    }
  };

  /// A workspace slot of \p Numel doubles live during \p L.
  struct Request {
    Slot *S;
    int64_t Numel;
    Live L;
  };

  /// Calls \p Fn on every value \p I reads or defines, inside its regions too.
  static void forEachValue(const Instr &I, const std::function<void(ValueId)> &Fn) {
    for (ValueId V : I.Operands)
      Fn(V);
    if (I.Opcode != Op::If)
      return Fn(I.Result);
    for (ValueId V : I.Results)
      Fn(V);
    for (const Block &R : I.Regions) {
      for (const Instr &J : R.Body)
        forEachValue(J, Fn);
      for (ValueId V : R.Yields)
        Fn(V);
    }
  }

  /// Calls \p Fn on the values \p I's reverse rule reads. An elementwise rule
  /// (Emitter::elementwiseReverse) reads its operands, its result, both or
  /// neither; any other rule may read every value of its instruction.
  static void forEachReverseRead(const Instr &I, const std::function<void(ValueId)> &Fn) {
    switch (I.Opcode) {
    case Op::Neg:
    case Op::Add:
    case Op::Sub:
      return;
    case Op::Exp:
    case Op::Expm1:
    case Op::Sqrt:
    case Op::Rsqrt:
    case Op::Sigmoid:
    case Op::Tanh:
      return Fn(I.Result);
    case Op::Log:
    case Op::Log1p:
    case Op::LogSigmoid:
    case Op::Softplus:
    case Op::Relu:
    case Op::Abs:
    case Op::Sin:
    case Op::Cos:
    case Op::Erf:
    case Op::Lgamma:
    case Op::Digamma:
    case Op::Clamp:
    case Op::Mul:
    case Op::Div:
    case Op::Minimum:
    case Op::Maximum:
    case Op::Where:
      for (ValueId V : I.Operands)
        Fn(V);
      return;
    default:
      return forEachValue(I, Fn);
    }
  }

  /// Scratch slots of \p I and the instructions inside it.
  void forEachScratch(const Instr &I, const std::function<void(const Instr &, Slot &)> &Fn) {
    if (auto S = P.Scratch.find(&I); S != P.Scratch.end())
      Fn(I, S->second);
    for (const Block &R : I.Regions)
      for (const Instr &J : R.Body)
        forEachScratch(J, Fn);
  }

  void assignWorkspace() {
    const std::vector<Instr> &Body = F.Entry.Body;
    const int64_t T = static_cast<int64_t>(Body.size());
    size_t N = F.Values.size();
    std::vector<Live> Value(N), Adjoint(N);
    std::vector<Request> Requests;
    for (int64_t Pos = 0; Pos < T; ++Pos) {
      const Instr &I = Body[static_cast<size_t>(Pos)];
      const int64_t Rev = 2 * T - Pos;
      bool Reverse = P.needsReverse(I);
      forEachValue(I, [&](ValueId V) {
        Value[V].cover(Pos);
        if (Reverse)
          Adjoint[V].cover(Rev);
      });
      if (Reverse)
        forEachReverseRead(I, [&](ValueId V) { Value[V].cover(Rev); });
      if (Reverse)
        forEachScratch(I, [&](const Instr &Owner, Slot &S) {
          if (S.Kind == Storage::Workspace)
            Requests.push_back({&S, scratchDoubles(F, Owner), Live{Rev, Rev}});
        });
    }
    for (const Factor &Fa : F.Factors) { // read and seeded between the sweeps
      Value[Fa.Value].cover(T);
      Adjoint[Fa.Value].cover(T);
    }
    // An alias keeps its root's storage alive.
    for (ValueId V = 1; V < N; ++V) {
      if (P.Value[V].Kind == Storage::Alias)
        Value[P.Value[V].Of].cover(Value[V]);
      if (P.Adjoint[V].Kind == Storage::Alias)
        Adjoint[P.Adjoint[V].Of].cover(Adjoint[V]);
    }
    auto orWhole = [&](const Live &L) { return L.Start <= L.End ? L : Live{0, 2 * T + 1}; };
    for (ValueId V = 1; V < N; ++V) {
      int64_t Numel = F.shape(V).numel();
      if (P.Value[V].Kind == Storage::Workspace)
        Requests.push_back({&P.Value[V], Numel, orWhole(Value[V])});
      if (P.Adjoint[V].Kind == Storage::Workspace)
        Requests.push_back({&P.Adjoint[V], Numel, orWhole(Adjoint[V])});
    }
    allocate(Requests);
  }

  /// Offsets for \p Requests such that slots live at the same time never
  /// overlap: in order of first write, each takes the smallest free block
  /// that fits (freed blocks merge with free neighbours), else new space.
  void allocate(std::vector<Request> &Requests) {
    std::stable_sort(Requests.begin(), Requests.end(),
                     [](const Request &A, const Request &B) { return A.L.Start < B.L.Start; });
    std::map<int64_t, int64_t> FreeAt;             // offset -> size
    std::set<std::pair<int64_t, int64_t>> BySize;  // (size, offset) of the same free blocks
    using Span = std::pair<int64_t, int64_t>;      // (offset, size)
    std::priority_queue<std::pair<int64_t, Span>, std::vector<std::pair<int64_t, Span>>, std::greater<>> Busy;
    auto addFree = [&](int64_t Off, int64_t Size) {
      FreeAt[Off] = Size;
      BySize.insert({Size, Off});
    };
    auto takeFree = [&](std::map<int64_t, int64_t>::iterator It) {
      BySize.erase({It->second, It->first});
      return FreeAt.erase(It);
    };
    auto release = [&](int64_t Off, int64_t Size) {
      auto Next = FreeAt.lower_bound(Off);
      if (Next != FreeAt.end() && Off + Size == Next->first) {
        Size += Next->second;
        Next = takeFree(Next);
      }
      if (Next != FreeAt.begin()) {
        auto Prev = std::prev(Next);
        if (Prev->first + Prev->second == Off) {
          Off = Prev->first;
          Size += Prev->second;
          takeFree(Prev);
        }
      }
      addFree(Off, Size);
    };
    for (Request &R : Requests) {
      while (!Busy.empty() && Busy.top().first < R.L.Start) {
        release(Busy.top().second.first, Busy.top().second.second);
        Busy.pop();
      }
      int64_t Size = std::max<int64_t>(R.Numel, 1); // zeroing an empty adjoint still writes one double
      int64_t Off;
      if (auto Fit = BySize.lower_bound({Size, 0}); Fit != BySize.end()) {
        auto [FitSize, FitOff] = *Fit;
        takeFree(FreeAt.find(FitOff));
        Off = FitOff;
        if (FitSize > Size)
          addFree(Off + Size, FitSize - Size);
      } else {
        Off = P.WorkspaceDoubles;
        P.WorkspaceDoubles += Size;
      }
      R.S->Offset = Off;
      Busy.push({R.L.End, {Off, Size}});
    }
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
