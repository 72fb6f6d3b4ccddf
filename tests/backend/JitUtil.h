//===- JitUtil.h - Hand-built LIR functions, JIT-compiled and run -----------===//
#pragma once

#include "svic/backend/Codegen.h"
#include "svic/backend/Lir.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <memory>
#include <random>
#include <vector>

namespace svic::backend::test {

using namespace lir;

/// Builds a Function instruction by instruction; regions via ifThenElse.
class Builder {
public:
  Function F;

  ValueId op(Op O, Shape S, std::vector<ValueId> Operands = {}, const std::function<void(Instr &)> &Set = {}) {
    Instr I;
    I.Opcode = O;
    I.Result = F.newValue(std::move(S));
    I.Operands = std::move(Operands);
    if (Set)
      Set(I);
    Cur->Body.push_back(std::move(I));
    return Cur->Body.back().Result;
  }
  ValueId param(Shape S) {
    int64_t N = S.numel();
    ValueId V = op(Op::Param, std::move(S), {}, [&](Instr &I) { I.Offset = F.ParamDoubles; });
    F.ParamDoubles += N;
    return V;
  }
  ValueId input(Shape S) {
    int64_t N = S.numel();
    ValueId V = op(Op::Input, std::move(S), {}, [&](Instr &I) { I.Offset = F.DataDoubles; });
    F.DataDoubles += N;
    return V;
  }
  ValueId constant(Shape S, std::vector<double> Data) {
    return op(Op::Const, std::move(S), {}, [&](Instr &I) { I.Data = std::move(Data); });
  }
  ValueId sum(ValueId V) { return op(Op::Sum, {}, {V}); }
  /// Sum(V * W) for a constant W of V's shape: a scalar whose gradient
  /// weighs every element of V differently.
  ValueId weightedSum(ValueId V, std::mt19937_64 &Rng) {
    std::uniform_real_distribution<double> U(0.5, 1.5);
    std::vector<double> W(F.shape(V).numel());
    for (double &X : W)
      X = U(Rng);
    Shape S = F.shape(V);
    return sum(op(Op::Mul, S, {V, constant(S, W)}));
  }
  size_t factor(ValueId V, double Sign = 1, std::string Site = {}) {
    F.Factors.push_back({V, Sign, std::move(Site)});
    return F.Factors.size() - 1;
  }
  /// A Param W of V's shape and a factor Sum(V * W): after a run, the
  /// gradient w.r.t. W is V's value, element by element.
  int64_t probe(ValueId V) {
    ValueId W = param(F.shape(V));
    int64_t Offset = F.ParamDoubles - F.shape(V).numel();
    factor(sum(op(Op::Mul, F.shape(V), {V, W})));
    return Offset;
  }
  std::vector<ValueId> ifThenElse(ValueId Cond, std::vector<Shape> Results,
                                  const std::function<std::vector<ValueId>()> &Then,
                                  const std::function<std::vector<ValueId>()> &Else) {
    Instr I;
    I.Opcode = Op::If;
    I.Operands = {Cond};
    I.Regions.resize(2);
    Block *Outer = Cur;
    Cur = &I.Regions[0];
    I.Regions[0].Yields = Then();
    Cur = &I.Regions[1];
    I.Regions[1].Yields = Else();
    Cur = Outer;
    for (Shape &S : Results)
      I.Results.push_back(F.newValue(std::move(S)));
    std::vector<ValueId> R = I.Results;
    Cur->Body.push_back(std::move(I));
    return R;
  }

private:
  Block *Cur = &F.Entry;
};

/// backend_outlined_tests builds the same tests with every instruction's
/// rules outlined (Codegen.h, DefaultOutlineFrom).
#ifdef SVIC_TEST_OUTLINE_ALL
constexpr size_t TestOutlineFrom = 0;
#else
constexpr size_t TestOutlineFrom = DefaultOutlineFrom;
#endif

/// A compiled function with its buffers; run() performs one call.
struct Jit {
  std::unique_ptr<JitModel> Model;
  CodegenResult Result;
  std::vector<double> Params, Data, Baselines, Grad, Signals, Workspace;
  svic_sample_ctx Ctx{};
  uint64_t Seed = 7, Step = 3, Sample = 1;

  explicit Jit(const Function &F, bool WantIR = false, size_t OutlineFrom = TestOutlineFrom) {
    Model = jitCompile(F, "{\"test\":true}", Result, WantIR, OutlineFrom);
    Params.assign(F.ParamDoubles, 0);
    Data.assign(F.DataDoubles, 0);
    Baselines.assign(F.ScoreSites.size(), 0);
    Signals.assign(F.ScoreSites.size(), 0);
    Workspace.assign(workspaceDoubles(F, OutlineFrom), NAN);
  }
  bool ok() const { return Model != nullptr; }

  double run() {
    Grad.assign(Params.size(), 0);
    Ctx = {};
    Ctx.params = Params.data();
    Ctx.data = Data.data();
    Ctx.baselines = Baselines.data();
    Ctx.grad = Grad.data();
    Ctx.signals = Signals.data();
    Ctx.workspace = Workspace.data();
    Ctx.seed = Seed;
    Ctx.step = Step;
    Ctx.sample = Sample;
    Ctx.bad_site = -1;
    Ctx.kink_hits = 0;
    return Model->sampleFn()(&Ctx);
  }

  /// Central finite differences of the returned ELBO w.r.t. every param.
  std::vector<double> finiteDifferences() {
    std::vector<double> G(Params.size());
    for (size_t P = 0; P < Params.size(); ++P) {
      double X = Params[P], H = 1e-6 * std::max(1.0, std::fabs(X));
      Params[P] = X + H;
      double Up = run();
      Params[P] = X - H;
      double Down = run();
      Params[P] = X;
      G[P] = (Up - Down) / (2 * H);
    }
    return G;
  }
};

/// Expects the generated gradient at the current params to match central
/// finite differences (for params From and later).
inline void expectGradientMatches(Jit &J, const std::string &What, double Tol = 1e-5, size_t From = 0) {
  std::vector<double> Fd = J.finiteDifferences();
  J.run();
  ASSERT_EQ(J.Grad.size(), Fd.size());
  for (size_t P = From; P < Fd.size(); ++P)
    EXPECT_NEAR(J.Grad[P], Fd[P], Tol * std::max(1.0, std::fabs(Fd[P])))
        << What << ": d/dparam[" << P << "] at " << J.Params[P];
}

} // namespace svic::backend::test
