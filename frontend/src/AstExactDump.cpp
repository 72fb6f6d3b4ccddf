//===- AstExactDump.cpp - Every field of the AST, for comparing trees -------===//

#include "svic/frontend/Ast.h"
#include "svic/ir/IR.h"

#include <cstdio>

namespace svic::frontend::ast {

using ir::cast;

namespace {

class ExactDumper {
public:
  std::string Out;

  void loc(const SourceLoc &L) {
    Out += '@' + std::to_string(L.File) + ':' + std::to_string(L.Line) + ':' +
           std::to_string(L.Col) + '-' + std::to_string(L.EndLine) + ':' +
           std::to_string(L.EndCol) + '/' + std::to_string(L.Inlined);
  }
  void str(const std::string &S) { Out += '"' + std::to_string(S.size()) + ':' + S + '"'; }
  void open(const char *Tag) {
    Out += '(';
    Out += Tag;
    Out += ' ';
  }
  void close() { Out += ')'; }

  void expr(const Expr *E) {
    if (!E) {
      Out += "null";
      return;
    }
    Out += '(' + std::to_string(static_cast<int>(E->Kind)) + ' ';
    loc(E->Loc);
    switch (E->Kind) {
    case ExprKind::Name:
      str(cast<Name>(E)->Id);
      break;
    case ExprKind::Constant: {
      const auto *C = cast<Constant>(E);
      char Float[40];
      std::snprintf(Float, sizeof(Float), "%a", C->Float);
      Out += std::to_string(static_cast<int>(C->Ty)) + ' ' + std::to_string(C->Int) + ' ' + Float +
             ' ' + std::to_string(C->Overflow) + ' ';
      str(C->Str);
      break;
    }
    case ExprKind::FString:
      for (const FString::Part &P : cast<FString>(E)->Parts) {
        open("part");
        Out += std::to_string(P.IsField);
        str(P.Text);
        str(P.Conversion);
        str(P.FormatSpec);
        loc(P.Loc);
        expr(P.Value.get());
        close();
      }
      break;
    case ExprKind::Attribute:
      str(cast<Attribute>(E)->Attr);
      expr(cast<Attribute>(E)->Value.get());
      break;
    case ExprKind::Subscript: {
      const auto *S = cast<Subscript>(E);
      Out += std::to_string(S->TrailingComma);
      expr(S->Value.get());
      exprs(S->Indices);
      break;
    }
    case ExprKind::Slice: {
      const auto *S = cast<Slice>(E);
      expr(S->Lower.get());
      expr(S->Upper.get());
      expr(S->Step.get());
      break;
    }
    case ExprKind::Call: {
      const auto *C = cast<Call>(E);
      expr(C->Func.get());
      args(C->Args);
      break;
    }
    case ExprKind::BinOp: {
      const auto *B = cast<BinOp>(E);
      Out += binOpSpelling(B->Op);
      expr(B->Left.get());
      expr(B->Right.get());
      break;
    }
    case ExprKind::UnaryOp:
      Out += unaryOpSpelling(cast<UnaryOp>(E)->Op);
      expr(cast<UnaryOp>(E)->Operand.get());
      break;
    case ExprKind::BoolOp:
      Out += std::to_string(cast<BoolOp>(E)->IsAnd);
      exprs(cast<BoolOp>(E)->Values);
      break;
    case ExprKind::Compare: {
      const auto *C = cast<Compare>(E);
      expr(C->Left.get());
      for (CmpOpKind Op : C->Ops)
        Out += cmpOpSpelling(Op) + std::string(" ");
      exprs(C->Comparators);
      break;
    }
    case ExprKind::IfExp: {
      const auto *I = cast<IfExp>(E);
      expr(I->Test.get());
      expr(I->Body.get());
      expr(I->OrElse.get());
      break;
    }
    case ExprKind::Tuple:
    case ExprKind::List:
    case ExprKind::Set:
      exprs(cast<Sequence>(E)->Elts);
      break;
    case ExprKind::Dict:
      exprs(cast<Dict>(E)->Keys);
      exprs(cast<Dict>(E)->Values);
      break;
    case ExprKind::Starred:
      expr(cast<Starred>(E)->Value.get());
      break;
    case ExprKind::Lambda:
      stmt(cast<Lambda>(E)->Fn.get());
      break;
    case ExprKind::Comp: {
      const auto *C = cast<Comp>(E);
      Out += std::to_string(static_cast<int>(C->F));
      expr(C->Elt.get());
      expr(C->Value.get());
      for (const CompFor &F : C->Fors) {
        expr(F.Target.get());
        expr(F.Iter.get());
        exprs(F.Ifs);
      }
      break;
    }
    case ExprKind::Unsupported: {
      const auto *U = cast<Unsupported>(E);
      str(U->What);
      str(U->Hint);
      exprs(U->Children);
      break;
    }
    }
    close();
  }

  void exprs(const std::vector<ExprPtr> &Es) {
    open("list");
    for (const ExprPtr &E : Es)
      expr(E.get());
    close();
  }

  void args(const std::vector<Arg> &As) {
    for (const Arg &A : As) {
      open("arg");
      Out += std::to_string(static_cast<int>(A.K));
      str(A.Name);
      loc(A.Loc);
      expr(A.Value.get());
      close();
    }
  }

  void body(const Body &B) {
    open("body");
    for (const StmtPtr &S : B)
      stmt(S.get());
    close();
  }

  void stmt(const Stmt *S) {
    Out += '[' + std::to_string(static_cast<int>(S->Kind)) + ' ';
    loc(S->Loc);
    switch (S->Kind) {
    case StmtKind::Expr:
      expr(cast<ExprStmt>(S)->Value.get());
      break;
    case StmtKind::Assign:
      exprs(cast<Assign>(S)->Targets);
      expr(cast<Assign>(S)->Value.get());
      break;
    case StmtKind::AugAssign: {
      const auto *A = cast<AugAssign>(S);
      Out += binOpSpelling(A->Op);
      expr(A->Target.get());
      expr(A->Value.get());
      break;
    }
    case StmtKind::AnnAssign: {
      const auto *A = cast<AnnAssign>(S);
      expr(A->Target.get());
      expr(A->Annotation.get());
      expr(A->Value.get());
      break;
    }
    case StmtKind::If: {
      const auto *I = cast<If>(S);
      Out += std::to_string(I->IsElif);
      expr(I->Test.get());
      body(I->Then);
      body(I->OrElse);
      break;
    }
    case StmtKind::For: {
      const auto *F = cast<For>(S);
      expr(F->Target.get());
      expr(F->Iter.get());
      body(F->Loop);
      body(F->OrElse);
      break;
    }
    case StmtKind::While: {
      const auto *W = cast<While>(S);
      expr(W->Test.get());
      body(W->Loop);
      body(W->OrElse);
      break;
    }
    case StmtKind::With:
      for (const WithItem &I : cast<With>(S)->Items) {
        open("item");
        expr(I.Context.get());
        expr(I.Var.get());
        close();
      }
      body(cast<With>(S)->Inner);
      break;
    case StmtKind::FunctionDef: {
      const auto *F = cast<FunctionDef>(S);
      str(F->Name);
      Out += std::to_string(F->IsAsync);
      for (const Param &P : F->Params) {
        open("param");
        Out += std::to_string(static_cast<int>(P.K));
        str(P.Name);
        loc(P.Loc);
        expr(P.Default.get());
        close();
      }
      exprs(F->Decorators);
      body(F->Inner);
      break;
    }
    case StmtKind::ClassDef: {
      const auto *C = cast<ClassDef>(S);
      str(C->Name);
      exprs(C->Bases);
      args(C->Keywords);
      exprs(C->Decorators);
      body(C->Inner);
      break;
    }
    case StmtKind::Try: {
      const auto *T = cast<Try>(S);
      Out += std::to_string(T->Star);
      body(T->Inner);
      for (const Try::Handler &H : T->Handlers) {
        open("handler");
        expr(H.Type.get());
        str(H.Name);
        loc(H.Loc);
        body(H.Inner);
        close();
      }
      body(T->OrElse);
      body(T->Finally);
      break;
    }
    case StmtKind::Return:
      expr(cast<Return>(S)->Value.get());
      break;
    case StmtKind::Pass:
      break;
    case StmtKind::Assert:
      expr(cast<Assert>(S)->Test.get());
      expr(cast<Assert>(S)->Msg.get());
      break;
    case StmtKind::Import:
      aliases(cast<Import>(S)->Names);
      break;
    case StmtKind::ImportFrom:
      str(cast<ImportFrom>(S)->Module);
      Out += std::to_string(cast<ImportFrom>(S)->Level);
      aliases(cast<ImportFrom>(S)->Names);
      break;
    case StmtKind::Unsupported: {
      const auto *U = cast<UnsupportedStmt>(S);
      str(U->What);
      str(U->Hint);
      for (const std::string &N : U->Names)
        str(N);
      break;
    }
    }
    Out += "]\n";
  }

  void aliases(const std::vector<Alias> &As) {
    for (const Alias &A : As) {
      open("alias");
      str(A.Name);
      str(A.AsName);
      loc(A.Loc);
      close();
    }
  }
};

} // namespace

std::string dumpExact(const Module &M) {
  ExactDumper D;
  D.Out = "file " + std::to_string(M.File) + "\n";
  D.body(M.Stmts);
  return D.Out;
}

} // namespace svic::frontend::ast
