//===- support_domain_test.cpp - The support analysis's domain pieces ------===//
///
/// \file
/// Unit tests of Support.h's domain: shape rules (broadcasting, to_event,
/// expand, expand_by, plates and dim allocation), the support-inclusion
/// relation over every pair of distributions of the table, index boxes and
/// name sets, and the lattice laws of values, name sets, site facts and
/// states.
//===----------------------------------------------------------------------===//

#include "svic/analysis/Support.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace svic;
using namespace svic::analysis;
using namespace svic::analysis::support;

namespace {

Shape sh(std::vector<int64_t> D) { return Shape::of(std::move(D)); }
constexpr int64_t Q = Shape::UnknownDim;

//===-- Broadcasting ----------------------------------------------------===//

TEST(SupportShapes, BroadcastKnown) {
  EXPECT_EQ(broadcastShapes(sh({3, 1}), sh({4})).S, sh({3, 4}));
  EXPECT_EQ(broadcastShapes(sh({}), sh({2, 5})).S, sh({2, 5}));
  EXPECT_EQ(broadcastShapes(sh({5, 1, 2}), sh({3, 1})).S, sh({5, 3, 2}));
  ShapeOutcome E = broadcastShapes(sh({3}), sh({4}));
  EXPECT_TRUE(E.failed());
  EXPECT_NE(E.Error.find("3 vs 4"), std::string::npos);
}

TEST(SupportShapes, BroadcastUnknownDims) {
  // ? against k > 1 is k (a run where they differ raises), against 1 stays ?.
  EXPECT_EQ(broadcastShapes(sh({Q}), sh({4})).S, sh({4}));
  EXPECT_EQ(broadcastShapes(sh({Q}), sh({1})).S, sh({Q}));
  EXPECT_EQ(broadcastShapes(sh({Q}), sh({Q})).S, sh({Q}));
  EXPECT_TRUE(broadcastShapes(sh({Q, 3}), sh({7, 4})).failed());
  EXPECT_FALSE(broadcastShapes(Shape::unknown(), sh({3})).failed());
  EXPECT_FALSE(broadcastShapes(Shape::unknown(), sh({3})).S.RankKnown);
}

TEST(SupportShapes, JoinAndOrder) {
  EXPECT_EQ(sh({2, 3}).join(sh({2, 4})), sh({2, Q}));
  EXPECT_FALSE(sh({2}).join(sh({2, 3})).RankKnown);
  EXPECT_TRUE(sh({2, 3}).leq(sh({2, Q})));
  EXPECT_FALSE(sh({2, Q}).leq(sh({2, 3})));
  EXPECT_TRUE(sh({2}).leq(Shape::unknown()));
  EXPECT_EQ(sh({2, Q}).str(), "[2, ?]");
  EXPECT_EQ(Shape::unknown().str(), "?");
  EXPECT_EQ(sh({2, 3}).numel(), 6);
  EXPECT_FALSE(sh({2, Q}).numel());
}

//===-- Distribution shape transforms ------------------------------------===//

TEST(SupportShapes, ToEvent) {
  DistShape D{sh({5, 2, 3}), sh({})};
  EXPECT_EQ(applyToEvent(D, 2), "");
  EXPECT_EQ(D.Batch, sh({5}));
  EXPECT_EQ(D.Event, sh({2, 3}));
  EXPECT_EQ(D.value(), sh({5, 2, 3}));
  DistShape E{sh({4}), sh({3})};
  EXPECT_EQ(applyToEvent(E, std::nullopt), "");
  EXPECT_EQ(E.Batch, sh({}));
  EXPECT_EQ(E.Event, sh({4, 3}));
  DistShape F{sh({4}), sh({})};
  EXPECT_NE(applyToEvent(F, 2), ""); // to_event(2) with one batch dim
  DistShape G{Shape::unknown(), sh({})};
  EXPECT_EQ(applyToEvent(G, 1), "");
  EXPECT_EQ(G.Event, sh({Q}));
  EXPECT_FALSE(G.Batch.RankKnown);
}

TEST(SupportShapes, ExpandAndExpandBy) {
  DistShape D{sh({3}), sh({})};
  EXPECT_EQ(applyExpandBy(D, sh({5, 2})), "");
  EXPECT_EQ(D.Batch, sh({5, 2, 3}));
  DistShape E{sh({1, 3}), sh({2})};
  EXPECT_EQ(applyExpand(E, sh({4, 3})), "");
  EXPECT_EQ(E.Batch, sh({4, 3}));
  EXPECT_EQ(E.value(), sh({4, 3, 2}));
  DistShape F{sh({2}), sh({})};
  EXPECT_NE(applyExpand(F, sh({3})), ""); // 2 cannot expand to 3
  DistShape G{sh({2, 3}), sh({})};
  EXPECT_NE(applyExpand(G, sh({3})), ""); // more dims than the target
}

//===-- Plates ------------------------------------------------------------===//

ActivePlate plate(std::string N, int64_t Size, int Dim) {
  ActivePlate P;
  P.Name = std::move(N);
  P.HasSize = true;
  P.Size = Size;
  P.Dim = Dim;
  return P;
}

TEST(SupportPlates, BroadcastScalarUnderPlates) {
  DistShape D{sh({}), sh({})};
  EXPECT_EQ(broadcastUnderPlates(D, {plate("a", 5, -1), plate("b", 6, -2)}, "x"), "");
  EXPECT_EQ(D.Batch, sh({6, 5}));
}

TEST(SupportPlates, ExplicitDimsLeaveOnes) {
  // s31: x under plate_outer(dim=-3, 5) is [5, 1, 1].
  DistShape D{sh({}), sh({})};
  EXPECT_EQ(broadcastUnderPlates(D, {plate("outer", 5, -3)}, "x"), "");
  EXPECT_EQ(D.Batch, sh({5, 1, 1}));
}

TEST(SupportPlates, Mismatch) {
  DistShape D{sh({2}), sh({})}; // expand_by([2]) in plate(10, 5)
  std::string E = broadcastUnderPlates(D, {plate("plate", 5, -1)}, "x");
  EXPECT_NE(E, "");
  EXPECT_NE(E.find("plate('plate')"), std::string::npos);
  DistShape F{sh({5, 1}), sh({})}; // nested_plate_plate_dim_error_2
  EXPECT_NE(broadcastUnderPlates(F, {plate("a", 5, -1), plate("b", 6, -2)}, "y"), "");
  DistShape G{sh({6, 1, 1}), sh({})}; // dim_error_3 is fine: [6, 6, 5]
  EXPECT_EQ(broadcastUnderPlates(G, {plate("a", 5, -1), plate("b", 6, -2)}, "z"), "");
  EXPECT_EQ(G.Batch, sh({6, 6, 5}));
}

TEST(SupportPlates, EventDimsAreNotBroadcast) {
  DistShape D{sh({}), sh({3})};
  EXPECT_EQ(broadcastUnderPlates(D, {plate("p", 4, -1)}, "x"), "");
  EXPECT_EQ(D.value(), sh({4, 3}));
}

TEST(SupportPlates, UnknownSizesAndDims) {
  DistShape D{sh({}), sh({})};
  EXPECT_EQ(broadcastUnderPlates(D, {plate("p", Q, -1)}, "x"), "");
  EXPECT_EQ(D.Batch, sh({Q}));
  DistShape E{sh({7}), sh({})};
  EXPECT_EQ(broadcastUnderPlates(E, {plate("p", Q, -1)}, "x"), "");
  EXPECT_EQ(E.Batch, sh({7}));
  DistShape F{sh({}), sh({})};
  EXPECT_EQ(broadcastUnderPlates(F, {plate("p", 3, 0)}, "x"), ""); // unknown dim: no crash
  EXPECT_FALSE(F.Batch.RankKnown);
  ActivePlate NoSize = plate("ns", Q, -1);
  NoSize.HasSize = false;
  DistShape G{sh({10}), sh({})};
  EXPECT_EQ(broadcastUnderPlates(G, {NoSize}, "x"), "");
  EXPECT_EQ(G.Batch, sh({10}));
}

TEST(SupportPlates, DimAllocation) {
  EXPECT_EQ(allocatePlateDim({}), -1);
  EXPECT_EQ(allocatePlateDim({plate("a", 2, -1)}), -2);
  EXPECT_EQ(allocatePlateDim({plate("a", 2, -3)}), -1);
  EXPECT_EQ(allocatePlateDim({plate("a", 2, -3), plate("b", 2, -1), plate("c", 2, -2)}), -4);
  EXPECT_EQ(allocatePlateDim({plate("a", 2, 0)}), 0);
}

//===-- Supports: every pair of distributions of the table ---------------===//

SupportDesc canonicalSupport(ir::DistId D) {
  switch (D) {
  case ir::DistId::Uniform:
    return supportOf(D, Interval::point(0), Interval::point(1));
  case ir::DistId::Categorical:
    return supportOf(D, Interval::top(), Interval::point(2)); // N = 3
  case ir::DistId::Binomial:
  case ir::DistId::Multinomial:
    return supportOf(D, Interval::top(), Interval::point(5));
  default:
    return supportOf(D);
  }
}

// Row: model; column: guide (in Distributions.def order). Y: the guide's
// support is contained in the model's; N: certainly not; ?: not decidable.
// Uniform is Uniform(0, 1), Categorical has 3 classes, Binomial and
// Multinomial 5 trials.
const char *const InclusionTable[] = {
    "YYYYYYYYYYYNYYNNNNNNNNN??", // Normal
    "NYYNYNNYYYYNNNNNNNNNNNN??", // LogNormal
    "NYYNYNNYYYYNNNNNNNNNNNN??", // HalfNormal
    "YYYYYYYYYYYNYYNNNNNNNNN??", // Cauchy
    "NYYNYNNYYYYNNNNNNNNNNNN??", // HalfCauchy
    "YYYYYYYYYYYNYYNNNNNNNNN??", // StudentT
    "YYYYYYYYYYYNYYNNNNNNNNN??", // Laplace
    "NNNNNNNYNNYNNNNNNNNNNNN??", // Uniform(0, 1)
    "NYYNYNNYYYYNNNNNNNNNNNN??", // Exponential
    "NYYNYNNYYYYNNNNNNNNNNNN??", // Gamma
    "NNNNNNNYNNYNNNNNNNNNNNN??", // Beta
    "NNNNNNNNNNNYNNNNNNNNNNN??", // Dirichlet
    "NNNNNNNYNNYNYNNNNNNNNNN??", // VonMises
    "YYYYYYYYYYYNYYNNNNNNNNN??", // MultivariateNormal
    "NNNNNNNNNNNNNNYNYNNNNN???", // Bernoulli
    "NNNNNNNNNNNNNNYYYNNNNN???", // Categorical(3)
    "NNNNNNNNNNNNNN??Y????????", // OneHotCategorical
    "NNNNNNNNNNNNNNYYYYYNNN???", // Binomial(5)
    "NNNNNNNNNNNNNN??Y?Y??????", // Multinomial(5): counts summing to at most 5
    "NNNNNNNNNNNNNNYYYYYYYY???", // Poisson
    "NNNNNNNNNNNNNNYYYYYYYY???", // Geometric
    "NNNNNNNNNNNNNNYYYYYYYY???", // ZeroInflatedNegativeBinomial
    "NNNNNNNNNNNNNNNN?NNNNN???", // Delta
    "?????????????????????????", // MaskedMixture
    "?????????????????????????", // an opaque distribution: nothing is known of its support
};

TEST(SupportInclusion, EveryPairOfTheTable) {
  const auto &All = ir::allDistributions();
  ASSERT_EQ(All.size(), std::size(InclusionTable))
      << "a distribution was added: extend InclusionTable";
  for (size_t M = 0; M < All.size(); ++M) {
    ASSERT_EQ(std::string(InclusionTable[M]).size(), All.size());
    for (size_t G = 0; G < All.size(); ++G) {
      InclusionResult R =
          guideSupportIncluded(canonicalSupport(All[G].Id), canonicalSupport(All[M].Id));
      char Got = R.R == Inclusion::Included ? 'Y' : R.R == Inclusion::NotIncluded ? 'N' : '?';
      EXPECT_EQ(Got, InclusionTable[M][G])
          << "model " << All[M].Name << ", guide " << All[G].Name << ": " << R.Reason;
      EXPECT_FALSE(R.Reason.empty());
    }
  }
}

TEST(SupportInclusion, ExponentialUnderGammaUpToNullSets) {
  InclusionResult R =
      guideSupportIncluded(supportOf(ir::DistId::Exponential), supportOf(ir::DistId::Gamma));
  EXPECT_EQ(R.R, Inclusion::Included);
  EXPECT_NE(R.Reason.find("null sets"), std::string::npos);
}

TEST(SupportInclusion, DeltaAgainstDensityIsABaseMeasureMismatch) {
  InclusionResult R =
      guideSupportIncluded(supportOf(ir::DistId::Delta), supportOf(ir::DistId::Dirichlet));
  EXPECT_EQ(R.R, Inclusion::NotIncluded);
  EXPECT_NE(R.Reason.find("base measures differ"), std::string::npos);
  EXPECT_EQ(guideSupportIncluded(supportOf(ir::DistId::Delta), supportOf(ir::DistId::Delta)).R,
            Inclusion::Unknown);
}

TEST(SupportInclusion, UniformBounds) {
  auto U = [](double L, double H) {
    return supportOf(ir::DistId::Uniform, Interval::point(L), Interval::point(H));
  };
  EXPECT_EQ(U(0, 10).str(), "interval(0, 10)");
  // BR: guide Normal against model Uniform(0, 10).
  EXPECT_EQ(guideSupportIncluded(supportOf(ir::DistId::Normal), U(0, 10)).R,
            Inclusion::NotIncluded);
  EXPECT_EQ(guideSupportIncluded(U(0.1, 10), U(0.1, 10)).R, Inclusion::Included);
  EXPECT_EQ(guideSupportIncluded(U(0, 10), U(0.1, 10)).R, Inclusion::NotIncluded);
  EXPECT_EQ(guideSupportIncluded(U(1, 2), U(0, 10)).R, Inclusion::Included);
  // A bound that is a parameter: only its range is known.
  SupportDesc Param = supportOf(ir::DistId::Uniform, Interval::closed(0, 1), Interval::point(10));
  EXPECT_EQ(guideSupportIncluded(U(2, 3), Param).R, Inclusion::Included);
  EXPECT_EQ(guideSupportIncluded(U(0.5, 3), Param).R, Inclusion::Unknown);
  EXPECT_EQ(guideSupportIncluded(supportOf(ir::DistId::Uniform), U(0, 1)).R, Inclusion::Unknown);
  EXPECT_EQ(guideSupportIncluded(supportOf(ir::DistId::Uniform), supportOf(ir::DistId::Normal)).R,
            Inclusion::Included);
}

TEST(SupportInclusion, CategoricalSizes) {
  auto Cat = [](std::optional<int> N) {
    return supportOf(ir::DistId::Categorical, Interval::top(),
                     N ? Interval::point(*N - 1) : Interval::integers(0, SupportDesc::Inf));
  };
  EXPECT_EQ(guideSupportIncluded(Cat(3), Cat(8)).R, Inclusion::Included);
  EXPECT_EQ(guideSupportIncluded(Cat(8), Cat(3)).R, Inclusion::NotIncluded);
  EXPECT_EQ(guideSupportIncluded(supportOf(ir::DistId::Bernoulli), Cat(std::nullopt)).R,
            Inclusion::Unknown);
  EXPECT_EQ(Cat(8).str(), "integer_interval(0, 7)");
}

//===-- Index sets ---------------------------------------------------------===//

IndexBox box(std::vector<IndexComp> C) {
  IndexBox B;
  B.C = std::move(C);
  return B;
}

TEST(SupportNames, OverlapOfComponents) {
  LoopRanges R{{7, Interval::integers(0, 9)}};
  EXPECT_EQ(overlapComp(IndexComp::point(3), IndexComp::range(0, 4), R), Overlap::Definite);
  EXPECT_EQ(overlapComp(IndexComp::point(4), IndexComp::range(0, 4), R), Overlap::Never);
  EXPECT_EQ(overlapComp(IndexComp::sym(7, 0), IndexComp::sym(7, 0), R), Overlap::Definite);
  EXPECT_EQ(overlapComp(IndexComp::sym(7, 0), IndexComp::sym(7, 1), R), Overlap::Never);
  EXPECT_EQ(overlapComp(IndexComp::sym(7, 0), IndexComp::point(3), R), Overlap::Maybe);
  EXPECT_EQ(overlapComp(IndexComp::sym(7, 0), IndexComp::point(30), R), Overlap::Never);
  EXPECT_EQ(overlapComp(IndexComp::sym(7, 0), IndexComp::range(0, 10), R), Overlap::Definite);
  EXPECT_EQ(overlapComp(IndexComp::str("a"), IndexComp::str("a"), R), Overlap::Definite);
  EXPECT_EQ(overlapComp(IndexComp::str("a"), IndexComp::point(1), R), Overlap::Never);
  EXPECT_EQ(IndexComp::str("12"), IndexComp::point(12)); // "x_{}".format("12") is x_12
  EXPECT_EQ(overlapComp(IndexComp::any(), IndexComp::point(1), R), Overlap::Maybe);
  EXPECT_EQ(overlapComp(IndexComp::plate("p", 0, 10, 5), IndexComp::plate("p", 0, 10, 5), R),
            Overlap::Definite);
  EXPECT_EQ(overlapComp(IndexComp::plate("p", 0, 10, 5), IndexComp::point(2), R), Overlap::Maybe);
}

TEST(SupportNames, OverlapOfBoxes) {
  LoopRanges R;
  EXPECT_EQ(overlapBox(box({}), box({}), R), Overlap::Definite); // a literal name twice
  EXPECT_EQ(overlapBox(box({IndexComp::point(0), IndexComp::range(0, 3)}),
                       box({IndexComp::range(0, 2), IndexComp::point(2)}), R),
            Overlap::Definite);
  EXPECT_EQ(overlapBox(box({IndexComp::point(0), IndexComp::range(0, 3)}),
                       box({IndexComp::point(1), IndexComp::point(2)}), R),
            Overlap::Never);
}

TEST(SupportNames, CondenseMergesAdjacentBoxes) {
  BoxSet S;
  for (int I = 0; I < 3; ++I)
    for (int J = 0; J < 3; ++J)
      S.push_back(box({IndexComp::point(I), IndexComp::point(J)}));
  condense(S);
  ASSERT_EQ(S.size(), 1u);
  EXPECT_EQ(S[0].str(), "[0, 3) x [0, 3)");
  BoxSet T = {box({IndexComp::sym(4, 0)}), box({IndexComp::sym(4, 1)})};
  condense(T);
  ASSERT_EQ(T.size(), 1u);
  EXPECT_EQ(T[0].C[0].Hi.C, 2);
}

TEST(SupportNames, SubsetAndDifference) {
  BoxSet A = {box({IndexComp::range(0, 4)})};
  BoxSet B = {box({IndexComp::range(0, 3)})};
  EXPECT_TRUE(definitelySubset(B, A));
  EXPECT_FALSE(definitelySubset(A, B));
  EXPECT_TRUE(definitelyNotSubset(A, B));
  EXPECT_FALSE(definitelyNotSubset(B, A));
  BoxSet Sq = {box({IndexComp::range(0, 3), IndexComp::range(0, 3)})};
  BoxSet Rows = {box({IndexComp::point(0), IndexComp::range(0, 3)}),
                 box({IndexComp::range(1, 3), IndexComp::range(0, 3)})};
  EXPECT_TRUE(definitelySubset(Sq, Rows));
  EXPECT_TRUE(definitelySubset(Rows, Sq));
  BoxSet P = {box({IndexComp::plate("p", 0, 10, 5)})};
  EXPECT_TRUE(definitelySubset(P, P));
  EXPECT_FALSE(definitelySubset(P, {box({IndexComp::range(0, 10)})})); // not comparable: no claim
  EXPECT_FALSE(definitelyNotSubset(P, {box({IndexComp::range(0, 10)})}));
  BoxSet I = intersectBoxSets(A, {box({IndexComp::range(2, 6)})});
  ASSERT_EQ(I.size(), 1u);
  EXPECT_EQ(I[0].str(), "[2, 4)");
  EXPECT_EQ(boxSetStr({box({IndexComp::point(1)}), box({IndexComp::point(5)})}), "{1, 5}");
}

TEST(SupportNames, JoinIsMayUnionMustIntersection) {
  NameSet A, B;
  A.Must = A.May = {box({IndexComp::range(0, 3)})};
  B.Must = B.May = {box({IndexComp::range(1, 4)})};
  NameSet J = A.join(B);
  EXPECT_EQ(boxSetStr(J.May), "[0, 4)");
  EXPECT_EQ(boxSetStr(J.Must), "[1, 3)");
  EXPECT_TRUE(A.leq(J));
  EXPECT_TRUE(B.leq(J));
  EXPECT_FALSE(J.leq(A));
}

//===-- Lattice laws ---------------------------------------------------------===//

std::vector<Value> sampleValues() {
  std::vector<Value> Vs = {
      Value::bottom(),
      Value::top(),
      Value::none(),
      Value::boolean(true),
      Value::integer(Interval::point(3)),
      Value::integer(Interval::integers(0, 9)),
      Value::number(0.5),
      Value::tensor(sh({3})),
      Value::tensor(sh({3, Q}), Interval::positive()),
      Value::tensor(Shape::unknown()),
      Value::string("a"),
      Value::sequence({Value::integer(Interval::point(1)), Value::tensor(sh({2}))}),
      Value::none().join(Value::tensor(sh({2})))};
  Value S = Value::integer(Interval::integers(0, 9));
  S.Sym = Bound{0, 5};
  Vs.push_back(S);
  return Vs;
}

TEST(SupportLattice, ValueLaws) {
  auto Vs = sampleValues();
  for (const Value &A : Vs) {
    EXPECT_TRUE(A.leq(A));
    EXPECT_TRUE(Value::bottom().leq(A));
    EXPECT_TRUE(A.leq(A.join(A)) && A.join(A).leq(A));
    for (const Value &B : Vs) {
      Value J = A.join(B);
      EXPECT_TRUE(A.leq(J));
      EXPECT_TRUE(B.leq(J));
      Value W = A.widen(B);
      EXPECT_TRUE(J.leq(W));
      Value J2 = B.join(A);
      EXPECT_TRUE(J.leq(J2) && J2.leq(J)); // commutative up to order
    }
  }
}

std::vector<SiteFacts> sampleFacts() {
  SiteFacts A;
  A.Supports = {supportOf(ir::DistId::Normal)};
  A.Seen = true;
  A.Value = sh({3});
  A.Event = sh({});
  SiteFacts B;
  B.Supports = {supportOf(ir::DistId::Uniform, Interval::point(0), Interval::point(1))};
  B.Seen = true;
  B.Value = sh({4});
  B.Event = sh({});
  SiteFacts C = B;
  C.Supports[0] = supportOf(ir::DistId::Uniform, Interval::point(0), Interval::point(2));
  SiteFacts D;
  D.SupportUnknown = true;
  return {A, B, C, D, SiteFacts{}};
}

TEST(SupportLattice, SiteFactsLaws) {
  auto Fs = sampleFacts();
  for (const SiteFacts &A : Fs) {
    EXPECT_TRUE(A.leq(A));
    for (const SiteFacts &B : Fs) {
      SiteFacts J = A.join(B);
      EXPECT_TRUE(A.leq(J));
      EXPECT_TRUE(B.leq(J));
      EXPECT_TRUE(J.leq(A.join(B, true)));
    }
  }
}

SupportState stateWith(int Which) {
  ir::Program P;
  P.addVar("x", ir::VarKind::User, {});
  P.addVar("y", ir::VarKind::User, {});
  SupportState S = SupportState::entry(P);
  IndexBox B = box({IndexComp::range(0, 3)});
  switch (Which) {
  case 0:
    break;
  case 1:
    S.Env.set(1, Value::integer(Interval::point(1)));
    S.Names["z_{}"].Must = S.Names["z_{}"].May = {B};
    break;
  case 2:
    S.Env.set(1, Value::integer(Interval::point(2)));
    S.Names["z_{}"].May = {B};
    S.Plates["p"].Must = true;
    break;
  case 3:
    S.Env.set(2, Value::tensor(sh({3})));
    S.Names["a"].Must = S.Names["a"].May = {box({})};
    S.Sites["a"] = sampleFacts()[0];
    S.DynKeys.insert("name");
    break;
  default:
    break;
  }
  return S;
}

TEST(SupportLattice, StateLaws) {
  std::vector<SupportState> Ss = {SupportState::bottom(), SupportState::top()};
  for (int I = 0; I < 4; ++I)
    Ss.push_back(stateWith(I));
  for (const SupportState &A : Ss) {
    EXPECT_TRUE(A.leq(A));
    EXPECT_TRUE(SupportState::bottom().leq(A));
    EXPECT_TRUE(A.leq(SupportState::top()));
    EXPECT_TRUE(A.join(SupportState::bottom()).leq(A));
    for (const SupportState &B : Ss) {
      SupportState J = A.join(B);
      EXPECT_TRUE(A.leq(J)) << "join is not an upper bound";
      EXPECT_TRUE(B.leq(J));
      EXPECT_TRUE(J.leq(A.widen(B)));
      // Narrowing stays between its arguments when B ⊑ A.
      if (B.leq(A)) {
        SupportState N = A.narrow(B);
        EXPECT_TRUE(B.leq(N));
        EXPECT_TRUE(N.leq(A));
      }
    }
  }
}

TEST(SupportLattice, WideningStabilises) {
  // An integer growing by one per iteration stabilises under widening.
  ir::Program P;
  P.addVar("k", ir::VarKind::User, {});
  SupportState X = SupportState::entry(P);
  X.Env.set(1, Value::integer(Interval::point(0)));
  int Steps = 0;
  for (; Steps < 100; ++Steps) {
    SupportState Next = X;
    Next.Env.set(1, Value::integer(X.Env[1].Num + Interval::point(1)).join(X.Env[1]));
    if (Next.leq(X))
      break;
    X = X.widen(Next);
  }
  EXPECT_LT(Steps, 10);
}

//===-- Copy-on-write storage of states ------------------------------------===//

TEST(SupportStorage, EnvCopiesAreIndependent) {
  ValueEnv A;
  A.set(3, Value::none());
  A.set(130, Value::none());
  ValueEnv B = A;
  EXPECT_TRUE(B.shares(3, A));
  EXPECT_GE(B.nextUnshared(0, A), 131u) << "both chunks are still shared";
  B.set(3, Value::top());
  EXPECT_TRUE(A[3].definitelyNone()) << "a write to the copy leaks into the original";
  EXPECT_FALSE(B[3].definitelyNone());
  EXPECT_FALSE(B.shares(3, A));
  EXPECT_TRUE(B.shares(130, A));
  EXPECT_EQ(B.nextUnshared(0, A), 0u);
  EXPECT_EQ(B.nextUnshared(4, A), 4u) << "slots of a copied chunk are compared one by one";
  EXPECT_GE(B.nextUnshared(64, A), 131u);
  // A shrink drops the slots past the new size: they read as bottom again.
  B.resize(2);
  B.resize(200);
  EXPECT_TRUE(B[3].isBottom());
  EXPECT_TRUE(B[130].isBottom());
  EXPECT_TRUE(A[130].definitelyNone());
}

TEST(SupportStorage, NameMapCopiesAreIndependent) {
  NameMap A;
  A["z"].PossibleDup = true;
  NameMap B = A;
  EXPECT_TRUE(B.sameAs(A));
  B["w"];
  B["z"].PossibleDup = false;
  EXPECT_FALSE(B.sameAs(A));
  EXPECT_EQ(A.size(), 1u);
  EXPECT_TRUE(A.at("z").PossibleDup) << "a write to the copy leaks into the original";
  EXPECT_EQ(B.size(), 2u);
  NameMap C = std::move(B);
  EXPECT_TRUE(B.empty());
  B.clear();
  EXPECT_EQ(C.count("w"), 1u);
}

TEST(SupportStorage, JoinOfSharedStatesKeepsThem) {
  SupportState S = SupportState::top();
  S.Top = false;
  S.Env.set(0, Value::none());
  S.Names["a"].PossibleDup = true;
  SupportState T = S;
  SupportState J = S.join(T);
  EXPECT_TRUE(J.Env.shares(0, S.Env));
  EXPECT_TRUE(J.Names.sameAs(S.Names));
  EXPECT_TRUE(J.leq(S) && S.leq(J));
  T.Names["b"].May.push_back(IndexBox{});
  EXPECT_FALSE(T.leq(S)) << "a name only T may sample";
  EXPECT_TRUE(S.leq(S.join(T)));
  EXPECT_TRUE(T.leq(S.join(T)));
}

} // namespace
