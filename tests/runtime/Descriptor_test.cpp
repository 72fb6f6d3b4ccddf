// Descriptor JSON round trips and layout checks; parameter transforms against
// hand-computed torch values; binding data to the program's inputs.

#include "svic/runtime/Engine.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace svic::runtime;

namespace {

const char *Example = R"({"version":1,"estimator":"auto",
 "params":[{"name":"a_scale","shape":[],"unconstrainedShape":[],"offset":0,"size":1,
            "constraint":{"kind":"positive"},"init":[1.0]},
           {"name":"w","shape":[3],"unconstrainedShape":[3],"offset":1,"size":3,
            "constraint":{"kind":"simplex"},"init":[0.2,0.3,0.5]},
           {"name":"p","shape":[2],"unconstrainedShape":[2],"offset":4,"size":2,
            "constraint":{"kind":"interval","low":-1,"high":3},"init":[0.5,2.5]},
           {"name":"g","shape":[],"unconstrainedShape":[],"offset":6,"size":1,
            "constraint":{"kind":"greater_than","low":2},"init":[2.5]}],
 "paramDoubles":7,
 "inputs":[{"name":"x","shape":[170],"offset":0,"size":170},{"name":"n","shape":[],"offset":170,"size":1}],
 "dataDoubles":171,
 "sites":[{"name":"z2","program":"guide","kind":"sample","location":"guide.py:3:5"},
          {"name":"obs","program":"model","kind":"observe","location":"model.py:9:3"}],
 "checks":[{"location":"model.py:7:12","low":-4,"high":4},{"location":"model.py:8:5","low":0,"high":3}],
 "scoreSites":["z2"],"pathwiseSites":["z1"],"baselines":true,"workspaceDoubles":12})";

TEST(Descriptor, ParsesEveryField) {
  Descriptor D = Descriptor::parse(Example);
  EXPECT_EQ(D.Estimator, "auto");
  ASSERT_EQ(D.Params.size(), 4u);
  EXPECT_EQ(D.Params[1].C.K, Constraint::Kind::Simplex);
  EXPECT_EQ(D.Params[2].C.Low, -1);
  EXPECT_EQ(D.Params[2].C.High, 3);
  EXPECT_EQ(D.Params[3].C.K, Constraint::Kind::GreaterThan);
  EXPECT_EQ(D.ParamDoubles, 7);
  EXPECT_EQ(D.Inputs[0].Shape, std::vector<int64_t>{170});
  EXPECT_EQ(D.Sites[0].Location, "guide.py:3:5");
  ASSERT_EQ(D.Checks.size(), 2u);
  EXPECT_EQ(D.Checks[1].Location, "model.py:8:5");
  EXPECT_EQ(D.Checks[0].Low, -4);
  EXPECT_EQ(D.Checks[1].High, 3);
  EXPECT_EQ(D.ScoreSites, std::vector<std::string>{"z2"});
  EXPECT_EQ(D.WorkspaceDoubles, 12);
  EXPECT_TRUE(D.UseBaselines);
}

TEST(Descriptor, BadSiteNamesASiteOrAFailedCheck) {
  Descriptor D = Descriptor::parse(Example);
  EXPECT_EQ(failedCheck(D, -1), std::nullopt);
  EXPECT_EQ(failedCheck(D, 1), std::nullopt);
  EXPECT_EQ(nonFiniteSite(D, 1), "non-finite value at site 'obs' (model.py:9:3)");
  EXPECT_EQ(failedCheck(D, SVIC_CHECK_BASE + 1),
            "model.py:8:5: error: an index is out of range: it must lie in [0, 3) (torch raises an "
            "IndexError here)");
  EXPECT_NE(failedCheck(D, SVIC_CHECK_BASE + 2)->find("not in the descriptor"), std::string::npos);
}

TEST(Descriptor, PyroEstimatorHasNoBaselines) {
  std::string Json = Example;
  Json.replace(Json.find("\"baselines\":true"), 16, "\"baselines\":false");
  EXPECT_FALSE(Descriptor::parse(Json).UseBaselines);
}

TEST(Descriptor, RoundTripsThroughJson) {
  Descriptor D = Descriptor::parse(Example);
  std::string Once = D.toJson();
  Descriptor E = Descriptor::parse(Once);
  EXPECT_EQ(E.toJson(), Once);
  EXPECT_EQ(nlohmann::json::parse(Once), nlohmann::json::parse(Example));
}

TEST(Descriptor, RejectsInconsistentLayouts) {
  auto Broken = [](const std::string &From, const std::string &To) {
    std::string S = Example;
    S.replace(S.find(From), From.size(), To);
    return S;
  };
  EXPECT_THROW(Descriptor::parse(Broken("\"paramDoubles\":7", "\"paramDoubles\":6")), RuntimeError);
  EXPECT_THROW(Descriptor::parse(Broken("\"unconstrainedShape\":[3],\"offset\":1",
                                        "\"unconstrainedShape\":[2],\"offset\":1")),
               RuntimeError);
  EXPECT_THROW(Descriptor::parse(Broken("\"kind\":\"positive\"", "\"kind\":\"ordered\"")),
               RuntimeError);
  EXPECT_THROW(Descriptor::parse(Broken("\"init\":[1.0]", "\"init\":[1.0,2.0]")), RuntimeError);
  EXPECT_THROW(Descriptor::parse(Broken("\"version\":1", "\"version\":2")), RuntimeError);
  EXPECT_THROW(Descriptor::parse(Broken("\"low\":0,\"high\":3", "\"low\":3,\"high\":3")),
               RuntimeError);
  EXPECT_THROW(Descriptor::parse("{"), RuntimeError);
  try {
    Descriptor::parse(Broken("\"kind\":\"positive\"", "\"kind\":\"ordered\""));
  } catch (const RuntimeError &E) {
    EXPECT_NE(std::string(E.what()).find("a_scale"), std::string::npos) << E.what();
  }
}

ParamDesc param(Constraint::Kind K, std::vector<int64_t> Shape, double Low = 0, double High = 0) {
  ParamDesc P;
  P.Name = "theta";
  P.Shape = Shape;
  P.UnconstrainedShape = Shape;
  P.Size = numElements(P.UnconstrainedShape);
  P.C.K = K;
  P.C.Low = Low;
  P.C.High = High;
  return P;
}

TEST(Transform, MatchesTorchOnHandComputedValues) {
  double Out[3];
  double U1 = 0.5;
  toConstrained(param(Constraint::Kind::Positive, {}), &U1, Out);
  EXPECT_DOUBLE_EQ(Out[0], std::exp(0.5));
  toConstrained(param(Constraint::Kind::GreaterThan, {}, 2), &U1, Out);
  EXPECT_DOUBLE_EQ(Out[0], 2 + std::exp(0.5));
  // softplus_positive (autoguide scales): torch's softplus, the identity past
  // its threshold of 20; the inverse is Pyro's softplus_inv, y + log(-expm1(-y)).
  toConstrained(param(Constraint::Kind::SoftplusPositive, {}), &U1, Out);
  EXPECT_DOUBLE_EQ(Out[0], std::log1p(std::exp(0.5)));
  double Past = 25;
  toConstrained(param(Constraint::Kind::SoftplusPositive, {}), &Past, Out);
  EXPECT_DOUBLE_EQ(Out[0], 25);
  double InitScale = 0.1;
  toUnconstrained(param(Constraint::Kind::SoftplusPositive, {}), &InitScale, Out);
  EXPECT_DOUBLE_EQ(Out[0], std::log(std::expm1(0.1))); // -2.2521684610440906 in torch
  double Zero = 0;
  toConstrained(param(Constraint::Kind::Interval, {}, -1, 3), &Zero, Out);
  EXPECT_DOUBLE_EQ(Out[0], 1);
  toConstrained(param(Constraint::Kind::UnitInterval, {}), &U1, Out);
  EXPECT_DOUBLE_EQ(Out[0], 1 / (1 + std::exp(-0.5)));
  // Pyro's param store uses transform_to(simplex), torch's SoftmaxTransform:
  // equal values map to the uniform point, x = (1, 0, -1) to softmax(x).
  double Equal[3] = {0.7, 0.7, 0.7};
  toConstrained(param(Constraint::Kind::Simplex, {3}), Equal, Out);
  for (double V : Out)
    EXPECT_NEAR(V, 1.0 / 3, 1e-15);
  double X[3] = {1, 0, -1};
  toConstrained(param(Constraint::Kind::Simplex, {3}), X, Out);
  double E = std::exp(1.0), Sum = E + 1 + 1 / E;
  EXPECT_NEAR(Out[0], E / Sum, 1e-15);
  EXPECT_NEAR(Out[1], 1 / Sum, 1e-15);
  EXPECT_NEAR(Out[2], 1 / E / Sum, 1e-15);
  // Its inverse is log y (not stick breaking's n - 1 values).
  double Y[3] = {0.2, 0.3, 0.5}, Back[3];
  toUnconstrained(param(Constraint::Kind::Simplex, {3}), Y, Back);
  for (int I = 0; I < 3; ++I)
    EXPECT_DOUBLE_EQ(Back[I], std::log(Y[I]));
}

TEST(Transform, RoundTripsForEveryConstraint) {
  std::mt19937_64 Gen(7);
  std::normal_distribution<double> N(0, 1.5);
  const ParamDesc Ps[] = {param(Constraint::Kind::Real, {4}),
                          param(Constraint::Kind::Positive, {4}),
                          param(Constraint::Kind::SoftplusPositive, {4}),
                          param(Constraint::Kind::GreaterThan, {4}, -3),
                          param(Constraint::Kind::Interval, {4}, 1, 2),
                          param(Constraint::Kind::UnitInterval, {4}),
                          param(Constraint::Kind::Simplex, {2, 5})};
  for (const ParamDesc &P : Ps)
    for (int T = 0; T < 20; ++T) {
      std::vector<double> U(static_cast<size_t>(P.Size)),
          C(static_cast<size_t>(numElements(P.Shape))), Back(U.size());
      for (double &V : U)
        V = N(Gen);
      toConstrained(P, U.data(), C.data());
      toUnconstrained(P, C.data(), Back.data());
      if (P.C.K != Constraint::Kind::Simplex) {
        for (size_t I = 0; I < U.size(); ++I)
          EXPECT_NEAR(Back[I], U[I], 1e-9 * std::max(1.0, std::fabs(U[I])))
              << static_cast<int>(P.C.K);
      }
      if (P.C.K == Constraint::Kind::Simplex) {
        // Softmax forgets a shift per event: the round trip holds on the simplex.
        std::vector<double> Again(C.size());
        toConstrained(P, Back.data(), Again.data());
        for (size_t I = 0; I < C.size(); ++I)
          EXPECT_NEAR(Again[I], C[I], 1e-15);
        EXPECT_NEAR(C[0] + C[1] + C[2] + C[3] + C[4], 1, 1e-14);
        EXPECT_NEAR(C[5] + C[6] + C[7] + C[8] + C[9], 1, 1e-14);
      }
    }
}

TEST(Transform, ValuesOutsideTheConstraintNameTheParam) {
  double Out[3];
  double Negative = -0.5;
  try {
    toUnconstrained(param(Constraint::Kind::Positive, {}), &Negative, Out);
    FAIL() << "accepted a negative value for a positive param";
  } catch (const RuntimeError &E) {
    EXPECT_NE(std::string(E.what()).find("'theta'"), std::string::npos) << E.what();
  }
  EXPECT_THROW(toUnconstrained(param(Constraint::Kind::SoftplusPositive, {}), &Negative, Out),
               RuntimeError);
  double Big = 3.5;
  EXPECT_THROW(toUnconstrained(param(Constraint::Kind::Interval, {}, 1, 2), &Big, Out),
               RuntimeError);
  EXPECT_THROW(toUnconstrained(param(Constraint::Kind::GreaterThan, {}, 4), &Big, Out),
               RuntimeError);
  EXPECT_THROW(toUnconstrained(param(Constraint::Kind::UnitInterval, {}), &Big, Out), RuntimeError);
  double NotSimplex[3] = {0.5, 0.5, 0.5};
  EXPECT_THROW(toUnconstrained(param(Constraint::Kind::Simplex, {3}), NotSimplex, Out),
               RuntimeError);
}

TEST(Transform, InitialUnconstrainedUsesTheLayout) {
  Descriptor D = Descriptor::parse(Example);
  std::vector<double> U = initialUnconstrained(D);
  ASSERT_EQ(U.size(), 7u);
  EXPECT_DOUBLE_EQ(U[0], 0);                     // log 1
  EXPECT_NEAR(U[4], std::log(1.5 / 2.5), 1e-15); // logit((0.5 + 1) / 4)
  EXPECT_NEAR(U[5], std::log(3.5 / 0.5), 1e-14); // logit((2.5 + 1) / 4)
  EXPECT_NEAR(U[6], std::log(0.5), 1e-15);       // log(2.5 - 2)
  EXPECT_DOUBLE_EQ(U[1], std::log(0.2));         // the simplex: log y
  EXPECT_DOUBLE_EQ(U[3], std::log(0.5));
}

TEST(BindInputs, FlattensInInputOrderAndNamesBadArguments) {
  Descriptor D = Descriptor::parse(Example);
  DataSet Data;
  Data["x"] = Array{{170}, std::vector<double>(170, 2.0)};
  Data["n"] = Array{{1}, {7}};
  std::vector<double> Flat = bindInputs(D, Data);
  ASSERT_EQ(Flat.size(), 171u);
  EXPECT_EQ(Flat[169], 2.0);
  EXPECT_EQ(Flat[170], 7.0);

  Data["x"] = Array{{3}, {1, 2, 3}};
  try {
    bindInputs(D, Data);
    FAIL();
  } catch (const RuntimeError &E) {
    EXPECT_STREQ(E.what(), "data argument 'x' has shape [3] but the program expects [170]");
  }
  Data.erase("x");
  try {
    bindInputs(D, Data);
    FAIL();
  } catch (const RuntimeError &E) {
    EXPECT_STREQ(E.what(), "missing data argument 'x' (expected shape [170])");
  }
}

// A program that reads a prefix of a large argument: the buffer holds that
// prefix, the elements past the loaded values (implicit zeros) as 0.
TEST(BindInputs, HoldsTheReadPrefixOfEachInput) {
  std::string Json = Example;
  std::string From = "\"offset\":0,\"size\":170}", To = "\"offset\":0,\"size\":170,\"read\":6}";
  Json.replace(Json.find(From), From.size(), To);
  From = "\"offset\":170,\"size\":1}";
  Json.replace(Json.find(From), From.size(), "\"offset\":6,\"size\":1}");
  From = "\"dataDoubles\":171";
  Json.replace(Json.find(From), From.size(), "\"dataDoubles\":7");
  Descriptor D = Descriptor::parse(Json);
  EXPECT_EQ(D.Inputs[0].Read, 6);
  EXPECT_EQ(nlohmann::json::parse(D.toJson())["inputs"][0]["read"], 6);
  DataSet Data;
  Data["x"] = Array{{170}, {1, 2, 3, 4}}; // 166 implicit zeros
  Data["n"] = Array{{1}, {7}};
  EXPECT_EQ(bindInputs(D, Data), (std::vector<double>{1, 2, 3, 4, 0, 0, 7}));
  EXPECT_EQ(denseValues(Data["x"]).size(), 170u);
}

} // namespace
