"""Lesson 5: logistic regression, from the Bernoulli likelihood to binary cross-entropy
====================================================================================

1. The sigmoid squashes a score into a probability.
2. Bernoulli likelihood: H,T,H,T has likelihood 0.0625 at theta = 0.5; the maximum-likelihood
   theta is the mean of the labels. Its negative log is the binary cross-entropy (BCE).
3. Why not MSE for a classifier: the two cost surfaces over (w, b) side by side.
4. BCE on probabilities and the stable "with logits" form.
5. The Wisconsin breast-cancer data (30 features, standardized): nn.Linear(30, 1) on logits with
   BCEWithLogitsLoss, test accuracy; with all weights zero the cost is ln 2 = 0.693147.
6. A 2-D decision boundary from two of the features.

Run it as a script::

    python demos/lesson5_logistic_regression.py [--out DIR] [--budget small|full]
"""

import numpy as np
from _common import accuracy, parse_args, progress, save, section, summary


def bernoulli(out, seed):
    from scalargrad.viz.plots import plot_curves

    section("the Bernoulli likelihood and its maximum")
    flips = np.array([1, 0, 1, 0])  # H, T, H, T
    theta = 0.5
    likelihood = float(np.prod(theta**flips * (1 - theta) ** (1 - flips)))
    print(f"P(H,T,H,T | theta = 0.5) = {likelihood}")
    labels = np.random.default_rng(seed).random(20) < 0.3
    thetas = np.linspace(0.01, 0.99, 99)
    L = np.array([np.prod(t**labels * (1 - t) ** (1 - labels)) for t in thetas])
    nll = -np.array([np.mean(labels * np.log(t) + (1 - labels) * np.log(1 - t)) for t in thetas])
    best = round(float(thetas[np.argmax(L)]), 2)
    print(f"20 labels with mean {labels.mean():.2f}: the likelihood peaks at theta = {best:.2f}; "
          "-log(likelihood)/n is the BCE, lowest at the same theta")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    plot_curves({"likelihood prod theta^y (1 - theta)^(1 - y)": L}, x=thetas, ax=left,
                xlabel="theta", ylabel="likelihood",
                title=f"maximum at the mean {labels.mean():.2f}")
    plot_curves({"BCE = -log(likelihood) / n": nll}, x=thetas, ax=right, xlabel="theta",
                ylabel="binary cross-entropy", title="minimum at the same theta")
    save(fig, out, "bernoulli.png")
    return {"likelihood HTHT": likelihood, "theta hat": best, "label mean": float(labels.mean())}


def surfaces(out, seed):
    """Cost over (w, b) of a 1-D classifier p = sigmoid(w x + b): BCE vs MSE."""
    from scalargrad.viz.plots import plot_cost_surface

    section("BCE vs MSE as the cost of a classifier")
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.normal(-1.5, 1, 30), rng.normal(1.5, 1, 30)])
    y = np.concatenate([np.zeros(30), np.ones(30)])

    def probs(W, B):
        z = np.asarray(W)[..., None] * x + np.asarray(B)[..., None]
        return 1 / (1 + np.exp(-np.clip(z, -30, 30)))

    def bce(W, B):
        p = np.clip(probs(W, B), 1e-12, 1 - 1e-12)
        return -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean(axis=-1)

    def mse(W, B):
        return ((probs(W, B) - y) ** 2).mean(axis=-1)

    for name, cost in [("bce", bce), ("mse", mse)]:
        fig = plot_cost_surface(cost, (-10, 10), (-10, 10), title=f"{name.upper()} cost J(w, b)",
                                log_levels=name == "bce")
        save(fig, out, f"surface_{name}.png")
    wrong = (-8.0, 0.0)  # confidently wrong: every prediction on the wrong side
    h = 1e-4
    slope = {n: float(abs(c(wrong[0] + h, wrong[1]) - c(wrong[0] - h, wrong[1])) / (2 * h))
             for n, c in [("BCE", bce), ("MSE", mse)]}
    print(f"at w = -8 (confidently wrong): |dJ/dw| BCE = {slope['BCE']:.3f}, "
          f"MSE = {slope['MSE']:.5f} -- the MSE surface is flat there, gradient descent stalls")
    return {"slope BCE wrong": slope["BCE"], "slope MSE wrong": slope["MSE"]}


def with_logits():
    """BCE on probabilities loses precision once sigmoid rounds to 1; the logits form does not."""
    import scalargrad as sg

    section("BCE on probabilities vs the stable 'with logits' form")
    z, t = sg.tensor([50.0, -3.0, 0.0]), sg.tensor([0.0, 1.0, 1.0])
    on_probs = sg.nn.BCELoss(reduction="none")(z.sigmoid(), t).numpy()
    on_logits = sg.nn.BCEWithLogitsLoss(reduction="none")(z, t).numpy()
    print(f"logits {z.numpy()}, targets {t.numpy()}")
    print(f"BCELoss(sigmoid(z)):   {on_probs}  (sigmoid(50) rounds to 1: log(1 - 1) is clamped)")
    print(f"BCEWithLogitsLoss(z):  {on_logits}  (max(z, 0) - z t + log(1 + e^-|z|): exact)")
    return {"bce with logits at z=50": float(on_logits[0])}


def train(model, X, y, epochs, lr, desc):
    import scalargrad as sg

    optimizer = sg.optim.SGD(model.parameters(), lr=lr)
    criterion = sg.nn.BCEWithLogitsLoss()
    xt, yt = sg.from_numpy(X), sg.from_numpy(y.reshape(-1, 1).astype(np.float32))
    costs = []
    for _ in progress(range(epochs), desc=desc):
        loss = criterion(model(xt), yt)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        costs.append(loss.item())
    return costs


def predict(model, X):
    import scalargrad as sg

    with sg.no_grad():
        return (model(sg.from_numpy(np.ascontiguousarray(X))).numpy()[:, 0] > 0).astype(int)


def breast_cancer(out, epochs, seed):
    import scalargrad as sg
    from scalargrad.data import standardize, toy_datasets, train_test_split
    from scalargrad.viz.plots import plot_curves, plot_decision_boundary

    section("the Wisconsin breast-cancer data")
    X, y = toy_datasets.load_breast_cancer()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, seed=seed,
                                                        stratify=y)
    X_train, X_test = standardize(X_train, X_test)
    print(f"{len(X_train)} training and {len(X_test)} test patients, {X.shape[1]} features "
          "(standardized with the training mean and std)")
    model = sg.nn.Linear(30, 1)
    model.load_state_dict({"weight": np.zeros((1, 30), np.float32),
                           "bias": np.zeros(1, np.float32)})
    costs = train(model, X_train, y_train, epochs, 0.1, "breast cancer")
    print(f"cost with all weights zero: {costs[0]:.6f} (ln 2 = {np.log(2):.6f}); "
          f"after {epochs} epochs: {costs[-1]:.4f}")
    train_acc = accuracy(predict(model, X_train), y_train)
    test_acc = accuracy(predict(model, X_test), y_test)
    print(f"train accuracy {train_acc:.2%}, test accuracy {test_acc:.2%}")
    save(plot_curves({"training cost (BCE)": costs}, title="logistic regression, 30 features"),
         out, "breast_cancer_cost.png")

    section("a decision boundary from two features: mean radius and mean texture")
    sg.manual_seed(seed)
    model2 = sg.nn.Linear(2, 1)
    train(model2, X_train[:, :2].copy(), y_train, epochs, 0.1, "two features")
    acc2 = accuracy(predict(model2, X_test[:, :2]), y_test)
    print(f"with two features only: test accuracy {acc2:.2%}")
    fig = plot_decision_boundary(lambda P: predict(model2, P), X_test[:, :2], y_test,
                                 title=f"test patients (0 malignant, 1 benign), acc {acc2:.0%}")
    fig.axes[0].set_xlabel("mean radius (standardized)")
    fig.axes[0].set_ylabel("mean texture (standardized)")
    save(fig, out, "decision_boundary.png")
    return {"zero-weight cost": costs[0], "train accuracy": train_acc, "test accuracy": test_acc,
            "two-feature test accuracy": acc2}


def sigmoid_plot(out):
    from scalargrad.viz.plots import plot_functions

    z = np.linspace(-8, 8, 161)
    s = 1 / (1 + np.exp(-z))
    save(plot_functions(z, {"sigmoid": {"sigmoid(z)": s, "threshold 0.5": np.full_like(z, 0.5)}},
                        ncols=1), out, "sigmoid.png")


def main(argv=None):
    args = parse_args("lesson5_logistic_regression", __doc__, argv)
    sigmoid_plot(args.out)
    results = bernoulli(args.out, args.seed)
    results.update(surfaces(args.out, args.seed))
    results.update(with_logits())
    results.update(breast_cancer(args.out, 100 if args.budget == "small" else 300, args.seed))
    return summary("lesson 5, logistic regression", results)


# %%
# Run the lesson
# --------------
# ``main()`` runs the parts above in order and prints a summary; from a shell it reads ``--out``
# and ``--budget``. The docs ran it with ``--budget small``: what it printed and the figures it
# drew follow (in a notebook, ``SCALARGRAD_BUDGET=small`` chooses the small budget).

if __name__ == "__main__":
    main()
