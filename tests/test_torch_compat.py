"""PyTorch's names and behaviours a first course relies on (no PyTorch needed: the texts and
values asserted here are PyTorch 2.13's, checked side by side by tests/parity)."""

import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scalargrad as sg
from scalargrad import nn


def test_numpy_arrays_keep_their_dtype_python_floats_take_the_default():
    assert sg.tensor(np.zeros(2)).dtype == sg.float64
    assert sg.tensor(np.zeros(2, np.uint8)).dtype == sg.uint8
    assert sg.tensor(np.zeros(2, np.int32)).dtype == sg.int32
    assert sg.tensor([0.5]).dtype == sg.float32 == sg.get_default_dtype()
    sg.set_default_dtype(sg.float64)
    try:
        assert sg.tensor([0.5]).dtype == sg.float64 and sg.zeros(2).dtype == sg.float64
        text = "tensor([0.5000], dtype=scalargrad.float32)"
        assert repr(sg.tensor([0.5], dtype=sg.float32)) == text
    finally:
        sg.set_default_dtype(sg.float32)
    with pytest.raises(TypeError, match="floating"):
        sg.set_default_dtype(sg.int64)


def test_uint8_images_arithmetic_and_conversion():
    img = sg.tensor(np.array([0, 128, 255], np.uint8))
    assert repr(img) == "tensor([  0, 128, 255], dtype=scalargrad.uint8)"
    assert (img + 1).dtype == sg.uint8 and (img + 1).tolist() == [1, 129, 0]  # wraps, as PyTorch
    assert (img.float() / 255).tolist() == pytest.approx([0.0, 128 / 255, 1.0])
    assert (img + sg.tensor([1, 1, 1])).dtype == sg.int64
    assert img.sum().dtype == sg.int64 and img.sum().item() == 383  # integer sums are int64
    assert img.int().cumsum(0).dtype == sg.int64


def test_tensor_with_numpy_array_operands():
    t = sg.tensor([1.0, 2.0])
    assert (t + np.array([1.0, 1.0])).dtype == sg.float64  # the array's dtype takes part
    assert (np.array([1.0, 1.0], np.float32) * t).tolist() == [1.0, 2.0]
    assert (t < np.array([2.0, 2.0])).tolist() == [True, False]
    assert (np.eye(2, dtype=np.float32) @ t).tolist() == [1.0, 2.0]
    t += np.array([1.0, 1.0], np.float32)
    assert t.tolist() == [2.0, 3.0]


def test_dtype_device_size_and_type_objects():
    t = sg.zeros(3, 4)
    assert repr(t.dtype) == str(t.dtype) == "scalargrad.float32"
    assert t.dtype == np.float32 and np.zeros(1, t.dtype).dtype == np.float32
    assert repr(t.shape) == str(t.size()) == "scalargrad.Size([3, 4])"
    assert t.shape == (3, 4) and t.shape[1:] == sg.Size([4]) and t.shape.numel() == 12
    assert isinstance(t.shape[1:], sg.Size) and t.size(1) == 4 and t.ndimension() == 2
    assert repr(t.device) == "device(type='cpu')" and t.device == "cpu" == sg.device("cpu")
    assert str(sg.device("cuda", 0)) == "cuda:0" and sg.device("cuda:1").index == 1
    assert repr(type(t)) == "<class 'scalargrad.Tensor'>"
    assert t.type() == "scalargrad.FloatTensor" and t.long().type() == "scalargrad.LongTensor"
    assert t.type(sg.DoubleTensor).dtype == sg.float64 and isinstance(t, sg.FloatTensor)
    assert sg.LongTensor([1, 2]).dtype == sg.int64 and sg.FloatTensor(2, 3).shape == (2, 3)
    assert t.int().dtype == sg.int32 and t.to(sg.device("cpu")) is t
    assert pickle.loads(pickle.dumps(sg.float64)) is sg.float64


def test_as_tensor_shares_numpy_memory():
    a = np.zeros(3)
    t = sg.as_tensor(a)
    a[0] = 5.0
    assert t[0].item() == 5.0 and t.dtype == sg.float64
    assert sg.as_tensor(t) is t and sg.as_tensor([1, 2]).dtype == sg.int64


def test_grad_fn_names_are_pytorchs():
    x = sg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    v = sg.tensor([1.0, 2.0], requires_grad=True)
    names = {
        "MulBackward0": x * 2,
        "RsubBackward1": 1 - x,
        "PowBackward1": x**x,
        "SumBackward1": x.sum(0),
        "MeanBackward0": x.mean(),
        "MmBackward0": x @ x,
        "MvBackward0": x @ v,
        "DotBackward0": v @ v,
        "ViewBackward0": x.reshape(4),
        "TBackward0": x.t(),
        "SelectBackward0": x[0],
        "SliceBackward0": x[0:1],
        "IndexBackward0": x[[0, 1]],
        "MaxBackward0": x.max(1).values,
        "MaxBackward1": x.max(),
        "AddmmBackward0": nn.Linear(2, 3)(x),
        "NllLossBackward0": nn.functional.cross_entropy(x, sg.tensor([0, 1])),
        "MseLossBackward0": nn.functional.mse_loss(x, x.detach()),
        "StackBackward0": sg.stack([x, x]),
    }
    for name, out in names.items():
        assert out.grad_fn.name() == name
    assert repr((x * 2).grad_fn).startswith("<MulBackward0 object at 0x")
    assert nn.Flatten()(x) is x  # nothing to flatten: PyTorch returns the input itself


def test_max_dim_prints_as_return_types():
    out = sg.tensor([[1.0, 5.0], [3.0, 2.0]]).max(dim=1)
    assert repr(out) == (
        "scalargrad.return_types.max(\nvalues=tensor([5., 3.]),\nindices=tensor([1, 0]))"
    )
    assert out.values.tolist() == [5.0, 3.0] and out[1].tolist() == [1, 0]


def test_suffix_goes_to_its_own_line_as_pytorch():
    x = sg.arange(-8.0, 8.0, 2.0, requires_grad=True)
    assert repr(x.tanh()) == (
        "tensor([-1.0000, -1.0000, -0.9993, -0.9640,  0.0000,  0.9640,  0.9993,  1.0000],\n"
        "       grad_fn=<TanhBackward0>)"
    )


def test_state_dict_shares_storage_and_load_takes_tensors_and_numpy():
    model = nn.Sequential(nn.Linear(2, 1))
    sd = model.state_dict()
    sd["0.weight"].data[0] = sg.tensor([[3.0, 4.0]])  # leading 1s dropped, as PyTorch
    assert model[0].weight.tolist() == [[3.0, 4.0]]
    result = model.load_state_dict({"0.weight": np.ones((1, 2)), "0.bias": sg.zeros(1)})
    assert repr(result) == "<All keys matched successfully>"
    assert model[0].weight.tolist() == [[1.0, 1.0]] and model[0].weight.dtype == sg.float32
    assert "Linear(in_features=2, out_features=1, bias=True)" in repr(model)
    assert "parameters" not in repr(model) and "3 parameters" in model.summary()


def test_optimizer_keeps_the_users_hyperparameter_types():
    p = nn.Parameter(sg.zeros(2))
    group = sg.optim.SGD([p], lr=1).state_dict()["param_groups"][0]
    assert group["lr"] == 1 and type(group["lr"]) is int and type(group["momentum"]) is int
    assert repr(sg.optim.SGD([p], lr=0.1)).splitlines()[:3] == [
        "SGD (",
        "Parameter Group 0",
        "    dampening: 0",
    ]
    with pytest.raises(NotImplementedError, match="maximize"):
        sg.optim.SGD([p], lr=0.1, maximize=True)


def test_legacy_loss_arguments_warn_and_map_to_reduction():
    with pytest.warns(UserWarning, match="please use reduction='sum' instead"):
        assert nn.MSELoss(size_average=False).reduction == "sum"
    with pytest.warns(UserWarning, match="reduction='none'"):
        assert nn.CrossEntropyLoss(reduce=False).reduction == "none"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert nn.L1Loss(reduction="sum").reduction == "sum"


def test_lazy_linear_reads_in_features_on_first_call():
    layer = nn.LazyLinear(3)
    opt = sg.optim.SGD(layer.parameters(), lr=0.1)  # made before the first call, as d2l does
    assert repr(layer) == "LazyLinear(in_features=0, out_features=3, bias=True)"
    out = layer(sg.ones(5, 4))
    assert out.shape == (5, 3) and type(layer) is nn.Linear and layer.weight.shape == (3, 4)
    out.sum().backward()
    before = layer.weight.detach().clone()
    opt.step()
    assert not sg.equal(before, layer.weight.detach())


square = st.integers(1, 4).flatmap(
    lambda n: st.lists(
        st.floats(-2, 2, allow_nan=False), min_size=n * n, max_size=n * n
    ).map(lambda v: np.array(v).reshape(n, n) + 4 * n * np.eye(n))  # well conditioned
)


@settings(max_examples=25, deadline=None)
@given(a=square)
def test_det_and_inv_gradients_match_central_differences(a):
    x = sg.tensor(a, requires_grad=True)
    # det is about (4n)^n here (65536 at n = 4): central differences of a number that large lose
    # ~1e-11 / eps of absolute accuracy to rounding, more than gradcheck's atol for the small
    # off-diagonal cofactors, so the check runs on det / det(a), a function of size 1
    scale = float(np.linalg.det(a))
    assert sg.gradcheck(lambda t: sg.linalg.det(t) / scale, [x])
    assert sg.gradcheck(lambda t: (sg.linalg.inv(t) * sg.tensor(a)).sum(), [x])
    np.testing.assert_allclose(sg.linalg.det(x).item(), np.linalg.det(a), rtol=1e-10)
    np.testing.assert_allclose(sg.linalg.inv(x).detach().numpy(), np.linalg.inv(a), rtol=1e-10)


def _cofactors_by_minors(a):
    """C_ij = (-1)^(i+j) det(A without row i and column j): the definition, entry by entry."""
    n = a.shape[0]
    if n == 1:
        return np.ones((1, 1))
    minor = lambda i, j: np.delete(np.delete(a, i, axis=0), j, axis=1)  # noqa: E731
    return np.array([[(-1) ** (i + j) * np.linalg.det(minor(i, j)) for j in range(n)]
                     for i in range(n)])


low_rank = st.tuples(st.integers(1, 4), st.integers(0, 4)).flatmap(
    lambda nr: st.lists(
        st.floats(-2, 2, allow_nan=False), min_size=2 * nr[0] * nr[0], max_size=2 * nr[0] * nr[0]
    ).map(lambda v: _rank(np.array(v).reshape(2, nr[0], nr[0]), min(nr[1], nr[0])))
)


def _rank(pair, r):
    """A matrix of rank at most r: (n x r) @ (r x n)."""
    return pair[0][:, :r] @ pair[1][:r, :]


@settings(max_examples=40, deadline=None)
@given(a=st.one_of(low_rank, square))
def test_det_gradient_is_the_cofactor_matrix(a):
    x = sg.tensor(a, requires_grad=True)
    sg.linalg.det(x).backward()
    expected = _cofactors_by_minors(a)
    scale = (1 + abs(a).max()) ** a.shape[0]
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-9, atol=1e-9 * scale)


def test_linalg_errors_and_norm():
    with pytest.raises(RuntimeError, match="square"):
        sg.linalg.det(sg.ones(2, 3))
    with pytest.raises(RuntimeError, match="singular"):
        sg.linalg.inv(sg.ones(2, 2))
    assert sg.linalg.norm(sg.tensor([3.0, 4.0])).item() == 5.0


def test_leaky_relu_matches_its_definition():
    x = sg.tensor([-2.0, 0.5, 3.0], dtype=sg.float64, requires_grad=True)
    y = nn.LeakyReLU(0.1)(x)
    assert y.tolist() == pytest.approx([-0.2, 0.5, 3.0])
    assert y.grad_fn.name() == "LeakyReluBackward0"
    y.sum().backward()
    assert x.grad.tolist() == pytest.approx([0.1, 1.0, 1.0])
    assert repr(nn.LeakyReLU()) == "LeakyReLU(negative_slope=0.01)"


@settings(max_examples=30, deadline=None)
@given(
    x=st.lists(st.floats(-5, 5).filter(lambda v: abs(v) > 1e-3), min_size=1, max_size=6),
    slope=st.floats(0.0, 1.0),
)
def test_leaky_relu_gradient_matches_central_differences(x, slope):
    t = sg.tensor(x, dtype=sg.float64, requires_grad=True)
    assert sg.gradcheck(lambda v: nn.functional.leaky_relu(v, slope), [t])


def test_leaky_relu_at_zero_takes_the_slope_as_pytorch():
    # PyTorch's backward is grad * (x > 0 ? 1 : negative_slope): at 0 the slope
    x = sg.tensor([0.0], dtype=sg.float64, requires_grad=True)
    nn.functional.leaky_relu(x, 0.2).sum().backward()
    assert x.grad.tolist() == [0.2]


def test_inference_mode_records_no_graph():
    w = sg.ones(2, requires_grad=True)
    with sg.inference_mode():
        assert not (w * 2).requires_grad
    with sg.inference_mode(False):
        assert (w * 2).requires_grad
    assert (w * 2).requires_grad


def test_save_and_load_round_trip(tmp_path):
    model = nn.Linear(2, 2)
    sg.save(model.state_dict(), tmp_path / "w.pth")
    other = nn.Linear(2, 2)
    other.load_state_dict(sg.load(tmp_path / "w.pth", weights_only=True))
    assert sg.equal(other.weight, model.weight) and sg.allclose(other.bias, model.bias)


def test_install_as_torch_and_the_script_runner(tmp_path):
    """``python -m scalargrad.torch_compat script.py`` runs a script with torch -> scalargrad."""
    script = tmp_path / "course.py"
    script.write_text(
        "import sys\nimport torch\nfrom torch import nn\nfrom torch.utils.data import DataLoader\n"
        "import torch.nn.functional as F\nimport torch.linalg\n"
        "print(torch.__name__, nn.__name__, F.__name__, torch.utils.data.__name__, "
        "torch.linalg.__name__, sys.argv[1:])\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "scalargrad.torch_compat", str(script), "a"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [
        "scalargrad",
        "scalargrad.nn",
        "scalargrad.nn.functional",
        "scalargrad.data",
        "scalargrad.linalg",
        "['a']",
    ]
