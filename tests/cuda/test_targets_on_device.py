"""Cross-entropy's targets stay on the GPU: a training step reads nothing back to the host.

A copy from the device to the host waits for every kernel queued before it, so one per step
(checking that the targets are in [0, c)) would stop the host from running ahead of the GPU.
The fused kernel checks the targets itself and records a bad one in host-mapped memory; the
error is raised at the next read of a result (``cuda_memory.kernel_errors``).
"""

import numpy as np
import pytest

import scalargrad as sg
from scalargrad.nn import functional as F


@pytest.fixture
def device_to_host(monkeypatch):
    """A list that gets one entry per device -> host copy (numba's copy_to_host)."""
    copies = []
    cls = type(sg.zeros(1).to("cuda")._array)
    original = cls.copy_to_host

    def counting(self, *args, **kwargs):
        copies.append(tuple(self.shape))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(cls, "copy_to_host", counting)
    return copies


def test_a_training_step_with_a_loader_copies_nothing_to_the_host(device_to_host):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((24, 5)).astype(np.float32)
    y = rng.integers(0, 3, 24)
    loader = sg.data.DataLoader(
        sg.data.TensorDataset(sg.tensor(x).to("cuda"), sg.tensor(y).to("cuda")),
        batch_size=8,
        shuffle=True,
        seed=0,
    )
    model = sg.nn.Sequential(sg.nn.Linear(5, 7), sg.nn.ReLU(), sg.nn.Linear(7, 3)).to("cuda")
    opt = sg.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    losses = []
    for xb, yb in loader:  # three new target tensors
        opt.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        losses.append(loss)
    assert device_to_host == []
    assert all(np.isfinite(loss.item()) for loss in losses)  # (reading them copies, of course)
    assert len(device_to_host) == len(losses)


def test_a_bad_target_is_raised_at_the_next_read_naming_the_value_and_the_classes():
    logits = sg.zeros(4, 3).to("cuda")
    loss = F.cross_entropy(logits, sg.tensor([0, 2, 7, 1]).to("cuda"))  # no wait for the GPU here
    with pytest.raises(IndexError, match=r"cross_entropy: target 7 is out of bounds.*\[0, 3\)"):
        loss.item()
    # reported once: the next reads work again
    assert F.cross_entropy(logits, sg.tensor([0, 2, 1, 1]).to("cuda")).item() == pytest.approx(
        np.log(3.0)
    )


def test_a_negative_target_is_reported_too():
    targets = sg.tensor([-1, 0]).to("cuda")
    loss = F.cross_entropy(sg.zeros(2, 3).to("cuda"), targets, reduction="none")
    with pytest.raises(IndexError, match="target -1 is out of bounds"):
        loss.cpu()


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_ignored_rows_match_the_cpu_without_reading_the_targets(reduction, device_to_host):
    rng = np.random.default_rng(1)
    z = rng.standard_normal((6, 4))
    y = np.array([1, -100, 3, 0, -100, 2])
    results = {}
    for dev in ("cpu", "cuda"):
        logits = sg.tensor(z, requires_grad=True, device=dev)
        loss = F.cross_entropy(logits, sg.tensor(y, device=dev), reduction=reduction)
        (loss.sum() if reduction == "none" else loss).backward()
        if dev == "cuda":
            assert device_to_host == []  # nothing read back before the results below
        results[dev] = (loss.detach().to("cpu").numpy(), logits.grad.to("cpu").numpy())
    np.testing.assert_allclose(results["cuda"][0], results["cpu"][0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(results["cuda"][1], results["cpu"][1], rtol=1e-12, atol=1e-12)
