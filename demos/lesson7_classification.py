"""Lesson 7: classification with multi-layer perceptrons
=====================================================

1. Activation functions and their derivatives (the derivatives computed by ``backward()``).
2. Softmax: softmax([2, 1, 0.1]) is about [0.659, 0.242, 0.099].
3. micrograd's moons on the scalar engine: MLP(2, [16, 16, 1]), max-margin loss, 100% training
   accuracy, and its decision boundary.
4. On the matrix engine: circles with ``BCEWithLogitsLoss``; blobs and a spiral with
   ``CrossEntropyLoss``; decision regions of each.

Run it as a script::

    python demos/lesson7_classification.py [--out DIR] [--budget small|full]
"""

import numpy as np
from _common import accuracy, parse_args, progress, save, section, summary


def activations(out):
    """sigmoid, tanh, ReLU, softplus and their derivatives, the derivatives from autograd."""
    import scalargrad as sg
    from scalargrad.viz.plots import plot_functions

    section("activation functions and their derivatives")
    xs = np.linspace(-4, 4, 161).astype(np.float32)
    panels, checks = {}, {}
    exact = {"sigmoid": lambda s: s * (1 - s), "tanh": lambda t: 1 - t * t,
             "relu": lambda r: (r > 0).astype(np.float32),
             "softplus": lambda _: 1 / (1 + np.exp(-xs))}
    for name in ["sigmoid", "tanh", "relu", "softplus"]:
        x = sg.tensor(xs, requires_grad=True)
        y = getattr(x, name)()
        y.sum().backward()  # d(sum_i f(x_i))/dx_i = f'(x_i)
        fx, dfx = y.detach().numpy(), x.grad.numpy()
        checks[name] = float(np.max(np.abs(dfx - exact[name](fx))))
        panels[name] = {name: fx, f"{name}' (backward)": dfx}
        print(f"{name:8s}: largest |autograd - formula| derivative error {checks[name]:.2e}")
    save(plot_functions(xs, panels, suptitle="activations and their derivatives"), out,
         "activations.png")
    return {"activation derivative error": max(checks.values())}


def softmax_example():
    import scalargrad as sg

    section("softmax turns logits into probabilities")
    logits = sg.tensor([2.0, 1.0, 0.1])
    p = sg.nn.Softmax(dim=0)(logits).numpy()
    print(f"softmax([2, 1, 0.1]) = {np.round(p, 3)}, sum {p.sum():.6f}")

    logits = sg.tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3], [1.0, 1.0, 3.0]])
    y = np.array([0, 1, 0])
    y_hat = logits.softmax(dim=1)
    picked = y_hat[range(len(y)), y]  # each row's probability of its true class
    by_hand = -picked.log().mean().item()
    library = sg.nn.CrossEntropyLoss()(logits, sg.tensor(y)).item()
    print(f"cross-entropy = -mean(log y_hat[range(n), y]) with y_hat[range(n), y] = "
          f"{np.round(picked.numpy(), 3)}: {by_hand:.6f}; nn.CrossEntropyLoss on the logits: "
          f"{library:.6f}")
    print(f"predicted classes (argmax): {logits.numpy().argmax(axis=1)}, true {y}")
    return {"softmax": np.round(p, 3), "cross-entropy gap": abs(by_hand - library)}


def moons_scalar(out, steps, seed):
    """micrograd's demo: MLP(2, [16, 16, 1]) on 100 moons, SVM max-margin loss + L2."""
    from scalargrad.data.toy_datasets import make_moons
    from scalargrad.scalar import losses
    from scalargrad.scalar.nn import MLP
    from scalargrad.viz.plots import plot_decision_boundary

    section("moons on the scalar engine (micrograd's demo)")
    X, y = make_moons(100, noise=0.1, seed=seed)
    X = X.astype(np.float64)
    targets = [2.0 * t - 1.0 for t in y]  # labels -1 / +1 for the max-margin loss
    model = MLP(2, [16, 16, 1], rng=seed)
    print(f"{model}: {len(model.parameters())} parameters")
    inputs = [list(map(float, row)) for row in X]
    bar = progress(range(steps), desc="moons (scalar)")
    for k in bar:
        scores = [model(row)[0] for row in inputs]
        data_loss = losses.hinge(scores, targets)
        reg_loss = 1e-4 * sum(p * p for p in model.parameters())
        loss = data_loss + reg_loss
        acc = accuracy([s.data > 0 for s in scores], [t > 0 for t in targets])
        model.zero_grad()
        loss.backward()
        lr = 1.0 - 0.9 * k / steps  # micrograd's decaying learning rate
        for p in model.parameters():
            p.data -= lr * p.grad
        bar.set_postfix(loss=f"{loss.data:.4f}", acc=f"{acc:.0%}")
        if k % 10 == 0 or k == steps - 1:
            print(f"step {k:3d}: loss {loss.data:.4f}, accuracy {acc:.0%}")
    scores = [model(row)[0].data for row in inputs]
    train_acc = accuracy([s > 0 for s in scores], y == 1)
    print(f"training accuracy after {steps} steps: {train_acc:.1%}")

    def predict(points):
        return np.array([model(list(map(float, p)))[0].data > 0 for p in points], dtype=int)

    fig = plot_decision_boundary(predict, X, y, resolution=60,
                                 title=f"scalar MLP on moons, training accuracy {train_acc:.0%}")
    save(fig, out, "moons_scalar.png")
    return {"moons train accuracy (scalar)": train_acc}


def _train(model, X, y, criterion, epochs, lr, desc, target_dtype):
    import scalargrad as sg

    optimizer = sg.optim.Adam(model.parameters(), lr=lr)
    xt = sg.from_numpy(X)
    yt = sg.from_numpy(y.astype(target_dtype))
    losses = []
    for _ in progress(range(epochs), desc=desc):
        loss = criterion(model(xt), yt)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def matrix_engine(out, epochs, seed):
    """circles (binary, logits + BCEWithLogitsLoss), blobs and spiral (CrossEntropyLoss)."""
    import scalargrad as sg
    from scalargrad.data import toy_datasets
    from scalargrad.viz.plots import plot_curves, plot_decision_boundary

    results, curves = {}, {}
    section("circles: one logit, BCEWithLogitsLoss")
    sg.manual_seed(seed)
    X, y = toy_datasets.make_circles(300, noise=0.08, factor=0.5, seed=seed)
    model = sg.nn.MLP(2, [16, 16, 1])
    curves["circles"] = _train(model, X, y.reshape(-1, 1), sg.nn.BCEWithLogitsLoss(), epochs,
                               0.03, "circles", np.float32)

    def predict_binary(points):
        with sg.no_grad():
            return (model(sg.from_numpy(points)).numpy()[:, 0] > 0).astype(int)

    acc = accuracy(predict_binary(X), y)
    print(f"circles: training accuracy {acc:.1%}")
    linear = sg.nn.Linear(2, 1)  # no hidden layer: the boundary can only be a straight line
    _train(linear, X, y.reshape(-1, 1), sg.nn.BCEWithLogitsLoss(), epochs, 0.03, "linear",
           np.float32)
    with sg.no_grad():
        linear_acc = accuracy(linear(sg.from_numpy(X)).numpy()[:, 0] > 0, y)
    print(f"the same data with a linear model (no hidden layer, no non-linearity): "
          f"{linear_acc:.1%} -- a straight line cannot separate a ring from its centre")
    results["circles linear accuracy"] = linear_acc
    save(plot_decision_boundary(predict_binary, X, y, title=f"circles, accuracy {acc:.0%}"),
         out, "circles.png")
    results["circles accuracy"] = acc

    blobs = toy_datasets.make_blobs(300, centers=4, cluster_std=1.2, seed=seed)
    spiral = toy_datasets.make_spiral(300, n_classes=3, noise=0.2, seed=seed)
    for name, data in [("blobs", blobs), ("spiral", spiral)]:
        section(f"{name}: {int(data[1].max()) + 1} classes, CrossEntropyLoss on logits")
        X, y = data
        n_classes = int(y.max()) + 1
        model = sg.nn.MLP(2, [32, 32, n_classes])
        curves[name] = _train(model, X, y, sg.nn.CrossEntropyLoss(), epochs, 0.02, name, np.int64)

        def predict(points, model=model):
            with sg.no_grad():
                return model(sg.from_numpy(points)).numpy().argmax(axis=1)

        acc = accuracy(predict(X), y)
        print(f"{name}: training accuracy {acc:.1%} (predicted class = argmax of the logits)")
        save(plot_decision_boundary(predict, X, y, title=f"{name}, accuracy {acc:.0%}"), out,
             f"{name}.png")
        results[f"{name} accuracy"] = acc
    save(plot_curves(curves, ylabel="training loss", logy=True, title="Adam, full batch"), out,
         "losses.png")
    return results


def main(argv=None):
    args = parse_args("lesson7_classification", __doc__, argv)
    small = args.budget == "small"
    results = {}
    results.update(moons_scalar(args.out, steps=200, seed=args.seed))
    results.update(activations(args.out))
    results.update(softmax_example())
    results.update(matrix_engine(args.out, epochs=150 if small else 400, seed=args.seed))
    return summary("lesson 7, classification with MLPs", results)


# %%
# Run the lesson
# --------------
# ``main()`` runs the parts above in order and prints a summary; from a shell it reads ``--out``
# and ``--budget``. The docs ran it with ``--budget small``: what it printed and the figures it
# drew follow (in a notebook, ``SCALARGRAD_BUDGET=small`` chooses the small budget).

if __name__ == "__main__":
    main()
