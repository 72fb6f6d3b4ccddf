//===- Estimate.cpp - `svic grad`, `run`, `compile` and `simulate` ---------===//
///
/// \file
/// The compiling commands share one pipeline: load and analyse the programs
/// (the analysis decides which guide latents may be reparameterised, and a
/// definite support mismatch refuses to train), load the data, lower the
/// model/guide pair to LIR against the data's shapes, and generate code. Then
/// `grad` estimates the gradient at fixed params, `run` trains, `compile`
/// writes an object or shared library with a C API. `simulate` lowers the
/// model alone into a simulator that draws from its prior predictive.
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "Options.h"
#include "Pipeline.h"
#include "Report.h"

#include "svic/backend/Codegen.h"
#include "svic/backend/Lower.h"
#include "svic/runtime/Engine.h"

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <malloc.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>
#include <variant>

namespace po = boost::program_options;
using nlohmann::json;

namespace svic::driver {

namespace {

struct CompileOptions {
  InputOptions Input;
  std::string DataPath;
  std::string EstimatorName = "auto";
  uint64_t Seed = 0;
  bool Help = false;
  bool RecordTrace = false; ///< lower with the trace outputs (grad --trace-out)
};

void addCompileOptions(po::options_description &Desc, CompileOptions &O) {
  Desc.add_options()("help,h", po::bool_switch(&O.Help), "show this help")(
      "guide", po::value(&O.Input.GuidePath), "file holding the guide (default: the model file)")(
      "model-fn", po::value(&O.Input.Entries.ModelFn),
      "model entry function (default: model, else the one SVI, NUTS or HMC runs, else main)")(
      "guide-fn", po::value(&O.Input.Entries.GuideFn), "guide entry function (default: guide, else main)")(
      "data", po::value(&O.DataPath),
      "entry-function arguments by name: .json, .csv (header row), .npy or .npz")(
      "estimator", po::value(&O.EstimatorName),
      "auto (the analysis' selection), score, pathwise, or pyro (Trace_ELBO's choice)")(
      "seed", po::value(&O.Seed), "random seed (default 0)");
}

bool parseCommand(const std::vector<std::string> &Args, po::options_description &Desc, CompileOptions &O) {
  po::variables_map VM;
  return parseCommandLine(Args, Desc, O.Input.ModelPath, O.Help, VM);
}

void printDiags(const std::vector<Diagnostic> &Diags, const SourceManager &SM) {
  bool Color = isatty(STDERR_FILENO) && !std::getenv("NO_COLOR");
  for (const Diagnostic &D : Diags)
    std::cerr << renderText(D, SM, Color);
}

double msSince(std::chrono::steady_clock::time_point T) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - T).count();
}

/// Whether Pyro's objective is defined despite a support mismatch: every
/// mismatched site is a Delta point estimate over a density (AutoDelta, MAP).
/// A guide that can sample outside the model's support, a site or plate on
/// one side only, or a shape error leaves it undefined.
bool pyroObjectiveDefined(const analysis::SupportResult &S) {
  auto SiteOk = [](const analysis::SiteSupport &Site) {
    if (Site.Verdict == "mismatch")
      return Site.PointEstimate;
    return Site.Verdict != "model-only" && Site.Verdict != "guide-only";
  };
  auto PlateOk = [](const analysis::PlateSupport &P) { return P.Verdict != "mismatch" && P.Verdict != "guide-only"; };
  return S.ShapeErrors.empty() && std::all_of(S.Sites.begin(), S.Sites.end(), SiteOk) &&
         std::all_of(S.Plates.begin(), S.Plates.end(), PlateOk);
}

/// Everything a compiling command needs, built once.
struct Compiled {
  backend::LoweredProgram Lowered;
  std::string DescriptorJson;
  runtime::Descriptor Desc;
  std::vector<double> Data;
  double LowerMs = 0;
};

/// Loads, analyses, lowers. Returns an exit code when it cannot go on.
std::variant<Compiled, int> prepare(const CompileOptions &O, SourceManager &SM, DiagnosticEngine &DE) {
  std::optional<backend::EstimatorKind> Kind = backend::parseEstimator(O.EstimatorName);
  if (!Kind) {
    std::cerr << "svic: error: unknown estimator '" << O.EstimatorName
              << "' (expected auto, score, pathwise, pyro)\n";
    return ExitBadInput;
  }
  // The data first: the entry parameters it gives override their defaults.
  runtime::DataSet Data;
  if (!O.DataPath.empty()) {
    try {
      Data = runtime::loadData(O.DataPath);
    } catch (const runtime::RuntimeError &E) {
      std::cerr << "svic: error: " << E.what() << "\n";
      return ExitBadInput;
    }
  }
  InputOptions In = O.Input;
  for (const auto &[Name, A] : Data)
    In.Entries.GivenInputs.insert(Name);
  std::optional<AnalysisRun> Run = loadAndInventory(In, SM, DE);
  if (!Run) {
    printDiags(DE.sorted(), SM);
    return ExitBadInput;
  }
  if (!Run->Programs.Guide) {
    printDiags(DE.sorted(), SM);
    std::cerr << "svic: error: no guide: name it `guide`, pass --guide FILE or --guide-fn NAME\n";
    return ExitBadInput;
  }
  if (Run->Programs.AutoGuideMarginal) {
    std::cerr << "svic: error: the estimator does not run " << Run->Programs.AutoGuide
              << ": svic analyses it through per-site marginals of its packed latent vector, "
                 "not the joint Pyro samples (AutoNormal and AutoDelta run)\n";
    return ExitBadInput;
  }
  runAnalyses(*Run, {analysis::Property::Lips}, SM);
  if (Run->Support && Run->Support->Verdict == "mismatch" && !pyroObjectiveDefined(*Run->Support)) {
    std::vector<Diagnostic> Diags;
    for (Diagnostic &D : analysisDiagnostics(*Run, SM))
      if (D.Sev == Severity::Error)
        Diags.push_back(std::move(D));
    printDiags(Diags, SM);
    std::cerr << "svic: error: the guide can sample outside the model's support, so the ELBO is "
                 "undefined; not compiling the estimator\n";
    return ExitProblem;
  }
  if (Run->Support)
    for (const analysis::SiteSupport &Site : Run->Support->Sites)
      if (Site.PointEstimate)
        DE.report(DiagId::CompileNote, Severity::Warning, Site.GuideLoc,
                  "'" + Site.Name + "' is trained as a point estimate: the guide's Delta sits where the model's " +
                      Site.ModelDistribution +
                      " has a density, so the objective is Pyro's, the log joint at the point (MAP), "
                      "not an ELBO");

  backend::LowerOptions LO;
  LO.Estimator = *Kind;
  if (Run->Reparam)
    LO.Selected.insert(Run->Reparam->Selected.begin(), Run->Reparam->Selected.end());
  LO.InitSeed = O.Seed;
  LO.RecordTrace = O.RecordTrace;
  LO.Data = std::move(Data);
  for (const auto &[Name, A] : LO.Data) {
    auto IsInput = [&](const ir::Program &P) { // "config.sizes.state" is a key of the dict argument config
      return std::any_of(P.Inputs.begin(), P.Inputs.end(), [&](ir::VarId V) {
        const std::string &Arg = P.var(V).Name;
        return Name == Arg || Name.compare(0, Arg.size() + 1, Arg + ".") == 0;
      });
    };
    if (!IsInput(*Run->Programs.Model) && !IsInput(*Run->Programs.Guide))
      std::cerr << "svic: warning: " << O.DataPath << ": '" << Name
                << "' is not an argument of the model or guide entry function; ignored\n";
  }
  auto Start = std::chrono::steady_clock::now();
  std::optional<backend::LoweredProgram> L =
      backend::lowerEstimator(*Run->Programs.Model, *Run->Programs.Guide, LO, SM, DE);
  printDiags(DE.sorted(), SM);
  if (!L)
    return ExitBadInput;
  std::string Verify = backend::lir::verify(L->Fn);
  if (!Verify.empty()) {
    std::cerr << "svic: internal error: the lowered estimator is malformed: " << Verify << "\n";
    return ExitInternal;
  }
  Compiled C;
  C.LowerMs = msSince(Start);
  L->Desc.WorkspaceDoubles = backend::workspaceDoubles(L->Fn);
  C.Desc = L->Desc;
  C.DescriptorJson = L->Desc.toJson();
  C.Lowered = std::move(*L);
  try {
    C.Data = runtime::bindInputs(C.Desc, LO.Data);
  } catch (const runtime::RuntimeError &E) {
    std::cerr << "svic: error: " << E.what() << "\n";
    return ExitBadInput;
  }
  return C;
}

/// Initial unconstrained params, overridden by --params (constrained values by name).
std::optional<std::vector<double>> initialParams(const runtime::Descriptor &D, const std::string &Path) {
  std::vector<double> U = runtime::initialUnconstrained(D);
  if (Path.empty())
    return U;
  try {
    runtime::DataSet P = runtime::loadData(Path);
    for (const runtime::ParamDesc &Pd : D.Params) {
      auto It = P.find(Pd.Name);
      if (It == P.end())
        continue;
      int64_t Want = 1;
      for (int64_t S : Pd.Shape)
        Want *= S;
      std::vector<double> Values = runtime::denseValues(It->second);
      if (static_cast<int64_t>(Values.size()) != Want)
        throw runtime::RuntimeError(Path + ": param '" + Pd.Name + "' has " + std::to_string(Values.size()) +
                                    " values but the program's has " + std::to_string(Want));
      runtime::toUnconstrained(Pd, Values.data(), U.data() + Pd.Offset);
    }
    for (const auto &[Name, A] : P)
      if (std::none_of(D.Params.begin(), D.Params.end(), [&](const runtime::ParamDesc &Pd) { return Pd.Name == Name; }))
        throw runtime::RuntimeError(Path + ": the program has no param '" + Name + "'");
  } catch (const runtime::RuntimeError &E) {
    std::cerr << "svic: error: --params: " << E.what() << "\n";
    return std::nullopt;
  }
  return U;
}

/// A compiled, JIT-loaded estimator with its starting params.
struct Jitted {
  Compiled C;
  std::unique_ptr<backend::JitModel> M;
  std::vector<double> U;
  double CompileMs = 0; ///< lowering + code generation + JIT
};

std::variant<Jitted, int> prepareJit(const CompileOptions &O, const std::string &ParamsPath, SourceManager &SM,
                                     DiagnosticEngine &DE) {
  auto P = prepare(O, SM, DE);
  if (std::holds_alternative<int>(P))
    return std::get<int>(P);
  Jitted J;
  J.C = std::move(std::get<Compiled>(P));
  backend::CodegenResult R;
  auto Start = std::chrono::steady_clock::now();
  J.M = backend::jitCompile(J.C.Lowered.Fn, J.C.DescriptorJson, R);
  J.CompileMs = msSince(Start) + J.C.LowerMs;
  if (!J.M) {
    std::cerr << "svic: internal error: code generation failed: " << R.Error << "\n";
    return ExitInternal;
  }
  // LLVM freed its modules, but glibc keeps the pages: give them back before
  // training allocates its workspace (dmm: 280 MB of the peak).
  malloc_trim(0);
  std::optional<std::vector<double>> U = initialParams(J.C.Desc, ParamsPath);
  if (!U)
    return ExitBadInput;
  J.U = std::move(*U);
  return J;
}

/// One sample (step 0, sample 0 of the seed) of a program lowered with
/// RecordTrace, written as a data file: "param:NAME" (constrained),
/// "latent:SITE", "model:SITE" / "guide:SITE" (the site's log-density term,
/// summed over its plates, as Pyro's log_prob_sum), "elbo", and the values
/// Pyro cannot draw itself ("dropout:N", "module:PROG:VAR.WEIGHT"). What
/// tests/estimator/pyro/replay_trace.py replays in Pyro.
int writeTrace(const Jitted &J, uint64_t Seed, const std::string &Path) {
  const Compiled &C = J.C;
  const int64_t P = C.Desc.ParamDoubles;
  std::vector<double> Out(static_cast<size_t>(P + C.Lowered.Fn.OutputDoubles), 0.0);
  std::vector<double> Baselines(C.Desc.ScoreSites.size(), 0.0), Signals(Baselines.size(), 0.0);
  std::vector<double> Work(static_cast<size_t>(C.Desc.WorkspaceDoubles));
  svic_sample_ctx Ctx{};
  Ctx.params = J.U.data();
  Ctx.data = C.Data.data();
  Ctx.baselines = Baselines.data();
  Ctx.grad = Out.data();
  Ctx.signals = Signals.data();
  Ctx.workspace = Work.data();
  Ctx.seed = Seed;
  Ctx.bad_site = -1;
  double Elbo = J.M->sampleFn()(&Ctx);
  if (std::optional<std::string> Check = runtime::failedCheck(C.Desc, Ctx.bad_site)) {
    std::cerr << *Check << "\n";
    return ExitBadInput;
  }
  runtime::DataSet T;
  for (const runtime::ParamDesc &Pd : C.Desc.Params) {
    runtime::Array &A = T["param:" + Pd.Name];
    A.Shape = Pd.Shape;
    A.Values.resize(static_cast<size_t>(runtime::numElements(Pd.Shape)));
    runtime::toConstrained(Pd, J.U.data() + Pd.Offset, A.Values.data());
  }
  for (const backend::TraceEntry &E : C.Lowered.Trace) {
    const double *V = Out.data() + P + E.Offset;
    if (E.K == backend::TraceEntry::Kind::Latent || E.K == backend::TraceEntry::Kind::Replay) {
      T[(E.K == backend::TraceEntry::Kind::Latent ? "latent:" : "") + E.Site] = {
          E.Shape, std::vector<double>(V, V + runtime::numElements(E.Shape))};
      continue;
    }
    runtime::Array &A = T[(E.K == backend::TraceEntry::Kind::ModelTerm ? "model:" : "guide:") + E.Site];
    A.Values.resize(1, 0.0);
    A.Values[0] += E.Scale * V[0];
  }
  T["elbo"] = {{}, {Elbo}};
  try {
    runtime::writeData(Path, T);
  } catch (const runtime::RuntimeError &E) {
    std::cerr << "svic: error: " << E.what() << "\n";
    return ExitBadInput;
  }
  return ExitOk;
}

json estimatorJson(const Compiled &C, const CompileOptions &O) {
  return {{"kind", O.EstimatorName}, {"pathwise", C.Desc.PathwiseSites}, {"score", C.Desc.ScoreSites}};
}

} // namespace

int runGrad(const std::vector<std::string> &Args) {
  CompileOptions O;
  std::string ParamsPath, FormatName = "json", TracePath;
  int64_t Samples = 1000;
  int Threads = 1;
  po::options_description Desc("usage: svic grad FILE [options]\n\n"
                               "Estimates the gradient of the ELBO (the ascent direction) with "
                               "respect to every param's\nunconstrained value, at fixed params, "
                               "with the selective estimator.\n\noptions");
  addCompileOptions(Desc, O);
  Desc.add_options()("params", po::value(&ParamsPath),
                     "param values by name (.json or .npz, as `svic run --params-out` writes); default: their "
                     "initial values")(
      "samples", po::value(&Samples), "single-sample estimates to average (default 1000)")(
      "threads", po::value(&Threads), "worker threads; results do not depend on it (default 1)")(
      "format", po::value(&FormatName), "json (default) or text")(
      "trace-out", po::value(&TracePath),
      "instead of an estimate, write one sample's params, guide draws and per-site log-density terms "
      "(.json or .npz), for replaying it in Pyro");
  if (!parseCommand(Args, Desc, O))
    return ExitBadInput;
  if (O.Help) {
    std::cout << Desc;
    return ExitOk;
  }
  O.RecordTrace = !TracePath.empty();
  if (Samples < 1 || Threads < 1 || (FormatName != "json" && FormatName != "text")) {
    std::cerr << "svic: error: --samples and --threads must be positive, --format json or text\n";
    return ExitBadInput;
  }
  SourceManager SM;
  DiagnosticEngine DE;
  auto P = prepareJit(O, ParamsPath, SM, DE);
  if (std::holds_alternative<int>(P))
    return std::get<int>(P);
  Jitted &J = std::get<Jitted>(P);
  if (O.RecordTrace)
    return writeTrace(J, O.Seed, TracePath);
  const Compiled &C = J.C;
  runtime::Estimator Est(C.Desc, J.M->sampleFn(), C.Data, J.M->blockFn());
  runtime::Estimate R = Est.estimateWithPilotBaselines(J.U, O.Seed, Samples, Threads);

  json Grad = json::object();
  for (const runtime::ParamDesc &Pd : C.Desc.Params) {
    auto Slice = [&](const std::vector<double> &V) {
      return std::vector<double>(V.begin() + Pd.Offset, V.begin() + Pd.Offset + Pd.Size);
    };
    Grad[Pd.Name] = {{"mean", Slice(R.GradMean)}, {"stderr", Slice(R.GradStderr)}};
  }
  json Out = {{"samples", Samples},
              {"estimator", estimatorJson(C, O)},
              {"gradient", Grad},
              {"elbo", {{"mean", R.ElboMean}, {"stderr", R.ElboStderr}}},
              {"nsPerEstimate", R.Seconds * 1e9 / double(Samples)},
              {"kinkHits", R.KinkHits},
              {"compileMs", J.CompileMs}};
  if (std::optional<std::string> Check = runtime::failedCheck(C.Desc, R.BadSite)) {
    std::cerr << *Check << " (sample " << R.BadSample << ")\n";
    return ExitBadInput;
  }
  if (R.BadSite >= 0) {
    const runtime::SiteDesc &S = C.Desc.Sites.at(static_cast<size_t>(R.BadSite));
    std::cerr << S.Location << ": error: the log-density of " << S.Program << " site '" << S.Name
              << "' is not finite (sample " << R.BadSample << ")\n";
    return ExitBadInput;
  }
  if (FormatName == "json") {
    std::cout << Out.dump(2) << "\n";
  } else {
    std::printf("estimator %s: pathwise %s, score %s\n", O.EstimatorName.c_str(),
                Out["estimator"]["pathwise"].dump().c_str(), Out["estimator"]["score"].dump().c_str());
    std::printf("ELBO %.6g +- %.3g over %lld samples, %.1f ns per estimate, compiled in %.1f ms\n",
                R.ElboMean, R.ElboStderr, static_cast<long long>(Samples), Out["nsPerEstimate"].get<double>(),
                J.CompileMs);
    for (const runtime::ParamDesc &Pd : C.Desc.Params)
      for (int64_t I = 0; I < Pd.Size; ++I)
        std::printf("  d ELBO / d %s%s = %.6g +- %.3g\n", Pd.Name.c_str(),
                    Pd.Size > 1 ? ("[" + std::to_string(I) + "]").c_str() : "",
                    R.GradMean[static_cast<size_t>(Pd.Offset + I)], R.GradStderr[static_cast<size_t>(Pd.Offset + I)]);
  }
  return ExitOk;
}

int runTrain(const std::vector<std::string> &Args) {
  CompileOptions O;
  runtime::TrainConfig TC;
  std::string OptName = "adam", ParamsPath, ParamsOut;
  double Lr = -1;
  po::options_description Desc("usage: svic run FILE [options]\n\n"
                               "JIT-compiles the selective estimator and trains the params by "
                               "stochastic variational inference.\n\noptions");
  addCompileOptions(Desc, O);
  Desc.add_options()("steps", po::value(&TC.Steps), "SVI steps (default 1000)")(
      "lr", po::value(&Lr), "learning rate (default 0.001)")(
      "optimizer", po::value(&OptName), "adam (default) or sgd")(
      "samples", po::value(&TC.Samples), "samples per step (default 1)")(
      "threads", po::value(&TC.Threads), "worker threads; results do not depend on it (default 1)")(
      "params", po::value(&ParamsPath), "initial param values by name (.json or .npz, as --params-out writes)")(
      "checkpoint", po::value(&TC.CheckpointPath), "write checkpoints (atomically) to this file")(
      "checkpoint-every", po::value(&TC.CheckpointEvery), "steps between checkpoints (default 100)")(
      "resume", po::value(&TC.ResumePath), "continue from this checkpoint")(
      "trace", po::value(&TC.TracePath), "write `step,elbo` per step to this CSV file")(
      "params-out", po::value(&ParamsOut),
      "also write the final params, keyed by Pyro's param-store names, to this .json or .npz "
      "(--params reads either back)");
  if (!parseCommand(Args, Desc, O))
    return ExitBadInput;
  if (O.Help) {
    std::cout << Desc;
    return ExitOk;
  }
  if (OptName != "adam" && OptName != "sgd") {
    std::cerr << "svic: error: unknown optimizer '" << OptName << "' (expected adam, sgd)\n";
    return ExitBadInput;
  }
  if (TC.Steps < 0 || TC.Samples < 1 || TC.Threads < 1 || TC.CheckpointEvery < 1) {
    std::cerr << "svic: error: --steps must be >= 0; --samples, --threads, --checkpoint-every > 0\n";
    return ExitBadInput;
  }
  TC.Seed = O.Seed;
  TC.Opt.K = OptName == "adam" ? runtime::OptimizerConfig::Kind::Adam : runtime::OptimizerConfig::Kind::SGD;
  TC.Opt.Lr = Lr > 0 ? Lr : 1e-3;

  SourceManager SM;
  DiagnosticEngine DE;
  auto P = prepareJit(O, ParamsPath, SM, DE);
  if (std::holds_alternative<int>(P))
    return std::get<int>(P);
  Jitted &J = std::get<Jitted>(P);
  const Compiled &C = J.C;

  bool Tty = isatty(STDERR_FILENO);
  std::cerr << "svic: compiled in " << std::lround(J.CompileMs) << " ms; estimator " << O.EstimatorName
            << " (pathwise: " << json(C.Desc.PathwiseSites).dump() << ", score: " << json(C.Desc.ScoreSites).dump()
            << ")\n";
  auto Start = std::chrono::steady_clock::now();
  double Running = NAN;
  int64_t Every = std::max<int64_t>(1, TC.Steps / 20);
  auto OnStep = [&](int64_t Step, double Elbo) {
    Running = std::isnan(Running) ? Elbo : 0.99 * Running + 0.01 * Elbo;
    bool Last = Step + 1 == TC.Steps;
    if (Tty) {
      if (Step % std::max<int64_t>(1, TC.Steps / 200) == 0 || Last) {
        int Width = 30, Done = static_cast<int>(Width * (Step + 1) / std::max<int64_t>(1, TC.Steps));
        std::fprintf(stderr, "\r[%s%s] %lld/%lld  ELBO %.4g ", std::string(size_t(Done), '#').c_str(),
                     std::string(size_t(Width - Done), '.').c_str(), static_cast<long long>(Step + 1),
                     static_cast<long long>(TC.Steps), Running);
        if (Last)
          std::fputc('\n', stderr);
      }
    } else if ((Step + 1) % Every == 0 || Last) {
      std::fprintf(stderr, "step %lld/%lld elbo %.6g\n", static_cast<long long>(Step + 1),
                   static_cast<long long>(TC.Steps), Running);
    }
  };
  std::optional<runtime::Trainer> T;
  try {
    T.emplace(C.Desc, J.M->sampleFn(), C.Data, TC, J.U, J.M->blockFn());
    T->run(OnStep);
  } catch (const runtime::NonFiniteError &E) {
    if (Tty)
      std::cerr << "\n";
    std::cerr << "svic: error: " << E.what() << "\n";
    return ExitBadInput;
  } catch (const runtime::CheckError &E) {
    if (Tty)
      std::cerr << "\n";
    std::cerr << E.what() << "\n";
    return ExitBadInput;
  } catch (const runtime::RuntimeError &E) {
    std::cerr << "svic: error: " << E.what() << "\n";
    return ExitBadInput;
  }
  double Seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - Start).count();
  json Out = {{"params", T->paramsJson()},
              {"elbo", T->lastElbo()},
              {"steps", T->step()},
              {"estimator", estimatorJson(C, O)},
              {"secondsTraining", Seconds},
              {"compileMs", J.CompileMs}};
  std::cout << Out.dump(2) << "\n";
  if (!ParamsOut.empty()) {
    try {
      runtime::DataSet Params;
      for (const runtime::ParamDesc &Pd : C.Desc.Params)
        Params[Pd.Name] = {Pd.Shape, T->constrainedParam(Pd)};
      runtime::writeData(ParamsOut, Params);
    } catch (const runtime::RuntimeError &E) {
      std::cerr << "svic: error: " << E.what() << "\n";
      return ExitBadInput;
    }
  }
  return ExitOk;
}

int runCompile(const std::vector<std::string> &Args) {
  CompileOptions O;
  std::string OutPath, EmitLLVM;
  po::options_description Desc("usage: svic compile FILE -o OUT.so|OUT.o [options]\n\n"
                               "Compiles the selective estimator ahead of time into a shared library "
                               "or object file with\nthe C API of svic/svic_model.h (shapes are fixed "
                               "by --data).\n\noptions");
  addCompileOptions(Desc, O);
  Desc.add_options()("output,o", po::value(&OutPath), "the .so or .o to write")(
      "emit-llvm", po::value(&EmitLLVM), "also write the optimised LLVM module (text) to this file");
  if (!parseCommand(Args, Desc, O))
    return ExitBadInput;
  if (O.Help) {
    std::cout << Desc << "\nC header: " << SVIC_RUNTIME_INCLUDE_DIR << "/svic/svic_model.h\n";
    return ExitOk;
  }
  auto EndsWith = [&](const std::string &S) {
    return OutPath.size() >= S.size() && OutPath.compare(OutPath.size() - S.size(), S.size(), S) == 0;
  };
  bool Shared = EndsWith(".so"), Object = EndsWith(".o");
  if (!Shared && !Object) {
    std::cerr << "svic: error: -o must name a .so or .o file\n";
    return ExitBadInput;
  }
  SourceManager SM;
  DiagnosticEngine DE;
  auto P = prepare(O, SM, DE);
  if (std::holds_alternative<int>(P))
    return std::get<int>(P);
  Compiled &C = std::get<Compiled>(P);
  std::string ObjPath = Object ? OutPath : OutPath + ".tmp." + std::to_string(getpid()) + ".o";
  backend::CodegenResult R = backend::emitObject(C.Lowered.Fn, C.DescriptorJson, ObjPath, !EmitLLVM.empty());
  if (!R.Ok) {
    std::cerr << "svic: error: " << R.Error << "\n";
    return ExitInternal;
  }
  if (!EmitLLVM.empty()) {
    std::ofstream Out(EmitLLVM);
    Out << R.OptimizedIR;
  }
  if (Shared) {
    // Link the generated object with the runtime and its C API into one
    // self-contained shared library.
    std::vector<std::string> Cmd = {"cc", "-shared", "-o", OutPath, ObjPath,
                                    "-Wl,--whole-archive", SVIC_RUNTIME_CAPI_LIB, "-Wl,--no-whole-archive",
                                    SVIC_RUNTIME_LIB, "-lz", "-lstdc++", "-lm", "-lpthread"};
    pid_t Pid = fork();
    if (Pid == 0) {
      std::vector<char *> Argv;
      for (std::string &S : Cmd)
        Argv.push_back(S.data());
      Argv.push_back(nullptr);
      execvp("cc", Argv.data());
      _exit(127);
    }
    int Status = 0;
    waitpid(Pid, &Status, 0);
    std::remove(ObjPath.c_str());
    if (Pid < 0 || !WIFEXITED(Status) || WEXITSTATUS(Status) != 0) {
      std::cerr << "svic: error: linking '" << OutPath << "' with the system compiler (cc) failed\n";
      return ExitBadInput;
    }
  }
  std::cerr << "svic: wrote " << OutPath << " (C API: " << SVIC_RUNTIME_INCLUDE_DIR << "/svic/svic_model.h)\n";
  return ExitOk;
}

/// `--shape NAME=d1,d2,...` (sizes >= 1) as (NAME, dims), or nullopt.
std::optional<std::pair<std::string, std::vector<int64_t>>> parseDrawShape(const std::string &Opt) {
  size_t Eq = Opt.find('=');
  if (Eq == 0 || Eq == std::string::npos || Eq + 1 == Opt.size())
    return std::nullopt;
  std::vector<int64_t> Dims;
  std::stringstream SS(Opt.substr(Eq + 1));
  std::string Item;
  while (std::getline(SS, Item, ',')) {
    size_t Used = 0;
    long long D = 0;
    try {
      D = std::stoll(Item, &Used);
    } catch (const std::exception &) {
      return std::nullopt;
    }
    if (Used != Item.size() || D < 1)
      return std::nullopt;
    Dims.push_back(D);
  }
  return std::make_pair(Opt.substr(0, Eq), Dims);
}

int runSimulate(const std::vector<std::string> &Args) {
  InputOptions In;
  std::string DataPath, OutPath;
  std::vector<std::string> ShapeOpts, Redraw;
  int64_t Draws = 1;
  uint64_t Seed = 0;
  bool Help = false;
  po::options_description Desc(
      "usage: svic simulate FILE -o DATA.json|DATA.npz [options]\n\n"
      "Draws data from the model's prior predictive: every sample site draws from the model (params\n"
      "and module weights at their initial values), and each entry argument that the model observes\n"
      "(obs=x, or through a view: x[ix], x[:, t, :], a mask) and --data does not give is written out,\n"
      "in the shape the program or --shape gives it; positions no site observes are 0. Arguments read\n"
      "otherwise (covariates, sizes) come from --data and are copied to the output.\n\noptions");
  Desc.add_options()("help,h", po::bool_switch(&Help), "show this help")(
      "model-fn", po::value(&In.Entries.ModelFn),
      "model entry function (default: model, else the one SVI, NUTS or HMC runs, else main)")(
      "data", po::value(&DataPath), "the arguments that are not drawn: .json, .csv, .npy or .npz")(
      "output,o", po::value(&OutPath), "the .json or .npz to write")(
      "shape", po::value(&ShapeOpts)->composing(),
      "NAME=d1,d2,...: the shape of a drawn argument whose shape the program does not fix (repeatable)")(
      "redraw", po::value(&Redraw)->composing(),
      "NAME: draw this --data argument anew where the model observes it; what the model reads of it "
      "before (a size, a total count) comes from the given values (repeatable)")(
      "n", po::value(&Draws),
      "independent draws (default 1); with N > 1 each drawn argument gets a leading axis of N")(
      "seed", po::value(&Seed), "random seed (default 0); also seeds the initial module weights");
  po::variables_map VM;
  if (!parseCommandLine(Args, Desc, In.ModelPath, Help, VM))
    return ExitBadInput;
  if (Help) {
    std::cout << Desc;
    return ExitOk;
  }
  if (OutPath.empty() || Draws < 1) {
    std::cerr << "svic: error: simulate needs -o DATA.json|DATA.npz and --n >= 1\n";
    return ExitBadInput;
  }
  SourceManager SM;
  DiagnosticEngine DE;
  std::optional<AnalysisRun> Run = loadAndInventory(In, SM, DE);
  if (!Run || !Run->Programs.Model) {
    printDiags(DE.sorted(), SM);
    return ExitBadInput;
  }
  backend::LowerOptions LO;
  LO.InitSeed = Seed;
  if (!DataPath.empty()) {
    try {
      LO.Data = runtime::loadData(DataPath);
    } catch (const runtime::RuntimeError &E) {
      std::cerr << "svic: error: " << E.what() << "\n";
      return ExitBadInput;
    }
  }
  const ir::Program &Model = *Run->Programs.Model;
  for (const std::string &Opt : ShapeOpts) {
    auto Shape = parseDrawShape(Opt);
    if (!Shape) {
      std::cerr << "svic: error: --shape expects NAME=d1,d2,... with sizes >= 1, not '" << Opt << "'\n";
      return ExitBadInput;
    }
    bool IsInput = std::any_of(Model.Inputs.begin(), Model.Inputs.end(),
                               [&](ir::VarId V) { return Model.var(V).Name == Shape->first; });
    if (!IsInput || LO.Data.count(Shape->first)) {
      std::cerr << "svic: error: --shape " << Opt << ": '" << Shape->first
                << (IsInput ? "' is given by --data, so it is not drawn\n" : "' is not an argument of the model\n");
      return ExitBadInput;
    }
    LO.DrawShapes[Shape->first] = Shape->second;
  }
  for (const std::string &Name : Redraw) {
    if (!LO.Data.count(Name)) {
      std::cerr << "svic: error: --redraw " << Name << ": --data does not give '" << Name << "'\n";
      return ExitBadInput;
    }
    LO.Redraw.insert(Name);
  }
  std::optional<backend::LoweredSimulator> L = backend::lowerSimulator(Model, LO, SM, DE);
  printDiags(DE.sorted(), SM);
  if (!L)
    return ExitBadInput;
  for (const std::string &Name : Redraw)
    if (std::none_of(L->Outputs.begin(), L->Outputs.end(), [&](const backend::SimulatedArg &A) { return A.Name == Name; })) {
      std::cerr << "svic: error: --redraw " << Name << ": the model does not observe '" << Name << "'\n";
      return ExitBadInput;
    }
  if (L->Outputs.empty()) {
    std::string Absent;
    for (ir::VarId V : Model.Inputs)
      if (!LO.Data.count(Model.var(V).Name))
        Absent += (Absent.empty() ? "" : ", ") + Model.var(V).Name;
    std::cerr << "svic: error: " << In.ModelPath
              << ": the model observes no entry argument that --data leaves out; nothing to draw";
    if (!Absent.empty())
      std::cerr << " (the model sees " << Absent << " as None, as Pyro passes an argument without data; "
                << "--shape NAME=d1,d2,... makes one data to draw)";
    std::cerr << "\n";
    return ExitBadInput;
  }
  std::string Verify = backend::lir::verify(L->Fn);
  if (!Verify.empty()) {
    std::cerr << "svic: internal error: the lowered simulator is malformed: " << Verify << "\n";
    return ExitInternal;
  }
  L->Desc.WorkspaceDoubles = backend::workspaceDoubles(L->Fn);
  backend::CodegenResult R;
  std::unique_ptr<backend::JitModel> M = backend::jitCompile(L->Fn, L->Desc.toJson(), R);
  if (!M) {
    std::cerr << "svic: internal error: code generation failed: " << R.Error << "\n";
    return ExitInternal;
  }
  std::vector<double> Data;
  try {
    Data = runtime::bindInputs(L->Desc, LO.Data);
  } catch (const runtime::RuntimeError &E) {
    std::cerr << "svic: error: " << E.what() << "\n";
    return ExitBadInput;
  }
  runtime::DataSet Out = LO.Data;
  for (const backend::SimulatedArg &A : L->Outputs) {
    runtime::Array &Arr = Out[A.Name];
    Arr.Shape = A.Shape;
    Arr.Integer = A.Integer;
    if (Draws > 1)
      Arr.Shape.insert(Arr.Shape.begin(), Draws);
    Arr.Values.clear();
  }
  std::vector<double> Outputs(static_cast<size_t>(L->Fn.OutputDoubles)), Work(static_cast<size_t>(L->Desc.WorkspaceDoubles));
  for (int64_t K = 0; K < Draws; ++K) {
    std::fill(Outputs.begin(), Outputs.end(), 0.0);
    svic_sample_ctx Ctx{};
    Ctx.data = Data.data();
    Ctx.grad = Outputs.data();
    Ctx.workspace = Work.data();
    Ctx.seed = Seed;
    Ctx.sample = static_cast<uint64_t>(K);
    Ctx.bad_site = -1;
    M->sampleFn()(&Ctx);
    if (std::optional<std::string> Check = runtime::failedCheck(L->Desc, Ctx.bad_site)) {
      std::cerr << *Check << " (draw " << K << ")\n";
      return ExitBadInput;
    }
    // Scatter each site's draw into its argument; a large argument's
    // trailing zeros stay implicit (runtime::Array).
    for (const backend::SimulatedArg &A : L->Outputs) {
      std::vector<double> &V = Out[A.Name].Values;
      size_t Base = static_cast<size_t>(K * runtime::numElements(A.Shape));
      V.resize(std::max(V.size(), Base));
      for (const backend::SimulatedArg::Draw &Dr : A.Draws)
        for (size_t I = 0; I < Dr.Positions.size(); ++I) {
          double X = Outputs[static_cast<size_t>(Dr.Offset) + I];
          if (!std::isfinite(X)) {
            std::cerr << "svic: error: draw " << K << " of '" << A.Name << "' (site '" << Dr.Site
                      << "') is not finite\n";
            return ExitBadInput;
          }
          size_t At = Base + static_cast<size_t>(Dr.Positions[I]);
          V.resize(std::max(V.size(), At + 1));
          V[At] = X;
        }
    }
  }
  for (const backend::SimulatedArg &A : L->Outputs) {
    runtime::Array &Arr = Out[A.Name];
    if (runtime::numElements(Arr.Shape) < runtime::ImplicitZerosFrom)
      Arr.Values.resize(static_cast<size_t>(runtime::numElements(Arr.Shape)));
  }
  try {
    runtime::writeData(OutPath, Out);
  } catch (const runtime::RuntimeError &E) {
    std::cerr << "svic: error: " << E.what() << "\n";
    return ExitBadInput;
  }
  std::string Drawn;
  for (const backend::SimulatedArg &A : L->Outputs)
    Drawn += (Drawn.empty() ? "" : ", ") + A.Name + " " + runtime::formatShape(Out[A.Name].Shape) + " at '" +
             A.Draws.front().Site + "'" + (A.Draws.size() > 1 ? " and " + std::to_string(A.Draws.size() - 1) + " more sites" : "");
  std::cerr << "svic: wrote " << OutPath << " (drawn: " << Drawn << ")\n";
  return ExitOk;
}

} // namespace svic::driver
