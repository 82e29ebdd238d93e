"""Shared helpers for the nn tests: float64 tensors from hypothesis-drawn arrays, and the
gradient check against central differences."""

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


def assert_gradcheck(fn, inputs, eps=1e-6, atol=1e-6, rtol=1e-5):
    """Backprop's gradients of ``fn(*inputs)`` (float64 leaves) equal central differences
    (``sg.gradcheck``; a non-scalar output is checked through sum(G * y) for a fixed random G)."""
    report = sg.gradcheck(fn, inputs, eps=eps, atol=atol, rtol=rtol)
    assert report, str(report)
