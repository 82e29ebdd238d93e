"""``repr`` of a tensor, in PyTorch's style so that printed output reads like the course's::

tensor([[1., 2.],
        [3., 4.]], requires_grad=True)
tensor([0.6590, 0.2424, 0.0986], grad_fn=<SoftmaxBackward0>)
tensor([1, 2, 3])                  int64 (the default for ints: no dtype shown)
tensor([1., 2.], dtype=scalargrad.float64) non-default dtypes are shown
"""

import numpy as np

from scalargrad import dtypes

_DEFAULT = (dtypes.int64, dtypes.bool)


def _float_format(a):
    """A function formatting one float the way PyTorch would for this whole tensor."""
    finite = a[np.isfinite(a)] if a.size else a
    if finite.size == 0:
        body = "{:.4f}".format
    else:
        magnitude = np.abs(finite)
        top = float(magnitude.max())
        nonzero = magnitude[magnitude > 0]
        bottom = float(nonzero.min()) if nonzero.size else 0.0
        if np.all(finite == np.round(finite)) and top < 1e8:

            def body(v):
                return f"{v:.0f}."
        elif top >= 1e8 or (bottom and bottom < 1e-4) or (bottom and top / bottom > 1000):
            body = "{:.4e}".format
        else:
            body = "{:.4f}".format

    def fmt(v):
        if np.isnan(v):
            return "nan"
        if np.isinf(v):
            return "inf" if v > 0 else "-inf"
        return body(v)

    # the column width comes from the finite numbers (nan and inf are padded to it, as PyTorch)
    samples = [fmt(v) for v in (finite.max(), finite.min())] if finite.size else []
    width = max((len(s) for s in samples), default=0)
    return lambda v: fmt(v).rjust(width)


def array_text(a, prefix="tensor("):
    """The numbers of ``a`` (a numpy array) laid out as PyTorch prints them."""
    if a.size == 0:
        return "[]"
    kind = a.dtype.kind
    if kind == "f":
        formatter = {"float_kind": _float_format(a)}
    elif kind == "b":
        formatter = {"bool": lambda v: ("True" if v else "False").rjust(5 if not a.all() else 4)}
    else:
        width = max(len(str(a.max())), len(str(a.min())))
        formatter = {"int": lambda v: str(v).rjust(width)}
    if a.ndim == 0:
        return next(iter(formatter.values()))(a.item()).strip()
    return np.array2string(
        a,
        separator=", ",
        prefix=prefix,
        formatter=formatter,
        threshold=1000,
        edgeitems=3,
        max_line_width=80,
    )


def tensor_repr(t):
    """``tensor([...], dtype=..., device=..., grad_fn=...)`` for a Tensor ``t``."""
    a = t._backend.to_numpy(t._array)
    suffixes = []
    if a.size == 0 and a.ndim != 1:
        suffixes.append(f"size={tuple(a.shape)}")
    if t.device != "cpu":
        suffixes.append(f"device='{t.device}'")
    # an empty tensor has no elements that show an int or a bool: PyTorch names every dtype
    # but the default float one then
    default = (() if a.size == 0 else _DEFAULT) + (dtypes.default_float(),)
    if a.dtype not in default:
        suffixes.append(f"dtype={dtypes.wrap(a.dtype)!r}")
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes("tensor(" + array_text(a), suffixes)


def _add_suffixes(text, suffixes, indent=7, width=80):
    """PyTorch's layout of the ``, dtype=...`` parts: each goes on the last line while that stays
    within ``width`` characters, else on a line of its own. Lengths are counted as PyTorch's text
    (``torch.`` where we print ``scalargrad.``), so both break their lines at the same place.
    ``indent`` is ``len("tensor(")``."""
    parts = [text]
    last = len(text) - text.rfind("\n") + 1  # PyTorch's count (one more than the line's length)
    for suffix in suffixes:
        size = len(suffix.replace("scalargrad.", "torch."))
        if last + size + 2 > width:
            parts.append(",\n" + " " * indent + suffix)
            last = indent + size
        else:
            parts.append(", " + suffix)
            last += size + 2
    return "".join(parts) + ")"
