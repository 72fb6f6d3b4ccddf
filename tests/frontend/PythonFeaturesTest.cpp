//===- PythonFeaturesTest.cpp - Python the models use (issue 9, deliverable 5) -===//
///
/// \file
/// numpy scalars and constants, poutine handlers and torch.no_grad as
/// decorators, lambdas (named, as pyro.param initialisers), *args/**kwargs
/// forwarding, list comprehensions over ranges and entry-parameter defaults.
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include <gtest/gtest.h>

using namespace svic;
using svic::test::inModel;
using svic::test::lower;

namespace {

#define ASSERT_LOWERS(L) ASSERT_TRUE((L)->ok()) << (L)->diags()
#define EXPECT_IR_HAS(L, Text)                                                                     \
  EXPECT_NE((L)->modelIr().find(Text), std::string::npos) << (L)->modelIr()

TEST(PythonFeatures, NumpyScalarsAndConstants) {
  auto L = lower("import numpy as np\n" +
                 inModel("c = np.float32(2.0) * np.pi + np.log(3.0) + np.sqrt(4.0)\n"
                         "d = x[:, np.newaxis]\n"
                         "e = np.exp(x, out=x)",
                         "x"));
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L, "%c = ((float(2.0) * 3.141592653589793) + torch.log(3.0)) + torch.sqrt(4.0)");
  EXPECT_IR_HAS(L, "%d = %x[:, None]");
  // With other arguments it is not the same function: opaque.
  EXPECT_IR_HAS(L, "<opaque 'np.exp'>(%x, %x)");
}

TEST(PythonFeatures, HandlerDecorators) {
  auto L = lower("import pyro\nimport pyro.distributions as dist\nimport pyro.poutine as poutine\n"
                 "import torch\n\n\n"
                 "@poutine.scale(scale=0.5)\n@torch.no_grad()\ndef local(x):\n"
                 "    return pyro.sample(\"s\", dist.Normal(x, 1.))\n\n\n"
                 "@pyro.poutine.mask(mask=False)\ndef model():\n    s = local(0.)\n");
  ASSERT_LOWERS(L);
  // The first decorator is the outermost handler; the entry's wrap its body.
  EXPECT_IR_HAS(L, "with mask(False):  @13:2\n"
                   "  %x@local#1 = 0.0  @9:11 via local@15:9\n"
                   "  with scale(0.5):  @7:2 via local@15:9\n"
                   "    with no_grad:  @8:2 via local@15:9\n"
                   "      %sample.1 = sample \"s\" ~ dist.Normal(%x@local#1, 1.0)");
  // Other decorators still are errors.
  EXPECT_EQ(svic::test::firstError("import pyro\n\n\ndef d(f):\n    return f\n\n\n@d\n"
                                   "def model():\n    pass\n")
                .substr(0, 58),
            "8:2: decorators are not supported; remove '@d' (svic accep");
}

TEST(PythonFeatures, Lambdas) {
  auto L = lower(inModel("s = 2.0\n"
                         "f = lambda v, k=1.0: v * s + k\n"
                         "w = pyro.param(\"w\", lambda: torch.ones(3))\n"
                         "z = pyro.sample(\"z\", dist.Normal(f(0.5), 1.))"));
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L, "%w = param \"w\" init=torch.ones(3)");
  EXPECT_IR_HAS(L, "%v@<lambda>#1 = 0.5");
  EXPECT_IR_HAS(L, "%k@<lambda>#1 = 1.0");
  EXPECT_IR_HAS(L, "%ret@<lambda>#1 = (%v@<lambda>#1 * %s) + %k@<lambda>#1");
  EXPECT_IR_HAS(L, "sample \"z\" ~ dist.Normal(%ret@<lambda>#1, 1.0)");
}

TEST(PythonFeatures, VariadicForwarding) {
  auto L = lower("import pyro\nimport pyro.distributions as dist\n\n\n"
                 "def inner(loc, scale=1.0, name=\"w\"):\n"
                 "    return pyro.sample(name, dist.Normal(loc, scale))\n\n\n"
                 "def wrapper(*args, **kwargs):\n"
                 "    n = len(args)\n"
                 "    return inner(*args, **kwargs)\n\n\n"
                 "def model():\n    w = wrapper(0.5, scale=2.0)\n");
  ASSERT_LOWERS(L);
  // The extra arguments are evaluated once, in the caller, and forwarded.
  EXPECT_IR_HAS(L, "%vararg.1 = 0.5");
  EXPECT_IR_HAS(L, "%vararg.2 = 2.0");
  EXPECT_IR_HAS(L, "%args@wrapper#1 = (%vararg.1,)");
  EXPECT_IR_HAS(L, "%kwargs@wrapper#1 = {\"scale\": %vararg.2}");
  EXPECT_IR_HAS(L, "%loc@inner#1 = %vararg.1");
  EXPECT_IR_HAS(L, "%scale@inner#1 = %vararg.2");
  EXPECT_IR_HAS(L, "sample \"w\" ~ dist.Normal(%loc@inner#1, %scale@inner#1)");
  // Unpacking anything else is still an error.
  auto E = lower("def f(a, b):\n    return a\n\n\n"
                 "def model(xs):\n    f(*xs)\n");
  EXPECT_NE(E->diags().find("6:7: argument unpacking (*args, **kwargs) is supported only to "
                            "forward the *args / **kwargs of a helper"),
            std::string::npos)
      << E->diags();
}

TEST(PythonFeatures, ListComprehensionsOverRanges) {
  auto L = lower(inModel("zs = [pyro.sample(f\"z_{i}\", dist.Normal(0., 1.)) for i in range(n)]\n"
                         "ws = [2 * i for i in range(4, 0, -2)]",
                         "n"));
  ASSERT_LOWERS(L);
  // A loop that appends; the name is local to the comprehension.
  EXPECT_IR_HAS(L, "%list@listcomp#1 = []  @10:10\n"
                   "for %i@listcomp#1 in range(0, %n, 1):  @10:10\n"
                   "  %sample.1 = sample \"z_{}\"[%i@listcomp#1] ~ dist.Normal(0.0, 1.0)");
  EXPECT_IR_HAS(L, "  %list@listcomp#1 = list.append(%list@listcomp#1, %sample.1)");
  EXPECT_IR_HAS(L, "%zs = %list@listcomp#1");
  EXPECT_IR_HAS(L, "for %i@listcomp#2 in range(4, 0, -2):");
  EXPECT_IR_HAS(L, "list.append(%list@listcomp#2, 2 * %i@listcomp#2)");
  EXPECT_EQ(svic::test::firstError(inModel("a = [v for v in x]", "x")).substr(0, 63),
            "10:9: list comprehensions are supported only over range(...) wi");
}

TEST(PythonFeatures, EntryDefaults) {
  const std::string Src = "import pyro\nimport pyro.distributions as dist\n\n\n"
                          "def model(data, ys=None, T=20, scale=-1.5, mode=\"train\", "
                          "flag=True, cfg={\"a\": 1}):\n"
                          "    for t in range(T):\n"
                          "        pyro.sample(\"z_{}\".format(t), dist.Normal(0., 1.))\n";
  auto L = lower(Src);
  ASSERT_LOWERS(L);
  // Literal defaults are the values; None and dict defaults stay inputs.
  EXPECT_EQ(L->model().Inputs.size(), 3u);
  EXPECT_IR_HAS(L, "%T = 20  @5:26");
  EXPECT_IR_HAS(L, "%scale = -1.5");
  EXPECT_IR_HAS(L, "%mode = \"train\"");
  EXPECT_IR_HAS(L, "%flag = True");
  // A parameter the caller passes (a --data name) is an input.
  frontend::EntryNames Given;
  Given.GivenInputs = {"T"};
  auto G = lower(Src, Given);
  ASSERT_LOWERS(G);
  EXPECT_EQ(G->model().Inputs.size(), 4u);
  EXPECT_EQ(G->modelIr().find("%T = 20"), std::string::npos) << G->modelIr();
}

} // namespace
