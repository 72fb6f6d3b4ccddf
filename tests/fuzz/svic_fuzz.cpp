//===- svic_fuzz.cpp - libFuzzer over parse, lowering and every analysis --===//
///
/// The input is a Python file. It is parsed and lowered with the default
/// entry rule (model/guide functions or methods, an autoguide built from the
/// model, main), then given to the numeric, smoothness (all three
/// properties), support and reparameterisation analyses, as `svic analyze`
/// does. Bad input must end in diagnostics, never in a crash, a sanitizer
/// report or a hang. First, the hand-written parser's tree is compared with
/// ANTLR's: a difference (or a tree where ANTLR rejects) is a crash. Built
/// only with clang and -DSVIC_FUZZ=ON (bench/fuzz).
//===----------------------------------------------------------------------===//

#include "svic/analysis/Numeric.h"
#include "svic/analysis/Reparam.h"
#include "svic/analysis/Smoothness.h"
#include "svic/analysis/Support.h"
#include "svic/frontend/Frontend.h"
#include "svic/frontend/Parse.h"
#include "svic/ir/Sites.h"

#include <cstddef>
#include <cstdint>
#include <string>

using namespace svic;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  SourceManager SM;
  DiagnosticEngine DE;
  std::string Text(reinterpret_cast<const char *>(Data), Size);
  // The hand-written parser builds exactly ANTLR's tree, or declines.
  {
    SourceManager PSM;
    FileId F = PSM.addFile("fuzz.py", Text);
    DiagnosticEngine FastDE, AntlrDE;
    auto Fast = frontend::parseModule(F, PSM, FastDE, frontend::ParserPath::Fast);
    if (Fast) {
      auto Antlr = frontend::parseModule(F, PSM, AntlrDE, frontend::ParserPath::Antlr);
      if (!Antlr || frontend::ast::dumpExact(*Antlr) != frontend::ast::dumpExact(*Fast))
        __builtin_trap();
    }
  }
  auto Loaded = frontend::loadProgramsFromText("fuzz.py", Text, "", "", {}, SM, DE);
  if (!Loaded || !Loaded->Model)
    return 0;
  const ir::Program *Progs[] = {Loaded->Model.get(), Loaded->Guide.get()};
  std::optional<analysis::NumericResult> Numeric[2];
  for (int I = 0; I < 2; ++I) {
    if (!Progs[I])
      continue;
    (void)ir::collectSites(*Progs[I]);
    Numeric[I] = analysis::analyzeNumeric(*Progs[I], {}, Progs[1 - I]);
    for (analysis::Property P :
         {analysis::Property::Diff, analysis::Property::Lips, analysis::Property::Cont})
      (void)analysis::analyzeSmoothness(*Progs[I], *Numeric[I], P);
  }
  if (Progs[1]) {
    (void)analysis::analyzeSupport(*Progs[0], *Progs[1]);
    (void)analysis::selectReparameterization(*Progs[0], *Numeric[0], *Progs[1], *Numeric[1],
                                             analysis::Property::Lips, &SM);
  }
  return 0;
}
