//===- PropertyHarness.cpp - Generate, analyse, refute ---------------------===//

#include "PropertyHarness.h"

#include "svic/analysis/Numeric.h"
#include "svic/analysis/Smoothness.h"
#include "svic/frontend/Frontend.h"
#include "svic/ir/Diagnostics.h"
#include "svic/ir/Printer.h"

#include <map>
#include <sstream>

namespace svic::testkit {

namespace {

analysis::Property toAnalysis(Prop P) {
  switch (P) {
  case Prop::Diff:
    return analysis::Property::Diff;
  case Prop::Lips:
    return analysis::Property::Lips;
  case Prop::Cont:
    return analysis::Property::Cont;
  }
  return analysis::Property::Cont;
}

/// Structural sanity of the frontend's IR (var ids in range, required
/// children present): a broken IR is reported as a failure of the run instead
/// of crashing the analyses.
struct IRValidator {
  const ir::Program &P;
  std::string Problem;

  void fail(const std::string &What, SourceLoc Loc) {
    if (Problem.empty())
      Problem = What + " at line " + std::to_string(Loc.Line) + ":" + std::to_string(Loc.Col);
  }
  void var(ir::VarId V, SourceLoc Loc) {
    if (V == 0 || V >= P.numVars())
      fail("variable id " + std::to_string(V) + " out of range", Loc);
  }
  void expr(const ir::Expr *E, SourceLoc Loc, bool Required = true) {
    if (!E) {
      if (Required)
        fail("missing expression", Loc);
      return;
    }
    using namespace ir;
    switch (E->Kind) {
    case ExprKind::VarRef:
      var(cast<VarRefExpr>(E)->Var, E->Loc);
      break;
    case ExprKind::Unary:
      expr(cast<UnaryExpr>(E)->Operand.get(), E->Loc);
      break;
    case ExprKind::Binary:
      expr(cast<BinaryExpr>(E)->Lhs.get(), E->Loc);
      expr(cast<BinaryExpr>(E)->Rhs.get(), E->Loc);
      break;
    case ExprKind::Compare:
      expr(cast<CompareExpr>(E)->Lhs.get(), E->Loc);
      expr(cast<CompareExpr>(E)->Rhs.get(), E->Loc);
      break;
    case ExprKind::Logical:
      expr(cast<LogicalExpr>(E)->Lhs.get(), E->Loc);
      expr(cast<LogicalExpr>(E)->Rhs.get(), E->Loc);
      break;
    case ExprKind::Conditional: {
      const auto *C = cast<ConditionalExpr>(E);
      expr(C->Cond.get(), E->Loc);
      expr(C->Then.get(), E->Loc);
      expr(C->Else.get(), E->Loc);
      break;
    }
    case ExprKind::Call:
      for (const ExprPtr &A : cast<CallExpr>(E)->Args.Args)
        expr(A.get(), E->Loc, false);
      break;
    case ExprKind::Distribution:
      for (const ExprPtr &A : cast<DistributionExpr>(E)->Args.Args)
        expr(A.get(), E->Loc, false);
      for (const DistTransform &T : cast<DistributionExpr>(E)->Transforms)
        expr(T.Arg.get(), T.Loc, false);
      break;
    case ExprKind::Subscript:
      expr(cast<SubscriptExpr>(E)->Base.get(), E->Loc);
      for (const ExprPtr &I : cast<SubscriptExpr>(E)->Indices)
        expr(I.get(), E->Loc);
      break;
    case ExprKind::Tuple:
    case ExprKind::List:
      for (const ExprPtr &X : cast<SequenceExpr>(E)->Elements)
        expr(X.get(), E->Loc);
      break;
    default:
      break;
    }
  }
  void name(const ir::SiteName &N) {
    for (const ir::ExprPtr &I : N.Indices)
      expr(I.get(), N.Loc);
  }
  void block(const ir::Block &B) {
    for (const ir::StmtPtr &S : B)
      stmt(*S);
  }
  void stmt(const ir::Stmt &S) {
    using namespace ir;
    switch (S.Kind) {
    case StmtKind::Assign:
      var(cast<AssignStmt>(&S)->Target, S.Loc);
      expr(cast<AssignStmt>(&S)->Value.get(), S.Loc);
      break;
    case StmtKind::ExprStmt:
      expr(cast<ExprStmt>(&S)->Value.get(), S.Loc);
      break;
    case StmtKind::Sample: {
      const auto *Sa = cast<SampleStmt>(&S);
      if (Sa->Target)
        var(*Sa->Target, S.Loc);
      name(Sa->Name);
      expr(Sa->Dist.get(), S.Loc);
      expr(Sa->Obs.get(), S.Loc, false);
      break;
    }
    case StmtKind::Param: {
      const auto *Pa = cast<ParamStmt>(&S);
      if (Pa->Target)
        var(*Pa->Target, S.Loc);
      name(Pa->Name);
      expr(Pa->Init.get(), S.Loc, false);
      break;
    }
    case StmtKind::Factor:
      name(cast<FactorStmt>(&S)->Name);
      expr(cast<FactorStmt>(&S)->LogProb.get(), S.Loc);
      break;
    case StmtKind::If:
      expr(cast<IfStmt>(&S)->Cond.get(), S.Loc);
      block(cast<IfStmt>(&S)->Then);
      block(cast<IfStmt>(&S)->Else);
      break;
    case StmtKind::For: {
      const auto *F = cast<ForStmt>(&S);
      var(F->Index, S.Loc);
      if (F->Over == ForStmt::Iter::Range) {
        expr(F->Start.get(), S.Loc);
        expr(F->Stop.get(), S.Loc);
        expr(F->Step.get(), S.Loc);
      }
      block(F->Body);
      break;
    }
    case StmtKind::While:
      expr(cast<WhileStmt>(&S)->Cond.get(), S.Loc);
      block(cast<WhileStmt>(&S)->Body);
      break;
    case StmtKind::With:
      block(cast<WithStmt>(&S)->Body);
      break;
    case StmtKind::Return:
      expr(cast<ReturnStmt>(&S)->Value.get(), S.Loc, false);
      break;
    case StmtKind::Assert:
      expr(cast<AssertStmt>(&S)->Cond.get(), S.Loc);
      break;
    default:
      break;
    }
  }
};

} // namespace

ProgramResult runSource(const std::string &Source, uint64_t Seed, const HarnessOptions &O) {
  ProgramResult R;
  R.Seed = Seed;
  R.Source = Source;
  SourceManager SM;
  DiagnosticEngine DE;
  std::optional<frontend::LoadedPrograms> L =
      frontend::loadProgramsFromText("generated.py", Source, "", "", frontend::EntryNames{}, SM, DE);
  if (!L || !L->Model || DE.hasErrors()) {
    R.FrontendRejected = true;
    for (const Diagnostic &D : DE.sorted())
      R.FrontendDiagnostics += renderText(D, SM, false) + "\n";
    return R;
  }
  const ir::Program &P = *L->Model;
  IRValidator V{P, {}};
  V.block(P.Body);
  if (!V.Problem.empty()) {
    R.FrontendRejected = true;
    R.FrontendDiagnostics = "invalid IR from the frontend: " + V.Problem + "\n" + ir::printProgram(P, SM);
    return R;
  }
  analysis::NumericResult N = analysis::analyzeNumeric(P);
  std::map<std::string, Claim> ByName, Forced;
  std::vector<std::string> Reported;
  for (Prop Pr : {Prop::Diff, Prop::Lips, Prop::Cont}) {
    analysis::SmoothnessResult S = analysis::analyzeSmoothness(P, N, toAnalysis(Pr));
    R.AnalysisFailed = R.AnalysisFailed || S.Failed;
    for (const analysis::NameVerdict &V : S.Names) {
      Claim &C = ByName[V.Name];
      C.Name = V.Name;
      if (Pr == Prop::Diff)
        Reported.push_back(V.Name);
      if (!V.Smooth) {
        if (O.ProbeMayBreak && !V.Discrete) {
          Claim &F = Forced[V.Name];
          F.Name = V.Name;
          (Pr == Prop::Diff ? F.Diff : Pr == Prop::Lips ? F.Lips : F.Cont) = true;
          ++R.MayBreak[static_cast<int>(Pr)];
        }
        continue;
      }
      ++R.SmoothClaims[static_cast<int>(Pr)];
      (Pr == Prop::Diff ? C.Diff : Pr == Prop::Lips ? C.Lips : C.Cont) = true;
    }
  }
  std::vector<Claim> Claims;
  for (auto &[Name, C] : ByName) {
    Claims.push_back(C);
    R.Claims.push_back(C);
    R.Verdicts += Name + ":" + (C.Diff ? " diff" : "") + (C.Lips ? " lips" : "") + (C.Cont ? " cont" : "") +
                  (C.Diff || C.Lips || C.Cont ? "" : " none") + "\n";
  }
  R.Report = checkProgram(P, Claims, Seed, O.Check, &Reported);
  if (O.ProbeMayBreak && !Forced.empty()) {
    std::vector<Claim> FC;
    for (auto &[Name, C] : Forced)
      FC.push_back(C);
    CheckOptions CO = O.Check;
    CO.JointProbes = false;
    CheckReport W = checkProgram(P, FC, Seed, CO);
    for (const Violation &V : W.Violations)
      ++R.Witnessed[static_cast<int>(V.Property)];
  }
  return R;
}

const Claim *ProgramResult::claimOf(const std::string &Name) const {
  for (const Claim &C : Claims)
    if (C.Name == Name)
      return &C;
  return nullptr;
}

ProgramResult runGenerated(uint64_t Seed, const HarnessOptions &O) {
  GeneratedProgram G = generateProgram(Seed, O.Gen);
  ProgramResult R = runSource(G.Source, Seed, O);
  R.MostlySmooth = G.MostlySmooth;
  return R;
}

void Totals::add(ProgramResult R) {
  ++Programs;
  MostlySmooth += R.MostlySmooth;
  FrontendRejected += R.FrontendRejected;
  AnalysisFailed += R.AnalysisFailed;
  for (int I = 0; I < 3; ++I) {
    SmoothClaims[I] += R.SmoothClaims[I];
    MayBreak[I] += R.MayBreak[I];
    Witnessed[I] += R.Witnessed[I];
  }
  Stats.add(R.Report.Stats);
  if (!R.Report.SkipReason.empty())
    ++SkipReasons[R.Report.SkipReason];
  if (R.FrontendRejected || !R.Report.Violations.empty())
    Failures.push_back(std::move(R));
}

std::string Totals::summary() const {
  std::ostringstream OS;
  OS << "programs " << Programs << " (mostly smooth " << MostlySmooth << "), rejected by the frontend "
     << FrontendRejected << ", analysis failed " << AnalysisFailed << "\n"
     << "smooth claims: diff " << SmoothClaims[0] << ", lips " << SmoothClaims[1] << ", cont " << SmoothClaims[2]
     << "\n"
     << Stats.summary();
  if (MayBreak[0] + MayBreak[1] + MayBreak[2])
    OS << "\nmayBreak verdicts whose non-smoothness the checker witnessed: diff " << Witnessed[0] << "/"
       << MayBreak[0] << ", lips " << Witnessed[1] << "/" << MayBreak[1] << ", cont " << Witnessed[2] << "/"
       << MayBreak[2];
  for (const auto &[Why, N] : SkipReasons)
    OS << "\n  skipped " << N << ": " << Why;
  return OS.str();
}

std::string describeFailure(const ProgramResult &R) {
  std::ostringstream OS;
  OS << "==== seed " << R.Seed << (R.MostlySmooth ? " (mostly smooth)" : " (wild)") << "\n";
  if (R.FrontendRejected)
    OS << "rejected by the frontend:\n" << R.FrontendDiagnostics;
  for (const Violation &V : R.Report.Violations)
    OS << V.describe() << "\n";
  OS << "-- analysis verdicts:\n" << R.Verdicts << "-- program:\n" << R.Source;
  return OS.str();
}

} // namespace svic::testkit
