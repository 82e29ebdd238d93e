"""Draw docs/derivations/figures/vanishing_gradients.png: the norm of the gradient after each
layer's backward pass (x_bar = W^T y_bar) through 40 random linear layers of width 64, for
weights of standard deviation s / sqrt(64), s = 0.5, 1, 2, against the s^depth law; and the
gradient through a chain of sigmoids against its bound 4^-depth.

Run from the repository root: python docs/derivations/figures/vanishing_gradients.py
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from scalargrad import Value  # noqa: E402

OUT = Path(__file__).with_suffix(".png")


def linear_chain(s, depth=40, n=64, seed=0):
    rng = np.random.default_rng(seed)
    g = rng.standard_normal(n)
    g /= np.linalg.norm(g)
    norms = [1.0]
    for _ in range(depth):
        g = (rng.standard_normal((n, n)) * s / np.sqrt(n)).T @ g
        norms.append(float(np.linalg.norm(g)))
    return norms


def sigmoid_chain(depth=40, x0=0.5):
    grads = [1.0]
    for d in range(1, depth + 1):
        x = Value(x0)
        y = x
        for _ in range(d):
            y = y.sigmoid()
        y.backward()
        grads.append(x.grad)
    return grads


def main():
    depth = np.arange(41)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for s, color in ((0.5, "tab:blue"), (1.0, "tab:green"), (2.0, "tab:red")):
        left.semilogy(depth, linear_chain(s), color=color, label=f"s = {s:g}")
        left.semilogy(depth, float(s) ** depth, color=color, linestyle=":")
    left.set(xlabel="layers backpropagated through", ylabel="gradient norm",
             title="random linear layers (dotted: $s^L$)")  # fmt: skip
    left.legend()
    right.semilogy(depth, sigmoid_chain(), label="chain of sigmoids")
    right.semilogy(depth, 0.25**depth, linestyle=":", label="bound $4^{-L}$")
    right.set(xlabel="sigmoids backpropagated through", title="saturating activations")
    right.legend()
    fig.tight_layout()
    fig.savefig(OUT, dpi=80)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
