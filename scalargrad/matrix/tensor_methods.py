"""``TensorMethods``: the op methods of ``Tensor``: operators, math, reductions, linear algebra,
shape, in place.

Each is a one-line hand-off to the module in ``scalargrad/matrix/functions/`` that checks its
arguments and holds the op's ``Function`` (forward and backward, with the math in its docstring),
so the op is read where its math is. The function modules build on ``TensorBase`` only, so this
module imports them at the top; ``Tensor`` (``tensor.py``) inherits these methods.
"""

from scalargrad.matrix.autograd_function import named as _named
from scalargrad.matrix.functions import comparison as _cmp
from scalargrad.matrix.functions import composite as _comp
from scalargrad.matrix.functions import elementwise as _ew
from scalargrad.matrix.functions import indexing as _idx
from scalargrad.matrix.functions import inplace as _inplace
from scalargrad.matrix.functions import linalg as _linalg
from scalargrad.matrix.functions import reductions as _red
from scalargrad.matrix.functions import selection as _sel
from scalargrad.matrix.functions import shape as _shape
from scalargrad.matrix.functions import softmax as _softmax
from scalargrad.matrix.functions import sorting as _sorting
from scalargrad.matrix.host_arrays import host_array, sizes
from scalargrad.matrix.tensor_core import TensorBase


def _method_result(op, result, other):
    """A named method (``x.add(y)``) raises where its operator (``x + y``) would hand Python a
    NotImplemented to try the other operand: a method's caller would get NotImplemented back."""
    if result is NotImplemented:
        raise TypeError(
            f"{op}: expected a Tensor or a number, got {type(other).__name__} {other!r}"
        )
    return result


def _scaled(op, other, alpha):
    """``alpha * other`` for add/sub's ``alpha=`` (PyTorch's x + alpha * other)."""
    if isinstance(alpha, (int, float)) and alpha == 1:
        return other
    try:
        return other * alpha
    except TypeError:
        raise TypeError(
            f"{op}: expected a Tensor or a number and a numeric alpha, got "
            f"{type(other).__name__} {other!r} and alpha={alpha!r}"
        ) from None


class TensorMethods(TensorBase):
    """The methods of ``Tensor`` that compute new tensors (see the module docstring)."""

    __slots__ = ()
    __hash__ = TensorBase.__hash__  # by identity (defining __eq__ below would unset it)

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
        return _method_result("add", _ew.binary("add", self, _scaled("add", other, alpha)), other)

    def sub(self, other, alpha=1):
        return _method_result("sub", _ew.binary("sub", self, _scaled("sub", other, alpha)), other)

    def mul(self, other):
        return _method_result("mul", _ew.binary("mul", self, other), other)

    def div(self, other):
        return _method_result("div", _ew.binary("div", self, other), other)

    def pow(self, exponent):
        return _method_result("pow", _ew.binary("pow", self, exponent), exponent)

    def maximum(self, other):
        return _method_result("maximum", _ew.binary("maximum", self, other), other)

    def minimum(self, other):
        return _method_result("minimum", _ew.binary("minimum", self, other), other)

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
        return _method_result("eq", _cmp.compare("eq", self, other), other)

    def ne(self, other):
        return _method_result("ne", _cmp.compare("ne", self, other), other)

    def lt(self, other):
        return _method_result("lt", _cmp.compare("lt", self, other), other)

    def le(self, other):
        return _method_result("le", _cmp.compare("le", self, other), other)

    def gt(self, other):
        return _method_result("gt", _cmp.compare("gt", self, other), other)

    def ge(self, other):
        return _method_result("ge", _cmp.compare("ge", self, other), other)

    def __invert__(self):
        return _cmp.logical_not(self)

    def logical_not(self):
        return _cmp.logical_not(self)

    def __and__(self, other):
        return _cmp.logical("and", self, other)

    def __or__(self, other):
        return _cmp.logical("or", self, other)

    def any(self, dim=None, keepdim=False, *, axis=None, keepdims=None, out=None):
        dim, keepdim = _np_names("any", dim, keepdim, axis, keepdims)
        return _red.any_all("any", self, dim, keepdim)

    def all(self, dim=None, keepdim=False, *, axis=None, keepdims=None, out=None):
        dim, keepdim = _np_names("all", dim, keepdim, axis, keepdims)
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

    def sin(self):
        return _ew.unary("sin", self)

    def cos(self):
        return _ew.unary("cos", self)

    def square(self):
        return _named(_ew.binary("mul", self, self), "PowBackward0")

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
        scaled = _scaled("add_", other, alpha)
        return _method_result("add_", _inplace.binary_("add", self, scaled), other)

    def sub_(self, other, alpha=1):
        scaled = _scaled("sub_", other, alpha)
        return _method_result("sub_", _inplace.binary_("sub", self, scaled), other)

    def mul_(self, other):
        return _method_result("mul_", _inplace.binary_("mul", self, other), other)

    def div_(self, other):
        return _method_result("div_", _inplace.binary_("div", self, other), other)

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
    # (NumPy's names work too, as in PyTorch: x.sum(axis=1, keepdims=True))

    def sum(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        dim, keepdim = _np_names("sum", dim, keepdim, axis, keepdims)
        return _red.sum(self, dim, keepdim)

    def mean(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        dim, keepdim = _np_names("mean", dim, keepdim, axis, keepdims)
        return _red.mean(self, dim, keepdim)

    def var(
        self, dim=None, unbiased=None, keepdim=False, correction=None, *, axis=None, keepdims=None
    ):
        dim, keepdim = _np_names("var", dim, keepdim, axis, keepdims)
        return _red.var(self, dim, unbiased, keepdim, correction)

    def std(
        self, dim=None, unbiased=None, keepdim=False, correction=None, *, axis=None, keepdims=None
    ):
        dim, keepdim = _np_names("std", dim, keepdim, axis, keepdims)
        out = _red.var(self, dim, unbiased, keepdim, correction).sqrt()
        return _named(out, "StdBackward0")

    def prod(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        dim, keepdim = _np_names("prod", dim, keepdim, axis, keepdims)
        return _red.prod(self, dim, keepdim)

    def max(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        if isinstance(dim, TensorBase):
            return self.maximum(dim)
        dim, keepdim = _np_names("max", dim, keepdim, axis, keepdims)
        return _red.max_min("max", self, dim, keepdim)

    def min(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        if isinstance(dim, TensorBase):
            return self.minimum(dim)
        dim, keepdim = _np_names("min", dim, keepdim, axis, keepdims)
        return _red.max_min("min", self, dim, keepdim)

    def amax(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        dim, keepdim = _np_names("amax", dim, keepdim, axis, keepdims)
        return _red.amax_amin("max", self, dim, keepdim)

    def amin(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        dim, keepdim = _np_names("amin", dim, keepdim, axis, keepdims)
        return _red.amax_amin("min", self, dim, keepdim)

    def argmax(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        dim, keepdim = _np_names("argmax", dim, keepdim, axis, keepdims)
        return _red.arg_reduce("argmax", self, dim, keepdim)

    def argmin(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        dim, keepdim = _np_names("argmin", dim, keepdim, axis, keepdims)
        return _red.arg_reduce("argmin", self, dim, keepdim)

    def cumsum(self, dim=None, *, axis=None):
        dim, _ = _np_names("cumsum", dim, False, axis, None)
        if dim is None:
            raise TypeError("cumsum() missing required argument 'dim'")
        return _red.cumsum(self, dim)

    def sort(self, dim=-1, descending=False, *, stable=None):
        """(values, indices) sorted along ``dim``; NaN largest, ties in index order; values
        differentiable (the gradient goes back to where each value came from)."""
        return _sorting.sort(self, dim, descending, stable)

    def argsort(self, dim=-1, descending=False, *, stable=None):
        """The int64 indices that sort along ``dim``: ``sort(...).indices``."""
        return _sorting.argsort(self, dim, descending, stable)

    def msort(self):
        """Sorted along dim 0: ``sort(0).values``."""
        return _sorting.msort(self)

    def topk(self, k, dim=-1, largest=True, sorted=True):  # noqa: A002 - PyTorch's name
        """(values, indices) of the k largest (smallest) elements along ``dim``, largest first."""
        return _sorting.topk(self, k, dim, largest, sorted)

    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):  # noqa: A002
        """The distinct elements (flattened, ascending), optionally with inverse and counts."""
        return _sorting.unique(self, sorted, return_inverse, return_counts, dim)

    def norm(self, p="fro", dim=None, keepdim=False, *, axis=None, keepdims=None):
        dim, keepdim = _np_names("norm", dim, keepdim, axis, keepdims)
        return _red.norm(self, p, dim, keepdim)

    def softmax(self, dim=-1):
        return _softmax.softmax(self, dim)

    def log_softmax(self, dim=-1):
        return _softmax.log_softmax(self, dim)

    def logsumexp(self, dim, keepdim=False):
        return _softmax.logsumexp(self, dim, keepdim)

    # ------------------------------------------------------------ linear algebra

    def matmul(self, other):
        return _method_result("matmul", _linalg.matmul(self, other), other)

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
        return _named(_shape.squeeze(self, dim), f"SqueezeBackward{0 if dim is None else 1}")

    def unsqueeze(self, dim):
        return _named(_shape.unsqueeze(self, dim), "UnsqueezeBackward0")

    def permute(self, *dims):
        return _shape.permute(self, dims)

    def transpose(self, dim0, dim1):
        return _named(_shape.transpose(self, dim0, dim1), "TransposeBackward0")

    def t(self):
        if self.ndim > 2:
            raise RuntimeError(
                f"t(): expects a tensor with <= 2 dimensions, but self is {self.ndim}D"
            )
        return _named(self.T, "TBackward0")

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

    # ------------------------------------------------------------ compositions (composite.py)

    def masked_fill(self, mask, value):
        return _comp.masked_fill(self, mask, value)

    def masked_fill_(self, mask, value):
        return self.copy_(_comp.masked_fill(self, mask, value))

    def repeat(self, *sizes):
        return _comp.repeat(self, sizes)

    def gather(self, dim, index):
        return _comp.gather(self, dim, index)

    def index_select(self, dim, index):
        return _comp.index_select(self, dim, index)

    def scatter_(self, dim, index, src=None, value=None):
        return _comp.scatter_(self, dim, index, src, value)

    def chunk(self, chunks, dim=0):
        return _comp.chunk(self, chunks, dim)

    def split(self, split_size, dim=0):
        return _comp.split(self, split_size, dim)

    def round(self, decimals=0):
        return _comp.rounding("round", self, decimals)

    def floor(self):
        return _comp.rounding("floor", self)

    def ceil(self):
        return _comp.rounding("ceil", self)

    def sign(self):
        return _comp.rounding("sign", self)

    def bmm(self, other):
        return _linalg.matmul(self, other)

    def new_zeros(self, *size):
        be = self._backend
        zeros = be.full(sizes("new_zeros", size), 0, self._array.dtype)
        return self._result_type()._wrap(zeros, be)

    def new_ones(self, *size):
        be = self._backend
        ones = be.full(sizes("new_ones", size), 1, self._array.dtype)
        return self._result_type()._wrap(ones, be)

    def new_tensor(self, data):
        be = self._backend
        array = host_array("new_tensor", data, self._array.dtype)
        return self._result_type()._wrap(be.from_numpy(array), be)

    def is_contiguous(self):
        a = self._array
        flags = getattr(a, "flags", None)
        if flags is not None:
            return bool(flags["C_CONTIGUOUS"])
        return bool(getattr(a, "is_c_contiguous", lambda: True)())


def _np_names(op, dim, keepdim, axis, keepdims):
    """(dim, keepdim) from PyTorch's names or NumPy's (axis, keepdims), which PyTorch also takes."""
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{op}(): give dim or axis, not both")
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    return dim, keepdim
