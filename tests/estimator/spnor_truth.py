"""The true ELBO gradient of spnor (examples/paper/spnor) by quadrature. Python standard library only.

Guide q_theta: z1 ~ N(theta1, 1), z2 ~ N(theta2, 1) (independent).
Model: z1 ~ N(0, 5), z2 ~ N(z1, 3), x = 0 observed under N(1, 1) if z2 > 0 else N(-2, 1).

  ELBO(theta) = E_q[h(z)],  h = log p(z1) + log p(z2 | z1) + log p(x | z2) - log q(z1) - log q(z2)
  d ELBO / d theta_i = E_q[(z_i - theta_i) * h(z)]                   (score form; E_q[d log q] = 0)

The double integral is computed with Gauss-Legendre in z1 (h is a polynomial in z1 times a Gaussian weight,
smooth) and composite Gauss-Legendre panels in z2 that split at the jump z2 = 0, on theta_i +- 12 standard
deviations. The closed form (for the cross-check) is
  d/d theta1 = -theta1 / 25 + (theta2 - theta1) / 9
  d/d theta2 = -(theta2 - theta1) / 9 + phi(theta2) * (log N(0; 1, 1) - log N(0; -2, 1))
and Pyro's Trace_ELBO (which reparameterises z2 and so never sees the jump) has the expectation of the same
expression without the phi term.

    python3 spnor_truth.py [theta1 theta2]   prints the quadrature gradient, the closed form, and Pyro's bias
"""
import functools
import math
import sys

LOG2PI = math.log(2.0 * math.pi)


def lnorm(x, loc, scale):
    d = (x - loc) / scale
    return -0.5 * d * d - math.log(scale) - 0.5 * LOG2PI


def gauss_legendre(n):
    """Nodes and weights on [-1, 1] (Newton on the Legendre polynomial)."""
    xs, ws = [], []
    for i in range(1, n + 1):
        x = math.cos(math.pi * (i - 0.25) / (n + 0.5))
        for _ in range(100):
            p0, p1 = 1.0, x
            for k in range(2, n + 1):
                p0, p1 = p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k
            dp = n * (x * p1 - p0) / (x * x - 1.0)
            dx = p1 / dp
            x -= dx
            if abs(dx) < 1e-15:
                break
        xs.append(x)
        ws.append(2.0 / ((1.0 - x * x) * dp * dp))
    return xs, ws


def panels(lo, hi, cuts, n_panels, nodes):
    """Composite Gauss-Legendre rule on [lo, hi], with panel boundaries at every cut inside it."""
    bounds = sorted({lo, hi} | {c for c in cuts if lo < c < hi})
    xs, ws = nodes
    pts = []
    for a, b in zip(bounds, bounds[1:]):
        m = max(1, round(n_panels * (b - a) / (hi - lo)))
        h = (b - a) / m
        for j in range(m):
            c0 = a + j * h
            for x, w in zip(xs, ws):
                pts.append((c0 + 0.5 * h * (x + 1.0), 0.5 * h * w))
    return pts


def log_lik(z2):
    return lnorm(0.0, 1.0, 1.0) if z2 > 0 else lnorm(0.0, -2.0, 1.0)


@functools.lru_cache(maxsize=None)
def quadrature(theta1, theta2, width=12.0, n_panels=16, order=16):
    """(ELBO, dELBO/dtheta1, dELBO/dtheta2) by quadrature of the score form."""
    nodes = gauss_legendre(order)
    r1 = panels(theta1 - width, theta1 + width, [], n_panels, nodes)
    r2 = panels(theta2 - width, theta2 + width, [0.0], n_panels, nodes)
    elbo = g1 = g2 = 0.0
    for z1, w1 in r1:
        q1 = math.exp(lnorm(z1, theta1, 1.0))
        base1 = lnorm(z1, 0.0, 5.0) - lnorm(z1, theta1, 1.0)
        e = a1 = a2 = 0.0
        for z2, w2 in r2:
            wq = w2 * math.exp(lnorm(z2, theta2, 1.0))
            h = base1 + lnorm(z2, z1, 3.0) + log_lik(z2) - lnorm(z2, theta2, 1.0)
            e += wq * h
            a1 += wq * h
            a2 += wq * (z2 - theta2) * h
        wt = w1 * q1
        elbo += wt * e
        g1 += wt * (z1 - theta1) * a1
        g2 += wt * a2
    return elbo, g1, g2


def closed_form(theta1, theta2):
    phi = math.exp(-0.5 * theta2 * theta2) / math.sqrt(2.0 * math.pi)
    jump = lnorm(0.0, 1.0, 1.0) - lnorm(0.0, -2.0, 1.0)
    return (-theta1 / 25.0 + (theta2 - theta1) / 9.0, -(theta2 - theta1) / 9.0 + phi * jump)


def pyro_trace_elbo_expectation(theta1, theta2):
    """E of Pyro's Trace_ELBO estimate: the pathwise derivative with the branch held fixed."""
    return (-theta1 / 25.0 + (theta2 - theta1) / 9.0, -(theta2 - theta1) / 9.0)


def truth(theta1, theta2):
    """The quadrature gradient; asserts it agrees with the closed form to 1e-7."""
    _, g1, g2 = quadrature(theta1, theta2)
    c1, c2 = closed_form(theta1, theta2)
    assert abs(g1 - c1) < 1e-7 and abs(g2 - c2) < 1e-7, ((g1, g2), (c1, c2))
    return g1, g2


if __name__ == "__main__":
    pts = [(float(sys.argv[1]), float(sys.argv[2]))] if len(sys.argv) == 3 else [(1.0, 1.0), (0.5, -0.5)]
    for t1, t2 in pts:
        e, g1, g2 = quadrature(t1, t2)
        print("theta=(%g, %g): quadrature (%.6f, %.6f)  closed form (%.6f, %.6f)  ELBO %.6f  "
              "Pyro Trace_ELBO expectation (%.6f, %.6f)"
              % ((t1, t2, g1, g2) + closed_form(t1, t2) + (e,) + pyro_trace_elbo_expectation(t1, t2)))
