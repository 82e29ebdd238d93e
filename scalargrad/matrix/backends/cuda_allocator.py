"""A caching device allocator, as PyTorch's ``CUDACachingAllocator`` (much simplified): freed GPU
memory is kept for the next array instead of being returned to the driver.

Why: ``cudaMalloc`` / ``cudaFree`` are slow, and ``cuMemFree`` waits for the whole GPU, so a
training step that allocated each result afresh (~40 arrays per MLP step) stalled the host several
times a step. With the cache, a training step asks the driver for memory only in its first step.

Design. The driver hands out *segments*; an array lives in a *block*, a byte range of a segment.
Every block size is a multiple of 512 bytes. Two pools, each a best-fit free list:

* **Small requests** (at most 1 MiB) are carved from 2 MiB segments. ``take`` picks the smallest
  free small block that fits (best fit) and *splits* it: the front becomes the array's block,
  the rest (if 512 bytes or more) stays a free block. ``give`` marks the block free and *merges*
  it with a free neighbour on either side, so a segment never holds two adjacent free blocks,
  and a whole free segment is one block again. A segment has room for many small arrays, so the
  slack left after the first step (for instance next to an optimizer's momentum buffers, which
  take memory the next forward pass needs again) serves the later steps.
* **Large requests** (over 1 MiB) work the same way in a pool of their own, as PyTorch's large
  pool: a new segment is 20 MiB for a request under 10 MiB (room for several such arrays), else
  the request rounded up to a multiple of 2 MiB; a cached block is split only when the rest is
  over 1 MiB (a smaller rest stays with the block: it would only serve small requests, which
  have their own pool). So a freed 16 MiB activation serves the 10 MiB one of a smaller last
  batch, and what is left of it the next array, instead of a new driver allocation per size.
  One rule more than plain best fit (PyTorch's ``max_split_size`` in spirit): a request under
  10 MiB is served only from the shared 20 MiB segments, never cut from a big array's own
  segment, which the next step's big array would then find missing.
* When the driver is out of memory, the cache is emptied and the driver asked again.
* ``empty_cache()`` returns every segment with no block in use to the driver; a segment with a
  live array in it stays.
* Counters as ``torch.cuda``: ``allocated`` (bytes of the blocks in use, rounded sizes),
  ``reserved`` (bytes of all segments: in use + cached), ``peak_allocated``, driver allocations
  and frees. Invariants (checked by hypothesis-drawn take/give sequences): the live blocks never
  overlap, ``allocated`` is the sum of their sizes, and the blocks of a segment tile it exactly.
* Reuse is safe without synchronizing: every kernel runs on the one default stream, in launch
  order, so a kernel that writes a reused block starts after the kernels that read it finished.

On a GPU the pool sits behind numba's External Memory Management (EMM) plugin interface
(``CachingMemoryManager``): numba asks it for the memory of every device array and calls its
finalizer when the array and all its views are gone; the block's device address is its segment's
address plus its offset. numba's CUDA simulator has no EMM, so there ``cuda_memory.empty`` uses
the same pool directly, with host ``bytearray``s standing in for device segments
(``simulator_array``); that is what the simulator tests count.
"""

import bisect
import itertools
import weakref

import numpy as np

MIN_BLOCK = 512  # bytes: every block is a multiple of this (cudaMalloc aligns to 256 bytes)
SMALL_REQUEST = 1 << 20  # requests up to 1 MiB are small
SMALL_SEGMENT = 2 << 20  # small blocks are carved from 2 MiB segments
LARGE_SEGMENT = 20 << 20  # the segment for a large request under LARGE_ALONE
LARGE_ALONE = 10 << 20  # a request of this size or more gets a segment of its own size...
ROUND_LARGE = 2 << 20  # ...rounded up to a multiple of 2 MiB


def block_size(nbytes):
    """The size of the block that serves a request: ``nbytes`` rounded up to a multiple of 512
    bytes (512 at least)."""
    return max(MIN_BLOCK, -(-int(nbytes) // MIN_BLOCK) * MIN_BLOCK)


round_small = block_size  # (the name of the small pool's rounding before the large pool)


def segment_size(nbytes):
    """The size of a new segment for a request the cache cannot serve."""
    if nbytes <= SMALL_REQUEST:
        return SMALL_SEGMENT
    if nbytes < LARGE_ALONE:
        return LARGE_SEGMENT
    return -(-int(nbytes) // ROUND_LARGE) * ROUND_LARGE


class FreeList:
    """Free blocks sorted by (size, segment, offset): ``best_fit`` finds the smallest block of
    at least a size by bisection (the lowest address among equals)."""

    def __init__(self):
        self.blocks, self._keys = [], []

    def __iter__(self):
        return iter(self.blocks)

    def __len__(self):
        return len(self.blocks)

    def add(self, block):
        i = bisect.bisect_left(self._keys, block.key())
        self._keys.insert(i, block.key())
        self.blocks.insert(i, block)

    def remove(self, block):
        i = bisect.bisect_left(self._keys, block.key())
        del self._keys[i], self.blocks[i]

    def best_fit(self, size, shared_only=False):
        """The smallest free block of at least ``size`` bytes (of a shared segment only, if
        asked), taken off the list; None if there is none."""
        i = bisect.bisect_left(self._keys, (size, -1, -1))
        while i < len(self.blocks) and shared_only and not self.blocks[i].segment.shared:
            i += 1
        if i == len(self.blocks):
            return None
        block = self.blocks[i]
        del self._keys[i], self.blocks[i]
        return block


class Segment:
    """Memory from one driver allocation: ``handle`` (what the driver returned), ``size`` bytes;
    ``small``: of the small pool; ``shared``: a 20 MiB large segment (for requests under 10
    MiB, several to a segment)."""

    __slots__ = ("handle", "size", "small", "shared", "id")

    def __init__(self, handle, size, small, id):
        self.handle, self.size, self.small, self.id = handle, size, small, id
        self.shared = not small and size == LARGE_SEGMENT


class Block:
    """Bytes ``[offset, offset + size)`` of ``segment``; ``prev``/``next``: its neighbours in
    the segment, ``free``: not in use."""

    __slots__ = ("segment", "offset", "size", "free", "prev", "next")

    def __init__(self, segment, offset, size):
        self.segment, self.offset, self.size = segment, offset, size
        self.free, self.prev, self.next = True, None, None

    def key(self):  # the order of the free lists: best fit, then the lowest address
        return (self.size, self.segment.id, self.offset)


class CachingPool:
    """Segments from a driver's ``alloc(size) -> handle`` and ``free(handle)``, cut into blocks."""

    def __init__(self, alloc, free):
        self._alloc = alloc
        self._free = free
        self._ids = itertools.count()
        self.small_free = FreeList()  # free blocks of small segments
        self.large_free = FreeList()  # free blocks of large segments
        self.segments = {}  # id -> Segment
        self.allocated = 0  # bytes of the blocks in use
        self.reserved = 0  # bytes of all segments (in use + cached)
        self.peak_allocated = 0
        self.driver_allocations = 0
        self.driver_frees = 0
        self.requests = 0  # arrays allocated (from the cache or the driver)

    # ------------------------------------------------------------ take and give

    def take(self, nbytes):
        """A block of at least ``nbytes`` bytes, in use."""
        self.requests += 1
        size = block_size(nbytes)
        small = size <= SMALL_REQUEST
        free = self.small_free if small else self.large_free
        # a request under 10 MiB never cuts into the segment of a big array: the next step's big
        # array would find it missing (the optimizer's state, made after the forward pass has
        # freed its arrays, would otherwise land in an activation's segment)
        block = free.best_fit(size, shared_only=not small and size < LARGE_ALONE)
        if block is None:
            segment = self._new_segment(segment_size(size), small)
            block = Block(segment, 0, segment.size)
        # split when the rest can serve a request of this pool: any in a small segment, only
        # a large one (over 1 MiB) in a large segment
        if block.size - size >= (MIN_BLOCK if small else SMALL_REQUEST + 1):
            rest = Block(block.segment, block.offset + size, block.size - size)
            rest.prev, rest.next = block, block.next
            if block.next is not None:
                block.next.prev = rest
            block.next, block.size = rest, size
            free.add(rest)
        block.free = False
        self.allocated += block.size
        self.peak_allocated = max(self.peak_allocated, self.allocated)
        return block

    def give(self, block):
        """Back to the cache (called when the block's last user is gone)."""
        assert not block.free, "a block was given back twice"
        block.free = True
        self.allocated -= block.size
        free = self.small_free if block.segment.small else self.large_free
        for neighbour in (block.prev, block.next):  # merge with free neighbours
            if neighbour is not None and neighbour.free:
                free.remove(neighbour)
                if neighbour is block.prev:
                    neighbour.size += block.size
                    neighbour.next = block.next
                    block = neighbour
                else:
                    block.size += neighbour.size
                    block.next = neighbour.next
                if block.next is not None:
                    block.next.prev = block
        free.add(block)

    # ------------------------------------------------------------ the driver

    def _new_segment(self, size, small):
        try:
            handle = self._alloc(size)
        except Exception:  # out of memory (a CudaAPIError on a GPU): free the cache, retry
            if self.reserved == self.allocated:
                raise
            self.empty_cache()
            handle = self._alloc(size)
        self.driver_allocations += 1
        self.reserved += size
        segment = Segment(handle, size, small, next(self._ids))
        self.segments[segment.id] = segment
        return segment

    def _release(self, segment):
        self._free(segment.handle)
        self.driver_frees += 1
        self.reserved -= segment.size
        del self.segments[segment.id]

    def empty_cache(self):
        """Return every segment with no block in use (one free block) to the driver."""
        for free in (self.small_free, self.large_free):
            for block in [b for b in free if b.size == b.segment.size]:
                free.remove(block)
                self._release(block.segment)

    def stats(self):
        """Counters with the names of ``torch.cuda.memory_stats()``."""
        return {
            "allocated_bytes.all.current": self.allocated,
            "allocated_bytes.all.peak": self.peak_allocated,
            "reserved_bytes.all.current": self.reserved,
            "num_device_alloc": self.driver_allocations,
            "num_device_free": self.driver_frees,
            "allocation.all.allocated": self.requests,
            "segment.all.current": len(self.segments),
        }


# ---------------------------------------------------------------- the simulator's pool

SIMULATOR_POOL = CachingPool(alloc=bytearray, free=lambda handle: None)


def simulator_array(shape, dtype):
    """A NumPy array over a pooled block of a ``bytearray`` segment (the simulator's device
    memory).

    Every view of it (NumPy collapses view chains to the first object that is not an array)
    refers to the one ``memoryview`` NumPy holds of the block; when the last of them is gone, the
    memoryview dies and its finalizer gives the block back to the pool."""
    dtype = np.dtype(dtype)
    n = int(np.prod(shape, dtype=np.int64))
    if n == 0:
        return np.empty(shape, dtype)
    block = SIMULATOR_POOL.take(n * dtype.itemsize)
    memory = memoryview(block.segment.handle)[block.offset : block.offset + block.size]
    flat = np.frombuffer(memory, dtype, count=n)
    # flat.base: the memoryview every view of flat refers to (NumPy collapses view chains)
    weakref.finalize(flat.base, SIMULATOR_POOL.give, block)
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


def block_address(block):
    """The device address of a block: its segment's address plus its offset."""
    return int(block.segment.handle) + block.offset


def caching_memory_manager():
    """The EMM plugin class (defined on first use: importing numba's driver module needs the
    CUDA bindings, which the simulator does not)."""
    import contextlib

    from numba.cuda.cudadrv.driver import (
        AutoFreePointer,
        GetIpcHandleMixin,
        HostOnlyCUDAMemoryManager,
        MemoryInfo,
        binding,
        driver,
    )

    class CachingMemoryManager(GetIpcHandleMixin, HostOnlyCUDAMemoryManager):
        """numba's device allocations served from ``gpu_pool()``."""

        def initialize(self):
            pass

        def memalloc(self, size):
            pool = gpu_pool()
            block = pool.take(size)
            key = block_address(block)
            allocations = self.allocations

            def finalizer():  # the array and every view of it are gone
                allocations.pop(key, None)
                pool.give(block)

            # AutoFreePointer: freed when its reference count (views included) drops to 0
            pointer = binding.CUdeviceptr(key)
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
