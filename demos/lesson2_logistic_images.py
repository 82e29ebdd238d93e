"""Lesson 2: logistic regression as a one-neuron network on images
===============================================================

Is an 8x8 handwritten digit a 3 or not? Each image is flattened into a column of 64 pixels
scaled to [0, 1], so the data is X of shape (64, m) and the labels Y of shape (1, m)::

    forward:   A = sigmoid(w^T X + b)                        (1, m)
    cost:      J = -mean(Y log A + (1 - Y) log(1 - A))
    gradients: dw = X (A - Y)^T / m   (64, 1),   db = mean(A - Y)

The hand-derived gradients are printed next to the engine's ``backward()`` on the same weights,
then the neuron is trained both ways. Also: the derivative as the slope of a tangent.

Run it as a script::

    python demos/lesson2_logistic_images.py [--out DIR] [--budget small|full]
"""

import numpy as np
from _common import accuracy, parse_args, progress, save, section, summary

DIGIT = 3


def load(seed):
    """Digits as columns: X (64, m) in [0, 1], Y (1, m) with 1 where the digit is a 3."""
    from scalargrad.data import train_test_split
    from scalargrad.data.toy_datasets import load_digits

    pixels, labels = load_digits()
    images = pixels.reshape(-1, 8, 8)  # the images as they are: 8 x 8 pixels, values 0..16
    train_im, test_im, y_train, y_test = train_test_split(images, labels, test_size=0.25,
                                                          seed=seed, stratify=labels)

    def columns(im, y):
        X = im.reshape(len(im), -1).T / 16.0  # flatten each image into a column, scale to [0, 1]
        return X.astype(np.float64), (y == DIGIT).astype(np.float64).reshape(1, -1)

    print(f"training images {train_im.shape} -> flattened and scaled to columns")
    return columns(train_im, y_train), columns(test_im, y_test)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def forward_backward(w, b, X, Y):
    """The cost and the hand-derived gradients, in NumPy."""
    m = X.shape[1]
    A = sigmoid(w.T @ X + b)
    cost = -np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    dw = X @ (A - Y).T / m
    db = np.mean(A - Y)
    return cost, dw, db


def engine_gradients(w, b, X, Y):
    """The same cost through the matrix engine; gradients from ``backward()``."""
    import scalargrad as sg

    wt = sg.tensor(w.astype(np.float32), requires_grad=True)
    bt = sg.tensor(np.float32(b), requires_grad=True)
    A = (sg.from_numpy(X.T.astype(np.float32)) @ wt + bt).sigmoid()  # (m, 1), batch first
    cost = sg.nn.BCELoss()(A, sg.from_numpy(Y.T.astype(np.float32)))
    cost.backward()
    return cost.item(), wt.grad.numpy(), float(bt.grad.item())


def compare_gradients(X, Y, seed):
    section("hand-derived gradients vs backward()")
    rng = np.random.default_rng(seed)
    w, b = rng.normal(scale=0.1, size=(X.shape[0], 1)), 0.1
    cost, dw, db = forward_backward(w, b, X, Y)
    cost_e, dw_e, db_e = engine_gradients(w, b, X, Y)
    print(f"cost: by hand {cost:.6f}   engine {cost_e:.6f}")
    print("   i   dw by hand   dw engine")
    for i in np.flatnonzero(np.abs(dw[:, 0]) > 0)[:6]:
        print(f"  {i:2d}   {dw[i, 0]: .6f}   {dw_e[i, 0]: .6f}")
    print(f"  db   {db: .6f}   {db_e: .6f}")
    diff = float(max(np.max(np.abs(dw - dw_e)), abs(db - db_e)))
    print(f"largest difference: {diff:.2e} (float32 rounding)")
    return {"gradient max difference": diff}


def train_numpy(X, Y, iterations, lr):
    w, b = np.zeros((X.shape[0], 1)), 0.0
    costs = []
    for _ in range(iterations):
        cost, dw, db = forward_backward(w, b, X, Y)
        w -= lr * dw
        b -= lr * db
        costs.append(cost)
    return w, b, costs


def train_engine(X, Y, iterations, lr):
    import scalargrad as sg

    w = sg.tensor(np.zeros((X.shape[0], 1), np.float32), requires_grad=True)
    b = sg.tensor(np.float32(0.0), requires_grad=True)
    optimizer = sg.optim.SGD([w, b], lr=lr)
    criterion = sg.nn.BCELoss()
    xt, yt = sg.from_numpy(X.T.astype(np.float32)), sg.from_numpy(Y.T.astype(np.float32))
    costs = []
    for _ in progress(range(iterations), desc="engine"):
        cost = criterion((xt @ w + b).sigmoid(), yt)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        costs.append(cost.item())
    return w.detach().numpy().astype(np.float64), float(b.item()), costs


def train_both(out, iterations, lr, train, test):
    from scalargrad.viz.plots import plot_curves

    section(f"training: {iterations} iterations of gradient descent, learning rate {lr}")
    (X, Y), (X_test, Y_test) = train, test
    w_np, b_np, costs_np = train_numpy(X, Y, iterations, lr)
    w_sg, b_sg, costs_sg = train_engine(X, Y, iterations, lr)
    print(" iteration   cost by hand   cost engine")
    for i in range(0, iterations, 100):
        print(f"  {i:8d}   {costs_np[i]:.6f}       {costs_sg[i]:.6f}")
    results = {}
    for name, w, b in [("hand", w_np, b_np), ("engine", w_sg, b_sg)]:
        acc_train = accuracy(sigmoid(w.T @ X + b) > 0.5, Y > 0.5)
        acc_test = accuracy(sigmoid(w.T @ X_test + b) > 0.5, Y_test > 0.5)
        print(f"{name:6s}: train accuracy {acc_train:.2%}, test accuracy {acc_test:.2%}")
        results[f"{name} train accuracy"] = acc_train
        results[f"{name} test accuracy"] = acc_test
    baseline = accuracy(np.zeros_like(Y_test), Y_test > 0.5)
    print(f"(always answering 'not a {DIGIT}' would score {baseline:.2%} on the test set)")
    curves = {"NumPy, hand-derived gradients": costs_np, "scalargrad, backward()": costs_sg}
    fig = plot_curves(curves, xlabel="iteration", ylabel="cost J",
                      title=f"is it a {DIGIT}? learning curve")
    fig.axes[0].lines[1].set_linestyle("--")  # the two curves lie on top of each other
    fig.axes[0].legend()
    save(fig, out, "learning_curve.png")
    results["final cost"] = costs_sg[-1]
    return results


def main(argv=None):
    from lesson1_autograd import tangent

    args = parse_args("lesson2_logistic_images", __doc__, argv)
    train, test = load(args.seed)
    print(f"training images X: {train[0].shape}, labels Y: {train[1].shape}; "
          f"test X: {test[0].shape}")
    results = tangent(args.out)
    results.update(compare_gradients(*train, seed=args.seed))
    iterations = 300 if args.budget == "small" else 1000
    results.update(train_both(args.out, iterations, 0.5, train, test))
    return summary("lesson 2, logistic regression on images", results)


# %%
# Run the lesson
# --------------
# ``main()`` runs the parts above in order and prints a summary; from a shell it reads ``--out``
# and ``--budget``. The docs ran it with ``--budget small``: what it printed and the figures it
# drew follow (in a notebook, ``SCALARGRAD_BUDGET=small`` chooses the small budget).

if __name__ == "__main__":
    main()
