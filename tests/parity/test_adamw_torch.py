"""AdamW and Adam(decoupled_weight_decay=True) against PyTorch's, five steps, both engines."""

import numpy as np
import pytest

import scalargrad as sg
from scalargrad import Value

torch = pytest.importorskip("torch")


@pytest.mark.parametrize(
    "name, kw",
    [
        ("AdamW", dict(lr=0.1, weight_decay=0.3)),
        ("AdamW", dict(lr=0.01, betas=(0.8, 0.9), eps=1e-6)),
        ("Adam", dict(lr=0.1, weight_decay=0.3, decoupled_weight_decay=True)),
    ],
)
def test_adamw_matches_pytorch(name, kw):
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
    np.testing.assert_allclose(ours.detach().numpy(), pt.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(
        [v.data for v in values], pt.detach().numpy().ravel(), rtol=1e-12, atol=1e-14
    )
    assert str(opts[1]) == str(opts[0])
