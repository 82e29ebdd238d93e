"""The benchmark's bar chart: every speed ratio of one run, reference time / our time.

A bar longer than the 1.0 line means scalargrad was faster than the reference it was measured
against in the same run; shorter means slower. Memory rows are left out (lower is better there,
so they would read backwards); the printed table has them.
"""

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the file-only backend)


def speed_ratios(results):
    """(label, ratio) pairs from demos/benchmark.py's results, ratio = reference time / ours."""
    pairs = []
    scalar = results.get("scalar", {})
    if "speedup" in scalar:
        pairs.append(("scalar step vs micrograd", scalar["speedup"]))
    tensor = results.get("tensor", {})
    for section, reference in (("matmul", "BLAS"), ("step", "torch CPU")):
        model = ""
        for row in tensor.get(section, []):
            name = row["name"].strip()
            if name.startswith("same"):  # a variant (1 thread, numba matmul) of the row above
                name = model + name.removeprefix("same")
            else:
                model = name
            if row["ratio"] not in ("", "-"):
                prefix = "matmul n=" if section == "matmul" else ""
                pairs.append((f"{prefix}{name} vs {reference}", float(row["ratio"])))
    cuda = results.get("cuda", {})
    for row in cuda.get("matmul", []):
        if "speed_vs_cublas" in row:
            pairs.append((f"cuda matmul n={row['n']} vs cuBLAS", row["speed_vs_cublas"]))
    mlp = cuda.get("mlp", {})
    if "speedup_vs_cpu" in mlp:
        pairs.append(("cuda MLP step vs our CPU", mlp["speedup_vs_cpu"]))
    if math.isfinite(mlp.get("time_vs_torch", math.nan)):
        pairs.append(("cuda MLP step vs torch CUDA", 1.0 / mlp["time_vs_torch"]))
    return pairs


def save_chart(results, out_dir):
    """Draw the ratios as horizontal bars on a log axis; returns the PNG's path (None if none)."""
    pairs = speed_ratios(results)
    if not pairs:
        return None
    labels, ratios = zip(*pairs, strict=True)
    fig, ax = plt.subplots(figsize=(8, 0.4 * len(pairs) + 1.2))
    colors = ["tab:green" if r >= 1.0 else "tab:orange" for r in ratios]
    ax.barh(range(len(pairs)), ratios, color=colors)
    ax.set_yticks(range(len(pairs)), labels)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.axvline(1.0, color="black", linewidth=1)
    for i, r in enumerate(ratios):
        ax.annotate(f"{r:.2f}x", (r, i), xytext=(3, 0), textcoords="offset points", va="center")
    ax.set_xlabel("reference time / scalargrad time (log scale; > 1: scalargrad faster)")
    ax.set_title("scalargrad against references measured in the same run")
    fig.tight_layout()
    path = Path(out_dir) / "benchmark.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
