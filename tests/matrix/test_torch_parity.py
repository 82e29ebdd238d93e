"""Where PyTorch is installed (``make bench`` installs it), check the "like PyTorch" claims
against it: type promotion, shapes and values of reductions and indexing, and gradients."""

import itertools

import numpy as np
import pytest

import scalargrad as sg

torch = pytest.importorskip("torch")

DTYPES = {"float32": (sg.float32, torch.float32), "float64": (sg.float64, torch.float64),
          "int64": (sg.int64, torch.int64), "int32": (sg.int32, torch.int32),
          "uint8": (sg.uint8, torch.uint8), "bool": (sg.bool, torch.bool)}  # fmt: skip


def both(values, name, shape):
    ours, theirs = DTYPES[name]
    a = np.asarray(values).reshape(shape)
    return sg.tensor(a, dtype=ours), torch.tensor(a, dtype=theirs)


PAIRS = list(itertools.product(DTYPES, DTYPES, [(2,), ()]))


@pytest.mark.parametrize("a_name,b_name,b_shape", PAIRS)
def test_type_promotion_matches_torch(a_name, b_name, b_shape):
    a, ta = both([1, 0], a_name, (2,))
    b, tb = both([1, 1][: 2 if b_shape else 1], b_name, b_shape)
    for op in ("add", "mul", "div"):
        if op == "add" and "bool" == a_name == b_name:
            continue
        ours = getattr(sg.Tensor, op)(a, b)
        theirs = getattr(torch, op)(ta, tb)
        assert ours.dtype.name == str(theirs.dtype).removeprefix("torch."), (op, a_name, b_name)
    for number in (2, 2.5, True):
        if a_name == "bool" and number is True:
            continue
        assert (a * number).dtype.name == str((ta * number).dtype).removeprefix("torch.")


def test_reductions_and_indexing_match_torch():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 4, 2))
    ours, theirs = sg.tensor(x, dtype=sg.float64), torch.tensor(x)
    cases = [
        lambda t: t.sum(dim=(0, 2)),
        lambda t: t.mean(1, keepdim=True),
        lambda t: t.std(0),
        lambda t: t.var(dim=2, unbiased=False),
        lambda t: t.prod(1),
        lambda t: t.max(dim=1)[0],
        lambda t: t.max(dim=1)[1],
        lambda t: t.argmax(),
        lambda t: t.cumsum(2),
        lambda t: t.norm(),
        lambda t: t.norm(p=1, dim=0),
        lambda t: t.logsumexp(1),
        lambda t: t.softmax(0),
        lambda t: t[1:, [0, 2, 0]],
        lambda t: t[t > 0],
        lambda t: t.transpose(0, 2).reshape(-1, 3),
        lambda t: t.flatten(1),
        lambda t: t.clamp(-0.5, 0.5),
        lambda t: t[:, None, 1].squeeze(),
    ]
    for i, case in enumerate(cases):
        np.testing.assert_allclose(case(ours).numpy(), case(theirs).numpy(), err_msg=str(i))


def test_gradients_match_torch():
    rng = np.random.default_rng(1)
    x, w = rng.normal(size=(5, 3)), rng.normal(size=(4, 3))
    y = rng.integers(0, 4, size=5)

    def loss(lib, x, w):
        logits = (x @ w.T).tanh() * 2 + x.sum(1, keepdim=True)
        picked = logits.log_softmax(1)[lib.arange(5), lib.tensor(y)]
        return -picked.mean() + (w**2).sum() * 0.1 + logits.max(dim=0)[0].sum()

    ours = [sg.tensor(a, dtype=sg.float64, requires_grad=True) for a in (x, w)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w)]
    loss(sg, *ours).backward()
    loss(torch, *theirs).backward()
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-10)


@pytest.mark.parametrize(
    "data",
    [[1.0, 2.5], [0.001, 1000.0], [1e-5, 1.0], [1e9, 1.0], [[1.0, -2.0], [3.0, 4.5]],
     [float("nan"), 1.0], [float("-inf"), 0.5, float("nan")], [-1, 20, 300], 3.25, [[True, False]],
     [[0.5, 0.25]] * 4],
)  # fmt: skip
def test_repr_matches_torch(data):
    assert repr(sg.tensor(data)) == repr(torch.tensor(data))
    assert repr(sg.tensor(np.array(data))) == repr(torch.tensor(np.array(data))).replace(
        "torch.", "scalargrad."
    )  # a NumPy array keeps its dtype (float64) in both
    w = sg.tensor([1.0, 2.0], requires_grad=True)
    tw = torch.tensor([1.0, 2.0], requires_grad=True)
    assert repr(w) == repr(tw)
    assert repr(w * 2) == repr(tw * 2)


KINKS = {
    "max ties": lambda t: t.max(),
    "max dim ties": lambda t: t.max(dim=0)[0],
    "maximum tie": lambda t: t.maximum(t * 0 + 3.0),
    "clamp at its bounds": lambda t: t.clamp(1.0, 3.0),
    "relu at 0": lambda t: (t - 1).relu(),
    "abs at 0": lambda t: (t - 1).abs(),
    "norm at 0": lambda t: (t * 0).norm(),
    "prod with a zero": lambda t: (t - 1).prod(),
    "prod with two zeros": lambda t: (t - 3).prod(),
}


@pytest.mark.parametrize("name", sorted(KINKS))
def test_gradients_at_kinks_and_ties_match_torch(name):
    ours = sg.tensor([1.0, 3.0, 3.0, 0.5], dtype=sg.float64, requires_grad=True)
    theirs = torch.tensor([1.0, 3.0, 3.0, 0.5], dtype=torch.float64, requires_grad=True)
    KINKS[name](ours).sum().backward()
    KINKS[name](theirs).sum().backward()
    np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())
