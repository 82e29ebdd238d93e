"""Hypothesis strategies for property-testing gradients of your own ops and models.

    from hypothesis import given
    from scalargrad.testing.strategies import floats_away_from, expressions
    import scalargrad as sg

    @given(floats_away_from([0.0]))
    def test_abs_gradient(x):
        assert sg.gradcheck(lambda v: v.abs(), [sg.Value(x)])

Central differences are wrong within ``eps`` of a kink (relu at 0, abs at 0) or a pole (1/x at
0), so draw inputs away from those points.
"""

import math

from hypothesis import strategies as st

from scalargrad import primitives


def floats_away_from(kinks=(), min_distance=1e-3, min_value=-10.0, max_value=10.0):
    """Finite floats in [min_value, max_value] at least ``min_distance`` from every point in
    ``kinks`` (e.g. ``floats_away_from([0.0])`` for relu and abs)."""
    kinks = tuple(float(k) for k in kinks)
    return st.floats(
        min_value=min_value, max_value=max_value, allow_nan=False, allow_infinity=False
    ).filter(lambda x: all(abs(x - k) >= min_distance for k in kinks))


def positive_floats(min_value=1e-3, max_value=10.0):
    """Finite floats in [min_value, max_value], min_value > 0: inputs for log, sqrt, 1/x, x**y."""
    if not min_value > 0.0:
        raise ValueError(f"positive_floats: min_value must be > 0, got {min_value!r}")
    return st.floats(
        min_value=min_value, max_value=max_value, allow_nan=False, allow_infinity=False
    )


def primitive_inputs(name, min_distance=1e-3):
    """Inputs for the op registry's primitive ``name`` (``scalargrad/primitives.py``): floats in
    its [low, high] away from its kinks and poles, so central differences are accurate there.
    A binary primitive draws pairs; its second operand lies in [-10, 10] away from the same
    points (``div``: away from 0)."""
    prim = primitives.get(name)
    first = floats_away_from(prim.avoid, min_distance, prim.low, prim.high)
    if prim.arity == 1:
        return first
    return st.tuples(first, floats_away_from(prim.avoid, min_distance, -10.0, 10.0))


def mlp_shapes(max_inputs=4, max_width=5, max_layers=3):
    """``(nin, nouts)`` for ``MLP(nin, nouts)``: small networks, e.g. ``(3, [4, 2, 1])``."""
    return st.tuples(
        st.integers(1, max_inputs),
        st.lists(st.integers(1, max_width), min_size=1, max_size=max_layers),
    )


# ---------------------------------------------------------------- random expression graphs

# (name, arity, value bound given the operands' bounds, Value method, float reference)
_OPS = {
    "add": (2, lambda a, b: a + b, lambda x, y: x + y, lambda x, y: x + y),
    "sub": (2, lambda a, b: a + b, lambda x, y: x - y, lambda x, y: x - y),
    "mul": (2, lambda a, b: a * b, lambda x, y: x * y, lambda x, y: x * y),
    "div": (2, lambda a, b: a, lambda x, y: x / (1.0 + y * y), lambda x, y: x / (1.0 + y * y)),
    "neg": (1, lambda a: a, lambda x: -x, lambda x: -x),
    "square": (1, lambda a: a * a, lambda x: x**2, lambda x: x * x),
    "tanh": (1, lambda a: 1.0, lambda x: x.tanh(), math.tanh),
    "sigmoid": (1, lambda a: 1.0, lambda x: x.sigmoid(), lambda x: 1.0 / (1.0 + math.exp(-x))),
    "softplus": (1, lambda a: a + 1.0, lambda x: x.softplus(), lambda x: math.log1p(math.exp(x))),
    "exp": (1, lambda a: math.exp(a), lambda x: x.exp(), math.exp),
    "sin": (1, lambda a: 1.0, lambda x: x.sin(), math.sin),
    "log1p_square": (
        1,
        lambda a: math.log1p(a * a),
        lambda x: (1.0 + x * x).log(),
        lambda x: math.log1p(x * x),
    ),
}


class Expression:
    """A random straight-line program over ``n_leaves`` inputs: each step applies an op to
    earlier results (so results are shared: a DAG, not a tree).

    Call it on Values to build the graph (``expr(*values)`` returns the last result, a Value),
    or use ``expr.evaluate(*floats)`` for the same function in plain ``math`` as a reference.
    ``repr`` shows the program, so a failing hypothesis example is readable.
    """

    def __init__(self, n_leaves, steps):
        self.n_leaves = n_leaves
        self.steps = steps  # list of (op name, operand indices); leaves are indices 0..n_leaves-1

    def _run(self, inputs, pick):
        if len(inputs) != self.n_leaves:
            raise ValueError(f"Expression: expected {self.n_leaves} inputs, got {len(inputs)}")
        nodes = list(inputs)
        for name, args in self.steps:
            nodes.append(pick(name)(*(nodes[i] for i in args)))
        return nodes[-1]

    def __call__(self, *values):
        return self._run(values, lambda name: _OPS[name][2])

    def evaluate(self, *floats):
        return self._run(floats, lambda name: _OPS[name][3])

    def __repr__(self):
        names = [f"x{i}" for i in range(self.n_leaves)]
        lines = []
        for k, (name, args) in enumerate(self.steps):
            names.append(f"v{k}")
            lines.append(f"v{k} = {name}({', '.join(names[i] for i in args)})")
        return f"Expression({', '.join(names[: self.n_leaves])}: " + "; ".join(lines) + ")"


@st.composite
def expressions(draw, n_leaves=3, max_steps=8, leaf_bound=2.0, value_bound=100.0):
    """A random ``Expression`` over ``n_leaves`` inputs with 1..max_steps ops.

    Every op is smooth (no kinks or poles), and ops are only chosen when the result provably
    stays within ``value_bound`` for inputs in [-leaf_bound, leaf_bound], so the function is
    well conditioned for central differences. Operands are drawn from all earlier results, so
    subexpressions are shared; the last step always uses the previous one, so most steps matter.
    """
    bounds = [leaf_bound] * n_leaves
    steps = []
    for _k in range(draw(st.integers(1, max_steps))):
        last = len(bounds) - 1
        first = draw(st.sampled_from([last, draw(st.integers(0, last))]))
        second = draw(st.integers(0, last))
        allowed = []
        for name, (arity, bound, _, _) in _OPS.items():
            args = (first, second)[:arity]
            if bound(*(bounds[i] for i in args)) <= value_bound:
                allowed.append(name)
        name = draw(st.sampled_from(sorted(allowed)))
        arity, bound = _OPS[name][0], _OPS[name][1]
        args = (first, second)[:arity]
        steps.append((name, args))
        bounds.append(bound(*(bounds[i] for i in args)))
    return Expression(n_leaves, steps)


# the tensor strategies (shapes, broadcastable shapes, arrays, non-contiguous layouts) are
# importable from here too, so users have one module to import from
from scalargrad.testing.tensors import *  # noqa: E402, F401, F403
