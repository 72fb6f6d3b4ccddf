#!/usr/bin/env python3
"""Side-by-side speed, bias and variance figures for the native estimator (issue 7), in one run:
svic (JIT) vs the hand-written C++ baselines (bench/estimator/*_hand.cpp) vs Pyro 1.8.6 (bench/pyro/*.py).

Usage: bench.py SVIC HAND_DIR [--pyro PYRO_PYTHON | --no-pyro] [--repeats N]
  HAND_DIR holds svic-spnor-hand and svic-br-hand. Prints markdown tables (the figures of bench/RESULTS.md).
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "estimator"))
import spnor_truth  # noqa: E402

BR_REF = next((p for p in (os.path.join(ROOT, "..", "shared", "benchmarks", "br-reference"),
                           "/work/shared/benchmarks/br-reference") if os.path.isdir(p)), None)
SPNOR = ["examples/paper/spnor/model.py", "--guide", "examples/paper/spnor/guide.py"]
BR = [os.path.join(BR_REF, "model.py"), "--data", os.path.join(BR_REF, "data.csv")]
PAPER_BR_DATA = None   # written in main(): data.csv with the paper's argument names


def sh(cmd, timeout=900):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    if r.returncode != 0:
        raise RuntimeError("%s\nexit %d\n%s\n%s" % (" ".join(map(str, cmd)), r.returncode, r.stdout[-2000:],
                                                    r.stderr[-2000:]))
    return r.stdout


def last_json(text):
    lines = text.strip().splitlines()
    for i in range(len(lines)):
        if lines[i].startswith("{"):
            try:
                return json.loads("\n".join(lines[i:]))
            except ValueError:
                pass
    return json.loads(text)


class Svic:
    def __init__(self, exe):
        self.exe = exe

    def grad(self, args, samples, seed=1, estimator="auto", threads=1, params=None):
        cmd = [self.exe, "grad", *args, "--samples", samples, "--seed", seed, "--estimator", estimator,
               "--threads", threads, "--format", "json"]
        if params:
            fd, path = tempfile.mkstemp(suffix=".json")
            with os.fdopen(fd, "w") as f:
                json.dump(params, f)
            cmd += ["--params", path]
        try:
            return json.loads(sh(cmd))
        finally:
            if params:
                os.remove(path)

    def run(self, args, steps, samples=1, seed=1):
        out = last_json(sh([self.exe, "run", *args, "--steps", steps, "--samples", samples, "--seed", seed,
                            "--lr", 0.01]))
        return out


def med(xs):
    return statistics.median(xs)


def fmt_ns(ns):
    if ns >= 1e6:
        return "%.2f ms" % (ns / 1e6)
    if ns >= 1e3:
        return "%.2f µs" % (ns / 1e3)
    return "%.1f ns" % ns


def speed(svic, hand_dir, pyro, repeats, statistic):
    """statistic "median", or "min" (the fastest repeat, for svic and the hand-written code alike: on a shared
    machine other work only adds time, so the minimum is the stable figure)."""
    pick = min if statistic == "min" else med
    rows = {}
    # svic: ns per single-sample estimate = nsPerEstimate of a 100,000-sample `svic grad` (median of repeats);
    # ns per SVI step = training seconds / steps of `svic run` (median of repeats); compile time from grad.
    models = {"spnor": SPNOR, "br": BR}
    steps = {"spnor": 1000000, "br": 200000}
    for name, args in models.items():
        g = [svic.grad(args, 100000, seed=s) for s in range(1, repeats + 1)]
        r = [svic.run(args, steps[name], seed=s) for s in range(1, repeats + 1)]
        rows[name] = {"svicEstimate": pick([x["nsPerEstimate"] for x in g]),
                      "svicStep": pick([x["secondsTraining"] * 1e9 / steps[name] for x in r]),
                      "compileMs": med([x["compileMs"] for x in g])}
    g = [svic.grad(SPNOR, 10000, seed=s) for s in range(1, repeats + 1)]
    rows["spnor"]["svicPerSample10000"] = pick([x["nsPerEstimate"] for x in g])
    hs = json.loads(sh([os.path.join(hand_dir, "svic-spnor-hand"), repeats]))
    hb = json.loads(sh([os.path.join(hand_dir, "svic-br-hand"), os.path.join(BR_REF, "data.csv"), repeats]))
    if statistic == "min":
        hs, hb = dict(hs, **hs["best"]), dict(hb, **hb["best"])
    # Like for like with svic grad's nsPerEstimate (the time of a K-sample estimate / K): the hand-written
    # per-sample time inside one 100,000-sample estimate; its one-call-per-estimate time is reported too.
    rows["spnor"].update(handEstimate=hs["nsPerSample100000"], handCall=hs["nsPerEstimate"],
                         handStep=hs["nsPerStep"], handPerSample10000=hs["nsPerSample10000"])
    rows["br"].update(handEstimate=hb["nsPerSample100000"], handCall=hb["nsPerEstimate"],
                      handStep=hb["nsPerStep"])
    if pyro:
        ps = json.loads(sh([pyro, os.path.join(ROOT, "bench", "pyro", "spnor_pyro.py")], timeout=1800))
        pb = json.loads(sh([pyro, os.path.join(ROOT, "bench", "pyro", "br_pyro.py"), "--steps", 1000],
                           timeout=1800))
        rows["spnor"].update(pyroEstimate=ps["timing"]["traceElboNsPerEstimate"],
                             pyroStep=ps["timing"]["traceElboNsPerSviStep"],
                             pyroGraphEstimate=ps["timing"]["traceGraphElboNsPerEstimate"],
                             pyroPerSample10000=ps["timing"]["vectorised10000NsPerSample"])
        rows["br"].update(pyroStep=pb["brReference"]["nsPerStepMedian"],
                          pyroEstimate=pb["brReference"]["nsPerEstimateMedian"],
                          pyroPaperStep=pb["paperBr"]["nsPerStepMedian"])
        rows["pyroSpnor"] = ps
    return rows


def compile_times(svic):
    out = {}
    progs = {"spnor": SPNOR, "br (br-reference)": BR,
             "br (examples/paper/br)": ["examples/paper/br/model.py", "--guide", "examples/paper/br/guide.py",
                                        "--data", PAPER_BR_DATA],
             "branching": ["examples/tutorial/branching.py"],
             "coin": ["examples/tutorial/coin.py", "--data", "tests/estimator/data/coin.json"],
             "linear_regression": ["examples/tutorial/linear_regression.py", "--data",
                                   "tests/estimator/data/linear_regression.csv"],
             "mixture": ["examples/tutorial/mixture.py", "--data", "tests/estimator/data/mixture.json"],
             "relu_net": ["examples/tutorial/relu_net.py", "--data", "tests/estimator/data/relu_net.csv"]}
    for name, args in progs.items():
        try:
            out[name] = med([svic.grad(args, 1, seed=s)["compileMs"] for s in range(1, 6)])
        except RuntimeError as e:
            out[name] = "failed: " + str(e).splitlines()[0][:80]
    return out


def bias(svic, k):
    rows = []
    for theta in ((1.0, 1.0), (0.5, -0.5)):
        truth = spnor_truth.truth(*theta)
        for est in ("auto", "score", "pyro"):
            g = svic.grad(SPNOR, k, seed=2026, estimator=est, params={"theta1": theta[0], "theta2": theta[1]})
            for i, p in enumerate(("theta1", "theta2")):
                m, se = g["gradient"][p]["mean"][0], g["gradient"][p]["stderr"][0]
                rows.append((theta, est, p, m, se, truth[i], (m - truth[i]) / se))
    return rows


def variance(svic, k):
    rows = []
    for name, args in (("spnor", SPNOR), ("br", BR)):
        a = svic.grad(args, k, seed=7, estimator="auto")
        s = svic.grad(args, k, seed=7, estimator="score")
        for p in a["gradient"]:
            for j, (ea, es) in enumerate(zip(a["gradient"][p]["stderr"], s["gradient"][p]["stderr"])):
                rows.append((name, p if len(a["gradient"][p]["stderr"]) == 1 else "%s[%d]" % (p, j),
                             ea * math.sqrt(k), es * math.sqrt(k), a["estimator"]))
    return rows


def main():
    global PAPER_BR_DATA
    ap = argparse.ArgumentParser()
    ap.add_argument("svic")
    ap.add_argument("hand_dir")
    ap.add_argument("--pyro")
    ap.add_argument("--no-pyro", action="store_true")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--statistic", choices=("median", "min"), default="median")
    ap.add_argument("--bias-samples", type=int, default=1000000)
    a = ap.parse_args()
    svic = Svic(os.path.abspath(a.svic))
    tmp = tempfile.TemporaryDirectory()
    PAPER_BR_DATA = os.path.join(tmp.name, "paper_br.csv")
    with open(os.path.join(BR_REF, "data.csv")) as f, open(PAPER_BR_DATA, "w") as g:
        f.readline()
        g.write("is_cont_africa,ruggedness,log_gdp\n" + f.read())

    print("== JIT compile time (ms, median of 5; `svic grad` compileMs)")
    print("| model | compile ms |\n|---|---|")
    for name, ms in compile_times(svic).items():
        print("| %s | %s |" % (name, ms if isinstance(ms, str) else "%.1f" % ms))

    rows = speed(svic, a.hand_dir, None if a.no_pyro else a.pyro, a.repeats, a.statistic)
    print("\n== speed (%s of %d repeats for svic and hand-written; Pyro: medians)" % (a.statistic, a.repeats))
    print("| figure | svic | hand C++ | svic / hand | Pyro | Pyro / svic |\n|---|---|---|---|---|---|")

    def line(label, s, h, p):
        print("| %s | %s | %s | %.2f× | %s | %s |" % (label, fmt_ns(s), fmt_ns(h), s / h,
                                                      fmt_ns(p) if p else "—", "%.0f×" % (p / s) if p else "—"))
    sp, br = rows["spnor"], rows["br"]
    line("spnor: ns per single-sample gradient estimate", sp["svicEstimate"], sp["handEstimate"],
         sp.get("pyroEstimate"))
    line("spnor: ns per SVI step (1 sample, Adam)", sp["svicStep"], sp["handStep"], sp.get("pyroStep"))
    line("spnor: ns per sample, `--samples 10000`", sp["svicPerSample10000"], sp["handPerSample10000"],
         sp.get("pyroPerSample10000"))
    line("br: ns per single-sample gradient estimate", br["svicEstimate"], br["handEstimate"],
         br.get("pyroEstimate"))
    line("br: ns per SVI step (1 sample, Adam)", br["svicStep"], br["handStep"], br.get("pyroStep"))
    print("\nHand-written, one call per single-sample estimate (own step and baseline update): spnor %s, br %s."
          % (fmt_ns(sp["handCall"]), fmt_ns(br["handCall"])))
    if "pyroGraphEstimate" in sp:
        print("\nPyro extra: spnor TraceGraph_ELBO %s per estimate; examples/paper/br %s per SVI step."
              % (fmt_ns(sp["pyroGraphEstimate"]), fmt_ns(br["pyroPaperStep"])))

    print("\n== spnor bias: svic grad at K = %d (seed 2026) vs the quadrature truth" % a.bias_samples)
    print("| θ | estimator | param | mean | stderr | truth | z |\n|---|---|---|---|---|---|---|")
    for theta, est, p, m, se, t, z in bias(svic, a.bias_samples):
        print("| (%g, %g) | %s | %s | %.5f | %.5f | %.5f | %.1f |" % (theta + (est, p, m, se, t, z)))
    if "pyroSpnor" in rows:
        ps = rows["pyroSpnor"]
        print("\nReal Pyro 1.8.6 on the same model (bench/pyro/spnor_pyro.py):")
        print("| θ | Pyro estimator | K | θ1 mean ± stderr | θ2 mean ± stderr | θ2 z vs truth |\n|---|---|---|---|---|---|")
        for key, theta in (("1,1", (1.0, 1.0)), ("0.5,-0.5", (0.5, -0.5))):
            truth = spnor_truth.truth(*theta)
            for label, blob in (("Trace_ELBO", ps["traceElbo"][key]),
                                ("Trace_ELBO vectorised", ps["traceElbo"][key]["vectorised"]),
                                ("TraceGraph_ELBO (z2 score)", ps["traceGraphElbo"][key])):
                g = blob["gradient"]
                print("| (%g, %g) | %s | %d | %.5f ± %.5f | %.5f ± %.5f | %.1f |"
                      % (theta + (label, blob["K"], g["theta1"]["mean"], g["theta1"]["stderr"],
                                  g["theta2"]["mean"], g["theta2"]["stderr"],
                                  (g["theta2"]["mean"] - truth[1]) / g["theta2"]["stderr"])))

    k = 100000
    print("\n== per-sample standard deviation of the gradient, auto vs score (K = %d, seed 7, initial params)" % k)
    print("| model | param | auto | score | score / auto |\n|---|---|---|---|---|")
    for name, p, sa, ss, est in variance(svic, k):
        print("| %s | %s | %.4g | %.4g | %.1f× |" % (name, p, sa, ss, ss / sa if sa else float("inf")))


if __name__ == "__main__":
    main()
