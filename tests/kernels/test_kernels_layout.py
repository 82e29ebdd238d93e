"""The memory and layout functions of the CPU backend against the reference."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from kernel_cases import ALL_DTYPES, assert_same, cpu, layouts, make, reference, shapes

seeds = st.integers(0, 2**32 - 1)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@given(shape=shapes(), layout=layouts, seed=seeds, to=st.sampled_from(ALL_DTYPES))
def test_copy_astype_fill(dtype, shape, layout, seed, to):
    a = make(shape, dtype, layout, seed)
    c = cpu.copy(a)
    assert c.flags.c_contiguous and c.flags.writeable
    assert_same(c, reference.copy(a))
    assert_same(cpu.astype(a, to), reference.astype(a, to))
    cpu.fill(c, 1)
    assert_same(c, np.ones(shape, dtype))


@given(shape=shapes(min_dims=1), seed=seeds)
def test_views(shape, seed):
    a = make(shape, np.float32, "contiguous", seed)
    assert_same(cpu.reshape(a, (-1,)), reference.reshape(a, (-1,)))
    axes = tuple(reversed(range(len(shape))))
    assert_same(cpu.permute(a, axes), reference.permute(a, axes))
    big = (2,) + shape
    assert_same(cpu.broadcast_to(a, big), reference.broadcast_to(a, big))
    assert_same(cpu.getitem(a, (Ellipsis, None)), reference.getitem(a, (Ellipsis, None)))


@given(n=st.integers(1, 8), seed=seeds, k=st.integers(0, 10))
def test_gather_scatter_add(n, seed, k):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((n, 3)).astype(np.float32)
    index = (rng.integers(0, n, size=k),)
    assert_same(cpu.gather(a, index), reference.gather(a, index))
    values = rng.standard_normal((k, 3)).astype(np.float32)
    assert_same(
        cpu.scatter_add(a.shape, index, values), reference.scatter_add(a.shape, index, values)
    )
    b, c = a.copy(), a.copy()
    cpu.setitem(b, (slice(0, 1),), 5.0)
    reference.setitem(c, (slice(0, 1),), 5.0)
    assert_same(b, c)
    assert_same(cpu.full((2, n), 3.5, np.float32), reference.full((2, n), 3.5, np.float32))
    assert cpu.empty((2, n), np.int64).shape == (2, n)
    assert_same(cpu.to_numpy(cpu.from_numpy(a)), a)
