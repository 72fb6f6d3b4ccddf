//===- Walk.h - Generic traversals of the IR -------------------------------===//
///
/// \file
/// Visits the direct sub-expressions of an expression, or every statement of
/// a block in pre-order (nested blocks included). Shared by the analyses so a
/// new node kind is added to one switch, and -Wswitch points at it.
//===----------------------------------------------------------------------===//
#pragma once

#include "svic/ir/IR.h"

namespace svic::ir {

/// Calls Fn on every non-null direct sub-expression of E.
template <typename F> void forEachChild(const Expr &E, F &&Fn) {
  auto Visit = [&](const ExprPtr &C) {
    if (C)
      Fn(*C);
  };
  switch (E.Kind) {
  case ExprKind::Constant:
  case ExprKind::VarRef:
  case ExprKind::Ellipsis:
    return;
  case ExprKind::Unary:
    Visit(cast<UnaryExpr>(&E)->Operand);
    return;
  case ExprKind::Binary: {
    auto *B = cast<BinaryExpr>(&E);
    Visit(B->Lhs);
    Visit(B->Rhs);
    return;
  }
  case ExprKind::Compare: {
    auto *B = cast<CompareExpr>(&E);
    Visit(B->Lhs);
    Visit(B->Rhs);
    return;
  }
  case ExprKind::Logical: {
    auto *B = cast<LogicalExpr>(&E);
    Visit(B->Lhs);
    Visit(B->Rhs);
    return;
  }
  case ExprKind::Conditional: {
    auto *C = cast<ConditionalExpr>(&E);
    Visit(C->Cond);
    Visit(C->Then);
    Visit(C->Else);
    return;
  }
  case ExprKind::Call:
    for (const auto &A : cast<CallExpr>(&E)->Args.Args)
      Visit(A);
    return;
  case ExprKind::ModuleCtor: {
    auto *C = cast<ModuleCtorExpr>(&E);
    for (const auto &A : C->Args.Args)
      Visit(A);
    for (const auto &M : C->Members)
      Visit(M);
    return;
  }
  case ExprKind::ModuleCall: {
    auto *C = cast<ModuleCallExpr>(&E);
    Visit(C->Callee);
    for (const auto &A : C->Args)
      Visit(A);
    return;
  }
  case ExprKind::Distribution: {
    auto *D = cast<DistributionExpr>(&E);
    for (const auto &A : D->Args.Args)
      Visit(A);
    for (const auto &T : D->Transforms)
      Visit(T.Arg);
    return;
  }
  case ExprKind::Subscript: {
    auto *S = cast<SubscriptExpr>(&E);
    Visit(S->Base);
    for (const auto &I : S->Indices)
      Visit(I);
    return;
  }
  case ExprKind::Slice: {
    auto *S = cast<SliceExpr>(&E);
    Visit(S->Lower);
    Visit(S->Upper);
    Visit(S->Step);
    return;
  }
  case ExprKind::Tuple:
  case ExprKind::List:
    for (const auto &X : cast<SequenceExpr>(&E)->Elements)
      Visit(X);
    return;
  case ExprKind::Dict: {
    auto *D = cast<DictExpr>(&E);
    for (const auto &K : D->Keys)
      Visit(K);
    for (const auto &V : D->Values)
      Visit(V);
    return;
  }
  case ExprKind::Attribute:
    Visit(cast<AttributeExpr>(&E)->Base);
    return;
  case ExprKind::IndexUpdate: {
    auto *U = cast<IndexUpdateExpr>(&E);
    Visit(U->Base);
    for (const auto &I : U->Indices)
      Visit(I);
    Visit(U->Value);
    return;
  }
  case ExprKind::AttrUpdate: {
    auto *U = cast<AttrUpdateExpr>(&E);
    Visit(U->Base);
    Visit(U->Value);
    return;
  }
  case ExprKind::Constraint:
    for (const auto &A : cast<ConstraintExpr>(&E)->Args)
      Visit(A);
    return;
  }
}

/// Calls Fn on every statement of B and of the blocks nested in it, in order.
template <typename F> void forEachStmt(const Block &B, F &&Fn) {
  for (const StmtPtr &S : B) {
    Fn(*S);
    switch (S->Kind) {
    case StmtKind::If: {
      auto *I = cast<IfStmt>(S.get());
      forEachStmt(I->Then, Fn);
      forEachStmt(I->Else, Fn);
      break;
    }
    case StmtKind::For:
      forEachStmt(cast<ForStmt>(S.get())->Body, Fn);
      break;
    case StmtKind::While:
      forEachStmt(cast<WhileStmt>(S.get())->Body, Fn);
      break;
    case StmtKind::With:
      forEachStmt(cast<WithStmt>(S.get())->Body, Fn);
      break;
    case StmtKind::Assign:
    case StmtKind::ExprStmt:
    case StmtKind::Sample:
    case StmtKind::Param:
    case StmtKind::Module:
    case StmtKind::Factor:
    case StmtKind::Return:
    case StmtKind::Assert:
      break;
    }
  }
}

} // namespace svic::ir
