#!/usr/bin/env python3
"""Checkpoint / resume: `svic run --checkpoint c.json --checkpoint-every 10` killed with SIGKILL mid-run (twice),
then `--resume c.json` finishes; the checkpoint is valid JSON every time it is read (also while the run writes
it) and after each kill; the final params equal those of an uninterrupted run with the same seed, bit for bit.

Usage: test_checkpoint.py SVIC_BINARY
"""
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import svic_est as S

STEPS = 2000       # each checkpoint is fsync'ed (about 15 ms here): 200 of them per run
EVERY = 10


def read(path):
    with open(path) as f:
        return f.read()


class Checkpoint(unittest.TestCase):
    def base_args(self, samples):
        return ["run", *S.BR, "--steps", STEPS, "--samples", samples, "--seed", 3, "--lr", 0.01]

    def run_and_kill(self, args, ckpt, reads):
        """Starts svic; once the checkpoint exists (and has changed at least once), SIGKILLs it.
        Returns True if it was killed mid-run, False if it finished first. Every read of the checkpoint
        while the run is alive must parse."""
        p = subprocess.Popen([S.SVIC, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        seen = set()
        deadline = time.time() + 50
        try:
            while p.poll() is None and time.time() < deadline:
                if os.path.exists(ckpt):
                    try:
                        with open(ckpt) as f:
                            text = f.read()
                    except FileNotFoundError:     # a rename between exists() and open() would not do this
                        self.fail("checkpoint vanished while the run was writing it")
                    S.strict_json(text)            # raises on a torn or non-finite checkpoint
                    reads.append(len(text))
                    seen.add(text)
                    if len(seen) >= 2:
                        p.send_signal(signal.SIGKILL)
                        p.wait()
                        return True
                time.sleep(0.002)
            if p.poll() is None:
                p.kill()
                p.wait()
                self.fail("svic run did not finish or write two checkpoints in 50 s")
            return False
        finally:
            if p.poll() is None:
                p.kill()
            p.communicate()

    def test_kill_and_resume(self):
        samples = 1
        with tempfile.TemporaryDirectory() as tmp:
            ckpt = os.path.join(tmp, "c.json")
            trace = os.path.join(tmp, "trace.csv")
            for attempt in range(5):
                if os.path.exists(ckpt):
                    os.remove(ckpt)
                reads = []
                args = self.base_args(samples) + ["--checkpoint", ckpt, "--checkpoint-every", EVERY,
                                                  "--trace", trace]
                if self.run_and_kill(args, ckpt, reads):
                    break
                samples *= 8   # the run was too quick to interrupt: make each step slower
            else:
                self.fail("could not interrupt svic run (even with --samples %d)" % samples)
            first = S.strict_json(read(ckpt))
            # Second interruption, this time of a resumed run.
            resumed = args + ["--resume", ckpt]
            killed_again = self.run_and_kill(resumed, ckpt, reads)
            S.strict_json(read(ckpt))
            # Finish.
            r = S.run(*resumed, timeout=120)
            self.assertEqual(r.returncode, 0, S.describe(r))
            final = S.final_json(r.stdout)
            self.assertEqual(final.get("steps"), STEPS, "a resumed run should report the total step count")
            # The uninterrupted reference with the same settings (no checkpointing).
            ref_trace = os.path.join(tmp, "ref_trace.csv")
            ref_out = os.path.join(tmp, "ref_params.json")
            ref = S.final_json(S.run(*self.base_args(samples), "--trace", ref_trace, "--params-out", ref_out,
                                     check=True, timeout=120).stdout)
            self.assertEqual(read(trace), read(ref_trace), "the resumed run's trace differs from an uninterrupted one")
            self.assertEqual(S.strict_json(read(ref_out)), ref["params"], "--params-out vs the printed params")
            self.assertEqual(final["params"], ref["params"],
                             "resumed (killed %s) vs uninterrupted run" % ("twice" if killed_again else "once"))
            self.assertEqual(final["elbo"], ref["elbo"])
            self.assertTrue(first, "the checkpoint is an empty JSON value")
            print("samples %d; checkpoint read %d times while running; killed %s"
                  % (samples, len(reads), "twice" if killed_again else "once"), file=sys.stderr)

    def test_resume_missing_checkpoint_is_bad_input(self):
        r = S.run(*self.base_args(1), "--resume", "no/such/checkpoint.json")
        self.assertEqual(r.returncode, 2, S.describe(r))
        self.assertIn("no/such/checkpoint.json", r.stderr)


if __name__ == "__main__":
    S.configure(sys.argv)
    unittest.main()
