//===- opaque_test.cpp - Opaque calls in the smoothness and support analyses -===//
///
/// \file
/// A call svic does not model (an OpaqueCall) may break every property in all
/// its arguments, with the witness "opaque call to 'name' (not modelled)";
/// one that may run user code may also change the density, and the support
/// comparison cannot rule out the sites that code may sample.
//===----------------------------------------------------------------------===//

#include "svic/analysis/Numeric.h"
#include "svic/analysis/Smoothness.h"
#include "svic/analysis/Support.h"
#include "svic/frontend/Frontend.h"

#include <gtest/gtest.h>

using namespace svic;
using namespace svic::analysis;

namespace {

struct Loaded {
  SourceManager SM;
  DiagnosticEngine DE;
  std::optional<frontend::LoadedPrograms> P;
};

std::unique_ptr<Loaded> load(const std::string &Source) {
  auto L = std::make_unique<Loaded>();
  L->P = frontend::loadProgramsFromText("m.py", Source, "", "", frontend::EntryNames{}, L->SM,
                                        L->DE);
  return L;
}

SmoothnessResult smooth(const ir::Program &P, Property Prop) {
  NumericResult N = analyzeNumeric(P);
  return analyzeSmoothness(P, N, Prop);
}

const char *Header = "import numpy as np\nimport scipy.special\nimport torch\nimport pyro\n"
                     "import pyro.distributions as dist\nfrom mylib import run_block\n\n\n";

TEST(Opaque, BreaksEveryPropertyInItsArgumentsOnly) {
  auto L = load(std::string(Header) + "def model(data):\n"
                                      "    z = pyro.sample(\"z\", dist.Normal(0., 1.))\n"
                                      "    w = pyro.sample(\"w\", dist.Normal(0., 1.))\n"
                                      "    s = scipy.special.expit(z)\n"
                                      "    pyro.sample(\"x\", dist.Normal(s + w, 1.), obs=data)\n");
  ASSERT_TRUE(L->P && L->P->Model && !L->DE.hasErrors());
  for (Property Prop : {Property::Diff, Property::Lips, Property::Cont}) {
    SmoothnessResult R = smooth(*L->P->Model, Prop);
    ASSERT_TRUE(R.find("z") && R.find("w"));
    EXPECT_TRUE(R.find("w")->Smooth);
    const NameVerdict *Z = R.find("z");
    EXPECT_FALSE(Z->Smooth);
    ASSERT_FALSE(Z->Witnesses.empty());
    EXPECT_EQ(Z->Witnesses[0].Operation, "opaque call to 'scipy.special.expit' (not modelled)");
    EXPECT_EQ(Z->Witnesses[0].Loc.Line, 12u);
  }
}

TEST(Opaque, UserCodeMayChangeTheDensity) {
  // `run_block(local, z)` may run `local`, which samples: the density may
  // break in z even though the opaque call's value is never used.
  auto L = load(std::string(Header) + "def local(scale):\n"
                                      "    return pyro.sample(\"h\", dist.Normal(0., scale))\n\n\n"
                                      "def model():\n"
                                      "    z = pyro.sample(\"z\", dist.Normal(0., 1.))\n"
                                      "    w = pyro.sample(\"w\", dist.Normal(0., 1.))\n"
                                      "    run_block(local, z)\n");
  ASSERT_TRUE(L->P && L->P->Model && !L->DE.hasErrors());
  SmoothnessResult R = smooth(*L->P->Model, Property::Cont);
  EXPECT_FALSE(R.find("z")->Smooth);
  EXPECT_TRUE(R.find("w")->Smooth);
}

TEST(Opaque, SupportOfSitesUserCodeMaySampleIsUnknown) {
  const std::string Guide = "def guide():\n"
                            "    loc = pyro.param(\"loc\", torch.tensor(0.))\n"
                            "    pyro.sample(\"z\", dist.Normal(loc, 1.))\n"
                            "    pyro.sample(\"h\", dist.Normal(loc, 1.))\n";
  // Without the opaque call, 'h' is definitely guide-only.
  auto Plain = load(std::string(Header) + "def model():\n"
                                          "    z = pyro.sample(\"z\", dist.Normal(0., 1.))\n\n\n" +
                    Guide);
  ASSERT_TRUE(Plain->P && Plain->P->Model && Plain->P->Guide);
  SupportResult A = analyzeSupport(*Plain->P->Model, *Plain->P->Guide);
  EXPECT_EQ(A.Verdict, "mismatch");
  // With it, the model may sample 'h' inside run_block: unknown, not an error.
  auto L = load(std::string(Header) + "def local(scale):\n"
                                      "    return pyro.sample(\"h\", dist.Normal(0., scale))\n\n\n"
                                      "def model():\n"
                                      "    z = pyro.sample(\"z\", dist.Normal(0., 1.))\n"
                                      "    run_block(local, z)\n\n\n" +
                Guide);
  ASSERT_TRUE(L->P && L->P->Model && L->P->Guide && !L->DE.hasErrors());
  SupportResult R = analyzeSupport(*L->P->Model, *L->P->Guide);
  EXPECT_EQ(R.Verdict, "unknown");
  const SiteSupport *H = nullptr, *Z = nullptr;
  for (const SiteSupport &S : R.Sites) {
    if (S.Name == "h")
      H = &S;
    if (S.Name == "z")
      Z = &S;
  }
  ASSERT_TRUE(H && Z);
  EXPECT_EQ(H->Verdict, "unknown");
  EXPECT_NE(H->Reason.find("opaque call to 'run_block'"), std::string::npos) << H->Reason;
  EXPECT_EQ(Z->Verdict, "match");
  // A library function that runs no user code changes nothing.
  auto N = load(std::string(Header) + "def model():\n"
                                      "    z = pyro.sample(\"z\", dist.Normal(0., 1.))\n"
                                      "    np.log(z)\n\n\n" +
                Guide);
  ASSERT_TRUE(N->P && N->P->Model && N->P->Guide);
  EXPECT_EQ(analyzeSupport(*N->P->Model, *N->P->Guide).Verdict, "mismatch");
}

} // namespace
