#!/usr/bin/env python3
"""Generated programs against real Pyro 1.8.6 (issue 8): svic's smoothness claims checked by an outside oracle.

The property bench checks svic's claims against svic's own reference interpreter, which shares svic's beliefs.
Here the programs written by `svic-property-bench --emit DIR N SEED` (source + data sidecar) are run in real
Pyro instead: for each program, `svic analyze --format json` (model only, no --data: the claims must hold for
every data value) gives the latents and params claimed cont / lips / diff; the model's log-density
(poutine.trace(poutine.condition(model, ...)).log_prob_sum(), validation on, float64) is evaluated at base
points (data from the sidecar, latents drawn from the model's own prior by a plain trace, params at random
points of their constraint), and every claimed variable is moved alone along its coordinate: probed at the
base point and at random points of the line, and at the breaks a scan of the line locates (a bisection on the
jump, or on the change of slope). The probe is table_rows.probe. A break of a claimed level is a contradiction.

Programs that Pyro cannot run at any base point (the generator's subset is svic's, and some of its calls are
not valid torch, e.g. torch.log on a Python float) are counted as not runnable, never as agreeing.
Exit status 1 on any contradiction. SVIC_DIFF_BASES sets the number of base points per program (3).
Any other program file whose `model()` takes no arguments can be given instead of a directory (ctest
differential.smoothness_corpus: the support corpus's models and the argument-free examples).
Run:  ../shared/reference/pyro-python tests/differential/generated_diff.py SVIC DIR|FILE ...
"""
import glob
import inspect
import json
import math
import os
import re
import subprocess
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import table_rows  # noqa: E402  (sets float64 as torch's default dtype)
from table_rows import LEVELS, probe  # noqa: E402

import torch  # noqa: E402
import pyro  # noqa: E402
from pyro import poutine  # noqa: E402
from pyro.poutine.messenger import Messenger  # noqa: E402
from torch.distributions import transform_to  # noqa: E402

BASES = int(os.environ.get("SVIC_DIFF_BASES", "3"))  # base points per program
BASE_TRIES = 20    # prior draws per base point before giving up
LINE_POINTS = 2    # random points probed on each line
SCAN = 16          # grid points of the line scan


class ParamValues(Messenger):
    """Gives every pyro.param the value in `values`, drawing a missing one at a random point of its
    constraint (so an init outside the constraint does not matter, as for svic, which probes the value)."""

    def __init__(self, values, gen):
        super().__init__()
        self.values, self.gen, self.constraints = values, gen, {}

    def _pyro_param(self, msg):
        name = msg["args"][0]
        # The first pyro.param of a name declares its constraint; a later `pyro.param("p")` reads it back.
        c = self.constraints.setdefault(name, msg["kwargs"].get("constraint"))
        if name not in self.values:
            u = torch.randn((), generator=self.gen) * 1.5
            self.values[name] = float(transform_to(c)(u)) if c is not None else float(u)
        msg["value"] = torch.tensor(self.values[name])
        msg["done"] = True


class Lifted:
    """torch / torch.nn.functional as the programs use them. svic's subset (SPEC §3) lets torch's elementwise
    functions take Python numbers (`torch.log(2.38)`, `torch.stack([0.5, z])`), which torch itself refuses with a
    TypeError; the programs' meaning is the function applied to the number as a 0-d tensor, so the first argument
    (or the numbers of a list given first) is lifted to a tensor before the real torch function runs."""

    KEEP = {"tensor", "as_tensor", "zeros", "ones", "full", "arange", "linspace", "eye", "Size"}

    def __init__(self, module):
        self._module = module

    def __getattr__(self, attr):
        fn = getattr(self._module, attr)
        if attr in self.KEEP or not callable(fn) or isinstance(fn, type):
            return fn

        def lift(x):
            if isinstance(x, bool):
                return torch.tensor(x)
            return torch.tensor(float(x)) if isinstance(x, (int, float)) else x

        def call(*args, **kwargs):
            if attr in ("maximum", "minimum", "where"):  # every argument is a value (`torch.maximum(p, 1.1)`)
                args = tuple(lift(a) for a in args)
            elif args:
                first = args[0]
                first = type(first)(lift(v) for v in first) if isinstance(first, (list, tuple)) else lift(first)
                args = (first,) + args[1:]
            return fn(*args, **kwargs)
        return call


class LiftedDist:
    """pyro.distributions with the same lifting for `.log_prob(number)` (svic: the number as a 0-d tensor;
    Pyro's validation refuses a non-tensor value)."""

    def __init__(self, module):
        self._module = module
        self.made = []  # every distribution built, for extreme(): one used as a value is in no trace

    def __getattr__(self, attr):
        cls = getattr(self._module, attr)
        if not (isinstance(cls, type) and issubclass(cls, torch.distributions.Distribution)):
            return cls

        def make(*args, **kwargs):
            d = cls(*args, **kwargs)
            self.made.append(d)
            log_prob = d.log_prob
            d.log_prob = lambda v: log_prob(torch.tensor(float(v)) if isinstance(v, (int, float)) else v)
            return d
        return make


class Program:
    def __init__(self, path):
        self.path = path
        self.source = open(path).read()
        sidecar = path[:-3] + ".json"  # a program without one takes no arguments
        self.data_sets = json.load(open(sidecar))["data"] if os.path.exists(sidecar) else [{}]
        scope = {}
        exec(compile(self.source, path, "exec"), scope)
        scope["torch"], scope["F"] = Lifted(torch), Lifted(scope["F"]) if "F" in scope else None
        scope["dist"] = self.dists = LiftedDist(scope["dist"])
        self.model = scope["model"]

    def run(self, data, latents, params, gen, seed=0):
        """The trace of the model with the latents conditioned, or None where Pyro raises / is not finite."""
        # Sites first reached off the base path get the same draw on every call. Only torch's CPU generator:
        # pyro.set_rng_seed also seeds CUDA lazily, whose stack capture was a fifth of the run time.
        torch.default_generator.manual_seed(seed)
        self.dists.made = []
        pv = ParamValues(params, gen)
        try:
            with torch.no_grad(), pv:
                cond = poutine.condition(self.model, data={k: torch.tensor(v) for k, v in latents.items()})
                tr = poutine.trace(cond).get_trace(**{k: torch.tensor(v) for k, v in data.items()})
                lp = float(tr.log_prob_sum())
        except Exception:
            return None, pv.constraints
        return (tr, lp) if math.isfinite(lp) else None, pv.constraints


def extreme(tr, made, lo, hi):
    """The first number of the trace (a site's value, a distribution's parameter) with a magnitude outside [lo, hi]
    (0 excepted), a probability within lo of 0 or 1, or a cancellation remnant (a magnitude below 1e-12 that is a
    whole number of float64 quanta of 1, like 1 - tanh(18.7) = 2^-53); None if there is none."""
    def numbers(name, obj, depth=0):
        if isinstance(obj, torch.Tensor):
            yield name, obj
        elif isinstance(obj, torch.distributions.Distribution) and depth < 3:
            for k, v in vars(obj).items():
                yield from numbers(k, v, depth + 1)
    sites = [(s, [("value", n["value"])] + list(numbers("fn", n["fn"]))) for s, n in tr.nodes.items()
             if n["type"] == "sample"]
    for site, found in sites + [("a distribution value", [x for d in made for x in numbers("fn", d)])]:
        for name, t in found:
            a = t.detach().double().abs()
            a = a[torch.isfinite(a) & (a > 0)]
            if a.numel() and (float(a.min()) < lo or float(a.max()) > hi):
                return "%s %s of '%s'" % (name, "%.3g" % float(a.max() if float(a.max()) > hi else a.min()), site)
            q = a[a < 1e-12] / 2.0 ** -53
            if q.numel() and bool((q == torch.round(q)).any()):
                return "%s %.3g of '%s' (1 - x cancelled)" % (name, float(a.min()), site)
            if name == "probs":
                q = torch.minimum(t, 1 - t).double()
                q = q[q > 0]
                if q.numel() and float(q.min()) < lo:
                    return "probs within %.3g of 0 or 1 at '%s'" % (float(q.min()), site)
    return None


def svic_claims(svic, path):
    """{level: set of claimed names}, the set of discrete names, or (None, reason)."""
    out = subprocess.run([svic, "analyze", path, "--format", "json"], capture_output=True, text=True, timeout=120)
    try:
        report = json.loads(out.stdout)
    except ValueError:
        return None, (out.stderr.strip().splitlines() or ["no report"])[-1]
    model = next((p for p in report.get("programs", []) if p["role"] == "model"), None)
    if model is None or "smoothness" not in model:
        return None, "no smoothness report"
    discrete = {s["name"] for s in model.get("sites", []) if s.get("discrete")}
    return ({lvl: set(model["smoothness"][lvl]["smooth"]) for lvl in LEVELS}, discrete), None


def canonical_match(name, concrete):
    return re.fullmatch(re.escape(name).replace(re.escape("{}"), r"-?\d+"), concrete) is not None


def locate(f, a, b, fa, fb):
    """A candidate break in [a, b] where f changes suspiciously: where it stops running, or a jump."""
    for _ in range(45):
        m = 0.5 * (a + b)
        fm = f(m)
        if (fa is None) != (fb is None):
            if (fm is None) == (fa is None):
                a, fa = m, fm
            else:
                b, fb = m, fm
        elif fm is None:
            return m
        elif abs(fm - fa) >= abs(fb - fm):
            b, fb = m, fm
        else:
            a, fa = m, fm
    return 0.5 * (a + b)


def locate_kink(f, a, b):
    """Bisection on the change of slope between a and b (one kink, smooth pieces)."""
    h = 1e-6 * max(1.0, b - a)

    def slope(x):
        u, v = f(x + h), f(x - h)
        return None if u is None or v is None else (u - v) / (2 * h)
    sa, sb = slope(a), slope(b)
    if sa is None or sb is None:
        return None
    for _ in range(40):
        m = 0.5 * (a + b)
        sm = slope(m)
        if sm is None:
            return m
        if abs(sm - sa) > abs(sb - sm):
            b, sb = m, sm
        else:
            a, sa = m, sm
    return 0.5 * (a + b)


def scan_points(f, lo, hi):
    """Points worth probing on [lo, hi]: located jumps / failures, and located kinks."""
    xs = [lo + (hi - lo) * i / (SCAN - 1) for i in range(SCAN)]
    ys = [f(x) for x in xs]
    found = []
    diffs = [abs(ys[i + 1] - ys[i]) for i in range(SCAN - 1) if ys[i] is not None and ys[i + 1] is not None]
    typical = sorted(diffs)[len(diffs) // 2] if diffs else 0.0
    for i in range(SCAN - 1):
        if (ys[i] is None) != (ys[i + 1] is None) or (
                ys[i] is not None and ys[i + 1] is not None and abs(ys[i + 1] - ys[i]) > 10 * typical + 1e-3):
            found.append(locate(f, xs[i], xs[i + 1], ys[i], ys[i + 1]))
    # Second differences that stand out from their neighbours: a kink between i-1 and i+1.
    sec = [None] * SCAN
    for i in range(1, SCAN - 1):
        if None not in (ys[i - 1], ys[i], ys[i + 1]):
            sec[i] = abs(ys[i + 1] - 2 * ys[i] + ys[i - 1])
    vals = sorted(s for s in sec if s is not None)
    typ2 = vals[len(vals) // 2] if vals else 0.0
    for i in range(1, SCAN - 1):
        if sec[i] is not None and sec[i] > 10 * typ2 + 1e-6 and len(found) < 8:
            k = locate_kink(f, xs[i - 1], xs[i + 1])
            if k is not None:
                found.append(k)
    return found[:8]


def self_test():
    """The line scan must lead the probe to a kink and to a jump that no random point would hit."""
    problems = table_rows.self_test()
    cases = [(lambda x: abs(x - 0.3137), {"diff"}), (lambda x: x + (2.0 if x > -0.4221 else 0.0), set(LEVELS)),
             (lambda x: None if x < 0.1713 else x * x, set(LEVELS))]
    for n, (f, want) in enumerate(cases):
        seen = set()
        for p in scan_points(f, -1.0, 1.0):
            seen |= probe(f, p)[0]
        if seen != want:
            problems.append("scan self-test %d: found breaks %s, expected %s" % (n, sorted(seen), sorted(want)))
    return problems


def check_program(svic, path, gen, stats):
    claims, err = svic_claims(svic, path)
    if claims is None:
        stats["refused"] += 1
        print("refused  %s: %s" % (os.path.basename(path), err))
        return []
    claimed, discrete = claims
    if not any(claimed[lvl] - discrete for lvl in LEVELS):
        stats["no_claims"] += 1
        return []
    try:
        prog = Program(path)
        if not prog.data_sets[0] and any(p.default is inspect.Parameter.empty
                                         for p in inspect.signature(prog.model).parameters.values()):
            stats["needs_data"] += 1  # a hand-written model with data arguments and no sidecar
            return []
    except Exception as e:  # the source is not valid Python for CPython
        stats["not_runnable"] += 1
        print("not runnable  %s: %s" % (os.path.basename(path), type(e).__name__))
        return []
    problems, bases, reported = [], 0, {}  # reported: the levels already contradicted, by claimed name
    for b in range(BASES):
        data = prog.data_sets[b % len(prog.data_sets)]
        base = None
        for t in range(BASE_TRIES):
            params = {}
            res, constraints = prog.run(data, {}, params, gen, seed=1000 * b + t)
            # Like the property checker, no base point where the density is astronomically large: its rounding
            # swamps the probe's differences (the probe also allows for rounding, but only near the base).
            if res is not None and abs(res[1]) < 1e8:
                base = (res[0], params, constraints)
                break
        if base is None:
            continue
        bases += 1
        tr, params, constraints = base
        latents = {n: float(s["value"]) for n, s in tr.nodes.items()
                   if s["type"] == "sample" and not s["is_observed"] and s["value"].numel() == 1}
        supports = {n: tr.nodes[n]["fn"].support for n in latents}
        # The moved variables: every concrete latent / param whose canonical name carries a claim.
        targets = []
        for name in sorted(set().union(*claimed.values()) - discrete):
            for n in latents:
                if canonical_match(name, n):
                    targets.append((name, n, "latent"))
            for n in params:
                if canonical_match(name, n):
                    targets.append((name, n, "param"))
        for name, n, kind in targets:
            levels = {lvl for lvl in LEVELS if name in claimed[lvl]}
            support = supports[n] if kind == "latent" else constraints.get(n)
            x0 = latents[n] if kind == "latent" else params[n]

            def trace_at(v, n=n, kind=kind):
                lat, par = dict(latents), dict(params)
                (lat if kind == "latent" else par)[n] = v
                if kind == "latent" and support is not None and not bool(support.check(torch.tensor(v))):
                    return None  # outside the site's support the density is not defined (svic: log 0)
                return prog.run(data, lat, par, gen, seed=0)[0]

            def f(v):
                res = trace_at(v)
                return None if res is None else res[1]

            def float_limits(p, lo, hi):
                """Where the trace next to p holds numbers beyond [lo, hi], the first one."""
                for d in (0, 1e-9, -1e-9, 1e-7, -1e-7, 1e-5, -1e-5):
                    res = trace_at(p + d)
                    why = res and extreme(res[0], prog.dists.made, lo, hi)
                    if why:
                        return why
                return None

            # Keep probes inside the support: the claims are about the density on it.
            def inside(v):
                return support is None or bool(support.check(torch.tensor(v)))
            w = 1.0 + abs(x0) * 0.5
            lo, hi = x0 - w, x0 + w
            while not inside(lo) and lo < x0:
                lo = 0.5 * (lo + x0)
            while not inside(hi) and hi > x0:
                hi = 0.5 * (hi + x0)
            margin = 1e-4 * (hi - lo)
            lo, hi = lo + margin, hi - margin
            pts = [x0] + [lo + (hi - lo) * float(torch.rand((), generator=gen)) for _ in range(LINE_POINTS)]
            if hi > lo:
                pts += scan_points(f, lo, hi)
            stats["lines"] += 1
            for p in pts:
                if not inside(p - 1e-5) or not inside(p + 1e-5):
                    continue  # at the support's edge: the density is claimed on the support only
                stats["probes"] += 1
                broken, why = probe(f, p)
                bad = levels & broken - reported.get(name, set())
                # Float64 saturation (1 - sigmoid(30) is a few ulps) makes a density rough everywhere on an
                # interval (a one-ulp change of 1 - p shows as a step only now and then); a real break of a
                # piecewise-smooth program is isolated, so a break that the probe also sees at one of six points
                # 0.3e-3 .. 1e-3 away is rounding, reported as rough, not a contradiction and not an agreement.
                # A density that is finite but beyond 1e100 next to a non-finite one is float overflow of a real
                # (finite) value, e.g. a Normal scale sigmoid(v) ** 2 underflowing to 0: rough as well.
                if bad and why.startswith("raises") and any(
                        v is not None and abs(v) > 1e100 for v in (f(p + d) for d in (0, 1e-5, -1e-5, 1e-9, -1e-9))):
                    stats["rough"] += 1
                    print("rough  %s: %s = %.17g: overflow, %s" % (os.path.basename(path), n, p, why))
                    continue
                # Float limits: a raise next to a number beyond 1e+-100, like a finite density beyond 1e100 above (a
                # scale sigmoid(-v) that underflows to 0 beyond v = 745); any other break next to numbers beyond [1e-6, 1e6] (a Cauchy loc
                # of -4e8 moving 1e13 per unit, a probability 1e-8 from 1), whose steps are narrower or whose
                # rounding is coarser than the probe's finest step. Rough, not a contradiction nor an agreement.
                limit = bad and (float_limits(p, 1e-100, 1e100) if why.startswith("raises")
                                 else float_limits(p, 1e-6, 1e6))
                if limit:
                    stats["rough"] += 1
                    print("rough  %s: %s = %.17g: %s next to %s" % (os.path.basename(path), n, p, why, limit))
                    continue
                if bad and any(inside(p + o - 1e-5) and inside(p + o + 1e-5) and probe(f, p + o)[0] & bad
                               for o in (3.1e-4, -4.7e-4, 6.3e-4, -7.9e-4, 8.3e-4, -9.7e-4)):
                    stats["rough"] += 1
                    print("rough  %s: %s = %.17g: %s" % (os.path.basename(path), n, p, why))
                    continue
                if bad:
                    reported.setdefault(name, set()).update(bad)
                    problems.append("%s: svic claims %s in %s, but Pyro's density breaks at %s = %.17g "
                                    "(data %s): %s" % (os.path.basename(path), "/".join(sorted(bad)), name, n, p,
                                                       json.dumps(data), why))
                    levels -= bad
    if bases == 0:
        stats["not_runnable"] += 1
        print("not runnable  %s: Pyro raises at every base point" % os.path.basename(path))
    else:
        stats["checked"] += 1
        for lvl in LEVELS:
            stats["claims_" + lvl] += len(claimed[lvl] - discrete)
    return problems


def main(argv):
    if len(argv) < 3:
        print("usage: generated_diff.py SVIC DIR|FILE ...", file=sys.stderr)
        return 2
    svic = argv[1]
    warnings.simplefilter("ignore")
    pyro.enable_validation(True)
    problems = self_test()
    gen = torch.Generator().manual_seed(int(os.environ.get("SVIC_DIFF_SEED", "0")))
    paths = sorted(p for a in argv[2:] for p in (glob.glob(os.path.join(a, "g*.py")) if os.path.isdir(a) else [a]))
    stats = dict(programs=len(paths), refused=0, no_claims=0, not_runnable=0, needs_data=0, checked=0, lines=0,
                 probes=0, rough=0,
                 claims_cont=0, claims_lips=0, claims_diff=0)
    for path in paths:
        problems += check_program(svic, path, gen, stats)
    print("%(programs)d programs: checked in Pyro %(checked)d, not runnable in Pyro %(not_runnable)d, "
          "no claim %(no_claims)d, needing data %(needs_data)d, refused by svic %(refused)d; claims cont %(claims_cont)d lips %(claims_lips)d "
          "diff %(claims_diff)d; lines %(lines)d, probes %(probes)d (rough, not counted: %(rough)d)" % stats)
    for p in problems:
        print("CONTRADICTION " + p)
    stats["contradictions"] = len(problems)
    print("STATS " + json.dumps(stats))  # summed over chunks by bench/differential/run.sh
    print("%d contradictions" % len(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
