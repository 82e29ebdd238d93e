"""DataLoader: number of batches, batch shapes and dtypes, reproducible shuffling, collate,
transforms."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import scalargrad as sg
from scalargrad.data import DataLoader, Dataset, Subset, TensorDataset, default_collate


def test_curriculum_500_samples_batch_50_is_10_batches():
    ds = TensorDataset(sg.randn(500, 2), sg.zeros(500))
    loader = DataLoader(ds, batch_size=50, shuffle=True, seed=0)
    assert len(loader) == 10
    batches = list(loader)
    assert len(batches) == 10
    assert all(xb.shape == (50, 2) and yb.shape == (50,) for xb, yb in batches)


@given(st.integers(0, 40), st.integers(1, 12), st.booleans(), st.booleans())
def test_every_sample_exactly_once_per_epoch(n, batch_size, shuffle, drop_last):
    ds = TensorDataset(sg.arange(n), sg.arange(n) * 10)
    loader = DataLoader(ds, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last, seed=3)
    expected_len = n // batch_size if drop_last else math.ceil(n / batch_size)
    assert len(loader) == expected_len
    seen = []
    for xb, yb in loader:
        assert xb.shape[0] == batch_size or (not drop_last and xb.shape[0] == n % batch_size)
        np.testing.assert_array_equal(yb.numpy(), xb.numpy() * 10)  # fields stay aligned
        seen.extend(xb.tolist())
    assert len(seen) == expected_len * batch_size if drop_last else len(seen) == n
    assert len(set(seen)) == len(seen)
    if not shuffle:
        assert seen == list(range(len(seen)))


def test_shuffle_is_reproducible_with_seed_and_changes_each_epoch():
    ds = TensorDataset(sg.arange(30))

    def epochs(loader, k=3):
        return [[xb.tolist() for (xb,) in loader] for _ in range(k)]

    a = epochs(DataLoader(ds, batch_size=7, shuffle=True, seed=42))
    b = epochs(DataLoader(ds, batch_size=7, shuffle=True, seed=42))
    c = epochs(DataLoader(ds, batch_size=7, shuffle=True, seed=43))
    assert a == b and a != c
    assert a[0] != a[1]  # a new order every epoch


def test_shuffle_without_seed_follows_manual_seed():
    ds = TensorDataset(sg.arange(20))
    sg.manual_seed(5)
    a = [xb.tolist() for (xb,) in DataLoader(ds, batch_size=20, shuffle=True)]
    sg.manual_seed(5)
    b = [xb.tolist() for (xb,) in DataLoader(ds, batch_size=20, shuffle=True)]
    assert a == b and a[0] != list(range(20))


class Squares(Dataset):
    """A hand-written data set of (ndarray, float, int) samples, read one at a time."""

    def __len__(self):
        return 5

    def __getitem__(self, i):
        return np.array([i, i * i], dtype=np.float32), float(i) / 2, i


def test_generic_datasets_are_collated_field_by_field():
    xb, fb, ib = next(iter(DataLoader(Squares(), batch_size=4)))
    assert xb.shape == (4, 2) and xb.dtype == sg.float32
    assert fb.dtype == sg.float64 and ib.dtype == sg.int64  # PyTorch's default_collate dtypes
    assert xb.tolist()[3] == [3.0, 9.0] and fb.tolist() == [0.0, 0.5, 1.0, 1.5]


def test_transform_applies_to_each_input():
    loader = DataLoader(Squares(), batch_size=5, transform=lambda x: x * 10)
    xb, _, ib = next(iter(loader))
    np.testing.assert_array_equal(xb.numpy()[:, 0], ib.numpy() * 10)


def test_collate_fn_and_subsets_of_tensor_datasets():
    ds = TensorDataset(sg.arange(10), sg.arange(10) + 100)
    sub = Subset(Subset(ds, [9, 8, 7, 6, 5]), [4, 0])
    ((xb, yb),) = list(DataLoader(sub, batch_size=2))
    assert xb.tolist() == [5, 9] and yb.tolist() == [105, 109]
    batches = list(DataLoader(ds, batch_size=4, collate_fn=lambda samples: len(samples)))
    assert batches == [4, 4, 2]


def test_default_collate_of_tensors_dicts_and_errors():
    out = default_collate(
        [{"x": sg.tensor([1.0, 2.0]), "y": 1}, {"x": sg.tensor([3.0, 4.0]), "y": 0}]
    )
    assert out["x"].shape == (2, 2) and out["y"].tolist() == [1, 0]
    with pytest.raises(ValueError, match="different shapes"):
        default_collate([np.zeros(2), np.zeros(3)])
    with pytest.raises(TypeError, match="cannot collate"):
        default_collate([object(), object()])


def test_bad_arguments():
    ds = TensorDataset(sg.zeros(4))
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="batch_size must be a positive integer"):
            DataLoader(ds, batch_size=bad)
    with pytest.raises(TypeError, match="len"):
        DataLoader(42)
    with pytest.raises(TypeError, match="transform must be callable"):
        DataLoader(ds, transform="normalize")


def test_pytorch_worker_options_are_accepted_and_change_nothing():
    ds = TensorDataset(sg.arange(10), sg.arange(10) * 2)
    plain = [xb.numpy().tolist() for xb, _ in DataLoader(ds, batch_size=3, shuffle=True, seed=1)]
    with pytest.warns(UserWarning, match=r"num_workers=2 is ignored.*main process"):
        ported = DataLoader(ds, batch_size=3, shuffle=True, seed=1, num_workers=2, pin_memory=True)
    assert [xb.numpy().tolist() for xb, _ in ported] == plain
    for bad in (-1, 1.5, True):
        with pytest.raises(ValueError, match=r"DataLoader: num_workers must be a non-negative"):
            DataLoader(ds, num_workers=bad)
