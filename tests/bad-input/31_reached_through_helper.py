import argparse

import numpy as np
import pyro
import pyro.distributions as dist


def draw(n):
    for i in range(n):
        if i > 3:
            break
    return pyro.sample("z", dist.Normal(0., 1.))


def model():
    draw(5)


def main():
    parser = argparse.ArgumentParser()
    print(np.zeros(3), parser)


if __name__ == "__main__":
    main()
