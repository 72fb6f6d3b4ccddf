//===- ErrorsTest.cpp - One message per rejected construct ------------------===//

#include "TestUtil.h"

#include <gtest/gtest.h>

using svic::test::firstError;
using svic::test::inModel;

namespace {

struct Case {
  const char *Body;     ///< the body of model()
  const char *Expected; ///< `line:col: message [id]` of the first error
};

class BadConstruct : public ::testing::TestWithParam<Case> {};

TEST_P(BadConstruct, IsNamedWithItsLocation) {
  EXPECT_EQ(firstError(inModel(GetParam().Body, "x")), GetParam().Expected);
}

// Bodies start at line 10, column 5 (see inModel).
const Case Cases[] = {
    {"f = [lambda v: v]", "10:10: lambda expressions are supported only when assigned to a "
                          "name, as the initial value of pyro.param or as an argument of an "
                          "opaque call; define a helper function with def "
                          "[frontend.unsupported-construct]"},
    {"a = [v for v in pyro.plate(\"p\", 3)]",
     "10:21: comprehensions over pyro.plate are not supported; use a for loop "
     "[frontend.unsupported-construct]"},
    {"a = [v async for v in x]", "10:9: asynchronous comprehensions are not supported; use a "
                                 "plain for [frontend.unsupported-construct]"},
    {"try:\n    pass\nexcept:\n    pass",
     "10:5: try statements are not supported [frontend.unsupported-construct]"},
    {"with open(x):\n    pass",
     "10:10: with statements over 'open(x)' are not supported; svic accepts pyro.plate, "
     "poutine.scale, poutine.mask, poutine.block, poutine.reparam and torch.no_grad "
     "[frontend.unsupported-construct]"},
    {"global x", "10:5: global statements are not supported; pass the value as an argument and "
                 "return it [frontend.unsupported-construct]"},
    {"yield x", "10:5: generator functions (yield) are not supported; return a value or append to "
                "a list [frontend.unsupported-construct]"},
    {"a = torch.zeros(*x)", "10:21: argument unpacking (*args, **kwargs) is not supported; pass "
                            "the arguments one by one [frontend.unsupported-construct]"},
    {"for t in range(3):\n    break", "11:9: break statements are not supported; restructure the "
                                      "loop with a condition [frontend.unsupported-construct]"},
    {"for t in range(3):\n    continue", "11:9: continue statements are not supported; use an if "
                                         "statement in the loop body "
                                         "[frontend.unsupported-construct]"},
    {"a = (b := 1)", "10:10: assignment expressions (:=) are not supported; assign in a separate "
                     "statement [frontend.unsupported-construct]"},
    {"a = 0 < x < pyro.sample(\"z\", dist.Normal(0., 1.))",
     "10:17: 'pyro.sample' in a chained comparison is not supported; assign it to a variable in "
     "a statement before [frontend.unsupported-construct]"},
    {"a = f\"z_{x}_%d\" % x", "10:9: '%' formatting of an f-string is not supported; put the "
                              "values in the f-string [frontend.unsupported-construct]"},
    {"del x", "10:5: del statements are not supported; assign a new value instead "
              "[frontend.unsupported-construct]"},
    {"raise ValueError()", "10:5: raise statements are not supported "
                           "[frontend.unsupported-construct]"},
    {"a = x << 1", "10:9: the '<<' operator is not supported [frontend.unsupported-construct]"},
    {"a = 3j", "10:9: complex numbers are not supported [frontend.unsupported-construct]"},
    {"a = b'x'", "10:9: bytes literals are not supported; use a str literal "
                 "[frontend.unsupported-construct]"},
    {"a, *b = x", "10:8: starred assignment targets are not supported; index the value "
                  "[frontend.unsupported-construct]"},
    {"for a, *b in x:\n    pass", "10:12: starred assignment targets are not supported; index "
                                  "the value [frontend.unsupported-construct]"},
    {"for t in range(3):\n    pass\nelse:\n    pass",
     "10:5: for-else statements are not supported; move the else block after the loop "
     "[frontend.unsupported-construct]"},
    {"a = range(3)", "10:9: range(...) is supported only as the iterable of a for loop "
                     "[frontend.unsupported-construct]"},
    {"a = dist.Normal", "10:9: 'dist.Normal' cannot be used as a value; call it "
                        "[frontend.unsupported-construct]"},
    {"a = pyro.sample(\"z\", 2)", "10:26: the second argument of pyro.sample must be a "
                                  "distribution, not '2' [frontend.unsupported-construct]"},
    {"a = dist.Normal(0., 1., foo=1)", "10:29: 'dist.Normal' got an unexpected keyword argument "
                                       "'foo' [frontend.bad-arguments]"},
    {"a = dist.Normal(0.)", "10:9: 'dist.Normal' is missing the required argument 'scale' "
                            "[frontend.bad-arguments]"},
    {"a = torch.exp(x, x)", "10:22: 'torch.exp' takes at most 1 positional argument but 2 were "
                            "given [frontend.bad-arguments]"},
    {"a = F.relu(x, x, x)", "10:22: 'F.relu' takes at most 2 positional arguments but 3 were "
                            "given [frontend.bad-arguments]"},
    {"a = torch.exp(x, input=x)", "10:22: 'torch.exp' got multiple values for the argument "
                                  "'input' [frontend.bad-arguments]"},
    {"pyro.sample(\"z\", dist.Normal(0., 1.), obs_mask=x)",
     "10:52: the obs_mask argument of pyro.sample is not supported; use .mask(...) on the "
     "distribution [frontend.unsupported-construct]"},
    {"pyro.sample(\"z\", torch.ones(2))", "10:22: the second argument of pyro.sample must be a "
                                          "distribution, not 'torch.ones(2)' "
                                          "[frontend.unsupported-construct]"},
    {"pyro.param(\"p\", x, constraint=x)",
     "10:35: the constraint of pyro.param must be a torch.distributions.constraints value, not "
     "'x' [frontend.bad-arguments]"},
    {"a = constraints.frob", "10:9: unknown constraint 'constraints.frob' "
                             "[frontend.unknown-name]"},
    {"a = x + pyro.plate(\"p\", 3)",
     "10:13: pyro.plate can only be used in a with or for statement, or assigned to a variable "
     "used there [frontend.unsupported-construct]"},
    {"with pyro.poutine.scale(None):\n    pass",
     "10:10: 'poutine.scale' is missing the required argument 'scale' [frontend.bad-arguments]"},
    {"with pyro.poutine.block(hide_fn=lambda m: True):\n    pass",
     "10:37: poutine.block with a hide_fn or expose_fn that is not a lambda or one-line def "
     "testing msg[\"name\"] (startswith, endswith, ==, in a literal list, also on "
     "msg[\"name\"][:k], not/and/or) is not supported; list the sites in hide=[...] or "
     "expose=[...] [frontend.unsupported-construct]"},
    {"with pyro.poutine.block(hide=['a']) as b:\n    pass",
     "10:44: 'as' is supported only on pyro.plate [frontend.unsupported-construct]"},
    {"with pyro.poutine.trace():\n    pass",
     "10:10: with statements over 'pyro.poutine.trace()' are not supported; svic accepts "
     "pyro.plate, poutine.scale, poutine.mask, poutine.block, poutine.reparam and torch.no_grad "
     "[frontend.unsupported-construct]"},
    {"with torch.no_grad() as g:\n    pass",
     "10:29: 'as' is supported only on pyro.plate [frontend.unsupported-construct]"},
    {"a = x and (pyro.sample(\"z\", dist.Normal(0., 1.)) if x else 0)",
     "10:16: 'pyro.sample' inside 'and' is not supported; assign it to a variable in a "
     "statement before [frontend.unsupported-construct]"},
    {"while pyro.sample(\"z\", dist.Normal(0., 1.)) > 0:\n    pass",
     "10:11: 'pyro.sample' inside a while condition is not supported; assign it to a variable in "
     "a statement before [frontend.unsupported-construct]"},
    {"a = x[1:2:3:4]", "10:16: invalid syntax: expected ']', found ':' [frontend.syntax]"},
    {"f(x) = 1", "10:5: cannot assign to 'f(x)' [frontend.syntax]"},
    {"a = nn.Sequential(torch.ones(2))", "10:23: the members of nn.Sequential must be nn modules "
                                         "[frontend.unsupported-construct]"},
    {"p = pyro.plate(\"p\", 3)\na = len(p)", "11:13: the plate object 'p' can only be used in "
                                             "a with or for statement "
                                             "[frontend.unsupported-construct]"},
};

INSTANTIATE_TEST_SUITE_P(Frontend, BadConstruct, ::testing::ValuesIn(Cases));

TEST(Errors, ClassAndDecoratorsAtModuleLevel) {
  // A class or function handed on as a value is a value of unknown kind (an
  // opaque value).
  EXPECT_EQ(firstError("class A:\n    pass\n\n\ndef model():\n    a = A\n"), "<no error>");
  EXPECT_EQ(firstError("def f():\n    pass\n\n\ndef model():\n    a = f\n"), "<no error>");
  EXPECT_EQ(firstError("def d(f):\n    return f\n\n\n@d\ndef model():\n    pass\n"),
            "5:2: decorators are not supported; remove '@d' (svic accepts "
            "@poutine.scale(scale=...), @poutine.mask(mask=...), @poutine.block(...), "
            "@poutine.reparam(config=...) and @torch.no_grad()) [frontend.unsupported-construct]");
  EXPECT_EQ(firstError("async def model():\n    pass\n"),
            "1:1: async functions are not supported; use a plain def "
            "[frontend.unsupported-construct]");
  EXPECT_EQ(firstError("from os import *\n\n\ndef model():\n    e = getcwd()\n"),
            "5:9: name 'getcwd' is not defined [frontend.unknown-name]");
  // An entry may take *args/**kwargs it never reads (a guide that ignores the model's arguments).
  EXPECT_EQ(firstError("def model(*args):\n    return args[0]\n"),
            "2:12: the entry's variadic parameter 'args' is read: svic does not know what the caller "
            "passes in it; list the parameters by name [frontend.unsupported-construct]");
  EXPECT_EQ(firstError("def model(**kw):\n    def f():\n        return kw\n    return f()\n"),
            "3:16: the entry's variadic parameter 'kw' is read: svic does not know what the caller "
            "passes in it; list the parameters by name [frontend.unsupported-construct]");
  auto L = svic::test::lower("import pyro\nimport pyro.distributions as dist\n\n\n"
                             "def model(*args, **kwargs):\n"
                             "    args = 1.0\n" // a local of the same name is a plain variable
                             "    pyro.sample('z', dist.Normal(args, 1.0))\n");
  EXPECT_EQ(L->DE.errorCount(), 0u) << L->diags();
}

TEST(Errors, EmptyFilesAndMissingEntries) {
  EXPECT_EQ(firstError(""),
            "'test.py' holds no code; expected a model function [frontend.empty-file]");
  EXPECT_EQ(firstError("# only a comment\n\n"),
            "'test.py' holds no code; expected a model function [frontend.empty-file]");
  EXPECT_EQ(firstError("\"\"\"Only a docstring.\"\"\"\n"),
            "'test.py' holds no code; expected a model function [frontend.empty-file]");
  EXPECT_EQ(firstError("x = 1\n"), "no model function in 'test.py'; define 'model' (or 'main'), "
                                   "or name the function with --model-fn [frontend.missing-entry]");
}

TEST(Errors, WithoutModelTheFunctionsThatSampleAreListed) {
  // A script that hands its models to MCMC in a loop: main samples nothing itself.
  const std::string Models =
      "import pyro\nimport pyro.distributions as dist\n\n\n"
      "def pooled(n):\n    return pyro.sample('p', dist.Beta(1.0, 1.0))\n\n\n"
      "def helper():\n    return pooled(3)\n\n\n"
      "def plain(x):\n    return x + 1\n\n\n";
  EXPECT_EQ(
      firstError(Models + "def main():\n    for m in (pooled, helper):\n        print(m)\n"),
      "no model function in 'test.py' ('main' samples nothing); the functions that sample are "
      "'pooled' (line 5), 'helper' (line 9): choose the model with --model-fn "
      "[frontend.missing-entry]");
  EXPECT_EQ(firstError(Models), "no model function in 'test.py'; the functions that sample are "
                                "'pooled' (line 5), 'helper' (line 9): "
                                "choose the model with --model-fn [frontend.missing-entry]");
  // A main that reaches a sample statement is still the entry.
  auto L = svic::test::lower(Models + "def main():\n    helper()\n");
  EXPECT_EQ(L->DE.errorCount(), 0u) << L->diags();
}

TEST(Errors, TheOnlyFunctionThatSamplesIsTheModel) {
  const std::string Src = "import pyro\nimport pyro.distributions as dist\n\n\n"
                          "def thermometer(reading):\n"
                          "    t = pyro.sample('t', dist.Normal(20.0, 5.0))\n"
                          "    return pyro.sample('r', dist.Normal(t, 0.5), obs=reading)\n\n\n"
                          "def report(x):\n    return x * 2\n";
  auto L = svic::test::lower(Src);
  ASSERT_EQ(L->DE.errorCount(), 0u) << L->diags();
  EXPECT_EQ(L->Programs->Model->EntryFunction, "thermometer");
  EXPECT_NE(L->diags().find("the only function that samples, 'thermometer', is taken as the model"),
            std::string::npos)
      << L->diags();
  // A lone sampling function named guide is not taken as the model.
  EXPECT_NE(firstError("import pyro\nimport pyro.distributions as dist\n\n\n"
                       "def guide():\n    pyro.sample('t', dist.Normal(0., 1.))\n")
                .find("the functions that sample are 'guide'"),
            std::string::npos);
}

TEST(Errors, TheModelThatAKernelRunsIsTheEntry) {
  const std::string Models =
      "import pyro\nimport pyro.distributions as dist\nfrom pyro.infer import MCMC, NUTS, HMC\n\n\n"
      "def pooled(n):\n    return pyro.sample('p', dist.Beta(1.0, 1.0))\n\n\n"
      "def separate(n):\n    return pyro.sample('q', dist.Beta(2.0, 1.0))\n\n\n";
  auto L =
      svic::test::lower(Models + "def main():\n    MCMC(NUTS(separate), num_samples=10).run(3)\n");
  ASSERT_EQ(L->DE.errorCount(), 0u) << L->diags();
  EXPECT_EQ(L->Programs->Model->EntryFunction, "separate");
  L = svic::test::lower(Models +
                        "def main():\n    MCMC(HMC(model=pooled), num_samples=10).run(3)\n");
  ASSERT_EQ(L->DE.errorCount(), 0u) << L->diags();
  EXPECT_EQ(L->Programs->Model->EntryFunction, "pooled");
  // Two kernels over different models: the candidates.
  EXPECT_NE(firstError(Models + "def main():\n    NUTS(pooled)\n    NUTS(separate)\n")
                .find("the functions that sample are 'pooled'"),
            std::string::npos);
}

TEST(Errors, APositionalArgumentAfterTheDistributionIsNoObservation) {
  // Pyro 1.x reads obs only as a keyword; the third positional argument goes
  // to the distribution. Taking it as obs would hide the latent site.
  EXPECT_EQ(firstError("import pyro\nimport pyro.distributions as dist\n\n\n"
                       "def model(y):\n"
                       "    pyro.sample('w', dist.Normal(0., 1.), y)\n"),
            "6:43: pyro.sample takes obs, obs_mask and infer as keyword arguments; a positional "
            "argument after the distribution is passed to it, which svic does not model "
            "(write obs=...) [frontend.bad-arguments]");
}

TEST(Errors, ExplicitSubsampleIndicesOutsideAWithPlate) {
  // A with-plate binds the given indices; a sequential plate would have to
  // iterate over them, which svic does not model yet.
  EXPECT_EQ(firstError("import pyro\nimport pyro.distributions as dist\n\n\n"
                       "def model(ind):\n"
                       "    for i in pyro.plate('p', 10, subsample=ind):\n"
                       "        pyro.sample('z_{}'.format(i), dist.Normal(0., 1.))\n"),
            "6:44: explicit subsample indices are supported in 'with pyro.plate(..., "
            "subsample=indices)' only; use subsample_size here [frontend.unsupported-construct]");
}

TEST(Errors, GlobalDoesNotCascade) {
  auto L = svic::test::lower("g = 0\n\n\ndef model():\n    global g\n    g = g + 1\n");
  EXPECT_EQ(L->DE.errorCount(), 1u) << L->diags();
}

TEST(Errors, DeepNestingIsReportedNotACrash) {
  auto Repeat = [](const std::string &S, int N) {
    std::string Out;
    for (int I = 0; I < N; ++I)
      Out += S;
    return Out;
  };
  // 1000 terms are fine.
  auto Ok = svic::test::lower("def model(a):\n    x = a" + Repeat(" + a", 999) + "\n");
  EXPECT_TRUE(Ok->ok()) << Ok->diags();
  for (const std::string &Body :
       {"x = " + Repeat("(", 5000) + "1" + Repeat(")", 5000), "x = " + Repeat("-", 20000) + "1",
        "x = a" + Repeat(" + a", 5000), "x = f" + Repeat("()", 5000)}) {
    auto L = svic::test::lower("def model(a):\n    " + Body + "\n");
    EXPECT_FALSE(L->Programs);
    EXPECT_NE(L->diags().find("nested too deeply"), std::string::npos) << L->diags();
  }
}

TEST(Errors, LoweringContinuesAfterAnError) {
  auto L = svic::test::lower(inModel("a = [lambda: 1]\nb = 3j\nc = undefined_name", ""));
  EXPECT_FALSE(L->Programs);
  EXPECT_EQ(L->DE.errorCount(), 3u) << L->diags();
}

TEST(Errors, DiagnosticsInInlinedCodeNameTheCall) {
  auto L =
      svic::test::lower("def helper():\n    return lambda: 1\n\n\ndef model():\n    helper()\n");
  ASSERT_EQ(L->DE.diagnostics().size(), 1u);
  const svic::Diagnostic &D = L->DE.diagnostics()[0];
  EXPECT_EQ(D.Loc.Line, 2u);
  ASSERT_NE(D.Loc.Inlined, 0u);
  EXPECT_EQ(L->SM.inlineFrame(D.Loc.Inlined).CallSite.Line, 6u);
  std::string Text = svic::renderText(D, L->SM, false);
  EXPECT_NE(Text.find("test.py:6:5: note: in code inlined from this call to 'helper'"),
            std::string::npos)
      << Text;
}

} // namespace
