"""Losses: values vs NumPy formulas in every reduction, gradients vs central differences on
hypothesis-drawn inputs, the fused cross-entropy vs its composite, and bad-input errors."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from nn_testing import arrays, assert_gradcheck, const, leaf

import scalargrad as sg
from scalargrad.nn import functional as F

shapes = st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple)
reductions = st.sampled_from(["mean", "sum", "none"])


def reduce(terms, reduction):
    return {"mean": np.mean, "sum": np.sum, "none": lambda a: a}[reduction](terms)


def smooth_l1_np(d, beta):
    a = np.abs(d)
    return np.where(a < beta, 0.5 * a * a / beta, a - 0.5 * beta) if beta > 0 else a


def bce_np(p, t):
    return -(t * np.maximum(np.log(p), -100) + (1 - t) * np.maximum(np.log1p(-p), -100))


def bce_logits_np(z, t):
    return np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))


def away_from(values, kinks, gap=1e-3):
    """Nudge values off the points where a loss has a kink (central differences straddle them)."""
    out = values.copy()
    for k in kinks:
        close = np.abs(out - k) < gap
        out[close] = k + 2 * gap
    return out


# ---------------------------------------------------------------- regression losses


@given(st.data(), shapes, reductions)
def test_mse_loss(data, shape, reduction):
    x, y = data.draw(arrays(shape)), data.draw(arrays(shape))
    out = F.mse_loss(const(x), const(y), reduction=reduction)
    np.testing.assert_allclose(out.numpy(), reduce((x - y) ** 2, reduction), rtol=1e-12, atol=1e-12)
    assert_gradcheck(lambda a, b: F.mse_loss(a, b, reduction=reduction), [leaf(x), leaf(y)])


@given(st.data(), shapes, reductions)
def test_l1_loss(data, shape, reduction):
    x, y = data.draw(arrays(shape)), data.draw(arrays(shape))
    x = y + away_from(x - y, [0.0])
    out = sg.nn.L1Loss(reduction=reduction)(const(x), const(y))
    np.testing.assert_allclose(
        out.numpy(), reduce(np.abs(x - y), reduction), rtol=1e-12, atol=1e-12
    )
    assert_gradcheck(lambda a, b: F.l1_loss(a, b, reduction=reduction), [leaf(x), leaf(y)])


@given(st.data(), shapes, reductions, st.sampled_from([0.0, 0.5, 1.0, 2.0]))
def test_smooth_l1_loss(data, shape, reduction, beta):
    x, y = data.draw(arrays(shape)), data.draw(arrays(shape))
    x = y + away_from(x - y, [0.0, beta, -beta])
    out = sg.nn.SmoothL1Loss(reduction=reduction, beta=beta)(const(x), const(y))
    np.testing.assert_allclose(
        out.numpy(), reduce(smooth_l1_np(x - y, beta), reduction), rtol=1e-12, atol=1e-12
    )
    assert_gradcheck(
        lambda a, b: F.smooth_l1_loss(a, b, reduction=reduction, beta=beta), [leaf(x), leaf(y)]
    )


# ---------------------------------------------------------------- binary classification


@given(st.data(), shapes, reductions)
def test_bce_loss(data, shape, reduction):
    p = data.draw(arrays(shape, 0.02, 0.98))
    t = data.draw(arrays(shape, 0.0, 1.0))
    out = sg.nn.BCELoss(reduction=reduction)(const(p), const(t))
    np.testing.assert_allclose(out.numpy(), reduce(bce_np(p, t), reduction), rtol=1e-10, atol=1e-12)
    assert_gradcheck(lambda a: F.binary_cross_entropy(a, const(t), reduction=reduction), [leaf(p)])


@given(st.data(), shapes, reductions)
def test_bce_with_logits_loss(data, shape, reduction):
    z = data.draw(arrays(shape, -8.0, 8.0))
    t = data.draw(arrays(shape, 0.0, 1.0))
    out = sg.nn.BCEWithLogitsLoss(reduction=reduction)(const(z), const(t))
    np.testing.assert_allclose(
        out.numpy(), reduce(bce_logits_np(z, t), reduction), rtol=1e-10, atol=1e-12
    )
    assert_gradcheck(
        lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction=reduction),
        [leaf(z), leaf(t)],
    )


def test_bce_with_logits_is_stable_for_huge_logits():
    z = const([1000.0, -1000.0, 1000.0])
    t = const([1.0, 0.0, 0.0])
    out = F.binary_cross_entropy_with_logits(z, t, reduction="none").numpy()
    np.testing.assert_allclose(out, [0.0, 0.0, 1000.0])


def test_bce_clamps_log_at_minus_100_like_pytorch():
    out = F.binary_cross_entropy(const([0.0, 1.0]), const([1.0, 0.0]), reduction="none")
    np.testing.assert_allclose(out.numpy(), [100.0, 100.0])


def test_bce_of_zero_weights_is_ln2():
    # the curriculum's check: all weights zero -> sigmoid(0) = 0.5 -> cost ln 2
    p = const(np.full(6, 0.5))
    t = const([0.0, 1.0, 1.0, 0.0, 1.0, 0.0])
    assert F.binary_cross_entropy(p, t).item() == pytest.approx(0.693147, abs=1e-6)


def test_bce_target_has_no_derivative_but_logits_version_does():
    p, t = leaf([0.3, 0.6]), leaf([1.0, 0.0])
    with pytest.raises(RuntimeError, match="target"):
        F.binary_cross_entropy(p, t).backward()
    z = np.array([0.3, -1.2])
    assert_gradcheck(
        lambda a, b: F.binary_cross_entropy_with_logits(a, b), [leaf(z), leaf([1.0, 0.25])]
    )


# ---------------------------------------------------------------- multi-class


def ce_np(z, y):
    m = z.max(axis=1, keepdims=True)
    logp = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))
    return -logp[np.arange(len(y)), y], logp


@given(st.data(), st.integers(1, 4), st.integers(1, 4), reductions)
def test_cross_entropy(data, n, c, reduction):
    z = data.draw(arrays((n, c), -5.0, 5.0))
    y = np.array(data.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)), dtype=np.int64)
    rows, _ = ce_np(z, y)
    out = sg.nn.CrossEntropyLoss(reduction=reduction)(const(z), sg.tensor(y))
    np.testing.assert_allclose(out.numpy(), reduce(rows, reduction), rtol=1e-10, atol=1e-12)
    assert_gradcheck(lambda a: F.cross_entropy(a, sg.tensor(y), reduction=reduction), [leaf(z)])


@given(st.data(), st.integers(1, 4), st.integers(1, 4), reductions)
def test_nll_loss_and_log_softmax_compose_to_cross_entropy(data, n, c, reduction):
    z = data.draw(arrays((n, c), -5.0, 5.0))
    y = np.array(data.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)), dtype=np.int64)
    _, logp = ce_np(z, y)
    out = sg.nn.NLLLoss(reduction=reduction)(const(logp), sg.tensor(y))
    np.testing.assert_allclose(
        out.numpy(), reduce(-logp[np.arange(n), y], reduction), rtol=1e-12, atol=1e-12
    )
    assert_gradcheck(lambda a: F.nll_loss(a, sg.tensor(y), reduction=reduction), [leaf(logp)])
    # fused cross-entropy and the composite log_softmax -> nll give the same value and gradient
    fused, comp = leaf(z), leaf(z)
    lf = F.cross_entropy(fused, sg.tensor(y), reduction="sum")
    lc = F.nll_loss(F.log_softmax(comp, dim=1), sg.tensor(y), reduction="sum")
    np.testing.assert_allclose(lf.item(), lc.item(), rtol=1e-12)
    lf.backward()
    lc.backward()
    np.testing.assert_allclose(fused.grad.numpy(), comp.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_cross_entropy_curriculum_numbers():
    z = const([[2.0, 1.0, 0.1], [0.0, 0.0, 0.0]])
    rows = F.cross_entropy(z, sg.tensor([0, 2]), reduction="none").numpy()
    np.testing.assert_allclose(rows, [0.41703, np.log(3)], atol=1e-5)
    np.testing.assert_allclose(
        F.softmax(const([2.0, 1.0, 0.1])).numpy(), [0.659, 0.242, 0.099], atol=1e-3
    )


def test_cross_entropy_is_stable_for_huge_logits():
    out = F.cross_entropy(
        const([[1000.0, 0.0], [-1000.0, 1000.0]]), sg.tensor([0, 0]), reduction="none"
    )
    np.testing.assert_allclose(out.numpy(), [0.0, 2000.0])


def test_cross_entropy_on_one_unbatched_sample():
    z = np.array([0.5, -1.0, 2.0])
    out = F.cross_entropy(const(z), sg.tensor(2), reduction="none")
    assert out.shape == ()
    assert out.item() == pytest.approx(ce_np(z[None], np.array([2]))[0][0])


def test_cross_entropy_float32_matches_float64():
    rng = np.random.default_rng(0)
    z, y = rng.normal(size=(8, 5)), rng.integers(0, 5, size=8)
    a = F.cross_entropy(const(z, np.float32), sg.tensor(y))
    assert a.dtype == sg.float32
    assert a.item() == pytest.approx(F.cross_entropy(const(z), sg.tensor(y)).item(), rel=1e-5)


# ---------------------------------------------------------------- errors


def test_cross_entropy_rejects_float_targets():
    with pytest.raises(TypeError, match=r"int64.*float32.*\(3,\)"):
        F.cross_entropy(sg.zeros(3, 4), sg.tensor([0.0, 1.0, 2.0]))


def test_cross_entropy_rejects_out_of_range_classes():
    with pytest.raises(IndexError, match=r"target 4 .*4 classes"):
        sg.nn.CrossEntropyLoss()(sg.zeros(3, 4), sg.tensor([0, 4, 1]))
    with pytest.raises(IndexError, match=r"target -1 "):
        F.nll_loss(sg.zeros(3, 4), sg.tensor([0, -1, 1]))


def test_cross_entropy_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"\(3, 4\).*\(2,\)"):
        F.cross_entropy(sg.zeros(3, 4), sg.tensor([0, 1]))
    with pytest.raises(ValueError, match=r"\(2, 3, 4\)"):
        F.cross_entropy(sg.zeros(2, 3, 4), sg.tensor([0, 1]))


def test_pointwise_losses_reject_mismatched_shapes():
    for loss in (sg.nn.MSELoss(), sg.nn.L1Loss(), sg.nn.SmoothL1Loss(), sg.nn.BCEWithLogitsLoss()):
        with pytest.raises(ValueError, match=r"\(4, 1\).*\(4,\)"):
            loss(sg.zeros(4, 1), sg.zeros(4))


def test_bce_rejects_values_outside_0_1():
    with pytest.raises(ValueError, match=r"between 0 and 1.*1\.5"):
        sg.nn.BCELoss()(sg.tensor([0.2, 1.5]), sg.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match="between 0 and 1"):
        sg.nn.BCELoss()(sg.tensor([float("nan"), 0.5]), sg.tensor([0.0, 1.0]))


def test_bad_reduction_and_dtypes():
    with pytest.raises(ValueError, match="reduction"):
        sg.nn.MSELoss(reduction="average")
    with pytest.raises(ValueError, match="reduction"):
        F.cross_entropy(sg.zeros(2, 2), sg.tensor([0, 1]), reduction="avg")
    with pytest.raises(TypeError, match="float32.*float64"):
        F.mse_loss(sg.zeros(3), sg.zeros(3, dtype=sg.float64))
    with pytest.raises(TypeError, match="float"):
        F.mse_loss(sg.tensor([1, 2]), sg.tensor([1, 2]))


def test_integer_targets_are_converted_for_regression_and_bce():
    out = F.mse_loss(sg.tensor([1.0, 2.0]), sg.tensor([1, 4]))
    assert out.item() == pytest.approx(2.0)
    out = F.binary_cross_entropy_with_logits(sg.tensor([0.0, 0.0]), sg.tensor([0, 1]))
    assert out.item() == pytest.approx(np.log(2))


def test_loss_reprs():
    assert repr(sg.nn.MSELoss()) == "MSELoss()"
    assert repr(sg.nn.CrossEntropyLoss(reduction="sum")) == "CrossEntropyLoss()"  # PyTorch's text


# ---------------------------------------------------------------- against PyTorch, when installed


def test_losses_match_pytorch():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    rng = np.random.default_rng(3)
    z, t = rng.normal(size=(6, 4)), rng.uniform(size=(6, 4))
    p = 1 / (1 + np.exp(-z))
    y = rng.integers(0, 4, size=6)
    T = torch.tensor
    for red in ("mean", "sum", "none"):
        pairs = [
            (F.mse_loss(const(z), const(t), reduction=red), tf.mse_loss(T(z), T(t), reduction=red)),
            (F.l1_loss(const(z), const(t), reduction=red), tf.l1_loss(T(z), T(t), reduction=red)),
            (
                F.smooth_l1_loss(const(z), const(t), reduction=red, beta=0.5),
                tf.smooth_l1_loss(T(z), T(t), reduction=red, beta=0.5),
            ),
            (
                F.binary_cross_entropy(const(p), const(t), reduction=red),
                tf.binary_cross_entropy(T(p), T(t), reduction=red),
            ),
            (
                F.binary_cross_entropy_with_logits(const(z), const(t), reduction=red),
                tf.binary_cross_entropy_with_logits(T(z), T(t), reduction=red),
            ),
            (
                F.cross_entropy(const(z), sg.tensor(y), reduction=red),
                tf.cross_entropy(T(z), T(y), reduction=red),
            ),
        ]
        for ours, theirs in pairs:
            np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-10, atol=1e-12)
