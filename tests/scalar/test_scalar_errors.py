"""Scalar-engine misuse, gradcheck arguments, and graph drawing of both engines."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import scalargrad as sg
from scalargrad import Value
from scalargrad.errors import InputValueError
from scalargrad.scalar import losses
from scalargrad.scalar import nn as snn
from scalargrad.viz import confusion_matrix, draw_graph, graph_nodes, to_dot

outside = st.one_of(st.floats(-1e6, -1e-3), st.floats(1.001, 1e6))


@given(
    st.sampled_from([losses.binary_cross_entropy, losses.binary_cross_entropy_with_logits]), outside
)
def test_scalar_bce_targets_outside_0_1_are_refused(loss, bad):
    with pytest.raises(InputValueError, match=r"target 1 is .*probabilities in \[0, 1\]") as e:
        loss([Value(0.4), Value(0.6)], [1.0, bad])
    assert "(y + 1) / 2" in str(e.value)


def test_scalar_mlp_nouts_must_be_a_list():
    with pytest.raises(TypeError, match="nouts must be a list of layer sizes"):
        snn.MLP(2, 3)


@given(st.sampled_from([0, 0.0, -1e-6, math.inf, math.nan]))
def test_gradcheck_eps_must_be_a_positive_step(eps):
    with pytest.raises(ValueError, match="gradcheck: eps must be a positive step"):
        sg.gradcheck(lambda x: x * 2, [Value(1.0)], eps=eps)


def test_gradcheck_arguments():
    with pytest.raises(TypeError, match="gradcheck: eps must be a number"):
        sg.gradcheck(lambda x: x, [Value(1.0)], eps="1e-6")
    with pytest.raises(ValueError, match="atol and rtol must be >= 0"):
        sg.gradcheck(lambda x: x, [Value(1.0)], atol=-1)
    with pytest.raises(TypeError, match="fn must be callable"):
        sg.gradcheck(3, [Value(1.0)])
    assert sg.gradcheck(lambda x: x * x, Value(1.5))  # a lone input is a list of one


@pytest.mark.filterwarnings("ignore:log:RuntimeWarning")
def test_gradcheck_fails_where_both_derivatives_are_nan():
    def f(x):  # nan everywhere: there is nothing to compare
        return (x - 10.0).log()

    assert not sg.gradcheck(f, [Value(1.0)])
    x = sg.tensor([1.0, 2.0], dtype=sg.float64, requires_grad=True)
    report = sg.gradcheck(lambda t: (t - 10.0).log().sum(), [x])
    assert not report and "nan" in str(report)


@given(st.integers(-5, -1) | st.integers(3, 9))
def test_confusion_matrix_refuses_labels_outside_the_classes(bad):
    with pytest.raises(ValueError, match=f"holds label {bad}, outside the 3 classes"):
        confusion_matrix([0, 1, 2, bad], [0, 1, 2, 0], n_classes=3)
    if bad < 0:
        with pytest.raises(ValueError, match=f"y_pred holds label {bad}"):
            confusion_matrix([0, 1], [0, bad])


def test_confusion_matrix_refuses_scores():
    with pytest.raises(ValueError, match=r"not a class index.*argmax"):
        confusion_matrix([0, 1], [0.2, 0.9])


def test_graph_of_a_tensor_names_grad_fns_shapes_and_dtypes(tmp_path):
    w = sg.randn(3, 2, requires_grad=True)
    x = sg.randn(4, 3)
    y = (x @ w).relu().sum()
    dot = to_dot(y)
    for words in ("MmBackward0", "(4, 2) float32", "ReluBackward0", "SumBackward0",
                  "AccumulateGrad", "(3, 2) float32"):
        assert words in dot
    order, edges = graph_nodes(y)
    assert [n.lines[0] for n in order] == [
        "AccumulateGrad", "MmBackward0", "ReluBackward0", "SumBackward0"]
    assert len(edges) == 3
    draw_graph(y, tmp_path / "g.png")
    assert (tmp_path / "g.png").stat().st_size > 0


def test_graph_of_a_leaf_tensor_and_of_a_shared_input():
    w = sg.randn(2, requires_grad=True)
    assert "leaf, requires_grad" in to_dot(w)
    order, _ = graph_nodes(w * w + w)
    assert sum(n.lines[0] == "AccumulateGrad" for n in order) == 1  # one leaf node, reused


@pytest.mark.parametrize("fn", [to_dot, draw_graph, graph_nodes])
def test_graph_functions_refuse_other_objects(fn):
    with pytest.raises(TypeError, match="expected a Value or a Tensor"):
        fn([1.0])


def test_gradcheck_of_tensors_checks_what_fn_returns():
    x = sg.tensor([1.0], dtype=sg.float64, requires_grad=True)
    with pytest.raises(TypeError, match="fn must return a Tensor for Tensor inputs, got list"):
        sg.gradcheck(lambda t: [t], [x])
    with pytest.raises(ValueError, match="does not depend on any input with requires_grad"):
        sg.gradcheck(lambda t: t.detach() * 2, [x])


@given(st.sampled_from([0, 0.5, 2, -2]))
def test_hinge_targets_must_be_minus_one_or_one(bad):
    words = r"hinge targets are labels in \{-1, \+1\}.*2 \* y - 1"
    with pytest.raises(InputValueError, match=words):
        losses.hinge([Value(0.3), Value(-0.2)], [1, bad])


def test_cross_entropy_rows_must_score_the_same_classes():
    with pytest.raises(ValueError, match="row 1 of logits has 1 classes but row 0 has 2"):
        losses.cross_entropy([[Value(1.0), Value(2.0)], [Value(1.0)]], [0, 0])


def test_plot_decision_boundary_needs_a_function():
    import numpy as np

    with pytest.raises(TypeError, match="predict must be a function"):
        sg.viz.plot_decision_boundary(None, np.zeros((3, 2)), np.zeros(3))
