//===- TableTest.cpp - The shared operation/distribution table --------------===//

#include "svic/ir/Table.h"

#include <gtest/gtest.h>

#include <set>

using namespace svic::ir;

namespace {

template <typename Row, typename Field>
void expectUniqueNames(const std::vector<Row> &Rows, Field F, const char *What) {
  std::set<std::string> Seen;
  for (const Row &R : Rows)
    EXPECT_TRUE(Seen.insert(R.*F).second) << What << " named twice: " << R.*F;
}

TEST(Table, EveryRowParsesAndNamesAreUnique) {
  ASSERT_FALSE(allOps().empty());
  ASSERT_FALSE(allModules().empty());
  ASSERT_FALSE(allDistributions().empty());
  ASSERT_FALSE(allConstraints().empty());
  expectUniqueNames(allOps(), &OpInfo::QualifiedName, "op");
  expectUniqueNames(allModules(), &ModuleInfo::QualifiedName, "module");
  expectUniqueNames(allDistributions(), &DistInfo::Name, "distribution");
  expectUniqueNames(allConstraints(), &ConstraintInfo::Name, "constraint");
  for (const OpInfo &O : allOps()) {
    std::set<std::string> Params;
    for (const ParamSpec &P : O.Params)
      EXPECT_TRUE(Params.insert(P.Name).second) << O.QualifiedName << " repeats " << P.Name;
    EXPECT_EQ(opInfo(O.Id).QualifiedName, O.QualifiedName);
  }
  for (const DistInfo &D : allDistributions()) {
    EXPECT_EQ(distInfo(D.Id).Name, D.Name);
    for (const ParamSpec &P : D.Params)
      EXPECT_FALSE(P.Domain.empty()) << D.Name << "." << P.Name << " has no domain";
  }
}

TEST(Table, Lookups) {
  ASSERT_TRUE(findOp("torch.exp"));
  EXPECT_EQ(*findOp("torch.exp"), OpId::Exp);
  EXPECT_EQ(*findOp("torch.nn.functional.relu"), OpId::FRelu);
  EXPECT_EQ(*findOp("str.format"), OpId::StrFormat);
  EXPECT_FALSE(findOp("torch.frobnicate"));
  EXPECT_EQ(*findModule("torch.nn.Linear"), ModuleId::Linear);
  EXPECT_EQ(*findDistribution("Normal"), DistId::Normal);
  EXPECT_FALSE(findDistribution("Foo"));
  EXPECT_EQ(*findConstraint("positive"), ConstraintId::Positive);
  EXPECT_EQ(constraintInfo(ConstraintId::Interval).NumArgs, 2);
  EXPECT_EQ(*paramIndex(opInfo(OpId::Clamp).Params, "max"), 2u);
  const DistInfo &N = distInfo(DistId::Normal);
  EXPECT_EQ(N.Support, SupportKind::Real);
  EXPECT_TRUE(N.Reparameterizable);
  EXPECT_TRUE(distInfo(DistId::Bernoulli).Discrete);
}

TEST(Table, SignatureParser) {
  auto S = parseSignature("a:d,b:l?,c:n:positive,d:n*");
  ASSERT_TRUE(S);
  ASSERT_EQ(S->size(), 4u);
  EXPECT_EQ((*S)[1].Class, Smoothness::Lips);
  EXPECT_TRUE((*S)[1].Optional);
  EXPECT_EQ((*S)[2].Domain, "positive");
  EXPECT_TRUE((*S)[3].Variadic);
  EXPECT_FALSE(parseSignature("a:x"));
  EXPECT_FALSE(parseSignature("a:d*,b:d"));
  EXPECT_FALSE(parseSignature("a:d,"));
  EXPECT_TRUE(parseSignature("") && parseSignature("")->empty());
}

} // namespace
