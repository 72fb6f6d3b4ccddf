#!/usr/bin/env python3
"""End-to-end tests of the svic command line (run from the repository root).

Usage: test_cli.py SVIC_BINARY
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

SVIC = None
SPNOR = ["examples/paper/spnor/model.py", "--guide", "examples/paper/spnor/guide.py"]
BR_ORIGINAL = ["examples/paper/br_original/model.py", "--guide",
               "examples/paper/br_original/guide.py"]


def run(*args):
    return subprocess.run([SVIC, *args], capture_output=True, text=True, check=False)


def run_source(src, command, *args):
    """svic COMMAND funnel.py ARGS..., with funnel.py holding src in a temporary directory."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "funnel.py")
        with open(path, "w") as f:
            f.write(src)
        return run(command, path, *args)


class Usage(unittest.TestCase):
    def test_help_and_version_exit_zero(self):
        for args in (["--help"], ["--version"], ["analyze", "--help"], ["sites", "--help"]):
            r = run(*args)
            self.assertEqual(r.returncode, 0, args)
            self.assertTrue(r.stdout.strip(), args)

    def test_no_command_is_bad_input(self):
        self.assertEqual(run().returncode, 2)

    def test_unknown_command_names_it(self):
        r = run("frobnicate")
        self.assertEqual(r.returncode, 2)
        self.assertIn("unknown command 'frobnicate'", r.stderr)

    def test_unknown_option_and_format_and_property(self):
        self.assertEqual(run("analyze", *SPNOR, "--bogus").returncode, 2)
        r = run("analyze", *SPNOR, "--format", "xml")
        self.assertEqual(r.returncode, 2)
        self.assertIn("unknown format 'xml'", r.stderr)
        r = run("analyze", *SPNOR, "--property", "diff,smooth")
        self.assertEqual(r.returncode, 2)
        self.assertIn("unknown property 'smooth'", r.stderr)

    def test_missing_file_is_bad_input_with_message(self):
        r = run("sites", "no/such/file.py")
        self.assertEqual(r.returncode, 2)
        self.assertIn("no/such/file.py", r.stderr)
        self.assertIn("error", r.stderr)

    def test_entry_named_by_a_handler_value_is_located(self):
        # `m = poutine.scale(model, ...)`: svic does not analyse that handler's
        # value as an entry; the error points at it and says what to name instead.
        src = ("import pyro\nimport pyro.distributions as dist\nfrom pyro import poutine\n\n\n"
               "def model():\n"
               "    pyro.sample('x', dist.Normal(0., 1.))\n\n\n"
               "scaled_model = poutine.scale(model, scale=0.5)\n")
        r = run_source(src, "analyze", "--model-fn", "scaled_model")
        self.assertEqual(r.returncode, 2)
        self.assertIn("funnel.py:10:16: error: 'scaled_model' (named by --model-fn) is the value of "
                      "'poutine.scale(...)'", r.stderr)
        self.assertIn("[frontend.missing-entry]", r.stderr)

    def test_entry_named_by_a_reparam_handler_value(self):
        # `m = poutine.reparam(model, config=...)` is the reparameterised model.
        src = ("import pyro\nimport pyro.distributions as dist\nfrom pyro import poutine\n"
               "from pyro.infer.reparam import LocScaleReparam\n\n\ndef model():\n"
               "    pyro.sample('x', dist.Normal(0., 1.))\n\n\n"
               "reparam_model = poutine.reparam(model, config={'x': LocScaleReparam(0.)})\n")
        r = run_source(src, "sites", "--model-fn", "reparam_model", "--guide-fn", "AutoNormal")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("x_decentered", r.stdout)
        self.assertNotIn(" x ", r.stdout)


class JsonReport(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        r = run("analyze", *SPNOR, "--format", "json")
        assert r.returncode == 0, r.stderr
        cls.report = json.loads(r.stdout)

    def test_schema_header(self):
        self.assertEqual(self.report["schemaVersion"], 1)
        self.assertEqual(self.report["tool"]["name"], "svic")
        for key in ("programs", "supportMatch", "reparameterize", "diagnostics", "timings"):
            self.assertIn(key, self.report)

    def test_programs_and_partition_of_names(self):
        roles = [p["role"] for p in self.report["programs"]]
        self.assertEqual(roles, ["model", "guide"])
        for p in self.report["programs"]:
            latents = {s["name"] for s in p["sites"] if s["kind"] == "sample"}
            params = {s["name"] for s in p["sites"] if s["kind"] == "param"}
            for prop in ("diff", "lips", "cont"):
                sm = p["smoothness"][prop]
                smooth = sm["smooth"]
                broken = [b["name"] for b in sm["mayBreak"]]
                self.assertEqual(sorted(smooth + broken), sorted(latents | params))
                self.assertEqual(smooth, sorted(smooth))
                self.assertEqual(broken, sorted(broken))

    def test_spnor_facts(self):
        model = self.report["programs"][0]["smoothness"]["diff"]
        self.assertIn("z1", model["smooth"])
        z2 = [b for b in model["mayBreak"] if b["name"] == "z2"]
        self.assertEqual(len(z2), 1)
        ops = [w["operation"] for w in z2[0]["witnesses"]]
        self.assertTrue(any("if" in op or "comparison" in op for op in ops), ops)
        self.assertEqual(z2[0]["witnesses"][0]["location"]["line"], 20)
        self.assertEqual(self.report["reparameterize"]["selected"], ["z1"])
        self.assertEqual(self.report["supportMatch"]["verdict"], "match")

    def test_a_failed_condition_names_the_parameter_and_keeps_the_selection(self):
        # The guide's density jumps in the param loc: no estimator is unbiased in loc, and mu stays pathwise (the
        # report, the estimator and the warning must say the same).
        src = """import torch
import pyro
import pyro.distributions as dist


def model():
    pyro.sample("mu", dist.Normal(0., 1.))


def guide():
    loc = pyro.param("loc", torch.tensor(0.))
    scale = torch.tensor(0.5)
    if loc > 0:
        scale = scale * 2
    pyro.sample("mu", dist.Normal(loc, scale))
"""
        r = run_source(src, "analyze", "--format", "json")
        self.assertEqual(r.returncode, 0, r.stderr)
        report = json.loads(r.stdout)
        self.assertEqual(report["reparameterize"]["selected"], ["mu"])
        self.assertFalse(report["reparameterize"]["conditionHolds"])
        failed = [d for d in report["diagnostics"] if d["id"] == "reparam.condition-failed"]
        self.assertEqual(len(failed), 1, report["diagnostics"])
        self.assertEqual(failed[0]["location"]["line"], 11)  # the pyro.param
        self.assertIn("parameter 'loc'", failed[0]["message"])
        self.assertIn("selected latents keep the pathwise estimator", failed[0]["message"])
        self.assertFalse([d for d in report["diagnostics"] if d["id"] == "reparam.score"], report["diagnostics"])


class Sarif(unittest.TestCase):
    def test_sarif_shape_and_rules(self):
        r = run("analyze", *BR_ORIGINAL, "--format", "sarif")
        self.assertEqual(r.returncode, 0, r.stderr)
        log = json.loads(r.stdout)
        self.assertEqual(log["version"], "2.1.0")
        run0 = log["runs"][0]
        rule_ids = [rule["id"] for rule in run0["tool"]["driver"]["rules"]]
        self.assertEqual(len(rule_ids), len(set(rule_ids)))
        results = run0["results"]
        mismatches = [x for x in results if x["ruleId"] == "support.mismatch"]
        self.assertTrue(mismatches, results)
        for x in results:
            self.assertIn(x["ruleId"], rule_ids)
            self.assertEqual(rule_ids[x["ruleIndex"]], x["ruleId"])
        region = mismatches[0]["locations"][0]["physicalLocation"]
        self.assertTrue(region["artifactLocation"]["uri"].endswith("guide.py"))
        self.assertGreater(region["region"]["startLine"], 0)


class Werror(unittest.TestCase):
    def test_support_mismatch_exits_one_with_werror_only(self):
        self.assertEqual(run("analyze", *BR_ORIGINAL).returncode, 0)
        r = run("analyze", *BR_ORIGINAL, "--werror")
        self.assertEqual(r.returncode, 1)
        self.assertIn("[support.mismatch]", r.stdout)
        self.assertIn("sigma", r.stdout)


class ShapeMismatch(unittest.TestCase):
    def test_a_shape_mismatch_is_not_called_a_support_mismatch(self):
        # Pyro's eight-schools example: the guide's eta is [8, 1] (batch 8, event 1), the model's [8] (event 8).
        src = ("import torch\nimport pyro\nimport pyro.distributions as dist\n\n\n"
               "def model():\n"
               "    pyro.sample('eta', dist.Normal(torch.zeros(8), torch.ones(8)).to_event(1))\n\n\n"
               "def guide():\n"
               "    pyro.sample('eta', dist.Normal(torch.zeros(8, 1), torch.ones(8, 1)).to_event(1))\n")
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "eight.py")
            with open(path, "w") as f:
                f.write(src)
            r = run("analyze", path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("eight.py:11:5: error: guide samples 'eta' from Normal with a value of another shape than the "
                      "model's (both supports are real) [support.mismatch]", r.stdout)
        self.assertIn("value shapes differ: model [8], guide [8, 1]", r.stdout)


class OutputFile(unittest.TestCase):
    def test_output_written_whole_and_no_temporary_left(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "report.json")
            r = run("analyze", *SPNOR, "--format", "json", "-o", out)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout, "")
            self.assertEqual(json.load(open(out))["schemaVersion"], 1)
            self.assertEqual(os.listdir(d), ["report.json"])

    def test_unwritable_output_is_bad_input(self):
        r = run("analyze", *SPNOR, "-o", "/nonexistent-dir/report.txt")
        self.assertEqual(r.returncode, 2)
        self.assertIn("cannot write", r.stderr)


class Sites(unittest.TestCase):
    def test_sites_json_lists_every_kind(self):
        r = run("sites", "examples/tutorial/linear_regression.py", "--format", "json")
        self.assertEqual(r.returncode, 0, r.stderr)
        kinds = {s["kind"] for p in json.loads(r.stdout)["programs"] for s in p["sites"]}
        self.assertTrue({"sample", "observe", "param"} <= kinds, kinds)


    def test_columns_align_for_non_ascii_site_names(self):
        # Greek site names (as in Pyro's model-rendering tutorial) take one
        # column per character: every row's kind starts in the same column.
        src = ("import pyro\nimport pyro.distributions as dist\n\n\n"
               "def model():\n"
               "    pyro.sample('\u03b8', dist.Beta(2.0, 2.0))\n"
               "    pyro.sample('rate', dist.Gamma(2.0, 1.0))\n")
        r = run_source(src, "sites")
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = [line for line in r.stdout.splitlines() if " sample " in line]
        self.assertEqual(len(rows), 2, r.stdout)
        self.assertEqual(len({row.index(" sample ") for row in rows}), 1, r.stdout)


class OpaqueCalls(unittest.TestCase):
    SOURCE = ("import scipy.special\nimport torch\nimport pyro\nimport pyro.distributions as dist\n\n\n"
              "def model(data):\n"
              "    z = pyro.sample(\"z\", dist.Normal(0., 1.))\n"
              "    pyro.sample(\"x\", dist.Normal(scipy.special.expit(z), 1.), obs=data)\n\n\n"
              "def guide(data):\n"
              "    loc = pyro.param(\"loc\", torch.tensor(0.))\n"
              "    pyro.sample(\"z\", dist.Normal(loc, 1.))\n")

    def test_analysed_but_not_compiled(self):
        with tempfile.TemporaryDirectory() as d:
            src = os.path.join(d, "m.py")
            data = os.path.join(d, "d.json")
            with open(src, "w") as f:
                f.write(self.SOURCE)
            with open(data, "w") as f:
                f.write('{"data": 0.5}')
            r = run("analyze", src)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("[svic.opaque-call]", r.stdout)
            self.assertIn("'opaque call to 'scipy.special.expit' (not modelled)' depends on 'z'",
                          r.stdout)
            r = run("grad", src, "--data", data)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn("m.py:9:34: error: opaque call to 'scipy.special.expit' (not modelled) "
                          "[compile.unsupported]", r.stderr)


class AnalyzeData(unittest.TestCase):
    """`svic analyze --data`: the estimator's loader gives the entry inputs'
    values and shapes, so verdicts that depend on them become definite."""
    SOURCE = ("import torch\nimport pyro\nimport pyro.distributions as dist\n\n\n"
              "def model(x, T):\n"
              "    for t in range(T):\n"
              "        pyro.sample(\"z_{}\".format(t), dist.Normal(0., 1.))\n"
              "    with pyro.plate(\"data\", x.shape[0]):\n"
              "        pyro.sample(\"obs\", dist.Normal(0., 1.), obs=x)\n\n\n"
              "def guide(x, T):\n"
              "    loc = pyro.param(\"loc\", torch.zeros(3))\n"
              "    for t in range(3):\n"
              "        pyro.sample(\"z_{}\".format(t), dist.Normal(loc[t], 1.))\n")

    def test_scalar_and_array_inputs(self):
        with tempfile.TemporaryDirectory() as d:
            src = os.path.join(d, "m.py")
            data = os.path.join(d, "d.json")
            with open(src, "w") as f:
                f.write(self.SOURCE)
            with open(data, "w") as f:
                f.write('{"x": [0.5, 1.5, 2.0], "T": 3, "extra": 1}')
            r = run("analyze", src)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("support match: unknown", r.stdout)
            r = run("analyze", src, "--data", data)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("support match: match", r.stdout)
            self.assertIn("'extra' is not an argument of the model or guide entry function",
                          r.stderr)
            r = run("analyze", src, "--data", data, "--dump-ir")
            self.assertIn("%x = torch.clamp(torch.Tensor.view(%x, 3), 0.5, 2.0)", r.stdout)
            self.assertIn("%T = 3", r.stdout)
            with open(data, "w") as f:
                f.write('{"x": [0.5, [1.5]]}')
            r = run("analyze", src, "--data", data)
            self.assertEqual(r.returncode, 2)
            self.assertIn("not rectangular", r.stderr)

    def test_entry_defaults_unless_the_data_gives_them(self):
        src_text = ("import torch\nimport pyro\nimport pyro.distributions as dist\n\n\n"
                    "def model(x, T=2):\n"
                    "    for t in range(T):\n"
                    "        pyro.sample(\"z_{}\".format(t), dist.Normal(0., 1.))\n\n\n"
                    "def guide(x, T=2):\n"
                    "    for t in range(3):\n"
                    "        pyro.sample(\"z_{}\".format(t), dist.Normal(0., 1.))\n")
        with tempfile.TemporaryDirectory() as d:
            src = os.path.join(d, "m.py")
            data = os.path.join(d, "d.json")
            with open(src, "w") as f:
                f.write(src_text)
            # T = 2 by default: the guide samples z_2, the model does not.
            r = run("analyze", src)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("support match: mismatch", r.stdout)
            with open(data, "w") as f:
                f.write('{"x": 1.0, "T": 3}')
            r = run("analyze", src, "--data", data)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("support match: match", r.stdout)
            self.assertNotIn("is not an argument", r.stderr)

    def test_paper_programs_with_data_are_definite(self):
        for name in ("cvae", "prodlda", "scanvi"):
            args = ["analyze", f"examples/paper/{name}/model.py", "--guide",
                    f"examples/paper/{name}/guide.py"]
            r = run(*args)
            self.assertIn("support match: unknown", r.stdout, name)
            r = run(*args, "--data", f"examples/data/{name}.npz")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("support match: match", r.stdout, name)


if __name__ == "__main__":
    SVIC = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=1)
