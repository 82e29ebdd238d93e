"""The op registry: every element-wise primitive declared once.

A primitive is a float function of one or two floats whose value and local derivative(s) are
written in ``scalargrad/calculus.py``. Everything that needs the list of primitives reads it
from here: the matrix engine's Functions (``matrix/functions/elementwise.py``), the CPU kernel
tables (``backends/cpu_ops.py``: an op's integer code is its position in ``UNARY``/``BINARY``),
the CUDA kernels (``backends/cuda_elementwise.py``), the NumPy reference backend, the scalar
engine's activation table, ``nn.activation(name)`` and the hypothesis strategies of
``scalargrad/testing``. ``tests/test_op_registry.py`` checks that they all agree with it.

Adding a primitive (docs/architecture/adding_a_primitive.md): write ``f`` and ``f_deriv`` in
calculus.py, add one ``Primitive(...)`` line below and write ``docs/derivations/<page>.md``
(a binary primitive also needs its branch in the binary dispatchers of ``backends/cpu_ops.py``).

This module imports only calculus.py, so every layer of the package may import it.
"""

from dataclasses import dataclass

from scalargrad import calculus


@dataclass(frozen=True)
class Primitive:
    """One element-wise primitive.

    name        the op's name (``Tensor.<name>``, ``Value.<name>``, the backends' op string)
    value       the calculus function f(x) (unary) or f(x, y) (binary)
    derivs      (f_deriv,) for unary f, with f_deriv(x, y = f(x)); (f_dx, f_dy) for binary f
    page        its derivation page: docs/derivations/<page>.md
    grad_fn     PyTorch's name for the graph node (``TanhBackward0``)
    low, high   the interval hypothesis draws test inputs from (the first operand's, for binary)
    avoid       points where central differences fail (a kink or pole): inputs keep 1e-3 away
    activation  PyTorch's ``nn`` Module for it (``"Tanh"``), if it is an activation layer
    """

    name: str
    value: object
    derivs: tuple
    page: str
    grad_fn: str
    low: float = -10.0
    high: float = 10.0
    avoid: tuple = ()
    activation: str = ""

    @property
    def arity(self):
        """1 for a unary primitive, 2 for a binary one."""
        return len(self.derivs)


C = calculus

# fmt: off
UNARY = (
    Primitive("neg", C.neg, (C.neg_deriv,), "add", "NegBackward0"),
    Primitive("exp", C.exp, (C.exp_deriv,), "exp", "ExpBackward0", high=5.0),
    Primitive("log", C.log, (C.log_deriv,), "log", "LogBackward0", low=0.05),
    Primitive("tanh", C.tanh, (C.tanh_deriv,), "tanh", "TanhBackward0", activation="Tanh"),
    Primitive("sigmoid", C.sigmoid, (C.sigmoid_deriv,), "sigmoid", "SigmoidBackward0",
              activation="Sigmoid"),
    Primitive("relu", C.relu, (C.relu_deriv,), "relu", "ReluBackward0", avoid=(0.0,),
              activation="ReLU"),
    Primitive("softplus", C.softplus, (C.softplus_deriv,), "softplus", "SoftplusBackward0",
              activation="Softplus"),
    Primitive("abs", C.abs, (C.abs_deriv,), "abs", "AbsBackward0", avoid=(0.0,)),
    Primitive("sqrt", C.sqrt, (C.sqrt_deriv,), "sqrt", "SqrtBackward0", low=0.05),
    Primitive("sin", C.sin, (C.sin_deriv,), "sin", "SinBackward0"),
    Primitive("cos", C.cos, (C.cos_deriv,), "sin", "CosBackward0"),
    Primitive("silu", C.silu, (C.silu_deriv,), "silu", "SiluBackward0", activation="SiLU"),
    Primitive("gelu", C.gelu, (C.gelu_deriv,), "gelu", "GeluBackward0", activation="GELU"),
    Primitive("gelu_tanh", C.gelu_tanh, (C.gelu_tanh_deriv,), "gelu", "GeluBackward0"),
)

BINARY = (
    Primitive("add", C.add, (C.add_dx, C.add_dy), "add", "AddBackward0"),
    Primitive("sub", C.sub, (C.sub_dx, C.sub_dy), "add", "SubBackward0"),
    Primitive("mul", C.mul, (C.mul_dx, C.mul_dy), "mul", "MulBackward0"),
    Primitive("div", C.div, (C.div_dx, C.div_dy), "div", "DivBackward0", avoid=(0.0,)),
    Primitive("pow", C.pow, (C.pow_dx, C.pow_dy), "pow", "PowBackward0", low=0.05),
    Primitive("maximum", C.maximum, (C.maximum_dx, C.maximum_dy), "maximum", "MaximumBackward0"),
    Primitive("minimum", C.minimum, (C.minimum_dx, C.minimum_dy), "maximum", "MinimumBackward0"),
)
# fmt: on

ALL = UNARY + BINARY
BY_NAME = {p.name: p for p in ALL}
UNARY_NAMES = tuple(p.name for p in UNARY)
BINARY_NAMES = tuple(p.name for p in BINARY)
ACTIVATIONS = tuple(p for p in UNARY if p.activation)


def get(name):
    """The Primitive called ``name``; a KeyError naming the known ones otherwise."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(
            f"no element-wise primitive {name!r}; the registry has {', '.join(BY_NAME)}"
        ) from None
