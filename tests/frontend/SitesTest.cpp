//===- SitesTest.cpp - The site inventory, the IR printer and the examples --===//

#include "TestUtil.h"

#include "svic/ir/Printer.h"
#include "svic/ir/Sites.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

using namespace svic;
using namespace svic::ir;
using svic::test::inModel;
using svic::test::lower;

namespace {

std::string row(const SiteRecord &S) {
  return S.Name + " " + S.Kind + " " + (S.Distribution.empty() ? "-" : S.Distribution) + " " +
         (S.Support.empty() ? "-" : S.Support) + " " +
         (S.SupportDetail.empty() ? "-" : S.SupportDetail) + " " + (S.Discrete ? "D" : "C") +
         (S.Reparameterizable ? "R" : "-") + " " + std::to_string(S.Loc.Line) + ":" +
         std::to_string(S.Loc.Col);
}

std::string rows(const Program &P) {
  std::string Out;
  for (const SiteRecord &S : collectSites(P))
    Out += row(S) + "\n";
  return Out;
}

TEST(Sites, KindsDistributionsAndSupports) {
  auto L = lower(inModel(R"py(pyro.module("net", nn.Linear(2, 1))
p = pyro.param("p", torch.ones(2), constraint=constraints.positive)
q = pyro.param("q", torch.ones(2), constraint=constraints.interval(-1, 2.5))
r = pyro.param("r", torch.ones(2))
with pyro.plate("data", 3):
    u = pyro.sample("u", dist.Uniform(0., 10.))
    v = pyro.sample("v", dist.Uniform(x, 10.))
    for t in pyro.plate("steps", 2):
        b = pyro.sample("b_{}".format(t), dist.Bernoulli(0.5).to_event(1))
    pyro.sample("obs", dist.Normal(u, 1.), obs=x)
    pyro.sample("n", dist.Binomial(10, 0.5))
pyro.factor("f", u))py",
                         "x"));
  ASSERT_TRUE(L->ok()) << L->diags();
  EXPECT_EQ(rows(L->model()), "b_{} sample Bernoulli boolean - D- 18:17\n"
                              "data plate - - - C- 14:10\n"
                              "f factor - - - C- 21:5\n"
                              "n sample Binomial integer_interval integer_interval(0, 10) D- 20:9\n"
                              "net param - real - C- 10:5\n"
                              "obs observe Normal real - CR 19:9\n"
                              "p param - positive - C- 11:9\n"
                              "q param - interval interval(-1, 2.5) C- 12:9\n"
                              "r param - real - C- 13:9\n"
                              "steps plate - - - C- 17:18\n"
                              "u sample Uniform interval interval(0, 10) CR 15:13\n"
                              "v sample Uniform interval - CR 16:13\n");
}

TEST(Sites, OneRecordPerSyntacticSite) {
  auto L = lower(R"py(import pyro
import pyro.distributions as dist


def draw(name):
    return pyro.sample(name, dist.Normal(0., 1.))


def layer(t):
    return pyro.sample(f"z_{t}", dist.Normal(0., 1.))


def model():
    p = pyro.plate("p", 3)
    with p:
        pass
    with p:
        pass
    a = draw("a")
    b = draw("b")
    c = layer(1)
    d = layer(2)
)py");
  ASSERT_TRUE(L->ok()) << L->diags();
  EXPECT_EQ(rows(L->model()), "a sample Normal real - CR 6:12\n"
                              "b sample Normal real - CR 6:12\n"
                              "p plate - - - C- 14:9\n"
                              "z_{} sample Normal real - CR 10:12\n");
}

TEST(Printer, Numbers) {
  EXPECT_EQ(formatNumber(1.0), "1.0");
  EXPECT_EQ(formatNumber(0.1), "0.1");
  EXPECT_EQ(formatNumber(1e-7), "1e-07");
  EXPECT_EQ(formatNumber(-2.5), "-2.5");
  EXPECT_EQ(formatNumber(1e300 * 1e300), "inf");
}

TEST(Printer, HeaderAndDuplicateNames) {
  // The module-level x is reached through `one`; the entry's x is another.
  auto L = lower("import torch\n\nx = 1\n\n\ndef one():\n    return x\n\n\n"
                 "def model(data):\n    x = one() + 1\n    return x\n");
  ASSERT_TRUE(L->ok()) << L->diags();
  EXPECT_EQ(printProgram(L->model(), L->SM), "model model (test.py)\n"
                                             "inputs: %data\n"
                                             "%x = 1  @3:1\n"
                                             "%ret@one#1 = %x  @7:5 via one@11:9\n"
                                             "%x~1 = %ret@one#1 + 1  @11:5\n"
                                             "return %x~1  @12:5\n");
}

TEST(Frontend, DumpAstAndLoadFromDisk) {
  namespace fs = std::filesystem;
  fs::path Dir = fs::path(::testing::TempDir()) / "svic_frontend_test";
  fs::create_directories(Dir);
  std::ofstream(Dir / "m.py") << "import pyro\nimport pyro.distributions as dist\n\n\n"
                                 "def model():\n    pyro.sample(\"z\", dist.Normal(0., 1.))\n";
  std::ofstream(Dir / "g.py") << "import pyro\nimport pyro.distributions as dist\n\n\n"
                                 "def main():\n    pyro.sample(\"z\", dist.Normal(1., 1.))\n";
  SourceManager SM;
  DiagnosticEngine DE;
  std::optional<std::string> Ast = frontend::dumpAst((Dir / "m.py").string(), SM, DE);
  ASSERT_TRUE(Ast);
  EXPECT_NE(Ast->find("FunctionDef model() @5:1"), std::string::npos) << *Ast;
  auto P = frontend::loadPrograms((Dir / "m.py").string(), (Dir / "g.py").string(), {}, SM, DE);
  ASSERT_TRUE(P && P->Guide);
  EXPECT_EQ(P->Guide->EntryFunction, "main");
  EXPECT_FALSE(frontend::dumpAst((Dir / "missing.py").string(), SM, DE));
  EXPECT_EQ(DE.diagnostics().back().Id, DiagId::IoError);
  EXPECT_FALSE(frontend::loadPrograms((Dir / "missing.py").string(), "", {}, SM, DE));
}

// Every example must load without errors (they are written in the svic subset).
TEST(Examples, AllLoadWithoutErrors) {
  namespace fs = std::filesystem;
  fs::path Root = SVIC_EXAMPLES_DIR;
  if (!fs::exists(Root))
    GTEST_SKIP() << "no examples directory";
  int Loaded = 0;
  std::vector<std::pair<std::string, std::string>> Inputs;
  if (fs::exists(Root / "paper"))
    for (const fs::directory_entry &D : fs::directory_iterator(Root / "paper"))
      if (fs::exists(D.path() / "model.py"))
        Inputs.emplace_back((D.path() / "model.py").string(), fs::exists(D.path() / "guide.py")
                                                                  ? (D.path() / "guide.py").string()
                                                                  : "");
  if (fs::exists(Root / "tutorial"))
    for (const fs::directory_entry &D : fs::directory_iterator(Root / "tutorial"))
      if (D.path().extension() == ".py")
        Inputs.emplace_back(D.path().string(), "");
  for (const auto &[Model, Guide] : Inputs) {
    SourceManager SM;
    DiagnosticEngine DE;
    auto P = frontend::loadPrograms(Model, Guide, {}, SM, DE);
    std::string Errors;
    for (const Diagnostic &D : DE.sorted())
      Errors += renderText(D, SM, false);
    EXPECT_TRUE(P && !DE.hasErrors()) << Model << "\n" << Errors;
    if (P) {
      ++Loaded;
      // The printer and the inventory work on every example.
      EXPECT_FALSE(printProgram(*P->Model, SM).empty());
      collectSites(*P->Model);
      if (P->Guide)
        collectSites(*P->Guide);
    }
  }
  RecordProperty("loaded", Loaded);
}

} // namespace
