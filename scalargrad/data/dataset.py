"""Datasets: anything with ``len(ds)`` and ``ds[i]`` (PyTorch's map-style ``Dataset``).

A data set answers two questions: how many samples are there, and what is sample ``i``? A sample
is usually a pair ``(x, y)``: the input and its target. ``DataLoader`` asks for samples by index,
groups them into mini-batches and stacks each field into a Tensor.

    >>> import scalargrad as sg
    >>> ds = sg.data.TensorDataset(sg.randn(500, 2), sg.zeros(500))
    >>> len(ds), ds[0][0].shape
    (500, (2,))

``TensorDataset`` wraps tensors (or NumPy arrays) that share their first dimension;
``Subset`` is a view of some indices of another data set (``random_split`` returns these);
``ConcatDataset`` (also ``ds_a + ds_b``) chains data sets one after the other.
"""

import bisect
import operator

import numpy as np


class Dataset:
    """Base class of map-style data sets: subclasses define ``__getitem__`` and ``__len__``."""

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(self, index)")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __len__(self)")

    def __add__(self, other):
        return ConcatDataset([self, other])


def _check_dataset(name, dataset, what="dataset"):
    """A data set is anything with len() and integer indexing."""
    if not hasattr(dataset, "__len__") or not hasattr(dataset, "__getitem__"):
        raise TypeError(
            f"{name}: {what} must support len() and indexing, got {type(dataset).__name__}"
        )


def _check_index(name, index, length):
    """A Python int in [-length, length) made non-negative; IndexError otherwise."""
    try:
        i = operator.index(index)
    except TypeError:
        raise TypeError(
            f"{name}: index must be an integer, got {type(index).__name__} {index!r}"
        ) from None
    if not -length <= i < length:
        raise IndexError(f"{name}: index {i} is out of range for a data set of {length} samples")
    return i + length if i < 0 else i


def _first_dim(obj):
    shape = getattr(obj, "shape", None)
    if shape is None:
        raise TypeError(
            "TensorDataset: each argument must be a Tensor or a NumPy array, got "
            f"{type(obj).__name__}"
        )
    if len(shape) == 0:
        raise ValueError(
            "TensorDataset: a 0-d tensor has no samples; give tensors with a first (sample) "
            "dimension"
        )
    return shape[0]


class TensorDataset(Dataset):
    """Samples are rows: ``ds[i] == tuple(t[i] for t in tensors)``.

    All tensors must have the same first dimension (the number of samples). Tensors and NumPy
    arrays are both accepted; indexing gives back the same kind. ``DataLoader`` reads whole
    mini-batches at once from a TensorDataset (one fancy-index per tensor, not one per sample).
    """

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset: give at least one tensor")
        sizes = [_first_dim(t) for t in tensors]
        if any(s != sizes[0] for s in sizes):
            shapes = ", ".join(str(tuple(t.shape)) for t in tensors)
            raise ValueError(
                "TensorDataset: all tensors must have the same first dimension (number of "
                "samples); "
                f"got shapes {shapes}"
            )
        self.tensors = tuple(tensors)

    def __getitem__(self, index):
        i = _check_index("TensorDataset", index, len(self))
        return tuple(t[i] for t in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0]

    def __repr__(self):
        shapes = ", ".join(str(tuple(t.shape)) for t in self.tensors)
        return f"TensorDataset({len(self)} samples; shapes {shapes})"


class Subset(Dataset):
    """The samples ``indices`` of ``dataset``, in order: ``Subset(ds, idx)[k] == ds[idx[k]]``."""

    def __init__(self, dataset, indices):
        _check_dataset("Subset", dataset)
        self.dataset = dataset
        raw = np.asarray(indices)
        if raw.size and raw.dtype.kind not in "iu":
            first = raw.reshape(-1)[0]
            raise TypeError(
                f"Subset: indices must be integers, got {raw.dtype} values such as "
                f"{getattr(first, 'item', lambda: first)()!r}"
            )
        if raw.ndim != 1:
            raise TypeError(f"Subset: indices must be a list of integers, got {indices!r}")
        self.indices = [int(i) for i in raw.astype(np.int64).reshape(-1)]
        n = len(dataset)
        bad = [i for i in self.indices if not -n <= i < n]
        if bad:
            raise IndexError(
                f"Subset: index {bad[0]} is out of range for a data set of {n} samples"
            )

    def __getitem__(self, index):
        return self.dataset[self.indices[_check_index("Subset", index, len(self))]]

    def __len__(self):
        return len(self.indices)

    def __repr__(self):
        return f"Subset({len(self)} of {len(self.dataset)} samples)"


class ConcatDataset(Dataset):
    """Several data sets one after the other: the samples of the first, then of the second, ..."""

    def __init__(self, datasets):
        if not hasattr(datasets, "__iter__"):
            raise TypeError(
                f"ConcatDataset: expected a list of data sets, got {type(datasets).__name__}"
            )
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: give at least one data set")
        for i, d in enumerate(self.datasets):
            _check_dataset("ConcatDataset", d, f"data set {i}")
        self.cumulative_sizes = list(np.cumsum([len(d) for d in self.datasets]))

    def __len__(self):
        return int(self.cumulative_sizes[-1])

    def __getitem__(self, index):
        i = _check_index("ConcatDataset", index, len(self))
        k = bisect.bisect_right(self.cumulative_sizes, i)
        start = 0 if k == 0 else int(self.cumulative_sizes[k - 1])
        return self.datasets[k][i - start]
