"""The schedulers added after the first set (OneCycleLR, CyclicLR, CosineAnnealingWarmRestarts,
SequentialLR, ChainedScheduler, ConstantLR, PolynomialLR, MultiplicativeLR) against PyTorch's:
the same lrs and momentums at every step, the same warnings, the same saved state."""

import warnings

import numpy as np
import pytest

import scalargrad as sg
from scalargrad import Value

torch = pytest.importorskip("torch")

STEPS = 60
SCHEDULES = {
    "ConstantLR": lambda L, o: L.ConstantLR(o, factor=0.5, total_iters=4),
    "ConstantLR-defaults": lambda L, o: L.ConstantLR(o),
    "PolynomialLR": lambda L, o: L.PolynomialLR(o, total_iters=7, power=2.0),
    "PolynomialLR-defaults": lambda L, o: L.PolynomialLR(o),
    "MultiplicativeLR": lambda L, o: L.MultiplicativeLR(o, lambda e: 0.9 + 0.01 * (e % 3)),
    "CosineAnnealingWarmRestarts": lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=5),
    "CosineAnnealingWarmRestarts-mult": lambda L, o: L.CosineAnnealingWarmRestarts(
        o, T_0=3, T_mult=2, eta_min=0.01
    ),
    "OneCycleLR": lambda L, o: L.OneCycleLR(o, max_lr=[1.0, 2.0], total_steps=STEPS),
    "OneCycleLR-linear-three-phase": lambda L, o: L.OneCycleLR(
        o,
        max_lr=1.0,
        epochs=6,
        steps_per_epoch=10,
        anneal_strategy="linear",
        three_phase=True,
        pct_start=0.25,
        base_momentum=0.7,
        max_momentum=[0.9, 0.99],
    ),
    "OneCycleLR-no-momentum": lambda L, o: L.OneCycleLR(
        o, max_lr=0.5, total_steps=STEPS, cycle_momentum=False, div_factor=5.0
    ),
    "CyclicLR": lambda L, o: L.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4),
    "CyclicLR-triangular2": lambda L, o: L.CyclicLR(
        o, 0.01, 0.1, step_size_up=4, step_size_down=7, mode="triangular2"
    ),
    "CyclicLR-exp-range": lambda L, o: L.CyclicLR(
        o, [0.01, 0.02], 0.1, step_size_up=5, mode="exp_range", gamma=0.97
    ),
    "CyclicLR-scale-fn": lambda L, o: L.CyclicLR(
        o, 0.01, 0.1, step_size_up=3, scale_fn=lambda x: 1 / (1 + x), scale_mode="iterations"
    ),
    "SequentialLR": lambda L, o: L.SequentialLR(
        o,
        [
            L.LinearLR(o, start_factor=0.1, total_iters=5),
            L.CosineAnnealingLR(o, T_max=20),
            L.ExponentialLR(o, gamma=0.9),
        ],
        milestones=[5, 30],
    ),
    "SequentialLR-restarts": lambda L, o: L.SequentialLR(
        o,
        [L.ConstantLR(o, factor=0.2, total_iters=3), L.CosineAnnealingWarmRestarts(o, T_0=4)],
        milestones=[6],
    ),
    "ChainedScheduler": lambda L, o: L.ChainedScheduler(
        [L.ConstantLR(o, factor=0.5, total_iters=4), L.ExponentialLR(o, gamma=0.95)]
    ),
}
OPTIMIZERS = [("SGD", dict(lr=0.1, momentum=0.9)), ("Adam", dict(lr=0.1))]


def two_groups(make_param):
    return [{"params": [make_param()]}, {"params": [make_param()], "lr": 0.3}]


def settings(opt):
    """What a scheduler may set in each group: the lr, and SGD's momentum or Adam's beta1."""
    return [(g["lr"], g.get("momentum"), g.get("betas", (None,))[0]) for g in opt.param_groups]


@pytest.mark.parametrize("opt_name, opt_kw", OPTIMIZERS)
@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_schedule_matches_pytorch(name, opt_name, opt_kw):
    make = SCHEDULES[name]
    pt_opt = getattr(torch.optim, opt_name)(
        two_groups(lambda: torch.nn.Parameter(torch.ones(2))), **opt_kw
    )
    opts = [
        getattr(sg.optim, opt_name)(
            two_groups(lambda: sg.tensor(np.ones(2), requires_grad=True)), **opt_kw
        ),
        getattr(sg.optim, opt_name)(two_groups(lambda: Value(1.0)), **opt_kw),
    ]
    pt_sched = make(torch.optim.lr_scheduler, pt_opt)
    scheds = [make(sg.optim.lr_scheduler, o) for o in opts]
    for _ in range(STEPS):
        want, want_settings = pt_sched.get_last_lr(), settings(pt_opt)
        for opt, sched in zip(opts, scheds, strict=True):
            assert getattr(sched, "last_epoch", None) == getattr(pt_sched, "last_epoch", None)
            np.testing.assert_allclose(sched.get_last_lr(), want, rtol=1e-12, atol=1e-17)
            for got, expected in zip(settings(opt), want_settings, strict=True):
                for a, b in zip(got, expected, strict=True):
                    assert (a is None) == (b is None)
                    if a is not None:
                        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-17)
            opt.step()
            sched.step()
        pt_opt.step()
        pt_sched.step()


def test_one_cycle_stepped_past_its_total_is_an_error_as_in_pytorch():
    opt = sg.optim.SGD([Value(1.0)], lr=0.1, momentum=0.9)
    pt_opt = torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=0.1, momentum=0.9)
    sched = sg.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=4)
    pt_sched = torch.optim.lr_scheduler.OneCycleLR(pt_opt, max_lr=1.0, total_steps=4)
    for _ in range(4):
        opt.step(), sched.step(), pt_opt.step(), pt_sched.step()
    with pytest.raises(ValueError, match="Tried to step 5 times"):
        pt_opt.step(), pt_sched.step()
    with pytest.raises(ValueError, match="tried to step 5 times"):
        opt.step(), sched.step()


@pytest.mark.parametrize("epoch", [0, 2.5, 3, 7.25, 20, 44.5])
def test_warm_restarts_step_to_an_epoch_matches_pytorch(epoch):
    opt = sg.optim.SGD([Value(1.0)], lr=0.1)
    pt_opt = torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=0.1)
    for t_mult in (1, 2, 3):
        sched = sg.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=t_mult)
        pt_sched = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(
            pt_opt, T_0=3, T_mult=t_mult
        )
        opt.step(), pt_opt.step()
        sched.step(epoch)
        pt_sched.step(epoch)
        np.testing.assert_allclose(sched.get_last_lr(), pt_sched.get_last_lr(), rtol=1e-12)
        assert (sched.T_i, sched.last_epoch) == (pt_sched.T_i, pt_sched.last_epoch)


def caught(fn):
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        fn()
    return [(w.category, str(w.message)) for w in record]


ALL = {
    **SCHEDULES,
    "StepLR": lambda L, o: L.StepLR(o, step_size=2),
    "CosineAnnealingLR": lambda L, o: L.CosineAnnealingLR(o, T_max=5),
    "LambdaLR": lambda L, o: L.LambdaLR(o, lambda e: 1.0),
}


@pytest.mark.parametrize("order", ["scheduler-first", "optimizer-first", "step-replaced"])
@pytest.mark.parametrize("name", sorted(ALL))
def test_step_order_warnings_match_pytorch(name, order):
    """The same warnings (class and text) as PyTorch's, for every scheduler, over 8 epochs in
    which the scheduler is stepped before, or after, the optimizer."""
    make = ALL[name]
    runs = []
    for lib, opt in [
        (torch, torch.optim.SGD(two_groups(lambda: torch.nn.Parameter(torch.ones(2))), lr=0.1,
                                momentum=0.9)),
        (sg, sg.optim.SGD(two_groups(lambda: Value(1.0)), lr=0.1, momentum=0.9)),
    ]:  # fmt: skip
        record = caught(lambda: runs.append(make(lib.optim.lr_scheduler, opt)))  # noqa: B023
        sched = runs[-1]
        if order == "step-replaced":
            opt.step = lambda: None
        for _ in range(8):
            if order == "scheduler-first":
                record += caught(sched.step)
                opt.step()
            else:
                opt.step()
                record += caught(sched.step)
        runs[-1] = record
    assert runs[1] == runs[0]
    if order == "optimizer-first":
        assert runs[1] == []


def test_no_warning_when_another_scheduler_saw_the_optimizer_step():
    for lib in (torch, sg):
        p = torch.nn.Parameter(torch.ones(1)) if lib is torch else Value(1.0)
        opt = lib.optim.SGD([p], lr=0.1)
        a = lib.optim.lr_scheduler.StepLR(opt, step_size=2)
        b = lib.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)
        opt.step()
        assert caught(a.step) + caught(b.step) == []
        opt2 = lib.optim.SGD([p], lr=0.1)
        opt2.step()  # before the scheduler exists: not seen, so its first step warns
        c = lib.optim.lr_scheduler.StepLR(opt2, step_size=2)
        assert [m[0] for m in caught(c.step)] == [UserWarning]


@pytest.mark.parametrize(
    "name", ["OneCycleLR", "CyclicLR", "CosineAnnealingWarmRestarts", "SequentialLR",
             "ChainedScheduler", "ConstantLR", "PolynomialLR"]
)  # fmt: skip
def test_state_dict_keys_match_pytorch(name):
    make = SCHEDULES[name]
    pt_opt = torch.optim.SGD(
        two_groups(lambda: torch.nn.Parameter(torch.ones(2))), lr=0.1, momentum=0.9
    )
    opt = sg.optim.SGD(two_groups(lambda: Value(1.0)), lr=0.1, momentum=0.9)
    pt_sched, sched = make(torch.optim.lr_scheduler, pt_opt), make(sg.optim.lr_scheduler, opt)
    for _ in range(3):
        pt_opt.step(), pt_sched.step(), opt.step(), sched.step()
    want, got = pt_sched.state_dict(), sched.state_dict()
    common = {"last_epoch", "base_lrs", "_last_lr", "_step_count", "total_steps", "T_i",
              "T_cur", "total_size", "step_ratio", "factor", "total_iters",
              "_milestones"}  # fmt: skip
    for key in common & set(want):
        assert got[key] == pytest.approx(want[key], rel=1e-12), key
    if "_schedulers" in want:
        assert len(got["_schedulers"]) == len(want["_schedulers"])
        for g, w in zip(got["_schedulers"], want["_schedulers"], strict=True):
            assert g["last_epoch"] == w["last_epoch"] and g["_last_lr"] == pytest.approx(
                w["_last_lr"], rel=1e-12
            )


def test_step_with_an_epoch_warns_as_pytorch():
    """step(epoch) gives PyTorch's deprecation warning (not CosineAnnealingWarmRestarts', whose
    fractional epochs are its documented use); ReduceLROnPlateau's too."""
    records = []
    for lib in (torch, sg):
        p = torch.nn.Parameter(torch.ones(1)) if lib is torch else Value(1.0)
        opt = lib.optim.SGD([p], lr=0.1)
        L = lib.optim.lr_scheduler
        step, warm = L.StepLR(opt, 2), L.CosineAnnealingWarmRestarts(opt, 3)
        plateau = L.ReduceLROnPlateau(opt)
        opt.step()
        records.append(
            caught(lambda: step.step(3))  # noqa: B023
            + caught(lambda: warm.step(2.5))  # noqa: B023
            + caught(lambda: plateau.step(1.0, epoch=4))  # noqa: B023
        )
    assert records[1] == records[0]
    assert [m for _, m in records[1]] == [sg.optim.lr_scheduler.EPOCH_DEPRECATION_WARNING] * 2
