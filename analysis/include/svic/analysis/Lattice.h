//===- Lattice.h - The one lattice interface of every abstract domain ------===//
///
/// \file
/// Every abstract domain of svic (intervals, the smoothness transformers, the
/// support/shape states) satisfies `Lattice`, checked by a static_assert next
/// to each domain. Elements are never default-constructed: top and bottom are
/// asked for by name (IKOS's discipline), so an "empty" element is never
/// mistaken for one of them. Operations are named, not operators, so `||` and
/// `&&` keep their boolean meaning.
//===----------------------------------------------------------------------===//
#pragma once

#include <concepts>

namespace svic::analysis {

template <typename L>
concept Lattice = std::copyable<L> && !std::default_initializable<L> &&
                  requires(const L A, const L B) {
                    { L::bottom() } -> std::same_as<L>;
                    { L::top() } -> std::same_as<L>;
                    { A.isBottom() } -> std::convertible_to<bool>;
                    { A.isTop() } -> std::convertible_to<bool>;
                    { A.leq(B) } -> std::convertible_to<bool>;  // A ⊑ B
                    { A.join(B) } -> std::same_as<L>;           // least upper bound (or an upper bound)
                    { A.widen(B) } -> std::same_as<L>;          // A ∇ B ⊒ A ⊔ B; chains stabilise
                    { A.narrow(B) } -> std::same_as<L>;         // A ∆ B, B ⊑ A∆B ⊑ A
                  };

/// Equality through the order, for domains whose representation is not canonical.
template <Lattice L> bool latticeEqual(const L &A, const L &B) { return A.leq(B) && B.leq(A); }

} // namespace svic::analysis
