//===- domain_test.cpp - Lattice laws of the smoothness transformer domain ===//
///
/// \file
/// DimSet operations; the order, join, identity and associativity of
/// composition on random small transformers; monotonicity of composition;
/// and the paper's counter-example to the naive chain rule.
//===----------------------------------------------------------------------===//

#include "svic/analysis/Smoothness.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <new>
#include <random>
#include <set>

using namespace svic::analysis;
using namespace svic::analysis::smooth;

namespace {

TEST(DimSet, Basics) {
  DimSet S{3, 64, 200, 3};
  EXPECT_EQ(S.count(), 3u);
  EXPECT_TRUE(S.contains(64));
  EXPECT_FALSE(S.contains(65));
  DimSet T{65, 3};
  EXPECT_TRUE(S.intersects(T));
  EXPECT_EQ(S.intersect(T).toVector(), std::vector<Dim>{3});
  EXPECT_EQ(S.minus(T).toVector(), (std::vector<Dim>{64, 200}));
  EXPECT_TRUE(S.unite(T));
  EXPECT_FALSE(S.unite(T));
  EXPECT_EQ(S.toVector(), (std::vector<Dim>{3, 64, 65, 200}));
  EXPECT_TRUE(T.isSubsetOf(S));
  EXPECT_FALSE(S.isSubsetOf(T));
  EXPECT_TRUE(DimSet().isSubsetOf(T));
  DimSet Big;
  for (Dim D = 0; D < 1000; D += 7)
    Big.insert(D);
  EXPECT_EQ(Big.count(), 143u);
  EXPECT_TRUE(Big.contains(994));
}

/// Sets over many words (stored on the heap) and over few (stored in place),
/// and every mix of the two, against std::set.
TEST(DimSet, AgreesWithStdSet) {
  std::mt19937 R(7);
  auto Random = [&](Dim Span, unsigned N) {
    std::set<Dim> Ref;
    DimSet S;
    std::uniform_int_distribution<Dim> D(0, Span - 1);
    for (unsigned I = 0; I < N; ++I) {
      Dim X = D(R);
      Ref.insert(X);
      S.insert(X);
    }
    return std::pair{S, Ref};
  };
  auto Vec = [](const std::set<Dim> &Ref) { return std::vector<Dim>(Ref.begin(), Ref.end()); };
  const Dim Spans[] = {64, 128, 300, 2000};
  for (int Round = 0; Round < 400; ++Round) {
    auto [A, RefA] = Random(Spans[Round % 4], Round % 40);
    auto [B, RefB] = Random(Spans[(Round / 4) % 4], (Round * 7) % 40);
    ASSERT_EQ(A.toVector(), Vec(RefA));
    std::set<Dim> Both, OnlyA;
    std::set_intersection(RefA.begin(), RefA.end(), RefB.begin(), RefB.end(),
                          std::inserter(Both, Both.end()));
    std::set_difference(RefA.begin(), RefA.end(), RefB.begin(), RefB.end(),
                        std::inserter(OnlyA, OnlyA.end()));
    EXPECT_EQ(A.intersect(B).toVector(), Vec(Both));
    EXPECT_EQ(A.intersects(B), !Both.empty());
    EXPECT_EQ(A.minus(B).toVector(), Vec(OnlyA));
    EXPECT_EQ(A.isSubsetOf(B), OnlyA.empty());
    std::vector<Dim> Common;
    A.forEachCommon(B, [&](Dim X) { Common.push_back(X); });
    EXPECT_EQ(Common, Vec(Both));

    DimSet Copy = A, Assigned{1, 5000};
    Assigned = A;
    EXPECT_TRUE(Copy == A);
    EXPECT_TRUE(Assigned == A);
    DimSet Moved = std::move(Copy);
    EXPECT_TRUE(Moved == A);
    EXPECT_TRUE(Copy.empty());
    Copy = B;
    EXPECT_TRUE(Copy == B);

    std::set<Dim> Union = RefA;
    Union.insert(RefB.begin(), RefB.end());
    EXPECT_EQ(Moved.unite(B), Union != RefA);
    EXPECT_EQ(Moved.toVector(), Vec(Union));
    EXPECT_EQ(Moved.count(), Union.size());
  }
}

} // namespace

// Counts allocations, for the test below. (GCC cannot see that this
// operator new is malloc, and would flag the free in operator delete.)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
static size_t Allocations = 0;
void *operator new(size_t N) {
  ++Allocations;
  if (void *P = std::malloc(N ? N : 1))
    return P;
  throw std::bad_alloc();
}
void operator delete(void *P) noexcept { std::free(P); }
void operator delete(void *P, size_t) noexcept { std::free(P); }

namespace {

/// The analysis copies and unites small sets at every composition: sets
/// spanning at most two 64-dim words must not allocate.
TEST(DimSet, SmallSetsDoNotAllocate) {
  DimSet A{3, 70, 100}, B{5, 64};
  size_t Before = Allocations;
  DimSet C = A;
  C.unite(B);
  DimSet D = C.minus(DimSet{3});
  D = C.intersect(A);
  DimSet E = std::move(D);
  E.insert(127);
  EXPECT_EQ(Allocations, Before);
  EXPECT_EQ(C.toVector(), (std::vector<Dim>{3, 5, 64, 70, 100}));
  EXPECT_EQ(E.toVector(), (std::vector<Dim>{3, 70, 100, 127}));
}

/// A random well-formed transformer over dims [0, N).
Transformer randomT(std::mt19937 &R, Dim N, double PMod = 0.4, double PDep = 0.3,
                    double PV = 0.05) {
  std::uniform_real_distribution<double> U(0, 1);
  Transformer T = Transformer::identity();
  for (Dim D = 0; D < N; ++D) {
    if (U(R) >= PMod)
      continue;
    DimSet Dep, ND;
    for (Dim E = 0; E < N; ++E) {
      if (U(R) < PDep) {
        Dep.insert(E);
        if (U(R) < 0.4)
          ND.insert(E);
      }
    }
    T.assign(D, Dep, ND);
  }
  DimSet V;
  for (Dim D = 0; D < N; ++D)
    if (U(R) < PV)
      V.insert(D);
  T.addV(V);
  return T;
}

constexpr Dim NDims = 10;

/// The laws below on small dense transformers (entries found by a linear
/// search, sets of one word), and on wide sparse ones (more entries than the
/// linear search takes, sets of several words).
struct Shape {
  Dim N;
  double PMod, PDep;
  int Rounds;
};
constexpr Shape Shapes[] = {{NDims, 0.4, 0.3, 300}, {300, 0.1, 0.02, 40}};

TEST(TransformerLattice, OrderAndJoin) {
  std::mt19937 R(42);
  for (const Shape &Sh : Shapes)
    for (int I = 0; I < Sh.Rounds; ++I) {
      auto Rand = [&] { return randomT(R, Sh.N, Sh.PMod, Sh.PDep); };
      Transformer A = Rand(), B = Rand(), C = Rand();
      ASSERT_TRUE(A.wellFormed());
      EXPECT_TRUE(A.leq(A));
      Transformer J = A.join(B);
      EXPECT_TRUE(J.wellFormed());
      EXPECT_TRUE(A.leq(J));
      EXPECT_TRUE(B.leq(J));
      EXPECT_TRUE(latticeEqual(J, B.join(A)));
      EXPECT_TRUE(latticeEqual(A.join(A), A));
      EXPECT_TRUE(latticeEqual(A.join(B).join(C), A.join(B.join(C))));
      // Least upper bound: any upper bound of A and B is above the join.
      Transformer UB = J.join(C);
      EXPECT_TRUE(J.leq(UB));
      EXPECT_TRUE(A.widen(B).leq(A.widen(B)) && J.leq(A.widen(B)));
      EXPECT_TRUE(B.leq(A.narrow(B).join(B)));
      // Antisymmetry on this representation.
      if (A.leq(B) && B.leq(A)) {
        EXPECT_TRUE(A == B);
      }
    }
  EXPECT_TRUE(Transformer::bottom().leq(Transformer::identity()));
  EXPECT_TRUE(Transformer::identity().leq(Transformer::top()));
  EXPECT_FALSE(Transformer::top().leq(Transformer::identity()));
  EXPECT_TRUE(Transformer::bottom().join(Transformer::identity()) == Transformer::identity());
}

TEST(TransformerLattice, CompositionLaws) {
  std::mt19937 R(7);
  Transformer Id = Transformer::identity();
  for (const Shape &Sh : Shapes)
    for (int I = 0; I < Sh.Rounds; ++I) {
      auto Rand = [&] { return randomT(R, Sh.N, Sh.PMod, Sh.PDep); };
      Transformer A = Rand(), B = Rand(), C = Rand();
      EXPECT_TRUE(Id.then(A) == A) << "left identity";
      EXPECT_TRUE(A.then(Id) == A) << "right identity";
      Transformer L = A.then(B).then(C), Rr = A.then(B.then(C));
      EXPECT_TRUE(L.wellFormed());
      EXPECT_TRUE(L == Rr) << "associativity";
      // Monotone in both arguments (needed by the loop fixpoint).
      Transformer A2 = A.join(Rand()), B2 = B.join(Rand());
      EXPECT_TRUE(A.then(B).leq(A2.then(B)));
      EXPECT_TRUE(A.then(B).leq(A.then(B2)));
      // Bottom and Err absorb.
      EXPECT_TRUE(A.then(Transformer::bottom()).isBottom());
      EXPECT_TRUE(Transformer::top().then(A).isTop());
    }
}

TEST(TransformerLattice, LoopFixpointIsLeast) {
  std::mt19937 R(3);
  for (int I = 0; I < 100; ++I) {
    Transformer T = randomT(R, NDims);
    FixpointStats S;
    Transformer J = loopFixpoint(
        Transformer::identity(), [&](const Transformer &X) { return X.then(T); }, FixpointOptions{},
        &S);
    // J = id ⊔ J;T and J ⊒ T^k for small k.
    EXPECT_TRUE(latticeEqual(J, Transformer::identity().join(J.then(T))));
    Transformer Pow = Transformer::identity();
    for (int K = 0; K < 4; ++K) {
      Pow = Pow.then(T);
      EXPECT_TRUE(Pow.leq(J));
    }
    EXPECT_GE(S.Iterations, 1u);
  }
}

// f(x, y) = |y| is differentiable in x; with y := x the composite |x| is not
// (notes a.4 assumption 5). The dependence-aware rule must report x.
TEST(TransformerLattice, NaiveChainRuleCounterExample) {
  const Dim X = 0, Y = 1, Out = 2;
  Transformer A = Transformer::identity(); // y := x
  A.assign(Y, DimSet{X}, DimSet{});
  Transformer B = Transformer::identity(); // out := x * 0 + |y|
  B.assign(Out, DimSet{X, Y}, DimSet{Y});
  EXPECT_FALSE(B.nd(Out).contains(X)) << "B alone is smooth in x";
  Transformer AB = A.then(B);
  EXPECT_TRUE(AB.nd(Out).contains(X));
  EXPECT_TRUE(AB.dep(Out).contains(X));
  // If instead y := 0 (no dependence on x), the composite is smooth in x.
  Transformer A0 = Transformer::identity();
  A0.assign(Y, DimSet{}, DimSet{});
  EXPECT_FALSE(A0.then(B).nd(Out).contains(X));
}

TEST(TransformerLattice, ImplicitEntriesCarryV) {
  Transformer T = Transformer::identity();
  T.assign(1, DimSet{2}, DimSet{});
  T.addV(DimSet{5});
  EXPECT_TRUE(T.dep(7).contains(5));
  EXPECT_TRUE(T.nd(7).contains(5));
  EXPECT_TRUE(T.nd(1).contains(5));
  EXPECT_FALSE(T.modifies(7));
  T.taintModified(DimSet{6});
  EXPECT_TRUE(T.nd(1).contains(6));
  EXPECT_FALSE(T.nd(7).contains(6));
  EXPECT_TRUE(T.wellFormed());
}

} // namespace
