//===- corpus_test.cpp - The support analysis on the oracle corpus ---------===//
///
/// \file
/// For every entry of tests/support/cases.json: load <dir>/model.py and
/// <dir>/guide.py through the frontend (entry functions by the default rule:
/// model/guide, else main), run analyzeSupport and check the expectation:
///   match                 ⇒ verdict match (and every listed site verdict);
///   mismatch              ⇒ verdict mismatch and the listed site verdicts;
///   dimension-error       ⇒ a shape error (not a duplicate) at the file/line;
///   duplicate-site-error  ⇒ a duplicate-site error at the file/line.
/// No entry may crash. A tally like the artifact's is printed per category.
//===----------------------------------------------------------------------===//

#include "svic/analysis/Support.h"
#include "svic/frontend/Frontend.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

using namespace svic;
using namespace svic::analysis;

namespace {

const std::string CorpusDir = SVIC_SUPPORT_CORPUS_DIR;

struct Case {
  std::string Dir, Oracle, Expected;
  std::map<std::string, std::string> Sites;
  std::string ErrFile;
  uint32_t ErrLine = 0;
};

std::vector<Case> loadCases() {
  std::vector<Case> Cs;
  std::ifstream In(CorpusDir + "/cases.json");
  if (!In)
    return Cs;
  nlohmann::json J;
  try {
    In >> J;
  } catch (...) {
    return Cs;
  }
  for (const auto &E : J) {
    Case C;
    C.Dir = E.value("dir", "");
    C.Oracle = E.value("oracle_name", "");
    C.Expected = E.value("expected", "");
    if (E.contains("expected_sites") && E["expected_sites"].is_object())
      for (auto It = E["expected_sites"].begin(); It != E["expected_sites"].end(); ++It)
        C.Sites[It.key()] = It.value().get<std::string>();
    if (E.contains("expected_error") && E["expected_error"].is_object()) {
      C.ErrFile = E["expected_error"].value("file", "");
      C.ErrLine = E["expected_error"].value("line", 0u);
    }
    Cs.push_back(std::move(C));
  }
  return Cs;
}

const std::vector<Case> &cases() {
  static const std::vector<Case> Cs = loadCases();
  return Cs;
}

struct Outcome {
  bool Loaded = false;
  std::string LoadError;
  SupportResult R;
  double Ms = 0;
  std::vector<std::string> ErrFiles; ///< file of each shape error
  std::string Problem;               ///< empty when the expectation holds
  std::string Kind;                  ///< match | mismatch | error | unknown | load-failure
};

std::string baseName(const std::string &P) {
  size_t S = P.find_last_of('/');
  return S == std::string::npos ? P : P.substr(S + 1);
}

Outcome run(const Case &C) {
  Outcome O;
  std::string Dir = CorpusDir + "/" + C.Dir;
  SourceManager SM;
  DiagnosticEngine DE;
  std::optional<frontend::LoadedPrograms> LP;
  try {
    LP = frontend::loadPrograms(Dir + "/model.py", Dir + "/guide.py", frontend::EntryNames{}, SM,
                                DE);
  } catch (const std::exception &E) {
    O.LoadError = std::string("frontend exception: ") + E.what();
  }
  if (!LP || !LP->Model || !LP->Guide) {
    if (O.LoadError.empty()) {
      O.LoadError = "frontend failed";
      for (const Diagnostic &D : DE.sorted())
        if (D.Sev == Severity::Error) {
          O.LoadError += ": " + baseName(SM.path(D.Loc.File)) + ":" + std::to_string(D.Loc.Line) +
                         ": " + D.Message;
          break;
        }
    }
    O.Kind = "load-failure";
    O.Problem = O.LoadError;
    return O;
  }
  O.Loaded = true;
  // The best of three runs: the analysis alone, without machine noise.
  for (int Rep = 0; Rep < 3; ++Rep) {
    auto T0 = std::chrono::steady_clock::now();
    O.R = analyzeSupport(*LP->Model, *LP->Guide);
    double Ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - T0).count();
    O.Ms = Rep == 0 ? Ms : std::min(O.Ms, Ms);
  }
  for (const ShapeError &E : O.R.ShapeErrors)
    O.ErrFiles.push_back(E.Loc.File ? baseName(SM.path(E.Loc.File)) : "");

  bool AnyDup = false, AnyDim = false;
  for (const ShapeError &E : O.R.ShapeErrors)
    (E.DuplicateSite ? AnyDup : AnyDim) = true;
  O.Kind = !O.R.ShapeErrors.empty() ? "error" : O.R.Verdict;

  std::ostringstream P;
  auto CheckSites = [&]() {
    for (const auto &[Name, Want] : C.Sites) {
      auto It = std::find_if(O.R.Sites.begin(), O.R.Sites.end(),
                             [&](const SiteSupport &S) { return S.Name == Name; });
      std::string Got = It == O.R.Sites.end() ? "<absent>" : It->Verdict;
      if (Got != Want)
        P << "site " << Name << ": expected " << Want << ", got " << Got
          << (It == O.R.Sites.end() ? std::string() : " (" + It->Reason + ")") << "; ";
    }
  };
  auto CheckError = [&](bool Dup) {
    bool Found = false;
    for (size_t I = 0; I < O.R.ShapeErrors.size(); ++I) {
      const ShapeError &E = O.R.ShapeErrors[I];
      if (E.DuplicateSite != Dup)
        continue;
      if (!C.ErrFile.empty() && O.ErrFiles[I] != C.ErrFile)
        continue;
      if (C.ErrLine && E.Loc.Line != C.ErrLine)
        continue;
      Found = true;
    }
    if (!Found) {
      P << "expected a " << (Dup ? "duplicate-site" : "dimension") << " error";
      if (!C.ErrFile.empty())
        P << " at " << C.ErrFile << ":" << C.ErrLine;
      P << "; got:";
      for (size_t I = 0; I < O.R.ShapeErrors.size(); ++I)
        P << " [" << O.ErrFiles[I] << ":" << O.R.ShapeErrors[I].Loc.Line
          << (O.R.ShapeErrors[I].DuplicateSite ? " dup" : "") << " " << O.R.ShapeErrors[I].Message
          << "]";
      P << "; ";
    }
  };
  if (C.Expected == "match") {
    if (O.R.Verdict != "match")
      P << "expected match, got " << O.R.Verdict << "; ";
    CheckSites();
  } else if (C.Expected == "mismatch") {
    if (O.R.Verdict != "mismatch")
      P << "expected mismatch, got " << O.R.Verdict << "; ";
    CheckSites();
  } else if (C.Expected == "dimension-error") {
    CheckError(false);
    (void)AnyDim;
  } else if (C.Expected == "duplicate-site-error") {
    CheckError(true);
    (void)AnyDup;
  } else {
    P << "unknown expectation '" << C.Expected << "'";
  }
  O.Problem = P.str();
  if (!O.Problem.empty()) {
    O.Problem += "\n    verdict " + O.R.Verdict + "; sites:";
    for (const SiteSupport &S : O.R.Sites)
      O.Problem += "\n      " + S.Name + " " + S.Verdict + " [" + S.IndexRange + "] model " +
                   S.ModelDistribution + " " + S.ModelSupport + ", guide " + S.GuideDistribution +
                   " " + S.GuideSupport + ": " + S.Reason;
    for (const PlateSupport &S : O.R.Plates)
      O.Problem += "\n      plate " + S.Name + " " + S.Verdict + ": " + S.Reason;
  }
  return O;
}

std::string testName(const std::string &Dir) {
  std::string N;
  for (char C : Dir)
    N += std::isalnum(static_cast<unsigned char>(C)) ? C : '_';
  while (!N.empty() && N[0] == '_')
    N.erase(0, 1);
  return N.empty() ? "case" : N;
}

class SupportCorpus : public ::testing::TestWithParam<size_t> {};

TEST_P(SupportCorpus, ExpectedVerdict) {
  const Case &C = cases()[GetParam()];
  Outcome O;
  ASSERT_NO_THROW(O = run(C)) << C.Dir;
  EXPECT_TRUE(O.Problem.empty()) << C.Dir << " (" << C.Oracle << ", expected " << C.Expected
                                 << "): " << O.Problem;
}

std::vector<size_t> caseIndices() {
  std::vector<size_t> Is(cases().size());
  for (size_t I = 0; I < Is.size(); ++I)
    Is[I] = I;
  return Is;
}

INSTANTIATE_TEST_SUITE_P(Cases, SupportCorpus, ::testing::ValuesIn(caseIndices()),
                         [](const ::testing::TestParamInfo<size_t> &I) {
                           return testName(cases()[I.param].Dir);
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SupportCorpus);

/// The artifact's grouping: the test-suite category from the oracle name
/// ("suite, 1- iplate, ..." is 1-iplate), else example or variant.
std::string categoryOf(const Case &C) {
  if (C.Oracle.rfind("suite, ", 0) == 0) {
    size_t A = 7, B = C.Oracle.find(',', A);
    std::string Cat;
    for (char Ch : C.Oracle.substr(A, B == std::string::npos ? std::string::npos : B - A))
      if (Ch != ' ')
        Cat += Ch;
    return Cat;
  }
  return C.Oracle.find("variant") != std::string::npos ? "variant" : "example";
}

TEST(SupportCorpusTally, PrintTally) {
  ASSERT_FALSE(cases().empty()) << "no cases in " << CorpusDir << "/cases.json";
  // expected kind -> (outcome kind -> count), reproduced count
  std::map<std::string, std::map<std::string, int>> Table;
  std::map<std::string, std::pair<int, int>> Score;
  std::map<std::string, std::map<std::string, int>> ByCat;
  std::map<std::string, std::pair<int, int>> CatScore;
  double Total = 0, Max = 0;
  int Timed = 0;
  for (const Case &C : cases()) {
    Outcome O;
    try {
      O = run(C);
    } catch (...) {
      O.Kind = "crash";
      O.Problem = "exception";
    }
    if (std::getenv("SVIC_SUPPORT_VERBOSE")) {
      std::printf("%s: expected %s, verdict %s (%.3f ms)\n", C.Dir.c_str(), C.Expected.c_str(),
                  O.R.Verdict.c_str(), O.Ms);
      for (const SiteSupport &S : O.R.Sites)
        std::printf("  %s %s [%s] model %s %s | guide %s %s: %s\n", S.Name.c_str(),
                    S.Verdict.c_str(), S.IndexRange.c_str(), S.ModelDistribution.c_str(),
                    S.ModelSupport.c_str(), S.GuideDistribution.c_str(), S.GuideSupport.c_str(),
                    S.Reason.c_str());
      for (const PlateSupport &S : O.R.Plates)
        std::printf("  plate %s %s model %s guide %s: %s\n", S.Name.c_str(), S.Verdict.c_str(),
                    S.Model.c_str(), S.Guide.c_str(), S.Reason.c_str());
      for (size_t I = 0; I < O.R.ShapeErrors.size(); ++I)
        std::printf("  error %s:%u%s: %s\n", O.ErrFiles[I].c_str(), O.R.ShapeErrors[I].Loc.Line,
                    O.R.ShapeErrors[I].DuplicateSite ? " (duplicate)" : "",
                    O.R.ShapeErrors[I].Message.c_str());
    }
    Table[C.Expected][O.Kind]++;
    Score[C.Expected].second++;
    ByCat[categoryOf(C)][O.Kind]++;
    CatScore[categoryOf(C)].second++;
    if (O.Problem.empty()) {
      Score[C.Expected].first++;
      CatScore[categoryOf(C)].first++;
    }
    if (O.Loaded) {
      Total += O.Ms;
      Max = std::max(Max, O.Ms);
      ++Timed;
    }
  }
  std::printf("\nsupport corpus tally (rows: expected; columns: svic's outcome)\n");
  std::printf("%-22s %6s %9s %6s %8s %13s   %s\n", "expected", "match", "mismatch", "error",
              "unknown", "load-failure", "reproduced");
  int Rep = 0, All = 0;
  for (const auto &[Exp, Row] : Table) {
    auto Get = [&](const char *K) {
      auto It = Row.find(K);
      return It == Row.end() ? 0 : It->second;
    };
    std::printf("%-22s %6d %9d %6d %8d %13d   %d/%d\n", Exp.c_str(), Get("match"), Get("mismatch"),
                Get("error"), Get("unknown"), Get("load-failure") + Get("crash"), Score[Exp].first,
                Score[Exp].second);
    Rep += Score[Exp].first;
    All += Score[Exp].second;
  }
  std::printf(
      "\nby category (svic's outcome; error = a shape or duplicate-site error was reported)\n");
  std::printf("%-22s %6s %9s %6s %8s %13s   %s\n", "category", "match", "mismatch", "error",
              "unknown", "load-failure", "as expected");
  for (const auto &[Cat, Row] : ByCat) {
    auto Get = [&](const char *K) {
      auto It = Row.find(K);
      return It == Row.end() ? 0 : It->second;
    };
    std::printf("%-22s %6d %9d %6d %8d %13d   %d/%d\n", Cat.c_str(), Get("match"), Get("mismatch"),
                Get("error"), Get("unknown"), Get("load-failure") + Get("crash"),
                CatScore[Cat].first, CatScore[Cat].second);
  }
  std::printf(
      "total reproduced: %d/%d; analysis time per pair: mean %.3f ms, max %.3f ms (%d pairs)\n",
      Rep, All, Timed ? Total / Timed : 0.0, Max, Timed);
}

} // namespace
