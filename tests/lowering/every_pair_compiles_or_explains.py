"""Every model/guide pair in the repository either compiles and estimates a
gradient (exit 0) or is refused with a located diagnostic (exit 1 or 2):
never a crash, never an internal error (exit 3). The same for `svic simulate`
on every model."""
import tempfile
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
with tempfile.TemporaryDirectory() as tmp:
    models = [d / "model.py" for d in pairs] + sorted(root.glob("examples/tutorial/*.py"))
    for m in models:
        r = subprocess.run([svic, "simulate", str(m), "-o", str(pathlib.Path(tmp) / "d.npz")],
                           capture_output=True, text=True, timeout=120)
        if r.returncode not in (0, 2) or (r.returncode == 2 and "error: " not in r.stderr):
            failures.append(f"simulate {m}: exit {r.returncode}\n{r.stderr[-2000:]}")
print("\n".join(failures))
print(f"{len(pairs)} pairs checked, {len(failures)} failed")
sys.exit(1 if failures else 0)
