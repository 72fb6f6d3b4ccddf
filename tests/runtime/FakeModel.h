//===- FakeModel.h - A hand-written svic_sample_fn for engine tests --------===//
//
// Model z ~ Normal(0, 1), x ~ Normal(z, 1); guide z = loc + scale * eps
// (pathwise, site 0), plus a score-like site c (site 2) that adds
// (u - 1/2)(L - b) with u uniform, which has mean zero whatever the baseline.
// The exact ELBO gradient is (x - 2 loc, 1 - 2 scale^2) in (loc, log scale).
//
// Data: x, the step at which site "obs" reports a NaN, and the step at which
// the gradient of scale becomes infinite (-1: never). The workspace is
// written and re-read per sample, so sharing it between threads would show.
//
//===----------------------------------------------------------------------===//
#ifndef SVIC_TESTS_RUNTIME_FAKEMODEL_H
#define SVIC_TESTS_RUNTIME_FAKEMODEL_H

#include "svic/runtime/Abi.h"

#include <cmath>
#include <limits>

namespace svic::testing {

inline constexpr const char *FakeDescriptor = R"({"version":1,"estimator":"auto",
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

inline double fakeSample(svic_sample_ctx *C) {
  double Loc = C->params[0], LogScale = C->params[1], Scale = std::exp(LogScale);
  double X = C->data[0];
  double Eps = svic_rt_std_normal(C->seed, C->step, C->sample, 0, 0);
  double Z = Loc + Scale * Eps;
  for (int I = 0; I < 8; ++I)
    C->workspace[I] = static_cast<double>(C->sample) + I;
  double H = svic_rt_lpdf_normal(Z, 0, 1, nullptr) + svic_rt_lpdf_normal(X, Z, 1, nullptr) -
             svic_rt_lpdf_normal(Z, Loc, Scale, nullptr);
  double Dz = X - 2 * Z;
  C->grad[0] += Dz;
  C->grad[1] += Dz * Scale * Eps + 1;
  double U = svic_rt_uniform01(C->seed, C->step, C->sample, 2, 0);
  double L = Z * Z;
  C->signals[0] = L;
  C->grad[0] += (U - 0.5) * (L - C->baselines[0]);
  if (C->sample % 10 == 0)
    C->kink_hits = 1;
  if (C->params[0] > 100 && (C->sample == 300 || C->sample == 700 || C->sample == 1500))
    C->bad_site = 1;
  if (static_cast<double>(C->step) == C->data[1]) {
    C->bad_site = 1;
    H = std::numeric_limits<double>::quiet_NaN();
  }
  if (static_cast<double>(C->step) == C->data[2])
    C->grad[1] = std::numeric_limits<double>::infinity();
  for (int I = 0; I < 8; ++I)
    if (C->workspace[I] != static_cast<double>(C->sample) + I)
      C->bad_site = 0;
  return H;
}

} // namespace svic::testing

#endif
