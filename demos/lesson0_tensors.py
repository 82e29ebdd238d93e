"""Lesson 0: tensors, their shapes, and the operations a network is made of
========================================================================

Rank and shape; creation and dtype inference; reshape/view with -1, squeeze/unsqueeze,
flatten of a batch; cat vs stack; broadcasting; reductions (sum, mean, the unbiased std, max
with a dim, argmax); norms, cumsum, rows normalized to sum to one; in-place updates.

Run it as a script::

    python demos/lesson0_tensors.py [--out DIR]
"""

import numpy as np
from _common import parse_args, save, section, summary


def show(label, value):
    text = str(value).replace("\n", "\n" + " " * (len(label) + 3))
    print(f"{label} = {text}")


def main(argv=None):
    import matplotlib.pyplot as plt

    import scalargrad as sg

    args = parse_args("lesson0_tensors", __doc__, argv)
    r = {}

    section("rank, shape, dtype")
    for name, t in [("scalar", sg.tensor(3.0)), ("vector", sg.tensor([1, 2, 3])),
                    ("matrix", sg.ones(2, 3)), ("batch of images", sg.zeros(8, 1, 28, 28))]:
        print(f"{name:16s} ndim {t.ndim}, shape {tuple(t.shape)}, dtype {t.dtype}")
    r["int list dtype"] = str(sg.tensor([1, 2]).dtype)
    r["float list dtype"] = str(sg.tensor([1.0, 2]).dtype)
    print(f"a list of ints -> {r['int list dtype']}, any float -> {r['float list dtype']}, "
          f"dtype= overrides: {sg.tensor([1, 2], dtype=sg.float64).dtype}")

    section("reshaping")
    x = sg.arange(12)
    print(f"arange(12).reshape(3, -1): {tuple(x.reshape(3, -1).shape)}; "
          f"view(-1, 6): {tuple(x.view(-1, 6).shape)}")
    m = x.reshape(3, 4)
    print(f"unsqueeze(0): {tuple(m.unsqueeze(0).shape)}, then squeeze(): "
          f"{tuple(m.unsqueeze(0).squeeze().shape)}")
    batch = sg.zeros(8, 1, 28, 28)
    r["flatten"] = tuple(batch.flatten(start_dim=1).shape)
    print(f"a batch (8, 1, 28, 28) flatten(start_dim=1): {r['flatten']}")
    r["cat"], r["stack"] = tuple(sg.cat([m, m]).shape), tuple(sg.stack([m, m]).shape)
    print(f"cat([m, m]): {r['cat']} (joins an axis); stack([m, m]): {r['stack']} (a new axis: "
          "cat of unsqueezed pieces)")

    section("broadcasting")
    row, col = sg.tensor([10.0, 20.0, 30.0]), sg.tensor([[1.0], [2.0]])
    show("column (2, 1) + row (3,)", col + row)
    X = sg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    show("bias row added to every row of a batch", X + row)
    show("X > 2.5", X > 2.5)

    section("reductions")
    a = sg.tensor([[1, 0, 0, 2], [0, 3, 3, 0], [4, 0, 0, 5]])
    values, indices = a.max(dim=0)
    r["argmax"] = a.argmax().item()
    r["max values"], r["max indices"] = values.numpy(), indices.numpy()
    show("a", a)
    print(f"a.argmax() = {r['argmax']} (over the flattened tensor); a.max(dim=0): values "
          f"{r['max values']} at indices {r['max indices']}; a.argmax(dim=1) = "
          f"{a.argmax(dim=1).numpy()}")
    f = sg.tensor([[1.0, 2.0], [3.0, 4.0]])
    r["std"] = f.std().item()
    print(f"f = {f.numpy().tolist()}: sum {f.sum().item()}, mean {f.mean().item()}, prod "
          f"{f.prod().item()}, std {r['std']:.4f} (unbiased: divides by N - 1), "
          f"sum(dim=1, keepdim=True) shape {tuple(f.sum(dim=1, keepdim=True).shape)}")

    section("linear algebra")
    u, v = sg.tensor([1.0, 2.0]), sg.tensor([3.0, 4.0])
    print(f"dot {u.dot(v).item()}, matrix-vector {(f @ u).numpy()}, matrix-matrix "
          f"{(f @ f).numpy().tolist()}")
    print(f"norms of f: L1 {f.norm(p=1).item()}, Frobenius {f.norm().item():.4f}; cumsum(dim=1) "
          f"{f.cumsum(dim=1).numpy().tolist()}")
    rows = f / f.sum(dim=1, keepdim=True)
    show("rows normalized to sum to one", rows)

    section("in-place updates keep the tensor's identity (optimizers rely on it)")
    before = id(f)
    f += 1
    f[:] = f * 2
    r["same object"] = id(f) == before
    print(f"f += 1; f[:] = f * 2 -> {f.numpy().tolist()}; still the same object: "
          f"{r['same object']}")

    fig, axes = plt.subplots(1, 3, figsize=(9, 2.6))
    panels = [("column (2, 1), stretched", col + 0 * row), ("row (3,), stretched", 0 * col + row),
              ("column + row: (2, 3)", col + row)]
    for ax, (title, t) in zip(axes, panels, strict=True):
        data = t.numpy()
        ax.imshow(data, cmap="Blues", vmin=0, vmax=35)
        for (i, j), value in np.ndenumerate(data):
            ax.text(j, i, f"{value:g}", ha="center", va="center")
        ax.set_title(title)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("broadcasting: both operands are stretched to (2, 3)")
    save(fig, args.out, "broadcasting.png")
    return summary("lesson 0, tensors", r)


# %%
# Run the lesson
# --------------
# ``main()`` runs the parts above in order and prints a summary; from a shell it reads ``--out``
# and ``--budget``. The docs ran it with ``--budget small``: what it printed and the figures it
# drew follow (in a notebook, ``SCALARGRAD_BUDGET=small`` chooses the small budget).

if __name__ == "__main__":
    main()
