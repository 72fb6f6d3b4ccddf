//===- LowerValues.cpp - Values of the partial evaluator and the LIR emitter ===//

#include "LowerValues.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace svic::backend::lower {

void unsupported(SourceLoc Loc, const std::string &Msg) { throw CompileFailure(true, Loc, Msg); }
void invalid(SourceLoc Loc, const std::string &Msg) { throw CompileFailure(false, Loc, Msg); }

std::optional<Dims> broadcastDims(const Dims &A, const Dims &B) {
  size_t R = std::max(A.size(), B.size());
  Dims Out(R, 1);
  for (size_t I = 0; I < R; ++I) {
    int64_t DA = I < R - A.size() ? 1 : A[I - (R - A.size())];
    int64_t DB = I < R - B.size() ? 1 : B[I - (R - B.size())];
    if (DA != DB && DA != 1 && DB != 1)
      return std::nullopt;
    Out[I] = DA == 1 ? DB : DA;
  }
  return Out;
}

std::string dimsString(const Dims &D) {
  std::string S = "[";
  for (size_t I = 0; I < D.size(); ++I)
    S += (I ? ", " : "") + std::to_string(D[I]);
  return S + "]";
}

void unite(DepSet &Into, const DepSet &From) {
  if (From.empty())
    return;
  DepSet Out;
  Out.reserve(Into.size() + From.size());
  std::set_union(Into.begin(), Into.end(), From.begin(), From.end(), std::back_inserter(Out));
  Into = std::move(Out);
}

ValuePtr makeNone() { return std::make_shared<Value>(); }
ValuePtr makeBool(bool B) {
  auto V = std::make_shared<Value>();
  V->K = Value::Kind::Bool;
  V->B = B;
  return V;
}
ValuePtr makeInt(int64_t I) {
  auto V = std::make_shared<Value>();
  V->K = Value::Kind::Int;
  V->I = I;
  return V;
}
ValuePtr makeFloat(double F) {
  auto V = std::make_shared<Value>();
  V->K = Value::Kind::Float;
  V->F = F;
  return V;
}
ValuePtr makeStr(std::string S) {
  auto V = std::make_shared<Value>();
  V->K = Value::Kind::Str;
  V->S = std::move(S);
  return V;
}
ValuePtr makeStaticTensor(Dims Shape, std::vector<double> Data, bool IsInt, bool IsBool) {
  auto V = std::make_shared<Value>();
  V->K = Value::Kind::Tensor;
  V->Shape = std::move(Shape);
  V->Static = std::move(Data);
  V->IsInt = IsInt || IsBool;
  V->IsBool = IsBool;
  return V;
}
ValuePtr makeSequence(Value::Kind K, std::vector<ValuePtr> Items) {
  auto V = std::make_shared<Value>();
  V->K = K;
  V->Items = std::move(Items);
  return V;
}

std::string typeName(const Value &V) {
  switch (V.K) {
  case Value::Kind::None: return "None";
  case Value::Kind::Bool: return "bool";
  case Value::Kind::Int: return "int";
  case Value::Kind::Float: return "float";
  case Value::Kind::Str: return "str";
  case Value::Kind::Tensor: return "tensor";
  case Value::Kind::List: return "list";
  case Value::Kind::Tuple: return "tuple";
  case Value::Kind::Dict: return "dict";
  case Value::Kind::Dist: return "distribution";
  case Value::Kind::Module: return "module";
  case Value::Kind::Constraint: return "constraint";
  case Value::Kind::Drawn: return "drawn data argument";
  }
  return "value";
}

bool isAbsentData(const Value &V) {
  return (V.K == Value::Kind::None && !V.Origin.empty()) || (V.K == Value::Kind::Drawn && !V.Given);
}

std::string drawnRead(const std::string &Name) {
  return "data argument '" + Name +
         "' is read by value, but svic simulate draws it where obs= observes it and the "
         "name holds no value, as when Pyro runs the model with " +
         Name + "=None: read the site's value (" + Name + " = pyro.sample(..., obs=" + Name +
         ")) or pass it with --data (and --redraw " + Name + " to draw it anew)";
}

std::string absentData(const Value &V) {
  if (V.K == Value::Kind::Drawn)
    return drawnRead(V.Origin);
  return describe(V) + " (pass it with --data)";
}

std::string describe(const Value &V) {
  if (V.K == Value::Kind::None && !V.Origin.empty())
    return "missing data argument '" + V.Origin + "'";
  if (V.isTensor() && !V.Origin.empty()) {
    bool Several = V.Origin.find(", ") != std::string::npos;
    return "a tensor of shape " + dimsString(V.Shape) + " computed from the data argument" + (Several ? "s " : " ") +
           V.Origin;
  }
  return "a " + typeName(V) + " value";
}

/// Python's repr of a float: the shortest text that reads back the same.
static std::string pyFloat(double F) {
  if (std::isnan(F))
    return "nan";
  if (std::isinf(F))
    return F > 0 ? "inf" : "-inf";
  char Buf[40];
  for (int P = 1; P <= 17; ++P) {
    std::snprintf(Buf, sizeof Buf, "%.*g", P, F);
    if (std::strtod(Buf, nullptr) == F)
      break;
  }
  std::string S = Buf;
  if (S.find_first_of(".en") == std::string::npos)
    S += ".0";
  return S;
}

std::string pyStr(const Value &V, SourceLoc Loc) {
  switch (V.K) {
  case Value::Kind::None: return "None";
  case Value::Kind::Bool: return V.B ? "True" : "False";
  case Value::Kind::Int: return std::to_string(V.I);
  case Value::Kind::Float: return pyFloat(V.F);
  case Value::Kind::Str: return V.S;
  default:
    break;
  }
  unsupported(Loc, "a site name built from a " + typeName(V) + " value");
}

DepSet Emitter::controlDeps() const {
  DepSet D;
  for (const DepSet &C : ControlStack)
    unite(D, C);
  return D;
}

lir::ValueId Emitter::emit(lir::Instr I, Dims S, const std::string &Name) {
  DepSet D = controlDeps();
  for (lir::ValueId Op : I.Operands)
    unite(D, Deps.at(Op));
  lir::ValueId R = F.newValue(lir::Shape{std::move(S)}, Name);
  Deps.push_back(std::move(D));
  I.Result = R;
  Current->Body.push_back(std::move(I));
  return R;
}

lir::ValueId Emitter::newValue(Dims S, DepSet D, const std::string &Name) {
  lir::ValueId R = F.newValue(lir::Shape{std::move(S)}, Name);
  Deps.push_back(std::move(D));
  return R;
}

lir::ValueId Emitter::materialize(const Value &V, SourceLoc Loc) {
  if (V.K == Value::Kind::Drawn && V.Given)
    return materialize(*V.Given, Loc);
  if (V.isTensor() && V.Scatter) {
    ScatterForm &S = *V.Scatter;
    if (S.Emitted && S.Home == Current)
      return S.Emitted;
    std::vector<lir::ValueId> Parts;
    int64_t Total = 0;
    for (const ValuePtr &P : S.Sources) {
      Parts.push_back(materialize(*P, Loc));
      Total += lir::Shape{P->Shape}.numel();
    }
    lir::ValueId All = Parts[0];
    if (Parts.size() > 1) {
      lir::Instr C;
      C.Opcode = lir::Op::Concat;
      C.Axis = 0;
      C.Operands = std::move(Parts);
      All = emit(std::move(C), {Total});
    }
    lir::Instr Ix;
    Ix.Opcode = lir::Op::Const;
    Ix.Data = *S.Index;
    Dims Shape = V.Shape;
    lir::ValueId IxV = F.newValue(lir::Shape{Shape});
    Deps.emplace_back();
    Ix.Result = IxV;
    Current->Body.push_back(std::move(Ix));
    lir::Instr G;
    G.Opcode = lir::Op::Gather;
    G.Axis = 0;
    G.Operands = {All, IxV};
    lir::ValueId R = emit(std::move(G), Shape);
    if (S.Home == Current)
      S.Emitted = R;
    return R;
  }
  if (V.isTensor() && !V.Static)
    return V.V;
  lir::Instr I;
  I.Opcode = lir::Op::Const;
  Dims S;
  if (V.isTensor()) {
    I.Data = *V.Static;
    S = V.Shape;
  } else if (V.isNumber()) {
    I.Data = {V.number()};
  } else {
    invalid(Loc, isAbsentData(V) ? absentData(V) : describe(V) + " where a tensor is expected");
  }
  // Constants depend on nothing, not even on the control stack.
  lir::ValueId R = F.newValue(lir::Shape{S});
  Deps.emplace_back();
  I.Result = R;
  Current->Body.push_back(std::move(I));
  return R;
}

const std::vector<double> *knownData(const Value &V) {
  if (!V.isTensor())
    return nullptr;
  return V.Static ? &*V.Static : V.Known.get();
}

ValuePtr withKnown(ValuePtr R, const std::vector<ValuePtr> &Operands, std::vector<double> Data) {
  auto Out = std::make_shared<Value>(*R);
  for (const ValuePtr &O : Operands) {
    if (!O->isTensor())
      continue;
    if (!knownData(*O))
      return R;
    for (const std::string &N : O->KnownFrom)
      if (!std::binary_search(Out->KnownFrom.begin(), Out->KnownFrom.end(), N))
        Out->KnownFrom.insert(std::upper_bound(Out->KnownFrom.begin(), Out->KnownFrom.end(), N), N);
  }
  Out->Known = std::make_shared<const std::vector<double>>(std::move(Data));
  return Out;
}

ValuePtr Emitter::fixKnown(const ValuePtr &V, SourceLoc Loc) {
  if (!V || !V->isTensor() || V->Static || !V->Known)
    return V;
  for (const std::string &N : V->KnownFrom)
    Fixed.emplace(N, Loc);
  auto S = std::make_shared<Value>(*V);
  S->Static = *V->Known;
  S->Known = nullptr;
  S->KnownFrom.clear();
  return S;
}

} // namespace svic::backend::lower
