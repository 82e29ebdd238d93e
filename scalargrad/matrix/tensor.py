"""``Tensor``: the user-facing n-dimensional array, at the top of the matrix engine's layers.

It is ``TensorBase`` (``tensor_core.py``: storage, shape, dtype, device, version counter,
``grad_fn``) plus the op methods of ``TensorMethods`` (``tensor_methods.py``: each a hand-off to
the module of ``functions/`` that holds the op's math), plus what needs the layers in between:
``Tensor(data)``, ``backward()`` (``autograd.py``), ``to``/``clone`` and pickling.

In-place ops (``x += 1``, ``x.add_(y)``, ``x[:] = 0``) change ``x``'s numbers and keep its identity
(an optimizer's ``w.data -= lr * w.grad`` relies on it). Each bumps a *version counter* shared by
``x`` and its views; backward checks that every array a node saved is still at the version it saved,
and refuses (PyTorch's RuntimeError) when an in-place op overwrote a value it needs.
"""

import numpy as np

from scalargrad import dtypes
from scalargrad.devices import device as _device
from scalargrad.matrix.autograd import run_backward
from scalargrad.matrix.backends import get_backend
from scalargrad.matrix.functions import shape
from scalargrad.matrix.host_arrays import host_array
from scalargrad.matrix.tensor_core import TensorBase
from scalargrad.matrix.tensor_methods import TensorMethods


class Tensor(TensorMethods):
    """An n-dimensional array that can take part in automatic differentiation.

    Make one with ``sg.tensor(data)``, ``sg.zeros(2, 3)``, ``sg.from_numpy(array)``, ...;
    ``Tensor(data, dtype=None, requires_grad=False, device="cpu")`` is ``sg.tensor`` except that,
    as ``torch.Tensor``, it makes float32 unless ``dtype`` says otherwise.
    """

    __slots__ = ()

    def __init__(self, data, dtype=None, requires_grad=False, device="cpu"):
        array = host_array("Tensor", data, dtypes.default_float() if dtype is None else dtype)
        backend = get_backend(device)
        self._array = backend.from_numpy(array)
        self._backend = backend
        self._requires_grad = False
        self.grad = None
        self.grad_fn = None
        self._vc = [0]
        self._base = None
        self._acc = None
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _result_type(cls):
        """Ops make plain Tensors, also from a subclass such as ``nn.Parameter`` (as PyTorch)."""
        return Tensor

    def backward(self, gradient=None, retain_graph=False):
        """Backpropagate: add dL/dx to ``x.grad`` for every leaf ``x`` this tensor depends on.

        ``gradient`` is dL/d(self), of self's shape; it may be left out only for a one-element
        output (a scalar loss), where it is 1. Without ``retain_graph=True`` the graph's saved
        values are freed, so a second backward through it is an error.
        """
        if not self._requires_grad:
            if self._made_in_no_grad:
                cause = (
                    "it was computed inside sg.no_grad() (or a function decorated with it), "
                    "where no graph is recorded; compute the loss outside no_grad()"
                )
            else:
                cause = (
                    "nothing it was computed from has requires_grad=True: make the parameters "
                    "with requires_grad=True, and compute the loss outside sg.no_grad() and "
                    "without .detach()"
                )
            raise RuntimeError(
                f"element 0 of tensors does not require grad and does not have a grad_fn: {cause}"
            )
        be = self._backend
        if gradient is None:
            if self.numel() != 1:
                raise RuntimeError(
                    "grad can be implicitly created only for scalar outputs; this output has "
                    f"shape {tuple(self.shape)}: pass backward(gradient) with a tensor of that "
                    f"shape "
                    "(or reduce it first, e.g. .sum())"
                )
            grad = be.full(self._array.shape, 1, self._array.dtype)
        else:
            if not isinstance(gradient, TensorBase):
                gradient = Tensor(gradient, dtype=self._array.dtype, device=self.device)
            if gradient.shape != self.shape:
                raise RuntimeError(
                    f"backward: Mismatch in shape: gradient has a shape of {tuple(gradient.shape)} "
                    f"and "
                    f"output has a shape of {tuple(self.shape)}"
                )
            if gradient._backend is not be:
                raise RuntimeError(
                    f"backward: gradient is on {gradient.device} but the output is on {self.device}"
                )
            grad = gradient._array
            if grad.dtype != self._array.dtype:
                grad = be.astype(grad, self._array.dtype)
        run_backward(self, grad, retain_graph)

    def __reduce_ex__(self, protocol):
        # pickle and copy.deepcopy: the numbers (a host copy), requires_grad and the device
        host = np.array(self._backend.to_numpy(self._array), copy=True)
        return _rebuild_tensor, (host, self._requires_grad and self.grad_fn is None, self.device)

    def clone(self):
        """A copy with its own storage; gradients flow back to this tensor."""
        return shape.clone(self)

    def to(self, *args, dtype=None, device=None):
        """A copy on another device and/or of another dtype: ``t.to("cuda")``, ``t.to(sg.float64)``.

        Returns self when nothing changes. Gradients flow back through the conversion.
        """
        for arg in args:
            if isinstance(arg, TensorBase):
                device, dtype = arg.device, arg.dtype
            elif isinstance(arg, _device):
                device = arg
            elif isinstance(arg, str):
                try:
                    dtype = dtypes.as_dtype(arg)
                except TypeError:
                    device = arg  # get_backend names the problem if it is no device either
            else:
                dtype = arg
        out = self
        if device is not None:
            out = shape.to_device(out, device)
        if dtype is not None:
            out = shape.cast(out, dtypes.as_dtype(dtype))
        return out

    def cpu(self):
        return self.to("cpu")

    def cuda(self):
        return self.to("cuda")

    def float(self):
        return self.to(dtypes.float32)

    def double(self):
        return self.to(dtypes.float64)

    def long(self):
        return self.to(dtypes.int64)

    def int(self):
        return self.to(dtypes.int32)

    def byte(self):
        return self.to(dtypes.uint8)

    def bool(self):
        return self.to(dtypes.bool)

    def type(self, dtype=None):
        """The legacy type name (``"scalargrad.FloatTensor"``), or a copy of type ``dtype``
        (a dtype or such a name)."""
        if dtype is None:
            return dtypes.type_name(self._array.dtype, self.device == "cuda")
        if isinstance(dtype, str) and dtype.endswith("Tensor"):
            dtype = dtypes.dtype_of_type_name(dtype)
        elif isinstance(dtype, type) and dtype.__name__.endswith("Tensor"):
            dtype = dtypes.dtype_of_type_name(dtype.__name__)
        return self.to(dtype)

    def type_as(self, other):
        return self.to(other._array.dtype)


def _rebuild_tensor(array, requires_grad, device):
    """A leaf tensor from the parts ``Tensor.__reduce_ex__`` saved (for pickle and deepcopy)."""
    return Tensor(array, dtype=array.dtype, requires_grad=requires_grad, device=device)


Tensor.__module__ = "scalargrad"  # type(t) prints <class 'scalargrad.Tensor'>, as torch.Tensor
