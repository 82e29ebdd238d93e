"""``calculus.typed`` for compiled code: a cast of a constant to the argument's float type.

In plain Python ``calculus.typed(x, c)`` returns ``c`` as a float of x's type. numba cannot
compile that body (it asks for ``type(x)``), so this module gives numba its own version, for
every target (``numba.njit`` and ``cuda.jit``): a cast to x's numba type when x is a float
(float32 stays float32: a float32 kernel computes in float32), a float64 cast for an integer or
bool x (whose functions return floats). The backends' package imports this module, so it is
registered before any kernel compiles.
"""

from numba import types
from numba.extending import overload
from numba.np import numpy_support

from scalargrad import calculus


@overload(calculus.typed)
def _typed(x, c):
    if isinstance(x, types.Float):
        cast = numpy_support.as_dtype(x).type
    else:
        cast = float
    return lambda x, c: cast(c)
