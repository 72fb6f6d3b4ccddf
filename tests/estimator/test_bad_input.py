#!/usr/bin/env python3
"""Bad input for `svic grad` / `svic run`: exit 2 with a message that names the problem.

- a missing data argument (no --data, a JSON or CSV without the entry argument `y`): names `y` and its
  expected shape (170 elements: the plate `data` of br-reference);
- a wrongly shaped data argument (y with 100 elements, y as a matrix): names `y`, the expected shape;
- a model that produces NaN (tests/estimator/programs/nan_model.py, log_nan_model.py): exit 2, names the site and
  the step; the last good checkpoint is present, valid and finite.

Usage: test_bad_input.py SVIC_BINARY
"""
import csv
import json
import os
import re
import sys
import tempfile
import unittest

import svic_est as S

PROG = "tests/estimator/programs"


def errors(r):
    """The diagnostic lines of svic's stderr (not the quoted source excerpts or progress lines)."""
    return "\n".join(l for l in r.stderr.splitlines() if "error" in l)


def word(w):
    return re.compile(r"(?<![A-Za-z0-9_])%s(?![A-Za-z0-9_])" % re.escape(w))


def read_br():
    cols = {"x1": [], "x2": [], "y": []}
    with open(os.path.join(S.BR_REF, "data.csv")) as f:
        for row in csv.DictReader(f):
            for k in cols:
                cols[k].append(float(row[k]))
    return cols


@unittest.skipUnless(S.BR_REF, "../shared/benchmarks/br-reference not found")
class BadData(S.TempDirTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cols = read_br()

    def write_json(self, name, obj):
        path = self.path(name)
        with open(path, "w") as f:
            json.dump(obj, f)
        return path

    def check(self, data, arg, expect_shape=True, commands=("grad", "run")):
        """arg: the argument the message must name, or a tuple of which any one will do."""
        names = arg if isinstance(arg, tuple) else (arg,)
        for cmd in commands:
            extra = ["--samples", 4] if cmd == "grad" else ["--steps", 5]
            args = [cmd, S.BR[0], *(["--data", data] if data else []), *extra]
            r = S.run(*args)
            self.assertEqual(r.returncode, 2, S.describe(r))
            self.assertTrue(any(word(a).search(errors(r)) for a in names),
                            "the message should name the argument %s\n%s" % (" or ".join(names), S.describe(r)))
            if expect_shape:
                self.assertIn("170", errors(r), "the message should give the expected shape [170]\n"
                              + S.describe(r))

    def test_no_data_at_all(self):
        # All three entry arguments are missing; the message must name at least the first one.
        for cmd in ("grad", "run"):
            extra = ["--samples", 4] if cmd == "grad" else ["--steps", 5]
            r = S.run(cmd, S.BR[0], *extra)
            self.assertEqual(r.returncode, 2, S.describe(r))
            self.assertTrue(word("x1").search(errors(r)) or "--data" in errors(r), S.describe(r))

    def test_missing_argument_json(self):
        self.check(self.write_json("no_y.json", {"x1": self.cols["x1"], "x2": self.cols["x2"]}), "y")

    def test_missing_argument_csv(self):
        path = self.path("no_y.csv")
        with open(path, "w") as f:
            f.write("x1,x2\n")
            for a, b in zip(self.cols["x1"], self.cols["x2"]):
                f.write("%r,%r\n" % (a, b))
        self.check(path, "y")

    def test_wrong_length(self):
        self.check(self.write_json("short_y.json", {"x1": self.cols["x1"], "x2": self.cols["x2"],
                                                    "y": self.cols["y"][:100]}), "y")

    def test_wrong_rank(self):
        y = self.cols["y"]
        self.check(self.write_json("matrix_y.json", {"x1": self.cols["x1"], "x2": self.cols["x2"],
                                                     "y": [y[i:i + 10] for i in range(0, 170, 10)]}), "y")

    def test_wrong_length_csv(self):
        path = self.path("short.csv")
        with open(path, "w") as f:
            f.write("x1,x2,y\n")
            for a, b, c in list(zip(self.cols["x1"], self.cols["x2"], self.cols["y"]))[:100]:
                f.write("%r,%r,%r\n" % (a, b, c))
        self.check(path, ("x1", "x2", "y"))   # all three are 100 long

    def test_missing_data_file(self):
        r = S.run("grad", S.BR[0], "--data", "no/such/data.json", "--samples", 4)
        self.assertEqual(r.returncode, 2, S.describe(r))
        self.assertIn("no/such/data.json", errors(r))


class BadParams(unittest.TestCase):
    """--params P.json: a missing file, an unknown param, a wrong size, a value outside the constraint."""

    def check(self, params, *must, model=None):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "p.json")
            if params is not None:
                with open(path, "w") as f:
                    json.dump(params, f)
            r = S.run("grad", *(model or S.SPNOR), "--samples", 4, "--params", path)
        self.assertEqual(r.returncode, 2, S.describe(r))
        for m in must:
            self.assertRegex(errors(r), word(m), S.describe(r))

    def test_missing_file(self):
        self.check(None, "p.json")

    def test_unknown_param(self):
        self.check({"theta1": 1.0, "bogus": 2.0}, "bogus")

    def test_wrong_size(self):
        self.check({"theta1": [1.0, 2.0]}, "theta1")

    @unittest.skipUnless(S.BR_REF, "../shared/benchmarks/br-reference not found")
    def test_outside_constraint(self):
        self.check({"a_scale": -1.0}, "a_scale", model=S.BR)


class IndexOutOfRange(S.TempDirTest):
    """An index outside its dimension, where torch raises IndexError: a gather takes [-n, n), a scatter [0, n).
    Known data fails when svic compiles; a compiled program checks every index again when it runs: a drawn
    index, and data other than the data it was compiled with."""
    PROGRAM = os.path.join(PROG, "index_range.py")
    GOOD = {"ids": [0, 1, 2, -3], "words": [0, 1, 1, 3, 2], "y": [0.5, 1.0, -0.3, 0.2], "shift": 0}

    def data(self, name, **change):
        path = self.path(name + ".json")
        with open(path, "w") as f:
            json.dump({**self.GOOD, **change}, f)
        return path

    def fails_at(self, r, line, col, what):
        self.assertEqual(r.returncode, 2, S.describe(r))
        self.assertRegex(errors(r), r"index_range\.py:%d:%d: error: .*%s" % (line, col, what), S.describe(r))

    def test_in_range_runs(self):
        r = S.run("grad", self.PROGRAM, "--data", self.data("good"), "--samples", 8)
        self.assertEqual(r.returncode, 0, S.describe(r))

    def test_known_data_out_of_range_fails_to_compile(self):
        for cmd, extra in (("grad", ["--samples", 4]), ("run", ["--steps", 3])):
            self.fails_at(S.run(cmd, self.PROGRAM, "--data", self.data("ids3", ids=[0, 1, 3, 0]), *extra),
                          15, 40, "index 3 is out of bounds for dimension 0 with size 3")
            self.fails_at(S.run(cmd, self.PROGRAM, "--data", self.data("ids-4", ids=[0, -4, 1, 0]), *extra),
                          15, 40, "index -4 is out of bounds")
            self.fails_at(S.run(cmd, self.PROGRAM, "--data", self.data("words-1", words=[0, 1, -1, 3, 2]), *extra),
                          12, 14, "index -1 is out of bounds for dimension 0 with size 4")

    def test_drawn_index_out_of_range_fails_when_it_runs(self):
        # shift 1 moves the draw z = 2 to 3; some of the 64 samples draw it.
        for cmd, extra in (("grad", ["--samples", 64]), ("run", ["--steps", 3, "--samples", 64])):
            r = S.run(cmd, self.PROGRAM, "--data", self.data("shift1", shift=1), *extra)
            self.fails_at(r, 15, 58, r"out of range: it must lie in \[-3, 3\)")
            self.assertNotIn("svic: error: index_range", r.stderr)

    def test_compiled_program_checks_other_data(self):
        exe = S.build_aot([self.PROGRAM], self.data("good"), self.tmp.name, "index_range")
        ok = S.subprocess.run([exe, self.data("good2"), "0", "8", "1"], capture_output=True, text=True)
        self.assertEqual(ok.returncode, 0, ok.stderr)
        for name, change, at, what in (("ids3", {"ids": [0, 1, 3, 0]}, "15:40", r"\[-3, 3\)"),
                                       ("words-1", {"words": [0, 1, -1, 3, 2]}, "12:14", r"\[0, 4\)")):
            r = S.subprocess.run([exe, self.data(name, **change), "0", "8", "1"], capture_output=True, text=True)
            self.assertNotEqual(r.returncode, 0, r.stdout)
            self.assertRegex(r.stderr, r"index_range\.py:%s: error: an index is out of range: it must lie in %s"
                             % (at, what))


class NaN(unittest.TestCase):
    STEP = re.compile(r"step\D{0,3}(\d+)", re.I)

    def test_divergence_names_site_and_step_and_keeps_checkpoint(self):
        step, _, r = self._diverge()
        self.assertGreater(step, 5, "the blow-up should need some steps\n" + S.describe(r))

    def test_checkpoint_written_at_the_failure(self):
        # No periodic checkpoint falls before the blow-up: the last good state is written when it happens.
        step, ckpt, r = self._diverge(every=1000)
        with open(ckpt) as f:
            c = S.strict_json(f.read())
        if isinstance(c, dict) and isinstance(c.get("step"), int):
            self.assertGreater(c["step"], 0, "the checkpoint should hold the last good state, not the start")

    def _diverge(self, every=5):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        ckpt = os.path.join(self.tmp.name, "c.json")
        r = S.run("run", os.path.join(PROG, "nan_model.py"), "--steps", 1000, "--seed", 1, "--optimizer", "sgd",
                  "--lr", 100, "--checkpoint", ckpt, "--checkpoint-every", every)
        self.assertEqual(r.returncode, 2, S.describe(r))
        self.assertTrue(word("z").search(errors(r)) or word("x").search(errors(r)),
                        "the message should name the site\n" + S.describe(r))
        m = self.STEP.search(errors(r))
        self.assertTrue(m, "the message should name the step\n" + S.describe(r))
        step = int(m.group(1))
        self.assertTrue(os.path.exists(ckpt), "the last good checkpoint should be written\n" + S.describe(r))
        with open(ckpt) as f:
            c = S.strict_json(f.read())     # valid JSON and finite
        if isinstance(c, dict) and isinstance(c.get("step"), int):
            self.assertLessEqual(c["step"], step, "the checkpoint must come from before the failing step")
        return step, ckpt, r

    def test_nan_on_first_step(self):
        # 16 samples per step: some z < 0 on the first step (probability 1 - 2^-16).
        r = S.run("run", os.path.join(PROG, "log_nan_model.py"), "--steps", 100, "--seed", 1, "--samples", 16)
        self.assertEqual(r.returncode, 2, S.describe(r))
        self.assertTrue(word("z").search(errors(r)) or word("x").search(errors(r)), S.describe(r))
        m = self.STEP.search(errors(r))
        self.assertTrue(m, "the message should name the step\n" + S.describe(r))
        self.assertLessEqual(int(m.group(1)), 1)


if __name__ == "__main__":
    S.configure(sys.argv)
    unittest.main()
