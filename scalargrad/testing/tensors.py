"""Hypothesis strategies for tensors: shapes, broadcastable shape pairs, float arrays, and
non-contiguous layouts, for property-testing ops and kernels on every kind of input.

    from hypothesis import given
    from scalargrad.testing.tensors import arrays, broadcastable_shapes, layouts

    @given(layouts(shapes(min_dims=1)))
    def test_exp_on_any_layout(x):            # x: a numpy array, maybe a transposed/sliced view
        ...

Every strategy returns *numpy* arrays (or shapes); turn them into tensors with ``sg.tensor``
(a contiguous copy) or ``sg.from_numpy`` (keeps the layout, shares memory). Sizes are tiny by
default so tests stay fast: shapes have at most 4 axes of at most 4 elements, and include
size-0 and size-1 axes (the edge cases of broadcasting and of reductions).
"""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

__all__ = [
    "shapes",
    "nonempty_shapes",
    "broadcastable_shapes",
    "matmul_shapes",
    "floats",
    "arrays",
    "float_arrays",
    "layouts",
    "arrays_with_layout",
    "dims",
    "index_arrays",
]


def shapes(min_dims=0, max_dims=4, min_side=0, max_side=4):
    """Tuples of axis sizes, e.g. (), (3,), (2, 0, 1); size-0 axes are included unless min_side
    >= 1."""
    return hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    )


def nonempty_shapes(min_dims=0, max_dims=4, max_side=4):
    """Shapes with no size-0 axis (for ops like max and softmax that need an element)."""
    return shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=max_side)


def broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, min_side=0, max_side=4):
    """Tuples of ``num_shapes`` shapes that broadcast together (with stretched size-1 axes and
    missing leading axes), e.g. ((2, 1, 3), (4, 1)). Their broadcast shape is
    ``numpy.broadcast_shapes(*shapes)``."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes,
        min_dims=min_dims,
        max_dims=max_dims,
        min_side=min_side,
        max_side=max_side,
    ).map(lambda r: tuple(r.input_shapes))


@st.composite
def matmul_shapes(draw, max_batch_dims=2, max_side=4):
    """Pairs (a_shape, b_shape) that ``a @ b`` accepts: 1-D, 2-D and batched, batch axes
    broadcasting."""
    m, k, n = (draw(st.integers(1, max_side)) for _ in range(3))
    a_kind = draw(st.sampled_from(["vector", "matrix", "batch"]))
    b_kind = draw(st.sampled_from(["vector", "matrix", "batch"]))
    batch_a, batch_b = draw(
        broadcastable_shapes(2, min_dims=0, max_dims=max_batch_dims, min_side=1, max_side=3)
    )
    a = (k,) if a_kind == "vector" else (m, k) if a_kind == "matrix" else batch_a + (m, k)
    b = (k,) if b_kind == "vector" else (k, n) if b_kind == "matrix" else batch_b + (k, n)
    return a, b


def floats(min_value=-10.0, max_value=10.0, dtype=np.float64):
    """Finite floats in [min_value, max_value] representable in ``dtype``."""
    width = 32 if np.dtype(dtype) == np.float32 else 64
    return st.floats(min_value, max_value, allow_nan=False, allow_infinity=False, width=width)


def arrays(shape, dtype=np.float64, elements=None, min_value=-10.0, max_value=10.0):
    """numpy arrays of ``shape`` (a shape or a shape strategy) and ``dtype``.

    Floats are finite, in [min_value, max_value]; int64 in that range; bools any.
    """
    dtype = np.dtype(dtype)
    if elements is None:
        if dtype.kind == "f":
            elements = floats(min_value, max_value, dtype)
        elif dtype.kind in "iu":
            elements = st.integers(int(min_value), int(max_value))
        else:
            elements = st.booleans()
    return hnp.arrays(dtype, shape, elements=elements)


def float_arrays(shape=None, dtype=np.float64, min_value=-10.0, max_value=10.0):
    """Float arrays of ``shape`` (any small shape if None)."""
    return arrays(
        shapes() if shape is None else shape, dtype, min_value=min_value, max_value=max_value
    )


@st.composite
def layouts(draw, array_or_strategy):
    """The same values as the given array, in a layout drawn at random: C-contiguous, transposed
    (a permuted view of a contiguous array), sliced (every other element of a bigger array),
    or a view with negative strides. ``numpy.array_equal(result, original)`` always holds."""
    a = (
        draw(array_or_strategy)
        if isinstance(array_or_strategy, st.SearchStrategy)
        else array_or_strategy
    )
    kind = draw(st.sampled_from(["contiguous", "permuted", "sliced", "reversed"]))
    if kind == "contiguous" or a.ndim == 0:
        return np.array(a, order="C", copy=True)  # (np.ascontiguousarray makes 0-d 1-d)
    if kind == "permuted":
        perm = draw(st.permutations(range(a.ndim)))
        inverse = np.argsort(perm)
        stored = np.ascontiguousarray(
            np.transpose(a, inverse)
        )  # stored[.., i, ..] = a permuted back
        view = np.transpose(stored, perm)
    elif kind == "sliced":
        big = np.zeros(tuple(2 * s + 1 for s in a.shape), a.dtype)
        index = tuple(slice(1, 1 + 2 * s, 2) for s in a.shape)
        big[index] = a
        view = big[index]
    else:
        stored = np.ascontiguousarray(a[(slice(None, None, -1),) * a.ndim])
        view = stored[(slice(None, None, -1),) * a.ndim]
    assert view.shape == a.shape and np.array_equal(view, a, equal_nan=True)
    return view


def arrays_with_layout(shape=None, dtype=np.float64, min_value=-10.0, max_value=10.0):
    """Float arrays of ``shape`` in a random layout (see ``layouts``)."""
    return layouts(float_arrays(shape, dtype, min_value, max_value))


def dims(ndim, allow_none=True, allow_negative=True):
    """A valid ``dim`` argument for a tensor of ``ndim`` axes: None, an int, or (if ndim >= 2)
    a tuple."""
    if ndim == 0:
        options = [st.sampled_from([0, -1])]
    else:
        low = -ndim if allow_negative else 0
        options = [st.integers(low, ndim - 1)]
        if ndim >= 2:
            options.append(
                st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True).map(
                    tuple
                )
            )
    if allow_none:
        options.append(st.none())
    return st.one_of(*options)


@st.composite
def index_arrays(draw, size, max_len=5):
    """int64 index arrays into an axis of ``size`` elements (repeats and negative indices
    included)."""
    if size == 0:
        return np.zeros(0, np.int64)
    n = draw(st.integers(0, max_len))
    return np.array(draw(st.lists(st.integers(-size, size - 1), min_size=n, max_size=n)), np.int64)
