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
/// Keys are ordered (std::map), so iteration order is deterministic.
//===----------------------------------------------------------------------===//
#pragma once

#include "svic/analysis/Lattice.h"

#include <cassert>
#include <functional>
#include <map>
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
    auto It = Entries.find(K);
    return It == Entries.end() ? Default : It->second;
  }
  const L &defaultValue() const { return Default; }
  bool hasEntry(const Key &K) const { return Entries.count(K) != 0; }
  /// Explicit entries (keys whose value may differ from the default).
  const std::map<Key, L> &entries() const { return Entries; }

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
    Entries.insert_or_assign(K, std::move(V));
  }
  /// The key gets the default value again (for environments: forgotten).
  void erase(const Key &K) { Entries.erase(K); }

  bool leq(const MapDomain &B) const {
    if (isBottom())
      return true;
    if (B.isBottom())
      return false;
    bool Ok = Default.leq(B.Default);
    forUnion(B, [&](const L &X, const L &Y) { Ok = Ok && X.leq(Y); });
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
    for (const auto &[K, V] : Entries)
      R.set(K, F(V));
    return R;
  }

private:
  bool isSmashed() const {
    if constexpr (SmashBottom)
      return IsBottom;
    else
      return false;
  }

  template <typename Pred> bool allEntries(Pred P) const {
    if (!P(Default))
      return false;
    for (const auto &[K, V] : Entries)
      if (!P(V))
        return false;
    return true;
  }

  /// Calls F(this[k], B[k]) for every key explicit in either map.
  template <typename Fn> void forUnion(const MapDomain &B, Fn F) const {
    auto I = Entries.begin(), IE = Entries.end();
    auto J = B.Entries.begin(), JE = B.Entries.end();
    while (I != IE || J != JE) {
      if (J == JE || (I != IE && I->first < J->first)) {
        F(I->second, B.Default);
        ++I;
      } else if (I == IE || J->first < I->first) {
        F(Default, J->second);
        ++J;
      } else {
        F(I->second, J->second);
        ++I;
        ++J;
      }
    }
  }

  template <typename Op> MapDomain combine(const MapDomain &B, Op O) const {
    MapDomain R(O(Default, B.Default));
    if (R.isSmashed())
      return R;
    auto I = Entries.begin(), IE = Entries.end();
    auto J = B.Entries.begin(), JE = B.Entries.end();
    while (I != IE || J != JE) {
      if (J == JE || (I != IE && I->first < J->first)) {
        R.set(I->first, O(I->second, B.Default));
        ++I;
      } else if (I == IE || J->first < I->first) {
        R.set(J->first, O(Default, J->second));
        ++J;
      } else {
        R.set(I->first, O(I->second, J->second));
        ++I;
        ++J;
      }
      if (R.isSmashed())
        return R;
    }
    return R;
  }

  L Default;
  std::map<Key, L> Entries;
  bool IsBottom = false; ///< SmashBottom only
};

} // namespace svic::analysis
