"""The two engines agree: a scalar-engine MLP (every number a Value) and a matrix-engine MLP
(float64 Tensors) loaded with the same state_dict give the same loss and the same parameter
gradients, and stay together over several SGD (momentum) and Adam steps driven by the same
``scalargrad.optim`` classes. Networks are tiny: the scalar engine is pure Python."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import scalargrad as sg
from scalargrad import optim
from scalargrad.scalar import losses as scalar_losses
from scalargrad.scalar import nn as scalar_nn
from scalargrad.testing.strategies import mlp_shapes

RTOL, ATOL = 1e-9, 1e-12


def scalar_grads(model):
    """{state_dict key: array of the Values' grads} for a scalar-engine module."""

    def grads(m):
        return m.grad if hasattr(m, "grad") else [grads(v) for v in m]

    return {
        name: np.array(grads(matrix), dtype=np.float64) for name, matrix in model.named_tensors()
    }


def tensor_grads(model):
    return {name: p.grad.numpy() for name, p in model.named_parameters()}


def scalar_loss(model, X, targets, loss):
    outputs = [model(list(map(float, row))) for row in X]
    if loss == "mse":
        preds = [v for out in outputs for v in out]
        return scalar_losses.mse_loss(preds, [float(t) for t in np.asarray(targets).reshape(-1)])
    return scalar_losses.cross_entropy(outputs, [int(t) for t in targets])


def tensor_loss(model, X, targets, loss):
    out = model(sg.tensor(X, dtype=sg.float64))
    if loss == "mse":
        return sg.nn.functional.mse_loss(out, sg.tensor(targets, dtype=sg.float64))
    return sg.nn.functional.cross_entropy(out, sg.tensor(targets, dtype=sg.int64))


@st.composite
def problems(draw):
    nin, nouts = draw(mlp_shapes(max_inputs=3, max_width=4, max_layers=3))
    n = draw(st.integers(1, 4))
    X = draw(
        hnp.arrays(
            np.float64, (n, nin), elements=st.floats(-2, 2, allow_nan=False, allow_infinity=False)
        )
    )
    loss = draw(st.sampled_from(["mse", "cross_entropy"]))
    if loss == "mse":
        targets = draw(
            hnp.arrays(np.float64, (n, nouts[-1]), elements=st.floats(-2, 2, allow_nan=False))
        )
    else:
        targets = np.array(
            draw(st.lists(st.integers(0, nouts[-1] - 1), min_size=n, max_size=n)), dtype=np.int64
        )
    activation = draw(st.sampled_from(["relu", "tanh", "sigmoid", "softplus"]))
    seed = draw(st.integers(0, 2**16))
    return nin, nouts, X, targets, loss, activation, seed


def twin_models(nin, nouts, activation, seed):
    small = scalar_nn.MLP(nin, nouts, activation=activation, rng=seed)
    big = sg.nn.MLP(nin, nouts, activation=activation, dtype=sg.float64)
    big.load_state_dict(small.state_dict())
    return small, big


def assert_dicts_close(a, b, what):
    assert list(a) == list(b)
    for k in a:
        np.testing.assert_allclose(b[k], a[k], rtol=RTOL, atol=ATOL, err_msg=f"{what}: {k}")


@given(problems())
def test_same_loss_and_gradients(problem):
    nin, nouts, X, targets, loss, activation, seed = problem
    small, big = twin_models(nin, nouts, activation, seed)
    assert_dicts_close(small.state_dict(), big.state_dict(), "weights")
    ls = scalar_loss(small, X, targets, loss)
    lt = tensor_loss(big, X, targets, loss)
    assert lt.item() == pytest.approx(ls.data, rel=RTOL, abs=ATOL)
    ls.backward()
    lt.backward()
    assert_dicts_close(scalar_grads(small), tensor_grads(big), "gradients")


OPTIMIZERS = {
    "sgd_momentum": lambda params: optim.SGD(params, lr=0.1, momentum=0.9),
    "sgd_nesterov_wd": lambda params: optim.SGD(
        params, lr=0.05, momentum=0.5, nesterov=True, weight_decay=0.01
    ),
    "adam": lambda params: optim.Adam(params, lr=0.05),
}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
@settings(max_examples=15)
@given(problem=problems())
def test_training_stays_together(name, problem):
    nin, nouts, X, targets, loss, activation, seed = problem
    small, big = twin_models(nin, nouts, activation, seed)
    opt_small = OPTIMIZERS[name](small.parameters())
    opt_big = OPTIMIZERS[name](big.parameters())
    for step in range(4):
        opt_small.zero_grad()
        opt_big.zero_grad()
        ls = scalar_loss(small, X, targets, loss)
        lt = tensor_loss(big, X, targets, loss)
        assert lt.item() == pytest.approx(ls.data, rel=1e-8, abs=1e-10), f"loss at step {step}"
        ls.backward()
        lt.backward()
        opt_small.step()
        opt_big.step()
        for k, v in small.state_dict().items():
            np.testing.assert_allclose(
                big.state_dict()[k], v, rtol=1e-8, atol=1e-10, err_msg=f"{k} after step {step}"
            )


def test_a_model_moves_from_the_matrix_engine_to_the_scalar_engine():
    sg.manual_seed(0)
    big = sg.nn.MLP(2, [3, 2], activation="tanh", dtype=sg.float64)
    small = scalar_nn.MLP(2, [3, 2], activation="tanh")
    small.load_state_dict(big.state_dict())
    x = [0.3, -1.1]
    expected = big(sg.tensor([x], dtype=sg.float64)).detach().numpy()[0]
    np.testing.assert_allclose([v.data for v in small(x)], expected, rtol=1e-12)


# ---------------------------------------------------------------- every unary op, both engines

UNARY_METHODS = ["exp", "tanh", "sigmoid", "relu", "softplus", "abs", "sin", "cos", "log", "sqrt"]


@given(
    st.sampled_from(UNARY_METHODS),
    hnp.arrays(np.float64, st.integers(1, 6), elements=st.floats(-4.0, 4.0)),
    st.floats(-2.0, 2.0),
)
def test_unary_ops_agree_across_engines(op, x, c):
    """sum_i c * op(x_i) (op at |x_i| for log and sqrt): same value and gradient on both engines."""
    if op in ("log", "sqrt"):
        x = np.abs(x) + 0.1
    values = [sg.Value(float(v)) for v in x]
    scalar_out = sg.Value.sum([getattr(v, op)() * c for v in values])
    scalar_out.backward()
    t = sg.tensor(x, dtype=sg.float64, requires_grad=True)
    tensor_out = (getattr(t, op)() * c).sum()
    tensor_out.backward()
    np.testing.assert_allclose(tensor_out.item(), scalar_out.data, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(t.grad.numpy(), [v.grad for v in values], rtol=RTOL, atol=ATOL)
