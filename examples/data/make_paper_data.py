#!/usr/bin/env python3
"""Writes the small data sets that `svic analyze --data` uses for the paper
benchmarks whose shapes come from their inputs (cvae, prodlda, scanvi): a batch
of 4 with the widths the programs' networks expect. Run with /usr/bin/python3
(needs numpy); the output is deterministic.
"""
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(0)

# prodlda: bag-of-words counts over a 12722-word vocabulary.
docs = (rng.random((4, 12722)) < 0.01) * rng.integers(1, 4, (4, 12722))
np.savez_compressed(os.path.join(HERE, "prodlda.npz"), docs=docs.astype(np.float64))

# cvae: 784-pixel images, -1 where the pixel is masked; ys the true pixels.
xs = np.where(rng.random((4, 784)) < 0.5, -1.0, (rng.random((4, 784)) < 0.3).astype(float))
ys = (rng.random((4, 784)) < 0.3).astype(float)
np.savez_compressed(os.path.join(HERE, "cvae.npz"), xs=xs, ys=ys)

# scanvi: gene counts over 21932 genes and one-hot labels over 4 cell types.
x = (rng.random((4, 21932)) < 0.01) * rng.integers(1, 5, (4, 21932))
y = np.eye(4)[rng.integers(0, 4, 4)]
np.savez_compressed(os.path.join(HERE, "scanvi.npz"), x=x.astype(np.float64), y=y)
