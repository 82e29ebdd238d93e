"""scalargrad.scalar.nn: shapes, initialisation, state_dict round trips and errors, gradients of a
whole MLP against central differences, and training to 100% accuracy on two moons."""

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import scalargrad as sg
from scalargrad import Value
from scalargrad.scalar import losses
from scalargrad.scalar.nn import MLP, Linear, Neuron, ReLU, Sigmoid, Softplus, Tanh
from scalargrad.testing.strategies import mlp_shapes


def test_linear_shapes_and_init():
    layer = Linear(4, 3, rng=0)
    assert (
        len(layer.weight) == 3
        and all(len(row) == 4 for row in layer.weight)
        and len(layer.bias) == 3
    )
    bound = 1 / math.sqrt(4)
    assert all(-bound <= p.data <= bound for p in layer.parameters())
    out = layer([1.0, 2.0, 3.0, 4.0])
    assert isinstance(out, list) and len(out) == 3
    single = Linear(2, 1, rng=0)([1.0, 2.0])
    assert isinstance(single, list) and len(single) == 1  # never unwrapped


def test_linear_computes_b_plus_w_dot_x():
    layer = Linear(2, 2, rng=1)
    x = [0.5, -1.5]
    out = layer(x)
    for j in range(2):
        products = [w.data * xi for w, xi in zip(layer.weight[j], x, strict=True)]
        expected = layer.bias[j].data + products[0] + products[1]
        assert out[j].data == expected


def test_init_is_seedable():
    a, b, c = MLP(2, [3, 1], rng=7), MLP(2, [3, 1], rng=7), MLP(2, [3, 1], rng=8)
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert [p.data for p in a.parameters()] != [p.data for p in c.parameters()]
    import random

    rng = random.Random(3)
    assert len(MLP(2, [3], rng=rng).parameters()) == 9


@given(mlp_shapes())
def test_mlp_structure_and_state_dict_keys(shape):
    nin, nouts = shape
    model = MLP(nin, nouts, rng=0)
    sizes = [nin] + nouts
    assert len(model.parameters()) == sum((sizes[i] + 1) * sizes[i + 1] for i in range(len(nouts)))
    sd = model.state_dict()
    assert list(sd) == [
        k for i in range(len(nouts)) for k in (f"layers.{i}.weight", f"layers.{i}.bias")
    ]
    for i in range(len(nouts)):
        assert sd[f"layers.{i}.weight"].shape == (sizes[i + 1], sizes[i])
        assert sd[f"layers.{i}.bias"].shape == (sizes[i + 1],)
        assert sd[f"layers.{i}.weight"].dtype == np.float64
    assert len(model([0.1] * nin)) == nouts[-1]
    names = [n for n, _ in model.named_parameters()]
    assert len(set(names)) == len(names) and names[0] == "layers.0.weight[0, 0]"


def test_state_dict_round_trip_and_copies():
    a, b = MLP(3, [4, 2], rng=0), MLP(3, [4, 2], rng=1)
    sd = a.state_dict()
    sd["layers.0.weight"][0, 0] += 0.0  # arrays are copies: editing them changes nothing
    b.load_state_dict(sd)
    x = [0.3, -0.2, 0.9]
    assert [v.data for v in a(x)] == [v.data for v in b(x)]
    weight = b.state_dict()["layers.1.weight"]
    assert weight[1, 3] == b.layers[1].weight[1][3].data


def test_load_state_dict_errors():
    model = MLP(2, [3, 1], rng=0)
    sd = model.state_dict()
    with pytest.raises(KeyError, match="missing.*layers.1.bias"):
        model.load_state_dict({k: v for k, v in sd.items() if k != "layers.1.bias"})
    with pytest.raises(KeyError, match="unexpected.*extra"):
        model.load_state_dict({**sd, "extra": np.zeros(1)})
    bad = dict(sd, **{"layers.0.weight": np.zeros((2, 3))})
    with pytest.raises(ValueError, match=r"layers.0.weight.*\(3, 2\).*\(2, 3\)"):
        model.load_state_dict(bad)
    with pytest.raises(TypeError, match="layers.1.bias.*numbers"):
        model.load_state_dict(dict(sd, **{"layers.1.bias": ["x"]}))


def test_constructor_and_call_errors():
    with pytest.raises(ValueError, match="activation"):
        MLP(2, [3, 1], activation="elu")
    with pytest.raises(ValueError, match="nouts"):
        MLP(2, [])
    with pytest.raises(ValueError, match="in_features"):
        Linear(0, 3)
    with pytest.raises(ValueError, match="expected 2 inputs, got 3"):
        Linear(2, 3)([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="rng"):
        MLP(2, [1], rng="seed")


def test_activations_and_neuron():
    x = [Value(-1.0), Value(2.0)]
    assert [v.data for v in ReLU()(x)] == [0.0, 2.0]
    assert Tanh()(Value(0.0)).data == 0.0 and Sigmoid()(Value(0.0)).data == 0.5
    assert math.isclose(Softplus()(Value(0.0)).data, math.log(2))
    n = Neuron(2, activation="tanh", rng=0)
    out = n(x)
    assert out._op == "tanh" and out.data == math.tanh(
        n.b.data + n.w[0].data * -1.0 + n.w[1].data * 2.0
    )
    assert MLP(2, [3, 1], activation="tanh")([1.0, 2.0])[0]._op == "dot"  # last layer linear


@given(
    st.sampled_from(["relu", "tanh", "sigmoid", "softplus"]),
    st.lists(st.floats(-1, 1), min_size=2, max_size=2),
    st.integers(0, 3),
)
def test_mlp_gradients_match_central_differences(activation, x, seed):
    model = MLP(2, [3, 2], activation=activation, rng=seed)
    assume(all(abs(v.data) > 1e-4 for v in model.layers[0](x)))  # away from relu's kink

    def objective():
        return Value.dot([1.0, 0.5], model(x))  # a scalar of both outputs

    objective().backward()
    analytic = [p.grad for p in model.parameters()]
    numeric = []
    eps = 1e-6
    with sg.no_grad():
        for p in model.parameters():
            original = p.data
            p.data = original + eps
            up = objective().data
            p.data = original - eps
            down = objective().data
            p.data = original
            numeric.append((up - down) / (2 * eps))
    assert np.allclose(analytic, numeric, rtol=1e-4, atol=1e-6)


# ---------------------------------------------------------------- training


def moons(n, noise, seed):
    """Two interleaving half circles with Gaussian noise; labels -1 (upper) / +1 (lower)."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, np.pi, n // 2)
    upper = np.column_stack([np.cos(t), np.sin(t)])
    lower = np.column_stack([1 - np.cos(t), 0.5 - np.sin(t)])
    X = np.vstack([upper, lower]) + rng.normal(scale=noise, size=(2 * (n // 2), 2))
    y = np.concatenate([-np.ones(n // 2), np.ones(n // 2)])
    return X.tolist(), y.tolist()


@pytest.mark.parametrize("seed", [0, 1])
def test_mlp_learns_moons_to_full_training_accuracy(seed):
    X, y = moons(100, noise=0.1, seed=seed)  # the size and noise of micrograd's demo
    model = MLP(2, [16, 16, 1], rng=seed)
    optimizer = sg.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(300):
        scores = [model(row)[0] for row in X]
        accuracy = np.mean([(s.data > 0) == (t > 0) for s, t in zip(scores, y, strict=True)])
        if accuracy == 1.0:
            break
        loss = losses.hinge(scores, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert accuracy == 1.0
