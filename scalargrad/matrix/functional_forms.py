"""PyTorch's functional forms of the Tensor methods: ``sg.exp(x)`` is ``x.exp()``.

Each is a one-line hand-off to the Tensor method of the same name (its docstring holds the
math), written out so that grep and an IDE find ``sg.exp``. ``tests/test_op_registry.py``
checks that every public primitive of the op registry (``scalargrad/primitives.py``) that is a
Tensor method has its function here.
"""

from scalargrad.matrix.tensor import Tensor


def _tensor(name, input):
    """``input`` itself, or a TypeError naming the function: these take a Tensor first."""
    if not isinstance(input, Tensor):
        raise TypeError(
            f"{name}: input must be a Tensor, got {type(input).__name__}; wrap it with "
            "sg.tensor(...)"
        )
    return input


def abs(input):
    """``abs(input, ...)`` is ``input.abs(...)``: see ``Tensor.abs``."""
    return _tensor("abs", input).abs()


def sqrt(input):
    """``sqrt(input, ...)`` is ``input.sqrt(...)``: see ``Tensor.sqrt``."""
    return _tensor("sqrt", input).sqrt()


def exp(input):
    """``exp(input, ...)`` is ``input.exp(...)``: see ``Tensor.exp``."""
    return _tensor("exp", input).exp()


def log(input):
    """``log(input, ...)`` is ``input.log(...)``: see ``Tensor.log``."""
    return _tensor("log", input).log()


def tanh(input):
    """``tanh(input, ...)`` is ``input.tanh(...)``: see ``Tensor.tanh``."""
    return _tensor("tanh", input).tanh()


def sigmoid(input):
    """``sigmoid(input, ...)`` is ``input.sigmoid(...)``: see ``Tensor.sigmoid``."""
    return _tensor("sigmoid", input).sigmoid()


def relu(input):
    """``relu(input, ...)`` is ``input.relu(...)``: see ``Tensor.relu``."""
    return _tensor("relu", input).relu()


def softplus(input):
    """``softplus(input, ...)`` is ``input.softplus(...)``: see ``Tensor.softplus``."""
    return _tensor("softplus", input).softplus()


def sin(input):
    """``sin(input, ...)`` is ``input.sin(...)``: see ``Tensor.sin``."""
    return _tensor("sin", input).sin()


def cos(input):
    """``cos(input, ...)`` is ``input.cos(...)``: see ``Tensor.cos``."""
    return _tensor("cos", input).cos()


def neg(input):
    """``neg(input, ...)`` is ``input.neg(...)``: see ``Tensor.neg``."""
    return _tensor("neg", input).neg()


def clamp(input, min=None, max=None):
    """``clamp(input, ...)`` is ``input.clamp(...)``: see ``Tensor.clamp``."""
    return _tensor("clamp", input).clamp(min, max)


def maximum(input, other):
    """``maximum(input, ...)`` is ``input.maximum(...)``: see ``Tensor.maximum``."""
    return _tensor("maximum", input).maximum(other)


def minimum(input, other):
    """``minimum(input, ...)`` is ``input.minimum(...)``: see ``Tensor.minimum``."""
    return _tensor("minimum", input).minimum(other)


def sum(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """``sum(input, ...)`` is ``input.sum(...)``: see ``Tensor.sum``."""
    return _tensor("sum", input).sum(dim, keepdim, axis=axis, keepdims=keepdims)


def mean(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """``mean(input, ...)`` is ``input.mean(...)``: see ``Tensor.mean``."""
    return _tensor("mean", input).mean(dim, keepdim, axis=axis, keepdims=keepdims)


def var(
    input, dim=None, unbiased=None, keepdim=False, correction=None, *, axis=None, keepdims=None
):
    """``var(input, ...)`` is ``input.var(...)``: see ``Tensor.var``."""
    return _tensor("var", input).var(
        dim, unbiased, keepdim, correction, axis=axis, keepdims=keepdims
    )


def std(
    input, dim=None, unbiased=None, keepdim=False, correction=None, *, axis=None, keepdims=None
):
    """``std(input, ...)`` is ``input.std(...)``: see ``Tensor.std``."""
    return _tensor("std", input).std(
        dim, unbiased, keepdim, correction, axis=axis, keepdims=keepdims
    )


def prod(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """``prod(input, ...)`` is ``input.prod(...)``: see ``Tensor.prod``."""
    return _tensor("prod", input).prod(dim, keepdim, axis=axis, keepdims=keepdims)


def max(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """``max(input, ...)`` is ``input.max(...)``: see ``Tensor.max``."""
    return _tensor("max", input).max(dim, keepdim, axis=axis, keepdims=keepdims)


def min(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """``min(input, ...)`` is ``input.min(...)``: see ``Tensor.min``."""
    return _tensor("min", input).min(dim, keepdim, axis=axis, keepdims=keepdims)


def amax(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """``amax(input, ...)`` is ``input.amax(...)``: see ``Tensor.amax``."""
    return _tensor("amax", input).amax(dim, keepdim, axis=axis, keepdims=keepdims)


def amin(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """``amin(input, ...)`` is ``input.amin(...)``: see ``Tensor.amin``."""
    return _tensor("amin", input).amin(dim, keepdim, axis=axis, keepdims=keepdims)


def argmax(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """``argmax(input, ...)`` is ``input.argmax(...)``: see ``Tensor.argmax``."""
    return _tensor("argmax", input).argmax(dim, keepdim, axis=axis, keepdims=keepdims)


def argmin(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """``argmin(input, ...)`` is ``input.argmin(...)``: see ``Tensor.argmin``."""
    return _tensor("argmin", input).argmin(dim, keepdim, axis=axis, keepdims=keepdims)


def cumsum(input, dim=None, *, axis=None):
    """``cumsum(input, ...)`` is ``input.cumsum(...)``: see ``Tensor.cumsum``."""
    return _tensor("cumsum", input).cumsum(dim, axis=axis)


def sort(input, dim=-1, descending=False, *, stable=None):
    """``sort(input, ...)`` is ``input.sort(...)``: see ``Tensor.sort``."""
    return _tensor("sort", input).sort(dim, descending, stable=stable)


def argsort(input, dim=-1, descending=False, *, stable=None):
    """``argsort(input, ...)`` is ``input.argsort(...)``: see ``Tensor.argsort``."""
    return _tensor("argsort", input).argsort(dim, descending, stable=stable)


def msort(input):
    """``msort(input)`` is ``input.msort()``: see ``Tensor.msort``."""
    return _tensor("msort", input).msort()


def topk(input, k, dim=-1, largest=True, sorted=True):  # noqa: A002 - PyTorch's name
    """``topk(input, ...)`` is ``input.topk(...)``: see ``Tensor.topk``."""
    return _tensor("topk", input).topk(k, dim, largest, sorted)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):  # noqa: A002
    """``unique(input, ...)`` is ``input.unique(...)``: see ``Tensor.unique``."""
    return _tensor("unique", input).unique(sorted, return_inverse, return_counts, dim)


def norm(input, p="fro", dim=None, keepdim=False, *, axis=None, keepdims=None):
    """``norm(input, ...)`` is ``input.norm(...)``: see ``Tensor.norm``."""
    return _tensor("norm", input).norm(p, dim, keepdim, axis=axis, keepdims=keepdims)


def softmax(input, dim=-1):
    """``softmax(input, ...)`` is ``input.softmax(...)``: see ``Tensor.softmax``."""
    return _tensor("softmax", input).softmax(dim)


def log_softmax(input, dim=-1):
    """``log_softmax(input, ...)`` is ``input.log_softmax(...)``: see ``Tensor.log_softmax``."""
    return _tensor("log_softmax", input).log_softmax(dim)


def logsumexp(input, dim, keepdim=False):
    """``logsumexp(input, ...)`` is ``input.logsumexp(...)``: see ``Tensor.logsumexp``."""
    return _tensor("logsumexp", input).logsumexp(dim, keepdim)


def matmul(input, other):
    """``matmul(input, ...)`` is ``input.matmul(...)``: see ``Tensor.matmul``."""
    return _tensor("matmul", input).matmul(other)


def mm(input, other):
    """``mm(input, ...)`` is ``input.mm(...)``: see ``Tensor.mm``."""
    return _tensor("mm", input).mm(other)


def mv(input, vec):
    """``mv(input, ...)`` is ``input.mv(...)``: see ``Tensor.mv``."""
    return _tensor("mv", input).mv(vec)


def dot(input, other):
    """``dot(input, ...)`` is ``input.dot(...)``: see ``Tensor.dot``."""
    return _tensor("dot", input).dot(other)


def reshape(input, *shape):
    """``reshape(input, ...)`` is ``input.reshape(...)``: see ``Tensor.reshape``."""
    return _tensor("reshape", input).reshape(*shape)


def flatten(input, start_dim=0, end_dim=-1):
    """``flatten(input, ...)`` is ``input.flatten(...)``: see ``Tensor.flatten``."""
    return _tensor("flatten", input).flatten(start_dim, end_dim)


def squeeze(input, dim=None):
    """``squeeze(input, ...)`` is ``input.squeeze(...)``: see ``Tensor.squeeze``."""
    return _tensor("squeeze", input).squeeze(dim)


def unsqueeze(input, dim):
    """``unsqueeze(input, ...)`` is ``input.unsqueeze(...)``: see ``Tensor.unsqueeze``."""
    return _tensor("unsqueeze", input).unsqueeze(dim)


def permute(input, *dims):
    """``permute(input, ...)`` is ``input.permute(...)``: see ``Tensor.permute``."""
    return _tensor("permute", input).permute(*dims)


def transpose(input, dim0, dim1):
    """``transpose(input, ...)`` is ``input.transpose(...)``: see ``Tensor.transpose``."""
    return _tensor("transpose", input).transpose(dim0, dim1)


def pow(input, exponent):
    """``pow(input, ...)`` is ``input.pow(...)``: see ``Tensor.pow``."""
    return _tensor("pow", input).pow(exponent)


def add(input, other, alpha=1):
    """``add(input, ...)`` is ``input.add(...)``: see ``Tensor.add``."""
    return _tensor("add", input).add(other, alpha)


def sub(input, other, alpha=1):
    """``sub(input, ...)`` is ``input.sub(...)``: see ``Tensor.sub``."""
    return _tensor("sub", input).sub(other, alpha)


def mul(input, other):
    """``mul(input, ...)`` is ``input.mul(...)``: see ``Tensor.mul``."""
    return _tensor("mul", input).mul(other)


def div(input, other):
    """``div(input, ...)`` is ``input.div(...)``: see ``Tensor.div``."""
    return _tensor("div", input).div(other)


def eq(input, other):
    """``eq(input, ...)`` is ``input.eq(...)``: see ``Tensor.eq``."""
    return _tensor("eq", input).eq(other)


def ne(input, other):
    """``ne(input, ...)`` is ``input.ne(...)``: see ``Tensor.ne``."""
    return _tensor("ne", input).ne(other)


def lt(input, other):
    """``lt(input, ...)`` is ``input.lt(...)``: see ``Tensor.lt``."""
    return _tensor("lt", input).lt(other)


def le(input, other):
    """``le(input, ...)`` is ``input.le(...)``: see ``Tensor.le``."""
    return _tensor("le", input).le(other)


def gt(input, other):
    """``gt(input, ...)`` is ``input.gt(...)``: see ``Tensor.gt``."""
    return _tensor("gt", input).gt(other)


def ge(input, other):
    """``ge(input, ...)`` is ``input.ge(...)``: see ``Tensor.ge``."""
    return _tensor("ge", input).ge(other)


def detach(input):
    """``detach(input, ...)`` is ``input.detach(...)``: see ``Tensor.detach``."""
    return _tensor("detach", input).detach()


def clone(input):
    """``clone(input, ...)`` is ``input.clone(...)``: see ``Tensor.clone``."""
    return _tensor("clone", input).clone()


def t(input):
    """``t(input, ...)`` is ``input.t(...)``: see ``Tensor.t``."""
    return _tensor("t", input).t()


def square(input):
    """``square(input, ...)`` is ``input.square(...)``: see ``Tensor.square``."""
    return _tensor("square", input).square()


def clip(input, min=None, max=None):
    """``clip(input, ...)`` is ``input.clip(...)``: see ``Tensor.clip``."""
    return _tensor("clip", input).clip(min, max)


def bmm(input, other):
    """``bmm(input, ...)`` is ``input.bmm(...)``: see ``Tensor.bmm``."""
    return _tensor("bmm", input).bmm(other)


def masked_fill(input, mask, value):
    """``masked_fill(input, ...)`` is ``input.masked_fill(...)``: see ``Tensor.masked_fill``."""
    return _tensor("masked_fill", input).masked_fill(mask, value)


def gather(input, dim, index):
    """``gather(input, ...)`` is ``input.gather(...)``: see ``Tensor.gather``."""
    return _tensor("gather", input).gather(dim, index)


def index_select(input, dim, index):
    """``index_select(input, ...)`` is ``input.index_select(...)``: see ``Tensor.index_select``."""
    return _tensor("index_select", input).index_select(dim, index)


def chunk(input, chunks, dim=0):
    """``chunk(input, ...)`` is ``input.chunk(...)``: see ``Tensor.chunk``."""
    return _tensor("chunk", input).chunk(chunks, dim)


def split(input, split_size, dim=0):
    """``split(input, ...)`` is ``input.split(...)``: see ``Tensor.split``."""
    return _tensor("split", input).split(split_size, dim)


def round(input, decimals=0):
    """``round(input, ...)`` is ``input.round(...)``: see ``Tensor.round``."""
    return _tensor("round", input).round(decimals)


def floor(input):
    """``floor(input, ...)`` is ``input.floor(...)``: see ``Tensor.floor``."""
    return _tensor("floor", input).floor()


def ceil(input):
    """``ceil(input, ...)`` is ``input.ceil(...)``: see ``Tensor.ceil``."""
    return _tensor("ceil", input).ceil()


def sign(input):
    """``sign(input, ...)`` is ``input.sign(...)``: see ``Tensor.sign``."""
    return _tensor("sign", input).sign()
