"""demos/moons_scalar.py runs end to end on a small budget and writes its two pictures."""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

DEMOS = Path(__file__).resolve().parents[2] / "demos"
sys.path.insert(0, str(DEMOS))


def test_moons_scalar_demo_runs_and_learns(tmp_path):
    import moons_scalar

    results = moons_scalar.main(["--budget", "small", "--out", str(tmp_path), "--no-progress"])
    assert results["steps"] == 40
    assert results["best accuracy"] >= 0.85  # micrograd's recipe is past 85% well before 40 steps
    for name in ["decision_boundary.png", "neuron_graph.png"]:
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG")
