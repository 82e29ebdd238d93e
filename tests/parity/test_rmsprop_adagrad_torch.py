"""RMSprop and Adagrad against PyTorch's, five steps, both engines, every option."""

import numpy as np
import pytest

import scalargrad as sg
from scalargrad import Value

torch = pytest.importorskip("torch")


@pytest.mark.parametrize(
    "name, kw",
    [
        ("RMSprop", dict()),
        ("RMSprop", dict(lr=0.05, alpha=0.9, eps=1e-6, weight_decay=0.3)),
        ("RMSprop", dict(lr=0.05, momentum=0.8)),
        ("RMSprop", dict(lr=0.05, centered=True, weight_decay=0.1)),
        ("RMSprop", dict(lr=0.05, momentum=0.5, centered=True, alpha=0.7)),
        ("Adagrad", dict()),
        ("Adagrad", dict(lr=0.1, lr_decay=0.2, weight_decay=0.3)),
        ("Adagrad", dict(lr=0.1, initial_accumulator_value=0.5, eps=1e-6)),
    ],
)
def test_matches_pytorch(name, kw):
    rng = np.random.default_rng(0)
    w0 = rng.normal(size=(3, 4))
    grads = [rng.normal(size=(3, 4)) for _ in range(5)]
    pt = torch.nn.Parameter(torch.tensor(w0))
    ours = sg.tensor(w0, requires_grad=True)
    values = [Value(float(v)) for v in w0.ravel()]
    opts = [getattr(torch.optim, name)([pt], **kw), getattr(sg.optim, name)([ours], **kw)]
    opts.append(getattr(sg.optim, name)(values, **kw))
    for g in grads:
        pt.grad = torch.tensor(g)
        ours.grad = sg.tensor(g)
        for v, gv in zip(values, g.ravel(), strict=True):
            v.grad = float(gv)
        for opt in opts:
            opt.step()
    want = pt.detach().numpy()
    np.testing.assert_allclose(ours.detach().numpy(), want, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose([v.data for v in values], want.ravel(), rtol=1e-12, atol=1e-14)
    assert str(opts[1]) == str(opts[0])
    theirs, mine = opts[0].state_dict(), opts[1].state_dict()
    assert list(mine["state"][0]) == list(theirs["state"][0])
    for key, value in theirs["state"][0].items():
        np.testing.assert_allclose(mine["state"][0][key], value.numpy(), rtol=1e-12, atol=1e-14)
    assert mine["param_groups"] == theirs["param_groups"]


@pytest.mark.parametrize("name", ["RMSprop", "Adagrad"])
def test_state_before_the_first_step_matches_pytorch(name):
    pt = torch.optim.Adagrad if name == "Adagrad" else torch.optim.RMSprop
    theirs = pt([torch.nn.Parameter(torch.ones(2, dtype=torch.float64))]).state_dict()
    mine = getattr(sg.optim, name)([sg.tensor(np.ones(2), requires_grad=True)]).state_dict()
    assert list(mine["state"]) == list(theirs["state"])
    for key, value in theirs["state"].get(0, {}).items():
        np.testing.assert_array_equal(mine["state"][0][key], value.numpy())
