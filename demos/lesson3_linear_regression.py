"""Lesson 3: linear regression and gradient descent
================================================

1. y = 2x fitted by gradient descent written by hand (NumPy, gradient as a sum).
2. A one-parameter fit f(x) = c x on the scalar engine: c -> sum(xy) / sum(x^2) = 2.9986.
3. ``nn.Linear`` + ``nn.MSELoss`` + ``optim.SGD``; the cost surface J(w, b), its contour and
   the path gradient descent takes on it; SGD, momentum and Adam side by side.
4. Batch vs stochastic vs mini-batch gradient descent with a ``DataLoader``.
5. Choosing the learning rate on a validation set (training data carry a few outliers).

Run it as a script::

    python demos/lesson3_linear_regression.py [--out DIR] [--budget small|full]
"""

import numpy as np
from _common import parse_args, progress, save, section, summary


def by_hand(epochs=10, lr=0.01):
    """y = 2x, w from 0, gradient dw = sum 2x(wx - y); prints w, loss, dw each epoch."""
    section("gradient descent by hand: y = 2x")
    X = np.array([1, 2, 3, 4], dtype=np.float32)
    Y = 2 * X
    w = 0.0  # a Python float; the data are float32
    lines = []
    for epoch in range(epochs):
        y_pred = w * X
        loss = ((y_pred - Y) ** 2).mean()
        dw = float(np.dot(2 * X, y_pred - Y))  # d(sum of squares)/dw
        w -= lr * dw
        lines.append(f"epoch {epoch}: w = {w:.3f}, loss = {loss:.6f}, dw = {dw:.1f}")
        print(lines[-1])
    f5 = f"{w * 5:.3f}"
    print(f"after {epochs} epochs: f(5) = {f5}   (the truth is 10)")
    return {"hand lines": lines[:2], "hand f(5)": f5}


def one_parameter_fit(out=None, steps=100, lr=0.01):
    """f(x) = c x on six points, MSE cost, ``Value`` engine; c -> sum(xy)/sum(x^2)."""
    from scalargrad import Value

    section("a one-parameter fit on the scalar engine: f(x) = c x")
    xs = [1, 2, 3, 4, 5, 6]
    ys = [3.07, 5.93, 9.04, 11.97, 15.12, 17.89]
    c = Value(0.0, label="c")
    path = [c.data]
    for step in range(steps):
        cost = sum((c * x - y) ** 2 for x, y in zip(xs, ys, strict=False)) / len(xs)
        c.grad = 0.0
        cost.backward()
        c.data -= lr * c.grad
        path.append(c.data)
        if step % 20 == 0 or step == steps - 1:
            print(f"step {step:3d}: c = {c.data:.4f}, cost = {cost.data:.4f}")
    exact = sum(x * y for x, y in zip(xs, ys, strict=False)) / sum(x * x for x in xs)
    print(f"c = {c.data:.4f}; the least-squares answer sum(xy)/sum(x^2) = {exact:.4f}")
    if out is not None:
        _plot_one_parameter(out, np.array(xs), np.array(ys), np.array(path[:12]))
    return {"c": round(c.data, 4), "c exact": round(exact, 4)}


def regression_losses(out):
    """MSE, L1 and smooth L1 with reduction mean / sum / none, and their shapes."""
    import scalargrad as sg
    from scalargrad.viz.plots import plot_functions

    section("losses for regression: MSE, L1, smooth L1; reduction mean / sum / none")
    pred, target = sg.tensor([0.5, 2.0, -1.0, 4.0]), sg.tensor([1.0, 1.0, 1.0, 1.0])
    table = {}
    for name in ["MSELoss", "L1Loss", "SmoothL1Loss"]:
        table[name] = {red: getattr(sg.nn, name)(reduction=red)(pred, target).numpy()
                       for red in ("none", "sum", "mean")}
        print(f"{name:13s} none {table[name]['none']}, sum {table[name]['sum']:.3f}, "
              f"mean {table[name]['mean']:.3f}")
    errors = np.linspace(-3, 3, 121).astype(np.float32)
    zero = sg.zeros(len(errors))
    curves = {name: getattr(sg.nn, name)(reduction="none")(sg.from_numpy(errors), zero).numpy()
              for name in ["MSELoss", "L1Loss", "SmoothL1Loss"]}
    save(plot_functions(errors, {"loss of one sample against its error": curves}, ncols=1), out,
         "regression_losses.png")
    return {"MSE mean": float(table["MSELoss"]["mean"]), "L1 sum": float(table["L1Loss"]["sum"])}


def _plot_one_parameter(out, xs, ys, path):
    import matplotlib.pyplot as plt

    cs = np.linspace(-0.5, 5.5, 200)
    cost = ((cs[:, None] * xs - ys) ** 2).mean(axis=1)
    fig, ax = plt.subplots(figsize=(5.5, 4))
    ax.plot(cs, cost, label="cost J(c) = mean (c x - y)^2")
    ax.plot(path, ((path[:, None] * xs - ys) ** 2).mean(axis=1), "ro-", ms=4,
            label="gradient descent, first steps")
    ax.set_xlabel("c")
    ax.set_ylabel("cost")
    ax.set_title("f(x) = c x: the cost and gradient descent")
    ax.legend()
    save(fig, out, "one_parameter_fit.png")


def _line_data(n, seed, noise=0.5):
    from scalargrad.data.toy_datasets import make_linear

    return make_linear(n, weight=[[-3.0]], bias=1.0, noise=noise, seed=seed)


def fit_linear(out, steps, seed):
    """nn.Linear(1, 1) trained with SGD; the (w, b) path drawn on the cost surface."""
    import scalargrad as sg
    from scalargrad.viz.plots import plot_cost_surface

    section("nn.Linear + MSELoss + SGD, and the cost surface")
    X, Y = _line_data(100, seed)

    class LinearRegression(sg.nn.Module):
        """A custom module: its layers are attributes, forward() says how to use them."""

        def __init__(self):
            super().__init__()
            self.linear = sg.nn.Linear(1, 1)

        def forward(self, x):
            return self.linear(x)

    model = LinearRegression()
    model.load_state_dict({"linear.weight": np.array([[-15.0]], np.float32),
                           "linear.bias": np.array([-10.0], np.float32)})
    print(model)
    print(f"model.state_dict(): {dict(model.state_dict())}")
    criterion = sg.nn.MSELoss()
    optimizer = sg.optim.SGD(model.parameters(), lr=0.1)
    print(f"optimizer.state_dict(): {optimizer.state_dict()}")
    xt, yt = sg.from_numpy(X), sg.from_numpy(Y)
    path, losses = [], []
    for step in progress(range(steps), desc="Linear"):
        state = model.state_dict()
        path.append((float(state["linear.weight"][0, 0]), float(state["linear.bias"][0])))
        loss = criterion(model(xt), yt)
        optimizer.zero_grad()
        loss.backward()
        if step == 0:
            # a number now: the state_dict's tensors share the model's storage (as PyTorch's)
            w_before, grad = state["linear.weight"][0, 0].item(), model.linear.weight.grad.item()
        optimizer.step()
        if step == 0:
            w_after = model.state_dict()["linear.weight"][0, 0]
            print(f"one optimizer.step(): w = {w_before:.4f} - 0.1 * {grad:.4f} = "
                  f"{w_before - 0.1 * grad:.4f}; the model now holds {w_after:.4f}")
            step_gap = abs(float(w_after) - float(np.float32(w_before) - np.float32(0.1) * grad))
        losses.append(loss.item())
    state = model.state_dict()
    w, b = float(state["linear.weight"][0, 0]), float(state["linear.bias"][0])
    path.append((w, b))
    print(f"after {steps} steps: w = {w:.3f}, b = {b:.3f} (data: w = -3, b = 1), "
          f"loss {losses[0]:.2f} -> {losses[-1]:.3f}")
    fig = plot_cost_surface(_cost_fn(X, Y), (-20, 15), (-20, 20), path_wb=path,
                            title="MSE cost J(w, b) of y = wx + b")
    save(fig, out, "cost_surface.png")
    return {"linear w": w, "linear b": b, "linear final loss": losses[-1], "step gap": step_gap}


def _cost_fn(X, Y):
    """J(w, b) = mean (w x + b - y)^2 for NumPy grids of w and b."""
    x64, y64 = X[:, 0].astype(np.float64), Y[:, 0].astype(np.float64)

    def cost(W, B):
        W, B = np.asarray(W)[..., None], np.asarray(B)[..., None]
        return ((W * x64 + B - y64) ** 2).mean(axis=-1)

    return cost


def optimizers(out, steps, seed):
    """SGD, SGD with momentum and Adam from the same start: their paths on one contour."""
    import scalargrad as sg
    from scalargrad.viz.plots import plot_cost_surface

    section("optimizers: SGD, momentum, Adam")
    X, Y = _line_data(100, seed)
    xt, yt = sg.from_numpy(X), sg.from_numpy(Y)
    criterion = sg.nn.MSELoss()
    settings = {"SGD lr 0.01": lambda p: sg.optim.SGD(p, lr=0.01),
                "SGD lr 0.01, momentum 0.8": lambda p: sg.optim.SGD(p, lr=0.01, momentum=0.8),
                "Adam lr 1": lambda p: sg.optim.Adam(p, lr=1.0)}
    paths, final = {}, {}
    for name, make in settings.items():
        model = sg.nn.Linear(1, 1)
        model.load_state_dict({"weight": np.array([[-15.0]], np.float32),
                               "bias": np.array([-10.0], np.float32)})
        optimizer = make(model.parameters())
        path = [(-15.0, -10.0)]
        for _ in range(steps):
            loss = criterion(model(xt), yt)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            path.append((model.weight.item(), model.bias.item()))
        with sg.no_grad():
            final[name] = criterion(model(xt), yt).item()
        paths[name] = path
        print(f"{name:26s}: after {steps} steps w = {path[-1][0]:.3f}, b = {path[-1][1]:.3f}, "
              f"cost {final[name]:.4f}")
    fig = plot_cost_surface(_cost_fn(X, Y), (-20, 15), (-20, 20), path_wb=paths,
                            title=f"{steps} steps of each optimizer")
    save(fig, out, "optimizers.png")
    return {"cost after optimizer": {k: round(v, 4) for k, v in final.items()}}


def batch_sizes(out, epochs, seed):
    """The same model trained with batch, stochastic and mini-batch gradient descent."""
    import scalargrad as sg
    from scalargrad.viz.plots import plot_curves

    section("batch vs stochastic vs mini-batch gradient descent")
    X, Y = _line_data(500, seed)
    dataset = sg.data.TensorDataset(sg.from_numpy(X), sg.from_numpy(Y))
    xt, yt = sg.from_numpy(X), sg.from_numpy(Y)
    criterion = sg.nn.MSELoss()
    curves, n_batches = {}, {}
    for name, batch_size, lr in [("batch (500)", 500, 0.1), ("mini-batch (50)", 50, 0.1),
                                 ("stochastic (1)", 1, 0.01)]:
        loader = sg.data.DataLoader(dataset, batch_size=batch_size, shuffle=True, seed=seed)
        n_batches[name] = len(loader)
        model = sg.nn.Linear(1, 1)
        model.load_state_dict({"weight": np.array([[-15.0]], np.float32),
                               "bias": np.array([-10.0], np.float32)})
        optimizer = sg.optim.SGD(model.parameters(), lr=lr)
        with sg.no_grad():
            history = [criterion(model(xt), yt).item()]
        for _ in progress(range(epochs), desc=name):
            for xb, yb in loader:
                loss = criterion(model(xb), yb)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            with sg.no_grad():
                history.append(criterion(model(xt), yt).item())
        curves[f"{name}: {len(loader)} steps/epoch"] = history
        print(f"{name:16s} batch_size {batch_size:3d}: {len(loader):3d} batches per epoch, "
              f"cost after {epochs} epochs {history[-1]:.4f}")
    fig = plot_curves(curves, ylabel="cost on all 500 samples", logy=True,
                      title="one epoch = one pass over the data")
    save(fig, out, "batch_vs_stochastic.png")
    final = {k.split(":")[0]: round(v[-1], 4) for k, v in curves.items()}
    return {"batches per epoch": n_batches, "final cost by batch size": final}


def choose_learning_rate(out, epochs, seed):
    """Train once per learning rate on data with outliers; pick the best validation cost."""
    import scalargrad as sg
    from scalargrad.viz.plots import plot_curves

    section("choosing the learning rate on a validation set")
    X_train, Y_train = _line_data(40, seed, noise=0.3)
    Y_train = Y_train.copy()
    Y_train[:4] += 25.0  # a few outliers in the training data only
    X_val, Y_val = _line_data(40, seed + 1, noise=0.3)
    xt, yt = sg.from_numpy(X_train), sg.from_numpy(Y_train)
    xv, yv = sg.from_numpy(X_val), sg.from_numpy(Y_val)
    criterion = sg.nn.MSELoss()
    rates = [1e-4, 1e-3, 1e-2, 1e-1, 1.0]
    train_cost, val_cost = [], []
    for lr in progress(rates, desc="learning rates"):
        sg.manual_seed(seed)
        model = sg.nn.Linear(1, 1)
        optimizer = sg.optim.SGD(model.parameters(), lr=lr)
        for _ in range(epochs):
            loss = criterion(model(xt), yt)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        with sg.no_grad():
            train_cost.append(criterion(model(xt), yt).item())
            val_cost.append(criterion(model(xv), yv).item())
        print(f"lr {lr:g}: training cost {train_cost[-1]:.4g}, validation cost {val_cost[-1]:.4g}")
    finite = [v if np.isfinite(v) else np.inf for v in val_cost]
    best = rates[int(np.argmin(finite))]
    print(f"best learning rate on the validation data: {best:g}")
    cap = 1e3  # costs beyond this diverged: drawn at the cap so the rest stays readable
    shown = {name: np.minimum(np.nan_to_num(c, nan=cap, posinf=cap), cap)
             for name, c in [("training cost", train_cost), ("validation cost", val_cost)]}
    fig = plot_curves(shown, x=rates, xlabel="learning rate", ylabel="cost", logx=True, logy=True,
                      title=f"{epochs} epochs per learning rate")
    for lr, c in zip(rates, train_cost, strict=True):
        if not c < cap:
            fig.axes[0].annotate("diverged", (lr, cap), textcoords="offset points",
                                 xytext=(-50, -4))
    save(fig, out, "learning_rate.png")
    return {"best lr": best, "validation costs": np.array(val_cost)}


def main(argv=None):
    args = parse_args("lesson3_linear_regression", __doc__, argv)
    small = args.budget == "small"
    results = {}
    results.update(by_hand())
    results.update(one_parameter_fit(args.out))
    results.update(regression_losses(args.out))
    results.update(fit_linear(args.out, steps=15 if small else 30, seed=args.seed))
    results.update(optimizers(args.out, steps=40, seed=args.seed))
    results.update(batch_sizes(args.out, epochs=3 if small else 8, seed=args.seed))
    results.update(choose_learning_rate(args.out, epochs=20 if small else 100, seed=args.seed))
    return summary("lesson 3, linear regression", results)


# %%
# Run the lesson
# --------------
# ``main()`` runs the parts above in order and prints a summary; from a shell it reads ``--out``
# and ``--budget``. The docs ran it with ``--budget small``: what it printed and the figures it
# drew follow (in a notebook, ``SCALARGRAD_BUDGET=small`` chooses the small budget).

if __name__ == "__main__":
    main()
