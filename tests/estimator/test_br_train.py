#!/usr/bin/env python3
"""br training against Pyro (../shared/benchmarks/br-reference: model.py + data.csv, Adam lr 0.01, one sample
per step, 20,000 steps, locs from 0 and scales from 1 as in the README):

- final ELBO (mean of the last 2,000 single-sample ELBOs of --trace) within +-1 of Pyro's -242.95;
- each loc within 3x Pyro's learnt scale of Pyro's loc; each scale within 25 % of Pyro's.

Usage: test_br_train.py SVIC_BINARY [--seed S]
"""
import os
import sys
import tempfile
import time
import unittest

import svic_est as S

STEPS = 20000
SEED = 1


@unittest.skipUnless(S.BR_REF, "../shared/benchmarks/br-reference not found")
class BrTraining(unittest.TestCase):
    def test_matches_pyro(self):
        with tempfile.TemporaryDirectory() as tmp:
            trace = os.path.join(tmp, "trace.csv")
            t0 = time.time()
            r = S.run("run", *S.BR, "--steps", STEPS, "--lr", 0.01, "--optimizer", "adam", "--samples", 1,
                      "--seed", SEED, "--trace", trace, timeout=60)
            secs = time.time() - t0
            self.assertEqual(r.returncode, 0, S.describe(r))
            elbo = S.trace_column(S.read_trace(trace))
        self.assertEqual(len(elbo), STEPS)
        final = S.mean(elbo[-2000:])
        params = S.final_json(r.stdout)["params"]
        print("svic run br-reference: %d steps in %.2f s; ELBO (last 2,000) %.3f; params %s"
              % (STEPS, secs, final, params), file=sys.stderr)
        self.assertLess(abs(final - S.PYRO_BR_ELBO), 1.0, "ELBO %.3f vs Pyro %.2f" % (final, S.PYRO_BR_ELBO))
        for latent, (loc, scale) in S.PYRO_BR_PARAMS.items():
            got_loc = S.scalar(params[latent + "_loc"])
            got_scale = S.scalar(params[latent + "_scale"])
            self.assertLess(abs(got_loc - loc), 3 * scale, "%s_loc %.4f vs Pyro %.4f (scale %.4f)"
                            % (latent, got_loc, loc, scale))
            self.assertLess(abs(got_scale / scale - 1), 0.25, "%s_scale %.4f vs Pyro %.4f"
                            % (latent, got_scale, scale))


if __name__ == "__main__":
    S.configure(sys.argv)
    if "--seed" in sys.argv:
        i = sys.argv.index("--seed")
        SEED = int(sys.argv[i + 1])
        del sys.argv[i:i + 2]
    unittest.main()
