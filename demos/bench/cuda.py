"""CUDA kernels vs cuBLAS / PyTorch CUDA, timed in the same run on the same GPU (GPU only).

1. float32 matmul at n = 1024, 2048, 4096, 8192 (square): our tiled kernel
   (``scalargrad/matrix/backends/cuda_matmul.py``) against ``torch.matmul`` with TF32 off, so
   both do full float32 arithmetic. Timed with CUDA events after a warm-up (which also compiles
   our kernel). Target: at least 0.3x cuBLAS at 4096.
2. One training step (forward, cross-entropy, backward, SGD) of an MLP 784-1024-1024-10 on a
   batch of 4096, on our CUDA backend, our CPU engine and PyTorch CUDA. Targets: >= 20x our
   CPU engine, within 3x PyTorch CUDA.

Without a GPU (or on numba's CUDA simulator) the section prints one line and is skipped.
PyTorch is used only here (``make bench`` installs it); without it only our timings are shown.

    python demos/benchmark.py cuda [--quick]
"""

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

MATMUL_SIZES = (1024, 2048, 4096, 8192)
MLP_SIZES = (784, 1024, 1024, 10)
BATCH = 4096


def _gpu_present():
    from numba import config, cuda

    if config.ENABLE_CUDASIM:
        return (
            False,
            "numba's CUDA simulator is on (NUMBA_ENABLE_CUDASIM=1): timings would be meaningless",
        )
    try:
        return (True, "") if cuda.is_available() else (False, "no CUDA GPU on this machine")
    except Exception as error:  # a broken driver install
        return False, f"CUDA is not usable here ({error})"


def _torch():
    try:
        import torch
    except ImportError:
        return None
    if not torch.cuda.is_available():
        return None
    torch.backends.cuda.matmul.allow_tf32 = False  # full float32, as our kernel
    torch.backends.cudnn.allow_tf32 = False
    torch.set_float32_matmul_precision("highest")
    return torch


def _time_events(fn, repeats):
    """Milliseconds per call of fn, measured with CUDA events around ``repeats`` calls."""
    from numba import cuda

    start, end = cuda.event(), cuda.event()
    start.record()
    for _ in range(repeats):
        fn()
    end.record()
    end.synchronize()
    return start.elapsed_time(end) / repeats


def _time_torch_events(torch, fn, repeats):
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(repeats):
        fn()
    end.record()
    end.synchronize()
    return start.elapsed_time(end) / repeats


def _matmul_row(backend, torch, rng, n, repeats):
    """Time our matmul and cuBLAS's at one size n; a dict of the results."""
    from numba import cuda

    a_host = rng.standard_normal((n, n), dtype=np.float32)
    b_host = rng.standard_normal((n, n), dtype=np.float32)
    a, b = backend.from_numpy(a_host), backend.from_numpy(b_host)
    backend.matmul(a, b)  # warm-up: compiles the kernel on first use
    cuda.synchronize()
    ours_ms = _time_events(lambda: backend.matmul(a, b), repeats)
    flop = 2.0 * n**3
    row = {"n": n, "ours_ms": ours_ms, "ours_tflops": flop / ours_ms / 1e9}
    if torch is not None:
        ta, tb = torch.from_numpy(a_host).cuda(), torch.from_numpy(b_host).cuda()
        torch.matmul(ta, tb)
        torch.cuda.synchronize()
        theirs_ms = _time_torch_events(torch, lambda: torch.matmul(ta, tb), repeats)
        ours = backend.to_numpy(backend.matmul(a, b))
        ref = torch.matmul(ta, tb).cpu().numpy()
        row.update(
            cublas_ms=theirs_ms,
            cublas_tflops=flop / theirs_ms / 1e9,
            speed_vs_cublas=theirs_ms / ours_ms,
            max_rel_error=float(np.max(np.abs(ours - ref)) / np.max(np.abs(ref))),
        )
    return row


def bench_matmul(torch, quick):
    from scalargrad.matrix.backends import cuda as backend

    sizes = MATMUL_SIZES[:2] if quick else MATMUL_SIZES
    print("\n  float32 matmul (n x n) @ (n x n), TF32 off; CUDA events, after warm-up")
    header = ("n", "ours (ms)", "TFLOP/s", "cuBLAS (ms)", "TFLOP/s", "ours/cuBLAS", "max rel err")
    print("  " + "".join(f"{h:>13}" for h in header))
    rows = []
    rng = np.random.default_rng(0)
    nan = float("nan")
    for n in sizes:
        row = _matmul_row(backend, torch, rng, n, repeats=2 if n >= 8192 or quick else 5)
        rows.append(row)
        cells = (
            f"{n:>13}",
            f"{row['ours_ms']:>13.2f}",
            f"{row['ours_tflops']:>13.2f}",
            f"{row.get('cublas_ms', nan):>13.2f}",
            f"{row.get('cublas_tflops', nan):>13.2f}",
            f"{row.get('speed_vs_cublas', nan):>12.2f}x",
            f"{row.get('max_rel_error', nan):>13.1e}",
        )
        print("  " + "".join(cells))
    at_4096 = [r for r in rows if r["n"] == 4096 and "speed_vs_cublas" in r]
    if at_4096:
        ratio = at_4096[0]["speed_vs_cublas"]
        verdict = "met" if ratio >= 0.3 else "NOT met"
        print(f"  at 4096: {ratio:.2f}x cuBLAS's speed (target >= 0.3x): {verdict}")
    return rows


def _our_step(sg, F, device, quick):
    """(seconds per training step, final loss) of our engine on ``device``."""
    sg.manual_seed(0)
    model = sg.nn.MLP(MLP_SIZES[0], list(MLP_SIZES[1:]), device=device)
    optimizer = sg.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    X = sg.randn(BATCH, MLP_SIZES[0], device=device)
    y = sg.randint(0, MLP_SIZES[-1], (BATCH,), device=device)

    def step():
        optimizer.zero_grad()
        loss = F.cross_entropy(model(X), y)
        loss.backward()
        optimizer.step()
        return loss

    step()  # warm-up: compiles every kernel on first use
    sg.cuda.synchronize()
    repeats = 1 if (quick or device == "cpu") else 5
    start = time.perf_counter()
    for _ in range(repeats):
        loss = step()
    loss_value = loss.item()  # waits for the GPU: the whole of every step is in the time
    return (time.perf_counter() - start) / repeats, loss_value


def _torch_step(torch, quick):
    torch.manual_seed(0)
    layers = []
    for i, (nin, nout) in enumerate(zip(MLP_SIZES[:-1], MLP_SIZES[1:], strict=True)):
        layers.append(torch.nn.Linear(nin, nout))
        if i < len(MLP_SIZES) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers).cuda()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    X = torch.randn(BATCH, MLP_SIZES[0], device="cuda")
    y = torch.randint(0, MLP_SIZES[-1], (BATCH,), device="cuda")

    def step():
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(X), y)
        loss.backward()
        optimizer.step()
        return loss

    step()
    torch.cuda.synchronize()
    repeats = 2 if quick else 10
    start = time.perf_counter()
    for _ in range(repeats):
        loss = step()
    loss.item()
    return (time.perf_counter() - start) / repeats


def bench_mlp(torch, quick):
    import scalargrad as sg
    import scalargrad.nn.functional as F

    shape = "-".join(map(str, MLP_SIZES))
    print(
        f"\n  one training step of MLP {shape} (float32), batch {BATCH}: forward, cross-entropy, "
        "backward, SGD momentum"
    )
    gpu_s, gpu_loss = _our_step(sg, F, "cuda", quick)
    cpu_s, cpu_loss = _our_step(sg, F, "cpu", quick)
    torch_s = _torch_step(torch, quick) if torch is not None else float("nan")
    print(f"  {'engine':<28}{'step (ms)':>12}")
    print(f"  {'scalargrad cuda':<28}{gpu_s * 1e3:>12.1f}")
    print(f"  {'scalargrad cpu':<28}{cpu_s * 1e3:>12.1f}")
    print(f"  {'pytorch cuda':<28}{torch_s * 1e3:>12.1f}")
    vs_cpu, vs_torch = cpu_s / gpu_s, gpu_s / torch_s
    verdict = "met" if vs_cpu >= 20 else "NOT met"
    print(f"  cuda vs our cpu: {vs_cpu:.1f}x faster (target >= 20x): {verdict}")
    if torch is not None:
        print(
            f"  cuda vs pytorch cuda: {vs_torch:.2f}x the time (target <= 3x): "
            f"{'met' if vs_torch <= 3 else 'NOT met'}"
        )
    print(f"  (losses after the timed steps: cuda {gpu_loss:.4f}, cpu {cpu_loss:.4f})")
    return {
        "cuda_s": gpu_s,
        "cpu_s": cpu_s,
        "torch_cuda_s": torch_s,
        "speedup_vs_cpu": vs_cpu,
        "time_vs_torch": vs_torch,
    }


def run(quick=False):
    """Both benchmarks; a dict of results, or {"skipped": reason} without a GPU."""
    present, reason = _gpu_present()
    if not present:
        print(f"\n== cuda: skipped ({reason}) ==")
        return {"skipped": reason}
    from numba import cuda

    name = getattr(cuda.get_current_device(), "name", "the GPU")
    name = name.decode() if isinstance(name, bytes) else name
    print(f"\n== CUDA kernels vs cuBLAS / PyTorch CUDA on {name} ==")
    torch = _torch()
    if torch is None:
        print("  PyTorch with CUDA is not installed: our timings only (make bench installs torch)")
    return {"matmul": bench_matmul(torch, quick), "mlp": bench_mlp(torch, quick)}


if __name__ == "__main__":
    run(quick="--quick" in sys.argv)
