"""A caching device allocator: freed GPU memory is kept for the next array of its size class
instead of being returned to the driver.

Why: ``cudaMalloc`` / ``cudaFree`` are slow, and ``cuMemFree`` waits for the whole GPU, so a
training step that allocated each result afresh (~40 arrays per MLP step) stalled the host several
times a step. With the cache, a step allocates from the driver only until its arrays of every
size have been seen once (the first step); after that every result reuses a freed block.

How (as PyTorch's ``CUDACachingAllocator``, much simplified):

* Sizes are rounded up to a *size class*: 512 bytes at least, then 2^k or 1.5 * 2^k bytes (at most
  a third wasted). Each class has a free list of blocks.
* ``take(nbytes)`` pops a block of the class, or asks the driver for one (a *driver allocation*,
  counted in ``driver_allocations``); when the driver is out of memory the cache is emptied and
  the driver asked again. ``give(block)`` puts a block back on its free list.
* Reuse is safe without synchronizing: every kernel runs on the one default stream, in launch
  order, so a kernel that writes a reused block starts after the kernels that read it finished.

On a GPU the pool sits behind numba's External Memory Management (EMM) plugin interface
(``CachingMemoryManager``): numba asks it for the memory of every device array and calls its
finalizer when the array and all its views are gone. numba's CUDA simulator has no EMM, so
there ``cuda_memory.empty`` uses the same pool directly, with host ``bytearray``s standing in for
device blocks (``simulator_array``); that is what the simulator tests count.
"""

import weakref

import numpy as np

MIN_BLOCK = 512  # bytes: the smallest size class (cudaMalloc aligns to at least 256 bytes)


def size_class(nbytes):
    """The block size for a request: 512 bytes at least, then the next 2^k or 1.5 * 2^k."""
    if nbytes <= MIN_BLOCK:
        return MIN_BLOCK
    power = 1 << (int(nbytes) - 1).bit_length()  # the next power of two >= nbytes
    three_quarters = power // 4 * 3  # 1.5 * 2^(k-1)
    return three_quarters if three_quarters >= nbytes else power


class CachingPool:
    """Free lists of blocks by size class, over a driver's ``alloc(size)`` and ``free(block)``."""

    def __init__(self, alloc, free):
        self._alloc = alloc
        self._free = free
        self.free_blocks = {}  # size class -> [block, ...]
        self.allocated = 0  # bytes of blocks in use (by size class)
        self.reserved = 0  # bytes held from the driver: in use + cached
        self.peak_allocated = 0
        self.driver_allocations = 0
        self.driver_frees = 0
        self.requests = 0  # arrays allocated (from the cache or the driver)

    def take(self, nbytes):
        """(block, size class) for a request of ``nbytes``."""
        size = size_class(nbytes)
        self.requests += 1
        blocks = self.free_blocks.get(size)
        if blocks:
            block = blocks.pop()
        else:
            try:
                block = self._alloc(size)
            except Exception:  # out of memory (a CudaAPIError on a GPU): free the cache, retry
                if not self.reserved - self.allocated:
                    raise
                self.empty_cache()
                block = self._alloc(size)
            self.driver_allocations += 1
            self.reserved += size
        self.allocated += size
        self.peak_allocated = max(self.peak_allocated, self.allocated)
        return block, size

    def give(self, block, size):
        """Back on the free list of its class (called when its last user is gone)."""
        self.allocated -= size
        self.free_blocks.setdefault(size, []).append(block)

    def empty_cache(self):
        """Return every cached (unused) block to the driver."""
        for size, blocks in self.free_blocks.items():
            for block in blocks:
                self._free(block)
                self.driver_frees += 1
                self.reserved -= size
        self.free_blocks = {}

    def stats(self):
        """Counters with the names of ``torch.cuda.memory_stats()``."""
        return {
            "allocated_bytes.all.current": self.allocated,
            "allocated_bytes.all.peak": self.peak_allocated,
            "reserved_bytes.all.current": self.reserved,
            "num_device_alloc": self.driver_allocations,
            "num_device_free": self.driver_frees,
            "allocation.all.allocated": self.requests,
        }


# ---------------------------------------------------------------- the simulator's pool

SIMULATOR_POOL = CachingPool(alloc=bytearray, free=lambda block: None)


def simulator_array(shape, dtype):
    """A NumPy array over a pooled ``bytearray`` block (the simulator's device memory).

    Every view of it (NumPy collapses view chains to the first object that is not an array)
    refers to the one ``memoryview`` NumPy made of the block; when the last of them is gone, the
    memoryview dies and its finalizer gives the block back to the pool."""
    dtype = np.dtype(dtype)
    n = int(np.prod(shape, dtype=np.int64))
    if n == 0:
        return np.empty(shape, dtype)
    block, size = SIMULATOR_POOL.take(n * dtype.itemsize)
    flat = np.frombuffer(block, dtype, count=n)
    # flat.base: the memoryview NumPy made of the block, which every view of flat refers to
    weakref.finalize(flat.base, SIMULATOR_POOL.give, block, size)
    return flat.reshape(shape)


def active_pool():
    """The pool that serves this process: the simulator's, or the GPU's."""
    from numba import config

    return SIMULATOR_POOL if config.ENABLE_CUDASIM else gpu_pool()


# ---------------------------------------------------------------- the GPU's pool (EMM plugin)


def gpu_pool():
    """The pool of the real GPU (driver cuMemAlloc / cuMemFree), made on first use."""
    global _GPU_POOL
    if _GPU_POOL is None:
        from numba.cuda.cudadrv.driver import driver

        # (looked up at each call: touching the driver's functions starts the driver)
        _GPU_POOL = CachingPool(
            alloc=lambda size: driver.cuMemAlloc(size), free=lambda ptr: driver.cuMemFree(ptr)
        )
    return _GPU_POOL


_GPU_POOL = None


def caching_memory_manager():
    """The EMM plugin class (defined on first use: importing numba's driver module needs the
    CUDA bindings, which the simulator does not)."""
    import contextlib

    from numba.cuda.cudadrv.driver import (
        AutoFreePointer,
        GetIpcHandleMixin,
        HostOnlyCUDAMemoryManager,
        MemoryInfo,
        driver,
    )

    class CachingMemoryManager(GetIpcHandleMixin, HostOnlyCUDAMemoryManager):
        """numba's device allocations served from ``gpu_pool()``."""

        def initialize(self):
            pass

        def memalloc(self, size):
            pool = gpu_pool()
            pointer, block_size = pool.take(size)
            key = int(pointer)
            allocations = self.allocations

            def finalizer():  # the array and every view of it are gone
                allocations.pop(key, None)
                pool.give(pointer, block_size)

            # AutoFreePointer: freed when its reference count (views included) drops to 0
            mem = AutoFreePointer(weakref.proxy(self.context), pointer, size, finalizer=finalizer)
            self.allocations[key] = mem
            return mem.own()

        def get_memory_info(self):
            free, total = driver.cuMemGetInfo()
            return MemoryInfo(free=free, total=total)

        def reset(self):
            super().reset()
            gpu_pool().empty_cache()

        @contextlib.contextmanager
        def defer_cleanup(self):
            with super().defer_cleanup():
                yield

        @property
        def interface_version(self):
            return 1

    return CachingMemoryManager
