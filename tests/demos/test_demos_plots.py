"""scalargrad.viz.plots: every plot writes a PNG."""

import numpy as np
import pytest

from scalargrad.viz import plots


def test_all_plots_write_pngs(tmp_path):
    X = np.random.default_rng(0).normal(size=(30, 2))
    y = (X[:, 0] > 0).astype(int)
    plots.plot_decision_boundary(lambda P: (P[:, 0] > 0).astype(int), X, y,
                                 path=tmp_path / "db.png")
    plots.plot_curves({"train": [3, 2, 1], "val": [3, 2.5, 2]}, path=tmp_path / "c.png")
    plots.plot_cost_surface(lambda W, B: (W - 1) ** 2 + (B + 1) ** 2 + 0.1, (-2, 3), (-3, 2),
                            path_wb=[[0, 0], [0.5, -0.5], [1, -1]], path=tmp_path / "s.png")
    cm = plots.confusion_matrix([0, 1, 2, 2], [0, 2, 2, 2])
    assert cm.tolist() == [[1, 0, 0], [0, 0, 1], [0, 0, 2]]
    plots.plot_confusion_matrix(cm, path=tmp_path / "cm.png")
    plots.plot_image_grid(np.zeros((5, 64)), titles=list("abcde"), path=tmp_path / "g.png")
    plots.plot_tangent(lambda x: 3 * x**2 - 4 * x, 1.0, path=tmp_path / "t.png")
    plots.plot_functions(np.linspace(-1, 1, 5), {"relu": {"f": np.zeros(5)}},
                         path=tmp_path / "f.png")
    for name in ["db", "c", "s", "cm", "g", "t", "f"]:
        assert (tmp_path / f"{name}.png").stat().st_size > 1000


def test_bad_arguments():
    with pytest.raises(ValueError, match="2-D points"):
        plots.plot_decision_boundary(lambda P: P[:, 0], np.zeros((3, 3)), np.zeros(3))
    with pytest.raises(ValueError, match="square"):
        plots.plot_confusion_matrix(np.zeros((2, 3)))
