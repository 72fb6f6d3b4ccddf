//===- Fixpoint.h - The loop fixpoint engine shared by every analysis -----===//
///
/// \file
/// The IR is structured, so loop bodies are the only cycles and the weak
/// topological order is the syntax itself. Each analysis reduces a loop to
/// "the least X above Entry with Body(X) ⊑ X" and calls loopFixpoint, which
/// owns the iteration strategy (crab/IKOS style): plain joins for
/// `WideningDelay` rounds, then widening until stable, then a few narrowing
/// rounds to recover precision. Forward analyses pass Body = post of one
/// iteration; the compositional smoothness analysis passes Body = J ; ⟦body⟧.
//===----------------------------------------------------------------------===//
#pragma once

#include "svic/analysis/Lattice.h"

#include <cstddef>
#include <stdexcept>

namespace svic::analysis {

struct FixpointOptions {
  unsigned WideningDelay = 2;      ///< joins before the first widening
  unsigned NarrowingIterations = 1;
  unsigned MaxIterations = 10000;  ///< a guard against a non-terminating widening
};

struct FixpointStats {
  unsigned Iterations = 0; ///< ascending iterations until stable
  unsigned Narrowings = 0;
};

/// Thrown only if a domain's widening fails to stabilise: a bug in the domain,
/// reported by the driver as an internal error.
struct FixpointDiverged : std::logic_error {
  using std::logic_error::logic_error;
};

/// Least X ⊒ Entry with Body(X) ⊑ X (over-approximated by widening), i.e. an
/// invariant at the loop head. \p Body maps a loop-head state to the state
/// after one more iteration.
template <Lattice L, typename BodyFn>
L loopFixpoint(const L &Entry, BodyFn &&Body, const FixpointOptions &Opts = {},
               FixpointStats *Stats = nullptr) {
  L X = Entry;
  unsigned K = 0;
  for (;; ++K) {
    if (K >= Opts.MaxIterations)
      throw FixpointDiverged("loop fixpoint did not stabilise");
    L Next = Entry.join(Body(X));
    if (Next.leq(X))
      break;
    X = K < Opts.WideningDelay ? X.join(Next) : X.widen(Next);
  }
  unsigned N = 0;
  for (; N < Opts.NarrowingIterations; ++N) {
    L Next = Entry.join(Body(X));
    if (X.leq(Next))
      break;
    X = X.narrow(Next);
  }
  if (Stats) {
    Stats->Iterations += K + 1;
    Stats->Narrowings += N;
  }
  return X;
}

} // namespace svic::analysis
