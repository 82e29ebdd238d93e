"""``sg.linalg`` (PyTorch's ``torch.linalg``): the basics of a linear-algebra chapter.

    >>> import scalargrad as sg
    >>> A = sg.tensor([[2.0, 1.0], [1.0, 3.0]])
    >>> sg.linalg.det(A)
    tensor(5.)
    >>> sg.linalg.norm(sg.tensor([3.0, 4.0]))
    tensor(5.)

All are differentiable. ``det`` and ``inv`` factorize on the host (see
``scalargrad/matrix/functions/det_inv.py``).
"""

from scalargrad.matrix.functions.det_inv import det, inv  # noqa: F401


def vector_norm(x, ord=2, dim=None, keepdim=False):  # noqa: A002 - PyTorch's name
    """The ``ord``-norm of ``x`` seen as a vector (over ``dim``, or over all elements)."""
    return x.norm(ord, dim, keepdim)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False):  # noqa: A002, N803
    """The Frobenius norm of a matrix (or of each matrix of a batch)."""
    if ord != "fro":
        raise NotImplementedError(f"linalg.matrix_norm: only ord='fro' is supported, got {ord!r}")
    return A.norm("fro", dim, keepdim)


def norm(x, ord=None, dim=None, keepdim=False):  # noqa: A002 - PyTorch's name
    """The 2-norm of a vector or the Frobenius norm of a matrix (ord=None), or ``vector_norm``
    with ``ord`` when ``dim`` is one axis or x is a vector."""
    if ord is None:
        return x.norm(2, dim, keepdim)
    if ord == "fro":
        return matrix_norm(x, ord, dim if dim is not None else (-2, -1), keepdim)
    return vector_norm(x, ord, dim, keepdim)
