"""Creation, dtypes, conversion to and from NumPy and Python, devices, repr."""

import numpy as np
import pytest

import scalargrad as sg


def test_dtype_inference_like_pytorch():
    assert sg.tensor([1, 2]).dtype == sg.int64
    assert sg.tensor([1.0, 2]).dtype == sg.float32
    # a NumPy array keeps its dtype, as in PyTorch; Python floats take the default dtype
    assert sg.tensor(np.array([1.0])).dtype == sg.float64
    assert sg.tensor(np.array([1], np.int32)).dtype == sg.int32
    assert sg.tensor(np.array([1], np.uint8)).dtype == sg.uint8
    assert sg.tensor(np.float64(2.0)).dtype == sg.float64
    assert sg.tensor([True]).dtype == sg.bool
    assert sg.as_tensor(np.array([1.0])).dtype == sg.float64
    assert sg.tensor([1, 2], dtype=sg.float64).dtype == sg.float64
    assert sg.tensor(3.5).shape == () and sg.tensor(3.5).ndim == 0
    assert sg.tensor([[1, 2], [3, 4]]).shape == (2, 2)


def test_factories():
    assert sg.zeros(2, 3).shape == (2, 3) and sg.zeros((2, 3)).dtype == sg.float32
    assert sg.ones(4).tolist() == [1.0] * 4
    assert sg.eye(2).tolist() == [[1.0, 0.0], [0.0, 1.0]]
    assert sg.full((2,), 7).tolist() == [7, 7] and sg.full((2,), 7).dtype == sg.int64
    assert sg.arange(5).tolist() == [0, 1, 2, 3, 4] and sg.arange(5).dtype == sg.int64
    assert sg.arange(0, 1, 0.25).tolist() == [0.0, 0.25, 0.5, 0.75]
    assert sg.arange(0, 1, 0.25).dtype == sg.float32
    assert sg.linspace(0, 1, 5).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert sg.zeros_like(sg.ones(2, dtype=sg.float64)).dtype == sg.float64
    assert sg.ones_like(sg.zeros(3)).tolist() == [1.0] * 3
    assert sg.zeros(0, 3).shape == (0, 3)


def test_random_is_seeded():
    sg.manual_seed(0)
    a = (sg.rand(3), sg.randn(2, 2), sg.randint(0, 10, (4,)))
    sg.manual_seed(0)
    b = (sg.rand(3), sg.randn(2, 2), sg.randint(0, 10, (4,)))
    for x, y in zip(a, b, strict=False):
        assert x.tolist() == y.tolist()
    assert a[0].dtype == sg.float32 and a[2].dtype == sg.int64
    assert 0 <= a[0].min().item() and a[0].max().item() < 1
    assert sg.randint(3, (5,)).max().item() < 3


def test_numpy_round_trip_shares_memory():
    a = np.zeros(3, np.float32)
    t = sg.from_numpy(a)
    a[0] = 5
    assert t[0].item() == 5
    t += 1
    assert a.tolist() == [6.0, 1.0, 1.0]
    assert t.numpy() is a or np.shares_memory(t.numpy(), a)
    copy = sg.tensor(a)
    a[1] = 9
    assert copy[1].item() == 1.0


def test_numpy_refuses_requires_grad():
    w = sg.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"detach\(\)"):
        w.numpy()
    assert w.detach().numpy().tolist() == [1.0]


def test_item_and_tolist():
    assert sg.tensor([[2.5]]).item() == 2.5
    assert isinstance(sg.tensor(3).item(), int)
    with pytest.raises(RuntimeError, match=r"4 elements \(shape \(2, 2\)\)"):
        sg.zeros(2, 2).item()
    assert sg.tensor([[1, 2]]).tolist() == [[1, 2]]
    assert float(sg.tensor(1.5)) == 1.5 and f"{sg.tensor(0.123456):.2f}" == "0.12"
    assert len(sg.zeros(4, 2)) == 4 and [r.shape for r in sg.zeros(2, 3)] == [(3,), (3,)]


def test_conversions():
    x = sg.tensor([1.5, 2.5])
    assert x.double().dtype == sg.float64 and x.long().tolist() == [1, 2]
    assert x.to(sg.float64).dtype == sg.float64 and x.to("cpu") is x and x.float() is x
    assert x.device == "cpu" and x.cpu() is x
    w = sg.tensor([1.0, 2.0], requires_grad=True)
    w.double().sum().backward()
    assert w.grad.dtype == sg.float32 and w.grad.tolist() == [1.0, 1.0]
    with pytest.raises(ValueError, match="unknown device"):
        x.to("tpu")


def test_repr_like_pytorch():
    assert repr(sg.tensor([[1.0, 2.0]])) == "tensor([[1., 2.]])"
    assert repr(sg.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(sg.tensor(3.0)) == "tensor(3.)"
    assert repr(sg.tensor([0.5, 0.25])) == "tensor([0.5000, 0.2500])"
    assert repr(sg.tensor([1.0], dtype=sg.float64)) == "tensor([1.], dtype=scalargrad.float64)"
    assert repr(sg.tensor([True, False])) == "tensor([ True, False])"
    assert repr(sg.zeros(0, 3)) == "tensor([], size=(0, 3))"
    assert repr(sg.ones(2, requires_grad=True) * 2) == "tensor([2., 2.], grad_fn=<MulBackward0>)"
    assert repr(sg.tensor([[1.0, 2.0], [3.0, 4.0]])) == "tensor([[1., 2.],\n        [3., 4.]])"


def test_creation_errors():
    with pytest.raises(ValueError, match="same length"):
        sg.tensor([[1, 2], [3]])
    with pytest.raises(TypeError):
        sg.tensor(["a"])
    with pytest.raises(TypeError):
        sg.tensor([1.0], dtype=np.float16)
    with pytest.raises(RuntimeError, match="only floating point"):
        sg.zeros(2, dtype=sg.int64, requires_grad=True)


def test_tensor_constructor_makes_float32_like_torch_tensor():
    t = sg.Tensor([1, 2])
    assert t.dtype == sg.float32 and t.tolist() == [1.0, 2.0]
    assert isinstance(sg.tensor([1]), sg.Tensor)


def test_tensors_hash_by_identity():
    a, b = sg.tensor([1.0]), sg.tensor([1.0])
    seen = {a: "a", b: "b"}
    assert seen[a] == "a" and seen[b] == "b" and len({a, b, a}) == 2


def test_mixing_devices_names_both():
    import types

    fake_cuda = types.SimpleNamespace(name="cuda")
    x = sg.tensor([1.0, 2.0])
    y = sg.Tensor._wrap(x._array, fake_cuda)
    assert y.device == "cuda"
    for op in (lambda: x + y, lambda: y * x, lambda: x @ y, lambda: sg.cat([x, y])):
        with pytest.raises(RuntimeError, match="same device.*(cpu and cuda|cuda and cpu)"):
            op()


def test_pickle_and_deepcopy():
    import copy
    import pickle

    w = sg.tensor([[1.0, 2.0]], dtype=sg.float64, requires_grad=True)
    for clone in (copy.deepcopy(w), pickle.loads(pickle.dumps(w))):
        assert clone.tolist() == w.tolist() and clone.dtype == sg.float64
        assert clone.requires_grad and clone is not w
        clone.data += 1
    assert w.tolist() == [[1.0, 2.0]]
