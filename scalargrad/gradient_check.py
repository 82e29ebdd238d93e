"""gradcheck: compare backprop's gradients with central differences, in float64.

For each input element x_j the numeric derivative is

    (L(x + eps e_j) - L(x - eps e_j)) / (2 eps)

where L is the function's output (a Value), or for a non-scalar Tensor output y the scalar
L = sum(G * y) for a fixed random G, whose analytic gradient is ``y.backward(G)``. An element
passes when |analytic - numeric| <= atol + rtol |numeric|.

Works for both engines: ``inputs`` is a list of Values (``fn`` returns a Value) or a list of
Tensors (``fn`` returns a Tensor): those with ``requires_grad=True`` must be float64 and are
checked, the others are constants (as torch.autograd.gradcheck). The inputs themselves are not
changed: ``fn`` is called on fresh copies.
"""

import math

import numpy as np

from scalargrad.autograd_mode import no_grad
from scalargrad.scalar.value import Value


class GradcheckFailure:
    """One mismatching element: ``input_index``, ``element`` (index tuple, () for a scalar),
    ``analytic`` and ``numeric`` derivatives."""

    def __init__(self, input_index, element, analytic, numeric):
        self.input_index = input_index
        self.element = element
        self.analytic = analytic
        self.numeric = numeric

    def __str__(self):
        where = f"input {self.input_index}" + (f", element {self.element}" if self.element else "")
        difference = self.analytic - self.numeric
        return (
            f"{where}: analytic {self.analytic!r} vs numeric {self.numeric!r} "
            f"(difference {difference:.3g})"
        )

    __repr__ = __str__


class GradcheckReport:
    """The result: truthy iff every element passed; ``failures`` lists the ones that did not."""

    def __init__(self, failures, checked):
        self.failures = failures
        self.checked = checked

    def __bool__(self):
        return not self.failures

    @property
    def passed(self):
        return not self.failures

    def __str__(self):
        if not self.failures:
            return f"gradcheck passed: {self.checked} derivatives match central differences"
        lines = [f"gradcheck failed: {len(self.failures)} of {self.checked} derivatives differ"]
        lines += [f"  {f}" for f in self.failures]
        return "\n".join(lines)

    __repr__ = __str__


def _close(analytic, numeric, atol, rtol):
    """A nan on either side is a failure (as torch.autograd.gradcheck): a derivative that is not
    a number has not been checked."""
    if math.isnan(analytic) or math.isnan(numeric):
        return False
    if analytic == numeric:
        return True
    return abs(analytic - numeric) <= atol + rtol * abs(numeric)


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=False):
    """Check ``fn``'s backprop gradients w.r.t. ``inputs`` against central differences.

    Returns a GradcheckReport (truthy iff all match); with ``raise_exception=True`` a mismatch
    raises a RuntimeError carrying the report instead.
    """
    for key, value in (("eps", eps), ("atol", atol), ("rtol", rtol)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise TypeError(f"gradcheck: {key} must be a number, got {type(value).__name__}")
    if not (math.isfinite(eps) and eps > 0):
        raise ValueError(
            f"gradcheck: eps must be a positive step such as 1e-6, got {eps!r} (central "
            "differences divide by 2 eps)"
        )
    if not (atol >= 0 and rtol >= 0):
        raise ValueError(f"gradcheck: atol and rtol must be >= 0, got atol={atol!r}, rtol={rtol!r}")
    if not callable(fn):
        raise TypeError(f"gradcheck: fn must be callable, got {type(fn).__name__}")
    if isinstance(inputs, Value) or hasattr(inputs, "_array"):
        inputs = [inputs]  # a lone input, as torch.autograd.gradcheck accepts
    if isinstance(inputs, (str, bytes, dict)) or not hasattr(inputs, "__iter__"):
        raise TypeError(
            f"gradcheck: inputs must be a list of Values or of Tensors, got {type(inputs).__name__}"
        )
    inputs = list(inputs)
    if not inputs:
        raise ValueError("gradcheck: got no inputs")
    if all(isinstance(x, Value) for x in inputs):
        failures, checked = _check_values(fn, inputs, eps, atol, rtol)
    elif not any(isinstance(x, Value) for x in inputs) and all(
        hasattr(x, "numpy") and hasattr(x, "requires_grad") for x in inputs
    ):
        failures, checked = _check_tensors(fn, inputs, eps, atol, rtol)
    else:
        kinds = ", ".join(type(x).__name__ for x in inputs)
        raise TypeError(f"gradcheck: inputs must be all Values or all Tensors, got [{kinds}]")
    report = GradcheckReport(failures, checked)
    if raise_exception and not report:
        raise RuntimeError(str(report))
    return report


def _check_values(fn, inputs, eps, atol, rtol):
    leaves = [Value(x.data) for x in inputs]
    out = fn(*leaves)
    if not isinstance(out, Value):
        raise TypeError(
            f"gradcheck: fn must return a Value for Value inputs, got {type(out).__name__}"
        )
    out.backward()
    analytic = [leaf.grad for leaf in leaves]
    failures = []
    point = [x.data for x in inputs]
    with no_grad():
        for i, x in enumerate(point):
            plus = fn(*[Value(x + eps if j == i else v) for j, v in enumerate(point)]).data
            minus = fn(*[Value(x - eps if j == i else v) for j, v in enumerate(point)]).data
            numeric = (plus - minus) / (2.0 * eps)
            if not _close(analytic[i], numeric, atol, rtol):
                failures.append(GradcheckFailure(i, (), analytic[i], numeric))
    return failures, len(inputs)


def _check_tensors(fn, inputs, eps, atol, rtol):
    import scalargrad as sg

    checked_inputs = [i for i, x in enumerate(inputs) if x.requires_grad]
    if not checked_inputs:
        raise ValueError("gradcheck: no input Tensor has requires_grad=True, nothing to check")
    for i in checked_inputs:
        if inputs[i].dtype != sg.float64:
            raise ValueError(
                f"gradcheck: input {i} must be float64 (central differences need it), "
                f"got {inputs[i].dtype}"
            )
    point = [np.array(x.detach().numpy(), dtype=np.float64) for x in inputs]

    def fresh(arrays):
        """New leaves for the checked inputs; the others (constants) are passed as given."""
        return [
            sg.tensor(a, dtype=sg.float64, requires_grad=True) if i in checked_inputs else inputs[i]
            for i, a in enumerate(arrays)
        ]

    leaves = fresh(point)
    out = fn(*leaves)
    if not isinstance(out, sg.Tensor):
        raise TypeError(
            f"gradcheck: fn must return a Tensor for Tensor inputs, got {type(out).__name__}"
        )
    if not out.requires_grad:
        raise ValueError(
            "gradcheck: fn's output does not depend on any input with requires_grad=True "
            "(was it computed inside no_grad, from .detach(), or from constants only?)"
        )
    shape = tuple(out.shape)
    weights = None
    if shape == ():
        out.backward()
    else:  # L = sum(G * out) for a fixed random G; backward(G) is its gradient
        weights = np.random.default_rng(0).uniform(0.5, 1.5, size=shape)
        out.backward(sg.tensor(weights, dtype=sg.float64))
    analytic = {
        i: np.zeros_like(point[i])
        if leaves[i].grad is None
        else np.array(leaves[i].grad.numpy(), dtype=np.float64)
        for i in checked_inputs
    }

    def objective(arrays):
        with no_grad():
            y = np.asarray(fn(*fresh(arrays)).detach().numpy(), dtype=np.float64)
        return float(y) if weights is None else float(np.sum(weights * y))

    failures = []
    checked = 0
    for i in checked_inputs:
        a = point[i]
        for element in np.ndindex(a.shape):
            shifted = [b.copy() for b in point]
            shifted[i][element] = a[element] + eps
            plus = objective(shifted)
            shifted[i][element] = a[element] - eps
            minus = objective(shifted)
            numeric = (plus - minus) / (2.0 * eps)
            checked += 1
            if not _close(float(analytic[i][element]), numeric, atol, rtol):
                failures.append(GradcheckFailure(i, element, float(analytic[i][element]), numeric))
    return failures, checked
