"""AdamW (decoupled weight decay) on both engines, against the update written out in NumPy."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scalargrad as sg
from scalargrad import Value

finite = st.floats(-3.0, 3.0, allow_nan=False)


def adamw_by_hand(w, grads, lr, betas, eps, weight_decay):
    """torch.optim.AdamW's update, step by step, in float64 NumPy."""
    b1, b2 = betas
    m, v = np.zeros_like(w), np.zeros_like(w)
    for t, g in enumerate(grads, start=1):
        w = w * (1 - lr * weight_decay)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        w = w - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
    return w


@settings(max_examples=25, deadline=None)
@given(
    w=st.lists(finite, min_size=6, max_size=6),
    grads=st.lists(st.lists(finite, min_size=6, max_size=6), min_size=1, max_size=4),
    lr=st.floats(1e-3, 0.5),
    weight_decay=st.floats(0.0, 1.0),
)
def test_adamw_matches_the_update_on_both_engines(w, grads, lr, weight_decay):
    w, grads = np.array(w).reshape(2, 3), [np.array(g).reshape(2, 3) for g in grads]
    kw = dict(lr=lr, betas=(0.9, 0.99), eps=1e-8, weight_decay=weight_decay)
    expected = adamw_by_hand(w, grads, **kw)

    t = sg.tensor(w, requires_grad=True)
    values = [Value(float(x)) for x in w.ravel()]
    opt_t, opt_v = sg.optim.AdamW([t], **kw), sg.optim.AdamW(values, **kw)
    for g in grads:
        t.grad = sg.tensor(g)
        for v, gv in zip(values, g.ravel(), strict=True):
            v.grad = float(gv)
        opt_t.step()
        opt_v.step()
    np.testing.assert_allclose(t.detach().numpy(), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose([v.data for v in values], expected.ravel(), rtol=1e-12, atol=1e-12)


def test_adamw_is_adam_with_decoupled_weight_decay_and_differs_from_l2():
    w = np.array([[1.0, -2.0], [0.5, 3.0]])
    g = np.array([[0.1, 0.2], [-0.3, 0.0]])
    result = {}
    for name, make in {
        "adamw": lambda p: sg.optim.AdamW(p, lr=0.1, weight_decay=0.5),
        "adam_decoupled": lambda p: sg.optim.Adam(
            p, lr=0.1, weight_decay=0.5, decoupled_weight_decay=True
        ),
        "adam_l2": lambda p: sg.optim.Adam(p, lr=0.1, weight_decay=0.5),
    }.items():
        p = sg.tensor(w, requires_grad=True)
        opt = make([p])
        for _ in range(3):
            p.grad = sg.tensor(g)
            opt.step()
        result[name] = p.detach().numpy()
    np.testing.assert_array_equal(result["adamw"], result["adam_decoupled"])
    assert not np.allclose(result["adamw"], result["adam_l2"])


def test_adamw_prints_and_saves_as_pytorch():
    opt = sg.optim.AdamW([sg.tensor([1.0], requires_grad=True)])
    assert str(opt) == (
        "AdamW (\nParameter Group 0\n    amsgrad: False\n    betas: (0.9, 0.999)\n"
        "    capturable: False\n    decoupled_weight_decay: True\n    differentiable: False\n"
        "    eps: 1e-08\n    foreach: None\n    fused: None\n    lr: 0.001\n"
        "    maximize: False\n    weight_decay: 0.01\n)"
    )  # torch.optim.AdamW's print in PyTorch 2.13
    group = opt.state_dict()["param_groups"][0]
    assert group["weight_decay"] == 0.01 and group["decoupled_weight_decay"] is True


def test_adamw_errors_name_adamw():
    with pytest.raises(ValueError, match=r"^AdamW: invalid beta parameter at index 1"):
        sg.optim.AdamW([sg.tensor([1.0], requires_grad=True)], betas=(0.9, 1.0))
