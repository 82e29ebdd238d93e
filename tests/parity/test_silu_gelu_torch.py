"""silu and gelu (both forms) against PyTorch, values and gradients, in float64 and float32."""

import numpy as np
import pytest

import scalargrad as sg

torch = pytest.importorskip("torch")

POINTS = [-800.0, -20.0, -3.0, -1.0, -1e-3, 0.0, 1e-3, 0.5, 1.0, 3.0, 20.0, 800.0]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(
    "name, ours, theirs",
    [
        ("silu", sg.nn.functional.silu, torch.nn.functional.silu),
        ("gelu", sg.nn.functional.gelu, torch.nn.functional.gelu),
        (
            "gelu_tanh",
            lambda x: sg.nn.functional.gelu(x, approximate="tanh"),
            lambda x: torch.nn.functional.gelu(x, approximate="tanh"),
        ),
    ],
)
def test_silu_and_gelu_match_torch(name, ours, theirs, dtype):
    a = np.array(POINTS, dtype)
    x = sg.tensor(a, requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    y, ty = ours(x), theirs(t)
    assert y.grad_fn.name() == type(ty.grad_fn).__name__
    y.sum().backward()
    ty.sum().backward()
    tol = 1e-12 if dtype == "float64" else 1e-6
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=tol, atol=tol)
