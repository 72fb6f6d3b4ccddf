//===- NumericValue.cpp - The abstract value of one Python value -----------===//

#include "svic/analysis/Numeric.h"

#include <algorithm>
#include <ostream>
#include <sstream>

namespace svic::analysis {

NumValue NumValue::bottom() { return NumValue(Interval::bottom(), 0, NoCtor); }
NumValue NumValue::top() { return NumValue(Interval::top(), KAll, AnyCtor); }
NumValue NumValue::number(const Interval &I) { return NumValue(I, KNum, NoCtor); }
NumValue NumValue::none() { return NumValue(Interval::bottom(), KNone, NoCtor); }
NumValue NumValue::string() { return NumValue(Interval::bottom(), KString, NoCtor); }
NumValue NumValue::dist() { return NumValue(Interval::bottom(), KDist, NoCtor); }
NumValue NumValue::other() { return NumValue(Interval::bottom(), KOther, NoCtor); }
NumValue NumValue::module(ir::NodeId Ctor) { return NumValue(Interval::bottom(), KModule, Ctor); }
NumValue NumValue::sequence(const NumValue &Elements) {
  return NumValue(Elements.Num, Elements.Kinds | KSeq, Elements.Ctor);
}

NumValue NumValue::tuple(std::vector<NumValue> Elements) {
  NumValue Summary = bottom();
  for (const NumValue &E : Elements) {
    if (E.isBottom()) // the tuple is never built; keep the summary only
      return sequence(Summary);
    Summary = Summary.join(E);
  }
  NumValue R = sequence(Summary);
  R.Elems = std::make_shared<const std::vector<NumValue>>(std::move(Elements));
  return R;
}

void NumValue::normalize() {
  // Numbers only exist in numeric kinds; a module always has a constructor
  // (AnyCtor when unknown) and only modules have one.
  if (!(Kinds & (KNum | KSeq)))
    Num = Interval::bottom();
  if (!(Kinds & KModule))
    Ctor = NoCtor;
  else if (Ctor == NoCtor)
    Kinds &= ~KModule;
}

std::optional<ir::NodeId> NumValue::moduleCtor() const {
  if (Ctor == NoCtor || Ctor == AnyCtor)
    return std::nullopt;
  return Ctor;
}

NumValue NumValue::withNum(const Interval &I) const { return NumValue(I, Kinds, Ctor); }
NumValue NumValue::withKinds(uint8_t K) const { return NumValue(Num, K, Ctor); }
NumValue NumValue::withDiagonal(double Lo) const {
  NumValue R = *this;
  R.DiagLo = Lo > 0 && Kinds == KNum ? Lo : 0;
  return R;
}

bool NumValue::isTop() const { return Kinds == KAll && Num.isTop() && Ctor == AnyCtor; }

static bool ctorLeq(uint32_t A, uint32_t B) { return A == B || A == 0 || B == UINT32_MAX; }
static uint32_t ctorJoin(uint32_t A, uint32_t B) {
  if (A == B || B == 0)
    return A;
  if (A == 0)
    return B;
  return UINT32_MAX;
}
static uint32_t ctorMeet(uint32_t A, uint32_t B) {
  if (A == B || B == UINT32_MAX)
    return A;
  if (A == UINT32_MAX)
    return B;
  return 0;
}

/// Combines two element lists position by position; null when either side
/// knows no elements or the lengths differ.
template <typename Fn>
static std::shared_ptr<const std::vector<NumValue>>
pointwise(const std::vector<NumValue> *A, const std::vector<NumValue> *B, Fn Op) {
  if (!A || !B || A->size() != B->size())
    return nullptr;
  std::vector<NumValue> R;
  R.reserve(A->size());
  for (size_t I = 0; I < A->size(); ++I)
    R.push_back(Op((*A)[I], (*B)[I]));
  return std::make_shared<const std::vector<NumValue>>(std::move(R));
}

bool NumValue::leq(const NumValue &B) const {
  if (isBottom())
    return true;
  if ((Kinds & ~B.Kinds) != 0 || !Num.leq(B.Num) || !ctorLeq(Ctor, B.Ctor))
    return false;
  if (B.DiagLo > 0 && DiagLo < B.DiagLo)
    return false;
  if (!B.Elems)
    return true;
  if (!Elems || Elems->size() != B.Elems->size())
    return false;
  for (size_t I = 0; I < Elems->size(); ++I)
    if (!(*Elems)[I].leq((*B.Elems)[I]))
      return false;
  return true;
}

NumValue NumValue::join(const NumValue &B) const {
  if (isBottom())
    return B;
  if (B.isBottom())
    return *this;
  NumValue R(Num.join(B.Num), Kinds | B.Kinds, ctorJoin(Ctor, B.Ctor));
  R.Elems = pointwise(Elems.get(), B.Elems.get(), [](const NumValue &X, const NumValue &Y) { return X.join(Y); });
  R.DiagLo = std::min(DiagLo, B.DiagLo);
  return R;
}

NumValue NumValue::meet(const NumValue &B) const {
  NumValue R(Num.meet(B.Num), Kinds & B.Kinds, ctorMeet(Ctor, B.Ctor));
  if (!R.isBottom())
    R.DiagLo = std::max(DiagLo, B.DiagLo);
  if (R.isBottom() || !Elems || !B.Elems) {
    if (!R.isBottom())
      R.Elems = Elems ? Elems : B.Elems;
    return R;
  }
  if (Elems->size() != B.Elems->size())
    return bottom(); // no tuple has two lengths
  std::vector<NumValue> Es;
  Es.reserve(Elems->size());
  for (size_t I = 0; I < Elems->size(); ++I) {
    Es.push_back((*Elems)[I].meet((*B.Elems)[I]));
    if (Es.back().isBottom())
      return bottom();
  }
  R.Elems = std::make_shared<const std::vector<NumValue>>(std::move(Es));
  return R;
}

NumValue NumValue::widen(const NumValue &B) const {
  if (isBottom())
    return B;
  if (B.isBottom())
    return *this;
  NumValue R(Num.widen(B.Num), Kinds | B.Kinds, ctorJoin(Ctor, B.Ctor));
  R.Elems = pointwise(Elems.get(), B.Elems.get(), [](const NumValue &X, const NumValue &Y) { return X.widen(Y); });
  // A bound that shrinks is dropped at once: chains stay finite.
  R.DiagLo = B.DiagLo >= DiagLo ? DiagLo : 0;
  return R;
}

NumValue NumValue::narrow(const NumValue &B) const {
  NumValue R(Num.narrow(B.Num), Kinds & B.Kinds, ctorMeet(Ctor, B.Ctor));
  if (!R.isBottom())
    R.DiagLo = DiagLo; // narrowing only ever keeps what this side knows
  if (R.isBottom() || !Elems)
    return R;
  R.Elems = Elems;
  if (!B.Elems || B.Elems->size() != Elems->size())
    return R; // narrowing only ever keeps what this side knows
  R.Elems = pointwise(Elems.get(), B.Elems.get(), [](const NumValue &X, const NumValue &Y) { return X.narrow(Y); });
  return R;
}

bool NumValue::operator==(const NumValue &B) const {
  if (Kinds != B.Kinds || !(Num == B.Num) || Ctor != B.Ctor || !Elems != !B.Elems ||
      DiagLo != B.DiagLo)
    return false;
  return !Elems || *Elems == *B.Elems;
}

std::string NumValue::str() const {
  if (isBottom())
    return "bot";
  if (isTop())
    return "top";
  std::ostringstream OS;
  const char *Sep = "";
  auto Put = [&](const char *S) {
    OS << Sep << S;
    Sep = "|";
  };
  if (Kinds & KNum) {
    OS << Sep << Num.str();
    if (DiagLo > 0)
      OS << " diag>=" << DiagLo;
    Sep = "|";
  }
  if (Kinds & KSeq) {
    OS << Sep << "seq" << (Kinds & KNum ? "" : Num.str());
    Sep = "|";
  }
  if (Kinds & KNone)
    Put("None");
  if (Kinds & KString)
    Put("str");
  if (Kinds & KModule) {
    if (auto C = moduleCtor())
      OS << Sep << "module#" << *C;
    else
      OS << Sep << "module";
    Sep = "|";
  }
  if (Kinds & KDist)
    Put("dist");
  if (Kinds & KOther)
    Put("object");
  return OS.str();
}

std::ostream &operator<<(std::ostream &OS, const NumValue &V) { return OS << V.str(); }

} // namespace svic::analysis
