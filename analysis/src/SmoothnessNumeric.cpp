//===- SmoothnessNumeric.cpp - Numeric facts for the smoothness analysis ---===//
///
/// \file
/// The adapter from the numeric pre-analysis' result (Numeric.h) to the
/// narrow NumericFacts view the smoothness transfer functions consume, so the
/// smoothness tests can substitute a fake.
//===----------------------------------------------------------------------===//

#include "svic/analysis/Reparam.h"
#include "svic/analysis/Smoothness.h"

#if SVIC_HAVE_NUMERIC

namespace svic::analysis {
namespace {

class NumericResultFacts final : public NumericFacts {
public:
  explicit NumericResultFacts(const NumericResult &N) : N(N) {}
  bool provedNonZero(ir::NodeId E) const override { return N.provedNonZero(E); }
  bool provedPositive(ir::NodeId E) const override { return N.provedPositive(E); }
  bool provedInDomain(ir::NodeId E, std::string_view Domain) const override {
    return N.provedInDomain(E, Domain);
  }
  bool provedPrecondition(const ir::CallExpr &C) const override { return N.provedPrecondition(C); }
  bool branchDead(const ir::IfStmt &S, bool Then) const override { return N.branchDead(S, Then); }
  bool mayBeNonFinite(ir::NodeId E) const override { return N.mayBeNonFinite(E); }

private:
  const NumericResult &N;
};

} // namespace

std::unique_ptr<NumericFacts> makeNumericFacts(const NumericResult &N) {
  return std::make_unique<NumericResultFacts>(N);
}

SmoothnessResult analyzeSmoothness(const ir::Program &P, const NumericResult &N, Property Prop,
                                   const SmoothnessOptions &O) {
  NumericResultFacts F(N);
  return analyzeSmoothness(P, static_cast<const NumericFacts &>(F), Prop, O);
}

ReparamResult selectReparameterization(const ir::Program &Model, const NumericResult &NM,
                                       const ir::Program &Guide, const NumericResult &NG,
                                       Property Goal, const SourceManager *SM) {
  NumericResultFacts FM(NM), FG(NG);
  return selectReparameterization(Model, static_cast<const NumericFacts &>(FM), Guide,
                                  static_cast<const NumericFacts &>(FG), Goal, SM);
}

ReparamResult selectReparameterization(const ir::Program &Model, const NumericResult &NM,
                                       const ir::Program &Guide, const NumericResult &NG,
                                       const SmoothnessResult &RM, const SmoothnessResult &RG,
                                       Property Goal, const SourceManager *SM) {
  NumericResultFacts FM(NM), FG(NG);
  return selectReparameterization(Model, static_cast<const NumericFacts &>(FM), Guide,
                                  static_cast<const NumericFacts &>(FG), RM, RG, Goal, SM);
}

} // namespace svic::analysis

#endif
