"""Every primitive's value and local derivative, as plain float functions.

This module is the single source of truth for derivatives. The scalar ``Value`` engine calls
these functions directly; the numba CPU kernels compile them with ``numba.njit`` and the CUDA
kernels with ``numba.cuda.jit(device=True)``. So each function here follows three rules:

* it takes and returns plain floats and uses only ``math`` (numba compiles that on both targets);
* it calls no other function of this module (each target compiles each function on its own),
  except ``typed``, which every target knows;
* its constants go through ``typed(x, c)``: ``c`` in the type of the argument ``x``. Compiled,
  a Python constant such as ``1.0`` or ``math.inf`` is a float64, and one float64 operand turns
  a float32 expression into float64 arithmetic (1/32-1/64 of the float32 rate on consumer GPUs);
  with ``typed``, a float32 kernel computes in float32 and a float64 one exactly as written;
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


def typed(x, c):
    """The constant ``c`` as a float of x's type: float(c) for Python numbers and integers (the
    scalar engine), numpy.float32(c) for a numpy float32 (the CUDA simulator). Compiled, it is a
    cast to x's float type (float64 for an integer x): backends/calculus_typing.py."""
    dtype = getattr(x, "dtype", None)
    if dtype is not None and dtype.kind == "f":
        return dtype.type(c)
    return float(c)


# ---------------------------------------------------------------- binary arithmetic


def add(x, y):
    """x + y. Docs: derivations/add."""
    return x + y


def add_dx(x, y):
    """d(x + y)/dx = 1. Docs: derivations/add."""
    return typed(x, 1.0)


def add_dy(x, y):
    """d(x + y)/dy = 1. Docs: derivations/add."""
    return typed(y, 1.0)


def sub(x, y):
    """x - y. Docs: derivations/add."""
    return x - y


def sub_dx(x, y):
    """d(x - y)/dx = 1. Docs: derivations/add."""
    return typed(x, 1.0)


def sub_dy(x, y):
    """d(x - y)/dy = -1. Docs: derivations/add."""
    return typed(y, -1.0)


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
    zero = typed(x, 0.0)
    if y == zero:
        if x == zero or x != x:
            return typed(x, math.nan)
        return math.copysign(typed(x, math.inf), x) * math.copysign(typed(x, 1.0), y)
    return x / y


def div_dx(x, y):
    """d(x/y)/dx = 1/y. Docs: derivations/div."""
    if y == typed(y, 0.0):
        return math.copysign(typed(y, math.inf), y)
    return typed(y, 1.0) / y


def div_dy(x, y):
    """d(x/y)/dy = -x/y^2. Docs: derivations/div."""
    zero = typed(x, 0.0)
    if y == zero:
        if x == zero or x != x:
            return typed(x, math.nan)
        return -math.copysign(typed(x, math.inf), x)
    return -x / (y * y)


def pow(x, y):
    """x ** y for real numbers.

    A negative base with a non-integer exponent has no real value: nan (as PyTorch). ``0 ** -1``
    is ``inf`` (``-inf`` for ``-0.0``, as C); results past float64's range are +-inf instead of
    an OverflowError; an infinite base or exponent gives C's limit (``(-2) ** inf = inf``,
    ``0.5 ** inf = 0``). Docs: derivations/pow.
    """
    zero, one, two, inf = typed(x, 0.0), typed(x, 1.0), typed(x, 2.0), typed(x, math.inf)
    if y == zero or x == one:
        return one  # even for nan, as C and PyTorch
    if x != x or y != y:
        return typed(x, math.nan)
    if math.isinf(y):
        return math.pow(x, y)  # C's limits: pow(-2, inf) = inf, pow(0.5, inf) = 0, ...
    if x < zero and y % one != zero:  # (y % 1 = 0: y is an integer)
        return typed(x, math.nan)
    if math.isinf(x):
        return math.pow(x, y)
    if x == zero:
        if y > zero:
            return math.pow(x, y)  # 0.0 (or -0.0)
        odd = y % one == zero and y % two != zero  # a pole: -inf for -0.0 to an odd power
        return math.copysign(inf, x) if odd else inf
    if y * math.log(math.fabs(x)) > typed(x, EXP_OVERFLOW):
        if x < zero and y % two != zero:
            return -inf
        return inf
    return math.pow(x, y)


def pow_dx(x, y):
    """d(x^y)/dx = y x^(y-1). Docs: derivations/pow."""
    zero, one, two, inf = typed(x, 0.0), typed(x, 1.0), typed(x, 2.0), typed(x, math.inf)
    if y == zero:
        return zero
    if y == one:
        return one  # d/dx x = 1, even at nan (as pow(nan, 0) = 1)
    if x != x or y != y:
        return typed(x, math.nan)
    if math.isinf(y):
        return y * math.pow(x, y - one)  # the limits of both factors; inf * 0 is nan
    if x < zero and y % one != zero:  # (y % 1 = 0: y is an integer)
        return typed(x, math.nan)
    if math.isinf(x):
        return y * math.pow(x, y - one)
    if x == zero:
        if y >= one:
            return y * math.pow(x, y - one)  # 1 at y = 1, else 0
        odd = y % one == zero and (y - one) % two != zero  # x^(y-1) has a pole at 0
        return y * (math.copysign(inf, x) if odd else inf)
    if (y - one) * math.log(math.fabs(x)) > typed(x, EXP_OVERFLOW):
        sign = -one if (x < zero and (y - one) % two != zero) else one
        return sign * math.copysign(inf, y)
    return y * math.pow(x, y - one)


def pow_dy(x, y):
    """d(x^y)/dy = x^y ln x, defined for x > 0; nan for x < 0.

    At x = 0 the formula's limit as x -> 0+: 0 for y >= 0 (PyTorch's convention, the limit at
    y > 0) and -inf for y < 0 (inf * -inf; +inf for -0.0 to an odd power, as x^y ln x in IEEE
    arithmetic, as PyTorch). Docs: derivations/pow.
    """
    zero, one, two, inf = typed(x, 0.0), typed(x, 1.0), typed(x, 2.0), typed(x, math.inf)
    if x == one:
        return zero  # 1^y = 1 for every y, nan included
    if x != x or y != y or x < zero:
        return typed(x, math.nan)
    if x == zero:
        if y >= zero:
            return zero
        if math.isinf(y):
            return -inf  # 0^-inf = inf, times ln 0 = -inf
        odd = y % one == zero and y % two != zero  # (-0.0)^y = -inf: times -inf is +inf
        return -math.copysign(inf, x) if odd else -inf
    log_x = math.log(x)
    if y * log_x > typed(x, EXP_OVERFLOW):
        return math.copysign(inf, log_x)
    return math.pow(x, y) * log_x


def maximum(x, y):
    """max(x, y); nan if either is nan. Docs: derivations/maximum."""
    if x != x or y != y:
        return typed(x, math.nan)
    return x if x >= y else y


def maximum_dx(x, y):
    """d max(x, y)/dx: 1 where x > y, 0 where x < y, 1/2 at a tie (as PyTorch).

    A nan on either side is neither a tie nor smaller: the gradient passes (1), as PyTorch's
    ``where(x == y, G/2, G).masked_fill(x < y, 0)``. Docs: derivations/maximum."""
    if x == y:
        return typed(x, 0.5)
    if x < y:
        return typed(x, 0.0)
    return typed(x, 1.0)


def maximum_dy(x, y):
    """d max(x, y)/dy: 1 where y > x, 0 where y < x, 1/2 at a tie, 1 at a nan.

    Docs: derivations/maximum."""
    if x == y:
        return typed(x, 0.5)
    if y < x:
        return typed(x, 0.0)
    return typed(x, 1.0)


def minimum(x, y):
    """min(x, y); nan if either is nan. Docs: derivations/maximum."""
    if x != x or y != y:
        return typed(x, math.nan)
    return x if x <= y else y


def minimum_dx(x, y):
    """d min(x, y)/dx: 1 where x < y, 0 where x > y, 1/2 at a tie, 1 at a nan.

    Docs: derivations/maximum."""
    if x == y:
        return typed(x, 0.5)
    if x > y:
        return typed(x, 0.0)
    return typed(x, 1.0)


def minimum_dy(x, y):
    """d min(x, y)/dy: 1 where y < x, 0 where y > x, 1/2 at a tie, 1 at a nan.

    Docs: derivations/maximum."""
    if x == y:
        return typed(x, 0.5)
    if y > x:
        return typed(x, 0.0)
    return typed(x, 1.0)


# ---------------------------------------------------------------- unary functions


def neg(x):
    """-x. Docs: derivations/add."""
    return -x


def neg_deriv(x, y):
    """d(-x)/dx = -1. Docs: derivations/add."""
    return typed(x, -1.0)


def exp(x):
    """e^x; inf past float64's range instead of OverflowError. Docs: derivations/exp."""
    if x > typed(x, EXP_OVERFLOW):
        return typed(x, math.inf)
    return math.exp(x)


def exp_deriv(x, y):
    """d e^x/dx = e^x = y. Docs: derivations/exp."""
    return y


def log(x):
    """Natural log: -inf at 0 and nan below 0 (as PyTorch), never a ValueError.

    Docs: derivations/log."""
    zero = typed(x, 0.0)
    if x > zero:
        return math.log(x)
    if x == zero:
        return typed(x, -math.inf)
    return typed(x, math.nan)


def log_deriv(x, y):
    """d ln x/dx = 1/x: finite below 0, where only the value ln x is nan (as PyTorch); +-inf at
    +-0.0, as IEEE 1/x. Docs: derivations/log."""
    if x == typed(x, 0.0):
        return math.copysign(typed(x, math.inf), x)
    return typed(x, 1.0) / x


def tanh(x):
    """tanh x = (e^x - e^-x)/(e^x + e^-x), stable for any x. Docs: derivations/tanh."""
    return math.tanh(x)


def tanh_deriv(x, y):
    """d tanh x/dx = 1 - tanh^2 x = 1 - y^2. Docs: derivations/tanh."""
    return typed(y, 1.0) - y * y


def sigmoid(x):
    """1 / (1 + e^-x), written so that no exponential of a large positive number is taken.

    For x >= 0 use 1/(1 + e^-x); for x < 0 the equal form e^x/(1 + e^x). Docs: derivations/sigmoid.
    """
    one = typed(x, 1.0)
    if x >= typed(x, 0.0):
        return one / (one + math.exp(-x))
    e = math.exp(x)
    return e / (one + e)


def sigmoid_deriv(x, y):
    """d sigmoid(x)/dx = sigmoid(x) (1 - sigmoid(x)) = y (1 - y). Docs: derivations/sigmoid."""
    return y * (typed(y, 1.0) - y)


def relu(x):
    """max(x, 0); nan passes through as in PyTorch. Docs: derivations/relu."""
    if x > typed(x, 0.0) or x != x:
        return x
    return typed(x, 0.0)


def relu_deriv(x, y):
    """d relu(x)/dx: 1 for x > 0, 0 for x <= 0 (0 at the kink, as PyTorch); at nan the gradient
    passes (1), as PyTorch's test "x <= 0" is false there. Docs: derivations/relu."""
    return typed(x, 0.0) if x <= typed(x, 0.0) else typed(x, 1.0)


def softplus(x):
    """ln(1 + e^x) = max(x, 0) + ln(1 + e^-|x|): no overflow for any x.

    Docs: derivations/softplus."""
    return max(x, typed(x, 0.0)) + math.log1p(math.exp(-math.fabs(x)))


def softplus_deriv(x, y):
    """d softplus(x)/dx = sigmoid(x), computed stably. Docs: derivations/softplus."""
    one = typed(x, 1.0)
    if x >= typed(x, 0.0):
        return one / (one + math.exp(-x))
    e = math.exp(x)
    return e / (one + e)


def abs(x):  # noqa: A001 - the primitive is called abs, as in PyTorch
    """|x|. Docs: derivations/abs."""
    return math.fabs(x)


def abs_deriv(x, y):
    """d|x|/dx = sign(x), 0 at 0 (as PyTorch). Docs: derivations/abs."""
    zero = typed(x, 0.0)
    if x > zero:
        return typed(x, 1.0)
    if x < zero:
        return typed(x, -1.0)
    return zero


def sqrt(x):
    """Square root: nan below 0 (as PyTorch), never a ValueError. Docs: derivations/sqrt."""
    if x < typed(x, 0.0):
        return typed(x, math.nan)
    return math.sqrt(x)


def sqrt_deriv(x, y):
    """d sqrt(x)/dx = 1/(2 sqrt x) = 1/(2y): +-inf at y = +-0.0 (sqrt(-0.0) = -0.0, as IEEE and
    PyTorch), nan below 0. Docs: derivations/sqrt."""
    if y == typed(y, 0.0):
        return math.copysign(typed(y, math.inf), y)
    return typed(y, 0.5) / y


def sin(x):
    """sin x (radians); nan at +-inf (no limit there, as PyTorch), never a ValueError.

    Docs: derivations/sin."""
    if math.isinf(x):
        return typed(x, math.nan)
    return math.sin(x)


def sin_deriv(x, y):
    """d sin(x)/dx = cos x. Docs: derivations/sin."""
    if math.isinf(x):
        return typed(x, math.nan)
    return math.cos(x)


def cos(x):
    """cos x (radians); nan at +-inf, never a ValueError. Docs: derivations/sin."""
    if math.isinf(x):
        return typed(x, math.nan)
    return math.cos(x)


def cos_deriv(x, y):
    """d cos(x)/dx = -sin x. Docs: derivations/sin."""
    if math.isinf(x):
        return typed(x, math.nan)
    return -math.sin(x)


def silu(x):
    """SiLU (swish): x sigmoid(x) = x / (1 + e^-x), with sigmoid taken stably. Docs:
    derivations/silu."""
    one = typed(x, 1.0)
    if x >= typed(x, 0.0):
        return x / (one + math.exp(-x))
    e = math.exp(x)
    return x * e / (one + e)


def silu_deriv(x, y):
    """d silu(x)/dx = s (1 + x (1 - s)), s = sigmoid(x). Docs: derivations/silu."""
    one = typed(x, 1.0)
    if x >= typed(x, 0.0):
        s = one / (one + math.exp(-x))
    else:
        e = math.exp(x)
        s = e / (one + e)
    return s * (one + x * (one - s))


def gelu(x):
    """GELU: x Phi(x), Phi the standard normal CDF, Phi(x) = erfc(-x / sqrt 2) / 2 (erfc keeps
    the far negative tail accurate). Docs: derivations/gelu."""
    return typed(x, 0.5) * x * math.erfc(-x * typed(x, 0.7071067811865476))


def gelu_deriv(x, y):
    """d gelu(x)/dx = Phi(x) + x phi(x), phi(x) = e^(-x^2/2) / sqrt(2 pi). Docs:
    derivations/gelu."""
    half = typed(x, 0.5)
    cdf = half * math.erfc(-x * typed(x, 0.7071067811865476))
    return cdf + x * typed(x, 0.3989422804014327) * math.exp(-half * x * x)


def gelu_tanh(x):
    """GELU's tanh approximation (PyTorch's approximate="tanh"):
    x (1 + tanh(k (x + 0.044715 x^3))) / 2 with k = sqrt(2/pi). Docs: derivations/gelu."""
    t = math.tanh(typed(x, 0.7978845608028654) * (x + typed(x, 0.044715) * x * x * x))
    return typed(x, 0.5) * x * (typed(x, 1.0) + t)


def gelu_tanh_deriv(x, y):
    """d gelu_tanh(x)/dx = (1 + t)/2 + x (1 - t^2) k (1 + 3 * 0.044715 x^2) / 2, t the tanh
    above. Docs: derivations/gelu."""
    k, one, half = typed(x, 0.7978845608028654), typed(x, 1.0), typed(x, 0.5)
    t = math.tanh(k * (x + typed(x, 0.044715) * x * x * x))
    dinner = k * (one + typed(x, 0.134145) * x * x)
    return half * (one + t) + half * x * (one - t * t) * dinner


# ------------------------------------------------------ loss terms (prediction p, target t)


def squared_error(p, t):
    """(p - t)^2, one term of MSE. Docs: derivations/mse."""
    d = p - t
    return d * d


def squared_error_deriv(p, t):
    """d(p - t)^2/dp = 2(p - t). Docs: derivations/mse."""
    return typed(p, 2.0) * (p - t)


def absolute_error(p, t):
    """|p - t|, one term of L1. Docs: derivations/l1."""
    return math.fabs(p - t)


def absolute_error_deriv(p, t):
    """d|p - t|/dp = sign(p - t), 0 at p = t. Docs: derivations/l1."""
    d = p - t
    zero = typed(p, 0.0)
    if d > zero:
        return typed(p, 1.0)
    if d < zero:
        return typed(p, -1.0)
    return zero


def smooth_l1(p, t, beta):
    """Huber-like term: 0.5 d^2/beta where |d| < beta, else |d| - 0.5 beta, with d = p - t.

    beta = 0 is plain L1 (as PyTorch). Docs: derivations/smooth_l1.
    """
    d = math.fabs(p - t)
    if d < beta:
        return typed(p, 0.5) * d * d / beta
    return d - typed(p, 0.5) * beta


def smooth_l1_deriv(p, t, beta):
    """d smooth_l1/dp: d/beta inside |d| < beta, sign(d) outside. Docs: derivations/smooth_l1."""
    d = p - t
    zero = typed(p, 0.0)
    if math.fabs(d) < beta:
        return d / beta
    if d > zero:
        return typed(p, 1.0)
    if d < zero:
        return typed(p, -1.0)
    return zero


# PyTorch clamps the log in BCE at -100 so that log(0) gives a large finite loss, not inf.
BCE_LOG_FLOOR = -100.0
# PyTorch floors p(1 - p) at the float32 number nearest 1e-12, in every dtype
BCE_GRAD_FLOOR = 9.999999960041972e-13


def binary_cross_entropy(p, t):
    """-(t ln p + (1 - t) ln(1 - p)), each log clamped at -100 as PyTorch. Docs: derivations/bce."""
    one, floor = typed(p, 1.0), typed(p, BCE_LOG_FLOOR)
    log_p = math.log(p) if p > typed(p, 0.0) else floor
    log_q = math.log(one - p) if p < one else floor
    log_p = max(log_p, floor)
    log_q = max(log_q, floor)
    return -(t * log_p + (one - t) * log_q)


def binary_cross_entropy_deriv(p, t):
    """d bce/dp = (p - t) / (p (1 - p)), with p(1 - p) kept >= 1e-12 (as PyTorch, whose 1e-12 is
    a single-precision constant: BCE_GRAD_FLOOR). Docs: derivations/bce."""
    denom = max(p * (typed(p, 1.0) - p), typed(p, BCE_GRAD_FLOOR))
    return (p - t) / denom


def bce_with_logits(z, t):
    """BCE of sigmoid(z) against t in the stable form max(z, 0) - z t + ln(1 + e^-|z|).

    Docs: derivations/bce_with_logits.
    """
    return max(z, typed(z, 0.0)) - z * t + math.log1p(math.exp(-math.fabs(z)))


def bce_with_logits_deriv(z, t):
    """d/dz = sigmoid(z) - t, with sigmoid computed stably. Docs: derivations/bce_with_logits."""
    one = typed(z, 1.0)
    if z >= typed(z, 0.0):
        s = one / (one + math.exp(-z))
    else:
        e = math.exp(z)
        s = e / (one + e)
    return s - t


# ---------------------------------------------------------------- optimizer updates (one element)


def sgd_update(p, g, buf, lr, momentum, dampening, weight_decay, nesterov, first_step):
    """One SGD step for one element; returns (new p, new momentum buffer). As torch.optim.SGD:

    g <- g + weight_decay p;  buf <- g on the first step, else momentum buf + (1 - dampening) g;
    step = g + momentum buf if nesterov else buf (or g when momentum = 0);  p <- p - lr step.
    Docs: derivations/optimizers.
    """
    g = g + weight_decay * p
    if momentum != typed(p, 0.0):
        if first_step:
            buf = g
        else:
            buf = momentum * buf + (typed(p, 1.0) - dampening) * g
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
    one = typed(p, 1.0)
    g = g + weight_decay * p
    m = beta1 * m + (one - beta1) * g
    v = beta2 * v + (one - beta2) * g * g
    m_hat = m / (one - beta1**step)
    v_hat = v / (one - beta2**step)
    return p - lr * m_hat / (math.sqrt(v_hat) + eps), m, v


def rmsprop_update(p, g, sq, g_avg, buf, lr, alpha, eps, weight_decay, momentum, centered):
    """One RMSprop step for one element; returns (new p, new sq, new g_avg, new buf). As
    torch.optim.RMSprop:

    g <- g + weight_decay p;  sq <- alpha sq + (1 - alpha) g^2;
    centered: g_avg <- alpha g_avg + (1 - alpha) g and d = sqrt(sq - g_avg^2) + eps,
    else d = sqrt(sq) + eps;  momentum > 0: buf <- momentum buf + g / d, p <- p - lr buf;
    else p <- p - lr g / d.  Docs: derivations/optimizers.
    """
    one = typed(p, 1.0)
    g = g + weight_decay * p
    sq = alpha * sq + (one - alpha) * g * g
    if centered:
        g_avg = alpha * g_avg + (one - alpha) * g
        d = math.sqrt(sq - g_avg * g_avg) + eps
    else:
        d = math.sqrt(sq) + eps
    if momentum > typed(p, 0.0):
        buf = momentum * buf + g / d
        return p - lr * buf, sq, g_avg, buf
    return p - lr * (g / d), sq, g_avg, buf


def adagrad_update(p, g, s, clr, eps, weight_decay):
    """One Adagrad step for one element; returns (new p, new sum). As torch.optim.Adagrad, with
    clr = lr / (1 + (t - 1) lr_decay) for the 1-based step t (the caller computes it):

    g <- g + weight_decay p;  s <- s + g^2;  p <- p - clr g / (sqrt(s) + eps).
    Docs: derivations/optimizers.
    """
    g = g + weight_decay * p
    s = s + g * g
    return p - clr * (g / (math.sqrt(s) + eps)), s
