"""gather / scatter_add / setitem against NumPy's indexing semantics."""

import numpy as np
import pytest
from cuda_testing import C, R, assert_matches, make

INDICES = [
    (np.array([0, 2, 2, 1]),),
    (np.array([[1, 0], [2, 2]]), slice(1, 4)),
    (slice(None), np.array([3, 0, 3])),
    (np.array([True, False, True]),),
    (np.array([0, 1]), np.array([4, 4])),
    (Ellipsis, np.array([1])),
]


@pytest.mark.parametrize("index", INDICES)
@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
def test_gather_and_scatter_add(index, layout):
    rng = np.random.default_rng(0)
    a, ha = make(layout, rng, (3, 5), np.float64)
    out = C.gather(a, index)
    expected = R.gather(ha, index)
    assert_matches(out, expected)
    values = rng.standard_normal(expected.shape)
    assert_matches(
        C.scatter_add((3, 5), index, C.from_numpy(values)), R.scatter_add((3, 5), index, values)
    )


def test_gather_with_a_device_index_and_repeated_rows_add_up():
    ha = np.arange(12.0).reshape(4, 3)
    rows = np.array([1, 1, 1, 3])
    assert_matches(C.gather(C.from_numpy(ha), (C.from_numpy(rows),)), ha[rows])
    out = C.scatter_add((4, 3), (C.from_numpy(rows),), C.from_numpy(np.ones((4, 3))))
    assert_matches(out, R.scatter_add((4, 3), (rows,), np.ones((4, 3))))


def test_scatter_add_of_integers():
    idx = (np.array([0, 0, 2]),)
    assert_matches(C.scatter_add((3,), idx, C.from_numpy(np.array([1, 2, 3]))), np.array([3, 0, 3]))


@pytest.mark.parametrize(
    "index", [(slice(1, 3),), (1, slice(None, None, 2)), (slice(None, None, -1), 0)] + INDICES[:3]
)
def test_setitem(index):
    rng = np.random.default_rng(1)
    ha = rng.standard_normal((3, 5))
    a = C.from_numpy(ha)
    target_shape = ha[index].shape
    values = rng.standard_normal(target_shape)
    C.setitem(a, index, C.from_numpy(values))
    ha[index] = values
    assert_matches(a, ha)
    C.setitem(a, index, 2.5)
    ha[index] = 2.5
    assert_matches(a, ha)
