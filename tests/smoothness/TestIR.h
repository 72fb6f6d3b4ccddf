//===- TestIR.h - Hand-built IR for the smoothness unit tests -------------===//
///
/// \file
/// A tiny builder over ir::Program so each transfer function can be tested
/// in isolation, plus a fake NumericFacts whose proofs are listed by node.
//===----------------------------------------------------------------------===//
#pragma once

#include "svic/analysis/Smoothness.h"
#include "svic/ir/IR.h"

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace svic::smoothtest {

using namespace svic::ir;

/// Numeric facts proved by listing: a node is proved iff it is in the set (or
/// everything is proved when All is set).
struct FakeFacts : analysis::NumericFacts {
  bool All = false;
  std::set<NodeId> NonZero, Positive, InDomain, Precondition;
  std::set<NodeId> NonFinite; ///< nodes that may be ±inf/NaN (none by default)
  std::map<NodeId, std::pair<bool, bool>> Dead; ///< if node -> (then dead, else dead)
  bool provedNonZero(NodeId E) const override { return All || NonZero.count(E); }
  bool provedPositive(NodeId E) const override { return All || Positive.count(E); }
  bool provedInDomain(NodeId E, std::string_view) const override {
    return All || InDomain.count(E);
  }
  bool provedPrecondition(const CallExpr &C) const override {
    return All || Precondition.count(C.Id);
  }
  bool mayBeNonFinite(NodeId E) const override { return NonFinite.count(E) > 0; }
  bool branchDead(const IfStmt &S, bool Then) const override {
    auto It = Dead.find(S.Id);
    if (It == Dead.end())
      return false;
    return Then ? It->second.first : It->second.second;
  }
};

struct Kw {
  std::string Name;
  ExprPtr Value;
};

class Builder {
public:
  Program P;
  uint32_t Line = 1;

  SourceLoc loc(uint32_t Col = 1) const { return SourceLoc{1, Line, Col, Line, Col + 1, 0}; }
  SourceLoc next() { return SourceLoc{1, Line++, 5, Line, 6, 0}; }

  VarId var(const std::string &Name, VarKind K = VarKind::User) { return P.addVar(Name, K, loc()); }
  VarId input(const std::string &Name) {
    VarId V = P.addVar(Name, VarKind::Input, loc());
    P.Inputs.push_back(V);
    return V;
  }

  ExprPtr num(double X) {
    auto C = P.make<ConstantExpr>(loc());
    C->Ty = ConstantExpr::Type::Float;
    C->FloatValue = X;
    return C;
  }
  ExprPtr integer(int64_t X) {
    auto C = P.make<ConstantExpr>(loc());
    C->Ty = ConstantExpr::Type::Int;
    C->IntValue = X;
    return C;
  }
  ExprPtr str(const std::string &S) {
    auto C = P.make<ConstantExpr>(loc());
    C->Ty = ConstantExpr::Type::String;
    C->StringValue = S;
    return C;
  }
  ExprPtr none() {
    auto C = P.make<ConstantExpr>(loc());
    C->Ty = ConstantExpr::Type::None;
    return C;
  }
  ExprPtr v(VarId V) {
    auto R = P.make<VarRefExpr>(loc());
    R->Var = V;
    return R;
  }
  ExprPtr bin(BinaryOp Op, ExprPtr A, ExprPtr B) {
    auto E = P.make<BinaryExpr>(loc(7));
    E->Op = Op;
    E->Lhs = std::move(A);
    E->Rhs = std::move(B);
    return E;
  }
  ExprPtr add(ExprPtr A, ExprPtr B) { return bin(BinaryOp::Add, std::move(A), std::move(B)); }
  ExprPtr mul(ExprPtr A, ExprPtr B) { return bin(BinaryOp::Mul, std::move(A), std::move(B)); }
  ExprPtr cmp(CompareOp Op, ExprPtr A, ExprPtr B) {
    auto E = P.make<CompareExpr>(loc(8));
    E->Op = Op;
    E->Lhs = std::move(A);
    E->Rhs = std::move(B);
    return E;
  }
  ExprPtr unary(UnaryOp Op, ExprPtr A) {
    auto E = P.make<UnaryExpr>(loc());
    E->Op = Op;
    E->Operand = std::move(A);
    return E;
  }
  ExprPtr logical(LogicalOp Op, ExprPtr A, ExprPtr B) {
    auto E = P.make<LogicalExpr>(loc());
    E->Op = Op;
    E->Lhs = std::move(A);
    E->Rhs = std::move(B);
    return E;
  }
  ExprPtr cond(ExprPtr C, ExprPtr T, ExprPtr F) {
    auto E = P.make<ConditionalExpr>(loc());
    E->Cond = std::move(C);
    E->Then = std::move(T);
    E->Else = std::move(F);
    return E;
  }

  static void bind(BoundArgs &BA, const std::vector<ParamSpec> &Formals, std::vector<ExprPtr> Args,
                   std::vector<Kw> Kws) {
    BA.Args.clear();
    for (auto &A : Args)
      BA.Args.push_back(std::move(A));
    for (auto &K : Kws) {
      auto Idx = paramIndex(Formals, K.Name);
      if (!Idx)
        throw std::runtime_error("no slot " + K.Name);
      if (BA.Args.size() <= *Idx)
        BA.Args.resize(*Idx + 1);
      BA.Args[*Idx] = std::move(K.Value);
    }
  }

  std::unique_ptr<CallExpr> callE(const std::string &Q, std::vector<ExprPtr> Args,
                                  std::vector<Kw> Kws = {}) {
    auto Op = findOp(Q);
    if (!Op)
      throw std::runtime_error("no op " + Q);
    auto C = P.make<CallExpr>(loc(9));
    C->Op = *Op;
    bind(C->Args, opInfo(*Op).Params, std::move(Args), std::move(Kws));
    return C;
  }
  ExprPtr call(const std::string &Q, std::vector<ExprPtr> Args, std::vector<Kw> Kws = {}) {
    return callE(Q, std::move(Args), std::move(Kws));
  }
  ExprPtr call1(const std::string &Q, ExprPtr A) {
    std::vector<ExprPtr> Args;
    Args.push_back(std::move(A));
    return call(Q, std::move(Args));
  }
  ExprPtr call2(const std::string &Q, ExprPtr A, ExprPtr B) {
    std::vector<ExprPtr> Args;
    Args.push_back(std::move(A));
    Args.push_back(std::move(B));
    return call(Q, std::move(Args));
  }

  std::unique_ptr<DistributionExpr> dist(const std::string &Name, std::vector<ExprPtr> Args,
                                         std::vector<Kw> Kws = {}) {
    auto D = findDistribution(Name);
    if (!D)
      throw std::runtime_error("no dist " + Name);
    auto E = P.make<DistributionExpr>(loc(10));
    E->Dist = *D;
    bind(E->Args, distInfo(*D).Params, std::move(Args), std::move(Kws));
    return E;
  }
  std::unique_ptr<DistributionExpr> normal(ExprPtr Loc, ExprPtr Scale) {
    std::vector<ExprPtr> A;
    A.push_back(std::move(Loc));
    A.push_back(std::move(Scale));
    return dist("Normal", std::move(A));
  }
  std::unique_ptr<DistributionExpr> dist1(const std::string &Name, ExprPtr A0) {
    std::vector<ExprPtr> A;
    A.push_back(std::move(A0));
    return dist(Name, std::move(A));
  }
  void transform(DistributionExpr &D, DistTransformKind K, ExprPtr Arg) {
    D.Transforms.push_back(DistTransform{K, std::move(Arg), loc(11)});
  }

  ExprPtr ctor(const std::string &Q, std::vector<ExprPtr> Args = {}, std::vector<Kw> Kws = {},
               std::vector<ExprPtr> Members = {}) {
    auto M = findModule(Q);
    if (!M)
      throw std::runtime_error("no module " + Q);
    auto C = P.make<ModuleCtorExpr>(loc());
    C->Module = *M;
    bind(C->Args, moduleInfo(*M).CtorParams, std::move(Args), std::move(Kws));
    C->Members = std::move(Members);
    return C;
  }
  ExprPtr mcall(ExprPtr Callee, std::vector<ExprPtr> Args) {
    auto C = P.make<ModuleCallExpr>(loc(12));
    C->Callee = std::move(Callee);
    C->Args = std::move(Args);
    return C;
  }
  ExprPtr mcall1(VarId M, ExprPtr A) {
    std::vector<ExprPtr> Args;
    Args.push_back(std::move(A));
    return mcall(v(M), std::move(Args));
  }
  ExprPtr sub(ExprPtr Base, std::vector<ExprPtr> Idx) {
    auto S = P.make<SubscriptExpr>(loc(13));
    S->Base = std::move(Base);
    S->Indices = std::move(Idx);
    return S;
  }
  ExprPtr sub1(ExprPtr Base, ExprPtr I) {
    std::vector<ExprPtr> Idx;
    Idx.push_back(std::move(I));
    return sub(std::move(Base), std::move(Idx));
  }
  ExprPtr slice(ExprPtr Lo, ExprPtr Hi) {
    auto S = P.make<SliceExpr>(loc());
    S->Lower = std::move(Lo);
    S->Upper = std::move(Hi);
    return S;
  }
  ExprPtr attr(ExprPtr Base, const std::string &Name) {
    auto A = P.make<AttributeExpr>(loc(14));
    A->Base = std::move(Base);
    A->Name = Name;
    return A;
  }
  ExprPtr tuple(std::vector<ExprPtr> Es) {
    auto T = P.makeSequence(ExprKind::Tuple, loc());
    T->Elements = std::move(Es);
    return T;
  }
  ExprPtr indexUpdate(ExprPtr Base, std::vector<ExprPtr> Idx, ExprPtr Val) {
    auto U = P.make<IndexUpdateExpr>(loc(15));
    U->Base = std::move(Base);
    U->Indices = std::move(Idx);
    U->Value = std::move(Val);
    return U;
  }
  ExprPtr attrUpdate(ExprPtr Base, std::vector<std::string> Path, ExprPtr Val) {
    auto U = P.make<AttrUpdateExpr>(loc());
    U->Base = std::move(Base);
    U->Path = std::move(Path);
    U->Value = std::move(Val);
    return U;
  }

  // --- statements (each on its own line) ---
  StmtPtr assign(VarId T, ExprPtr E) {
    auto S = P.make<AssignStmt>(next());
    S->Target = T;
    S->Value = std::move(E);
    return S;
  }
  SiteName name(const std::string &N, std::vector<ExprPtr> Indices = {}) {
    SiteName S;
    S.NameForm = Indices.empty() ? SiteName::Form::Literal : SiteName::Form::Template;
    S.Canonical = N;
    S.Indices = std::move(Indices);
    S.Loc = loc();
    return S;
  }
  StmtPtr sample(std::optional<VarId> T, SiteName N, std::unique_ptr<DistributionExpr> D,
                 ExprPtr Obs = nullptr) {
    auto S = P.make<SampleStmt>(next());
    S->Target = T;
    S->Name = std::move(N);
    S->Dist = std::move(D);
    S->Obs = std::move(Obs);
    return S;
  }
  StmtPtr sample(std::optional<VarId> T, const std::string &N, std::unique_ptr<DistributionExpr> D,
                 ExprPtr Obs = nullptr) {
    return sample(T, name(N), std::move(D), std::move(Obs));
  }
  StmtPtr observe(const std::string &N, std::unique_ptr<DistributionExpr> D, ExprPtr Obs) {
    return sample(std::nullopt, N, std::move(D), std::move(Obs));
  }
  StmtPtr param(std::optional<VarId> T, const std::string &N, ExprPtr Init,
                std::optional<ConstraintId> C = std::nullopt) {
    auto S = P.make<ParamStmt>(next());
    S->Target = T;
    S->Name = name(N);
    S->Init = std::move(Init);
    if (C) {
      auto CE = P.make<ConstraintExpr>(loc());
      CE->Constraint = *C;
      S->Constraint = std::move(CE);
    }
    return S;
  }
  StmtPtr module(const std::string &N, VarId M) {
    auto S = P.make<ModuleStmt>(next());
    S->Name = name(N);
    S->ModuleVar = M;
    return S;
  }
  StmtPtr factor(const std::string &N, ExprPtr E) {
    auto S = P.make<FactorStmt>(next());
    S->Name = name(N);
    S->LogProb = std::move(E);
    return S;
  }
  StmtPtr exprStmt(ExprPtr E) {
    auto S = P.make<ExprStmt>(next());
    S->Value = std::move(E);
    return S;
  }
  StmtPtr ifs(ExprPtr C, Block Then, Block Else = {}) {
    auto S = P.make<IfStmt>(next());
    S->Cond = std::move(C);
    S->Then = std::move(Then);
    S->Else = std::move(Else);
    return S;
  }
  StmtPtr forRange(VarId Index, ExprPtr Stop, Block Body) {
    auto S = P.make<ForStmt>(next());
    S->Over = ForStmt::Iter::Range;
    S->Index = Index;
    S->Start = integer(0);
    S->Stop = std::move(Stop);
    S->Step = integer(1);
    S->Body = std::move(Body);
    return S;
  }
  StmtPtr whileS(ExprPtr C, Block Body) {
    auto S = P.make<WhileStmt>(next());
    S->Cond = std::move(C);
    S->Body = std::move(Body);
    return S;
  }
  StmtPtr plate(const std::string &N, ExprPtr Size, Block Body,
                std::optional<VarId> Index = std::nullopt) {
    auto S = P.make<WithStmt>(next());
    S->Ctx = WithStmt::Context::Plate;
    S->Plate.Name = name(N);
    S->Plate.Size = std::move(Size);
    S->IndexVar = Index;
    S->Body = std::move(Body);
    return S;
  }
  StmtPtr withCtx(WithStmt::Context C, ExprPtr Arg, Block Body) {
    auto S = P.make<WithStmt>(next());
    S->Ctx = C;
    S->Arg = std::move(Arg);
    S->Body = std::move(Body);
    return S;
  }
  StmtPtr assertS(ExprPtr C) {
    auto S = P.make<AssertStmt>(next());
    S->Cond = std::move(C);
    return S;
  }

  void add(StmtPtr S) { P.Body.push_back(std::move(S)); }
};

template <typename... T> Block block(T... Ss) {
  Block B;
  (B.push_back(std::move(Ss)), ...);
  return B;
}

template <typename... T> std::vector<ExprPtr> exprs(T... Es) {
  std::vector<ExprPtr> V;
  (V.push_back(std::move(Es)), ...);
  return V;
}

} // namespace svic::smoothtest
