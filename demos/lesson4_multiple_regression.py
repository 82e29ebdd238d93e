"""Lesson 4: multiple linear regression and multi-output regression
================================================================

``nn.Linear(3, 1)`` (three inputs) and ``nn.Linear(3, 2)`` (two outputs at once: the weight
matrix is out x in = 2 x 3) trained with SGD on noisy data, compared with the closed-form
least-squares fit ``numpy.linalg.lstsq`` of the same data.

Run it as a script::

    python demos/lesson4_multiple_regression.py [--out DIR] [--budget small|full]
"""

import numpy as np
from _common import parse_args, progress, save, section, summary


def least_squares(X, Y):
    """Closed form: [W^T; b] = argmin ||[X 1] theta - Y||^2 (numpy.linalg.lstsq)."""
    A = np.hstack([X, np.ones((len(X), 1))]).astype(np.float64)
    theta = np.linalg.lstsq(A, Y.astype(np.float64), rcond=None)[0]
    return theta[:-1].T, theta[-1]  # weight (out, in), bias (out,)


def fit(X, Y, epochs, lr, seed, desc):
    """Mini-batch SGD on an nn.Linear; returns its weight, bias and the loss per epoch."""
    import scalargrad as sg

    sg.manual_seed(seed)
    model = sg.nn.Linear(X.shape[1], Y.shape[1])
    optimizer = sg.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    criterion = sg.nn.MSELoss()
    loader = sg.data.DataLoader(sg.data.TensorDataset(sg.from_numpy(X), sg.from_numpy(Y)),
                                batch_size=32, shuffle=True, seed=seed)
    xt, yt = sg.from_numpy(X), sg.from_numpy(Y)
    history = []
    for _ in progress(range(epochs), desc=desc):
        for xb, yb in loader:
            loss = criterion(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        with sg.no_grad():
            history.append(criterion(model(xt), yt).item())
    state = model.state_dict()
    return np.asarray(state["weight"]), np.asarray(state["bias"]), history


def _fmt(a):
    text = np.array2string(np.asarray(a, np.float64), precision=4, floatmode="fixed",
                           separator=", ", suppress_small=True)
    return text.replace("\n", "")


def compare(name, X, Y, true_w, true_b, epochs, seed):
    section(f"{name}: X {X.shape} -> Y {Y.shape}")
    w, b, history = fit(X, Y, epochs, 0.01, seed, name)
    w_ls, b_ls = least_squares(X, Y)
    for label, W, B in [("true", true_w, true_b), ("SGD", w, b), ("lstsq", w_ls, b_ls)]:
        print(f"{label:6s} W = {_fmt(W)}  b = {_fmt(B)}")
    gap = float(max(np.max(np.abs(w - w_ls)), np.max(np.abs(b - b_ls))))
    print(f"largest |SGD - least squares| = {gap:.4f}; final MSE {history[-1]:.4f}")
    return w, b, w_ls, b_ls, history, gap


def main(argv=None):
    from scalargrad.data.toy_datasets import make_linear
    from scalargrad.viz.plots import plot_curves

    args = parse_args("lesson4_multiple_regression", __doc__, argv)
    epochs = 10 if args.budget == "small" else 40
    X, Y, w1, b1 = make_linear(400, n_features=3, weight=[[1.5, -2.0, 0.5]], bias=0.7,
                               noise=0.3, seed=args.seed, return_coef=True)
    single = compare("multiple linear regression", X, Y, w1, b1, epochs, args.seed)
    X2, Y2, w2, b2 = make_linear(400, n_features=3, n_outputs=2,
                                 weight=[[1.5, -2.0, 0.5], [-1.0, 0.0, 2.5]], bias=[0.7, -1.2],
                                 noise=0.3, seed=args.seed + 1, return_coef=True)
    multi = compare("multi-output regression", X2, Y2, w2, b2, epochs, args.seed)
    save(plot_curves({"Linear(3, 1)": single[4], "Linear(3, 2)": multi[4]}, ylabel="MSE",
                     logy=True, title="SGD with momentum, batch size 32"), args.out, "losses.png")
    save(_bars(single, multi), args.out, "weights_vs_lstsq.png")
    return summary("lesson 4, multiple regression", {
        "single-output gap to lstsq": single[5], "multi-output gap to lstsq": multi[5],
        "single-output MSE": single[4][-1], "multi-output MSE": multi[4][-1]})


def _bars(single, multi):
    """Learned parameters next to the least-squares ones."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    for ax, (w, b, w_ls, b_ls, *_), title in zip(axes, [single, multi],
                                                 ["Linear(3, 1)", "Linear(3, 2)"], strict=False):
        sgd = np.concatenate([w.ravel(), b.ravel()])
        ls = np.concatenate([w_ls.ravel(), np.ravel(b_ls)])
        names = [f"W[{i},{j}]" for i in range(w.shape[0]) for j in range(w.shape[1])]
        names += [f"b[{i}]" for i in range(len(np.ravel(b)))]
        pos = np.arange(len(sgd))
        ax.bar(pos - 0.2, sgd, 0.4, label="SGD")
        ax.bar(pos + 0.2, ls, 0.4, label="least squares")
        ax.set_xticks(pos, names, rotation=45, fontsize=8)
        ax.axhline(0, color="grey", lw=0.5)
        ax.set_title(title)
        ax.legend()
    fig.tight_layout()
    return fig


# %%
# Run the lesson
# --------------
# ``main()`` runs the parts above in order and prints a summary; from a shell it reads ``--out``
# and ``--budget``. The docs ran it with ``--budget small``: what it printed and the figures it
# drew follow (in a notebook, ``SCALARGRAD_BUDGET=small`` chooses the small budget).

if __name__ == "__main__":
    main()
