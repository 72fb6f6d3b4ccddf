//===- oracle_test.cpp - The 14 paper benchmarks against the oracle -------===//
///
/// \file
/// For every benchmark pair examples/paper/<name>/{model,guide}.py (default
/// entry rule), each program and each property diff/lips: the smooth set
/// restricted to the oracle's names must equal the oracle's (56 cells); and
/// selectReparameterization(...).Selected must equal `selected_ours` (14
/// pairs). Encoding of the oracle: diff ⇒ smooth for diff and lips; lips ⇒
/// smooth for lips only; none ⇒ neither.
//===----------------------------------------------------------------------===//

#include "svic/analysis/Numeric.h"
#include "svic/analysis/Reparam.h"
#include "svic/analysis/Smoothness.h"
#include "svic/frontend/Frontend.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>

using namespace svic;
using namespace svic::analysis;

namespace {

const nlohmann::json &oracle() {
  static const nlohmann::json J = [] {
    std::ifstream In(std::string(SVIC_SHARED_DIR) + "/benchmarks/smoothness-oracle.json");
    if (!In)
      throw std::runtime_error("cannot read smoothness-oracle.json under " SVIC_SHARED_DIR);
    return nlohmann::json::parse(In);
  }();
  return J;
}

const std::vector<std::string> Benchmarks = {"air",   "br",     "csis",    "dmm",   "lda",
                                             "sgdef", "ssvae",  "vae",     "spnor", "dpmm",
                                             "cvae",  "scanvi", "prodlda", "mhmm"};

TEST(Oracle, BenchmarkListMatches) {
  std::vector<std::string> L = oracle()["_meta"]["benchmarks"].get<std::vector<std::string>>();
  EXPECT_EQ(L, Benchmarks);
}

struct Loaded {
  SourceManager SM;
  DiagnosticEngine DE;
  std::optional<frontend::LoadedPrograms> P;
};

std::unique_ptr<Loaded> load(const std::string &Name) {
  auto L = std::make_unique<Loaded>();
  std::string Dir = std::string(SVIC_EXAMPLES_DIR) + "/paper/" + Name + "/";
  L->P = frontend::loadPrograms(Dir + "model.py", Dir + "guide.py", frontend::EntryNames{}, L->SM,
                                L->DE);
  return L;
}

std::string diagnostics(const Loaded &L) {
  std::string S;
  for (const Diagnostic &D : L.DE.sorted())
    S += renderText(D, L.SM, false) + "\n";
  return S;
}

class OracleTest : public ::testing::TestWithParam<std::string> {};

TEST_P(OracleTest, SmoothSetsAndSelection) {
  const std::string Name = GetParam();
  const nlohmann::json &O = oracle()[Name];
  auto L = load(Name);
  ASSERT_TRUE(L->P && L->P->Model && L->P->Guide) << diagnostics(*L);

  std::ostringstream Report;
  int Cells = 0, Matching = 0;
  const ir::Program *Progs[2] = {L->P->Model.get(), L->P->Guide.get()};
  const char *Roles[2] = {"model", "guide"};
  NumericResult Num[2] = {analyzeNumeric(*Progs[0], {}, Progs[1]), analyzeNumeric(*Progs[1], {}, Progs[0])};
  for (int R = 0; R < 2; ++R) {
    std::map<std::string, std::string> Expected;
    for (auto &[K, V] : O[Roles[R]]["random_variables"].items())
      Expected[K] = V.get<std::string>();
    for (auto &[K, V] : O[Roles[R]]["params"].items())
      Expected[K] = V.get<std::string>();
    for (Property P : {Property::Diff, Property::Lips}) {
      auto Start = std::chrono::steady_clock::now();
      SmoothnessResult Res = analyzeSmoothness(*Progs[R], Num[R], P);
      double Ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - Start)
              .count();
      ++Cells;
      std::ostringstream Cell;
      for (const auto &[N, Class] : Expected) {
        bool Want = Class == "diff" || (P == Property::Lips && Class == "lips");
        const NameVerdict *V = Res.find(N);
        if (!V) {
          Cell << "    " << N << ": missing from the result (oracle " << Class << ")\n";
          continue;
        }
        if (V->Smooth != Want) {
          Cell << "    " << N << ": oracle " << Class << ", svic "
               << (V->Smooth ? "smooth" : "mayBreak");
          for (const Witness &W : V->Witnesses) {
            Cell << " [" << W.Operation << " @" << W.Loc.Line << ":" << W.Loc.Col;
            for (const std::string &C : W.Chain)
              Cell << " " << C;
            Cell << "]";
          }
          Cell << "\n";
        }
      }
      if (Cell.str().empty())
        ++Matching;
      else
        Report << "  " << Roles[R] << " " << propertyName(P) << ":\n" << Cell.str();
      std::printf("[timing] %s %s %s: %.3f ms\n", Name.c_str(), Roles[R],
                  std::string(propertyName(P)).c_str(), Ms);
    }
  }
  ReparamResult Sel =
      selectReparameterization(*Progs[0], Num[0], *Progs[1], Num[1], Property::Lips, &L->SM);
  std::vector<std::string> Want = O["reparam"]["selected_ours"].get<std::vector<std::string>>();
  std::sort(Want.begin(), Want.end());
  bool SelOk = Sel.Selected == Want;
  if (!SelOk) {
    Report << "  reparam: oracle {";
    for (const std::string &S : Want)
      Report << " " << S;
    Report << " }, svic {";
    for (const std::string &S : Sel.Selected)
      Report << " " << S;
    Report << " }\n";
    for (const std::string &S : Sel.Reasons)
      Report << "    " << S << "\n";
  }
  std::printf("[oracle] %s: cells %d/%d, selection %s\n", Name.c_str(), Matching, Cells,
              SelOk ? "ok" : "KO");
  EXPECT_EQ(Matching, Cells) << Name << " mismatches:\n" << Report.str();
  EXPECT_TRUE(SelOk) << Report.str();
  EXPECT_EQ(Sel.ThetaConditionHolds, O["reparam"]["theta_condition_holds"].get<bool>());
  EXPECT_TRUE(Sel.ConditionHolds) << Report.str();
}

INSTANTIATE_TEST_SUITE_P(Paper, OracleTest, ::testing::ValuesIn(Benchmarks),
                         [](const ::testing::TestParamInfo<std::string> &I) { return I.param; });

} // namespace
