"""RMSprop and Adagrad on both engines, against their updates written out in NumPy."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scalargrad as sg
from scalargrad import Value

finite = st.floats(-3.0, 3.0, allow_nan=False)
matrices = st.lists(finite, min_size=6, max_size=6).map(lambda x: np.array(x).reshape(2, 3))


def rmsprop_by_hand(w, grads, lr, alpha, eps, weight_decay, momentum, centered):
    """torch.optim.RMSprop's update (its documented algorithm), in float64 NumPy."""
    v, avg, buf = np.zeros_like(w), np.zeros_like(w), np.zeros_like(w)
    for g in grads:
        g = g + weight_decay * w
        v = alpha * v + (1 - alpha) * g**2
        if centered:
            avg = alpha * avg + (1 - alpha) * g
            d = np.sqrt(v - avg**2) + eps
        else:
            d = np.sqrt(v) + eps
        if momentum > 0:
            buf = momentum * buf + g / d
            w = w - lr * buf
        else:
            w = w - lr * g / d
    return w


def adagrad_by_hand(w, grads, lr, lr_decay, weight_decay, initial_accumulator_value, eps):
    """torch.optim.Adagrad's update (its documented algorithm), in float64 NumPy."""
    s = np.full_like(w, initial_accumulator_value)
    for t, g in enumerate(grads, start=1):
        clr = lr / (1 + (t - 1) * lr_decay)
        g = g + weight_decay * w
        s = s + g**2
        w = w - clr * g / (np.sqrt(s) + eps)
    return w


def run_both_engines(make, w, grads):
    """``make(params)`` on a tensor and on Values, stepped through ``grads``: (tensor, values)."""
    t = sg.tensor(w, requires_grad=True)
    values = [Value(float(x)) for x in w.ravel()]
    opt_t, opt_v = make([t]), make(values)
    for g in grads:
        t.grad = sg.tensor(g)
        for v, gv in zip(values, g.ravel(), strict=True):
            v.grad = float(gv)
        opt_t.step()
        opt_v.step()
    return t.detach().numpy(), np.array([v.data for v in values]).reshape(w.shape)


def same(got, want):
    np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(
    w=matrices,
    grads=st.lists(matrices, min_size=1, max_size=4),
    lr=st.floats(1e-3, 0.5),
    alpha=st.floats(0.5, 0.999),
    weight_decay=st.sampled_from([0.0, 0.1, 1.0]),
    momentum=st.sampled_from([0.0, 0.5, 0.9]),
    centered=st.booleans(),
)
def test_rmsprop_matches_the_update_on_both_engines(
    w, grads, lr, alpha, weight_decay, momentum, centered
):
    kw = dict(
        lr=lr,
        alpha=alpha,
        eps=1e-8,
        weight_decay=weight_decay,
        momentum=momentum,
        centered=centered,
    )
    want = rmsprop_by_hand(w, grads, **kw)
    got_t, got_v = run_both_engines(lambda p: sg.optim.RMSprop(p, **kw), w, grads)
    same(got_t, want)
    same(got_v, want)


@settings(max_examples=30, deadline=None)
@given(
    w=matrices,
    grads=st.lists(matrices, min_size=1, max_size=4),
    lr=st.floats(1e-3, 0.5),
    lr_decay=st.floats(0.0, 1.0),
    weight_decay=st.sampled_from([0.0, 0.1, 1.0]),
    initial=st.floats(0.0, 2.0),
)
def test_adagrad_matches_the_update_on_both_engines(w, grads, lr, lr_decay, weight_decay, initial):
    kw = dict(
        lr=lr,
        lr_decay=lr_decay,
        weight_decay=weight_decay,
        initial_accumulator_value=initial,
        eps=1e-10,
    )
    want = adagrad_by_hand(w, grads, **kw)
    got_t, got_v = run_both_engines(lambda p: sg.optim.Adagrad(p, **kw), w, grads)
    same(got_t, want)
    same(got_v, want)


def test_rmsprop_first_step_is_lr_times_sign_over_sqrt_one_minus_alpha():
    # v = (1 - alpha) g^2 after one step, so the step is lr g / |g| / sqrt(1 - alpha) (eps = 0)
    w = np.array([[1.0, -2.0, 0.5]])
    g = np.array([[0.3, -4.0, 2.0]])
    got_t, got_v = run_both_engines(lambda p: sg.optim.RMSprop(p, lr=0.1, eps=0.0), w, [g])
    same(got_t, w - 0.1 * np.sign(g) / np.sqrt(0.01))
    same(got_v, w - 0.1 * np.sign(g) / np.sqrt(0.01))


def test_state_keys_and_buffers_only_when_used():
    p = sg.tensor(np.ones(3), requires_grad=True)
    for kw, keys in [
        ({}, ["step", "square_avg"]),
        ({"momentum": 0.9}, ["step", "square_avg", "momentum_buffer"]),
        ({"centered": True}, ["step", "square_avg", "grad_avg"]),
    ]:
        opt = sg.optim.RMSprop([p], **kw)
        assert opt.state_dict()["state"] == {}
        p.grad = sg.tensor(np.ones(3))
        opt.step()
        assert list(opt.state_dict()["state"][0]) == keys
    opt = sg.optim.Adagrad([p], initial_accumulator_value=0.5)
    state = opt.state_dict()["state"][0]  # exists before the first step, as PyTorch's
    assert state["step"] == 0
    np.testing.assert_array_equal(state["sum"], np.full(3, 0.5))
    v = Value(1.0)
    assert sg.optim.Adagrad([v], initial_accumulator_value=0.5).state[v] == {"step": 0, "sum": 0.5}


@pytest.mark.parametrize("name", ["RMSprop", "Adagrad"])
def test_state_dict_round_trip_continues_the_same_run(name):
    rng = np.random.default_rng(0)
    grads = [rng.normal(size=(2, 3)) for _ in range(4)]
    kw = dict(momentum=0.5, centered=True) if name == "RMSprop" else dict(lr_decay=0.1)
    p, q = (sg.tensor(np.ones((2, 3)), requires_grad=True) for _ in range(2))
    a, b = getattr(sg.optim, name)([p], **kw), getattr(sg.optim, name)([q])
    for g in grads[:2]:
        p.grad = sg.tensor(g)
        a.step()
    q.data = p.detach().clone()
    b.load_state_dict(a.state_dict())
    for g in grads[2:]:
        p.grad, q.grad = sg.tensor(g), sg.tensor(g)
        a.step()
        b.step()
    np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())


def test_prints_as_pytorch():
    w = [sg.tensor([1.0], requires_grad=True)]
    assert str(sg.optim.RMSprop(w)) == (
        "RMSprop (\nParameter Group 0\n    alpha: 0.99\n    capturable: False\n"
        "    centered: False\n    differentiable: False\n    eps: 1e-08\n    foreach: None\n"
        "    lr: 0.01\n    maximize: False\n    momentum: 0\n    weight_decay: 0\n)"
    )  # torch.optim.RMSprop's print in PyTorch 2.13
    assert str(sg.optim.Adagrad(w)) == (
        "Adagrad (\nParameter Group 0\n    differentiable: False\n    eps: 1e-10\n"
        "    foreach: None\n    fused: None\n    initial_accumulator_value: 0\n    lr: 0.01\n"
        "    lr_decay: 0\n    maximize: False\n    weight_decay: 0\n)"
    )  # torch.optim.Adagrad's print in PyTorch 2.13


@pytest.mark.parametrize(
    "make, error, words",
    [
        (lambda p: sg.optim.RMSprop(p, alpha=-0.1), ValueError, "RMSprop: invalid alpha=-0.1"),
        (lambda p: sg.optim.RMSprop(p, momentum=-1), ValueError, "RMSprop: invalid momentum=-1"),
        (lambda p: sg.optim.RMSprop(p, lr="0.1"), TypeError, "RMSprop: lr must be a number"),
        (lambda p: sg.optim.RMSprop(p, maximize=True), NotImplementedError, "maximize=True"),
        (lambda p: sg.optim.Adagrad(p, lr_decay=-1), ValueError, "Adagrad: invalid lr_decay=-1"),
        (
            lambda p: sg.optim.Adagrad(p, initial_accumulator_value=-0.5),
            ValueError,
            "Adagrad: invalid initial_accumulator_value=-0.5",
        ),
        (lambda p: sg.optim.Adagrad(p, weight_decay=-1), ValueError, "Adagrad: invalid weight"),
        (lambda p: sg.optim.Adagrad(p, eps=-1.0), ValueError, "Adagrad: invalid epsilon"),
    ],
)
def test_errors(make, error, words):
    with pytest.raises(error, match=words):
        make([sg.tensor([1.0], requires_grad=True)])


def test_rmsprop_momentum_turned_on_later_starts_from_a_zero_buffer_on_both_engines():
    """OneCycleLR sets RMSprop's momentum after a step without it: the buffer starts at 0."""
    rng = np.random.default_rng(1)
    w = rng.normal(size=(2, 3))
    grads = [rng.normal(size=(2, 3)) for _ in range(3)]

    def make(params):
        opt = sg.optim.RMSprop(params, lr=0.01)
        step = opt.step

        def step_then_momentum():
            step()
            opt.param_groups[0]["momentum"] = 0.9

        opt.step = step_then_momentum
        return opt

    v, buf, want = np.zeros_like(w), np.zeros_like(w), w.copy()
    for i, g in enumerate(grads):
        v = 0.99 * v + 0.01 * g**2
        d = np.sqrt(v) + 1e-8
        if i == 0:
            want = want - 0.01 * g / d
        else:
            buf = 0.9 * buf + g / d
            want = want - 0.01 * buf
    got_t, got_v = run_both_engines(make, w, grads)
    same(got_t, want)
    same(got_v, want)
