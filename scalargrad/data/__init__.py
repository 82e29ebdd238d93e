"""``sg.data``: data sets, mini-batches, train/validation splits and transforms (PyTorch's names).

    >>> import scalargrad as sg
    >>> ds = sg.data.TensorDataset(X, y)
    >>> train, val = sg.data.random_split(ds, [0.8, 0.2], seed=0)
    >>> for xb, yb in sg.data.DataLoader(train, batch_size=32, shuffle=True, seed=0):
    ...     ...

Files: ``dataset.py`` (Dataset, TensorDataset, Subset, ConcatDataset), ``dataloader.py``
(DataLoader, default_collate), ``split.py`` (random_split, train_test_split),
``preprocessing.py`` (standardize), ``transforms.py`` (Compose, Normalize, ...),
``toy_datasets.py`` (toy generators and real data sets) and ``image_folder.py``
(ImageFolderDataset). The last two, and ``transforms``, load on first use. ``datasets`` is the
former name of ``toy_datasets`` (with train_test_split and standardize), kept for old code.
"""

import importlib

from scalargrad.data.dataloader import DataLoader, default_collate
from scalargrad.data.dataset import ConcatDataset, Dataset, Subset, TensorDataset
from scalargrad.data.preprocessing import standardize
from scalargrad.data.split import random_split, train_test_split

# submodules reachable as attributes: sg.data.transforms, sg.data.toy_datasets
_SUBMODULES = {"transforms", "toy_datasets", "datasets", "image_folder"}
# names re-exported from a lazily loaded submodule
_LAZY = {"ImageFolderDataset": "image_folder", "save_image_folder": "image_folder"}

__all__ = [
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "Subset",
    "TensorDataset",
    "default_collate",
    "random_split",
    "standardize",
    "train_test_split",
    *sorted(_SUBMODULES),
    *sorted(_LAZY),
]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"scalargrad.data.{name}")
    if name in _LAZY:
        return getattr(importlib.import_module(f"scalargrad.data.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'scalargrad.data' has no attribute {name!r}")


def __dir__():
    return __all__
