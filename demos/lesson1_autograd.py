"""Lesson 1: derivatives and autograd
==================================

The derivative as a slope, partial derivatives, and how ``backward()`` gets them for you:
first on the scalar engine (every number a ``Value`` node you can draw), then on Tensors
(``requires_grad``, ``.grad``, gradient accumulation and ``zero_grad``, backward of a
non-scalar with an explicit gradient, ``no_grad`` and ``detach``).

Run it as a script::

    python demos/lesson1_autograd.py [--out out/lesson1_autograd] [--budget small|full]
"""

import numpy as np
from _common import parse_args, save, section, summary


def scalar_engine(out):
    """y = x^2 at 2, partial derivatives, accumulation, and a graph picture on ``Value``."""
    from scalargrad import Value

    section("the scalar engine: every number is a Value")
    x = Value(2.0, label="x")
    y = x**2
    y.backward()
    print(f"y = x**2 at x = 2: y = {y.data}, dy/dx = {x.grad}   (2x = 4)")

    u, v = Value(1.0, label="u"), Value(2.0, label="v")
    f = u * v + u**2
    f.backward()
    print(f"f(u, v) = u*v + u**2 at (1, 2): df/du = {u.grad} (v + 2u = 4), "
          f"df/dv = {v.grad} (u = 1)")

    a = Value(3.0, label="a")
    grads = []
    for _ in range(3):
        (a * 3).backward()
        grads.append(a.grad)
    print(f"three backward() calls of 3a leave a.grad = {grads}: gradients accumulate")

    # micrograd's neuron: o = tanh(x1 w1 + x2 w2 + b), drawn with data and grads
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    print(f"neuron o = tanh(x1*w1 + x2*w2 + b) = {o.data:.4f}; do/dw1 = {w1.grad:.4f}, "
          f"do/dx1 = {x1.grad:.4f}")
    graph = _draw(o, out)
    return {"dy/dx at 2": x.grad, "df/du": u.grad, "df/dv": v.grad, "accumulated": grads,
            "neuron do/dw1": w1.grad, "graph figure": graph}


def _draw(root, out):
    from scalargrad.viz import draw_graph

    return str(save(draw_graph(root), out, "neuron_graph.png"))


def tensor_engine():
    """The same ideas on Tensors, with PyTorch's names."""
    import scalargrad as sg

    section("Tensors: requires_grad, backward, grad")
    x = sg.tensor(2.0, requires_grad=True)
    y = x**2
    y.backward()
    dydx = x.grad.item()
    print(f"y = x**2 at 2: x.grad = {dydx}")

    x = sg.tensor([0.0, 1.0, 2.0, 3.0], requires_grad=True)
    y = 2 * (x * x).sum()
    y.backward()
    grad_4x = x.grad.numpy()
    print(f"x = {x.detach().numpy()}, y = 2 x.x = {y.item()}: x.grad = {grad_4x}   (4x)")
    print(f"y.grad_fn = {y.grad_fn} (the op that made y); x.is_leaf = {x.is_leaf}, "
          f"y.is_leaf = {y.is_leaf}: only leaves keep .grad")

    section("gradients accumulate until zeroed")
    w = sg.ones(4, requires_grad=True)
    optimizer = sg.optim.SGD([w], lr=0.1)
    accumulated = []
    for call in range(3):
        (w * 3).sum().backward()
        accumulated.append(float(w.grad.numpy()[0]))
        print(f"after backward call {call + 1}: w.grad = {w.grad.numpy()}")
    optimizer.zero_grad()
    zeroed = w.grad is None or not np.any(w.grad.numpy())
    print(f"after optimizer.zero_grad(): w.grad = {w.grad if w.grad is None else w.grad.numpy()}")

    section("backward of a non-scalar needs a gradient (a vector-Jacobian product)")
    x = sg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    try:
        y.backward()
        error = None
    except RuntimeError as e:
        error = str(e)
        print(f"y.backward() on a shape-{tuple(y.shape)} y raises RuntimeError: {error}")
    v = sg.tensor([0.1, 1.0, 0.0001])
    y.backward(gradient=v)
    vjp = x.grad.numpy()
    print(f"y.backward(gradient=v) with v = {v.numpy()}: x.grad = v^T J = 2v = {vjp}")

    section("no_grad and detach")
    with sg.no_grad():
        z = x * 2
    no_grad_tracks = z.requires_grad
    print(f"inside no_grad: (x * 2).requires_grad = {no_grad_tracks}")
    x = sg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    u = (x * x).detach()
    z = u * x
    z.sum().backward()
    detach_grad = x.grad.numpy()
    print(f"u = (x*x).detach(), z = u*x: dz/dx = {detach_grad} = u = {u.numpy()} "
          "(u counts as a constant)")

    section("retain_graph, and gradients through Python control flow")
    x = sg.tensor(3.0, requires_grad=True)
    y = x * x
    y.backward(retain_graph=True)  # keep the graph for a second backward
    y.backward()
    twice = x.grad.item()
    print(f"y = x*x at 3, backward twice: x.grad = {twice} (6 + 6)")
    x = sg.tensor(1.5, requires_grad=True)
    z, doublings = x, 0
    while z.item() < 10:  # an ordinary Python loop decides the graph's shape
        z = z * 2
        doublings += 1
    z.backward()
    print(f"z = x doubled until >= 10 ({doublings} times): z = {z.item()}, dz/dx = "
          f"{x.grad.item()} = 2^{doublings}")
    return {"retain_graph twice": twice, "control-flow grad": x.grad.item(),
            "tensor dy/dx at 2": dydx, "grad of 2x.x": grad_4x, "accumulated (tensor)": accumulated,
            "zeroed": zeroed, "error without gradient": error is not None, "vjp": vjp,
            "no_grad requires_grad": no_grad_tracks, "detach grad": detach_grad, "u": u.numpy()}


def tangent(out):
    """f(x) = 3x^2 - 4x and its tangent at x = 1; the slope comes from backward()."""
    from scalargrad import Value
    from scalargrad.viz.plots import plot_tangent

    section("the derivative is the slope of the tangent")
    x = Value(1.0)
    f = 3 * x**2 - 4 * x
    f.backward()
    print(f"f(x) = 3x^2 - 4x: f(1) = {f.data}, f'(1) = {x.grad}   (6x - 4 = 2)")
    fig = plot_tangent(lambda t: 3 * t**2 - 4 * t, 1.0, x_range=(-0.5, 2.5), df=lambda t: x.grad,
                       title="f(x) = 3x^2 - 4x and its tangent at x = 1")
    save(fig, out, "tangent.png")
    return {"slope at 1": x.grad}


def main(argv=None):
    args = parse_args("lesson1_autograd", __doc__, argv)
    results = {}
    results.update(scalar_engine(args.out))
    results.update(tangent(args.out))
    results.update(tensor_engine())
    return summary("lesson 1, autograd", results)


# %%
# Run the lesson
# --------------
# ``main()`` runs the parts above in order and prints a summary; from a shell it reads ``--out``
# and ``--budget``. The docs ran it with ``--budget small``: what it printed and the figures it
# drew follow (in a notebook, ``SCALARGRAD_BUDGET=small`` chooses the small budget).

if __name__ == "__main__":
    main()
