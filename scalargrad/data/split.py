"""``random_split``: cut a data set into non-overlapping random parts (train / validation / test).

    >>> train, val = random_split(dataset, [0.8, 0.2], seed=0)      # fractions
    >>> train, val, test = random_split(dataset, [300, 100, 100], seed=0)   # counts

Fractions follow PyTorch: each part gets ``floor(f * n)`` samples and the samples left over are
handed out one at a time to the parts in order, so the lengths always add up to ``n``.
The same seed gives the same parts; without one the global generator (``sg.manual_seed``) is used.
"""

import math

import numpy as np

from scalargrad.data.dataset import Subset


def _lengths(lengths, n):
    lengths = list(lengths)
    if not lengths:
        raise ValueError("random_split: give at least one length")
    if all(isinstance(x, (int, np.integer)) and not isinstance(x, bool) for x in lengths):
        if any(x < 0 for x in lengths):
            raise ValueError(f"random_split: lengths must be non-negative, got {lengths}")
        if sum(lengths) != n:
            raise ValueError(
                f"random_split: lengths {lengths} add up to {sum(lengths)}, but the data set has "
                f"{n} samples"
            )
        return [int(x) for x in lengths]
    fractions = [float(x) for x in lengths]
    if any(not 0.0 <= f <= 1.0 for f in fractions) or not math.isclose(
        sum(fractions), 1.0, abs_tol=1e-6
    ):
        raise ValueError(
            f"random_split: give integer lengths adding up to {n}, or fractions in [0, 1] adding "
            "up "
            f"to 1; got {lengths} (sum {sum(fractions):g})"
        )
    counts = [math.floor(f * n) for f in fractions]
    for i in range(n - sum(counts)):
        counts[i % len(counts)] += 1
    return counts


def random_split(dataset, lengths, seed=None):
    """Split ``dataset`` into ``len(lengths)`` disjoint random Subsets covering every sample."""
    from scalargrad.data.dataset import _check_dataset

    _check_dataset("random_split", dataset)
    if isinstance(lengths, str) or not hasattr(lengths, "__iter__"):
        raise TypeError(
            f"random_split: lengths must be a list of sizes or fractions, e.g. [0.8, 0.2], got "
            f"{type(lengths).__name__} {lengths!r}"
        )
    n = len(dataset)
    counts = _lengths(lengths, n)
    if seed is not None:
        rng = np.random.default_rng(seed)
    else:
        from scalargrad.data.dataloader import _global_rng

        rng = _global_rng()
    order = rng.permutation(n)
    parts, start = [], 0
    for count in counts:
        parts.append(Subset(dataset, order[start : start + count]))
        start += count
    return parts
