"""Tests of the CUDA backend. They need numba's CUDA simulator or a real GPU.

``make test`` runs this directory in its own pytest process with ``NUMBA_ENABLE_CUDASIM=1``
(the variable must be set before numba is imported, hence the separate process). The same tests
run unchanged on a machine with an NVIDIA GPU. With neither, every test here is skipped with the
reason below, instead of failing with a numba driver error.
"""

from pathlib import Path

import pytest
from numba import config, cuda

HERE = Path(__file__).resolve().parent


def _skip_reason():
    if config.ENABLE_CUDASIM:
        return None
    try:
        if cuda.is_available():
            return None
    except Exception:
        pass
    return (
        "CUDA tests need a GPU or numba's CUDA simulator: run them with NUMBA_ENABLE_CUDASIM=1 "
        "in their own pytest process (`NUMBA_ENABLE_CUDASIM=1 python -m pytest tests/cuda`, "
        "as `make test` does)"
    )


SKIP_REASON = _skip_reason()

if SKIP_REASON is None:
    from scalargrad.matrix.backends import cuda_memory

    # every new device array starts as NaN: an output element a kernel forgot to write shows
    cuda_memory.POISON_NEW_ARRAYS = True


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "ptx: compiles kernels to PTX (needs the CUDA toolkit libraries)"
    )


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.cudasim)
            # test_ptx.py needs no GPU (only the compiler) and says itself when it can't run
            if SKIP_REASON and item.get_closest_marker("ptx") is None:
                item.add_marker(pytest.mark.skip(reason=SKIP_REASON))
