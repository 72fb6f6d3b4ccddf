//===- Lir.cpp - Names, printer and verifier of the backend IR -------------===//

#include "svic/backend/Lir.h"

#include "LirUtil.h"
#include "svic/runtime/Abi.h"

#include <cmath>
#include <sstream>
#include <unordered_set>

namespace svic::backend::lir {

std::string opName(Op O) {
  switch (O) {
  case Op::Const: return "Const";
  case Op::Input: return "Input";
  case Op::Param: return "Param";
  case Op::StdNormal: return "StdNormal";
  case Op::Uniform01: return "Uniform01";
  case Op::Subsample: return "Subsample";
  case Op::Neg: return "Neg";
  case Op::Exp: return "Exp";
  case Op::Log: return "Log";
  case Op::Log1p: return "Log1p";
  case Op::Expm1: return "Expm1";
  case Op::Sqrt: return "Sqrt";
  case Op::Rsqrt: return "Rsqrt";
  case Op::Sigmoid: return "Sigmoid";
  case Op::LogSigmoid: return "LogSigmoid";
  case Op::Tanh: return "Tanh";
  case Op::Softplus: return "Softplus";
  case Op::Relu: return "Relu";
  case Op::Abs: return "Abs";
  case Op::Sign: return "Sign";
  case Op::Floor: return "Floor";
  case Op::Ceil: return "Ceil";
  case Op::Round: return "Round";
  case Op::Sin: return "Sin";
  case Op::Cos: return "Cos";
  case Op::Erf: return "Erf";
  case Op::Lgamma: return "Lgamma";
  case Op::Digamma: return "Digamma";
  case Op::Add: return "Add";
  case Op::Sub: return "Sub";
  case Op::Mul: return "Mul";
  case Op::Div: return "Div";
  case Op::Pow: return "Pow";
  case Op::Minimum: return "Minimum";
  case Op::Maximum: return "Maximum";
  case Op::Lt: return "Lt";
  case Op::Le: return "Le";
  case Op::Gt: return "Gt";
  case Op::Ge: return "Ge";
  case Op::Eq: return "Eq";
  case Op::Ne: return "Ne";
  case Op::And: return "And";
  case Op::Or: return "Or";
  case Op::Not: return "Not";
  case Op::Where: return "Where";
  case Op::Clamp: return "Clamp";
  case Op::Reshape: return "Reshape";
  case Op::Expand: return "Expand";
  case Op::Transpose: return "Transpose";
  case Op::Slice: return "Slice";
  case Op::Gather: return "Gather";
  case Op::Concat: return "Concat";
  case Op::Sum: return "Sum";
  case Op::Prod: return "Prod";
  case Op::Softmax: return "Softmax";
  case Op::LogSoftmax: return "LogSoftmax";
  case Op::MatMul: return "MatMul";
  case Op::LogProb: return "LogProb";
  case Op::Sample: return "Sample";
  case Op::StopGradient: return "StopGradient";
  case Op::CheckFinite: return "CheckFinite";
  case Op::CheckIndex: return "CheckIndex";
  case Op::Output: return "Output";
  case Op::If: return "If";
  }
  return "?";
}

std::string distName(Dist D) {
  switch (D) {
  case Dist::Normal: return "Normal";
  case Dist::LogNormal: return "LogNormal";
  case Dist::HalfNormal: return "HalfNormal";
  case Dist::Uniform: return "Uniform";
  case Dist::Exponential: return "Exponential";
  case Dist::Gamma: return "Gamma";
  case Dist::Beta: return "Beta";
  case Dist::BernoulliProbs: return "BernoulliProbs";
  case Dist::BernoulliLogits: return "BernoulliLogits";
  case Dist::Poisson: return "Poisson";
  case Dist::CategoricalProbs: return "CategoricalProbs";
  case Dist::CategoricalLogits: return "CategoricalLogits";
  case Dist::Dirichlet: return "Dirichlet";
  }
  return "?";
}

//===-- Printer -------------------------------------------------------------===//

namespace {

std::string shapeText(const Shape &S) {
  std::string T = "[";
  for (size_t I = 0; I < S.rank(); ++I)
    T += (I ? "," : "") + std::to_string(S.Dims[I]);
  return T + "]";
}

/// Shortest text that reads back as the same double.
std::string num(double X) {
  std::ostringstream OS;
  OS.precision(17);
  OS << X;
  std::string Long = OS.str();
  OS.str("");
  OS.precision(6);
  OS << X;
  return std::stod(OS.str()) == X || std::isnan(X) ? OS.str() : Long;
}

class Printer {
public:
  explicit Printer(const Function &F) : F(F) {}

  std::string run() {
    block(F.Entry, 0);
    for (size_t I = 0; I < F.Factors.size(); ++I) {
      const Factor &Fa = F.Factors[I];
      OS << "factor " << I << ": " << (Fa.Sign < 0 ? "-" : "+") << val(Fa.Value);
      if (!Fa.Site.empty())
        OS << "  ; " << Fa.Site;
      OS << "\n";
    }
    for (size_t K = 0; K < F.ScoreSites.size(); ++K) {
      const ScoreSite &S = F.ScoreSites[K];
      OS << "score " << K << " " << S.Name << ": logq=" << S.LogQ << " downstream={";
      for (size_t J = 0; J < S.Downstream.size(); ++J)
        OS << (J ? "," : "") << S.Downstream[J];
      OS << "}\n";
    }
    return OS.str();
  }

private:
  const Function &F;
  std::ostringstream OS;

  std::string val(ValueId V) const { return "%" + std::to_string(V); }
  std::string def(ValueId V) const {
    std::string T = val(V);
    if (V < F.Values.size())
      T += ":" + shapeText(F.Values[V].S);
    return T;
  }

  void ints(const char *Label, const std::vector<int64_t> &Xs) {
    OS << " " << Label << "=[";
    for (size_t I = 0; I < Xs.size(); ++I)
      OS << (I ? "," : "") << Xs[I];
    OS << "]";
  }

  void attributes(const Instr &I) {
    switch (I.Opcode) {
    case Op::Const: {
      OS << " {";
      constexpr size_t Shown = 8;
      for (size_t J = 0; J < I.Data.size() && J < Shown; ++J)
        OS << (J ? ", " : "") << num(I.Data[J]);
      if (I.Data.size() > Shown)
        OS << ", ... (" << I.Data.size() << ")";
      OS << "}";
      break;
    }
    case Op::Input:
    case Op::Param:
    case Op::Output:
      OS << " offset=" << I.Offset;
      if (I.Opcode == Op::Input && !I.Ints.empty())
        OS << " read=" << I.Ints[0];
      break;
    case Op::StdNormal:
    case Op::Uniform01:
    case Op::CheckFinite:
      OS << " site=" << I.Site;
      break;
    case Op::CheckIndex:
      OS << " check=" << I.Site - SVIC_CHECK_BASE;
      ints("range", I.Ints);
      break;
    case Op::Subsample:
      OS << " site=" << I.Site;
      ints("n", I.Ints);
      break;
    case Op::Softplus:
      OS << " beta=" << num(I.Scalar0) << " threshold=" << num(I.Scalar1);
      break;
    case Op::Clamp:
      OS << " min=" << num(I.Scalar0) << " max=" << num(I.Scalar1);
      break;
    case Op::Transpose:
      ints("perm", I.Ints);
      break;
    case Op::Slice:
      ints("slices", I.Ints);
      break;
    case Op::Gather:
    case Op::Concat:
    case Op::Softmax:
    case Op::LogSoftmax:
      OS << " axis=" << I.Axis;
      break;
    case Op::Sum:
    case Op::Prod:
      ints("axes", I.Ints);
      if (I.KeepDim)
        OS << " keepdim";
      break;
    case Op::LogProb:
      OS << " " << distName(I.D);
      break;
    case Op::Sample:
      OS << " " << distName(I.D) << " site=" << I.Site;
      break;
    default:
      break;
    }
  }

  void block(const Block &B, unsigned Depth) {
    std::string Indent(2 * Depth, ' ');
    for (const Instr &I : B.Body) {
      OS << Indent;
      if (I.Opcode == Op::If) {
        for (size_t J = 0; J < I.Results.size(); ++J)
          OS << (J ? ", " : "") << def(I.Results[J]);
        OS << (I.Results.empty() ? "" : " = ") << "If";
      } else {
        OS << def(I.Result) << " = " << opName(I.Opcode);
      }
      for (size_t J = 0; J < I.Operands.size(); ++J)
        OS << (J ? ", " : " ") << val(I.Operands[J]);
      attributes(I);
      if (I.Opcode != Op::If && I.Result < F.Values.size() && !F.Values[I.Result].Name.empty())
        OS << "  ; " << F.Values[I.Result].Name;
      OS << "\n";
      if (I.Opcode != Op::If)
        continue;
      for (size_t R = 0; R < I.Regions.size(); ++R) {
        OS << Indent << (R == 0 ? "then:" : "else:") << "\n";
        block(I.Regions[R], Depth + 1);
        OS << Indent << "  yield";
        for (size_t J = 0; J < I.Regions[R].Yields.size(); ++J)
          OS << (J ? ", " : " ") << val(I.Regions[R].Yields[J]);
        OS << "\n";
      }
    }
  }
};

//===-- Verifier ------------------------------------------------------------===//

class Verifier {
public:
  explicit Verifier(const Function &F) : F(F) {}

  std::string run() {
    std::vector<ValueId> Scope;
    block(F.Entry, Scope, /*InRegion=*/false);
    if (!Err.empty())
      return Err;
    std::unordered_set<ValueId> TopLevel(Scope.begin(), Scope.end());
    for (size_t I = 0; I < F.Factors.size() && Err.empty(); ++I) {
      const Factor &Fa = F.Factors[I];
      if (!TopLevel.count(Fa.Value))
        fail("factor " + std::to_string(I) + ": %" + std::to_string(Fa.Value) +
             " is not defined at the top level");
      else if (F.shape(Fa.Value).numel() != 1)
        fail("factor " + std::to_string(I) + ": value is not a scalar");
    }
    for (size_t K = 0; K < F.ScoreSites.size() && Err.empty(); ++K) {
      const ScoreSite &S = F.ScoreSites[K];
      if (S.LogQ >= F.Factors.size())
        fail("score site " + S.Name + ": LogQ out of range");
      for (size_t J = 0; J < S.Downstream.size() && Err.empty(); ++J)
        if (S.Downstream[J] >= F.Factors.size() || (J && S.Downstream[J] <= S.Downstream[J - 1]))
          fail("score site " + S.Name + ": Downstream is not a sorted list of factor indices");
    }
    return Err;
  }

private:
  const Function &F;
  std::string Err;
  std::vector<bool> Defined = std::vector<bool>(F.Values.size(), false);
  std::vector<bool> Visible = std::vector<bool>(F.Values.size(), false);
  std::string Where;

  void fail(const std::string &Msg) {
    if (Err.empty())
      Err = Where.empty() ? Msg : Where + ": " + Msg;
  }
  const Shape &shape(ValueId V) const { return F.Values[V].S; }

  bool use(ValueId V) {
    if (V == 0 || V >= F.Values.size()) {
      fail("operand %" + std::to_string(V) + " is not a value");
      return false;
    }
    if (!Visible[V]) {
      fail("%" + std::to_string(V) + (Defined[V] ? " is used outside its region" : " is used before its definition"));
      return false;
    }
    return true;
  }

  void define(ValueId V, std::vector<ValueId> &Scope) {
    if (V == 0 || V >= F.Values.size())
      return fail("result %" + std::to_string(V) + " is not a value");
    if (Defined[V])
      return fail("%" + std::to_string(V) + " is defined twice");
    for (int64_t D : F.Values[V].S.Dims)
      if (D < 0)
        return fail("%" + std::to_string(V) + " has a negative dimension");
    Defined[V] = Visible[V] = true;
    Scope.push_back(V);
  }

  void block(const Block &B, std::vector<ValueId> &Scope, bool InRegion) {
    for (const Instr &I : B.Body) {
      if (!Err.empty())
        return;
      Where = opName(I.Opcode) + (I.Opcode == Op::If ? std::string() : " %" + std::to_string(I.Result));
      bool OperandsOk = true;
      for (ValueId V : I.Operands)
        OperandsOk = use(V) && OperandsOk;
      if (!OperandsOk)
        return;
      if (I.Opcode == Op::If) {
        ifInstr(I, Scope);
        continue;
      }
      if (!I.Results.empty() || !I.Regions.empty())
        return fail("only If has Results and Regions");
      define(I.Result, Scope);
      if (Err.empty())
        instr(I);
    }
    Where.clear();
    if (!InRegion && !B.Yields.empty())
      fail("the entry block yields values");
  }

  void ifInstr(const Instr &I, std::vector<ValueId> &Scope) {
    if (I.Operands.size() != 1)
      return fail("expects 1 operand (the condition)");
    if (shape(I.Operands[0]).numel() != 1)
      return fail("the condition is not a scalar");
    if (I.Regions.size() != 2)
      return fail("expects a then and an else region");
    std::string Here = Where;
    for (size_t R = 0; R < 2 && Err.empty(); ++R) {
      std::vector<ValueId> Inner;
      block(I.Regions[R], Inner, /*InRegion=*/true);
      Where = Here + (R == 0 ? " (then)" : " (else)");
      const Block &B = I.Regions[R];
      if (Err.empty() && B.Yields.size() != I.Results.size())
        fail("yields " + std::to_string(B.Yields.size()) + " values for " + std::to_string(I.Results.size()) +
             " results");
      for (size_t J = 0; J < B.Yields.size() && Err.empty(); ++J)
        if (use(B.Yields[J]) && J < I.Results.size() && I.Results[J] < F.Values.size() &&
            shape(B.Yields[J]) != shape(I.Results[J]))
          fail("yield " + std::to_string(J) + " has shape " + shapeText(shape(B.Yields[J])) + ", result " +
               shapeText(shape(I.Results[J])));
      for (ValueId V : Inner)
        Visible[V] = false;
    }
    Where = Here;
    for (ValueId V : I.Results)
      define(V, Scope);
  }

  bool arity(const Instr &I, size_t N) {
    if (I.Operands.size() == N)
      return true;
    fail("expects " + std::to_string(N) + " operands, has " + std::to_string(I.Operands.size()));
    return false;
  }

  void broadcastOperand(ValueId V, const Shape &To) {
    if (!broadcastsTo(shape(V), To))
      fail("operand %" + std::to_string(V) + " of shape " + shapeText(shape(V)) + " does not broadcast to " +
           shapeText(To));
  }

  bool axisOk(int64_t Axis, size_t Rank) {
    if (Axis >= 0 && static_cast<size_t>(Axis) < Rank)
      return true;
    fail("axis " + std::to_string(Axis) + " out of range for rank " + std::to_string(Rank));
    return false;
  }

  void resultIs(const Instr &I, const Shape &Want) {
    if (shape(I.Result) != Want)
      fail("result shape " + shapeText(shape(I.Result)) + ", expected " + shapeText(Want));
  }

  void instr(const Instr &I) {
    const Shape &R = shape(I.Result);
    Op O = I.Opcode;
    if (O == Op::Const || O == Op::Input || O == Op::Param || O == Op::StdNormal || O == Op::Uniform01) {
      if (!arity(I, 0))
        return;
      if (O == Op::Const && static_cast<int64_t>(I.Data.size()) != R.numel())
        fail("holds " + std::to_string(I.Data.size()) + " values for " + std::to_string(R.numel()) + " elements");
      if (O == Op::Input && (I.Offset < 0 || inputDoubles(I, R) > R.numel() || I.Offset + inputDoubles(I, R) > F.DataDoubles))
        fail("reads past DataDoubles");
      if (O == Op::Param && (I.Offset < 0 || I.Offset + R.numel() > F.ParamDoubles))
        fail("reads past ParamDoubles");
      return;
    }
    if (O == Op::Subsample) {
      if (!arity(I, 0))
        return;
      if (R.rank() != 1 || I.Ints.size() != 1 || R.numel() > I.Ints[0])
        fail("draws a rank-1 subsample of at most Ints[0] indices");
      return;
    }
    if (isElementwise(O)) {
      size_t N = O == Op::Where ? 3 : isBinaryElementwise(O) ? 2 : 1;
      if (!arity(I, N))
        return;
      for (ValueId V : I.Operands)
        broadcastOperand(V, R);
      return;
    }
    switch (O) {
    case Op::Reshape:
      if (arity(I, 1) && shape(I.Operands[0]).numel() != R.numel())
        fail("changes the number of elements from " + std::to_string(shape(I.Operands[0]).numel()) + " to " +
             std::to_string(R.numel()));
      return;
    case Op::Expand:
    case Op::StopGradient:
      if (arity(I, 1))
        O == Op::Expand ? broadcastOperand(I.Operands[0], R) : resultIs(I, shape(I.Operands[0]));
      return;
    case Op::CheckFinite:
      if (arity(I, 1) && R.numel() != 1 && R != shape(I.Operands[0]))
        fail("result is neither the operand's shape nor a scalar");
      return;
    case Op::CheckIndex:
      if (arity(I, 1))
        resultIs(I, shape(I.Operands[0]));
      if (I.Ints.size() != 2 || I.Ints[0] >= I.Ints[1] || I.Site < SVIC_CHECK_BASE)
        fail("needs a range [low, high) that is not empty and a check number");
      return;
    case Op::Output:
      if (!arity(I, 1))
        return;
      resultIs(I, Shape{});
      if (I.Offset < 0 || I.Offset + shape(I.Operands[0]).numel() > F.OutputDoubles)
        fail("writes past OutputDoubles");
      return;
    case Op::Transpose: {
      if (!arity(I, 1))
        return;
      const Shape &X = shape(I.Operands[0]);
      if (I.Ints.size() != X.rank())
        return fail("permutation does not match the operand rank");
      Shape Want;
      std::vector<bool> Seen(X.rank(), false);
      for (int64_t P : I.Ints) {
        if (P < 0 || static_cast<size_t>(P) >= X.rank() || Seen[P])
          return fail("Ints is not a permutation");
        Seen[P] = true;
        Want.Dims.push_back(X.Dims[P]);
      }
      return resultIs(I, Want);
    }
    case Op::Slice: {
      if (!arity(I, 1))
        return;
      const Shape &X = shape(I.Operands[0]);
      if (I.Ints.size() != 3 * X.rank())
        return fail("expects {start, stop, step} per operand dim");
      Shape Want;
      for (size_t D = 0; D < X.rank(); ++D) {
        int64_t Start = I.Ints[3 * D], Stop = I.Ints[3 * D + 1], Step = I.Ints[3 * D + 2];
        if (Step <= 0 || Start < 0 || Stop > X.Dims[D] || Start > X.Dims[D])
          return fail("slice of dim " + std::to_string(D) + " out of range");
        Want.Dims.push_back(Stop > Start ? (Stop - Start + Step - 1) / Step : 0);
      }
      return resultIs(I, Want);
    }
    case Op::Gather: {
      if (!arity(I, 2))
        return;
      const Shape &X = shape(I.Operands[0]);
      if (!axisOk(I.Axis, X.rank()))
        return;
      Shape Want;
      Want.Dims.assign(X.Dims.begin(), X.Dims.begin() + I.Axis);
      for (int64_t D : shape(I.Operands[1]).Dims)
        Want.Dims.push_back(D);
      Want.Dims.insert(Want.Dims.end(), X.Dims.begin() + I.Axis + 1, X.Dims.end());
      return resultIs(I, Want);
    }
    case Op::Concat: {
      if (I.Operands.empty())
        return fail("expects at least one operand");
      Shape Want = shape(I.Operands[0]);
      if (!axisOk(I.Axis, Want.rank()))
        return;
      for (size_t J = 1; J < I.Operands.size(); ++J) {
        const Shape &X = shape(I.Operands[J]);
        bool Same = X.rank() == Want.rank();
        for (size_t D = 0; Same && D < X.rank(); ++D)
          Same = static_cast<int64_t>(D) == I.Axis || X.Dims[D] == Want.Dims[D];
        if (!Same)
          return fail("operand " + std::to_string(J) + " of shape " + shapeText(X) + " does not concatenate");
        Want.Dims[I.Axis] += X.Dims[I.Axis];
      }
      return resultIs(I, Want);
    }
    case Op::Sum:
    case Op::Prod: {
      if (!arity(I, 1))
        return;
      const Shape &X = shape(I.Operands[0]);
      std::vector<bool> Reduced(X.rank(), I.Ints.empty());
      for (int64_t A : I.Ints) {
        if (!axisOk(A, X.rank()))
          return;
        if (Reduced[A])
          return fail("axis " + std::to_string(A) + " listed twice");
        Reduced[A] = true;
      }
      Shape Want;
      for (size_t D = 0; D < X.rank(); ++D)
        if (!Reduced[D])
          Want.Dims.push_back(X.Dims[D]);
        else if (I.KeepDim)
          Want.Dims.push_back(1);
      return resultIs(I, Want);
    }
    case Op::Softmax:
    case Op::LogSoftmax:
      if (arity(I, 1) && axisOk(I.Axis, shape(I.Operands[0]).rank()))
        resultIs(I, shape(I.Operands[0]));
      return;
    case Op::MatMul: {
      if (!arity(I, 2))
        return;
      const Shape &A = shape(I.Operands[0]), &B = shape(I.Operands[1]);
      if (A.rank() < 1 || A.rank() > 2 || B.rank() < 1 || B.rank() > 2)
        return fail("operands must have rank 1 or 2");
      int64_t KA = A.Dims.back(), KB = B.Dims[0];
      if (KA != KB)
        return fail("inner dimensions " + std::to_string(KA) + " and " + std::to_string(KB) + " differ");
      Shape Want;
      if (A.rank() == 2)
        Want.Dims.push_back(A.Dims[0]);
      if (B.rank() == 2)
        Want.Dims.push_back(B.Dims[1]);
      return resultIs(I, Want);
    }
    case Op::LogProb:
    case Op::Sample:
      return distribution(I);
    default:
      return fail("unexpected opcode");
    }
  }

  void distribution(const Instr &I) {
    const Shape &R = shape(I.Result);
    bool IsLogProb = I.Opcode == Op::LogProb;
    if (!arity(I, distArity(I.D) + (IsLogProb ? 1 : 0)))
      return;
    ValueId P = I.Operands.back();
    if (!hasVectorParam(I.D)) {
      for (ValueId V : I.Operands)
        broadcastOperand(V, R);
      return;
    }
    if (shape(P).rank() == 0)
      return fail("the vector parameter must have rank >= 1");
    int64_t N = shape(P).Dims.back();
    if (I.D == Dist::Dirichlet) {
      // Sample: result [..., n]; LogProb: value and concentration [..., n], result the batch.
      Shape Event = R;
      if (IsLogProb)
        Event.Dims.push_back(N);
      else if (R.rank() == 0 || R.Dims.back() != N)
        return fail("result and concentration disagree on the event size");
      for (ValueId V : I.Operands)
        broadcastOperand(V, Event);
      if (IsLogProb && shape(I.Operands[0]).rank() > 0 && shape(I.Operands[0]).Dims.back() != N)
        fail("value and concentration disagree on the event size");
      return;
    }
    // Categorical: the value/result holds indices; probs/logits add the event dim.
    if (!broadcastsTo(dropLast(shape(P)), R))
      fail("the batch shape of the parameter does not broadcast to the result");
    if (IsLogProb)
      broadcastOperand(I.Operands[0], R);
  }
};

} // namespace

std::string print(const Function &F) { return Printer(F).run(); }

std::string verify(const Function &F) { return Verifier(F).run(); }

} // namespace svic::backend::lir
