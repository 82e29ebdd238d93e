"""Sequential and ModuleList: order, indexing, slicing, state_dict keys, errors."""

from collections import OrderedDict

import numpy as np
import pytest

import scalargrad as sg
from scalargrad import nn


def test_sequential_runs_in_order_and_indexes():
    sg.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 3))
    assert len(model) == 3
    assert isinstance(model[0], nn.Linear) and isinstance(model[-2], nn.Tanh)
    x = sg.randn(5, 2)
    manual = model[2](model[1](model[0](x)))
    np.testing.assert_array_equal(model(x).detach().numpy(), manual.detach().numpy())
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    tail = model[1:]
    assert isinstance(tail, nn.Sequential) and len(tail) == 2 and tail[1] is model[2]
    assert [type(m).__name__ for m in model] == ["Linear", "Tanh", "Linear"]


def test_sequential_with_names_and_append():
    model = nn.Sequential(OrderedDict([("hidden", nn.Linear(2, 2)), ("act", nn.ReLU())]))
    model.append(nn.Linear(2, 1))
    assert list(model.state_dict()) == ["hidden.weight", "hidden.bias", "2.weight", "2.bias"]
    assert model.hidden is model[0]


def test_sequential_errors():
    with pytest.raises(TypeError, match="Module"):
        nn.Sequential(nn.Linear(1, 1), lambda x: x)
    with pytest.raises(IndexError, match="index 5 is out of range for 2"):
        nn.Sequential(nn.ReLU(), nn.ReLU())[5]


def test_module_list():
    layers = nn.ModuleList([nn.Linear(1, 2)])
    layers.append(nn.Linear(2, 3)).extend([nn.ReLU()])
    assert len(layers) == 3
    assert [n for n, _ in layers.named_parameters()] == ["0.weight", "0.bias", "1.weight", "1.bias"]
    layers[2] = nn.Tanh()
    assert isinstance(layers[2], nn.Tanh)
    with pytest.raises(TypeError):
        layers.append("relu")
