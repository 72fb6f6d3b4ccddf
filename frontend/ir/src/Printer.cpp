//===- Printer.cpp - The readable `--dump-ir` form of a Program -------------===//

#include "svic/ir/Printer.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <unordered_map>

namespace svic::ir {

std::string formatNumber(double V) {
  if (std::isnan(V))
    return "nan";
  if (std::isinf(V))
    return V > 0 ? "inf" : "-inf";
  char Buf[64];
  auto R = std::to_chars(Buf, Buf + sizeof(Buf), V);
  std::string S(Buf, R.ptr);
  if (S.find_first_of(".e") == std::string::npos)
    S += ".0";
  return S;
}

namespace {

class Printer {
public:
  Printer(const Program &P, const SourceManager &SM) : P(P), SM(SM) {
    std::unordered_map<std::string, int> Seen;
    Names.resize(P.numVars());
    for (VarId V = 1; V < P.numVars(); ++V) {
      const std::string &N = P.var(V).Name;
      int K = Seen[N]++;
      Names[V] = "%" + N + (K ? "~" + std::to_string(K) : "");
    }
  }

  std::string Out;

  std::string var(VarId V) const { return V < Names.size() && V ? Names[V] : "%<invalid>"; }

  std::string at(const SourceLoc &L) const {
    if (!L.valid())
      return "";
    std::string S = "@" + std::to_string(L.Line) + ":" + std::to_string(L.Col);
    for (InlineId F = L.Inlined; F != 0; F = SM.inlineFrame(F).CallSite.Inlined) {
      const InlineFrame &Frame = SM.inlineFrame(F);
      S += " via " + Frame.Callee + "@" + std::to_string(Frame.CallSite.Line) + ":" +
           std::to_string(Frame.CallSite.Col);
    }
    return S;
  }

  void line(int Depth, const std::string &Text, const SourceLoc &L) {
    Out.append(static_cast<size_t>(Depth) * 2, ' ');
    Out += Text;
    std::string Loc = at(L);
    if (!Loc.empty())
      Out += "  " + Loc;
    Out += '\n';
  }

  std::string list(const std::vector<ExprPtr> &Es) {
    std::string S;
    for (size_t I = 0; I < Es.size(); ++I) {
      if (I)
        S += ", ";
      S += Es[I] ? expr(*Es[I], true) : "_";
    }
    return S;
  }

  /// Arguments bound to slots: positional while no slot is skipped, then
  /// `name=value`.
  std::string bound(const BoundArgs &B, const std::vector<ParamSpec> &Formals) {
    std::string S;
    bool Gap = false;
    bool First = true;
    for (size_t I = 0; I < B.Args.size(); ++I) {
      if (!B.Args[I]) {
        Gap = true;
        continue;
      }
      if (!First)
        S += ", ";
      First = false;
      size_t Slot = Formals.empty() ? I : BoundArgs::slotOf(I, Formals);
      if (Gap && Slot < Formals.size())
        S += Formals[Slot].Name + "=";
      S += expr(*B.Args[I], true);
    }
    return S;
  }

  std::string siteName(const SiteName &N) {
    switch (N.NameForm) {
    case SiteName::Form::Literal:
      return quoteString(N.Canonical);
    case SiteName::Form::Template:
      return quoteString(N.Canonical) + "[" + list(N.Indices) + "]";
    case SiteName::Form::Dynamic:
      return "dynamic(" + (N.DynamicExpr ? expr(*N.DynamicExpr, true) : std::string("?")) + ")";
    }
    return "?";
  }

  std::string plate(const PlateInfo &Pl) {
    std::string S = "plate " + siteName(Pl.Name) + "(";
    bool First = true;
    auto Add = [&](const char *Name, const ExprPtr &E) {
      if (!E)
        return;
      if (!First)
        S += ", ";
      First = false;
      S += std::string(Name) + "=" + expr(*E, true);
    };
    Add("size", Pl.Size);
    Add("subsample_size", Pl.SubsampleSize);
    Add("dim", Pl.Dim);
    return S + ")";
  }

  std::string expr(const Expr &E, bool Top = false) {
    auto Paren = [&](std::string S) { return Top ? S : "(" + S + ")"; };
    switch (E.Kind) {
    case ExprKind::Constant: {
      const auto *C = cast<ConstantExpr>(&E);
      switch (C->Ty) {
      case ConstantExpr::Type::None:
        return "None";
      case ConstantExpr::Type::Bool:
        return C->BoolValue ? "True" : "False";
      case ConstantExpr::Type::Int:
        return std::to_string(C->IntValue);
      case ConstantExpr::Type::Float:
        return formatNumber(C->FloatValue);
      case ConstantExpr::Type::String:
        return quoteString(C->StringValue);
      }
      return "?";
    }
    case ExprKind::VarRef:
      return var(cast<VarRefExpr>(&E)->Var);
    case ExprKind::Unary: {
      const auto *U = cast<UnaryExpr>(&E);
      std::string Op(unaryOpName(U->Op));
      return Paren(Op + (U->Op == UnaryOp::Not ? " " : "") + expr(*U->Operand));
    }
    case ExprKind::Binary: {
      const auto *B = cast<BinaryExpr>(&E);
      return Paren(expr(*B->Lhs) + " " + std::string(binaryOpName(B->Op)) + " " + expr(*B->Rhs));
    }
    case ExprKind::Compare: {
      const auto *C = cast<CompareExpr>(&E);
      return Paren(expr(*C->Lhs) + " " + std::string(compareOpName(C->Op)) + " " + expr(*C->Rhs));
    }
    case ExprKind::Logical: {
      const auto *L = cast<LogicalExpr>(&E);
      return Paren(expr(*L->Lhs) + (L->Op == LogicalOp::And ? " and " : " or ") + expr(*L->Rhs));
    }
    case ExprKind::Conditional: {
      const auto *C = cast<ConditionalExpr>(&E);
      return Paren(expr(*C->Then) + " if " + expr(*C->Cond) + " else " + expr(*C->Else));
    }
    case ExprKind::Call: {
      const auto *C = cast<CallExpr>(&E);
      if (C->Op == OpId::OpaqueCall)
        return std::string(C->MayRunUserCode ? "<opaque, may run user code '" : "<opaque '") +
               C->Callee + "'>(" + list(C->Args.Args) + ")";
      return C->info().QualifiedName + "(" + bound(C->Args, C->info().Params) + ")";
    }
    case ExprKind::ModuleCtor: {
      const auto *M = cast<ModuleCtorExpr>(&E);
      if (M->Module == ModuleId::Sequential)
        return M->info().QualifiedName + "[" + list(M->Members) + "]";
      return M->info().QualifiedName + "(" + bound(M->Args, M->info().CtorParams) + ")";
    }
    case ExprKind::ModuleCall: {
      const auto *M = cast<ModuleCallExpr>(&E);
      std::string Callee = M->Callee ? expr(*M->Callee) : "?";
      if (M->Callee && !isa<VarRefExpr>(M->Callee.get()))
        Callee = "(" + Callee + ")";
      return Callee + "(" + list(M->Args) + ")";
    }
    case ExprKind::Distribution: {
      const auto *D = cast<DistributionExpr>(&E);
      std::string S = D->Dist == DistId::Opaque
                          ? "opaque<" + D->OpaqueName + ">(" + list(D->Args.Args) + ")"
                          : "dist." + D->info().Name + "(" + bound(D->Args, D->info().Params) + ")";
      for (const DistTransform &T : D->Transforms) {
        switch (T.Kind) {
        case DistTransformKind::ToEvent:
          S += ".to_event(";
          break;
        case DistTransformKind::Independent:
          S += ".independent(";
          break;
        case DistTransformKind::Expand:
          S += ".expand(";
          break;
        case DistTransformKind::ExpandBy:
          S += ".expand_by(";
          break;
        case DistTransformKind::Mask:
          S += ".mask(";
          break;
        case DistTransformKind::BijectToInterval:
          S += ".biject_to(";
          break;
        }
        S += (T.Arg ? expr(*T.Arg, true) : "") + ")";
      }
      return S;
    }
    case ExprKind::Subscript: {
      const auto *S = cast<SubscriptExpr>(&E);
      std::string Base = S->Vectorized ? "Vindex(" + expr(*S->Base) + ")" : expr(*S->Base);
      return Base + "[" + list(S->Indices) + "]";
    }
    case ExprKind::Slice: {
      const auto *S = cast<SliceExpr>(&E);
      std::string R =
          (S->Lower ? expr(*S->Lower, true) : "") + ":" + (S->Upper ? expr(*S->Upper, true) : "");
      if (S->Step)
        R += ":" + expr(*S->Step, true);
      return R;
    }
    case ExprKind::Ellipsis:
      return "...";
    case ExprKind::Tuple: {
      const auto *T = cast<SequenceExpr>(&E);
      return "(" + list(T->Elements) + (T->Elements.size() == 1 ? ",)" : ")");
    }
    case ExprKind::List:
      return "[" + list(cast<SequenceExpr>(&E)->Elements) + "]";
    case ExprKind::Dict: {
      const auto *D = cast<DictExpr>(&E);
      std::string S = "{";
      for (size_t I = 0; I < D->Keys.size(); ++I) {
        if (I)
          S += ", ";
        S += expr(*D->Keys[I], true) + ": " + expr(*D->Values[I], true);
      }
      return S + "}";
    }
    case ExprKind::Attribute: {
      const auto *A = cast<AttributeExpr>(&E);
      return expr(*A->Base) + "." + A->Name;
    }
    case ExprKind::IndexUpdate: {
      const auto *U = cast<IndexUpdateExpr>(&E);
      return "update(" + expr(*U->Base) + "[" + list(U->Indices) + "] = " + expr(*U->Value, true) +
             ")";
    }
    case ExprKind::AttrUpdate: {
      const auto *U = cast<AttrUpdateExpr>(&E);
      std::string Path;
      for (const std::string &A : U->Path)
        Path += "." + A;
      return "update(" + expr(*U->Base) + Path + " = " + expr(*U->Value, true) + ")";
    }
    case ExprKind::Constraint: {
      const auto *C = cast<ConstraintExpr>(&E);
      const ConstraintInfo &Info = constraintInfo(C->Constraint);
      std::string S = "constraints." + Info.Name;
      if (Info.NumArgs >= 0)
        S += "(" + list(C->Args) + ")";
      return S;
    }
    }
    return "?";
  }

  void block(int D, const Block &B) {
    if (B.empty()) {
      line(D, "pass", SourceLoc{});
      return;
    }
    for (const StmtPtr &S : B)
      stmt(D, *S);
  }

  void stmt(int D, const Stmt &S) {
    switch (S.Kind) {
    case StmtKind::Assign: {
      const auto *A = cast<AssignStmt>(&S);
      line(D, var(A->Target) + " = " + expr(*A->Value, true), S.Loc);
      return;
    }
    case StmtKind::ExprStmt:
      line(D, "eval " + expr(*cast<ExprStmt>(&S)->Value, true), S.Loc);
      return;
    case StmtKind::Sample: {
      const auto *Sm = cast<SampleStmt>(&S);
      std::string T = Sm->Target ? var(*Sm->Target) + " = " : "";
      std::string Text = T + (Sm->isObserve() ? "observe " : "sample ") + siteName(Sm->Name) +
                         " ~ " + (Sm->Dist ? expr(*Sm->Dist, true) : "?");
      if (Sm->Obs)
        Text += " obs=" + expr(*Sm->Obs, true);
      static const char *const Enum[] = {"", " enumerate=parallel", " enumerate=sequential",
                                         " enumerate=?"};
      Text += Enum[static_cast<int>(Sm->Enumerate)];
      line(D, Text, S.Loc);
      return;
    }
    case StmtKind::Param: {
      const auto *Pm = cast<ParamStmt>(&S);
      std::string Text =
          (Pm->Target ? var(*Pm->Target) + " = " : "") + "param " + siteName(Pm->Name);
      if (Pm->Init)
        Text += " init=" + expr(*Pm->Init, true);
      if (Pm->Constraint)
        Text += " constraint=" + expr(*Pm->Constraint, true);
      line(D, Text, S.Loc);
      return;
    }
    case StmtKind::Module: {
      const auto *M = cast<ModuleStmt>(&S);
      line(D,
           (M->Target ? var(*M->Target) + " = " : "") + "module " + siteName(M->Name) + " " +
               var(M->ModuleVar),
           S.Loc);
      return;
    }
    case StmtKind::Factor: {
      const auto *F = cast<FactorStmt>(&S);
      line(D, "factor " + siteName(F->Name) + " " + expr(*F->LogProb, true), S.Loc);
      return;
    }
    case StmtKind::If: {
      const auto *I = cast<IfStmt>(&S);
      line(D, "if " + expr(*I->Cond, true) + ":", S.Loc);
      block(D + 1, I->Then);
      if (!I->Else.empty()) {
        line(D, "else:", SourceLoc{});
        block(D + 1, I->Else);
      }
      return;
    }
    case StmtKind::For: {
      const auto *F = cast<ForStmt>(&S);
      std::string Head = "for " + var(F->Index) + " in ";
      if (F->Over == ForStmt::Iter::Range)
        Head += "range(" + (F->Start ? expr(*F->Start, true) : "?") + ", " +
                (F->Stop ? expr(*F->Stop, true) : "?") + ", " +
                (F->Step ? expr(*F->Step, true) : "?") + ")";
      else
        Head += plate(F->Plate);
      line(D, Head + ":", S.Loc);
      block(D + 1, F->Body);
      return;
    }
    case StmtKind::While: {
      const auto *W = cast<WhileStmt>(&S);
      line(D, "while " + expr(*W->Cond, true) + ":", S.Loc);
      block(D + 1, W->Body);
      return;
    }
    case StmtKind::With: {
      const auto *W = cast<WithStmt>(&S);
      std::string Head = "with ";
      switch (W->Ctx) {
      case WithStmt::Context::Plate:
        Head += plate(W->Plate);
        if (W->IndexVar)
          Head += " as " + var(*W->IndexVar);
        break;
      case WithStmt::Context::Scale:
        Head += "scale(" + (W->Arg ? expr(*W->Arg, true) : "") + ")";
        break;
      case WithStmt::Context::Mask:
        Head += "mask(" + (W->Arg ? expr(*W->Arg, true) : "") + ")";
        break;
      case WithStmt::Context::NoGrad:
        Head += "no_grad";
        break;
      }
      line(D, Head + ":", S.Loc);
      block(D + 1, W->Body);
      return;
    }
    case StmtKind::Return: {
      const auto *R = cast<ReturnStmt>(&S);
      line(D, R->Value ? "return " + expr(*R->Value, true) : "return", S.Loc);
      return;
    }
    case StmtKind::Assert:
      line(D, "assert " + expr(*cast<AssertStmt>(&S)->Cond, true), S.Loc);
      return;
    }
  }

private:
  const Program &P;
  const SourceManager &SM;
  std::vector<std::string> Names;
};

} // namespace

std::string printProgram(const Program &P, const SourceManager &SM) {
  Printer Pr(P, SM);
  std::string Head =
      std::string(P.ProgramRole == Role::Model ? "model" : "guide") + " " + P.EntryFunction;
  if (P.File)
    Head += " (" + SM.path(P.File) + ")";
  Pr.Out += Head + "\n";
  std::string Inputs = "inputs:";
  for (VarId V : P.Inputs)
    Inputs += " " + Pr.var(V);
  Pr.Out += Inputs + "\n";
  for (const StmtPtr &S : P.Body)
    Pr.stmt(0, *S);
  return Pr.Out;
}

std::string printExpr(const Expr &E, const Program &P, const SourceManager &SM) {
  Printer Pr(P, SM);
  return Pr.expr(E, true);
}

std::string quoteString(std::string_view S) {
  std::string Out = "\"";
  for (char C : S) {
    switch (C) {
    case '"':
      Out += "\\\"";
      break;
    case '\\':
      Out += "\\\\";
      break;
    case '\n':
      Out += "\\n";
      break;
    case '\t':
      Out += "\\t";
      break;
    case '\r':
      Out += "\\r";
      break;
    default:
      if (static_cast<unsigned char>(C) < 0x20) {
        char Buf[8];
        std::snprintf(Buf, sizeof(Buf), "\\x%02x",
                      static_cast<unsigned>(static_cast<unsigned char>(C)));
        Out += Buf;
      } else {
        Out += C;
      }
    }
  }
  return Out + "\"";
}

} // namespace svic::ir
