//===- LowerEnum.cpp - Summing out enumerated model sites -------------------===//

#include "LowerEnum.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace svic::backend::lower {

std::vector<size_t> enumVarsIn(const DepSet &D) {
  std::vector<size_t> Vars;
  for (auto It = std::lower_bound(D.begin(), D.end(), EnumDepBase); It != D.end(); ++It)
    Vars.push_back(*It - EnumDepBase);
  return Vars;
}

namespace {

/// Largest factor the elimination builds: a dependency structure that needs a
/// bigger one (many enumerated sites alive at once) is refused, never run in
/// exponential time.
constexpr int64_t MaxFactorElements = int64_t(1) << 22;

ValuePtr runtimeTensor(lir::ValueId V, Dims S) {
  auto R = std::make_shared<Value>();
  R->K = Value::Kind::Tensor;
  R->Shape = std::move(S);
  R->V = V;
  return R;
}

/// \p X at index \p K of axis \p Axis, the axis kept with size 1.
ValuePtr sliceAt(Emitter &E, const ValuePtr &X, size_t Axis, int64_t K, SourceLoc L) {
  lir::Instr I;
  I.Opcode = lir::Op::Slice;
  Dims Out = X->Shape;
  for (size_t D = 0; D < X->Shape.size(); ++D) {
    bool Here = D == Axis;
    I.Ints.insert(I.Ints.end(), {Here ? K : 0, Here ? K + 1 : X->Shape[D], 1});
  }
  Out[Axis] = 1;
  I.Operands = {E.materialize(*X, L)};
  return runtimeTensor(E.emit(std::move(I), Out), Out);
}

/// log sum exp of \p X along \p Axis, the axis kept with size 1. The shift m
/// (the maximum, 0 where every term is -inf) is a constant to AD: the
/// derivative of m + log sum exp(x - m) is softmax(x) whatever m is.
ValuePtr logSumExp(OpBuilder &Ops, Emitter &E, const ValuePtr &X, size_t Axis, SourceLoc L) {
  ValuePtr M;
  for (int64_t K = 0; K < X->Shape[Axis]; ++K) {
    ValuePtr S = sliceAt(E, X, Axis, K, L);
    M = M ? Ops.binary(lir::Op::Maximum, M, S, L) : S;
  }
  M = runtimeTensor(E.emit(lir::Op::StopGradient, {E.materialize(*M, L)}, M->Shape), M->Shape);
  ValuePtr Finite = Ops.binary(lir::Op::Gt, M, makeFloat(-std::numeric_limits<double>::infinity()), L);
  M = Ops.where(Finite, M, makeFloat(0), L);
  ValuePtr Sum = Ops.reduce(lir::Op::Sum, Ops.unary(lir::Op::Exp, Ops.binary(lir::Op::Sub, X, M, L), L),
                            {static_cast<int64_t>(Axis)}, /*KeepDim=*/true, L);
  return Ops.binary(lir::Op::Add, Ops.unary(lir::Op::Log, Sum, L), M, L);
}

struct Term {
  ValuePtr LogP;
  std::vector<size_t> Vars; ///< sorted
  std::vector<int> Plates;  ///< sorted
  std::string Site;
  SourceLoc Loc;
};

std::string dimName(int Dim) { return std::to_string(Dim); }

/// The shape facts the elimination relies on: each enumerated site the term
/// depends on lies along its own dim with all its values, no two share a
/// dim, and no other dim left of the plates has more than one element.
void checkTerm(const Term &T, const std::vector<EnumVar> &Vars, int PlateRank) {
  const Dims &S = T.LogP->Shape;
  int64_t Rank = static_cast<int64_t>(S.size());
  for (size_t A = 0; A < T.Vars.size(); ++A) {
    const EnumVar &V = Vars[T.Vars[A]];
    if (-V.Dim > Rank || S[static_cast<size_t>(Rank + V.Dim)] != V.Size)
      unsupported(T.Loc, "the density of '" + T.Site + "' depends on enumerated site '" + V.Site +
                             "' other than along its enumeration dim " + dimName(V.Dim) + " (shape " +
                             dimsString(S) + "): a reduction or reshape over its values cannot be summed out");
    for (size_t B = 0; B < A; ++B)
      if (Vars[T.Vars[B]].Dim == V.Dim)
        unsupported(T.Loc, "the density of '" + T.Site + "' depends on enumerated sites '" + Vars[T.Vars[B]].Site +
                               "' and '" + V.Site + "', which share enumeration dim " + dimName(V.Dim) +
                               " (they are further apart than the Markov history svic keeps)");
  }
  for (int64_t P = 0; P + PlateRank < Rank; ++P) {
    int Dim = static_cast<int>(P - Rank);
    bool Enumerated = std::any_of(T.Vars.begin(), T.Vars.end(), [&](size_t V) { return Vars[V].Dim == Dim; });
    if (S[static_cast<size_t>(P)] != 1 && !Enumerated)
      unsupported(T.Loc, "the density of '" + T.Site + "' has shape " + dimsString(S) + ": dim " + dimName(Dim) +
                             " is left of the " + std::to_string(PlateRank) +
                             " plate dims and is no enumerated site's dim (declare the batch dims as plates)");
  }
}

} // namespace

ValuePtr contractEnumerated(OpBuilder &Ops, Emitter &E, const std::vector<EnumVar> &Vars,
                            const std::vector<EnumFactor> &Factors, int PlateRank) {
  std::vector<Term> Terms;
  double Scale = Factors.empty() ? 1 : Factors.front().Scale;
  for (const EnumFactor &F : Factors) {
    if (F.Scale != Scale)
      unsupported(F.Loc, "'" + F.Site + "' depends on an enumerated site under another poutine.scale than '" +
                             Factors.front().Site + "' (TraceEnum_ELBO needs one common scale)");
    Term T{F.LogP, enumVarsIn(E.deps(E.materialize(*F.LogP, F.Loc))), F.Plates, F.Site, F.Loc};
    checkTerm(T, Vars, PlateRank);
    Terms.push_back(std::move(T));
  }

  ValuePtr Total = makeFloat(0);
  // A term keeps only the plates of the sites it still depends on; over the
  // others it is a product (a sum of logs). With none left it is a constant.
  auto Settle = [&](Term &T) {
    std::vector<int> Need;
    for (size_t V : T.Vars)
      Need.insert(Need.end(), Vars[V].Plates.begin(), Vars[V].Plates.end());
    std::sort(Need.begin(), Need.end());
    Need.erase(std::unique(Need.begin(), Need.end()), Need.end());
    if (!std::includes(T.Plates.begin(), T.Plates.end(), Need.begin(), Need.end()))
      unsupported(T.Loc, "'" + T.Site + "' lies outside a plate of the enumerated sites it depends on");
    if (T.Vars.empty()) {
      Total = Ops.binary(lir::Op::Add, Total, Ops.sum(T.LogP, T.Loc), T.Loc);
      return true;
    }
    std::vector<int64_t> Axes;
    int64_t Rank = static_cast<int64_t>(T.LogP->Shape.size());
    for (int D : T.Plates)
      if (!std::binary_search(Need.begin(), Need.end(), D) && -D <= Rank)
        Axes.push_back(Rank + D);
    if (!Axes.empty())
      T.LogP = Ops.reduce(lir::Op::Sum, T.LogP, Axes, /*KeepDim=*/true, T.Loc);
    T.Plates = std::move(Need);
    return false;
  };

  std::vector<bool> Done(Vars.size(), false);
  for (;;) {
    Terms.erase(std::remove_if(Terms.begin(), Terms.end(), Settle), Terms.end());
    // The innermost plates first; among them the site whose elimination
    // builds the smallest factor (along a chain: the forward algorithm), the
    // earliest sampled on ties. A factor may not hold two sites on one dim.
    size_t Depth = 0;
    for (size_t V = 0; V < Vars.size(); ++V)
      if (!Done[V])
        Depth = std::max(Depth, Vars[V].Plates.size());
    std::optional<size_t> Next, Blocked;
    double Best = 0;
    for (size_t V = 0; V < Vars.size(); ++V) {
      if (Done[V] || Vars[V].Plates.size() != Depth)
        continue;
      std::set<size_t> Joint;
      for (const Term &T : Terms)
        if (std::binary_search(T.Vars.begin(), T.Vars.end(), V))
          Joint.insert(T.Vars.begin(), T.Vars.end());
      std::set<int> Dims;
      double Size = 1;
      for (size_t U : Joint)
        Size *= static_cast<double>(Vars[U].Size);
      bool Clash = std::any_of(Joint.begin(), Joint.end(), [&](size_t U) { return !Dims.insert(Vars[U].Dim).second; });
      if (Clash) {
        Blocked = Blocked ? Blocked : V;
        continue;
      }
      if (!Next || Size < Best) {
        Next = V;
        Best = Size;
      }
    }
    if (!Next && Blocked)
      unsupported(Vars[*Blocked].Loc, "enumerated site '" + Vars[*Blocked].Site +
                                          "' meets two enumerated sites that share an enumeration dim; svic "
                                          "cannot sum them out (keep fewer of them in use at once)");
    if (!Next)
      break;
    const EnumVar &V = Vars[*Next];
    Done[*Next] = true;
    Term Joint{nullptr, {}, V.Plates, V.Site, V.Loc};
    auto Uses = [&](const Term &T) { return std::binary_search(T.Vars.begin(), T.Vars.end(), *Next); };
    for (const Term &T : Terms) {
      if (!Uses(T))
        continue;
      if (T.Plates != V.Plates)
        unsupported(T.Loc, "'" + T.Site + "' depends on enumerated site '" + V.Site +
                               "' and on another enumerated site in a different plate: svic sums out "
                               "enumerated sites that share their plates with the sites they meet");
      Joint.LogP = Joint.LogP ? Ops.binary(lir::Op::Add, Joint.LogP, T.LogP, T.Loc) : T.LogP;
      std::vector<size_t> U;
      std::set_union(Joint.Vars.begin(), Joint.Vars.end(), T.Vars.begin(), T.Vars.end(), std::back_inserter(U));
      Joint.Vars = std::move(U);
    }
    Terms.erase(std::remove_if(Terms.begin(), Terms.end(), Uses), Terms.end());
    if (!Joint.LogP)
      continue;
    if (lir::Shape{Joint.LogP->Shape}.numel() > MaxFactorElements)
      unsupported(V.Loc, "summing out enumerated site '" + V.Site + "' needs a factor of shape " +
                             dimsString(Joint.LogP->Shape) + " over " + std::to_string(Joint.Vars.size()) +
                             " enumerated sites: too many are alive at once");
    Joint.LogP = logSumExp(Ops, E, Joint.LogP, Joint.LogP->Shape.size() + V.Dim, V.Loc);
    Joint.Vars.erase(std::find(Joint.Vars.begin(), Joint.Vars.end(), *Next));
    Terms.push_back(std::move(Joint));
  }
  return Scale == 1 ? Total : Ops.binary(lir::Op::Mul, Total, makeFloat(Scale), {});
}

} // namespace svic::backend::lower
