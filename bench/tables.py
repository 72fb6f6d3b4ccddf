#!/usr/bin/env python3
"""Regenerates the POPL 2023 paper's Table 4 and Table 5 from svic's JSON reports.

Table 4 (per program and property): #CRP = parameters + continuous latents,
the number of discrete latents, and the number of names in which svic proves
the density smooth, next to the oracle's manual count.
Table 5 (per pair, Lipschitz goal): continuous / discrete guide-and-model
latents, the reparameterised set, and the latents left to the score estimator.

Usage: tables.py SVIC_BINARY [EXAMPLES_DIR] [ORACLE_JSON]
"""
import json
import os
import subprocess
import sys

BENCHMARKS = ["air", "br", "csis", "dmm", "lda", "sgdef", "ssvae", "vae",
              "spnor", "dpmm", "cvae", "scanvi", "prodlda", "mhmm"]


def analyze(svic, examples, name):
    base = os.path.join(examples, name)
    out = subprocess.run(
        [svic, "analyze", os.path.join(base, "model.py"), "--guide",
         os.path.join(base, "guide.py"), "--format", "json", "--property", "diff,lips"],
        capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.exit(f"svic failed on {name} (exit {out.returncode}):\n{out.stderr}")
    return json.loads(out.stdout)


def latents(program):
    cont, disc = set(), set()
    for site in program["sites"]:
        if site["kind"] == "sample" and site.get("distribution") != "Delta":
            (disc if site["discrete"] else cont).add(site["name"])
    return cont, disc


def params(program):
    return {s["name"] for s in program["sites"] if s["kind"] == "param"}


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    here = os.path.dirname(os.path.abspath(__file__))
    svic = sys.argv[1]
    examples = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "..", "examples", "paper")
    oracle_path = sys.argv[3] if len(sys.argv) > 3 else os.path.join(
        here, "..", "..", "shared", "benchmarks", "smoothness-oracle.json")
    oracle = json.load(open(oracle_path)) if os.path.exists(oracle_path) else {}

    print("Table 4: smooth names per program (svic / oracle manual)")
    print(f"{'bench':8} {'prog':5} {'#CRP':>5} {'disc':>5} {'Diff svic':>10} {'Diff man':>9}"
          f" {'Lips svic':>10} {'Lips man':>9}")
    table5 = []
    for name in BENCHMARKS:
        report = analyze(svic, examples, name)
        for program in report["programs"]:
            role = program["role"]
            cont, disc = latents(program)
            crp = len(cont) + len(params(program))
            smooth = {p: set(program["smoothness"][p]["smooth"]) for p in ("diff", "lips")}
            row = oracle.get(name, {}).get(role, {}).get("table4", {})
            print(f"{name:8} {role:5} {crp:5d} {len(disc):5d} {len(smooth['diff']):10d}"
                  f" {row.get('manual_diff', '-'):>9} {len(smooth['lips']):10d}"
                  f" {row.get('manual_lips', '-'):>9}")
        models = {p["role"]: p for p in report["programs"]}
        cont = latents(models["model"])[0] | latents(models["guide"])[0]
        disc = latents(models["model"])[1] | latents(models["guide"])[1]
        rep = report["reparameterize"]
        expected = oracle.get(name, {}).get("reparam", {}).get("selected_ours")
        table5.append((name, len(cont), len(disc), rep["selected"], rep["score"],
                       rep["conditionHolds"], expected))

    print()
    print("Table 5: selective reparameterisation (Lipschitz goal)")
    print(f"{'bench':8} {'#CR':>4} {'#DR':>4} {'#sel':>5}  selected / score-estimated"
          f" / condition / oracle selected")
    for name, cr, dr, sel, score, holds, expected in table5:
        exp = ", ".join(sorted(expected)) if expected is not None else "-"
        print(f"{name:8} {cr:4d} {dr:4d} {len(sel):5d}  {', '.join(sel) or '-'}"
              f" / {', '.join(score) or '-'} / {'holds' if holds else 'FAILS'} / {exp}")


if __name__ == "__main__":
    main()
