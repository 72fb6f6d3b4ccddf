//===- Reach.cpp - What the entry functions reach ---------------------------===//

#include "Reach.h"

#include "svic/ir/IR.h"

#include <deque>
#include <functional>
#include <map>

namespace svic::frontend {

using namespace ast;
using ir::cast;
using ir::dyn_cast;
using ir::isa;

namespace {

using Names = std::set<std::string>;

void exprReads(const Expr &E, Names &Out) {
  if (auto *N = dyn_cast<Name>(&E))
    Out.insert(N->Id);
  forEachChild(const_cast<Expr &>(E), [&](Expr &C) { exprReads(C, Out); });
}

/// What a store to \p T reads: the bases and indices of attribute and
/// subscript targets, not the names it binds.
void targetReads(const Expr &T, Names &Out) {
  if (isa<Name>(&T))
    return;
  if (auto *S = dyn_cast<Sequence>(&T)) {
    for (const ExprPtr &E : S->Elts)
      targetReads(*E, Out);
  } else if (auto *St = dyn_cast<Starred>(&T)) {
    targetReads(*St->Value, Out);
  } else {
    exprReads(T, Out);
  }
}

/// The name a store to \p T (re)binds: `x`, and the root `x` of `x.a[i]`
/// when \p Roots (a module-level object mutated in place).
void targetBinds(const Expr &T, Names &Out, bool Roots) {
  if (auto *N = dyn_cast<Name>(&T)) {
    Out.insert(N->Id);
  } else if (auto *S = dyn_cast<Sequence>(&T)) {
    for (const ExprPtr &E : S->Elts)
      targetBinds(*E, Out, Roots);
  } else if (auto *St = dyn_cast<Starred>(&T)) {
    targetBinds(*St->Value, Out, Roots);
  } else if (Roots) {
    const Expr *R = &T;
    while (true) {
      if (auto *A = dyn_cast<Attribute>(R))
        R = A->Value.get();
      else if (auto *Sub = dyn_cast<Subscript>(R))
        R = Sub->Value.get();
      else if (auto *C = dyn_cast<Call>(R))
        R = C->Func.get();
      else
        break;
    }
    if (auto *N = dyn_cast<Name>(R))
      Out.insert(N->Id);
  }
}

/// `fc.weight.data.normal_(0, 1)`, `layers.append(l)`: a call that may
/// mutate the object it is called on.
bool mutatingCall(const Expr &E) {
  auto *C = dyn_cast<Call>(&E);
  auto *A = C ? dyn_cast<Attribute>(C->Func.get()) : nullptr;
  if (!A)
    return false;
  const std::string &M = A->Attr;
  return (!M.empty() && M.back() == '_' && M.front() != '_') || M == "append" ||
         M == "extend" || M == "update" || M == "add_module" || M == "register_buffer" ||
         M == "register_parameter";
}

void bodyBinds(const Body &B, Names &Out, bool Roots);

/// Names bound by \p St; with \p Roots also the objects it mutates.
void stmtBinds(const Stmt &St, Names &Out, bool Roots) {
  const Stmt *S = &St;
  switch (S->Kind) {
  case StmtKind::Expr:
    if (Roots && mutatingCall(*cast<ExprStmt>(S)->Value))
      targetBinds(*cast<Call>(cast<ExprStmt>(S)->Value.get())->Func, Out, true);
    break;
  case StmtKind::Assign:
    for (const ExprPtr &T : cast<Assign>(S)->Targets)
      targetBinds(*T, Out, Roots);
    break;
  case StmtKind::AugAssign:
    targetBinds(*cast<AugAssign>(S)->Target, Out, Roots);
    break;
  case StmtKind::AnnAssign:
    if (cast<AnnAssign>(S)->Value)
      targetBinds(*cast<AnnAssign>(S)->Target, Out, Roots);
    break;
  case StmtKind::If:
    bodyBinds(cast<If>(S)->Then, Out, Roots);
    bodyBinds(cast<If>(S)->OrElse, Out, Roots);
    break;
  case StmtKind::For:
    targetBinds(*cast<For>(S)->Target, Out, false);
    bodyBinds(cast<For>(S)->Loop, Out, Roots);
    bodyBinds(cast<For>(S)->OrElse, Out, Roots);
    break;
  case StmtKind::While:
    bodyBinds(cast<While>(S)->Loop, Out, Roots);
    bodyBinds(cast<While>(S)->OrElse, Out, Roots);
    break;
  case StmtKind::With:
    for (const WithItem &I : cast<With>(S)->Items)
      if (I.Var)
        targetBinds(*I.Var, Out, false);
    bodyBinds(cast<With>(S)->Inner, Out, Roots);
    break;
  case StmtKind::FunctionDef:
    Out.insert(cast<FunctionDef>(S)->Name);
    break;
  case StmtKind::ClassDef:
    Out.insert(cast<ClassDef>(S)->Name);
    break;
  case StmtKind::Try: {
    const auto *T = cast<Try>(S);
    bodyBinds(T->Inner, Out, Roots);
    for (const Try::Handler &H : T->Handlers) {
      if (!H.Name.empty())
        Out.insert(H.Name);
      bodyBinds(H.Inner, Out, Roots);
    }
    bodyBinds(T->OrElse, Out, Roots);
    bodyBinds(T->Finally, Out, Roots);
    break;
  }
  case StmtKind::Import:
    for (const Alias &A : cast<Import>(S)->Names)
      Out.insert(A.AsName.empty() ? A.Name.substr(0, A.Name.find('.')) : A.AsName);
    break;
  case StmtKind::ImportFrom:
    for (const Alias &A : cast<ImportFrom>(S)->Names)
      if (A.Name != "*")
        Out.insert(A.AsName.empty() ? A.Name : A.AsName);
    break;
  case StmtKind::Return:
  case StmtKind::Pass:
  case StmtKind::Assert:
  case StmtKind::Unsupported:
    break;
  }
}

void bodyBinds(const Body &B, Names &Out, bool Roots) {
  for (const StmtPtr &S : B)
    stmtBinds(*S, Out, Roots);
}

void bodyReads(const Body &B, Names &Out);

/// What defining \p F reads in the defining scope and through its body.
void functionReads(const FunctionDef &F, Names &Out) {
  for (const ExprPtr &D : F.Decorators)
    exprReads(*D, Out);
  for (const Param &P : F.Params)
    if (P.Default)
      exprReads(*P.Default, Out);
  Names Free = freeNames(F);
  Out.insert(Free.begin(), Free.end());
}

void classReads(const ClassDef &C, Names &Out) {
  for (const ExprPtr &D : C.Decorators)
    exprReads(*D, Out);
  for (const ExprPtr &B : C.Bases)
    exprReads(*B, Out);
  for (const Arg &K : C.Keywords)
    exprReads(*K.Value, Out);
  // Class-level names are not visible in the methods: a method's free names
  // are read from the module.
  bodyReads(C.Inner, Out);
}

void stmtReads(const Stmt &S, Names &Out) {
  switch (S.Kind) {
  case StmtKind::Expr:
    exprReads(*cast<ExprStmt>(&S)->Value, Out);
    break;
  case StmtKind::Assign:
    for (const ExprPtr &T : cast<Assign>(&S)->Targets)
      targetReads(*T, Out);
    exprReads(*cast<Assign>(&S)->Value, Out);
    break;
  case StmtKind::AugAssign:
    exprReads(*cast<AugAssign>(&S)->Target, Out);
    exprReads(*cast<AugAssign>(&S)->Value, Out);
    break;
  case StmtKind::AnnAssign:
    targetReads(*cast<AnnAssign>(&S)->Target, Out);
    if (cast<AnnAssign>(&S)->Value)
      exprReads(*cast<AnnAssign>(&S)->Value, Out);
    break;
  case StmtKind::If:
    exprReads(*cast<If>(&S)->Test, Out);
    bodyReads(cast<If>(&S)->Then, Out);
    bodyReads(cast<If>(&S)->OrElse, Out);
    break;
  case StmtKind::For:
    targetReads(*cast<For>(&S)->Target, Out);
    exprReads(*cast<For>(&S)->Iter, Out);
    bodyReads(cast<For>(&S)->Loop, Out);
    bodyReads(cast<For>(&S)->OrElse, Out);
    break;
  case StmtKind::While:
    exprReads(*cast<While>(&S)->Test, Out);
    bodyReads(cast<While>(&S)->Loop, Out);
    bodyReads(cast<While>(&S)->OrElse, Out);
    break;
  case StmtKind::With:
    for (const WithItem &I : cast<With>(&S)->Items) {
      exprReads(*I.Context, Out);
      if (I.Var)
        targetReads(*I.Var, Out);
    }
    bodyReads(cast<With>(&S)->Inner, Out);
    break;
  case StmtKind::FunctionDef:
    functionReads(*cast<FunctionDef>(&S), Out);
    break;
  case StmtKind::ClassDef:
    classReads(*cast<ClassDef>(&S), Out);
    break;
  case StmtKind::Try: {
    const auto *T = cast<Try>(&S);
    bodyReads(T->Inner, Out);
    for (const Try::Handler &H : T->Handlers) {
      if (H.Type)
        exprReads(*H.Type, Out);
      bodyReads(H.Inner, Out);
    }
    bodyReads(T->OrElse, Out);
    bodyReads(T->Finally, Out);
    break;
  }
  case StmtKind::Return:
    if (cast<Return>(&S)->Value)
      exprReads(*cast<Return>(&S)->Value, Out);
    break;
  case StmtKind::Assert:
    exprReads(*cast<Assert>(&S)->Test, Out);
    if (cast<Assert>(&S)->Msg)
      exprReads(*cast<Assert>(&S)->Msg, Out);
    break;
  case StmtKind::Pass:
  case StmtKind::Import:
  case StmtKind::ImportFrom:
  case StmtKind::Unsupported:
    break;
  }
}

void bodyReads(const Body &B, Names &Out) {
  for (const StmtPtr &S : B)
    stmtReads(*S, Out);
}

/// Names declared `global`/`nonlocal` anywhere in \p B (not nested functions).
void declaredNonLocal(const Body &B, Names &Out) {
  for (const StmtPtr &S : B) {
    if (auto *U = dyn_cast<UnsupportedStmt>(S.get()))
      Out.insert(U->Names.begin(), U->Names.end());
    else if (auto *I = dyn_cast<If>(S.get()))
      declaredNonLocal(I->Then, Out), declaredNonLocal(I->OrElse, Out);
    else if (auto *F = dyn_cast<For>(S.get()))
      declaredNonLocal(F->Loop, Out);
    else if (auto *W = dyn_cast<While>(S.get()))
      declaredNonLocal(W->Loop, Out);
    else if (auto *Wi = dyn_cast<With>(S.get()))
      declaredNonLocal(Wi->Inner, Out);
  }
}

} // namespace

bool isMainGuard(const Stmt &S) {
  auto *If_ = dyn_cast<If>(&S);
  auto *Cmp = If_ ? dyn_cast<Compare>(If_->Test.get()) : nullptr;
  auto *L = Cmp ? dyn_cast<Name>(Cmp->Left.get()) : nullptr;
  return L && L->Id == "__name__" && Cmp->Ops.size() == 1;
}

Names exprNames(const Expr &E) {
  Names Out;
  exprReads(E, Out);
  return Out;
}

Names freeNames(const FunctionDef &F) {
  Names Locals, Reads, Global;
  for (const Param &P : F.Params)
    if (!P.Name.empty())
      Locals.insert(P.Name);
  bodyBinds(F.Inner, Locals, false);
  declaredNonLocal(F.Inner, Global);
  for (const std::string &N : Global)
    Locals.erase(N);
  bodyReads(F.Inner, Reads);
  Names Out;
  for (const std::string &N : Reads)
    if (!Locals.count(N))
      Out.insert(N);
  return Out;
}

std::vector<bool> reachedStatements(const Module &M,
                                    const std::vector<const FunctionDef *> &Entries,
                                    const Names &Roots) {
  const size_t N = M.Stmts.size();
  std::vector<bool> Reached(N, false);
  std::map<std::string, std::vector<size_t>> Definers;
  for (size_t I = 0; I < N; ++I) {
    const Stmt &S = *M.Stmts[I];
    if (isMainGuard(S))
      continue;
    if (isa<Import>(&S) || isa<ImportFrom>(&S)) {
      Reached[I] = true; // imports only bind names
      continue;
    }
    Names Binds;
    stmtBinds(S, Binds, true);
    for (const std::string &Name : Binds)
      Definers[Name].push_back(I);
  }
  std::deque<std::string> Work;
  Names Seen;
  auto Need = [&](const Names &Ns) {
    for (const std::string &Name : Ns)
      if (Seen.insert(Name).second)
        Work.push_back(Name);
  };
  Need(Roots);
  for (const FunctionDef *F : Entries) {
    Names R;
    functionReads(*F, R);
    Need(R);
  }
  while (!Work.empty()) {
    std::string Name = std::move(Work.front());
    Work.pop_front();
    auto It = Definers.find(Name);
    if (It == Definers.end())
      continue;
    for (size_t I : It->second) {
      if (Reached[I])
        continue;
      Reached[I] = true;
      Names R;
      stmtReads(*M.Stmts[I], R);
      Need(R);
    }
  }
  return Reached;
}

namespace {

using CallFilter = std::function<bool(const Call &)>;

void callsIn(const Expr &E, const CallFilter &Match, std::vector<const Call *> &Out) {
  if (auto *C = dyn_cast<Call>(&E); C && Match(*C))
    Out.push_back(C);
  forEachChild(const_cast<Expr &>(E), [&](Expr &Ch) { callsIn(Ch, Match, Out); });
}

void callsIn(const Body &B, const CallFilter &Match, std::vector<const Call *> &Out) {
  auto In = [&](const auto &X) { callsIn(X, Match, Out); };
  for (const StmtPtr &S : B) {
    if (auto *E = dyn_cast<ExprStmt>(S.get()))
      In(*E->Value);
    else if (auto *A = dyn_cast<Assign>(S.get()))
      In(*A->Value);
    else if (auto *R = dyn_cast<Return>(S.get()); R && R->Value)
      In(*R->Value);
    else if (auto *F = dyn_cast<FunctionDef>(S.get()))
      In(F->Inner);
    else if (auto *I = dyn_cast<If>(S.get()))
      In(I->Then), In(I->OrElse);
    else if (auto *Fo = dyn_cast<For>(S.get()))
      In(Fo->Loop);
    else if (auto *W = dyn_cast<While>(S.get()))
      In(W->Loop);
    else if (auto *Wi = dyn_cast<With>(S.get())) {
      for (const WithItem &It : Wi->Items)
        In(*It.Context);
      In(Wi->Inner);
    } else if (auto *T = dyn_cast<Try>(S.get()))
      In(T->Inner);
    else if (auto *Cl = dyn_cast<ClassDef>(S.get()))
      In(Cl->Inner);
  }
}

} // namespace

void findCalls(const Module &M, const std::string &Name, std::vector<const Call *> &Out,
               bool Qualified) {
  callsIn(
      M.Stmts,
      [&](const Call &C) {
        auto *N = dyn_cast<ast::Name>(C.Func.get());
        auto *A = Qualified ? dyn_cast<Attribute>(C.Func.get()) : nullptr;
        return (N && N->Id == Name) || (A && A->Attr == Name);
      },
      Out);
}

std::vector<const FunctionDef *> samplingFunctions(const Module &M) {
  // `pyro.sample(...)`, `sample(...)` (from pyro import sample) and the
  // module-level functions they reach by a call of their name.
  std::map<std::string, const FunctionDef *> Functions;
  std::vector<const FunctionDef *> Order;
  for (const StmtPtr &S : M.Stmts)
    if (auto *F = dyn_cast<FunctionDef>(S.get())) {
      Functions[F->Name] = F;
      Order.push_back(F);
    }
  std::map<const FunctionDef *, std::vector<const FunctionDef *>> Callers;
  std::vector<const FunctionDef *> Work;
  for (const FunctionDef *F : Order) {
    std::vector<const Call *> Calls;
    callsIn(F->Inner, [](const Call &) { return true; }, Calls);
    for (const Call *C : Calls) {
      auto *N = dyn_cast<ast::Name>(C->Func.get());
      auto *A = dyn_cast<Attribute>(C->Func.get());
      auto *Base = A ? dyn_cast<ast::Name>(A->Value.get()) : nullptr;
      if ((N && N->Id == "sample") || (A && A->Attr == "sample" && Base && Base->Id == "pyro"))
        Work.push_back(F);
      else if (auto It = N ? Functions.find(N->Id) : Functions.end(); It != Functions.end())
        Callers[It->second].push_back(F);
    }
  }
  std::set<const FunctionDef *> Samples;
  while (!Work.empty()) {
    const FunctionDef *F = Work.back();
    Work.pop_back();
    if (Samples.insert(F).second)
      Work.insert(Work.end(), Callers[F].begin(), Callers[F].end());
  }
  std::vector<const FunctionDef *> Out;
  for (const FunctionDef *F : Order)
    if (Samples.count(F) && Functions[F->Name] == F)
      Out.push_back(F);
  return Out;
}

} // namespace svic::frontend
