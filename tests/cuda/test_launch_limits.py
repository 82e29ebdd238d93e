"""The launch helper refuses what a GPU would refuse (the simulator itself accepts anything), and
the matmul splits a grid that would exceed the limits into launches that fit."""

import numpy as np
import pytest
from cuda_testing import C, assert_matches

from scalargrad.matrix.backends import cuda_matmul, cuda_memory
from scalargrad.matrix.backends.cuda_memory import check_launch


@pytest.mark.parametrize(
    "grid, block, shared",
    [
        ((2**31 - 1, 65535, 65535), (1024,), 0),
        (1, (32, 32), 48 * 1024),
        ((1, 1, 1), (1, 1, 64), 0),
    ],
)
def test_the_hardware_maxima_are_accepted(grid, block, shared):
    check_launch("k", grid, block, shared)


@pytest.mark.parametrize(
    "grid, block, shared, problem",
    [
        (2**31, 256, 0, "grid x = 2147483648"),
        ((1, 65536), 256, 0, "grid y = 65536"),
        ((1, 1, 65536), 256, 0, "grid z = 65536"),
        (0, 256, 0, "grid x = 0"),
        (1, 1025, 0, "1025 threads per block"),
        (1, (64, 32), 0, "2048 threads per block"),
        (1, (1, 1, 65), 0, "block"),
        (1, 256, 48 * 1024 + 1, "49153 bytes of shared memory"),
    ],
)
def test_what_a_gpu_refuses_is_a_clear_error(grid, block, shared, problem):
    with pytest.raises(ValueError, match="CUDA kernel k: a GPU would refuse") as info:
        check_launch("k", grid, block, shared)
    assert problem in str(info.value)


def test_every_matmul_configuration_fits_in_shared_memory():
    for config in (cuda_matmul.SMALL, cuda_matmul.LARGE):
        tile, tile_k, work = config
        side = tile // work
        for itemsize in (4, 8):
            check_launch("matmul", (1, 1, 1), (side, side), 2 * tile_k * (tile + 1) * itemsize)


@pytest.mark.parametrize("batch, m", [(5, 3), (1, 150), (3, 130)])
def test_matmul_splits_grids_over_the_limit(monkeypatch, batch, m):
    """With the y/z limit lowered to 2, a batch of 5 or 150 rows (3 row tiles of 64) needs
    several launches; without the split the launch helper would refuse the grid."""
    monkeypatch.setattr(cuda_memory, "MAX_GRID_YZ", 2)
    rng = np.random.default_rng(batch + m)
    ha, hb = rng.standard_normal((batch, m, 7)), rng.standard_normal((batch, 7, 4))
    assert_matches(C.matmul(C.from_numpy(ha), C.from_numpy(hb)), ha @ hb)
    hw = rng.standard_normal((4, 7))
    assert_matches(C.linear(C.from_numpy(ha[0]), C.from_numpy(hw), None), ha[0] @ hw.T)


def test_the_launch_helper_is_what_the_kernels_use(monkeypatch):
    """Lowering a limit makes an ordinary element-wise launch fail: the check is not bypassed."""
    monkeypatch.setattr(cuda_memory, "MAX_GRID_X", 1)
    with pytest.raises(ValueError, match="a GPU would refuse"):
        C.copy(C.from_numpy(np.zeros(1000)))
