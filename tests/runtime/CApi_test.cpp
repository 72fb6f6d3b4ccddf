// The compiled-model C API against the fake model, defined here under the
// names a compiled model object exports.

#include "FakeModel.h"
#include "TestFiles.h"
#include "svic/runtime/Engine.h"
#include "svic/svic_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

extern "C" {
extern const char svic_gen_descriptor[];
const char svic_gen_descriptor[] = R"({"version":1,"estimator":"auto",
 "params":[{"name":"loc","shape":[],"unconstrainedShape":[],"offset":0,"size":1,"constraint":{"kind":"real"},"init":[0.5]},
           {"name":"scale","shape":[],"unconstrainedShape":[],"offset":1,"size":1,"constraint":{"kind":"positive"},"init":[1.0]}],
 "paramDoubles":2,
 "inputs":[{"name":"x","shape":[],"offset":0,"size":1},{"name":"nanStep","shape":[],"offset":1,"size":1},
           {"name":"infStep","shape":[],"offset":2,"size":1}],
 "dataDoubles":3,
 "sites":[{"name":"z","program":"guide","kind":"sample","location":"guide.py:4:9"},
          {"name":"obs","program":"model","kind":"observe","location":"model.py:7:5"},
          {"name":"c","program":"guide","kind":"sample","location":"guide.py:5:9"}],
 "checks":[],
 "scoreSites":["c"],"pathwiseSites":["z"],"workspaceDoubles":8})";
double svic_gen_sample(svic_sample_ctx *C) { return svic::testing::fakeSample(C); }
}

using namespace svic::runtime;
using svic::testing::ScratchDir;

namespace {

TEST(CApi, CreateReportsMissingDataWithoutThrowing) {
  char Err[256] = "";
  EXPECT_EQ(svic_model_create(nullptr, Err, sizeof Err), nullptr);
  EXPECT_STREQ(Err, "missing data argument 'x' (expected shape [])");
  char Tiny[8];
  EXPECT_EQ(svic_model_create("/nonexistent/data.json", Tiny, sizeof Tiny), nullptr);
  EXPECT_EQ(std::strlen(Tiny), 7u);
  EXPECT_EQ(svic_model_create("/nonexistent/data.json", nullptr, 0), nullptr);
}

TEST(CApi, GradientEqualsTheEngineBitForBit) {
  ScratchDir D;
  std::string Data = D.write("d.json", R"({"x": 2.0, "nanStep": -1, "infStep": 4})");
  char Err[256];
  svic_model *M = svic_model_create(Data.c_str(), Err, sizeof Err);
  ASSERT_NE(M, nullptr) << Err;
  EXPECT_EQ(svic_model_num_params(M), 2);
  EXPECT_EQ(Descriptor::parse(svic_model_descriptor(M)).Params[1].Name, "scale");

  double G[2], Se[2], Elbo;
  ASSERT_EQ(svic_model_estimate_gradient(M, 3, 2000, 2, G, Se, &Elbo), 0);
  Estimator E(Descriptor::parse(svic_gen_descriptor), svic_gen_sample, {2.0, -1, 4});
  Estimate Ref = E.estimateWithPilotBaselines(initialUnconstrained(E.descriptor()), 3, 2000, 1);
  EXPECT_EQ(G[0], Ref.GradMean[0]);
  EXPECT_EQ(G[1], Ref.GradMean[1]);
  EXPECT_EQ(Se[1], Ref.GradStderr[1]);
  EXPECT_EQ(Elbo, Ref.ElboMean);
  EXPECT_EQ(svic_model_estimate_gradient(M, 3, 10, 1, G, nullptr, nullptr), 0);

  ASSERT_EQ(svic_model_set_optimizer(M, "sgd", 0.01), 0);
  EXPECT_NE(svic_model_set_optimizer(M, "lbfgs", 0.01), 0);
  EXPECT_NE(std::string(svic_model_last_error(M)).find("lbfgs"), std::string::npos);
  for (int I = 0; I < 4; ++I)
    ASSERT_EQ(svic_model_step(M, 1, 5, &Elbo), 0) << svic_model_last_error(M);
  EXPECT_STREQ(svic_model_last_error(M), "");
  // Step 4 has an infinite gradient: an error naming the param, params kept.
  double Before[2], After[2];
  svic_model_read_params(M, Before);
  EXPECT_NE(svic_model_step(M, 1, 5, &Elbo), 0);
  EXPECT_NE(std::string(svic_model_last_error(M)).find("param 'scale'"), std::string::npos);
  svic_model_read_params(M, After);
  EXPECT_EQ(Before[0], After[0]);

  double Scale;
  ASSERT_EQ(svic_model_read_param(M, "scale", &Scale, 1), 0);
  EXPECT_DOUBLE_EQ(Scale, std::exp(After[1]));
  EXPECT_NE(svic_model_read_param(M, "scale", &Scale, 2), 0);
  EXPECT_NE(svic_model_read_param(M, "nope", &Scale, 1), 0);
  svic_model_free(M);
}

TEST(CApi, StepsFollowTheTrainer) {
  ScratchDir D;
  std::string Data = D.write("d.csv", "x,nanStep,infStep\n2.0,-1,-1\n");
  svic_model *M = svic_model_create(Data.c_str(), nullptr, 0);
  ASSERT_NE(M, nullptr);
  TrainConfig C;
  C.Steps = 20;
  C.Samples = 3;
  C.Seed = 8;
  C.Opt.Lr = 0.05;
  ASSERT_EQ(svic_model_set_optimizer(M, "adam", 0.05), 0);
  Trainer T(Descriptor::parse(svic_gen_descriptor), svic_gen_sample, {2.0, -1, -1}, C, {});
  T.run(nullptr);
  for (int I = 0; I < 20; ++I)
    ASSERT_EQ(svic_model_step(M, 8, 3, nullptr), 0);
  double U[2];
  svic_model_read_params(M, U);
  EXPECT_EQ(U[0], T.unconstrained()[0]);
  EXPECT_EQ(U[1], T.unconstrained()[1]);
  svic_model_free(M);
}

} // namespace
