"""Scalar engine vs micrograd on micrograd's own demo workload, timed in the same run.

One training step of ``MLP(2, [16, 16, 1])`` on 100 moons points: forward, SVM hinge loss +
1e-4 L2, backward, SGD update. Both models start from the same weights (micrograd's are copied
into ours), so the losses must be identical at every step; the script checks that, then prints
the time per step and the speed-up. Needs ``pip install micrograd==0.1.0`` (``make bench``).

    python demos/benchmark.py scalar [--quick]
"""

import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scalargrad import Value  # noqa: E402
from scalargrad.data.toy_datasets import make_moons  # noqa: E402
from scalargrad.optim import SGD  # noqa: E402
from scalargrad.scalar.losses import hinge  # noqa: E402
from scalargrad.scalar.nn import MLP  # noqa: E402

ALPHA = 1e-4


def micrograd_step(model, X, y, lr):
    """micrograd's demo, verbatim in substance: its loss() then the update loop."""
    from micrograd.engine import Value as MValue

    inputs = [list(map(MValue, row)) for row in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores, strict=True)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * sum(p * p for p in model.parameters())
    total = data_loss + reg_loss
    model.zero_grad()
    total.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    return total.data


def scalargrad_step(model, optimizer, X, y, lr):
    """The same step on our engine: fused neuron nodes, hinge loss, SGD."""
    scores = [model(row)[0] for row in X]
    params = model.parameters()
    total = hinge(scores, y) + ALPHA * Value.dot(params, params)
    optimizer.param_groups[0]["lr"] = lr
    optimizer.zero_grad()
    total.backward()
    optimizer.step()
    return total.data


def _time_steps(step, n):
    losses, times = [], []
    for k in range(n):
        lr = 1.0 - 0.9 * k / 100
        start = time.perf_counter()
        losses.append(step(lr))
        times.append(time.perf_counter() - start)
    return losses, times


def run(quick=False):
    """Time both engines; returns a dict with the per-step times, the ratio and the losses."""
    print(
        "\n== scalar engine vs micrograd: one training step of MLP(2, [16, 16, 1]) on 100 moons =="
    )
    try:
        from micrograd.nn import MLP as MicroMLP
    except ImportError:
        print("  micrograd is not installed: pip install micrograd==0.1.0 (make bench does this)")
        return {"skipped": "micrograd not installed"}
    X, y01 = make_moons(100, noise=0.1, seed=1, dtype=np.float64)
    X = X.tolist()
    y = [int(v) * 2 - 1 for v in y01]

    random.seed(1337)
    theirs = MicroMLP(2, [16, 16, 1])
    ours = MLP(2, [16, 16, 1])
    for p_ours, p_theirs in zip(ours.parameters(), theirs.parameters(), strict=True):
        p_ours.data = float(p_theirs.data)
    optimizer = SGD(ours.parameters(), lr=1.0)

    n = 3 if quick else 10
    loss_theirs, t_theirs = _time_steps(lambda lr: micrograd_step(theirs, X, y, lr), n)
    loss_ours, t_ours = _time_steps(lambda lr: scalargrad_step(ours, optimizer, X, y, lr), n)
    # From identical weights the forward passes add in the same order: the first loss is
    # bit-identical. Gradients are sums over 100 points accumulated in a different order (each
    # engine's topological order), so later steps may differ in the last bits.
    identical = loss_ours[0] == loss_theirs[0]
    worst = max(abs(a - b) for a, b in zip(loss_ours, loss_theirs, strict=True))

    best_theirs, best_ours = min(t_theirs), min(t_ours)
    ratio = best_theirs / best_ours
    print(f"  {'engine':<12}{'best step (ms)':>16}{'median (ms)':>14}")
    print(f"  {'micrograd':<12}{best_theirs * 1e3:>16.1f}{np.median(t_theirs) * 1e3:>14.1f}")
    print(f"  {'scalargrad':<12}{best_ours * 1e3:>16.1f}{np.median(t_ours) * 1e3:>14.1f}")
    print(f"  speed-up: {ratio:.1f}x (best of {n} steps each)")
    print(
        f"  first loss (same weights) identical: {identical} ({loss_ours[0]!r}); largest "
        f"difference over {n} steps: {worst:.3g} (gradients summed in another order)"
    )
    if not identical or worst > 1e-9:
        print("  WARNING: the engines disagree on the loss")
    return {
        "micrograd_s": best_theirs,
        "scalargrad_s": best_ours,
        "speedup": ratio,
        "losses_identical": identical,
        "loss_max_difference": worst,
    }


if __name__ == "__main__":
    run(quick="--quick" in sys.argv)
