"""Where PyTorch is installed: every element-wise primitive's value and gradient at the edges of
its domain and of the float range, in float32 and in float64, against PyTorch's. The inputs
include values past exp's overflow in float32 (88.7) but not in float64 (709.8), past it in
float64, infinities, signed zeros and nan. The derivation pages cite this test for their
"overflow" and "domain" edge cases."""

import numpy as np
import pytest

import scalargrad as sg

torch = pytest.importorskip("torch")

EDGES = [-1e30, -800.0, -100.0, -89.0, -20.5, -1.0, -0.0, 0.0, 0.5, 1.0, 20.5, 89.0, 100.0,
         800.0, 1e30, np.inf, -np.inf, np.nan]  # fmt: skip
UNARY = ["exp", "log", "sqrt", "tanh", "sigmoid", "relu", "softplus", "abs", "sin", "cos", "neg"]
# (ours, theirs, rtol, atol): float32's atol is its smallest normal number, because PyTorch's
# float32 sigmoid flushes results below it to 0 where we round the float64 value (3.8e-44 at -100)
DTYPES = {
    "float32": (sg.float32, torch.float32, 1e-6, 1.2e-38),
    "float64": (sg.float64, torch.float64, 1e-12, 0.0),
}


@pytest.mark.parametrize("dtype", sorted(DTYPES))
@pytest.mark.parametrize("op", UNARY)
def test_unary_value_and_gradient_at_the_edges_match_torch(op, dtype):
    ours_dtype, theirs_dtype, rtol, atol = DTYPES[dtype]
    if op == "softplus":  # PyTorch returns x (slope 1) past x = 20: off by e^-x < 2.1e-9
        rtol = max(rtol, 3e-9)
    x = sg.tensor(np.array(EDGES), dtype=ours_dtype, requires_grad=True)
    tx = torch.tensor(EDGES, dtype=theirs_dtype, requires_grad=True)
    y = -x if op == "neg" else getattr(x, op)()
    ty = -tx if op == "neg" else getattr(torch.nn.functional if op == "softplus" else torch, op)(tx)
    y.sum().backward()
    ty.sum().backward()
    for ours, theirs, what in ((y, ty, "value"), (x.grad, tx.grad, "gradient")):
        np.testing.assert_allclose(
            ours.detach().numpy(),
            theirs.detach().numpy(),
            rtol=rtol,
            atol=atol,
            equal_nan=True,
            err_msg=f"{op} {what} in {dtype} at {EDGES}",
        )


PAIR_EDGES = [-1e30, -100.0, -2.5, -1.0, -0.0, 0.0, 0.5, 2.0, 3.0, 100.0, 1e30, np.inf, np.nan]
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
    "maximum": lambda a, b: a.maximum(b),
    "minimum": lambda a, b: a.minimum(b),
}


@pytest.mark.parametrize("dtype", sorted(DTYPES))
@pytest.mark.parametrize("op", sorted(BINARY))
def test_binary_value_and_gradients_at_the_edges_match_torch(op, dtype):
    """Every pair of edge values: overflow (2^100 in float32, 1e30 * 1e30), division by +-0,
    0^negative, a negative base, infinities and nan."""
    ours_dtype, theirs_dtype, rtol, atol = DTYPES[dtype]
    a = np.repeat(PAIR_EDGES, len(PAIR_EDGES))  # every (a, b) pair
    b = np.tile(PAIR_EDGES, len(PAIR_EDGES))
    x = sg.tensor(a, dtype=ours_dtype, requires_grad=True)
    y = sg.tensor(b, dtype=ours_dtype, requires_grad=True)
    tx = torch.tensor(a, dtype=theirs_dtype, requires_grad=True)
    ty = torch.tensor(b, dtype=theirs_dtype, requires_grad=True)
    z, tz = BINARY[op](x, y), BINARY[op](tx, ty)
    z.sum().backward()
    tz.sum().backward()
    for ours, theirs, what in (
        (z, tz, "value"),
        (x.grad, tx.grad, "d/dx"),
        (y.grad, ty.grad, "d/dy"),
    ):
        got, want = ours.detach().numpy(), theirs.detach().numpy()
        bad = ~np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
        cases = list(zip(a[bad], b[bad], got[bad], want[bad], strict=True))
        assert not bad.any(), (op, what, dtype, cases)
