"""Former name of ``toy_datasets`` (it also held the array helpers), kept so that code written
against it, ``from scalargrad.data.datasets import make_moons``, still runs. New code:
``sg.data.toy_datasets`` for the data sets, ``sg.data.train_test_split`` and
``sg.data.standardize`` for the helpers.
"""

from scalargrad.data.preprocessing import standardize
from scalargrad.data.split import train_test_split
from scalargrad.data.toy_datasets import (
    load,
    load_breast_cancer,
    load_digits,
    make_blobs,
    make_circles,
    make_linear,
    make_moons,
    make_spiral,
    make_xor,
    names,
)

__all__ = [
    "make_moons", "make_circles", "make_blobs", "make_spiral", "make_xor", "make_linear",
    "load_breast_cancer", "load_digits", "load", "names", "train_test_split", "standardize",
]
