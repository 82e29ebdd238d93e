"""``sg.accelerator``: PyTorch's device-neutral questions (the "Learn the basics" tutorial asks
``torch.accelerator.is_available()`` to pick a device); here the accelerator is a CUDA GPU."""

from scalargrad import cuda
from scalargrad.devices import device


def is_available():
    """True when a CUDA GPU (or numba's simulator) can hold tensors."""
    return cuda.is_available()


def current_accelerator():
    """``device(type='cuda')`` when there is one, else None."""
    return device("cuda") if is_available() else None


def device_count():
    return cuda.device_count()
