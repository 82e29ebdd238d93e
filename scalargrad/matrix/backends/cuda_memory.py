"""Device memory for the CUDA backend: allocation, host <-> device copies, views, launch sizes.

An array of this backend is a numba ``DeviceNDArray`` (on numba's CUDA simulator, the simulator's
stand-in ``FakeCUDAArray``): a pointer into GPU memory plus a shape and byte strides, exactly like
a NumPy array's header. Results of kernels are allocated on the device and stay there; only
``from_numpy`` and ``to_numpy`` cross the PCIe bus.

Views (``permute``, ``broadcast_to``, ``reshape`` when the layout allows, and
``cuda_index.getitem`` with basic indices) are new headers over the same GPU memory: no kernel
runs and no byte is copied. Their shape and strides are worked out by NumPy on a *memory-less
dummy* array with the same header (NumPy's own view rules, so the semantics are NumPy's), and
``make_view`` builds the device header over the same ``gpu_data``, moved forward by a pointer
offset.

Kernels read any strided array through ``strided(a)``: a 1-D array over ``a``'s memory starting
at its first element, plus ``a``'s shape and its strides counted in elements. A kernel turns a
flat (C-order) element number into a memory position with ``flat_to_offset``; a 0 stride reads the
same element again, which is how broadcasting costs no memory. ``operands`` does that for several
arrays of one shape at once, merging the axes they all walk as one (``strides.collapse``, the
host-side function the CPU backend uses too).

The copies (``copy``, ``astype``, ``assign``) and ``fill`` are small kernels of their own here, one
thread per element, because the allocation and view functions above need them.
"""

import functools
import math
import os

import numpy as np
from numba import config, cuda

from scalargrad.matrix.backends.strides import collapse

SIMULATOR = bool(config.ENABLE_CUDASIM)
if SIMULATOR:
    from numba.cuda.simulator.cudadrv.devicearray import FakeCUDAArray, is_cuda_ndarray

    from scalargrad.matrix.backends.cuda_allocator import simulator_array

    class SimulatedDeviceArray(FakeCUDAArray):
        """The simulator's device array, with a real DeviceNDArray's host-side ``shape``: a plain
        tuple (the simulator's own ``FakeShape`` refuses negative indices such as ``shape[-1]``,
        which host code may use on a GPU array)."""

        @property
        def shape(self):
            return tuple(self._ary.shape)

else:
    from numba.cuda.cudadrv import driver
    from numba.cuda.cudadrv.devicearray import DeviceNDArray, is_cuda_ndarray

    # numba's device allocations go through the caching allocator (cuda_allocator.py), unless
    # the user chose another EMM plugin (NUMBA_CUDA_MEMORY_MANAGER) or SCALARGRAD_CUDA_CACHE=0.
    # It must be set before numba creates its CUDA context (the first device array or launch).
    if config.CUDA_MEMORY_MANAGER == "default" and os.environ.get("SCALARGRAD_CUDA_CACHE") != "0":
        from scalargrad.matrix.backends.cuda_allocator import caching_memory_manager

        try:
            cuda.set_memory_manager(caching_memory_manager())
        except Exception:  # no CUDA bindings: no GPU either, and require_cuda() says so
            pass

# Threads per block of the 1-D launches (one thread per output element): a multiple of the
# 32-thread warp; 256 keeps several blocks resident on each streaming multiprocessor.
THREADS = 256

_available = None


def cuda_available():
    """True when numba.cuda can run kernels: a GPU with a driver, or the simulator."""
    global _available
    if _available is None:
        try:
            _available = bool(cuda.is_available())
        except Exception:  # a broken driver install raises instead of answering False
            _available = False
    return _available


def require_cuda():
    """Raise a RuntimeError naming the device when there is no GPU (not a numba traceback)."""
    if not cuda_available():
        raise RuntimeError(
            "device 'cuda': CUDA is not available on this machine (numba.cuda found no NVIDIA GPU "
            "and driver). Use device='cpu', or set NUMBA_ENABLE_CUDASIM=1 before importing "
            "scalargrad to run the CUDA kernels on numba's (slow) CUDA simulator."
        )


def is_device_array(a):
    return is_cuda_ndarray(a)


# ---------------------------------------------------------------- launches

# What every NVIDIA GPU since compute capability 3.0 accepts (CUDA C Programming Guide, "Technical
# Specifications per Compute Capability"). numba's simulator accepts anything, so ``launch``
# checks them itself: a launch the hardware would refuse fails in the simulator tests too.
MAX_GRID_X = 2**31 - 1
MAX_GRID_YZ = 65535
MAX_THREADS = 1024  # threads per block (x * y * z)
MAX_BLOCK_XY, MAX_BLOCK_Z = 1024, 64
MAX_SHARED = 48 * 1024  # bytes of static shared memory per block

launches = 0  # kernels launched so far (demos/bench/gpu_check.py counts them per step)


def _dims(d):
    d = (d,) if isinstance(d, int) else tuple(d)
    return tuple(int(x) for x in d) + (1,) * (3 - len(d))


def check_launch(name, grid, block, shared=0):
    """Raise a ValueError naming the kernel if a GPU would refuse this launch configuration."""
    (gx, gy, gz), (bx, by, bz) = _dims(grid), _dims(block)
    problems = []
    if not 1 <= gx <= MAX_GRID_X:
        problems.append(f"grid x = {gx} (1 to {MAX_GRID_X})")
    for axis, g in (("y", gy), ("z", gz)):
        if not 1 <= g <= MAX_GRID_YZ:
            problems.append(f"grid {axis} = {g} (1 to {MAX_GRID_YZ})")
    if not (1 <= bx <= MAX_BLOCK_XY and 1 <= by <= MAX_BLOCK_XY and 1 <= bz <= MAX_BLOCK_Z):
        problems.append(f"block {(bx, by, bz)} (at most {MAX_BLOCK_XY} x {MAX_BLOCK_XY} x 64)")
    if bx * by * bz > MAX_THREADS:
        problems.append(f"{bx * by * bz} threads per block (at most {MAX_THREADS})")
    if shared > MAX_SHARED:
        problems.append(f"{shared} bytes of shared memory per block (at most {MAX_SHARED})")
    if problems:
        raise ValueError(
            f"CUDA kernel {name}: a GPU would refuse the launch with grid {(gx, gy, gz)} and "
            f"block {(bx, by, bz)}: " + "; ".join(problems)
        )


def launch(kernel, grid, block, *args, shared=0):
    """``kernel[grid, block](*args)`` after ``check_launch``; ``shared``: the kernel's static
    shared memory in bytes (the caller knows it from the shapes of its ``cuda.shared.array``s)."""
    global launches
    check_launch(getattr(kernel, "__name__", "kernel"), grid, block, shared)
    launches += 1
    kernel[grid, block](*args)


def launch_1d(n):
    """(blocks, threads) for one thread per element of an n-element output. A small output gets a
    smaller block (whole warps of 32 threads) rather than a block of mostly idle threads."""
    threads = min(THREADS, 32 * max(1, math.ceil(n / 32)))
    return max(1, math.ceil(n / threads)), threads


def block_size(n, most):
    """Threads for a block that combines n values in a shared-memory tree: a power of two
    (the tree halves it), at least a warp (32), at most ``most``, and no bigger than n needs."""
    threads = 32
    while threads < n and threads < most:
        threads *= 2
    return threads


# ---------------------------------------------------------------- allocation and copies


def _host_side(a):
    return SimulatedDeviceArray(a._ary) if SIMULATOR else a


# Tests set this: every new array is filled with NaN (integers: their most negative value, bools:
# True), so an element a kernel forgot to write shows up instead of reading as a plausible 0.
POISON_NEW_ARRAYS = False


def empty(shape, dtype):
    """A new C-contiguous device array, its memory from the caching allocator. It is marked
    ``owns_memory``: no view and nothing else refers to it yet (autograd may hand it to a leaf
    as its ``.grad`` without a copy)."""
    require_cuda()
    shape, dtype = tuple(int(s) for s in shape), np.dtype(dtype)
    if SIMULATOR:
        a = SimulatedDeviceArray(simulator_array(shape, dtype))
    else:
        a = _device_array(shape, dtype)
    if POISON_NEW_ARRAYS and a.size:
        _poison(a)
    a.owns_memory = True
    return a


def _device_array(shape, dtype):
    """A new C-contiguous device array (numba asks the memory manager, our cache, for memory)."""
    return _c_typed(DeviceNDArray(shape, c_strides(shape, dtype.itemsize), dtype))


@functools.cache
def _c_array_type(dtype, ndim):
    from numba import types
    from numba.np import numpy_support

    return types.Array(numpy_support.from_dtype(dtype), ndim, "C")


def _c_typed(a):
    """``a`` (C-contiguous, no 0 stride) with its numba type filled in from a cache: numba types
    every argument at every launch, and building ``types.Array(...)`` for each new array was as
    costly as all of our own host code of an element-wise op (numba caches it per array, but
    every op makes new arrays: its output and the views it launches on)."""
    a.__dict__["_numba_type_"] = _c_array_type(a.dtype, a.ndim)
    return a


def _poison(a):
    value = True if a.dtype == np.bool_ else np.nan
    if a.dtype.kind == "i":
        value = np.iinfo(a.dtype).min
    if SIMULATOR:
        a._ary.fill(value)
    else:
        fill(a, value)


def from_numpy(array):
    """A device copy of a host array (C-contiguous)."""
    require_cuda()
    array = np.asarray(array)
    if not array.flags.c_contiguous:  # (np.ascontiguousarray would turn a 0-d array into 1-d)
        array = array.copy(order="C")
    if SIMULATOR:  # through the pool, as numba's allocations go on a GPU
        a = empty(array.shape, array.dtype)
        a._ary[...] = array
    else:
        a = empty(array.shape, array.dtype)
        if array.size:
            a.copy_to_device(array)
    a.owns_memory = False  # it will be a tensor's data: never handed out as a gradient
    return a


def to_numpy(a):
    """A host copy; a non-contiguous view is first packed on the device by a copy kernel.
    An error a kernel has recorded since the last read (``kernel_errors``) is raised here."""
    if not a.is_c_contiguous():
        a = copy(a)
    host = a.copy_to_host()  # (waits for every kernel launched before it)
    raise_kernel_error()
    return host


# ---------------------------------------------------------------- errors found by kernels
# A kernel cannot raise. One that finds bad input (cross-entropy: a target outside [0, c)) writes
# what it found into ``kernel_errors()``, a few integers in host-mapped memory (the host reads
# them without a copy), and carries on (nan where the bad value was used). The host raises the
# error at its next read of a result (``to_numpy``: loss.item(), printing, .numpy()), the way
# PyTorch reports a device-side assert asynchronously, so no kernel launch waits for the GPU.
# Layout: [code, bad value, bound, row]; code 0: no error.
CROSS_ENTROPY_TARGET = 1
# An index outside [-size, size) of its axis (cuda_index.py): the code names the op, the row
# slot holds the axis.
INDEX_OUT_OF_RANGE = {2: "index", 3: "index backward (scatter_add)", 4: "index_put_ (setitem)"}
_kernel_errors = []


def kernel_errors():
    """The host-mapped error record (4 int64) kernels write to; zero while there is no error."""
    if not _kernel_errors:
        record = cuda.mapped_array(4, np.int64)
        record[:] = 0
        _kernel_errors.append(record)
    return _kernel_errors[0]


def raise_kernel_error():
    """Raise (and clear) the error a kernel has recorded, if any."""
    if not _kernel_errors or not _kernel_errors[0][0]:
        return
    record = _kernel_errors[0]
    code, value, bound, row = (int(v) for v in record)
    record[:] = 0
    if code == CROSS_ENTROPY_TARGET:
        raise IndexError(
            f"cross_entropy: target {value} is out of bounds: class indices must be in "
            f"[0, {bound}) for {bound} classes (row {row}; found by the GPU kernel, reported at "
            "this first read of a result after it)"
        )
    if code in INDEX_OUT_OF_RANGE:
        raise IndexError(
            f"{INDEX_OUT_OF_RANGE[code]}: index {value} is out of bounds for axis {row} with "
            f"size {bound} (found by the GPU kernel, reported at this first read of a result "
            "after it)"
        )
    raise RuntimeError(f"a GPU kernel recorded error code {code} (value {value}, row {row})")


# ---------------------------------------------------------------- views


def dummy(a):
    """A NumPy array with ``a``'s dtype, shape and strides but no memory of its own.

    It must never be read or written: it exists so that NumPy can compute view layouts for us.
    """
    base = np.zeros(1, a.dtype)
    return np.lib.stride_tricks.as_strided(base, shape=tuple(a.shape), strides=tuple(a.strides))


def make_view(a, shape, strides, offset=0):
    """A device array over ``a``'s memory: ``shape``, byte ``strides``, starting ``offset`` bytes
    after ``a``'s first element. Nothing is copied; writes through the view change ``a``."""
    shape = tuple(int(s) for s in shape)
    strides = tuple(int(s) for s in strides)
    if any(s < 0 for s in strides):
        raise ValueError("make_view: negative strides are not used by this backend")
    if math.prod(shape) == 0:
        return empty(shape, a.dtype)
    item = a.dtype.itemsize
    if SIMULATOR:
        # the simulator's device array wraps a NumPy array: build the same header with as_strided
        flat = np.lib.stride_tricks.as_strided(a._ary, shape=(_span(a),), strides=(item,))
        start = flat[offset // item :]
        return SimulatedDeviceArray(
            np.lib.stride_tricks.as_strided(start, shape=shape, strides=strides)
        )
    nbytes = driver.memory_size_from_info(shape, strides, item)
    view = DeviceNDArray(shape, strides, a.dtype, gpu_data=a.gpu_data.view(offset, offset + nbytes))
    if strides == c_strides(shape, item) and 0 not in strides:
        _c_typed(view)  # (e.g. the 1-D storage views every strided kernel reads through)
    return view


def restride(a, shape, strides):
    """``make_view`` without an offset, for a layout that stays inside ``a``'s memory (a
    transpose, a leading axis of stride 0): only a new header over the same ``gpu_data``, none
    of make_view's checks and sizing (the matmul's operands, at every launch)."""
    if SIMULATOR:
        return SimulatedDeviceArray(
            np.lib.stride_tricks.as_strided(a._ary, shape=shape, strides=strides)
        )
    return DeviceNDArray(shape, strides, a.dtype, gpu_data=a.gpu_data)


def _span(a):
    """Elements from ``a``'s first element to its last one in memory (strides >= 0)."""
    item = a.dtype.itemsize
    return 1 + sum((n - 1) * (s // item) for n, s in zip(a.shape, a.strides, strict=True))


def c_strides(shape, itemsize):
    strides, step = [], itemsize
    for n in reversed(shape):
        strides.append(step)
        step *= max(int(n), 1)
    return tuple(reversed(strides))


def reshape(a, shape):
    """A view when NumPy could reshape the same layout without copying, else a contiguous copy."""
    shape = tuple(int(n) for n in shape)
    if a.size and math.prod(shape) == a.size and min(shape, default=0) >= 0 and (
        a.is_c_contiguous()
    ):  # C order in, C order out: the new header is built directly (most reshapes are these)
        if SIMULATOR:
            return SimulatedDeviceArray(a._ary.reshape(shape))
        strides = c_strides(shape, a.dtype.itemsize)
        return _c_typed(DeviceNDArray(shape, strides, a.dtype, gpu_data=a.gpu_data))
    try:
        d = np.reshape(dummy(a), shape, copy=False)
    except ValueError:
        a = copy(a)
        d = np.reshape(dummy(a), shape)
    return make_view(a, d.shape, d.strides)


def permute(a, axes):
    """A view with the axes reordered (a transpose): only the strides move."""
    d = np.transpose(dummy(a), axes)
    return make_view(a, d.shape, d.strides)


def broadcast_to(a, shape):
    """A view with 0 strides along the broadcast axes: every index there reads the same memory."""
    d = np.broadcast_to(dummy(a), shape)
    return make_view(a, d.shape, d.strides)


def basic_index(index):
    """The index as a tuple ending in Ellipsis (so that NumPy returns a 0-d view, not a scalar)."""
    if not isinstance(index, tuple):
        index = (index,)
    if not any(i is Ellipsis for i in index):
        index = index + (Ellipsis,)
    return index


def flat(a):
    """The 1-D view of a C-contiguous array, built directly: the fast path's operands need none
    of ``make_view``'s layout work (on a GPU: a new header over the same ``gpu_data``)."""
    n = int(a.size)
    if SIMULATOR:
        return SimulatedDeviceArray(a._ary.reshape(n))
    return _c_typed(DeviceNDArray((n,), (a.dtype.itemsize,), a.dtype, gpu_data=a.gpu_data))


def strided(a):
    """(storage, shape, strides) for kernels: ``a``'s memory as a 1-D array starting at its first
    element, its shape, and its strides in elements (a 0-d array reads as shape (1,))."""
    item = a.dtype.itemsize
    shape = tuple(int(n) for n in a.shape)
    strides = tuple(int(s) // item for s in a.strides)
    if not shape:
        shape, strides = (1,), (0,)
    if not a.size:
        return a, shape, strides
    if a.is_c_contiguous():  # the common case: the storage is the flat view, built directly
        return flat(a), shape, strides
    return make_view(a, (_span(a),), (item,)), shape, strides


@cuda.jit(device=True)
def flat_to_offset(i, shape, strides):
    """Memory position (in elements) of the i-th element in C order of an array with this
    shape and these element strides: unravel i into a multi-index, dot it with the strides."""
    offset = 0
    for d in range(len(shape) - 1, -1, -1):
        offset += (i % shape[d]) * strides[d]
        i //= shape[d]
    return offset


@cuda.jit(device=True)
def shape_size(shape):
    n = 1
    for d in range(len(shape)):
        n *= shape[d]
    return n


def coalesce(shape, strides_list):
    """``strides.collapse``, with at least one dim: C-contiguous operands become 1-D, so a kernel
    does one division per element to find its position instead of one per axis."""
    shape, strides_list = collapse(shape, strides_list)
    if not shape:
        return (1,), [(0,) for _ in strides_list]
    return shape, strides_list


def operands(*arrays):
    """Kernel arguments for arrays of one shape: ([storage...], shape, [element strides...])."""
    first = arrays[0]
    if first.size and all(a.shape == first.shape and a.is_c_contiguous() for a in arrays):
        # all C-contiguous: one axis of n elements, stride 1 (what coalesce would find, for less)
        return [flat(a) for a in arrays], (int(first.size),), [(1,)] * len(arrays)
    parts = [strided(a) for a in arrays]
    shape, strides = coalesce(parts[0][1], [p[2] for p in parts])
    return [p[0] for p in parts], shape, strides


# ---------------------------------------------------------------- copies and fills (kernels)


@cuda.jit
def _copy_kernel(out, x, shape, xs):
    """out[i] = x[i]: packs a strided view into C order (and casts when dtypes differ)."""
    i = cuda.grid(1)
    if i < out.size:
        out[i] = x[flat_to_offset(i, shape, xs)]


@cuda.jit
def _assign_kernel(dst, ds, src, ss, shape):
    """dst[i] = src[i], both strided: writes into a view (setitem)."""
    i = cuda.grid(1)
    if i < shape_size(shape):
        dst[flat_to_offset(i, shape, ds)] = src[flat_to_offset(i, shape, ss)]


@cuda.jit
def _fill_kernel(dst, ds, shape, value):
    i = cuda.grid(1)
    if i < shape_size(shape):
        dst[flat_to_offset(i, shape, ds)] = value


def copy(a):
    """A C-contiguous copy (a kernel: works for any strided view)."""
    return astype(a, a.dtype)


def astype(a, dtype):
    """A converted C-contiguous copy (float -> int truncates, nonzero -> True, as NumPy)."""
    out = empty(a.shape, dtype)
    if out.size:
        (x,), shape, (xs,) = operands(a)
        launch(_copy_kernel, *launch_1d(out.size), flat(out), x, shape, xs)
    return out


def assign(dst, src):
    """In place: dst[...] = src (src broadcast to dst's shape); dst may be any view."""
    if not dst.size:
        return
    src = broadcast_to(src, dst.shape) if tuple(src.shape) != tuple(dst.shape) else src
    (d, s), shape, (ds, ss) = operands(dst, src)
    launch(_assign_kernel, *launch_1d(dst.size), d, ds, s, ss, shape)


def fill(a, value):
    """In place: every element of ``a`` (any view) set to ``value``."""
    if a.size:
        (d,), shape, (ds,) = operands(a)
        launch(_fill_kernel, *launch_1d(a.size), d, ds, shape, a.dtype.type(value))


def full(shape, value, dtype):
    out = empty(shape, dtype)
    fill(out, value)
    return out
