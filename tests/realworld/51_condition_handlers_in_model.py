"""pyro.condition used inside a model: the call form on a helper (the observed series) and the context-manager
form around a second helper (a calibration reading); the guide covers the latents left."""
import torch
import pyro
import pyro.distributions as dist
from pyro import poutine
from torch.distributions import constraints


def sensor(level):
    drift = pyro.sample("drift", dist.Normal(0., 0.1))
    return pyro.sample("reading", dist.Normal(level + drift, 0.5))


def calibration(level):
    bias = pyro.sample("bias", dist.Normal(0., 1.))
    return pyro.sample("calib", dist.Normal(level + bias, 0.2))


def model(reading, calib):
    level = pyro.sample("level", dist.LogNormal(0., 1.))
    poutine.condition(sensor, data={"reading": reading})(level)
    with pyro.condition(data={"calib": calib}):
        calibration(level)


def guide(reading, calib):
    loc = pyro.param("loc", torch.tensor(0.))
    scale = pyro.param("scale", torch.tensor(0.5), constraint=constraints.positive)
    pyro.sample("level", dist.LogNormal(loc, scale))
    pyro.sample("drift", dist.Normal(pyro.param("drift_loc", torch.tensor(0.)), 0.1))
    pyro.sample("bias", dist.Normal(pyro.param("bias_loc", torch.tensor(0.)), 1.))
