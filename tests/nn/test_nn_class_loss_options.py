"""Cross-entropy / NLL with PyTorch's options (class weight, ignore_index, label_smoothing):
values against an independent NumPy formula, gradients against central differences, on
hypothesis-drawn logits, targets and options; then the errors."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from nn_testing import arrays, assert_gradcheck, const, leaf

import scalargrad as sg
from scalargrad.nn import functional as F

IGNORE = -100


def log_softmax_np(z):
    m = z.max(axis=1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))


def class_loss_np(logp, y, w, eps, reduction):
    """Written with the smoothed target distribution q_i = (1 - eps) onehot(y_i) + eps / c:
    row i = -v_i sum_j q_ij w_j logp_ij; the weighted mean divides by sum_i v_i w_{y_i}."""
    n, c = logp.shape
    v = y != IGNORE
    safe = np.where(v, y, 0)
    q = (1 - eps) * np.eye(c)[safe] + eps / c
    rows = -(v * (q * w * logp).sum(axis=1))
    if reduction == "none":
        return rows
    if reduction == "sum":
        return rows.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        return rows.sum() / (v * w[safe]).sum()


@st.composite
def class_problems(draw):
    n, c = draw(st.integers(1, 5)), draw(st.integers(1, 4))
    z = draw(arrays((n, c), -4.0, 4.0))
    y = np.array(draw(st.lists(st.sampled_from([*range(c), IGNORE]), min_size=n, max_size=n)))
    w = draw(st.none() | arrays((c,), 0.1, 3.0))
    eps = draw(st.sampled_from([0.0, 0.1, 0.5, 1.0]))
    reduction = draw(st.sampled_from(["mean", "sum", "none"]))
    return z, y.astype(np.int64), w, eps, reduction


@given(class_problems())
def test_cross_entropy_with_options_value_and_gradient(problem):
    z, y, w, eps, reduction = problem
    weight = None if w is None else const(w)
    out = F.cross_entropy(
        const(z), sg.tensor(y), weight=weight, reduction=reduction, label_smoothing=eps
    )
    expected = class_loss_np(log_softmax_np(z), y, np.ones(z.shape[1]) if w is None else w, eps,
                             reduction)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10, atol=1e-12)
    if reduction != "mean" or (y != IGNORE).any():  # an all-ignored mean is nan, as PyTorch's
        assert_gradcheck(
            lambda a: F.cross_entropy(
                a, sg.tensor(y), weight=weight, reduction=reduction, label_smoothing=eps
            ),
            [leaf(z)],
        )


@given(class_problems())
def test_nll_loss_with_weight_and_ignore_index(problem):
    z, y, w, _, reduction = problem
    logp = log_softmax_np(z)
    criterion = sg.nn.NLLLoss(weight=None if w is None else const(w), reduction=reduction)
    expected = class_loss_np(logp, y, np.ones(z.shape[1]) if w is None else w, 0.0, reduction)
    np.testing.assert_allclose(criterion(const(logp), sg.tensor(y)).numpy(), expected,
                               rtol=1e-10, atol=1e-12)
    if reduction != "mean" or (y != IGNORE).any():
        assert_gradcheck(lambda a: criterion(a, sg.tensor(y)), [leaf(logp)])


def test_options_that_change_nothing_give_the_fused_loss():
    rng = np.random.default_rng(1)
    z, y = rng.normal(size=(6, 4)), rng.integers(0, 4, size=6)
    plain = F.cross_entropy(const(z), sg.tensor(y)).item()
    ones = F.cross_entropy(const(z), sg.tensor(y), weight=np.ones(4)).item()
    other_ignore = F.cross_entropy(const(z), sg.tensor(y), ignore_index=7).item()
    assert ones == pytest.approx(plain, rel=1e-12)
    assert other_ignore == pytest.approx(plain, rel=1e-12)


def test_ignored_rows_count_for_nothing():
    z = np.array([[2.0, 0.0, -1.0], [5.0, -5.0, 0.0], [0.0, 1.0, 0.0]])
    with_ignored = F.cross_entropy(leaf(z), sg.tensor([0, IGNORE, 1]))
    without = F.cross_entropy(const(z[[0, 2]]), sg.tensor([0, 1]))
    assert with_ignored.item() == pytest.approx(without.item(), rel=1e-12)
    # a class index as ignore_index (PyTorch allows it): those rows drop out too
    assert F.cross_entropy(const(z), sg.tensor([0, 2, 1]), ignore_index=2).item() == pytest.approx(
        without.item(), rel=1e-12
    )


def test_cross_entropy_loss_module_options_and_repr():
    criterion = sg.nn.CrossEntropyLoss(weight=[1.0, 2.0], ignore_index=0, label_smoothing=0.1)
    assert repr(criterion) == "CrossEntropyLoss()"  # as PyTorch prints it
    z = const([[0.3, -0.2], [1.0, 2.0]], np.float32)
    value = criterion(z, sg.tensor([0, 1])).item()
    expected = class_loss_np(log_softmax_np(z.numpy().astype(np.float64)), np.array([IGNORE, 1]),
                             np.array([1.0, 2.0]), 0.1, "mean")
    assert value == pytest.approx(expected, rel=1e-6)


# ---------------------------------------------------------------- errors


def test_option_errors_name_the_loss_and_the_values():
    z, y = sg.zeros(3, 4), sg.tensor([0, 1, 2])
    with pytest.raises(ValueError, match=r"cross_entropy: weight .* \(4,\), got shape"
                                         r" \(3,\)"):
        F.cross_entropy(z, y, weight=[1.0, 1.0, 1.0])
    with pytest.raises(TypeError, match=r"class weight .*float32, got scalargrad.float64"):
        F.cross_entropy(z, y, weight=sg.ones(4, dtype=sg.float64))
    with pytest.raises(ValueError, match=r"label_smoothing must be in \[0, 1\], got 1.5"):
        sg.nn.CrossEntropyLoss(label_smoothing=1.5)
    with pytest.raises(TypeError, match=r"ignore_index must be an int, got 0.5"):
        F.nll_loss(z, y, ignore_index=0.5)
    with pytest.raises(TypeError, match=r"first argument is the weight.*reduction='sum'"):
        sg.nn.CrossEntropyLoss("sum")
    with pytest.raises(TypeError, match=r"nll_loss: the argument after target is the class weight"):
        F.nll_loss(z, y, "sum")


def test_out_of_range_targets_are_caught_next_to_ignored_ones():
    with pytest.raises(IndexError, match=r"target 4 is out of bounds.*ignore_index=-100"):
        F.cross_entropy(sg.zeros(3, 4), sg.tensor([IGNORE, 4, 1]))
    with pytest.raises(IndexError, match=r"target -3 is out of bounds"):
        F.nll_loss(sg.zeros(3, 4), sg.tensor([IGNORE, -3, 1]))


def test_options_match_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    z, w = rng.normal(size=(9, 4)), rng.uniform(0.2, 2.0, size=4)
    y = np.array([0, 3, IGNORE, 1, 2, 2, IGNORE, 0, 3])
    for reduction in ("mean", "sum", "none"):
        ours_z, theirs_z = leaf(z), torch.tensor(z, requires_grad=True)
        ours = F.cross_entropy(ours_z, sg.tensor(y), weight=const(w), reduction=reduction,
                               label_smoothing=0.3)
        theirs = torch.nn.functional.cross_entropy(
            theirs_z, torch.tensor(y), weight=torch.tensor(w), reduction=reduction,
            label_smoothing=0.3,
        )
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-12)
        ours.sum().backward()
        theirs.sum().backward()
        np.testing.assert_allclose(ours_z.grad.numpy(), theirs_z.grad.numpy(), rtol=1e-10,
                                   atol=1e-14)


# ---------------------------------------------------------------- binary cross-entropy weights


def softplus_np(x):
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


@st.composite
def binary_problems(draw):
    shape = draw(st.sampled_from([(4,), (3, 2), (2, 3, 2)]))
    z = draw(arrays(shape, -6.0, 6.0))
    y = draw(arrays(shape, 0.0, 1.0))
    w = draw(st.none() | arrays(shape[-1:], 0.1, 3.0) | arrays(shape, 0.1, 3.0))
    pos = draw(st.none() | arrays(shape[-1:], 0.1, 5.0))
    return z, y, w, pos, draw(st.sampled_from(["mean", "sum", "none"]))


def reduce_np(terms, reduction):
    return {"mean": np.mean, "sum": np.sum, "none": lambda a: a}[reduction](terms)


@given(binary_problems())
def test_bce_with_logits_weight_and_pos_weight(problem):
    z, y, w, pos, reduction = problem
    # PyTorch's formula: -w [pos y ln sigmoid(z) + (1 - y) ln(1 - sigmoid(z))]
    terms = (1.0 if pos is None else pos) * y * softplus_np(-z) + (1 - y) * softplus_np(z)
    expected = reduce_np(terms * (1.0 if w is None else w), reduction)
    criterion = sg.nn.BCEWithLogitsLoss(
        weight=None if w is None else const(w), reduction=reduction,
        pos_weight=None if pos is None else const(pos),
    )
    np.testing.assert_allclose(criterion(const(z), const(y)).numpy(), expected, rtol=1e-10,
                               atol=1e-12)
    assert_gradcheck(lambda a, b: criterion(a, b), [leaf(z), leaf(y)])


@given(binary_problems())
def test_bce_weight(problem):
    z, y, w, _, reduction = problem
    p = 1 / (1 + np.exp(-z))
    terms = -(y * np.log(p) + (1 - y) * np.log1p(-p))
    expected = reduce_np(terms * (1.0 if w is None else w), reduction)
    weight = None if w is None else const(w)
    out = F.binary_cross_entropy(const(p), const(y), weight=weight, reduction=reduction)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-9, atol=1e-12)
    assert_gradcheck(
        lambda a: F.binary_cross_entropy(a, const(y), weight=weight, reduction=reduction),
        [leaf(p)], atol=1e-5,
    )


def test_bce_weight_errors_and_repr():
    z, y = sg.zeros(3, 2), sg.zeros(3, 2)
    with pytest.raises(
        ValueError,
        match=r"pos_weight of shape \(3,\) does not broadcast to the "
        r"input's shape \(3, 2\)",
    ):
        F.binary_cross_entropy_with_logits(z, y, pos_weight=[1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match=r"BCELoss: the first argument is the weight"):
        sg.nn.BCELoss("sum")
    criterion = sg.nn.BCEWithLogitsLoss(pos_weight=[2.0, 1.0], reduction="sum")
    assert repr(criterion) == "BCEWithLogitsLoss()"  # as PyTorch prints it


def test_bce_weights_match_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(6)
    z, y = rng.normal(size=(5, 3)), rng.uniform(size=(5, 3))
    w, pos = rng.uniform(0.5, 2.0, size=(5, 1)), rng.uniform(0.5, 4.0, size=3)
    T = torch.tensor
    ours = F.binary_cross_entropy_with_logits(const(z), const(y), weight=const(w),
                                              pos_weight=const(pos))
    theirs = torch.nn.functional.binary_cross_entropy_with_logits(T(z), T(y), weight=T(w),
                                                                  pos_weight=T(pos))
    assert ours.item() == pytest.approx(theirs.item(), rel=1e-12)
