#!/usr/bin/env python3
"""Data formats: br-reference's data given as .csv, .json, .npz (one .npy per argument) and float32 .npz give the
same `svic grad` output for the same seed, bit for bit (float32 data: the values rounded to float32, so compared
with a .json of the same rounded values). The .npy/.npz files are written here with the standard library.

Usage: test_data.py SVIC_BINARY
"""
import array
import csv
import json
import os
import struct
import sys
import unittest
import zipfile

import svic_est as S


def npy_bytes(values, dtype="<f8"):
    """A 1-D NumPy .npy (format 1.0) of the values."""
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%d,), }" % (dtype, len(values))
    total = 10 + len(header) + 1
    header += " " * ((64 - total % 64) % 64) + "\n"
    arr = array.array("d" if dtype == "<f8" else "f", values)
    if sys.byteorder != "little":
        arr.byteswap()
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1") + arr.tobytes()


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


@unittest.skipUnless(S.BR_REF, "../shared/benchmarks/br-reference not found")
class DataFormats(S.TempDirTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cols = {"x1": [], "x2": [], "y": []}
        with open(os.path.join(S.BR_REF, "data.csv")) as f:
            for row in csv.DictReader(f):
                for k in cls.cols:
                    cls.cols[k].append(float(row[k]))

    def grad(self, data):
        out, _ = S.grad([S.BR[0], "--data", data], 5000, seed=8)
        return {k: v for k, v in out.items() if k not in ("nsPerEstimate", "compileMs")}

    def test_csv_json_npz_agree(self):
        js = self.path("d.json")
        with open(js, "w") as f:
            json.dump(self.cols, f)
        npz = self.path("d.npz")
        with zipfile.ZipFile(npz, "w") as z:
            for k, v in self.cols.items():
                z.writestr(k + ".npy", npy_bytes(v))
        ref = self.grad(S.BR[2])
        self.assertEqual(self.grad(js), ref, ".json vs .csv")
        self.assertEqual(self.grad(npz), ref, ".npz vs .csv")

    def test_float32_npz(self):
        rounded = {k: [f32(x) for x in v] for k, v in self.cols.items()}
        js = self.path("r.json")
        with open(js, "w") as f:
            json.dump(rounded, f)
        npz = self.path("r.npz")
        with zipfile.ZipFile(npz, "w", compression=zipfile.ZIP_DEFLATED) as z:
            for k, v in self.cols.items():
                z.writestr(k + ".npy", npy_bytes(v, "<f4"))
        self.assertEqual(self.grad(npz), self.grad(js), "float32 .npz (deflated) vs .json of the rounded values")


if __name__ == "__main__":
    S.configure(sys.argv)
    unittest.main()
