"""sg.optim.lr_scheduler: each scheduler's lrs against its closed form, written out here."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scalargrad as sg
from scalargrad import Value

lr_sched = sg.optim.lr_scheduler
STEPS = 30
lrs = st.floats(1e-4, 1.0)
gammas = st.floats(0.05, 1.0)


def optimizers(lr):
    """An SGD over a matrix-engine tensor and one over scalar Values, both with this lr."""
    w = sg.tensor(np.ones((2, 3)), requires_grad=True)
    return [sg.optim.SGD([w], lr=lr), sg.optim.SGD([Value(1.0), Value(-2.0)], lr=lr)]


def run(make, lr, steps=STEPS):
    """The lrs of ``steps`` epochs, from get_last_lr() and from the optimizer's param_groups."""
    seqs = []
    for opt in optimizers(lr):
        sched = make(opt)
        assert opt.param_groups[0]["initial_lr"] == lr and sched.base_lrs == [lr]
        assert sched.last_epoch == 0
        seq = []
        for t in range(steps):
            assert sched.last_epoch == t
            (last,) = sched.get_last_lr()
            assert last == opt.param_groups[0]["lr"]
            seq.append(last)
            opt.step()
            sched.step()
        seqs.append(seq)
    assert seqs[0] == seqs[1]
    return seqs[0]


def close(got, want):
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


@settings(deadline=None, max_examples=30)
@given(lr=lrs, step_size=st.integers(1, 12), gamma=gammas)
def test_step_lr(lr, step_size, gamma):
    got = run(lambda o: lr_sched.StepLR(o, step_size=step_size, gamma=gamma), lr)
    close(got, [lr * gamma ** (t // step_size) for t in range(STEPS)])


@settings(deadline=None, max_examples=30)
@given(lr=lrs, milestones=st.lists(st.integers(1, 35), max_size=5), gamma=gammas)
def test_multistep_lr(lr, milestones, gamma):
    got = run(lambda o: lr_sched.MultiStepLR(o, milestones=milestones, gamma=gamma), lr)
    close(got, [lr * gamma ** sum(m <= t for m in milestones) for t in range(STEPS)])


@settings(deadline=None, max_examples=30)
@given(lr=lrs, gamma=st.floats(0.5, 1.0))
def test_exponential_lr(lr, gamma):
    got = run(lambda o: lr_sched.ExponentialLR(o, gamma=gamma), lr)
    close(got, [lr * gamma**t for t in range(STEPS)])


@settings(deadline=None, max_examples=30)
@given(lr=lrs, a=st.floats(0.5, 1.0), b=st.integers(1, 10))
def test_lambda_lr(lr, a, b):
    got = run(lambda o: lr_sched.LambdaLR(o, lambda e: a**e / (1 + e % b)), lr)
    close(got, [lr * a**t / (1 + t % b) for t in range(STEPS)])


@settings(deadline=None, max_examples=30)
@given(lr=lrs, T_max=st.integers(1, 40), eta_min=st.floats(0.0, 1e-4))
def test_cosine_annealing_lr(lr, T_max, eta_min):
    got = run(lambda o: lr_sched.CosineAnnealingLR(o, T_max=T_max, eta_min=eta_min), lr)
    want = [
        eta_min + (lr - eta_min) * (1 + math.cos(math.pi * t / T_max)) / 2 for t in range(STEPS)
    ]
    close(got, want)


@settings(deadline=None, max_examples=30)
@given(lr=lrs, start=st.floats(0.01, 1.0), end=st.floats(0.0, 1.0), total=st.integers(1, 40))
def test_linear_lr(lr, start, end, total):
    make = lambda o: lr_sched.LinearLR(o, start_factor=start, end_factor=end, total_iters=total)  # noqa: E731
    got = run(make, lr)
    close(got, [lr * (start + (end - start) * min(t, total) / total) for t in range(STEPS)])


def test_optimizer_uses_the_scheduled_lr():
    w = Value(0.0)
    opt = sg.optim.SGD([w], lr=1.0)
    sched = lr_sched.StepLR(opt, step_size=2, gamma=0.5)
    for _ in range(4):
        opt.zero_grad()
        (-1 * w).backward()  # grad -1: each step adds the lr
        opt.step()
        sched.step()
    assert w.data == 1.0 + 1.0 + 0.5 + 0.5


def test_reduce_lr_on_plateau():
    opt = sg.optim.SGD([Value(1.0)], lr=1.0)
    sched = lr_sched.ReduceLROnPlateau(opt, factor=0.5, patience=2, cooldown=1, min_lr=0.2)
    seq = []
    for metric in [5, 4, 4, 4, 4, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3]:
        sched.step(metric)
        seq.append(sched.get_last_lr()[0])
    # the 3rd epoch without improvement reduces (patience 2), then 1 epoch of cooldown;
    # epoch 11 improves (3 < 4), epoch 14 reduces to min_lr
    assert seq == [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.25, 0.2, 0.2, 0.2]
    mx = lr_sched.ReduceLROnPlateau(sg.optim.SGD([Value(1.0)], lr=1.0), mode="max", patience=0)
    mx.step(1.0)
    mx.step(2.0)
    assert mx.get_last_lr() == [1.0]
    mx.step(2.0)
    assert mx.get_last_lr() == [0.1]


@pytest.mark.parametrize(
    "make",
    [
        lambda o: lr_sched.StepLR(o, step_size=3, gamma=0.5),
        lambda o: lr_sched.MultiStepLR(o, milestones=[2, 5, 5], gamma=0.5),
        lambda o: lr_sched.ExponentialLR(o, gamma=0.9),
        lambda o: lr_sched.CosineAnnealingLR(o, T_max=7, eta_min=0.01),
        lambda o: lr_sched.LinearLR(o, start_factor=0.25, total_iters=6),
        lambda o: lr_sched.LambdaLR(o, lambda e: 0.9**e),
    ],
)
def test_state_dict_round_trip(make):
    opt = sg.optim.SGD([Value(1.0)], lr=0.3)
    sched = make(opt)
    for _ in range(4):
        opt.step()
        sched.step()
    state = sched.state_dict()
    assert "optimizer" not in state and state["last_epoch"] == 4
    opt2 = sg.optim.SGD([Value(1.0)], lr=0.3)
    sched2 = make(opt2)
    sched2.load_state_dict(state)
    opt2.load_state_dict(opt.state_dict())
    for _ in range(6):
        sched.step()
        sched2.step()
        assert sched2.get_last_lr() == sched.get_last_lr()
        assert opt2.param_groups[0]["lr"] == opt.param_groups[0]["lr"]


def test_resume_with_last_epoch_and_step_epoch():
    opt = sg.optim.SGD([Value(1.0)], lr=0.5)
    with pytest.raises(KeyError, match="initial_lr"):
        lr_sched.StepLR(opt, step_size=2, last_epoch=3)
    opt.param_groups[0]["initial_lr"] = 0.5
    sched = lr_sched.StepLR(opt, step_size=2, gamma=0.5, last_epoch=3)
    assert sched.last_epoch == 4
    opt.step()
    with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)`"):
        sched.step(epoch=7)  # closed form (and PyTorch's deprecation warning)
    assert sched.get_last_lr() == [0.5 * 0.5**3]


def test_lambda_per_group_and_callable_object_state():
    class Decay:
        def __init__(self):
            self.rate = 0.5

        def __call__(self, e):
            return self.rate**e

    opt = sg.optim.SGD([{"params": [Value(1.0)]}, {"params": [Value(2.0)], "lr": 0.2}], lr=0.1)
    sched = lr_sched.LambdaLR(opt, [lambda e: 1.0, Decay()])
    opt.step()
    sched.step()
    assert sched.get_last_lr() == [0.1, 0.1]
    state = sched.state_dict()
    assert state["lr_lambdas"] == [None, {"rate": 0.5}]


@pytest.mark.parametrize(
    "make, error, words",
    [
        (lambda o: lr_sched.StepLR("sgd", step_size=2), TypeError, ["StepLR", "str", "Optimizer"]),
        (lambda o: lr_sched.StepLR(o, step_size=0), ValueError, ["StepLR", "step_size", "0"]),
        (lambda o: lr_sched.StepLR(o, step_size=2.5), TypeError, ["StepLR", "step_size", "2.5"]),
        (lambda o: lr_sched.StepLR(o, 2, gamma="0.1"), TypeError, ["StepLR", "gamma", "'0.1'"]),
        (lambda o: lr_sched.ExponentialLR(o, gamma=None), TypeError, ["ExponentialLR", "gamma"]),
        (lambda o: lr_sched.MultiStepLR(o, 5), TypeError, ["MultiStepLR", "milestones", "5"]),
        (lambda o: lr_sched.LambdaLR(o, 0.5), TypeError, ["LambdaLR", "lr_lambda", "0.5"]),
        (lambda o: lr_sched.LambdaLR(o, [abs, abs]), ValueError, ["LambdaLR", "1", "2"]),
        (lambda o: lr_sched.CosineAnnealingLR(o, T_max=-1), ValueError, ["T_max", "-1"]),
        (lambda o: lr_sched.LinearLR(o, start_factor=0), ValueError, ["LinearLR", "start_factor"]),
        (lambda o: lr_sched.LinearLR(o, end_factor=2.0), ValueError, ["LinearLR", "end_factor"]),
        (lambda o: lr_sched.ReduceLROnPlateau(o, factor=1.5), ValueError, ["factor", "1.5"]),
        (lambda o: lr_sched.ReduceLROnPlateau(o, mode="up"), ValueError, ["mode", "'up'"]),
        (lambda o: lr_sched.ReduceLROnPlateau(o, min_lr=[0, 0]), ValueError, ["min_lr", "2"]),
        (lambda o: lr_sched.ReduceLROnPlateau(o).step("bad"), TypeError, ["metrics", "'bad'"]),
        (lambda o: lr_sched.ReduceLROnPlateau([o]), TypeError, ["list", "not an Optimizer"]),
    ],
)
def test_errors(make, error, words):
    opt = sg.optim.SGD([Value(1.0)], lr=0.1)
    with pytest.raises(error) as info:
        make(opt)
    for w in words:
        assert w in str(info.value)
