"""One measurement of the tensor benchmark, in a process of its own (as a user runs one library).

    python demos/bench/tensor_child.py '{"task": "matmul", "engine": "blas", "n": 1024,
                                         "threads": 2, "seconds": 10}'

prints one line of JSON. Tasks and engines:

* ``matmul``  (``ours`` = scalargrad's numba kernel, ``blas`` = ``numpy.matmul``): n x n float32,
  ``transpose`` for ``a.T @ b`` (the backward pass's layout);
* ``step``    (``ours`` = ``sg.nn.MLP``, ``torch``): forward, CrossEntropyLoss, backward,
  SGD(momentum=0.9) on the same weights and data;
* ``startup`` (``ours``, ``torch``): import to first step, peak memory (RSS high-water mark).

The parent (``tensor.py``) sets the thread environment variables before this process starts;
here each library is also told its thread count through its own API, and the result reports
what the library *says* it used (``numba.get_num_threads()``, ``torch.get_num_threads()``,
threadpoolctl for BLAS) and how many OS threads of the process *did* run during the timed
steps (``busy_threads``: threads whose CPU time grew by at least a fifth of the busiest one's,
read from /proc/self/task). Time is the median of the steps after a warm-up, wall-clock with
``threads`` threads, or process CPU time (all threads summed) when ``clock`` is ``"cpu"``.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def thread_cpu_times():
    """{thread id: CPU seconds so far} for every OS thread of this process (Linux), else {}."""
    times = {}
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return times
    for tid in tasks:
        try:
            with open(f"/proc/self/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the thread ended
        times[tid] = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return times


def busy_threads(before, after):
    """How many threads ran during the interval: CPU time grew by >= 1/5 of the busiest one's."""
    grown = [after[t] - before.get(t, 0.0) for t in after]
    top = max(grown, default=0.0)
    if top <= 0.0:
        return None  # interval too short for the clock ticks: unknown
    return sum(g >= 0.2 * top for g in grown)


def setup_threads(engine, threads):
    """Tell the library (and BLAS under it) to use ``threads``; returns a function reporting the
    thread count the library says it uses now."""
    import numpy  # noqa: F401  (loads its BLAS, so that the limit below reaches it)
    from threadpoolctl import threadpool_info, threadpool_limits

    threadpool_limits(limits=threads)  # BLAS / OpenMP pools loaded so far

    def blas_threads():
        pools = [p for p in threadpool_info() if p["user_api"] == "blas"]
        return max((p["num_threads"] for p in pools), default=None)

    if engine == "torch":
        import torch

        torch.set_num_threads(threads)
        threadpool_limits(limits=threads)  # torch's own OpenMP / BLAS, now loaded
        torch.set_num_threads(threads)  # last word to torch's own setting
        return torch.get_num_threads
    if engine == "blas":
        return blas_threads
    sys.path.insert(0, str(ROOT))
    import numba

    from scalargrad.matrix.backends import cpu  # noqa: F401  (first: it sets up the threads)

    numba.set_num_threads(threads)
    return numba.get_num_threads


def blas_description():
    from threadpoolctl import threadpool_info

    pools = [p for p in threadpool_info() if p["user_api"] == "blas"]
    return ", ".join(f"{p['internal_api']} {p.get('architecture') or ''}".strip() for p in pools)


def _matmul(spec):
    import numpy as np

    n, engine = spec["n"], spec["engine"]
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n)).astype(np.float32)
    b = rng.standard_normal((n, n)).astype(np.float32)
    if spec.get("transpose"):
        a = np.ascontiguousarray(a.T).T  # a transposed view, as in the backward pass
    if engine == "ours":
        sys.path.insert(0, str(ROOT))
        from scalargrad.matrix.backends import cpu

        cpu.use_matmul("numba")  # the "ours" row is always our numba kernel, next to BLAS

        def step():
            return cpu.matmul(a, b)

        extra = {"kernel": cpu.matmul_in_use()}
    else:

        def step():
            return np.matmul(a, b)

        extra = {"blas": blas_description()}
    got = step()
    np.testing.assert_allclose(got, a @ b, rtol=1e-3, atol=1e-2 * np.sqrt(n))
    return step, {"flops": 2.0 * n**3, **extra}


def _mlp(spec):
    import numpy as np

    sizes, batch, engine = spec["sizes"], spec["batch"], spec["engine"]
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], size=batch).astype(np.int64)
    # the same starting weights for both engines: PyTorch's default init, drawn with numpy
    weights = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        bound = 1.0 / np.sqrt(fan_in)
        w = rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32)
        weights.append((w, rng.uniform(-bound, bound, fan_out).astype(np.float32)))
    if engine == "ours":
        sys.path.insert(0, str(ROOT))
        import scalargrad as sg
        from scalargrad.matrix.backends import cpu

        if spec.get("matmul"):
            cpu.use_matmul(spec["matmul"])
        model = sg.nn.MLP(sizes[0], sizes[1:])
        model.load_state_dict(
            {
                **{f"layers.{i}.weight": w for i, (w, _) in enumerate(weights)},
                **{f"layers.{i}.bias": b for i, (_, b) in enumerate(weights)},
            }
        )
        opt = sg.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        loss_fn = sg.nn.CrossEntropyLoss()
        X, Y = sg.tensor(x), sg.tensor(y)
    else:
        import torch

        layers = []
        for i, (w, b) in enumerate(weights):
            lin = torch.nn.Linear(w.shape[1], w.shape[0])
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(w))
                lin.bias.copy_(torch.from_numpy(b))
            layers.append(lin)
            if i < len(weights) - 1:
                layers.append(torch.nn.ReLU())
        model = torch.nn.Sequential(*layers)
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        loss_fn = torch.nn.CrossEntropyLoss()
        X, Y = torch.from_numpy(x), torch.from_numpy(y)

    def step():
        opt.zero_grad()
        loss = loss_fn(model(X), Y)
        loss.backward()
        opt.step()
        return loss.item()

    return step


def _rss(field):
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def measure(spec):
    """Run one task as ``spec`` says; a dict of results (see the module docstring)."""
    start = time.perf_counter()
    threads = spec["threads"]
    engine = spec["engine"]
    # torch and numba first, then BLAS's pools that they loaded are limited too
    library_threads = setup_threads(engine, threads)
    if spec["task"] == "startup":
        step = _mlp(spec)
        ready = time.perf_counter()
        base0 = _rss("VmRSS")
        t = time.perf_counter()
        step()
        first = time.perf_counter() - t
        hwm_first, base = _rss("VmHWM"), _rss("VmRSS")
        try:  # reset the high-water mark: later steps' own memory, without compiling
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
        except OSError:
            pass
        for _ in range(spec.get("steps", 4)):
            step()
        hwm = _rss("VmHWM")
        return dict(
            import_s=ready - start,
            first_step_s=first,
            to_first_step_s=ready - start + first,
            peak=max(hwm, hwm_first),
            first=hwm_first - base0,
            later=hwm - base,
            threads=library_threads(),
        )
    if spec["task"] == "matmul":
        step, info = _matmul(spec)
    else:
        step, info = _mlp(spec), {}
    clock = time.process_time if spec.get("clock") == "cpu" else time.perf_counter
    warm_until = time.perf_counter() + spec.get("warmup", 1.0)
    step()
    while time.perf_counter() < warm_until:
        step()
    times = []
    before = thread_cpu_times()
    stop = time.perf_counter() + spec["seconds"]
    while time.perf_counter() < stop or len(times) < spec.get("min_steps", 5):
        t = clock()
        step()
        times.append(clock() - t)
    after = thread_cpu_times()
    return dict(
        median_s=statistics.median(times),
        steps=len(times),
        threads=library_threads(),
        busy_threads=busy_threads(before, after),
        **info,
    )


if __name__ == "__main__":
    print(json.dumps(measure(json.loads(sys.argv[1]))))
