"""The order ``sort`` puts a row in, written once as a plain function of two elements.

``cpu_sort`` compiles ``precedes`` with ``numba.njit`` (a merge sort calls it), ``cuda_sort``
with ``cuda.jit(device=True)`` (a rank kernel calls it), as ``rowwise_math.py`` is for the
softmax family. Both backends therefore order every row the same way, PyTorch's
``stable=True`` order:

* ascending: a smaller value first; descending: a larger value first;
* NaN counts as larger than every number (so it is last ascending, first descending);
* equal values (and NaN against NaN) keep their order in the input: the lower index first.

Because the index decides every tie, this is a *total* order: for i != j exactly one of
``precedes(x_i, i, x_j, j)`` and ``precedes(x_j, j, x_i, i)`` is true, so an element's place in
the sorted row is the number of elements that precede it (its rank).
"""


def precedes(x, i, y, j, descending):
    """True when value ``x`` at index ``i`` comes before value ``y`` at index ``j`` in the
    sorted row (``x != x`` is the NaN test; it is False for integers and bools)."""
    x_nan = x != x
    y_nan = y != y
    if x_nan or y_nan:
        if x_nan and y_nan:
            return i < j
        return x_nan == descending  # NaN is the largest: first descending, last ascending
    if x == y:
        return i < j
    if descending:
        return x > y
    return x < y
