"""Fused kernels against the NumPy oracle: softmax family along any axis (rows shorter and longer
than a block), cross-entropy forward and backward, and SGD / Adam over several steps."""

import numpy as np
import pytest
from cuda_testing import C, R, arrays, assert_matches, make, shapes
from hypothesis import given, settings
from hypothesis import strategies as st

FLOATS = (np.float32, np.float64)


@pytest.mark.parametrize("dtype", FLOATS)
@settings(max_examples=4)
@given(data=st.data())
def test_softmax_family_any_axis(dtype, data):
    shape = data.draw(shapes(max_dims=3, max_side=5))
    a, ha = data.draw(arrays(shape, dtype, -20, 20))
    g, hg = data.draw(arrays(shape, dtype))
    axis = data.draw(st.integers(0, len(shape) - 1))
    y, hy = C.softmax(a, axis), R.softmax(ha, axis)
    assert_matches(y, hy, dtype)
    # the backward subtracts a sum over the row of terms up to max|g| (g - p * sum(g), or
    # g - sum(g * p)): near 0 only that sum's rounding, about row * max|g| * eps, is left
    row, size = shape[axis], float(np.max(np.abs(hg), initial=0.0))
    grads = dict(terms=row, magnitude=size)
    back, hback = C.softmax_backward(y, g, axis), R.softmax_backward(hy, hg, axis)
    assert_matches(back, hback, dtype, **grads)
    ly, hly = C.log_softmax(a, axis), R.log_softmax(ha, axis)
    assert_matches(ly, hly, dtype)
    back, hback = C.log_softmax_backward(ly, g, axis), R.log_softmax_backward(hly, hg, axis)
    assert_matches(back, hback, dtype, **grads)
    keepdim = data.draw(st.booleans())
    assert_matches(C.logsumexp(a, axis, keepdim), R.logsumexp(ha, axis, keepdim), dtype)


def test_softmax_rows_longer_than_a_block():
    rng = np.random.default_rng(0)
    host = rng.standard_normal((2, 150)) * 30  # 150 > 128 threads: each thread visits 2 elements
    a = C.from_numpy(host)
    assert_matches(C.softmax(a, 1), R.softmax(host, 1))
    assert_matches(C.logsumexp(a, 1, True), R.logsumexp(host, 1, True))


def test_softmax_is_stable_and_handles_infinities():
    host = np.array([[1000.0, 1000.0, -1000.0], [-np.inf, 0.0, 1.0], [-np.inf, -np.inf, -np.inf]])
    a = C.from_numpy(host)
    assert_matches(C.softmax(a, 1), R.softmax(host, 1))
    assert_matches(C.log_softmax(a, 1), R.log_softmax(host, 1))
    assert_matches(C.logsumexp(a, 1, False), R.logsumexp(host, 1, False))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n, c", [(1, 1), (5, 3), (9, 13), (3, 40)])
def test_cross_entropy_forward_and_backward(dtype, n, c):
    rng = np.random.default_rng(n * c)
    logits, hl = make("transposed", rng, (n, c), dtype, -10, 10)
    ht = rng.integers(0, c, n)
    loss, probs = C.cross_entropy(logits, C.from_numpy(ht))
    rloss, rprobs = R.cross_entropy(hl, ht)
    assert_matches(loss, rloss, dtype)
    assert_matches(probs, rprobs, dtype)
    g, hg = make("broadcast", rng, (n,), dtype)
    assert_matches(
        C.cross_entropy_backward(probs, C.from_numpy(ht), g),
        R.cross_entropy_backward(rprobs, ht, hg),
        dtype,
    )


@pytest.mark.parametrize(
    "momentum, dampening, weight_decay, nesterov",
    [(0.0, 0.0, 0.0, False), (0.9, 0.0, 0.01, False), (0.9, 0.1, 0.0, True)],
)
def test_sgd_steps(momentum, dampening, weight_decay, nesterov):
    rng = np.random.default_rng(1)
    hp, hbuf = rng.standard_normal((4, 7)), np.zeros((4, 7))
    p, buf = C.from_numpy(hp), C.from_numpy(hbuf)
    for step in range(3):
        g, hg = make("sliced", rng, (4, 7))
        C.sgd_step(p, g, buf, 0.1, momentum, dampening, weight_decay, nesterov, step == 0)
        R.sgd_step(
            hp,
            np.ascontiguousarray(hg),
            hbuf,
            0.1,
            momentum,
            dampening,
            weight_decay,
            nesterov,
            step == 0,
        )
        assert_matches(p, hp)
        assert_matches(buf, hbuf)


@pytest.mark.parametrize("dtype", FLOATS)
def test_adam_steps(dtype):
    rng = np.random.default_rng(2)
    hp = rng.standard_normal((3, 5)).astype(dtype)
    hm, hv = np.zeros_like(hp), np.zeros_like(hp)
    p, m, v = C.from_numpy(hp), C.from_numpy(hm), C.from_numpy(hv)
    for step in range(1, 4):
        hg = rng.standard_normal((3, 5)).astype(dtype)
        C.adam_step(p, C.from_numpy(hg), m, v, 0.01, 0.9, 0.999, 1e-8, 0.001, step)
        R.adam_step(hp, hg, hm, hv, 0.01, 0.9, 0.999, 1e-8, 0.001, step)
        for got, expected in ((p, hp), (m, hm), (v, hv)):
            assert_matches(got, expected, dtype)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("momentum, centered", [(0.0, False), (0.9, True)])
def test_rmsprop_steps(dtype, momentum, centered):
    rng = np.random.default_rng(3)
    hp = rng.standard_normal((3, 5)).astype(dtype)
    hs, ha, hb = (np.zeros_like(hp) for _ in range(3))
    p, s, a, b = (C.from_numpy(x) for x in (hp, hs, ha, hb))
    for _ in range(3):
        hg = rng.standard_normal((3, 5)).astype(dtype)
        args = (0.01, 0.9, 1e-8, 0.001, momentum, centered)
        C.rmsprop_step(p, C.from_numpy(hg), s, a, b, *args)
        R.rmsprop_step(hp, hg, hs, ha, hb, *args)
        for got, expected in ((p, hp), (s, hs), (a, ha), (b, hb)):
            assert_matches(got, expected, dtype)


@pytest.mark.parametrize("dtype", FLOATS)
def test_adagrad_steps(dtype):
    rng = np.random.default_rng(4)
    hp = rng.standard_normal((3, 5)).astype(dtype)
    hs = np.full_like(hp, 0.1)
    p, s = C.from_numpy(hp), C.from_numpy(hs)
    for step in range(1, 4):
        hg = rng.standard_normal((3, 5)).astype(dtype)
        clr = 0.01 / (1 + (step - 1) * 0.1)
        C.adagrad_step(p, C.from_numpy(hg), s, clr, 1e-10, 0.001)
        R.adagrad_step(hp, hg, hs, clr, 1e-10, 0.001)
        for got, expected in ((p, hp), (s, hs)):
            assert_matches(got, expected, dtype)
