"""backward(): the chain rule over whole graphs, accumulation, shared nodes, deep graphs,
no_grad, fused nodes against the composite ops, algebraic identities."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import scalargrad as sg
from scalargrad import Value
from scalargrad.testing.strategies import expressions, positive_floats

leaf_values = st.floats(-2, 2)


@given(expressions(n_leaves=3), st.lists(leaf_values, min_size=3, max_size=3))
def test_random_expression_dags_match_central_differences(expr, xs):
    out = expr(*[Value(x) for x in xs])
    reference = expr.evaluate(*xs)
    assert math.isclose(out.data, reference, rel_tol=1e-9, abs_tol=1e-12), expr
    report = sg.gradcheck(expr, [Value(x) for x in xs], rtol=1e-4)
    assert report, f"{expr}\n{report}"


def test_a_node_used_twice_gets_the_sum_of_its_paths():
    a = Value(3.0)
    b = a + a
    c = b * b  # c = 4 a^2, dc/da = 8a
    c.backward()
    assert c.data == 36.0 and a.grad == 24.0 and b.grad == 12.0


def test_three_backward_calls_accumulate_3_6_9_and_zero_grad_resets():
    a = Value(5.0)
    y = a * 3
    grads = []
    for _ in range(3):
        y.backward()
        grads.append(a.grad)
    assert grads == [3.0, 6.0, 9.0]
    assert y.grad == 1.0  # interior nodes hold this pass's gradient, not a running sum
    model_like = sg.scalar.nn.Linear(1, 1, rng=0)
    out = model_like([a])[0]
    out.backward()
    model_like.zero_grad()
    assert all(p.grad == 0.0 for p in model_like.parameters())


def test_backward_gradient_argument_scales():
    a = Value(2.0)
    (a * a).backward(gradient=0.5)
    assert a.grad == 2.0


def test_backward_on_a_leaf():
    a = Value(2.0)
    a.backward()
    a.backward()
    assert a.grad == 2.0


def test_graph_sharing_interior_nodes_between_two_roots():
    x = Value(2.0)
    h = x * x
    (h * 3).backward()  # d/dx = 6x = 12
    (h + 1).backward()  # d/dx = 2x = 4, added
    assert x.grad == 16.0


def test_deep_chain_of_a_million_nodes_needs_no_recursion():
    x = Value(0.5)
    y = x
    for _ in range(1_000_000):
        y = y + 1e-6
    y.backward()
    assert x.grad == 1.0 and math.isclose(y.data, 1.5)


def test_deep_multiplicative_chain_gradient():
    x = Value(1.0)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.backward()
    assert math.isclose(x.grad, 1.0001**10_000, rel_tol=1e-9)


# ---------------------------------------------------------------- no_grad


def test_no_grad_records_no_graph():
    a = Value(2.0)
    with sg.no_grad():
        b = a * a
    assert b.data == 4.0 and b._prev == ()
    with pytest.raises(RuntimeError, match="no_grad"):
        b.backward()


def test_backward_inside_no_grad_on_a_graph_built_outside():
    a = Value(2.0)
    b = a * a
    with sg.no_grad():
        b.backward()
    assert a.grad == 4.0


def test_no_grad_as_decorator_and_enable_grad():
    @sg.no_grad()
    def f(v):
        return v * 2

    assert f(Value(1.0))._prev == ()
    with sg.no_grad():
        with sg.enable_grad():
            c = Value(1.0) * 2
    assert c._prev != ()


# ---------------------------------------------------------------- fused nodes vs composite ops


@given(
    st.integers(1, 6).flatmap(
        lambda n: st.tuples(
            st.lists(st.floats(-3, 3), min_size=n, max_size=n),
            st.lists(st.floats(-3, 3), min_size=n, max_size=n),
            st.floats(-3, 3),
        )
    )
)
def test_dot_matches_the_composite_neuron(args):
    ws, xs, b = args

    def composite():
        w, x, bias = [Value(v) for v in ws], [Value(v) for v in xs], Value(b)
        out = bias
        for wi, xi in zip(w, x, strict=True):
            out = out + wi * xi
        return out, w, x, bias

    def fused():
        w, x, bias = [Value(v) for v in ws], [Value(v) for v in xs], Value(b)
        return Value.dot(w, x, bias), w, x, bias

    (c, cw, cx, cb), (f, fw, fx, fb) = composite(), fused()
    assert f.data == c.data  # same additions in the same order: bit-identical
    c.backward()
    f.backward()
    assert [v.grad for v in fw + fx + [fb]] == [v.grad for v in cw + cx + [cb]]


@given(st.lists(st.floats(-3, 3), min_size=1, max_size=8))
def test_dot_of_values_with_themselves_is_sum_of_squares(xs):
    vs = [Value(x) for x in xs]
    out = Value.dot(vs, vs)
    out.backward()
    assert math.isclose(out.data, sum(x * x for x in xs), rel_tol=1e-12, abs_tol=1e-300)
    assert [v.grad for v in vs] == [2 * x for x in xs]


@given(st.lists(st.one_of(st.floats(-3, 3), st.floats(-3, 3).map(Value)), min_size=1, max_size=8))
def test_fused_sum_matches_builtin_sum(items):
    fused = Value.sum(items)
    composite = sum(items, Value(0.0))
    assert fused.data == composite.data
    fused.backward()
    assert all(v.grad == 1.0 for v in items if isinstance(v, Value))


def test_dot_gradcheck_with_number_inputs():
    report = sg.gradcheck(
        lambda w0, w1, b: Value.dot([w0, w1], [0.5, -2.0], b), [Value(1.0), Value(2.0), Value(3.0)]
    )
    assert report


def test_dot_length_mismatch():
    with pytest.raises(ValueError, match="dot"):
        Value.dot([Value(1.0)], [1.0, 2.0])


# ---------------------------------------------------------------- algebraic identities


@given(st.floats(-10, 10))
def test_identities(x):
    a = Value(x)
    for expr, expected_grad in [
        (a * 1, 1.0),
        (a + 0, 1.0),
        (a - a, 0.0),
        (a * 0, 0.0),
        (-a.__neg__(), 1.0),
    ]:
        a.grad = 0.0
        expr.backward()
        assert a.grad == expected_grad
    assert (a * 1).data == x and (a + 0).data == x and (-a.__neg__()).data == x


@given(positive_floats(0.01, 100))
def test_power_identities_on_positive_numbers(x):
    a = Value(x)
    y = (a**2) ** 0.5
    y.backward()
    assert math.isclose(y.data, x, rel_tol=1e-12) and math.isclose(a.grad, 1.0, rel_tol=1e-9)
    b = Value(x)
    z = b.log().exp()
    z.backward()
    assert math.isclose(z.data, x, rel_tol=1e-12) and math.isclose(b.grad, 1.0, rel_tol=1e-9)
    c = Value(x)
    w = c / c
    w.backward()
    assert w.data == 1.0 and abs(c.grad) < 1e-12


@given(st.floats(-20, 20))
def test_sigmoid_tanh_softplus_relations(x):
    a = Value(x)
    assert math.isclose(
        (2 * (2 * a).sigmoid() - 1).data, a.tanh().data, rel_tol=1e-9, abs_tol=1e-12
    )
    b = Value(x)
    b.softplus().backward()
    assert math.isclose(b.grad, b.sigmoid().data, rel_tol=1e-12)
