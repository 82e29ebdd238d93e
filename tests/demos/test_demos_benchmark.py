"""Smoke test of demos/benchmark.py: the quick sizes run, print their table and draw the chart.

Only correctness is checked here (the kernels agree with BLAS inside the benchmark, the chart has
one bar per ratio); the speed targets are read off `make bench`, never asserted in a unit test.
"""

import math
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
DEMOS = Path(__file__).resolve().parents[2] / "demos"
sys.path.insert(0, str(DEMOS))

import benchmark  # noqa: E402
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


def test_speed_ratios_reads_every_section():
    results = {
        "scalar": {"speedup": 35.0},
        "tensor": {
            "matmul": [{"name": "1024", "ratio": "0.74"}],
            "step": [
                {"name": "MLP 784-256-128-10, batch 128", "ratio": "-"},
                {"name": "  same, 1 thread, CPU time", "ratio": "0.52"},
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
        ("cuda matmul n=4096 vs cuBLAS", 0.5),
        ("cuda MLP step vs our CPU", 40.0),
        ("cuda MLP step vs torch CUDA", 0.5),
    ]
    assert speed_ratios({"cuda": {"skipped": "no GPU"}}) == []
