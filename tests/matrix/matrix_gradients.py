"""Central differences for the matrix engine's tests: backprop must match them in float64.

For inputs x_1..x_k (numpy arrays, any layout) and f returning a tensor y, take a fixed random
weighting W of y's shape and L = sum(W * y). Backprop computes dL/dx_i with ``y.backward(W)``;
the numeric estimate of each element is (L(x + eps e_j) - L(x - eps e_j)) / (2 eps).
Tolerances are relative to each gradient element (plus a small absolute part).
"""

import numpy as np

import scalargrad as sg


def leaves(*arrays):
    """Tensors over the arrays' memory and layout (non-contiguous views stay non-contiguous)."""
    return [sg.from_numpy(a).requires_grad_() for a in arrays]


def numeric_gradients(fn, arrays, weights, eps=1e-6):
    """Central differences of L = sum(W * fn(...)); the outputs are subtracted element by
    element before the weighted sum, so outputs that x_j does not touch add no rounding noise."""

    def outputs(values):
        with sg.no_grad():
            y = fn(*[sg.tensor(v, dtype=sg.float64) for v in values])
        return y.numpy().astype(np.float64)

    grads = []
    for i, a in enumerate(arrays):
        g = np.zeros(a.shape)
        for j in np.ndindex(a.shape):
            plus = [np.array(b, dtype=np.float64) for b in arrays]
            minus = [np.array(b, dtype=np.float64) for b in arrays]
            plus[i][j] += eps
            minus[i][j] -= eps
            g[j] = np.sum(weights * (outputs(plus) - outputs(minus))) / (2 * eps)
        grads.append(g)
    return grads


def check_gradients(fn, *arrays, atol=1e-6, rtol=1e-5, seed=0):
    """Assert backprop's gradients of ``fn`` at ``arrays`` equal central differences."""
    xs = leaves(*arrays)
    y = fn(*xs)
    weights = np.random.default_rng(seed).uniform(0.5, 1.5, size=y.shape)
    y.backward(sg.tensor(weights, dtype=sg.float64))
    expected = numeric_gradients(fn, arrays, weights)
    for i, (x, g) in enumerate(zip(xs, expected, strict=False)):
        got = np.zeros(x.shape) if x.grad is None else x.grad.numpy()
        assert got.shape == x.shape, f"gradient {i} has shape {got.shape}, input {x.shape}"
        assert x.grad is None or x.grad.dtype == sg.float64
        np.testing.assert_allclose(got, g, atol=atol, rtol=rtol, err_msg=f"input {i}")
    return y
