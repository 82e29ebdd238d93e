"""matmul (1-D, 2-D, batched with broadcast batch axes), dot/mv/mm, softmax family."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matrix_gradients import check_gradients

import scalargrad as sg
from scalargrad.testing.tensors import arrays, layouts, matmul_shapes, nonempty_shapes


@given(st.data())
def test_matmul_all_cases(data):
    sa, sb = data.draw(matmul_shapes())
    a = data.draw(layouts(arrays(sa, min_value=-2, max_value=2)))
    b = data.draw(layouts(arrays(sb, min_value=-2, max_value=2)))
    y = check_gradients(lambda x, w: x @ w, a, b)
    np.testing.assert_allclose(y.detach().numpy(), np.matmul(a, b), rtol=1e-12, atol=1e-12)
    assert y.shape == np.matmul(a, b).shape


def test_dot_mv_mm():
    a = sg.tensor([[1.0, 2.0], [3.0, 4.0]])
    v = sg.tensor([1.0, -1.0])
    assert v.dot(v).item() == 2.0
    assert a.mv(v).tolist() == [-1.0, -1.0]
    assert a.mm(a).tolist() == [[7.0, 10.0], [15.0, 22.0]]
    assert (sg.tensor([[1, 2], [3, 4]]) @ sg.tensor([1, 1])).tolist() == [3, 7]
    with pytest.raises(RuntimeError, match="dot"):
        a.dot(v)


def test_matmul_errors():
    with pytest.raises(
        RuntimeError, match=r"matmul: shapes \(2, 3\) and"
                            r" \(4, 5\) cannot be multiplied"
    ):
        sg.ones(2, 3) @ sg.ones(4, 5)
    with pytest.raises(ValueError, match="at least 1D"):
        sg.ones(2, 3) @ sg.tensor(2.0)
    with pytest.raises(RuntimeError, match="batch"):
        sg.ones(2, 2, 3) @ sg.ones(3, 3, 4)


def test_softmax_curriculum_numbers():
    p = sg.tensor([2.0, 1.0, 0.1]).softmax(dim=0)
    np.testing.assert_allclose(p.numpy(), [0.659, 0.242, 0.099], atol=1e-3)


def np_softmax(a, axis):
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize("op", ["softmax", "log_softmax", "logsumexp"])
@given(data=st.data())
def test_softmax_family(op, data):
    a = data.draw(layouts(arrays(nonempty_shapes(min_dims=1, max_dims=3, max_side=3))))
    dim = data.draw(st.integers(-a.ndim, a.ndim - 1))
    y = check_gradients(lambda x: getattr(x, op)(dim), a)
    s = np_softmax(a, dim)
    expected = {
        "softmax": s,
        "log_softmax": np.log(s),
        "logsumexp": np.log(np.exp(a - a.max(axis=dim, keepdims=True)).sum(axis=dim))
        + a.max(axis=dim),
    }[op]
    np.testing.assert_allclose(y.detach().numpy(), expected, rtol=1e-10, atol=1e-12)


def test_softmax_is_stable_for_huge_logits():
    x = sg.tensor([1000.0, 0.0, -1000.0])
    assert x.softmax(0).tolist() == [1.0, 0.0, 0.0]
    assert x.log_softmax(0).tolist()[0] == 0.0
    assert x.logsumexp(0).item() == 1000.0
