"""silu and gelu (both forms) against PyTorch: values, gradients and node names.

PyTorch's float64 results are the reference in both dtypes. Our float32 kernels compute in
float64 and round once, so they are compared with PyTorch's float64 result rounded to float32:
PyTorch's own float32 gelu loses digits to cancellation in 1 + erf(x / sqrt 2) (at x = -3 it is
off by 1.3e-4 relative), gives nan at +inf, and its tanh form's gradient is nan at +-1e30 (x^3
overflows float32), where ours are the limits.
"""

import numpy as np
import pytest

import scalargrad as sg

torch = pytest.importorskip("torch")

# the edges of tests/matrix/test_torch_parity_extremes.py: past exp's overflow in float32 and in
# float64, huge, infinite, signed zeros and nan
POINTS = [-1e30, -800.0, -100.0, -89.0, -20.5, -3.0, -1.0, -1e-3, -0.0, 0.0, 1e-3, 0.5, 1.0,
          3.0, 20.5, 89.0, 100.0, 800.0, 1e30,
          float("inf"), float("-inf"), float("nan")]  # fmt: skip
# Far in the negative tail we keep values PyTorch rounds to 0 (gelu(-20.5) = -2.2e-92 with
# erfc, where 1 + erf cancels to 0): equal within this absolute tolerance.
TAIL = 1e-30
OPS = [
    ("silu", sg.nn.functional.silu, torch.nn.functional.silu),
    ("gelu", sg.nn.functional.gelu, torch.nn.functional.gelu),
    (
        "gelu_tanh",
        lambda x: sg.nn.functional.gelu(x, approximate="tanh"),
        lambda x: torch.nn.functional.gelu(x, approximate="tanh"),
    ),
]


@pytest.mark.parametrize("dtype, rtol", [("float64", 1e-12), ("float32", 1e-6)])
@pytest.mark.parametrize("name, ours, theirs", OPS, ids=[op[0] for op in OPS])
def test_silu_and_gelu_match_torch(name, ours, theirs, dtype, rtol):
    x = sg.tensor(np.array(POINTS, dtype), requires_grad=True)
    t = torch.tensor(POINTS, dtype=torch.float64, requires_grad=True)
    y, ty = ours(x), theirs(t)
    assert y.grad_fn.name() == type(ty.grad_fn).__name__
    y.sum().backward()
    ty.sum().backward()
    for got, want, what in ((y, ty, "value"), (x.grad, t.grad, "gradient")):
        np.testing.assert_allclose(
            got.detach().numpy(),
            want.detach().numpy().astype(dtype),
            rtol=rtol,
            atol=TAIL,
            equal_nan=True,
            err_msg=f"{name} {what} in {dtype} at {POINTS}",
        )
