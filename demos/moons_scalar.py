"""micrograd's demo on the scalar engine: an MLP learns the two moons, one Value at a time
=======================================================================================

MLP(2, [16, 16, 1]) on 100 noisy moons points, labels -1/+1, trained with the SVM hinge loss
mean(relu(1 - y * score)) + 1e-4 * sum(w^2) and plain SGD whose learning rate falls from 1.0 to
0.1 over the run, 1.0 - 0.9 k / steps (micrograd's schedule, which has steps = 100). Writes the
decision boundary and a picture of one neuron's computation graph.

Run it as a script::

    python demos/moons_scalar.py [--out out/moons_scalar] [--budget small|full] [--seed 0]
"""

import numpy as np
from _common import accuracy, parse_args, progress, save, section, summary


def loss_and_accuracy(model, X, y, alpha=1e-4):
    """Hinge loss + L2 penalty over the whole data set, and the training accuracy."""
    from scalargrad import Value
    from scalargrad.scalar.losses import hinge

    scores = [model(row)[0] for row in X]
    params = model.parameters()
    loss = hinge(scores, y) + alpha * Value.dot(params, params)  # dot(p, p) = sum p^2
    acc = accuracy([s.data > 0 for s in scores], [t > 0 for t in y])
    return loss, acc


def train(model, X, y, steps, log_every=10):
    """Full-batch SGD with micrograd's learning-rate schedule; returns (losses, accuracies)."""
    from scalargrad.optim import SGD

    optimizer = SGD(model.parameters(), lr=1.0)
    losses, accs = [], []
    for k in progress(range(steps), desc="training"):
        optimizer.param_groups[0]["lr"] = 1.0 - 0.9 * k / steps
        loss, acc = loss_and_accuracy(model, X, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.data)
        accs.append(acc)
        if k % log_every == 0 or k == steps - 1:
            print(f"  step {k:3d}  loss {loss.data:.4f}  accuracy {acc:.0%}")
    return losses, accs


def predict(model):
    """Class labels 0/1 for an (n, 2) array of points, computed without recording a graph."""
    import scalargrad as sg

    def labels(points):
        with sg.no_grad():
            return np.array([model(row)[0].data > 0 for row in points.tolist()], dtype=int)

    return labels


def neuron_graph(out):
    """One neuron tanh(w . x + b), backpropagated, drawn with every node's data and grad."""
    from scalargrad import Value
    from scalargrad.scalar.nn import Neuron
    from scalargrad.viz import draw_graph

    neuron = Neuron(2, activation="tanh", rng=3)
    for name, p in zip(["w0", "w1", "b"], neuron.w + [neuron.b], strict=True):
        p.label = name
    x = [Value(1.0, label="x0"), Value(-0.5, label="x1")]
    y = neuron(x)
    y.label = "y"
    y.backward()
    return save(draw_graph(y), out, "neuron_graph.png")


def main(argv=None):
    args = parse_args("moons_scalar", __doc__, argv)
    from scalargrad.data.toy_datasets import make_moons
    from scalargrad.scalar.nn import MLP
    from scalargrad.viz import plot_decision_boundary

    section("data: 100 noisy moons, labels -1 / +1")
    X, y01 = make_moons(100, noise=0.1, seed=args.seed, dtype=np.float64)
    y = (2 * y01 - 1).tolist()
    model = MLP(2, [16, 16, 1], rng=args.seed)
    print(f"  model: {model}, {len(model.parameters())} parameters")

    section("training: hinge loss + 1e-4 L2, SGD with a decaying learning rate")
    steps = 200 if args.budget == "full" else 40
    losses, accs = train(model, X.tolist(), y, steps)

    section("pictures")
    fig = plot_decision_boundary(
        predict(model), X, y01, resolution=60, title=f"scalar MLP, accuracy {accs[-1]:.0%}"
    )
    boundary = save(fig, args.out, "decision_boundary.png")
    graph = neuron_graph(args.out)
    return summary(
        "moons on the scalar engine",
        {
            "steps": steps,
            "final loss": losses[-1],
            "final accuracy": accs[-1],
            "best accuracy": max(accs),
            "decision boundary": str(boundary),
            "graph": str(graph),
        },
    )


# %%
# Run the lesson
# --------------
# ``main()`` runs the parts above in order and prints a summary; from a shell it reads ``--out``
# and ``--budget``. The docs ran it with ``--budget small``: what it printed and the figures it
# drew follow (in a notebook, ``SCALARGRAD_BUDGET=small`` chooses the small budget).

if __name__ == "__main__":
    main()
