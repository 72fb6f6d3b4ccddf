//===- SmoothnessDomain.cpp - The compositional transformer domain --------===//
///
/// \file
/// DimSet (sparse bit vector) and Transformer: identity, order, join and the
/// sequential composition of notes/smoothness-analysis.md §b.2–b.3.
///
/// With the invariant ND ⊆ Dep the composition rule of b.3,
///   ND_AB(x) = ⋃_{y∈ND_B(x)} Dep_A(y) ∪ ⋃_{y∈Dep_B(x)\ND_B(x)} ND_A(y) ∪ V_A,
/// equals ⋃_{y∈ND_B(x)} Dep_A(y) ∪ ⋃_{y∈Dep_B(x)} ND_A(y) ∪ V_A (for y ∈ ND_B(x)
/// the term ND_A(y) is already inside Dep_A(y)); this is the product rule of
/// dual numbers and is associative, which the lattice-law tests check.
//===----------------------------------------------------------------------===//

#include "svic/analysis/Smoothness.h"

#include <algorithm>
#include <cassert>

namespace svic::analysis::smooth {

//===-- DimSet ----------------------------------------------------------------===//

void DimSet::WordVec::reserve(size_t N) {
  if (N <= Cap)
    return;
  auto *New = static_cast<Word *>(::operator new(N * sizeof(Word)));
  std::copy(begin(), end(), New);
  release();
  Heap = New;
  Cap = static_cast<uint32_t>(N);
}

void DimSet::WordVec::insert(Word *Pos, const Word &W) {
  size_t At = static_cast<size_t>(Pos - begin());
  if (Size == Cap)
    reserve(2 * size_t(Cap));
  Word *D = data();
  std::copy_backward(D + At, D + Size, D + Size + 1);
  D[At] = W;
  ++Size;
}

bool DimSet::WordVec::operator==(const WordVec &O) const {
  return Size == O.Size && std::equal(begin(), end(), O.begin());
}

void DimSet::WordVec::copyFrom(const WordVec &O) {
  // Keeps this buffer when it is large enough: a set assigned over and over
  // (a fixpoint's iterate) allocates once.
  Size = 0;
  reserve(O.Size);
  std::copy(O.begin(), O.end(), data());
  Size = O.Size;
}

void DimSet::WordVec::steal(WordVec &O) {
  if (O.onHeap()) {
    Heap = O.Heap;
    Cap = O.Cap;
  } else {
    std::copy(O.begin(), O.end(), Inline);
    Cap = InlineWords;
  }
  Size = O.Size;
  O.Size = 0;
  O.Cap = InlineWords;
}

void DimSet::WordVec::release() {
  if (onHeap())
    ::operator delete(Heap);
  Cap = InlineWords;
}

DimSet::DimSet(std::initializer_list<Dim> Ds) {
  for (Dim D : Ds)
    insert(D);
}

size_t DimSet::count() const {
  size_t N = 0;
  for (const Word &W : Words)
    N += static_cast<size_t>(__builtin_popcountll(W.Bits));
  return N;
}

bool DimSet::contains(Dim D) const {
  uint32_t Idx = D / 64u;
  auto It = std::lower_bound(Words.begin(), Words.end(), Idx,
                             [](const Word &W, uint32_t I) { return W.Index < I; });
  return It != Words.end() && It->Index == Idx && (It->Bits >> (D % 64u)) & 1u;
}

void DimSet::insert(Dim D) {
  uint32_t Idx = D / 64u;
  uint64_t Bit = uint64_t(1) << (D % 64u);
  auto It = std::lower_bound(Words.begin(), Words.end(), Idx,
                             [](const Word &W, uint32_t I) { return W.Index < I; });
  if (It != Words.end() && It->Index == Idx)
    It->Bits |= Bit;
  else
    Words.insert(It, Word{Idx, Bit});
}

bool DimSet::unite(const DimSet &O) {
  if (O.Words.empty())
    return false;
  if (Words.empty()) {
    Words = O.Words;
    return true;
  }
  // Fast path: every word of O already has a slot here.
  bool SameSlots = true;
  {
    size_t I = 0;
    for (const Word &W : O.Words) {
      while (I < Words.size() && Words[I].Index < W.Index)
        ++I;
      if (I == Words.size() || Words[I].Index != W.Index) {
        SameSlots = false;
        break;
      }
    }
  }
  bool Changed = false;
  if (SameSlots) {
    size_t I = 0;
    for (const Word &W : O.Words) {
      while (Words[I].Index < W.Index)
        ++I;
      uint64_t New = Words[I].Bits | W.Bits;
      Changed |= New != Words[I].Bits;
      Words[I].Bits = New;
    }
    return Changed;
  }
  WordVec Out;
  Out.reserve(Words.size() + O.Words.size());
  size_t I = 0, J = 0;
  while (I < Words.size() || J < O.Words.size()) {
    if (J == O.Words.size() || (I < Words.size() && Words[I].Index < O.Words[J].Index)) {
      Out.push_back(Words[I++]);
    } else if (I == Words.size() || O.Words[J].Index < Words[I].Index) {
      Out.push_back(O.Words[J++]);
    } else {
      Out.push_back(Word{Words[I].Index, Words[I].Bits | O.Words[J].Bits});
      ++I;
      ++J;
    }
  }
  Words = std::move(Out);
  return true;
}

bool DimSet::isSubsetOf(const DimSet &O) const {
  size_t J = 0;
  for (const Word &W : Words) {
    while (J < O.Words.size() && O.Words[J].Index < W.Index)
      ++J;
    if (J == O.Words.size() || O.Words[J].Index != W.Index)
      return false;
    if (W.Bits & ~O.Words[J].Bits)
      return false;
  }
  return true;
}

bool DimSet::intersects(const DimSet &O) const {
  size_t I = 0, J = 0;
  while (I < Words.size() && J < O.Words.size()) {
    if (Words[I].Index < O.Words[J].Index)
      ++I;
    else if (O.Words[J].Index < Words[I].Index)
      ++J;
    else {
      if (Words[I].Bits & O.Words[J].Bits)
        return true;
      ++I;
      ++J;
    }
  }
  return false;
}

DimSet DimSet::intersect(const DimSet &O) const {
  DimSet R;
  size_t I = 0, J = 0;
  while (I < Words.size() && J < O.Words.size()) {
    if (Words[I].Index < O.Words[J].Index)
      ++I;
    else if (O.Words[J].Index < Words[I].Index)
      ++J;
    else {
      uint64_t B = Words[I].Bits & O.Words[J].Bits;
      if (B)
        R.Words.push_back(Word{Words[I].Index, B});
      ++I;
      ++J;
    }
  }
  return R;
}

DimSet DimSet::minus(const DimSet &O) const {
  DimSet R;
  size_t J = 0;
  for (const Word &W : Words) {
    while (J < O.Words.size() && O.Words[J].Index < W.Index)
      ++J;
    uint64_t B = W.Bits;
    if (J < O.Words.size() && O.Words[J].Index == W.Index)
      B &= ~O.Words[J].Bits;
    if (B)
      R.Words.push_back(Word{W.Index, B});
  }
  return R;
}

std::vector<Dim> DimSet::toVector() const {
  std::vector<Dim> R;
  forEach([&](Dim D) { R.push_back(D); });
  return R;
}

//===-- Transformer -----------------------------------------------------------===//

// Entries hold Dep and ND without V: the actual sets are Entry ∪ V. Growing
// V (addV, a composition with a command that may raise) then touches no entry:
// before, every statement that may raise re-united the new V into all the
// entries of the block so far, which was quadratic in the program's length.

const Transformer::Entry *Transformer::EntryMap::find(Dim D) const {
  if (Index.empty()) {
    for (const auto &[X, E] : Items)
      if (X == D)
        return &E;
    return nullptr;
  }
  uint32_t I = Index[slot(D)];
  return I ? &Items[I - 1].second : nullptr;
}

/// D's slot in Index: where its position is, or the free slot it would take.
size_t Transformer::EntryMap::slot(Dim D) const {
  const size_t Mask = Index.size() - 1;
  size_t S = (D * 2654435761u) & Mask; // Knuth's multiplicative hash
  while (Index[S] && Items[Index[S] - 1].first != D)
    S = (S + 1) & Mask;
  return S;
}

void Transformer::EntryMap::reindex() {
  size_t N = 16;
  while (N < 2 * Items.size())
    N *= 2;
  Index.assign(N, 0);
  for (size_t I = 0; I < Items.size(); ++I)
    Index[slot(Items[I].first)] = static_cast<uint32_t>(I + 1);
}

void Transformer::EntryMap::set(Dim D, Entry E) {
  if (Entry *Old = find(D)) {
    *Old = std::move(E);
    return;
  }
  Items.emplace_back(D, std::move(E));
  if (Items.size() <= LinearMax)
    return;
  if (2 * Items.size() > Index.size())
    reindex(); // at most half full
  else
    Index[slot(D)] = static_cast<uint32_t>(Items.size());
}

DimSet Transformer::dep(Dim D) const {
  DimSet R = V;
  if (const Entry *E = Entries.find(D))
    R.unite(E->Dep);
  else
    R.insert(D);
  return R;
}

DimSet Transformer::nd(Dim D) const {
  DimSet R = V;
  if (const Entry *E = Entries.find(D))
    R.unite(E->ND);
  return R;
}

void Transformer::assign(Dim D, DimSet Dep, DimSet ND) {
  assert(isValue() && "assign on bottom or Err");
  Dep.unite(ND);
  Entries.set(D, Entry{std::move(Dep), std::move(ND)});
  ModSet.insert(D);
}

void Transformer::addV(const DimSet &G) {
  if (!isValue() || G.empty())
    return;
  V.unite(G);
}

void Transformer::taintModified(const DimSet &G) {
  if (!isValue() || G.empty())
    return;
  for (auto &[D, E] : Entries) {
    E.Dep.unite(G);
    E.ND.unite(G);
  }
}

DimSet Transformer::mapDep(const DimSet &S) const {
  DimSet R = V;
  if (Entries.empty()) {
    R.unite(S);
    return R;
  }
  R.unite(S.minus(ModSet));
  S.forEachCommon(ModSet, [&](Dim Y) { R.unite(Entries.find(Y)->Dep); });
  return R;
}

Transformer::Entry Transformer::mapEntry(const Entry &EB) const {
  // The chain rule of the file comment, ⟨mapDep(Dep_B), mapDep(ND_B) ∪
  // mapND(Dep_B)⟩ with mapND(S) = ⋃_{y ∈ S} ND_A(y) ∪ V_A, in one pass over
  // Dep_B ⊇ ND_B: an unmodified y brings itself (to ND only from ND_B), a
  // modified y in ND_B brings Dep_A(y) ⊇ ND_A(y) to both, one in
  // Dep_B \ ND_B brings Dep_A(y) and ND_A(y).
  Entry E{V, V};
  E.Dep.unite(EB.Dep.minus(ModSet));
  E.ND.unite(EB.ND.minus(ModSet));
  EB.Dep.forEachCommon(ModSet, [&](Dim Y) {
    const Entry &A = *Entries.find(Y);
    E.Dep.unite(A.Dep);
    E.ND.unite(EB.ND.contains(Y) ? A.Dep : A.ND);
  });
  return E;
}

void Transformer::composeWith(const Transformer &B) {
  if (isBottom() || B.isBottom()) {
    *this = bottom();
    return;
  }
  if (isTop() || B.isTop()) {
    *this = top();
    return;
  }
  // mapDep distributes over ∪, and B's actual sets are its entries ∪ V_B, so
  // every new entry holds W = mapDep(V_B) (W ⊇ mapND(V_B)), which becomes
  // the V of the composition; the entries keep the rest. W is V_A when B
  // cannot raise, and then the old entries stay as they are; else they gain W
  // through V.
  std::vector<std::pair<Dim, Entry>> New;
  New.reserve(B.Entries.size());
  for (const auto &[X, EB] : B.Entries)
    New.emplace_back(X, mapEntry(EB));
  if (!B.V.empty())
    V = mapDep(B.V);
  for (auto &[X, E] : New) {
    Entries.set(X, std::move(E));
    ModSet.insert(X);
  }
}

Transformer Transformer::then(const Transformer &B) const {
  Transformer R = *this;
  R.composeWith(B);
  return R;
}

bool Transformer::leq(const Transformer &O) const {
  if (isBottom() || O.isTop())
    return true;
  if (O.isBottom() || isTop())
    return false;
  if (!ModSet.isSubsetOf(O.ModSet) || !V.isSubsetOf(O.V))
    return false;
  // With V ⊆ V_O: E ∪ V ⊆ E_O ∪ V_O iff E \ V_O ⊆ E_O.
  for (const auto &[D, EO] : O.Entries) {
    if (const Entry *E = Entries.find(D)) {
      if (!E->Dep.minus(O.V).isSubsetOf(EO.Dep) || !E->ND.minus(O.V).isSubsetOf(EO.ND))
        return false;
    } else if (!EO.Dep.contains(D) && !O.V.contains(D)) {
      return false;
    }
  }
  return true;
}

void Transformer::joinWith(const Transformer &O) {
  if (O.isBottom() || isTop())
    return;
  if (isBottom() || O.isTop()) {
    *this = O;
    return;
  }
  // Pointwise on the actual sets; the V parts join into V ∪ V_O. A dim only
  // one side modifies joins with the other side's implicit entry {d} / ∅.
  for (auto &[D, E] : Entries) {
    if (const Entry *EO = O.Entries.find(D)) {
      E.Dep.unite(EO->Dep);
      E.ND.unite(EO->ND);
    } else {
      E.Dep.insert(D);
    }
  }
  for (const auto &[D, EO] : O.Entries) {
    if (ModSet.contains(D))
      continue;
    Entry E = EO;
    E.Dep.insert(D);
    Entries.set(D, std::move(E));
  }
  ModSet.unite(O.ModSet);
  V.unite(O.V);
}

Transformer Transformer::join(const Transformer &O) const {
  Transformer R = *this;
  R.joinWith(O);
  return R;
}

Transformer Transformer::narrow(const Transformer &O) const {
  // Any element between O and *this is a valid narrowing; the loops of this
  // domain reach their least fixpoint by joins alone, so keep *this.
  (void)O;
  return *this;
}

bool Transformer::operator==(const Transformer &O) const {
  if (St != O.St)
    return false;
  if (!isValue())
    return true;
  if (!(ModSet == O.ModSet) || !(V == O.V) || Entries.size() != O.Entries.size())
    return false;
  for (const auto &[D, E] : Entries) {
    const Entry *EO = O.Entries.find(D);
    if (!EO)
      return false;
    if (*EO == E)
      continue;
    // Equal when they differ only inside V.
    if (!(E.Dep.minus(V) == EO->Dep.minus(V)) || !(E.ND.minus(V) == EO->ND.minus(V)))
      return false;
  }
  return true;
}

bool Transformer::wellFormed() const {
  if (!isValue())
    return true;
  if (ModSet.count() != Entries.size())
    return false;
  for (const auto &[D, E] : Entries) {
    if (!ModSet.contains(D) || !E.ND.isSubsetOf(E.Dep))
      return false;
  }
  return true;
}

} // namespace svic::analysis::smooth
