"""Smoke tests of the lessons: each runs with a small budget into tmp_path, writes its PNGs,
and reproduces the numbers the curriculum states (docs: /CURRICULUM)."""

import math
import sys
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
DEMOS = Path(__file__).resolve().parents[2] / "demos"
sys.path.insert(0, str(DEMOS))


def needs_matrix_engine():
    pytest.importorskip("scalargrad.matrix.creation", reason="the matrix engine has not landed")
    pytest.importorskip("scalargrad.nn.linear", reason="sg.nn has not landed")


def run(module_name, tmp_path, *extra):
    module = __import__(module_name)
    results = module.main(["--out", str(tmp_path), "--budget", "small", "--no-progress", *extra])
    return results


def pngs(tmp_path):
    return {p.name for p in tmp_path.glob("*.png") if p.stat().st_size > 2000}


# ------------------------------------------------------------------ parts on the scalar engine


def test_lesson1_scalar_parts(tmp_path):
    import lesson1_autograd as l1

    r = l1.scalar_engine(tmp_path)
    assert r["dy/dx at 2"] == 4.0
    assert (r["df/du"], r["df/dv"]) == (4.0, 1.0)
    assert r["accumulated"] == [3.0, 6.0, 9.0]
    assert r["neuron do/dw1"] == pytest.approx(1.0)
    assert l1.tangent(tmp_path)["slope at 1"] == 2.0
    assert {"neuron_graph.png", "tangent.png"} <= pngs(tmp_path)


def test_lesson3_hand_numbers():
    import lesson3_linear_regression as l3

    r = l3.by_hand()
    assert r["hand lines"][0] == "epoch 0: w = 1.200, loss = 30.000000, dw = -120.0"
    assert r["hand lines"][1] == "epoch 1: w = 1.680, loss = 4.799999, dw = -48.0"
    assert r["hand f(5)"] == "9.999"
    r = l3.one_parameter_fit()
    assert r["c"] == 2.9986 and r["c exact"] == 2.9986


def test_lesson5_numpy_parts(tmp_path):
    import lesson5_logistic_regression as l5

    r = l5.bernoulli(tmp_path, seed=0)
    assert r["likelihood HTHT"] == 0.0625
    assert r["theta hat"] == pytest.approx(r["label mean"], abs=0.01)
    r = l5.surfaces(tmp_path, seed=0)
    assert r["slope BCE wrong"] > 100 * r["slope MSE wrong"]
    assert {"bernoulli.png", "surface_bce.png", "surface_mse.png"} <= pngs(tmp_path)


# ------------------------------------------------------------------ whole lessons


def test_lesson0(tmp_path):
    needs_matrix_engine()
    r = run("lesson0_tensors", tmp_path)
    dtypes = (r["int list dtype"], r["float list dtype"])
    assert dtypes == ("scalargrad.int64", "scalargrad.float32")  # printed as PyTorch's
    assert r["argmax"] == 11
    assert r["max values"].tolist() == [4, 3, 3, 5] and r["max indices"].tolist() == [2, 1, 1, 2]
    assert r["std"] == pytest.approx(np.std([1, 2, 3, 4], ddof=1))
    assert (r["flatten"], r["cat"], r["stack"]) == ((8, 784), (6, 4), (2, 3, 4))
    assert r["same object"]
    assert "broadcasting.png" in pngs(tmp_path)


def test_lesson1(tmp_path):
    needs_matrix_engine()
    r = run("lesson1_autograd", tmp_path)
    assert r["tensor dy/dx at 2"] == 4.0
    np.testing.assert_allclose(r["grad of 2x.x"], [0, 4, 8, 12])
    assert r["accumulated (tensor)"] == [3.0, 6.0, 9.0] and r["zeroed"]
    assert r["error without gradient"]
    np.testing.assert_allclose(r["vjp"], [0.2, 2.0, 0.0002], rtol=1e-6)
    assert r["no_grad requires_grad"] is False
    np.testing.assert_allclose(r["detach grad"], r["u"])
    assert r["retain_graph twice"] == 12.0 and r["control-flow grad"] == 8.0


def test_lesson2(tmp_path):
    needs_matrix_engine()
    r = run("lesson2_logistic_images", tmp_path)
    assert r["gradient max difference"] < 1e-5
    assert r["engine test accuracy"] > 0.95 and r["hand test accuracy"] > 0.95
    assert abs(r["engine test accuracy"] - r["hand test accuracy"]) <= 0.01
    assert {"learning_curve.png", "tangent.png"} <= pngs(tmp_path)


def test_lesson3(tmp_path):
    needs_matrix_engine()
    r = run("lesson3_linear_regression", tmp_path)
    assert r["batches per epoch"] == {"batch (500)": 1, "mini-batch (50)": 10,
                                      "stochastic (1)": 500}
    assert r["linear final loss"] < 50
    assert r["step gap"] < 1e-4  # step() is w -= lr * w.grad
    assert r["MSE mean"] == pytest.approx((0.25 + 1 + 4 + 9) / 4) and r["L1 sum"] == 6.5
    assert r["best lr"] in (1e-3, 1e-2, 1e-1, 1.0)
    costs = r["cost after optimizer"]
    assert costs["SGD lr 0.01, momentum 0.8"] < costs["SGD lr 0.01"]  # momentum gets there faster
    assert {"cost_surface.png", "optimizers.png", "batch_vs_stochastic.png",
            "learning_rate.png"} <= pngs(tmp_path)


def test_lesson4(tmp_path):
    needs_matrix_engine()
    r = run("lesson4_multiple_regression", tmp_path)
    assert r["single-output gap to lstsq"] < 0.1 and r["multi-output gap to lstsq"] < 0.1
    assert {"losses.png", "weights_vs_lstsq.png"} <= pngs(tmp_path)


def test_lesson5(tmp_path):
    needs_matrix_engine()
    r = run("lesson5_logistic_regression", tmp_path)
    assert r["zero-weight cost"] == pytest.approx(math.log(2), abs=1e-6)
    assert f"{r['zero-weight cost']:.6f}" == "0.693147"
    assert r["test accuracy"] > 0.93
    assert r["bce with logits at z=50"] == pytest.approx(50.0)
    assert "decision_boundary.png" in pngs(tmp_path)


def test_lesson6(tmp_path):
    needs_matrix_engine()
    r = run("lesson6_nonlinear_regression", tmp_path)
    assert r["parts sum error"] < 1e-3
    assert r["final MSE"] < 15
    assert {"fit.png", "hidden_units.png", "loss.png"} <= pngs(tmp_path)


def test_lesson7(tmp_path):
    needs_matrix_engine()
    r = run("lesson7_classification", tmp_path)
    np.testing.assert_allclose(r["softmax"], [0.659, 0.242, 0.099])
    assert r["cross-entropy gap"] < 1e-6
    assert r["activation derivative error"] < 1e-5
    assert r["moons train accuracy (scalar)"] == 1.0
    assert r["circles accuracy"] > 0.95 and r["blobs accuracy"] > 0.9
    assert r["circles linear accuracy"] < 0.8
    assert r["spiral accuracy"] > 0.8
    assert {"circles.png", "blobs.png", "spiral.png", "activations.png"} <= pngs(tmp_path)


def test_lesson8(tmp_path):
    needs_matrix_engine()
    r = run("lesson8_digits", tmp_path)
    assert r["test accuracy"] > 0.9
    assert r["accuracy on PNG files"] > 0.8
    assert {"loss.png", "accuracy.png", "confusion_matrix.png", "misclassified.png"} <= pngs(
        tmp_path)


@pytest.mark.slow
def test_lesson8_reaches_97_percent(tmp_path):
    needs_matrix_engine()
    r = __import__("lesson8_digits").main(["--out", str(tmp_path), "--no-progress"])
    assert r["test accuracy"] >= 0.97


def test_lesson8_cuda_without_gpu_is_a_clear_error(tmp_path):
    from numba import cuda

    if cuda.is_available():
        pytest.skip("this machine has a GPU")
    with pytest.raises(SystemExit, match="no CUDA GPU"):
        run("lesson8_digits", tmp_path, "--device", "cuda")


def test_tour(tmp_path):
    needs_matrix_engine()
    import tour

    results = tour.main(["--out", str(tmp_path), "--no-progress"])
    assert set(results) == {"lesson1_autograd", "lesson3_linear_regression",
                            "lesson7_classification", "lesson8_digits"}
    assert all(pngs(tmp_path / name) for name in results)
    assert results["lesson3_linear_regression"]["hand f(5)"] == "9.999"
