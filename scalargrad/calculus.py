"""Every primitive's value and local derivative, as plain float functions.

This module is the single source of truth for derivatives. The scalar ``Value`` engine calls
these functions directly; the numba CPU kernels compile them with ``numba.njit`` and the CUDA
kernels with ``numba.cuda.jit(device=True)``. So each function here follows three rules:

* it takes and returns plain floats and uses only ``math`` (numba compiles that on both targets);
* it calls no other function of this module (each target compiles each function on its own);
* it never raises: where ``math`` would raise (``log(0)``, ``exp(1000)``, ``sqrt(-1)``) it returns
  ``-inf``, ``inf`` or ``nan`` as PyTorch does, and the engines decide whether to warn.

Naming: ``f(x)`` is the forward value; for a unary primitive ``f_deriv(x, y)`` is ``df/dx`` at
``x`` where ``y = f(x)`` is passed in, so each derivative can use whichever is cheaper and
more stable. A binary primitive ``g(x, y)`` has ``g_dx(x, y)`` and ``g_dy(x, y)``. A loss term
``l(p, t)`` of a prediction ``p`` and target ``t`` has ``l_deriv(p, t)`` = ``dl/dp``.

Each docstring names the docs page that derives it (``docs/derivations/<name>``).
"""

import math

# Beyond this, math.exp overflows a float64 (and would raise in plain Python).
EXP_OVERFLOW = 709.782712893384


# ---------------------------------------------------------------- binary arithmetic


def add(x, y):
    """x + y. Docs: derivations/add."""
    return x + y


def add_dx(x, y):
    """d(x + y)/dx = 1. Docs: derivations/add."""
    return 1.0


def add_dy(x, y):
    """d(x + y)/dy = 1. Docs: derivations/add."""
    return 1.0


def sub(x, y):
    """x - y. Docs: derivations/add."""
    return x - y


def sub_dx(x, y):
    """d(x - y)/dx = 1. Docs: derivations/add."""
    return 1.0


def sub_dy(x, y):
    """d(x - y)/dy = -1. Docs: derivations/add."""
    return -1.0


def mul(x, y):
    """x * y. Docs: derivations/mul."""
    return x * y


def mul_dx(x, y):
    """d(xy)/dx = y. Docs: derivations/mul."""
    return y


def mul_dy(x, y):
    """d(xy)/dy = x. Docs: derivations/mul."""
    return x


def div(x, y):
    """x / y, with IEEE results for y = 0 (+-inf, or nan for 0/0). Docs: derivations/div."""
    if y == 0.0:
        if x == 0.0 or x != x:
            return math.nan
        return math.copysign(math.inf, x) * math.copysign(1.0, y)
    return x / y


def div_dx(x, y):
    """d(x/y)/dx = 1/y. Docs: derivations/div."""
    if y == 0.0:
        return math.copysign(math.inf, y)
    return 1.0 / y


def div_dy(x, y):
    """d(x/y)/dy = -x/y^2. Docs: derivations/div."""
    if y == 0.0:
        if x == 0.0 or x != x:
            return math.nan
        return -math.copysign(math.inf, x)
    return -x / (y * y)


def pow(x, y):
    """x ** y for real numbers.

    A negative base with a non-integer exponent has no real value: nan (as PyTorch). ``0 ** -1``
    is ``inf`` (``-inf`` for ``-0.0``, as C); results past float64's range are +-inf instead of
    an OverflowError; an infinite base or exponent gives C's limit (``(-2) ** inf = inf``,
    ``0.5 ** inf = 0``). Docs: derivations/pow.
    """
    if y == 0.0 or x == 1.0:
        return 1.0  # even for nan, as C and PyTorch
    if x != x or y != y:
        return math.nan
    if math.isinf(y):
        return math.pow(x, y)  # C's limits: pow(-2, inf) = inf, pow(0.5, inf) = 0, ...
    if x < 0.0 and y != math.floor(y):
        return math.nan
    if math.isinf(x):
        return math.pow(x, y)
    if x == 0.0:
        if y > 0.0:
            return math.pow(x, y)  # 0.0 (or -0.0)
        odd = y == math.floor(y) and y % 2.0 != 0.0  # a pole: -inf for -0.0 to an odd power
        return math.copysign(math.inf, x) if odd else math.inf
    if y * math.log(math.fabs(x)) > EXP_OVERFLOW:
        if x < 0.0 and y % 2.0 != 0.0:
            return -math.inf
        return math.inf
    return math.pow(x, y)


def pow_dx(x, y):
    """d(x^y)/dx = y x^(y-1). Docs: derivations/pow."""
    if y == 0.0:
        return 0.0
    if y == 1.0:
        return 1.0  # d/dx x = 1, even at nan (as pow(nan, 0) = 1)
    if x != x or y != y:
        return math.nan
    if math.isinf(y):
        return y * math.pow(x, y - 1.0)  # the limits of both factors; inf * 0 is nan
    if x < 0.0 and y != math.floor(y):
        return math.nan
    if math.isinf(x):
        return y * math.pow(x, y - 1.0)
    if x == 0.0:
        if y >= 1.0:
            return y * math.pow(x, y - 1.0)  # 1 at y = 1, else 0
        odd = y == math.floor(y) and (y - 1.0) % 2.0 != 0.0  # x^(y-1) has a pole at 0
        return y * (math.copysign(math.inf, x) if odd else math.inf)
    if (y - 1.0) * math.log(math.fabs(x)) > EXP_OVERFLOW:
        sign = -1.0 if (x < 0.0 and (y - 1.0) % 2.0 != 0.0) else 1.0
        return sign * math.copysign(math.inf, y)
    return y * math.pow(x, y - 1.0)


def pow_dy(x, y):
    """d(x^y)/dy = x^y ln x, defined for x > 0; nan for x < 0.

    At x = 0 the formula's limit as x -> 0+: 0 for y >= 0 (PyTorch's convention, the limit at
    y > 0) and -inf for y < 0 (inf * -inf; +inf for -0.0 to an odd power, as x^y ln x in IEEE
    arithmetic, as PyTorch). Docs: derivations/pow.
    """
    if x == 1.0:
        return 0.0  # 1^y = 1 for every y, nan included
    if x != x or y != y or x < 0.0:
        return math.nan
    if x == 0.0:
        if y >= 0.0:
            return 0.0
        if math.isinf(y):
            return -math.inf  # 0^-inf = inf, times ln 0 = -inf
        odd = y == math.floor(y) and y % 2.0 != 0.0  # (-0.0)^y = -inf: times -inf is +inf
        return -math.copysign(math.inf, x) if odd else -math.inf
    log_x = math.log(x)
    if y * log_x > EXP_OVERFLOW:
        return math.copysign(math.inf, log_x)
    return math.pow(x, y) * log_x


def maximum(x, y):
    """max(x, y); nan if either is nan. Docs: derivations/maximum."""
    if x != x or y != y:
        return math.nan
    return x if x >= y else y


def maximum_dx(x, y):
    """d max(x, y)/dx: 1 where x > y, 0 where x < y, 1/2 at a tie (as PyTorch).

    A nan on either side is neither a tie nor smaller: the gradient passes (1), as PyTorch's
    ``where(x == y, G/2, G).masked_fill(x < y, 0)``. Docs: derivations/maximum."""
    if x == y:
        return 0.5
    if x < y:
        return 0.0
    return 1.0


def maximum_dy(x, y):
    """d max(x, y)/dy: 1 where y > x, 0 where y < x, 1/2 at a tie, 1 at a nan.

    Docs: derivations/maximum."""
    if x == y:
        return 0.5
    if y < x:
        return 0.0
    return 1.0


def minimum(x, y):
    """min(x, y); nan if either is nan. Docs: derivations/maximum."""
    if x != x or y != y:
        return math.nan
    return x if x <= y else y


def minimum_dx(x, y):
    """d min(x, y)/dx: 1 where x < y, 0 where x > y, 1/2 at a tie, 1 at a nan.

    Docs: derivations/maximum."""
    if x == y:
        return 0.5
    if x > y:
        return 0.0
    return 1.0


def minimum_dy(x, y):
    """d min(x, y)/dy: 1 where y < x, 0 where y > x, 1/2 at a tie, 1 at a nan.

    Docs: derivations/maximum."""
    if x == y:
        return 0.5
    if y > x:
        return 0.0
    return 1.0


# ---------------------------------------------------------------- unary functions


def neg(x):
    """-x. Docs: derivations/add."""
    return -x


def neg_deriv(x, y):
    """d(-x)/dx = -1. Docs: derivations/add."""
    return -1.0


def exp(x):
    """e^x; inf past float64's range instead of OverflowError. Docs: derivations/exp."""
    if x > EXP_OVERFLOW:
        return math.inf
    return math.exp(x)


def exp_deriv(x, y):
    """d e^x/dx = e^x = y. Docs: derivations/exp."""
    return y


def log(x):
    """Natural log: -inf at 0 and nan below 0 (as PyTorch), never a ValueError.

    Docs: derivations/log."""
    if x > 0.0:
        return math.log(x)
    if x == 0.0:
        return -math.inf
    return math.nan


def log_deriv(x, y):
    """d ln x/dx = 1/x: finite below 0, where only the value ln x is nan (as PyTorch); +-inf at
    +-0.0, as IEEE 1/x. Docs: derivations/log."""
    if x == 0.0:
        return math.copysign(math.inf, x)
    return 1.0 / x


def tanh(x):
    """tanh x = (e^x - e^-x)/(e^x + e^-x), stable for any x. Docs: derivations/tanh."""
    return math.tanh(x)


def tanh_deriv(x, y):
    """d tanh x/dx = 1 - tanh^2 x = 1 - y^2. Docs: derivations/tanh."""
    return 1.0 - y * y


def sigmoid(x):
    """1 / (1 + e^-x), written so that no exponential of a large positive number is taken.

    For x >= 0 use 1/(1 + e^-x); for x < 0 the equal form e^x/(1 + e^x). Docs: derivations/sigmoid.
    """
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def sigmoid_deriv(x, y):
    """d sigmoid(x)/dx = sigmoid(x) (1 - sigmoid(x)) = y (1 - y). Docs: derivations/sigmoid."""
    return y * (1.0 - y)


def relu(x):
    """max(x, 0); nan passes through as in PyTorch. Docs: derivations/relu."""
    if x > 0.0 or x != x:
        return x
    return 0.0


def relu_deriv(x, y):
    """d relu(x)/dx: 1 for x > 0, 0 for x <= 0 (0 at the kink, as PyTorch); at nan the gradient
    passes (1), as PyTorch's test "x <= 0" is false there. Docs: derivations/relu."""
    return 0.0 if x <= 0.0 else 1.0


def softplus(x):
    """ln(1 + e^x) = max(x, 0) + ln(1 + e^-|x|): no overflow for any x.

    Docs: derivations/softplus."""
    return max(x, 0.0) + math.log1p(math.exp(-math.fabs(x)))


def softplus_deriv(x, y):
    """d softplus(x)/dx = sigmoid(x), computed stably. Docs: derivations/softplus."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def abs(x):  # noqa: A001 - the primitive is called abs, as in PyTorch
    """|x|. Docs: derivations/abs."""
    return math.fabs(x)


def abs_deriv(x, y):
    """d|x|/dx = sign(x), 0 at 0 (as PyTorch). Docs: derivations/abs."""
    if x > 0.0:
        return 1.0
    if x < 0.0:
        return -1.0
    return 0.0


def sqrt(x):
    """Square root: nan below 0 (as PyTorch), never a ValueError. Docs: derivations/sqrt."""
    if x < 0.0:
        return math.nan
    return math.sqrt(x)


def sqrt_deriv(x, y):
    """d sqrt(x)/dx = 1/(2 sqrt x) = 1/(2y): +-inf at y = +-0.0 (sqrt(-0.0) = -0.0, as IEEE and
    PyTorch), nan below 0. Docs: derivations/sqrt."""
    if y == 0.0:
        return math.copysign(math.inf, y)
    return 0.5 / y


def sin(x):
    """sin x (radians); nan at +-inf (no limit there, as PyTorch), never a ValueError.

    Docs: derivations/sin."""
    if math.isinf(x):
        return math.nan
    return math.sin(x)


def sin_deriv(x, y):
    """d sin(x)/dx = cos x. Docs: derivations/sin."""
    if math.isinf(x):
        return math.nan
    return math.cos(x)


def cos(x):
    """cos x (radians); nan at +-inf, never a ValueError. Docs: derivations/sin."""
    if math.isinf(x):
        return math.nan
    return math.cos(x)


def cos_deriv(x, y):
    """d cos(x)/dx = -sin x. Docs: derivations/sin."""
    if math.isinf(x):
        return math.nan
    return -math.sin(x)


def silu(x):
    """SiLU (swish): x sigmoid(x) = x / (1 + e^-x), with sigmoid taken stably. Docs:
    derivations/silu."""
    if x >= 0.0:
        return x / (1.0 + math.exp(-x))
    e = math.exp(x)
    return x * e / (1.0 + e)


def silu_deriv(x, y):
    """d silu(x)/dx = s (1 + x (1 - s)), s = sigmoid(x). Docs: derivations/silu."""
    if x >= 0.0:
        s = 1.0 / (1.0 + math.exp(-x))
    else:
        e = math.exp(x)
        s = e / (1.0 + e)
    return s * (1.0 + x * (1.0 - s))


def gelu(x):
    """GELU: x Phi(x), Phi the standard normal CDF, Phi(x) = erfc(-x / sqrt 2) / 2 (erfc keeps
    the far negative tail accurate). Docs: derivations/gelu."""
    return 0.5 * x * math.erfc(-x * 0.7071067811865476)


def gelu_deriv(x, y):
    """d gelu(x)/dx = Phi(x) + x phi(x), phi(x) = e^(-x^2/2) / sqrt(2 pi). Docs:
    derivations/gelu."""
    cdf = 0.5 * math.erfc(-x * 0.7071067811865476)
    return cdf + x * 0.3989422804014327 * math.exp(-0.5 * x * x)


def gelu_tanh(x):
    """GELU's tanh approximation (PyTorch's approximate="tanh"):
    x (1 + tanh(k (x + 0.044715 x^3))) / 2 with k = sqrt(2/pi). Docs: derivations/gelu."""
    t = math.tanh(0.7978845608028654 * (x + 0.044715 * x * x * x))
    return 0.5 * x * (1.0 + t)


def gelu_tanh_deriv(x, y):
    """d gelu_tanh(x)/dx = (1 + t)/2 + x (1 - t^2) k (1 + 3 * 0.044715 x^2) / 2, t the tanh
    above. Docs: derivations/gelu."""
    t = math.tanh(0.7978845608028654 * (x + 0.044715 * x * x * x))
    dinner = 0.7978845608028654 * (1.0 + 0.134145 * x * x)
    return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * dinner


# ------------------------------------------------------ loss terms (prediction p, target t)


def squared_error(p, t):
    """(p - t)^2, one term of MSE. Docs: derivations/mse."""
    d = p - t
    return d * d


def squared_error_deriv(p, t):
    """d(p - t)^2/dp = 2(p - t). Docs: derivations/mse."""
    return 2.0 * (p - t)


def absolute_error(p, t):
    """|p - t|, one term of L1. Docs: derivations/l1."""
    return math.fabs(p - t)


def absolute_error_deriv(p, t):
    """d|p - t|/dp = sign(p - t), 0 at p = t. Docs: derivations/l1."""
    d = p - t
    if d > 0.0:
        return 1.0
    if d < 0.0:
        return -1.0
    return 0.0


def smooth_l1(p, t, beta):
    """Huber-like term: 0.5 d^2/beta where |d| < beta, else |d| - 0.5 beta, with d = p - t.

    beta = 0 is plain L1 (as PyTorch). Docs: derivations/smooth_l1.
    """
    d = math.fabs(p - t)
    if d < beta:
        return 0.5 * d * d / beta
    return d - 0.5 * beta


def smooth_l1_deriv(p, t, beta):
    """d smooth_l1/dp: d/beta inside |d| < beta, sign(d) outside. Docs: derivations/smooth_l1."""
    d = p - t
    if math.fabs(d) < beta:
        return d / beta
    if d > 0.0:
        return 1.0
    if d < 0.0:
        return -1.0
    return 0.0


# PyTorch clamps the log in BCE at -100 so that log(0) gives a large finite loss, not inf.
BCE_LOG_FLOOR = -100.0
# PyTorch floors p(1 - p) at the float32 number nearest 1e-12, in every dtype
BCE_GRAD_FLOOR = 9.999999960041972e-13


def binary_cross_entropy(p, t):
    """-(t ln p + (1 - t) ln(1 - p)), each log clamped at -100 as PyTorch. Docs: derivations/bce."""
    log_p = math.log(p) if p > 0.0 else BCE_LOG_FLOOR
    log_q = math.log(1.0 - p) if p < 1.0 else BCE_LOG_FLOOR
    log_p = max(log_p, BCE_LOG_FLOOR)
    log_q = max(log_q, BCE_LOG_FLOOR)
    return -(t * log_p + (1.0 - t) * log_q)


def binary_cross_entropy_deriv(p, t):
    """d bce/dp = (p - t) / (p (1 - p)), with p(1 - p) kept >= 1e-12 (as PyTorch, whose 1e-12 is
    a single-precision constant: BCE_GRAD_FLOOR). Docs: derivations/bce."""
    denom = max(p * (1.0 - p), BCE_GRAD_FLOOR)
    return (p - t) / denom


def bce_with_logits(z, t):
    """BCE of sigmoid(z) against t in the stable form max(z, 0) - z t + ln(1 + e^-|z|).

    Docs: derivations/bce_with_logits.
    """
    return max(z, 0.0) - z * t + math.log1p(math.exp(-math.fabs(z)))


def bce_with_logits_deriv(z, t):
    """d/dz = sigmoid(z) - t, with sigmoid computed stably. Docs: derivations/bce_with_logits."""
    if z >= 0.0:
        s = 1.0 / (1.0 + math.exp(-z))
    else:
        e = math.exp(z)
        s = e / (1.0 + e)
    return s - t


# ---------------------------------------------------------------- optimizer updates (one element)


def sgd_update(p, g, buf, lr, momentum, dampening, weight_decay, nesterov, first_step):
    """One SGD step for one element; returns (new p, new momentum buffer). As torch.optim.SGD:

    g <- g + weight_decay p;  buf <- g on the first step, else momentum buf + (1 - dampening) g;
    step = g + momentum buf if nesterov else buf (or g when momentum = 0);  p <- p - lr step.
    Docs: derivations/optimizers.
    """
    g = g + weight_decay * p
    if momentum != 0.0:
        if first_step:
            buf = g
        else:
            buf = momentum * buf + (1.0 - dampening) * g
        if nesterov:
            g = g + momentum * buf
        else:
            g = buf
    return p - lr * g, buf


def adam_update(p, g, m, v, lr, beta1, beta2, eps, weight_decay, step):
    """One Adam step for one element; returns (new p, new m, new v). As torch.optim.Adam:

    g <- g + weight_decay p;  m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;
    p <- p - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps), t the 1-based step.
    Docs: derivations/optimizers.
    """
    g = g + weight_decay * p
    m = beta1 * m + (1.0 - beta1) * g
    v = beta2 * v + (1.0 - beta2) * g * g
    m_hat = m / (1.0 - beta1**step)
    v_hat = v / (1.0 - beta2**step)
    return p - lr * m_hat / (math.sqrt(v_hat) + eps), m, v
