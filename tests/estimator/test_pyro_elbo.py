#!/usr/bin/env python3
"""Same answer as Pyro (issue 10): for every paper benchmark that compiles, every tutorial model and the programs of
PROGRAMS, one sample of svic's estimator (`svic grad --trace-out`: its params, its guide draws, its per-site
log-density terms) is replayed in real Pyro 1.8.6 (tests/estimator/pyro/replay_trace.py, float64): every model and guide site's log_prob_sum and
the ELBO sample must equal svic's to 1e-6 relative. Data: examples/data for the tutorials, `svic simulate` for the
benchmarks (as test_benchmarks_train.py draws it). nn.Dropout masks and the weights of modules never registered are
svic's own draws, which the replay takes from the trace (prodlda, cvae's baseline net). scanvi (HEAVY there) is
replayed on its Poisson counts (about 20 s of CPU and 1.2 GB on each side).

cvae registers its prior net under the same names in the model file and the guide file: two module objects. svic
shares the names' weights; Pyro 1.8.6's pyro.module keeps the model's object computing with its own initial
weights, which the optimiser never updates (update_module_params=False). cvae is replayed with pyro.module's
update_module_params=True (SHARED_MODULES), so the check covers every term svic computes under its reading; under
Pyro's default the model's z term differs.

Usage: test_pyro_elbo.py SVIC_BINARY
"""
import json
import os
import subprocess
import sys
import unittest

import svic_est as S
from test_benchmarks_train import HEAVY, SHORT, TRAINS, benchmark_data, heavy_data

# Benchmarks whose model and guide files register different module objects under one name (see above).
SHARED_MODULES = {"cvae"}
# Benchmarks with sites enumerated in the model, replayed against TraceEnum_ELBO with this max_plate_nesting.
ENUMERATED = {"mhmm": 2, "lda": 2}
# tests/estimator/programs: (model fn, guide fn, data in tests/estimator/data or a JSON literal).
PROGRAMS = {"new_tensor": ("model", "guide", "new_tensor.json"),
            "point_estimate": ("mix_model", "mix_guide", {"words": [0, 0, 0, 1, 1, 2]}),
            "explicit_subsample": ("model", "guide", {"x": [0.05 * k - 1.0 for k in range(40)],
                                                      "y": [0.1 * k - 2.0 for k in range(40)],
                                                      "ind": [31, 4, 17, 9, 26]})}
TUTORIAL_DATA = {"branching": None, "coin": "coin.json", "linear_regression": "linear_regression.json",
                 "mixture": "mixture.json", "relu_net": "relu_net.json", "tensor_branch": "tensor_branch.json"}


@unittest.skipIf(S.pyro_python() is None, "the reference Pyro is not beside the project")
class SameAnswerAsPyro(S.TempDirTest):
    def replay(self, name, model, guide, data, shared_modules=False, max_plate_nesting=None, fns=()):
        trace = self.path(name + ".trace.json")
        args = ["grad", model, "--guide", guide, "--seed", 5, "--trace-out", trace]
        if fns:
            args += ["--model-fn", fns[0], "--guide-fn", fns[1]]
        if data:
            args += ["--data", data]
        r = S.run(*args, timeout=300)
        self.assertEqual(r.returncode, 0, S.describe(r))
        flags = ["--update-module-params"] if shared_modules else []
        if max_plate_nesting is not None:
            flags += ["--max-plate-nesting", str(max_plate_nesting)]
        p = subprocess.run([S.pyro_python(), os.path.join(S.ROOT, "tests", "estimator", "pyro", "replay_trace.py"),
                            *flags, model, guide, data or "-", trace, *fns], capture_output=True, text=True,
                           timeout=300)
        self.assertTrue(p.stdout.strip(), "%s: the replay printed nothing\n%s" % (name, p.stderr[-3000:]))
        out = json.loads(p.stdout)
        self.assertEqual(out["mismatches"], [], name)
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        self.assertGreater(len(out["sites"]), 0, name)
        print("%s: %d site terms and the ELBO (%.6g) equal Pyro's" % (name, len(out["sites"]), out["elbo"]["pyro"]),
              file=sys.stderr)

    def test_benchmarks(self):
        for name, (given, _, _) in {**TRAINS, **SHORT}.items():
            with self.subTest(name):
                d = "examples/paper/%s/" % name
                data = benchmark_data(name, given, self.path, self)
                self.replay(name, d + "model.py", d + "guide.py", data[1] if data else None, name in SHARED_MODULES,
                            ENUMERATED.get(name))

    def test_heavy_benchmarks(self):
        for name in HEAVY:
            with self.subTest(name):
                d = "examples/paper/%s/" % name
                self.replay(name, d + "model.py", d + "guide.py", heavy_data(name, self.path))

    def test_programs(self):
        for name, (model_fn, guide_fn, data) in PROGRAMS.items():
            with self.subTest(name):
                if isinstance(data, dict):
                    path = self.path(name + ".json")
                    with open(path, "w") as f:
                        json.dump(data, f)
                    data = path
                else:
                    data = "tests/estimator/data/" + data
                f = "tests/estimator/programs/%s.py" % name
                self.replay(name, f, f, data, fns=(model_fn, guide_fn))

    def test_tutorials(self):
        for name, data in TUTORIAL_DATA.items():
            with self.subTest(name):
                f = "examples/tutorial/%s.py" % name
                self.replay(name, f, f, data and "examples/data/" + data)


if __name__ == "__main__":
    S.configure(sys.argv)
    unittest.main()
