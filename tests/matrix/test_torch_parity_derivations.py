"""Where PyTorch is installed, check the edge cases the derivation pages state "as PyTorch":
pow's exponent gradient at a zero base, clamp's gradients with tensor bounds (at the bounds, with
crossed bounds, with nan), and log's gradient below 0 and at +-0. Float32 and float64."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import scalargrad as sg

torch = pytest.importorskip("torch")

DTYPES = {"float32": (sg.float32, torch.float32), "float64": (sg.float64, torch.float64)}


def leaves(values, name):
    ours, theirs = DTYPES[name]
    a = np.asarray(values, dtype=np.float64)
    return (
        sg.tensor(a, dtype=ours, requires_grad=True),
        torch.tensor(a, dtype=theirs, requires_grad=True),
    )


def same(ours, theirs):
    np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())


EDGE_EXPONENTS = [-math.inf, -3.0, -2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0, math.inf, math.nan]


@pytest.mark.parametrize("name", sorted(DTYPES))
@given(
    st.lists(
        st.sampled_from(EDGE_EXPONENTS) | st.integers(-20, 20).map(lambda k: k / 4),
        min_size=1,
        max_size=6,
    )
)
def test_pow_gradients_at_a_zero_base_match_torch(name, exponents):
    """Exponents exact in float32 (multiples of 1/4): for a tiny y, y - 1 rounds to -1 in float32
    (torch's arithmetic) but not in float64 (ours), and (-0.0)^-1 is -inf where (-0.0)^(-1 + tiny)
    is +inf: a difference of rounding in d/dx, not of the derivative's definition."""
    bases = [0.0 if i % 2 else -0.0 for i in range(len(exponents))]
    (xo, xt), (yo, yt) = leaves(bases, name), leaves(exponents, name)
    (xo**yo).sum().backward()
    (xt**yt).sum().backward()
    same(yo.grad, yt.grad)
    same(xo.grad, xt.grad)


@pytest.mark.parametrize("name", sorted(DTYPES))
@given(
    st.lists(
        st.tuples(*[st.sampled_from([-1.0, 0.0, 1.0, math.nan]) | st.floats(-2, 2)] * 3),
        min_size=1,
        max_size=6,
    )
)
def test_clamp_with_tensor_bounds_matches_torch(name, triples):
    """Ties at the bounds, crossed bounds (min > max) and nan are drawn often."""
    x, lo, hi = (list(v) for v in zip(*triples, strict=True))
    (xo, xt), (loo, lot), (hio, hit) = leaves(x, name), leaves(lo, name), leaves(hi, name)
    weights = np.arange(1.0, len(x) + 1.0)
    yo, yt = xo.clamp(loo, hio), torch.clamp(xt, lot, hit)
    same(yo, yt)
    (yo * sg.tensor(weights, dtype=yo.dtype)).sum().backward()
    (yt * torch.tensor(weights, dtype=yt.dtype)).sum().backward()
    for ours, theirs in ((xo, xt), (loo, lot), (hio, hit)):
        same(ours.grad, theirs.grad)
    for bound in ("min", "max"):  # one bound only
        (xo, xt), (bo, bt) = leaves(x, name), leaves(lo, name)
        xo.clamp(**{bound: bo}).sum().backward()
        torch.clamp(xt, **{bound: bt}).sum().backward()
        same(xo.grad, xt.grad)
        same(bo.grad, bt.grad)


@pytest.mark.parametrize("name", sorted(DTYPES))
def test_log_gradient_below_zero_and_at_signed_zeros_matches_torch(name):
    (xo, xt) = leaves([-2.0, -0.5, 0.0, -0.0, 3.0], name)
    xo.log().sum().backward()
    xt.log().sum().backward()
    same(xo.grad, xt.grad)


LOSSES = {
    "mse_loss": {},
    "l1_loss": {},
    "smooth_l1_loss": {"beta": 0.5},
    "binary_cross_entropy_with_logits": {},
}


@pytest.mark.parametrize("name", sorted(DTYPES))
@pytest.mark.parametrize("loss", sorted(LOSSES))
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_pointwise_loss_gradients_for_input_and_target_match_torch(name, loss, reduction):
    """d/dp and d/dt (the target's gradient the mse and bce_with_logits pages derive), with
    predictions far past exp's float32 range (+-1e4) and at the kinks p = t, |p - t| = beta."""
    p = [-1e4, -3.0, -0.5, 0.0, 0.25, 1.0, 2.0, 1e4]
    t = [0.0, 1.0, 0.0, 0.0, 0.75, 0.5, 1.0, 1.0]
    (po, pt), (to, tt) = leaves(p, name), leaves(t, name)
    import scalargrad.nn.functional as F

    getattr(F, loss)(po, to, reduction=reduction, **LOSSES[loss]).backward()
    getattr(torch.nn.functional, loss)(pt, tt, reduction=reduction, **LOSSES[loss]).backward()
    rtol = 1e-6 if name == "float32" else 1e-12
    for ours, theirs in ((po.grad, pt.grad), (to.grad, tt.grad)):
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=rtol, atol=1e-12)


@pytest.mark.parametrize("name", sorted(DTYPES))
def test_bce_gradient_at_clamped_probabilities_matches_torch(name):
    """log clamped at -100 and p(1 - p) at 1e-12, as PyTorch: finite at p = 0 and p = 1."""
    p, t = [0.0, 1e-30, 0.3, 1.0 - 1e-7, 1.0], [1.0, 1.0, 0.0, 0.0, 0.0]
    (po, pt) = leaves(p, name)
    import scalargrad.nn.functional as F

    yo = F.binary_cross_entropy(po, sg.tensor(t, dtype=po.dtype), reduction="sum")
    yt = torch.nn.functional.binary_cross_entropy(
        pt, torch.tensor(t, dtype=pt.dtype), reduction="sum"
    )
    yo.backward()
    yt.backward()
    rtol = 1e-6 if name == "float32" else 1e-12
    np.testing.assert_allclose(yo.item(), yt.item(), rtol=rtol)
    np.testing.assert_allclose(po.grad.numpy(), pt.grad.numpy(), rtol=rtol)


@pytest.mark.parametrize("name", sorted(DTYPES))
@pytest.mark.parametrize("p", [0.5, 1, 1.5, 2, 3, math.inf, "fro"])
@given(
    st.lists(
        st.sampled_from([0.0, -0.0, 1.0, -2.0]) | st.floats(-3, 3).filter(lambda v: abs(v) > 1e-3),
        min_size=1,
        max_size=5,
    )
)
def test_norm_gradients_with_zeros_match_torch(name, p, values):
    """Zero entries (the kink of |x|; an infinite slope for p < 1) and the zero vector: PyTorch
    sets the gradient there to 0, and so does scalargrad. (Nonzero entries tiny enough for |x|^p
    to underflow are left out: there both libraries return rounding artifacts, see norm.md.)"""
    for data in (values, [0.0] * len(values)):
        (xo, xt) = leaves(data, name)
        yo, yt = xo.norm(p=p), xt.norm(p=p)
        yo.backward()
        yt.backward()
        rtol = 1e-5 if name == "float32" else 1e-12
        np.testing.assert_allclose(yo.item(), yt.item(), rtol=rtol, atol=1e-30)
        np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=rtol, atol=1e-6 * rtol)


@pytest.mark.parametrize("name", sorted(DTYPES))
@given(st.floats(0.1, 10.0), st.lists(st.floats(-50, 50), min_size=1, max_size=6))
def test_softplus_with_beta_matches_torch(name, beta, values):
    """ln(1 + e^(beta x)) / beta and its slope sigmoid(beta x). PyTorch returns x (slope 1) past
    beta x = 20, off by less than e^-20 / beta, so the tolerance allows that in float64."""
    import scalargrad.nn.functional as F

    (xo, xt) = leaves(values, name)
    yo, yt = F.softplus(xo, beta=beta), torch.nn.functional.softplus(xt, beta=beta)
    yo.sum().backward()
    yt.sum().backward()
    rtol = 1e-5 if name == "float32" else 1e-9
    np.testing.assert_allclose(
        yo.detach().numpy(), yt.detach().numpy(), rtol=rtol, atol=1e-8 / beta
    )
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=rtol, atol=1e-8)


@pytest.mark.parametrize("name", sorted(DTYPES))
@pytest.mark.parametrize("op", ["max", "min"])
@given(
    st.lists(
        st.sampled_from([1.0, 3.0, math.nan, -math.inf]) | st.floats(-3, 3), min_size=1, max_size=6
    )
)
def test_max_over_all_with_ties_and_nan_matches_torch(name, op, values):
    """max() and min() share the gradient among ties; a nan result shares it among the nans."""
    (xo, xt) = leaves(values, name)
    getattr(xo, op)().backward()
    getattr(xt, op)().backward()
    same(xo.grad, xt.grad)
