"""Every kernel variant the backend can launch compiles for a real GPU (PTX for sm_90).

The simulator runs kernels as Python, so it cannot catch what only the CUDA compiler rejects:
a non-constant shared-array shape, a type numba cannot unify, an unsupported math function.
This module compiles each kernel with ``cuda.compile_ptx`` for every dtype it is used with.
It needs the CUDA toolkit's compiler libraries (NVVM, NVRTC: ``pip install -e '.[cuda]'``) and
numba's simulator off; it does not need a GPU. Elsewhere it is skipped.

    NUMBA_ENABLE_CUDASIM=0 python -m pytest tests/cuda/test_ptx.py
"""

import re

import numpy as np
import pytest
from numba import config, cuda, types
from numba.np import numpy_support

from scalargrad.matrix.backends import cuda_elementwise as E
from scalargrad.matrix.backends import cuda_fused as F
from scalargrad.matrix.backends import cuda_index as X
from scalargrad.matrix.backends import cuda_matmul as M
from scalargrad.matrix.backends import cuda_memory as MEM
from scalargrad.matrix.backends import cuda_reduce as R
from scalargrad.matrix.backends import cuda_softmax as S
from scalargrad.matrix.backends import reference

CC = (9, 0)  # H100; any cc >= 6.0 has float64 atomics


def _toolkit_reason():
    if config.ENABLE_CUDASIM:
        return "compiling to PTX needs numba's simulator off"
    try:
        cuda.compile_ptx(lambda x: None, "void(float32[:])", cc=CC)
    except Exception as error:  # no NVVM / NVRTC libraries
        return (
            f"CUDA toolkit libraries not found ({type(error).__name__}); pip install -e '.[cuda]'"
        )
    return None


REASON = _toolkit_reason()
pytestmark = [pytest.mark.ptx, pytest.mark.skipif(REASON is not None, reason=str(REASON))]


@pytest.fixture(autouse=True)
def _no_gpu_needed(monkeypatch):
    """Device functions ask the current GPU for its compute capability; without one, say sm_90."""
    import numba.cuda.dispatcher as dispatcher

    class Device:
        compute_capability = CC

    if not cuda.is_available():
        monkeypatch.setattr(dispatcher, "get_current_device", lambda: Device())


F64 = re.compile(r"\.f64\b")  # any float64 instruction (add.f64, cvt.f64.f32, ld.f64, ...)

# Float32 kernels compute in float32 (calculus.typed, rowwise_math): a float64 instruction in one
# is a float64 constant or scalar that leaked in (1/32-1/64 of the float32 rate on consumer GPUs).
# The exceptions, each explained: libdevice's own sinf/cosf convert the quadrant count to float64
# once in their range reduction (NVIDIA's code, not ours: one cvt and one mul per call).
F64_ALLOWED = {"sin": 4, "sin_deriv": 4, "cos": 4, "cos_deriv": 4}


def ptx(kernel, *args):
    """Compile ``kernel`` (a @cuda.jit dispatcher) for these argument types; the PTX text."""
    code, _ = cuda.compile_ptx(kernel.py_func, tuple(args), cc=CC)
    return code


def assert_float32_only(code, dtype, name=""):
    """A float32 kernel's PTX holds no float64 instruction (but the explained exceptions)."""
    if dtype == np.float32:
        found = F64.findall(code)
        assert len(found) <= F64_ALLOWED.get(name, 0), (name, sorted(set(found)))


def t(dtype):
    return numpy_support.from_dtype(np.dtype(dtype))


def vec(dtype):
    return types.Array(t(dtype), 1, "C")


I64 = types.int64
TUP = types.UniTuple(I64, 2)
FLOATS = (np.float32, np.float64)
ALL = (np.float32, np.float64, np.int64, np.bool_)


@pytest.mark.parametrize("op", reference.UNARY)
@pytest.mark.parametrize("dtype", FLOATS)
def test_unary_kernels(op, dtype):
    forward = [
        ptx(E._map_kernel(op), vec(dtype), vec(dtype), TUP, TUP),
        ptx(E._flat_map_kernel(op), vec(dtype), vec(dtype)),  # the stride-free fast path
    ]
    backward = [
        ptx(E._grad_kernel(op + "_deriv"), vec(dtype), *(vec(dtype), TUP) * 3, TUP),
        ptx(E._flat_grad_kernel(op + "_deriv"), *(vec(dtype),) * 4),
    ]
    for code in forward:
        assert_float32_only(code, dtype, op)
    for code in backward:
        assert_float32_only(code, dtype, op + "_deriv")


@pytest.mark.parametrize("op", reference.ARITH + tuple(reference.COMPARE))
@pytest.mark.parametrize("dtype", ALL)
def test_binary_kernels(op, dtype):
    if np.dtype(dtype).kind in "bi" and op not in ("add", "sub", "mul", *reference.COMPARE):
        if not (dtype == np.int64 and op in ("maximum", "minimum")):
            pytest.skip("a float op")
    if dtype == np.bool_ and op == "sub":
        pytest.skip("no bool subtraction")
    name = E._binary_name(op, np.dtype(dtype))
    out = vec(np.bool_ if op in E.COMPARISONS else dtype)
    assert_float32_only(ptx(E._zip_kernel(name), out, vec(dtype), TUP, vec(dtype), TUP, TUP), dtype)
    assert_float32_only(ptx(E._flat_zip_kernel(name), out, vec(dtype), vec(dtype)), dtype)
    assert_float32_only(ptx(E._inplace_kernel(name), vec(dtype), TUP, vec(dtype), TUP, TUP), dtype)
    for row_first in (False, True):  # x op bias, bias op x
        kernel = E._row_zip_kernel(name, row_first)
        assert_float32_only(ptx(kernel, out, vec(dtype), vec(dtype), I64), dtype)
    if np.dtype(dtype).kind == "f" and op in reference.ARITH:
        for part in ("_dx", "_dy"):
            code = ptx(E._grad_kernel(op + part), vec(dtype), *(vec(dtype), TUP) * 3, TUP)
            assert_float32_only(code, dtype)
            assert_float32_only(ptx(E._flat_grad_kernel(op + part), *(vec(dtype),) * 4), dtype)


@pytest.mark.parametrize("op", reference.LOSSES)
@pytest.mark.parametrize("dtype", FLOATS)
def test_loss_kernels(op, dtype):
    for name, backward in ((op, False), (op + "_deriv", True)):
        args = (vec(dtype), *(vec(dtype), TUP) * 3, TUP, t(dtype))  # beta in p's dtype
        assert_float32_only(ptx(E._loss_kernel(name, backward), *args), dtype)


@pytest.mark.parametrize("src", ALL)
@pytest.mark.parametrize("dst", ALL)
def test_copy_cast_assign_fill_where(src, dst):
    ptx(MEM._copy_kernel, vec(dst), vec(src), TUP, TUP)
    ptx(MEM._assign_kernel, vec(dst), TUP, vec(src), TUP, TUP)
    if src == dst:
        ptx(MEM._fill_kernel, vec(dst), TUP, TUP, t(dst))
        ptx(E._where_kernel, vec(dst), vec(np.bool_), TUP, vec(dst), TUP, vec(dst), TUP, TUP)


@pytest.mark.parametrize("op", ["sum", "prod", "max", "min"])
@pytest.mark.parametrize("dtype", ALL)
def test_reduce_kernels(op, dtype):
    acc = np.int64 if dtype == np.bool_ else dtype
    out = np.int64 if (op == "sum" and dtype == np.bool_) else dtype
    args = (vec(dtype), TUP, TUP, TUP, TUP, I64, t(acc))
    assert_float32_only(ptx(R._sequential_kernel(op), vec(out), *args), dtype)
    if dtype != np.bool_:  # leading axes of a C-contiguous array
        code = ptx(R._column_kernel(op), vec(dtype), vec(dtype), I64, I64, I64, t(dtype))
        assert_float32_only(code, dtype)
    for threads in (32, 128):
        kernel = R._tree_kernel(op, np.dtype(acc).str, threads)
        assert_float32_only(ptx(kernel, types.Array(t(out), 2, "C"), *args), dtype)
        # pass 1 into the partial results
        assert_float32_only(ptx(kernel, types.Array(t(acc), 2, "C"), *args), dtype)


@pytest.mark.parametrize("op", ["argmax", "argmin"])
@pytest.mark.parametrize("dtype", ALL)
def test_arg_and_cumsum_kernels(op, dtype):
    kernel = R._arg_kernel(op, np.dtype(dtype).str, 128)
    two = types.Array(t(dtype), 2, "C")
    ptx(
        kernel,
        two,
        types.Array(I64, 2, "C"),
        vec(dtype),
        vec(np.int64),
        TUP,
        TUP,
        TUP,
        TUP,
        I64,
        types.boolean,
    )
    if dtype != np.bool_:
        ptx(
            R._cumsum_kernel,
            vec(dtype),
            TUP,
            vec(dtype),
            TUP,
            types.UniTuple(I64, 1),
            I64,
            t(dtype),
        )


@pytest.mark.parametrize("dtype", FLOATS)
def test_fused_kernels(dtype):
    f = vec(dtype)
    d = np.dtype(dtype).str
    targets = vec(np.int64)
    rows = [
        ptx(S._softmax_kernel(kind, 128, d), f, TUP, I64, f, TUP, TUP, I64, I64)
        for kind in (0, 1, 2)
    ]
    for log in (False, True):
        args = (f, TUP, I64, f, TUP, I64, f, TUP, I64, TUP, I64)
        rows.append(ptx(S._softmax_backward_kernel(log, 64, d), *args))
    errors = vec(np.int64)  # (host-mapped on a GPU: cuda_memory.kernel_errors)
    args = (f, f, f, f, I64, I64, targets, I64, I64, I64, errors)
    rows.append(ptx(F._cross_entropy_kernel(32, d), *args))
    args = (f, f, I64, I64, targets, I64, f, I64, I64, I64)
    rows.append(ptx(F._cross_entropy_backward_kernel(32, d), *args))
    for code in rows:  # the row math runs in the input's dtype on the GPU
        assert_float32_only(code, dtype)
    scalars = (t(dtype),) * 4  # the hyperparameters in p's dtype
    code = ptx(F._sgd_kernel, f, TUP, f, TUP, f, TUP, TUP, I64, *scalars, *(types.boolean,) * 2)
    assert_float32_only(code, dtype)
    code = ptx(
        F._adam_kernel,
        f,
        TUP,
        f,
        TUP,
        f,
        TUP,
        f,
        TUP,
        TUP,
        I64,
        *scalars,
        t(dtype),
        t(dtype),
    )
    assert_float32_only(code, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_index_kernels(dtype):
    pos = vec(np.int64)
    ptx(X._gather_kernel, vec(dtype), pos, vec(dtype), TUP, TUP)
    ptx(X._scatter_add_kernel, vec(dtype), pos, vec(dtype), TUP, TUP)
    ptx(X._scatter_kernel, vec(dtype), TUP, TUP, pos, vec(dtype), TUP, TUP)
    # device-side positions (index tensors on the GPU): gather, scatter-add (atomics), setitem
    for code in (
        ptx(X._take_kernel, vec(dtype), vec(dtype), pos, t(dtype)),
        ptx(X._put_add_kernel, vec(dtype), pos, vec(dtype), TUP, TUP),
        ptx(X._put_kernel, vec(dtype), pos, vec(dtype), TUP, TUP),
    ):
        assert_float32_only(code, dtype)


@pytest.mark.parametrize("index_dtype", [np.int64, np.int32, np.uint8])
def test_device_index_positions_kernel(index_dtype):
    pos = vec(np.int64)
    args = (pos, TUP, TUP, vec(index_dtype), TUP, I64, I64, I64, types.boolean, I64, pos)
    assert not F64.findall(ptx(X._positions_kernel, *args))  # integer arithmetic only


def test_bool_gather_on_device_positions():
    ptx(X._take_kernel, vec(np.bool_), vec(np.bool_), vec(np.int64), t(np.bool_))


def _ptxas():
    """The ptxas of the nvidia-cuda-nvcc wheel (or the PATH), or None."""
    import shutil
    from pathlib import Path

    try:
        import nvidia

        for root in nvidia.__path__:
            for found in Path(root).glob("cu*/bin/ptxas"):
                return str(found)
    except ImportError:
        pass
    return shutil.which("ptxas")


PTXAS = _ptxas()
MAX_REGISTERS = 255  # per thread (sm_90); more cannot be allocated at all


def _matmul_ptx(config, dtype, layouts):
    kernel, side = M._matmul_kernel(np.dtype(dtype).str, config, *layouts)
    three = types.Array(t(dtype), 3, "A")
    args = (types.Array(t(dtype), 3, "C"), three, three, vec(dtype), types.boolean, I64, I64)
    return ptx(kernel, *args), side


@pytest.mark.parametrize("layouts", [(False, False), (True, False), (False, True), (True, True)])
@pytest.mark.parametrize("config", [M.SMALL, M.LARGE])
@pytest.mark.parametrize("dtype", FLOATS)
def test_matmul_kernel_keeps_its_patch_in_registers(config, dtype, layouts):
    code, _ = _matmul_ptx(config, dtype, layouts)
    work = config[2]
    # the WORK x WORK multiply-adds of one k are unrolled, and nothing spills to local memory
    assert len(re.findall(r"\bfma\.rn\.f(32|64)", code)) >= work * work
    assert ".local" not in code


@pytest.mark.skipif(PTXAS is None, reason="ptxas not found (pip install nvidia-cuda-nvcc)")
@pytest.mark.parametrize("layouts", [(False, False), (True, False), (False, True), (True, True)])
@pytest.mark.parametrize("config", [M.SMALL, M.LARGE])
@pytest.mark.parametrize("dtype", FLOATS)
def test_matmul_resources_fit_sm90(tmp_path, config, dtype, layouts):
    """ptxas -arch=sm_90 -v: no spill, registers for a full block, the shared memory we declare.

    R registers per thread: at most 255 (the hardware limit); SMALL must also leave room for two
    resident blocks of 256 threads in the SM's 64K registers (R <= 128), to hide latency. LARGE
    (64 accumulators per thread) runs one block per SM and relies on its 8 x 8 patch for
    instruction-level parallelism instead."""
    import subprocess

    code, side = _matmul_ptx(config, dtype, layouts)
    source = tmp_path / "matmul.ptx"
    source.write_text(code)
    report = subprocess.run(
        [PTXAS, "-arch=sm_90", "-v", str(source), "-o", str(tmp_path / "matmul.cubin")],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    registers = int(re.search(r"Used (\d+) registers", report).group(1))
    spills = [int(n) for n in re.findall(r"(\d+) bytes spill (?:stores|loads)", report)]
    smem = re.search(r"(\d+) bytes smem", report)
    tile, tile_k, _ = config
    item = np.dtype(dtype).itemsize
    print(config, dtype.__name__, layouts, f"{registers} registers", report.strip()[-160:])
    assert spills and not any(spills), report
    assert registers <= MAX_REGISTERS, report
    if config == M.SMALL:
        assert registers * side * side <= 65536 // 2, report
    assert smem is not None and int(smem.group(1)) == 2 * 2 * tile_k * (tile + 1) * item, report


# ---------------------------------------------------------------- what a direct launch relies on
# ``cuda_memory.launch`` launches numba's kernel compiled for ``argument_types(args)`` and builds
# device arrays with ``_header``: both must agree with numba's own typeof and DeviceNDArray, or a
# kernel compiled for the wrong layout would read memory wrongly on a GPU (the simulator, which
# launches through numba, cannot see it).


class _FakePointer:
    device_ctypes_pointer = None

    def __init__(self, size):
        self.size = size

    def view(self, start, stop=None):
        return _FakePointer((self.size if stop is None else stop) - start)


LAYOUTS = [
    ((4, 3), (24, 8)),  # C
    ((3, 4), (8, 24)),  # transposed: F
    ((4, 3), (0, 8)),  # a broadcast row: A
    ((2, 3), (48, 16)),  # sliced: A
    ((5,), (8,)),
    ((1, 5), (0, 8)),  # size-1 axis with a 0 stride: still C
    ((2, 1, 3), (24, 24, 8)),
    ((), ()),
]


@pytest.mark.parametrize("shape, strides", LAYOUTS)
@pytest.mark.parametrize("dtype", [np.float64, np.int64])
def test_cheap_headers_equal_numbas_device_arrays(shape, strides, dtype):
    from numba.cuda.cudadrv.devicearray import DeviceNDArray
    from numba.cuda.typing.typeof import Purpose, typeof

    dtype = np.dtype(dtype)
    ours = MEM._header(shape, strides, dtype, _FakePointer(256))
    numba = DeviceNDArray(shape, strides, dtype, gpu_data=_FakePointer(256))
    for name in ("shape", "strides", "ndim", "size", "alloc_size", "dtype", "stream", "flags"):
        assert getattr(ours, name) == getattr(numba, name), name
    assert ours.is_c_contiguous() == numba.is_c_contiguous()
    assert ours.is_f_contiguous() == numba.is_f_contiguous()
    assert typeof(ours, Purpose.argument) == typeof(numba, Purpose.argument)
    assert MEM.argument_types((ours,)) == (typeof(numba, Purpose.argument),)


def test_argument_types_are_numbas_typeof():
    from numba.cuda.typing.typeof import Purpose, typeof

    args = [
        3,
        -(2**40),
        2**63,
        True,
        False,
        0.5,
        np.float32(1.5),
        np.float64(2),
        np.int64(7),
        np.bool_(True),
        (),
        (1,),
        (1, 2, 3),
        (1, 2.0),
        ((1, 2), (3,)),
        MEM._header((3,), (4,), np.dtype(np.float32), _FakePointer(12)),
        MEM._header((3, 2), (4, 12), np.dtype(np.float32), _FakePointer(24)),
    ]
    assert MEM.argument_types(args) == tuple(typeof(a, Purpose.argument) for a in args)
