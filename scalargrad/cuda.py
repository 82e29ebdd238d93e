"""``sg.cuda``: is there a GPU, how many, and wait for it.

    >>> import scalargrad as sg
    >>> if sg.cuda.is_available():
    ...     x = sg.randn(3, 4, device="cuda")

Kernels are launched asynchronously: Python goes on while the GPU works, and a result is waited
for only when it is copied back (``.numpy()``, ``.item()``). ``synchronize()`` waits explicitly,
which timing code needs. With ``NUMBA_ENABLE_CUDASIM=1`` (set before importing scalargrad),
numba's CUDA simulator stands in for a GPU: everything works, slowly, on the CPU.

Device memory comes from a caching allocator (as PyTorch's): memory of freed arrays is kept for
new arrays (small arrays are cut from 2 MiB segments, large ones reused by size class).
``memory_allocated()`` counts the bytes of live arrays, ``memory_reserved()`` those held from the
driver (live + cached), ``empty_cache()`` returns the cached segments to the driver.
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


def _pool():
    from scalargrad.matrix.backends.cuda_allocator import active_pool

    return active_pool()


def memory_allocated():
    """Bytes of device memory in live arrays (each rounded up to its block's size)."""
    return _pool().allocated


def max_memory_allocated():
    """The largest ``memory_allocated()`` seen so far."""
    return _pool().peak_allocated


def memory_reserved():
    """Bytes held from the driver by the caching allocator: live arrays plus cached blocks."""
    return _pool().reserved


def memory_stats():
    """A dict of counters named as ``torch.cuda.memory_stats()``: ``allocated_bytes.all.current``,
    ``allocated_bytes.all.peak``, ``reserved_bytes.all.current``, ``num_device_alloc`` (driver
    allocations so far), ``num_device_free``."""
    return _pool().stats()


def empty_cache():
    """Give the cached (unused) device memory back to the driver; live arrays are kept."""
    if is_available():
        _pool().empty_cache()
