"""Fused kernels against their composites; optimizer updates against calculus.py in Python."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from kernel_cases import FLOATS, assert_same, cpu, make, reference

from scalargrad import calculus

seeds = st.integers(0, 2**32 - 1)


@pytest.mark.parametrize("dtype", FLOATS)
@given(
    n=st.integers(0, 9),
    c=st.integers(1, 12),
    layout=st.sampled_from(["contiguous", "transposed", "sliced"]),
    seed=seeds,
    scale=st.sampled_from([1.0, 100.0, 1e4]),
)
def test_cross_entropy_matches_the_composite(dtype, n, c, layout, seed, scale):
    logits = make((n, c), dtype, layout, seed, -scale, scale)
    targets = np.random.default_rng(seed).integers(0, c, size=n).astype(np.int64)
    losses, probs = cpu.cross_entropy(logits, targets)
    # the composite: log_softmax, then pick each row's target
    logp = cpu.log_softmax(logits, 1)
    assert_same(losses, -logp[np.arange(n), targets], rtol=1e-4, atol=1e-4)
    assert_same(probs, cpu.softmax(logits, 1))
    ref_losses, ref_probs = reference.cross_entropy(logits, targets)
    assert_same(losses, ref_losses, rtol=1e-4, atol=1e-4)
    assert np.all(np.isfinite(losses))  # stable for any magnitude

    grad_rows = make((n,), dtype, "contiguous", seed + 1)
    d = cpu.cross_entropy_backward(probs, targets, grad_rows)
    onehot = np.eye(c, dtype=dtype)[targets]
    assert_same(d, ((probs - onehot) * grad_rows[:, None]).astype(dtype))
    assert_same(d, reference.cross_entropy_backward(ref_probs, targets, grad_rows))


def _python_sgd(p, g, buf, *args):
    p, buf = p.astype(np.float64).ravel(), buf.astype(np.float64).ravel()
    for i, gi in enumerate(g.astype(np.float64).ravel()):
        p[i], buf[i] = calculus.sgd_update(p[i], gi, buf[i], *args)
    return p, buf


@pytest.mark.parametrize("dtype", FLOATS)
@given(
    shape=st.lists(st.integers(0, 6), max_size=3).map(tuple),
    seed=seeds,
    momentum=st.sampled_from([0.0, 0.9]),
    dampening=st.sampled_from([0.0, 0.1]),
    weight_decay=st.sampled_from([0.0, 0.01]),
    nesterov=st.booleans(),
)
def test_sgd_step_matches_calculus(dtype, shape, seed, momentum, dampening, weight_decay, nesterov):
    rng = np.random.default_rng(seed)
    p = rng.standard_normal(shape).astype(dtype)
    buf = np.zeros(shape, dtype)
    for step in range(3):
        g = rng.standard_normal(shape).astype(dtype)
        args = (0.1, momentum, dampening, weight_decay, nesterov, step == 0)
        want_p, want_buf = _python_sgd(p, g, buf, *args)
        cpu.sgd_step(p, g, buf, *args)
        assert_same(p.ravel(), want_p.astype(dtype))
        assert_same(buf.ravel(), want_buf.astype(dtype))


@pytest.mark.parametrize("dtype", FLOATS)
@given(
    shape=st.lists(st.integers(0, 6), max_size=3).map(tuple),
    seed=seeds,
    weight_decay=st.sampled_from([0.0, 0.01]),
)
def test_adam_step_matches_calculus(dtype, shape, seed, weight_decay):
    rng = np.random.default_rng(seed)
    p = rng.standard_normal(shape).astype(dtype)
    m, v = np.zeros(shape, dtype), np.zeros(shape, dtype)
    for step in range(1, 4):
        g = rng.standard_normal(shape).astype(dtype)
        want = [x.astype(np.float64).ravel().copy() for x in (p, m, v)]
        for i, gi in enumerate(g.astype(np.float64).ravel()):
            want[0][i], want[1][i], want[2][i] = calculus.adam_update(
                want[0][i], gi, want[1][i], want[2][i], 1e-2, 0.9, 0.999, 1e-8, weight_decay, step
            )
        cpu.adam_step(p, g, m, v, 1e-2, 0.9, 0.999, 1e-8, weight_decay, step)
        for got, w in zip((p, m, v), want, strict=True):
            assert_same(got.ravel(), w.astype(dtype))


def test_optimizer_steps_on_non_contiguous_parameters():
    p = np.arange(12, dtype=np.float32).reshape(3, 4).T  # a transposed view, updated in place
    before = p.copy()
    g = np.ones((4, 3), np.float32)
    buf = np.zeros((4, 3), np.float32)
    cpu.sgd_step(p, g, buf, 0.5, 0.0, 0.0, 0.0, False, True)
    assert_same(p, before - 0.5)


@pytest.mark.parametrize("dtype", FLOATS)
@given(
    n=st.integers(0, 9),
    k=st.integers(1, 6),
    m=st.sampled_from([1, 3, 127, 128, 129, 300]),  # one, two and three column blocks
    layout=st.sampled_from(["contiguous", "transposed", "sliced"]),
    seed=seeds,
    nan=st.booleans(),
)
def test_linear_relu_and_its_backward_match_the_composite(dtype, n, k, m, layout, seed, nan):
    """relu(x W^T + b) and (g * relu'(y), column sums) equal linear + relu and unary_backward +
    reduce bit for bit (the same float operations in the same order), nan included."""
    x, w = make((n, k), dtype, layout, seed), make((m, k), dtype, layout, seed + 1)
    b, g = make((m,), dtype, layout, seed + 2), make((n, m), dtype, layout, seed + 3)
    if nan and n:
        x = x.copy()
        x[0, 0] = np.nan
    y = cpu.linear_relu(x, w, b)
    np.testing.assert_array_equal(y, cpu.unary("relu", cpu.linear(x, w, b)))
    assert y.flags.c_contiguous and y.dtype == dtype
    gz, db = cpu.relu_bias_backward(y, g)
    want_gz = cpu.unary_backward("relu", y, y, g)
    np.testing.assert_array_equal(gz, want_gz)
    np.testing.assert_array_equal(db, cpu.reduce("sum", want_gz, (0,), False))
    mask = np.isnan(y) | (y > 0)  # relu' is 1 where z > 0, and at nan (as PyTorch)
    assert_same(db, (g * mask).sum(0, dtype=np.float64).astype(dtype))
