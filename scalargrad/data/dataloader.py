"""``DataLoader``: walk a data set in mini-batches, each field stacked into one Tensor.

One *epoch* is one pass over the data set; one *iteration* is one mini-batch. With 500 samples
and ``batch_size=50`` an epoch has ``len(loader) == 10`` batches (``ceil(500 / 50)``; with
``drop_last=True`` a last, smaller batch is left out, so it is ``floor`` instead).

* batch gradient descent:      ``batch_size=len(dataset)``
* stochastic gradient descent: ``batch_size=1``
* mini-batch gradient descent: anything in between, usually with ``shuffle=True``

``shuffle=True`` draws a new order every epoch. With ``seed=`` the loader has a random generator
of its own, so the sequence of epochs is the same every run; without one, orders come from the
global generator that ``sg.manual_seed`` seeds (as PyTorch's default).

    >>> loader = DataLoader(TensorDataset(X, y), batch_size=50, shuffle=True, seed=0)
    >>> for xb, yb in loader:        # xb: (50, features) Tensor, yb: (50,) Tensor
    ...     ...
"""

import math
import warnings
from collections.abc import Mapping

import numpy as np

from scalargrad.data.dataset import Subset, TensorDataset


def _global_rng():
    """The global NumPy generator behind ``sg.manual_seed``."""
    from scalargrad.matrix import creation

    return creation.generator()


def default_collate(batch):
    """Stack a list of samples into a batch, field by field (PyTorch's ``default_collate``).

    Tensors are stacked along a new first axis (``sg.stack``); NumPy arrays and NumPy scalars become
    one Tensor of their dtype; Python ints -> int64, floats -> float64, bools -> bool Tensors;
    tuples/lists of fields are collated field by field; dicts key by key; strings stay a list.
    """
    from scalargrad.matrix.creation import from_numpy, tensor
    from scalargrad.matrix.functions.joining import stack
    from scalargrad.matrix.tensor import Tensor

    first = batch[0]
    if isinstance(first, Tensor):
        return stack(list(batch))
    if isinstance(first, (np.ndarray, np.generic)):
        shapes = {np.shape(b) for b in batch}
        if len(shapes) > 1:
            raise ValueError(
                f"DataLoader: cannot stack samples of different shapes {sorted(shapes)} into a "
                "batch"
            )
        return from_numpy(np.ascontiguousarray(np.stack(batch)))
    if isinstance(first, (bool, int, float)):
        return tensor(list(batch), dtype=_number_dtype(batch))
    if isinstance(first, str):
        return list(batch)
    if isinstance(first, Mapping):
        for i, sample in enumerate(batch):
            if not isinstance(sample, Mapping) or set(sample) != set(first):
                keys = sorted(sample) if isinstance(sample, Mapping) else type(sample).__name__
                raise ValueError(
                    f"DataLoader: sample {i} of the batch has keys {keys}, sample 0 has "
                    f"{sorted(first)}; every sample must have the same keys"
                )
        return {key: default_collate([sample[key] for sample in batch]) for key in first}
    if isinstance(first, (tuple, list)):
        lengths = {len(sample) for sample in batch}
        if len(lengths) > 1:
            raise ValueError(
                f"DataLoader: samples have different numbers of fields {sorted(lengths)}"
            )
        fields = [default_collate(list(field)) for field in zip(*batch, strict=True)]
        return tuple(fields) if isinstance(first, tuple) else fields
    raise TypeError(
        f"DataLoader: cannot collate samples of type {type(first).__name__}; give Tensors, NumPy "
        "arrays, numbers, or tuples/dicts of those, or pass collate_fn="
    )


def _number_dtype(batch):
    """The dtype of a batch of Python numbers: bool if all are bools, int64 if all are ints, else
    float64 (so ``[1, 2.5]`` stays ``[1.0, 2.5]``: the batch decides, not its first sample)."""
    kinds = set()
    for i, b in enumerate(batch):
        if isinstance(b, bool):
            kinds.add("bool")
        elif isinstance(b, (int, np.integer)):
            kinds.add("int64")
        elif isinstance(b, (float, np.floating)):
            kinds.add("float64")
        else:
            raise TypeError(
                f"DataLoader: sample {i} of the batch is a {type(b).__name__} ({b!r}) where "
                f"sample 0 is a number ({batch[0]!r}); every sample must have the same structure"
            )
    for dtype in ("float64", "int64", "bool"):
        if dtype in kinds:
            return dtype


def _tensor_source(dataset):
    """(TensorDataset, index map or None) when batches can be read with one fancy index per
    tensor; (None, None) otherwise."""
    mapping = None
    while isinstance(dataset, Subset):
        idx = np.asarray(dataset.indices, dtype=np.int64)
        mapping = idx if mapping is None else idx[mapping]
        dataset = dataset.dataset
    if type(dataset) is TensorDataset:
        return dataset, mapping
    return None, None


def _take(t, idx):
    """Rows ``idx`` of a Tensor or NumPy array, as a Tensor."""
    if isinstance(t, np.ndarray):
        from scalargrad.matrix.creation import from_numpy

        return from_numpy(np.ascontiguousarray(t[idx]))
    from scalargrad.matrix.creation import from_numpy

    if t.device == "cpu":
        return t[from_numpy(idx)]
    return t[idx]  # the host index as it is: uploading it, then reading it back to check it,
    # would cost a device -> host copy (a wait for the GPU) per batch


class DataLoader:
    """Iterate over ``dataset`` in batches of ``batch_size`` samples.

    Args:
        dataset: anything with ``len()`` and integer indexing (a ``Dataset``).
        batch_size: samples per batch (a positive int).
        shuffle: a new random order every epoch (else the data set's order).
        drop_last: leave out the last batch when it has fewer than ``batch_size`` samples.
        seed: seed of this loader's own generator, so the shuffled orders repeat run after run.
        transform: applied to each sample's input (its first field) before batching.
        collate_fn: turns a list of samples into a batch (default: ``default_collate``).
        num_workers, pin_memory: accepted so PyTorch code runs unchanged; batches are always
            built in this process (a ``num_workers`` above 0 warns that), which gives the same
            batches in the same order.
    """

    def __init__(
        self,
        dataset,
        batch_size=1,
        shuffle=False,
        drop_last=False,
        seed=None,
        transform=None,
        collate_fn=None,
        num_workers=0,
        pin_memory=False,
    ):
        if (
            isinstance(batch_size, bool)
            or not isinstance(batch_size, (int, np.integer))
            or batch_size < 1
        ):
            raise ValueError(
                f"DataLoader: batch_size must be a positive integer, got {batch_size!r}"
            )
        if not hasattr(dataset, "__len__") or not hasattr(dataset, "__getitem__"):
            raise TypeError(
                f"DataLoader: dataset must support len() and indexing, got {type(dataset).__name__}"
            )
        if transform is not None and not callable(transform):
            raise TypeError(
                f"DataLoader: transform must be callable, got {type(transform).__name__}"
            )
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(
                f"DataLoader: collate_fn must be callable, got {type(collate_fn).__name__}"
            )
        if (
            isinstance(num_workers, bool)
            or not isinstance(num_workers, (int, np.integer))
            or num_workers < 0
        ):
            raise ValueError(
                f"DataLoader: num_workers must be a non-negative integer, got {num_workers!r}"
            )
        if seed is not None and (
            isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0
        ):
            raise TypeError(f"DataLoader: seed must be a non-negative int or None, got {seed!r}")
        if num_workers > 0:
            warnings.warn(
                f"DataLoader: num_workers={num_workers} is ignored; scalargrad builds every batch "
                "in the main process (same batches, same order)",
                stacklevel=2,
            )
        self.num_workers, self.pin_memory = int(num_workers), bool(pin_memory)
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.seed = seed
        self.transform = transform
        self.collate_fn = collate_fn
        self._rng = np.random.default_rng(seed) if seed is not None else None

    def __len__(self):
        """Batches per epoch: ceil(n / batch_size), or floor with drop_last."""
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def batch_indices(self):
        """The index arrays of one epoch, one per batch, made as they are needed (draws a new
        order when shuffling). Without shuffling nothing of size len(dataset) is allocated, so a
        loader over a huge data set costs only its batches."""
        n = len(self.dataset)
        order = None
        if self.shuffle:
            rng = self._rng if self._rng is not None else _global_rng()
            order = rng.permutation(n).astype(np.int64)
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            stop = min(start + self.batch_size, n)
            if order is None:
                yield np.arange(start, stop, dtype=np.int64)
            else:
                yield order[start:stop]

    def __iter__(self):
        source, mapping = (None, None)
        if self.transform is None and self.collate_fn is None:
            source, mapping = _tensor_source(self.dataset)
        for idx in self.batch_indices():
            if source is not None:  # fast path: one gather per tensor
                rows = idx if mapping is None else mapping[idx]
                yield tuple(_take(t, rows) for t in source.tensors)
                continue
            samples = [self._sample(int(i)) for i in idx]
            yield (self.collate_fn or default_collate)(samples)

    def _sample(self, i):
        sample = self.dataset[i]
        if self.transform is None:
            return sample
        if isinstance(sample, tuple):
            return (self.transform(sample[0]),) + sample[1:]
        if isinstance(sample, list):
            return [self.transform(sample[0])] + sample[1:]
        return self.transform(sample)

    def __repr__(self):
        return (
            f"DataLoader({len(self.dataset)} samples, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last}, {len(self)} batches)"
        )
