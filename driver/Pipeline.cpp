//===- Pipeline.cpp - The stages of `svic analyze` and `svic sites` --------===//

#include "Pipeline.h"

#include <chrono>

namespace svic::driver {

namespace {
double msSince(std::chrono::steady_clock::time_point Start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - Start)
      .count();
}
} // namespace

std::optional<AnalysisRun> loadAndInventory(const InputOptions &In, SourceManager &SM,
                                            DiagnosticEngine &DE) {
  auto Start = std::chrono::steady_clock::now();
  std::optional<frontend::LoadedPrograms> Loaded =
      frontend::loadPrograms(In.ModelPath, In.GuidePath, In.Entries, SM, DE);
  if (!Loaded)
    return std::nullopt;
  AnalysisRun Run;
  Run.Programs = std::move(*Loaded);
  Run.ParseMs = msSince(Start);
  for (const ir::Program *P : {Run.Programs.Model.get(), Run.Programs.Guide.get()}) {
    if (!P)
      continue;
    ProgramFacts F;
    F.Prog = P;
    F.Path = SM.path(P->File);
    F.Sites = ir::collectSites(*P);
    Run.Facts.push_back(std::move(F));
  }
  return Run;
}

void runAnalyses(AnalysisRun &Run, const std::vector<analysis::Property> &Props,
                 const SourceManager &SM) {
  auto Start = std::chrono::steady_clock::now();
  for (ProgramFacts &F : Run.Facts) {
    F.Numeric = analysis::analyzeNumeric(*F.Prog);
    for (analysis::Property Prop : Props)
      F.Smoothness.push_back(analysis::analyzeSmoothness(*F.Prog, *F.Numeric, Prop));
  }
  if (Run.Facts.size() == 2) {
    const ProgramFacts &M = Run.Facts[0], &G = Run.Facts[1];
    Run.Support = analysis::analyzeSupport(*M.Prog, *G.Prog);
    Run.Reparam = analysis::selectReparameterization(*M.Prog, *M.Numeric, *G.Prog, *G.Numeric,
                                                   analysis::Property::Lips, &SM);
  }
  Run.AnalysisMs = msSince(Start);
}

} // namespace svic::driver
