"""``TensorBase``: the state of a tensor, below every op: storage, shape, dtype, device, autograd.

A tensor holds

* ``_array``: its numbers, an array of its backend (``numpy.ndarray`` on "cpu", a numba device
  array on "cuda"), and ``_backend``, the module that computes on that array;
* ``_vc``: its *version counter*, a one-element list shared with its views; every in-place op
  bumps it, and backward checks that each array a node saved is still at the version it saved;
* ``requires_grad``: whether gradients flow to it; ``grad_fn``: the graph node (a ``Function``
  context) that made it, None for a *leaf*; ``grad``: dL/d(this tensor) after ``backward()``,
  a tensor of the same shape, filled in for leaves (and for tensors that called ``retain_grad``).

This module imports nothing of the matrix engine but ``Size``, ``normalize_dim`` and the printer:
the ``Function`` base class, the backward engine and the ops in ``functions/`` build on
``TensorBase``, and the user-facing ``Tensor`` (``tensor.py``) adds the op methods on top.
``_wrap(array, backend)`` is how code makes a tensor around an array it computed; an op makes its
result with ``x._result_type()._wrap(...)`` of an input ``x``, so it never names the class above.
"""

import warnings
import weakref

from scalargrad import dtypes
from scalargrad.devices import device as _device
from scalargrad.matrix.printing import tensor_repr
from scalargrad.matrix.shape_rules import normalize_dim
from scalargrad.matrix.size import Size

_DEVICES = {"cpu": _device("cpu"), "cuda": _device("cuda")}
_warned = []  # float() of a tensor that requires grad has warned (PyTorch warns once a process)


class TensorBase:
    """A tensor's state and the methods that only read or set it (see the module docstring)."""

    __slots__ = ("_array", "_backend", "_requires_grad", "_vc", "__weakref__", "__dict__")
    # set on the instance only when they differ from these defaults (a cheaper _wrap)
    grad_fn = None  # the Function node that made this tensor; None for a leaf
    _base = None  # the tensor this one is a view of (shares storage and version counter)
    _acc = None  # this leaf's AccumulateGrad node, made on first use
    _made_in_no_grad = False  # computed from tensors requiring grad, but under no_grad()
    __array_ufunc__ = None  # numpy defers to our operators: ndarray + Tensor -> Tensor.__radd__
    __array_priority__ = 1000

    @classmethod
    def _wrap(cls, array, backend, requires_grad=False):
        """A new leaf tensor around a backend ``array`` (no copy) computed by ``backend``."""
        t = object.__new__(cls)
        t._array = array
        t._backend = backend
        t._requires_grad = requires_grad
        t._vc = [0]
        return t

    @classmethod
    def _result_type(cls):
        """The class of the tensors ops on this one make (``Tensor`` says: a plain Tensor, also
        for a Parameter, as in PyTorch)."""
        return cls

    # ------------------------------------------------------------ what it is

    @property
    def shape(self):
        """The size of each axis, a ``Size`` (a tuple): ``(batch, features)`` for a batch of row
        vectors."""
        return Size(self._array.shape)

    def size(self, dim=None):
        """``shape`` (PyTorch's name), or the size of one axis."""
        if dim is None:
            return Size(self._array.shape)
        return self._array.shape[normalize_dim("size", dim, self.ndim)]

    @property
    def ndim(self):
        """The number of axes (the rank): 0 for a scalar, 1 for a vector, 2 for a matrix."""
        return len(self._array.shape)

    def dim(self):
        """``ndim`` (PyTorch's name)."""
        return self.ndim

    ndimension = dim

    def nelement(self):
        """``numel`` (PyTorch's older name)."""
        return self.numel()

    def element_size(self):
        """Bytes per element (4 for float32)."""
        return self._array.dtype.itemsize

    def numel(self):
        """The number of elements: the product of the shape."""
        n = 1
        for s in self._array.shape:
            n *= s
        return n

    @property
    def dtype(self):
        """The element type: ``scalargrad.float32``, ``float64``, ``int64``, ``int32``, ``uint8``
        or ``bool`` (each stands for the NumPy dtype of the same name)."""
        return dtypes.wrap(self._array.dtype)

    @property
    def device(self):
        """Where the numbers live: ``device(type='cpu')`` or ``device(type='cuda')`` (equal to the
        strings ``"cpu"`` and ``"cuda"``)."""
        return _DEVICES["cpu" if self._backend.name in ("cpu", "reference") else self._backend.name]

    @property
    def is_cuda(self):
        return self.device == "cuda"

    def is_floating_point(self):
        return dtypes.is_floating(self._array.dtype)

    def __len__(self):
        if not self._array.shape:
            raise TypeError("len() of a 0-d tensor")
        return self._array.shape[0]

    def __iter__(self):
        if not self._array.shape:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._array.shape[0]))

    __hash__ = object.__hash__

    # ------------------------------------------------------------ autograd state

    @property
    def requires_grad(self):
        """True if gradients flow to this tensor (set it on leaves: ``w.requires_grad = True``)."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag):
        self.requires_grad_(flag)

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` on a leaf, in place; returns self."""
        flag = bool(requires_grad)
        if self.grad_fn is not None:
            if flag:
                return self
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        if flag and not dtypes.is_floating(self._array.dtype):
            raise RuntimeError(
                f"only floating point tensors can require gradients; this tensor is "
                f"{self._array.dtype} (make it with dtype=sg.float32, or call .float())"
            )
        self._requires_grad = flag
        return self

    @property
    def grad(self):
        """dL/d(self) after ``backward()``: a Tensor of self's shape, or None.

        Filled in for leaves (and tensors that called ``retain_grad``); reading it on any other
        tensor warns, as in PyTorch, since backward never fills it in."""
        g = self.__dict__.get("_grad")
        if g is None and self.grad_fn is not None and not self.retains_grad:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed "
                f"(this one was made by {self.grad_fn.name()}). backward() fills in .grad only "
                "for leaves (tensors you created); call .retain_grad() on this tensor before "
                "backward() if you want its gradient, or read .grad of the leaf instead",
                UserWarning,
                stacklevel=2,
            )
        return g

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, TensorBase):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type "
                    f"{type(value).__name__}"
                )
            if value.shape != self.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value.shape)}' to a tensor of "
                    f"size '{list(self.shape)}'. Please ensure that the gradient and the tensor "
                    f"are "
                    "the same size"
                )
            if value.dtype != self.dtype or value._backend is not self._backend:
                raise RuntimeError(
                    f"attempting to assign a gradient of {value.dtype} on {value.device} to a "
                    f"tensor of {self.dtype} on {self.device}; convert it with "
                    f".to({self.dtype}) (and the device) first"
                )
        self.__dict__["_grad"] = value

    @property
    def is_leaf(self):
        """True for tensors no recorded op made: the ones whose ``.grad`` backward fills in."""
        return self.grad_fn is None

    def retain_grad(self):
        """Keep ``.grad`` for this non-leaf tensor too at the next backward (leaves always keep
        it)."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            self.grad_fn._retained = weakref.ref(self)

    @property
    def retains_grad(self):
        fn = self.grad_fn
        return fn is not None and fn._retained is not None and fn._retained() is self

    def detach(self):
        """The same numbers (shared storage) as a new leaf that does not require grad."""
        t = self._result_type()._wrap(self._array, self._backend)
        t._vc = self._vc
        t._base = self if self._base is None else self._base
        return t

    def detach_(self):
        """Make this tensor a leaf that does not require grad, in place."""
        self.grad_fn = None
        self._requires_grad = False
        return self

    @property
    def data(self):
        """The same storage as a detached tensor: ``w.data -= lr * w.grad`` updates ``w``
        untracked."""
        return self._result_type()._wrap(self._array, self._backend)

    @data.setter
    def data(self, value):
        if not isinstance(value, TensorBase):
            raise TypeError(f"data: expected a Tensor, got {type(value).__name__}")
        self._array = value._array
        self._backend = value._backend

    # ------------------------------------------------------------ conversion

    def numpy(self):
        """The numbers as a numpy array (sharing memory on the CPU)."""
        if self._requires_grad:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        if self.device != "cpu":
            raise TypeError(
                f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() "
                f"to copy "
                "the tensor to host memory first."
            )
        return self._backend.to_numpy(self._array)

    def __array__(self, dtype=None, copy=None):
        if self.device != "cpu":
            a = self._backend.to_numpy(self._array)
        else:
            a = self.detach().numpy()
        return a if dtype is None else a.astype(dtype)

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self.numel() != 1:
            raise RuntimeError(
                f"item(): a Tensor with {self.numel()} elements (shape {tuple(self.shape)}) cannot "
                f"be "
                "converted to a Python number; only one-element tensors can"
            )
        return self._backend.to_numpy(self._array).reshape(-1)[0].item()

    def tolist(self):
        """The numbers as (nested) Python lists; a 0-d tensor gives a number."""
        return self._backend.to_numpy(self._array).tolist()

    def __float__(self):
        if self._requires_grad and not _warned:  # PyTorch's warning (once): float() drops the graph
            _warned.append(True)
            warnings.warn(
                "Converting a tensor with requires_grad=True to a scalar may lead to unexpected "
                "behavior.\nConsider using tensor.detach() first.",
                stacklevel=2,
            )
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self.numel() != 1 or dtypes.is_floating(self.dtype):
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self):
        if self.numel() != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with more than one value is ambiguous (shape "
                f"{tuple(self.shape)}); "
                "use .any() or .all()"
            )
        return bool(self.item())

    def __format__(self, spec):
        if self.numel() == 1 and self.ndim == 0:
            return format(self.item(), spec)
        return format(repr(self), spec)

    def __repr__(self):
        return tensor_repr(self)

    __str__ = __repr__


def result_class(*operands):
    """The class of an op's result: the ``_result_type()`` of its first tensor operand (the
    others may be numbers, ``2 - x``)."""
    for x in operands:
        if isinstance(x, TensorBase):
            return x._result_type()
    raise TypeError("expected at least one tensor operand")
