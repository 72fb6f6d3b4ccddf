//===- Frontend.cpp - Python files to svic IR programs ---------------------===//

#include "svic/frontend/Frontend.h"

#include "AutoGuide.h"
#include "Lower.h"
#include "Notebook.h"
#include "Reach.h"
#include "svic/frontend/Parse.h"

#include <algorithm>
#include <functional>
#include <map>
#include <vector>

namespace svic::frontend {

namespace {

/// A function or method an entry may be.
struct EntryRef {
  EntryRef(const ast::FunctionDef *Fn = nullptr, const ast::ClassDef *Cls = nullptr, const ast::Call *Condition = nullptr,
           std::string Alias = {})
      : Fn(Fn), Cls(Cls), Condition(Condition), Alias(std::move(Alias)) {}
  const ast::FunctionDef *Fn;
  const ast::ClassDef *Cls; ///< set for a method
  /// `Alias = pyro.condition(Fn, data={...})`: Fn runs under that handler.
  const ast::Call *Condition;
  std::string Alias;
  std::string name() const { return !Alias.empty() ? Alias : Cls ? Cls->Name + "." + Fn->Name : Fn->Name; }
};

/// The last module-level `def Name`, if any (Python: the last one wins).
const ast::FunctionDef *findFunction(const ast::Body &B, const std::string &Name) {
  const ast::FunctionDef *Found = nullptr;
  for (const ast::StmtPtr &S : B)
    if (auto *F = ir::dyn_cast<ast::FunctionDef>(S.get()); F && F->Name == Name)
      Found = F;
  return Found;
}

/// Entries named \p Name: `Class.method`, else the module-level function and
/// the methods of module-level classes with that name.
std::vector<EntryRef> findEntries(const ast::Module &M, const std::string &Name) {
  std::vector<EntryRef> Out;
  size_t Dot = Name.find('.');
  std::map<std::string, const ast::ClassDef *> Classes; // the last definition wins
  for (const ast::StmtPtr &S : M.Stmts)
    if (auto *C = ir::dyn_cast<ast::ClassDef>(S.get()))
      Classes[C->Name] = C;
  if (Dot != std::string::npos) {
    auto It = Classes.find(Name.substr(0, Dot));
    if (It != Classes.end())
      if (const ast::FunctionDef *F = findFunction(It->second->Inner, Name.substr(Dot + 1)))
        Out.push_back(EntryRef{F, It->second});
    return Out;
  }
  if (const ast::FunctionDef *F = findFunction(M.Stmts, Name))
    Out.push_back(EntryRef{F, nullptr});
  for (const auto &[ClsName, C] : Classes)
    if (const ast::FunctionDef *F = findFunction(C->Inner, Name))
      Out.push_back(EntryRef{F, C});
  return Out;
}

/// The forward of the class of the object \p Var when the file builds one
/// (`model = BayesianRegression(3, 1)`, `net = Net()`): calling the object
/// runs it.
std::optional<EntryRef> instanceEntry(const ast::Module &M, const std::string &Var) {
  // A construction at module level builds the class defined last before it
  // (a notebook may define a class again in a later cell); one inside a
  // function, called later, the last definition in the file.
  std::map<std::string, const ast::ClassDef *> Final, SoFar;
  for (const ast::StmtPtr &S : M.Stmts)
    if (auto *C = ir::dyn_cast<ast::ClassDef>(S.get()))
      Final[C->Name] = C;
  std::optional<EntryRef> Out;
  for (const ast::StmtPtr &S : M.Stmts) {
    if (auto *C = ir::dyn_cast<ast::ClassDef>(S.get()))
      SoFar[C->Name] = C;
    const auto &Classes = ir::isa<ast::Assign>(S.get()) ? SoFar : Final;
    forEachConstruction(*S, [&](const std::string &V, const std::string &Cls) {
      auto It = Classes.find(Cls);
      if (Out || V != Var || It == Classes.end())
        return;
      if (const ast::FunctionDef *F = findFunction(It->second->Inner, "forward"))
        Out = EntryRef{F, It->second};
    });
  }
  return Out;
}

/// Calls \p Fn on each assignment of \p B, and (\p Nested) of the bodies of
/// its functions, ifs, loops and withs.
void forEachAssign(const ast::Body &B, bool Nested, const std::function<void(const ast::Assign &)> &Fn) {
  for (const ast::StmtPtr &S : B) {
    if (auto *A = ir::dyn_cast<ast::Assign>(S.get()))
      Fn(*A);
    if (!Nested)
      continue;
    if (auto *F = ir::dyn_cast<ast::FunctionDef>(S.get())) {
      forEachAssign(F->Inner, Nested, Fn);
    } else if (auto *I = ir::dyn_cast<ast::If>(S.get())) {
      forEachAssign(I->Then, Nested, Fn);
      forEachAssign(I->OrElse, Nested, Fn);
    } else if (auto *W = ir::dyn_cast<ast::With>(S.get())) {
      forEachAssign(W->Inner, Nested, Fn);
    } else if (auto *L = ir::dyn_cast<ast::For>(S.get())) {
      forEachAssign(L->Loop, Nested, Fn);
    }
  }
}

/// `Var = pyro.condition(fn, data=...)` (or `poutine.condition`),
/// `Var = poutine.reparam(fn, config=...)` or `Var = functools.partial(fn,
/// ...)` at module level, fn a module-level function: the conditioned,
/// reparameterised or partially applied model (the lowering checks that the
/// callee is that handler). A partial may also be built inside a function
/// (`guide = functools.partial(guide_fn, net)` in main()); the lowering
/// then takes the parameters it binds as inputs.
std::optional<EntryRef> conditionedEntry(const ast::Module &M, const std::string &Var,
                                         bool ReparamOnly = false) {
  std::optional<EntryRef> Out;
  auto Visit = [&](const ast::Assign &A, bool TopLevel) {
    if (A.Targets.size() != 1)
      return;
    auto *T = ir::dyn_cast<ast::Name>(A.Targets.front().get());
    auto *C = ir::dyn_cast<ast::Call>(A.Value.get());
    if (!T || T->Id != Var || !C)
      return;
    auto *Attr = ir::dyn_cast<ast::Attribute>(C->Func.get());
    auto *Plain = ir::dyn_cast<ast::Name>(C->Func.get());
    const std::string Handler = Attr ? Attr->Attr : Plain ? Plain->Id : "";
    if (!TopLevel && Handler != "partial")
      return;
    if (Handler != "reparam" && (ReparamOnly || (Handler != "condition" && Handler != "partial")))
      return;
    for (const ast::Arg &Ar : C->Args)
      if (Ar.K == ast::Arg::Kind::Positional || (Ar.K == ast::Arg::Kind::Keyword && Ar.Name == "fn")) {
        if (auto *Fn = ir::dyn_cast<ast::Name>(Ar.Value.get()))
          if (const ast::FunctionDef *F = findFunction(M.Stmts, Fn->Id))
            Out = EntryRef{F, nullptr, C, Var};
        break;
      }
  };
  forEachAssign(M.Stmts, /*Nested=*/false, [&](const ast::Assign &A) { Visit(A, true); });
  if (!Out && !ReparamOnly)
    for (const ast::StmtPtr &S : M.Stmts)
      if (auto *F = ir::dyn_cast<ast::FunctionDef>(S.get()))
        forEachAssign(F->Inner, /*Nested=*/true, [&](const ast::Assign &A) { Visit(A, false); });
  return Out;
}

/// The last module-level `Var = f(...)` of \p M, when the value is a call
/// (a handler applied to a function, `poutine.reparam(model, config=...)`).
const ast::Call *boundToCall(const ast::Module &M, const std::string &Var) {
  const ast::Call *Out = nullptr;
  for (const ast::StmtPtr &S : M.Stmts)
    if (auto *A = ir::dyn_cast<ast::Assign>(S.get()); A && A->Targets.size() == 1)
      if (auto *T = ir::dyn_cast<ast::Name>(A->Targets.front().get()); T && T->Id == Var)
        Out = ir::dyn_cast<ast::Call>(A->Value.get());
  return Out;
}

/// The names given as model and guide to the `SVI(...)` calls of the file
/// (positionally or as model=/guide=), when every call names the same ones.
/// A method of an object the file builds (`SVI(vae.model, vae.guide, ...)`
/// with `vae = VAE()`) is named `VAE.model`.
std::pair<std::string, std::string> sviEntryNames(const ast::Module &M) {
  std::map<std::string, std::string> ClassOf; // the last construction wins
  forEachConstruction(M.Stmts, [&](const std::string &Var, const std::string &Cls) {
    ClassOf[Var] = Cls;
  });
  auto EntryName = [&](const ast::Expr &E) -> std::string {
    if (auto *N = ir::dyn_cast<ast::Name>(&E))
      return N->Id;
    auto *At = ir::dyn_cast<ast::Attribute>(&E);
    auto *Obj = At ? ir::dyn_cast<ast::Name>(At->Value.get()) : nullptr;
    auto It = Obj ? ClassOf.find(Obj->Id) : ClassOf.end();
    return It == ClassOf.end() ? "" : It->second + "." + At->Attr;
  };
  std::vector<const ast::Call *> Calls;
  findCalls(M, "SVI", Calls, /*Qualified=*/true);
  std::optional<std::pair<std::string, std::string>> Seen;
  for (const ast::Call *C : Calls) {
    std::pair<std::string, std::string> Names;
    size_t Position = 0;
    for (const ast::Arg &Ar : C->Args) {
      std::string Id = EntryName(*Ar.Value);
      if (Ar.K == ast::Arg::Kind::Positional) {
        if (Position == 0)
          Names.first = Id;
        else if (Position == 1)
          Names.second = Id;
        ++Position;
      } else if (Ar.K == ast::Arg::Kind::Keyword && Ar.Name == "model") {
        Names.first = Id;
      } else if (Ar.K == ast::Arg::Kind::Keyword && Ar.Name == "guide") {
        Names.second = Id;
      }
    }
    if (Seen && *Seen != Names)
      return {};
    Seen = Names;
  }
  return Seen.value_or(std::pair<std::string, std::string>{});
}

/// The function every `NUTS(f)`, `HMC(f)` and `Predictive(f, ...)` of \p M
/// names as its model (first argument or model=), if they agree.
std::string kernelModelName(const ast::Module &M) {
  std::optional<std::string> Seen;
  for (const char *Kernel : {"NUTS", "HMC", "Predictive"}) {
    std::vector<const ast::Call *> Calls;
    findCalls(M, Kernel, Calls, /*Qualified=*/true);
    for (const ast::Call *C : Calls) {
      std::string Id;
      for (const ast::Arg &Ar : C->Args)
        if ((Ar.K == ast::Arg::Kind::Positional && &Ar == &C->Args.front()) ||
            (Ar.K == ast::Arg::Kind::Keyword && Ar.Name == "model"))
          if (auto *N = ir::dyn_cast<ast::Name>(Ar.Value.get()))
            Id = N->Id;
      if (Seen && *Seen != Id)
        return {};
      Seen = Id;
    }
  }
  return Seen.value_or("");
}

bool holdsCode(const ast::Module &M) {
  for (const ast::StmtPtr &S : M.Stmts) {
    auto *E = ir::dyn_cast<ast::ExprStmt>(S.get());
    if (!E || !ir::isa<ast::Constant>(E->Value.get()))
      return true;
  }
  return false;
}

SourceLoc fileLoc(FileId F) {
  SourceLoc L;
  L.File = F;
  return L;
}

/// Parses file \p F; reports an empty file. Null on errors.
std::unique_ptr<ast::Module> parseChecked(FileId F, SourceManager &SM, DiagnosticEngine &DE) {
  std::unique_ptr<ast::Module> M = parseModule(F, SM, DE);
  if (!M)
    return nullptr;
  if (!holdsCode(*M)) {
    DE.report(DiagId::EmptyFile, fileLoc(F),
              "'" + SM.path(F) + "' holds no code; expected a model function");
    return nullptr;
  }
  return M;
}

std::string quoted(const std::string &S) { return "'" + S + "'"; }

/// "line N", or "cell C, line N" in a notebook.
std::string lineOf(const SourceManager &SM, SourceLoc L) {
  auto [Cell, Line] = SM.cellLine(L.File, L.Line);
  return (Cell ? "cell " + std::to_string(Cell) + ", " : std::string()) + "line " +
         std::to_string(Line);
}

std::optional<LoadedPrograms> loadFiles(FileId ModelFile, std::optional<FileId> GuideFile,
                                        const EntryNames &Names, SourceManager &SM,
                                        DiagnosticEngine &DE) {
  const size_t ErrorsBefore = DE.errorCount();
  std::unique_ptr<ast::Module> Model = parseChecked(ModelFile, SM, DE);
  std::unique_ptr<ast::Module> Guide;
  if (GuideFile)
    Guide = parseChecked(*GuideFile, SM, DE);
  if (!Model || (GuideFile && !Guide))
    return std::nullopt;

  // An entry: --model-fn/--guide-fn (a function, or Class.method; a plain
  // name prefers the module-level function), else the unique function or
  // method named model/guide, else `main`.
  // Without --model-fn/--guide-fn and without functions named model/guide,
  // the functions the file's SVI(...) trains are the entries (the model also
  // the one its NUTS(...), HMC(...) or Predictive(...) runs).
  auto Choose = [&](const ast::Module &Mod, FileId File, const std::string &Asked,
                    const std::string &Default, bool MainFallback,
                    const char *Role) -> std::optional<EntryRef> {
    // The model SVI trains (or an autoguide is built from) when it is
    // `poutine.reparam(model, ...)`: its sites are not those of `model`.
    if (Asked.empty() && std::string(Role) == "model") {
      std::vector<std::string> Trained = autoGuideModelNames(Mod);
      Trained.push_back(sviEntryNames(Mod).first);
      for (const std::string &N : Trained)
        if (std::optional<EntryRef> E = N.empty() ? std::nullopt : conditionedEntry(Mod, N, true))
          return E;
    }
    if (Asked.empty() && findEntries(Mod, Default).empty()) {
      auto [SviModel, SviGuide] = sviEntryNames(Mod);
      if (SviModel.empty())
        SviModel = kernelModelName(Mod);
      const std::string &Trained = std::string(Role) == "model" ? SviModel : SviGuide;
      std::vector<EntryRef> Found = Trained.empty() ? std::vector<EntryRef>{} : findEntries(Mod, Trained);
      if (Found.size() == 1 && !Found.front().Cls)
        return Found.front();
      if (!Trained.empty())
        if (std::optional<EntryRef> E = conditionedEntry(Mod, Trained))
          return E;
    }
    const std::string Name = Asked.empty() ? Default : Asked;
    std::vector<EntryRef> Found = findEntries(Mod, Name);
    if (!Asked.empty() && !Found.empty() && !Found.front().Cls)
      Found.resize(1);
    if (Found.size() == 1)
      return Found.front();
    if (Found.size() > 1) {
      // A notebook may show a snippet `def model(self, x)` before the class
      // that holds it: the candidate SVI trains is the entry.
      if (Asked.empty()) {
        auto [SviModel, SviGuide] = sviEntryNames(Mod);
        const std::string &Trained = std::string(Role) == "model" ? SviModel : SviGuide;
        for (const EntryRef &E : Found)
          if (E.name() == Trained)
            return E;
      }
      std::string List;
      for (const EntryRef &E : Found)
        List += (List.empty() ? "" : ", ") + quoted(E.name()) + " (" + lineOf(SM, E.Fn->Loc) + ")";
      DE.report(DiagId::MissingEntry, fileLoc(File),
                "several candidates for the " + std::string(Role) + " entry in " +
                    quoted(SM.path(File)) + ": " + List + "; choose one with --" + Role + "-fn");
      return std::nullopt;
    }
    if (std::optional<EntryRef> E = conditionedEntry(Mod, Name))
      return E;
    // An object whose class has a forward: named, named `model` (or
    // `guide = Guide()`, CSIS's amortised guide), or given to an autoguide as
    // the model (`guide = AutoNormal(net)`).
    std::vector<std::string> Objects{Name};
    if (std::string(Role) == "model" && Asked.empty())
      for (const std::string &N : autoGuideModelNames(Mod))
        Objects.push_back(N);
    for (const std::string &N : Objects)
      if (std::optional<EntryRef> E = instanceEntry(Mod, N))
        return E;
    // `main` when it samples (or nothing else does); else the functions
    // that sample are the candidates (a script that hands its models to
    // MCMC(NUTS(model)) in a loop).
    if (Asked.empty() && MainFallback) {
      const ast::FunctionDef *Main = findFunction(Mod.Stmts, "main");
      std::vector<const ast::FunctionDef *> Sampling = samplingFunctions(Mod);
      if (Main && (Sampling.empty() || std::count(Sampling.begin(), Sampling.end(), Main)))
        return EntryRef{Main, nullptr};
      // One function samples (a tutorial's `def scale(guess)`): it is the
      // model, unless it is named as the guide.
      if (Sampling.size() == 1 && std::string(Role) == "model" && Sampling.front()->Name != "guide") {
        DE.report(DiagId::MissingEntry, Severity::Note, Sampling.front()->Loc,
                  "the only function that samples, " + quoted(Sampling.front()->Name) +
                      ", is taken as the model");
        return EntryRef{Sampling.front(), nullptr};
      }
      if (!Sampling.empty()) {
        std::string List;
        for (const ast::FunctionDef *F : Sampling)
          List += (List.empty() ? "" : ", ") + quoted(F->Name) + " (" + lineOf(SM, F->Loc) + ")";
        DE.report(DiagId::MissingEntry, fileLoc(File),
                  "no " + std::string(Role) + " function in " + quoted(SM.path(File)) +
                      (Main ? " ('main' samples nothing)" : "") +
                      "; the functions that sample are " + List + ": choose the " + Role +
                      " with --" + Role + "-fn");
        return std::nullopt;
      }
    }
    return std::nullopt;
  };

  std::optional<EntryRef> ModelFn =
      Choose(*Model, ModelFile, Names.ModelFn, "model", /*MainFallback=*/true, "model");
  if (!ModelFn && DE.errorCount() == ErrorsBefore) {
    if (const ast::Call *C = Names.ModelFn.empty() ? nullptr : boundToCall(*Model, Names.ModelFn))
      DE.report(DiagId::MissingEntry, C->Loc,
                quoted(Names.ModelFn) + " (named by --model-fn) is the value of " +
                    quoted(sourceText(SM, C->Func->Loc) + "(...)") +
                    ", which svic does not analyse as an entry (it takes functions, methods, "
                    "objects with a forward and pyro.condition handlers); name the function "
                    "it wraps");
    else if (!Names.ModelFn.empty())
      DE.report(DiagId::MissingEntry, fileLoc(ModelFile),
                "no function " + quoted(Names.ModelFn) + " in " + quoted(SM.path(ModelFile)) +
                    " (named by --model-fn)");
    else
      DE.report(DiagId::MissingEntry, fileLoc(ModelFile),
                "no model function in " + quoted(SM.path(ModelFile)) +
                    "; define 'model' (or 'main'), or name the function with --model-fn");
  }

  const ast::Module &GuideModule = Guide ? *Guide : *Model;
  FileId GuideId = GuideFile ? *GuideFile : ModelFile;
  const size_t ErrorsBeforeGuide = DE.errorCount();
  std::optional<EntryRef> GuideFn = Choose(GuideModule, GuideId, Names.GuideFn, "guide",
                                           /*MainFallback=*/Guide != nullptr, "guide");
  // An autoguide: asked for by class (--guide-fn AutoNormal, when no function
  // has that name), else one built from the model anywhere in the file when
  // no guide was written or named.
  std::optional<AutoGuideRequest> Auto;
  // `guide = AutoNormal(model)` rebinding a `def guide` (or named by
  // --guide-fn): that autoguide is the guide.
  const std::string GuideName = Names.GuideFn.empty() ? "guide" : Names.GuideFn;
  if (ModelFn && DE.errorCount() == ErrorsBeforeGuide &&
      (GuideFn ? !GuideFn->Cls && GuideFn->Alias.empty() && GuideFn->Fn->Name == GuideName &&
                     lastBoundToAutoGuide(GuideModule, GuideName)
               : !Names.GuideFn.empty() && !isAutoGuideClass(Names.GuideFn))) {
    Auto = autoGuideBoundTo(GuideModule, GuideName, ModelFn->name(), DE);
    if (Auto)
      GuideFn.reset();
  }
  if (!GuideFn && !Auto && ModelFn && DE.errorCount() == ErrorsBeforeGuide) {
    if (isAutoGuideClass(Names.GuideFn)) {
      Auto = findAutoGuide(GuideModule, ModelFn->name(), Names.GuideFn, DE);
      if (!Auto)
        Auto = AutoGuideRequest{
            Names.GuideFn, std::nullopt, std::nullopt, std::nullopt, ModelFn->Fn->Loc, false, {}};
    } else if (Names.GuideFn.empty() && !Guide) {
      Auto = findAutoGuide(*Model, ModelFn->name(), "", DE);
    }
  }
  if (!GuideFn && !Auto && DE.errorCount() == ErrorsBeforeGuide) {
    if (!Names.GuideFn.empty())
      DE.report(DiagId::MissingEntry, fileLoc(GuideId),
                "no function " + quoted(Names.GuideFn) + " in " + quoted(SM.path(GuideId)) +
                    " (named by --guide-fn)");
    else if (Guide)
      DE.report(DiagId::MissingEntry, fileLoc(GuideId),
                "no guide function in " + quoted(SM.path(GuideId)) +
                    "; define 'guide' (or 'main'), or name the function with --guide-fn");
  }
  if (DE.errorCount() > ErrorsBefore)
    return std::nullopt;
  if (!ModelFn || (!GuideFn && !Auto && (Guide || !Names.GuideFn.empty())))
    return std::nullopt;

  LoadedPrograms Out;
  Out.Model = lowerProgram(*Model, *ModelFn->Fn, ModelFn->Cls, ir::Role::Model,
                           Names.GivenInputs, SM, DE, ModelFn->Condition);
  if (GuideFn)
    Out.Guide = lowerProgram(GuideModule, *GuideFn->Fn, GuideFn->Cls, ir::Role::Guide,
                             Names.GivenInputs, SM, DE, GuideFn->Condition);
  else if (Auto && Out.Model && DE.errorCount() == ErrorsBefore) {
    Out.Guide = synthesizeAutoGuide(*Out.Model, *Auto, DE);
    Out.AutoGuide = Auto->Class;
    Out.AutoGuideMarginal =
        Auto->Parts.empty()
            ? autoGuideIsMarginal(Auto->Class)
            : std::any_of(Auto->Parts.begin(), Auto->Parts.end(),
                          [](const AutoGuideRequest &P) { return autoGuideIsMarginal(P.Class); });
  }
  if (DE.errorCount() > ErrorsBefore)
    return std::nullopt;
  return Out;
}

} // namespace

std::optional<LoadedPrograms> loadPrograms(const std::string &ModelPath,
                                           const std::string &GuidePath, const EntryNames &Names,
                                           SourceManager &SM, DiagnosticEngine &DE) {
  std::optional<FileId> Model = loadSource(ModelPath, SM, DE);
  if (!Model)
    return std::nullopt;
  std::optional<FileId> Guide;
  if (!GuidePath.empty()) {
    Guide = loadSource(GuidePath, SM, DE);
    if (!Guide)
      return std::nullopt;
  }
  return loadFiles(*Model, Guide, Names, SM, DE);
}

std::optional<LoadedPrograms> loadProgramsFromText(const std::string &Path, const std::string &Text,
                                                   const std::string &GuidePath,
                                                   const std::string &GuideText,
                                                   const EntryNames &Names, SourceManager &SM,
                                                   DiagnosticEngine &DE) {
  FileId Model = SM.addFile(Path, Text);
  std::optional<FileId> Guide;
  if (!GuidePath.empty())
    Guide = SM.addFile(GuidePath, GuideText);
  return loadFiles(Model, Guide, Names, SM, DE);
}

bool checkSyntax(const std::string &Path, SourceManager &SM, DiagnosticEngine &DE) {
  std::optional<FileId> F = loadSource(Path, SM, DE);
  if (!F)
    return false;
  return parseModule(*F, SM, DE) != nullptr;
}

std::optional<std::string> dumpAst(const std::string &Path, SourceManager &SM,
                                   DiagnosticEngine &DE) {
  std::optional<FileId> F = loadSource(Path, SM, DE);
  if (!F)
    return std::nullopt;
  std::unique_ptr<ast::Module> M = parseModule(*F, SM, DE);
  if (!M)
    return std::nullopt;
  return ast::dump(*M);
}

} // namespace svic::frontend
