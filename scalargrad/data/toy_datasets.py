"""Small data sets for the demos: seeded toy generators and loaders for real sets.

The toy generators are plain NumPy and return ``(X, y)``: ``X`` a float array of shape
``(n_samples, n_features)`` and ``y`` an int64 array of class labels (``make_linear``, a
regression set, returns float targets). The same ``seed`` always gives the same data.

    >>> X, y = make_moons(100, noise=0.1, seed=0)
    >>> X.shape, y.shape, sorted(set(y.tolist()))
    ((100, 2), (100,), [0, 1])

The real sets (``load_breast_cancer``, ``load_digits``) come through scikit-learn, an optional
extra: ``pip install scalargrad[datasets]``. ``load(name)`` reaches every set by name.
Splitting arrays is ``sg.data.train_test_split`` (``split.py``), scaling them
``sg.data.standardize`` (``preprocessing.py``).
"""

import numpy as np

__all__ = [
    "make_moons", "make_circles", "make_blobs", "make_spiral", "make_xor", "make_linear",
    "load_breast_cancer", "load_digits", "load", "names",
]


# ---------------------------------------------------------------- argument checks


def _check_n_samples(fn, n_samples, minimum=1):
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)):
        raise TypeError(
            f"{fn}: n_samples must be an int, got {type(n_samples).__name__} {n_samples!r}"
        )
    if n_samples < minimum:
        raise ValueError(f"{fn}: n_samples must be >= {minimum}, got {n_samples}")
    return int(n_samples)


def _check_nonnegative(fn, name, value):
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{fn}: {name} must be a finite number >= 0, got {value}")
    return float(value)


def _check_positive_int(fn, name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{fn}: {name} must be an int >= 1, got {value!r}")
    return int(value)


def _split(n_samples, n_parts):
    """Sizes of n_parts groups that sum to n_samples (the first groups get the remainder)."""
    sizes = [n_samples // n_parts] * n_parts
    for i in range(n_samples % n_parts):
        sizes[i] += 1
    return sizes


def _finish(X, y, noise, rng, dtype, shuffle=True):
    if noise > 0:
        X = X + rng.normal(scale=noise, size=X.shape)
    if shuffle:
        order = rng.permutation(len(X))
        X, y = X[order], y[order]
    return X.astype(dtype), y.astype(np.int64)


# ---------------------------------------------------------------- toy generators


def make_moons(n_samples=100, noise=0.0, seed=None, dtype=np.float32):
    """Two interleaving half circles (the micrograd demo's data); labels 0 (upper), 1 (lower)."""
    n_samples = _check_n_samples("make_moons", n_samples)
    noise = _check_nonnegative("make_moons", "noise", noise)
    rng = np.random.default_rng(seed)
    n_out, n_in = _split(n_samples, 2)
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    outer = np.column_stack([np.cos(t_out), np.sin(t_out)])
    inner = np.column_stack([1 - np.cos(t_in), 0.5 - np.sin(t_in)])
    X = np.vstack([outer, inner])
    y = np.concatenate([np.zeros(n_out), np.ones(n_in)])
    return _finish(X, y, noise, rng, dtype)


def make_circles(n_samples=100, noise=0.0, factor=0.5, seed=None, dtype=np.float32):
    """A small circle (label 1, radius ``factor``) inside a unit circle (label 0)."""
    n_samples = _check_n_samples("make_circles", n_samples)
    noise = _check_nonnegative("make_circles", "noise", noise)
    if not 0 < factor < 1:
        raise ValueError(f"make_circles: factor must be between 0 and 1 (exclusive), got {factor}")
    rng = np.random.default_rng(seed)
    n_out, n_in = _split(n_samples, 2)
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    outer = np.column_stack([np.cos(t_out), np.sin(t_out)])
    inner = factor * np.column_stack([np.cos(t_in), np.sin(t_in)])
    X = np.vstack([outer, inner])
    y = np.concatenate([np.zeros(n_out), np.ones(n_in)])
    return _finish(X, y, noise, rng, dtype)


def make_blobs(n_samples=100, centers=3, cluster_std=1.0, n_features=2, center_box=(-6.0, 6.0),
               seed=None, dtype=np.float32):
    """Gaussian clusters, one class each. ``centers`` is a count or a ``(k, n_features)`` array."""
    n_samples = _check_n_samples("make_blobs", n_samples)
    cluster_std = _check_nonnegative("make_blobs", "cluster_std", cluster_std)
    rng = np.random.default_rng(seed)
    if np.ndim(centers) == 0:
        k = _check_positive_int("make_blobs", "centers", centers)
        n_features = _check_positive_int("make_blobs", "n_features", n_features)
        centers = rng.uniform(center_box[0], center_box[1], size=(k, n_features))
    else:
        centers = np.asarray(centers, dtype=float)
        if centers.ndim != 2 or len(centers) < 1:
            raise ValueError(
                "make_blobs: centers must be an int or a (k, n_features) array, got shape "
                f"{tuple(centers.shape)}"
            )
    sizes = _split(n_samples, len(centers))
    X = np.vstack([c + rng.normal(scale=cluster_std, size=(n, centers.shape[1]))
                   for c, n in zip(centers, sizes, strict=False)])
    y = np.concatenate([np.full(n, k) for k, n in enumerate(sizes)])
    return _finish(X, y, 0.0, rng, dtype)


def make_spiral(n_samples=300, n_classes=3, noise=0.2, seed=None, dtype=np.float32):
    """``n_classes`` interleaved spiral arms (CS231n's data); not linearly separable.

    ``noise`` is the standard deviation of the angle jitter, in radians.
    """
    n_samples = _check_n_samples("make_spiral", n_samples)
    n_classes = _check_positive_int("make_spiral", "n_classes", n_classes)
    noise = _check_nonnegative("make_spiral", "noise", noise)
    rng = np.random.default_rng(seed)
    X, y = [], []
    for k, n in enumerate(_split(n_samples, n_classes)):
        r = np.linspace(0.0, 1.0, n)
        t = np.linspace(k * 4.0, (k + 1) * 4.0, n) + rng.normal(scale=noise, size=n)
        X.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
        y.append(np.full(n, k))
    return _finish(np.vstack(X), np.concatenate(y), 0.0, rng, dtype)


def make_xor(n_samples=100, noise=0.0, seed=None, dtype=np.float32):
    """Points in the square [-1, 1]^2; label 1 where exactly one coordinate is positive."""
    n_samples = _check_n_samples("make_xor", n_samples)
    noise = _check_nonnegative("make_xor", "noise", noise)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, size=(n_samples, 2))
    y = ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(np.int64)
    return _finish(X, y, noise, rng, dtype, shuffle=False)


def make_linear(n_samples=100, n_features=1, n_outputs=1, weight=None, bias=0.0, noise=0.0,
                x_range=(-3.0, 3.0), seed=None, dtype=np.float32, return_coef=False):
    """Regression data ``y = X @ weight.T + bias + noise`` with X uniform in ``x_range``.

    ``weight`` has shape ``(n_outputs, n_features)`` (as ``nn.Linear``); random when None.
    ``y`` is float, shape ``(n_samples, n_outputs)``. With ``return_coef=True`` also returns
    ``(weight, bias)`` used, so a fit can be compared with the truth.
    """
    n_samples = _check_n_samples("make_linear", n_samples)
    n_features = _check_positive_int("make_linear", "n_features", n_features)
    n_outputs = _check_positive_int("make_linear", "n_outputs", n_outputs)
    noise = _check_nonnegative("make_linear", "noise", noise)
    rng = np.random.default_rng(seed)
    if weight is None:
        weight = rng.uniform(-3.0, 3.0, size=(n_outputs, n_features))
    weight = np.asarray(weight, dtype=float)
    if weight.size != n_outputs * n_features:
        raise ValueError(
            f"make_linear: weight must have shape (n_outputs, n_features) = ({n_outputs}, "
            f"{n_features}), got {weight.size} values of shape {tuple(weight.shape)}"
        )
    weight = weight.reshape(n_outputs, n_features)
    bias = np.broadcast_to(np.asarray(bias, dtype=float), (n_outputs,)).copy()
    X = rng.uniform(x_range[0], x_range[1], size=(n_samples, n_features))
    y = X @ weight.T + bias
    if noise > 0:
        y = y + rng.normal(scale=noise, size=y.shape)
    X, y = X.astype(dtype), y.astype(dtype)
    return (X, y, weight, bias) if return_coef else (X, y)


# ---------------------------------------------------------------- real data (scikit-learn)


def _sklearn_datasets():
    try:
        import sklearn.datasets
    except ImportError as error:
        raise ImportError(
            "this data set is read through scikit-learn, which is not installed: "
            "pip install 'scalargrad[datasets]' (or pip install scikit-learn)") from error
    return sklearn.datasets


def load_breast_cancer(dtype=np.float32):
    """Wisconsin diagnostic breast cancer: X (569, 30) features, y 0 = malignant, 1 = benign."""
    data = _sklearn_datasets().load_breast_cancer()
    return data.data.astype(dtype), data.target.astype(np.int64)


def load_digits(n_class=10, dtype=np.float32):
    """Handwritten digits, 8x8 images: X (n, 64) with pixel values 0..16, y the digit 0..9."""
    n_class = _check_positive_int("load_digits", "n_class", n_class)
    if n_class > 10:
        raise ValueError(f"load_digits: n_class must be between 1 and 10, got {n_class}")
    data = _sklearn_datasets().load_digits(n_class=n_class)
    return data.data.astype(dtype), data.target.astype(np.int64)


_LOADERS = {
    "moons": make_moons, "circles": make_circles, "blobs": make_blobs, "spiral": make_spiral,
    "xor": make_xor, "linear": make_linear,
    "breast_cancer": load_breast_cancer, "digits": load_digits,
}


def names():
    """The names ``load`` accepts."""
    return sorted(_LOADERS)


def load(name, **kwargs):
    """Any data set by name, e.g. ``load("moons", n_samples=200, noise=0.1, seed=0)``."""
    if name not in _LOADERS:
        raise ValueError(f"load: unknown data set name {name!r}; choose one of {names()}")
    return _LOADERS[name](**kwargs)
