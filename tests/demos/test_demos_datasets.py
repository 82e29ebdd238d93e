"""scalargrad.data.toy_datasets: shapes, labels, seeds and clear errors; the array helpers
train_test_split and standardize; the former module name toy_datasets."""

import sys

import numpy as np
import pytest

from scalargrad.data import standardize, toy_datasets, train_test_split

TOY = ["moons", "circles", "blobs", "spiral", "xor"]


@pytest.mark.parametrize("name", TOY)
def test_toy_sets_shapes_labels_and_seed(name):
    X, y = toy_datasets.load(name, n_samples=61, seed=3)
    assert X.shape == (61, 2) and X.dtype == np.float32
    assert y.shape == (61,) and y.dtype == np.int64
    assert y.min() == 0
    X2, y2 = toy_datasets.load(name, n_samples=61, seed=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)


@pytest.mark.parametrize("name", ["moons", "circles", "xor"])
def test_two_classes_balanced(name):
    X, y = toy_datasets.load(name, n_samples=200, seed=0)
    counts = np.bincount(y)
    assert len(counts) == 2 and abs(counts[0] - counts[1]) <= 100


def test_noise_changes_points():
    a, _ = toy_datasets.make_moons(50, noise=0.0, seed=1)
    b, _ = toy_datasets.make_moons(50, noise=0.2, seed=1)
    assert not np.allclose(a, b)


def test_circles_radii():
    X, y = toy_datasets.make_circles(100, factor=0.3, seed=0)
    r = np.linalg.norm(X, axis=1)
    np.testing.assert_allclose(r[y == 0], 1.0, rtol=1e-6)
    np.testing.assert_allclose(r[y == 1], 0.3, rtol=1e-6)


def test_blobs_and_spiral_classes():
    _, y = toy_datasets.make_blobs(90, centers=4, seed=0)
    assert set(y.tolist()) == {0, 1, 2, 3}
    _, y = toy_datasets.make_spiral(90, n_classes=5, seed=0)
    assert np.bincount(y).tolist() == [18] * 5


def test_linear_recovers_coefficients():
    X, y, w, b = toy_datasets.make_linear(200, n_features=3, n_outputs=2, bias=[1.0, -2.0],
                                      seed=0, dtype=np.float64, return_coef=True)
    A = np.hstack([X, np.ones((len(X), 1))])
    coef = np.linalg.lstsq(A, y, rcond=None)[0]
    np.testing.assert_allclose(coef[:3].T, w, atol=1e-8)
    np.testing.assert_allclose(coef[3], [1.0, -2.0], atol=1e-8)


@pytest.mark.parametrize("bad", [0, -5])
def test_bad_n_samples(bad):
    with pytest.raises(ValueError, match=f"n_samples must be >= 1, got {bad}"):
        toy_datasets.make_moons(bad)


def test_bad_noise_and_name():
    with pytest.raises(ValueError, match="noise .* got -0.1"):
        toy_datasets.make_circles(10, noise=-0.1)
    with pytest.raises(ValueError, match="unknown data set name 'mnist'"):
        toy_datasets.load("mnist")
    with pytest.raises(TypeError, match="n_samples must be an int"):
        toy_datasets.make_xor(2.5)


def test_real_sets():
    pytest.importorskip("sklearn")
    X, y = toy_datasets.load_breast_cancer()
    assert X.shape == (569, 30) and set(y.tolist()) == {0, 1}
    X, y = toy_datasets.load("digits")
    assert X.shape == (1797, 64) and X.max() == 16 and set(y.tolist()) == set(range(10))


def test_train_test_split_and_standardize():
    X = np.arange(40, dtype=float).reshape(20, 2)
    y = np.array([0] * 10 + [1] * 10)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, seed=0, stratify=y)
    assert len(Xte) == 5 or len(Xte) == 6
    assert sorted(np.concatenate([Xtr[:, 0], Xte[:, 0]]).tolist()) == X[:, 0].tolist()
    a, b = standardize(Xtr, Xte)
    np.testing.assert_allclose(a.mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(a.std(0), 1)
    with pytest.raises(ValueError, match="test_size"):
        train_test_split(X, test_size=1.5)


def test_real_sets_without_sklearn_say_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match="scikit-learn"):
        toy_datasets.load_digits()


def test_the_former_module_name_still_imports_the_same_functions():
    from scalargrad.data import datasets
    from scalargrad.data.datasets import make_moons

    assert make_moons is toy_datasets.make_moons
    assert datasets.train_test_split is train_test_split and datasets.standardize is standardize
    assert set(datasets.__all__) == set(toy_datasets.__all__) | {"train_test_split", "standardize"}
