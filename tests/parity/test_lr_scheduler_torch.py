"""sg.optim.lr_scheduler against torch.optim.lr_scheduler: the same lrs at every step."""

import numpy as np
import pytest

import scalargrad as sg
from scalargrad import Value

torch = pytest.importorskip("torch")

STEPS = 40
SCHEDULES = [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("StepLR", dict(step_size=1, gamma=0.9)),
    ("MultiStepLR", dict(milestones=[2, 5, 5, 11], gamma=0.3)),
    ("ExponentialLR", dict(gamma=0.93)),
    ("CosineAnnealingLR", dict(T_max=10)),
    ("CosineAnnealingLR", dict(T_max=7, eta_min=0.001)),
    ("LinearLR", dict()),
    ("LinearLR", dict(start_factor=0.1, end_factor=0.6, total_iters=9)),
    ("LambdaLR", dict(lr_lambda=lambda e: 0.95**e / (1 + e % 4))),
]


def groups(make_param, lr):
    return [{"params": [make_param()]}, {"params": [make_param()], "lr": lr * 3}]


@pytest.mark.parametrize("name, kw", SCHEDULES)
def test_lr_scheduler_matches_pytorch(name, kw):
    lr = 0.1
    pt_opt = torch.optim.SGD(groups(lambda: torch.nn.Parameter(torch.ones(2)), lr), lr=lr)
    opts = [
        sg.optim.SGD(groups(lambda: sg.tensor(np.ones(2), requires_grad=True), lr), lr=lr),
        sg.optim.SGD(groups(lambda: Value(1.0), lr), lr=lr),
    ]
    pt_sched = getattr(torch.optim.lr_scheduler, name)(pt_opt, **kw)
    scheds = [getattr(sg.optim.lr_scheduler, name)(o, **kw) for o in opts]
    for _ in range(STEPS):
        want = pt_sched.get_last_lr()
        assert [g["initial_lr"] for g in pt_opt.param_groups] == scheds[0].base_lrs
        for opt, sched in zip(opts, scheds, strict=True):
            assert sched.last_epoch == pt_sched.last_epoch
            np.testing.assert_allclose(sched.get_last_lr(), want, rtol=1e-12, atol=1e-17)
            np.testing.assert_allclose(
                [g["lr"] for g in opt.param_groups],
                [g["lr"] for g in pt_opt.param_groups],
                rtol=1e-12,
                atol=1e-17,
            )
            opt.step()
            sched.step()
        pt_opt.step()
        pt_sched.step()


@pytest.mark.parametrize(
    "kw",
    [
        dict(factor=0.5, patience=2, cooldown=1, min_lr=0.02),
        dict(mode="max", threshold_mode="abs", threshold=0.1, patience=1, factor=0.3),
        dict(patience=0, eps=0.05, min_lr=[0.0, 0.1]),
    ],
)
def test_reduce_lr_on_plateau_matches_pytorch(kw):
    metrics = np.random.default_rng(0).integers(0, 5, size=60).astype(float)
    pt_opt = torch.optim.SGD(groups(lambda: torch.nn.Parameter(torch.ones(2)), 0.1), lr=0.1)
    opt = sg.optim.SGD(groups(lambda: Value(1.0), 0.1), lr=0.1)
    pt_sched = torch.optim.lr_scheduler.ReduceLROnPlateau(pt_opt, **kw)
    sched = sg.optim.lr_scheduler.ReduceLROnPlateau(opt, **kw)
    for m in metrics:
        pt_sched.step(m)
        sched.step(m)
        assert sched.get_last_lr() == pt_sched.get_last_lr()
        assert [g["lr"] for g in opt.param_groups] == [g["lr"] for g in pt_opt.param_groups]
        assert (sched.best, sched.num_bad_epochs) == (pt_sched.best, pt_sched.num_bad_epochs)


def test_state_dict_keys_match_pytorch():
    pt_opt = torch.optim.SGD([torch.nn.Parameter(torch.ones(2))], lr=0.1)
    opt = sg.optim.SGD([Value(1.0)], lr=0.1)
    for name, kw in SCHEDULES[:6]:
        want = getattr(torch.optim.lr_scheduler, name)(pt_opt, **kw).state_dict()
        got = getattr(sg.optim.lr_scheduler, name)(opt, **kw).state_dict()
        assert set(got) <= set(want), (name, set(got) - set(want))
        for key in ("base_lrs", "last_epoch", "_last_lr", "_step_count"):
            assert got[key] == want[key], (name, key)
