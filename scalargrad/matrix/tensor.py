"""``Tensor``: an n-dimensional array of numbers, plus the bookkeeping that makes it differentiable.

A tensor holds

* ``_array``: its numbers, an array of its backend (``numpy.ndarray`` on "cpu", a numba device
  array on "cuda"), and ``_backend``, the module that computes on that array;
* ``requires_grad``: whether gradients flow to it; ``grad_fn``: the graph node (a ``Function``
  context) that made it, None for a *leaf*; ``grad``: dL/d(this tensor) after ``backward()``,
  a Tensor of the same shape, filled in for leaves (and for tensors that called ``retain_grad``).

Every op is a method here that hands the work to ``scalargrad/matrix/functions/``; the methods
are thin so that the ops are read where their math is. ``Tensor._wrap(array, backend,
requires_grad=False)`` is how other code makes a tensor around an array it computed.

In-place ops (``x += 1``, ``x.add_(y)``, ``x[:] = 0``) change ``x``'s numbers and keep its identity
(an optimizer's ``w.data -= lr * w.grad`` relies on it). Each bumps a *version counter* shared by
``x`` and its views; backward checks that every array a node saved is still at the version it saved,
and refuses (PyTorch's RuntimeError) when an in-place op overwrote a value it needs.
"""

import warnings

import numpy as np

from scalargrad import dtypes
from scalargrad.devices import device as _device
from scalargrad.matrix import tensor_ops
from scalargrad.matrix.size import Size
from scalargrad.matrix.tensor_ops import TensorOps

_DEVICES = {"cpu": _device("cpu"), "cuda": _device("cuda")}
_warned = []  # float() of a tensor that requires grad has warned (PyTorch warns once a process)


class Tensor(TensorOps):
    """An n-dimensional array that can take part in automatic differentiation.

    Make one with ``sg.tensor(data)``, ``sg.zeros(2, 3)``, ``sg.from_numpy(array)``, ...;
    ``Tensor(data, dtype=None, requires_grad=False, device="cpu")`` is ``sg.tensor`` except that,
    as ``torch.Tensor``, it makes float32 unless ``dtype`` says otherwise.
    """

    __slots__ = ("_array", "_backend", "_requires_grad", "_vc", "__weakref__", "__dict__")
    # set on the instance only when they differ from these defaults (a cheaper _wrap)
    grad_fn = None  # the Function node that made this tensor; None for a leaf
    _base = None  # the tensor this one is a view of (shares storage and version counter)
    _acc = None  # this leaf's AccumulateGrad node, made on first use
    _made_in_no_grad = False  # computed from tensors requiring grad, but under no_grad()
    __array_ufunc__ = None  # numpy defers to our operators: ndarray + Tensor -> Tensor.__radd__
    __array_priority__ = 1000

    def __init__(self, data, dtype=None, requires_grad=False, device="cpu"):
        from scalargrad.matrix.creation import tensor

        dtype = dtypes.default_float() if dtype is None else dtype
        made = tensor(data, dtype=dtype, requires_grad=requires_grad, device=device)
        self._array = made._array
        self._backend = made._backend
        self._requires_grad = made._requires_grad
        self.grad = None
        self.grad_fn = None
        self._vc = [0]
        self._base = None
        self._acc = None

    @classmethod
    def _wrap(cls, array, backend, requires_grad=False):
        """A new leaf tensor around a backend ``array`` (no copy) computed by ``backend``."""
        t = object.__new__(cls)
        t._array = array
        t._backend = backend
        t._requires_grad = requires_grad
        t._vc = [0]
        return t

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
        from scalargrad.matrix.promotion import normalize_dim

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
            if not isinstance(value, Tensor):
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

    def _accumulate_node(self):
        from scalargrad.matrix.function import AccumulateGrad

        if self._acc is None:
            self._acc = AccumulateGrad(self)
        return self._acc

    def retain_grad(self):
        """Keep ``.grad`` for this non-leaf tensor too at the next backward (leaves always keep
        it)."""
        import weakref

        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            self.grad_fn._retained = weakref.ref(self)

    @property
    def retains_grad(self):
        fn = self.grad_fn
        return fn is not None and fn._retained is not None and fn._retained() is self

    def backward(self, gradient=None, retain_graph=False):
        """Backpropagate: add dL/dx to ``x.grad`` for every leaf ``x`` this tensor depends on.

        ``gradient`` is dL/d(self), of self's shape; it may be left out only for a one-element
        output (a scalar loss), where it is 1. Without ``retain_graph=True`` the graph's saved
        values are freed, so a second backward through it is an error.
        """
        from scalargrad.matrix.autograd import run_backward

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
            if not isinstance(gradient, Tensor):
                from scalargrad.matrix.creation import tensor

                gradient = tensor(gradient, dtype=self._array.dtype, device=self.device)
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

    def detach(self):
        """The same numbers (shared storage) as a new leaf that does not require grad."""
        t = Tensor._wrap(self._array, self._backend)
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
        return Tensor._wrap(self._array, self._backend)

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data: expected a Tensor, got {type(value).__name__}")
        self._array = value._array
        self._backend = value._backend

    def __reduce_ex__(self, protocol):
        # pickle and copy.deepcopy: the numbers (a host copy), requires_grad and the device
        host = np.array(self._backend.to_numpy(self._array), copy=True)
        return _rebuild_tensor, (host, self._requires_grad and self.grad_fn is None, self.device)

    def clone(self):
        """A copy with its own storage; gradients flow back to this tensor."""
        from scalargrad.matrix.functions.shape import clone

        return clone(self)

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
            import warnings

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
        from scalargrad.matrix.printing import tensor_repr

        return tensor_repr(self)

    __str__ = __repr__

    def to(self, *args, dtype=None, device=None):
        """A copy on another device and/or of another dtype: ``t.to("cuda")``, ``t.to(sg.float64)``.

        Returns self when nothing changes. Gradients flow back through the conversion.
        """
        from scalargrad.matrix.functions.shape import cast, to_device

        for arg in args:
            if isinstance(arg, Tensor):
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
            out = to_device(out, device)
        if dtype is not None:
            out = cast(out, dtypes.as_dtype(dtype))
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
    from scalargrad.matrix.creation import tensor

    return tensor(array, dtype=array.dtype, requires_grad=requires_grad, device=device)


Tensor.__module__ = "scalargrad"  # type(t) prints <class 'scalargrad.Tensor'>, as torch.Tensor
tensor_ops.bind(Tensor)  # the op methods find their functions/ modules now
