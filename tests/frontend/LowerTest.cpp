//===- LowerTest.cpp - AST to core IR, from source strings ------------------===//

#include "TestUtil.h"

#include "svic/ir/Printer.h"

#include <gtest/gtest.h>

using namespace svic;
using namespace svic::ir;
using svic::test::inModel;
using svic::test::lower;

namespace {

#define ASSERT_LOWERS(L) ASSERT_TRUE((L)->ok()) << (L)->diags()
#define EXPECT_IR_HAS(L, Text)                                                                     \
  EXPECT_NE((L)->modelIr().find(Text), std::string::npos) << (L)->modelIr()
#define EXPECT_IR_LACKS(L, Text)                                                                   \
  EXPECT_EQ((L)->modelIr().find(Text), std::string::npos) << (L)->modelIr()

/// First statement of type T in \p B (depth-first, program order).
template <typename T> const T *find(const Block &B) {
  for (const StmtPtr &S : B) {
    if (auto *X = dyn_cast<T>(S.get()))
      return X;
    const Block *Inner[2] = {nullptr, nullptr};
    if (auto *I = dyn_cast<IfStmt>(S.get()))
      Inner[0] = &I->Then, Inner[1] = &I->Else;
    else if (auto *F = dyn_cast<ForStmt>(S.get()))
      Inner[0] = &F->Body;
    else if (auto *W = dyn_cast<WhileStmt>(S.get()))
      Inner[0] = &W->Body;
    else if (auto *W2 = dyn_cast<WithStmt>(S.get()))
      Inner[0] = &W2->Body;
    for (const Block *Bl : Inner)
      if (Bl)
        if (const T *Found = find<T>(*Bl))
          return Found;
  }
  return nullptr;
}

//===-- Programs and entries ---------------------------------------------------===//

// Reach, not file: imports of any module are recorded, and code the entry
// never reaches (argparse, main(), data loading, unused classes) is skipped.
TEST(Lower, OnlyWhatTheEntryReachesIsLowered) {
  auto L = lower(R"py(import argparse
import numpy as np
import pyro
import pyro.distributions as dist
from pyro.distributions import *
from .util import load_data

parser = argparse.ArgumentParser()
parser.add_argument("--steps", type=int, default=100)
DATA = load_data("x.csv")
SCALE = 2.0


class Trainer:
    def fit(self):
        return np.mean(DATA)


def model(x):
    import os
    pyro.sample("z", Normal(0., SCALE))


def main(args):
    Trainer().fit()


if __name__ == "__main__":
    main(parser.parse_args())
)py");
  ASSERT_LOWERS(L);
  EXPECT_EQ(L->modelIr(), "%SCALE = 2.0  @11:1\n"
                          "sample \"z\" ~ dist.Normal(0.0, %SCALE)  @21:5\n");
}

// nn.Module subclasses: __init__ fields, forward, self.method calls, super(),
// pyro.module of the object, and model/guide as methods (the default entry
// is the unique method named model).
TEST(Lower, ClassesWithFieldsMethodsAndEntryMethods) {
  auto L = lower(R"py(import torch
import torch.nn as nn
import pyro
import pyro.distributions as dist


class Base(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.width = width


class Net(Base):
    scale = 2.0

    def __init__(self, width=3):
        super().__init__(width)
        self.fc = nn.Linear(width, 1)
        self.act = nn.Softplus()
        self.w = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return self.act(self.fc(x)) + self.w

    def model(self, x):
        pyro.module("net", self)
        return pyro.sample("y", dist.Normal(self(x), self.scale))


net = Net(5)
)py");
  ASSERT_LOWERS(L);
  EXPECT_EQ(L->model().EntryFunction, "Net.model");
  // Built with the arguments of the static call Net(5); the Softplus field
  // has no weights; the nn.Parameter field becomes the param net$$$w; the
  // class attribute is evaluated where it is first read; the default of
  // __init__ once, when the class body runs.
  EXPECT_EQ(L->modelIr(),
            "%default.1 = 3  @16:30\n"
            "%width@__init__#1 = 5  @16:24 via __init__@30:7\n"
            "%width@__init__#2 = %width@__init__#1  @8:24 via __init__@17:9 via __init__@30:7\n"
            "%width@Net#1 = %width@__init__#2  @10:9 via __init__@17:9 via __init__@30:7\n"
            "%fc@Net#1 = torch.nn.Linear(%width@__init__#1, 1)  @18:9 via __init__@30:7\n"
            "%act@Net#1 = torch.nn.Softplus()  @19:9 via __init__@30:7\n"
            "%w@Net#1 = torch.nn.Parameter(torch.zeros(1))  @20:9 via __init__@30:7\n"
            "module \"net$$$fc\" %fc@Net#1  @26:9\n"
            "%w@Net#1 = param \"net$$$w\" init=%w@Net#1  @26:9\n"
            "%x@forward#1 = %x  @22:23 via forward@27:45\n"
            "%ret@forward#1 = %act@Net#1(%fc@Net#1(%x@forward#1)) + %w@Net#1  @23:9 via "
            "forward@27:45\n"
            "%scale@Net#1 = 2.0  @14:5\n"
            "%sample.1 = sample \"y\" ~ dist.Normal(%ret@forward#1, %scale@Net#1)  @27:16\n"
            "return %sample.1  @27:9\n");
}

// `if c: return x` before more code: the rest is the else branch, in
// helpers and in the entry.
TEST(Lower, EarlyReturns) {
  auto L = lower(R"py(import pyro
import pyro.distributions as dist


def scale_of(k):
    if k == 0:
        return 1.
    return 2.


def model(n, flag=True):
    if not flag:
        return None
    z = pyro.sample("z", dist.Normal(0., scale_of(n)))
    return z
)py");
  ASSERT_LOWERS(L);
  EXPECT_EQ(L->modelIr(), "%flag = True  @11:14\n"
                          "if not %flag:  @12:5\n"
                          "  return None  @13:9\n"
                          "else:\n"
                          "  %k@scale_of#1 = %n  @5:14 via scale_of@14:42\n"
                          "  if %k@scale_of#1 == 0:  @6:5 via scale_of@14:42\n"
                          "    %ret@scale_of#1 = 1.0  @7:9 via scale_of@14:42\n"
                          "  else:\n"
                          "    %ret@scale_of#1 = 2.0  @8:5 via scale_of@14:42\n"
                          "  %z = sample \"z\" ~ dist.Normal(0.0, %ret@scale_of#1)  @14:9\n"
                          "  return %z  @15:5\n");
}

// enumerate/zip loops: range(len(first)) with the targets indexing the
// sequences, each evaluated once.
TEST(Lower, EnumerateAndZipLoops) {
  auto L = lower(R"py(import pyro
import pyro.distributions as dist

SCALES = [1.0, 2.0]


def model(xs, scales):
    for i, s in enumerate(scales):
        pyro.sample(f"z_{i}", dist.Normal(0., s))
    for x, s in zip(xs, SCALES):
        pyro.sample("w", dist.Normal(x, s))
)py");
  ASSERT_LOWERS(L);
  EXPECT_EQ(L->modelIr(), "%SCALES = [1.0, 2.0]  @4:1\n"
                          "%iter.1 = %scales  @8:27\n"
                          "for %i in range(0, len(%iter.1), 1):  @8:5\n"
                          "  %s = %iter.1[%i]  @8:12\n"
                          "  sample \"z_{}\"[%i] ~ dist.Normal(0.0, %s)  @9:9\n"
                          "%iter.2 = %xs  @10:21\n"
                          "%iter.3 = %SCALES  @10:25\n"
                          "for %i.1 in range(0, len(%iter.2), 1):  @10:5\n"
                          "  %x = %iter.2[%i.1]  @10:9\n"
                          "  %s = %iter.3[%i.1]  @10:12\n"
                          "  sample \"w\" ~ dist.Normal(%x, %s)  @11:9\n");
}

TEST(Lower, AmbiguousEntriesAreListed) {
  EXPECT_EQ(svic::test::firstError("import pyro\n\n\nclass A:\n    def model(self):\n        pass\n\n\n"
                       "def model():\n    pass\n"),
            "several candidates for the model entry in 'test.py': 'model' (line 9), "
            "'A.model' (line 5); choose one with --model-fn [frontend.missing-entry]");
}

TEST(Lower, ModuleLevelThenEntryBody) {
  auto L = lower(R"py("""Docstring."""
import torch
import torch.nn as nn

SCALE = 2.0
net = nn.Linear(2, 1)


def helper(x):
    return x


def main(data, n=None):
    """Entry docstring."""
    y = data * SCALE
)py");
  ASSERT_LOWERS(L);
  const Program &P = L->model();
  EXPECT_EQ(P.EntryFunction, "main");
  EXPECT_EQ(P.ProgramRole, Role::Model);
  ASSERT_EQ(P.Inputs.size(), 2u);
  EXPECT_EQ(P.var(P.Inputs[0]).Name, "data");
  EXPECT_EQ(P.var(P.Inputs[0]).Kind, VarKind::Input);
  EXPECT_EQ(P.var(P.Inputs[1]).Name, "n");
  // `net` is never read by the entry: not analysed.
  EXPECT_EQ(L->modelIr(), "%SCALE = 2.0  @5:1\n"
                          "%y = %data * %SCALE  @15:5\n");
  EXPECT_FALSE(L->Programs->Guide);
}

TEST(Lower, EntryRules) {
  const std::string Both =
      "def model():\n    pass\n\n\ndef guide():\n    pass\n\n\ndef main():\n    pass\n";
  auto A = lower(Both);
  ASSERT_LOWERS(A);
  EXPECT_EQ(A->model().EntryFunction, "model");
  EXPECT_EQ(A->guide().EntryFunction, "guide");
  EXPECT_EQ(A->guide().ProgramRole, Role::Guide);

  auto B = lower("def main():\n    pass\n", {}, "def main():\n    pass\n");
  ASSERT_LOWERS(B);
  EXPECT_EQ(B->model().EntryFunction, "main");
  EXPECT_EQ(B->guide().EntryFunction, "main");

  auto C = lower(Both, {"main", "model"});
  ASSERT_LOWERS(C);
  EXPECT_EQ(C->model().EntryFunction, "main");
  EXPECT_EQ(C->guide().EntryFunction, "model");

  // A `main` in the model file is not a guide.
  auto D = lower("def main():\n    pass\n");
  ASSERT_LOWERS(D);
  EXPECT_FALSE(D->Programs->Guide);

  auto E = lower("def main():\n    pass\n", {"", "q"});
  EXPECT_FALSE(E->Programs);
  EXPECT_NE(E->diags().find("no function 'q'"), std::string::npos) << E->diags();

  auto F = lower("def main():\n    pass\n", {}, "def other():\n    pass\n");
  EXPECT_FALSE(F->Programs);
  EXPECT_NE(F->diags().find("no guide function in 'guide.py'"), std::string::npos);
  EXPECT_NE(F->diags().find("[frontend.missing-entry]"), std::string::npos);
}

//===-- Name resolution ---------------------------------------------------------===//

TEST(Lower, DistributionNames) {
  auto L = lower(R"py(import pyro
import pyro.distributions as dist
import pyro.distributions
from pyro.distributions import Normal, Gamma as G


def model():
    a = pyro.sample("a", dist.Normal(0., 1.))
    b = pyro.sample("b", Normal(0., 1.))
    c = pyro.sample("c", pyro.distributions.Normal(0., 1.))
    d = pyro.sample("d", G(1., 1.))
)py");
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L, "%a = sample \"a\" ~ dist.Normal(0.0, 1.0)  @8:9");
  EXPECT_IR_HAS(L, "%b = sample \"b\" ~ dist.Normal(0.0, 1.0)");
  EXPECT_IR_HAS(L, "%c = sample \"c\" ~ dist.Normal(0.0, 1.0)");
  EXPECT_IR_HAS(L, "%d = sample \"d\" ~ dist.Gamma(1.0, 1.0)");
}

TEST(Lower, TorchAndFunctionalNames) {
  auto L = lower(R"py(import torch
import torch.nn.functional as F
from torch import nn
from torch.nn import functional
import math


def model(x):
    a = F.relu(x)
    b = functional.softplus(x)
    c = torch.nn.functional.sigmoid(x)
    d = torch.exp(x) * math.pi
    e = torch.zeros(3, dtype=torch.float32) if False else torch.ones(2)
    f = nn.Softplus()(x)
)py");
  ASSERT_TRUE(L->Programs) << L->diags();
  EXPECT_IR_HAS(L, "%a = torch.nn.functional.relu(%x)");
  EXPECT_IR_HAS(L, "%b = torch.nn.functional.softplus(%x)");
  EXPECT_IR_HAS(L, "%c = torch.nn.functional.sigmoid(%x)");
  EXPECT_IR_HAS(L, "%d = torch.exp(%x) * 3.141592653589793");
  EXPECT_IR_HAS(L, "%f = (torch.nn.Softplus())(%x)");
}

TEST(Lower, TwoTensorMaxIsElementwise) {
  // Issue 8: torch.max(a, b) with a tensor b is torch.maximum, not a reduction.
  auto L = lower(R"py(import torch
import pyro
import pyro.distributions as dist


def model(x):
    z = pyro.sample("z", dist.Normal(0., 1.))
    w = pyro.param("w", torch.zeros(1))
    a = torch.max(z, w)
    b = torch.min(x, torch.zeros(1))
    c = z.max(torch.tensor(0.) + 1)
    d = torch.max(x, 1)
    e = torch.max(z, x)
    f = torch.min(z, dim=0)
    k = 0
    g = torch.max(z, k)
)py");
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L, "%a = torch.maximum(%z, %w)");
  EXPECT_IR_HAS(L, "%b = torch.minimum(%x, torch.zeros(1))");
  EXPECT_IR_HAS(L, "%c = torch.maximum(%z, torch.tensor(0.0) + 1)");
  EXPECT_IR_HAS(L, "%d = torch.max(%x, 1)");
  EXPECT_IR_HAS(L, "%e = torch.max(%z, %x)"); // x may be an int: a dim
  EXPECT_IR_HAS(L, "%f = torch.min(%z, 0)");
  EXPECT_IR_HAS(L, "%g = torch.max(%z, %k)");
}

TEST(Lower, DtypesAreStrings) {
  auto L = lower(inModel("x = torch.tensor(1, dtype=torch.long)"));
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L, "%x = torch.tensor(1, \"torch.long\")");
}

TEST(Lower, ModuleObjects) {
  auto L = lower(R"py(import torch.nn as nn

fc = nn.Linear(2, 1)
relu = nn.ReLU()
seq = nn.Sequential(nn.Linear(2, 3), relu, nn.Linear(3, 1))
rnn = nn.RNN(88, 600, 1, True, True, 0.0, False, nonlinearity='relu')


def model(x, h):
    y = relu(fc(x))
    z = seq(x)
    out, hn = rnn(x, h)
    w = nn.ReLU()(x)
)py");
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L,
                "%seq = torch.nn.Sequential[torch.nn.Linear(2, 3), %relu, torch.nn.Linear(3, 1)]");
  EXPECT_IR_HAS(L, "%rnn = torch.nn.RNN(88, 600, 1, True, True, 0.0, False, \"relu\")");
  EXPECT_IR_HAS(L, "%y = %relu(%fc(%x))");
  EXPECT_IR_HAS(L, "%z = %seq(%x)");
  EXPECT_IR_HAS(L, "%tuple.1 = %rnn(%x, %h)");
  EXPECT_IR_HAS(L, "%w = (torch.nn.ReLU())(%x)");
  const auto *A = find<AssignStmt>(L->model().Body);
  ASSERT_TRUE(A);
  EXPECT_TRUE(isa<ModuleCtorExpr>(A->Value.get()));
}

TEST(Lower, ConstraintsAndParams) {
  auto L = lower(inModel(R"py(a = pyro.param("a", torch.ones(3), constraint=constraints.positive)
b = pyro.param("b", torch.ones(3), constraint=constraints.interval(0., 1.))
pyro.param("c")
d = pyro.param("d", torch.zeros(2), event_dim=1))py"));
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L, "%a = param \"a\" init=torch.ones(3) constraint=constraints.positive  @10:9");
  EXPECT_IR_HAS(L, "%b = param \"b\" init=torch.ones(3) constraint=constraints.interval(0.0, 1.0)");
  EXPECT_IR_HAS(L, "param \"c\"  @12:5");
  const auto *P = find<ParamStmt>(L->model().Body);
  ASSERT_TRUE(P && P->Constraint);
  EXPECT_EQ(P->Constraint->Constraint, ConstraintId::Positive);
}

TEST(Lower, UnknownNames) {
  EXPECT_EQ(svic::test::firstError(inModel("x = y + 1")),
            "10:9: name 'y' is not defined [frontend.unknown-name]");
  EXPECT_EQ(svic::test::firstError(inModel("y = x\nx = 1")),
            "10:9: local variable 'x' is used before it is assigned [frontend.unknown-name]");
}

//===-- Site names ------------------------------------------------------------===//

TEST(Lower, CanonicalSiteNames) {
  auto L = lower(inModel(R"py(t = 1
a = pyro.sample("lit", dist.Normal(0., 1.))
b = pyro.sample("z_{}".format(t), dist.Normal(0., 1.))
c = pyro.sample(f"z_{t}", dist.Normal(0., 1.))
d = pyro.sample("y_{0}_{1}_{0}".format(t, t + 1), dist.Normal(0., 1.))
e = pyro.sample(f"w_{t:02d}", dist.Normal(0., 1.))
f = pyro.sample("k_{name}".format(name=t), dist.Normal(0., 1.))
g = pyro.sample("br{{ace}}_{}".format(t), dist.Normal(0., 1.))
h = pyro.sample(f"{{x}}", dist.Normal(0., 1.))
name = "held"
i = pyro.sample(name, dist.Normal(0., 1.))
tmpl = "v_{}".format(t)
j = pyro.sample(tmpl, dist.Normal(0., 1.))
k = pyro.sample("a" + "b", dist.Normal(0., 1.)))py"));
  ASSERT_LOWERS(L);
  std::vector<std::string> Names;
  std::vector<SiteName::Form> Forms;
  std::function<void(const Block &)> Walk = [&](const Block &B) {
    for (const StmtPtr &S : B)
      if (auto *Sm = dyn_cast<SampleStmt>(S.get())) {
        Names.push_back(Sm->Name.Canonical);
        Forms.push_back(Sm->Name.NameForm);
      }
  };
  Walk(L->model().Body);
  EXPECT_EQ(Names,
            (std::vector<std::string>{"lit", "z_{}", "z_{}", "y_{}_{}_{}", "<f\"w_{t:02d}\">",
                                      "k_{}", "br{{ace}}_{}", "{x}", "held", "v_{}",
                                      "ab"}));
  EXPECT_EQ(Forms[0], SiteName::Form::Literal);
  // "w_{:02d}" spells w_01, not w_1: known only at run time (issue 8).
  EXPECT_EQ(Forms[4], SiteName::Form::Dynamic);
  EXPECT_EQ(Forms[1], SiteName::Form::Template);
  EXPECT_EQ(Forms[7], SiteName::Form::Literal);
  EXPECT_EQ(Forms[8], SiteName::Form::Literal);
  EXPECT_EQ(Forms[10], SiteName::Form::Literal); // "a" + "b" of known strings
  EXPECT_IR_HAS(L, "sample \"y_{}_{}_{}\"[%t, %t + 1, %t] ~");
  EXPECT_IR_HAS(L, "sample \"k_{}\"[%t] ~");
  EXPECT_IR_HAS(L, "sample \"v_{}\"[%t] ~");
  EXPECT_IR_HAS(L, "sample \"ab\" ~");
  // A format string used as a value is a str.format call.
  EXPECT_IR_HAS(L, "%tmpl = str.format(\"v_{}\", %t)");
}

TEST(Lower, SiteNameHeldInABranchIsDynamic) {
  auto L = lower(inModel(R"py(if c:
    name = "a"
else:
    name = "b"
pyro.sample(name, dist.Normal(0., 1.)))py",
                         "c"));
  ASSERT_LOWERS(L);
  const auto *S = find<SampleStmt>(L->model().Body);
  ASSERT_TRUE(S);
  EXPECT_EQ(S->Name.NameForm, SiteName::Form::Dynamic);
  EXPECT_EQ(S->Name.Canonical, "<name>");
  ASSERT_TRUE(S->Name.DynamicExpr);
}

TEST(Lower, SiteNameReboundInALoopIsDynamic) {
  auto L = lower(inModel(R"py(name = "a"
for t in range(2):
    pyro.sample(name, dist.Normal(0., 1.))
    name = "b")py"));
  ASSERT_LOWERS(L);
  EXPECT_EQ(find<SampleStmt>(L->model().Body)->Name.NameForm, SiteName::Form::Dynamic);
}

//===-- Inlining ----------------------------------------------------------------===//

TEST(Lower, InlinesNestedHelpersWithFrames) {
  auto L = lower(R"py(import pyro
import pyro.distributions as dist


def inner(loc, scale=1.0):
    z = pyro.sample("z", dist.Normal(loc, scale))
    return z * 2


def outer(x):
    y = inner(x, scale=3.0)
    return y + 1


def model(x):
    w = outer(x)
)py");
  ASSERT_LOWERS(L);
  // inner's default is evaluated once, when its def runs (module level).
  EXPECT_EQ(L->modelIr(),
            "%default.1 = 1.0  @5:22\n"
            "%x@outer#1 = %x  @10:11 via outer@16:9\n"
            "%loc@inner#1 = %x@outer#1  @5:11 via inner@11:9 via outer@16:9\n"
            "%scale@inner#1 = 3.0  @5:16 via inner@11:9 via outer@16:9\n"
            "%z@inner#1 = sample \"z\" ~ dist.Normal(%loc@inner#1, %scale@inner#1)  @6:9 via "
            "inner@11:9 via outer@16:9\n"
            "%ret@inner#1 = %z@inner#1 * 2  @7:5 via inner@11:9 via outer@16:9\n"
            "%y@outer#1 = %ret@inner#1  @11:5 via outer@16:9\n"
            "%ret@outer#1 = %y@outer#1 + 1  @12:5 via outer@16:9\n"
            "%w = %ret@outer#1  @16:5\n");
  const auto *S = find<SampleStmt>(L->model().Body);
  ASSERT_TRUE(S);
  ASSERT_NE(S->Loc.Inlined, 0u);
  const InlineFrame &F1 = L->SM.inlineFrame(S->Loc.Inlined);
  EXPECT_EQ(F1.Callee, "inner");
  EXPECT_EQ(F1.CallSite.Line, 11u);
  ASSERT_NE(F1.CallSite.Inlined, 0u);
  EXPECT_EQ(L->SM.inlineFrame(F1.CallSite.Inlined).Callee, "outer");
  EXPECT_EQ(L->SM.inlineFrame(F1.CallSite.Inlined).CallSite.Line, 16u);
  const VarInfo &V = L->model().var(*S->Target);
  EXPECT_EQ(V.Name, "z@inner#1");
  EXPECT_EQ(L->model().var(find<AssignStmt>(L->model().Body)->Target).Kind, VarKind::Temp);
  EXPECT_EQ(L->model().var(cast<AssignStmt>(L->model().Body[1].get())->Target).Kind,
            VarKind::User);
}

TEST(Lower, EachCallGetsItsOwnInstance) {
  auto L = lower(R"py(def sq(v):
    return v * v


def model(a):
    b = sq(a) + sq(2)
)py");
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L, "%v@sq#1 = %a");
  EXPECT_IR_HAS(L, "%v@sq#2 = 2");
  EXPECT_IR_HAS(L, "%b = %ret@sq#1 + %ret@sq#2");
}

TEST(Lower, ReturnInBothBranches) {
  auto L = lower(R"py(def pick(c):
    if c:
        return 1
    else:
        return 2


def half(c):
    if c:
        return 1


def model(c):
    x = pick(c)
    y = half(c)
)py");
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L, "if %c@pick#1:  @2:5 via pick@14:9\n  %ret@pick#1 = 1  @3:9 via pick@14:9\n"
                   "else:\n  %ret@pick#1 = 2  @5:9 via pick@14:9\n%x = %ret@pick#1");
  // A path without return gives None.
  EXPECT_IR_HAS(L, "%ret@half#1 = None  @8:1 via half@15:9\nif %c@half#1:");
}

TEST(Lower, ReturnBeforeTheEndIsAnError) {
  EXPECT_EQ(
      svic::test::firstError("def f(x):\n    return x\n    x = 1\n\n\ndef model():\n    f(1)\n"),
      "2:5: return before the end of a function is not supported; make every return the "
      "last statement of its branch [frontend.unsupported-construct]");
  EXPECT_EQ(svic::test::firstError("def model():\n    for t in range(3):\n        return t\n"),
            "3:9: return before the end of a function is not supported; make every return the "
            "last statement of its branch [frontend.unsupported-construct]");
}

TEST(Lower, RecursionIsAnError) {
  auto L = lower("def f(n):\n    return f(n - 1)\n\n\ndef model():\n    f(3)\n");
  EXPECT_FALSE(L->Programs);
  EXPECT_NE(L->diags().find("2:12: recursive call to 'f' cannot be inlined"), std::string::npos)
      << L->diags();
  EXPECT_NE(L->diags().find("[frontend.recursion]"), std::string::npos);
  auto M = lower("def g():\n    model()\n\n\ndef model():\n    g()\n");
  EXPECT_NE(M->diags().find("recursive call to the entry function 'model'"), std::string::npos)
      << M->diags();
}

TEST(Lower, ChainedComparisonEvaluatesItsMiddleOnce) {
  auto L = lower(inModel("a = 0 < x.sum() <= 1\nb = x.size(0) == x.size(1) == 2", "x"));
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L, "%cmp.1 = torch.sum(%x)");
  EXPECT_IR_HAS(L, "%a = (0 < %cmp.1) and (%cmp.1 <= 1)");
  EXPECT_IR_HAS(L, "%b = (torch.Tensor.size(%x, 0) == %cmp.2) and (%cmp.2 == 2)");
}

TEST(Lower, CallInConditionalExpressionRunsInItsBranch) {
  // A branch that samples or calls a helper becomes an if statement: its
  // statements run only when that branch is taken.
  auto C = lower("import pyro\nimport pyro.distributions as dist\n\n\ndef f():\n"
                 "    return pyro.sample(\"h\", dist.Normal(0., 1.))\n\n\n"
                 "def model(c):\n    x = f() if c else 0\n"
                 "    y = 1.0 if c else pyro.sample(\"g\", dist.Normal(x, 1.))\n");
  ASSERT_LOWERS(C);
  EXPECT_IR_HAS(C, "if %c");
  EXPECT_IR_HAS(C, "%ifexp.1 = 0");
  EXPECT_IR_HAS(C, "%ifexp.2 = 1.0");
  EXPECT_IR_HAS(C, "sample \"g\" ~");
  // Inside 'and' nothing may be hoisted, a conditional expression neither.
  auto L = lower("def f():\n    return 1\n\n\ndef model(c):\n    x = c and (f() if c else 0)\n    y = c "
                 "and f()\n");
  EXPECT_NE(L->diags().find("6:16: a call to the helper function 'f' inside 'and'"),
            std::string::npos)
      << L->diags();
  EXPECT_NE(L->diags().find("7:15: a call to the helper function 'f' inside 'and'"),
            std::string::npos)
      << L->diags();
}

TEST(Lower, NestedDefsAndClosures) {
  auto L = lower(R"py(def model(x):
    k = 2

    def scale(v):
        return v * k

    y = scale(x)
)py");
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L, "%ret@scale#1 = %v@scale#1 * %k");
}

TEST(Lower, HelperBadArguments) {
  const std::string H = "def f(a, b=1):\n    return a\n\n\ndef model():\n";
  EXPECT_EQ(svic::test::firstError(H + "    f(1, c=2)\n"),
            "6:10: 'f' got an unexpected keyword argument 'c' [frontend.bad-arguments]");
  EXPECT_EQ(svic::test::firstError(H + "    f(b=2)\n"),
            "6:5: 'f' is missing the required argument 'a' [frontend.bad-arguments]");
  EXPECT_EQ(svic::test::firstError(H + "    f(1, 2, 3)\n"),
            "6:13: 'f' takes 2 arguments but more were given [frontend.bad-arguments]");
}

//===-- Methods and in-place updates ---------------------------------------------===//

TEST(Lower, MethodDesugaring) {
  auto L = lower(inModel(R"py(a = x.view(2, 3)
b = x.sum(-1)
c = x.exp()
d = torch.Tensor.reshape(x, [6])
e = x.t()
f = x.detach())py",
                         "x"));
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L, "%a = torch.Tensor.view(%x, 2, 3)");
  EXPECT_IR_HAS(L, "%b = torch.sum(%x, -1)");
  EXPECT_IR_HAS(L, "%c = torch.exp(%x)");
  EXPECT_IR_HAS(L, "%d = torch.reshape(%x, [6])");
  EXPECT_IR_HAS(L, "%e = torch.t(%x)");
  EXPECT_IR_HAS(L, "%f = torch.Tensor.detach(%x)");
}

TEST(Lower, InPlaceMethodsRebindTheirReceiver) {
  auto L = lower(inModel(R"py(lst = []
lst.append(x)
layer = nn.Linear(2, 2)
layer.weight.data.normal_(0, .1)
counts = torch.zeros(4)
torch.Tensor.scatter_add_(counts, 0, x, x)
y = x.fill_(1.)
layer(x))py",
                         "x"));
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L, "%lst = list.append(%lst, %x)");
  EXPECT_IR_HAS(L, "%layer = update(%layer.weight.data = torch.Tensor.normal_(%layer.weight.data, "
                   "0, 0.1))");
  EXPECT_IR_HAS(L, "%counts = torch.Tensor.scatter_add_(%counts, 0, %x, %x)");
  EXPECT_IR_HAS(L, "%x = torch.Tensor.fill_(%x, 1.0)  @16:5\n%y = %x");
  // The module object survives the attribute update.
  EXPECT_IR_HAS(L, "eval %layer(%x)");
}

// `v += e` on a view of an entry input (a tensor or a list of numbers, svic
// cannot tell): lowered as torch's in-place add through the view; a view of a
// tuple the program built (numbers, rebound by Python) keeps the error.
TEST(Lower, AugmentedAssignmentThroughAViewOfAnInput) {
  auto L = lower(inModel(R"py(v = data[0]
v += x
w = data[:, 1]
w *= 2.)py",
                         "data, x"));
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L, "%v = %v + %x");
  EXPECT_IR_HAS(L, "%data = update(%data[0] = %v)");
  EXPECT_IR_HAS(L, "%data = update(%data[:, 1] = %w)");
  EXPECT_IR_HAS(L, "%w = %w * 2.0");
  EXPECT_NE(svic::test::firstError(inModel("b = (1., 2.)\nv = b[0]\nv += x", "x"))
                .find("svic cannot tell whether '+=' updates it in place"),
            std::string::npos);
}

// pyro.subsample as Pyro 1.8.6: the plate's subsample indices along its dim
// (less event_dim), the identity without subsampling, opaque where the dim
// is not static.
TEST(Lower, SubsampleIndexesByTheEnclosingPlates) {
  auto L = lower(inModel(R"py(a = pyro.subsample(data, event_dim=0)
with pyro.plate("all", 100):
    b = pyro.subsample(data, event_dim=0)
with pyro.plate("batch", 100, subsample_size=10, dim=-2):
    c = pyro.subsample(data, event_dim=1)
with pyro.plate("auto", 100, subsample_size=10):
    d = pyro.subsample(data, event_dim=0))py",
                         "data"));
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L, "%a = %data  @10:5");
  EXPECT_IR_HAS(L, "  %b = %data  @12:9");
  EXPECT_IR_HAS(L, "as %subsample_indices.1:");
  EXPECT_IR_HAS(L, "%c = torch.index_select(%data, -3, %subsample_indices.1)");
  EXPECT_IR_HAS(L, "%d = <opaque 'pyro.subsample'>(%data, 0)");
}

TEST(Lower, DistributionMethods) {
  auto L = lower(inModel(R"py(d = dist.Normal(0., 1.)
lp = d.log_prob(x)
lp2 = dist.Normal.log_prob(d, x)
lp3 = dist.Normal(0., 1.).log_prob(x)
s = dist.Uniform(0, 2).sample([3])
e = dist.Normal(0., 1.).expand([3]).to_event(1)
pyro.sample("z", dist.Normal(0., 1.).expand_by([2]).mask(x).independent(1))
pyro.sample("w", d.to_event(0)))py",
                         "x"));
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L, "%lp = Distribution.log_prob(%d, %x)");
  EXPECT_IR_HAS(L, "%lp2 = Distribution.log_prob(%d, %x)");
  EXPECT_IR_HAS(L, "%lp3 = Distribution.log_prob(dist.Normal(0.0, 1.0), %x)");
  EXPECT_IR_HAS(L, "%s = Distribution.sample(dist.Uniform(0, 2), [3])");
  EXPECT_IR_HAS(L, "%e = dist.Normal(0.0, 1.0).expand([3]).to_event(1)");
  EXPECT_IR_HAS(L, "sample \"z\" ~ dist.Normal(0.0, 1.0).expand_by([2]).mask(%x).independent(1)");
  EXPECT_IR_HAS(L, "sample \"w\" ~ dist.Normal(0.0, 1.0).to_event(0)");
}

TEST(Lower, DistributionVariablesAreSubstitutedByClones) {
  auto L = lower(inModel("d = dist.Normal(0., 1.)\nz = pyro.sample(\"z\", d)"));
  ASSERT_LOWERS(L);
  const auto *A = find<AssignStmt>(L->model().Body);
  const auto *S = find<SampleStmt>(L->model().Body);
  ASSERT_TRUE(A && S && S->Dist);
  EXPECT_NE(A->Value->Id, S->Dist->Id);
  EXPECT_EQ(S->Dist->Loc.Line, 10u);
  EXPECT_EQ(S->Dist->Dist, DistId::Normal);
}

TEST(Lower, AmbiguousDistributionIsAnError) {
  EXPECT_EQ(svic::test::firstError(inModel("d = dist.Normal(0., 1.)\nfor i in range(c):\n"
                                           "    d = dist.Normal(1., 1.)\npyro.sample(\"z\", d)",
                                           "c")),
            "13:22: the distribution in 'd' is ambiguous here because it is assigned in a branch "
            "or loop; construct the distribution in the pyro.sample call "
            "[frontend.unsupported-construct]");
  // Chosen by an if: the rest of the block runs in each branch, with that
  // branch's distribution.
  auto B = lower(inModel("if c:\n    d = dist.Normal(0., 1.)\nelse:\n    d = dist.Normal(1., 1.)\n"
                         "pyro.sample(\"z\", d)",
                         "c"));
  ASSERT_LOWERS(B);
  EXPECT_IR_HAS(B, "sample \"z\" ~ dist.Normal(0.0, 1.0)");
  EXPECT_IR_HAS(B, "sample \"z\" ~ dist.Normal(1.0, 1.0)");
  // Assigned in the same branch as the use: fine.
  auto L = lower(inModel("if c:\n    d = dist.Normal(0., 1.)\n    pyro.sample(\"z\", d)", "c"));
  ASSERT_LOWERS(L);
}

//===-- Assignments ----------------------------------------------------------------===//

TEST(Lower, AssignmentDesugaring) {
  auto L = lower(inModel(R"py(a, (b, c) = x
a += 1
x[0, 1:2] = a
x[0] += 1
m = nn.Linear(2, 2)
m.weight.data = torch.eye(2)
p = q = -a
a //= 2)py",
                         "x"));
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L, "%tuple.1 = %x  @10:5\n%a = %tuple.1[0]  @10:5\n%tuple.2 = %tuple.1[1]  @10:5\n"
                   "%b = %tuple.2[0]  @10:5\n%c = %tuple.2[1]  @10:5\n");
  EXPECT_IR_HAS(L, "%a = %a + 1  @11:5");
  EXPECT_IR_HAS(L, "%x = update(%x[0, 1:2] = %a)  @12:5");
  EXPECT_IR_HAS(L, "%x = update(%x[0] = %x[0] + 1)  @13:5");
  EXPECT_IR_HAS(L, "%m = update(%m.weight.data = torch.eye(2))  @15:5");
  EXPECT_IR_HAS(L, "%tmp.1 = -%a  @16:5\n%p = %tmp.1  @16:5\n%q = %tmp.1  @16:5");
  EXPECT_IR_HAS(L, "%a = %a // 2");
  const auto *Neg = find<AssignStmt>(L->model().Body);
  ASSERT_TRUE(Neg);
}

TEST(Lower, SubscriptsAndSlices) {
  auto L = lower(inModel("y = x[..., :-1, None, ::2, (1)]\nz = x[(1, 2)]", "x"));
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L, "%y = %x[..., :-1, None, ::2, 1]");
  EXPECT_IR_HAS(L, "%z = %x[1, 2]");
}

//===-- Pyro statements ---------------------------------------------------------===//

TEST(Lower, SampleForms) {
  auto L = lower(inModel(R"py(z = pyro.sample("z", dist.Normal(0., 1.))
pyro.sample("x", dist.Normal(z, 1.), obs=data)
y = torch.exp(pyro.sample("y", dist.Normal(0., 1.), infer={"enumerate": "parallel"}))
pyro.factor("f", -z * z)
w = pyro.deterministic("w", z + 1)
pyro.deterministic("v", z)
pyro.module("net", nn.Linear(2, 1))
n = pyro.module("net2", lin))py",
                         "data, lin"));
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L, "%z = sample \"z\" ~ dist.Normal(0.0, 1.0)  @10:9");
  EXPECT_IR_HAS(L, "observe \"x\" ~ dist.Normal(%z, 1.0) obs=%data  @11:5");
  // Pyro cannot enumerate a Normal (it raises): not a known enumeration.
  EXPECT_IR_HAS(L, "%sample.1 = sample \"y\" ~ dist.Normal(0.0, 1.0) enumerate=?  @12:19\n"
                   "%y = torch.exp(%sample.1)  @12:5");
  EXPECT_IR_HAS(L, "factor \"f\" (-%z) * %z  @13:5");
  EXPECT_IR_HAS(L, "%w = %z + 1  @14:9");
  EXPECT_IR_LACKS(L, "\"v\"");
  EXPECT_IR_HAS(L, "%module.1 = torch.nn.Linear(2, 1)  @16:24\nmodule \"net\" %module.1  @16:5");
  EXPECT_IR_HAS(L, "%n = module \"net2\" %lin  @17:9");
  const auto *S = find<SampleStmt>(L->model().Body);
  ASSERT_TRUE(S && S->Target);
  EXPECT_FALSE(S->isObserve());
}

TEST(Lower, DeprecatedIarangeIsAPlate) {
  // Pyro's `iarange` subclasses plate and only adds a deprecation warning.
  auto L = lower(inModel(R"py(with pyro.iarange("rows", 6, dim=-1):
    pass
for r in pyro.iarange("cols", 2):
    pass)py"));
  ASSERT_LOWERS(L);
  EXPECT_EQ(L->modelIr(), "with plate \"rows\"(size=6, dim=-1):  @10:5\n  pass\n"
                          "for %r in plate \"cols\"(size=2):  @12:5\n  pass\n");
}

TEST(Lower, PlatesAndContexts) {
  auto L = lower(inModel(R"py(with pyro.plate("a", 10, 5, dim=-2) as i:
    pass
p = pyro.plate("b", 3)
with p:
    pass
with p as j, pyro.poutine.scale(scale=0.5), pyro.poutine.mask(mask=m):
    pass
for k in pyro.plate("c", 4):
    pass
for k in p:
    pass
with torch.no_grad():
    pass
for t in range(5):
    pass
for t in range(1, 5):
    pass
for t in range(0, 10, 2):
    pass
for t in pyro.markov(range(3)):
    pass
with pyro.plate("data"):
    pass)py",
                         "m"));
  ASSERT_LOWERS(L);
  EXPECT_EQ(L->modelIr(),
            "with plate \"a\"(size=10, subsample_size=5, dim=-2) as %i:  @10:5\n  pass\n"
            "with plate \"b\"(size=3):  @13:5\n  pass\n"
            "with plate \"b\"(size=3) as %j:  @15:5\n  with scale(0.5):  @15:18\n"
            "    with mask(%m):  @15:49\n      pass\n"
            "for %k in plate \"c\"(size=4):  @17:5\n  pass\n"
            "for %k in plate \"b\"(size=3):  @19:5\n  pass\n"
            "with no_grad:  @21:5\n  pass\n"
            "for %t in range(0, 5, 1):  @23:5\n  pass\n"
            "for %t in range(1, 5, 1):  @25:5\n  pass\n"
            "for %t in range(0, 10, 2):  @27:5\n  pass\n"
            "for %t in range(0, 3, 1):  @29:5\n  pass\n"
            "with plate \"data\"():  @31:5\n  pass\n");
  const auto *W = find<WithStmt>(L->model().Body);
  ASSERT_TRUE(W);
  EXPECT_EQ(W->Plate.Loc.Line, 10u);
  EXPECT_EQ(W->Plate.Loc.Col, 10u);
}

TEST(Lower, PoutineWithPositionalArguments) {
  auto L = lower(inModel("with pyro.poutine.scale(None, 2.0):\n    pass"));
  ASSERT_TRUE(L->ok()) << L->diags();
  EXPECT_IR_HAS(L, "with scale(2.0):");
  EXPECT_NE(svic::test::firstError(inModel("with pyro.poutine.scale(f, 2.0):\n    pass", "f"))
                .find("poutine.scale with a function argument is not supported"),
            std::string::npos);
}

TEST(Lower, ArgumentBinding) {
  auto L = lower(inModel(R"py(a = F.softplus(x, beta=2.)
b = F.softplus(x, threshold=20)
c = torch.zeros(2, 3)
d = torch.zeros([2, 3])
e = torch.clamp(x, max=1.)
f = dist.Bernoulli(logits=x)
g = torch.reshape(x, shape=[6]))py",
                         "x"));
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L, "%a = torch.nn.functional.softplus(%x, 2.0)");
  EXPECT_IR_HAS(L, "%b = torch.nn.functional.softplus(%x, threshold=20)");
  EXPECT_IR_HAS(L, "%c = torch.zeros(2, 3)");
  EXPECT_IR_HAS(L, "%e = torch.clamp(%x, max=1.0)");
  EXPECT_IR_HAS(L, "%f = dist.Bernoulli(logits=%x)");
  EXPECT_IR_HAS(L, "%g = torch.reshape(%x, [6])");
  // Slots: Args[i] is formal i; absent optional slots are null.
  const Block &B = L->model().Body;
  const auto *A = cast<AssignStmt>(B[0].get());
  const auto *Call = cast<CallExpr>(A->Value.get());
  ASSERT_EQ(Call->Args.Args.size(), 3u);
  EXPECT_TRUE(Call->Args.Args[1] && !Call->Args.Args[2]);
  const auto *C = cast<CallExpr>(cast<AssignStmt>(B[2].get())->Value.get());
  ASSERT_EQ(C->Args.Args.size(), 2u); // variadic size: both in the last slot
  const auto *Fd = cast<DistributionExpr>(cast<AssignStmt>(B[5].get())->Value.get());
  ASSERT_EQ(Fd->Args.Args.size(), 2u);
  EXPECT_FALSE(Fd->Args.Args[0]);
  EXPECT_TRUE(Fd->Args.Args[1]);
}

TEST(Lower, DictAndBuiltins) {
  auto L = lower(
      inModel("a = dict(b=dict(c=1))\nb = {\"k\": 1}\nc = float(len(x))\nd = max(1, 2, 3)", "x"));
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L, "%a = {\"b\": {\"c\": 1}}");
  EXPECT_IR_HAS(L, "%b = {\"k\": 1}");
  EXPECT_IR_HAS(L, "%c = float(len(%x))");
  EXPECT_IR_HAS(L, "%d = max(1, 2, 3)");
}

TEST(Lower, OperatorsAndComparisons) {
  auto L = lower(inModel("a = -x ** 2 @ x % 3\nb = x is None or not (x > 1 and x <= 2)\n"
                         "c = x if x != 0 else 1\nd = x in x\nassert x >= 0",
                         "x"));
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L, "%a = ((-(%x ** 2)) @ %x) % 3");
  EXPECT_IR_HAS(L, "%b = (%x is None) or (not ((%x > 1) and (%x <= 2)))");
  EXPECT_IR_HAS(L, "%c = %x if (%x != 0) else 1");
  EXPECT_IR_HAS(L, "%d = %x in %x");
  EXPECT_IR_HAS(L, "assert %x >= 0");
}

TEST(Lower, WhileLoops) {
  auto L = lower(inModel("i = 0\nwhile i < 3:\n    i = i + 1", ""));
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L, "while %i < 3:  @11:5\n  %i = %i + 1  @12:9");
}

TEST(Lower, MainGuardIsSkipped) {
  auto L = lower("def model():\n    pass\n\n\nif __name__ == \"__main__\":\n    import numpy\n");
  ASSERT_LOWERS(L);
}

TEST(Lower, PercentFormattedSiteNames) {
  // Pyro's examples name sites "obs_%d" % i: read like "obs_{}".format(i).
  auto L = lower(inModel(R"py(for t in range(3):
    pyro.sample("z_%d" % t, dist.Normal(0., 1.))
    pyro.sample("y_%s_%i" % ("a", t), dist.Normal(0., 1.))
    name = "w_%d%%" % t
    pyro.sample(name, dist.Normal(0., 1.))
    pyro.sample("v_%03d" % t, dist.Normal(0., 1.)))py"));
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L, "sample \"z_{}\"[%t] ~");
  EXPECT_IR_HAS(L, "sample \"y_a_{}\"[%t] ~"); // a known string is text
  EXPECT_IR_HAS(L, "sample \"w_{}%\"[%t] ~");
  // A width: the name is known only at run time.
  EXPECT_IR_HAS(L, "sample dynamic(");
  EXPECT_NE(svic::test::firstError(inModel("pyro.sample(f\"z_{x}_%d\" % 1, dist.Normal(0., 1.))", "x"))
                .find("'%' formatting of an f-string is not supported"),
            std::string::npos);
}

TEST(Lower, TorchSizeIsATuple) {
  auto L = lower(inModel("s = torch.Size((x.shape[0], 3))\nt = torch.Size([2])\nu = torch.Size()",
                         "x"));
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L, "%s = (%x.shape[0], 3)");
  EXPECT_IR_HAS(L, "%t = (2,)");
  EXPECT_IR_HAS(L, "%u = ()");
}

TEST(Lower, MultinomialTotalCountDefaultsToOne) {
  auto L = lower(inModel("pyro.sample(\"c\", dist.Multinomial(probs=p), obs=x)", "p, x"));
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L, "dist.Multinomial(1, %p)");
}

TEST(Lower, PoutineHandlersAppliedToAFunction) {
  auto L = lower(R"py(import pyro
import pyro.distributions as dist
from pyro import poutine


def local(x):
    return pyro.sample("z", dist.Normal(x, 1.))


def model(x):
    a = poutine.block(local, hide=["z"])(x)
    b = poutine.scale(local, scale=0.5)(x)
    return a + b
)py");
  ASSERT_LOWERS(L);
  // The blocked draw is not a site; the scaled call runs under the handler.
  EXPECT_IR_LACKS(L, "sample \"z\" ~ dist.Normal(%x, 1.0)\n");
  EXPECT_IR_HAS(L, "with scale(0.5):");
  EXPECT_IR_HAS(L, "sample \"z\" ~ dist.Normal(%x");
}

TEST(Lower, TransformedDistributions) {
  auto L = lower(R"py(import torch
import pyro
import pyro.distributions as dist
from torch.distributions import transforms


def model(a, b):
    u = pyro.sample("u", dist.TransformedDistribution(dist.Normal(0., 1.), transforms.ExpTransform()))
    v = pyro.sample("v", dist.TransformedDistribution(dist.Normal(0., 1.).expand([3]),
                                                      [transforms.AffineTransform(a, b)]))
    w = pyro.sample("w", dist.TransformedDistribution(dist.Normal(0., 1.),
                                                      dist.transforms.SigmoidTransform()))
)py");
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L, "sample \"u\" ~ dist.LogNormal(0.0, 1.0)");
  EXPECT_IR_HAS(L, "sample \"v\" ~ dist.Normal(%a + (%affine_scale.1 * 0.0), torch.abs(%affine_scale.1) * 1.0).expand([3])");
  EXPECT_IR_HAS(L, "sample \"w\" ~ dist.Normal(0.0, 1.0).biject_to()");
  // A map svic does not model: an opaque distribution of the base and the transforms.
  auto G = lower("import pyro\nimport pyro.distributions as dist\n\n\ndef model():\n"
                 "    pyro.sample(\"g\", dist.TransformedDistribution(dist.Gamma(1., 1.), "
                 "dist.transforms.ExpTransform()))\n");
  ASSERT_LOWERS(G);
  EXPECT_IR_HAS(G, "sample \"g\" ~ opaque<dist.TransformedDistribution>(dist.Gamma(1.0, 1.0), "
                   "<opaque 'dist.transforms.ExpTransform'>())");
  EXPECT_NE(G->diags().find("opaque distribution 'dist.TransformedDistribution' (not modelled: "
                            "'dist.transforms.ExpTransform()' of a Gamma is not modelled)"),
            std::string::npos)
      << G->diags();
}

TEST(Lower, PoutineBlockHideFnOnNames) {
  auto L = lower(R"py(import pyro
import pyro.distributions as dist
from pyro import poutine


def model():
    with poutine.block(expose_fn=lambda msg: msg["name"].startswith("keep_")):
        a = pyro.sample("keep_a", dist.Normal(0., 1.))
        b = pyro.sample("drop_b", dist.Normal(0., 1.))
        for t in range(2):
            pyro.sample("keep_{}".format(t), dist.Normal(a, 1.))
    with poutine.block(hide_fn=lambda m: m["name"] in ["c"] or not m["name"].endswith("_d")):
        c = pyro.sample("c", dist.Normal(0., 1.))
        d = pyro.sample("x_d", dist.Normal(0., 1.))
)py");
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L, "sample \"keep_a\" ~");
  EXPECT_IR_HAS(L, "sample \"keep_{}\"[%t] ~");
  EXPECT_IR_LACKS(L, "sample \"drop_b\"");
  EXPECT_IR_LACKS(L, "sample \"c\"");
  EXPECT_IR_HAS(L, "sample \"x_d\" ~");
  // A template whose literal text does not decide the predicate.
  EXPECT_NE(svic::test::firstError(
                "import pyro\nimport pyro.distributions as dist\nfrom pyro import poutine\n\n\n"
                "def model():\n"
                "    with poutine.block(hide_fn=lambda msg: msg[\"name\"] == \"z_1\"):\n"
                "        for t in range(2):\n"
                "            pyro.sample(\"z_{}\".format(t), dist.Normal(0., 1.))\n")
                .find("cannot be decided for the site 'z_{}'"),
            std::string::npos);
  EXPECT_NE(svic::test::firstError(
                "import pyro\nimport pyro.distributions as dist\nfrom pyro import poutine\n\n\n"
                "def model():\n"
                "    with poutine.block(hide_fn=lambda msg: msg[\"type\"] == \"sample\"):\n"
                "        pyro.sample(\"z\", dist.Normal(0., 1.))\n")
                .find("a hide_fn or expose_fn that is not a lambda or one-line def testing"),
            std::string::npos);
}

// Pyro's capture-recapture example passes a def and compares a prefix slice.
TEST(Lower, PoutineBlockFilterByDefAndNameSlice) {
  auto L = lower(R"py(import pyro
import pyro.distributions as dist
from pyro import poutine


def model():
    def exposed(msg):
        return msg["name"][:4] in ["keep", "x"]
    with poutine.block(expose_fn=exposed):
        pyro.sample("keep_a", dist.Normal(0., 1.))
        pyro.sample("drop_b", dist.Normal(0., 1.))
        pyro.sample("x", dist.Normal(0., 1.))
        pyro.sample("xy", dist.Normal(0., 1.))
        pyro.sample("keepsake_c", dist.Normal(0., 1.))
    with poutine.block(hide_fn=lambda m: m["name"][-2:] == "_h" or m["name"][0:2] == "abc"):
        pyro.sample("a_h", dist.Normal(0., 1.))
        pyro.sample("h", dist.Normal(0., 1.))
        pyro.sample("abc", dist.Normal(0., 1.))
)py");
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L, "sample \"keep_a\" ~");
  EXPECT_IR_HAS(L, "sample \"keepsake_c\" ~");
  EXPECT_IR_HAS(L, "sample \"x\" ~");
  EXPECT_IR_LACKS(L, "sample \"drop_b\"");
  EXPECT_IR_LACKS(L, "sample \"xy\"");
  EXPECT_IR_LACKS(L, "sample \"a_h\"");
  EXPECT_IR_HAS(L, "sample \"h\" ~");
  // A two-character slice never equals a three-character text.
  EXPECT_IR_HAS(L, "sample \"abc\" ~");
  // A def whose body is more than one return is not read.
  EXPECT_NE(svic::test::firstError(
                "import pyro\nimport pyro.distributions as dist\nfrom pyro import poutine\n\n\n"
                "def model():\n"
                "    def hidden(msg):\n"
                "        n = msg[\"name\"]\n"
                "        return n == \"z\"\n"
                "    with poutine.block(hide_fn=hidden):\n"
                "        pyro.sample(\"z\", dist.Normal(0., 1.))\n")
                .find("a hide_fn or expose_fn that is not a lambda or one-line def testing"),
            std::string::npos);
}

TEST(Lower, WarningFiltersAndDeviceMovesChangeNoValue) {
  auto L = lower(R"py(import torch
import torch.nn as nn
import pyro
import pyro.distributions as dist
from pyro.util import ignore_jit_warnings


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 1)

    def forward(self, x):
        return self.fc(x)


def model(x):
    net = Net()
    net = net.cuda()
    with ignore_jit_warnings():
        n, d = map(int, x.shape)
    pyro.module("net", net)
    pyro.sample("y", dist.Normal(net(x).squeeze(-1), 1.), obs=x[:, 0])
)py");
  ASSERT_LOWERS(L);
  EXPECT_IR_LACKS(L, "cuda");
  EXPECT_IR_HAS(L, "module \"net$$$fc\"");
}

TEST(Lower, TensorNumpyIsItsValue) {
  auto L = lower(inModel("a = (torch.ones(2) * x).numpy()\nb = x.numpy()", "x"));
  ASSERT_LOWERS(L);
  EXPECT_IR_HAS(L, "%a = torch.Tensor.detach(torch.ones(2) * %x)");
  // x may be anything: its numpy() stays opaque.
  EXPECT_IR_HAS(L, "%b = <opaque, may run user code 'x.numpy'>(%x)");
}

} // namespace
