"""Tensor misuse: exact integers, views that cannot be views, lists for tensors, backward after
no_grad. Each case asserts the exception type and the words that say what to fix."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import scalargrad as sg
from scalargrad.errors import InputValueError

# ---------------------------------------------------------------- construction stays exact


@given(st.sampled_from([float("nan"), float("inf"), -float("inf"), 2.0**63, -(2.0**64)]))
def test_floats_that_int64_cannot_hold_are_refused(value):
    with pytest.raises(InputValueError, match="cannot be converted to type int64 without overflow"):
        sg.tensor([1.0, value], dtype=sg.int64)
    with pytest.raises(RuntimeError, match="tensor: value"):
        sg.tensor(np.array([value]), dtype="int64")


@given(st.integers(2**63, 2**64 - 1))
def test_uint64_beyond_int64_is_refused(value):
    with pytest.raises(InputValueError, match=f"value {value} cannot be converted to type int64"):
        sg.tensor(np.array([value], dtype=np.uint64))
    with pytest.raises(InputValueError, match="from_numpy"):
        sg.from_numpy(np.array([value], dtype=np.uint64))
    with pytest.raises(InputValueError, match="int64"):
        sg.tensor([value])


@given(st.integers(-(2**63), 2**63 - 1))
def test_every_int64_round_trips_exactly(value):
    assert sg.tensor([value]).item() == value
    assert sg.tensor(np.array([value], dtype=np.int64)).item() == value


def test_python_ints_beyond_uint64_are_refused():
    with pytest.raises(InputValueError, match="too large for int64"):
        sg.tensor([[1, 2**70]])


def test_whole_floats_convert_and_fractions_truncate_as_pytorch():
    assert sg.tensor([2.0, -3.0, 1.5], dtype=sg.int64).tolist() == [2, -3, 1]


# ---------------------------------------------------------------- integer arithmetic is exact

int64s = st.integers(-(2**62), 2**62)


def wrap(x):
    """x reduced to int64 as two's complement (PyTorch's overflow)."""
    return (x + 2**63) % 2**64 - 2**63


@given(int64s, int64s)
def test_integer_add_mul_compare_are_exact(a, b):
    x, y = sg.tensor([a]), sg.tensor([b])
    assert (x + y).item() == wrap(a + b)
    assert (x * y).item() == wrap(a * b)
    assert (x > y).item() == (a > b) and (x == y).item() == (a == b)
    assert sg.tensor([a, b]).sum().item() == wrap(a + b)


@given(st.integers(-(2**31), 2**31), st.integers(0, 70))
def test_integer_pow_is_exact_and_wraps_as_pytorch(base, exponent):
    assert (sg.tensor([base]) ** exponent).item() == wrap(base**exponent)
    assert (sg.tensor([base]) ** sg.tensor([exponent])).item() == wrap(base**exponent)


@given(st.integers(-(2**31), 2**31), st.integers(-(2**31), 2**31), st.integers(1, 4))
def test_integer_matmul_is_exact(a, b, k):
    x = sg.tensor([[a] * k])
    y = sg.tensor([[b]] * k)
    assert (x @ y).item() == wrap(a * b * k)


def test_bool_pow():
    assert (sg.tensor([True, False, False]) ** sg.tensor([True, True, False])).tolist() == [
        True, False, True]


# ---------------------------------------------------------------- view never copies


@given(st.integers(2, 5), st.integers(2, 5))
def test_view_of_a_transpose_is_an_error_reshape_copies(m, n):
    x = sg.arange(m * n).reshape(m, n).t()
    with pytest.raises(RuntimeError, match=r"view size is not compatible.*Use \.reshape"):
        x.view(m * n)
    assert x.reshape(m * n).tolist() == np.arange(m * n).reshape(m, n).T.reshape(-1).tolist()


@given(st.integers(1, 4), st.integers(1, 4))
def test_view_writes_go_through(m, n):
    x = sg.zeros(m, n)
    v = x.view(m * n)
    v[0] = 7.0
    assert x[0, 0].item() == 7.0
    x.t().view(n, m, 1)  # splitting axes of a transposed tensor is a view


# ---------------------------------------------------------------- lists and autograd state


@pytest.mark.parametrize("op, call", [
    ("add", lambda t: t + [1.0]), ("add", lambda t: [1.0] + t), ("mul", lambda t: t * (2.0,)),
    ("sub", lambda t: t - [1.0]), ("div", lambda t: t / [1.0]), ("pow", lambda t: t ** [2.0]),
    ("matmul", lambda t: t @ [1.0]), ("matmul", lambda t: [1.0] @ t),
])
def test_list_operands_name_the_op_and_the_fix(op, call):
    with pytest.raises(TypeError, match=rf"{op}: expected a Tensor or a number, got "
                                        r"(list|tuple); wrap it with sg\.tensor"):
        call(sg.tensor([1.0]))


def test_backward_of_a_no_grad_result_mentions_no_grad():
    w = sg.randn(3, requires_grad=True)
    with sg.no_grad():
        loss = (w * 2).sum()
    with pytest.raises(RuntimeError, match=r"computed inside sg\.no_grad\(\)"):
        loss.backward()


def test_backward_without_parameters_says_what_to_check():
    loss = (sg.randn(3) * 2).sum()
    with pytest.raises(RuntimeError, match="does not require grad.*requires_grad=True.*no_grad"):
        loss.backward()


# ---------------------------------------------------------------- .grad, std, init, matmul


def test_grad_of_a_non_leaf_warns_and_retain_grad_silences_it():
    w = sg.randn(3, requires_grad=True)
    y = w * 2
    with pytest.warns(UserWarning, match=r"not a leaf Tensor.*MulBackward.*retain_grad"):
        assert y.grad is None
    y.retain_grad()
    y.sum().backward()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert y.grad.tolist() == [1.0, 1.0, 1.0] and w.grad.tolist() == [2.0, 2.0, 2.0]


@given(st.integers(1, 4), st.integers(1, 4).filter(lambda m: m > 1))
def test_assigning_a_grad_of_another_shape_or_dtype_is_refused(n, m):
    w = sg.zeros(n, requires_grad=True)
    with pytest.raises(RuntimeError, match=rf"gradient of size '\[{n}, {m}\]' to a tensor of size"):
        w.grad = sg.ones(n, m)
    with pytest.raises(RuntimeError, match="scalargrad.float64.*to a tensor of scalargrad.float32"):
        w.grad = sg.ones(n, dtype=sg.float64)
    with pytest.raises(TypeError, match="Tensor or None but got grad of type list"):
        w.grad = [0.0] * n
    w.grad = sg.ones(n)
    assert w.grad.shape == (n,)


@given(st.integers(1, 3))
def test_std_of_one_element_per_result_warns(n):
    x = sg.randn(n, 1)
    with pytest.warns(RuntimeWarning, match="degrees of freedom is <= 0"):
        x.std(dim=1)
    with pytest.warns(RuntimeWarning, match="unbiased=False"):
        x[0].var()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x.std(dim=1, unbiased=False)


@pytest.mark.parametrize("init", ["normal_", "uniform_", "kaiming_uniform_", "xavier_normal_"])
def test_random_init_of_an_integer_tensor_is_refused(init):
    with pytest.raises(TypeError, match="init: random values need a floating point tensor"):
        getattr(sg.nn.init, init)(sg.zeros(2, 2, dtype=sg.int64))
    assert sg.nn.init.constant_(sg.zeros(2, dtype=sg.int64), 3).tolist() == [3, 3]


@given(st.integers(-5, 5) | st.floats(-5, 5))
def test_matmul_by_a_number_says_use_star(k):
    with pytest.raises(TypeError, match=r"matmul: both operands must be Tensors.*use \*"):
        sg.ones(2, 2) @ k


@given(st.floats(-3, 3).filter(lambda v: v != int(v)))
def test_in_place_clamp_of_integers_by_a_fraction_is_refused(bound):
    x = sg.tensor([1, 2])
    with pytest.raises(RuntimeError, match="clamp_: result type float32 can't be cast"):
        x.clamp_(min=bound)
    assert x.tolist() == [1, 2]


def test_setitem_of_a_string_names_setitem():
    with pytest.raises(TypeError, match="setitem: the value must be a number.*got str 'a'"):
        sg.zeros(3)[0] = "a"


@pytest.mark.parametrize("method", ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "eq",
                                    "ne", "lt", "le", "gt", "ge", "matmul", "add_", "sub_", "mul_",
                                    "div_"])
@pytest.mark.parametrize("junk", ["a", None, {}])
def test_named_methods_raise_where_operators_return_not_implemented(method, junk):
    x = sg.randn(2)
    with pytest.raises(TypeError, match=f"{method}: expected a Tensor or a number, got"):
        getattr(x, method)(junk)


@pytest.mark.parametrize("method", ["dot", "mm", "mv"])
def test_linear_algebra_of_non_tensors(method):
    with pytest.raises(TypeError, match=f"{method}: expected"):
        getattr(sg.ones(2, 2) if method != "dot" else sg.ones(2), method)("a")


def test_alpha_must_be_a_number():
    with pytest.raises(TypeError, match="add: expected a Tensor or a number and a numeric alpha"):
        sg.ones(2).add(None, alpha=2)
    assert sg.ones(2).add(sg.ones(2), alpha=3).tolist() == [4.0, 4.0]


@given(st.sampled_from([float("nan"), float("inf"), 2**63, 2.0**70]))
def test_full_refuses_values_int64_cannot_hold(value):
    with pytest.raises(InputValueError, match="full: value .* cannot be converted to type int64"):
        sg.full((2,), value, dtype=sg.int64)


def test_full_refuses_a_list_and_huge_ints():
    with pytest.raises(TypeError, match="full: fill_value must be one number"):
        sg.full(2, [1, 2])
    with pytest.raises(InputValueError, match="full: fill_value must be one number"):
        sg.full(2, 2**64)


@given(st.sampled_from(["rand", "randn"]), st.sampled_from([sg.int64, sg.bool]))
def test_random_floats_of_an_integer_dtype_are_refused(fn, dtype):
    with pytest.raises(TypeError, match=f"{fn}: draws floating point numbers.*got {dtype}"):
        getattr(sg, fn)(3, dtype=dtype)


@pytest.mark.parametrize("seed", ["a", 1.5, -1, None])
def test_manual_seed_needs_a_non_negative_int(seed):
    with pytest.raises(TypeError, match="manual_seed: seed must be a non-negative int"):
        sg.manual_seed(seed)
