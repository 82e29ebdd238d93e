"""scalargrad.optim on Values (and on anything following the Tensor parameter contract):
several steps against PyTorch's update formulas written out by hand, state_dict layout and
round trip, zero_grad, bad hyperparameters; against torch itself when it is installed."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scalargrad import Value
from scalargrad.matrix.backends import reference
from scalargrad.optim import SGD, Adam


def loss_of(params):
    """A fixed smooth function of the parameters; its gradient drives the optimizers."""
    a, b = params
    return (a * b).tanh() + a * a * 0.5 + (b - 1.0) ** 2


def grads_at(ws):
    a, b = Value(ws[0]), Value(ws[1])
    loss_of([a, b]).backward()
    return [a.grad, b.grad]


def sgd_by_hand(ws, steps, lr, momentum, dampening, weight_decay, nesterov):
    """torch.optim.SGD's algorithm as documented, on floats."""
    ws, bufs = list(ws), [None, None]
    for _ in range(steps):
        gs = grads_at(ws)
        for i in range(2):
            g = gs[i] + weight_decay * ws[i]
            if momentum != 0:
                bufs[i] = g if bufs[i] is None else momentum * bufs[i] + (1 - dampening) * g
                g = g + momentum * bufs[i] if nesterov else bufs[i]
            ws[i] = ws[i] - lr * g
    return ws


def adam_by_hand(ws, steps, lr, betas, eps, weight_decay):
    """torch.optim.Adam's algorithm as documented, on floats."""
    ws, m, v = list(ws), [0.0, 0.0], [0.0, 0.0]
    for t in range(1, steps + 1):
        gs = grads_at(ws)
        for i in range(2):
            g = gs[i] + weight_decay * ws[i]
            m[i] = betas[0] * m[i] + (1 - betas[0]) * g
            v[i] = betas[1] * v[i] + (1 - betas[1]) * g * g
            ws[i] -= (
                lr * (m[i] / (1 - betas[0] ** t)) / (math.sqrt(v[i] / (1 - betas[1] ** t)) + eps)
            )
    return ws


def run(optimizer_class, ws, steps, **kwargs):
    params = [Value(w) for w in ws]
    opt = optimizer_class(params, **kwargs)
    for _ in range(steps):
        opt.zero_grad()
        loss_of(params).backward()
        opt.step()
    return [p.data for p in params], opt


start = st.lists(st.floats(-2, 2), min_size=2, max_size=2)


@given(
    start,
    st.floats(0.001, 0.5),
    st.sampled_from([0.0, 0.5, 0.9]),
    st.sampled_from([0.0, 0.3]),
    st.sampled_from([0.0, 0.01]),
    st.booleans(),
)
def test_sgd_matches_pytorch_algorithm(ws, lr, momentum, dampening, weight_decay, nesterov):
    if nesterov and (momentum == 0 or dampening != 0):
        nesterov = False
    kwargs = dict(
        lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov
    )
    got, _ = run(SGD, ws, 4, **kwargs)
    assert np.allclose(got, sgd_by_hand(ws, 4, **kwargs), rtol=1e-12, atol=1e-12)


@given(
    start,
    st.floats(0.001, 0.3),
    st.sampled_from([(0.9, 0.999), (0.5, 0.9), (0.0, 0.0)]),
    st.sampled_from([1e-8, 1e-3]),
    st.sampled_from([0.0, 0.01]),
)
def test_adam_matches_pytorch_algorithm(ws, lr, betas, eps, weight_decay):
    kwargs = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
    got, _ = run(Adam, ws, 4, **kwargs)
    assert np.allclose(got, adam_by_hand(ws, 4, **kwargs), rtol=1e-12, atol=1e-12)


def test_plain_sgd_step_is_w_minus_lr_grad():
    w = Value(3.0)
    opt = SGD([w], lr=0.1)
    (w * w).backward()
    opt.step()
    assert w.data == 3.0 - 0.1 * 6.0


def test_zero_grad_sets_value_grads_to_zero():
    ps = [Value(1.0), Value(2.0)]
    opt = SGD(ps, lr=0.1)
    loss_of(ps).backward()
    opt.zero_grad()
    assert [p.grad for p in ps] == [0.0, 0.0]


def test_state_dict_layout_and_round_trip():
    ws = [0.3, -0.7]
    _, opt = run(SGD, ws, 2, lr=0.1, momentum=0.9)
    sd = opt.state_dict()
    assert sd["param_groups"] == [
        {
            "lr": 0.1,
            "momentum": 0.9,
            "dampening": 0,  # PyTorch's defaults, ints as PyTorch keeps them
            "weight_decay": 0,
            "nesterov": False,
            "maximize": False,
            "foreach": None,
            "differentiable": False,
            "fused": None,
            "params": [0, 1],
        }
    ]
    assert set(sd["state"]) == {0, 1} and set(sd["state"][0]) == {"momentum_buffer"}
    # a fresh optimizer loaded from the state dict continues exactly like the original
    params = [Value(w) for w in sgd_by_hand(ws, 2, 0.1, 0.9, 0.0, 0.0, False)]
    resumed = SGD(params, lr=0.5)
    resumed.load_state_dict(sd)
    assert resumed.param_groups[0]["lr"] == 0.1
    for _ in range(2):
        resumed.zero_grad()
        loss_of(params).backward()
        resumed.step()
    assert np.allclose(
        [p.data for p in params], sgd_by_hand(ws, 4, 0.1, 0.9, 0.0, 0.0, False), rtol=1e-12
    )

    _, adam = run(Adam, ws, 3, lr=0.01)
    state = adam.state_dict()["state"]
    assert state[0]["step"] == 3 and set(state[0]) == {"step", "exp_avg", "exp_avg_sq"}
    assert adam.state_dict()["param_groups"][0]["betas"] == (0.9, 0.999)


def test_load_state_dict_mismatch():
    _, opt = run(SGD, [0.1, 0.2], 1, lr=0.1)
    with pytest.raises(ValueError, match="SGD.load_state_dict.*2 parameters.*1 here"):
        SGD([Value(1.0)], lr=0.1).load_state_dict(opt.state_dict())


def test_param_groups_with_their_own_lr():
    a, b = Value(1.0), Value(1.0)
    opt = SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    (a + b).backward()
    opt.step()
    assert (a.data, b.data) == (0.9, 0.5)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda p: SGD(p, lr=-0.1), "SGD.*lr=-0.1"),
        (lambda p: SGD(p, lr=0.1, momentum=-0.5), "SGD.*momentum=-0.5"),
        (lambda p: SGD(p, lr=0.1, nesterov=True), "SGD.*nesterov"),
        (lambda p: SGD(p, lr=0.1, weight_decay=-1), "SGD.*weight_decay"),
        (lambda p: Adam(p, lr=-1), "Adam.*lr=-1"),
        (lambda p: Adam(p, betas=(1.0, 0.999)), "Adam.*beta.*1.0"),
        (lambda p: Adam(p, betas=(0.9, -0.1)), "Adam.*beta.*-0.1"),
        (lambda p: Adam(p, eps=-1e-8), "Adam.*eps"),
    ],
)
def test_bad_hyperparameters(make, match):
    with pytest.raises(ValueError, match=match):
        make([Value(1.0)])


def test_bad_params():
    with pytest.raises(ValueError, match="empty"):
        SGD([], lr=0.1)
    with pytest.raises(TypeError, match="iterable"):
        SGD(Value(1.0), lr=0.1)


# ---------------------------------------------------------------- the Tensor parameter contract


class _Grad:
    def __init__(self, array):
        self._array = array


class ContractParam:
    """The smallest object following the Tensor parameter contract optim.py is written against:
    ``_array``, ``_backend`` (here the NumPy reference backend), ``grad`` (None or an object
    with ``_array``), ``shape``, ``dtype``."""

    def __init__(self, array):
        self._array = np.array(array, dtype=np.float64)
        self._backend = reference
        self.grad = None
        self.shape = self._array.shape
        self.dtype = self._array.dtype


@pytest.mark.parametrize(
    "optimizer, kwargs",
    [
        (SGD, dict(lr=0.1)),
        (SGD, dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
        (Adam, dict(lr=0.05, weight_decay=0.01)),
    ],
)
def test_tensor_parameters_update_like_values(optimizer, kwargs):
    rng = np.random.default_rng(0)
    start_w = rng.normal(size=(2, 3))
    tensor_param, skipped = ContractParam(start_w), ContractParam([1.0, 2.0])
    values = [Value(x) for x in start_w.ravel()]
    opt_t, opt_v = optimizer([tensor_param, skipped], **kwargs), optimizer(values, **kwargs)
    for _step in range(3):
        g = rng.normal(size=(2, 3))
        tensor_param.grad = _Grad(g.copy())
        for v, gi in zip(values, g.ravel(), strict=True):
            v.grad = float(gi)
        opt_t.step()
        opt_v.step()
    assert np.allclose(
        tensor_param._array.ravel(), [v.data for v in values], rtol=1e-12, atol=1e-12
    )
    assert np.array_equal(skipped._array, [1.0, 2.0])  # grad None: skipped
    opt_t.zero_grad()
    assert tensor_param.grad is None
    sd = opt_t.state_dict()
    stateless = optimizer is SGD and not kwargs.get("momentum")
    assert set(sd["state"]) == (set() if stateless else {0})  # only the stepped parameter has state
    for value in sd["state"].get(0, {}).values():
        assert isinstance(value, (int, np.ndarray))
    fresh = optimizer([ContractParam(start_w), ContractParam([1.0, 2.0])], **kwargs)
    fresh.load_state_dict(sd)
    assert fresh.state_dict()["state"].keys() == sd["state"].keys()
    for key, value in sd["state"].get(0, {}).items():
        assert np.array_equal(fresh.state_dict()["state"][0][key], value)


def test_against_torch_when_installed():
    torch = pytest.importorskip("torch")
    ws = [0.4, -1.3]
    for ours, theirs, kwargs in [
        (SGD, torch.optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
        (Adam, torch.optim.Adam, dict(lr=0.05, betas=(0.8, 0.99), weight_decay=0.01)),
    ]:
        got, _ = run(ours, ws, 5, **kwargs)
        tw = torch.tensor(ws, dtype=torch.float64, requires_grad=True)
        opt = theirs([tw], **kwargs)
        for _ in range(5):
            opt.zero_grad()
            a, b = tw[0], tw[1]
            ((a * b).tanh() + a * a * 0.5 + (b - 1.0) ** 2).backward()
            opt.step()
        assert np.allclose(got, tw.detach().numpy(), rtol=1e-10, atol=1e-12)
