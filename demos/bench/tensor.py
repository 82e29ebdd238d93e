"""Matrix engine on the CPU vs NumPy's BLAS and PyTorch CPU, each library in a process of its own.

    python demos/benchmark.py tensor [--quick] [--seconds S]

A user runs one library in a process, so every number here comes from a fresh subprocess
(``demos/bench/tensor_child.py``) that imports only the library it measures, tells it the thread
count through the library's own API, warms up, and times the median of the steps that fit in
``--seconds`` (default 10). Each child reports the thread count the library says it used
(``numba.get_num_threads()``, ``torch.get_num_threads()``, threadpoolctl for BLAS) and the number
of OS threads that were busy during the timed steps; the table prints both ("lib/busy").

Rows (each "ratio" is reference time / our time, so 1.0 = as fast, 0.5 = half as fast;
for memory it is our peak / theirs, so lower is better):

* matmul float32, square n x n, and ``a.T @ b`` (the backward pass's layout): our numba kernel
  vs ``numpy.matmul`` (BLAS). When the engine is set to send large matmuls to BLAS (see
  ``scalargrad.matrix.backends.cpu_matmul``), the numba kernel is still what the "ours" row
  measures, so it always stands next to BLAS.
* one training step of an MLP (forward, CrossEntropyLoss, backward, SGD with momentum 0.9):
  ``sg.nn.MLP`` vs the same network in PyTorch, same weights, same data, same thread count.
* peak memory (RSS high-water mark) of a process running the large step, ours vs PyTorch's.
* cold start (first step in a process with an empty numba cache, so every kernel compiles) and
  warm start (a second process with the cache on disk).

The two engines' processes alternate (``ROUNDS`` rounds, the better median of each engine kept),
so both see the same machine load. Each timing row is followed by the same measurement on one
thread in process CPU time, which a busy machine disturbs much less: it compares the code's
efficiency, the first row what a user waits for. ``--quick`` uses tiny sizes and short timings,
skips the subprocess-only rows (memory, start-up) and runs PyTorch only if installed.
"""

import datetime
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).resolve().parent / "tensor_child.py"
ROUNDS = 2  # processes per engine and row, alternating ours / theirs

HAVE_TORCH = importlib.util.find_spec("torch") is not None


# ---------------------------------------------------------------- the machine


def cpu_model():
    """The CPU's marketing name, e.g. 'AMD EPYC 7763 64-Core Processor'."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith(("model name", "Model")):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    if sys.platform == "darwin":
        try:
            out = subprocess.run(
                ["sysctl", "-n", "machdep.cpu.brand_string"], capture_output=True, text=True
            )
            return out.stdout.strip() or platform.processor()
        except OSError:
            pass
    return platform.processor() or platform.machine()


def machine_header():
    """Lines naming the CPU, its vector unit, what numba compiles for, and the date."""
    sys.path.insert(0, str(ROOT))
    from scalargrad.matrix.backends import cpu_matmul

    host = cpu_matmul.vector_unit(target=False)
    target = cpu_matmul.vector_unit()
    lines = [
        f"CPU: {cpu_model()}, {os.cpu_count()} logical cores; vector unit {host.isa}",
        f"numba compiles for: {target.cpu} ({target.isa}, {target.lanes32} float32 lanes, "
        f"{target.registers} vector registers)",
        f"date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}",
    ]
    env = [
        f"{k}={os.environ[k]}"
        for k in (
            "NUMBA_CPU_NAME",
            "NUMBA_CPU_FEATURES",
            "OPENBLAS_CORETYPE",
            "ATEN_CPU_CAPABILITY",
            "MKL_ENABLE_INSTRUCTIONS",
            "ONEDNN_MAX_CPU_ISA",
        )
        if k in os.environ
    ]
    if env:
        lines.append("environment: " + " ".join(env))
    from threadpoolctl import threadpool_info

    blas = {
        f"{p['internal_api']} {p.get('version') or ''} ({p.get('architecture') or '?'})"
        for p in threadpool_info()
        if p["user_api"] == "blas"
    }
    lines.append(f"NumPy's BLAS: {', '.join(sorted(blas)) or 'none found'}")
    lines.append(f"scalargrad matmul: {cpu_matmul.matmul_in_use()}")
    return lines


# ---------------------------------------------------------------- running a child


def child(spec, threads, env_extra=None):
    """Run one measurement (see tensor_child.py) in a fresh process; its JSON result."""
    env = dict(
        os.environ,
        NUMBA_NUM_THREADS=str(threads),
        OMP_NUM_THREADS=str(threads),
        OPENBLAS_NUM_THREADS=str(threads),
        MKL_NUM_THREADS=str(threads),
    )
    env.update(env_extra or {})
    out = subprocess.run(
        [sys.executable, str(CHILD), json.dumps({**spec, "threads": threads})],
        env=env,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        raise RuntimeError(f"benchmark child {spec} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def pair(spec, ours, theirs, threads, rounds=ROUNDS):
    """The better (lower-median) result of each engine over ``rounds`` alternating processes."""
    best = {}
    for _ in range(rounds):
        for engine in (ours, theirs):
            r = child({**spec, "engine": engine}, threads)
            if engine not in best or r["median_s"] < best[engine]["median_s"]:
                best[engine] = r
    return best[ours], best[theirs]


def _threads(r):
    busy = r.get("busy_threads")
    return f"{r['threads']}/{'?' if busy is None else busy}"


def _row(name, ours, theirs, unit, ratio, note="", **extra):
    print(f"  {name:<34} {ours:>12} {theirs:>12}   {ratio:>6}  {note}")
    return {"name": name, "ours": ours, "theirs": theirs, "unit": unit, "ratio": ratio, **extra}


def _timed_rows(label, spec, ours, theirs, threads, seconds, rounds, value):
    """A row at ``threads`` threads (wall time) and one on 1 thread (process CPU time)."""
    rows = []
    for name, n_threads, clock in (
        (label, threads, "wall"),
        ("same, 1 thread, CPU time", 1, "cpu"),
    ):
        a, b = pair({**spec, "seconds": seconds, "clock": clock}, ours, theirs, n_threads, rounds)
        shown_a, shown_b, ratio = value(a, b)
        rows.append(
            _row(
                name if clock == "wall" else "  " + name,
                shown_a,
                shown_b,
                spec["task"],
                ratio,
                f"threads lib/busy: ours {_threads(a)}, theirs {_threads(b)}",
                threads_ours=a["threads"],
                threads_theirs=b["threads"],
                busy_ours=a.get("busy_threads"),
                busy_theirs=b.get("busy_threads"),
                median_ours=a["median_s"],
                median_theirs=b["median_s"],
                requested=n_threads,
            )
        )
    return rows


# ---------------------------------------------------------------- the sections


def bench_matmul(sizes, threads, seconds, rounds, transposed=()):
    print(
        f"\nmatmul float32, n x n @ n x n   (ours: numba kernel; BLAS: numpy.matmul; "
        f"{threads} threads)"
    )
    print(f"  {'size':<34} {'ours GFLOP/s':>12} {'BLAS GFLOP/s':>12}   {'ratio':>6}")

    def value(a, b):
        return (
            f"{a['flops'] / a['median_s'] / 1e9:.1f}",
            f"{b['flops'] / b['median_s'] / 1e9:.1f}",
            f"{b['median_s'] / a['median_s']:.2f}",
        )

    rows = []
    for n, transpose in [(n, False) for n in sizes] + [(n, True) for n in transposed]:
        spec = {"task": "matmul", "n": n, "transpose": transpose}
        label = f"{n}, a.T @ b" if transpose else f"{n}"
        rows += _timed_rows(label, spec, "ours", "blas", threads, seconds, rounds, value)
    return rows


def bench_steps(configs, threads, seconds, rounds):
    print(
        f"\none training step: forward, CrossEntropyLoss, backward, SGD(momentum=0.9)"
        f"   ({threads} threads)"
    )
    print(f"  {'model, batch':<34} {'ours ms':>12} {'torch ms':>12}   {'ratio':>6}")

    def value(a, b):
        return (
            f"{a['median_s'] * 1e3:.1f}",
            f"{b['median_s'] * 1e3:.1f}",
            f"{b['median_s'] / a['median_s']:.2f}",
        )

    rows = []
    for sizes, batch in configs:
        name = f"MLP {'-'.join(map(str, sizes))}, batch {batch}"
        spec = {"task": "step", "sizes": sizes, "batch": batch}
        if not HAVE_TORCH:
            r = child({**spec, "engine": "ours", "seconds": seconds}, threads)
            rows.append(
                _row(name, f"{r['median_s'] * 1e3:.1f}", "-", "ms", "-", "(torch not installed)")
            )
            continue
        rows += _timed_rows(name, spec, "ours", "torch", threads, seconds, rounds, value)
        if "numba" not in cpu_matmul_in_use():  # the same step with our numba matmul, for reference
            best = min(
                (
                    child(
                        {**spec, "engine": "ours", "matmul": "numba", "seconds": seconds}, threads
                    )
                    for _ in range(rounds)
                ),
                key=lambda r: r["median_s"],
            )
            torch_s = rows[-2]["median_theirs"]
            rows.append(
                _row(
                    "  same, numba matmul",
                    f"{best['median_s'] * 1e3:.1f}",
                    f"{torch_s * 1e3:.1f}",
                    "ms",
                    f"{torch_s / best['median_s']:.2f}",
                    f"threads lib/busy: ours {_threads(best)} (torch: row above)",
                )
            )
    return rows


def cpu_matmul_in_use():
    from scalargrad.matrix.backends import cpu_matmul

    return cpu_matmul.matmul_in_use().split(" for ")[0]


def bench_memory(sizes, batch, threads):
    print(
        f"\npeak memory of a process running MLP {'-'.join(map(str, sizes))}, batch {batch} "
        "(RSS high-water mark, fresh subprocess each)"
    )
    print(f"  {'':<34} {'ours MiB':>12} {'torch MiB':>12}   {'ratio':>6}")
    spec = {"task": "startup", "sizes": sizes, "batch": batch}
    ours = child({**spec, "engine": "ours"}, threads)
    theirs = child({**spec, "engine": "torch"}, threads)
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
    spec = {"task": "startup", "sizes": sizes, "batch": batch, "steps": 0}
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        for label in ("cold (empty numba cache)", "warm (cache on disk)"):
            r = child({**spec, "engine": "ours"}, threads, {"NUMBA_CACHE_DIR": cache})
            rows.append(
                _row(label, f"{r['to_first_step_s']:.1f}", f"{r['first_step_s']:.2f}", "s", "")
            )
    if HAVE_TORCH:
        r = child({**spec, "engine": "torch"}, threads)
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


def default_threads():
    """The thread count a library uses by default here: NUMBA_NUM_THREADS or every core."""
    return int(os.environ.get("NUMBA_NUM_THREADS", os.cpu_count() or 1))


def run(quick=False, seconds=None, threads=None):
    """Every row of the section; ``threads`` defaults to ``default_threads()``."""
    if threads is None:
        threads = default_threads()
    print(f"\n== matrix engine on CPU: each library in its own process, {threads} threads ==")
    for line in machine_header():
        print("  " + line)
    if not HAVE_TORCH:
        print("  (torch not installed: PyTorch rows skipped; `make bench` installs it)")
    results = {}
    if quick:
        seconds = 0.2 if seconds is None else seconds
        results["matmul"] = bench_matmul([64, 128], threads, seconds, rounds=1)
        results["step"] = bench_steps([([784, 32, 10], 16)], threads, seconds, rounds=1)
        print("\n  (--quick: memory and start-up rows skipped)")
        return results
    seconds = 10.0 if seconds is None else seconds
    results["matmul"] = bench_matmul(
        [256, 512, 1024, 2048], threads, seconds, ROUNDS, transposed=[1024]
    )
    results["step"] = bench_steps(
        [([784, 256, 128, 10], 128), ([784, 512, 512, 10], 1024)], threads, seconds, ROUNDS
    )
    if HAVE_TORCH:
        results["memory"] = bench_memory([784, 512, 512, 10], 1024, threads)
    else:
        print("\n  (torch not installed: memory comparison skipped)")
    results["startup"] = bench_startup([784, 512, 512, 10], 1024, threads)
    return results


if __name__ == "__main__":
    run(quick="--quick" in sys.argv)
