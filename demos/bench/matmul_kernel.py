"""Our numba matmul kernel vs numpy.matmul (OpenBLAS), float32, for the host's vector unit and
for AVX2 emulated on an AVX-512 machine.

    python demos/bench/matmul_kernel.py [--sizes 512 1024 2048] [--rounds 3]

Each vector unit runs in a fresh process of its own: the host's, and (on an x86 machine with
AVX-512) AVX2, with NUMBA_CPU_NAME=haswell NUMBA_CPU_FEATURES= for numba and
OPENBLAS_CORETYPE=Haswell for NumPy's OpenBLAS. In each, for n x n operands, ``a @ b`` and
``a.T @ b``, on 1 thread (process CPU time) and on 2 threads (wall time), the two are timed back
to back, several rounds, the best of each kept; the ratio is BLAS's time / ours (1.0 = as fast).
"""

import argparse
import json
import os
import subprocess
import sys
import time


def _best(f, reps, clock):
    times = []
    for _ in range(reps):
        start = clock()
        f()
        times.append(clock() - start)
    return min(times)


def child(sizes, rounds):
    import numba
    import numpy as np
    from threadpoolctl import threadpool_limits

    from scalargrad.matrix.backends import cpu_matmul

    cpu_matmul.use_matmul("numba")
    rows = []
    for threads in (1, 2):
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
        clock = time.process_time if threads == 1 else time.perf_counter
        for n in sizes:
            rng = np.random.default_rng(n)
            a = rng.standard_normal((n, n)).astype(np.float32)
            b = rng.standard_normal((n, n)).astype(np.float32)
            for transposed in (False, True):
                x = a.T if transposed else a
                with threadpool_limits(threads):
                    ours = lambda x=x, b=b: cpu_matmul.matmul(x, b)  # noqa: E731
                    blas = lambda x=x, b=b: np.matmul(x, b)  # noqa: E731
                    np.testing.assert_allclose(ours(), blas(), rtol=1e-3, atol=1e-3 * n**0.5)
                    reps = max(2, int(4e9 / n**3))
                    t_ours = t_blas = float("inf")
                    for _ in range(rounds):  # alternating, so both see the same machine load
                        t_ours = min(t_ours, _best(ours, reps, clock))
                        t_blas = min(t_blas, _best(blas, reps, clock))
                rows.append((threads, n, transposed, 2 * n**3 / t_ours / 1e9, t_blas / t_ours))
    unit = cpu_matmul.UNIT
    print(
        json.dumps(
            {"unit": f"{unit.isa} ({unit.cpu})", "tile": cpu_matmul.matmul_in_use(), "rows": rows}
        )
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[512, 1024, 2048])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.sizes, args.rounds)
    from scalargrad.matrix.backends.cpu_simd import vector_unit

    envs = [{}]
    if vector_unit().isa == "AVX-512":
        envs.append(
            {"NUMBA_CPU_NAME": "haswell", "NUMBA_CPU_FEATURES": "", "OPENBLAS_CORETYPE": "Haswell"}
        )
    print(time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "float32, ratio = BLAS time / ours")
    for extra in envs:
        command = [sys.executable, __file__, "--child", "--rounds", str(args.rounds), "--sizes"]
        done = subprocess.run(
            command + [str(n) for n in args.sizes],
            env={**os.environ, **extra},
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"\n{result['unit']}: {result['tile']}")
        print("threads     n  product   ours GFLOP/s  ours/BLAS")
        for threads, n, transposed, gflops, ratio in result["rows"]:
            product = "a.T @ b" if transposed else "a @ b  "
            print(f"{threads:7d} {n:5d}  {product}  {gflops:12.0f}  {ratio:9.2f}")


if __name__ == "__main__":
    main()
