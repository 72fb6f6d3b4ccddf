#!/usr/bin/env python3
"""AOT = JIT: `svic compile -o model.so`, loaded by a small C program (aot_main.c, compiled here with `cc`
against runtime/include and linked with the .so), gives the same gradient as `svic grad --format json` for the
same seed and sample count, bit for bit (spnor and br-reference; 1 and 2 threads).

Usage: test_aot.py SVIC_BINARY
"""
import json
import os
import shutil
import subprocess
import sys
import unittest

import svic_est as S

HERE = os.path.dirname(os.path.abspath(__file__))


def by_name(means, errs, descriptor):
    """The C API's flat unconstrained gradient split by param, with the descriptor's offsets and sizes."""
    out = {}
    for p in descriptor["params"]:
        o, n = p["offset"], p["size"]
        out[p["name"]] = {"mean": means[o:o + n], "stderr": errs[o:o + n]}
    return out


@unittest.skipUnless(shutil.which("cc"), "no C compiler")
class Aot(S.TempDirTest):
    def build(self, name, model_args):
        so = self.path("lib%s.so" % name)
        S.run("compile", *model_args, "-o", so, check=True)
        self.assertTrue(os.path.exists(so))
        exe = self.path("aot_%s" % name)
        cmd = ["cc", "-std=c11", "-O1", "-Wall", "-o", exe, os.path.join(HERE, "aot_main.c"),
               "-I", os.path.join(S.ROOT, "runtime", "include"), so, "-Wl,-rpath," + self.tmp.name, "-lm"]
        r = subprocess.run(cmd, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, "%s\n%s" % (" ".join(cmd), r.stderr))
        return exe

    def aot(self, exe, data, seed, samples, threads):
        r = subprocess.run([exe, data or "-", str(seed), str(samples), str(threads)], capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        means, errs, elbo = [], [], None
        lines = r.stdout.splitlines()
        for i, line in enumerate(lines):
            f = line.split()
            if f[0] == "descriptor":
                descriptor = json.loads("\n".join(lines[i + 1:]))
                break
            if f[0] == "param":
                means.append(float(f[2]))
                errs.append(float(f[3]))
            elif f[0] == "elbo":
                elbo = float(f[1])
        self.assertEqual(len(means), sum(p["size"] for p in descriptor["params"]))
        return by_name(means, errs, descriptor), elbo

    def compare(self, name, model_args, data, samples):
        exe = self.build(name, model_args + (["--data", data] if data else []))
        for seed, threads in ((1, 1), (2, 2), (3, 1)):
            report, _ = S.grad(model_args + (["--data", data] if data else []), samples, seed=seed,
                               threads=threads)
            aot_grad, aot_elbo = self.aot(exe, data, seed, samples, threads)
            # Compared as Python floats: svic prints the shortest round-trip form, aot_main %.17g; both parse
            # back to the same double exactly when the values are equal bit for bit.
            self.assertEqual(aot_grad, report["gradient"],
                             "%s seed %d threads %d: AOT and JIT gradients differ" % (name, seed, threads))
            self.assertEqual(aot_elbo, report["elbo"]["mean"], "%s: ELBO means differ" % name)

    def test_object_and_emit_llvm(self):
        obj = self.path("spnor.o")
        ll = self.path("spnor.ll")
        S.run("compile", *S.SPNOR, "-o", obj, "--emit-llvm", ll, check=True)
        with open(obj, "rb") as f:
            head = f.read(18)
        self.assertEqual(head[:4], b"\x7fELF", "not an ELF object")
        self.assertEqual(int.from_bytes(head[16:18], "little"), 1, "not a relocatable object (ET_REL)")
        with open(ll) as f:
            text = f.read()
        self.assertIn("define", text)
        self.assertIn("svic_gen_sample", text)
        r = S.run("compile", *S.SPNOR, "-o", self.path("model.exe"))
        self.assertEqual(r.returncode, 2, S.describe(r))

    def test_spnor(self):
        self.compare("spnor", list(S.SPNOR), None, 10001)

    @unittest.skipUnless(S.BR_REF, "../shared/benchmarks/br-reference not found")
    def test_br(self):
        self.compare("br", [S.BR[0]], S.BR[2], 1001)


if __name__ == "__main__":
    S.configure(sys.argv)
    unittest.main()
