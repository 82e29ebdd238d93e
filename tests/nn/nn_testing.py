"""Shared helpers for the nn tests: float64 tensors from hypothesis-drawn arrays, and a gradient
check against central differences."""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import scalargrad as sg


def arrays(shape, lo=-3.0, hi=3.0):
    """float64 arrays of ``shape`` with finite elements in [lo, hi]."""
    return hnp.arrays(
        np.float64, shape, elements=st.floats(lo, hi, allow_nan=False, allow_infinity=False)
    )


def leaf(a):
    """A float64 leaf tensor that requires grad."""
    return sg.tensor(np.asarray(a, dtype=np.float64), dtype=sg.float64, requires_grad=True)


def const(a, dtype=np.float64):
    return sg.tensor(np.asarray(a), dtype=dtype)


def _values(t):
    return np.array(t.detach().numpy(), dtype=np.float64)


def assert_gradcheck(fn, inputs, eps=1e-6, atol=1e-6, rtol=1e-5):
    """Backprop's gradients of ``fn(*inputs)`` (float64) equal central differences.

    A non-scalar output y is checked through L = sum(G * y) for a fixed random G of y's shape.
    """
    points = [_values(x) for x in inputs]
    leaves = [leaf(p) for p in points]
    out = fn(*leaves)
    weights = (
        None if out.shape == () else np.random.default_rng(0).uniform(0.5, 1.5, size=out.shape)
    )
    out.backward(None if weights is None else const(weights))

    def objective(arrays_):
        with sg.no_grad():
            y = _values(fn(*[const(a) for a in arrays_]))
        return float(y) if weights is None else float(np.sum(weights * y))

    for i, p in enumerate(points):
        analytic = np.zeros_like(p) if leaves[i].grad is None else _values(leaves[i].grad)
        numeric = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            shifted = [q.copy() for q in points]
            shifted[i][idx] = p[idx] + eps
            plus = objective(shifted)
            shifted[i][idx] = p[idx] - eps
            minus = objective(shifted)
            numeric[idx] = (plus - minus) / (2 * eps)
        np.testing.assert_allclose(
            analytic, numeric, rtol=rtol, atol=atol, err_msg=f"gradient of input {i}"
        )
