"""Backends: where a tensor's numbers live and the kernels that compute on them.

A backend is a module with the functions listed below, all working on the backend's *array*
type: ``numpy.ndarray`` for ``"cpu"`` (``cpu.py``, numba ``@njit(parallel=True)`` kernels),
a numba ``DeviceNDArray`` for ``"cuda"`` (``cuda.py``, ``numba.cuda.jit`` kernels).
``reference.py`` is the same interface written in plain NumPy: the oracle the kernel tests compare
against, never used to train, and imported by neither kernel backend.

The two kernel backends are split the same way, one concept per file, same name on both sides:

    concept                          CPU                   CUDA
    the backend (the interface)      cpu.py                cuda.py
    memory: allocation, copies,      cpu_memory.py         cuda_memory.py   (+ cuda_allocator.py,
      views, fill                                                            the GPU memory pool)
    indexing: getitem, gather,       cpu_index.py          cuda_index.py
      scatter_add, setitem
    element-wise ops, losses         cpu_elementwise.py    cuda_elementwise.py
    reductions, arg-reductions,      cpu_reduce.py         cuda_reduce.py
      cumsum
    softmax family                   cpu_softmax.py        cuda_softmax.py
    sort, put_along_axis             cpu_sort.py           cuda_sort.py
    fused: cross-entropy, SGD, Adam  cpu_fused.py          cuda_fused.py
    matmul, linear                   cpu_matmul.py         cuda_matmul.py
    how kernels see strided arrays,  cpu_strides.py        in cuda_memory.py (strided, operands,
      launching                                            launch)
    op code -> calculus tables       cpu_ops.py            (cuda_elementwise.device_function)

Host-side helpers both use (plain Python/NumPy, no numba): ``strides.py`` (collapsing
dimensions), ``positions.py`` (advanced index -> flat positions). The softmax family's math is
written once in ``rowwise_math.py``, plain float loops over a row that ``cpu_softmax``/
``cpu_fused`` compile with ``njit`` and ``cuda_softmax``/``cuda_fused`` with ``cuda.jit``, as the
element-wise math is ``scalargrad/calculus.py``; the order ``sort`` uses is written once in
``sort_order.py``.

The Tensor layer (``scalargrad/matrix/functions``) is the only caller. It does the bookkeeping
(broadcast shapes, dtype promotion, which gradients are needed, summing a gradient back over
broadcast axes) and calls the backend with arrays that are already checked. So backends never
see user mistakes and never raise for them: every check with a user-facing message happens above.

Conventions every backend follows
---------------------------------
* dtypes: float32, float64, int64, bool. Math ops get float arrays; add/sub/mul, comparisons,
  reductions sum/max/min, argmax/argmin, copy/astype, where, fill also take int64 and bool.
* Inputs may be any strided view (transposed, sliced, or with 0 strides from ``broadcast_to``).
  Outputs are new, C-contiguous arrays unless the function is a view or says "in place".
* Element-wise inputs arrive already broadcast to one shape (``broadcast_to`` views) and of one
  dtype; comparisons return bool.
* ``op`` names are the names of ``scalargrad/calculus.py`` functions, which are the only place
  the float math lives.

Memory and layout
    name                                   "cpu" or "cuda"
    from_numpy(array)                      a backend array holding a copy of ``array``
                                           (cpu: may share its memory)
    to_numpy(a)                            a numpy array (a host copy for cuda)
    empty(shape, dtype) / full(shape, value, dtype)
    copy(a)                                C-contiguous copy
    astype(a, dtype)                       converted copy
    reshape(a, shape)                      a view when the layout allows, else a copy
    permute(a, axes)                       a view
    broadcast_to(a, shape)                 a read-only view with 0 strides
    getitem(a, index)                      basic indexing (ints, slices, None, Ellipsis): a view
    gather(a, index)                       advanced indexing, numpy's semantics: a copy
    scatter_add(shape, index, values)      zeros(shape) with values added at a[index] (backward of
                                           gather; repeated indices add up)
    setitem(a, index, values)              in place: a[index] = values
    fill(a, value)                         in place
    cumsum(a, axis)

Element-wise
    unary(op, a)                           op in neg exp log tanh sigmoid relu softplus abs sqrt
                                           sin cos
    unary_backward(op, a, y, grad)         grad * op_deriv(a, y)   (y = op(a))
    binary(op, a, b)                       op in add sub mul div pow maximum minimum
                                           and comparisons eq ne lt le gt ge (bool result)
    binary_backward(op, a, b, grad, need_a, need_b)
                                           (grad * op_dx(a, b) or None, grad * op_dy(a, b) or None),
                                           both of the full broadcast shape
    inplace_binary(op, a, b)               in place: a = op(a, b), b broadcast to a's shape
    where(cond, a, b)                      cond ? a : b
    pointwise_loss(op, p, t, beta)         op in squared_error absolute_error smooth_l1
                                           binary_cross_entropy bce_with_logits
                                           (beta: smooth_l1 only)
    pointwise_loss_backward(op, p, t, grad, beta)   grad * op_deriv(p, t[, beta])

Reductions (axes: a tuple of non-negative ints, not empty)
    reduce(op, a, axes, keepdim)           op in sum prod max min
    arg_reduce(op, a, axis)                op in argmax argmin; axis None = over the flattened array
                                           (int64 result; the first index of a tie, as numpy)
    softmax(a, axis) / log_softmax(a, axis) / logsumexp(a, axis, keepdim)    stable (max subtracted)
    softmax_backward(y, grad, axis)        y * (grad - sum(grad * y, axis))
    log_softmax_backward(y, grad, axis)    grad - exp(y) * sum(grad, axis)

Sorting (one axis, a non-negative int; the array has at least one dim)
    sort(a, axis, descending)              (values, indices int64) along ``axis``: stable (equal
                                           values keep index order), NaN the largest, as
                                           PyTorch's sort(stable=True)
    put_along_axis(shape, indices, values, axis)
                                           zeros(shape) with out[.., indices[.., j], ..] =
                                           values[.., j, ..] along ``axis`` (indices distinct
                                           along it): the backward of sort and topk

Linear algebra
    matmul(a, b)                           (m, k) @ (k, n) or batched (B, m, k) @ (B, k, n);
                                           operands may be transposed views (backward passes a.T)
    linear(x, w, b)                        fused x @ w.T + b; x (n, in), w (out, in),
                                           b (out,) or None
    linear_relu(x, w, b)                   optional (CPU only): relu(x @ w.T + b), bias and relu in
                                           one pass; a backend without it gets relu(linear(...))
    relu_bias_backward(y, grad)            optional (CPU only): (grad * relu'(y), column sums of
                                           that), y = linear_relu's output
    cross_entropy(logits, targets)         fused softmax + NLL on (n, c) logits, int64 targets (n,):
                                           returns (per-row losses (n,), probabilities (n, c));
                                           CUDA also takes ignore_index (then returns counted
                                           (n,) too) and checks the targets in the kernel
    cross_entropy_backward(probs, targets, grad_rows)
                                           (probs - onehot(targets)) * grad_rows[:, None]

Optimizer updates (in place, one kernel per parameter; math from calculus.sgd_update/adam_update)
    sgd_step(p, g, buf, lr, momentum, dampening, weight_decay, nesterov, first_step)
    adam_step(p, g, m, v, lr, beta1, beta2, eps, weight_decay, step)
    rmsprop_step(p, g, sq, g_avg, buf, lr, alpha, eps, weight_decay, momentum, centered)
    adagrad_step(p, g, s, clr, eps, weight_decay)   (math: calculus.rmsprop_update/adagrad_update)
"""

import importlib

from scalargrad.matrix.backends import calculus_typing  # noqa: F401  (calculus.typed, compiled)

_MODULES = {"cpu": "scalargrad.matrix.backends.cpu", "cuda": "scalargrad.matrix.backends.cuda"}


def get_backend(device):
    """The backend module for a device name: ``"cpu"`` or ``"cuda"``."""
    name = str(device).split(":")[0]
    if name not in _MODULES:
        raise ValueError(f"device: unknown device {device!r}; use 'cpu' or 'cuda'")
    return importlib.import_module(_MODULES[name])
