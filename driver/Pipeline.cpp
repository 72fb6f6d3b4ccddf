//===- Pipeline.cpp - The stages of `svic analyze` and `svic sites` --------===//

#include "Pipeline.h"

#include <algorithm>
#include <chrono>
#include <cmath>

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

std::vector<std::string> bindInputData(ir::Program &P,
                                       const std::map<std::string, runtime::Array> &Data) {
  std::vector<std::string> Bound;
  ir::Block Prefix;
  for (ir::VarId V : P.Inputs) {
    const ir::VarInfo &Info = P.var(V);
    auto It = Data.find(Info.Name);
    if (It == Data.end())
      continue;
    const runtime::Array &A = It->second;
    Bound.push_back(Info.Name);
    auto Assign = P.make<ir::AssignStmt>(Info.Loc);
    Assign->Target = V;
    if (A.Shape.empty() && A.Values.size() == 1) {
      // A scalar: its value (an int when integral, so range(T) and indices work).
      auto C = P.make<ir::ConstantExpr>(Info.Loc);
      double X = A.Values[0];
      if (std::isfinite(X) && X == std::floor(X) && std::fabs(X) < 9e15) {
        C->Ty = ir::ConstantExpr::Type::Int;
        C->IntValue = static_cast<int64_t>(X);
      } else {
        C->Ty = ir::ConstantExpr::Type::Float;
        C->FloatValue = X;
      }
      Assign->Value = std::move(C);
    } else {
      auto Int = [&](int64_t K) {
        auto C = P.make<ir::ConstantExpr>(Info.Loc);
        C->Ty = ir::ConstantExpr::Type::Int;
        C->IntValue = K;
        return C;
      };
      auto View = P.make<ir::CallExpr>(Info.Loc);
      View->Op = ir::OpId::View;
      auto Ref = P.make<ir::VarRefExpr>(Info.Loc);
      Ref->Var = V;
      View->Args.Args.push_back(std::move(Ref));
      for (int64_t D : A.Shape)
        View->Args.Args.push_back(Int(D));
      ir::ExprPtr Value = std::move(View);
      const bool Finite = !A.Values.empty() &&
                          std::all_of(A.Values.begin(), A.Values.end(),
                                      [](double X) { return std::isfinite(X); });
      if (Finite) {
        auto [LoAt, HiAt] = std::minmax_element(A.Values.begin(), A.Values.end());
        double Lo = *LoAt, Hi = *HiAt;
        if (static_cast<int64_t>(A.Values.size()) < runtime::numElements(A.Shape)) { // implicit zeros
          Lo = std::min(Lo, 0.0);
          Hi = std::max(Hi, 0.0);
        }
        auto Num = [&](double X) {
          auto C = P.make<ir::ConstantExpr>(Info.Loc);
          C->Ty = ir::ConstantExpr::Type::Float;
          C->FloatValue = X;
          return C;
        };
        auto Clamp = P.make<ir::CallExpr>(Info.Loc);
        Clamp->Op = ir::OpId::Clamp;
        Clamp->Args.Args.push_back(std::move(Value));
        Clamp->Args.Args.push_back(Num(Lo));
        Clamp->Args.Args.push_back(Num(Hi));
        Value = std::move(Clamp);
      }
      Assign->Value = std::move(Value);
    }
    Prefix.push_back(std::move(Assign));
  }
  P.Body.insert(P.Body.begin(), std::make_move_iterator(Prefix.begin()),
                std::make_move_iterator(Prefix.end()));
  return Bound;
}

void runAnalyses(AnalysisRun &Run, const std::vector<analysis::Property> &Props,
                 const SourceManager &SM) {
  auto Start = std::chrono::steady_clock::now();
  for (ProgramFacts &F : Run.Facts) {
    const ir::Program *Pair = nullptr; // the other program of a model/guide pair
    for (const ProgramFacts &O : Run.Facts)
      if (O.Prog != F.Prog)
        Pair = O.Prog;
    F.Numeric = analysis::analyzeNumeric(*F.Prog, {}, Pair);
    for (analysis::Property Prop : Props)
      F.Smoothness.push_back(analysis::analyzeSmoothness(*F.Prog, *F.Numeric, Prop));
  }
  if (Run.Facts.size() == 2) {
    const ProgramFacts &M = Run.Facts[0], &G = Run.Facts[1];
    Run.Support = analysis::analyzeSupport(*M.Prog, *G.Prog);
    // The selection needs the Lipschitz results; reuse them when computed.
    auto Lips = std::find(Props.begin(), Props.end(), analysis::Property::Lips);
    if (Lips != Props.end()) {
      size_t I = static_cast<size_t>(Lips - Props.begin());
      Run.Reparam = analysis::selectReparameterization(*M.Prog, *M.Numeric, *G.Prog, *G.Numeric,
                                                       M.Smoothness[I], G.Smoothness[I],
                                                       analysis::Property::Lips, &SM);
    } else {
      Run.Reparam = analysis::selectReparameterization(*M.Prog, *M.Numeric, *G.Prog, *G.Numeric,
                                                       analysis::Property::Lips, &SM);
    }
  }
  Run.AnalysisMs = msSince(Start);
}

} // namespace svic::driver
