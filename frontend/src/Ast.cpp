//===- Ast.cpp - The small Python AST: traversal and dump -------------------===//

#include "svic/frontend/Ast.h"

#include "Strings.h"
#include "svic/ir/Printer.h"
#include "svic/ir/IR.h"

#include <cstdio>

namespace svic::frontend::ast {

using ir::cast;
using ir::dyn_cast;

const char *binOpSpelling(BinOpKind Op) {
  switch (Op) {
  case BinOpKind::Add:
    return "+";
  case BinOpKind::Sub:
    return "-";
  case BinOpKind::Mult:
    return "*";
  case BinOpKind::MatMult:
    return "@";
  case BinOpKind::Div:
    return "/";
  case BinOpKind::FloorDiv:
    return "//";
  case BinOpKind::Mod:
    return "%";
  case BinOpKind::Pow:
    return "**";
  case BinOpKind::LShift:
    return "<<";
  case BinOpKind::RShift:
    return ">>";
  case BinOpKind::BitOr:
    return "|";
  case BinOpKind::BitXor:
    return "^";
  case BinOpKind::BitAnd:
    return "&";
  }
  return "?";
}

const char *unaryOpSpelling(UnaryOpKind Op) {
  switch (Op) {
  case UnaryOpKind::UAdd:
    return "+";
  case UnaryOpKind::USub:
    return "-";
  case UnaryOpKind::Not:
    return "not";
  case UnaryOpKind::Invert:
    return "~";
  }
  return "?";
}

const char *cmpOpSpelling(CmpOpKind Op) {
  switch (Op) {
  case CmpOpKind::Eq:
    return "==";
  case CmpOpKind::NotEq:
    return "!=";
  case CmpOpKind::Lt:
    return "<";
  case CmpOpKind::LtE:
    return "<=";
  case CmpOpKind::Gt:
    return ">";
  case CmpOpKind::GtE:
    return ">=";
  case CmpOpKind::Is:
    return "is";
  case CmpOpKind::IsNot:
    return "is not";
  case CmpOpKind::In:
    return "in";
  case CmpOpKind::NotIn:
    return "not in";
  }
  return "?";
}

void forEachChild(Expr &E, ExprVisitorRef F) {
  auto Visit = [&](ExprPtr &P) {
    if (P)
      F(*P);
  };
  switch (E.Kind) {
  case ExprKind::Name:
  case ExprKind::Constant:
    return;
  case ExprKind::FString:
    for (FString::Part &P : cast<FString>(&E)->Parts)
      Visit(P.Value);
    return;
  case ExprKind::Attribute:
    Visit(cast<Attribute>(&E)->Value);
    return;
  case ExprKind::Subscript:
    Visit(cast<Subscript>(&E)->Value);
    for (ExprPtr &I : cast<Subscript>(&E)->Indices)
      Visit(I);
    return;
  case ExprKind::Slice: {
    auto *S = cast<Slice>(&E);
    Visit(S->Lower);
    Visit(S->Upper);
    Visit(S->Step);
    return;
  }
  case ExprKind::Call:
    Visit(cast<Call>(&E)->Func);
    for (Arg &A : cast<Call>(&E)->Args)
      Visit(A.Value);
    return;
  case ExprKind::BinOp:
    Visit(cast<BinOp>(&E)->Left);
    Visit(cast<BinOp>(&E)->Right);
    return;
  case ExprKind::UnaryOp:
    Visit(cast<UnaryOp>(&E)->Operand);
    return;
  case ExprKind::BoolOp:
    for (ExprPtr &V : cast<BoolOp>(&E)->Values)
      Visit(V);
    return;
  case ExprKind::Compare:
    Visit(cast<Compare>(&E)->Left);
    for (ExprPtr &V : cast<Compare>(&E)->Comparators)
      Visit(V);
    return;
  case ExprKind::IfExp: {
    auto *I = cast<IfExp>(&E);
    Visit(I->Body);
    Visit(I->Test);
    Visit(I->OrElse);
    return;
  }
  case ExprKind::Tuple:
  case ExprKind::List:
  case ExprKind::Set:
    for (ExprPtr &V : cast<Sequence>(&E)->Elts)
      Visit(V);
    return;
  case ExprKind::Dict: {
    auto *D = cast<Dict>(&E);
    for (size_t I = 0; I < D->Keys.size(); ++I) {
      Visit(D->Keys[I]);
      Visit(D->Values[I]);
    }
    return;
  }
  case ExprKind::Starred:
    Visit(cast<Starred>(&E)->Value);
    return;
  case ExprKind::Comp: {
    auto *C = cast<Comp>(&E);
    Visit(C->Elt);
    if (C->Value)
      Visit(C->Value);
    for (CompFor &F : C->Fors) {
      Visit(F.Target);
      Visit(F.Iter);
      for (ExprPtr &If : F.Ifs)
        Visit(If);
    }
    return;
  }
  case ExprKind::Lambda: {
    FunctionDef &F = *cast<Lambda>(&E)->Fn;
    for (Param &Pm : F.Params)
      Visit(Pm.Default);
    if (!F.Inner.empty())
      if (auto *R = dyn_cast<Return>(F.Inner.front().get()))
        Visit(R->Value);
    return;
  }
  case ExprKind::Unsupported:
    for (ExprPtr &V : cast<Unsupported>(&E)->Children)
      Visit(V);
    return;
  }
}

namespace {

std::string at(const SourceLoc &L) {
  return "@" + std::to_string(L.Line) + ":" + std::to_string(L.Col);
}

class Dumper {
public:
  std::string Out;

  void line(int Depth, const std::string &Text) {
    Out.append(static_cast<size_t>(Depth) * 2, ' ');
    Out += Text;
    Out += '\n';
  }

  void expr(int D, const Expr &E, const std::string &Label = "") {
    std::string P = Label.empty() ? "" : Label + ": ";
    switch (E.Kind) {
    case ExprKind::Name:
      line(D, P + "Name " + cast<Name>(&E)->Id + " " + at(E.Loc));
      return;
    case ExprKind::Constant: {
      const auto *C = cast<Constant>(&E);
      std::string V;
      switch (C->Ty) {
      case Constant::Type::None:
        V = "None";
        break;
      case Constant::Type::True:
        V = "True";
        break;
      case Constant::Type::False:
        V = "False";
        break;
      case Constant::Type::Ellipsis:
        V = "...";
        break;
      case Constant::Type::Int:
        V = "int " + std::to_string(C->Int);
        break;
      case Constant::Type::Float:
        V = "float " + C->Str;
        break;
      case Constant::Type::Imaginary:
        V = "imaginary " + C->Str;
        break;
      case Constant::Type::Str:
        V = "str " + ir::quoteString(C->Str);
        break;
      case Constant::Type::Bytes:
        V = "bytes " + ir::quoteString(C->Str);
        break;
      }
      line(D, P + "Constant " + V + " " + at(E.Loc));
      return;
    }
    case ExprKind::FString: {
      line(D, P + "FString " + at(E.Loc));
      for (const FString::Part &Part : cast<FString>(&E)->Parts) {
        if (!Part.IsField) {
          line(D + 1, "literal " + ir::quoteString(Part.Text));
          continue;
        }
        std::string Extra;
        if (!Part.Conversion.empty())
          Extra += " !" + Part.Conversion;
        if (!Part.FormatSpec.empty())
          Extra += " :" + Part.FormatSpec;
        line(D + 1, "field" + Extra);
        expr(D + 2, *Part.Value);
      }
      return;
    }
    case ExprKind::Attribute:
      line(D, P + "Attribute ." + cast<Attribute>(&E)->Attr + " " + at(E.Loc));
      expr(D + 1, *cast<Attribute>(&E)->Value);
      return;
    case ExprKind::Subscript: {
      const auto *S = cast<Subscript>(&E);
      line(D, P + "Subscript " + at(E.Loc));
      expr(D + 1, *S->Value, "value");
      for (const ExprPtr &I : S->Indices)
        expr(D + 1, *I, "index");
      return;
    }
    case ExprKind::Slice: {
      const auto *S = cast<Slice>(&E);
      line(D, P + "Slice " + at(E.Loc));
      if (S->Lower)
        expr(D + 1, *S->Lower, "lower");
      if (S->Upper)
        expr(D + 1, *S->Upper, "upper");
      if (S->Step)
        expr(D + 1, *S->Step, "step");
      return;
    }
    case ExprKind::Call: {
      const auto *C = cast<Call>(&E);
      line(D, P + "Call " + at(E.Loc));
      expr(D + 1, *C->Func, "func");
      for (const Arg &A : C->Args) {
        switch (A.K) {
        case Arg::Kind::Positional:
          expr(D + 1, *A.Value, "arg");
          break;
        case Arg::Kind::Keyword:
          expr(D + 1, *A.Value, "keyword " + A.Name);
          break;
        case Arg::Kind::Star:
          expr(D + 1, *A.Value, "*arg");
          break;
        case Arg::Kind::DoubleStar:
          expr(D + 1, *A.Value, "**arg");
          break;
        }
      }
      return;
    }
    case ExprKind::BinOp:
      line(D, P + "BinOp " + binOpSpelling(cast<BinOp>(&E)->Op) + " " + at(E.Loc));
      expr(D + 1, *cast<BinOp>(&E)->Left);
      expr(D + 1, *cast<BinOp>(&E)->Right);
      return;
    case ExprKind::UnaryOp:
      line(D, P + "UnaryOp " + unaryOpSpelling(cast<UnaryOp>(&E)->Op) + " " + at(E.Loc));
      expr(D + 1, *cast<UnaryOp>(&E)->Operand);
      return;
    case ExprKind::BoolOp:
      line(D, P + "BoolOp " + (cast<BoolOp>(&E)->IsAnd ? "and" : "or") + " " + at(E.Loc));
      for (const ExprPtr &V : cast<BoolOp>(&E)->Values)
        expr(D + 1, *V);
      return;
    case ExprKind::Compare: {
      const auto *C = cast<Compare>(&E);
      std::string Ops;
      for (CmpOpKind Op : C->Ops)
        Ops += std::string(Ops.empty() ? "" : " ") + cmpOpSpelling(Op);
      line(D, P + "Compare " + Ops + " " + at(E.Loc));
      expr(D + 1, *C->Left);
      for (const ExprPtr &V : C->Comparators)
        expr(D + 1, *V);
      return;
    }
    case ExprKind::IfExp: {
      const auto *I = cast<IfExp>(&E);
      line(D, P + "IfExp " + at(E.Loc));
      expr(D + 1, *I->Test, "test");
      expr(D + 1, *I->Body, "then");
      expr(D + 1, *I->OrElse, "else");
      return;
    }
    case ExprKind::Tuple:
    case ExprKind::List:
    case ExprKind::Set: {
      const char *K = E.Kind == ExprKind::Tuple  ? "Tuple"
                      : E.Kind == ExprKind::List ? "List"
                                                 : "Set";
      line(D, P + K + " " + at(E.Loc));
      for (const ExprPtr &V : cast<Sequence>(&E)->Elts)
        expr(D + 1, *V);
      return;
    }
    case ExprKind::Dict: {
      const auto *Di = cast<Dict>(&E);
      line(D, P + "Dict " + at(E.Loc));
      for (size_t I = 0; I < Di->Keys.size(); ++I) {
        if (Di->Keys[I])
          expr(D + 1, *Di->Keys[I], "key");
        else
          line(D + 1, "key: **");
        expr(D + 1, *Di->Values[I], "value");
      }
      return;
    }
    case ExprKind::Starred:
      line(D, P + "Starred " + at(E.Loc));
      expr(D + 1, *cast<Starred>(&E)->Value);
      return;
    case ExprKind::Comp: {
      const auto *C = cast<Comp>(&E);
      static const char *const Forms[] = {"ListComp", "SetComp", "DictComp", "GeneratorExp"};
      line(D, P + Forms[static_cast<int>(C->F)] + " " + at(E.Loc));
      expr(D + 1, *C->Elt);
      if (C->Value)
        expr(D + 1, *C->Value);
      for (const CompFor &F : C->Fors) {
        expr(D + 1, *F.Target);
        expr(D + 1, *F.Iter);
        for (const ExprPtr &If : F.Ifs)
          expr(D + 1, *If);
      }
      return;
    }
    case ExprKind::Lambda: {
      const FunctionDef &F = *cast<Lambda>(&E)->Fn;
      std::string Ps;
      for (const Param &Pm : F.Params)
        Ps += " " + Pm.Name;
      line(D, P + "Lambda" + Ps + " " + at(E.Loc));
      if (!F.Inner.empty())
        if (auto *R = dyn_cast<Return>(F.Inner.front().get()); R && R->Value)
          expr(D + 1, *R->Value);
      return;
    }
    case ExprKind::Unsupported:
      line(D, P + "Unsupported " + cast<Unsupported>(&E)->What + " " + at(E.Loc));
      for (const ExprPtr &V : cast<Unsupported>(&E)->Children)
        expr(D + 1, *V);
      return;
    }
  }

  void body(int D, const Body &B) {
    for (const StmtPtr &S : B)
      stmt(D, *S);
  }

  void stmt(int D, const Stmt &S) {
    switch (S.Kind) {
    case StmtKind::Expr:
      line(D, "Expr " + at(S.Loc));
      expr(D + 1, *cast<ExprStmt>(&S)->Value);
      return;
    case StmtKind::Assign: {
      const auto *A = cast<Assign>(&S);
      line(D, "Assign " + at(S.Loc));
      for (const ExprPtr &T : A->Targets)
        expr(D + 1, *T, "target");
      expr(D + 1, *A->Value, "value");
      return;
    }
    case StmtKind::AugAssign: {
      const auto *A = cast<AugAssign>(&S);
      line(D, std::string("AugAssign ") + binOpSpelling(A->Op) + "= " + at(S.Loc));
      expr(D + 1, *A->Target, "target");
      expr(D + 1, *A->Value, "value");
      return;
    }
    case StmtKind::AnnAssign: {
      const auto *A = cast<AnnAssign>(&S);
      line(D, "AnnAssign " + at(S.Loc));
      expr(D + 1, *A->Target, "target");
      expr(D + 1, *A->Annotation, "annotation");
      if (A->Value)
        expr(D + 1, *A->Value, "value");
      return;
    }
    case StmtKind::If: {
      const auto *I = cast<If>(&S);
      line(D, std::string(I->IsElif ? "Elif " : "If ") + at(S.Loc));
      expr(D + 1, *I->Test, "test");
      line(D + 1, "then:");
      body(D + 2, I->Then);
      if (!I->OrElse.empty()) {
        line(D + 1, "else:");
        body(D + 2, I->OrElse);
      }
      return;
    }
    case StmtKind::For: {
      const auto *F = cast<For>(&S);
      line(D, "For " + at(S.Loc));
      expr(D + 1, *F->Target, "target");
      expr(D + 1, *F->Iter, "iter");
      line(D + 1, "body:");
      body(D + 2, F->Loop);
      if (!F->OrElse.empty()) {
        line(D + 1, "else:");
        body(D + 2, F->OrElse);
      }
      return;
    }
    case StmtKind::While: {
      const auto *W = cast<While>(&S);
      line(D, "While " + at(S.Loc));
      expr(D + 1, *W->Test, "test");
      line(D + 1, "body:");
      body(D + 2, W->Loop);
      if (!W->OrElse.empty()) {
        line(D + 1, "else:");
        body(D + 2, W->OrElse);
      }
      return;
    }
    case StmtKind::With: {
      const auto *W = cast<With>(&S);
      line(D, "With " + at(S.Loc));
      for (const WithItem &I : W->Items) {
        expr(D + 1, *I.Context, "item");
        if (I.Var)
          expr(D + 2, *I.Var, "as");
      }
      line(D + 1, "body:");
      body(D + 2, W->Inner);
      return;
    }
    case StmtKind::FunctionDef: {
      const auto *F = cast<FunctionDef>(&S);
      std::string Params;
      for (const Param &Pm : F->Params) {
        if (!Params.empty())
          Params += ", ";
        switch (Pm.K) {
        case Param::Kind::Normal:
          Params += Pm.Name + (Pm.Default ? "=..." : "");
          break;
        case Param::Kind::VarArgs:
          Params += "*" + Pm.Name;
          break;
        case Param::Kind::KwOnlyMarker:
          Params += "*";
          break;
        case Param::Kind::VarKeywords:
          Params += "**" + Pm.Name;
          break;
        case Param::Kind::PosOnlyMarker:
          Params += "/";
          break;
        }
      }
      line(D, "FunctionDef " + F->Name + "(" + Params + ") " + at(S.Loc));
      for (const ExprPtr &Dec : F->Decorators)
        expr(D + 1, *Dec, "decorator");
      for (const Param &Pm : F->Params)
        if (Pm.Default)
          expr(D + 1, *Pm.Default, "default " + Pm.Name);
      body(D + 1, F->Inner);
      return;
    }
    case StmtKind::ClassDef: {
      const auto *C = cast<ClassDef>(&S);
      line(D, "ClassDef " + C->Name + " " + at(S.Loc));
      for (const ExprPtr &Dec : C->Decorators)
        expr(D + 1, *Dec, "decorator");
      for (const ExprPtr &B : C->Bases)
        expr(D + 1, *B, "base");
      for (const Arg &K : C->Keywords)
        expr(D + 1, *K.Value, "keyword " + K.Name);
      body(D + 1, C->Inner);
      return;
    }
    case StmtKind::Try: {
      const auto *T = cast<Try>(&S);
      line(D, std::string(T->Star ? "TryStar " : "Try ") + at(S.Loc));
      body(D + 1, T->Inner);
      for (const Try::Handler &H : T->Handlers) {
        line(D + 1, "except" + (H.Name.empty() ? "" : " as " + H.Name) + ":");
        if (H.Type)
          expr(D + 2, *H.Type, "type");
        body(D + 2, H.Inner);
      }
      if (!T->OrElse.empty()) {
        line(D + 1, "else:");
        body(D + 2, T->OrElse);
      }
      if (!T->Finally.empty()) {
        line(D + 1, "finally:");
        body(D + 2, T->Finally);
      }
      return;
    }
    case StmtKind::Return:
      line(D, "Return " + at(S.Loc));
      if (cast<Return>(&S)->Value)
        expr(D + 1, *cast<Return>(&S)->Value);
      return;
    case StmtKind::Pass:
      line(D, "Pass " + at(S.Loc));
      return;
    case StmtKind::Assert:
      line(D, "Assert " + at(S.Loc));
      expr(D + 1, *cast<Assert>(&S)->Test, "test");
      if (cast<Assert>(&S)->Msg)
        expr(D + 1, *cast<Assert>(&S)->Msg, "msg");
      return;
    case StmtKind::Import: {
      std::string Names;
      for (const Alias &A : cast<Import>(&S)->Names)
        Names += " " + A.Name + (A.AsName.empty() ? "" : " as " + A.AsName);
      line(D, "Import" + Names + " " + at(S.Loc));
      return;
    }
    case StmtKind::ImportFrom: {
      const auto *I = cast<ImportFrom>(&S);
      std::string Names;
      for (const Alias &A : I->Names)
        Names += " " + A.Name + (A.AsName.empty() ? "" : " as " + A.AsName);
      line(D, "ImportFrom " + std::string(static_cast<size_t>(I->Level), '.') + I->Module +
                  " import" + Names + " " + at(S.Loc));
      return;
    }
    case StmtKind::Unsupported:
      line(D, "Unsupported " + cast<UnsupportedStmt>(&S)->What + " " + at(S.Loc));
      return;
    }
  }
};

} // namespace

std::string dump(const Module &M) {
  Dumper D;
  D.line(0, "Module");
  D.body(1, M.Stmts);
  return D.Out;
}

std::string dump(const Expr &E) {
  Dumper D;
  D.expr(0, E);
  return D.Out;
}

} // namespace svic::frontend::ast
