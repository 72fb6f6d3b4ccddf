//===- Frontend.cpp - Python files to svic IR programs ---------------------===//

#include "svic/frontend/Frontend.h"

#include "Lower.h"
#include "svic/frontend/Parse.h"

namespace svic::frontend {

namespace {

/// The last module-level `def Name`, if any (Python: the last one wins).
const ast::FunctionDef *findFunction(const ast::Module &M, const std::string &Name) {
  const ast::FunctionDef *Found = nullptr;
  for (const ast::StmtPtr &S : M.Stmts)
    if (auto *F = ir::dyn_cast<ast::FunctionDef>(S.get()); F && F->Name == Name)
      Found = F;
  return Found;
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

  // Model entry: --model-fn, else `model`, else `main`.
  const ast::FunctionDef *ModelFn = nullptr;
  if (!Names.ModelFn.empty()) {
    ModelFn = findFunction(*Model, Names.ModelFn);
    if (!ModelFn)
      DE.report(DiagId::MissingEntry, fileLoc(ModelFile),
                "no function " + quoted(Names.ModelFn) + " in " + quoted(SM.path(ModelFile)) +
                    " (named by --model-fn)");
  } else {
    ModelFn = findFunction(*Model, "model");
    if (!ModelFn)
      ModelFn = findFunction(*Model, "main");
    if (!ModelFn)
      DE.report(DiagId::MissingEntry, fileLoc(ModelFile),
                "no model function in " + quoted(SM.path(ModelFile)) +
                    "; define 'model' (or 'main'), or name the function with --model-fn");
  }

  // Guide entry: --guide-fn, else `guide`, else `main` in a separate file.
  const ast::Module &GuideModule = Guide ? *Guide : *Model;
  FileId GuideId = GuideFile ? *GuideFile : ModelFile;
  const ast::FunctionDef *GuideFn = nullptr;
  if (!Names.GuideFn.empty()) {
    GuideFn = findFunction(GuideModule, Names.GuideFn);
    if (!GuideFn)
      DE.report(DiagId::MissingEntry, fileLoc(GuideId),
                "no function " + quoted(Names.GuideFn) + " in " + quoted(SM.path(GuideId)) +
                    " (named by --guide-fn)");
  } else {
    GuideFn = findFunction(GuideModule, "guide");
    if (!GuideFn && Guide)
      GuideFn = findFunction(GuideModule, "main");
    if (!GuideFn && Guide)
      DE.report(DiagId::MissingEntry, fileLoc(GuideId),
                "no guide function in " + quoted(SM.path(GuideId)) +
                    "; define 'guide' (or 'main'), or name the function with --guide-fn");
  }
  if (!ModelFn || (!GuideFn && (Guide || !Names.GuideFn.empty())))
    return std::nullopt;

  LoadedPrograms Out;
  Out.Model = lowerProgram(*Model, *ModelFn, ir::Role::Model, SM, DE);
  if (GuideFn)
    Out.Guide = lowerProgram(GuideModule, *GuideFn, ir::Role::Guide, SM, DE);
  if (DE.errorCount() > ErrorsBefore)
    return std::nullopt;
  return Out;
}

} // namespace

std::optional<LoadedPrograms> loadPrograms(const std::string &ModelPath,
                                           const std::string &GuidePath, const EntryNames &Names,
                                           SourceManager &SM, DiagnosticEngine &DE) {
  std::string Err;
  std::optional<FileId> Model = SM.loadFile(ModelPath, Err);
  if (!Model) {
    DE.report(DiagId::IoError, SourceLoc{}, Err);
    return std::nullopt;
  }
  std::optional<FileId> Guide;
  if (!GuidePath.empty()) {
    Guide = SM.loadFile(GuidePath, Err);
    if (!Guide) {
      DE.report(DiagId::IoError, SourceLoc{}, Err);
      return std::nullopt;
    }
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
  std::string Err;
  std::optional<FileId> F = SM.loadFile(Path, Err);
  if (!F) {
    DE.report(DiagId::IoError, SourceLoc{}, Err);
    return false;
  }
  return parseModule(*F, SM, DE) != nullptr;
}

std::optional<std::string> dumpAst(const std::string &Path, SourceManager &SM,
                                   DiagnosticEngine &DE) {
  std::string Err;
  std::optional<FileId> F = SM.loadFile(Path, Err);
  if (!F) {
    DE.report(DiagId::IoError, SourceLoc{}, Err);
    return std::nullopt;
  }
  std::unique_ptr<ast::Module> M = parseModule(*F, SM, DE);
  if (!M)
    return std::nullopt;
  return ast::dump(*M);
}

} // namespace svic::frontend
