"""Smoke test of demos/benchmark.py: the quick sizes run, print their table and draw the chart.

Only correctness is checked here (the kernels agree with BLAS inside the benchmark, the chart has
one bar per ratio, every row ran with the thread count it prints); the speed targets are read off
`make bench`, never asserted in a unit test.
"""

import math
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
DEMOS = Path(__file__).resolve().parents[2] / "demos"
sys.path.insert(0, str(DEMOS))

import benchmark  # noqa: E402
import pytest  # noqa: E402
from bench import tensor, tensor_child  # noqa: E402
from bench.chart import speed_ratios  # noqa: E402


def test_quick_benchmark_runs_and_draws_its_ratios(tmp_path, capsys):
    results = benchmark.main(["scalar", "tensor", "--quick", "--out", str(tmp_path)])
    printed = capsys.readouterr().out
    assert "matmul float32" in printed and "bar chart of the speed ratios" in printed
    matmul_rows = results["tensor"]["matmul"]
    assert [row["name"].strip() for row in matmul_rows[::2]] == ["64", "128"]
    assert all(float(row["ratio"]) > 0.0 for row in matmul_rows)
    pairs = speed_ratios(results)
    assert len(pairs) >= len(matmul_rows)
    assert all(math.isfinite(ratio) and ratio > 0.0 for _, ratio in pairs)
    chart = tmp_path / "benchmark.png"
    assert chart.stat().st_size > 2000
    # every timed row says how many threads each library used, and it is the count asked for
    assert "CPU:" in printed and "numba compiles for:" in printed and "date:" in printed
    timed = matmul_rows + results["tensor"]["step"]
    for row in timed:
        if "requested" in row:
            assert row["threads_ours"] == row["requested"], row
            assert row["threads_theirs"] == row["requested"], row
    assert {row.get("requested") for row in matmul_rows} == {1, tensor.default_threads()}


def _busy_child(spec, threads):
    """A child with enough parallel work per step for every thread to show up busy."""
    return tensor.child({**spec, "seconds": 1.0, "warmup": 0.3, "min_steps": 3}, threads)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize(
    "spec",
    [
        {"task": "matmul", "engine": "blas", "n": 384},
        {"task": "matmul", "engine": "ours", "n": 384},
        {"task": "step", "engine": "torch", "sizes": [784, 512, 512, 10], "batch": 512},
    ],
    ids=["blas", "ours", "torch"],
)
def test_reference_rows_ran_with_the_threads_they_print(spec, threads):
    # the benchmark once printed "2 threads" for PyTorch rows that ran on one (threadpoolctl's
    # restore_original_limits() reset torch's OpenMP pool after a one-thread block): each row now
    # runs in its own process, which reports the library's own count and the OS threads that
    # actually ran (CPU time read from /proc/self/task during the timed steps)
    if spec["engine"] == "torch":
        pytest.importorskip("torch")
    result = _busy_child(spec, threads)
    assert result["threads"] == threads
    if result["busy_threads"] is not None:  # None: no /proc (not Linux) or too few clock ticks
        assert result["busy_threads"] == threads


def test_busy_threads_counts_threads_whose_cpu_time_grew():
    before = {"1": 1.0, "2": 5.0, "3": 0.0}
    after = {"1": 3.0, "2": 5.1, "3": 1.9, "4": 0.5}  # thread 4 started during the interval
    assert tensor_child.busy_threads(before, after) == 3  # 2.0, 1.9 and 0.5 >= 0.2 * 2.0
    assert tensor_child.busy_threads(after, after) is None


def test_speed_ratios_reads_every_section():
    results = {
        "scalar": {"speedup": 35.0},
        "tensor": {
            "matmul": [{"name": "1024", "ratio": "0.74"}],
            "step": [
                {"name": "MLP 784-256-128-10, batch 128", "ratio": "-"},
                {"name": "  same, 1 thread, CPU time", "ratio": "0.52"},
                {"name": "  same, numba matmul", "ratio": "0.4"},
            ],
            "memory": [{"name": "process peak RSS", "ratio": "0.54"}],
        },
        "cuda": {
            "matmul": [{"n": 4096, "speed_vs_cublas": 0.5}, {"n": 8192}],
            "mlp": {"speedup_vs_cpu": 40.0, "time_vs_torch": 2.0},
        },
    }
    assert speed_ratios(results) == [
        ("scalar step vs micrograd", 35.0),
        ("matmul n=1024 vs BLAS", 0.74),
        ("MLP 784-256-128-10, batch 128, 1 thread, CPU time vs torch CPU", 0.52),
        ("MLP 784-256-128-10, batch 128, numba matmul vs torch CPU", 0.4),
        ("cuda matmul n=4096 vs cuBLAS", 0.5),
        ("cuda MLP step vs our CPU", 40.0),
        ("cuda MLP step vs torch CUDA", 0.5),
    ]
    assert speed_ratios({"cuda": {"skipped": "no GPU"}}) == []
