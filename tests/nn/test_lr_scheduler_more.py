"""The schedulers added to sg.optim.lr_scheduler after the first set, against closed forms
written out here (hypothesis-drawn settings, both engines), and their errors."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scalargrad as sg
from scalargrad import Value

lr_sched = sg.optim.lr_scheduler
STEPS = 40
lrs = st.floats(1e-4, 1.0)


def run(make, lr, steps=STEPS, opt_name="SGD"):
    """(lrs, momentums) of ``steps`` steps on a tensor's optimizer and on a Values' optimizer,
    which must agree; the momentum is SGD's ``momentum`` or Adam's beta1."""
    kw = dict(lr=lr, momentum=0.9) if opt_name == "SGD" else dict(lr=lr)
    w = sg.tensor(np.ones((2, 3)), requires_grad=True)
    runs = []
    for params in ([w], [Value(1.0), Value(-2.0)]):
        opt = getattr(sg.optim, opt_name)(params, **kw)
        sched = make(opt)
        seq, moms = [], []
        for _ in range(steps):
            (last,) = sched.get_last_lr()
            group = opt.param_groups[0]
            assert last == group["lr"]
            seq.append(last)
            moms.append(group["momentum"] if opt_name == "SGD" else group["betas"][0])
            opt.step()
            sched.step()
        runs.append((seq, moms))
    assert runs[0] == runs[1]
    return runs[0]


def close(got, want):
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


@settings(deadline=None, max_examples=25)
@given(lr=lrs, factor=st.floats(0.01, 1.0), total=st.integers(1, 30))
def test_constant_lr(lr, factor, total):
    got, _ = run(lambda o: lr_sched.ConstantLR(o, factor=factor, total_iters=total), lr)
    close(got, [lr * (factor if t < total else 1.0) for t in range(STEPS)])


@settings(deadline=None, max_examples=25)
@given(lr=lrs, total=st.integers(1, 30), power=st.floats(0.5, 3.0))
def test_polynomial_lr(lr, total, power):
    got, _ = run(lambda o: lr_sched.PolynomialLR(o, total_iters=total, power=power), lr)
    close(got, [lr * (1 - min(t, total) / total) ** power for t in range(STEPS)])


@settings(deadline=None, max_examples=25)
@given(lr=lrs, a=st.floats(0.8, 1.0), b=st.integers(1, 5))
def test_multiplicative_lr(lr, a, b):
    f = lambda e: a + 0.01 * (e % b)  # noqa: E731
    got, _ = run(lambda o: lr_sched.MultiplicativeLR(o, f), lr)
    close(got, [lr * math.prod(f(k) for k in range(1, t + 1)) for t in range(STEPS)])


def restart_cycles(T_0, T_mult, steps):
    """(epochs since the restart, cycle length) for every epoch, cycle by cycle."""
    out, length = [], T_0
    while len(out) < steps:
        out += [(k, length) for k in range(length)]
        length *= T_mult
    return out[:steps]


@settings(deadline=None, max_examples=25)
@given(lr=lrs, T_0=st.integers(1, 10), T_mult=st.integers(1, 3), eta_min=st.floats(0.0, 1e-4))
def test_cosine_annealing_warm_restarts(lr, T_0, T_mult, eta_min):
    make = lambda o: lr_sched.CosineAnnealingWarmRestarts(o, T_0, T_mult, eta_min)  # noqa: E731
    got, _ = run(make, lr)
    want = [
        eta_min + (lr - eta_min) * (1 + math.cos(math.pi * k / n)) / 2
        for k, n in restart_cycles(T_0, T_mult, STEPS)
    ]
    close(got, want)


def test_warm_restarts_fractional_epoch():
    opt = sg.optim.SGD([Value(1.0)], lr=1.0)
    sched = lr_sched.CosineAnnealingWarmRestarts(opt, T_0=4, T_mult=2)
    opt.step()
    sched.step(4 + 6 * 0.5)  # cycle 2 spans epochs 4..12 (8 long): 3 epochs into it
    assert sched.get_last_lr() == pytest.approx([(1 + math.cos(math.pi * 3 / 8)) / 2])
    assert (sched.T_i, sched.last_epoch) == (8, 7)


def anneal(a, b, p, how):
    return b + (a - b) * (1 + math.cos(math.pi * p)) / 2 if how == "cos" else a + (b - a) * p


@settings(deadline=None, max_examples=25)
@given(
    max_lr=lrs,
    total=st.integers(10, 60),
    pct=st.floats(0.2, 0.45),
    how=st.sampled_from(["cos", "linear"]),
    three=st.booleans(),
    opt_name=st.sampled_from(["SGD", "Adam"]),
)
def test_one_cycle_lr(max_lr, total, pct, how, three, opt_name):
    make = lambda o: lr_sched.OneCycleLR(  # noqa: E731
        o, max_lr, total_steps=total, pct_start=pct, anneal_strategy=how, three_phase=three
    )
    got, moms = run(make, 0.5, steps=total, opt_name=opt_name)
    lo, hi = max_lr / 25, max_lr
    tiny = lo / 1e4
    up = pct * total - 1
    if three:  # (end step, lr from, lr to, momentum from, momentum to)
        phases = [(up, lo, hi, 0.95, 0.85), (2 * pct * total - 2, hi, lo, 0.85, 0.95),
                  (total - 1, lo, tiny, 0.95, 0.95)]  # fmt: skip
    else:
        phases = [(up, lo, hi, 0.95, 0.85), (total - 1, hi, tiny, 0.85, 0.95)]
    want_lr, want_m = [], []
    for t in range(total):
        start = 0.0
        for i, (end, a, b, ma, mb) in enumerate(phases):
            if t <= end or i == len(phases) - 1:
                p = (t - start) / (end - start)
                want_lr.append(anneal(a, b, p, how))
                want_m.append(anneal(ma, mb, p, how))
                break
            start = end
    close(got, want_lr)
    close(moms, want_m)
    assert got[0] == pytest.approx(lo) and max(got) <= hi * (1 + 1e-12)


@settings(deadline=None, max_examples=25)
@given(
    base=st.floats(1e-4, 0.1),
    span=st.floats(1e-3, 1.0),
    size=st.integers(1, 8),
    mode=st.sampled_from(["triangular", "triangular2", "exp_range"]),
    gamma=st.floats(0.9, 1.0),
)
def test_cyclic_lr_is_the_triangle_wave(base, span, size, mode, gamma):
    top = base + span
    make = lambda o: lr_sched.CyclicLR(  # noqa: E731
        o, base, top, step_size_up=size, mode=mode, gamma=gamma
    )
    got, moms = run(make, 0.5)
    want, want_m = [], []
    for t in range(STEPS):  # the triangle wave of Smith's paper, its height scaled
        cycle = math.floor(1 + t / (2 * size))
        h = max(0.0, 1 - abs(t / size - 2 * cycle + 1))
        s = {"triangular": 1.0, "triangular2": 0.5 ** (cycle - 1), "exp_range": gamma**t}[mode]
        want.append(base + span * h * s)
        want_m.append(0.9 - 0.1 * h * s)
    close(got, want)
    close(moms, want_m)


@settings(deadline=None, max_examples=25)
@given(lr=lrs, start=st.floats(0.05, 1.0), m=st.integers(1, 15), gamma=st.floats(0.5, 1.0))
def test_sequential_lr_warmup_then_decay(lr, start, m, gamma):
    def make(o):
        warmup = lr_sched.LinearLR(o, start_factor=start, total_iters=m)
        decay = lr_sched.ExponentialLR(o, gamma=gamma)
        return lr_sched.SequentialLR(o, [warmup, decay], milestones=[m])

    got, _ = run(make, lr)
    close(got, [lr * (start + (1 - start) * t / m) if t < m else lr * gamma ** (t - m)
                for t in range(STEPS)])  # fmt: skip


@settings(deadline=None, max_examples=25)
@given(lr=lrs, factor=st.floats(0.1, 1.0), k=st.integers(1, 10), gamma=st.floats(0.5, 1.0))
def test_chained_scheduler_multiplies(lr, factor, k, gamma):
    def make(o):
        return lr_sched.ChainedScheduler(
            [lr_sched.ConstantLR(o, factor=factor, total_iters=k), lr_sched.ExponentialLR(o, gamma)]
        )

    got, _ = run(make, lr)
    close(got, [lr * gamma**t * (factor if t < k else 1.0) for t in range(STEPS)])


@pytest.mark.parametrize(
    "make",
    [
        lambda o: lr_sched.OneCycleLR(o, 1.0, total_steps=20),
        lambda o: lr_sched.CyclicLR(o, 0.01, 0.1, step_size_up=3),
        lambda o: lr_sched.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2),
        lambda o: lr_sched.SequentialLR(
            o, [lr_sched.ConstantLR(o), lr_sched.ExponentialLR(o, 0.9)], milestones=[3]
        ),
        lambda o: lr_sched.ChainedScheduler([lr_sched.ConstantLR(o), lr_sched.PolynomialLR(o)]),
    ],
)
def test_state_dict_round_trip(make):
    opt = sg.optim.SGD([Value(1.0)], lr=0.3, momentum=0.9)
    sched = make(opt)
    for _ in range(4):
        opt.step()
        sched.step()
    opt2 = sg.optim.SGD([Value(1.0)], lr=0.3, momentum=0.9)
    sched2 = make(opt2)
    sched2.load_state_dict(sched.state_dict())
    opt2.load_state_dict(opt.state_dict())
    for _ in range(10):
        opt.step(), opt2.step()
        sched.step(), sched2.step()
        assert sched2.get_last_lr() == sched.get_last_lr()
        assert opt2.param_groups == [{**g, "params": opt2.param_groups[0]["params"]}
                                     for g in opt.param_groups]  # fmt: skip


def test_step_before_optimizer_step_warns_once_as_pytorch():
    opt = sg.optim.SGD([Value(1.0)], lr=0.1)
    sched = lr_sched.StepLR(opt, step_size=2)
    with pytest.warns(UserWarning, match=r"^Detected call of `lr_scheduler.step\(\)` before"):
        sched.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched.step()  # only the first step after construction is checked
        opt.step()
        lr_sched.ExponentialLR(opt, gamma=0.9).step()  # the optimizer has stepped: no warning
    opt.step = lambda: None
    other = lr_sched.StepLR(sg.optim.SGD([Value(1.0)], lr=0.1), step_size=2)
    other.optimizer.step = lambda: None
    with pytest.warns(UserWarning, match=r"^Seems like `optimizer.step\(\)` has been overridden"):
        other.step()


def test_optimizer_copies_leave_the_scheduler_hook_behind():
    import copy
    import pickle

    v = Value(1.0)
    opt = sg.optim.SGD([v], lr=0.1)
    lr_sched.StepLR(opt, step_size=2)
    v.grad = 1.0
    clone = copy.deepcopy(opt)
    clone.step()  # steps the copy's own parameter, not the original's
    assert v.data == 1.0 and clone.param_groups[0]["params"][0].data == pytest.approx(0.9)
    assert "step" not in pickle.loads(pickle.dumps(opt)).__dict__


@pytest.mark.parametrize(
    "make, error, words",
    [
        (lambda o: lr_sched.ConstantLR(o, factor=1.5), ValueError, ["ConstantLR", "factor"]),
        (lambda o: lr_sched.PolynomialLR(o, total_iters=0), ValueError, ["PolynomialLR", "0"]),
        (lambda o: lr_sched.MultiplicativeLR(o, 0.9), TypeError, ["lr_lambda", "0.9"]),
        (lambda o: lr_sched.CosineAnnealingWarmRestarts(o, T_0=0), ValueError, ["T_0", "0"]),
        (lambda o: lr_sched.CosineAnnealingWarmRestarts(o, 2, T_mult=0), ValueError, ["T_mult"]),
        (lambda o: lr_sched.CosineAnnealingWarmRestarts(o, 2).step(-1), ValueError, ["-1"]),
        (lambda o: lr_sched.OneCycleLR(o, 1.0), ValueError, ["total_steps", "epochs"]),
        (lambda o: lr_sched.OneCycleLR(o, 1.0, 10, pct_start=2), ValueError, ["pct_start"]),
        (lambda o: lr_sched.OneCycleLR(o, [1.0, 2.0], 10), ValueError, ["max_lr", "1"]),
        (lambda o: lr_sched.OneCycleLR(o, 1.0, 10, anneal_strategy="exp"), ValueError, ["'exp'"]),
        (lambda o: lr_sched.OneCycleLR(o, 1.0, 10, pct_start=0.1), ValueError, ["no steps"]),
        (
            lambda o: lr_sched.OneCycleLR(sg.optim.Adagrad([Value(1.0)]), 1.0, 10),
            ValueError,
            ["momentum or beta1", "Adagrad", "cycle_momentum=False"],
        ),
        (lambda o: lr_sched.CyclicLR(o, 0.1, 1.0, mode="sine"), ValueError, ["mode", "'sine'"]),
        (lambda o: lr_sched.CyclicLR(o, 0.1, 1.0, step_size_up=0), ValueError, ["step_size_up"]),
        (lambda o: lr_sched.SequentialLR(o, [], []), ValueError, ["SequentialLR", "at least"]),
        (
            lambda o: lr_sched.SequentialLR(o, [lr_sched.ConstantLR(o)], [3]),
            ValueError,
            ["milestone", "1 schedulers and 1 milestones"],
        ),
        (
            lambda o: lr_sched.ChainedScheduler(
                [lr_sched.ConstantLR(o), lr_sched.ConstantLR(sg.optim.SGD([Value(1.0)], lr=1))]
            ),
            ValueError,
            ["same optimizer", "index 1"],
        ),
        (
            lambda o: lr_sched.ChainedScheduler([lr_sched.ReduceLROnPlateau(o)]),
            ValueError,
            ["ReduceLROnPlateau", "metric"],
        ),
    ],
)
def test_errors(make, error, words):
    opt = sg.optim.SGD([Value(1.0)], lr=0.1, momentum=0.9)
    with pytest.raises(error) as info:
        make(opt)
    for w in words:
        assert w in str(info.value)
