//===- LowerCalls.cpp - Operation-table calls in the partial evaluator -------===//
///
/// One case per row of Operations.def that the estimator compiler supports;
/// every other row is a located compile.unsupported error (the analysis still
/// covers it).
//===----------------------------------------------------------------------===//

#include "LowerOps.h"

#include <cmath>
#include <numeric>

namespace svic::backend::lower {

using ir::OpId;

namespace {

const ValuePtr &arg(const std::vector<ValuePtr> &Args, size_t I) {
  static const ValuePtr Null;
  return I < Args.size() ? Args[I] : Null;
}

std::optional<double> number(const ValuePtr &V) {
  if (!V)
    return std::nullopt;
  if (V->isNumber())
    return V->number();
  if (V->isTensor() && V->Static && V->Static->size() == 1)
    return (*V->Static)[0];
  return std::nullopt;
}

/// The elements of a nested list of numbers, row-major, and its shape.
bool flattenLiteral(const ValuePtr &V, Dims &Shape, std::vector<double> &Out, size_t Depth, bool &AllInt) {
  if (V->isNumber()) {
    if (Depth != Shape.size())
      return false;
    AllInt &= V->K != Value::Kind::Float;
    Out.push_back(V->number());
    return true;
  }
  if (V->K != Value::Kind::List && V->K != Value::Kind::Tuple)
    return false;
  if (Depth == Shape.size())
    Shape.push_back(static_cast<int64_t>(V->Items.size()));
  else if (Shape[Depth] != static_cast<int64_t>(V->Items.size()))
    return false;
  for (const ValuePtr &I : V->Items)
    if (!flattenLiteral(I, Shape, Out, Depth + 1, AllInt))
      return false;
  return true;
}

} // namespace

ValuePtr OpBuilder::call(OpId Op, const std::vector<ValuePtr> &Args, SourceLoc L, std::mt19937_64 *InitRng) {
  const ir::OpInfo &Info = ir::opInfo(Op);
  auto A = [&](size_t I) -> const ValuePtr & { return arg(Args, I); };
  auto Need = [&](size_t I) -> const ValuePtr & {
    if (!A(I))
      invalid(L, Info.QualifiedName + " needs its '" + Info.Params.at(I).Name + "' argument");
    return A(I);
  };
  // A compile-time number where the lowering needs one: a Known data value
  // counts, and fixes the data it comes from (Emitter::fixKnown).
  auto Fixed = [&](const ValuePtr &V) { return number(E.fixKnown(V, L)); };
  auto Int = [&](size_t I, int64_t Default) -> int64_t {
    if (!A(I) || A(I)->K == Value::Kind::None)
      return Default;
    auto N = Fixed(A(I));
    if (!N || std::floor(*N) != *N)
      unsupported(L, Info.QualifiedName + " '" + Info.Params.at(I).Name + "' that is not an integer known at compile time");
    return static_cast<int64_t>(*N);
  };
  auto Sizes = [&](size_t From) { // a variadic size slot: ints, or one list/tuple
    Dims S;
    if (From + 1 == Args.size() && Args[From] && Args[From]->K != Value::Kind::Int)
      return shapeArg(Args[From], L);
    for (size_t I = From; I < Args.size(); ++I)
      if (Args[I])
        S.push_back(Int(I, 0));
    return S;
  };
  auto Axes = [&](size_t I) {
    std::vector<int64_t> Out;
    if (!A(I) || A(I)->K == Value::Kind::None)
      return Out;
    if (A(I)->K == Value::Kind::Int)
      return std::vector<int64_t>{A(I)->I};
    return shapeArg(A(I), L);
  };
  auto Bool = [&](size_t I) { return A(I) && A(I)->isNumber() && A(I)->number() != 0; };
  auto Rand = [&](Dims S, bool Gaussian) {
    if (!InitRng)
      unsupported(L, Info.QualifiedName + " outside a parameter initialiser (fresh randomness on every run "
                                          "is not modelled; use pyro.sample)");
    std::vector<double> Data(static_cast<size_t>(lir::Shape{S}.numel()));
    std::normal_distribution<double> N01;
    std::uniform_real_distribution<double> U01;
    for (double &X : Data)
      X = Gaussian ? N01(*InitRng) : U01(*InitRng);
    return makeStaticTensor(std::move(S), std::move(Data));
  };
  auto Filled = [&](Dims S, double V, bool IsInt) {
    return makeStaticTensor(S, std::vector<double>(static_cast<size_t>(lir::Shape{S}.numel()), V), IsInt);
  };
  auto Elementwise1 = [&](lir::Op O) { return unary(O, Need(0), L); };
  auto StaticMath = [&](double (*Fn)(double), lir::Op O) -> ValuePtr {
    if (auto N = number(Need(0)); N && !A(0)->isTensor())
      return makeFloat(Fn(*N));
    return unary(O, A(0), L);
  };

  switch (Op) {
  case OpId::Exp: return Elementwise1(lir::Op::Exp);
  case OpId::Expm1: return Elementwise1(lir::Op::Expm1);
  case OpId::Log: return Elementwise1(lir::Op::Log);
  case OpId::Log1p: return Elementwise1(lir::Op::Log1p);
  case OpId::Sqrt: return Elementwise1(lir::Op::Sqrt);
  case OpId::Rsqrt: return Elementwise1(lir::Op::Rsqrt);
  case OpId::Pow: return binary(lir::Op::Pow, Need(0), Need(1), L);
  case OpId::Sigmoid:
  case OpId::FSigmoid: return Elementwise1(lir::Op::Sigmoid);
  case OpId::Tanh:
  case OpId::FTanh: return Elementwise1(lir::Op::Tanh);
  case OpId::Sin: return Elementwise1(lir::Op::Sin);
  case OpId::Cos: return Elementwise1(lir::Op::Cos);
  case OpId::Erf: return Elementwise1(lir::Op::Erf);
  case OpId::Lgamma: return Elementwise1(lir::Op::Lgamma);
  case OpId::Digamma: return Elementwise1(lir::Op::Digamma);
  case OpId::Abs: return Elementwise1(lir::Op::Abs);
  case OpId::Sign: return Elementwise1(lir::Op::Sign);
  case OpId::Floor: return Elementwise1(lir::Op::Floor);
  case OpId::Ceil: return Elementwise1(lir::Op::Ceil);
  case OpId::Round: return Elementwise1(lir::Op::Round);
  case OpId::Relu:
  case OpId::FRelu: return Elementwise1(lir::Op::Relu);
  case OpId::Clamp: {
    ValuePtr X = Need(0);
    auto Lo = number(A(1)), Hi = number(A(2));
    if ((A(1) && A(1)->K != Value::Kind::None && !Lo) || (A(2) && A(2)->K != Value::Kind::None && !Hi)) {
      if (A(1) && A(1)->K != Value::Kind::None)
        X = binary(lir::Op::Maximum, X, A(1), L);
      if (A(2) && A(2)->K != Value::Kind::None)
        X = binary(lir::Op::Minimum, X, A(2), L);
      return X;
    }
    return clamp(X, Lo.value_or(-INFINITY), Hi.value_or(INFINITY), L);
  }
  case OpId::Minimum: return binary(lir::Op::Minimum, Need(0), Need(1), L);
  case OpId::Maximum: return binary(lir::Op::Maximum, Need(0), Need(1), L);
  case OpId::Where: return where(Need(0), Need(1), Need(2), L);
  case OpId::FSoftplus: {
    auto Beta = number(A(1)), Thr = number(A(2));
    if ((A(1) && !Beta) || (A(2) && !Thr))
      unsupported(L, "softplus beta/threshold that are not numbers known at compile time");
    return softplus(Need(0), Beta.value_or(1.0), Thr.value_or(20.0), L);
  }
  case OpId::FElu: {
    ValuePtr X = Need(0);
    double Alpha = number(A(1)).value_or(1.0);
    ValuePtr Neg = binary(lir::Op::Mul, unary(lir::Op::Expm1, X, L), makeFloat(Alpha), L);
    return where(binary(lir::Op::Gt, X, makeFloat(0), L), X, Neg, L);
  }
  case OpId::FLeakyRelu: {
    ValuePtr X = Need(0);
    double Slope = number(A(1)).value_or(0.01);
    return where(binary(lir::Op::Gt, X, makeFloat(0), L), X, binary(lir::Op::Mul, X, makeFloat(Slope), L), L);
  }
  case OpId::FSoftmax:
  case OpId::FLogSoftmax:
  case OpId::Softmax: {
    ValuePtr X = asTensor(Need(0), L);
    size_t R = X->Shape.size();
    int64_t Implicit = (R == 0 || R == 1 || R == 3) ? 0 : 1; // torch's _get_softmax_dim
    return softmax(X, Int(1, Implicit), Op == OpId::FLogSoftmax, L);
  }
  case OpId::Sum: return reduce(lir::Op::Sum, Need(0), Axes(1), Bool(2), L);
  case OpId::Prod: return reduce(lir::Op::Prod, Need(0), Axes(1), Bool(2), L);
  case OpId::Mean: {
    ValuePtr X = asTensor(Need(0), L);
    ValuePtr S = reduce(lir::Op::Sum, X, Axes(1), Bool(2), L);
    int64_t Count = lir::Shape{X->Shape}.numel() / std::max<int64_t>(1, lir::Shape{S->Shape}.numel());
    return binary(lir::Op::Div, S, makeFloat(static_cast<double>(Count)), L);
  }
  case OpId::Max:
  case OpId::Min:
    if (A(1) && A(1)->isTensor()) // the two-tensor form is elementwise
      return binary(Op == OpId::Max ? lir::Op::Maximum : lir::Op::Minimum, Need(0), A(1), L);
    if (!A(1) || A(1)->K == Value::Kind::None)
      return extremum(Op == OpId::Max, Need(0), L);
    break;
  case OpId::Cumsum:
  case OpId::Cumprod: {
    // A running scan over the dim, one slice at a time: y_k = y_{k-1} (+|*) x_k.
    // Its adjoint is that of the slices, products and concat (O(n) work,
    // O(n) instructions for a dim of n).
    ValuePtr X = asTensor(Need(0), L);
    if (X->Shape.empty())
      return X;
    int64_t Axis = normAxis(Int(1, 0), X->Shape.size(), L), N = X->Shape[static_cast<size_t>(Axis)];
    auto At = [&](int64_t K) {
      std::vector<IndexItem> Idx(static_cast<size_t>(Axis) + 1);
      for (IndexItem &It : Idx) {
        It.IsSlice = true;
        It.Loc = L;
      }
      Idx.back().Lo = K;
      Idx.back().Hi = K + 1;
      return index(X, Idx, L);
    };
    std::vector<ValuePtr> Parts{At(0)};
    for (int64_t K = 1; K < N; ++K)
      Parts.push_back(binary(Op == OpId::Cumsum ? lir::Op::Add : lir::Op::Mul, Parts.back(), At(K), L));
    return N == 1 ? Parts[0] : concat(Parts, Axis, /*Stack=*/false, L);
  }
  case OpId::FPad: {
    // Constant padding: pad = (left, right) of the last dim, then of the one before, ...
    ValuePtr X = asTensor(Need(0), L);
    if (A(2) && A(2)->K != Value::Kind::None && !(A(2)->K == Value::Kind::Str && A(2)->S == "constant"))
      unsupported(L, "F.pad with a mode other than 'constant'");
    Dims Pad = shapeArg(Need(1), L);
    if (Pad.size() % 2 != 0 || Pad.size() / 2 > X->Shape.size())
      invalid(L, "F.pad needs pairs of pads for at most every dim of the input");
    double Fill = 0;
    if (A(3) && A(3)->K != Value::Kind::None) {
      auto F = number(A(3));
      if (!F)
        unsupported(L, "an F.pad value that is not a number known at compile time");
      Fill = *F;
    }
    for (size_t P = 0; P < Pad.size() / 2; ++P) {
      int64_t Axis = static_cast<int64_t>(X->Shape.size()) - 1 - static_cast<int64_t>(P);
      if (Pad[2 * P] < 0 || Pad[2 * P + 1] < 0)
        unsupported(L, "F.pad with negative padding (cropping)");
      std::vector<ValuePtr> Parts;
      for (int Side = 0; Side < 2; ++Side) {
        Dims S = X->Shape;
        S[static_cast<size_t>(Axis)] = Pad[2 * P + static_cast<size_t>(Side)];
        if (Side == 1)
          Parts.push_back(X);
        if (S[static_cast<size_t>(Axis)] > 0)
          Parts.push_back(makeStaticTensor(S, std::vector<double>(static_cast<size_t>(lir::Shape{S}.numel()), Fill)));
      }
      if (Parts.size() > 1)
        X = concat(Parts, Axis, /*Stack=*/false, L);
    }
    return X;
  }
  case OpId::FAffineGrid: return affineGrid(Need(0), shapeArg(Need(1), L), Bool(2), L);
  case OpId::FGridSample: {
    auto Option = [&](size_t I, const char *Default) {
      if (A(I) && A(I)->K != Value::Kind::None && !(A(I)->K == Value::Kind::Str && A(I)->S == Default))
        unsupported(L, "F.grid_sample with " + Info.Params.at(I).Name + " other than '" + Default + "'");
    };
    Option(2, "bilinear");
    Option(3, "zeros");
    return gridSample(Need(0), Need(1), Bool(4), L);
  }
  case OpId::Reshape:
  case OpId::View: return reshape(Need(0), Sizes(1), L);
  case OpId::Expand: return expand(Need(0), Sizes(1), L);
  case OpId::Unsqueeze: {
    ValuePtr X = shaped(Need(0), L);
    Dims S = X->Shape;
    int64_t D = Int(1, 0);
    if (D < 0)
      D += static_cast<int64_t>(S.size()) + 1;
    if (D < 0 || D > static_cast<int64_t>(S.size()))
      invalid(L, "unsqueeze dimension out of range");
    S.insert(S.begin() + D, 1);
    return reshape(X, S, L);
  }
  case OpId::Squeeze: {
    ValuePtr X = shaped(Need(0), L);
    Dims S;
    if (A(1)) {
      int64_t D = normAxis(Int(1, 0), X->Shape.size(), L);
      S = X->Shape;
      if (!S.empty() && S[static_cast<size_t>(D)] == 1)
        S.erase(S.begin() + D);
    } else {
      for (int64_t Dm : X->Shape)
        if (Dm != 1)
          S.push_back(Dm);
    }
    return reshape(X, S, L);
  }
  case OpId::Transpose: return transpose(Need(0), Int(1, 0), Int(2, 1), L);
  case OpId::T: return transpose(Need(0), 0, 1, L);
  case OpId::Flatten: {
    ValuePtr X = shaped(Need(0), L);
    if (X->Shape.empty())
      return reshape(X, {1}, L);
    int64_t S0 = normAxis(Int(1, 0), X->Shape.size(), L), S1 = normAxis(Int(2, -1), X->Shape.size(), L);
    Dims S(X->Shape.begin(), X->Shape.begin() + S0);
    int64_t M = 1;
    for (int64_t D = S0; D <= S1; ++D)
      M *= X->Shape[static_cast<size_t>(D)];
    S.push_back(M);
    S.insert(S.end(), X->Shape.begin() + S1 + 1, X->Shape.end());
    return reshape(X, S, L);
  }
  case OpId::Cat:
  case OpId::Stack: {
    const ValuePtr &Xs = Need(0);
    if (Xs->K != Value::Kind::List && Xs->K != Value::Kind::Tuple)
      invalid(L, Info.QualifiedName + " needs a list of tensors");
    return concat(Xs->Items, Int(1, 0), Op == OpId::Stack, L);
  }
  case OpId::IndexSelect: {
    ValuePtr X = shaped(Need(0), L), I = asTensor(Need(2), L);
    if (I->Shape.size() != 1)
      invalid(L, "index_select needs a 1-D index");
    std::vector<IndexItem> Idx(X->Shape.size());
    int64_t D = normAxis(Int(1, 0), X->Shape.size(), L);
    for (size_t K = 0; K < Idx.size(); ++K) {
      Idx[K].Loc = L;
      if (int64_t(K) == D) {
        auto Ix = std::make_shared<Value>(*I);
        Ix->IsInt = true;
        Ix->IsBool = false; // index_select gathers
        Idx[K].Index = Ix;
      } else {
        Idx[K].IsSlice = true;
      }
    }
    return index(X, Idx, L);
  }
  case OpId::ScatterAdd: return scatterAdd(Need(0), Int(1, 0), Need(2), Need(3), L);
  case OpId::Contiguous:
  case OpId::Clone:
  case OpId::Parameter: return shaped(Need(0), L);
  case OpId::FloatCast:
  case OpId::Double: {
    ValuePtr X = shaped(Need(0), L);
    if (!X->IsInt)
      return X;
    auto R = std::make_shared<Value>(*X);
    R->IsInt = R->IsBool = false;
    return R;
  }
  case OpId::Detach: {
    ValuePtr X = shaped(Need(0), L);
    if (X->Static || X->K == Value::Kind::Drawn)
      return X;
    lir::Instr I;
    I.Opcode = lir::Op::StopGradient;
    I.Operands = {E.materialize(*X, L)};
    return tensorLike(E.emit(std::move(I), X->Shape), X->Shape, *X);
  }
  case OpId::Long:
  case OpId::IntCast: {
    ValuePtr X = asTensor(Need(0), L);
    if (X->IsBool) {
      auto R = std::make_shared<Value>(*X);
      R->IsBool = false;
      return R;
    }
    if (X->IsInt)
      return X;
    // Truncation toward zero, as torch's cast.
    ValuePtr T = where(binary(lir::Op::Lt, X, makeFloat(0), L), unary(lir::Op::Ceil, X, L), unary(lir::Op::Floor, X, L), L);
    auto R = std::make_shared<Value>(*T);
    R->IsInt = true;
    return R;
  }
  case OpId::Bool: {
    ValuePtr R = binary(lir::Op::Ne, Need(0), makeFloat(0), L);
    return R;
  }
  case OpId::Size: {
    ValuePtr X = shaped(Need(0), L);
    if (A(1))
      return makeInt(X->Shape.at(static_cast<size_t>(normAxis(Int(1, 0), X->Shape.size(), L))));
    std::vector<ValuePtr> Items;
    for (int64_t D : X->Shape)
      Items.push_back(makeInt(D));
    return makeSequence(Value::Kind::Tuple, std::move(Items));
  }
  case OpId::Dim: return makeInt(static_cast<int64_t>(shaped(Need(0), L)->Shape.size()));
  case OpId::Item:
  case OpId::PyFloat: {
    const ValuePtr &X = Need(0);
    if (X->isNumber())
      return Op == OpId::PyFloat ? makeFloat(X->number()) : X;
    ValuePtr T = asTensor(X, L);
    if (lir::Shape{T->Shape}.numel() != 1)
      invalid(L, "only one-element tensors can be converted to Python scalars");
    if (T->Static)
      return T->IsInt && Op == OpId::Item ? makeInt(int64_t((*T->Static)[0])) : makeFloat((*T->Static)[0]);
    return reshape(T, {}, L);
  }
  case OpId::PyInt: {
    auto N = Fixed(Need(0));
    if (!N)
      unsupported(L, "int() of a run-time value");
    return makeInt(static_cast<int64_t>(std::trunc(*N)));
  }
  case OpId::Tensor:
  case OpId::FloatTensor:
  case OpId::LongTensor:
  case OpId::AsTensor: {
    const ValuePtr &D = Need(0);
    if (D->isTensor())
      return D;
    Dims S;
    std::vector<double> Data;
    bool AllInt = true;
    if (flattenLiteral(D, S, Data, 0, AllInt))
      return makeStaticTensor(S, std::move(Data), Op == OpId::LongTensor || (AllInt && Op != OpId::FloatTensor));
    if (D->K == Value::Kind::List || D->K == Value::Kind::Tuple)
      return concat(D->Items, 0, /*Stack=*/true, L);
    invalid(L, Info.QualifiedName + " of a " + typeName(*D));
  }
  case OpId::Zeros:
  case OpId::NewZeros: return Filled(Sizes(Op == OpId::Zeros ? 0 : 1), 0.0, false);
  case OpId::Ones:
  case OpId::NewOnes: return Filled(Sizes(Op == OpId::Ones ? 0 : 1), 1.0, false);
  case OpId::ZerosLike: return Filled(shaped(Need(0), L)->Shape, 0.0, false);
  case OpId::OnesLike: return Filled(shaped(Need(0), L)->Shape, 1.0, false);
  case OpId::Full: {
    auto V = number(Need(1));
    if (!V)
      return binary(lir::Op::Add, Filled(shapeArg(Need(0), L), 0.0, false), A(1), L);
    return Filled(shapeArg(Need(0), L), *V, false);
  }
  case OpId::NewTensor:
  case OpId::NewFull: { // the receiver's dtype, as torch gives it
    ValuePtr Self = asTensor(Need(0), L);
    if (A(Op == OpId::NewTensor ? 2 : 3) || Self->IsBool)
      unsupported(L, Info.QualifiedName + " with a dtype given or of a bool tensor");
    const bool Int = Self->IsInt;
    ValuePtr R;
    if (Op == OpId::NewFull) {
      auto V = number(Need(2));
      R = V ? Filled(shapeArg(Need(1), L), *V, Int)
            : binary(lir::Op::Add, Filled(shapeArg(Need(1), L), 0.0, Int), A(2), L);
    } else {
      R = call(OpId::Tensor, {Need(1)}, L, nullptr);
    }
    R = asTensor(R, L);
    if (R->IsInt == Int && !R->IsBool)
      return R;
    if (Int && !R->IsInt && !R->IsBool) // torch truncates toward zero into the integer dtype
      R = binary(lir::Op::Mul, unary(lir::Op::Sign, R, L),
                 unary(lir::Op::Floor, unary(lir::Op::Abs, R, L), L), L);
    auto Cast = std::make_shared<Value>(*R);
    Cast->IsInt = Int;
    Cast->IsBool = false;
    return Cast;
  }
  case OpId::Eye: {
    int64_t N = Int(0, 0), M = Int(1, N);
    std::vector<double> Data(static_cast<size_t>(N * M), 0.0);
    for (int64_t I = 0; I < std::min(N, M); ++I)
      Data[static_cast<size_t>(I * M + I)] = 1;
    return makeStaticTensor({N, M}, std::move(Data));
  }
  case OpId::Arange: {
    auto S0 = Fixed(Need(0)), S1 = Fixed(A(1)), St = Fixed(A(2));
    if (!S0 || (A(1) && !S1) || (A(2) && !St))
      unsupported(L, "torch.arange with bounds not known at compile time");
    double Start = A(1) ? *S0 : 0, End = A(1) ? *S1 : *S0, Step = St.value_or(1);
    if (Step == 0)
      invalid(L, "torch.arange step must not be zero");
    std::vector<double> Data;
    for (double X = Start; Step > 0 ? X < End : X > End; X += Step)
      Data.push_back(X);
    bool IsInt = std::floor(Start) == Start && std::floor(Step) == Step;
    int64_t N = static_cast<int64_t>(Data.size());
    return makeStaticTensor({N}, std::move(Data), IsInt);
  }
  case OpId::Linspace: {
    auto S0 = Fixed(Need(0)), S1 = Fixed(Need(1));
    int64_t N = Int(2, 0);
    if (!S0 || !S1)
      unsupported(L, "torch.linspace with bounds not known at compile time");
    std::vector<double> Data(static_cast<size_t>(N));
    for (int64_t I = 0; I < N; ++I)
      Data[static_cast<size_t>(I)] = N == 1 ? *S0 : *S0 + (*S1 - *S0) * double(I) / double(N - 1);
    return makeStaticTensor({N}, std::move(Data));
  }
  case OpId::Rand: return Rand(Sizes(0), false);
  case OpId::Randn: return Rand(Sizes(0), true);
  case OpId::Matmul:
  case OpId::Mm: return matmul(Need(0), Need(1), L);
  case OpId::Einsum: {
    if (Need(0)->K != Value::Kind::Str)
      unsupported(L, "torch.einsum with an equation that is not a string known at compile time");
    std::vector<ValuePtr> Operands; // einsum(eq, a, b) or the older einsum(eq, [a, b])
    if (Args.size() == 2 && A(1) && (A(1)->K == Value::Kind::List || A(1)->K == Value::Kind::Tuple))
      Operands = A(1)->Items;
    else
      for (size_t I = 1; I < Args.size(); ++I)
        Operands.push_back(Need(I));
    return einsum(Need(0)->S, Operands, L);
  }
  case OpId::PyLen: {
    const ValuePtr &X = Need(0);
    if (X->K == Value::Kind::List || X->K == Value::Kind::Tuple || X->K == Value::Kind::Dict)
      return makeInt(static_cast<int64_t>(X->Items.size()));
    if (X->K == Value::Kind::Str)
      return makeInt(static_cast<int64_t>(X->S.size()));
    ValuePtr T = shaped(X, L);
    if (T->Shape.empty())
      invalid(L, "len() of a 0-d tensor");
    return makeInt(T->Shape[0]);
  }
  case OpId::PyAbs: return A(0) && A(0)->isNumber() ? (A(0)->K == Value::Kind::Float ? makeFloat(std::fabs(A(0)->F)) : makeInt(std::llabs(A(0)->I))) : unary(lir::Op::Abs, Need(0), L);
  case OpId::PyMin:
  case OpId::PyMax: {
    std::vector<ValuePtr> Xs(Args.begin(), Args.end());
    if (Xs.size() == 1 && Xs[0] && (Xs[0]->K == Value::Kind::List || Xs[0]->K == Value::Kind::Tuple))
      Xs = Xs[0]->Items;
    if (Xs.empty())
      invalid(L, Info.QualifiedName + "() of an empty sequence");
    ValuePtr Best = Xs[0];
    for (size_t I = 1; I < Xs.size(); ++I) {
      if (Best->isNumber() && Xs[I]->isNumber()) {
        bool Less = Xs[I]->number() < Best->number();
        if (Op == OpId::PyMin ? Less : Xs[I]->number() > Best->number())
          Best = Xs[I];
        continue;
      }
      Best = binary(Op == OpId::PyMin ? lir::Op::Minimum : lir::Op::Maximum, Best, Xs[I], L);
    }
    return Best;
  }
  case OpId::PyRound: {
    auto N = number(Need(0));
    if (!N || A(0)->isTensor())
      unsupported(L, "round() of a run-time value");
    if (A(1))
      return makeFloat(std::nearbyint(*N * std::pow(10.0, double(Int(1, 0)))) / std::pow(10.0, double(Int(1, 0))));
    return makeInt(static_cast<int64_t>(std::nearbyint(*N)));
  }
  case OpId::PyStr: return makeStr(pyStr(*Need(0), L));
  case OpId::PyTuple:
  case OpId::PyList: {
    const ValuePtr &X = Need(0);
    if (X->K != Value::Kind::List && X->K != Value::Kind::Tuple)
      unsupported(L, Info.QualifiedName + "() of a " + typeName(*X));
    return makeSequence(Op == OpId::PyTuple ? Value::Kind::Tuple : Value::Kind::List, X->Items);
  }
  case OpId::ListAppend: {
    const ValuePtr &X = Need(0);
    if (X->K != Value::Kind::List)
      invalid(L, "append on a " + typeName(*X));
    std::vector<ValuePtr> Items = X->Items;
    Items.push_back(Need(1));
    return makeSequence(Value::Kind::List, std::move(Items));
  }
  case OpId::MathExp: return StaticMath(std::exp, lir::Op::Exp);
  case OpId::MathLog: {
    if (A(1))
      unsupported(L, "math.log with a base");
    return StaticMath(std::log, lir::Op::Log);
  }
  case OpId::MathSqrt: return StaticMath(std::sqrt, lir::Op::Sqrt);
  case OpId::MathLgamma: return StaticMath(std::lgamma, lir::Op::Lgamma);
  case OpId::MathFloor:
  case OpId::MathCeil: {
    auto N = number(Need(0));
    if (!N || A(0)->isTensor())
      unsupported(L, Info.QualifiedName + " of a run-time value");
    return makeInt(static_cast<int64_t>(Op == OpId::MathFloor ? std::floor(*N) : std::ceil(*N)));
  }
  case OpId::StrFormat: {
    const ValuePtr &T = Need(0);
    std::string Out;
    size_t Next = 1;
    for (size_t I = 0; I < T->S.size(); ++I) {
      if (T->S.compare(I, 2, "{}") == 0) {
        if (Next >= Args.size())
          invalid(L, "str.format has fewer arguments than fields");
        Out += pyStr(*Args[Next++], L);
        ++I;
      } else {
        Out += T->S[I];
      }
    }
    return makeStr(Out);
  }
  case OpId::DistLogProb: {
    const ValuePtr &D = Need(0);
    if (D->K != Value::Kind::Dist)
      invalid(L, "log_prob of a " + typeName(*D));
    std::vector<ValuePtr> LArgs{Need(1)};
    LArgs.insert(LArgs.end(), D->Dist->Params.begin(), D->Dist->Params.end());
    ValuePtr LP = logProb(D->Dist->D, LArgs, L);
    return D->Dist->Mask ? binary(lir::Op::Mul, LP, D->Dist->Mask, L) : LP;
  }
  case OpId::DistSample: {
    // `dist.Uniform(0, 2).sample([T])` in a parameter initialiser: a constant.
    const ValuePtr &DV = Need(0);
    if (DV->K != Value::Kind::Dist)
      invalid(L, "sample() of a " + typeName(*DV));
    if (!InitRng)
      unsupported(L, "Distribution.sample outside a parameter initialiser (use pyro.sample)");
    const DistObject &D = *DV->Dist;
    Dims S = A(1) && A(1)->K != Value::Kind::None ? shapeArg(A(1), L) : Dims{};
    Dims Batch = D.Full;
    S.insert(S.end(), Batch.begin(), Batch.end());
    int64_t K = 1;
    if (D.D == lir::Dist::Dirichlet || D.D == lir::Dist::CategoricalProbs) {
      K = D.Params[0]->Shape.back();
      if (D.D == lir::Dist::Dirichlet)
        S.push_back(K);
    }
    // A composite keeps a placeholder D.D (a Normal's shape rules): only
    // those drawn by their own law below are accepted.
    if (D.Composite && *D.Composite != ir::DistId::StudentT && *D.Composite != ir::DistId::Cauchy &&
        *D.Composite != ir::DistId::HalfCauchy && *D.Composite != ir::DistId::Laplace)
      unsupported(L, "sample() of dist." + D.Name + " in a parameter initialiser");
    std::vector<ValuePtr> Ps;
    for (const ValuePtr &P : D.Params) {
      if (!P->Static)
        unsupported(L, "Distribution.sample with parameters not known at compile time");
      Ps.push_back(P);
    }
    int64_t Draws = lir::Shape{S}.numel() / (D.D == lir::Dist::Dirichlet ? K : 1);
    Dims DrawShape = S;
    if (D.D == lir::Dist::Dirichlet)
      DrawShape.pop_back();
    auto Param = [&](size_t I, int64_t Flat, int64_t Comp) {
      const ValuePtr &P = Ps[I];
      bool Vector = D.D == lir::Dist::Dirichlet || D.D == lir::Dist::CategoricalProbs;
      Dims PS = P->Shape;
      if (Vector)
        PS.pop_back();
      int64_t Idx = broadcastIndex(Flat, DrawShape, PS);
      return (*P->Static)[static_cast<size_t>(Vector ? Idx * K + Comp : Idx)];
    };
    std::mt19937_64 &R = *InitRng;
    std::vector<double> Out;
    Out.reserve(static_cast<size_t>(lir::Shape{S}.numel()));
    auto Gamma = [&](double Shape, double Rate) { return std::gamma_distribution<double>(Shape, 1 / Rate)(R); };
    for (int64_t I = 0; I < Draws; ++I) {
      if (D.Composite) {
        switch (*D.Composite) {
        case ir::DistId::StudentT:
          Out.push_back(Param(1, I, 0) + Param(2, I, 0) * std::student_t_distribution<double>(Param(0, I, 0))(R));
          break;
        case ir::DistId::Cauchy: Out.push_back(std::cauchy_distribution<double>(Param(0, I, 0), Param(1, I, 0))(R)); break;
        case ir::DistId::HalfCauchy: Out.push_back(std::fabs(std::cauchy_distribution<double>(0, Param(0, I, 0))(R))); break;
        default: { // Laplace: a signed exponential
          double E = std::exponential_distribution<double>(1)(R);
          Out.push_back(Param(0, I, 0) + Param(1, I, 0) * (std::bernoulli_distribution(0.5)(R) ? E : -E));
          break;
        }
        }
        continue;
      }
      switch (D.D) {
      case lir::Dist::Normal: Out.push_back(std::normal_distribution<double>(Param(0, I, 0), Param(1, I, 0))(R)); break;
      case lir::Dist::LogNormal: Out.push_back(std::lognormal_distribution<double>(Param(0, I, 0), Param(1, I, 0))(R)); break;
      case lir::Dist::HalfNormal: Out.push_back(std::fabs(std::normal_distribution<double>(0, Param(0, I, 0))(R))); break;
      case lir::Dist::Uniform: Out.push_back(std::uniform_real_distribution<double>(Param(0, I, 0), Param(1, I, 0))(R)); break;
      case lir::Dist::Exponential: Out.push_back(std::exponential_distribution<double>(Param(0, I, 0))(R)); break;
      case lir::Dist::Gamma: Out.push_back(Gamma(Param(0, I, 0), Param(1, I, 0))); break;
      case lir::Dist::Beta: {
        double X = Gamma(Param(0, I, 0), 1), Y = Gamma(Param(1, I, 0), 1);
        Out.push_back(X / (X + Y));
        break;
      }
      case lir::Dist::Poisson: Out.push_back(double(std::poisson_distribution<int64_t>(Param(0, I, 0))(R))); break;
      case lir::Dist::Dirichlet: {
        std::vector<double> G(static_cast<size_t>(K));
        double Sum = 0;
        for (int64_t C = 0; C < K; ++C)
          Sum += G[static_cast<size_t>(C)] = Gamma(Param(0, I, C), 1);
        for (double X : G)
          Out.push_back(X / Sum);
        break;
      }
      default:
        unsupported(L, "sample() of dist." + D.Name + " in a parameter initialiser");
      }
    }
    return makeStaticTensor(S, std::move(Out), !D.Composite && D.D == lir::Dist::Poisson);
  }
  case OpId::FillInit:
  case OpId::ZeroInit: {
    ValuePtr X = asTensor(Need(0), L);
    auto V = Op == OpId::ZeroInit ? std::optional<double>(0.0) : number(A(1));
    if (!V)
      unsupported(L, "fill_ with a value not known at compile time");
    if (X->IsBool)
      return makeStaticTensor(X->Shape, std::vector<double>(static_cast<size_t>(lir::Shape{X->Shape}.numel()), *V != 0),
                              true, true);
    return Filled(X->Shape, *V, X->IsInt);
  }
  case OpId::NormalInit:
  case OpId::UniformInit: {
    ValuePtr X = asTensor(Need(0), L);
    ValuePtr R = Rand(X->Shape, Op == OpId::NormalInit);
    double P0 = number(A(1)).value_or(0.0), P1 = number(A(2)).value_or(1.0);
    std::vector<double> Data = *R->Static;
    for (double &D : Data)
      D = Op == OpId::NormalInit ? P0 + P1 * D : P0 + (P1 - P0) * D;
    return makeStaticTensor(X->Shape, std::move(Data));
  }
  default:
    break;
  }
  unsupported(L, Info.QualifiedName + " in the estimator compiler");
}

} // namespace svic::backend::lower
