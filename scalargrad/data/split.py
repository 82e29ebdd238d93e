"""Splits: ``random_split`` cuts a data set into non-overlapping random parts (train / validation /
test); ``train_test_split`` does the same for NumPy arrays, as scikit-learn's.

    >>> train, val = random_split(dataset, [0.8, 0.2], seed=0)      # fractions
    >>> train, val, test = random_split(dataset, [300, 100, 100], seed=0)   # counts

Fractions follow PyTorch: each part gets ``floor(f * n)`` samples and the samples left over are
handed out one at a time to the parts in order, so the lengths always add up to ``n``.
The same seed gives the same parts; without one the global generator (``sg.manual_seed``) is used.
"""

import math

import numpy as np

from scalargrad.data.dataloader import _global_rng
from scalargrad.data.dataset import Subset, _check_dataset


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
        rng = _global_rng()
    order = rng.permutation(n)
    parts, start = [], 0
    for count in counts:
        parts.append(Subset(dataset, order[start : start + count]))
        start += count
    return parts


def train_test_split(*arrays, test_size=0.25, seed=None, stratify=None):
    """Shuffle and split arrays of equal length into train and test parts.

    Returns ``train_0, test_0, train_1, test_1, ...`` as scikit-learn does. ``test_size`` is a
    fraction in (0, 1) or a count. With ``stratify=y`` each class keeps its proportion.
    """
    if not arrays:
        raise ValueError("train_test_split needs at least one array")
    n = len(arrays[0])
    for a in arrays:
        if len(a) != n:
            lengths = [len(a) for a in arrays]
            raise ValueError(f"train_test_split: arrays must have the same length, got {lengths}")
    if isinstance(test_size, float):
        if not 0 < test_size < 1:
            raise ValueError(
                "train_test_split: test_size as a fraction must be in (0, 1), got "
                f"{test_size}"
            )
        n_test = int(np.floor(test_size * n + 0.5))
    else:
        n_test = int(test_size)
    if not 0 < n_test < n:
        raise ValueError(
            f"train_test_split: test_size={test_size!r} leaves an empty train or test part of "
            f"{n}"
        )
    rng = np.random.default_rng(seed)
    if stratify is None:
        order = rng.permutation(n)
        test, train = order[:n_test], order[n_test:]
    else:
        # each sample's rank within its (shuffled) class, as a fraction: taking the lowest
        # fractions first keeps every class's share in the test part
        stratify = np.asarray(stratify)
        if len(stratify) != n:
            raise ValueError(
                f"train_test_split: stratify has {len(stratify)} labels for {n} "
                "samples"
            )
        key = np.empty(n)
        for c in np.unique(stratify):
            idx = rng.permutation(np.flatnonzero(stratify == c))
            key[idx] = (np.arange(len(idx)) + 0.5) / len(idx)
        order = np.argsort(key + 1e-9 * rng.random(n), kind="stable")
        test, train = rng.permutation(order[:n_test]), rng.permutation(order[n_test:])
    out = []
    for a in arrays:
        a = np.asarray(a)
        out += [a[train], a[test]]
    return out
