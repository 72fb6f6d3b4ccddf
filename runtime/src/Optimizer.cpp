//===- Optimizer.cpp - torch.optim.Adam and SGD --------------------------------===//
//
// The update rules are torch's, operation for operation (Adam's bias
// corrections and eps outside the square root; SGD's momentum buffer starting
// at the first gradient), applied to the loss -ELBO.
//
//===----------------------------------------------------------------------===//

#include "svic/runtime/Engine.h"

#include <cmath>

namespace svic::runtime {

using nlohmann::json;

Optimizer::Optimizer(OptimizerConfig Config, size_t N) : C(Config), M(N, 0.0), V(N, 0.0) {
  if (!(C.Lr > 0))
    throw RuntimeError("the learning rate must be positive");
}

void Optimizer::step(std::vector<double> &U, const std::vector<double> &Ascent) {
  ++T;
  if (C.K == OptimizerConfig::Kind::SGD) {
    for (size_t I = 0; I < U.size(); ++I) {
      double G = -Ascent[I];
      if (C.Momentum != 0) {
        M[I] = T == 1 ? G : C.Momentum * M[I] + G;
        G = M[I];
      }
      U[I] -= C.Lr * G;
    }
    return;
  }
  Beta1Power *= C.Beta1;
  Beta2Power *= C.Beta2;
  double BiasCorrection1 = 1 - Beta1Power;
  double BiasCorrection2 = 1 - Beta2Power;
  double StepSize = C.Lr / BiasCorrection1;
  double BiasCorrection2Sqrt = std::sqrt(BiasCorrection2);
  for (size_t I = 0; I < U.size(); ++I) {
    double G = -Ascent[I];
    M[I] = M[I] * C.Beta1 + (1 - C.Beta1) * G;
    V[I] = V[I] * C.Beta2 + (1 - C.Beta2) * G * G;
    double Denom = std::sqrt(V[I]) / BiasCorrection2Sqrt + C.Eps;
    U[I] -= StepSize * (M[I] / Denom);
  }
}

json Optimizer::state() const {
  bool Adam = C.K == OptimizerConfig::Kind::Adam;
  json J = {{"kind", Adam ? "adam" : "sgd"}, {"lr", C.Lr}, {"t", T}};
  if (Adam) {
    J["beta1"] = C.Beta1;
    J["beta2"] = C.Beta2;
    J["eps"] = C.Eps;
    J["beta1Power"] = Beta1Power;
    J["beta2Power"] = Beta2Power;
    J["m"] = M;
    J["v"] = V;
  } else {
    J["momentum"] = C.Momentum;
    J["buffer"] = M;
  }
  return J;
}

void Optimizer::loadState(const json &J) {
  try {
    bool Adam = C.K == OptimizerConfig::Kind::Adam;
    if (J.at("kind").get<std::string>() != (Adam ? "adam" : "sgd"))
      throw RuntimeError("the checkpoint's optimizer is " + J.at("kind").get<std::string>() +
                         ", not " + (Adam ? "adam" : "sgd"));
    std::vector<double> NewM = J.at(Adam ? "m" : "buffer").get<std::vector<double>>();
    std::vector<double> NewV =
        Adam ? J.at("v").get<std::vector<double>>() : std::vector<double>(M.size(), 0.0);
    if (NewM.size() != M.size() || NewV.size() != V.size())
      throw RuntimeError("the checkpoint's optimizer state has the wrong number of values");
    T = J.at("t").get<int64_t>();
    if (Adam) {
      Beta1Power = J.at("beta1Power").get<double>();
      Beta2Power = J.at("beta2Power").get<double>();
    }
    M = std::move(NewM);
    V = std::move(NewV);
  } catch (const json::exception &E) {
    throw RuntimeError(std::string("malformed optimizer state in the checkpoint: ") + E.what());
  }
}

} // namespace svic::runtime
