"""The determinant and the inverse of square matrices (``sg.linalg.det``, ``sg.linalg.inv``).

Both take a matrix (n, n) or a batch of them (..., n, n). The factorization is NumPy's LU
(LAPACK) on the host: these are linear-algebra-chapter tools, not training kernels, so a CUDA
tensor makes a round trip to the CPU. The derivations are in docs/derivations/det_inv.md.
"""

import numpy as np

from scalargrad.matrix.autograd_function import Function
from scalargrad.matrix.tensor_core import TensorBase


def _host(backend, a):
    return np.asarray(backend.to_numpy(a))


def _device(backend, a):
    return backend.from_numpy(np.array(a, order="C"))


def cofactors(a):
    """The cofactor matrix C of each square matrix in ``a`` (C_ij = dDet/dA_ij), singular or not.

    With the SVD A = U diag(s) V^T, det A = det(U) det(V) prod(s), and
    C = det(U) det(V) U diag(prod_{j != i} s_j) V^T. For an invertible A this is det(A) A^{-T};
    unlike that formula it needs no inverse, so it holds at singular matrices too.
    """
    u, s, vt = np.linalg.svd(a)
    n = s.shape[-1]
    others = np.prod(np.where(np.eye(n, dtype=bool), 1.0, s[..., None, :]), axis=-1)
    sign = np.linalg.det(u) * np.linalg.det(vt)
    return sign[..., None, None] * (u * others[..., None, :]) @ vt


class Det(Function):
    """y = det(A); dL/dA = g * C, C the cofactor matrix (= det(A) A^{-T} when A is invertible:
    Jacobi's formula), of A's shape."""

    derivation = "det_inv"
    torch_name = "LinalgDetBackward0"

    @staticmethod
    def forward(ctx, a):
        host = _host(ctx.backend, a)
        ctx.save_for_backward(a)
        return _device(ctx.backend, np.asarray(np.linalg.det(host), dtype=host.dtype))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        host = _host(ctx.backend, a)
        g = _host(ctx.backend, grad)
        return _device(ctx.backend, (g[..., None, None] * cofactors(host)).astype(host.dtype))


class Inv(Function):
    """Y = A^{-1}; dL/dA = -Y^T G Y^T, of A's shape."""

    derivation = "det_inv"
    torch_name = "LinalgInvExBackward0"

    @staticmethod
    def forward(ctx, a):
        inv = np.linalg.inv(_host(ctx.backend, a))
        ctx.inv = inv
        return _device(ctx.backend, inv)

    @staticmethod
    def backward(ctx, grad):
        y_t = np.swapaxes(ctx.inv, -1, -2)
        return _device(ctx.backend, -(y_t @ _host(ctx.backend, grad) @ y_t))


def _square(op, a):
    if not isinstance(a, TensorBase):
        raise TypeError(f"linalg.{op}: expected a Tensor, got {type(a).__name__}")
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise RuntimeError(
            f"linalg.{op}: A must be batches of square matrices, but they are "
            f"{' by '.join(map(str, a.shape[-2:])) if a.ndim >= 2 else a.ndim} (shape "
            f"{tuple(a.shape)})"
        )
    if not a.is_floating_point():
        raise RuntimeError(f"linalg.{op}: Expected a floating point tensor as input. Got {a.dtype}")


def det(a):
    """The determinant of a square matrix (or of each matrix of a batch)."""
    _square("det", a)
    return Det.apply(a)


def inv(a):
    """The inverse of a square matrix (or of each matrix of a batch); an error if singular."""
    _square("inv", a)
    try:
        return Inv.apply(a)
    except np.linalg.LinAlgError:
        raise RuntimeError(
            "linalg.inv: The diagonal element of the LU factorization is zero: the matrix is "
            "singular (not invertible)"
        ) from None
