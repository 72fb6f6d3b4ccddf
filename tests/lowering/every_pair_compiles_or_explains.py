"""Every model/guide pair in the repository either compiles and estimates a
gradient (exit 0) or is refused with a located diagnostic (exit 1 or 2):
never a crash, never an internal error (exit 3)."""
import pathlib
import subprocess
import sys

svic, root = sys.argv[1], pathlib.Path(sys.argv[2])
pairs = sorted(p.parent for p in root.glob("tests/support/*/model.py")) + \
        sorted(p.parent for p in root.glob("examples/paper/*/model.py"))
failures = []
for d in pairs:
    r = subprocess.run([svic, "grad", str(d / "model.py"), "--guide", str(d / "guide.py"), "--samples", "2"],
                       capture_output=True, text=True, timeout=120)
    if r.returncode not in (0, 1, 2):
        failures.append(f"{d}: exit {r.returncode}\n{r.stderr[-2000:]}")
    elif r.returncode != 0 and ": error: " not in r.stderr:
        failures.append(f"{d}: exit {r.returncode} without a located error\n{r.stderr[-2000:]}")
for t in sorted(root.glob("examples/tutorial/*.py")):
    r = subprocess.run([svic, "grad", str(t), "--samples", "2"], capture_output=True, text=True, timeout=120)
    if r.returncode not in (0, 1, 2):
        failures.append(f"{t}: exit {r.returncode}\n{r.stderr[-2000:]}")
print("\n".join(failures))
print(f"{len(pairs)} pairs checked, {len(failures)} failed")
sys.exit(1 if failures else 0)
