#!/usr/bin/env python3
"""Writes docs/diagnostics.md from frontend/ir/include/svic/ir/DiagIds.def.

The registry is the single source of the ids; this page and the SARIF rules
are both generated from it. `--check` exits 1 when the page is stale (a ctest
test runs it so the docs cannot drift).
"""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
DEF = os.path.join(ROOT, "frontend", "ir", "include", "svic", "ir", "DiagIds.def")
DOC = os.path.join(ROOT, "docs", "diagnostics.md")

ROW = re.compile(r'SVIC_DIAG\(\s*(\w+)\s*,\s*"([^"]+)"\s*,\s*(\w+)\s*,\s*((?:"[^"]*"\s*)+)\)', re.S)


def render():
    text = open(DEF).read()
    lines = ["# Diagnostics", "",
             "Every diagnostic svic emits has a stable id (the `[...]` suffix in text output,",
             "`id` in JSON, `ruleId` in SARIF). Generated from",
             "`frontend/ir/include/svic/ir/DiagIds.def` by `scripts/gen-diagnostics-doc.py`.", "",
             "| id | default severity | meaning |", "|---|---|---|"]
    for _, name, sev, doc in ROW.findall(text):
        doc = "".join(re.findall(r'"([^"]*)"', doc))
        lines.append(f"| `{name}` | {sev.lower()} | {doc} |")
    return "\n".join(lines) + "\n"


def main():
    page = render()
    if "--check" in sys.argv:
        current = open(DOC).read() if os.path.exists(DOC) else ""
        if current != page:
            sys.exit("docs/diagnostics.md is stale: run scripts/gen-diagnostics-doc.py")
        return
    os.makedirs(os.path.dirname(DOC), exist_ok=True)
    with open(DOC, "w") as f:
        f.write(page)


if __name__ == "__main__":
    main()
