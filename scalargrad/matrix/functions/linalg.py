"""Matrix products: ``a @ b`` for vectors, matrices and batches of matrices (PyTorch's matmul
rules).

* (m, k) @ (k, n) -> (m, n): C_ij = sum_k A_ik B_kj. With G = dL/dC (m, n):
  dL/dA = G B^T (m, k) and dL/dB = A^T G (k, n).
* A 1-D operand is a row (on the left) or a column (on the right) whose new axis is dropped from
  the result: (k,) @ (k,) -> () (the dot product), (m, k) @ (k,) -> (m,), (k,) @ (k, n) -> (n,).
* Batched: (..., m, k) @ (..., k, n) -> (..., m, n), the batch axes broadcast against each other;
  each operand's gradient is summed back over the batch axes it was broadcast along, so it has
  that operand's shape.
"""

import numpy as np

from scalargrad.errors import ShapeError
from scalargrad.matrix.autograd_function import Function, named, sum_to_shape
from scalargrad.matrix.dtype_promotion import refuse_sequence, result_type
from scalargrad.matrix.functions.elementwise import from_ndarray
from scalargrad.matrix.shape_rules import broadcast_shapes
from scalargrad.matrix.tensor_core import TensorBase


def _swap_last(be, a):
    axes = tuple(range(a.ndim - 2)) + (a.ndim - 1, a.ndim - 2)
    return be.permute(a, axes)


def _batched(be, a, b):
    """a @ b for operands of at least 2 dims whose batch axes broadcast: (..., m, n)."""
    if a.ndim == 2 and b.ndim == 2:
        return be.matmul(a, b)
    batch = broadcast_shapes("matmul", a.shape[:-2], b.shape[:-2])
    m, k = a.shape[-2:]
    n = b.shape[-1]
    size = 1
    for s in batch:
        size *= s
    a3 = be.reshape(be.broadcast_to(a, batch + (m, k)), (size, m, k))
    b3 = be.reshape(be.broadcast_to(b, batch + (k, n)), (size, k, n))
    return be.reshape(be.matmul(a3, b3), batch + (m, n))


class MatMul(Function):
    """C = A @ B with PyTorch's rules (module docstring); dL/dA = G B^T, dL/dB = A^T G, summed
    over broadcast batch axes, each of its operand's shape."""

    derivation = "matmul"

    @staticmethod
    def forward(ctx, a, b):
        be = ctx.backend
        ctx.save_for_backward(a, b)
        a2 = be.reshape(a, (1,) + a.shape) if a.ndim == 1 else a
        b2 = be.reshape(b, b.shape + (1,)) if b.ndim == 1 else b
        out = _batched(be, a2, b2)
        ctx.out_shape = out.shape  # before dropping the axes of 1-D operands
        if a.ndim == 1 or b.ndim == 1:
            shape = out.shape
            if a.ndim == 1:
                shape = shape[:-2] + shape[-1:]
            if b.ndim == 1:
                shape = shape[:-1]
            out = be.reshape(out, shape)
        return out

    @staticmethod
    def backward(ctx, grad):
        be = ctx.backend
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad[:2]
        a2 = be.reshape(a, (1,) + a.shape) if a.ndim == 1 else a
        b2 = be.reshape(b, b.shape + (1,)) if b.ndim == 1 else b
        g = be.reshape(grad, ctx.out_shape) if grad.shape != ctx.out_shape else grad
        ga = gb = None
        if need_a:
            ga = sum_to_shape(be, _batched(be, g, _swap_last(be, b2)), a2.shape)
            ga = be.reshape(ga, a.shape) if ga.shape != a.shape else ga
        if need_b:
            gb = sum_to_shape(be, _batched(be, _swap_last(be, a2), g), b2.shape)
            gb = be.reshape(gb, b.shape) if gb.shape != b.shape else gb
        return ga, gb


def _check(op, a, b):
    sa, sb = a._array.shape, b._array.shape
    if (
        len(sa) == 2
        and len(sb) == 2
        and sa[1] == sb[0]
        and a._backend is b._backend
        and a._array.dtype == b._array.dtype
        and a._array.dtype.kind == "f"
    ):  # the common case: two float matrices that fit
        return (a, b), None
    if not isinstance(a, TensorBase) or not isinstance(b, TensorBase):
        other = b if isinstance(a, TensorBase) else a
        raise TypeError(f"{op}: expected Tensors, got {type(other).__name__}")
    if a._backend is not b._backend:
        raise RuntimeError(
            f"{op}: expected all tensors to be on the same device, but found at least two "
            f"devices, {a.device} and {b.device}"
        )
    if a.ndim == 0 or b.ndim == 0:
        raise ShapeError(
            f"{op}: both arguments need to be at least 1D, but they are {a.ndim}D and {b.ndim}D "
            f"(shapes {tuple(a.shape)} and {tuple(b.shape)}); use * to multiply by a scalar"
        )
    k_a = a.shape[-1]
    k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if k_a != k_b:
        raise ShapeError(
            f"{op}: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be multiplied ({k_a} != "
            f"{k_b}: the last "
            "axis of the first must match the "
            + ("only" if b.ndim == 1 else "second-to-last")
            + " axis of the second)"
        )
    if a.ndim > 2 or b.ndim > 2:
        broadcast_shapes(
            op + " (batch axes)",
            a.shape[:-2] if a.ndim > 2 else (),
            b.shape[:-2] if b.ndim > 2 else (),
        )
    dtype = result_type(a, b)
    if dtype.kind != "f":
        # integer products in int64 arithmetic (exact; wrapping on overflow as PyTorch), no
        # gradient: NumPy's matmul on the host (for CUDA tensors a round trip)
        be = a._backend
        x, y = be.to_numpy(a._array).astype(dtype), be.to_numpy(b._array).astype(dtype)
        product = be.from_numpy(np.ascontiguousarray(np.matmul(x, y)))
        return None, a._result_type()._wrap(product, be)
    if a._array.dtype != dtype:
        a = a.to(dtype)
    if b._array.dtype != dtype:
        b = b.to(dtype)
    return (a, b), None


def matmul(a, b):
    """a @ b: dot product, matrix-vector, matrix-matrix or batched product (module docstring)."""
    a, b = from_ndarray(a, b), from_ndarray(b, a)
    if not isinstance(b, TensorBase) or not isinstance(a, TensorBase):
        refuse_sequence("matmul", a, b)
        return NotImplemented
    operands, done = _check("matmul", a, b)
    return done if done is not None else named(MatMul.apply(*operands), _torch_name(a, b))


def _torch_name(a, b):
    """PyTorch's node name for a @ b, which depends on the operands' ranks."""
    ranks = (a.ndim, b.ndim)
    simple = {(1, 1): "DotBackward0", (2, 1): "MvBackward0", (2, 2): "MmBackward0"}
    if ranks in simple:
        return simple[ranks]
    if ranks == (1, 2):
        return "SqueezeBackward4"
    return "UnsafeViewBackward0" if a.ndim > 2 else "CloneBackward0"


def _tensors(op, *operands):
    for x in operands:
        if not isinstance(x, TensorBase):
            refuse_sequence(op, x)
            raise TypeError(f"{op}: expected Tensors, got {type(x).__name__} {x!r}")


def mm(a, b):
    """Matrix-matrix product of two 2-D tensors: (m, k) @ (k, n) -> (m, n)."""
    _tensors("mm", a, b)
    if a.ndim != 2 or b.ndim != 2:
        raise ShapeError(f"mm: expected two 2-D tensors, got shapes {tuple(a.shape)} and "
            f"{tuple(b.shape)}")
    return matmul(a, b)


def mv(a, v):
    """Matrix-vector product: (m, k) @ (k,) -> (m,)."""
    _tensors("mv", a, v)
    if a.ndim != 2 or v.ndim != 1:
        raise ShapeError(f"mv: expected a 2-D and a 1-D tensor, got shapes {tuple(a.shape)} and "
            f"{tuple(v.shape)}")
    return matmul(a, v)


def dot(a, b):
    """Dot product of two 1-D tensors of the same length: sum_i a_i b_i (a 0-d tensor)."""
    _tensors("dot", a, b)
    if a.ndim != 1 or b.ndim != 1:
        raise ShapeError(f"dot: 1D tensors expected, but got shapes {tuple(a.shape)} and "
            f"{tuple(b.shape)}")
    return matmul(a, b)
