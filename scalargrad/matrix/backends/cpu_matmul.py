"""Matrix multiply on the CPU: a cache-blocked, register-blocked kernel, and the fused Linear.

C = A @ B with A (m, k) and B (k, n) is m*n dot products of length k. We compute each entry
``C[i, j] = sum_p A[i, p] * BT[j, p]`` with both operands laid out *along k*: A row-major
(rows of A contiguous) and B packed as BT = B.T row-major (columns of B contiguous). Then every
dot product reads two contiguous streams, which LLVM vectorizes (16 float32 lanes per AVX-512 op).

Packing: ``np.ascontiguousarray`` gives each operand that layout, copying only when needed. A
transposed view is just another layout: ``W.T`` as B is already BT = W (no copy), which is the
forward pass of ``Linear``; the backward passes (``dY @ W`` and ``dY.T @ X``) pack one operand
each. Packing is O(mk + kn) work against O(mkn) multiply-adds.

Register blocking (the micro-kernel): a 4 x 4 block of C is computed together, so each step of
the k loop loads 4 numbers of A and 4 of BT (8 loads) and does 16 multiply-adds. With one dot
product at a time it would be 2 loads per multiply-add and loads, not arithmetic, would be the
limit. The 16 accumulators are plain local variables; with ``fastmath`` reassociation allowed,
LLVM keeps each one as a vector register and adds the lanes up once at the end of the block.

Cache blocking: the k loop runs in blocks of KC = 512, so a micro-tile's panels (4 rows of A and
4 of BT, 2 x 8 KiB in float32) sit in the 32-48 KiB L1 cache; C columns run in blocks of NC = 128
rows of BT (128 x 512 x 4 B = 256 KiB), which stays in the 1 MiB L2 while every row block of A
streams past it. ``prange`` splits the row blocks of A (and the batch) across cores.

fastmath: only ``reassoc`` (sum in any order, needed to vectorize a dot product) and ``contract``
(fuse multiply-add into FMA); NaN and inf keep their IEEE meaning.
"""

import numpy as np
from numba import njit, prange

MR = 4  # rows of A per micro-tile
NR = 4  # rows of BT (columns of C) per micro-tile
KC = 512  # k block: a micro-tile's panels stay in L1
NC = 128  # C column block: the BT block stays in L2

FAST = {"reassoc", "contract"}


@njit(fastmath=FAST, cache=True)
def _tile4x4(A, BT, C, b, i, j, k0, k1):
    """C[b, i:i+4, j:j+4] += A[b, i:i+4, k0:k1] @ BT[b, j:j+4, k0:k1].T with 16 register accumulators."""
    c00, c01, c02, c03 = C[b, i, j], C[b, i, j + 1], C[b, i, j + 2], C[b, i, j + 3]
    c10, c11, c12, c13 = C[b, i + 1, j], C[b, i + 1, j + 1], C[b, i + 1, j + 2], C[b, i + 1, j + 3]
    c20, c21, c22, c23 = C[b, i + 2, j], C[b, i + 2, j + 1], C[b, i + 2, j + 2], C[b, i + 2, j + 3]
    c30, c31, c32, c33 = C[b, i + 3, j], C[b, i + 3, j + 1], C[b, i + 3, j + 2], C[b, i + 3, j + 3]
    for p in range(k0, k1):
        a0, a1, a2, a3 = A[b, i, p], A[b, i + 1, p], A[b, i + 2, p], A[b, i + 3, p]
        b0, b1, b2, b3 = BT[b, j, p], BT[b, j + 1, p], BT[b, j + 2, p], BT[b, j + 3, p]
        c00 += a0 * b0
        c01 += a0 * b1
        c02 += a0 * b2
        c03 += a0 * b3
        c10 += a1 * b0
        c11 += a1 * b1
        c12 += a1 * b2
        c13 += a1 * b3
        c20 += a2 * b0
        c21 += a2 * b1
        c22 += a2 * b2
        c23 += a2 * b3
        c30 += a3 * b0
        c31 += a3 * b1
        c32 += a3 * b2
        c33 += a3 * b3
    C[b, i, j], C[b, i, j + 1], C[b, i, j + 2], C[b, i, j + 3] = c00, c01, c02, c03
    C[b, i + 1, j], C[b, i + 1, j + 1], C[b, i + 1, j + 2], C[b, i + 1, j + 3] = c10, c11, c12, c13
    C[b, i + 2, j], C[b, i + 2, j + 1], C[b, i + 2, j + 2], C[b, i + 2, j + 3] = c20, c21, c22, c23
    C[b, i + 3, j], C[b, i + 3, j + 1], C[b, i + 3, j + 2], C[b, i + 3, j + 3] = c30, c31, c32, c33


@njit(fastmath=FAST, cache=True)
def _tile_edge(A, BT, C, b, i0, i1, j0, j1, k0, k1):
    """The ragged border (fewer than 4 rows or columns left): one dot product at a time."""
    for i in range(i0, i1):
        for j in range(j0, j1):
            acc = C[b, i, j]
            for p in range(k0, k1):
                acc += A[b, i, p] * BT[b, j, p]
            C[b, i, j] = acc


@njit(parallel=True, fastmath=FAST, cache=True)
def _matmul_kernel(A, BT, C):
    """C[b] += A[b] @ BT[b].T for contiguous A (B, m, k), BT (B, n, k), C (B, m, n)."""
    nb, m, k = A.shape
    n = BT.shape[1]
    row_blocks = (m + MR - 1) // MR
    for j0 in range(0, n, NC):
        j1 = min(j0 + NC, n)
        for k0 in range(0, k, KC):
            k1 = min(k0 + KC, k)
            for t in prange(nb * row_blocks):
                b = t // row_blocks
                i = (t % row_blocks) * MR
                if i + MR <= m:
                    j = j0
                    while j + NR <= j1:
                        _tile4x4(A, BT, C, b, i, j, k0, k1)
                        j += NR
                    _tile_edge(A, BT, C, b, i, i + MR, j, j1, k0, k1)
                else:
                    _tile_edge(A, BT, C, b, i, m, j0, j1, k0, k1)


def _as3d(a):
    return a if a.ndim == 3 else a[None]


def matmul_into(a, b, out):
    """out += a @ b for 2-D or batched 3-D a, b; ``out`` is a C-contiguous array of the result shape."""
    A = np.ascontiguousarray(_as3d(a))
    BT = np.ascontiguousarray(np.swapaxes(_as3d(b), -1, -2))
    C = _as3d(out)
    if C.size and A.shape[2]:
        _matmul_kernel(A, BT, C)
    return out


def matmul(a, b):
    """(m, k) @ (k, n) or (B, m, k) @ (B, k, n); operands may be any strided views."""
    dtype = np.result_type(a.dtype, b.dtype)
    out = np.zeros(a.shape[:-1] + b.shape[-1:], dtype)
    return matmul_into(a.astype(dtype, copy=False), b.astype(dtype, copy=False), out)


def linear(x, w, b):
    """Fused x @ w.T + b: C starts as the bias rows, then the matmul accumulates into it.

    w (out, in) is already "BT" (rows along k), so the forward pass packs nothing."""
    out = np.zeros((x.shape[0], w.shape[0]), x.dtype)
    if b is not None:
        out[...] = b
    return matmul_into(x, w.T, out)
