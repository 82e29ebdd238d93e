"""Dataset, TensorDataset, Subset, ConcatDataset: indexing, lengths, errors."""

import numpy as np
import pytest

import scalargrad as sg
from scalargrad.data import ConcatDataset, Dataset, Subset, TensorDataset


def test_tensor_dataset_rows():
    X = sg.arange(12).reshape(6, 2)
    y = sg.arange(6)
    ds = TensorDataset(X, y)
    assert len(ds) == 6
    x0, y0 = ds[4]
    assert x0.tolist() == [8, 9] and y0.item() == 4
    assert ds[-1][1].item() == 5
    assert "6 samples" in repr(ds)


def test_tensor_dataset_accepts_numpy_arrays():
    ds = TensorDataset(np.zeros((3, 2)), np.arange(3))
    x, y = ds[1]
    assert isinstance(x, np.ndarray) and y == 1


def test_tensor_dataset_errors():
    with pytest.raises(ValueError, match=r"same first dimension.*\(5, 2\), \(4,\)"):
        TensorDataset(sg.zeros(5, 2), sg.zeros(4))
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()
    with pytest.raises(TypeError, match="Tensor or a NumPy array"):
        TensorDataset([1, 2, 3])
    ds = TensorDataset(sg.zeros(3))
    with pytest.raises(IndexError, match="index 3 is out of range for a data set of 3 samples"):
        ds[3]
    with pytest.raises(TypeError, match="integer"):
        ds[1.5]


def test_subset_and_concat():
    ds = TensorDataset(sg.arange(10))
    sub = Subset(ds, [7, 2, 5])
    assert len(sub) == 3 and [sub[i][0].item() for i in range(3)] == [7, 2, 5]
    with pytest.raises(IndexError, match="index 10"):
        Subset(ds, [10])
    both = ds + TensorDataset(sg.arange(100, 103))
    assert isinstance(both, ConcatDataset) and len(both) == 13
    assert both[9][0].item() == 9 and both[10][0].item() == 100 and both[-1][0].item() == 102


def test_base_class_names_the_missing_method():
    class Incomplete(Dataset):
        pass

    with pytest.raises(NotImplementedError, match="Incomplete must define __getitem__"):
        Incomplete()[0]
    with pytest.raises(NotImplementedError, match="__len__"):
        len(Incomplete())
