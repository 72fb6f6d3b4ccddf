//===- svic_bench.cpp - Timing harness for bench/RESULTS.md ----------------===//
///
/// \file
/// Times the library stages directly (no process start-up, no printing), each
/// over many repetitions, and prints the median and the minimum. The figures
/// in bench/RESULTS.md come from this binary; bench/run.sh lists the commands.
//===----------------------------------------------------------------------===//

#include "svic/analysis/Numeric.h"
#include "svic/analysis/Reparam.h"
#include "svic/analysis/Smoothness.h"
#include "svic/analysis/Support.h"
#include "svic/frontend/Frontend.h"
#include "svic/frontend/Parse.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

using namespace svic;
using Clock = std::chrono::steady_clock;

namespace {

struct Timing {
  double MedianMs, MinMs;
};

double threadCpuMs() {
  timespec T;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &T);
  return T.tv_sec * 1e3 + T.tv_nsec / 1e6;
}

/// Wall time, or with \p Cpu the thread's CPU time (on a loaded machine the
/// wall time also counts the time other processes hold the core).
Timing timeIt(int Reps, const std::function<void()> &Fn, bool Cpu = false) {
  std::vector<double> Ms;
  for (int I = 0; I < Reps; ++I) {
    auto Start = Clock::now();
    double CpuStart = threadCpuMs();
    Fn();
    Ms.push_back(Cpu ? threadCpuMs() - CpuStart
                     : std::chrono::duration<double, std::milli>(Clock::now() - Start).count());
  }
  std::sort(Ms.begin(), Ms.end());
  return {Ms[Ms.size() / 2], Ms.front()};
}

frontend::LoadedPrograms mustLoad(const std::string &Model, const std::string &Guide,
                                  SourceManager &SM, const frontend::EntryNames &Names = {}) {
  DiagnosticEngine DE;
  std::optional<frontend::LoadedPrograms> P = frontend::loadPrograms(Model, Guide, Names, SM, DE);
  if (!P) {
    for (const Diagnostic &D : DE.sorted())
      std::fputs(renderText(D, SM, false).c_str(), stderr);
    std::exit(2);
  }
  return std::move(*P);
}

const analysis::Property AllProps[] = {analysis::Property::Diff, analysis::Property::Lips,
                                       analysis::Property::Cont};

/// Numeric pre-analysis plus smoothness for the three properties.
void analyzeProgram(const ir::Program &P) {
  analysis::NumericResult N = analysis::analyzeNumeric(P);
  for (analysis::Property Prop : AllProps)
    (void)analysis::analyzeSmoothness(P, N, Prop);
}

/// One file: its first (cold) parse + lowering in this process, then the
/// median and min of \p Reps more. A guide file alone that defines `guide`
/// has that function lowered as the entry (found by text, so that nothing
/// is parsed before the cold run).
int benchFrontend(const std::string &File, int Reps) {
  frontend::EntryNames Names;
  std::ifstream In(File);
  std::string Text((std::istreambuf_iterator<char>(In)), std::istreambuf_iterator<char>());
  if (Text.find("\ndef guide(") != std::string::npos && Text.find("\ndef model(") == std::string::npos)
    Names.ModelFn = "guide";
  auto Load = [&] {
    SourceManager SM;
    (void)mustLoad(File, "", SM, Names);
  };
  double Cold = timeIt(1, Load, true).MinMs;
  Timing T = timeIt(Reps, Load, true);
  std::printf("frontend %s: cold %.2f ms, then median %.2f ms, min %.2f ms (%d runs; CPU)\n",
              File.c_str(), Cold, T.MedianMs, T.MinMs, Reps);
  return 0;
}

int benchAnalysis(const std::string &File, int Reps) {
  SourceManager SM;
  frontend::LoadedPrograms P = mustLoad(File, "", SM);
  for (const ir::Program *Prog : {P.Model.get(), P.Guide.get()}) {
    if (!Prog)
      continue;
    Timing T = timeIt(Reps, [&] { analyzeProgram(*Prog); });
    std::printf("analysis %s (%s, diff+lips+cont): median %.2f ms, min %.2f ms (%d runs)\n",
                File.c_str(), Prog->EntryFunction.c_str(), T.MedianMs, T.MinMs, Reps);
  }
  return 0;
}

/// The 14 paper benchmarks: per program numeric+smoothness (3 properties),
/// per pair support match and reparameterisation selection.
int benchPaper(const std::string &Dir, int Reps) {
  std::vector<std::string> Names;
  for (const auto &E : std::filesystem::directory_iterator(Dir))
    if (std::filesystem::exists(E.path() / "guide.py"))
      Names.push_back(E.path().filename().string());
  std::sort(Names.begin(), Names.end());
  std::printf("%-12s %14s %14s %14s %14s\n", "benchmark", "model ms", "guide ms", "support ms",
              "reparam ms");
  double Worst = 0, WorstSupport = 0;
  for (const std::string &Name : Names) {
    SourceManager SM;
    std::string Base = Dir + "/" + Name + "/";
    frontend::LoadedPrograms P = mustLoad(Base + "model.py", Base + "guide.py", SM);
    Timing M = timeIt(Reps, [&] { analyzeProgram(*P.Model); });
    Timing G = timeIt(Reps, [&] { analyzeProgram(*P.Guide); });
    Timing S = timeIt(Reps, [&] { (void)analysis::analyzeSupport(*P.Model, *P.Guide); });
    analysis::NumericResult NM = analysis::analyzeNumeric(*P.Model, {}, P.Guide.get());
    analysis::NumericResult NG = analysis::analyzeNumeric(*P.Guide, {}, P.Model.get());
    Timing R = timeIt(Reps, [&] {
      (void)analysis::selectReparameterization(*P.Model, NM, *P.Guide, NG);
    });
    std::printf("%-12s %14.3f %14.3f %14.3f %14.3f\n", Name.c_str(), M.MedianMs, G.MedianMs,
                S.MedianMs, R.MedianMs);
    Worst = std::max({Worst, M.MedianMs, G.MedianMs});
    WorstSupport = std::max(WorstSupport, S.MedianMs);
  }
  std::printf("worst program (diff+lips+cont): %.3f ms; worst support pair: %.3f ms (medians of "
              "%d runs)\n",
              Worst, WorstSupport, Reps);
  return 0;
}

/// Support match over a corpus of pairs (tests/support/<dir>/{model,guide}.py).
int benchSupportCorpus(const std::string &Dir, int Reps) {
  double Worst = 0;
  std::string WorstName;
  int Pairs = 0;
  for (const auto &E : std::filesystem::directory_iterator(Dir)) {
    if (!std::filesystem::exists(E.path() / "guide.py"))
      continue;
    SourceManager SM;
    frontend::LoadedPrograms P =
        mustLoad((E.path() / "model.py").string(), (E.path() / "guide.py").string(), SM);
    Timing S = timeIt(Reps, [&] { (void)analysis::analyzeSupport(*P.Model, *P.Guide); });
    ++Pairs;
    if (S.MedianMs > Worst) {
      Worst = S.MedianMs;
      WorstName = E.path().filename().string();
    }
  }
  std::printf("support corpus %s: %d pairs, worst median %.3f ms (%s), %d runs each\n", Dir.c_str(),
              Pairs, Worst, WorstName.c_str(), Reps);
  return 0;
}

/// One row of the growth curve (bench/growth.sh): minimum CPU times of each
/// stage of a model+guide file. Lowering is the whole load minus the parse.
int benchGrowth(const std::string &File, int Reps) {
  std::ifstream In(File);
  std::stringstream Buf;
  Buf << In.rdbuf();
  const std::string Text = Buf.str();
  size_t Lines = static_cast<size_t>(std::count(Text.begin(), Text.end(), '\n'));
  Timing Parse = timeIt(Reps, [&] {
    SourceManager SM;
    DiagnosticEngine DE;
    if (!frontend::parseModule(SM.addFile(File, Text), SM, DE))
      std::exit(2);
  }, true);
  Timing Load = timeIt(Reps, [&] {
    SourceManager SM;
    (void)mustLoad(File, "", SM);
  }, true);
  SourceManager SM;
  frontend::LoadedPrograms P = mustLoad(File, "", SM);
  if (!P.Guide) {
    std::fprintf(stderr, "svic-bench growth: %s has no guide\n", File.c_str());
    return 2;
  }
  Timing Num = timeIt(Reps, [&] {
    (void)analysis::analyzeNumeric(*P.Model);
    (void)analysis::analyzeNumeric(*P.Guide);
  }, true);
  analysis::NumericResult NM = analysis::analyzeNumeric(*P.Model);
  analysis::NumericResult NG = analysis::analyzeNumeric(*P.Guide);
  double Smooth[3];
  for (int I = 0; I < 3; ++I)
    Smooth[I] = timeIt(Reps, [&] {
                  (void)analysis::analyzeSmoothness(*P.Model, NM, AllProps[I]);
                  (void)analysis::analyzeSmoothness(*P.Guide, NG, AllProps[I]);
                }, true).MinMs;
  Timing Sup = timeIt(Reps, [&] { (void)analysis::analyzeSupport(*P.Model, *P.Guide); }, true);
  // As `svic analyze` runs it: with the Lipschitz results already computed.
  analysis::SmoothnessResult LM = analysis::analyzeSmoothness(*P.Model, NM, analysis::Property::Lips);
  analysis::SmoothnessResult LG = analysis::analyzeSmoothness(*P.Guide, NG, analysis::Property::Lips);
  Timing Rep = timeIt(Reps, [&] {
    (void)analysis::selectReparameterization(*P.Model, NM, *P.Guide, NG, LM, LG);
  }, true);
  double Analysis = Num.MinMs + Smooth[0] + Smooth[1] + Smooth[2] + Sup.MinMs + Rep.MinMs;
  std::printf("%7zu %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f %9.2f\n", Lines, Parse.MinMs,
              Load.MinMs - Parse.MinMs, Num.MinMs, Smooth[0], Smooth[1], Smooth[2], Sup.MinMs,
              Rep.MinMs, Analysis);
  return 0;
}

/// Parse + lowering of one model/guide pair (both files): the first run of
/// the process (cold: ANTLR builds its DFA caches as it goes) and the minimum
/// of the others (warm), CPU time.
int benchPairFrontend(const std::string &Dir, int Reps) {
  std::string Model = Dir + "/model.py", Guide = Dir + "/guide.py";
  std::vector<double> Ms;
  for (int I = 0; I < Reps + 1; ++I)
    Ms.push_back(timeIt(1, [&] {
                   SourceManager SM;
                   (void)mustLoad(Model, Guide, SM);
                 }, true).MinMs);
  std::printf("%-40s cold %6.2f ms, warm min %6.2f ms (parse + lowering of both files, CPU)\n",
              Dir.c_str(), Ms.front(), *std::min_element(Ms.begin() + 1, Ms.end()));
  return 0;
}

} // namespace

int main(int Argc, char **Argv) {
  if (Argc < 3) {
    std::fprintf(stderr, "usage: svic-bench frontend|analysis|paper|pair-frontend|support-corpus|growth PATH [REPS]\n");
    return 2;
  }
  std::string Mode = Argv[1], Path = Argv[2];
  int Reps = Argc > 3 ? std::atoi(Argv[3]) : 21;
  if (Reps < 1)
    Reps = 1;
  if (Mode == "frontend")
    return benchFrontend(Path, Reps);
  if (Mode == "analysis")
    return benchAnalysis(Path, Reps);
  if (Mode == "paper")
    return benchPaper(Path, Reps);
  if (Mode == "pair-frontend")
    return benchPairFrontend(Path, Reps);
  if (Mode == "growth")
    return benchGrowth(Path, Reps);
  if (Mode == "support-corpus")
    return benchSupportCorpus(Path, Reps);
  std::fprintf(stderr, "svic-bench: unknown mode '%s'\n", Mode.c_str());
  return 2;
}
