//===- LirTest.cpp - The LIR printer and verifier ---------------------------===//

#include "svic/backend/Lir.h"
#include "svic/runtime/Abi.h"

#include <gtest/gtest.h>

using namespace svic::backend::lir;

namespace {

Instr make(Op O, ValueId R, std::vector<ValueId> Ops = {}) {
  Instr I;
  I.Opcode = O;
  I.Result = R;
  I.Operands = std::move(Ops);
  return I;
}

/// %1:[3] = Param; %2:[] = Const; %3:[3] = Add %1, %2; %4:[] = Sum %3
Function small() {
  Function F;
  F.ParamDoubles = 3;
  ValueId P = F.newValue({{3}}, "theta");
  ValueId C = F.newValue({});
  ValueId A = F.newValue({{3}});
  ValueId S = F.newValue({});
  F.Entry.Body.push_back(make(Op::Param, P));
  Instr K = make(Op::Const, C);
  K.Data = {2.5};
  F.Entry.Body.push_back(K);
  F.Entry.Body.push_back(make(Op::Add, A, {P, C}));
  F.Entry.Body.push_back(make(Op::Sum, S, {A}));
  F.Factors.push_back({S, 1, "x"});
  return F;
}

TEST(Lir, PrintsOneInstructionPerLine) {
  Function F = small();
  EXPECT_EQ(print(F), "%1:[3] = Param offset=0  ; theta\n"
                      "%2:[] = Const {2.5}\n"
                      "%3:[3] = Add %1, %2\n"
                      "%4:[] = Sum %3 axes=[]\n"
                      "factor 0: +%4  ; x\n");
  EXPECT_EQ(verify(F), "");
}

TEST(Lir, PrintsRegionsIndented) {
  Function F;
  ValueId C = F.newValue({}), A = F.newValue({}), B = F.newValue({}), R = F.newValue({});
  Instr K = make(Op::Const, C);
  K.Data = {1};
  F.Entry.Body.push_back(K);
  Instr If = make(Op::If, 0, {C});
  If.Results = {R};
  If.Regions.resize(2);
  Instr KA = make(Op::Const, A);
  KA.Data = {0.1};
  If.Regions[0].Body.push_back(KA);
  If.Regions[0].Yields = {A};
  If.Regions[1].Body.push_back(make(Op::Neg, B, {C}));
  If.Regions[1].Yields = {B};
  F.Entry.Body.push_back(If);
  EXPECT_EQ(print(F), "%1:[] = Const {1}\n"
                      "%4:[] = If %1\n"
                      "then:\n"
                      "  %2:[] = Const {0.1}\n"
                      "  yield %2\n"
                      "else:\n"
                      "  %3:[] = Neg %1\n"
                      "  yield %3\n");
  EXPECT_EQ(verify(F), "");
}

TEST(Lir, VerifyRejectsUseBeforeDefinition) {
  Function F = small();
  std::swap(F.Entry.Body[1], F.Entry.Body[2]);
  EXPECT_NE(verify(F).find("used before its definition"), std::string::npos) << verify(F);
}

TEST(Lir, VerifyRejectsDoubleDefinition) {
  Function F = small();
  F.Entry.Body[3].Result = 3;
  EXPECT_NE(verify(F).find("defined twice"), std::string::npos) << verify(F);
}

TEST(Lir, VerifyRejectsWrongArity) {
  Function F = small();
  F.Entry.Body[2].Operands.pop_back();
  EXPECT_NE(verify(F).find("expects 2 operands"), std::string::npos) << verify(F);
}

TEST(Lir, VerifyRejectsNonBroadcastableOperand) {
  Function F = small();
  F.Values[3].S = {{4}};
  EXPECT_NE(verify(F).find("does not broadcast"), std::string::npos) << verify(F);
}

TEST(Lir, VerifyRejectsReshapeChangingNumel) {
  Function F = small();
  ValueId R = F.newValue({{2, 2}});
  F.Entry.Body.push_back(make(Op::Reshape, R, {3}));
  EXPECT_NE(verify(F).find("number of elements"), std::string::npos) << verify(F);
  F.Values[R].S = {{3, 1}};
  EXPECT_EQ(verify(F), "");
}

TEST(Lir, VerifyScopesRegionValues) {
  Function F;
  ValueId C = F.newValue({}), A = F.newValue({}), R = F.newValue({}), U = F.newValue({});
  Instr K = make(Op::Const, C);
  K.Data = {1};
  F.Entry.Body.push_back(K);
  Instr If = make(Op::If, 0, {C});
  If.Results = {R};
  If.Regions.resize(2);
  If.Regions[0].Body.push_back(make(Op::Neg, A, {C}));
  If.Regions[0].Yields = {A};
  If.Regions[1].Yields = {C};
  F.Entry.Body.push_back(If);
  EXPECT_EQ(verify(F), "");
  F.Entry.Body.push_back(make(Op::Exp, U, {A}));
  EXPECT_NE(verify(F).find("outside its region"), std::string::npos) << verify(F);
  F.Entry.Body.pop_back();
  F.Entry.Body.back().Regions[1].Yields.push_back(C);
  EXPECT_NE(verify(F).find("yields 2 values for 1 results"), std::string::npos) << verify(F);
  F.Entry.Body.back().Regions[1].Yields.pop_back();
  F.Values[R].S = {{2}};
  EXPECT_NE(verify(F).find("has shape"), std::string::npos) << verify(F);
}

TEST(Lir, VerifyChecksShapeOps) {
  Function F;
  F.ParamDoubles = 6;
  ValueId X = F.newValue({{2, 3}});
  F.Entry.Body.push_back(make(Op::Param, X));
  ValueId T = F.newValue({{3, 2}});
  Instr Tr = make(Op::Transpose, T, {X});
  Tr.Ints = {1, 0};
  F.Entry.Body.push_back(Tr);
  ValueId M = F.newValue({{2, 2}});
  F.Entry.Body.push_back(make(Op::MatMul, M, {X, T}));
  ValueId S = F.newValue({{2, 1}});
  Instr Su = make(Op::Sum, S, {M});
  Su.Ints = {1};
  Su.KeepDim = true;
  F.Entry.Body.push_back(Su);
  ValueId Sl = F.newValue({{2, 2}});
  Instr Sli = make(Op::Slice, Sl, {X});
  Sli.Ints = {0, 2, 1, 0, 3, 2};
  F.Entry.Body.push_back(Sli);
  ValueId Cat = F.newValue({{2, 5}});
  Instr Ca = make(Op::Concat, Cat, {X, Sl});
  Ca.Axis = 1;
  F.Entry.Body.push_back(Ca);
  EXPECT_EQ(verify(F), "");
  F.Values[Cat].S = {{4, 5}};
  EXPECT_NE(verify(F).find("expected [2,5]"), std::string::npos) << verify(F);
  F.Values[Cat].S = {{2, 5}};
  F.Values[M].S = {{3, 3}};
  EXPECT_NE(verify(F).find("expected [2,2]"), std::string::npos) << verify(F);
}

TEST(Lir, VerifyChecksIndexChecks) {
  Function F;
  F.ParamDoubles = 4;
  ValueId X = F.newValue({{4}});
  F.Entry.Body.push_back(make(Op::Param, X));
  ValueId C = F.newValue({{4}});
  Instr Ck = make(Op::CheckIndex, C, {X});
  Ck.Ints = {-4, 4};
  Ck.Site = SVIC_CHECK_BASE + 2;
  F.Entry.Body.push_back(Ck);
  EXPECT_EQ(verify(F), "");
  EXPECT_NE(print(F).find("CheckIndex %1 check=2 range=[-4,4]"), std::string::npos) << print(F);
  F.Entry.Body.back().Ints = {4, 4};
  EXPECT_NE(verify(F).find("not empty"), std::string::npos) << verify(F);
  F.Entry.Body.back().Ints = {0, 4};
  F.Entry.Body.back().Site = 2; // a site number, not a check
  EXPECT_NE(verify(F).find("check number"), std::string::npos) << verify(F);
  F.Entry.Body.back().Site = SVIC_CHECK_BASE;
  F.Values[C].S = {{2, 2}};
  EXPECT_NE(verify(F).find("expected [4]"), std::string::npos) << verify(F);
}

TEST(Lir, VerifyChecksDistributionOperands) {
  Function F;
  F.ParamDoubles = 8;
  ValueId P = F.newValue({{2, 4}});
  F.Entry.Body.push_back(make(Op::Param, P));
  ValueId Z = F.newValue({{2}});
  Instr S = make(Op::Sample, Z, {P});
  S.D = Dist::CategoricalLogits;
  F.Entry.Body.push_back(S);
  ValueId L = F.newValue({{2}});
  Instr LP = make(Op::LogProb, L, {Z, P});
  LP.D = Dist::CategoricalLogits;
  F.Entry.Body.push_back(LP);
  EXPECT_EQ(verify(F), "");
  F.Entry.Body.back().Operands.push_back(P);
  EXPECT_NE(verify(F).find("expects 2 operands"), std::string::npos) << verify(F);
}

TEST(Lir, VerifyChecksFactors) {
  Function F = small();
  F.Factors[0].Value = 3;
  EXPECT_NE(verify(F).find("not a scalar"), std::string::npos) << verify(F);
  F.Factors[0].Value = 4;
  F.ScoreSites.push_back({"z", 1, {0}});
  EXPECT_NE(verify(F).find("LogQ out of range"), std::string::npos) << verify(F);
}

TEST(Lir, Names) {
  EXPECT_EQ(opName(Op::LogSoftmax), "LogSoftmax");
  EXPECT_EQ(opName(Op::If), "If");
  EXPECT_EQ(distName(Dist::CategoricalLogits), "CategoricalLogits");
}

} // namespace
