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

import numpy as np

from scalargrad import dtypes


class Tensor:
    """An n-dimensional array that can take part in automatic differentiation.

    Make one with ``sg.tensor(data)``, ``sg.zeros(2, 3)``, ``sg.from_numpy(array)``, ...;
    ``Tensor(data, dtype=None, requires_grad=False, device="cpu")`` is ``sg.tensor`` except that,
    as ``torch.Tensor``, it makes float32 unless ``dtype`` says otherwise.
    """

    __slots__ = ("_array", "_backend", "_requires_grad", "_vc", "__weakref__", "__dict__")
    # set on the instance only when they differ from these defaults (a cheaper _wrap)
    grad = None  # dL/d(self) after backward(): a Tensor of self's shape, or None
    grad_fn = None  # the Function node that made this tensor; None for a leaf
    _base = None  # the tensor this one is a view of (shares storage and version counter)
    _acc = None  # this leaf's AccumulateGrad node, made on first use
    __array_ufunc__ = None  # numpy defers to our operators: ndarray + Tensor -> Tensor.__radd__
    __array_priority__ = 1000

    def __init__(self, data, dtype=None, requires_grad=False, device="cpu"):
        from scalargrad.matrix.creation import tensor

        dtype = dtypes.float32 if dtype is None else dtype
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
        """The size of each axis, a tuple: ``(batch, features)`` for a batch of row vectors."""
        return tuple(self._array.shape)

    def size(self, dim=None):
        """``shape`` (PyTorch's name), or the size of one axis."""
        if dim is None:
            return self.shape
        from scalargrad.matrix.promotion import normalize_dim

        return self._array.shape[normalize_dim("size", dim, self.ndim)]

    @property
    def ndim(self):
        """The number of axes (the rank): 0 for a scalar, 1 for a vector, 2 for a matrix."""
        return len(self._array.shape)

    def dim(self):
        """``ndim`` (PyTorch's name)."""
        return self.ndim

    def numel(self):
        """The number of elements: the product of the shape."""
        n = 1
        for s in self._array.shape:
            n *= s
        return n

    @property
    def dtype(self):
        """The element type, a numpy dtype: ``sg.float32``, ``sg.float64``, ``sg.int64`` or
        ``sg.bool``."""
        return self._array.dtype

    @property
    def device(self):
        """Where the numbers live: ``"cpu"`` or ``"cuda"``."""
        return "cpu" if self._backend.name in ("cpu", "reference") else self._backend.name

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
            raise RuntimeError(
                "element 0 of tensors does not require grad and does not have a grad_fn "
                "(nothing this tensor was computed from has requires_grad=True)"
            )
        be = self._backend
        if gradient is None:
            if self.numel() != 1:
                raise RuntimeError(
                    "grad can be implicitly created only for scalar outputs; this output has "
                    f"shape {self.shape}: pass backward(gradient) with a tensor of that shape "
                    "(or reduce it first, e.g. .sum())"
                )
            grad = be.full(self._array.shape, 1, self._array.dtype)
        else:
            if not isinstance(gradient, Tensor):
                from scalargrad.matrix.creation import tensor

                gradient = tensor(gradient, dtype=self._array.dtype, device=self.device)
            if gradient.shape != self.shape:
                raise RuntimeError(
                    f"backward: Mismatch in shape: gradient has a shape of {gradient.shape} and "
                    f"output has a shape of {self.shape}"
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
                f"item(): a Tensor with {self.numel()} elements (shape {self.shape}) cannot be "
                "converted to a Python number; only one-element tensors can"
            )
        return self._backend.to_numpy(self._array).reshape(-1)[0].item()

    def tolist(self):
        """The numbers as (nested) Python lists; a 0-d tensor gives a number."""
        return self._backend.to_numpy(self._array).tolist()

    def __float__(self):
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
                f"{self.shape}); "
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
        return self.to(dtypes.int64)

    def bool(self):
        return self.to(dtypes.bool)

    def type(self, dtype=None):
        return self.dtype if dtype is None else self.to(dtype)

    # ------------------------------------------------------------ arithmetic operators

    def __add__(self, other):
        return _ew.binary("add", self, other)

    def __radd__(self, other):
        return _ew.binary("add", other, self)

    def __sub__(self, other):
        return _ew.binary("sub", self, other)

    def __rsub__(self, other):
        return _ew.binary("sub", other, self)

    def __mul__(self, other):
        return _ew.binary("mul", self, other)

    def __rmul__(self, other):
        return _ew.binary("mul", other, self)

    def __truediv__(self, other):
        return _ew.binary("div", self, other)

    def __rtruediv__(self, other):
        return _ew.binary("div", other, self)

    def __pow__(self, other):
        return _ew.binary("pow", self, other)

    def __rpow__(self, other):
        return _ew.binary("pow", other, self)

    def __matmul__(self, other):
        return _linalg.matmul(self, other)

    def __rmatmul__(self, other):
        return _linalg.matmul(other, self)

    def __neg__(self):
        return _ew.unary("neg", self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _ew.unary("abs", self)

    def add(self, other, alpha=1):
        return _ew.binary("add", self, other if alpha == 1 else other * alpha)

    def sub(self, other, alpha=1):
        return _ew.binary("sub", self, other if alpha == 1 else other * alpha)

    def mul(self, other):
        return _ew.binary("mul", self, other)

    def div(self, other):
        return _ew.binary("div", self, other)

    def pow(self, exponent):
        return _ew.binary("pow", self, exponent)

    def maximum(self, other):
        return _ew.binary("maximum", self, other)

    def minimum(self, other):
        return _ew.binary("minimum", self, other)

    # comparisons: bool tensors, no gradient
    def __eq__(self, other):
        return _cmp.compare("eq", self, other)

    def __ne__(self, other):
        return _cmp.compare("ne", self, other)

    def __lt__(self, other):
        return _cmp.compare("lt", self, other)

    def __le__(self, other):
        return _cmp.compare("le", self, other)

    def __gt__(self, other):
        return _cmp.compare("gt", self, other)

    def __ge__(self, other):
        return _cmp.compare("ge", self, other)

    def eq(self, other):
        return _cmp.compare("eq", self, other)

    def ne(self, other):
        return _cmp.compare("ne", self, other)

    def lt(self, other):
        return _cmp.compare("lt", self, other)

    def le(self, other):
        return _cmp.compare("le", self, other)

    def gt(self, other):
        return _cmp.compare("gt", self, other)

    def ge(self, other):
        return _cmp.compare("ge", self, other)

    def __invert__(self):
        return _cmp.logical_not(self)

    def logical_not(self):
        return _cmp.logical_not(self)

    def __and__(self, other):
        return _cmp.logical("and", self, other)

    def __or__(self, other):
        return _cmp.logical("or", self, other)

    def any(self, dim=None, keepdim=False):
        return _red.any_all("any", self, dim, keepdim)

    def all(self, dim=None, keepdim=False):
        return _red.any_all("all", self, dim, keepdim)

    # ------------------------------------------------------------ element-wise functions

    def neg(self):
        return _ew.unary("neg", self)

    def abs(self):
        return _ew.unary("abs", self)

    def sqrt(self):
        return _ew.unary("sqrt", self)

    def exp(self):
        return _ew.unary("exp", self)

    def log(self):
        return _ew.unary("log", self)

    def tanh(self):
        return _ew.unary("tanh", self)

    def sigmoid(self):
        return _ew.unary("sigmoid", self)

    def relu(self):
        return _ew.unary("relu", self)

    def softplus(self):
        return _ew.unary("softplus", self)

    def square(self):
        return _ew.binary("mul", self, self)

    def clamp(self, min=None, max=None):  # noqa: A002 - PyTorch's argument names
        return _sel.clamp(self, min, max)

    clip = clamp

    def where(self, condition, other):
        return _sel.where(condition, self, other)

    # ------------------------------------------------------------ in place

    def __iadd__(self, other):
        return _inplace.binary_("add", self, other)

    def __isub__(self, other):
        return _inplace.binary_("sub", self, other)

    def __imul__(self, other):
        return _inplace.binary_("mul", self, other)

    def __itruediv__(self, other):
        return _inplace.binary_("div", self, other)

    def add_(self, other, alpha=1):
        return _inplace.binary_("add", self, other if alpha == 1 else other * alpha)

    def sub_(self, other, alpha=1):
        return _inplace.binary_("sub", self, other if alpha == 1 else other * alpha)

    def mul_(self, other):
        return _inplace.binary_("mul", self, other)

    def div_(self, other):
        return _inplace.binary_("div", self, other)

    def zero_(self):
        return _inplace.fill_(self, 0)

    def fill_(self, value):
        return _inplace.fill_(self, value)

    def clamp_(self, min=None, max=None):  # noqa: A002
        return _inplace.clamp_(self, min, max)

    def copy_(self, src):
        return _inplace.copy_(self, src)

    def uniform_(self, a=0.0, b=1.0):
        return _inplace.random_(self, "uniform", a, b)

    def normal_(self, mean=0.0, std=1.0):
        return _inplace.random_(self, "normal", mean, std)

    def __setitem__(self, index, value):
        _inplace.setitem(self, index, value)

    def __getitem__(self, index):
        return _idx.getitem(self, index)

    # ------------------------------------------------------------ reductions

    def sum(self, dim=None, keepdim=False):
        return _red.sum(self, dim, keepdim)

    def mean(self, dim=None, keepdim=False):
        return _red.mean(self, dim, keepdim)

    def var(self, dim=None, unbiased=None, keepdim=False, correction=None):
        return _red.var(self, dim, unbiased, keepdim, correction)

    def std(self, dim=None, unbiased=None, keepdim=False, correction=None):
        return _red.var(self, dim, unbiased, keepdim, correction).sqrt()

    def prod(self, dim=None, keepdim=False):
        return _red.prod(self, dim, keepdim)

    def max(self, dim=None, keepdim=False):
        if isinstance(dim, Tensor):
            return self.maximum(dim)
        return _red.max_min("max", self, dim, keepdim)

    def min(self, dim=None, keepdim=False):
        if isinstance(dim, Tensor):
            return self.minimum(dim)
        return _red.max_min("min", self, dim, keepdim)

    def amax(self, dim=None, keepdim=False):
        return _red.amax_amin("max", self, dim, keepdim)

    def amin(self, dim=None, keepdim=False):
        return _red.amax_amin("min", self, dim, keepdim)

    def argmax(self, dim=None, keepdim=False):
        return _red.arg_reduce("argmax", self, dim, keepdim)

    def argmin(self, dim=None, keepdim=False):
        return _red.arg_reduce("argmin", self, dim, keepdim)

    def cumsum(self, dim):
        return _red.cumsum(self, dim)

    def norm(self, p="fro", dim=None, keepdim=False):
        return _red.norm(self, p, dim, keepdim)

    def softmax(self, dim=-1):
        return _softmax.softmax(self, dim)

    def log_softmax(self, dim=-1):
        return _softmax.log_softmax(self, dim)

    def logsumexp(self, dim, keepdim=False):
        return _softmax.logsumexp(self, dim, keepdim)

    # ------------------------------------------------------------ linear algebra

    def matmul(self, other):
        return _linalg.matmul(self, other)

    def mm(self, other):
        return _linalg.mm(self, other)

    def mv(self, vec):
        return _linalg.mv(self, vec)

    def dot(self, other):
        return _linalg.dot(self, other)

    # ------------------------------------------------------------ shape

    def reshape(self, *shape):
        return _shape.reshape(self, shape)

    def view(self, *shape):
        return _shape.reshape(self, shape, op="view")

    def view_as(self, other):
        return _shape.reshape(self, (other.shape,), op="view")

    def reshape_as(self, other):
        return _shape.reshape(self, (other.shape,))

    def flatten(self, start_dim=0, end_dim=-1):
        return _shape.flatten(self, start_dim, end_dim)

    def squeeze(self, dim=None):
        return _shape.squeeze(self, dim)

    def unsqueeze(self, dim):
        return _shape.unsqueeze(self, dim)

    def permute(self, *dims):
        return _shape.permute(self, dims)

    def transpose(self, dim0, dim1):
        return _shape.transpose(self, dim0, dim1)

    def t(self):
        if self.ndim > 2:
            raise RuntimeError(
                f"t(): expects a tensor with <= 2 dimensions, but self is {self.ndim}D"
            )
        return self.T

    @property
    def T(self):  # noqa: N802 - PyTorch's name
        """All axes reversed: the transpose of a matrix."""
        return _shape.Permute.apply(self, tuple(range(len(self._array.shape) - 1, -1, -1)))

    @property
    def mT(self):  # noqa: N802 - PyTorch's name
        """The last two axes swapped: a batch of transposed matrices."""
        if self.ndim < 2:
            raise RuntimeError(f"mT: tensor of dimension {self.ndim} has no matrix to transpose")
        return _shape.transpose(self, -2, -1)

    def expand(self, *sizes):
        return _shape.expand(self, sizes)

    def expand_as(self, other):
        return _shape.expand(self, (other.shape,))

    def contiguous(self):
        return _shape.contiguous(self)

    def is_contiguous(self):
        a = self._array
        flags = getattr(a, "flags", None)
        if flags is not None:
            return bool(flags["C_CONTIGUOUS"])
        return bool(getattr(a, "is_c_contiguous", lambda: True)())


def _rebuild_tensor(array, requires_grad, device):
    """A leaf tensor from the parts ``Tensor.__reduce_ex__`` saved (for pickle and deepcopy)."""
    from scalargrad.matrix.creation import tensor

    return tensor(array, dtype=array.dtype, requires_grad=requires_grad, device=device)


from scalargrad.matrix import inplace as _inplace  # noqa: E402  (these modules import Tensor)
from scalargrad.matrix.functions import comparison as _cmp  # noqa: E402
from scalargrad.matrix.functions import elementwise as _ew  # noqa: E402
from scalargrad.matrix.functions import indexing as _idx  # noqa: E402
from scalargrad.matrix.functions import linalg as _linalg  # noqa: E402
from scalargrad.matrix.functions import reductions as _red  # noqa: E402
from scalargrad.matrix.functions import selection as _sel  # noqa: E402
from scalargrad.matrix.functions import shape as _shape  # noqa: E402
from scalargrad.matrix.functions import softmax as _softmax  # noqa: E402
