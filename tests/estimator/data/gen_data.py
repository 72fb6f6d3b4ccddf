"""Writes the small data files the tutorial-model tests train on (deterministic; the outputs are committed).
Shapes follow each model in examples/tutorial/:
  coin.json               data[10]  Bernoulli flips (9 heads: the posterior moves away from the guide's start)
  linear_regression.csv   x, y [100]  y = 2 x + 1 + N(0, 0.5)
  mixture.json            data[100] three clusters at -5, 0, 5 (sd 1)
  relu_net.csv            x, y [50]   y = sin(2 x) + N(0, 0.1)
  support_bug.csv         x, y [170]  y = 1 + 0.5 x + N(0, 1)
Usage: python3 gen_data.py  (writes next to itself)
"""
import json
import math
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))


def write_csv(name, cols):
    keys = list(cols)
    with open(os.path.join(HERE, name), "w") as f:
        f.write(",".join(keys) + "\n")
        for row in zip(*(cols[k] for k in keys)):
            f.write(",".join("%.6f" % v for v in row) + "\n")


def main():
    rng = random.Random(20261205)
    with open(os.path.join(HERE, "coin.json"), "w") as f:
        json.dump({"data": [1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]}, f)
        f.write("\n")
    x = [rng.uniform(-2, 2) for _ in range(100)]
    write_csv("linear_regression.csv", {"x": x, "y": [2 * v + 1 + rng.gauss(0, 0.5) for v in x]})
    centres = (-5.0, 0.0, 5.0)
    with open(os.path.join(HERE, "mixture.json"), "w") as f:
        json.dump({"data": [round(centres[i % 3] + rng.gauss(0, 1), 6) for i in range(100)]}, f)
        f.write("\n")
    x = [rng.uniform(-1, 1) for _ in range(50)]
    write_csv("relu_net.csv", {"x": x, "y": [math.sin(2 * v) + rng.gauss(0, 0.1) for v in x]})
    x = [rng.uniform(0, 5) for _ in range(170)]
    write_csv("support_bug.csv", {"x": x, "y": [1 + 0.5 * v + rng.gauss(0, 1) for v in x]})


if __name__ == "__main__":
    main()
