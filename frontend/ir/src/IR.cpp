//===- IR.cpp - The svic core IR -------------------------------------------===//

#include "svic/ir/IR.h"

namespace svic::ir {

double ConstantExpr::number() const {
  switch (Ty) {
  case Type::Bool:
    return BoolValue ? 1.0 : 0.0;
  case Type::Int:
    return static_cast<double>(IntValue);
  case Type::Float:
    return FloatValue;
  case Type::None:
  case Type::String:
    break;
  }
  assert(false && "number() of a non-numeric constant");
  return 0;
}

static ExprPtr cloneOrNull(const ExprPtr &E, Program &P) { return E ? cloneExpr(*E, P) : nullptr; }

static std::vector<ExprPtr> cloneAll(const std::vector<ExprPtr> &Es, Program &P) {
  std::vector<ExprPtr> Out;
  Out.reserve(Es.size());
  for (const ExprPtr &E : Es)
    Out.push_back(cloneOrNull(E, P));
  return Out;
}

ExprPtr cloneExpr(const Expr &E, Program &P) {
  switch (E.Kind) {
  case ExprKind::Constant: {
    auto N = P.make<ConstantExpr>(E.Loc);
    const auto &C = *cast<ConstantExpr>(&E);
    N->Ty = C.Ty;
    N->BoolValue = C.BoolValue;
    N->IntValue = C.IntValue;
    N->FloatValue = C.FloatValue;
    N->StringValue = C.StringValue;
    return N;
  }
  case ExprKind::VarRef: {
    auto N = P.make<VarRefExpr>(E.Loc);
    N->Var = cast<VarRefExpr>(&E)->Var;
    return N;
  }
  case ExprKind::Unary: {
    auto N = P.make<UnaryExpr>(E.Loc);
    N->Op = cast<UnaryExpr>(&E)->Op;
    N->Operand = cloneOrNull(cast<UnaryExpr>(&E)->Operand, P);
    return N;
  }
  case ExprKind::Binary: {
    auto N = P.make<BinaryExpr>(E.Loc);
    const auto &B = *cast<BinaryExpr>(&E);
    N->Op = B.Op;
    N->Lhs = cloneOrNull(B.Lhs, P);
    N->Rhs = cloneOrNull(B.Rhs, P);
    return N;
  }
  case ExprKind::Compare: {
    auto N = P.make<CompareExpr>(E.Loc);
    const auto &C = *cast<CompareExpr>(&E);
    N->Op = C.Op;
    N->Lhs = cloneOrNull(C.Lhs, P);
    N->Rhs = cloneOrNull(C.Rhs, P);
    return N;
  }
  case ExprKind::Logical: {
    auto N = P.make<LogicalExpr>(E.Loc);
    const auto &L = *cast<LogicalExpr>(&E);
    N->Op = L.Op;
    N->Lhs = cloneOrNull(L.Lhs, P);
    N->Rhs = cloneOrNull(L.Rhs, P);
    return N;
  }
  case ExprKind::Conditional: {
    auto N = P.make<ConditionalExpr>(E.Loc);
    const auto &C = *cast<ConditionalExpr>(&E);
    N->Cond = cloneOrNull(C.Cond, P);
    N->Then = cloneOrNull(C.Then, P);
    N->Else = cloneOrNull(C.Else, P);
    return N;
  }
  case ExprKind::Call: {
    auto N = P.make<CallExpr>(E.Loc);
    const auto &C = *cast<CallExpr>(&E);
    N->Op = C.Op;
    N->Args.Args = cloneAll(C.Args.Args, P);
    N->Callee = C.Callee;
    N->MayRunUserCode = C.MayRunUserCode;
    return N;
  }
  case ExprKind::ModuleCtor: {
    auto N = P.make<ModuleCtorExpr>(E.Loc);
    const auto &C = *cast<ModuleCtorExpr>(&E);
    N->Module = C.Module;
    N->Args.Args = cloneAll(C.Args.Args, P);
    N->Members = cloneAll(C.Members, P);
    return N;
  }
  case ExprKind::ModuleCall: {
    auto N = P.make<ModuleCallExpr>(E.Loc);
    const auto &C = *cast<ModuleCallExpr>(&E);
    N->Callee = cloneOrNull(C.Callee, P);
    N->Args = cloneAll(C.Args, P);
    return N;
  }
  case ExprKind::Distribution: {
    auto N = P.make<DistributionExpr>(E.Loc);
    const auto &D = *cast<DistributionExpr>(&E);
    N->Dist = D.Dist;
    N->OpaqueName = D.OpaqueName;
    N->Args.Args = cloneAll(D.Args.Args, P);
    for (const DistTransform &T : D.Transforms)
      N->Transforms.push_back(DistTransform{T.Kind, cloneOrNull(T.Arg, P), T.Loc});
    return N;
  }
  case ExprKind::Subscript: {
    auto N = P.make<SubscriptExpr>(E.Loc);
    const auto &S = *cast<SubscriptExpr>(&E);
    N->Base = cloneOrNull(S.Base, P);
    N->Indices = cloneAll(S.Indices, P);
    N->Vectorized = S.Vectorized;
    return N;
  }
  case ExprKind::Slice: {
    auto N = P.make<SliceExpr>(E.Loc);
    const auto &S = *cast<SliceExpr>(&E);
    N->Lower = cloneOrNull(S.Lower, P);
    N->Upper = cloneOrNull(S.Upper, P);
    N->Step = cloneOrNull(S.Step, P);
    return N;
  }
  case ExprKind::Ellipsis:
    return P.make<EllipsisExpr>(E.Loc);
  case ExprKind::Tuple:
  case ExprKind::List: {
    auto N = P.makeSequence(E.Kind, E.Loc);
    N->Elements = cloneAll(cast<SequenceExpr>(&E)->Elements, P);
    return N;
  }
  case ExprKind::Dict: {
    auto N = P.make<DictExpr>(E.Loc);
    const auto &D = *cast<DictExpr>(&E);
    N->Keys = cloneAll(D.Keys, P);
    N->Values = cloneAll(D.Values, P);
    return N;
  }
  case ExprKind::Attribute: {
    auto N = P.make<AttributeExpr>(E.Loc);
    const auto &A = *cast<AttributeExpr>(&E);
    N->Base = cloneOrNull(A.Base, P);
    N->Name = A.Name;
    return N;
  }
  case ExprKind::IndexUpdate: {
    auto N = P.make<IndexUpdateExpr>(E.Loc);
    const auto &U = *cast<IndexUpdateExpr>(&E);
    N->Base = cloneOrNull(U.Base, P);
    N->Indices = cloneAll(U.Indices, P);
    N->Value = cloneOrNull(U.Value, P);
    return N;
  }
  case ExprKind::AttrUpdate: {
    auto N = P.make<AttrUpdateExpr>(E.Loc);
    const auto &U = *cast<AttrUpdateExpr>(&E);
    N->Base = cloneOrNull(U.Base, P);
    N->Path = U.Path;
    N->Value = cloneOrNull(U.Value, P);
    return N;
  }
  case ExprKind::Constraint: {
    auto N = P.make<ConstraintExpr>(E.Loc);
    const auto &C = *cast<ConstraintExpr>(&E);
    N->Constraint = C.Constraint;
    N->Args = cloneAll(C.Args, P);
    return N;
  }
  }
  assert(false && "unhandled expression kind");
  return nullptr;
}

std::string_view unaryOpName(UnaryOp Op) {
  switch (Op) {
  case UnaryOp::Neg:
    return "-";
  case UnaryOp::Pos:
    return "+";
  case UnaryOp::Not:
    return "not";
  case UnaryOp::Invert:
    return "~";
  }
  return "?";
}

std::string_view binaryOpName(BinaryOp Op) {
  switch (Op) {
  case BinaryOp::Add:
    return "+";
  case BinaryOp::Sub:
    return "-";
  case BinaryOp::Mul:
    return "*";
  case BinaryOp::Div:
    return "/";
  case BinaryOp::FloorDiv:
    return "//";
  case BinaryOp::Mod:
    return "%";
  case BinaryOp::Pow:
    return "**";
  case BinaryOp::MatMul:
    return "@";
  case BinaryOp::BitAnd:
    return "&";
  case BinaryOp::BitOr:
    return "|";
  }
  return "?";
}

std::string_view compareOpName(CompareOp Op) {
  switch (Op) {
  case CompareOp::Lt:
    return "<";
  case CompareOp::Le:
    return "<=";
  case CompareOp::Gt:
    return ">";
  case CompareOp::Ge:
    return ">=";
  case CompareOp::Eq:
    return "==";
  case CompareOp::Ne:
    return "!=";
  case CompareOp::Is:
    return "is";
  case CompareOp::IsNot:
    return "is not";
  case CompareOp::In:
    return "in";
  case CompareOp::NotIn:
    return "not in";
  }
  return "?";
}

std::string_view exprKindName(ExprKind K) {
  switch (K) {
  case ExprKind::Constant:
    return "constant";
  case ExprKind::VarRef:
    return "var";
  case ExprKind::Unary:
    return "unary";
  case ExprKind::Binary:
    return "binary";
  case ExprKind::Compare:
    return "compare";
  case ExprKind::Logical:
    return "logical";
  case ExprKind::Conditional:
    return "conditional";
  case ExprKind::Call:
    return "call";
  case ExprKind::ModuleCtor:
    return "module-ctor";
  case ExprKind::ModuleCall:
    return "module-call";
  case ExprKind::Distribution:
    return "distribution";
  case ExprKind::Subscript:
    return "subscript";
  case ExprKind::Slice:
    return "slice";
  case ExprKind::Ellipsis:
    return "ellipsis";
  case ExprKind::Tuple:
    return "tuple";
  case ExprKind::List:
    return "list";
  case ExprKind::Dict:
    return "dict";
  case ExprKind::Attribute:
    return "attribute";
  case ExprKind::IndexUpdate:
    return "index-update";
  case ExprKind::AttrUpdate:
    return "attr-update";
  case ExprKind::Constraint:
    return "constraint";
  }
  return "?";
}

std::string_view stmtKindName(StmtKind K) {
  switch (K) {
  case StmtKind::Assign:
    return "assign";
  case StmtKind::ExprStmt:
    return "expr";
  case StmtKind::Sample:
    return "sample";
  case StmtKind::Param:
    return "param";
  case StmtKind::Module:
    return "module";
  case StmtKind::Factor:
    return "factor";
  case StmtKind::If:
    return "if";
  case StmtKind::For:
    return "for";
  case StmtKind::While:
    return "while";
  case StmtKind::With:
    return "with";
  case StmtKind::Return:
    return "return";
  case StmtKind::Assert:
    return "assert";
  }
  return "?";
}

} // namespace svic::ir
