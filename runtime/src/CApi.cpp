//===- CApi.cpp - The C API of a compiled model (svic_model.h) ---------------===//
//
// Lives in its own library because it references the symbols that only a
// compiled model object defines. No exception crosses the C boundary: every
// entry point catches and stores the message.
//
//===----------------------------------------------------------------------===//

#include "svic/svic_model.h"

#include "svic/runtime/Engine.h"

#include <algorithm>
#include <cstring>
#include <memory>

// Hidden: the references bind inside the shared library or executable that
// links this file with a model object, so two compiled models loaded into one
// process each call their own code instead of the first one loaded.
extern "C" [[gnu::visibility("hidden")]] double svic_gen_sample(svic_sample_ctx *Ctx);
extern "C" [[gnu::visibility("hidden")]] const char svic_gen_descriptor[];
// Weak: only models with few values per sample define it (null otherwise).
extern "C" [[gnu::visibility("hidden"), gnu::weak]] void svic_gen_block(svic_sample_ctx *Ctx, uint64_t K0,
                                                                      uint64_t K1, double *Shift, double *S1,
                                                                      double *S2, uint64_t *BadSample);

using namespace svic::runtime;

struct svic_model {
  std::unique_ptr<Trainer> T;
  std::string LastError;
};

namespace {

/// Runs Body, turning any exception into a non-zero return and m's last error.
template <typename F> int guarded(const svic_model *M, F Body) {
  auto &Err = const_cast<svic_model *>(M)->LastError;
  try {
    Body();
    Err.clear();
    return 0;
  } catch (const std::exception &E) {
    Err = E.what();
  } catch (...) {
    Err = "unknown error";
  }
  return 1;
}

} // namespace

extern "C" {

svic_model *svic_model_create(const char *DataPath, char *Err, size_t ErrLen) {
  try {
    Descriptor D = Descriptor::parse(svic_gen_descriptor);
    DataSet Data;
    if (DataPath)
      Data = loadData(DataPath);
    std::vector<double> Flat = bindInputs(D, Data);
    auto M = std::make_unique<svic_model>();
    M->T = std::make_unique<Trainer>(std::move(D), svic_gen_sample, std::move(Flat), TrainConfig(),
                                     std::vector<double>(), svic_gen_block);
    return M.release();
  } catch (const std::exception &E) {
    if (Err && ErrLen) {
      std::strncpy(Err, E.what(), ErrLen - 1);
      Err[ErrLen - 1] = '\0';
    }
  } catch (...) {
    if (Err && ErrLen) {
      std::strncpy(Err, "unknown error", ErrLen - 1);
      Err[ErrLen - 1] = '\0';
    }
  }
  return nullptr;
}

int64_t svic_model_num_params(const svic_model *M) {
  return M->T->estimator().descriptor().ParamDoubles;
}

const char *svic_model_descriptor(const svic_model *) { return svic_gen_descriptor; }

int svic_model_estimate_gradient(svic_model *M, uint64_t Seed, int64_t Samples, int Threads,
                                 double *GradMean, double *GradStderr, double *ElboMean) {
  return guarded(M, [&] {
    Estimate E =
        M->T->estimator().estimateWithPilotBaselines(M->T->unconstrained(), Seed, Samples, Threads);
    const Descriptor &D = M->T->estimator().descriptor();
    if (std::optional<std::string> Check = failedCheck(D, E.BadSite))
      throw CheckError(*Check);
    if (E.BadSite >= 0)
      throw RuntimeError(nonFiniteSite(D, E.BadSite) + ", sample " + std::to_string(E.BadSample));
    std::copy(E.GradMean.begin(), E.GradMean.end(), GradMean);
    if (GradStderr)
      std::copy(E.GradStderr.begin(), E.GradStderr.end(), GradStderr);
    if (ElboMean)
      *ElboMean = E.ElboMean;
  });
}

int svic_model_set_optimizer(svic_model *M, const char *Name, double Lr) {
  return guarded(M, [&] {
    OptimizerConfig C;
    std::string N = Name ? Name : "";
    if (N == "sgd")
      C.K = OptimizerConfig::Kind::SGD;
    else if (N != "adam")
      throw RuntimeError("unknown optimizer '" + N + "' (expected adam or sgd)");
    C.Lr = Lr;
    M->T->setOptimizer(C);
  });
}

int svic_model_step(svic_model *M, uint64_t Seed, int64_t Samples, double *Elbo) {
  return guarded(M, [&] {
    Estimate E = M->T->stepOnce(Seed, Samples);
    if (Elbo)
      *Elbo = E.ElboMean;
  });
}

int svic_model_read_params(const svic_model *M, double *Out) {
  return guarded(
      M, [&] { std::copy(M->T->unconstrained().begin(), M->T->unconstrained().end(), Out); });
}

int svic_model_read_param(const svic_model *M, const char *Name, double *Out, int64_t N) {
  return guarded(M, [&] {
    for (const ParamDesc &P : M->T->estimator().descriptor().Params) {
      if (P.Name != Name)
        continue;
      std::vector<double> V = M->T->constrainedParam(P);
      if (static_cast<int64_t>(V.size()) != N)
        throw RuntimeError("param '" + P.Name + "' has " + std::to_string(V.size()) +
                           " elements, not " + std::to_string(N));
      std::copy(V.begin(), V.end(), Out);
      return;
    }
    throw RuntimeError("no param named '" + std::string(Name ? Name : "") + "'");
  });
}

const char *svic_model_last_error(const svic_model *M) { return M->LastError.c_str(); }

void svic_model_free(svic_model *M) { delete M; }

} // extern "C"
