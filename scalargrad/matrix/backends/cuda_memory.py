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

Every kernel is launched by ``launch``: the hardware limits checked (once per configuration),
then numba's kernel compiled for the arguments' types launched directly. Device array headers
are built from a per-layout cache (``_header``). Both keep the host's cost per op low (see
docs/architecture/cuda_kernels.md, "Launches and the host's cost").

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


# Launch configurations already checked, with numba's normalised (x, y, z) dims: checking costs
# a dict lookup per launch (the key holds the limits too, so a test that lowers one sees it).
_fits = {}


def _checked_dims(kernel, grid, block, shared):
    key = (grid, block, shared, MAX_GRID_X, MAX_GRID_YZ, MAX_SHARED)
    dims = _fits.get(key)
    if dims is None:
        check_launch(getattr(kernel, "__name__", "kernel"), grid, block, shared)
        if len(_fits) > 4096:  # (one entry per output size seen: bounded all the same)
            _fits.clear()
        dims = _fits[key] = (_dims(grid), _dims(block))
    return dims


def launch(kernel, grid, block, *args, shared=0):
    """``kernel[grid, block](*args)`` after ``check_launch``; ``shared``: the kernel's static
    shared memory in bytes (the caller knows it from the shapes of its ``cuda.shared.array``s).

    On a GPU the kernel compiled for these argument types is looked up once per (kernel, types)
    and launched directly (``compiled_kernel``): numba's dispatcher would type every argument
    and resolve the overload at every call, which cost more than all of our own host code."""
    global launches
    griddim, blockdim = _checked_dims(kernel, grid, block, shared)
    launches += 1
    if SIMULATOR or not DIRECT_LAUNCH:
        kernel[grid, block](*args)
    else:
        argtypes = argument_types(args)
        # numba's types are interned (one object per type) and their own hash is Python code:
        # the cache is keyed by their identities instead
        compiled = _compiled.get((kernel, *map(id, argtypes)))
        if compiled is None:
            compiled = compiled_kernel(kernel, argtypes)
        # on the default stream (as kernel[grid, block]), with no dynamic shared memory
        # (``shared`` above is the kernel's static shared memory)
        compiled.launch(args, griddim, blockdim, _default_stream(), 0)


DIRECT_LAUNCH = True  # False: every launch goes through numba's dispatcher (to compare)
_compiled = {}  # (dispatcher, ids of the argument types) -> numba's compiled kernel (``_Kernel``)


_streams = []


def _default_stream():
    """The default stream, as the dispatcher passes it to a compiled kernel (made once)."""
    if not _streams:
        _streams.append(driver._to_core_stream(0))
    return _streams[0]


def compiled_kernel(kernel, argtypes):
    """numba's kernel compiled for ``argtypes`` (compiled on first use, then from a dict)."""
    compiled = _compiled.get((kernel, *map(id, argtypes)))
    if compiled is None:
        compiled = kernel.compile(argtypes)
        _compiled[(kernel, *map(id, argtypes))] = compiled
        _keep.append(argtypes)  # (the ids stay those of these types: they are kept alive)
    return compiled


_keep = []


def argument_types(args):
    """The numba types of kernel arguments, as numba's ``typeof`` finds them, for the kinds our
    kernels take (device arrays, ints, bools, floats, NumPy scalars, tuples of ints), from
    caches: a device array's type is set where it is built (``_header``)."""
    return tuple([_ARG_TYPES.get(type(x), _other_type)(x) for x in args])


def _int_tuple_type(x):
    for v in x:
        if type(v) is not int:
            return _other_type(x)
    return _uniform_int_tuple(len(x))


@functools.cache
def _uniform_int_tuple(n):
    from numba import types

    return types.UniTuple(types.int64, n) if n else types.Tuple(())


def _other_type(x):
    from numba.cuda.typing.typeof import Purpose, typeof  # (the dispatcher's own)

    return typeof(x, Purpose.argument)


def _argument_type_table():
    from numba import types

    def int_type(x):
        return types.int64 if -(2**63) <= x < 2**63 else _other_type(x)

    table = {
        int: int_type,
        bool: lambda x: types.boolean,
        float: lambda x: types.float64,
        tuple: _int_tuple_type,
    }
    scalars = (np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64)
    for scalar in scalars + (np.uint8, np.uint16, np.uint32, np.uint64, np.bool_):
        table[scalar] = _constant(_scalar_type(np.dtype(scalar)))
    if not SIMULATOR:
        table[DeviceNDArray] = _array_type
    return table


def _constant(numba_type):
    return lambda x: numba_type


def _scalar_type(dtype):
    from numba.np import numpy_support

    return numpy_support.from_dtype(dtype)


def _array_type(a):
    return a._numba_type_  # (set by _header; else numba's cached property works it out)


_ARG_TYPES = _argument_type_table()


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
    if SIMULATOR:
        require_cuda()
        shape, dtype = tuple(int(s) for s in shape), np.dtype(dtype)
        a = SimulatedDeviceArray(simulator_array(shape, dtype))
    else:
        a = _device_array(shape, dtype)
    if POISON_NEW_ARRAYS and a.size:
        _poison(a)
    a.owns_memory = True
    return a


def _device_array(shape, dtype):
    """A new C-contiguous device array (numba asks the memory manager, our cache, for memory)."""
    shape, strides, dtype, layout = _c_layout(shape, dtype)
    if not layout[1]:  # an empty array: numba's own constructor (a NULL pointer)
        return DeviceNDArray(shape, strides, dtype)
    return _header(shape, strides, dtype, _memalloc(layout[2]), layout)


def _c_layout(shape, dtype):
    """(shape, strides, np.dtype, ``_layout``) of C-order arrays of this shape and dtype, as
    tuples of ints, from a cache keyed by the shape and dtype as given."""
    try:
        c = _c_layouts.get((shape, dtype))
    except TypeError:  # (a list)
        c = None
    if c is None:  # (a shape or dtype in a form not seen before: checked and converted once)
        require_cuda()
        shape, dtype = tuple(int(s) for s in shape), np.dtype(dtype)
        strides = c_strides(shape, dtype.itemsize)
        c = (shape, strides, dtype, _layout(shape, strides, dtype))
        if len(_c_layouts) > 4096:
            _c_layouts.clear()
        _c_layouts[shape, dtype] = c
    return c


_c_layouts = {}  # (shape, dtype) as given -> (shape, strides, np.dtype, _layout) of C order


def _memalloc(nbytes):
    """Device memory from numba's current context (its memory manager: our caching pool)."""
    from numba.cuda.cudadrv import devices

    return devices.get_context().memalloc(nbytes)


# ---------------------------------------------------------------- cheap array headers
# numba's DeviceNDArray constructor checks and converts its shape, builds a ``dummyarray`` to
# answer layout questions (contiguity, views) and sizes the memory; numba types the array at
# its first launch (its flags, a types.Array). Each of these costs microseconds, and every op
# makes new arrays (its output, the views it launches on). But a training step makes the same
# few layouts again and again: ``_layout`` works all of it out once per (shape, strides,
# dtype), and ``_header`` builds the array from that without repeating it.

_layouts = {}


def _layout(shape, strides, dtype):
    """(dummy, size, bytes, numba type) of arrays with this shape (a tuple of ints), byte
    strides (the same) and dtype, from a cache."""
    key = (shape, strides, dtype)
    layout = _layouts.get(key)
    if layout is None:
        from numba import types
        from numba.cuda.cudadrv import dummyarray

        dummy = dummyarray.Array.from_desc(0, shape, strides, dtype.itemsize)
        size = dummy.size
        nbytes = driver.memory_size_from_info(shape, strides, dtype.itemsize) if size else 0
        # numba's DeviceNDArray._numba_type_: 'C' or 'F' when contiguous and not broadcast
        broadcast = 0 in strides and size != 0
        kind = "A"
        if dummy.is_c_contig and not broadcast:
            kind = "C"
        elif dummy.is_f_contig and not broadcast:
            kind = "F"
        numba_type = types.Array(_scalar_type(dtype), len(shape), kind)
        if len(_layouts) > 4096:
            _layouts.clear()
        layout = _layouts[key] = (dummy, size, nbytes, numba_type)
    return layout


def _header(shape, strides, dtype, gpu_data, layout=None):
    """A DeviceNDArray over ``gpu_data`` built from its cached layout: the attributes numba's
    constructor sets (shape and strides as tuples of ints, ``dtype`` a np.dtype), and the numba
    type a launch reads."""
    dummy, size, nbytes, numba_type = layout or _layout(shape, strides, dtype)
    a = _new_device_array(DeviceNDArray)
    a.ndim = len(shape)
    a._dummy = dummy
    a.shape = shape
    a.strides = strides
    a.dtype = dtype
    a.size = size
    a.alloc_size = nbytes
    a.gpu_data = gpu_data
    a.stream = 0
    a._numba_type_ = numba_type  # (numba's is a cached property: its value lives here)
    return a


_new_device_array = object.__new__


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
    layout = _layout(shape, strides, a.dtype)
    gpu_data = a.gpu_data.view(offset, offset + layout[2]) if offset else a.gpu_data
    return _header(shape, strides, a.dtype, gpu_data, layout)


def restride(a, shape, strides):
    """``make_view`` without an offset, for a layout that stays inside ``a``'s memory (a
    transpose, a leading axis of stride 0): only a new header over the same ``gpu_data``, none
    of make_view's checks and sizing (the matmul's operands, at every launch)."""
    if SIMULATOR:
        return SimulatedDeviceArray(
            np.lib.stride_tricks.as_strided(a._ary, shape=shape, strides=strides)
        )
    return _header(shape, strides, a.dtype, a.gpu_data)


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
        shape, strides, dtype, layout = _c_layout(shape, a.dtype)
        return _header(shape, strides, dtype, a.gpu_data, layout)
    try:
        d = np.reshape(dummy(a), shape, copy=False)
    except ValueError:
        a = copy(a)
        d = np.reshape(dummy(a), shape)
    return make_view(a, d.shape, d.strides)


def permute(a, axes):
    """A view with the axes reordered (a transpose): only the strides move."""
    axes = tuple(int(d) for d in axes)
    if sorted(axes) != list(range(a.ndim)) or not a.size:  # (NumPy's error for bad axes)
        d = np.transpose(dummy(a), axes)
        return make_view(a, d.shape, d.strides)
    shape, strides = tuple(a.shape), tuple(a.strides)
    return restride(a, tuple(shape[d] for d in axes), tuple(strides[d] for d in axes))


def broadcast_to(a, shape):
    """A view with 0 strides along the broadcast axes: every index there reads the same memory."""
    shape = tuple(int(n) for n in shape)
    lead = len(shape) - a.ndim
    if lead >= 0 and a.size and min(shape, default=1) > 0:
        strides = [0] * lead
        for n, have, step in zip(shape[lead:], a.shape, a.strides, strict=True):
            if have != n and have != 1:
                break
            strides.append(step if have == n else 0)
        else:  # NumPy's rule, worked out directly: a new header over the same memory
            return restride(a, shape, tuple(strides))
    d = np.broadcast_to(dummy(a), shape)  # (NumPy's error, and the empty cases)
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
    return _header((n,), (a.dtype.itemsize,), a.dtype, a.gpu_data)


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
