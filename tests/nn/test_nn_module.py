"""Module: registration order, parameters, state_dict round trips, train/eval, zero_grad, to,
repr."""

import numpy as np
import pytest

import scalargrad as sg
from scalargrad import nn


class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(2, 3)
        self.scale = nn.Parameter(np.ones(1))
        self.out = nn.Linear(3, 1)
        self.note = "not a parameter"

    def forward(self, x):
        return self.out(self.hidden(x).relu()) * self.scale


class Forgetful(nn.Module):
    def __init__(self):  # forgets super().__init__(): still registers (a common student slip)
        self.layer = nn.Linear(1, 1)

    def forward(self, x):
        return self.layer(x)


def test_attributes_register_parameters_and_modules_in_order():
    m = TwoLayer()
    names = [n for n, _ in m.named_parameters()]
    assert names == ["scale", "hidden.weight", "hidden.bias", "out.weight", "out.bias"]
    assert [n for n, _ in m.named_children()] == ["hidden", "out"]
    assert [n for n, _ in m.named_modules()] == ["", "hidden", "out"]
    assert list(m.children()) == [m.hidden, m.out]
    assert len(list(m.parameters())) == 5
    assert m.num_parameters() == 1 + 6 + 3 + 3 + 1
    assert m.note == "not a parameter"
    assert isinstance(m.scale, nn.Parameter) and m.scale.requires_grad


def test_reassigning_and_deleting_attributes_updates_the_registry():
    m = TwoLayer()
    m.hidden = nn.Linear(2, 3)
    m.out = None
    assert [n for n, _ in m.named_children()] == ["hidden"]
    del m.scale
    assert [n for n, _ in m.named_parameters()] == ["hidden.weight", "hidden.bias"]
    with pytest.raises(AttributeError, match="scale"):
        _ = m.scale


def test_shared_parameters_are_listed_once():
    m = nn.Module()
    m.a = nn.Linear(2, 2)
    m.b = m.a
    assert len(list(m.parameters())) == 2


@pytest.mark.parametrize("wrap", [list, tuple])
def test_a_plain_list_of_modules_is_refused_with_the_pytorch_answer(wrap):
    m = nn.Module()
    with pytest.raises(TypeError, match=r"Wrap it in nn\.ModuleList\(\.\.\.\)") as info:
        m.layers = wrap([nn.Linear(1, 2), nn.Linear(2, 1)])
    assert "'layers' of Module" in str(info.value)
    assert "layers" not in m.__dict__ and list(m.parameters()) == []
    with pytest.raises(TypeError, match="ModuleList"):  # one Module among other things too
        m.layers = [nn.Linear(1, 2), "relu"]


def test_a_module_list_registers_its_layers():
    m = nn.Module()
    m.layers = nn.ModuleList([nn.Linear(1, 2), nn.Linear(2, 1)])
    assert list(m.state_dict()) == [
        "layers.0.weight",
        "layers.0.bias",
        "layers.1.weight",
        "layers.1.bias",
    ]


def test_lists_without_modules_stay_plain_attributes():
    m = nn.Module()
    m.sizes = [2, 16, 1]
    m.empty = []
    assert m.sizes == [2, 16, 1] and m.empty == [] and list(m.named_children()) == []


def test_forgetting_super_init_still_works():
    m = Forgetful()
    assert [n for n, _ in m.named_parameters()] == ["layer.weight", "layer.bias"]
    assert m.training


def test_call_runs_forward_and_base_forward_is_an_error():
    sg.manual_seed(0)
    m = TwoLayer()
    x = sg.randn(4, 2)
    np.testing.assert_array_equal(m(x).detach().numpy(), m.forward(x).detach().numpy())
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(x)


def test_state_dict_round_trip_keeps_parameter_identity():
    sg.manual_seed(0)
    a, b = TwoLayer(), TwoLayer()
    params_before = list(b.parameters())
    sd = a.state_dict()
    assert list(sd) == [n for n, _ in a.named_parameters()]
    assert all(isinstance(v, sg.Tensor) and not v.requires_grad for v in sd.values())
    assert sd["hidden.weight"].shape == (3, 2)
    b.load_state_dict(sd)
    assert list(b.parameters()) == params_before
    for k, v in b.state_dict().items():
        np.testing.assert_array_equal(v, sd[k])
    b.load_state_dict({k: v.numpy() * 2 for k, v in sd.items()})  # NumPy arrays load too
    np.testing.assert_array_equal(b.hidden.weight.detach().numpy(), sd["hidden.weight"] * 2)
    # as PyTorch: the values share the parameters' storage, so writing into one changes the model
    sd["hidden.weight"][0, 0] = 99.0
    assert a.hidden.weight[0, 0].item() == 99.0
    a.state_dict()["out.bias"].data[0] = -7.0  # the course idiom
    assert a.out.bias[0].item() == -7.0
    assert not np.any(b.state_dict()["hidden.weight"].numpy() == 99.0)  # b loaded copies


def test_load_state_dict_errors_and_non_strict():
    m = TwoLayer()
    sd = m.state_dict()
    bad = dict(sd)
    del bad["out.bias"]
    bad["extra"] = np.zeros(1)
    with pytest.raises(KeyError, match=r"missing \['out.bias'\].*unexpected \['extra'\]"):
        m.load_state_dict(bad)
    missing, unexpected = m.load_state_dict(bad, strict=False)
    assert missing == ["out.bias"] and unexpected == ["extra"]
    wrong = dict(sd)
    wrong["hidden.weight"] = np.zeros((2, 3))
    before = m.state_dict()
    with pytest.raises(ValueError, match=r"hidden.weight.*\(3, 2\).*\(2, 3\)"):
        m.load_state_dict(wrong)
    for k, v in m.state_dict().items():  # nothing was half-loaded
        np.testing.assert_array_equal(v, before[k])


def test_load_state_dict_accepts_lists_and_tensors():
    m = nn.Linear(2, 1)
    m.load_state_dict({"weight": [[1.0, 2.0]], "bias": sg.tensor([0.5])})
    assert m(sg.tensor([[1.0, 1.0]])).item() == pytest.approx(3.5)


def test_train_eval_zero_grad():
    m = TwoLayer()
    assert m.training and m.hidden.training
    assert m.eval() is m
    assert not m.training and not m.out.training
    m.train()
    assert m.hidden.training
    m(sg.randn(3, 2)).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad(set_to_none=False)
    assert all(np.all(p.grad.numpy() == 0) for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())


def test_to_dtype_keeps_parameter_objects():
    m = TwoLayer()
    params = list(m.parameters())
    m.to(dtype=sg.float64)
    assert list(m.parameters()) == params
    assert all(p.dtype == sg.float64 and p.requires_grad for p in params)
    assert m(sg.randn(2, 2, dtype=sg.float64)).dtype == sg.float64
    m.float()
    assert all(p.dtype == sg.float32 for p in m.parameters())


def test_repr_lists_layers_and_counts_parameters():
    m = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1))
    assert repr(m) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=16, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Linear(in_features=16, out_features=1, bias=True)\n"
        ")"
    )  # exactly PyTorch's text; the parameter count is in summary()
    assert m.summary() == repr(m) + "\n65 parameters (65 trainable) in 4 tensors"
    assert "(layers): ModuleList(\n    (0): Linear" in repr(nn.MLP(2, [3, 1]))


def test_parameter_wraps_arrays_and_tensors():
    p = nn.Parameter(np.zeros((2, 2)))
    assert p.dtype == sg.float64 and p.requires_grad and p.is_leaf
    q = nn.Parameter([1.0, 2.0])
    assert q.dtype == sg.float32
    t = sg.zeros(3)
    r = nn.Parameter(t)
    assert r.shape == (3,) and r.requires_grad
    assert repr(r).startswith("Parameter containing:")


def test_apply_visits_children_before_parents():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Tanh(), nn.Linear(2, 1)))
    seen = []
    assert model.apply(lambda m: seen.append(type(m).__name__)) is model
    assert seen == ["Linear", "Tanh", "Linear", "Sequential", "Sequential"]  # PyTorch's order

    def zero_linear(m):
        if isinstance(m, nn.Linear):
            nn.init.zeros_(m.weight)

    model.apply(zero_linear)
    assert all(np.all(v == 0) for k, v in model.state_dict().items() if k.endswith("weight"))


def test_deepcopy_and_pickle_give_independent_equal_models():
    import copy
    import pickle

    sg.manual_seed(0)
    model = TwoLayer()
    model.tied = model.hidden  # a shared submodule stays shared in the copy
    for clone in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        assert type(clone) is TwoLayer and clone.tied is clone.hidden
        assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in clone.parameters())
        for k, v in clone.state_dict().items():
            np.testing.assert_array_equal(v, model.state_dict()[k])
        clone.load_state_dict({k: v * 0 for k, v in clone.state_dict().items()})
        assert np.any(model.state_dict()["hidden.weight"] != 0)  # the original is untouched
