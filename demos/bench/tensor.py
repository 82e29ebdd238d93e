"""Matrix engine on the CPU vs NumPy's BLAS and PyTorch CPU, as ratios measured in the same run.

    python demos/benchmark.py tensor [--quick]

Rows (each "ratio" is reference time / our time, so 1.0 = as fast, 0.5 = half as fast;
for memory it is our peak / theirs, so lower is better):

* matmul float32, square n x n: our numba kernel vs ``numpy.matmul`` (BLAS), both on the same
  number of threads (numba's; BLAS pinned with threadpoolctl).
* one training step of an MLP (forward, CrossEntropyLoss, backward, SGD with momentum 0.9):
  ``sg.nn.MLP`` vs the same network in PyTorch, same weights, same data, equal thread counts.
* peak memory (RSS high-water mark) of a process running the large step, ours vs PyTorch's:
  each engine in a fresh subprocess, reading ``VmHWM`` from /proc/self/status.
* cold start (first step in a process with an empty numba cache, so every kernel compiles) and
  warm start (a second process with the cache on disk), in subprocesses.

Timings alternate between the two engines in blocks (after a pause, so that one library's
spinning worker threads are idle before the other runs) and keep the best of several repeats;
the seconds themselves are noisy on a shared machine. Each timing row is followed by the same
measurement on one thread in CPU time (``time.thread_time``), which a busy machine disturbs much
less: it compares the code's efficiency, the first row what a user waits for.
``--quick`` uses tiny sizes, skips the subprocess rows and runs without PyTorch.
"""

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import numba  # noqa: E402

import scalargrad as sg  # noqa: E402
from scalargrad.matrix.backends import cpu  # noqa: E402

try:
    import torch
except ImportError:  # the benchmark runs without it; PyTorch rows are skipped
    torch = None

try:
    from threadpoolctl import threadpool_limits
except ImportError:
    threadpool_limits = None


# After a call, thread pools keep their workers spinning for a while (OpenBLAS for ~0.1 s, OpenMP
# shorter) and those spinning threads would steal the cores from the other engine's next call.
PAUSE = 0.3


def _best_pair(ours, theirs, repeats, clock=time.perf_counter, rounds=3):
    """Best time of each of two callables: ``rounds`` rounds of a block of ``ours`` calls then a
    block of ``theirs`` calls, each block after a pause, so both see the same machine load and
    neither is slowed by the other's still-spinning threads."""
    ours(), theirs()  # warm up: compile, allocate, fill caches
    block = max(1, -(-repeats // rounds))
    best = {ours: float("inf"), theirs: float("inf")}
    for _ in range(rounds):
        for f in (ours, theirs):
            time.sleep(PAUSE)
            for _ in range(block):
                t = clock()
                f()
                best[f] = min(best[f], clock() - t)
    return best[ours], best[theirs]


@contextlib.contextmanager
def _one_thread():
    """numba, BLAS and torch all on the calling thread, so ``time.thread_time`` (the CPU time of
    this thread) measures all the work. CPU time is what a busy machine disturbs least: it is
    the fairest measure of how efficient the code is, while wall time at full thread count is
    what a user sees. The tables show both."""
    saved = numba.get_num_threads()
    saved_torch = torch.get_num_threads() if torch is not None else None
    numba.set_num_threads(1)
    if torch is not None:
        torch.set_num_threads(1)
    limits = threadpool_limits(limits=1) if threadpool_limits else None
    try:
        yield
    finally:
        numba.set_num_threads(saved)
        if torch is not None:
            torch.set_num_threads(saved_torch)
        if limits is not None:
            limits.restore_original_limits()


def _row(name, ours, theirs, unit, ratio, note=""):
    print(f"  {name:<34} {ours:>12} {theirs:>12}   {ratio:>6}  {note}")
    return {"name": name, "ours": ours, "theirs": theirs, "unit": unit, "ratio": ratio}


# ---------------------------------------------------------------- matmul


def bench_matmul(sizes, threads):
    print(f"\nmatmul float32, n x n @ n x n   (ours: numba; numpy: BLAS; {threads} threads each)")
    print(f"  {'size':<34} {'ours GFLOP/s':>12} {'BLAS GFLOP/s':>12}   {'ratio':>6}")
    rows = []
    rng = np.random.default_rng(0)
    for n in sizes:
        a = rng.standard_normal((n, n)).astype(np.float32)
        b = rng.standard_normal((n, n)).astype(np.float32)
        np.testing.assert_allclose(cpu.matmul(a, b), a @ b, rtol=1e-3, atol=1e-2 * np.sqrt(n))
        repeats = max(5, min(30, int(1e10 / n**3)))
        pair = (lambda a=a, b=b: cpu.matmul(a, b), lambda a=a, b=b: np.matmul(a, b))
        flops = 2.0 * n**3
        t_ours, t_blas = _best_pair(*pair, repeats)
        rows.append(
            _row(
                f"{n}",
                f"{flops / t_ours / 1e9:.1f}",
                f"{flops / t_blas / 1e9:.1f}",
                "GFLOP/s",
                f"{t_blas / t_ours:.2f}",
            )
        )
        with _one_thread():
            t_ours, t_blas = _best_pair(*pair, max(3, repeats // 3), clock=time.thread_time)
        rows.append(
            _row(
                f"  {n}, 1 thread, CPU time",
                f"{flops / t_ours / 1e9:.1f}",
                f"{flops / t_blas / 1e9:.1f}",
                "GFLOP/s",
                f"{t_blas / t_ours:.2f}",
            )
        )
    return rows


# ---------------------------------------------------------------- one training step


def _our_step(sizes, batch, seed=0):
    """An MLP, data, and a closure doing one step with the public API; plus the initial weights."""
    rng = np.random.default_rng(seed)
    model = sg.nn.MLP(sizes[0], sizes[1:])
    optimizer = sg.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = sg.nn.CrossEntropyLoss()
    x = sg.tensor(rng.standard_normal((batch, sizes[0])).astype(np.float32))
    y = sg.tensor(rng.integers(0, sizes[-1], size=batch).astype(np.int64))

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    state = {k: v.numpy().copy() for k, v in model.state_dict().items()}  # before any step
    return step, state, x.numpy(), y.numpy()


def _torch_step(sizes, state, x, y):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    with torch.no_grad():  # the same starting weights as ours
        linears = [m for m in model if isinstance(m, torch.nn.Linear)]
        for i, lin in enumerate(linears):
            lin.weight.copy_(torch.from_numpy(state[f"layers.{i}.weight"]))
            lin.bias.copy_(torch.from_numpy(state[f"layers.{i}.bias"]))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss()
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(tx), ty)
        loss.backward()
        optimizer.step()
        return loss.item()

    return step


def bench_steps(configs, threads, repeats):
    print(
        f"\none training step: forward, CrossEntropyLoss, backward, SGD(momentum=0.9)"
        f"   ({threads} threads)"
    )
    print(f"  {'model, batch':<34} {'ours ms':>12} {'torch ms':>12}   {'ratio':>6}")
    rows = []
    for sizes, batch in configs:
        name = f"MLP {'-'.join(map(str, sizes))}, batch {batch}"
        ours, state, x, y = _our_step(sizes, batch)
        if torch is None:
            ours()
            t = time.perf_counter()
            ours()
            rows.append(
                _row(
                    name,
                    f"{(time.perf_counter() - t) * 1e3:.1f}",
                    "-",
                    "ms",
                    "-",
                    "(torch not installed)",
                )
            )
            continue
        theirs = _torch_step(sizes, state, x, y)
        loss_ours, loss_theirs = ours(), theirs()  # same weights, same data: same first loss
        if not np.isclose(loss_ours, loss_theirs, rtol=1e-4):
            print(f"  warning: first losses differ: ours {loss_ours:.6f}, torch {loss_theirs:.6f}")
        t_ours, t_torch = _best_pair(ours, theirs, repeats)
        rows.append(
            _row(
                name,
                f"{t_ours * 1e3:.1f}",
                f"{t_torch * 1e3:.1f}",
                "ms",
                f"{t_torch / t_ours:.2f}",
                f"(ours = {t_ours / t_torch:.2f}x torch's time)",
            )
        )
        with _one_thread():
            t_ours, t_torch = _best_pair(ours, theirs, max(3, repeats // 2), clock=time.thread_time)
        rows.append(
            _row(
                "  same, 1 thread, CPU time",
                f"{t_ours * 1e3:.1f}",
                f"{t_torch * 1e3:.1f}",
                "ms",
                f"{t_torch / t_ours:.2f}",
                f"(ours = {t_ours / t_torch:.2f}x torch's time)",
            )
        )
    return rows


# ---------------------------------------------------------------- subprocess rows: memory, start-up

_CHILD = r"""
import json, os, sys, time
start = time.perf_counter()
engine, sizes = sys.argv[1], json.loads(sys.argv[2])
batch, steps = int(sys.argv[3]), int(sys.argv[4])
sys.path.insert(0, {root!r})
import numpy as np

def rss(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) * 1024
    return 0

rng = np.random.default_rng(0)
x = rng.standard_normal((batch, sizes[0])).astype(np.float32)
y = rng.integers(0, sizes[-1], size=batch).astype(np.int64)
if engine == "scalargrad":
    import scalargrad as sg
    model = sg.nn.MLP(sizes[0], sizes[1:])
    opt = sg.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = sg.nn.CrossEntropyLoss()
    X, Y = sg.tensor(x), sg.tensor(y)
else:
    import torch
    torch.set_num_threads(int(os.environ["BENCH_THREADS"]))
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss()
    X, Y = torch.from_numpy(x), torch.from_numpy(y)
ready = time.perf_counter()
base0 = rss("VmRSS")
hwm_first = base = 0
times = []
for step in range(steps):
    if step == 1:
        # the first step also loads (or compiles) kernels; for the later ones we want the memory a
        # step itself needs: writing 5 to clear_refs resets the high-water mark to the current RSS
        hwm_first, base = rss("VmHWM"), rss("VmRSS")
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
        except OSError:
            pass
    t = time.perf_counter()
    opt.zero_grad()
    loss = loss_fn(model(X), Y)
    loss.backward()
    opt.step()
    loss.item()
    times.append(time.perf_counter() - t)
hwm = rss("VmHWM")
print(json.dumps(dict(import_s=ready - start, first_step_s=times[0],
                      to_first_step_s=ready - start + times[0], peak=max(hwm, hwm_first),
                      first=hwm_first - base0, later=hwm - base)))
"""


def _child(engine, sizes, batch, steps, threads, env_extra=None):
    env = dict(
        os.environ,
        BENCH_THREADS=str(threads),
        NUMBA_NUM_THREADS=str(threads),
        OMP_NUM_THREADS=str(threads),
        OPENBLAS_NUM_THREADS=str(threads),
        MKL_NUM_THREADS=str(threads),
    )
    env.update(env_extra or {})
    code = _CHILD.replace("{root!r}", repr(str(ROOT)))
    out = subprocess.run(
        [sys.executable, "-c", code, engine, json.dumps(sizes), str(batch), str(steps)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_memory(sizes, batch, threads):
    print(
        f"\npeak memory of a process running MLP {'-'.join(map(str, sizes))}, batch {batch} "
        "(RSS high-water mark, fresh subprocess each)"
    )
    print(f"  {'':<34} {'ours MiB':>12} {'torch MiB':>12}   {'ratio':>6}")
    ours = _child("scalargrad", sizes, batch, 5, threads)
    theirs = _child("torch", sizes, batch, 5, threads)
    mib = 2.0**20
    lower = "(ours / torch: lower is better)"
    rows = []
    for label, key in [
        ("process peak RSS", "peak"),
        ("  first step, above RSS before it", "first"),
        ("  steps 2-5, above RSS between steps", "later"),
    ]:
        a, b = ours[key], theirs[key]
        rows.append(
            _row(label, f"{a / mib:.0f}", f"{b / mib:.0f}", "MiB", f"{a / max(b, 1):.2f}", lower)
        )
    return rows


def bench_startup(sizes, batch, threads):
    print(
        f"\nstart-up: a new process, imports + model + first step of MLP "
        f"{'-'.join(map(str, sizes))}, batch {batch}"
    )
    print(f"  {'':<34} {'seconds':>12} {'first step':>12}")
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        for label in ("cold (empty numba cache)", "warm (cache on disk)"):
            r = _child("scalargrad", sizes, batch, 1, threads, {"NUMBA_CACHE_DIR": cache})
            rows.append(
                _row(label, f"{r['to_first_step_s']:.1f}", f"{r['first_step_s']:.2f}", "s", "")
            )
    if torch is not None:
        r = _child("torch", sizes, batch, 1, threads)
        rows.append(
            _row(
                "torch, for comparison",
                f"{r['to_first_step_s']:.1f}",
                f"{r['first_step_s']:.2f}",
                "s",
                "",
            )
        )
    return rows


# ---------------------------------------------------------------- entry point


def run(quick=False):
    threads = numba.get_num_threads()
    if torch is not None:
        torch.set_num_threads(threads)
    limits = threadpool_limits(limits=threads) if threadpool_limits else None
    print(
        f"\n== matrix engine on CPU: numba {numba.__version__}, {threads} threads, "
        f"torch {torch.__version__ if torch else 'not installed'} =="
    )
    if threadpool_limits is None:
        print("  (threadpoolctl not installed: BLAS threads not pinned; set OPENBLAS_NUM_THREADS)")
    results = {}
    try:
        if quick:
            results["matmul"] = bench_matmul([64, 128], threads)
            results["step"] = bench_steps([([784, 32, 10], 16)], threads, repeats=3)
            print("\n  (--quick: memory and start-up rows skipped)")
        else:
            results["matmul"] = bench_matmul([256, 512, 1024, 2048], threads)
            results["step"] = bench_steps(
                [([784, 256, 128, 10], 128), ([784, 512, 512, 10], 1024)], threads, repeats=20
            )
            if torch is not None:
                results["memory"] = bench_memory([784, 512, 512, 10], 1024, threads)
            else:
                print("\n  (torch not installed: memory comparison skipped)")
            results["startup"] = bench_startup([784, 512, 512, 10], 1024, threads)
    finally:
        if limits is not None:
            limits.restore_original_limits()
    return results


if __name__ == "__main__":
    run(quick="--quick" in sys.argv)
