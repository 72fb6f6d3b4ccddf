//===- LowerOps.cpp - Tensor operations of the partial evaluator ------------===//

#include "LowerOps.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <iterator>
#include <limits>
#include <numeric>
#include <set>

namespace svic::backend::lower {

using ir::OpId;

namespace {

} // namespace

int64_t broadcastIndex(int64_t Flat, const Dims &Out, const Dims &In) {
  int64_t Idx = 0, InStride = 1;
  for (size_t K = 0; K < Out.size(); ++K) {
    size_t D = Out.size() - 1 - K;
    int64_t Coord = Flat % Out[D];
    Flat /= Out[D];
    if (K < In.size()) {
      size_t ID = In.size() - 1 - K;
      if (In[ID] != 1)
        Idx += Coord * InStride;
      InStride *= In[ID];
    }
  }
  return Idx;
}

namespace {

/// Index \p I of dim \p Dim (size \p N) wrapped as Python wraps negative
/// indices; outside [-N, N) (or [0, N) unless \p Negative, as a scatter
/// takes it) it is the error PyTorch raises.
int64_t checkedIndex(int64_t I, size_t Dim, int64_t N, SourceLoc L, bool Negative = true) {
  if (I < (Negative ? -N : 0) || I >= N)
    invalid(L, "index " + std::to_string(I) + " is out of bounds for dimension " + std::to_string(Dim) +
                   " with size " + std::to_string(N));
  return I < 0 ? I + N : I;
}

IndexItem tensorIndex(ValuePtr I, SourceLoc L) {
  IndexItem It;
  It.Index = std::move(I);
  It.Loc = L;
  return It;
}

/// Folds the elementwise ops that parameter initialisers and constant
/// expressions use; the rest is left to the generated code.
std::optional<double> foldScalar(lir::Op O, const std::vector<double> &X) {
  using lir::Op;
  double A = X.empty() ? 0 : X[0], B = X.size() > 1 ? X[1] : 0;
  switch (O) {
  case Op::Neg: return -A;
  case Op::Exp: return std::exp(A);
  case Op::Log: return std::log(A);
  case Op::Sqrt: return std::sqrt(A);
  case Op::Abs: return std::fabs(A);
  case Op::Sigmoid: return 1 / (1 + std::exp(-A));
  case Op::Tanh: return std::tanh(A);
  case Op::Add: return A + B;
  case Op::Sub: return A - B;
  case Op::Mul: return A * B;
  case Op::Div: return A / B;
  case Op::Pow: return std::pow(A, B);
  case Op::Minimum: return std::fmin(A, B);
  case Op::Maximum: return std::fmax(A, B);
  case Op::Lt: return A < B;
  case Op::Le: return A <= B;
  case Op::Gt: return A > B;
  case Op::Ge: return A >= B;
  case Op::Eq: return A == B;
  case Op::Ne: return A != B;
  case Op::And: return A != 0 && B != 0;
  case Op::Or: return A != 0 || B != 0;
  case Op::Not: return A == 0;
  case Op::Where: return A != 0 ? B : X[2];
  default: return std::nullopt;
  }
}

/// \p Src (shape \p S) reduced over the sorted \p Axes (empty: all) by Sum,
/// Prod, Maximum or Minimum (NaN propagates, as in torch), in row-major order
/// of the dims kept.
std::vector<double> reduceData(const std::vector<double> &Src, const Dims &S, const std::vector<int64_t> &Axes,
                               lir::Op O) {
  Dims Kept;
  for (size_t D = 0; D < S.size(); ++D)
    if (!Axes.empty() && !std::binary_search(Axes.begin(), Axes.end(), int64_t(D)))
      Kept.push_back(int64_t(D));
  double Init = O == lir::Op::Sum ? 0 : O == lir::Op::Prod ? 1 : O == lir::Op::Maximum ? -INFINITY : INFINITY;
  int64_t OutN = 1;
  for (int64_t D : Kept)
    OutN *= S[static_cast<size_t>(D)];
  std::vector<double> Out(static_cast<size_t>(OutN), Init);
  for (size_t Flat = 0; Flat < Src.size(); ++Flat) {
    int64_t Rest = int64_t(Flat), At = 0, Stride = 1;
    for (size_t D = S.size(); D-- > 0;) {
      int64_t Coord = Rest % S[D];
      Rest /= S[D];
      if (std::binary_search(Kept.begin(), Kept.end(), int64_t(D))) {
        At += Coord * Stride;
        Stride *= S[D];
      }
    }
    double &A = Out[static_cast<size_t>(At)], X = Src[Flat];
    switch (O) {
    case lir::Op::Sum: A += X; break;
    case lir::Op::Prod: A *= X; break;
    default: A = std::isnan(A) || std::isnan(X) ? NAN : O == lir::Op::Maximum ? std::max(A, X) : std::min(A, X);
    }
  }
  return Out;
}

bool isComparison(lir::Op O) {
  using lir::Op;
  return O == Op::Lt || O == Op::Le || O == Op::Gt || O == Op::Ge || O == Op::Eq || O == Op::Ne ||
         O == Op::And || O == Op::Or || O == Op::Not;
}


/// Row-major elements of \p Src (shape \p S) selected by per-dim {start, stop, step} triples.
std::vector<double> sliceData(const std::vector<double> &Src, const Dims &S, const std::vector<int64_t> &Slices,
                              const Dims &Sliced) {
  std::vector<double> Out(static_cast<size_t>(lir::Shape{Sliced}.numel()));
  for (size_t J = 0; J < Out.size(); ++J) {
    int64_t Rest = static_cast<int64_t>(J), Pos = 0, Stride = 1;
    for (size_t K = S.size(); K-- > 0;) {
      int64_t C = Rest % Sliced[K];
      Rest /= Sliced[K];
      Pos += (Slices[3 * K] + C * Slices[3 * K + 2]) * Stride;
      Stride *= S[K];
    }
    Out[J] = Src[static_cast<size_t>(Pos)];
  }
  return Out;
}

/// \p Src (shape \p S) with its dims permuted: result dim i is dim \p Perm[i].
std::vector<double> permuteData(const std::vector<double> &Src, const Dims &S, const std::vector<int64_t> &Perm) {
  Dims InStride(S.size(), 1);
  for (size_t D = S.size(); D-- > 1;)
    InStride[D - 1] = InStride[D] * S[D];
  std::vector<double> Out(Src.size());
  for (size_t J = 0; J < Out.size(); ++J) {
    int64_t Rest = static_cast<int64_t>(J), Pos = 0;
    for (size_t K = Perm.size(); K-- > 0;) {
      auto D = static_cast<size_t>(Perm[K]);
      Pos += Rest % S[D] * InStride[D];
      Rest /= S[D];
    }
    Out[J] = Src[static_cast<size_t>(Pos)];
  }
  return Out;
}

} // namespace

ValuePtr OpBuilder::tensor(lir::ValueId V, Dims S, bool IsInt, bool IsBool) {
  auto T = std::make_shared<Value>();
  T->K = Value::Kind::Tensor;
  T->V = V;
  T->Shape = std::move(S);
  T->IsInt = IsInt || IsBool;
  T->IsBool = IsBool;
  return T;
}

ValuePtr OpBuilder::asTensor(const ValuePtr &V, SourceLoc L) {
  if (V->isTensor())
    return V;
  if (V->isNumber())
    return makeStaticTensor({}, {V->number()}, V->K != Value::Kind::Float, V->K == Value::Kind::Bool);
  if (V->K == Value::Kind::List || V->K == Value::Kind::Tuple)
    return call(OpId::Tensor, {V}, L, nullptr);
  if (V->K == Value::Kind::Drawn && V->Given)
    return asTensor(V->Given, L);
  if (isAbsentData(*V))
    invalid(L, absentData(*V));
  invalid(L, describe(*V) + " where a tensor is expected");
}

int64_t OpBuilder::normAxis(int64_t Axis, size_t Rank, SourceLoc L) {
  int64_t R = static_cast<int64_t>(Rank);
  int64_t A = Axis < 0 ? Axis + R : Axis;
  if (A < 0 || A >= std::max<int64_t>(R, 1))
    invalid(L, "dimension " + std::to_string(Axis) + " is out of range for a tensor of rank " + std::to_string(R));
  return A;
}

ValuePtr OpBuilder::elementwise(lir::Op O, const std::vector<ValuePtr> &Args, SourceLoc L, double S0, double S1) {
  std::vector<ValuePtr> Ts;
  Dims Out;
  bool AllStatic = true, AllKnown = true, AllInt = true, AllBool = true;
  std::set<std::string> Origins;
  for (const ValuePtr &A : Args) {
    ValuePtr T = asTensor(A, L);
    auto B = broadcastDims(Out, T->Shape);
    if (!B) {
      std::string Why;
      for (const ValuePtr &X : Args)
        if (X->isTensor() && !X->Origin.empty())
          Why = " (" + describe(*X) + ")";
      invalid(L, "shapes " + dimsString(Out) + " and " + dimsString(T->Shape) + " do not broadcast" + Why);
    }
    Out = *B;
    if (!T->Origin.empty())
      Origins.insert(T->Origin);
    AllStatic &= T->Static.has_value();
    AllKnown &= knownData(*T) != nullptr;
    AllInt &= T->IsInt;
    AllBool &= T->IsBool;
    Ts.push_back(T);
  }
  // torch on bool tensors: + is logical or, * logical and, - raises.
  if (AllBool && (O == lir::Op::Sub || O == lir::Op::Neg))
    invalid(L, "subtraction or negation of bool tensors (torch raises; use logical_not or logical_xor)");
  if (AllBool && O == lir::Op::Add)
    O = lir::Op::Or;
  if (AllBool && O == lir::Op::Mul)
    O = lir::Op::And;
  bool ResultBool = isComparison(O);
  bool ResultInt = ResultBool ||
                   (AllInt && (O == lir::Op::Add || O == lir::Op::Sub || O == lir::Op::Mul || O == lir::Op::Neg));
  // Folded at compile time when every operand is static; when some are only
  // Known (data), the result is emitted and carries the folded values.
  std::optional<std::vector<double>> Folded;
  if (AllKnown) {
    int64_t N = lir::Shape{Out}.numel();
    Folded.emplace(static_cast<size_t>(N));
    for (int64_t I = 0; I < N && Folded; ++I) {
      std::vector<double> X;
      for (const ValuePtr &T : Ts)
        X.push_back((*knownData(*T))[static_cast<size_t>(broadcastIndex(I, Out, T->Shape))]);
      if (auto R = foldScalar(O, X))
        (*Folded)[static_cast<size_t>(I)] = *R;
      else
        Folded.reset();
    }
    if (Folded && AllStatic)
      return makeStaticTensor(Out, std::move(*Folded), ResultInt, ResultBool);
  }
  lir::Instr I;
  I.Opcode = O;
  I.Scalar0 = S0;
  I.Scalar1 = S1;
  for (const ValuePtr &T : Ts)
    I.Operands.push_back(E.materialize(*T, L));
  auto R = std::make_shared<Value>(*tensor(E.emit(std::move(I), Out), Out, ResultInt, ResultBool));
  for (const std::string &O : Origins) // "x1, x2": every argument it is computed from
    R->Origin += (R->Origin.empty() ? "" : ", ") + O;
  return Folded ? withKnown(R, Ts, std::move(*Folded)) : R;
}

ValuePtr OpBuilder::unary(lir::Op O, const ValuePtr &A, SourceLoc L) {
  if (A->isNumber() && O == lir::Op::Neg)
    return A->K == Value::Kind::Float ? makeFloat(-A->F) : makeInt(-static_cast<int64_t>(A->number()));
  return elementwise(O, {A}, L);
}

ValuePtr OpBuilder::binary(lir::Op O, const ValuePtr &A, const ValuePtr &B, SourceLoc L) {
  return elementwise(O, {A, B}, L);
}

ValuePtr OpBuilder::pyBinary(ir::BinaryOp O, const ValuePtr &A, const ValuePtr &B, SourceLoc L) {
  using ir::BinaryOp;
  if (A->isNumber() && B->isNumber()) {
    bool Ints = A->K != Value::Kind::Float && B->K != Value::Kind::Float;
    double X = A->number(), Y = B->number();
    switch (O) {
    case BinaryOp::Add: return Ints ? makeInt(int64_t(X + Y)) : makeFloat(X + Y);
    case BinaryOp::Sub: return Ints ? makeInt(int64_t(X - Y)) : makeFloat(X - Y);
    case BinaryOp::Mul: return Ints ? makeInt(int64_t(X * Y)) : makeFloat(X * Y);
    case BinaryOp::Div:
      if (Y == 0)
        invalid(L, "division by zero");
      return makeFloat(X / Y);
    case BinaryOp::FloorDiv:
      if (Y == 0)
        invalid(L, "division by zero");
      return Ints ? makeInt(int64_t(std::floor(X / Y))) : makeFloat(std::floor(X / Y));
    case BinaryOp::Mod:
      if (Y == 0)
        invalid(L, "modulo by zero");
      return Ints ? makeInt(int64_t(X - Y * std::floor(X / Y))) : makeFloat(X - Y * std::floor(X / Y));
    case BinaryOp::Pow:
      return Ints && Y >= 0 ? makeInt(int64_t(std::pow(X, Y))) : makeFloat(std::pow(X, Y));
    default:
      break;
    }
  }
  if ((A->K == Value::Kind::List || A->K == Value::Kind::Tuple) && O == BinaryOp::Add && A->K == B->K) {
    std::vector<ValuePtr> Items = A->Items;
    Items.insert(Items.end(), B->Items.begin(), B->Items.end());
    return makeSequence(A->K, std::move(Items));
  }
  if (A->K == Value::Kind::Str && B->K == Value::Kind::Str && O == BinaryOp::Add)
    return makeStr(A->S + B->S);
  switch (O) {
  case BinaryOp::Add: return binary(lir::Op::Add, A, B, L);
  case BinaryOp::Sub: return binary(lir::Op::Sub, A, B, L);
  case BinaryOp::Mul: return binary(lir::Op::Mul, A, B, L);
  case BinaryOp::Div: return binary(lir::Op::Div, A, B, L);
  case BinaryOp::Pow: return binary(lir::Op::Pow, A, B, L);
  case BinaryOp::MatMul: return matmul(asTensor(A, L), asTensor(B, L), L);
  case BinaryOp::FloorDiv: return unary(lir::Op::Floor, binary(lir::Op::Div, A, B, L), L);
  default:
    break;
  }
  unsupported(L, "this binary operator on " + typeName(*A) + " and " + typeName(*B) + " values");
}

ValuePtr OpBuilder::compare(ir::CompareOp O, const ValuePtr &A, const ValuePtr &B, SourceLoc L) {
  using ir::CompareOp;
  bool Static = A->isStatic() && B->isStatic() && !A->isTensor() && !B->isTensor();
  if (O == CompareOp::Is || O == CompareOp::IsNot) {
    // Identity is decided at compile time: a run-time tensor is never None,
    // and two distinct value objects are never the same object.
    bool Same = A->K == B->K && (A->K == Value::Kind::None || A == B);
    return makeBool(O == CompareOp::Is ? Same : !Same);
  }
  if (O == CompareOp::In || O == CompareOp::NotIn) {
    if (!Static || (B->K != Value::Kind::List && B->K != Value::Kind::Tuple && B->K != Value::Kind::Dict))
      unsupported(L, "'in' on a run-time value");
    const auto &Pool = B->K == Value::Kind::Dict ? B->Keys : B->Items;
    bool Found = std::any_of(Pool.begin(), Pool.end(), [&](const ValuePtr &X) {
      return X->K == A->K && X->isStatic() && !X->isTensor() && pyStr(*X, L) == pyStr(*A, L);
    });
    return makeBool(O == CompareOp::In ? Found : !Found);
  }
  if (Static) {
    if (A->isNumber() && B->isNumber()) {
      double X = A->number(), Y = B->number();
      switch (O) {
      case CompareOp::Lt: return makeBool(X < Y);
      case CompareOp::Le: return makeBool(X <= Y);
      case CompareOp::Gt: return makeBool(X > Y);
      case CompareOp::Ge: return makeBool(X >= Y);
      case CompareOp::Eq: return makeBool(X == Y);
      case CompareOp::Ne: return makeBool(X != Y);
      default: break;
      }
    }
    if (A->K == Value::Kind::Str && B->K == Value::Kind::Str) {
      if (O == CompareOp::Eq)
        return makeBool(A->S == B->S);
      if (O == CompareOp::Ne)
        return makeBool(A->S != B->S);
    }
    if (O == CompareOp::Eq || O == CompareOp::Ne)
      return makeBool((A->K == B->K) == (O == CompareOp::Eq));
    unsupported(L, "comparing " + typeName(*A) + " and " + typeName(*B) + " values");
  }
  lir::Op Op;
  switch (O) {
  case CompareOp::Lt: Op = lir::Op::Lt; break;
  case CompareOp::Le: Op = lir::Op::Le; break;
  case CompareOp::Gt: Op = lir::Op::Gt; break;
  case CompareOp::Ge: Op = lir::Op::Ge; break;
  case CompareOp::Eq: Op = lir::Op::Eq; break;
  case CompareOp::Ne: Op = lir::Op::Ne; break;
  default: unsupported(L, "this comparison on tensors");
  }
  return binary(Op, A, B, L);
}

ValuePtr OpBuilder::where(const ValuePtr &C, const ValuePtr &A, const ValuePtr &B, SourceLoc L) {
  return elementwise(lir::Op::Where, {C, A, B}, L);
}

ValuePtr OpBuilder::softplus(const ValuePtr &X, double Beta, double Threshold, SourceLoc L) {
  return elementwise(lir::Op::Softplus, {X}, L, Beta, Threshold);
}

ValuePtr OpBuilder::clamp(const ValuePtr &X, double Lo, double Hi, SourceLoc L) {
  return elementwise(lir::Op::Clamp, {X}, L, Lo, Hi);
}

ValuePtr OpBuilder::softmax(const ValuePtr &X, int64_t Dim, bool Log, SourceLoc L) {
  ValuePtr T = asTensor(X, L);
  lir::Instr I;
  I.Opcode = Log ? lir::Op::LogSoftmax : lir::Op::Softmax;
  I.Axis = normAxis(Dim, T->Shape.size(), L);
  I.Operands = {E.materialize(*T, L)};
  return tensor(E.emit(std::move(I), T->Shape), T->Shape);
}

ValuePtr OpBuilder::sum(const ValuePtr &X, SourceLoc L) { return reduce(lir::Op::Sum, X, {}, false, L); }

ValuePtr OpBuilder::reduce(lir::Op O, const ValuePtr &X, std::vector<int64_t> Axes, bool KeepDim, SourceLoc L) {
  ValuePtr T = asTensor(X, L);
  for (int64_t &A : Axes)
    A = normAxis(A, T->Shape.size(), L);
  std::sort(Axes.begin(), Axes.end());
  Axes.erase(std::unique(Axes.begin(), Axes.end()), Axes.end());
  Dims Out;
  for (size_t D = 0; D < T->Shape.size(); ++D) {
    bool Reduced = Axes.empty() || std::binary_search(Axes.begin(), Axes.end(), int64_t(D));
    if (!Reduced)
      Out.push_back(T->Shape[D]);
    else if (KeepDim)
      Out.push_back(1);
  }
  bool IsInt = T->IsInt && O != lir::Op::Prod;
  // Folded when the operand is static; computed from data, the result carries
  // the folded values (a bound or a count may need them).
  const std::vector<double> *Data = knownData(*T);
  if (T->Static)
    return makeStaticTensor(Out, reduceData(*Data, T->Shape, Axes, O), IsInt);
  if (T->Shape.empty() && O == lir::Op::Sum)
    return T;
  lir::Instr I;
  I.Opcode = O;
  I.Ints = Axes;
  I.KeepDim = KeepDim;
  I.Operands = {E.materialize(*T, L)};
  ValuePtr R = tensor(E.emit(std::move(I), Out), Out, IsInt);
  return Data ? withKnown(R, {T}, reduceData(*Data, T->Shape, Axes, O)) : R;
}

ValuePtr OpBuilder::extremum(bool Max, const ValuePtr &X, SourceLoc L) {
  // LIR has no max/min reduction: the value must be known at compile time,
  // which fixes the data it is computed from.
  ValuePtr T = E.fixKnown(asTensor(X, L), L);
  if (!T->Static)
    unsupported(L, std::string("torch.") + (Max ? "max" : "min") +
                       " of a tensor whose values are not known at compile time (only values computed from data "
                       "arguments and constants are reduced)");
  if (T->Static->empty())
    invalid(L, std::string(Max ? "max" : "min") + "(): expected a non-empty tensor");
  return makeStaticTensor({}, reduceData(*T->Static, T->Shape, {}, Max ? lir::Op::Maximum : lir::Op::Minimum),
                          T->IsInt, T->IsBool);
}

Dims OpBuilder::viewShape(Dims S, int64_t N, const std::string &What, SourceLoc L) {
  int64_t Known = 1;
  int Infer = -1;
  for (size_t I = 0; I < S.size(); ++I) {
    if (S[I] == -1) {
      if (Infer >= 0)
        invalid(L, "only one dimension can be inferred");
      Infer = static_cast<int>(I);
    } else {
      Known *= S[I];
    }
  }
  if (Infer >= 0 && Known != 0)
    S[static_cast<size_t>(Infer)] = N / Known;
  if (lir::Shape{S}.numel() != N)
    invalid(L, What + " cannot be viewed as shape " + dimsString(S));
  return S;
}

ValuePtr OpBuilder::drawnArgument(const std::string &Name, const Dims &S, SourceLoc L) {
  int64_t N = lir::Shape{S}.numel();
  auto [It, New] = DrawnShapes.emplace(Name, S);
  if (!New && lir::Shape{It->second}.numel() != N)
    invalid(L, "data argument '" + Name + "' is drawn with shape " + dimsString(It->second) +
                   " and cannot be viewed as shape " + dimsString(S));
  auto D = std::make_shared<Value>();
  D->K = Value::Kind::Drawn;
  D->Origin = Name;
  D->Shape = S;
  if (N <= EnumeratedDrawnLimit) { // larger ones are enumerated by the rows selected (indexLargeDrawn)
    std::vector<double> P(static_cast<size_t>(N));
    std::iota(P.begin(), P.end(), 0.0);
    D->Positions = std::make_shared<const std::vector<double>>(std::move(P));
  }
  return D;
}

ValuePtr OpBuilder::positionsOf(const Value &X) {
  return makeStaticTensor(X.Shape, *X.Positions, /*IsInt=*/true);
}

ValuePtr OpBuilder::drawnView(const Value &X, const std::function<ValuePtr(const ValuePtr &)> &F, SourceLoc L) {
  ValuePtr P = F(positionsOf(X));
  if (!P->Static) // every shape operation folds a static operand
    unsupported(L, "a view of drawn data argument '" + X.Origin + "' that svic simulate does not follow");
  auto D = std::make_shared<Value>(X);
  D->Shape = P->Shape;
  D->Positions = std::make_shared<const std::vector<double>>(*P->Static);
  if (X.Given)
    D->Given = F(X.Given);
  return D;
}

ValuePtr OpBuilder::redrawnArgument(const ValuePtr &Given, SourceLoc L) {
  auto D = std::make_shared<Value>(*drawnArgument(Given->Origin, Given->Shape, L));
  D->Given = Given;
  return D;
}

ValuePtr OpBuilder::shaped(const ValuePtr &V, SourceLoc L) {
  return V->K == Value::Kind::Drawn ? V : asTensor(V, L);
}

ValuePtr OpBuilder::reshape(const ValuePtr &X, Dims S, SourceLoc L) {
  if (X->K == Value::Kind::Drawn) {
    std::string What = "data argument '" + X->Origin + "' (drawn) of shape " + dimsString(X->Shape);
    S = viewShape(std::move(S), lir::Shape{X->Shape}.numel(), What, L);
    if (X->Positions)
      return drawnView(*X, [&](const ValuePtr &V) { return reshape(V, S, L); }, L);
    auto Whole = std::make_shared<Value>(*X);
    Whole->Shape = S;
    if (X->Given)
      Whole->Given = reshape(X->Given, S, L);
    return Whole;
  }
  if (X->K == Value::Kind::None && !X->Origin.empty() && Simulate) {
    if (std::find(S.begin(), S.end(), -1) == S.end())
      return drawnArgument(X->Origin, S, L);
    auto Pending = std::make_shared<Value>(*X);
    Pending->Shape = std::move(S);
    return Pending;
  }
  if (X->K == Value::Kind::None && !X->Origin.empty())
    invalid(L, "missing data argument '" + X->Origin + "' (expected shape " + dimsString(S) +
                   " or any shape with as many elements; pass it with --data)");
  ValuePtr T = asTensor(X, L);
  S = viewShape(std::move(S), lir::Shape{T->Shape}.numel(),
                T->Origin.empty() ? std::string("a tensor of shape ") + dimsString(T->Shape)
                                  : "data argument '" + T->Origin + "' has shape " + dimsString(T->Shape) + ", which",
                L);
  if (S == T->Shape)
    return T;
  if (T->Static)
    return makeStaticTensor(S, *T->Static, T->IsInt, T->IsBool);
  lir::Instr I;
  I.Opcode = lir::Op::Reshape;
  I.Operands = {E.materialize(*T, L)};
  auto R = std::make_shared<Value>(*tensorLike(E.emit(std::move(I), S), S, *T));
  R->Origin = T->Origin;
  return T->Known ? withKnown(R, {T}, *T->Known) : R;
}

ValuePtr OpBuilder::expand(const ValuePtr &X, Dims S, SourceLoc L) {
  if (X->K == Value::Kind::Drawn && X->Positions)
    return drawnView(*X, [&](const ValuePtr &V) { return expand(V, S, L); }, L);
  ValuePtr T = asTensor(X, L);
  if (S.size() < T->Shape.size())
    invalid(L, "expand to fewer dimensions than the tensor has");
  for (size_t K = 0; K < T->Shape.size(); ++K) {
    size_t D = S.size() - T->Shape.size() + K;
    if (S[D] == -1)
      S[D] = T->Shape[K];
    if (T->Shape[K] != 1 && T->Shape[K] != S[D])
      invalid(L, "cannot expand a tensor of shape " + dimsString(T->Shape) + " to " + dimsString(S));
  }
  if (S == T->Shape)
    return T;
  if (T->Static) {
    std::vector<double> Out(static_cast<size_t>(lir::Shape{S}.numel()));
    for (size_t J = 0; J < Out.size(); ++J)
      Out[J] = (*T->Static)[static_cast<size_t>(broadcastIndex(static_cast<int64_t>(J), S, T->Shape))];
    return makeStaticTensor(S, std::move(Out), T->IsInt, T->IsBool);
  }
  lir::Instr I;
  I.Opcode = lir::Op::Expand;
  I.Operands = {E.materialize(*T, L)};
  return tensorLike(E.emit(std::move(I), S), S, *T);
}

ValuePtr OpBuilder::einsum(const std::string &Equation, const std::vector<ValuePtr> &Operands, SourceLoc L) {
  std::string Eq;
  for (char C : Equation)
    if (C != ' ')
      Eq += C;
  if (Eq.find("...") != std::string::npos)
    unsupported(L, "torch.einsum with an ellipsis");
  size_t Arrow = Eq.find("->");
  std::string Lhs = Eq.substr(0, Arrow);
  std::vector<std::string> Inputs(1);
  for (char C : Lhs) {
    if (C == ',')
      Inputs.emplace_back();
    else if (std::isalpha(static_cast<unsigned char>(C)))
      Inputs.back() += C;
    else
      invalid(L, "torch.einsum equation '" + Equation + "': '" + std::string(1, C) + "' is not a subscript letter");
  }
  if (Inputs.size() != Operands.size())
    invalid(L, "torch.einsum equation '" + Equation + "' names " + std::to_string(Inputs.size()) +
                   " operands, but " + std::to_string(Operands.size()) + " are given");
  std::map<char, int> Count;
  for (const std::string &In : Inputs)
    for (char C : In)
      ++Count[C];
  std::string Out;
  if (Arrow == std::string::npos) { // implicit: the letters used once, in alphabetical order
    for (const auto &[C, N] : Count)
      if (N == 1)
        Out += C;
  } else {
    Out = Eq.substr(Arrow + 2);
    for (char C : Out)
      if (!Count.count(C) || std::count(Out.begin(), Out.end(), C) != 1)
        invalid(L, "torch.einsum equation '" + Equation + "': output subscript '" + std::string(1, C) +
                       "' must appear once in the output and in some input");
  }
  // One index order for every operand: the output's letters, then the summed ones.
  std::string Order = Out;
  for (const std::string &In : Inputs)
    for (char C : In)
      if (Order.find(C) == std::string::npos)
        Order += C;
  ValuePtr Product;
  for (size_t K = 0; K < Operands.size(); ++K) {
    std::string Sub = Inputs[K];
    ValuePtr T = asTensor(Operands[K], L);
    if (T->Shape.size() != Sub.size())
      invalid(L, "torch.einsum operand " + std::to_string(K) + " has " + std::to_string(T->Shape.size()) +
                     " dimensions, but its subscripts '" + Sub + "' name " + std::to_string(Sub.size()));
    for (size_t I = 0; I < Sub.size(); ++I)
      if (Sub.find(Sub[I], I + 1) != std::string::npos)
        unsupported(L, "torch.einsum with a subscript repeated in one operand (a diagonal)");
    // Sort the operand's dimensions into Order by transpositions, then give
    // each letter it lacks a dimension of size 1.
    for (size_t I = 0; I < Sub.size(); ++I) {
      size_t Best = I;
      for (size_t J = I + 1; J < Sub.size(); ++J)
        if (Order.find(Sub[J]) < Order.find(Sub[Best]))
          Best = J;
      if (Best != I) {
        T = transpose(T, static_cast<int64_t>(I), static_cast<int64_t>(Best), L);
        std::swap(Sub[I], Sub[Best]);
      }
    }
    Dims Aligned;
    for (char C : Order) {
      size_t At = Sub.find(C);
      Aligned.push_back(At == std::string::npos ? 1 : T->Shape[At]);
    }
    T = reshape(T, Aligned, L);
    Product = Product ? binary(lir::Op::Mul, Product, T, L) : T;
  }
  std::vector<int64_t> Summed;
  for (size_t I = Out.size(); I < Order.size(); ++I)
    Summed.push_back(static_cast<int64_t>(I));
  return Summed.empty() ? Product : reduce(lir::Op::Sum, Product, Summed, /*KeepDim=*/false, L);
}

ValuePtr OpBuilder::transpose(const ValuePtr &X, int64_t D0, int64_t D1, SourceLoc L) {
  if (X->K == Value::Kind::Drawn && X->Positions)
    return drawnView(*X, [&](const ValuePtr &V) { return transpose(V, D0, D1, L); }, L);
  ValuePtr T = asTensor(X, L);
  if (T->Shape.size() < 2)
    return T;
  size_t A = static_cast<size_t>(normAxis(D0, T->Shape.size(), L)), B = static_cast<size_t>(normAxis(D1, T->Shape.size(), L));
  if (A == B)
    return T;
  std::vector<int64_t> Perm(T->Shape.size());
  std::iota(Perm.begin(), Perm.end(), 0);
  std::swap(Perm[A], Perm[B]);
  Dims Out = T->Shape;
  std::swap(Out[A], Out[B]);
  if (T->Static)
    return makeStaticTensor(Out, permuteData(*T->Static, T->Shape, Perm), T->IsInt, T->IsBool);
  lir::Instr I;
  I.Opcode = lir::Op::Transpose;
  I.Ints = Perm;
  I.Operands = {E.materialize(*T, L)};
  return tensorLike(E.emit(std::move(I), Out), Out, *T);
}

ValuePtr OpBuilder::matmul(const ValuePtr &A, const ValuePtr &B, SourceLoc L) {
  ValuePtr X = asTensor(A, L), Y = asTensor(B, L);
  const Dims &SA = X->Shape, &SB = Y->Shape;
  if (SA.empty() || SB.empty() || SA.size() > 2 || SB.size() > 2)
    unsupported(L, "matmul of shapes " + dimsString(SA) + " and " + dimsString(SB) + " (rank 1 and 2 only)");
  int64_t K1 = SA.back(), K2 = SB.size() == 1 ? SB[0] : SB[0];
  if (K1 != K2)
    invalid(L, "matmul of shapes " + dimsString(SA) + " and " + dimsString(SB) + ": inner sizes differ");
  Dims Out;
  if (SA.size() == 2)
    Out.push_back(SA[0]);
  if (SB.size() == 2)
    Out.push_back(SB[1]);
  lir::Instr I;
  I.Opcode = lir::Op::MatMul;
  I.Operands = {E.materialize(*X, L), E.materialize(*Y, L)};
  return tensor(E.emit(std::move(I), Out), Out);
}

ValuePtr OpBuilder::concat(const std::vector<ValuePtr> &Xs, int64_t Axis, bool Stack, SourceLoc L) {
  if (Xs.empty())
    invalid(L, "cat/stack of an empty list");
  std::vector<ValuePtr> Ts;
  for (const ValuePtr &X : Xs) {
    ValuePtr T = asTensor(X, L);
    if (Stack) {
      Dims S = T->Shape;
      int64_t A = Axis < 0 ? Axis + int64_t(S.size()) + 1 : Axis;
      if (A < 0 || A > int64_t(S.size()))
        invalid(L, "stack dimension out of range");
      S.insert(S.begin() + A, 1);
      T = reshape(T, S, L);
    }
    Ts.push_back(T);
  }
  Dims Out = Ts[0]->Shape;
  int64_t A = normAxis(Axis, Out.size(), L);
  Out[static_cast<size_t>(A)] = 0;
  lir::Instr I;
  I.Opcode = lir::Op::Concat;
  I.Axis = A;
  for (const ValuePtr &T : Ts) {
    Dims S = T->Shape;
    if (S.size() != Out.size())
      invalid(L, "cat of tensors of different ranks");
    for (size_t D = 0; D < S.size(); ++D)
      if (int64_t(D) != A && S[D] != Out[D])
        invalid(L, "cat of shapes that differ outside the cat dimension: " + dimsString(S));
    Out[static_cast<size_t>(A)] += S[static_cast<size_t>(A)];
    I.Operands.push_back(E.materialize(*T, L));
  }
  return tensor(E.emit(std::move(I), Out), Out);
}

ValuePtr OpBuilder::maskIndex(const ValuePtr &T, const std::vector<IndexItem> &Idx, size_t K, SourceLoc L) {
  const IndexItem &It = Idx[K];
  ValuePtr M = E.fixKnown(It.Index, It.Loc);
  if (!M->Static)
    unsupported(It.Loc, "indexing with a bool mask whose values are not known at compile time (the result's "
                        "shape depends on them); a mask computed from data arguments and constants alone is "
                        "evaluated, but this one is computed from " +
                            (M->Origin.empty() ? std::string("a param or a latent")
                                               : "'" + M->Origin + "' and a param, a latent or an operation "
                                                 "svic does not evaluate at compile time"));
  const Dims &S = T->Shape;
  auto Consumed = [&](const IndexItem &I) -> size_t {
    if (I.IsEllipsis || (I.Index && I.Index->K == Value::Kind::None))
      return 0;
    return I.Index && I.Index->isTensor() && I.Index->IsBool ? I.Index->Shape.size() : 1;
  };
  size_t Total = 0, D = 0;
  for (const IndexItem &I : Idx)
    Total += Consumed(I);
  if (Total > S.size())
    invalid(L, "too many indices for a tensor of rank " + std::to_string(S.size()));
  for (size_t J = 0; J < K; ++J)
    D += Idx[J].IsEllipsis ? S.size() - Total : Consumed(Idx[J]);
  size_t R = M->Shape.size();
  if (R == 0)
    unsupported(It.Loc, "indexing with a 0-d bool tensor");
  if (!std::equal(M->Shape.begin(), M->Shape.end(), S.begin() + int64_t(D)))
    invalid(It.Loc, "the shape of the mask " + dimsString(M->Shape) + " does not match the shape " +
                        dimsString(Dims(S.begin() + int64_t(D), S.begin() + int64_t(D + R))) +
                        " of the indexed tensor at dimension " + std::to_string(D));
  Dims Merged(S.begin(), S.begin() + int64_t(D));
  Merged.push_back(lir::Shape{M->Shape}.numel());
  Merged.insert(Merged.end(), S.begin() + int64_t(D + R), S.end());
  std::vector<double> Pos;
  for (size_t P = 0; P < M->Static->size(); ++P)
    if ((*M->Static)[P] != 0)
      Pos.push_back(static_cast<double>(P));
  std::vector<IndexItem> Positions = Idx;
  Dims Count{int64_t(Pos.size())};
  Positions[K].Index = makeStaticTensor(std::move(Count), std::move(Pos), /*IsInt=*/true);
  return index(reshape(T, Merged, L), Positions, L);
}

ValuePtr OpBuilder::indexLargeDrawn(const ValuePtr &X, const std::vector<IndexItem> &Idx, SourceLoc L) {
  auto TooLarge = [&](SourceLoc At) {
    unsupported(At, "data argument '" + X->Origin + "' (drawn, of shape " + dimsString(X->Shape) +
                        ") is too large for svic simulate to follow every element; select leading rows of it "
                        "with a constant index, slice or index tensor first");
  };
  const IndexItem *First = Idx.empty() ? nullptr : &Idx[0];
  int64_t N = X->Shape.empty() ? 0 : X->Shape[0], Rows = 0;
  if (!First || First->IsEllipsis || N == 0)
    TooLarge(L);
  if (First->IsSlice) {
    if ((First->Lo && *First->Lo < 0) || !First->Hi || *First->Hi < 0)
      TooLarge(First->Loc);
    Rows = std::min(*First->Hi, N);
  } else if (First->Index->K == Value::Kind::Int) {
    Rows = First->Index->I + 1;
  } else {
    ValuePtr I = First->Index->isTensor() || First->Index->K == Value::Kind::List ? asTensor(First->Index, L) : nullptr;
    if (!I || !I->Static || !I->IsInt || I->IsBool || I->Static->empty())
      TooLarge(First->Loc);
    for (double V : *I->Static)
      Rows = std::max(Rows, static_cast<int64_t>(V) + 1);
    if (*std::min_element(I->Static->begin(), I->Static->end()) < 0)
      TooLarge(First->Loc);
  }
  if (Rows <= 0 || Rows > N)
    TooLarge(First->Loc);
  // The leading rows hold the first positions of the argument (row-major).
  auto Lead = std::make_shared<Value>(*X);
  Lead->Shape[0] = Rows;
  std::vector<double> P(static_cast<size_t>(lir::Shape{Lead->Shape}.numel()));
  std::iota(P.begin(), P.end(), 0.0);
  Lead->Positions = std::make_shared<const std::vector<double>>(std::move(P));
  return index(Lead, Idx, L);
}

ValuePtr OpBuilder::inRange(const ValuePtr &Index, size_t Dim, int64_t Extent, bool Negative,
                            SourceLoc L) {
  const int64_t Low = Negative ? -Extent : 0;
  // Values known from the data given at compile time are checked now, and
  // again at run time: the compiled program may run on other data.
  if (const std::vector<double> *Known = knownData(*Index))
    for (double V : *Known)
      checkedIndex(static_cast<int64_t>(V), Dim, Extent, L, Negative);
  if (Index->Static || lir::Shape{Index->Shape}.numel() == 0)
    return Index;
  if (Extent == 0)
    invalid(L, "index into dimension " + std::to_string(Dim) + " of size 0");
  lir::Instr I;
  I.Opcode = lir::Op::CheckIndex;
  I.Ints = {Low, Extent};
  I.Site = SVIC_CHECK_BASE + static_cast<uint32_t>(IndexChecks.size());
  I.Operands = {E.materialize(*Index, L)};
  IndexChecks.push_back({L, Low, Extent});
  return tensorLike(E.emit(std::move(I), Index->Shape), Index->Shape, *Index);
}

void OpBuilder::checkIndicesPresent(const std::vector<IndexItem> &Idx) {
  for (const IndexItem &It : Idx) {
    if (!It.Index || !isAbsentData(*It.Index))
      continue;
    // Simulating, the name of an argument drawn at its site still holds None.
    const Value &V = *It.Index;
    bool Drawn = Simulate && V.K == Value::Kind::None && DrawnShapes.count(V.Origin);
    invalid(It.Loc, Drawn ? drawnRead(V.Origin) : absentData(V));
  }
}

ValuePtr OpBuilder::index(const ValuePtr &X, const std::vector<IndexItem> &Idx, SourceLoc L) {
  checkIndicesPresent(Idx);
  if (X->K == Value::Kind::Drawn)
    return X->Positions ? drawnView(*X, [&](const ValuePtr &V) { return index(V, Idx, L); }, L) : indexLargeDrawn(X, Idx, L);
  ValuePtr T = asTensor(X, L);
  for (size_t K = 0; K < Idx.size(); ++K)
    if (Idx[K].Index && Idx[K].Index->isTensor() && Idx[K].Index->IsBool)
      return maskIndex(T, Idx, K, L);
  const Dims &S = T->Shape;
  size_t Consuming = 0;
  for (const IndexItem &It : Idx)
    if (!It.IsEllipsis && !(It.Index && It.Index->K == Value::Kind::None))
      ++Consuming;
  if (Consuming > S.size())
    invalid(L, "too many indices for a tensor of rank " + std::to_string(S.size()));
  std::vector<int64_t> Slices; // start, stop, step per dim
  Dims Sliced;
  struct Piece {
    enum { Keep, Drop, NewAxis, Gathered } K;
    size_t Dim = 0;
  };
  std::vector<Piece> Pieces;
  ValuePtr GatherIndex;
  size_t GatherDim = 0, D = 0;
  bool Trivial = true;
  auto FullDim = [&](size_t Dm) {
    Slices.insert(Slices.end(), {0, S[Dm], 1});
    Sliced.push_back(S[Dm]);
  };
  for (const IndexItem &It : Idx) {
    if (It.IsEllipsis) {
      size_t Skip = S.size() - Consuming;
      for (size_t K = 0; K < Skip; ++K, ++D) {
        FullDim(D);
        Pieces.push_back({Piece::Keep, D});
      }
      continue;
    }
    if (It.Index && It.Index->K == Value::Kind::None) {
      Pieces.push_back({Piece::NewAxis, 0});
      continue;
    }
    int64_t N = S[D];
    if (It.IsSlice) {
      int64_t Step = It.Step.value_or(1);
      if (Step <= 0)
        unsupported(It.Loc, "a slice with a step that is not positive");
      auto Clip = [&](int64_t V) { return std::clamp(V < 0 ? V + N : V, int64_t(0), N); };
      int64_t Lo = It.Lo ? Clip(*It.Lo) : 0, Hi = It.Hi ? Clip(*It.Hi) : N;
      Hi = std::max(Hi, Lo);
      Slices.insert(Slices.end(), {Lo, Hi, Step});
      Sliced.push_back((Hi - Lo + Step - 1) / Step);
      Trivial &= Lo == 0 && Hi == N && Step == 1;
      Pieces.push_back({Piece::Keep, D});
    } else if (It.Index->K == Value::Kind::Int || It.Index->K == Value::Kind::Bool) {
      int64_t I = checkedIndex(It.Index->K == Value::Kind::Bool ? It.Index->B : It.Index->I, D, N, It.Loc);
      Slices.insert(Slices.end(), {I, I + 1, 1});
      Sliced.push_back(1);
      Trivial = false;
      Pieces.push_back({Piece::Drop, D});
    } else if (It.Index->isTensor() || It.Index->K == Value::Kind::List) {
      if (GatherIndex)
        unsupported(It.Loc, "more than one tensor index in one subscript");
      GatherIndex = asTensor(It.Index, It.Loc);
      if (!GatherIndex->IsInt)
        unsupported(It.Loc, "indexing with a tensor not known to be an integer or bool tensor");
      GatherIndex = inRange(GatherIndex, D, N, /*Negative=*/true, It.Loc);
      FullDim(D);
      GatherDim = D;
      Pieces.push_back({Piece::Gathered, D});
    } else {
      invalid(It.Loc, "a " + typeName(*It.Index) + " index");
    }
    ++D;
  }
  for (; D < S.size(); ++D) {
    FullDim(D);
    Pieces.push_back({Piece::Keep, D});
  }
  auto Final = [&] {
    Dims Out;
    for (const Piece &Pc : Pieces) {
      switch (Pc.K) {
      case Piece::Keep: Out.push_back(Sliced[Pc.Dim]); break;
      case Piece::Drop: break;
      case Piece::NewAxis: Out.push_back(1); break;
      case Piece::Gathered: Out.insert(Out.end(), GatherIndex->Shape.begin(), GatherIndex->Shape.end()); break;
      }
    }
    return Out;
  };
  // The selection at compile time when the operand and the index are static
  // or Known; the gathered positions are checked as PyTorch checks them.
  const std::vector<double> *TD = knownData(*T), *GD = GatherIndex ? knownData(*GatherIndex) : nullptr;
  std::optional<std::vector<double>> Sel;
  if (TD && (!GatherIndex || GD)) {
    Sel = sliceData(*TD, S, Slices, Sliced);
    if (GatherIndex) {
      int64_t Outer = 1, N = Sliced[GatherDim], Inner = 1;
      for (size_t K = 0; K < GatherDim; ++K)
        Outer *= Sliced[K];
      for (size_t K = GatherDim + 1; K < Sliced.size(); ++K)
        Inner *= Sliced[K];
      std::vector<double> G;
      G.reserve(static_cast<size_t>(Outer * Inner) * GD->size());
      for (int64_t O = 0; O < Outer; ++O)
        for (double Ix : *GD) {
          int64_t I = checkedIndex(static_cast<int64_t>(Ix), GatherDim, N, L);
          for (int64_t In = 0; In < Inner; ++In)
            G.push_back((*Sel)[static_cast<size_t>((O * N + I) * Inner + In)]);
        }
      Sel = std::move(G);
    }
    if (T->Static && (!GatherIndex || GatherIndex->Static))
      return makeStaticTensor(Final(), std::move(*Sel), T->IsInt, T->IsBool);
  }
  ValuePtr Cur = T;
  if (!Trivial) {
    lir::Instr I;
    I.Opcode = lir::Op::Slice;
    I.Ints = Slices;
    I.Operands = {E.materialize(*T, L)};
    Cur = tensorLike(E.emit(std::move(I), Sliced), Sliced, *T);
  }
  Dims GatheredShape = Sliced;
  if (GatherIndex) {
    GatheredShape.erase(GatheredShape.begin() + int64_t(GatherDim));
    GatheredShape.insert(GatheredShape.begin() + int64_t(GatherDim), GatherIndex->Shape.begin(), GatherIndex->Shape.end());
    lir::Instr I;
    I.Opcode = lir::Op::Gather;
    I.Axis = int64_t(GatherDim);
    I.Operands = {E.materialize(*Cur, L), E.materialize(*GatherIndex, L)};
    Cur = tensorLike(E.emit(std::move(I), GatheredShape), GatheredShape, *T);
  }
  ValuePtr R = reshape(Cur, Final(), L);
  if (R->Origin != T->Origin) { // a selection of data is still named after it
    auto Named = std::make_shared<Value>(*R);
    Named->Origin = T->Origin;
    R = Named;
  }
  if (!Sel)
    return R;
  return withKnown(R, GatherIndex ? std::vector<ValuePtr>{T, GatherIndex} : std::vector<ValuePtr>{T}, std::move(*Sel));
}

ValuePtr OpBuilder::vindex(const ValuePtr &X, const std::vector<IndexItem> &Idx, SourceLoc L) {
  checkIndicesPresent(Idx);
  ValuePtr T = asTensor(X, L);
  const Dims &S = T->Shape;
  bool Leading = !Idx.empty() && Idx.front().IsEllipsis;
  std::vector<IndexItem> Named(Idx.begin() + (Leading ? 1 : 0), Idx.end());
  bool Batched = false; // some index is a tensor of rank >= 1
  for (const IndexItem &It : Named) {
    if (It.IsEllipsis)
      unsupported(It.Loc, "Vindex takes '...' only as its first index (Pyro raises on any other)");
    if (It.IsSlice && (It.Lo || It.Hi || It.Step))
      unsupported(It.Loc, "Vindex takes only the full slice ':' (Pyro raises on any other)");
    if (It.IsSlice)
      continue;
    if (It.Index->K == Value::Kind::None || It.Index->K == Value::Kind::Bool ||
        (It.Index->isTensor() && It.Index->IsBool))
      unsupported(It.Loc, "a " + typeName(*It.Index) + " index in Vindex (Pyro's takes integers, integer tensors, "
                                                     "':' and a leading '...')");
    if (It.Index->K != Value::Kind::Int && !It.Index->isTensor() && It.Index->K != Value::Kind::List)
      invalid(It.Loc, "a " + typeName(*It.Index) + " index");
    Batched |= It.Index->K != Value::Kind::Int && !asTensor(It.Index, It.Loc)->Shape.empty();
  }
  if (Named.size() > S.size())
    invalid(L, "too many indices for a tensor of rank " + std::to_string(S.size()));
  // Without a tensor of rank >= 1 among the indices, Pyro indexes as torch does.
  if (!Batched)
    return index(T, Idx, L);
  // The dims the indices name are the rightmost ones after '...', else the
  // leftmost; a ':' there keeps its dim, the others broadcast together.
  size_t First = Leading ? S.size() - Named.size() : 0;
  IndexItem Colon;
  Colon.IsSlice = true;
  std::vector<IndexItem> Full(First, Colon);
  Full.insert(Full.end(), Named.begin(), Named.end());
  Full.resize(S.size(), Colon);
  int64_t KeptRight = 0; // ':' among the named dims: they stay right of the broadcast dims
  for (size_t D = First; D < S.size(); ++D)
    KeptRight += Full[D].IsSlice;
  // Each dim's coordinate, laid out as Pyro's vindex lays its arguments out;
  // the element read is at the sum of coordinate * stride.
  ValuePtr Flat;
  int64_t Stride = 1, SlicesRight = 0;
  for (size_t D = S.size(); D-- > 0;) {
    const IndexItem &It = Full[D];
    int64_t N = S[D];
    std::vector<double> Range(static_cast<size_t>(N));
    std::iota(Range.begin(), Range.end(), 0.0);
    ValuePtr Coord;
    if (It.IsSlice) {
      Dims Col(static_cast<size_t>(SlicesRight++), 1);
      Col.insert(Col.begin(), N);
      Coord = makeStaticTensor(std::move(Col), std::move(Range), /*IsInt=*/true);
    } else if (It.Index->K == Value::Kind::Int) {
      Coord = makeInt(checkedIndex(It.Index->I, D, N, It.Loc));
    } else {
      ValuePtr I = asTensor(It.Index, It.Loc);
      if (!I->IsInt)
        unsupported(It.Loc, "indexing with a tensor not known to be an integer tensor");
      if (const std::vector<double> *Known = knownData(*I))
        for (double V : *Known)
          checkedIndex(static_cast<int64_t>(V), D, N, It.Loc);
      // Negative indices wrapped as torch wraps them (a gather from 0..N-1).
      Coord = index(makeStaticTensor({N}, std::move(Range), /*IsInt=*/true), {tensorIndex(I, It.Loc)}, It.Loc);
      Dims Aligned = Coord->Shape;
      Aligned.resize(Aligned.size() + static_cast<size_t>(KeptRight), 1);
      Coord = reshape(Coord, std::move(Aligned), It.Loc);
    }
    ValuePtr Term = Stride == 1 ? Coord : binary(lir::Op::Mul, Coord, makeInt(Stride), L);
    Flat = Flat ? binary(lir::Op::Add, Flat, Term, L) : Term;
    Stride *= N;
  }
  return index(reshape(T, {Stride}, L), {tensorIndex(Flat, L)}, L);
}

ValuePtr OpBuilder::indexUpdate(const ValuePtr &X, const std::vector<IndexItem> &Idx, const ValuePtr &V, SourceLoc L) {
  ValuePtr T = asTensor(X, L);
  // A bool mask selects distinct positions; an integer tensor may repeat one,
  // where torch leaves the result undefined.
  for (const IndexItem &It : Idx)
    if (It.Index && It.Index->isTensor() && !It.Index->IsBool)
      unsupported(It.Loc, "assigning through an integer tensor index");
  // Which flat positions the subscript selects: index an arange of positions.
  int64_t N = lir::Shape{T->Shape}.numel();
  std::vector<double> Pos(static_cast<size_t>(N));
  std::iota(Pos.begin(), Pos.end(), 0.0);
  ValuePtr Sel = index(makeStaticTensor(T->Shape, Pos, true), Idx, L);
  ValuePtr Val = asTensor(V, L);
  auto Fit = broadcastDims(Sel->Shape, Val->Shape);
  if (!Fit || *Fit != Sel->Shape)
    invalid(L, "cannot assign a value of shape " + dimsString(Val->Shape) + " to a selection of shape " +
                   dimsString(Sel->Shape));
  if (T->IsBool && !Val->IsBool)
    unsupported(L, "assigning values that are not bool into a bool tensor");
  Val = expand(Val, Sel->Shape, L);
  const std::vector<double> &Picked = *Sel->Static;
  if (T->Static && Val->Static) {
    std::vector<double> Data = *T->Static;
    for (size_t J = 0; J < Picked.size(); ++J)
      Data[static_cast<size_t>(Picked[J])] = (*Val->Static)[J];
    return makeStaticTensor(T->Shape, std::move(Data), T->IsInt && Val->IsInt, T->IsBool);
  }
  // The result gathers from the old value's pieces and the assigned value. A
  // static old value whose elements are all equal (torch.zeros) is one element.
  auto Form = std::make_shared<ScatterForm>();
  std::vector<double> Index;
  if (T->Scatter) {
    Form->Sources = T->Scatter->Sources;
    Index = *T->Scatter->Index;
  } else if (T->Static && N > 0 &&
             std::all_of(T->Static->begin(), T->Static->end(), [&](double D) { return D == (*T->Static)[0]; })) {
    Form->Sources = {makeStaticTensor({1}, {(*T->Static)[0]}, T->IsInt)};
    Index.assign(static_cast<size_t>(N), 0.0);
  } else {
    Form->Sources = {reshape(T, {N}, L)};
    Index = Pos;
  }
  double Off = 0;
  for (const ValuePtr &S : Form->Sources)
    Off += static_cast<double>(lir::Shape{S->Shape}.numel());
  Form->Sources.push_back(reshape(Val, {lir::Shape{Sel->Shape}.numel()}, L));
  for (size_t J = 0; J < Picked.size(); ++J)
    Index[static_cast<size_t>(Picked[J])] = Off + static_cast<double>(J);
  // Drop the pieces that later assignments overwrote entirely.
  std::vector<int64_t> Start, Used(Form->Sources.size(), 0);
  int64_t At = 0;
  for (const ValuePtr &S : Form->Sources) {
    Start.push_back(At);
    At += lir::Shape{S->Shape}.numel();
  }
  auto SourceOf = [&](double P) {
    return static_cast<size_t>(std::upper_bound(Start.begin(), Start.end(), static_cast<int64_t>(P)) - Start.begin() - 1);
  };
  for (double P : Index)
    Used[SourceOf(P)] = 1;
  std::vector<ValuePtr> Kept;
  std::vector<int64_t> Shift(Form->Sources.size(), 0);
  int64_t Dropped = 0;
  for (size_t K = 0; K < Form->Sources.size(); ++K) {
    Shift[K] = Dropped;
    if (Used[K])
      Kept.push_back(Form->Sources[K]);
    else
      Dropped += lir::Shape{Form->Sources[K]->Shape}.numel();
  }
  if (Dropped)
    for (double &P : Index)
      P -= static_cast<double>(Shift[SourceOf(P)]);
  Form->Sources = std::move(Kept);
  Form->Index = std::make_shared<const std::vector<double>>(std::move(Index));
  Form->Home = E.current();
  auto R = std::make_shared<Value>();
  R->K = Value::Kind::Tensor;
  R->Shape = T->Shape;
  R->IsInt = T->IsInt && Val->IsInt;
  R->IsBool = T->IsBool;
  R->Scatter = std::move(Form);
  return R;
}

ValuePtr OpBuilder::scatterAdd(const ValuePtr &Self, int64_t Dim, const ValuePtr &Index, const ValuePtr &Src,
                               SourceLoc L) {
  ValuePtr T = asTensor(Self, L), I = asTensor(Index, L), S = asTensor(Src, L);
  size_t Rank = T->Shape.size();
  size_t D = static_cast<size_t>(normAxis(Dim, Rank, L));
  if (!I->IsInt || I->IsBool)
    invalid(L, "scatter_add_'s index must be an integer tensor");
  I = inRange(I, D, T->Shape[D], /*Negative=*/false, L);
  bool SrcFits = I->Shape.size() == Rank && S->Shape.size() == Rank;
  for (size_t K = 0; SrcFits && K < Rank; ++K)
    SrcFits = I->Shape[K] <= S->Shape[K];
  if (!SrcFits)
    invalid(L, "scatter_add_ with index of shape " + dimsString(I->Shape) + " and src of shape " +
                   dimsString(S->Shape) + " (torch needs equal ranks and an index no larger than src)");
  if (S->Shape != I->Shape) { // torch reads only src's leading block of the index's shape
    std::vector<IndexItem> Block(Rank);
    for (size_t K = 0; K < Rank; ++K) {
      Block[K].IsSlice = true;
      Block[K].Hi = I->Shape[K];
      Block[K].Loc = L;
    }
    S = index(S, Block, L);
  }
  for (size_t K = 0; K < Rank; ++K)
    if (K != D && I->Shape[K] > T->Shape[K])
      invalid(L, "scatter_add_ with index of shape " + dimsString(I->Shape) + " into self of shape " +
                     dimsString(T->Shape) + " (torch needs the index no larger than self outside dim)");
  // self + the sum along dim of one_hot(index) * src: a new axis after dim
  // runs over the target positions. The one-hot tensor is index.numel() x
  // self.size(dim), so a large vocabulary is refused rather than thrashed.
  int64_t N = T->Shape[D];
  constexpr int64_t MaxOneHot = int64_t(1) << 25;
  if (lir::Shape{I->Shape}.numel() > MaxOneHot / std::max<int64_t>(N, 1))
    unsupported(L, "scatter_add_ of " + std::to_string(lir::Shape{I->Shape}.numel()) + " values into " +
                       std::to_string(N) + " positions (svic sums a one-hot tensor of their product)");
  Dims Wide = I->Shape, RangeShape(Rank + 1, 1);
  Wide.insert(Wide.begin() + static_cast<int64_t>(D) + 1, 1);
  RangeShape[D + 1] = N;
  std::vector<double> Range(static_cast<size_t>(N));
  std::iota(Range.begin(), Range.end(), 0.0);
  ValuePtr Hit = binary(lir::Op::Eq, reshape(I, Wide, L), makeStaticTensor(RangeShape, std::move(Range), true), L);
  ValuePtr Added = reduce(lir::Op::Sum, binary(lir::Op::Mul, Hit, reshape(S, Wide, L), L),
                          {static_cast<int64_t>(D)}, /*KeepDim=*/false, L);
  for (size_t K = 0; K < Rank; ++K) // positions the index does not reach outside dim gain nothing
    if (Added->Shape[K] < T->Shape[K]) {
      Dims Rest = Added->Shape;
      Rest[K] = T->Shape[K] - Added->Shape[K];
      Added = concat({Added, makeStaticTensor(Rest, std::vector<double>(static_cast<size_t>(lir::Shape{Rest}.numel())))},
                     static_cast<int64_t>(K), /*Stack=*/false, L);
    }
  return binary(lir::Op::Add, T, Added, L);
}

ValuePtr OpBuilder::logProb(lir::Dist D, const std::vector<ValuePtr> &Args, SourceLoc L) {
  std::vector<ValuePtr> Ts;
  for (const ValuePtr &A : Args)
    Ts.push_back(asTensor(A, L));
  bool Vector = D == lir::Dist::CategoricalProbs || D == lir::Dist::CategoricalLogits || D == lir::Dist::Dirichlet;
  Dims Out = Ts[0]->Shape;
  if (D == lir::Dist::Dirichlet) {
    if (Out.empty() || Out.back() != Ts[1]->Shape.back())
      invalid(L, "a Dirichlet value of shape " + dimsString(Out) + " for concentration " + dimsString(Ts[1]->Shape));
    Out.pop_back();
  }
  for (size_t I = 1; I < Ts.size(); ++I) {
    Dims S = Ts[I]->Shape;
    if (Vector)
      S.pop_back();
    auto B = broadcastDims(Out, S);
    if (!B)
      invalid(L, "the value's shape " + dimsString(Ts[0]->Shape) + " does not broadcast with the parameters");
    Out = *B;
  }
  lir::Instr I;
  I.Opcode = lir::Op::LogProb;
  I.D = D;
  for (const ValuePtr &T : Ts)
    I.Operands.push_back(E.materialize(*T, L));
  return tensor(E.emit(std::move(I), Out), Out);
}

ValuePtr OpBuilder::rsample(const DistObject &D, const Dims &S, uint32_t Site, SourceLoc L) {
  auto Noise = [&](lir::Op O) {
    lir::Instr I;
    I.Opcode = O;
    I.Site = Site;
    return tensor(E.emit(std::move(I), S), S);
  };
  const auto &P = D.Params;
  switch (D.D) {
  case lir::Dist::Normal:
    return binary(lir::Op::Add, binary(lir::Op::Mul, Noise(lir::Op::StdNormal), P[1], L), P[0], L);
  case lir::Dist::LogNormal:
    return unary(lir::Op::Exp, binary(lir::Op::Add, binary(lir::Op::Mul, Noise(lir::Op::StdNormal), P[1], L), P[0], L), L);
  case lir::Dist::HalfNormal:
    return binary(lir::Op::Mul, unary(lir::Op::Abs, Noise(lir::Op::StdNormal), L), P[0], L);
  case lir::Dist::Uniform:
    return binary(lir::Op::Add, binary(lir::Op::Mul, Noise(lir::Op::Uniform01), binary(lir::Op::Sub, P[1], P[0], L), L), P[0], L);
  case lir::Dist::Exponential:
    return binary(lir::Op::Div, unary(lir::Op::Neg, unary(lir::Op::Log, Noise(lir::Op::Uniform01), L), L), P[0], L);
  default:
    break;
  }
  invalid(L, "internal: no pathwise sampler for " + D.Name);
}

bool OpBuilder::compositePathwise(ir::DistId Id) {
  return Id == ir::DistId::Laplace || Id == ir::DistId::Cauchy || Id == ir::DistId::HalfCauchy ||
         Id == ir::DistId::MultivariateNormal;
}

bool OpBuilder::compositeDiscrete(ir::DistId Id) {
  return Id == ir::DistId::Geometric || Id == ir::DistId::Binomial || Id == ir::DistId::ZeroInflatedNegativeBinomial ||
         Id == ir::DistId::Multinomial;
}

ValuePtr OpBuilder::compositeLogProb(const DistObject &D, const ValuePtr &X, SourceLoc L) {
  using ir::DistId;
  using lir::Op;
  const auto &P = D.Params;
  auto Num = [](double V) { return makeFloat(V); };
  auto Sub = [&](const ValuePtr &A, const ValuePtr &B) { return binary(Op::Sub, A, B, L); };
  auto Mul = [&](const ValuePtr &A, const ValuePtr &B) { return binary(Op::Mul, A, B, L); };
  auto Div = [&](const ValuePtr &A, const ValuePtr &B) { return binary(Op::Div, A, B, L); };
  auto Log = [&](const ValuePtr &A) { return unary(Op::Log, A, L); };
  auto Outside = [&](const ValuePtr &Bad, const ValuePtr &LP) { // -inf off the support
    return where(Bad, Num(-INFINITY), LP, L);
  };
  // log sigma(l) and log(1 - sigma(l)) = log sigma(-l), or log p and log1p(-p).
  auto LogP = [&](const ValuePtr &Pm) { return D.Logits ? unary(Op::LogSigmoid, Pm, L) : Log(Pm); };
  auto Log1mP = [&](const ValuePtr &Pm) {
    return D.Logits ? unary(Op::LogSigmoid, unary(Op::Neg, Pm, L), L) : unary(Op::Log1p, unary(Op::Neg, Pm, L), L);
  };
  // x * log q with 0 * log 0 = 0, as torch's xlogy.
  auto XLog = [&](const ValuePtr &Xv, const ValuePtr &LogQ) {
    return where(compare(ir::CompareOp::Eq, Xv, Num(0), L), Num(0), Mul(Xv, LogQ), L);
  };
  auto NotInteger = [&](const ValuePtr &Xv) {
    return binary(Op::Or, compare(ir::CompareOp::Ne, unary(Op::Floor, Xv, L), Xv, L),
                  compare(ir::CompareOp::Lt, Xv, Num(0), L), L);
  };
  switch (*D.Composite) {
  case DistId::Laplace: // -log(2 b) - |x - mu| / b
    return Sub(unary(Op::Neg, Log(Mul(Num(2), P[1])), L), Div(unary(Op::Abs, Sub(X, P[0]), L), P[1]));
  case DistId::Cauchy: { // -log(pi b) - log1p(((x - mu) / b)^2)
    ValuePtr Z = Div(Sub(X, P[0]), P[1]);
    return Sub(unary(Op::Neg, Log(Mul(Num(M_PI), P[1])), L), unary(Op::Log1p, Mul(Z, Z), L));
  }
  case DistId::HalfCauchy: { // log 2 - log(pi b) - log1p((x / b)^2), x >= 0
    ValuePtr Z = Div(X, P[0]);
    ValuePtr LP = Sub(Sub(Num(std::log(2.0)), Log(Mul(Num(M_PI), P[0]))), unary(Op::Log1p, Mul(Z, Z), L));
    return Outside(compare(ir::CompareOp::Lt, X, Num(0), L), LP);
  }
  case DistId::StudentT: { // torch's StudentT.log_prob
    ValuePtr Df = P[0], Y = Div(Sub(X, P[1]), P[2]);
    ValuePtr Half = Mul(Num(0.5), Df);
    ValuePtr Z = binary(Op::Add, binary(Op::Add, Log(P[2]), Mul(Num(0.5), Log(Df)), L),
                        Sub(binary(Op::Add, Num(0.5 * std::log(M_PI)), unary(Op::Lgamma, Half, L), L),
                            unary(Op::Lgamma, binary(Op::Add, Half, Num(0.5), L), L)),
                        L);
    return Sub(Mul(Mul(Num(-0.5), binary(Op::Add, Df, Num(1), L)), unary(Op::Log1p, Div(Mul(Y, Y), Df), L)), Z);
  }
  case DistId::Geometric: // x log(1 - p) + log p, x in {0, 1, ...}
    return Outside(NotInteger(X), binary(Op::Add, XLog(X, Log1mP(P[0])), LogP(P[0]), L));
  case DistId::MultivariateNormal: { // -|z|^2 / 2 - sum log L_ii - K/2 log 2 pi, with L z = x - loc
    ValuePtr Y = Sub(asTensor(X, L), P[0]);
    int64_t K = P[0]->Shape.back();
    auto Item = [&](const ValuePtr &T, std::vector<ValuePtr> Ix) { // T[..., i] of Y, T[i, j] of L
      std::vector<IndexItem> Idx;
      if (T != P[1]) {
        IndexItem Dots;
        Dots.IsEllipsis = true;
        Dots.Loc = L;
        Idx.push_back(Dots);
      }
      for (ValuePtr &V : Ix) {
        IndexItem It;
        It.Index = V;
        It.Loc = L;
        Idx.push_back(It);
      }
      return index(T, Idx, L);
    };
    std::vector<ValuePtr> Z;
    ValuePtr SumSq = Num(0), LogDet = Num(0);
    for (int64_t I = 0; I < K; ++I) {
      ValuePtr R = Item(Y, {makeInt(I)});
      for (int64_t J = 0; J < I; ++J)
        R = Sub(R, Mul(Item(P[1], {makeInt(I), makeInt(J)}), Z[static_cast<size_t>(J)]));
      ValuePtr Lii = Item(P[1], {makeInt(I), makeInt(I)});
      Z.push_back(Div(R, Lii));
      SumSq = binary(Op::Add, SumSq, Mul(Z.back(), Z.back()), L);
      LogDet = binary(Op::Add, LogDet, Log(Lii), L);
    }
    return Sub(Sub(Mul(Num(-0.5), SumSq), LogDet), Num(0.5 * static_cast<double>(K) * std::log(2 * M_PI)));
  }
  case DistId::ZeroInflatedNegativeBinomial: { // Pyro's ZeroInflatedDistribution over torch's NegativeBinomial
    ValuePtr R = P[0], Lg = P[1], G = P[2];
    ValuePtr Base = binary(Op::Add,
                           binary(Op::Add, Mul(R, unary(Op::LogSigmoid, unary(Op::Neg, Lg, L), L)),
                                  Mul(X, unary(Op::LogSigmoid, Lg, L)), L),
                           Sub(Sub(unary(Op::Lgamma, binary(Op::Add, R, X, L), L),
                                   unary(Op::Lgamma, binary(Op::Add, X, Num(1), L), L)),
                               unary(Op::Lgamma, R, L)),
                           L);
    ValuePtr MinusLogGate = Sub(Base, G);
    ValuePtr LogGate = unary(Op::Neg, softplus(unary(Op::Neg, G, L), 1, 20, L), L);
    ValuePtr LP = where(compare(ir::CompareOp::Eq, X, Num(0), L),
                        binary(Op::Add, softplus(MinusLogGate, 1, 20, L), LogGate, L),
                        binary(Op::Add, MinusLogGate, LogGate, L), L);
    return Outside(NotInteger(X), LP);
  }
  case DistId::Binomial: { // log C(n, x) + x log p + (n - x) log(1 - p), x in {0..n}
    ValuePtr N = P[0], NmX = Sub(N, X);
    ValuePtr Choose = Sub(Sub(unary(Op::Lgamma, binary(Op::Add, N, Num(1), L), L),
                              unary(Op::Lgamma, binary(Op::Add, X, Num(1), L), L)),
                          unary(Op::Lgamma, binary(Op::Add, NmX, Num(1), L), L));
    ValuePtr LP = binary(Op::Add, Choose, binary(Op::Add, XLog(X, LogP(P[1])), XLog(NmX, Log1mP(P[1])), L), L);
    return Outside(binary(Op::Or, NotInteger(X), compare(ir::CompareOp::Gt, X, N, L), L), LP);
  }
  case DistId::VonMises: { // torch's: k cos(x - mu) - log(2 pi) - log I0(k), I0 as torch approximates it
    // Horner's rule, highest coefficient first.
    auto Poly = [&](const ValuePtr &Y, std::initializer_list<double> Coef) {
      ValuePtr R = Num(*std::prev(Coef.end()));
      for (auto C = std::next(std::rbegin(Coef)); C != std::rend(Coef); ++C)
        R = binary(Op::Add, Num(*C), Mul(Y, R), L);
      return R;
    };
    ValuePtr K = P[1], Y = Div(K, Num(3.75));
    ValuePtr Small = Log(Poly(Mul(Y, Y), {1.0, 3.5156229, 3.0899424, 1.2067492, 0.2659732, 0.0360768, 0.0045813}));
    ValuePtr Large = binary(
        Op::Add, Sub(K, Mul(Num(0.5), Log(K))),
        Log(Poly(Div(Num(3.75), K), {0.39894228, 0.01328592, 0.00225319, -0.00157565, 0.00916281, -0.02057706,
                                     0.02635537, -0.01647633, 0.00392377})),
        L);
    ValuePtr LogI0 = where(compare(ir::CompareOp::Lt, K, Num(3.75), L), Small, Large, L);
    return Sub(Sub(Mul(K, unary(Op::Cos, Sub(X, P[0]), L)), Num(std::log(2 * M_PI))), LogI0);
  }
  case DistId::Multinomial: { // torch's: lgamma(sum x + 1) - sum lgamma(x + 1) + sum x log p
    // log p: torch's probs_to_logits of the normalised probs (clamped to
    // [eps, 1 - eps]), or the normalised logits.
    auto SumLast = [&](const ValuePtr &A) { return reduce(Op::Sum, A, {-1}, /*KeepDim=*/false, L); };
    auto AnyNegative = [&](const ValuePtr &A) {
      return compare(ir::CompareOp::Gt, SumLast(compare(ir::CompareOp::Lt, A, Num(0), L)), Num(0), L);
    };
    auto Plus1 = [&](const ValuePtr &A) { return binary(Op::Add, A, Num(1), L); };
    // Pyro validates x against multinomial(total_count): x >= 0 and sum x <= total_count.
    ValuePtr Bad = binary(Op::Or, AnyNegative(X), compare(ir::CompareOp::Gt, SumLast(X), P[1], L), L);
    ValuePtr LogP;
    if (D.Logits) {
      LogP = softmax(P[0], -1, /*Log=*/true, L);
    } else {
      // And probs against the simplex: non-negative, summing to 1 within 1e-6.
      ValuePtr OffSimplex = compare(ir::CompareOp::Ge, unary(Op::Abs, Sub(SumLast(P[0]), Num(1)), L), Num(1e-6), L);
      Bad = binary(Op::Or, Bad, binary(Op::Or, AnyNegative(P[0]), OffSimplex, L), L);
      constexpr double Eps = std::numeric_limits<double>::epsilon();
      LogP = Log(clamp(Div(P[0], reduce(Op::Sum, P[0], {-1}, /*KeepDim=*/true, L)), Eps, 1 - Eps, L));
    }
    ValuePtr LP = binary(Op::Add,
                         Sub(unary(Op::Lgamma, Plus1(SumLast(X)), L), SumLast(unary(Op::Lgamma, Plus1(X), L))),
                         SumLast(XLog(X, LogP)), L);
    return Outside(Bad, LP);
  }
  default:
    break;
  }
  invalid(L, "internal: no log-density for " + D.Name);
}

ValuePtr OpBuilder::compositeSample(const DistObject &D, const Dims &S, uint32_t Site,
                                    const std::function<uint32_t()> &NewStream, bool Pathwise, SourceLoc L) {
  using ir::DistId;
  using lir::Op;
  const auto &P = D.Params;
  auto Noise = [&](Op O, const Dims &Sh, uint32_t Stream) {
    lir::Instr I;
    I.Opcode = O;
    I.Site = Stream;
    return tensor(E.emit(std::move(I), Sh), Sh);
  };
  auto Num = [](double V) { return makeFloat(V); };
  auto Mul = [&](const ValuePtr &A, const ValuePtr &B) { return binary(Op::Mul, A, B, L); };
  auto Add = [&](const ValuePtr &A, const ValuePtr &B) { return binary(Op::Add, A, B, L); };
  auto Tan = [&](const ValuePtr &A) { return binary(Op::Div, unary(Op::Sin, A, L), unary(Op::Cos, A, L), L); };
  auto Prob = [&](const ValuePtr &Pm) { return D.Logits ? unary(Op::Sigmoid, Pm, L) : Pm; };
  ValuePtr Z;
  switch (*D.Composite) {
  case DistId::Laplace: { // mu - b sign(u) log1p(-2|u|), u ~ U(-1/2, 1/2)
    ValuePtr U = binary(Op::Sub, Noise(Op::Uniform01, S, Site), Num(0.5), L);
    ValuePtr T = unary(Op::Log1p, Mul(Num(-2), unary(Op::Abs, U, L)), L);
    Z = binary(Op::Sub, P[0], Mul(P[1], Mul(unary(Op::Sign, U, L), T)), L);
    break;
  }
  case DistId::Cauchy: // mu + b tan(pi (u - 1/2))
    Z = Add(P[0], Mul(P[1], Tan(Mul(Num(M_PI), binary(Op::Sub, Noise(Op::Uniform01, S, Site), Num(0.5), L)))));
    break;
  case DistId::HalfCauchy: // b tan(pi u / 2)
    Z = Mul(P[0], Tan(Mul(Num(M_PI / 2), Noise(Op::Uniform01, S, Site))));
    break;
  case DistId::StudentT: { // mu + s z / sqrt(g / df), g ~ Gamma(df / 2, 1 / 2) (chi-squared with df)
    lir::Instr I;
    I.Opcode = Op::Sample;
    I.D = lir::Dist::Gamma;
    I.Site = NewStream();
    for (const ValuePtr &Pm : {Mul(Num(0.5), P[0]), Num(0.5)})
      I.Operands.push_back(E.materialize(*Pm, L));
    ValuePtr Chi2 = tensor(E.emit(std::move(I), S), S);
    ValuePtr T = binary(Op::Div, Noise(Op::StdNormal, S, Site), unary(Op::Sqrt, binary(Op::Div, Chi2, P[0], L), L), L);
    Z = Add(P[1], Mul(P[2], T));
    break;
  }
  case DistId::MultivariateNormal: { // loc + eps L^T
    int64_t K = S.back();
    ValuePtr Eps = reshape(Noise(Op::StdNormal, S, Site), {-1, K}, L);
    Z = Add(P[0], reshape(matmul(Eps, transpose(P[1], 0, 1, L), L), S, L));
    break;
  }
  case DistId::ZeroInflatedNegativeBinomial: { // 0 with prob sigmoid(gate_logits), else Poisson(Gamma(r, e^-l))
    auto Draw = [&](lir::Dist Dd, std::vector<ValuePtr> Params, uint32_t Stream) {
      lir::Instr I;
      I.Opcode = Op::Sample;
      I.D = Dd;
      I.Site = Stream;
      for (const ValuePtr &Pm : Params)
        I.Operands.push_back(E.materialize(*Pm, L));
      return tensor(E.emit(std::move(I), S), S);
    };
    ValuePtr Rate = Draw(lir::Dist::Gamma, {P[0], unary(Op::Exp, unary(Op::Neg, P[1], L), L)}, NewStream());
    ValuePtr Count = Draw(lir::Dist::Poisson, {Rate}, Site);
    ValuePtr Zero = compare(ir::CompareOp::Lt, Noise(Op::Uniform01, S, NewStream()), unary(Op::Sigmoid, P[2], L), L);
    Z = where(Zero, Num(0), Count, L);
    break;
  }
  case DistId::Geometric: // floor(log u / log(1 - p))
    Z = unary(Op::Floor,
              binary(Op::Div, unary(Op::Log, Noise(Op::Uniform01, S, Site), L),
                     unary(Op::Log1p, unary(Op::Neg, Prob(P[0]), L), L), L),
              L);
    break;
  case DistId::Binomial: { // the number of n uniforms below p
    if (!P[0]->Static)
      unsupported(L, "sampling a Binomial whose total_count is not known at compile time");
    double N = 0;
    for (double V : *P[0]->Static)
      N = std::max(N, V);
    if (P[0]->Static->size() != 1)
      unsupported(L, "sampling a Binomial with several total counts");
    Dims Trials = S;
    Trials.push_back(static_cast<int64_t>(N));
    ValuePtr Pc = reshape(expand(Prob(P[1]), S, L), [&] { Dims C = S; C.push_back(1); return C; }(), L);
    Z = N == 0 ? makeStaticTensor(S, std::vector<double>(static_cast<size_t>(lir::Shape{S}.numel()), 0.0))
               : reduce(Op::Sum, compare(ir::CompareOp::Lt, Noise(Op::Uniform01, Trials, Site), Pc, L),
                                      {-1}, false, L);
    break;
  }
  case DistId::VonMises:
    unsupported(L, "drawing from a VonMises (it compiles where it is observed)");
  case DistId::Multinomial: { // the counts of total_count categorical draws
    int64_t N = static_cast<int64_t>((*P[1]->Static)[0]), K = S.back();
    if (N == 0) {
      Z = makeStaticTensor(S, std::vector<double>(static_cast<size_t>(lir::Shape{S}.numel()), 0.0));
      break;
    }
    Dims Draws(S.begin(), S.end() - 1), Col, Rows = P[0]->Shape;
    Draws.push_back(N);
    Col = Draws;
    Col.push_back(1);
    Rows.insert(Rows.end() - 1, 1); // one row of probabilities for all N draws
    lir::Instr I;
    I.Opcode = Op::Sample;
    I.D = D.D;
    I.Site = Site;
    I.Operands = {E.materialize(*reshape(P[0], Rows, L), L)};
    ValuePtr Index = reshape(tensor(E.emit(std::move(I), Draws), Draws, /*IsInt=*/true), Col, L);
    std::vector<double> Range(static_cast<size_t>(K));
    std::iota(Range.begin(), Range.end(), 0.0);
    Z = reduce(Op::Sum, compare(ir::CompareOp::Eq, Index, makeStaticTensor({K}, std::move(Range), true), L), {-2},
               /*KeepDim=*/false, L);
    break;
  }
  default:
    invalid(L, "internal: no sampler for " + D.Name);
  }
  return Pathwise ? Z : stopGradient(Z, L, compositeDiscrete(*D.Composite));
}

ValuePtr OpBuilder::stopGradient(const ValuePtr &X, SourceLoc L, bool IsInt) {
  lir::Instr I;
  I.Opcode = lir::Op::StopGradient;
  I.Operands = {E.materialize(*X, L)};
  return tensor(E.emit(std::move(I), X->Shape), X->Shape, IsInt);
}

ValuePtr OpBuilder::sampleNoGrad(const DistObject &D, const Dims &S, uint32_t Site, SourceLoc L) {
  switch (D.D) {
  case lir::Dist::Normal:
  case lir::Dist::LogNormal:
  case lir::Dist::HalfNormal:
  case lir::Dist::Uniform:
  case lir::Dist::Exponential:
    return stopGradient(rsample(D, S, Site, L), L);
  default: {
    lir::Instr I;
    I.Opcode = lir::Op::Sample;
    I.D = D.D;
    I.Site = Site;
    for (const ValuePtr &P : D.Params)
      I.Operands.push_back(E.materialize(*P, L));
    bool IsInt = D.D != lir::Dist::Gamma && D.D != lir::Dist::Beta && D.D != lir::Dist::Dirichlet;
    return tensor(E.emit(std::move(I), S), S, IsInt);
  }
  }
}

ValuePtr OpBuilder::bijectForward(const Bijection &B, const ValuePtr &U, SourceLoc L) {
  using lir::Op;
  // torch clips each sigmoid to [tiny, 1 - eps], so that a saturated draw
  // stays inside the support.
  constexpr double Tiny = std::numeric_limits<double>::min(), Eps = std::numeric_limits<double>::epsilon();
  if (!B.Simplex) { // low + (high - low) * sigmoid(u)
    ValuePtr Unit = clamp(unary(Op::Sigmoid, U, L), Tiny, 1 - Eps, L);
    return B.Low ? binary(Op::Add, B.Low, binary(Op::Mul, B.Width, Unit, L), L) : Unit;
  }
  // torch's StickBreakingTransform: z_j = sigmoid(u_j - log(K - 1 - j)), and
  // entry j is z_j prod_{i<j} (1 - z_i) (the last entry the whole product),
  // formed in log space: log z_j + sum_{i<j} log(1 - z_i); z_j's clip bounds both logs.
  int64_t N = U->Shape.back();
  std::vector<double> LogOffset(static_cast<size_t>(N));
  for (int64_t J = 0; J < N; ++J)
    LogOffset[static_cast<size_t>(J)] = std::log(static_cast<double>(N - J));
  ValuePtr X = binary(Op::Sub, U, makeStaticTensor({N}, std::move(LogOffset)), L);
  ValuePtr LogZ = clamp(unary(Op::LogSigmoid, X, L), std::log(Tiny), std::log1p(-Eps), L);
  ValuePtr Log1mZ = clamp(unary(Op::LogSigmoid, unary(Op::Neg, X, L), L), std::log(Eps), 0, L);
  Dims Last = U->Shape;
  Last.back() = 1;
  ValuePtr LogZOrOne = concat({LogZ, makeStaticTensor(Last, std::vector<double>(size_t(lir::Shape{Last}.numel()), 0.0))},
                              -1, /*Stack=*/false, L);
  return unary(Op::Exp, binary(Op::Add, LogZOrOne, prefixSums(Log1mZ, L), L), L);
}

ValuePtr OpBuilder::prefixSums(const ValuePtr &V, SourceLoc L) {
  // Hillis and Steele's scan, as LIR has none: log2(n + 1) rounds, each
  // adding the running sums shifted D places along.
  Dims S = V->Shape;
  int64_t M = S.back() + 1;
  auto Zeros = [&](int64_t Width) {
    Dims Z = S;
    Z.back() = Width;
    return makeStaticTensor(Z, std::vector<double>(size_t(lir::Shape{Z}.numel()), 0.0));
  };
  ValuePtr Sums = concat({Zeros(1), V}, -1, /*Stack=*/false, L);
  for (int64_t D = 1; D < M; D *= 2) {
    lir::Instr I;
    I.Opcode = lir::Op::Slice;
    for (size_t K = 0; K + 1 < S.size(); ++K)
      I.Ints.insert(I.Ints.end(), {0, S[K], 1});
    I.Ints.insert(I.Ints.end(), {0, M - D, 1});
    Dims Kept = S;
    Kept.back() = M - D;
    I.Operands = {E.materialize(*Sums, L)};
    ValuePtr Shifted = concat({Zeros(D), tensor(E.emit(std::move(I), Kept), Kept)}, -1, /*Stack=*/false, L);
    Sums = binary(lir::Op::Add, Sums, Shifted, L);
  }
  return Sums;
}

ValuePtr OpBuilder::bijectLogAbsDet(const Bijection &B, const ValuePtr &U, SourceLoc L) {
  using lir::Op;
  auto LogSigmoid = [&](const ValuePtr &V) { return unary(Op::LogSigmoid, V, L); };
  if (!B.Simplex) { // log(high - low) + log sigmoid(u) + log sigmoid(-u)
    ValuePtr LogDet = binary(Op::Add, LogSigmoid(U), LogSigmoid(unary(Op::Neg, U, L)), L);
    return B.Width ? binary(Op::Add, unary(Op::Log, B.Width, L), LogDet, L) : LogDet;
  }
  // torch's sum_j (log(1 - z_j) + log z_j + sum_{i<j} log(1 - z_i)): entry j
  // holds log z_j + (K - 1 - j) log(1 - z_j), with x_j = u_j - log(K - 1 - j).
  int64_t N = U->Shape.back();
  std::vector<double> Offset(static_cast<size_t>(N)), LogOffset(Offset.size());
  for (int64_t J = 0; J < N; ++J) {
    Offset[static_cast<size_t>(J)] = static_cast<double>(N - J);
    LogOffset[static_cast<size_t>(J)] = std::log(Offset[static_cast<size_t>(J)]);
  }
  ValuePtr X = binary(Op::Sub, U, makeStaticTensor({N}, std::move(LogOffset)), L);
  return binary(Op::Add, LogSigmoid(X),
                binary(Op::Mul, makeStaticTensor({N}, std::move(Offset)), LogSigmoid(unary(Op::Neg, X, L)), L), L);
}

ValuePtr OpBuilder::boundedLogProb(const DistObject &D, const ValuePtr &X, const ValuePtr &U, SourceLoc L) {
  using lir::Op;
  const Bijection &B = *D.Bounded;
  ValuePtr Low = B.Low ? B.Low : makeFloat(0), Width = B.Width ? B.Width : makeFloat(1);
  ValuePtr Unc = U;
  if (!Unc) { // torch's inverse: logit of the point's place in the interval, clamped inside it
    if (B.Simplex)
      unsupported(L, "the density of a given point of the simplex under stick-breaking (svic scores its own draws)");
    constexpr double Eps = std::numeric_limits<double>::epsilon();
    ValuePtr T = clamp(binary(Op::Div, binary(Op::Sub, X, Low, L), Width, L), std::numeric_limits<double>::min(),
                       1 - Eps, L);
    Unc = binary(Op::Sub, unary(Op::Log, T, L), unary(Op::Log1p, unary(Op::Neg, T, L), L), L);
  }
  ValuePtr LP = binary(Op::Sub, logProb(lir::Dist::Normal, {Unc, D.Params[0], D.Params[1]}, L),
                       bijectLogAbsDet(B, Unc, L), L);
  if (U)
    return LP;
  ValuePtr Outside = binary(Op::Or, compare(ir::CompareOp::Lt, X, Low, L),
                            compare(ir::CompareOp::Gt, X, binary(Op::Add, Low, Width, L), L), L);
  return where(Outside, makeFloat(-INFINITY), LP, L);
}

ValuePtr OpBuilder::constrain(const ValuePtr &U, const runtime::Constraint &C, const Dims &Shape, SourceLoc L) {
  using K = runtime::Constraint::Kind;
  switch (C.K) {
  case K::Real: return U;
  case K::Positive: return unary(lir::Op::Exp, U, L);
  case K::SoftplusPositive: return softplus(U, 1, 20, L); // torch's defaults, as Pyro calls it
  case K::GreaterThan: return binary(lir::Op::Add, unary(lir::Op::Exp, U, L), makeFloat(C.Low), L);
  case K::Interval:
    return binary(lir::Op::Add, binary(lir::Op::Mul, unary(lir::Op::Sigmoid, U, L), makeFloat(C.High - C.Low), L),
                  makeFloat(C.Low), L);
  case K::UnitInterval: return unary(lir::Op::Sigmoid, U, L);
  case K::Simplex: return softmax(U, -1, /*Log=*/false, L); // Pyro's transform_to(simplex)
  }
  return U;
}

Dims OpBuilder::shapeArg(const ValuePtr &V, SourceLoc L) {
  if (V->K == Value::Kind::Int)
    return {V->I};
  if (V->K != Value::Kind::List && V->K != Value::Kind::Tuple)
    unsupported(L, "a shape that is not a list of integers known at compile time");
  Dims S;
  for (const ValuePtr &I : V->Items) {
    if (I->K != Value::Kind::Int)
      unsupported(L, "a shape that is not a list of integers known at compile time");
    S.push_back(I->I);
  }
  return S;
}

} // namespace svic::backend::lower
