"""The CPU backend: numba kernels (being written; for now the NumPy reference stands in)."""

from scalargrad.matrix.backends.reference import *  # noqa: F401,F403

name = "cpu"
