//===- MapDomain.h - Pointwise lift of a lattice to maps -------------------===//
///
/// \file
/// `MapDomain<Key, L>` is a total map Key -> L stored as explicit entries plus
/// a default element for every absent key (top for environments: a variable
/// the analysis knows nothing about). Lattice operations are pointwise, the
/// defaults included, so maps with different defaults still compare and join
/// correctly.
///
/// With `SmashBottom` (the default, for environments) the map is bottom as a
/// whole as soon as any entry is bottom: a state where some variable has no
/// possible value is unreachable (crab's separate_domains). Maps whose natural
/// default is bottom (e.g. "no dependence yet") use SmashBottom = false; their
/// bottom is the all-bottom map.
///
/// Entries live in a persistent treap whose node priorities are a hash of the
/// key, so a key set has one canonical shape. Copies share structure, an
/// update copies one path, and binary operations skip subtrees the two
/// operands share (x op x = x for join, meet, widen and narrow): the two
/// branches of an `if` then cost what they change, not the size of the
/// environment (crab and IKOS use Patricia trees for the same reason).
/// Iteration is in key order, so it is deterministic.
//===----------------------------------------------------------------------===//
#pragma once

#include "svic/analysis/Lattice.h"

#include <cassert>
#include <cstdint>
#include <functional>
#include <memory>
#include <utility>

namespace svic::analysis {

template <typename Key, Lattice L, bool SmashBottom = true> class MapDomain {
public:
  /// The map sending every key to \p Default.
  explicit MapDomain(L Default) : Default(std::move(Default)) {
    if constexpr (SmashBottom)
      IsBottom = this->Default.isBottom();
  }

  static MapDomain top() { return MapDomain(L::top()); }
  static MapDomain bottom() {
    MapDomain M(L::bottom());
    M.IsBottom = true;
    return M;
  }

  bool isBottom() const {
    if constexpr (SmashBottom)
      return IsBottom;
    else
      return allEntries([](const L &V) { return V.isBottom(); });
  }
  bool isTop() const {
    return !isBottom() && allEntries([](const L &V) { return V.isTop(); });
  }

  /// The value at \p K (bottom everywhere in a bottom map).
  L get(const Key &K) const {
    if (isSmashed())
      return L::bottom();
    for (const Node *N = Root.get(); N;) {
      if (K == N->K)
        return N->V;
      N = K < N->K ? N->Left.get() : N->Right.get();
    }
    return Default;
  }
  const L &defaultValue() const { return Default; }

  /// Strong update. Setting bottom smashes the map; a bottom map stays bottom.
  void set(const Key &K, L V) {
    if (isSmashed())
      return;
    if constexpr (SmashBottom) {
      if (V.isBottom()) {
        *this = bottom();
        return;
      }
    }
    Root = insert(Root, K, std::move(V));
  }

  bool leq(const MapDomain &B) const {
    if (isBottom())
      return true;
    if (B.isBottom())
      return false;
    bool Ok = Default.leq(B.Default);
    // Shared subtrees are skipped: x <= x.
    forUnion(Root, B.Root, B, [&](const L &X, const L &Y) { Ok = Ok && X.leq(Y); });
    return Ok;
  }

  MapDomain join(const MapDomain &B) const {
    if (isSmashed())
      return B;
    if (B.isSmashed())
      return *this;
    return combine(B, [](const L &X, const L &Y) { return X.join(Y); });
  }
  MapDomain meet(const MapDomain &B) const {
    if (isSmashed() || B.isSmashed())
      return bottom();
    return combine(B, [](const L &X, const L &Y) { return X.meet(Y); });
  }
  MapDomain widen(const MapDomain &B) const {
    if (isSmashed())
      return B;
    if (B.isSmashed())
      return *this;
    return combine(B, [](const L &X, const L &Y) { return X.widen(Y); });
  }
  MapDomain narrow(const MapDomain &B) const {
    if (isSmashed() || B.isSmashed())
      return bottom();
    return combine(B, [](const L &X, const L &Y) { return X.narrow(Y); });
  }
  void joinWith(const MapDomain &B) { *this = join(B); }
  void meetWith(const MapDomain &B) { *this = meet(B); }
  void widenWith(const MapDomain &B) { *this = widen(B); }
  void narrowWith(const MapDomain &B) { *this = narrow(B); }

  /// Pointwise map over every value (entries and default); \p F must send
  /// bottom to bottom in a smashing map or the result is renormalised.
  template <typename Fn> MapDomain transform(Fn F) const {
    if (isSmashed())
      return *this;
    MapDomain R(F(Default));
    forEach(Root, [&](const Key &K, const L &V) { R.set(K, F(V)); });
    return R;
  }

private:
  bool isSmashed() const {
    if constexpr (SmashBottom)
      return IsBottom;
    else
      return false;
  }

  struct Node;
  using NodePtr = std::shared_ptr<const Node>;
  struct Node {
    Key K;
    L V;
    uint64_t Priority;
    NodePtr Left, Right;
  };

  static uint64_t priorityOf(const Key &K) {
    uint64_t X = static_cast<uint64_t>(std::hash<Key>{}(K)) + 0x9e3779b97f4a7c15ULL;
    X = (X ^ (X >> 30)) * 0xbf58476d1ce4e5b9ULL;
    X = (X ^ (X >> 27)) * 0x94d049bb133111ebULL;
    return X ^ (X >> 31);
  }
  /// Heap order on (priority, key): canonical even when priorities collide.
  static bool above(const Node &A, const Node &B) {
    return A.Priority != B.Priority ? A.Priority > B.Priority : A.K < B.K;
  }
  static NodePtr make(const Key &K, L V, uint64_t P, NodePtr Left, NodePtr Right) {
    return std::make_shared<const Node>(Node{K, std::move(V), P, std::move(Left), std::move(Right)});
  }

  /// Splits T into keys < K, the node with key K (if any), keys > K.
  static void split(const NodePtr &T, const Key &K, NodePtr &Lo, NodePtr &Mid, NodePtr &Hi) {
    if (!T) {
      Lo = Mid = Hi = nullptr;
      return;
    }
    if (K == T->K) {
      Lo = T->Left;
      Mid = T;
      Hi = T->Right;
    } else if (K < T->K) {
      NodePtr L2;
      split(T->Left, K, Lo, Mid, L2);
      Hi = make(T->K, T->V, T->Priority, L2, T->Right);
    } else {
      NodePtr R2;
      split(T->Right, K, R2, Mid, Hi);
      Lo = make(T->K, T->V, T->Priority, T->Left, R2);
    }
  }

  static NodePtr insert(const NodePtr &T, const Key &K, L V) {
    if (!T)
      return make(K, std::move(V), priorityOf(K), nullptr, nullptr);
    if (K == T->K)
      return make(K, std::move(V), T->Priority, T->Left, T->Right);
    Node Fresh{K, L::bottom(), priorityOf(K), nullptr, nullptr};
    if (above(Fresh, *T)) {
      NodePtr Lo, Mid, Hi;
      split(T, K, Lo, Mid, Hi);
      return make(K, std::move(V), Fresh.Priority, Lo, Hi);
    }
    if (K < T->K)
      return make(T->K, T->V, T->Priority, insert(T->Left, K, std::move(V)), T->Right);
    return make(T->K, T->V, T->Priority, T->Left, insert(T->Right, K, std::move(V)));
  }

  template <typename Fn> static void forEach(const NodePtr &T, Fn &&F) {
    if (!T)
      return;
    forEach(T->Left, F);
    F(T->K, T->V);
    forEach(T->Right, F);
  }

  template <typename Pred> bool allEntries(Pred P) const {
    if (!P(Default))
      return false;
    bool All = true;
    forEach(Root, [&](const Key &, const L &V) { All = All && P(V); });
    return All;
  }

  /// Calls F(this[k], B[k]) for every key explicit in either tree, except in
  /// subtrees shared by both (there F would compare a value with itself).
  template <typename Fn>
  void forUnion(const NodePtr &A, const NodePtr &Bt, const MapDomain &B, Fn &&F) const {
    if (A == Bt)
      return;
    if (!A) {
      forEach(Bt, [&](const Key &, const L &V) { F(Default, V); });
      return;
    }
    if (!Bt) {
      forEach(A, [&](const Key &, const L &V) { F(V, B.Default); });
      return;
    }
    NodePtr Lo, Mid, Hi;
    if (above(*A, *Bt)) {
      split(Bt, A->K, Lo, Mid, Hi);
      F(A->V, Mid ? Mid->V : B.Default);
      forUnion(A->Left, Lo, B, F);
      forUnion(A->Right, Hi, B, F);
    } else {
      split(A, Bt->K, Lo, Mid, Hi);
      F(Mid ? Mid->V : Default, Bt->V);
      forUnion(Lo, Bt->Left, B, F);
      forUnion(Hi, Bt->Right, B, F);
    }
  }

  /// The pointwise combination of two trees; Smashed is set when a value is
  /// bottom in a smashing map.
  template <typename Op>
  static NodePtr combineTrees(const NodePtr &A, const NodePtr &B, const L &DefA, const L &DefB,
                              Op &O, bool &Smashed) {
    if (A == B) // a shared subtree: O(x, x) = x for every lattice operation
      return A;
    auto Value = [&](L V) {
      if constexpr (SmashBottom)
        Smashed = Smashed || V.isBottom();
      return V;
    };
    auto MapAll = [&](const NodePtr &T, auto &&F) {
      auto Rec = [&](const auto &Self, const NodePtr &N) -> NodePtr {
        if (!N || Smashed)
          return nullptr;
        return make(N->K, Value(F(N->V)), N->Priority, Self(Self, N->Left), Self(Self, N->Right));
      };
      return Rec(Rec, T);
    };
    if (!A)
      return MapAll(B, [&](const L &V) { return O(DefA, V); });
    if (!B)
      return MapAll(A, [&](const L &V) { return O(V, DefB); });
    NodePtr Lo, Mid, Hi;
    if (above(*A, *B)) {
      split(B, A->K, Lo, Mid, Hi);
      L V = Value(Mid ? O(A->V, Mid->V) : O(A->V, DefB));
      NodePtr Left = combineTrees(A->Left, Lo, DefA, DefB, O, Smashed);
      NodePtr Right = combineTrees(A->Right, Hi, DefA, DefB, O, Smashed);
      return make(A->K, std::move(V), A->Priority, Left, Right);
    }
    split(A, B->K, Lo, Mid, Hi);
    L V = Value(Mid ? O(Mid->V, B->V) : O(DefA, B->V));
    NodePtr Left = combineTrees(Lo, B->Left, DefA, DefB, O, Smashed);
    NodePtr Right = combineTrees(Hi, B->Right, DefA, DefB, O, Smashed);
    return make(B->K, std::move(V), B->Priority, Left, Right);
  }

  template <typename Op> MapDomain combine(const MapDomain &B, Op O) const {
    MapDomain R(O(Default, B.Default));
    if (R.isSmashed())
      return R;
    bool Smashed = false;
    R.Root = combineTrees(Root, B.Root, Default, B.Default, O, Smashed);
    if (Smashed)
      return bottom();
    return R;
  }

  L Default;
  NodePtr Root;
  bool IsBottom = false; ///< SmashBottom only
};

} // namespace svic::analysis
