"""scalargrad: backpropagation you can see (the scalar ``Value`` engine) and train with (the
matrix engine: numba CPU kernels and numba.cuda GPU kernels), behind one PyTorch-like API.

    >>> from scalargrad import Value
    >>> x = Value(2.0)
    >>> y = x * x
    >>> y.backward()
    >>> x.grad
    4.0

Names are loaded on first use, so ``from scalargrad import Value`` does not start numba.
"""

import importlib

from scalargrad import _numba_cache

_numba_cache.configure()

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    # both engines
    "no_grad": "scalargrad.autograd_mode",
    "enable_grad": "scalargrad.autograd_mode",
    "is_grad_enabled": "scalargrad.autograd_mode",
    "set_grad_enabled": "scalargrad.autograd_mode",
    "inference_mode": "scalargrad.autograd_mode",
    "gradcheck": "scalargrad.gradient_check",
    # the scalar engine
    "Value": "scalargrad.scalar.value",
    # the matrix engine
    "Tensor": "scalargrad.matrix.tensor",
    "tensor": "scalargrad.matrix.creation",
    "zeros": "scalargrad.matrix.creation",
    "ones": "scalargrad.matrix.creation",
    "full": "scalargrad.matrix.creation",
    "eye": "scalargrad.matrix.creation",
    "rand": "scalargrad.matrix.creation",
    "randn": "scalargrad.matrix.creation",
    "randint": "scalargrad.matrix.creation",
    "arange": "scalargrad.matrix.creation",
    "linspace": "scalargrad.matrix.creation",
    "zeros_like": "scalargrad.matrix.creation",
    "ones_like": "scalargrad.matrix.creation",
    "from_numpy": "scalargrad.matrix.creation",
    "manual_seed": "scalargrad.matrix.creation",
    "cat": "scalargrad.matrix.functions.joining",
    "stack": "scalargrad.matrix.functions.joining",
    "where": "scalargrad.matrix.functions.joining",
    "float32": "scalargrad.dtypes",
    "float64": "scalargrad.dtypes",
    "int64": "scalargrad.dtypes",
    "bool": "scalargrad.dtypes",
    "float": "scalargrad.dtypes",
    "double": "scalargrad.dtypes",
    "long": "scalargrad.dtypes",
    # PyTorch's names a first course uses (docs/pytorch_compat.md)
    **dict.fromkeys(
        "dtype int32 uint8 int get_default_dtype set_default_dtype".split(), "scalargrad.dtypes"
    ),
    **dict.fromkeys(
        "as_tensor is_tensor numel empty empty_like full_like rand_like randn_like normal randperm"
        .split(),
        "scalargrad.matrix.creation",
    ),
    **dict.fromkeys(
        "FloatTensor DoubleTensor LongTensor IntTensor ByteTensor BoolTensor".split(),
        "scalargrad.matrix.legacy",
    ),
    "equal": "scalargrad.matrix.functions.comparison",
    "allclose": "scalargrad.matrix.functions.comparison",
    "device": "scalargrad.devices",
    "Size": "scalargrad.matrix.size",
    "return_types": "scalargrad.matrix.functions.reductions",
    "save": "scalargrad.serialization",
    "load": "scalargrad.serialization",
    "install_as_torch": "scalargrad.torch_compat",
}

# PyTorch's functional forms of the Tensor methods: sg.exp(x), sg.matmul(a, b), sg.softmax(x, 1),
# each a def in scalargrad/matrix/functional_forms.py (named here so that importing scalargrad
# stays lazy; tests/test_op_registry.py checks this list against that module's defs)
_FUNCTIONAL = (
    "abs sqrt exp log tanh sigmoid relu softplus sin cos neg clamp maximum minimum sum mean var "
    "std prod max min amax amin argmax argmin cumsum norm softmax log_softmax logsumexp matmul "
    "mm mv dot "
    "reshape flatten squeeze unsqueeze permute transpose pow add sub mul div eq ne lt le gt ge "
    "detach clone"  # below: what PyTorch courses use
    " t square clip bmm masked_fill gather index_select chunk split round floor ceil sign"
    " sort argsort msort topk unique"
).split()
for _name in _FUNCTIONAL:
    _EXPORTS.setdefault(_name, "scalargrad.matrix.functional_forms")
del _name

# subpackages reachable as attributes: sg.nn, sg.optim, sg.data, ...
_SUBMODULES = {
    "calculus", "scalar", "matrix", "nn", "optim", "data", "viz", "testing", "cuda", "dtypes",
    "linalg", "utils", "accelerator",
}

__all__ = sorted(_EXPORTS) + sorted(_SUBMODULES)


def __getattr__(name):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"scalargrad.{name}")
    raise AttributeError(f"module 'scalargrad' has no attribute {name!r}")


def __dir__():
    return __all__
