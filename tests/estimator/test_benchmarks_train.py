#!/usr/bin/env python3
"""Every paper benchmark that compiles trains on data drawn by `svic simulate` from its own model (or generated here
where simulate cannot draw it), with a finite, improving ELBO; every one that does not is refused with a located
error (never a crash), and the test names a newly compiling pair so that it gets added here.

Improving: the mean of the last 20 per-step ELBOs (from --trace; the last and first half when fewer than 40 steps)
exceeds the mean of the first 20 by more than three standard errors of the difference. spnor starts at its optimum
(its init is the answer), so there the check is that training does not make it worse. The networks (vae, ssvae,
sgdef: 0.1-0.2 s of CPU per step; cvae, prodlda: 0.03-0.05 s after a few seconds of compilation) run 60 steps at a
higher learning rate instead of 200, to keep the whole test near a minute of CPU on 2 shared cores; scanvi only takes
two steps (see HEAVY). dmm (160 unrolled steps, about 12 s of CPU to compile and 1 s per step) takes 12 steps on data
built here as bench/pyro/dmm_data.py builds it (its model fixes the shapes to 20 x 160 x 88): on its own prior's
draws (SIMULATED, test_simulate_benchmarks.py) a 12-step run does not improve measurably.

Usage: test_benchmarks_train.py SVIC_BINARY
"""
import csv
import json
import math
import os
import random
import sys
import struct
import unittest
import zlib

import svic_est as S

# name -> (entry arguments for simulate that are not drawn, steps, lr). csis builds its observed tensor from a
# dict argument with float(...), which simulate cannot invert, so it trains on given data ("direct"). cvae (ys
# observed through the mask xs == -1) and prodlda (its Multinomial sized from its docs) train on their own draws
# with the covariates and options of SIMULATED ("simulated"); mhmm and lda (word ids from known topics, so that
# training visibly recovers them) on data generated here ("generated").
DIRECT = {"csis": {"observations": {"x1": 0.5, "x2": 2.5}}}
TRAINS = {
    "csis": ("direct", 200, 0.01),
    "spnor": (None, 200, 0.01),
    "br": ("covariates", 200, 0.05),
    "dpmm": ({"T": 20, "N": 320, "alpha": 1.1}, 200, 0.1),
    "vae": ({}, 60, 0.003),
    "ssvae": ({}, 60, 0.003),
    "sgdef": ({}, 60, 0.1),
    "cvae": ("simulated", 60, 0.003),
    "prodlda": ("simulated", 60, 0.01),
    "dmm": ("dmm", 12, 0.001),
    "mhmm": ("generated", 200, 0.05),
    "lda": ("generated", 300, 0.03),
}
# Refused: the guide's sigma (a Normal) can fall outside the model's Uniform(0, 10), where the ELBO is -inf.
REFUSED = {"br_original"}
# Compile and step on their data (as TRAINS gives it), with a finite ELBO at every step, but do not improve
# measurably in a CI-sized run: air (about 10 s of CPU to compile, 0.5-1 s per step: two 2554-256 LSTM cells and
# three spatial transformers per step) learns at Pyro's small learning rates, while its per-step ELBO varies by
# hundreds of nats (the z_pres draws and the score-function gradients of z_pres and z_where); bench/RESULTS.md
# shows its 200-step run. name -> (data, steps, lr).
SHORT = {"air": ("air", 4, 0.0003)}
# Compiles and steps, but a step costs about a second of CPU and 1.4 GB (21932 genes), and its x is read with len(x)
# (simulate cannot size it): two steps on Poisson(1) counts, with a finite ELBO.
HEAVY = {"scanvi": 2}


def cvae_data(rng):
    """8 binary 28x28 images (pixels on with probability 0.3): xs shows the top-left quadrant (-1 elsewhere), ys
    the other three (-1 on the quadrant shown), as Pyro's CVAE example splits MNIST."""
    xs, ys = [], []
    for _ in range(8):
        img = [[float(rng.random() < 0.3) for _ in range(28)] for _ in range(28)]
        shown = [[r < 14 and c < 14 for c in range(28)] for r in range(28)]
        xs.append([img[r][c] if shown[r][c] else -1.0 for r in range(28) for c in range(28)])
        ys.append([-1.0 if shown[r][c] else img[r][c] for r in range(28) for c in range(28)])
    return {"xs": xs, "ys": ys}


def prodlda_data(rng):
    """6 documents of word counts over the 12722-word vocabulary: 600-700 words each from 20 words of 4 topics."""
    docs = []
    for d in range(6):
        row = [0.0] * 12722
        topic = d % 4
        for _ in range(600 + rng.randrange(100)):
            row[topic * 20 + rng.randrange(20)] += 1
        docs.append(row)
    return {"docs": docs}


def mhmm_data(rng, n_state=3, n_group=2, n_individual=3, n_t=10):
    """mhmm's config: 3 states, 2 groups of 3 individuals (one masked out), 10 steps of which the last 0-2 are
    padding (masked), and 15% MISSING step lengths and dive activities; angles uniform on (-3.1, 3.1)."""
    missing = 1e-6
    individual = [[float(not (c == 1 and s == 2)) for c in range(n_group)] for s in range(n_individual)]
    steps = [[[float(t < n_t - (s + c) % 3) for t in range(n_t)] for c in range(n_group)]
             for s in range(n_individual)]

    def series(draw, can_miss):
        return [[[missing if can_miss and rng.random() < 0.15 else draw() for _ in range(n_t)]
                 for _ in range(n_group)] for _ in range(n_individual)]

    return {"config": {"MISSING": missing,
                       "sizes": {"random": 2, "state": n_state, "group": n_group, "individual": n_individual,
                                 "timesteps": n_t},
                       "individual": {"mask": individual}, "timestep": {"mask": steps},
                       "observations": {"step": series(lambda: rng.gammavariate(2.0, 0.5), True),
                                        "angle": series(lambda: rng.uniform(-3.1, 3.1), False),
                                        "omega": series(lambda: rng.betavariate(2.0, 3.0), True)}}}


def lda_data(rng):
    """lda's [64 words, 1000 documents] word ids (integer literals: an int64 tensor, as the guide's scatter_add_
    needs): each document mixes two of 8 topics, each topic 20 words of the 1024-word vocabulary."""
    topics = [[rng.randrange(1024) for _ in range(20)] for _ in range(8)]
    docs = []
    for _ in range(1000):
        mix = rng.sample(range(8), 2)
        docs.append([rng.choice(topics[rng.choice(mix)]) for _ in range(64)])
    return {"data": [[doc[w] for doc in docs] for w in range(64)]}


# The data of the "generated" pairs (and of bench/paper_steps.py's cvae and prodlda), from a fixed seed.
GENERATED = {"cvae": cvae_data, "prodlda": prodlda_data, "mhmm": mhmm_data, "lda": lda_data}


def dmm_covariates(rng):
    """dmm's sequence structure as bench/pyro/dmm_data.py draws it: 20 lengths in 40..160 and their mask."""
    lengths = [rng.randint(40, 160) for _ in range(20)]
    return {"mini_batch_mask": [[float(t < n) for t in range(160)] for n in lengths],
            "mini_batch_seq_lengths": [float(n) for n in lengths], "annealing_factor": 1.0}


def dmm_reversed(data):
    """Adds the per-sequence reversal of the notes, which dmm's guide reads (its model does not)."""
    lengths = [int(n) for n in data["mini_batch_seq_lengths"]]
    notes = data["mini_batch"]
    data["mini_batch_reversed"] = [[notes[b][n - 1 - t] if t < n else [0.0] * 88 for t in range(160)]
                                   for b, n in enumerate(lengths)]


def dmm_data(path):
    """dmm's entry arguments drawn as bench/pyro/dmm_data.py draws them (with random, not numpy, so other values):
    20 sequences of lengths in 40..160, notes Bernoulli(0.1) inside each, the mask and the per-sequence reversal."""
    rng = random.Random(0)
    data = dmm_covariates(rng)
    data["mini_batch"] = [[[float(t < n and rng.random() < 0.1) for _ in range(88)] for t in range(160)]
                          for n in map(int, data["mini_batch_seq_lengths"])]
    dmm_reversed(data)
    with open(path, "w") as f:
        json.dump(data, f)


# The pairs whose observations `svic simulate` draws around covariates generated here: name -> (the covariates
# from a seeded random.Random, or None; further simulate options; the output format; what completes the draws for
# the guide, or None). cvae's ys is None unless given, so --shape makes it data; prodlda's docs are given and
# redrawn, as its Multinomial's total count is the longest given document; air's images are drawn whole.
SIMULATED = {
    "cvae": (lambda rng: {"xs": cvae_data(rng)["xs"]}, ["--shape", "ys=8,784"], "json", None),
    "prodlda": (prodlda_data, ["--redraw", "docs"], "npz", None),
    "dmm": (dmm_covariates, [], "json", dmm_reversed),
    "air": (None, [], "npz", None),
}


def simulated_data(name, path):
    """`svic simulate` of pair `name` as SIMULATED says, into files under path(...); returns the --data arguments
    for `svic run` (also bench/simulate_train.py's)."""
    covariates, options, fmt, complete = SIMULATED[name]
    args = []
    if covariates:
        args = ["--data", path(name + "_covariates.json")]
        with open(args[1], "w") as f:
            json.dump(covariates(random.Random(0)), f)
    out = path("%s_simulated.%s" % (name, fmt))
    S.run("simulate", "examples/paper/%s/model.py" % name, *args, *options, "-o", out, "--seed", 1, timeout=300,
          check=True)
    if complete:
        with open(out) as f:
            data = json.load(f)
        complete(data)
        with open(out, "w") as f:
            json.dump(data, f)
    return ["--data", out]


def write_npz_f32(path, name, shape, head):
    """A .npz holding one float32 array `name` of `shape`: the values `head`, then zeros. Deflated as a stream, so
    that a data set's shape costs its head in memory and about 1/1000 of its zeros on disk (numpy reads it)."""
    n = 1
    for d in shape:
        n *= d
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }" % "".join("%d, " % d for d in shape)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    crc, size, parts = 0, 0, []

    def feed(b):
        nonlocal crc, size
        crc, size = zlib.crc32(b, crc), size + len(b)
        parts.append(comp.compress(b))
    feed(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
    feed(struct.pack("<%df" % len(head), *head))
    zeros, left = bytes(1 << 22), (n - len(head)) * 4
    while left:
        feed(zeros[:min(left, len(zeros))])
        left -= min(left, len(zeros))
    parts.append(comp.flush())
    body, member = b"".join(parts), (name + ".npy").encode()
    zip64 = struct.pack("<HHQQ", 1, 16, size, len(body))  # the sizes do not fit the 32-bit fields
    local = struct.pack("<IHHHHHIIIHH", 0x04034b50, 45, 0, 8, 0, 0, crc, 0xFFFFFFFF, 0xFFFFFFFF, len(member),
                        len(zip64)) + member + zip64
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014b50, 45, 45, 0, 8, 0, 0, crc, 0xFFFFFFFF, 0xFFFFFFFF,
                          len(member), len(zip64), 0, 0, 0, 0, 0) + member + zip64
    end = struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, 1, 1, len(central), len(local) + len(body), 0)
    with open(path, "wb") as f:
        f.write(local + body + central + end)


def air_data(path):
    """air's data argument in its data set's shape, 60000 x 50 x 50 (the program reshapes it so), of which the model
    reads the first 64 images: each holds one to three 10 x 10 squares of intensity 1 on a blank canvas, as its prior
    places windows; the other images are 0 (svic loads only what the program reads, see docs/estimator.md)."""
    rng = random.Random(0)
    images = []
    for _ in range(64):
        img = [0.0] * 2500
        for _ in range(rng.randint(1, 3)):
            r, c = rng.randrange(40), rng.randrange(40)
            for y in range(r, r + 10):
                for x in range(c, c + 10):
                    img[y * 50 + x] = 1.0
        images += img
    write_npz_f32(path, "data", [60000, 50, 50], images)


def benchmark_data(name, given, path, test):
    """The --data arguments for benchmark `name` as TRAINS gives it: none, the given dict, br's covariates, data
    generated here (dmm's sequences, or GENERATED), its own draws (SIMULATED), or `svic simulate` drawing the
    observations around the given arguments (files under path(...))."""
    if given is None:
        return []
    if given == "simulated":
        return simulated_data(name, path)
    if given == "dmm":
        out = path(name + ".json")
        dmm_data(out)
        return ["--data", out]
    if given == "air":
        out = path(name + ".npz")
        air_data(out)
        return ["--data", out]
    if given in ("direct", "generated"):
        out = path(name + ".json")
        with open(out, "w") as f:
            json.dump(DIRECT[name] if given == "direct" else GENERATED[name](random.Random(0)), f)
        return ["--data", out]
    if given == "covariates":
        with open("examples/data/br.csv") as f:
            rows = list(csv.DictReader(f))
        given = {k: [float(r[k]) for r in rows] for k in ("is_cont_africa", "ruggedness")}
    args = path(name + "_args.json")
    with open(args, "w") as f:
        json.dump(given, f)
    out = path(name + ".npz")
    d = "examples/paper/%s/" % name
    r = S.run("simulate", d + "model.py", "--data", args, "-o", out, "--seed", 1)
    test.assertEqual(r.returncode, 0, S.describe(r))
    return ["--data", out]


def heavy_data(name, path):
    """The data file of a HEAVY pair: 4 cells of Poisson(1) counts over scanvi's 21932 genes (float literals)."""
    rng = random.Random(0)

    def poisson1():
        k, p, u = 0, math.exp(-1.0), rng.random()
        while u > p:
            u -= p
            k += 1
            p /= k
        return float(k)

    out = path(name + ".json")
    with open(out, "w") as f:
        json.dump({"x": [[poisson1() for _ in range(21932)] for _ in range(4)]}, f)
    return out


def train(test, name, given, steps, lr, timeout):
    """`svic run` of pair `name` for `steps` steps on its data (as TRAINS gives it), with a finite ELBO at every
    step; returns the process and the per-step ELBOs."""
    d = "examples/paper/%s/" % name
    data = benchmark_data(name, given, test.path, test)
    trace = test.path(name + ".csv")
    r = S.run("run", d + "model.py", "--guide", d + "guide.py", *data, "--steps", steps, "--lr", lr,
              "--seed", 3, "--trace", trace, timeout=timeout)
    test.assertEqual(r.returncode, 0, S.describe(r))
    elbo = S.trace_column(S.read_trace(trace))
    test.assertEqual(len(elbo), steps)
    test.assertTrue(all(math.isfinite(e) for e in elbo), (name, elbo))
    return r, elbo


def stats(xs):
    m = sum(xs) / len(xs)
    v = sum((x - m) ** 2 for x in xs) / (len(xs) - 1)
    return m, math.sqrt(v / len(xs))


class BenchmarksTrain(S.TempDirTest):
    def test_every_pair_is_listed(self):
        names = {d for d in os.listdir("examples/paper") if os.path.isfile("examples/paper/%s/model.py" % d)}
        self.assertEqual(names, set(TRAINS) | REFUSED | set(HEAVY) | set(SHORT))

    def test_heavy_pairs_step(self):
        for name, steps in HEAVY.items():
            d = "examples/paper/%s/" % name
            data = heavy_data(name, self.path)
            r = S.run("run", d + "model.py", "--guide", d + "guide.py", "--data", data, "--steps", steps,
                      "--seed", 3, timeout=300)
            self.assertEqual(r.returncode, 0, S.describe(r))
            self.assertTrue(math.isfinite(S.final_json(r.stdout)["elbo"]), name)

    def test_short_pairs_step(self):
        for name, (given, steps, lr) in SHORT.items():
            with self.subTest(name):
                r, _ = train(self, name, given, steps, lr, timeout=600)
                # Training moves the params: air's initial LSTM state starts at 0.
                moved = S.final_json(r.stdout)["params"]["h_init"]
                self.assertTrue(any(v != 0 for v in moved[0]), name)

    def test_refused_pairs_say_where_and_why(self):
        for name in sorted(REFUSED):
            d = "examples/paper/%s/" % name
            r = S.run("grad", d + "model.py", "--guide", d + "guide.py", "--samples", 2)
            self.assertIn(r.returncode, (1, 2), "%s now compiles? add it to TRAINS\n%s" % (name, S.describe(r)))
            self.assertIn(": error: ", r.stderr, name)

    def test_dmm_without_data_names_the_argument(self):
        d = "examples/paper/dmm/"
        r = S.run("grad", d + "model.py", "--guide", d + "guide.py", "--samples", 2)
        self.assertEqual(r.returncode, 2, S.describe(r))
        self.assertIn("error: missing data argument 'mini_batch'", r.stderr)

    def test_trains_on_simulated_data(self):
        for name, (given, steps, lr) in TRAINS.items():
            with self.subTest(name):
                _, elbo = train(self, name, given, steps, lr, timeout=300)
                w = min(20, steps // 2)
                (m0, s0), (m1, s1) = stats(elbo[:w]), stats(elbo[-w:])
                se = math.sqrt(s0 ** 2 + s1 ** 2)
                if name == "spnor":
                    self.assertGreater(m1, m0 - 3 * se, (name, m0, m1, se))
                else:
                    self.assertGreater(m1, m0 + 3 * se, (name, m0, m1, se))


if __name__ == "__main__":
    S.configure(sys.argv)
    unittest.main()
