"""The RMSprop and Adagrad kernels (cpu_optim.py) against calculus.py run in Python, per element."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from kernel_cases import FLOATS, assert_same, cpu, reference

from scalargrad import calculus

seeds = st.integers(0, 2**32 - 1)
shapes = st.lists(st.integers(0, 6), max_size=3).map(tuple)


@pytest.mark.parametrize("dtype", FLOATS)
@given(
    shape=shapes,
    seed=seeds,
    weight_decay=st.sampled_from([0.0, 0.01]),
    momentum=st.sampled_from([0.0, 0.9]),
    centered=st.booleans(),
)
def test_rmsprop_step_matches_calculus(dtype, shape, seed, weight_decay, momentum, centered):
    rng = np.random.default_rng(seed)
    p = rng.standard_normal(shape).astype(dtype)
    sq, avg, buf = (np.zeros(shape, dtype) for _ in range(3))
    args = (1e-2, 0.9, 1e-8, weight_decay, momentum, centered)
    for _ in range(3):
        g = rng.standard_normal(shape).astype(dtype)
        want = [x.astype(np.float64).ravel().copy() for x in (p, sq, avg, buf)]
        for i, gi in enumerate(g.astype(np.float64).ravel()):
            out = calculus.rmsprop_update(
                *(w[i] for w in want[:1]), gi, *(w[i] for w in want[1:]), *args
            )
            for w, o in zip(want, out, strict=True):
                w[i] = o
        ref = [x.copy() for x in (p, sq, avg, buf)]
        reference.rmsprop_step(ref[0], g, *ref[1:], *args)
        cpu.rmsprop_step(p, g, sq, avg, buf, *args)
        for got, w, r in zip((p, sq, avg, buf), want, ref, strict=True):
            assert_same(got.ravel(), w.astype(dtype))
            assert_same(got, r)


@pytest.mark.parametrize("dtype", FLOATS)
@given(shape=shapes, seed=seeds, weight_decay=st.sampled_from([0.0, 0.01]))
def test_adagrad_step_matches_calculus(dtype, shape, seed, weight_decay):
    rng = np.random.default_rng(seed)
    p = rng.standard_normal(shape).astype(dtype)
    s = np.full(shape, 0.1, dtype)
    for step in range(1, 4):
        g = rng.standard_normal(shape).astype(dtype)
        clr = 1e-2 / (1 + (step - 1) * 0.1)
        want = [x.astype(np.float64).ravel().copy() for x in (p, s)]
        for i, gi in enumerate(g.astype(np.float64).ravel()):
            want[0][i], want[1][i] = calculus.adagrad_update(
                want[0][i], gi, want[1][i], clr, 1e-10, weight_decay
            )
        cpu.adagrad_step(p, g, s, clr, 1e-10, weight_decay)
        for got, w in zip((p, s), want, strict=True):
            assert_same(got.ravel(), w.astype(dtype))


def test_rmsprop_and_adagrad_steps_on_non_contiguous_parameters():
    p = np.arange(12, dtype=np.float64).reshape(3, 4).T  # a transposed view, updated in place
    want = p.copy()
    g = np.ones((4, 3))
    sq, avg, buf, s = (np.zeros((4, 3)) for _ in range(4))
    reference.rmsprop_step(
        want, g, sq.copy(), avg.copy(), buf.copy(), 0.1, 0.5, 0.0, 0.0, 0.0, False
    )
    cpu.rmsprop_step(p, g, sq, avg, buf, 0.1, 0.5, 0.0, 0.0, 0.0, False)
    # sq = (1 - alpha) g^2 = 0.5, so p moves by lr g / sqrt(0.5)
    assert_same(p, np.arange(12.0).reshape(3, 4).T - 0.1 / np.sqrt(0.5))
    assert_same(p, want)
    cpu.adagrad_step(p, g, s, 0.5, 0.0, 0.0)
    assert_same(p, want - 0.5)
    assert_same(s, np.ones((4, 3)))
