"""The Tensor API on device="cuda" against the same code on "cpu": every op's value and the
gradients of its inputs, on hypothesis-drawn small shapes (ragged, size-1 and broadcast dims,
transposed inputs), in float64; and a small MLP trained on both devices, step for step."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scalargrad as sg
import scalargrad.nn.functional as F

RTOL, ATOL = 1e-9, 1e-11


def positive(x):
    return np.abs(x) + 0.5


def away_from_zero(x):
    return np.where(x >= 0, x + 0.5, x - 0.5)


def probability(x):
    return 1.0 / (1.0 + np.exp(-x))


# name -> (function of tensors and an axis d, number of inputs, how to make the inputs valid)
OPS = {
    "neg": (lambda a, d: -a, 1, None),
    "abs": (lambda a, d: a.abs(), 1, away_from_zero),
    "sqrt": (lambda a, d: a.sqrt(), 1, positive),
    "exp": (lambda a, d: a.exp(), 1, None),
    "log": (lambda a, d: a.log(), 1, positive),
    "tanh": (lambda a, d: a.tanh(), 1, None),
    "sigmoid": (lambda a, d: a.sigmoid(), 1, None),
    "relu": (lambda a, d: a.relu(), 1, away_from_zero),
    "softplus": (lambda a, d: a.softplus(), 1, None),
    "sin": (lambda a, d: a.sin(), 1, None),
    "cos": (lambda a, d: a.cos(), 1, None),
    "square": (lambda a, d: a.square(), 1, None),
    "clamp": (lambda a, d: a.clamp(-0.7, 0.9), 1, None),
    "clamp_tensor_bounds": (lambda a, b, d: a.clamp(b - 0.5, b + 0.5), 2, None),
    "add": (lambda a, b, d: a + b, 2, None),
    "sub": (lambda a, b, d: a - b, 2, None),
    "mul": (lambda a, b, d: a * b, 2, None),
    "div": (lambda a, b, d: a / b, 2, away_from_zero),
    "pow": (lambda a, b, d: a**b, 2, positive),
    "scalar_ops": (lambda a, d: (2.0 * a - 1.0) / 3.0 + a**2, 1, None),
    "maximum": (lambda a, b, d: a.maximum(b), 2, None),
    "minimum": (lambda a, b, d: a.minimum(b), 2, None),
    "where": (lambda a, b, d: sg.where(a > b, a, b * 2.0), 2, None),
    "sum": (lambda a, d: a.sum(d), 1, None),
    "sum_all": (lambda a, d: a.sum(), 1, None),
    "mean_keepdim": (lambda a, d: a.mean(d, keepdim=True), 1, None),
    "var": (lambda a, d: a.var(d), 1, None),
    "std_all": (lambda a, d: (a * 3.0).std(), 1, None),
    "prod": (lambda a, d: a.prod(d), 1, away_from_zero),
    "max_dim": (lambda a, d: a.max(d).values, 1, None),
    "amax": (lambda a, d: a.amax(d), 1, None),
    "amin_all": (lambda a, d: a.amin(), 1, None),
    "argmax": (lambda a, d: a.argmax(d), 1, None),
    "cumsum": (lambda a, d: a.cumsum(d), 1, None),
    "norm": (lambda a, d: a.norm(), 1, None),
    "softmax": (lambda a, d: a.softmax(d), 1, None),
    "log_softmax": (lambda a, d: a.log_softmax(d), 1, None),
    "logsumexp": (lambda a, d: a.logsumexp(d), 1, None),
    "reshape": (lambda a, d: a.reshape(-1).exp(), 1, None),
    "permute": (lambda a, d: a.permute(*reversed(range(a.ndim))) * 2.0, 1, None),
    "transpose_contiguous": (lambda a, d: a.transpose(0, -1).contiguous().tanh(), 1, None),
    "unsqueeze_expand": (lambda a, d: a.unsqueeze(0).expand(3, *a.shape).sigmoid(), 1, None),
    "getitem_slice": (lambda a, d: a[..., ::2].exp(), 1, None),
    "getitem_advanced": (lambda a, d: a[np.array([0, 0, a.shape[0] - 1])].tanh(), 1, None),
    "compare_logical": (lambda a, b, d: (a > b).logical_not().any(d), 2, None),
    "compare_all": (lambda a, b, d: (a <= b).all(), 2, None),
    "argmin": (lambda a, d: a.argmin(d), 1, None),
    "min_dim_keepdim": (lambda a, d: a.min(d, keepdim=True).values, 1, None),
    "norm_dim": (lambda a, d: a.norm(dim=d), 1, away_from_zero),
    "flatten_squeeze": (lambda a, d: a.unsqueeze(1).flatten().squeeze() * 3.0, 1, None),
    "clone_inplace": (lambda a, b, d: _inplace(a, b), 2, None),
    "cat": (lambda a, b, d: sg.cat([a, a * 2.0], dim=d), 2, None),
    "stack": (lambda a, b, d: sg.stack([a, a.exp()], dim=d), 2, None),
}


def _inplace(a, b):
    """In-place ops on a fresh tensor (a clone), then differentiable use of it."""
    c = a.clone()
    c.mul_(2.0)
    c.add_(b)
    c.clamp_(-1.5, 1.5)
    return c * a


@st.composite
def case(draw, arity):
    """Input arrays: a shape of 1-3 dims with sides 1-5, a second input broadcast against it
    (some dims 1, maybe fewer dims), an axis, and whether the first input is a transposed view."""
    shape = tuple(draw(st.lists(st.integers(1, 5), min_size=1, max_size=3)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    arrays = [rng.uniform(-2, 2, shape)]
    if arity == 2:
        other = tuple(1 if draw(st.booleans()) else n for n in shape)
        other = other[draw(st.integers(0, len(other) - 1)) :]
        arrays.append(rng.uniform(-2, 2, other))
    axis = draw(st.integers(0, len(shape) - 1))
    return arrays, axis, draw(st.booleans())


def run(fn, arrays, axis, transposed, device, weights_seed=0):
    """Value of fn and the gradients of its inputs for the loss sum(out * w), w fixed."""
    tensors = []
    for i, a in enumerate(arrays):
        if i == 0 and transposed and a.ndim > 1:
            t = sg.tensor(np.ascontiguousarray(a.T), dtype=sg.float64, device=device).detach()
            t.requires_grad_()
            leaf, t = t, t.permute(*reversed(range(a.ndim)))
        else:
            leaf = t = sg.tensor(a, dtype=sg.float64, requires_grad=True, device=device)
        tensors.append((leaf, t))
    out = fn(*[t for _, t in tensors], axis)
    if out.is_floating_point():
        w = np.random.default_rng(weights_seed).uniform(-1, 1, out.shape)
        (out * sg.tensor(w, dtype=sg.float64, device=device)).sum().backward()
    grads = [None if leaf.grad is None else leaf.grad.cpu().numpy() for leaf, _ in tensors]
    return out.detach().cpu().numpy(), grads


@pytest.mark.parametrize("name", sorted(OPS))
@settings(max_examples=3)
@given(data=st.data())
def test_op_on_cuda_matches_cpu(name, data):
    fn, arity, domain = OPS[name]
    arrays, axis, transposed = data.draw(case(arity))
    if domain is not None:
        arrays = [domain(a) for a in arrays]
    cpu_out, cpu_grads = run(fn, arrays, axis, transposed, "cpu")
    cuda_out, cuda_grads = run(fn, arrays, axis, transposed, "cuda")
    assert cuda_out.dtype == cpu_out.dtype
    np.testing.assert_allclose(cuda_out, cpu_out, rtol=RTOL, atol=ATOL)
    for g_cpu, g_cuda in zip(cpu_grads, cuda_grads, strict=True):
        assert (g_cpu is None) == (g_cuda is None)
        if g_cpu is not None:
            np.testing.assert_allclose(g_cuda, g_cpu, rtol=RTOL, atol=ATOL)


MATMUL_SHAPES = [
    ((5, 7), (7, 3)),
    ((1, 4), (4, 1)),
    ((2, 3, 4), (2, 4, 5)),
    ((2, 3, 4), (4, 2)),
    ((4,), (4, 3)),
]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES)
def test_matmul_on_cuda_matches_cpu(shapes):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s) for s in shapes]
    for transposed in (False, True):
        cpu = run(lambda a, b, d: a @ b, arrays, 0, transposed, "cpu")
        gpu = run(lambda a, b, d: a @ b, arrays, 0, transposed, "cuda")
        np.testing.assert_allclose(gpu[0], cpu[0], rtol=RTOL, atol=ATOL)
        for g_gpu, g_cpu in zip(gpu[1], cpu[1], strict=True):
            np.testing.assert_allclose(g_gpu, g_cpu, rtol=RTOL, atol=ATOL)


LOSSES = {
    "mse": lambda p, t: F.mse_loss(p, t),
    "l1": lambda p, t: F.l1_loss(p, t, reduction="sum"),
    "smooth_l1": lambda p, t: F.smooth_l1_loss(p, t, beta=0.5),
    "bce": lambda p, t: F.binary_cross_entropy(p.sigmoid(), t.detach().sigmoid()),
    "bce_logits": lambda p, t: F.binary_cross_entropy_with_logits(
        p, t.detach().sigmoid(), reduction="none"
    ),
}


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_losses_on_cuda_match_cpu(name):
    rng = np.random.default_rng(1)
    arrays = [rng.uniform(-2, 2, (6, 3)), rng.uniform(-2, 2, (6, 3))]
    cpu = run(lambda p, t, d: LOSSES[name](p, t), arrays, 0, False, "cpu")
    gpu = run(lambda p, t, d: LOSSES[name](p, t), arrays, 0, False, "cuda")
    np.testing.assert_allclose(gpu[0], cpu[0], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(gpu[1][0], cpu[1][0], rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_on_cuda_matches_cpu(reduction):
    rng = np.random.default_rng(2)
    logits, targets = rng.standard_normal((7, 4)) * 3, rng.integers(0, 4, 7)
    results = {}
    for device in ("cpu", "cuda"):
        x = sg.tensor(logits, dtype=sg.float64, requires_grad=True, device=device)
        loss = F.cross_entropy(x, sg.tensor(targets, device=device), reduction=reduction)
        loss.sum().backward()
        results[device] = loss.detach().cpu().numpy(), x.grad.cpu().numpy()
    for got, expected in zip(results["cuda"], results["cpu"], strict=True):
        np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL)


def test_tensors_stay_on_the_device():
    x = sg.tensor([[1.0, 2.0], [3.0, 4.0]], device="cuda", requires_grad=True)
    y = (x.exp() @ x).sum(0)
    assert y.device == "cuda" and y.is_cuda
    y.sum().backward()
    assert x.grad.device == "cuda"
    assert x.to("cpu").device == "cpu"
    with pytest.raises(TypeError, match="cuda"):
        x.detach().numpy()  # as PyTorch: copy to the host with .cpu() first


def test_setitem_on_cuda_matches_cpu():
    results = []
    for device in ("cpu", "cuda"):
        t = sg.tensor(np.arange(12.0).reshape(3, 4), dtype=sg.float64, device=device)
        t[1] = 0.5
        t[:, ::2] = sg.tensor([7.0, 8.0], dtype=sg.float64, device=device)
        t[np.array([0, 2]), np.array([1, 3])] = -1.0
        results.append(t.cpu().numpy())
    np.testing.assert_array_equal(results[1], results[0])


def test_nll_loss_and_functional_linear_on_cuda_match_cpu():
    rng = np.random.default_rng(6)
    x, w, b = rng.standard_normal((6, 5)), rng.standard_normal((4, 5)), rng.standard_normal(4)
    targets = rng.integers(0, 4, 6)

    def fn(x, w, b, d):
        return F.nll_loss(
            F.log_softmax(F.linear(x, w, b), dim=1), sg.tensor(targets, device=x.device)
        )

    cpu = run(fn, [x, w, b], 0, False, "cpu")
    gpu = run(fn, [x, w, b], 0, False, "cuda")
    np.testing.assert_allclose(gpu[0], cpu[0], rtol=RTOL, atol=ATOL)
    for g_gpu, g_cpu in zip(gpu[1], cpu[1], strict=True):
        np.testing.assert_allclose(g_gpu, g_cpu, rtol=RTOL, atol=ATOL)


def test_no_gpu_is_a_clear_error_at_the_tensor_level(monkeypatch):
    from scalargrad.matrix.backends import cuda_memory

    monkeypatch.setattr(cuda_memory, "_available", False)
    with pytest.raises(RuntimeError, match="device 'cuda'.*not available"):
        sg.tensor([1.0, 2.0], device="cuda")
    with pytest.raises(RuntimeError, match="device 'cuda'"):
        sg.zeros(3).to("cuda")


def test_mixing_devices_is_a_clear_error():
    a = sg.tensor([1.0, 2.0], device="cuda")
    b = sg.tensor([1.0, 2.0])
    with pytest.raises((RuntimeError, ValueError), match="cuda|device"):
        a + b


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "rmsprop", "adagrad"])
def test_mlp_trained_on_cuda_matches_cpu_step_for_step(optimizer):
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((12, 5)), rng.integers(0, 3, 12)
    sg.manual_seed(0)
    cpu_model = sg.nn.MLP(5, [7, 3], dtype=sg.float64)
    gpu_model = sg.nn.MLP(5, [7, 3], dtype=sg.float64, device="cuda")
    gpu_model.load_state_dict(cpu_model.state_dict())

    def make_optimizer(model):
        if optimizer == "sgd":
            return sg.optim.SGD(
                model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-3, nesterov=True
            )
        if optimizer == "rmsprop":
            return sg.optim.RMSprop(model.parameters(), momentum=0.5, centered=True)
        if optimizer == "adagrad":
            return sg.optim.Adagrad(model.parameters(), lr_decay=0.1, weight_decay=1e-3)
        return sg.optim.Adam(model.parameters(), lr=0.01)

    runs = {}
    for device, model in (("cpu", cpu_model), ("cuda", gpu_model)):
        opt = make_optimizer(model)
        Xd, yd = sg.tensor(X, dtype=sg.float64, device=device), sg.tensor(y, device=device)
        losses = []
        for _ in range(3):
            opt.zero_grad()
            loss = F.cross_entropy(model(Xd), yd)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        runs[device] = losses, model.state_dict()
    np.testing.assert_allclose(runs["cuda"][0], runs["cpu"][0], rtol=RTOL, atol=ATOL)
    for key, value in runs["cpu"][1].items():
        np.testing.assert_allclose(runs["cuda"][1][key], value, rtol=RTOL, atol=ATOL)


def test_one_gradient_array_reaching_two_leaves_is_not_shared_on_cuda():
    """add's backward hands one fresh device array to x and y: sharing it as both .grad, the
    second backward would add into it twice (3 G each instead of 2 G)."""
    x = sg.tensor([1.0, 2.0], requires_grad=True, device="cuda")
    y = sg.tensor([3.0, 4.0], requires_grad=True, device="cuda")
    for _ in range(2):
        ((x + y) * 2.0).sum().backward()
    np.testing.assert_array_equal(x.grad.cpu().numpy(), [4.0, 4.0])
    np.testing.assert_array_equal(y.grad.cpu().numpy(), [4.0, 4.0])


def test_a_fresh_device_gradient_becomes_the_grad_without_a_copy(monkeypatch):
    from scalargrad.matrix.backends import cuda as backend

    copies = []
    original = backend.copy
    monkeypatch.setattr(backend, "copy", lambda a: copies.append(a.shape) or original(a))
    w = sg.tensor(np.ones((4, 3)), requires_grad=True, device="cuda")
    x = sg.tensor(np.arange(8.0).reshape(2, 4), device="cuda")
    (x @ w).sum().backward()  # dL/dw = x^T G, a new array of the matmul kernel
    assert copies == []
    np.testing.assert_array_equal(
        w.grad.cpu().numpy(), np.tile(np.arange(8.0).reshape(2, 4).sum(0)[:, None], (1, 3))
    )
