//===- CodegenOpsTest.cpp - Forward values and generated derivatives per op ===//
//
// Every opcode's forward value against a C++ reference on random inputs
// (with broadcasting), and its generated derivative against central finite
// differences at random points away from kinks.
//
//===----------------------------------------------------------------------===//

#include "JitUtil.h"

#include "svic/runtime/Abi.h"

#include <numeric>

using namespace svic::backend;
using namespace svic::backend::test;

namespace {

/// Every element of \p V drawn uniformly from (-1, 1).
void fillUniform(std::vector<double> &V, std::mt19937_64 &Rng) {
  std::uniform_real_distribution<double> U(-1, 1);
  for (double &X : V)
    X = U(Rng);
}

struct Elementwise {
  Op O;
  double Lo, Hi; ///< where operands are drawn (away from kinks and poles)
  std::function<double(double, double, double)> Ref;
  bool Differentiable = true;
  double S0 = 0, S1 = 0;
};

std::vector<Elementwise> elementwiseCases() {
  auto u = [](double (*Fn)(double)) { return [Fn](double A, double, double) { return Fn(A); }; };
  auto sig = [](double X) { return 1 / (1 + std::exp(-X)); };
  return {
      {Op::Neg, -2, 2, [](double A, double, double) { return -A; }},
      {Op::Exp, -2, 2, u(std::exp)},
      {Op::Log, 0.2, 3, u(std::log)},
      {Op::Log1p, -0.5, 3, u(std::log1p)},
      {Op::Expm1, -2, 2, u(std::expm1)},
      {Op::Sqrt, 0.2, 3, u(std::sqrt)},
      {Op::Rsqrt, 0.2, 3, [](double A, double, double) { return 1 / std::sqrt(A); }},
      {Op::Sigmoid, -3, 3, [sig](double A, double, double) { return sig(A); }},
      {Op::LogSigmoid, -3, 3, [sig](double A, double, double) { return std::log(sig(A)); }},
      {Op::Tanh, -2, 2, u(std::tanh)},
      {Op::Softplus, -3, 3, [](double A, double, double) { return A * 2 > 3 ? A : std::log1p(std::exp(2 * A)) / 2; },
       true, 2, 3},
      {Op::Relu, -2, 2, [](double A, double, double) { return A > 0 ? A : 0; }},
      {Op::Abs, -2, 2, u(std::fabs)},
      {Op::Sign, -2, 2, [](double A, double, double) { return A > 0 ? 1.0 : A < 0 ? -1.0 : 0.0; }, false},
      {Op::Floor, -3, 3, u(std::floor), false},
      {Op::Ceil, -3, 3, u(std::ceil), false},
      {Op::Round, -3, 3, u(std::nearbyint), false},
      {Op::Sin, -3, 3, u(std::sin)},
      {Op::Cos, -3, 3, u(std::cos)},
      {Op::Erf, -2, 2, u(std::erf)},
      {Op::Lgamma, 0.3, 5, u(std::lgamma)},
      {Op::Digamma, 0.3, 5, [](double A, double, double) { return svic_rt_digamma(A); }},
      {Op::Not, -1, 1, [](double A, double, double) { return A == 0 ? 1.0 : 0.0; }, false},
      {Op::Clamp, -2, 2, [](double A, double, double) { return std::min(std::max(A, -0.5), 0.7); }, true, -0.5, 0.7},
      {Op::Add, -2, 2, [](double A, double B, double) { return A + B; }},
      {Op::Sub, -2, 2, [](double A, double B, double) { return A - B; }},
      {Op::Mul, -2, 2, [](double A, double B, double) { return A * B; }},
      {Op::Div, 0.3, 2, [](double A, double B, double) { return A / B; }},
      {Op::Pow, 0.3, 2, [](double A, double B, double) { return std::pow(A, B); }},
      {Op::Minimum, -2, 2, [](double A, double B, double) { return std::min(A, B); }},
      {Op::Maximum, -2, 2, [](double A, double B, double) { return std::max(A, B); }},
      {Op::Lt, -2, 2, [](double A, double B, double) { return double(A < B); }, false},
      {Op::Le, -2, 2, [](double A, double B, double) { return double(A <= B); }, false},
      {Op::Gt, -2, 2, [](double A, double B, double) { return double(A > B); }, false},
      {Op::Ge, -2, 2, [](double A, double B, double) { return double(A >= B); }, false},
      {Op::Eq, -2, 2, [](double A, double B, double) { return double(A == B); }, false},
      {Op::Ne, -2, 2, [](double A, double B, double) { return double(A != B); }, false},
      {Op::And, -1, 1, [](double A, double B, double) { return double(A != 0 && B != 0); }, false},
      {Op::Or, -1, 1, [](double A, double B, double) { return double(A != 0 || B != 0); }, false},
      {Op::Where, -2, 2, [](double C, double A, double B) { return C != 0 ? A : B; }},
  };
}

size_t arity(Op O) {
  if (O == Op::Where)
    return 3;
  return (O >= Op::Add && O <= Op::Or) ? 2 : 1;
}

/// Operand shapes exercising broadcasting against a [2,3] result: same
/// shape, a row [3], a column [2,1] and a scalar.
const std::vector<Shape> OperandShapes = {Shape{{2, 3}}, Shape{{3}}, Shape{{2, 1}}, Shape{}};

class ElementwiseTest : public ::testing::TestWithParam<size_t> {};

TEST_P(ElementwiseTest, ForwardAndGradient) {
  Elementwise Case = elementwiseCases()[GetParam()];
  std::mt19937_64 Rng(100 + GetParam());
  std::uniform_real_distribution<double> U(Case.Lo, Case.Hi);
  Shape R{{2, 3}};
  size_t N = arity(Case.O);
  Builder B;
  std::vector<ValueId> Xs;
  std::vector<int64_t> Offsets;
  for (size_t K = 0; K < N; ++K) {
    Offsets.push_back(B.F.ParamDoubles);
    Xs.push_back(B.param(OperandShapes[(K + GetParam()) % OperandShapes.size()]));
  }
  ValueId Y = B.op(Case.O, R, Xs, [&](Instr &I) {
    I.Scalar0 = Case.S0;
    I.Scalar1 = Case.S1;
  });
  int64_t Probe = B.probe(Y);
  ValueId W = B.weightedSum(Y, Rng);
  B.factor(W);
  ASSERT_EQ(verify(B.F), "");
  Jit J(B.F);
  ASSERT_TRUE(J.ok()) << J.Result.Error;
  for (int64_t P = 0; P < Probe; ++P) {
    J.Params[P] = U(Rng);
    if (Case.O == Op::Where && P < B.F.shape(Xs[0]).numel())
      J.Params[P] = P % 2 ? 1 : 0; // the condition
  }
  for (size_t P = Probe; P < J.Params.size(); ++P)
    J.Params[P] = 1;
  J.run();
  for (int64_t I = 0; I < R.numel(); ++I) {
    double A[3] = {0, 0, 0};
    for (size_t K = 0; K < N; ++K) {
      const Shape &S = B.F.shape(Xs[K]);
      // Broadcast index by hand: [2,3] <- [2,3] | [3] | [2,1] | [].
      int64_t Row = I / 3, Col = I % 3;
      int64_t Ix = S.numel() == 6 ? I : S.rank() == 1 ? Col : S.numel() == 2 ? Row : 0;
      A[K] = J.Params[Offsets[K] + Ix];
    }
    double Want = Case.Ref(A[0], A[1], A[2]);
    EXPECT_NEAR(J.Grad[Probe + I], Want, 1e-12 * std::max(1.0, std::fabs(Want))) << opName(Case.O) << " at " << I;
  }
  if (!Case.Differentiable)
    return;
  expectGradientMatches(J, opName(Case.O));
}

INSTANTIATE_TEST_SUITE_P(Ops, ElementwiseTest, ::testing::Range<size_t>(0, elementwiseCases().size()),
                         [](const ::testing::TestParamInfo<size_t> &I) {
                           return opName(elementwiseCases()[I.param].O);
                         });

//===-- Tensor ops -------------------------------------------------------------===//

/// Builds Y = Make(B, X) for a Param X of shape XS, checks Y's values against
/// Ref(x) and the generated gradient of a weighted sum of Y.
void checkTensorOp(const std::string &What, std::vector<Shape> XS,
                   const std::function<ValueId(Builder &, std::vector<ValueId>)> &Make,
                   const std::function<std::vector<double>(const std::vector<std::vector<double>> &)> &Ref,
                   double Lo = -2, double Hi = 2, uint64_t SeedV = 1) {
  std::mt19937_64 Rng(SeedV);
  std::uniform_real_distribution<double> U(Lo, Hi);
  Builder B;
  std::vector<ValueId> Xs;
  for (const Shape &S : XS)
    Xs.push_back(B.param(S));
  int64_t NX = B.F.ParamDoubles;
  ValueId Y = Make(B, Xs);
  int64_t Probe = B.probe(Y);
  B.factor(B.weightedSum(Y, Rng));
  ASSERT_EQ(verify(B.F), "") << What;
  Jit J(B.F);
  ASSERT_TRUE(J.ok()) << What << ": " << J.Result.Error;
  std::vector<std::vector<double>> In;
  int64_t At = 0;
  for (const Shape &S : XS) {
    In.emplace_back();
    for (int64_t I = 0; I < S.numel(); ++I) {
      J.Params[At] = U(Rng);
      In.back().push_back(J.Params[At++]);
    }
  }
  for (size_t P = NX; P < J.Params.size(); ++P)
    J.Params[P] = 1;
  J.run();
  std::vector<double> Want = Ref(In);
  ASSERT_EQ(static_cast<int64_t>(Want.size()), B.F.shape(Y).numel()) << What;
  for (size_t I = 0; I < Want.size(); ++I)
    EXPECT_NEAR(J.Grad[Probe + I], Want[I], 1e-12 * std::max(1.0, std::fabs(Want[I]))) << What << " element " << I;
  expectGradientMatches(J, What);
}

TEST(TensorOps, Reductions) {
  for (bool Keep : {false, true}) {
    checkTensorOp(
        "Sum axis 1", {Shape{{2, 3}}},
        [&](Builder &B, auto X) {
          return B.op(Op::Sum, Keep ? Shape{{2, 1}} : Shape{{2}}, {X[0]}, [&](Instr &I) {
            I.Ints = {1};
            I.KeepDim = Keep;
          });
        },
        [](auto In) {
          auto &X = In[0];
          return std::vector<double>{X[0] + X[1] + X[2], X[3] + X[4] + X[5]};
        });
  }
  checkTensorOp(
      "Sum axis 0", {Shape{{2, 3}}}, [](Builder &B, auto X) {
        return B.op(Op::Sum, Shape{{3}}, {X[0]}, [](Instr &I) { I.Ints = {0}; });
      },
      [](auto In) {
        auto &X = In[0];
        return std::vector<double>{X[0] + X[3], X[1] + X[4], X[2] + X[5]};
      });
  checkTensorOp(
      "Prod all", {Shape{{2, 3}}}, [](Builder &B, auto X) { return B.op(Op::Prod, Shape{}, {X[0]}); },
      [](auto In) { return std::vector<double>{std::accumulate(In[0].begin(), In[0].end(), 1.0, std::multiplies<>())}; });
  checkTensorOp(
      "Prod axis 0", {Shape{{2, 3}}},
      [](Builder &B, auto X) { return B.op(Op::Prod, Shape{{3}}, {X[0]}, [](Instr &I) { I.Ints = {0}; }); },
      [](auto In) {
        auto &X = In[0];
        return std::vector<double>{X[0] * X[3], X[1] * X[4], X[2] * X[5]};
      });
}

TEST(TensorOps, ProdGradientWithZeroFactors) {
  // d prod / d x_j = product of the others, also when some x are zero.
  Builder B;
  ValueId X = B.param({{4}});
  B.factor(B.op(Op::Prod, {}, {X}));
  Jit J(B.F);
  ASSERT_TRUE(J.ok()) << J.Result.Error;
  J.Params = {2, 0, 3, 5};
  J.run();
  EXPECT_EQ(J.Grad, (std::vector<double>{0, 30, 0, 0}));
  J.Params = {2, 0, 3, 0};
  J.run();
  EXPECT_EQ(J.Grad, (std::vector<double>{0, 0, 0, 0}));
  J.Params = {2, 4, 3, 5};
  J.run();
  EXPECT_EQ(J.Grad, (std::vector<double>{60, 30, 40, 24}));
}

std::vector<double> softmaxRows(const std::vector<double> &X, int64_t Rows, int64_t N, bool Log) {
  std::vector<double> Y(X.size());
  for (int64_t R = 0; R < Rows; ++R) {
    double M = -INFINITY, S = 0;
    for (int64_t K = 0; K < N; ++K)
      M = std::max(M, X[R * N + K]);
    for (int64_t K = 0; K < N; ++K)
      S += std::exp(X[R * N + K] - M);
    for (int64_t K = 0; K < N; ++K)
      Y[R * N + K] = Log ? X[R * N + K] - M - std::log(S) : std::exp(X[R * N + K] - M) / S;
  }
  return Y;
}

TEST(TensorOps, SoftmaxAndLogSoftmax) {
  for (Op O : {Op::Softmax, Op::LogSoftmax}) {
    bool Log = O == Op::LogSoftmax;
    checkTensorOp(
        opName(O) + " last axis", {Shape{{2, 4}}},
        [&](Builder &B, auto X) { return B.op(O, Shape{{2, 4}}, {X[0]}, [](Instr &I) { I.Axis = 1; }); },
        [&](auto In) { return softmaxRows(In[0], 2, 4, Log); });
    checkTensorOp(
        opName(O) + " axis 0", {Shape{{3, 2}}},
        [&](Builder &B, auto X) { return B.op(O, Shape{{3, 2}}, {X[0]}, [](Instr &I) { I.Axis = 0; }); },
        [&](auto In) {
          // Transpose, softmax the rows, transpose back.
          std::vector<double> T(6);
          for (int R = 0; R < 3; ++R)
            for (int Cc = 0; Cc < 2; ++Cc)
              T[Cc * 3 + R] = In[0][R * 2 + Cc];
          std::vector<double> S = softmaxRows(T, 2, 3, Log), Y(6);
          for (int R = 0; R < 3; ++R)
            for (int Cc = 0; Cc < 2; ++Cc)
              Y[R * 2 + Cc] = S[Cc * 3 + R];
          return Y;
        });
  }
}

std::vector<double> matmulRef(const std::vector<double> &A, const std::vector<double> &Bm, int64_t M, int64_t K,
                              int64_t N) {
  std::vector<double> Y(M * N, 0);
  for (int64_t I = 0; I < M; ++I)
    for (int64_t J = 0; J < N; ++J)
      for (int64_t Kk = 0; Kk < K; ++Kk)
        Y[I * N + J] += A[I * K + Kk] * Bm[Kk * N + J];
  return Y;
}

TEST(TensorOps, MatMulRanks) {
  struct Case {
    Shape A, B, R;
    int64_t M, K, N;
  };
  for (const Case &C : {Case{{{2, 3}}, {{3, 4}}, {{2, 4}}, 2, 3, 4}, Case{{{3}}, {{3, 4}}, {{4}}, 1, 3, 4},
                        Case{{{2, 3}}, {{3}}, {{2}}, 2, 3, 1}, Case{{{3}}, {{3}}, {}, 1, 3, 1}})
    checkTensorOp(
        "MatMul", {C.A, C.B}, [&](Builder &B, auto X) { return B.op(Op::MatMul, C.R, {X[0], X[1]}); },
        [&](auto In) { return matmulRef(In[0], In[1], C.M, C.K, C.N); });
}

TEST(TensorOps, ShapeOps) {
  checkTensorOp(
      "Transpose", {Shape{{2, 3}}},
      [](Builder &B, auto X) { return B.op(Op::Transpose, Shape{{3, 2}}, {X[0]}, [](Instr &I) { I.Ints = {1, 0}; }); },
      [](auto In) {
        auto &X = In[0];
        return std::vector<double>{X[0], X[3], X[1], X[4], X[2], X[5]};
      });
  checkTensorOp(
      "Slice", {Shape{{3, 4}}},
      [](Builder &B, auto X) {
        return B.op(Op::Slice, Shape{{2, 2}}, {X[0]}, [](Instr &I) { I.Ints = {1, 3, 1, 0, 4, 2}; });
      },
      [](auto In) {
        auto &X = In[0];
        return std::vector<double>{X[4], X[6], X[8], X[10]};
      });
  checkTensorOp(
      "Concat axis 1", {Shape{{2, 1}}, Shape{{2, 2}}},
      [](Builder &B, auto X) { return B.op(Op::Concat, Shape{{2, 3}}, {X[0], X[1]}, [](Instr &I) { I.Axis = 1; }); },
      [](auto In) {
        return std::vector<double>{In[0][0], In[1][0], In[1][1], In[0][1], In[1][2], In[1][3]};
      });
  checkTensorOp(
      "Concat axis 0", {Shape{{2}}, Shape{{3}}},
      [](Builder &B, auto X) { return B.op(Op::Concat, Shape{{5}}, {X[0], X[1]}); },
      [](auto In) { return std::vector<double>{In[0][0], In[0][1], In[1][0], In[1][1], In[1][2]}; });
  checkTensorOp(
      "Expand", {Shape{{2, 1}}}, [](Builder &B, auto X) { return B.op(Op::Expand, Shape{{2, 3}}, {X[0]}); },
      [](auto In) {
        auto &X = In[0];
        return std::vector<double>{X[0], X[0], X[0], X[1], X[1], X[1]};
      });
  checkTensorOp(
      "Reshape", {Shape{{2, 3}}},
      [](Builder &B, auto X) {
        ValueId R = B.op(Op::Reshape, Shape{{3, 2}}, {X[0]});
        return B.op(Op::Mul, Shape{{3, 2}}, {R, R});
      },
      [](auto In) {
        std::vector<double> Y;
        for (double V : In[0])
          Y.push_back(V * V);
        return Y;
      });
  checkTensorOp(
      "Gather axis 1", {Shape{{2, 3}}},
      [](Builder &B, auto X) {
        ValueId Idx = B.constant(Shape{{4}}, {2, 0, -1, 1});
        return B.op(Op::Gather, Shape{{2, 4}}, {X[0], Idx}, [](Instr &I) { I.Axis = 1; });
      },
      [](auto In) {
        auto &X = In[0];
        return std::vector<double>{X[2], X[0], X[2], X[1], X[5], X[3], X[5], X[4]};
      });
  checkTensorOp(
      "Gather axis 0", {Shape{{3, 2}}},
      [](Builder &B, auto X) {
        ValueId Idx = B.constant(Shape{{2}}, {2, 2});
        return B.op(Op::Gather, Shape{{2, 2}}, {X[0], Idx}, [](Instr &I) { I.Axis = 0; });
      },
      [](auto In) {
        auto &X = In[0];
        return std::vector<double>{X[4], X[5], X[4], X[5]};
      });
}

TEST(TensorOps, LargeTensorsLiveInTheWorkspace) {
  Shape Big{{10, 10}};
  Builder B;
  ValueId X = B.param(Big);
  ValueId Y = B.op(Op::Mul, Big, {X, X});
  ValueId S = B.op(Op::Softmax, Big, {Y}, [](Instr &I) { I.Axis = 1; });
  B.factor(B.sum(B.op(Op::Mul, Big, {S, Y})));
  EXPECT_GE(workspaceDoubles(B.F), 300); // Y, S and their adjoints (X stays in ctx->params)
  Jit J(B.F);
  ASSERT_TRUE(J.ok()) << J.Result.Error;
  std::mt19937_64 Rng(5);
  fillUniform(J.Params, Rng);
  expectGradientMatches(J, "workspace tensors");
}

TEST(TensorOps, WorkspaceSlotsAreReusedOnceDead) {
  // Five transforms of the data, each dead once the next has read it, then
  // y = tanh(x * z5) weighed and summed. Without reuse the workspace holds
  // 11 tensors of 100; with it, the chain needs two slots and the peak is six
  // tensors (at the reverse rule of the weighting). The ELBO is checked
  // against a plain computation: a slot reused too early would corrupt it.
  Shape Big{{10, 10}};
  Builder B;
  ValueId X = B.param(Big);
  ValueId Z = B.input(Big);
  for (Op O : {Op::Exp, Op::Tanh, Op::Sin, Op::Cos, Op::Sigmoid})
    Z = B.op(O, Big, {Z});
  ValueId Y = B.op(Op::Tanh, Big, {B.op(Op::Mul, Big, {X, Z})});
  std::vector<double> Weights(100);
  for (size_t I = 0; I < Weights.size(); ++I)
    Weights[I] = 0.5 + 0.01 * static_cast<double>(I);
  B.factor(B.sum(B.op(Op::Mul, Big, {Y, B.constant(Big, Weights)})));
  ASSERT_EQ(verify(B.F), "");
  EXPECT_LE(workspaceDoubles(B.F, TestOutlineFrom), 800);
  Jit J(B.F);
  ASSERT_TRUE(J.ok()) << J.Result.Error;
  std::mt19937_64 Rng(9);
  fillUniform(J.Params, Rng);
  fillUniform(J.Data, Rng);
  double Expected = 0;
  for (size_t I = 0; I < 100; ++I) {
    double Zi = 1 / (1 + std::exp(-std::cos(std::sin(std::tanh(std::exp(J.Data[I]))))));
    Expected += Weights[I] * std::tanh(J.Params[I] * Zi);
  }
  EXPECT_NEAR(J.run(), Expected, 1e-12 * 100);
  expectGradientMatches(J, "reused workspace");
}

TEST(TensorOps, ReverseRulesKeepOnlyTheValuesTheyRead) {
  // x + d1 + d2 + d3 + d4, then exp and a weighted sum. Add's reverse rule
  // reads no value and Exp's only its result, so each partial sum is dead
  // once the next is computed, and the chain needs two value slots rather
  // than keeping every sum for the reverse sweep. A slot freed too early
  // would corrupt the gradient.
  Shape Big{{10, 10}};
  Builder B;
  ValueId S = B.param(Big);
  std::vector<ValueId> Data;
  for (int K = 0; K < 4; ++K) {
    Data.push_back(B.input(Big));
    S = B.op(Op::Add, Big, {S, Data.back()});
  }
  std::mt19937_64 Rng(5);
  B.factor(B.weightedSum(B.op(Op::Exp, Big, {S}), Rng));
  ASSERT_EQ(verify(B.F), "");
  EXPECT_LT(workspaceDoubles(B.F, TestOutlineFrom), 400); // 800 when every sum lives to its reverse rule
  Jit J(B.F);
  ASSERT_TRUE(J.ok()) << J.Result.Error;
  fillUniform(J.Params, Rng);
  fillUniform(J.Data, Rng);
  expectGradientMatches(J, "values freed before the reverse sweep");
}

TEST(TensorOps, WorkspaceAdjointsFirstWrittenInAnyOrder) {
  // Workspace adjoints are zeroed lazily or stored by their first writer:
  // a value used twice by one op, aliased by a reshape, written first inside
  // an If region and read again outside it.
  Shape N{{80}};
  Builder B;
  ValueId Cond = B.input({});
  ValueId X = B.param(N);
  ValueId Y = B.op(Op::Mul, N, {X, X});
  ValueId Z = B.op(Op::Exp, N, {B.op(Op::Mul, N, {Y, B.constant({}, {0.1})})});
  ValueId W = B.ifThenElse(
      Cond, {N}, [&] { return std::vector<ValueId>{B.op(Op::Sin, N, {Z})}; },
      [&] { return std::vector<ValueId>{B.op(Op::Mul, N, {Z, Y})}; })[0];
  std::mt19937_64 Rng(11);
  B.factor(B.weightedSum(W, Rng));
  ValueId T = B.op(Op::Transpose, {{10, 8}}, {B.op(Op::Reshape, {{8, 10}}, {Z})}, [](Instr &I) { I.Ints = {1, 0}; });
  ValueId S = B.op(Op::LogSoftmax, {{10, 8}}, {T}, [](Instr &I) { I.Axis = 1; });
  B.factor(B.weightedSum(S, Rng));
  ASSERT_EQ(verify(B.F), "");
  Jit J(B.F);
  ASSERT_TRUE(J.ok()) << J.Result.Error;
  fillUniform(J.Params, Rng);
  for (double C : {0.0, 1.0}) {
    J.Data = {C};
    expectGradientMatches(J, C ? "then" : "else");
  }
}

TEST(TensorOps, LongReductionsIntoBroadcastScalars) {
  // 37 elements: long (reassociable, vectorised) reductions with a scalar
  // remainder, into the adjoints of scalars broadcast by Mul and by the
  // Normal's scale, and a Sum.
  Shape N{{37}};
  Builder B;
  ValueId Loc = B.param({}), Scale = B.param({});
  ValueId X = B.input(N), Y = B.input(N);
  ValueId Mean = B.op(Op::Mul, N, {Loc, X});
  ValueId Lp = B.op(Op::LogProb, N, {Y, Mean, Scale}, [](Instr &I) { I.D = Dist::Normal; });
  B.op(Op::CheckFinite, {}, {Lp}, [](Instr &I) { I.Site = 1; });
  B.factor(B.sum(Lp));
  Jit J(B.F);
  ASSERT_TRUE(J.ok()) << J.Result.Error;
  J.Params = {0.7, 1.3};
  double Want = 0, GLoc = 0, GScale = 0;
  for (int I = 0; I < 37; ++I) {
    J.Data[I] = 0.1 * I - 1;
    J.Data[37 + I] = std::sin(I);
    double G[3];
    Want += svic_rt_lpdf_normal(J.Data[37 + I], 0.7 * J.Data[I], 1.3, G);
    GLoc += G[1] * J.Data[I];
    GScale += G[2];
  }
  EXPECT_NEAR(J.run(), Want, 1e-12 * std::fabs(Want));
  EXPECT_NEAR(J.Grad[0], GLoc, 1e-12 * std::fabs(GLoc));
  EXPECT_NEAR(J.Grad[1], GScale, 1e-12 * std::fabs(GScale));
  EXPECT_EQ(J.Ctx.bad_site, -1);
  J.Params[1] = -1; // log of a negative scale
  J.run();
  EXPECT_EQ(J.Ctx.bad_site, 1);
}

TEST(TensorOps, LargeInputsAreReadInPlace) {
  Shape Big{{100}};
  Builder B;
  ValueId X = B.param(Big);
  ValueId D = B.input(Big);
  B.factor(B.sum(B.op(Op::Mul, Big, {X, D})));
  Jit J(B.F);
  ASSERT_TRUE(J.ok()) << J.Result.Error;
  for (int I = 0; I < 100; ++I) {
    J.Params[I] = 1;
    J.Data[I] = 0.5 * I;
  }
  EXPECT_DOUBLE_EQ(J.run(), 0.5 * 4950);
  EXPECT_EQ(J.Grad, J.Data);
}

//===-- Distributions ------------------------------------------------------------===//

struct DistCase {
  Dist D;
  double X;                 ///< the value
  std::vector<double> Args; ///< parameters
  double (*Lpdf)(double, double, double, double *);
};

std::vector<DistCase> scalarDists() {
  return {
      {Dist::Normal, 0.3, {0.5, 1.3}, svic_rt_lpdf_normal},
      {Dist::LogNormal, 1.7, {0.2, 0.8}, svic_rt_lpdf_lognormal},
      {Dist::HalfNormal, 0.9, {1.4}, svic_rt_lpdf_halfnormal},
      {Dist::Uniform, 0.4, {-1.0, 2.0}, svic_rt_lpdf_uniform},
      {Dist::Exponential, 0.7, {1.9}, svic_rt_lpdf_exponential},
      {Dist::Gamma, 1.3, {2.5, 1.7}, svic_rt_lpdf_gamma},
      {Dist::Beta, 0.35, {2.2, 3.1}, svic_rt_lpdf_beta},
      {Dist::BernoulliProbs, 1, {0.3}, svic_rt_lpdf_bernoulli_probs},
      {Dist::BernoulliLogits, 0, {0.8}, svic_rt_lpdf_bernoulli_logits},
      {Dist::Poisson, 3, {2.4}, svic_rt_lpdf_poisson},
  };
}

class DistTest : public ::testing::TestWithParam<size_t> {};

TEST_P(DistTest, LogProbValueAndGradient) {
  DistCase Case = scalarDists()[GetParam()];
  bool Discrete = Case.D == Dist::BernoulliProbs || Case.D == Dist::BernoulliLogits || Case.D == Dist::Poisson;
  // A batch of 3 values against scalar parameters (broadcasting), plus a
  // perturbation so that the elements differ.
  Builder B;
  ValueId X = Discrete ? B.constant({{3}}, {Case.X, Case.X, Case.X}) : B.param({{3}});
  std::vector<ValueId> Ops = {X};
  for (size_t K = 0; K < Case.Args.size(); ++K)
    Ops.push_back(B.param({}));
  ValueId Lp = B.op(Op::LogProb, {{3}}, Ops, [&](Instr &I) { I.D = Case.D; });
  int64_t Probe = B.probe(Lp);
  std::mt19937_64 Rng(GetParam());
  B.factor(B.weightedSum(Lp, Rng));
  ASSERT_EQ(verify(B.F), "");
  Jit J(B.F);
  ASSERT_TRUE(J.ok()) << J.Result.Error;
  int64_t At = 0;
  std::vector<double> Xs(3, Case.X);
  if (!Discrete)
    for (int I = 0; I < 3; ++I) {
      Xs[I] = Case.X * (1 + 0.1 * I);
      J.Params[At++] = Xs[I];
    }
  for (double A : Case.Args)
    J.Params[At++] = A;
  for (size_t P = At; P < J.Params.size(); ++P)
    J.Params[P] = 1;
  J.run();
  double A = Case.Args[0], Bp = Case.Args.size() > 1 ? Case.Args[1] : 0;
  for (int I = 0; I < 3; ++I) {
    double Want = Case.Lpdf(Xs[I], A, Bp, nullptr);
    EXPECT_NEAR(J.Grad[Probe + I], Want, 1e-13 * std::max(1.0, std::fabs(Want))) << distName(Case.D);
  }
  expectGradientMatches(J, distName(Case.D));
}

INSTANTIATE_TEST_SUITE_P(Dists, DistTest, ::testing::Range<size_t>(0, scalarDists().size()),
                         [](const ::testing::TestParamInfo<size_t> &I) { return distName(scalarDists()[I.param].D); });

TEST(Distributions, CategoricalLogProb) {
  for (Dist D : {Dist::CategoricalProbs, Dist::CategoricalLogits}) {
    bool Logits = D == Dist::CategoricalLogits;
    Builder B;
    ValueId P = B.param({{2, 3}});
    ValueId V = B.constant({{2}}, {2, 0});
    ValueId Lp = B.op(Op::LogProb, {{2}}, {V, P}, [&](Instr &I) { I.D = D; });
    int64_t Probe = B.probe(Lp);
    std::mt19937_64 Rng(3);
    B.factor(B.weightedSum(Lp, Rng));
    Jit J(B.F);
    ASSERT_TRUE(J.ok()) << J.Result.Error;
    std::vector<double> Ps = {0.2, 0.5, 0.9, 0.3, 0.3, 1.4};
    std::copy(Ps.begin(), Ps.end(), J.Params.begin());
    for (size_t K = 6; K < J.Params.size(); ++K)
      J.Params[K] = 1;
    J.run();
    auto ref = Logits ? svic_rt_lpdf_categorical_logits : svic_rt_lpdf_categorical_probs;
    EXPECT_DOUBLE_EQ(J.Grad[Probe], ref(2, Ps.data(), 3, nullptr));
    EXPECT_DOUBLE_EQ(J.Grad[Probe + 1], ref(0, Ps.data() + 3, 3, nullptr));
    expectGradientMatches(J, distName(D));
  }
}

TEST(Distributions, DirichletLogProb) {
  // A value on the simplex broadcast against two concentration rows.
  Builder B;
  ValueId X = B.param({{3}});
  ValueId C = B.param({{2, 3}});
  ValueId Lp = B.op(Op::LogProb, {{2}}, {X, C}, [](Instr &I) { I.D = Dist::Dirichlet; });
  int64_t Probe = B.probe(Lp);
  Jit J(B.F);
  ASSERT_TRUE(J.ok()) << J.Result.Error;
  std::vector<double> In = {0.2, 0.3, 0.5, 1.5, 2.0, 0.7, 3.0, 1.2, 2.2};
  std::copy(In.begin(), In.end(), J.Params.begin());
  J.Params[Probe] = 1;
  J.Params[Probe + 1] = 1;
  J.run();
  double Gx[2][3], Gc[2][3];
  EXPECT_DOUBLE_EQ(J.Grad[Probe], svic_rt_lpdf_dirichlet(In.data(), In.data() + 3, 3, Gx[0], Gc[0]));
  EXPECT_DOUBLE_EQ(J.Grad[Probe + 1], svic_rt_lpdf_dirichlet(In.data(), In.data() + 6, 3, Gx[1], Gc[1]));
  // Moving the value off the simplex leaves the support, so its adjoint is
  // checked against the runtime's partials, the concentrations' by finite
  // differences.
  for (int K = 0; K < 3; ++K)
    EXPECT_NEAR(J.Grad[K], Gx[0][K] + Gx[1][K], 1e-12 * std::fabs(Gx[0][K] + Gx[1][K]));
  expectGradientMatches(J, "Dirichlet", 1e-5, /*From=*/3);
}

} // namespace
