#!/usr/bin/env python3
"""A data set's shape, a minibatch's worth of values (docs/estimator.md, "Large data sets"): a deflated float32 .npz
of 32M elements whose values past its first rows are zero loads with those zeros implicit, and the ELBO reads the
right values, whether the program reads only the first rows (the data buffer then holds only them) or also the
last row (zeros between the head and a non-zero tail are kept). tests/estimator/programs/large_data.py.

Usage: test_large_data.py SVIC_BINARY
"""
import math
import os
import struct
import subprocess
import sys
import unittest
import zipfile

import svic_est as S

ROWS = 8000000
HEAD = [0.5, -1.0, 2.0, 0.25, 1.0, 0.0, 0.0, 3.0]
TAIL = [1.5, 0.0, 0.0, -2.0]


def npy_header(descr, shape):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode()


def write_npz(path, last_row, last):
    """data [ROWS, 4] float32 (HEAD, zeros, last_row), streamed through deflate, and the int `last`."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("last.npy", npy_header("<i8", "()") + struct.pack("<q", last))
        with z.open("data.npy", "w", force_zip64=True) as f:
            write_data(f, last_row)


def write_data(f, last_row):
    f.write(npy_header("<f4", "(%d, 4)" % ROWS))
    f.write(struct.pack("<8f", *HEAD))
    zeros = (ROWS * 4 - len(HEAD) - 4) * 4
    for _ in range(zeros // (1 << 20)):
        f.write(bytes(1 << 20))
    f.write(bytes(zeros % (1 << 20)))
    f.write(struct.pack("<4f", *last_row))


# The peak resident memory (KB) of one child process.
PEAK = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, capture_output=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def log_normal(x):
    return -0.5 * x * x - 0.5 * math.log(2 * math.pi)


class LargeData(S.TempDirTest):
    def elbo(self, last_row, last):
        data = self.path("d.npz")
        write_npz(data, last_row, last)
        self.assertLess(os.path.getsize(data), 200000)  # 128 MB of float32
        out, _ = S.grad(["tests/estimator/programs/large_data.py", "--data", data], 1)
        return out["elbo"]["mean"]

    def test_reads_the_first_rows(self):
        self.assertAlmostEqual(self.elbo([0.0] * 4, 0), sum(map(log_normal, HEAD)), places=10)
        # Nothing the size of the array exists: its 32M elements would take 256 MB as doubles (the whole run
        # takes about 75 MB).
        data = self.path("d.npz")
        peak = subprocess.run([sys.executable, "-c", PEAK, S.SVIC, "grad", "tests/estimator/programs/large_data.py",
                               "--data", data, "--samples", "1"], capture_output=True, text=True, check=True)
        self.assertLess(int(peak.stdout), 200 * 1024, "peak RSS in KB")

    def test_reads_the_last_row_past_the_zeros(self):
        self.assertAlmostEqual(self.elbo(TAIL, 1), sum(map(log_normal, HEAD + TAIL)), places=10)


if __name__ == "__main__":
    S.configure(sys.argv)
    unittest.main()
