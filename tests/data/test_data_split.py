"""random_split: disjoint parts covering the data set, lengths from counts or fractions, seeds."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import scalargrad as sg
from scalargrad.data import TensorDataset, random_split


@given(st.integers(0, 50), st.lists(st.floats(0.05, 1.0), min_size=1, max_size=4))
def test_fractions_partition_the_data(n, weights):
    fractions = [w / sum(weights) for w in weights]
    parts = random_split(TensorDataset(sg.arange(n)), fractions, seed=1)
    assert sum(len(p) for p in parts) == n
    for p, f in zip(parts, fractions, strict=True):
        assert abs(len(p) - f * n) <= len(parts)  # floor, plus at most one leftover each
    indices = sorted(i for p in parts for i in p.indices)
    assert indices == list(range(n))


def test_counts_and_seeds():
    ds = TensorDataset(sg.arange(500))
    train, val, test = random_split(ds, [300, 100, 100], seed=0)
    assert (len(train), len(val), len(test)) == (300, 100, 100)
    again = random_split(ds, [300, 100, 100], seed=0)
    assert train.indices == again[0].indices
    assert train.indices != random_split(ds, [300, 100, 100], seed=1)[0].indices
    assert train[0][0].item() == train.indices[0]


def test_pytorch_leftover_rule():
    parts = random_split(TensorDataset(sg.arange(10)), [0.33, 0.33, 0.34], seed=0)
    assert [len(p) for p in parts] == [4, 3, 3]  # floors 3, 3, 3; the leftover goes to the first


def test_without_seed_follows_manual_seed():
    ds = TensorDataset(sg.arange(20))
    sg.manual_seed(9)
    a = random_split(ds, [0.5, 0.5])[0].indices
    sg.manual_seed(9)
    b = random_split(ds, [0.5, 0.5])[0].indices
    assert a == b


def test_errors():
    ds = TensorDataset(sg.arange(10))
    with pytest.raises(ValueError, match=r"add up to 9, but the data set has 10"):
        random_split(ds, [5, 4])
    with pytest.raises(ValueError, match="fractions"):
        random_split(ds, [0.5, 0.6])
    with pytest.raises(ValueError, match="non-negative"):
        random_split(ds, [11, -1])
    assert np.sum([len(p) for p in random_split(ds, [10, 0], seed=0)]) == 10
