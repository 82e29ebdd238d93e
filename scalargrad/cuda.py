"""``sg.cuda``: is there a GPU, how many, and wait for it.

    >>> import scalargrad as sg
    >>> if sg.cuda.is_available():
    ...     x = sg.randn(3, 4, device="cuda")

Kernels are launched asynchronously: Python goes on while the GPU works, and a result is waited
for only when it is copied back (``.numpy()``, ``.item()``). ``synchronize()`` waits explicitly,
which timing code needs. With ``NUMBA_ENABLE_CUDASIM=1`` (set before importing scalargrad),
numba's CUDA simulator stands in for a GPU: everything works, slowly, on the CPU.
"""


def is_available():
    """True when tensors can be put on ``device="cuda"``: a GPU with its driver, or the
    simulator."""
    from scalargrad.matrix.backends.cuda_memory import cuda_available

    return cuda_available()


def device_count():
    """Number of CUDA GPUs numba can see (0 without any)."""
    if not is_available():
        return 0
    from numba import cuda

    return len(cuda.gpus)


def synchronize():
    """Wait until every kernel launched so far has finished (a no-op without a GPU)."""
    if is_available():
        from numba import cuda

        cuda.synchronize()
