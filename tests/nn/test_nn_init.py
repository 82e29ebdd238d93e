"""nn.init: bounds and scales of each scheme, gains, reproducibility, errors."""

import math

import numpy as np
import pytest

import scalargrad as sg
from scalargrad.nn import init


def test_uniform_normal_constant():
    sg.manual_seed(0)
    t = sg.zeros(200, 100)
    w = init.uniform_(t, -2.0, 3.0).numpy()
    assert w.min() >= -2.0 and w.max() <= 3.0 and abs(w.mean() - 0.5) < 0.05
    w = init.normal_(t, 1.0, 2.0).numpy()
    assert abs(w.mean() - 1.0) < 0.05 and abs(w.std() - 2.0) < 0.05
    np.testing.assert_array_equal(init.constant_(t, 0.25).numpy(), 0.25)
    np.testing.assert_array_equal(init.zeros_(t).numpy(), 0.0)
    np.testing.assert_array_equal(init.ones_(t).numpy(), 1.0)


def test_kaiming_and_xavier_scales():
    sg.manual_seed(1)
    t = sg.zeros(300, 200)  # fan_in 200, fan_out 300
    w = init.kaiming_uniform_(t, nonlinearity="relu").numpy()
    bound = math.sqrt(2) * math.sqrt(3 / 200)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    w = init.kaiming_normal_(t, nonlinearity="relu").numpy()
    assert abs(w.std() - math.sqrt(2 / 200)) < 0.05 * math.sqrt(2 / 200)
    w = init.xavier_uniform_(t).numpy()
    assert np.abs(w).max() <= math.sqrt(6 / 500)
    w = init.xavier_normal_(t).numpy()
    assert abs(w.std() - math.sqrt(2 / 500)) < 0.05 * math.sqrt(2 / 500)
    # PyTorch's Linear default: kaiming_uniform_(a=sqrt 5) is U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    w = init.kaiming_uniform_(t, a=math.sqrt(5)).numpy()
    assert np.abs(w).max() <= 1 / math.sqrt(200) + 1e-7


def test_gains_and_fans():
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("leaky_relu", math.sqrt(5)) == pytest.approx(math.sqrt(1 / 3))
    assert init.calculate_fan_in_and_fan_out(sg.zeros(4, 3)) == (3, 4)
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init.kaiming_uniform_(sg.zeros(3))
    with pytest.raises(ValueError, match="nonlinearity"):
        init.calculate_gain("swish")


def test_init_keeps_the_parameter_and_records_no_graph():
    layer = sg.nn.Linear(3, 2)
    w = layer.weight
    init.zeros_(layer.weight)
    assert layer.weight is w and w.is_leaf and w.requires_grad
    np.testing.assert_array_equal(w.detach().numpy(), 0.0)
