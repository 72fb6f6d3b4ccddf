//===- lattice_laws_test.cpp - Lattice laws of the numeric domains ---------===//
///
/// Property tests on random elements of Interval, NumValue and MapDomain:
/// order (reflexive, antisymmetric through ==, transitive), join/meet bounds,
/// commutativity, idempotence, associativity, bottom/top identities,
/// a ⊔ b ⊑ a ∇ b, widened ascending chains stabilise within a bound,
/// narrowing between (b ⊑ a ∆ b ⊑ a for b ⊑ a), and concrete membership
/// (the join contains both sides' points). Plus loopFixpoint on a counter.
//===----------------------------------------------------------------------===//

#include "svic/analysis/Fixpoint.h"
#include "svic/analysis/Interval.h"
#include "svic/analysis/MapDomain.h"
#include "svic/analysis/Numeric.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <vector>

using namespace svic::analysis;

namespace {

constexpr double Inf = std::numeric_limits<double>::infinity();
constexpr int Rounds = 3000;

struct Gen {
  std::mt19937 G{20261122};

  double bound() {
    static const double Vals[] = {-Inf, -3, -2, -1, -0.5, 0, 0.25, 0.5, 1, 2, 3, 7, Inf};
    std::uniform_int_distribution<int> Pick(0, 12), Coin(0, 5);
    if (Coin(G) == 0)
      return std::uniform_real_distribution<double>(-5, 5)(G);
    return Vals[Pick(G)];
  }
  bool coin(int N = 2) { return std::uniform_int_distribution<int>(0, N - 1)(G) == 0; }

  Interval interval() {
    if (coin(12))
      return Interval::bottom();
    if (coin(12))
      return Interval::top();
    double A = bound(), B = bound();
    if (A > B)
      std::swap(A, B);
    Interval I = Interval::make(A, coin(), B, coin(), coin(4));
    return I;
  }

  NumValue value() {
    if (coin(12))
      return NumValue::bottom();
    if (coin(12))
      return NumValue::top();
    NumValue V = NumValue::number(interval());
    if (coin(3))
      V = V.join(NumValue::none());
    if (coin(4))
      V = V.join(NumValue::string());
    if (coin(4))
      V = V.join(NumValue::module(std::uniform_int_distribution<unsigned>(1, 3)(G)));
    if (coin(5))
      V = V.join(NumValue::dist());
    if (coin(4))
      V = NumValue::sequence(V);
    if (coin(6))
      V = V.join(NumValue::other());
    if (coin(8))
      V = V.withKinds(V.kinds() & ~NumValue::KNum);
    if (coin(4)) // a diagonal matrix (kept on plain numbers only)
      V = V.withDiagonal(std::uniform_int_distribution<int>(1, 3)(G) * 0.5);
    if (Depth < 2 && coin(5)) { // a tuple of 1-3 elements, some of them tuples
      ++Depth;
      std::vector<NumValue> Elems;
      for (int N = std::uniform_int_distribution<int>(1, 3)(G); N > 0; --N)
        Elems.push_back(value());
      --Depth;
      V = NumValue::tuple(std::move(Elems));
    }
    return V;
  }
  int Depth = 0;

  MapDomain<int, Interval> map() {
    if (coin(15))
      return MapDomain<int, Interval>::bottom();
    MapDomain<int, Interval> M(coin(4) ? interval() : Interval::top());
    if (M.isBottom())
      return M;
    int N = std::uniform_int_distribution<int>(0, 4)(G);
    for (int K = 0; K < N; ++K)
      M.set(std::uniform_int_distribution<int>(0, 5)(G), interval());
    return M;
  }

  /// A point of I (the empty interval has none).
  std::optional<double> pointIn(const Interval &I) {
    if (I.isBottom())
      return std::nullopt;
    for (int K = 0; K < 20; ++K) {
      double Lo = std::isinf(I.lo()) ? -100 : I.lo(), Hi = std::isinf(I.hi()) ? 100 : I.hi();
      double V = std::uniform_real_distribution<double>(Lo, Hi)(G);
      if (coin(3))
        V = coin() ? Lo : Hi;
      if (I.isIntegral())
        V = std::round(V);
      if (I.contains(V))
        return V;
    }
    return I.pointValue();
  }
};

template <typename L> bool eq(const L &A, const L &B) { return latticeEqual(A, B); }

/// The laws every Lattice must satisfy, on one triple of elements.
template <typename L> void checkLaws(const L &A, const L &B, const L &C) {
  ASSERT_TRUE(A.leq(A));
  L J = A.join(B);
  EXPECT_TRUE(A.leq(J));
  EXPECT_TRUE(B.leq(J));
  EXPECT_TRUE(eq(J, B.join(A)));
  EXPECT_TRUE(eq(A.join(A), A));
  EXPECT_TRUE(eq(A.join(B).join(C), A.join(B.join(C))));
  L M = A.meet(B);
  EXPECT_TRUE(M.leq(A));
  EXPECT_TRUE(M.leq(B));
  EXPECT_TRUE(eq(M, B.meet(A)));
  EXPECT_TRUE(eq(A.meet(A), A));
  // order and lattice operations agree
  EXPECT_EQ(A.leq(B), eq(A.join(B), B));
  if (A.leq(B) && B.leq(C)) {
    EXPECT_TRUE(A.leq(C));
  }
  // identities
  EXPECT_TRUE(eq(A.join(L::bottom()), A));
  EXPECT_TRUE(L::bottom().leq(A));
  EXPECT_TRUE(A.leq(L::top()));
  EXPECT_TRUE(eq(A.join(L::top()), L::top()));
  EXPECT_TRUE(L::bottom().isBottom());
  EXPECT_TRUE(L::top().isTop());
  // widening is an upper bound of the join
  L W = A.widen(B);
  EXPECT_TRUE(J.leq(W));
  EXPECT_TRUE(A.leq(W));
  // narrowing lands between (for B ⊑ A)
  L Lo = A.meet(B);
  L N = A.narrow(Lo);
  EXPECT_TRUE(Lo.leq(N));
  EXPECT_TRUE(N.leq(A));
}

/// x_{k+1} = x_k ∇ (x_k ⊔ y_k) for random y_k strictly increases only a
/// bounded number of times.
template <typename L, typename GenFn>
void checkWideningStabilises(GenFn Next, unsigned MaxIncreases) {
  L X = Next();
  unsigned Increases = 0;
  for (int K = 0; K < 400; ++K) {
    L Y = X.join(Next());
    L W = X.widen(Y);
    ASSERT_TRUE(X.leq(W));
    ASSERT_TRUE(Y.leq(W));
    if (!W.leq(X))
      ++Increases;
    X = W;
  }
  EXPECT_LE(Increases, MaxIncreases);
}

} // namespace

TEST(LatticeLaws, Interval) {
  Gen G;
  for (int K = 0; K < Rounds; ++K) {
    Interval A = G.interval(), B = G.interval(), C = G.interval();
    checkLaws(A, B, C);
    EXPECT_EQ(A.leq(B) && B.leq(A), A == B) << A.str() << " vs " << B.str();
    // concrete membership: join and widening hold both sides' points, meet
    // holds the common ones
    for (const Interval *S : {&A, &B})
      if (auto P = G.pointIn(*S)) {
        EXPECT_TRUE(A.join(B).contains(*P)) << *P << " " << A.str() << " join " << B.str();
        EXPECT_TRUE(A.widen(B).contains(*P));
        if (A.contains(*P) && B.contains(*P)) {
          EXPECT_TRUE(A.meet(B).contains(*P));
        }
      }
  }
}

TEST(LatticeLaws, IntervalWideningStabilises) {
  Gen G;
  for (int K = 0; K < 200; ++K) // each bound moves along a 7-step ladder; integrality once
    checkWideningStabilises<Interval>([&] { return G.interval(); }, 16);
}

TEST(LatticeLaws, IntervalNarrowingChainsStop) {
  Gen G;
  for (int K = 0; K < 500; ++K) {
    Interval X = Interval::top();
    unsigned Decreases = 0;
    for (int I = 0; I < 50; ++I) {
      Interval Y = X.meet(G.interval());
      Interval N = X.narrow(Y);
      ASSERT_TRUE(Y.leq(N));
      ASSERT_TRUE(N.leq(X));
      if (!X.leq(N))
        ++Decreases;
      X = N;
    }
    EXPECT_LE(Decreases, 20u);
  }
}

TEST(LatticeLaws, NumValue) {
  Gen G;
  for (int K = 0; K < Rounds; ++K) {
    NumValue A = G.value(), B = G.value(), C = G.value();
    checkLaws(A, B, C);
    EXPECT_EQ(A.leq(B) && B.leq(A), A == B) << A.str() << " vs " << B.str();
  }
  checkWideningStabilises<NumValue>([&] { return G.value(); }, 40);
}

TEST(LatticeLaws, NumValueKinds) {
  NumValue N = NumValue::number(Interval::positive());
  EXPECT_TRUE(N.isNumeric());
  EXPECT_FALSE(N.join(NumValue::none()).isNumeric());
  EXPECT_TRUE(NumValue::sequence(N).isNumeric());
  EXPECT_TRUE(NumValue::sequence(NumValue::bottom()).num().isBottom());
  EXPECT_FALSE(NumValue::sequence(NumValue::bottom()).isBottom()); // an empty list exists
  EXPECT_EQ(NumValue::module(7).moduleCtor(), std::optional<svic::ir::NodeId>(7));
  EXPECT_EQ(NumValue::module(7).join(NumValue::module(8)).moduleCtor(), std::nullopt);
  EXPECT_TRUE(NumValue::module(7).join(NumValue::module(8)).may(NumValue::KModule));
  EXPECT_EQ(NumValue::module(7).join(N).moduleCtor(), std::optional<svic::ir::NodeId>(7));
  EXPECT_TRUE(NumValue::top().isTop());
  EXPECT_EQ(NumValue::none().str(), "None");
  EXPECT_EQ(N.str(), "(0, inf)");
}

TEST(LatticeLaws, MapDomain) {
  Gen G;
  using M = MapDomain<int, Interval>;
  for (int K = 0; K < Rounds; ++K) {
    M A = G.map(), B = G.map(), C = G.map();
    checkLaws(A, B, C);
    // pointwise: the join at a key is the join of the values
    for (int Key = 0; Key < 6; ++Key)
      if (!A.isBottom() && !B.isBottom()) {
        EXPECT_EQ(A.join(B).get(Key), A.get(Key).join(B.get(Key)));
      }
  }
  checkWideningStabilises<M>([&] { return G.map(); }, 120);
}

TEST(LatticeLaws, MapDomainSmashesBottom) {
  using M = MapDomain<int, Interval>;
  M E = M::top();
  EXPECT_TRUE(E.isTop());
  E.set(1, Interval::positive());
  EXPECT_FALSE(E.isTop());
  EXPECT_EQ(E.get(1), Interval::positive());
  EXPECT_EQ(E.get(2), Interval::top()); // absent: the default
  M Bot = E;
  Bot.set(3, Interval::bottom()); // a variable with no value: unreachable
  EXPECT_TRUE(Bot.isBottom());
  EXPECT_TRUE(Bot.get(1).isBottom());
  EXPECT_TRUE(Bot.leq(E));
  EXPECT_TRUE(latticeEqual(Bot.join(E), E));
  Bot.set(1, Interval::point(1)); // stays bottom
  EXPECT_TRUE(Bot.isBottom());
  E.set(1, Interval::top());
  EXPECT_TRUE(E.isTop());
  // maps with different defaults
  M D0(Interval::point(0));
  D0.set(1, Interval::point(1));
  M D1(Interval::point(1));
  M J = D0.join(D1);
  EXPECT_EQ(J.get(1), Interval::point(1));
  EXPECT_EQ(J.get(5), Interval::integers(0, 1));
  EXPECT_EQ(J.defaultValue(), Interval::integers(0, 1));
  EXPECT_TRUE(D0.leq(J) && D1.leq(J));
  EXPECT_FALSE(J.leq(D0));
  auto T = J.transform([](const Interval &I) { return I + Interval::point(1); });
  EXPECT_EQ(T.get(5), Interval::integers(1, 2));
}

// Copies share structure; operations skip shared subtrees. Two copies of a
// large map updated at different keys must still join, meet and compare
// exactly as the pointwise definition says.
TEST(LatticeLaws, MapDomainSharedStructureIsPointwise) {
  using M = MapDomain<int, Interval>;
  std::mt19937 Rng(7);
  for (int Round = 0; Round < 20; ++Round) {
    M Base = M::top();
    for (int K = 0; K < 300; ++K)
      Base.set(K, Interval::integers(K, K + 10));
    M A = Base, B = Base;
    std::vector<Interval> RefA, RefB;
    for (int K = 0; K < 310; ++K)
      RefA.push_back(K < 300 ? Interval::integers(K, K + 10) : Interval::top());
    RefB = RefA;
    for (int I = 0; I < 15; ++I) {
      int KA = Rng() % 310, KB = Rng() % 310;
      int Lo = static_cast<int>(Rng() % 50);
      A.set(KA, Interval::integers(Lo, Lo + 3));
      RefA[KA] = Interval::integers(Lo, Lo + 3);
      B.set(KB, Interval::integers(Lo + 1, Lo + 2));
      RefB[KB] = Interval::integers(Lo + 1, Lo + 2);
    }
    M J = A.join(B), W = A.widen(B), Me = A.meet(B);
    bool Leq = true;
    for (int K = 0; K < 310; ++K) {
      EXPECT_EQ(J.get(K), RefA[K].join(RefB[K])) << K;
      EXPECT_EQ(W.get(K), RefA[K].widen(RefB[K])) << K;
      if (!Me.isBottom()) {
        EXPECT_EQ(Me.get(K), RefA[K].meet(RefB[K])) << K;
      }
      Leq = Leq && RefA[K].leq(RefB[K]);
    }
    EXPECT_EQ(A.leq(B), Leq);
    EXPECT_TRUE(A.leq(J) && B.leq(J));
    EXPECT_TRUE(Base.leq(Base) && latticeEqual(Base.join(Base), Base));
  }
}

TEST(LatticeLaws, MapDomainWithoutSmashing) {
  // A map whose absent keys are bottom (e.g. "no dependence yet").
  using M = MapDomain<int, Interval, false>;
  static_assert(Lattice<M>);
  M A = M::bottom();
  EXPECT_TRUE(A.isBottom());
  A.set(1, Interval::point(2));
  EXPECT_FALSE(A.isBottom());
  EXPECT_TRUE(A.get(0).isBottom());
  M B = M::bottom();
  B.set(2, Interval::point(3));
  M J = A.join(B);
  EXPECT_EQ(J.get(1), Interval::point(2));
  EXPECT_EQ(J.get(2), Interval::point(3));
  EXPECT_TRUE(A.meet(B).isBottom());
  Gen G;
  for (int K = 0; K < 500; ++K) {
    M X = M::bottom(), Y = M::bottom(), Z = M::bottom();
    for (M *P : {&X, &Y, &Z})
      for (int I = 0; I < 3; ++I)
        P->set(std::uniform_int_distribution<int>(0, 4)(G.G), G.interval());
    checkLaws(X, Y, Z);
  }
}

TEST(LatticeLaws, NumEnvIsALattice) {
  NumEnv E = NumEnv::top();
  E.set(3, NumValue::number(Interval::positive()));
  NumEnv F = NumEnv::top();
  F.set(3, NumValue::number(Interval::point(0)));
  EXPECT_EQ(E.join(F).get(3).num(), Interval::nonNegative());
  EXPECT_TRUE(E.get(4).isTop());
}

//===-- The loop engine on a counter ------------------------------------------===//

TEST(LoopFixpoint, CounterLoop) {
  // i = 0; while i < 10: i = i + 1   — head invariant and exit value.
  auto Body = [](const Interval &X) {
    Interval In = ival::refineLeft(ival::Cmp::Lt, X, Interval::point(10));
    return In.isBottom() ? In : In + Interval::point(1);
  };
  FixpointStats Stats;
  Interval Head = loopFixpoint(Interval::point(0), Body, FixpointOptions{}, &Stats);
  EXPECT_EQ(Head, Interval::integers(0, 10)); // widened to [0, inf), narrowed back
  EXPECT_EQ(ival::refineLeft(ival::Cmp::Ge, Head, Interval::point(10)), Interval::point(10));
  EXPECT_GE(Stats.Iterations, 3u);
  EXPECT_EQ(Stats.Narrowings, 1u);
  // Without narrowing the invariant is the widened one.
  FixpointOptions NoNarrow;
  NoNarrow.NarrowingIterations = 0;
  EXPECT_EQ(loopFixpoint(Interval::point(0), Body, NoNarrow), Interval::integers(0, Inf));
  // A decreasing positive sequence stays positive: x = 1; loop: x = x / 2.
  Interval Pos =
      loopFixpoint(Interval::point(1), [](const Interval &X) { return X / Interval::point(2); });
  EXPECT_TRUE(Pos.isPositive());
  EXPECT_EQ(Pos, Interval::make(0, true, 1, false));
}

TEST(LoopFixpoint, EnvironmentLoop) {
  // Two variables: i counts to 5, s accumulates exp(.) > 0.
  auto Body = [](const NumEnv &X) {
    NumEnv Y = X;
    Interval I = ival::refineLeft(ival::Cmp::Lt, X.get(0).num(), Interval::point(5));
    if (I.isBottom())
      return NumEnv::bottom();
    Y.set(0, NumValue::number(I + Interval::point(1)));
    Y.set(1, NumValue::number(X.get(1).num() + ival::exp(Interval::top())));
    return Y;
  };
  NumEnv Entry = NumEnv::top();
  Entry.set(0, NumValue::number(Interval::point(0)));
  Entry.set(1, NumValue::number(Interval::point(0)));
  NumEnv Head = loopFixpoint(Entry, Body);
  EXPECT_EQ(Head.get(0).num(), Interval::integers(0, 5));
  EXPECT_EQ(Head.get(1).num(), Interval::nonNegative());
  EXPECT_TRUE(Body(Head).get(1).num().isPositive());
}
