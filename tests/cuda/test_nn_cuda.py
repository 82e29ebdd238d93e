"""sg.nn on the CUDA backend: a model moved with ``.to("cuda")`` computes the same losses and
gradients as its CPU twin; loss checks and DataLoader batches work on device tensors.

Runs with the other CUDA tests (tests/cuda/conftest.py): on a GPU or numba's CUDA simulator.
"""

import numpy as np
import pytest

import scalargrad as sg
from scalargrad.nn import functional as F


def all_losses(model, x, y, dev):
    xt = sg.tensor(x, dtype=sg.float64).to(dev)
    yt = sg.tensor(y).to(dev)
    zeros = sg.zeros(*x.shape[:1], 3, dtype=sg.float64).to(dev)
    out = model(xt)
    return (
        F.cross_entropy(out, yt)
        + F.nll_loss(F.log_softmax(out, 1), yt, reduction="sum")
        + F.mse_loss(out, zeros)
        + F.l1_loss(out, zeros + 0.1)
        + F.smooth_l1_loss(out, zeros, beta=0.5)
        + F.binary_cross_entropy(out.sigmoid(), zeros + 1.0)
        + F.binary_cross_entropy_with_logits(out, zeros, reduction="none").sum()
    )


def test_model_on_cuda_matches_cpu():
    sg.manual_seed(0)
    gpu = sg.nn.MLP(3, [4, 3], activation="tanh", dtype=sg.float64)
    cpu = sg.nn.MLP(3, [4, 3], activation="tanh", dtype=sg.float64)
    cpu.load_state_dict(gpu.state_dict())
    params = list(gpu.parameters())
    gpu.to("cuda")
    assert list(gpu.parameters()) == params and all(p.device == "cuda" for p in params)
    x = np.random.default_rng(0).normal(size=(5, 3))
    y = np.array([0, 2, 1, 1, 0])
    lg, lc = all_losses(gpu, x, y, "cuda"), all_losses(cpu, x, y, "cpu")
    assert lg.item() == pytest.approx(lc.item(), rel=1e-12)
    lg.backward()
    lc.backward()
    for (name, a), (_, b) in zip(gpu.named_parameters(), cpu.named_parameters(), strict=True):
        np.testing.assert_allclose(
            a.grad.cpu().numpy(), b.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=name
        )
    for k, v in gpu.state_dict().items():
        np.testing.assert_array_equal(v, cpu.state_dict()[k])
    gpu.load_state_dict({k: v * 2 for k, v in cpu.state_dict().items()})
    np.testing.assert_array_equal(
        gpu.state_dict()["layers.1.bias"], 2 * cpu.state_dict()["layers.1.bias"]
    )
    gpu.cpu()
    assert all(p.device == "cpu" for p in gpu.parameters())


def test_checks_and_loaders_on_cuda():
    logits = sg.zeros(2, 3).to("cuda")
    loss = F.cross_entropy(logits, sg.tensor([0, 3]).to("cuda"))  # checked by the kernel:
    with pytest.raises(IndexError, match="target 3 is out of bounds"):  # raised at the next read
        loss.item()
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.binary_cross_entropy(logits + 2.0, logits)
    with pytest.raises(RuntimeError, match="cpu"):
        F.mse_loss(logits, sg.zeros(2, 3))
    ds = sg.data.TensorDataset(sg.arange(10).to("cuda"))
    batches = [xb for (xb,) in sg.data.DataLoader(ds, batch_size=4, shuffle=True, seed=0)]
    assert all(b.device == "cuda" for b in batches)
    assert sorted(v for b in batches for v in b.tolist()) == list(range(10))


def test_target_range_is_checked_again_after_an_inplace_change():
    """(On the GPU the kernel checks the targets: the error comes at the next read.)"""
    logits = sg.zeros(2, 3).to("cuda")
    y = sg.tensor([0, 2]).to("cuda")
    F.cross_entropy(logits, y)  # valid: the range is remembered
    y[1] = 3
    with pytest.raises(IndexError, match="target 3"):
        F.cross_entropy(logits, y).item()


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_options_on_cuda_match_cpu(reduction):
    rng = np.random.default_rng(4)
    z, w = rng.normal(size=(7, 5)), rng.uniform(0.2, 2.0, size=5)
    y = np.array([0, -100, 4, 2, -100, 1, 3])
    grads, values = {}, {}
    for dev in ("cpu", "cuda"):
        zt = sg.tensor(z, dtype=sg.float64).to(dev).requires_grad_()
        weight = sg.tensor(w, dtype=sg.float64).to(dev)
        loss = F.cross_entropy(
            zt, sg.tensor(y).to(dev), weight=weight, reduction=reduction, label_smoothing=0.2
        )
        loss.sum().backward()
        values[dev], grads[dev] = loss.detach().to("cpu").numpy(), zt.grad.to("cpu").numpy()
    np.testing.assert_allclose(values["cuda"], values["cpu"], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(grads["cuda"], grads["cpu"], rtol=1e-12, atol=1e-14)
    assert np.all(grads["cpu"][[1, 4]] == 0.0)  # ignored rows get no gradient
