"""Host-side stride arithmetic shared by the CPU and CUDA backends (plain Python, no numba).

A strided view is memory plus, for each dimension, a *stride*: how many elements to skip to move
one step along it. Kernels find an element's position from its index and the strides, and they
do less of that arithmetic when there are fewer dimensions. ``collapse`` finds the fewest
dimensions that visit the same elements in the same (C) order.
"""


def collapse(shape, strides_list):
    """Merge the dims of ``shape`` (shared by every array, each with its own element strides).

    * size-1 dimensions are dropped (their stride never matters);
    * neighbouring dims d, d+1 merge when, for every array, ``stride[d] == stride[d+1] *
      shape[d+1]``: stepping over them is stepping over one dim (a C-contiguous block of any
      rank becomes one dim).

    Returns ``(shape, [strides of each array])``; a shape with no dim left gives ``((), [(),
    ...])``. Callers pad the result to the rank their kernels take.
    """
    dims = []  # (size, [stride of each array])
    for d, n in enumerate(shape):
        if n == 1:
            continue
        ss = [s[d] for s in strides_list]
        if dims and all(outer == inner * n for outer, inner in zip(dims[-1][1], ss, strict=True)):
            dims[-1] = (dims[-1][0] * n, ss)
        else:
            dims.append((n, ss))
    out_shape = tuple(n for n, _ in dims)
    out_strides = [tuple(ss[i] for _, ss in dims) for i in range(len(strides_list))]
    return out_shape, out_strides
