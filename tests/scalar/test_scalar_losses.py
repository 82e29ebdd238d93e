"""Loss functions over Values: values against plain formulas, gradients against central
differences, reductions, stability at extreme inputs, bad input."""

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import scalargrad as sg
from scalargrad import Value
from scalargrad.scalar import losses

n_items = st.integers(1, 5)


def pairs(pred, target):
    return n_items.flatmap(
        lambda n: st.tuples(
            st.lists(pred, min_size=n, max_size=n), st.lists(target, min_size=n, max_size=n)
        )
    )


def _sigmoid(z):
    return 1 / (1 + math.exp(-z))


# name, loss fn, per-term reference, predictions, targets
POINTWISE = [
    ("mse_loss", losses.mse_loss, lambda p, t: (p - t) ** 2, st.floats(-5, 5), st.floats(-5, 5)),
    ("l1_loss", losses.l1_loss, lambda p, t: abs(p - t), st.floats(-5, 5), st.floats(-5, 5)),
    (
        "smooth_l1_loss",
        losses.smooth_l1_loss,
        lambda p, t: 0.5 * (p - t) ** 2 if abs(p - t) < 1 else abs(p - t) - 0.5,
        st.floats(-5, 5),
        st.floats(-5, 5),
    ),
    (
        "binary_cross_entropy",
        losses.binary_cross_entropy,
        lambda p, t: -(t * math.log(p) + (1 - t) * math.log(1 - p)),
        st.floats(0.05, 0.95),
        st.floats(0, 1),
    ),
    (
        "binary_cross_entropy_with_logits",
        losses.binary_cross_entropy_with_logits,
        lambda z, t: -(t * math.log(_sigmoid(z)) + (1 - t) * math.log(1 - _sigmoid(z))),
        st.floats(-8, 8),
        st.floats(0, 1),
    ),
    (
        "hinge",
        losses.hinge,
        lambda s, t: max(0.0, 1 - t * s),
        st.floats(-3, 3),
        st.sampled_from([-1.0, 1.0]),
    ),
]


@pytest.mark.parametrize(
    "name, loss, term, preds, targets", POINTWISE, ids=[c[0] for c in POINTWISE]
)
def test_pointwise_loss_values_and_gradients(name, loss, term, preds, targets):
    @given(pairs(preds, targets), st.sampled_from(["mean", "sum"]))
    def check(data, reduction):
        ps, ts = data
        # keep away from the kinks: |p - t| = 0 (l1), = 1 (smooth_l1), margin 1 - t s = 0 (hinge)
        assume(
            all(
                abs(p - t) > 1e-3 and abs(abs(p - t) - 1) > 1e-3 and abs(1 - t * p) > 1e-3
                for p, t in zip(ps, ts, strict=True)
            )
        )
        out = loss([Value(p) for p in ps], ts, reduction=reduction)
        total = sum(term(p, t) for p, t in zip(ps, ts, strict=True))
        expected = total / len(ps) if reduction == "mean" else total
        assert math.isclose(out.data, expected, rel_tol=1e-9, abs_tol=1e-12)
        report = sg.gradcheck(
            lambda *v: loss(list(v), ts, reduction=reduction), [Value(p) for p in ps]
        )
        assert report, f"{name} {ps} {ts}\n{report}"

    check()


def test_reduction_none_returns_the_terms():
    terms = losses.mse_loss([Value(1.0), Value(3.0)], [0.0, 1.0], reduction="none")
    assert [t.data for t in terms] == [1.0, 4.0]


def test_hinge_is_micrograds_expression():
    s = [Value(0.3), Value(-2.0), Value(0.7)]
    y = [1, -1, -1]
    ours = losses.hinge(s, y)
    theirs = sum((1 + -yi * si).relu() for yi, si in zip(y, s, strict=True)) * (1.0 / len(s))
    assert ours.data == theirs.data


@given(
    n_items.flatmap(
        lambda n: st.tuples(
            st.lists(st.lists(st.floats(-5, 5), min_size=3, max_size=3), min_size=n, max_size=n),
            st.lists(st.integers(0, 2), min_size=n, max_size=n),
        )
    ),
    st.sampled_from(["mean", "sum"]),
)
def test_cross_entropy_values_and_gradients(data, reduction):
    rows, targets = data
    flat = [x for row in rows for x in row]

    def fn(*vs):
        return losses.cross_entropy(
            [list(vs[3 * i : 3 * i + 3]) for i in range(len(rows))], targets, reduction=reduction
        )

    per_row = [
        -math.log(math.exp(row[k]) / sum(math.exp(z) for z in row))
        for row, k in zip(rows, targets, strict=True)
    ]
    expected = sum(per_row) / (len(rows) if reduction == "mean" else 1)
    assert math.isclose(fn(*[Value(x) for x in flat]).data, expected, rel_tol=1e-9, abs_tol=1e-12)
    assert sg.gradcheck(fn, [Value(x) for x in flat])


def test_cross_entropy_of_softmax_example():
    # softmax([2, 1, 0.1]) is about [0.659, 0.242, 0.099]
    logits = [Value(2.0), Value(1.0), Value(0.1)]
    loss = losses.cross_entropy([logits], [0])
    loss.backward()
    assert math.isclose(loss.data, -math.log(0.659), rel_tol=1e-3)
    assert [round(z.grad, 3) for z in logits] == [round(0.659 - 1, 3), 0.242, 0.099]


def test_losses_are_stable_at_extreme_inputs():
    big = losses.cross_entropy([[Value(1000.0), Value(-1000.0)]], [1])
    big.backward()
    assert big.data == 2000.0
    for z, t, expected in [(1000.0, 0.0, 1000.0), (-1000.0, 1.0, 1000.0), (1000.0, 1.0, 0.0)]:
        v = Value(z)
        out = losses.binary_cross_entropy_with_logits([v], [t])
        out.backward()
        assert out.data == expected and math.isfinite(v.grad)
    p = Value(0.0)
    out = losses.binary_cross_entropy([p], [1.0])
    out.backward()
    assert out.data == 100.0 and math.isfinite(p.grad)  # log clamped at -100, as PyTorch


def test_bad_input():
    with pytest.raises(ValueError, match="mse_loss.*2 predictions and 1 targets"):
        losses.mse_loss([Value(1.0), Value(2.0)], [1.0])
    with pytest.raises(ValueError, match="reduction"):
        losses.l1_loss([Value(1.0)], [1.0], reduction="avg")
    with pytest.raises(ValueError, match="no predictions"):
        losses.mse_loss([], [])
    with pytest.raises(TypeError, match="prediction 0 must be a Value"):
        losses.mse_loss([1.0], [1.0])
    with pytest.raises(TypeError, match="target 0"):
        losses.mse_loss([Value(1.0)], ["a"])
    with pytest.raises(ValueError, match=r"binary_cross_entropy.*probability.*1.5"):
        losses.binary_cross_entropy([Value(1.5)], [1.0])
    with pytest.raises(ValueError, match="target 0 is 3"):
        losses.cross_entropy([[Value(1.0), Value(2.0)]], [3])
    with pytest.raises(TypeError, match="int class index"):
        losses.cross_entropy([[Value(1.0), Value(2.0)]], [1.0])
    with pytest.raises(ValueError, match="beta"):
        losses.smooth_l1_loss([Value(1.0)], [1.0], beta=-1.0)


def test_short_names_of_earlier_lessons_are_aliases_of_pytorchs_names():
    assert losses.mse is losses.mse_loss and losses.l1 is losses.l1_loss
    assert losses.smooth_l1 is losses.smooth_l1_loss and losses.bce is losses.binary_cross_entropy
    assert losses.bce_with_logits is losses.binary_cross_entropy_with_logits
