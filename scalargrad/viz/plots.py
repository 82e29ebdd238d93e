"""Plots for the lessons: decision boundaries, learning curves, cost surfaces, confusion
matrices, image grids, a function with its tangent line.

Every function draws on NumPy arrays and plain callables (so it serves both engines), returns
the matplotlib ``Figure``, and writes it as PNG when given ``path=``. Figures saved this way are
closed, so long runs do not pile them up.
"""

from pathlib import Path

import numpy as np

__all__ = [
    "save_figure", "plot_decision_boundary", "plot_curves", "plot_cost_surface",
    "confusion_matrix", "plot_confusion_matrix", "plot_image_grid", "plot_tangent",
    "plot_functions",
]


def _plt():
    import matplotlib.pyplot as plt  # headless machines fall back to the Agg backend

    return plt


def save_figure(fig, path):
    """Write ``fig`` as PNG to ``path`` (folders created), close it, return the Path."""
    plt = _plt()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return path


def _finish(fig, path):
    if path is not None:
        save_figure(fig, path)
    return fig


def _new_axes(ax, figsize=(5, 4), projection=None):
    if ax is not None:
        return ax.figure, ax
    plt = _plt()
    fig = plt.figure(figsize=figsize)
    return fig, fig.add_subplot(1, 1, 1, projection=projection)


def plot_decision_boundary(predict, X, y, ax=None, resolution=150, margin=0.5, title=None,
                           path=None):
    """Colour the plane by ``predict(points) -> class labels`` and scatter the data on top.

    ``predict`` takes an ``(n, 2)`` NumPy array and returns ``n`` integer labels.
    """
    if not callable(predict):
        raise TypeError(
            "plot_decision_boundary: predict must be a function from (n, 2) points to n labels, "
            f"got {type(predict).__name__}"
        )
    X, y = np.asarray(X), np.asarray(y).reshape(-1)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary needs 2-D points, got X of shape "
            f"{tuple(X.shape)}")
    fig, ax = _new_axes(ax)
    x0 = np.linspace(X[:, 0].min() - margin, X[:, 0].max() + margin, resolution)
    x1 = np.linspace(X[:, 1].min() - margin, X[:, 1].max() + margin, resolution)
    g0, g1 = np.meshgrid(x0, x1)
    grid = np.column_stack([g0.ravel(), g1.ravel()]).astype(X.dtype)
    z = np.asarray(predict(grid)).reshape(g0.shape)
    classes = np.unique(np.concatenate([np.unique(y), np.unique(z)]))
    levels = np.concatenate([classes - 0.5, [classes[-1] + 0.5]])
    ax.contourf(g0, g1, z, levels=levels, cmap="coolwarm" if len(classes) <= 2 else "Spectral",
                alpha=0.35)
    ax.scatter(X[:, 0], X[:, 1], c=y, s=18, edgecolors="k", linewidths=0.4,
               cmap="coolwarm" if len(classes) <= 2 else "Spectral",
               vmin=classes.min(), vmax=classes.max())
    ax.set_xlabel("$x_0$")
    ax.set_ylabel("$x_1$")
    if title:
        ax.set_title(title)
    return _finish(fig, path)


def plot_curves(curves, ax=None, xlabel="epoch", ylabel="loss", title=None, logx=False,
                logy=False, x=None, path=None):
    """Line plot of ``{label: values}``; ``x`` (shared x values) defaults to 0, 1, 2, ..."""
    if not isinstance(curves, dict):
        raise TypeError(
            f"plot_curves: curves must be a dict {{label: values}}, e.g. {{'train': losses}}, got "
            f"{type(curves).__name__}"
        )
    if not curves:
        raise ValueError("plot_curves needs at least one curve")
    fig, ax = _new_axes(ax, figsize=(6, 4))
    for label, values in curves.items():
        values = np.asarray(values, dtype=float)
        xs = np.arange(len(values)) if x is None else np.asarray(x)
        ax.plot(xs, values, label=label, marker="o" if len(values) <= 30 else None, ms=3)
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend()
    if title:
        ax.set_title(title)
    return _finish(fig, path)


def plot_cost_surface(cost, w_range, b_range, path_wb=None, resolution=60, title="cost J(w, b)",
                      labels=("w", "b"), log_levels=True, path=None):
    """The cost over a parameter plane: a 3-D surface and a contour plot side by side.

    ``cost(W, B)`` is evaluated on meshgrid arrays (write it with NumPy broadcasting).
    ``path_wb`` is an ``(steps, 2)`` sequence of parameters gradient descent visited, drawn on
    both panels with its start marked, or a dict ``{label: path}`` of several (optimizers).
    """
    plt = _plt()
    w = np.linspace(*w_range, resolution)
    b = np.linspace(*b_range, resolution)
    W, B = np.meshgrid(w, b)
    J = np.asarray(cost(W, B), dtype=float)
    fig = plt.figure(figsize=(11, 4.5))
    ax3 = fig.add_subplot(1, 2, 1, projection="3d")
    ax3.plot_surface(W, B, J, cmap="viridis", alpha=0.8, linewidth=0)
    ax3.set_xlabel(labels[0])
    ax3.set_ylabel(labels[1])
    ax3.set_zlabel("cost")
    ax3.set_title(title)
    ax2 = fig.add_subplot(1, 2, 2)
    if log_levels and J.min() > 0:
        levels = np.geomspace(J.min(), J.max(), 25)
    else:
        levels = 25
    cs = ax2.contour(W, B, J, levels=levels, cmap="viridis")
    fig.colorbar(cs, ax=ax2, label="cost")
    ax2.set_xlabel(labels[0])
    ax2.set_ylabel(labels[1])
    ax2.set_title("contour" if path_wb is None else "contour and the descent path")
    if path_wb is not None:
        paths = path_wb if isinstance(path_wb, dict) else {"gradient descent": path_wb}
        for k, (label, p) in enumerate(paths.items()):
            p = np.asarray(p, dtype=float)
            color = "r" if len(paths) == 1 else f"C{k + 1}"
            pj = np.asarray(cost(p[:, 0], p[:, 1]), dtype=float)
            ax3.plot(p[:, 0], p[:, 1], pj, ".-", color=color, ms=4, zorder=10)
            ax2.plot(p[:, 0], p[:, 1], ".-", color=color, ms=4, label=label)
            ax2.plot(p[-1, 0], p[-1, 1], "*", color=color, ms=12)
        ax2.plot(p[0, 0], p[0, 1], "ko", label="start")
        ax2.legend(loc="upper right", fontsize=8)
    return _finish(fig, path)


def _class_labels(name, labels):
    """``labels`` as a flat int64 array; scores or probabilities (non-whole floats) are refused."""
    labels = np.asarray(labels)
    if labels.dtype.kind == "f":
        whole = np.isfinite(labels) & (labels == np.round(labels))
        if not whole.all():
            raise ValueError(
                f"confusion_matrix: {name} holds {labels[~whole].flat[0]!r}, not a class index; "
                "pass predicted classes (e.g. logits.argmax(1)), not scores or probabilities"
            )
    elif labels.dtype.kind not in "iub":
        raise TypeError(f"confusion_matrix: {name} must hold class indices, got {labels.dtype}")
    return labels.astype(np.int64).reshape(-1)


def confusion_matrix(y_true, y_pred, n_classes=None):
    """Counts ``C[i, j]`` of samples of true class i predicted as j."""
    y_true = _class_labels("y_true", y_true)
    y_pred = _class_labels("y_pred", y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"confusion_matrix: y_true has {y_true.size} labels but y_pred has {y_pred.size}"
        )
    if n_classes is None:
        n_classes = int(max(y_true.max(initial=-1), y_pred.max(initial=-1))) + 1
    for name, labels in (("y_true", y_true), ("y_pred", y_pred)):
        bad = (labels < 0) | (labels >= n_classes)
        if bad.any():
            raise ValueError(
                f"confusion_matrix: {name} holds label {int(labels[bad][0])}, outside the "
                f"{n_classes} classes [0, {n_classes}); labels must be class indices 0, 1, ..."
            )
    cm = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(cm, (y_true, y_pred), 1)
    return cm


def plot_confusion_matrix(cm, class_names=None, ax=None, title="confusion matrix", path=None):
    """Heat map of a confusion matrix with the count in every cell."""
    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(
            "plot_confusion_matrix: a confusion matrix is square, got shape "
            f"{tuple(cm.shape)}"
        )
    n = len(cm)
    if class_names is not None and (
        isinstance(class_names, str) or not hasattr(class_names, "__iter__")
    ):
        raise TypeError(
            f"plot_confusion_matrix: class_names must be a list of {n} names, got "
            f"{type(class_names).__name__}"
        )
    names = [str(i) for i in range(n)] if class_names is None else list(class_names)
    fig, ax = _new_axes(ax, figsize=(5.5, 5))
    ax.imshow(cm, cmap="Blues")
    for i in range(n):
        for j in range(n):
            ax.text(j, i, str(cm[i, j]), ha="center", va="center", fontsize=8,
                    color="white" if cm[i, j] > cm.max() / 2 else "black")
    ax.set_xticks(range(n), names)
    ax.set_yticks(range(n), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    return _finish(fig, path)


def plot_image_grid(images, titles=None, ncols=8, cmap="gray_r", suptitle=None, path=None):
    """Images ``(n, H, W)`` (or ``(n, H*W)`` square ones) in a grid, with optional titles."""
    plt = _plt()
    images = np.asarray(images)
    if images.ndim == 2:
        side = int(round(np.sqrt(images.shape[1])))
        if side * side != images.shape[1]:
            raise ValueError(
                f"plot_image_grid: cannot reshape rows of {images.shape[1]} pixels into a "
                "square"
            )
        images = images.reshape(len(images), side, side)
    n = len(images)
    if n == 0:
        fig = plt.figure(figsize=(3, 1))
        fig.text(0.5, 0.5, "(no images)", ha="center", va="center")
        return _finish(fig, path)
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.3 * ncols, 1.7 * nrows), squeeze=False)
    for k, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if k < n:
            ax.imshow(images[k], cmap=cmap)
            if titles is not None:
                ax.set_title(str(titles[k]), fontsize=8)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return _finish(fig, path)


def plot_tangent(f, x0, x_range=(-1.0, 3.0), df=None, ax=None, title=None, path=None):
    """``f`` with its tangent line at ``x0``; the slope is ``df(x0)`` or a central difference."""
    fig, ax = _new_axes(ax, figsize=(5.5, 4))
    xs = np.linspace(*x_range, 200)
    if df is None:
        h = 1e-5
        slope = (f(x0 + h) - f(x0 - h)) / (2 * h)
    else:
        slope = df(x0)
    y0 = f(x0)
    ax.plot(xs, f(xs), label="f(x)")
    ax.plot(xs, y0 + slope * (xs - x0), "--", label=f"tangent at x={x0:g}, slope {slope:.3g}")
    ax.plot([x0], [y0], "ko")
    ax.axhline(0, color="grey", lw=0.5)
    ax.set_xlabel("x")
    ax.grid(alpha=0.3)
    ax.legend()
    if title:
        ax.set_title(title)
    return _finish(fig, path)


def plot_functions(xs, columns, ncols=4, suptitle=None, path=None):
    """Small panels, one per ``{title: {label: ys}}`` entry, all against the same ``xs``."""
    plt = _plt()
    n = len(columns)
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.2 * ncols, 2.8 * nrows), squeeze=False)
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    for ax, (title, lines) in zip(axes.ravel(), columns.items(), strict=False):
        for label, ys in lines.items():
            ax.plot(xs, ys, label=label)
        ax.axhline(0, color="grey", lw=0.5)
        ax.axvline(0, color="grey", lw=0.5)
        ax.set_title(title)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return _finish(fig, path)
