"""Run this first on a machine with an NVIDIA GPU (under 5 minutes):

    python demos/bench/gpu_check.py            # everything below
    python demos/bench/gpu_check.py --quick    # smaller timings
    python demos/bench/gpu_check.py --host-cost   # section 4 only: needs no GPU

1. Correctness: every kernel of the CUDA backend against the NumPy reference backend
   (``backends/reference.py``) on awkward shapes: sizes at 0, 1, -1 around the block and tile
   sizes, transposed / sliced / broadcast operands, ties, infinities, float32 and float64.
2. Timings: float32 matmul against cuBLAS (PyTorch CUDA, else CuPy, if installed) and one MLP
   784-1024-1024-10 training step at batch 4096 against PyTorch (``demos/bench/cuda.py``).
3. Launches, arrays allocated, driver allocations (``cudaMalloc``) and device -> host copies
   (each one a wait for the GPU) per training step; the batch is picked on the GPU by a device
   index tensor (``X[idx]``: device-side indexing). Expected: 0 driver allocations after step 1,
   0 copies in every step.
4. Host cost per op: the Python time from the backend call to numba's kernel launch, on the
   real GPU code path (numba ``DeviceNDArray``s, its dispatcher) over fake device pointers,
   kernels not run. numba's own launch work after that (argument packing, ``cuLaunchKernel``)
   is not included.

Nothing here is a test of the suite (that runs on numba's simulator); it is what the simulator
cannot show: that the kernels compile, launch and agree with NumPy on real hardware, and how
fast they are.
"""

import argparse
import gc
import importlib.util
import math
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
# this folder's cuda.py must not shadow the ``cuda`` package (CUDA bindings) that numba imports
sys.path = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parents[1]))

# ---------------------------------------------------------------- 1. correctness


def _layouts(rng, shape, dtype, C):
    """(device array, host array) pairs with the same numbers in several memory layouts."""
    base = rng.uniform(-3, 3, shape).astype(dtype)
    yield C.from_numpy(base), base
    if len(shape) >= 2:
        t = rng.uniform(-3, 3, shape[::-1]).astype(dtype)
        axes = tuple(reversed(range(len(shape))))
        yield C.permute(C.from_numpy(t), axes), t.transpose(axes)
    big = rng.uniform(-3, 3, tuple(2 * n + 1 for n in shape)).astype(dtype)
    index = tuple(slice(1, None, 2) for _ in shape)
    yield C.getitem(C.from_numpy(big), index), big[index]


def check_kernels(quick, sides=None, big_batch=70000, matmuls=None):
    from scalargrad.matrix.backends import cuda as C
    from scalargrad.matrix.backends import reference as R

    rng = np.random.default_rng(0)
    failures, checks = [], 0

    def same(name, got, want, dtype, terms=1):
        nonlocal checks
        checks += 1
        got = C.to_numpy(got)
        want = np.asarray(want)
        tol = 1e-4 if np.dtype(dtype) == np.float32 else 1e-10
        try:
            assert got.shape == want.shape, (got.shape, want.shape)
            if got.dtype.kind == "f":
                np.testing.assert_allclose(
                    got, want, rtol=tol, atol=tol * math.sqrt(terms), equal_nan=True
                )
            else:
                np.testing.assert_array_equal(got, want)
        except AssertionError as error:
            failures.append(f"{name}: {str(error).strip().splitlines()[0][:150]}")

    if sides is None:
        sides = (1, 31, 32, 33, 255, 256, 257) if not quick else (1, 33, 257)
    if matmuls is None:
        matmuls = ((1, 1, 1), (63, 15, 65), (65, 17, 63), (129, 9, 127), (7, 2049, 5))
    for dtype in (np.float32, np.float64):
        d = np.dtype(dtype).name
        for n in sides:
            for (a, ha), (b, hb) in zip(
                _layouts(rng, (3, n), dtype, C), _layouts(rng, (3, n), dtype, C), strict=False
            ):
                for op in R.UNARY:
                    x, hx = (C.unary("abs", a), np.abs(ha)) if op in ("log", "sqrt") else (a, ha)
                    same(f"unary {op} {d} {n}", C.unary(op, x), R.unary(op, hx), dtype)
                    y = C.unary(op, x)
                    same(
                        f"unary_backward {op} {d} {n}",
                        C.unary_backward(op, x, y, b),
                        R.unary_backward(op, hx, R.unary(op, hx), hb),
                        dtype,
                    )
                for op in R.ARITH:
                    hb2 = np.abs(hb) + 0.5 if op in ("div", "pow") else hb
                    b2 = C.from_numpy(hb2)
                    x, hx = (C.unary("abs", a), np.abs(ha)) if op == "pow" else (a, ha)
                    same(f"binary {op} {d} {n}", C.binary(op, x, b2), R.binary(op, hx, hb2), dtype)
                    ga, gb = C.binary_backward(op, x, b2, a, True, True)
                    ra, rb = R.binary_backward(op, hx, hb2, ha, True, True)
                    same(f"binary_backward {op} dx {d} {n}", ga, ra, dtype)
                    same(f"binary_backward {op} dy {d} {n}", gb, rb, dtype)
                for axes in ((0,), (1,), (0, 1)):
                    for op in ("sum", "max", "min"):
                        got = C.reduce(op, a, axes, False)
                        same(
                            f"reduce {op} {axes} {d} {n}",
                            got,
                            R.reduce(op, ha, axes, False),
                            dtype,
                            n,
                        )
                for op in ("argmax", "argmin"):
                    same(f"{op} {d} {n}", C.arg_reduce(op, a, 1), R.arg_reduce(op, ha, 1), dtype)
                for name in ("softmax", "log_softmax"):
                    same(
                        f"{name} {d} {n}", getattr(C, name)(a, 1), getattr(R, name)(ha, 1), dtype, n
                    )
                same(
                    f"logsumexp {d} {n}",
                    C.logsumexp(a, 1, True),
                    R.logsumexp(ha, 1, True),
                    dtype,
                    n,
                )
                same(f"cumsum {d} {n}", C.cumsum(a, 1), R.cumsum(ha, 1), dtype, n)
                targets = rng.integers(0, n, 3)
                loss, probs = C.cross_entropy(a, C.from_numpy(targets))
                rloss, rprobs = R.cross_entropy(ha, targets)
                same(f"cross_entropy {d} {n}", loss, rloss, dtype, n)
                same(f"cross_entropy probs {d} {n}", probs, rprobs, dtype, n)
        ties = np.array([[1.0, 1.0, -np.inf], [np.inf, 0.0, np.nan], [-np.inf] * 3], dtype)
        same(
            f"softmax with ties and infinities {d}",
            C.softmax(C.from_numpy(ties), 1),
            R.softmax(ties, 1),
            dtype,
        )
        for m, k, n in matmuls:
            ha = rng.standard_normal((m, k)).astype(dtype)
            hb = rng.standard_normal((k, n)).astype(dtype)
            a, b = C.from_numpy(ha), C.from_numpy(hb)
            same(f"matmul {m}x{k}x{n} {d}", C.matmul(a, b), ha @ hb, dtype, k)
            bt = C.permute(C.from_numpy(np.ascontiguousarray(hb.T)), (1, 0))
            same(f"matmul B^T {m}x{k}x{n} {d}", C.matmul(a, bt), ha @ hb, dtype, k)
            hw, hbias = hb.T.copy(), rng.standard_normal(n).astype(dtype)
            got = C.linear(a, C.from_numpy(hw), C.from_numpy(hbias))
            same(f"linear {m}x{k}x{n} {d}", got, ha @ hw.T + hbias, dtype, k)
        h3a, h3b = (
            rng.standard_normal((big_batch, 2, 3)).astype(dtype),
            rng.standard_normal((big_batch, 3, 2)).astype(dtype),
        )
        same(
            f"matmul batch {big_batch} (> 65535: grid z in chunks) {d}",
            C.matmul(C.from_numpy(h3a), C.from_numpy(h3b)),
            h3a @ h3b,
            dtype,
            3,
        )
        hx = rng.standard_normal((50, 4)).astype(dtype)
        idx = rng.integers(0, 50, 200)
        same(f"gather {d}", C.gather(C.from_numpy(hx), (C.from_numpy(idx),)), hx[idx], dtype)
        same(
            f"scatter_add {d}",
            C.scatter_add((50, 4), (C.from_numpy(idx),), C.from_numpy(hx[idx])),
            R.scatter_add((50, 4), (idx,), hx[idx]),
            dtype,
            8,
        )
    print(f"\n1. correctness: {checks - len(failures)} of {checks} kernel checks agree with NumPy")
    for failure in failures[:40]:
        print("   FAILED", failure)
    return not failures


# ---------------------------------------------------------------- 2. and 3. timings, counts


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench_cuda", HERE / "cuda.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cupy_matmul(sizes):
    try:
        import cupy
    except ImportError:
        return
    print("\n   cuBLAS through CuPy (float32):")
    for n in sizes:
        a = cupy.random.standard_normal((n, n), dtype=cupy.float32)
        b = cupy.random.standard_normal((n, n), dtype=cupy.float32)
        a @ b
        start, end = cupy.cuda.Event(), cupy.cuda.Event()
        start.record()
        for _ in range(5):
            a @ b
        end.record()
        end.synchronize()
        ms = cupy.cuda.get_elapsed_time(start, end) / 5
        print(f"   n = {n}: {ms:.2f} ms, {2 * n**3 / ms / 1e9:.1f} TFLOP/s")


def timings(quick):
    bench = _bench_module()
    torch = bench._torch()
    print("\n2. timings")
    bench.bench_matmul(torch, quick)
    if torch is None:
        _cupy_matmul((1024, 2048) if quick else (1024, 2048, 4096))
    bench.bench_mlp(torch, quick)


def counts_per_step():
    import scalargrad as sg
    import scalargrad.nn.functional as F
    from scalargrad.matrix.backends import cuda_memory
    from scalargrad.matrix.backends.cuda_allocator import active_pool

    sg.manual_seed(0)
    model = sg.nn.MLP(784, [1024, 1024, 10], device="cuda")
    optimizer = sg.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    X = sg.randn(8192, 784, device="cuda")
    y = sg.randint(0, 10, (8192,), device="cuda")
    rng = np.random.default_rng(0)
    batches = [sg.tensor(rng.permutation(8192)[:4096], device="cuda") for _ in range(4)]
    pool = active_pool()
    copies = [0]  # device -> host copies (numba's copy_to_host: each waits for the GPU)
    array_class = type(X._array)
    original = array_class.copy_to_host

    def counting(self, *args, **kwargs):
        copies[0] += 1
        return original(self, *args, **kwargs)

    array_class.copy_to_host = counting
    print("\n3. per training step (MLP 784-1024-1024-10, batch 4096 picked by X[idx] on the GPU,")
    print("   SGD momentum)")
    print("   step  launches  arrays  driver allocations  d->h copies  MiB in use  MiB reserved")
    try:
        for step, idx in enumerate(batches):
            before = (cuda_memory.launches, pool.requests, pool.driver_allocations, copies[0])
            optimizer.zero_grad()
            loss = F.cross_entropy(model(X[idx]), y[idx])
            loss.backward()
            optimizer.step()
            del loss
            gc.collect()
            counted = (cuda_memory.launches, pool.requests, pool.driver_allocations, copies[0])
            launches, arrays, driver, d2h = (a - b for a, b in zip(counted, before, strict=True))
            sg.cuda.synchronize()
            print(
                f"   {step + 1:>4}  {launches:>8}  {arrays:>6}  {driver:>18}  {d2h:>11}  "
                f"{pool.allocated / 2**20:>10.1f}  {pool.reserved / 2**20:>12.1f}"
            )
    finally:
        array_class.copy_to_host = original


# ---------------------------------------------------------------- 4. host cost per op


class FakePointer:
    """Stands in for numba's device memory pointer: views are more fake pointers."""

    def __init__(self, size):
        self.size = size
        self.device_ctypes_pointer = None

    def view(self, start, stop=None):
        return FakePointer((self.size if stop is None else stop) - start)


class FakeKernel:
    """Stands in for numba's compiled kernel (``_Kernel``): its ``launch`` (argument packing
    and ``cuLaunchKernel``) does nothing."""

    def __init__(self, argtypes):
        self.argument_types = argtypes
        self.calls = 0

    def launch(self, args, griddim, blockdim, stream=0, sharedmem=0):
        self.calls += 1


def host_cost(repeats=300):
    """Microseconds of Python per backend call on the GPU code path, kernels not launched.

    Everything runs as on a GPU: our host code, numba's DeviceNDArray headers and its
    dispatcher, except two things that need a GPU: memory comes from fake pointers instead of
    the caching allocator, and "compiling" a kernel gives a ``FakeKernel`` (registered with the
    dispatcher as the overload for those argument types) whose launch does nothing. Column
    "direct": the launch as the backend does it (the compiled kernel looked up per argument
    types, ``cuda_memory.launch``); column "dispatcher": the same op launching through numba's
    dispatcher, ``kernel[grid, block](*args)`` (types every argument, resolves the overload)."""
    from numba.cuda.dispatcher import CUDADispatcher
    from numba.cuda.typing.typeof import Purpose, typeof

    from scalargrad.matrix.backends import cuda_memory

    if cuda_memory.SIMULATOR:
        print("4. host cost: run without NUMBA_ENABLE_CUDASIM (the GPU code path is measured)")
        return
    from scalargrad.matrix.backends import cuda as C

    def fake_compile(dispatcher, sig):
        argtypes = tuple(sig)
        kernel = dispatcher.overloads.get(argtypes)
        if kernel is None:
            kernel = FakeKernel(argtypes)
            dispatcher.add_overload(kernel, argtypes)
        return kernel

    CUDADispatcher.compile = fake_compile
    cuda_memory._memalloc = FakePointer
    cuda_memory._available = True
    cuda_memory._kernel_errors[:] = [cuda_memory.empty((4,), np.int64)]  # (host-mapped on a GPU)
    importlib.import_module("scalargrad.matrix.backends.cuda_matmul")._SMS = 132  # an H100

    fast_types = cuda_memory.argument_types
    mismatches = []

    def checked_types(args):  # during the warm-up: our types must be numba's typeof
        ours = fast_types(args)
        numba_types = tuple(typeof(a, Purpose.argument) for a in args)
        if ours != numba_types:
            mismatches.append((ours, numba_types))
        return ours

    a, b = cuda_memory.empty((4096, 1024), np.float32), cuda_memory.empty((4096, 1024), np.float32)
    bias = cuda_memory.empty((1024,), np.float32)
    w = cuda_memory.empty((1024, 1024), np.float32)
    x = cuda_memory.empty((4096, 784), np.float32)
    w1 = cuda_memory.empty((1024, 784), np.float32)
    logits = cuda_memory.empty((4096, 10), np.float32)
    targets = cuda_memory.empty((4096,), np.int64)
    rows, scalar = cuda_memory.empty((4096,), np.float32), cuda_memory.empty((), np.float32)
    ops = {
        "binary add, same shapes (fast path)": lambda: C.binary("add", a, b),
        "binary add, bias broadcast": lambda: C.binary("add", a, C.broadcast_to(bias, a.shape)),
        "unary relu (fast path)": lambda: C.unary("relu", a),
        "relu backward (fast path)": lambda: C.unary_backward("relu", a, a, b),
        "linear x @ W^T + b": lambda: C.linear(x, w1, bias),
        "matmul G^T x (transposed view)": lambda: C.matmul(C.permute(a, (1, 0)), x),
        "matmul G W (backward to x)": lambda: C.matmul(a, w1),
        "sum over the batch": lambda: C.reduce("sum", a, (0,), False),
        "sum over the batch, 10 columns": lambda: C.reduce("sum", logits, (0,), False),
        "cross_entropy": lambda: C.cross_entropy(logits, targets),
        "cross_entropy backward": lambda: C.cross_entropy_backward(logits, targets, rows, -100),
        "sum of a vector (the loss's rows)": lambda: C.reduce("sum", rows, (0,), False),
        "full, 0-d (the seed gradient)": lambda: C.full((), 1.0, np.float32),
        "binary div, 0-d (mean's 1/n)": lambda: C.binary("div", scalar, scalar),
        "sgd_step": lambda: C.sgd_step(w, w, w, 0.1, 0.9, 0.0, 0.0, False, False),
        "gather x[idx] (device index)": lambda: C.gather(w, (targets,)),
        "scatter_add (its backward)": lambda: C.scatter_add(w.shape, (targets,), a),
    }
    print(
        "\n4. host cost per op (Python up to numba's kernel launch, GPU code path, fake "
        "pointers), best of 5"
    )
    print(f"   {'':36s} {'direct':>8} {'dispatcher':>11}  launches")

    def best(op):
        times = []
        for _ in range(5):  # CPU time of this process: a busy machine's waits are left out
            start = time.process_time()
            for _ in range(repeats):
                op()
            times.append((time.process_time() - start) / repeats)
        return 1e6 * min(times)

    for name, op in ops.items():
        cuda_memory.argument_types = checked_types
        before = cuda_memory.launches
        op()
        count = cuda_memory.launches - before
        for _ in range(20):
            op()
        cuda_memory.argument_types = fast_types
        direct = best(op)
        cuda_memory.DIRECT_LAUNCH = False
        dispatcher = best(op)
        cuda_memory.DIRECT_LAUNCH = True
        print(f"   {name:36s} {direct:7.1f}us {dispatcher:9.1f}us  {count:>8}")
    if mismatches:
        print("   argument types differing from numba's typeof:", mismatches[:3])
    else:
        print("   (the launch's argument types agreed with numba's typeof at every launch)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--host-cost", action="store_true", help="section 4 only (no GPU needed)")
    args = parser.parse_args()
    if args.host_cost:
        host_cost()
        return 0
    from numba import config, cuda

    if config.ENABLE_CUDASIM or not cuda.is_available():
        print("no CUDA GPU here (or the simulator is on): only --host-cost can run")
        return 1
    start = time.perf_counter()
    ok = check_kernels(args.quick)
    counts_per_step()
    timings(args.quick)
    print(
        f"\n(done in {time.perf_counter() - start:.0f} s; correctness {'OK' if ok else 'FAILED'})"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
