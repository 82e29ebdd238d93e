"""Lesson 6: non-linear regression with a few sigmoid hidden units
===============================================================

The curve y = x^2 + 15 sin(x)^3 is not a line, but a sum of shifted, scaled sigmoids can follow
it. The network is ``Linear(1, H) -> Sigmoid -> Linear(H, 1)``::

    y_hat(x) = b2 + sum_j v_j * sigmoid(w_j x + b_j)

so the fit is literally a sum of H curves, one per hidden unit; the second figure draws each.

Run it as a script::

    python demos/lesson6_nonlinear_regression.py [--out DIR] [--budget small|full] [--hidden H]
"""

import numpy as np
from _common import parse_args, progress, save, section, summary


def target(x):
    return x**2 + 15 * np.sin(x) ** 3


def main(argv=None):
    import matplotlib.pyplot as plt

    import scalargrad as sg
    from scalargrad.viz.plots import plot_curves

    def extra(parser):
        parser.add_argument("--hidden", type=int, default=8, help="number of hidden units")

    args = parse_args("lesson6_nonlinear_regression", __doc__, argv, extra)
    if args.hidden < 1:
        raise SystemExit(f"--hidden must be >= 1, got {args.hidden}")
    epochs = 3000 if args.budget == "small" else 8000
    rng = np.random.default_rng(args.seed)
    x = np.sort(rng.uniform(-5, 5, 200)).astype(np.float32).reshape(-1, 1)
    y = (target(x) + rng.normal(scale=1.0, size=x.shape)).astype(np.float32)
    x_scale, y_scale = 5.0, float(np.abs(y).max())  # inputs and targets of order 1

    section(f"fitting y = x^2 + 15 sin(x)^3 with {args.hidden} sigmoid hidden units")
    sg.manual_seed(args.seed)
    model = sg.nn.Sequential(sg.nn.Linear(1, args.hidden), sg.nn.Sigmoid(),
                             sg.nn.Linear(args.hidden, 1))
    optimizer = sg.optim.Adam(model.parameters(), lr=0.05)
    criterion = sg.nn.MSELoss()
    xt, yt = sg.from_numpy(x / x_scale), sg.from_numpy(y / y_scale)
    losses = []
    bar = progress(range(epochs), desc="fit")
    for epoch in bar:
        loss = criterion(model(xt), yt)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item() * y_scale**2)  # MSE in the units of y
        if epoch % 1000 == 0:
            print(f"epoch {epoch:5d}: MSE {losses[-1]:.3f}")
    print(f"final MSE {losses[-1]:.3f} (the noise alone has variance 1.0)")

    # each hidden unit's contribution v_j * sigmoid(w_j x + b_j), in the units of y
    state = {k: np.asarray(v, dtype=np.float64) for k, v in model.state_dict().items()}
    w1, b1, w2, b2 = state["0.weight"], state["0.bias"], state["2.weight"], state["2.bias"]
    grid = np.linspace(-5, 5, 300)
    hidden = 1 / (1 + np.exp(-(np.outer(grid / x_scale, w1[:, 0]) + b1)))
    parts = hidden * w2[0] * y_scale
    fit = parts.sum(axis=1) + b2[0] * y_scale
    with sg.no_grad():
        fit_engine = model(sg.from_numpy((grid / x_scale).astype(np.float32).reshape(-1, 1)))
    agree = float(np.max(np.abs(fit - fit_engine.numpy()[:, 0] * y_scale)))
    print(f"sum of the hidden units' curves vs the model's output: max difference {agree:.2e}")

    fig, ax = plt.subplots(figsize=(6, 4))
    ax.scatter(x, y, s=8, color="grey", label="data")
    ax.plot(grid, target(grid), "k--", lw=1, label="x^2 + 15 sin(x)^3")
    ax.plot(grid, fit, "r", label=f"network, {args.hidden} hidden units")
    ax.legend()
    ax.set_xlabel("x")
    save(fig, args.out, "fit.png")
    fig, ax = plt.subplots(figsize=(6, 4))
    for j in range(args.hidden):
        ax.plot(grid, parts[:, j], lw=1, label=f"unit {j}")
    ax.plot(grid, fit, "k", lw=2, label="their sum + bias")
    ax.set_title("what each hidden unit learned: v_j sigmoid(w_j x + b_j)")
    ax.legend(fontsize=7, ncol=2)
    ax.set_xlabel("x")
    save(fig, args.out, "hidden_units.png")
    save(plot_curves({"MSE": losses}, logy=True, title="Adam, full batch"), args.out, "loss.png")
    return summary("lesson 6, non-linear regression", {
        "hidden units": args.hidden, "final MSE": losses[-1], "parts sum error": agree})


# %%
# Run the lesson
# --------------
# ``main()`` runs the parts above in order and prints a summary; from a shell it reads ``--out``
# and ``--budget``. The docs ran it with ``--budget small``: what it printed and the figures it
# drew follow (in a notebook, ``SCALARGRAD_BUDGET=small`` chooses the small budget).

if __name__ == "__main__":
    main()
