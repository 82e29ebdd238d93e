"""sg.nn.MLP: structure, state_dict layout shared with the scalar engine, forward vs NumPy,
gradients."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from nn_testing import arrays, assert_gradcheck, const

import scalargrad as sg
from scalargrad.nn import functional as F
from scalargrad.testing.strategies import mlp_shapes


def forward_np(sd, x, act):
    n = len(sd) // 2
    for i in range(n):
        x = x @ sd[f"layers.{i}.weight"].T + sd[f"layers.{i}.bias"]
        if i != n - 1:
            x = act(x)
    return x


ACTS = {
    "relu": lambda x: np.maximum(x, 0),
    "tanh": np.tanh,
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "softplus": lambda x: np.logaddexp(0, x),
    None: lambda x: x,
}


def test_structure_and_state_dict_layout():
    model = sg.nn.MLP(2, [16, 16, 1])
    assert len(model.layers) == 3
    sd = model.state_dict()
    assert list(sd) == [
        "layers.0.weight",
        "layers.0.bias",
        "layers.1.weight",
        "layers.1.bias",
        "layers.2.weight",
        "layers.2.bias",
    ]
    assert sd["layers.0.weight"].shape == (16, 2) and sd["layers.2.bias"].shape == (1,)
    assert model.num_parameters() == 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1
    assert model(sg.randn(5, 2)).shape == (5, 1)
    assert model(sg.randn(2)).shape == (1,)


@given(shape=mlp_shapes(), activation=st.sampled_from(list(ACTS)), data=st.data())
def test_forward_and_gradients(shape, activation, data):
    nin, nouts = shape
    model = sg.nn.MLP(nin, nouts, activation=activation, dtype=sg.float64)
    x = data.draw(arrays((3, nin)))
    sd = {k: v.numpy() for k, v in model.state_dict().items()}
    np.testing.assert_allclose(
        model(const(x)).detach().numpy(),
        forward_np(sd, x, ACTS[activation]),
        rtol=1e-10,
        atol=1e-12,
    )
    if activation == "relu":
        x[np.abs(x) < 1e-3] = 0.5
        return  # hidden ReLU kinks can sit anywhere; ReLU gradients are checked in the parity tests
    target = sg.zeros(3, nouts[-1], dtype=sg.float64)
    assert_gradcheck(
        lambda x_: F.mse_loss(model(x_), target),
        [sg.tensor(x, dtype=sg.float64, requires_grad=True)],
    )


def test_parameter_gradients_vs_central_differences():
    sg.manual_seed(0)
    model = sg.nn.MLP(3, [4, 2], activation="tanh", dtype=sg.float64)
    x = sg.randn(5, 3, dtype=sg.float64)
    y = sg.tensor([0, 1, 1, 0, 1])
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    eps = 1e-6
    for name, p in model.named_parameters():
        base = p.detach().numpy().copy()
        numeric = np.zeros_like(base)
        for idx in np.ndindex(base.shape):
            vals = []
            for sign in (1, -1):
                shifted = base.copy()
                shifted[idx] += sign * eps
                model.load_state_dict({name: shifted}, strict=False)
                with sg.no_grad():
                    vals.append(F.cross_entropy(model(x), y).item())
            numeric[idx] = (vals[0] - vals[1]) / (2 * eps)
        model.load_state_dict({name: base}, strict=False)
        np.testing.assert_allclose(p.grad.numpy(), numeric, rtol=1e-5, atol=1e-8, err_msg=name)


def test_errors():
    with pytest.raises(ValueError, match="nouts"):
        sg.nn.MLP(2, [])
    with pytest.raises(ValueError, match="nin"):
        sg.nn.MLP(0, [1])
    with pytest.raises(ValueError, match="activation"):
        sg.nn.MLP(2, [3, 1], activation="swish")
