//===- NumericValue.cpp - The abstract value of one Python value -----------===//

#include "svic/analysis/Numeric.h"

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

bool NumValue::leq(const NumValue &B) const {
  return (Kinds & ~B.Kinds) == 0 && Num.leq(B.Num) && ctorLeq(Ctor, B.Ctor);
}

NumValue NumValue::join(const NumValue &B) const {
  return NumValue(Num.join(B.Num), Kinds | B.Kinds, ctorJoin(Ctor, B.Ctor));
}

NumValue NumValue::meet(const NumValue &B) const {
  return NumValue(Num.meet(B.Num), Kinds & B.Kinds, ctorMeet(Ctor, B.Ctor));
}

NumValue NumValue::widen(const NumValue &B) const {
  return NumValue(Num.widen(B.Num), Kinds | B.Kinds, ctorJoin(Ctor, B.Ctor));
}

NumValue NumValue::narrow(const NumValue &B) const {
  return NumValue(Num.narrow(B.Num), Kinds & B.Kinds, ctorMeet(Ctor, B.Ctor));
}

bool NumValue::operator==(const NumValue &B) const {
  return Kinds == B.Kinds && Num == B.Num && Ctor == B.Ctor;
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
