"""scalargrad.testing.strategies draw what they promise."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scalargrad import Value
from scalargrad.testing.strategies import (
    Expression,
    expressions,
    floats_away_from,
    mlp_shapes,
    positive_floats,
)


@given(floats_away_from([0.0, 1.5], 0.25, -3, 3))
def test_floats_away_from(x):
    assert -3 <= x <= 3 and abs(x) >= 0.25 and abs(x - 1.5) >= 0.25


@given(positive_floats(0.5, 2.0))
def test_positive_floats(x):
    assert 0.5 <= x <= 2.0


def test_positive_floats_rejects_non_positive_minimum():
    with pytest.raises(ValueError, match="positive_floats"):
        positive_floats(0.0)


@given(mlp_shapes(max_inputs=3, max_width=4, max_layers=2))
def test_mlp_shapes(shape):
    nin, nouts = shape
    assert 1 <= nin <= 3 and 1 <= len(nouts) <= 2 and all(1 <= n <= 4 for n in nouts)


@given(
    expressions(n_leaves=2, max_steps=6, leaf_bound=1.0, value_bound=50.0),
    st.floats(-1, 1),
    st.floats(-1, 1),
)
def test_expressions_stay_bounded_and_build_graphs(expr, x, y):
    assert isinstance(expr, Expression) and 1 <= len(expr.steps) <= 6
    # every operand is a leaf or an earlier result: a DAG
    assert all(0 <= i < expr.n_leaves + k for k, (_, args) in enumerate(expr.steps) for i in args)
    out = expr(Value(x), Value(y))
    assert isinstance(out, Value) and math.isfinite(out.data) and abs(out.data) <= 50.0
    assert out.data == pytest.approx(expr.evaluate(x, y), rel=1e-9, abs=1e-12)
    assert repr(expr).startswith("Expression(x0, x1:")


def test_some_expression_reuses_a_result():
    found = []

    @settings(max_examples=200)
    @given(expressions(n_leaves=2, max_steps=8))
    def collect(expr):
        uses = [i for _, args in expr.steps for i in args]
        if len(uses) != len(set(uses)):
            found.append(expr)

    collect()
    assert found, "no drawn expression used any result twice"
