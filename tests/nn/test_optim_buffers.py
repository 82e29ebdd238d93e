"""SGD's memory: momentum 0 keeps and makes no buffer; with momentum the buffer is made once, at
the first step, as a copy of the gradient (PyTorch's ``buf = clone(grad)``), and later steps
update that same array in place."""

import numpy as np
import pytest

import scalargrad as sg
from scalargrad.optim import SGD

ALLOCATORS = ("empty", "full", "copy", "astype", "from_numpy")


@pytest.fixture
def allocations(monkeypatch):
    """Count calls of the CPU backend's allocating functions (what optim.py may call)."""
    backend = sg.tensor([1.0])._backend
    calls = []
    for name in ALLOCATORS:
        original = getattr(backend, name)

        def counted(*args, _name=name, _original=original, **kwargs):
            calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(backend, name, counted)
    return calls


def _param_with_grad(rng, shape=(3, 2)):
    p = sg.nn.Parameter(sg.tensor(rng.normal(size=shape)))
    p.grad = sg.tensor(rng.normal(size=shape))
    return p


def test_momentum_buffer_is_made_once_from_the_gradient_then_updated_in_place(allocations):
    rng = np.random.default_rng(0)
    p = _param_with_grad(rng)
    p0, g0 = p.detach().numpy().copy(), p.grad.numpy().copy()
    opt = SGD([p], lr=0.1, momentum=0.9, weight_decay=0.01)
    allocations.clear()  # making the parameter and its gradient allocated; the step starts here
    opt.step()
    buf = opt.state[p]["momentum_buffer"]
    assert allocations == ["astype"]  # the one copy of the gradient
    assert np.allclose(buf, g0 + 0.01 * p0)  # buf <- g + weight_decay * p at the first step
    assert buf is not p.grad._array  # a copy: the next backward may overwrite the gradient
    allocations.clear()
    for _ in range(3):
        p.grad = sg.tensor(rng.normal(size=(3, 2)))
        allocations.clear()
        opt.step()
        assert allocations == []  # nothing allocated by the step
        assert opt.state[p]["momentum_buffer"] is buf  # the same array, updated in place


def test_momentum_zero_keeps_no_buffer_and_allocates_nothing(allocations):
    rng = np.random.default_rng(1)
    p = _param_with_grad(rng)
    opt = SGD([p], lr=0.1, weight_decay=0.01)
    for _ in range(3):
        p.grad = sg.tensor(rng.normal(size=(3, 2)))
        p_before, g = p.detach().numpy().copy(), p.grad.numpy().copy()
        allocations.clear()
        opt.step()
        assert allocations == []
        assert np.allclose(p.detach().numpy(), p_before - 0.1 * (g + 0.01 * p_before))
        assert np.array_equal(p.grad.numpy(), g)  # the gradient is left as it was
    assert opt.state.get(p, {}) == {}
    assert opt.state_dict()["state"] == {}
