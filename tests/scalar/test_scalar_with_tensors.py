"""Where the scalar engine's tools meet the matrix engine: gradcheck on Tensors, the optimizers
on Tensor parameters, and state_dicts moved between the engines' MLPs."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import scalargrad as sg
from scalargrad import Value
from scalargrad.optim import SGD, Adam
from scalargrad.scalar.nn import MLP
from scalargrad.testing.strategies import mlp_shapes


def leaf(array):
    return sg.tensor(np.asarray(array, dtype=np.float64), dtype=sg.float64, requires_grad=True)


@given(st.lists(st.floats(-2, 2), min_size=6, max_size=6))
def test_gradcheck_passes_on_tensor_ops(xs):
    a = leaf(np.reshape(xs, (2, 3)))
    b = leaf([0.5, -1.0, 2.0])
    assert sg.gradcheck(lambda x, y: (x * y).tanh(), [a, b])  # non-scalar output
    assert sg.gradcheck(lambda x: (x * x).sum(), [a])  # scalar output


def test_gradcheck_catches_a_missing_path_on_tensors_and_names_the_element():
    a = leaf([[0.5, -1.2], [0.3, 2.0]])
    report = sg.gradcheck(lambda x: x * x.detach(), [a])  # backprop sees one path, numerics two
    assert not report and len(report.failures) == 4
    assert {f.element for f in report.failures} == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert "input 0, element (1, 0)" in str(report)


def test_gradcheck_treats_tensors_without_grad_as_constants():
    a = leaf([1.0, 2.0])
    c = sg.tensor(np.array([3.0, -1.0]), dtype=sg.float64)
    report = sg.gradcheck(lambda x, k: (x * k).exp(), [a, c])
    assert report and report.checked == 2


def test_gradcheck_rejects_float32_inputs():
    a = sg.tensor([1.0, 2.0], requires_grad=True)  # float32
    with pytest.raises(ValueError, match="input 0 must be float64"):
        sg.gradcheck(lambda x: x * x, [a])


def test_optimizers_update_tensors_like_values():
    rng = np.random.default_rng(0)
    start = rng.normal(size=(2, 3))
    for make in [
        lambda ps: SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
        lambda ps: Adam(ps, lr=0.05, weight_decay=0.01),
    ]:
        t = leaf(start)
        values = [Value(x) for x in start.ravel()]
        opt_t, opt_v = make([t]), make(values)
        for _ in range(3):
            opt_t.zero_grad()
            assert t.grad is None
            ((t * t * t).sum()).backward()
            opt_t.step()
            opt_v.zero_grad()
            Value.sum([v * v * v for v in values]).backward()
            opt_v.step()
        assert np.allclose(t.detach().numpy().ravel(), [v.data for v in values], rtol=1e-12)


def test_tensor_without_grad_is_skipped():
    a, b = leaf([1.0]), leaf([2.0])
    opt = SGD([a, b], lr=0.1)
    (a * 3).sum().backward()
    opt.step()
    assert a.detach().numpy()[0] == 1.0 - 0.3 and b.detach().numpy()[0] == 2.0


@given(mlp_shapes(), st.sampled_from(["relu", "tanh"]))
def test_state_dict_moves_between_engines(shape, activation):
    nin, nouts = shape
    scalar_model = MLP(nin, nouts, activation=activation, rng=0)
    matrix_model = sg.nn.MLP(nin, nouts, activation=activation, dtype=sg.float64)
    matrix_model.load_state_dict(scalar_model.state_dict())
    x = np.random.default_rng(1).uniform(-1, 1, size=(3, nin))
    expected = [[v.data for v in scalar_model(row)] for row in x.tolist()]
    got = matrix_model(sg.tensor(x, dtype=sg.float64)).detach().numpy()
    assert np.allclose(got, expected, rtol=1e-12, atol=1e-12)
    back = MLP(nin, nouts, activation=activation, rng=5)
    back.load_state_dict(matrix_model.state_dict())
    assert [p.data for p in back.parameters()] == [p.data for p in scalar_model.parameters()]
