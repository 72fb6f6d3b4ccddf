//===- OpaqueTest.cpp - Calls svic does not model become opaque operations ---===//
///
/// \file
/// A call in the reach to a function svic does not model is lowered to an
/// OpaqueCall of all its arguments with a `svic.opaque-call` note, never an
/// error; a call that may run user code is marked so (the support analysis
/// then cannot rule out sites it does not see).
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include <gtest/gtest.h>

using namespace svic;
using namespace svic::ir;
using svic::test::inModel;
using svic::test::lower;

namespace {

#define ASSERT_LOWERS(L) ASSERT_TRUE((L)->ok()) << (L)->diags()
#define EXPECT_IR_HAS(L, Text)                                                                     \
  EXPECT_NE((L)->modelIr().find(Text), std::string::npos) << (L)->modelIr()

std::string withImports(const std::string &Body, const std::string &Params = "") {
  return "import numpy as np\nimport scipy.special\nimport helpers\n" + inModel(Body, Params);
}

TEST(Opaque, LibraryFunctionsOutsideTheTables) {
  auto L = lower(withImports("z = pyro.sample(\"z\", dist.Normal(0., 1.))\n"
                             "a = scipy.special.expit(z)\n"
                             "b = torch.svd(a)\n"
                             "c = np.sort(z, axis=0)"));
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L, "%a = <opaque 'scipy.special.expit'>(%z)  @14:5");
  EXPECT_IR_HAS(L, "%b = <opaque 'torch.svd'>(%a)");
  // Keyword values are arguments too.
  EXPECT_IR_HAS(L, "%c = <opaque 'np.sort'>(%z, 0)");
  const std::string D = L->diags();
  EXPECT_NE(D.find("14:9: opaque call to 'scipy.special.expit' (not modelled): its value may "
                   "break every smoothness property in its arguments [svic.opaque-call]"),
            std::string::npos)
      << D;
  EXPECT_TRUE(L->model().OpaqueUserCode.empty());
}

TEST(Opaque, MethodsOfUnknownObjectsAndModules) {
  auto L = lower(withImports("lin = nn.Linear(2, 2)\n"
                             "w = lin.extra_repr()\n"
                             "z = pyro.sample(\"z\", dist.Normal(0., 1.))\n"
                             "t = z.frobnicate(1)\n"
                             "u = cfg.lookup(z)\n"
                             "d = dist.Normal(z, 1.).entropy()",
                             "cfg"));
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L, "%w = <opaque 'lin.extra_repr'>(%lin)");
  // A tensor's method runs no user code; an input's (unknown object) may.
  EXPECT_IR_HAS(L, "%t = <opaque 'z.frobnicate'>(%z, 1)");
  EXPECT_IR_HAS(L, "%u = <opaque, may run user code 'cfg.lookup'>(%cfg, %z)");
  EXPECT_IR_HAS(L, "<opaque 'dist.Normal(z, 1.).entropy'>(dist.Normal(%z, 1.0))");
  EXPECT_EQ(L->model().OpaqueUserCode, std::set<std::string>{"cfg.lookup"});
}

// Distributions svic does not model are sites of an opaque distribution of
// everything their density may read, never an error.
TEST(Opaque, DistributionsOutsideTheTable) {
  auto L = lower(withImports("r = pyro.sample(\"r\", dist.Gamma(1., 1.))\n"
                             "a = pyro.sample(\"a\", dist.ZeroInflatedPoisson(r, gate=0.2))\n"
                             "b = pyro.sample(\"b\", helpers.SkewNormal(r, 2.).to_event(1))\n"
                             "c = pyro.sample(\"c\", ext)\n"
                             "k = dist.kl_divergence(ext, ext)",
                             "ext"));
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L, "%a = sample \"a\" ~ opaque<dist.ZeroInflatedPoisson>(%r, 0.2)");
  EXPECT_IR_HAS(L, "%b = sample \"b\" ~ opaque<helpers.SkewNormal(r, 2.).to_event>("
                   "<opaque, may run user code 'helpers.SkewNormal(r, 2.).to_event'>(");
  EXPECT_IR_HAS(L, "%c = sample \"c\" ~ opaque<ext>(%ext)");
  // A function of pyro.distributions is an opaque call, not a distribution.
  EXPECT_IR_HAS(L, "%k = <opaque 'dist.kl_divergence'>(%ext, %ext)");
  EXPECT_NE(L->diags().find("opaque distribution 'dist.ZeroInflatedPoisson' (not modelled): its "
                            "density may break every smoothness property in its arguments and its "
                            "value, and its support is unknown [svic.opaque-call]"),
            std::string::npos)
      << L->diags();
}

// A distribution class of the program: its density reads the object's fields
// and what it handed its library base class.
TEST(Opaque, UserDistributionClasses) {
  auto L = lower("import torch\nimport pyro\nimport pyro.distributions as dist\n\n\n"
                 "class Kinked(dist.TorchDistribution):\n"
                 "    def log_prob(self, x):\n"
                 "        return -abs(x)\n\n\n"
                 "class Shifted(dist.TorchDistribution):\n"
                 "    def __init__(self, loc, width):\n"
                 "        self.loc = loc\n"
                 "        super().__init__(validate_args=width)\n\n\n"
                 "def model(u, v, w):\n"
                 "    pyro.sample(\"k\", Kinked(u))\n"
                 "    d = Shifted(v, w)\n"
                 "    pyro.sample(\"s\", d)\n");
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L, "%library_state.1 = %u");
  EXPECT_IR_HAS(L, "sample \"k\" ~ opaque<Kinked>(%library_state.1)");
  EXPECT_IR_HAS(L, "sample \"s\" ~ opaque<Shifted>(");
  const std::string Ir = L->modelIr();
  const std::string S = Ir.substr(Ir.find("sample \"s\""));
  EXPECT_NE(S.find("%loc@Shifted#1"), std::string::npos) << Ir;
  EXPECT_NE(S.find("%library_state.2"), std::string::npos) << Ir;
}

TEST(Opaque, UnknownCallablesMayRunUserCode) {
  auto L = lower(withImports("z = pyro.sample(\"z\", dist.Normal(0., 1.))\n"
                             "a = f(z)\n"
                             "b = helpers.smooth(z)",
                             "f"));
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L, "%a = <opaque, may run user code 'f'>(%f, %z)");
  // A module svic cannot read may hold user code (it may sample).
  EXPECT_IR_HAS(L, "%b = <opaque, may run user code 'helpers.smooth'>(%z)");
  EXPECT_EQ(L->model().OpaqueUserCode, (std::set<std::string>{"f", "helpers.smooth"}));
}

TEST(Opaque, UserCallablesAreNotLoweredButWhatTheyReadIs) {
  // The helper and the lambda may run any number of times inside the opaque
  // call: they are not inlined, but every variable they can read is an
  // argument and the call may run user code.
  auto L = lower(withImports("z = pyro.sample(\"z\", dist.Normal(0., 1.))\n"
                             "s = 2.0\n"
                             "a = np.apply_along_axis(lambda v: v * s, 0, z)"));
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L, "%a = <opaque, may run user code 'np.apply_along_axis'>(0, %z, %z, %s)");
  auto M = lower("import numpy as np\nimport pyro\nimport pyro.distributions as dist\n\n"
                 "scale = 3.0\n\n\ndef draw(i):\n"
                 "    return pyro.sample(\"x\", dist.Normal(0., scale))\n\n\n"
                 "def model():\n    xs = np.vectorize(draw)(np.arange(3))\n");
  ASSERT_LOWERS(M);
  EXPECT_NE(M->modelIr().find("<opaque, may run user code 'np.vectorize'>(%scale)"),
            std::string::npos)
      << M->modelIr();
  EXPECT_EQ(M->model().OpaqueUserCode.count("np.vectorize"), 1u);
}

TEST(Opaque, StatementCallsMayUpdateTheirArguments) {
  // np.random.shuffle(x) is called for its effect: x may hold anything after.
  auto L = lower(withImports("x = torch.ones(3)\nnp.random.shuffle(x)\ny = x + 1", ""));
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L, "%opaque.1 = <opaque 'np.random.shuffle'>(%x)");
  EXPECT_IR_HAS(L, "%x = <opaque 'np.random.shuffle'>(%x, %opaque.1)");
}

TEST(Opaque, ModuleAttributesAsValues) {
  auto L = lower(withImports("a = np.euler_gamma\nb = helpers.LATENT_DIM"));
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L, "%a = <opaque 'np.euler_gamma'>()");
  EXPECT_IR_HAS(L, "%b = <opaque 'helpers.LATENT_DIM'>()");
  EXPECT_NE(L->diags().find("opaque value 'np.euler_gamma' (not modelled)"), std::string::npos);
}

TEST(Opaque, InheritedNnModuleMethodsButNotUnknownUserMethods) {
  const std::string Classes = "import pyro\nimport torch\nimport torch.nn as nn\n\n\n"
                              "class Net(nn.Module):\n    def __init__(self):\n"
                              "        super().__init__()\n        self.fc = nn.Linear(2, 2)\n\n\n"
                              "class Point:\n    def __init__(self):\n"
                              "        self.x = torch.ones(2)\n\n\n";
  auto L = lower(Classes + "def model():\n    net = Net()\n    ps = net.parameters()\n");
  ASSERT_LOWERS(L);
  EXPECT_NE(L->modelIr().find("%ps = <opaque 'net.parameters'>(%fc@Net#1)"), std::string::npos)
      << L->modelIr();
  // The source of these classes is known: a method they lack is an error.
  EXPECT_EQ(svic::test::firstError(Classes + "def model():\n    net = Net()\n    net.frob()\n"),
            "19:5: 'Net' has no method or callable field 'frob' [frontend.unknown-function]");
  EXPECT_EQ(svic::test::firstError(Classes + "def model():\n    p = Point()\n    p.parameters()\n"),
            "19:5: 'Point' has no method or callable field 'parameters' "
            "[frontend.unknown-function]");
}

} // namespace
