//===- Trainer.cpp - The SVI loop, baselines, checkpoints and traces ---------===//
//
// Step n (0-based) draws its noise with RNG step index n, so the trajectory is
// a function of (seed, samples, initial state) only: a run resumed from the
// checkpoint after step n continues exactly as the uninterrupted run would.
//
//===----------------------------------------------------------------------===//

#include "svic/runtime/Engine.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace svic::runtime {

using nlohmann::json;

namespace {

/// What a checkpoint must agree on with the program resuming it.
json fingerprint(const Descriptor &D) {
  json Params = json::array();
  for (const ParamDesc &P : D.Params)
    Params.push_back({{"name", P.Name},
                      {"shape", P.Shape},
                      {"unconstrainedShape", P.UnconstrainedShape},
                      {"offset", P.Offset},
                      {"constraint", static_cast<int>(P.C.K)},
                      {"low", P.C.Low},
                      {"high", P.C.High}});
  return {{"params", Params}, {"paramDoubles", D.ParamDoubles}, {"scoreSites", D.ScoreSites}};
}

/// Values[0..numel) as a number (shape []) or nested lists.
json nested(const double *Values, const std::vector<int64_t> &Shape, size_t Dim) {
  if (Dim == Shape.size())
    return *Values;
  json A = json::array();
  int64_t Stride = 1;
  for (size_t I = Dim + 1; I < Shape.size(); ++I)
    Stride *= Shape[I];
  for (int64_t I = 0; I < Shape[Dim]; ++I)
    A.push_back(nested(Values + I * Stride, Shape, Dim + 1));
  return A;
}

std::string readText(const std::string &Path) {
  std::ifstream In(Path, std::ios::binary);
  if (!In)
    throw RuntimeError(Path + ": cannot open the checkpoint");
  std::ostringstream OS;
  OS << In.rdbuf();
  return OS.str();
}

} // namespace

Trainer::Trainer(Descriptor D, svic_sample_fn Fn, std::vector<double> Data, TrainConfig Config,
                 std::vector<double> InitialU, svic_block_fn Block)
    : Est(std::move(D), Fn, std::move(Data), Block), C(std::move(Config)),
      U(InitialU.empty() ? initialUnconstrained(Est.descriptor()) : std::move(InitialU)),
      Baselines(Est.descriptor().ScoreSites.size(), 0.0), Opt(C.Opt, U.size()) {
  if (static_cast<int64_t>(U.size()) != Est.descriptor().ParamDoubles)
    throw RuntimeError("expected " + std::to_string(Est.descriptor().ParamDoubles) +
                       " unconstrained param values, got " + std::to_string(U.size()));
  if (C.Samples < 1)
    throw RuntimeError("the number of samples must be at least 1");
  if (C.CheckpointEvery < 1)
    throw RuntimeError("the checkpoint interval must be at least 1 step");
}

Estimate Trainer::stepOnce(uint64_t Seed, int64_t Samples) {
  Estimate E = Est.estimate(U, Seed, static_cast<uint64_t>(Step), Samples, C.Threads, Baselines);
  apply(E.ElboMean, E.GradMean, E.SignalMean, E.BadSite, E.BadSample);
  return E;
}

void Trainer::apply(double Elbo, const std::vector<double> &Grad, const std::vector<double> &Signals,
                    int32_t BadSite, uint64_t BadSample) {
  const Descriptor &D = Est.descriptor();
  auto At = [&] { return " at step " + std::to_string(Step); };
  if (std::optional<std::string> Check = failedCheck(D, BadSite))
    throw CheckError(*Check + At() + ", sample " + std::to_string(BadSample));
  if (BadSite >= 0) {
    std::string Name = static_cast<size_t>(BadSite) < D.Sites.size()
                           ? D.Sites[static_cast<size_t>(BadSite)].Name
                           : "#" + std::to_string(BadSite);
    throw NonFiniteError(nonFiniteSite(D, BadSite) + At() + ", sample " + std::to_string(BadSample),
                         Name, Step);
  }
  if (!std::isfinite(Elbo))
    throw NonFiniteError("non-finite ELBO" + At(), "", Step);
  for (const ParamDesc &P : D.Params)
    for (int64_t I = 0; I < P.Size; ++I)
      if (!std::isfinite(Grad[static_cast<size_t>(P.Offset + I)]))
        throw NonFiniteError("non-finite gradient of param '" + P.Name + "'" + At(),
                             "gradient of param '" + P.Name + "'", Step);
  // Baselines are used before they are updated, as in Pyro's TraceGraph_ELBO.
  for (size_t S = 0; S < Baselines.size() && D.UseBaselines; ++S)
    Baselines[S] = C.BaselineDecay * Baselines[S] + (1 - C.BaselineDecay) * Signals[S];
  Opt.step(U, Grad);
  LastElbo = Elbo;
  ++Step;
}

void Trainer::run(const std::function<void(int64_t Step, double Elbo)> &OnStep) {
  if (!C.ResumePath.empty())
    loadCheckpoint(C.ResumePath);
  std::ofstream Trace;
  if (!C.TracePath.empty()) {
    // A resumed run keeps the trace lines of the steps the checkpoint covers
    // and drops any written after it, so the file matches an uninterrupted run.
    std::string Kept = "step,elbo\n";
    if (!C.ResumePath.empty()) {
      std::ifstream Old(C.TracePath);
      std::string Line;
      std::getline(Old, Line);
      while (std::getline(Old, Line)) {
        char *End = nullptr;
        long long LineStep = std::strtoll(Line.c_str(), &End, 10);
        if (End != Line.c_str() && *End == ',' && LineStep < Step)
          Kept += Line + "\n";
      }
    }
    Trace.open(C.TracePath, std::ios::trunc);
    if (!Trace)
      throw RuntimeError(C.TracePath + ": cannot write the trace");
    Trace.precision(17);
    Trace << Kept;
  }
  while (Step < C.Steps) {
    try {
      if (C.Samples == 1) { // the common case, with no allocation per step
        const Descriptor &D = Est.descriptor();
        OneGrad.resize(static_cast<size_t>(D.ParamDoubles));
        OneSignals.resize(D.ScoreSites.size());
        OneWorkspace.resize(static_cast<size_t>(D.WorkspaceDoubles));
        int32_t BadSite = -1, Kinks = 0;
        double Elbo = Est.sampleOnce(U.data(), C.Seed, static_cast<uint64_t>(Step), Baselines.data(),
                                     OneGrad.data(), OneSignals.data(), OneWorkspace.data(), BadSite, Kinks);
        apply(Elbo, OneGrad, OneSignals, BadSite, 0);
      } else {
        stepOnce(C.Seed, C.Samples);
      }
    } catch (const NonFiniteError &) {
      Trace.flush();
      if (!C.CheckpointPath.empty())
        writeCheckpoint();
      throw;
    }
    if (Trace.is_open())
      Trace << Step - 1 << ',' << LastElbo << '\n';
    if (OnStep)
      OnStep(Step - 1, LastElbo);
    if (!C.CheckpointPath.empty() && Step % C.CheckpointEvery == 0) {
      Trace.flush();
      writeCheckpoint();
    }
  }
  Trace.flush();
  if (!C.CheckpointPath.empty())
    writeCheckpoint();
}

void Trainer::setOptimizer(const OptimizerConfig &Config) {
  Opt = Optimizer(Config, U.size());
  C.Opt = Config;
}

std::vector<double> Trainer::constrainedParam(const ParamDesc &P) const {
  std::vector<double> Out(static_cast<size_t>(numElements(P.Shape)));
  toConstrained(P, U.data() + P.Offset, Out.data());
  return Out;
}

json Trainer::paramsJson() const {
  json J = json::object();
  for (const ParamDesc &P : Est.descriptor().Params)
    J[P.Name] = nested(constrainedParam(P).data(), P.Shape, 0);
  return J;
}

json Trainer::checkpointJson() const {
  return {{"format", "svic-checkpoint"},
          {"version", 1},
          {"step", Step},
          {"seed", C.Seed},
          {"samples", C.Samples},
          {"fingerprint", fingerprint(Est.descriptor())},
          {"params", U},
          {"baselines", Baselines},
          {"optimizer", Opt.state()},
          {"lastElbo", LastElbo}};
}

void Trainer::writeCheckpoint() const {
  writeFileAtomically(C.CheckpointPath, checkpointJson().dump(1) + "\n");
}

void Trainer::loadCheckpoint(const std::string &Path) {
  json J;
  try {
    J = json::parse(readText(Path));
  } catch (const json::parse_error &E) {
    throw RuntimeError(Path + ": not a valid checkpoint: " + E.what());
  }
  try {
    if (J.at("format").get<std::string>() != "svic-checkpoint" || J.at("version").get<int>() != 1)
      throw RuntimeError(Path + ": not an svic checkpoint of version 1");
    if (J.at("fingerprint") != fingerprint(Est.descriptor()))
      throw RuntimeError(Path + ": the checkpoint was written for a program with different params");
    std::vector<double> NewU = J.at("params").get<std::vector<double>>();
    std::vector<double> NewB = J.at("baselines").get<std::vector<double>>();
    if (NewU.size() != U.size() || NewB.size() != Baselines.size())
      throw RuntimeError(Path + ": the checkpoint has the wrong number of values");
    Optimizer NewOpt(C.Opt, U.size());
    NewOpt.loadState(J.at("optimizer"));
    // The checkpoint's seed continues its run's noise.
    C.Seed = J.at("seed").get<uint64_t>();
    Step = J.at("step").get<int64_t>();
    LastElbo = J.at("lastElbo").get<double>();
    U = std::move(NewU);
    Baselines = std::move(NewB);
    Opt = std::move(NewOpt);
  } catch (const json::exception &E) {
    throw RuntimeError(Path + ": malformed checkpoint: " + E.what());
  }
}

} // namespace svic::runtime
