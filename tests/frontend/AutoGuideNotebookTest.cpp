//===- AutoGuideNotebookTest.cpp - Synthesised autoguides and notebooks ---===//

#include "TestUtil.h"

#include "svic/ir/Sites.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

using namespace svic;
using svic::test::lower;

namespace {

const char *Header = "import torch\nimport pyro\nimport pyro.distributions as dist\n"
                     "from pyro import poutine\nfrom pyro.infer.autoguide import *\n";

/// `name kind distribution support` per guide site, sorted by name.
std::string guideSites(const test::Lowered &L) {
  std::string Out;
  for (const ir::SiteRecord &S : ir::collectSites(L.guide()))
    Out += S.Name + " " + S.Kind + " " + (S.Distribution.empty() ? "-" : S.Distribution) + " " +
           S.Support + "\n";
  return Out;
}

const char *Model = "def model(y):\n"
                    "    mu = pyro.sample('mu', dist.Normal(0., 1.))\n"
                    "    s = pyro.sample('s', dist.Gamma(2., 2.))\n"
                    "    with pyro.plate('data', 3):\n"
                    "        pyro.sample('obs', dist.Normal(mu, s), obs=y)\n";

TEST(AutoGuide, AutoNormalFromAConstructionInMain) {
  auto L = lower(std::string(Header) + Model +
                 "def main():\n    guide = AutoNormal(model)\n");
  ASSERT_TRUE(L->ok()) << L->diags();
  EXPECT_EQ(L->Programs->AutoGuide, "AutoNormal");
  EXPECT_FALSE(L->Programs->AutoGuideMarginal);
  // The plate holds only an observation: Pyro's guide has no plate.
  EXPECT_EQ(guideSites(*L), "AutoNormal.locs.mu param - real\n"
                            "AutoNormal.locs.s param - real\n"
                            "AutoNormal.scales.mu param - positive\n"
                            "AutoNormal.scales.s param - positive\n"
                            "mu sample Normal real\n"
                            "s sample LogNormal positive\n");
}

TEST(AutoGuide, PackedVectorGuidesByGuideFn) {
  auto L = lower(std::string(Header) + Model, {"", "AutoLowRankMultivariateNormal"});
  ASSERT_TRUE(L->ok()) << L->diags();
  EXPECT_TRUE(L->Programs->AutoGuideMarginal);
  EXPECT_EQ(guideSites(*L), "AutoLowRankMultivariateNormal.cov_factor param - real\n"
                            "AutoLowRankMultivariateNormal.loc param - real\n"
                            "AutoLowRankMultivariateNormal.scale param - positive\n"
                            "mu sample Normal real\n"
                            "s sample LogNormal positive\n");
  auto D = lower(std::string(Header) + Model, {"", "AutoDelta"});
  ASSERT_TRUE(D->ok()) << D->diags();
  EXPECT_EQ(guideSites(*D), "AutoDelta.mu param - real\n"
                            "AutoDelta.s param - positive\n"
                            "mu sample Delta point\n"
                            "s sample Delta point\n");
}

TEST(AutoGuide, BlockHideAndExposeOnAMethod) {
  std::string Cls = "class M:\n"
                    "    def model(self, y):\n"
                    "        a = pyro.sample('a', dist.Normal(0., 1.))\n"
                    "        k = pyro.sample('k', dist.Bernoulli(0.5))\n"
                    "        pyro.sample('obs', dist.Normal(a + k, 1.), obs=y)\n";
  auto H = lower(std::string(Header) + Cls +
                 "m = M()\nguide = AutoDiagonalNormal(poutine.block(m.model, hide=['k']))\n");
  ASSERT_TRUE(H->ok()) << H->diags();
  EXPECT_EQ(guideSites(*H), "AutoDiagonalNormal.loc param - real\n"
                            "AutoDiagonalNormal.scale param - positive\n"
                            "a sample Normal real\n");
  auto E = lower(std::string(Header) + Cls +
                 "guide = AutoNormal(poutine.block(M().model, expose=['a']))\n");
  ASSERT_TRUE(E->ok()) << E->diags();
}

// Pyro maps the Normal through biject_to(support): a sigmoid into (0, 1) and
// into Uniform's (low, high); the site's values are in the model's support.
TEST(AutoGuide, BoundedSupportsAreMappedIntoThem) {
  const std::string Bounded = "def model():\n"
                              "    u = pyro.sample('u', dist.Uniform(0.5, 10.))\n"
                              "    p = pyro.sample('p', dist.Beta(2., 2.))\n";
  auto L = lower(std::string(Header) + Bounded + "guide = AutoNormal(model)\n");
  ASSERT_TRUE(L->ok()) << L->diags();
  EXPECT_EQ(guideSites(*L), "AutoNormal.locs.p param - real\n"
                            "AutoNormal.locs.u param - real\n"
                            "AutoNormal.scales.p param - positive\n"
                            "AutoNormal.scales.u param - positive\n"
                            "p sample Normal unit_interval\n"
                            "u sample Normal interval\n");
  EXPECT_NE(L->guideIr().find(".biject_to(dist.Uniform(0.5, 10.0))"), std::string::npos)
      << L->guideIr();
  EXPECT_NE(L->guideIr().find(".biject_to()"), std::string::npos) << L->guideIr();
  auto D = lower(std::string(Header) + Bounded + "guide = AutoDelta(model)\n");
  ASSERT_TRUE(D->ok()) << D->diags();
  EXPECT_NE(D->guideIr().find("constraint=constraints.interval(0.5, 10.0)"), std::string::npos)
      << D->guideIr();
  auto A = lower(std::string(Header) + Bounded + "guide = AutoLaplaceApproximation(model)\n");
  ASSERT_TRUE(A->ok()) << A->diags();
}

// biject_to(simplex) is torch's stick-breaking: K - 1 unconstrained entries.
TEST(AutoGuide, SimplexLatentsAreStickBroken) {
  const std::string Dir = "def model():\n    pyro.sample('p', dist.Dirichlet(torch.ones(3)))\n";
  auto N = lower(std::string(Header) + Dir + "guide = AutoNormal(model)\n");
  ASSERT_TRUE(N->ok()) << N->diags();
  const std::string G = N->guideIr();
  EXPECT_NE(G.find("param \"AutoNormal.locs.p\" init=torch.zeros_like(torch.ones(3))[..., :-1]"),
            std::string::npos)
      << G;
  EXPECT_NE(G.find(".to_event(1).biject_to(dist.Dirichlet(torch.ones_like(torch.ones(3))))"),
            std::string::npos)
      << G;
  auto A = lower(std::string(Header) + Dir + "guide = AutoLaplaceApproximation(model)\n");
  ASSERT_TRUE(A->ok()) << A->diags();
  // The packed point stick-broken as torch computes it, Pyro's log-Jacobian as log_density.
  const std::string AG = A->guideIr();
  EXPECT_NE(AG.find("torch.cumprod(1.0 - %stick_breaking_z"), std::string::npos) << AG;
  EXPECT_NE(AG.find("dist.Delta(%stick_breaking_y, -torch.sum("), std::string::npos) << AG;
}

// Pyro shapes AutoNormal's and AutoDelta's params like the site's value: the
// plates' batch dims (at their dims) before the event dims.
TEST(AutoGuide, ParamsCarryThePlatesBatchDims) {
  const std::string Src = std::string(Header) +
                          "def model():\n"
                          "    with pyro.plate('docs', 5, dim=-2):\n"
                          "        p = pyro.sample('p', dist.Dirichlet(torch.ones(3)))\n"
                          "        with pyro.plate('words', 4):\n"
                          "            w = pyro.sample('w', dist.Normal(0., 1.))\n";
  auto N = lower(Src + "guide = AutoNormal(model)\n");
  ASSERT_TRUE(N->ok()) << N->diags();
  const std::string G = N->guideIr();
  // (5, 1) and (3,): (5, 3), then K - 1 unconstrained entries: (5, 2) as Pyro.
  EXPECT_NE(G.find("param \"AutoNormal.locs.p\" init=(torch.zeros_like(torch.ones(3)) + "
                   "torch.zeros(5, 1, 1))[..., :-1]"),
            std::string::npos)
      << G;
  // 'words' takes dim -1 ('docs' holds -2): (5, 4).
  EXPECT_NE(G.find("param \"AutoNormal.locs.w\" init=torch.zeros_like(0.0 + 1.0) + "
                   "torch.zeros(5, 4)"),
            std::string::npos)
      << G;
  auto D = lower(Src + "guide = AutoDelta(model)\n");
  ASSERT_TRUE(D->ok()) << D->diags();
  EXPECT_NE(D->guideIr().find("torch.zeros_like(torch.ones(3)) + torch.zeros(5, 1, 1)"),
            std::string::npos)
      << D->guideIr();
}

TEST(AutoGuide, WhatPyroRejectsIsALocatedError) {
  std::string Disc = "def model():\n    c = pyro.sample('c', dist.Categorical(torch.ones(3)))\n"
                     "guide = AutoNormal(model)\n";
  auto D = lower(std::string(Header) + Disc);
  EXPECT_FALSE(D->ok());
  EXPECT_NE(D->diags().find("7:9: AutoNormal cannot handle discrete sample site 'c'"),
            std::string::npos)
      << D->diags();
  std::string Seq = "def model():\n    for i in pyro.plate('p', 3):\n"
                    "        pyro.sample(f'x{i}', dist.Normal(0., 1.))\n"
                    "guide = AutoDelta(model)\n";
  auto S = lower(std::string(Header) + Seq);
  EXPECT_NE(S->diags().find("sequential pyro.plate"), std::string::npos) << S->diags();
  // A circular support (Pyro's biject_to raises for it too): not modelled.
  std::string Circ = "def model():\n    pyro.sample('p', dist.VonMises(0., 1.))\n"
                     "guide = AutoNormal(model)\n";
  auto B = lower(std::string(Header) + Circ);
  EXPECT_NE(B->diags().find("support circular"), std::string::npos) << B->diags();
  std::string Fn = "def model():\n    pyro.sample('p', dist.Normal(0., 1.))\n"
                   "guide = AutoNormal(poutine.block(model, hide_fn=f))\n";
  auto F = lower(std::string(Header) + Fn);
  EXPECT_NE(F->diags().find("only hide=[...] and expose=[...]"), std::string::npos) << F->diags();
}

TEST(AutoGuide, AutoGuideListIsItsPartsInOrder) {
  // Pyro 1.8.6 names each part's params after its index in the list.
  auto L = lower(std::string(Header) + Model +
                 "guide = AutoGuideList(model)\n"
                 "guide.append(AutoDelta(poutine.block(model, expose=['mu'])))\n"
                 "guide.add(AutoNormal(poutine.block(model, hide=['mu'])))\n");
  ASSERT_TRUE(L->ok()) << L->diags();
  EXPECT_EQ(L->Programs->AutoGuide, "AutoGuideList");
  EXPECT_FALSE(L->Programs->AutoGuideMarginal);
  EXPECT_EQ(guideSites(*L), "AutoGuideList.0.mu param - real\n"
                            "AutoGuideList.1.locs.s param - real\n"
                            "AutoGuideList.1.scales.s param - positive\n"
                            "mu sample Delta point\n"
                            "s sample LogNormal positive\n");
  // A part that is not an autoguide of the model (a written function):
  // no single program is the guide.
  auto F = lower(std::string(Header) + Model +
                 "def local_guide(y):\n    pyro.sample('s', dist.Gamma(2., 2.))\n"
                 "guide = AutoGuideList(model)\n"
                 "guide.append(AutoDelta(poutine.block(model, expose=['mu'])))\n"
                 "guide.append(local_guide)\n");
  ASSERT_TRUE(F->ok()) << F->diags();
  EXPECT_EQ(F->Programs->Guide, nullptr);
  EXPECT_NE(F->diags().find("AutoGuideList part that is not an autoguide of the model"),
            std::string::npos)
      << F->diags();
  // A list held in a field: its parts are not each taken for the whole guide.
  auto A = lower(std::string(Header) + Model +
                 "class Fit:\n    def __init__(self):\n"
                 "        self.guide = AutoGuideList(model)\n"
                 "        self.guide.append(AutoDelta(poutine.block(model, expose=['mu'])))\n");
  ASSERT_TRUE(A->ok()) << A->diags();
  EXPECT_EQ(A->Programs->Guide, nullptr);
  EXPECT_NE(A->diags().find("AutoGuideList built other than"), std::string::npos) << A->diags();
}

TEST(AutoGuide, AWrittenGuideWins) {
  auto L = lower(std::string(Header) + Model +
                 "def guide(y):\n    pyro.sample('mu', dist.Normal(0., 1.))\n"
                 "    pyro.sample('s', dist.Gamma(2., 2.))\n"
                 "g = AutoNormal(model)\n");
  ASSERT_TRUE(L->ok()) << L->diags();
  EXPECT_EQ(L->Programs->AutoGuide, "");
}

TEST(AutoGuide, AnAutoGuideRebindingTheGuideNameWins) {
  // A notebook writes `def guide` in one cell and rebinds the name to an
  // autoguide in a later one: the module's final `guide` is the autoguide.
  const std::string Guide = "def guide(y):\n    pyro.sample('mu', dist.Normal(0., 1.))\n";
  auto L = lower(std::string(Header) + Model + Guide + "guide = AutoDelta(model)\n");
  ASSERT_TRUE(L->ok()) << L->diags();
  EXPECT_EQ(L->Programs->AutoGuide, "AutoDelta");
  // `guide = guide` after it (a published script does this) keeps the autoguide.
  auto S = lower(std::string(Header) + Model + Guide + "guide = AutoDelta(model)\nguide = guide\n");
  ASSERT_TRUE(S->ok()) << S->diags();
  EXPECT_EQ(S->Programs->AutoGuide, "AutoDelta");
  // Defined again after the autoguide, the function is the guide.
  auto W = lower(std::string(Header) + Model + "guide = AutoDelta(model)\n" + Guide);
  ASSERT_TRUE(W->ok()) << W->diags();
  EXPECT_EQ(W->Programs->AutoGuide, "");
}

TEST(AutoGuide, GuideFnNamesAVariableHoldingAnAutoGuide) {
  const std::string Other = "def other(y):\n    pyro.sample('z', dist.Normal(0., 1.))\n";
  const std::string Src = std::string(Header) + Model + Other +
                          "def fit():\n    my_guide = AutoNormal(poutine.block(model, hide=['s']))\n"
                          "other_guide = AutoDelta(other)\n";
  auto L = lower(Src, {"model", "my_guide"});
  ASSERT_TRUE(L->ok()) << L->diags();
  EXPECT_EQ(L->Programs->AutoGuide, "AutoNormal");
  EXPECT_EQ(guideSites(*L), "AutoNormal.locs.mu param - real\n"
                            "AutoNormal.scales.mu param - positive\n"
                            "mu sample Normal real\n");
  // An autoguide of another model is a located error that says so.
  auto E = lower(Src, {"model", "other_guide"});
  EXPECT_FALSE(E->ok());
  EXPECT_NE(E->diags().find("'other_guide' is AutoDelta built from another model than 'model'"),
            std::string::npos)
      << E->diags();
}

std::string writeNotebook(const std::string &Name, const std::string &Json) {
  auto P = std::filesystem::temp_directory_path() / Name;
  std::ofstream(P) << Json;
  return P.string();
}

TEST(Notebook, CodeCellsInOrderWithCellLocations) {
  std::string Path = writeNotebook(
      "svic_nb_test.ipynb",
      R"({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
 {"cell_type": "markdown", "metadata": {}, "source": ["# Title\n"]},
 {"cell_type": "code", "metadata": {}, "outputs": [], "source": ["%matplotlib inline\n", "import pyro\n", "import pyro.distributions as dist\n"]},
 {"cell_type": "code", "metadata": {}, "outputs": [], "source": "def model():\n    pyro.sample('x', dist.Normal(0., 1.))\n    pyro.sample('y', dist.Normal(0., -1.))\n"},
 {"cell_type": "code", "metadata": {}, "outputs": [], "source": ["%%bash\n", "echo hi\n"]}
]})");
  SourceManager SM;
  DiagnosticEngine DE;
  auto P = frontend::loadPrograms(Path, "", {}, SM, DE);
  ASSERT_TRUE(P && !DE.hasErrors());
  std::vector<ir::SiteRecord> Sites = ir::collectSites(*P->Model);
  ASSERT_EQ(Sites.size(), 2u);
  EXPECT_EQ(SM.position(Sites[1].Loc), "cell 3:3:5");
  std::vector<std::string> Notes;
  for (const Diagnostic &D : DE.sorted())
    Notes.push_back(SM.position(D.Loc) + " " + D.Message);
  EXPECT_EQ(Notes, (std::vector<std::string>{
                       "cell 2:1:1 IPython magic '%matplotlib inline' skipped",
                       "cell 4:1:1 cell magic '%%bash' (the cell is not Python) skipped"}));
}

TEST(Notebook, ErrorsAreLocatedInTheirCell) {
  std::string Path = writeNotebook(
      "svic_nb_err.ipynb",
      R"({"nbformat": 4, "cells": [
 {"cell_type": "code", "source": "import pyro\n"},
 {"cell_type": "code", "source": "def model():\n    x = = 1\n"}]})");
  SourceManager SM;
  DiagnosticEngine DE;
  EXPECT_FALSE(frontend::loadPrograms(Path, "", {}, SM, DE));
  ASSERT_TRUE(DE.hasErrors());
  std::string R = renderText(DE.sorted().front(), SM, false);
  EXPECT_EQ(R.rfind(Path + ":cell 2:2:", 0), 0u) << R;

  std::string Bad = writeNotebook("svic_nb_bad.ipynb", "{\"cells\": 3}");
  DiagnosticEngine DE2;
  EXPECT_FALSE(frontend::loadPrograms(Bad, "", {}, SM, DE2));
  ASSERT_EQ(DE2.errorCount(), 1u);
  EXPECT_EQ(DE2.diagnostics().front().Id, DiagId::Notebook);
}

TEST(Notebook, CandidatesAreNamedByCellAndLine) {
  std::string Path = writeNotebook(
      "svic_nb_candidates.ipynb",
      R"({"nbformat": 4, "cells": [
 {"cell_type": "code", "source": "import pyro\nimport pyro.distributions as dist\n"},
 {"cell_type": "code", "source": "def prior_only():\n    pyro.sample('a', dist.Normal(0., 1.))\n"},
 {"cell_type": "code", "source": "\ndef with_data(y):\n    pyro.sample('b', dist.Normal(0., 1.), obs=y)\n"}]})");
  SourceManager SM;
  DiagnosticEngine DE;
  EXPECT_FALSE(frontend::loadPrograms(Path, "", {}, SM, DE));
  ASSERT_TRUE(DE.hasErrors());
  EXPECT_NE(DE.sorted().front().Message.find(
                "'prior_only' (cell 2, line 1), 'with_data' (cell 3, line 2)"),
            std::string::npos)
      << DE.sorted().front().Message;
}

} // namespace
