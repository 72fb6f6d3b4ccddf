//===- PythonFeaturesTest.cpp - Python the models use (issue 9, deliverable 5) -===//
///
/// \file
/// numpy scalars and constants, poutine handlers and torch.no_grad as
/// decorators, and lambdas (named, as pyro.param initialisers).
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

} // namespace
