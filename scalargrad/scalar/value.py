"""Value: one scalar number and its place in the computation graph.

Every operation on Values makes a new Value that remembers its *parents* (the operands) and the
*local derivatives* d(out)/d(parent), computed once at forward time from ``scalargrad.calculus``.
``backward()`` then applies the chain rule over the graph in reverse topological order:

    parent.grad += out.grad * d(out)/d(parent)

for every edge. The loop is flat (no recursion, no closures), so graphs of millions of nodes work.
Gradients accumulate on leaves (Values no operation produced) across ``backward()`` calls, as in
PyTorch; the gradients of interior nodes are recomputed by each call.

Fused nodes make big graphs cheap: ``Value.dot(w, x, b)`` is one node for ``b + sum_i w_i x_i``
(a neuron) and ``Value.sum(values)`` one node for a sum, instead of one node per ``+`` and ``*``.
They give the same numbers as the composite ops (tests check this).

``==`` and ``hash`` are identity, as for any Python object, so Values can be dict keys and set
members; ``< <= > >=`` compare ``data`` and return bools (comparisons are not differentiable).
"""

import math
import numbers
import warnings

from scalargrad import calculus, primitives
from scalargrad.autograd_mode import is_grad_enabled


def _as_float(x, op):
    """A number operand as a float, or a TypeError naming the op."""
    if type(x) is float:
        return x
    if isinstance(x, numbers.Real):
        return float(x)
    raise TypeError(f"{op}: expected a Value or a real number, got {type(x).__name__} ({x!r})")


# operator symbols (shown in graphs) -> names (used in error messages)
_OP_NAMES = {"+": "add", "-": "sub", "*": "mul", "/": "div", "**": "pow"}


def _warn_nonfinite(op, out, *inputs):
    """RuntimeWarning when finite inputs gave an inf/nan result (as NumPy), naming the op."""
    if not math.isfinite(out) and all(math.isfinite(x) for x in inputs):
        args = ", ".join(repr(x) for x in inputs)
        warnings.warn(f"{op}: {op}({args}) = {out!r}", RuntimeWarning, stacklevel=3)


class _NoGraph(tuple):
    """The (empty) parents of a result computed inside no_grad: tells it apart from a leaf."""


_NO_GRAPH = _NoGraph()


class Value:
    """A scalar that records how it was computed, so gradients can flow back to its inputs.

    ``data`` is the number (a float); ``grad`` is d(root)/d(this) after ``root.backward()``
    (starts at 0.0). ``label`` is an optional name shown in ``repr`` and graph pictures.
    """

    __slots__ = ("data", "grad", "_prev", "_local", "_op", "label")

    def __init__(self, data, label=""):
        if isinstance(data, Value):
            raise TypeError("Value: data is already a Value; use value.detach() for a copy")
        self.data = _as_float(data, "Value")
        self.grad = 0.0
        self._prev = ()  # parents: the operands this Value was computed from
        self._local = ()  # d(self)/d(parent) for each parent, in the same order
        self._op = ""  # the name of the operation that made it ('' for a leaf)
        self.label = label

    @classmethod
    def _make(cls, data, op, parents, local):
        """A new result node; records parents only while grad mode is on."""
        out = cls.__new__(cls)
        out.data = data
        out.grad = 0.0
        if is_grad_enabled():
            out._prev = parents
            out._local = local
        else:
            out._prev = _NO_GRAPH
            out._local = ()
        out._op = op
        out.label = ""
        return out

    # ------------------------------------------------------------ inspecting

    def __repr__(self):
        label = f", label={self.label!r}" if self.label else ""
        op = f", op={self._op!r}" if self._op else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{op}{label})"

    def item(self):
        """The number as a Python float."""
        return self.data

    def __float__(self):
        return self.data

    def detach(self):
        """A new leaf Value with the same data and no history (as ``torch.Tensor.detach``)."""
        return Value(self.data)

    @property
    def op(self):
        """The name of the operation that made this Value ('' for a leaf)."""
        return self._op

    @property
    def parents(self):
        """The Values this one was computed from (empty for a leaf or inside no_grad)."""
        return self._prev

    @property
    def is_leaf(self):
        """True for Values no recorded operation produced (these keep accumulated grads)."""
        return not self._prev

    def to_dot(self):
        """The graph that produced this Value as Graphviz DOT text (see ``scalargrad.viz``)."""
        from scalargrad.viz.graph import to_dot

        return to_dot(self)

    # ------------------------------------------------------------ binary arithmetic

    def _binary(self, other, op, f, f_dx, f_dy, reflected=False):
        """``op(self, other)`` (``op(other, self)`` when reflected) with its local derivatives."""
        if type(other) is Value:
            a, b = (other, self) if reflected else (self, other)
            x, y = a.data, b.data
            return Value._make(f(x, y), op, (a, b), (f_dx(x, y), f_dy(x, y)))
        c = _as_float(other, _OP_NAMES[op])
        x = self.data
        if reflected:
            return Value._make(f(c, x), op, (self,), (f_dy(c, x),))
        return Value._make(f(x, c), op, (self,), (f_dx(x, c),))

    def __add__(self, other):
        """self + other; d/dself = d/dother = 1."""
        return self._binary(other, "+", calculus.add, calculus.add_dx, calculus.add_dy)

    def __radd__(self, other):
        return self._binary(other, "+", calculus.add, calculus.add_dx, calculus.add_dy, True)

    def __sub__(self, other):
        """self - other; d/dself = 1, d/dother = -1."""
        return self._binary(other, "-", calculus.sub, calculus.sub_dx, calculus.sub_dy)

    def __rsub__(self, other):
        return self._binary(other, "-", calculus.sub, calculus.sub_dx, calculus.sub_dy, True)

    def __mul__(self, other):
        """self * other; d/dself = other, d/dother = self."""
        return self._binary(other, "*", calculus.mul, calculus.mul_dx, calculus.mul_dy)

    def __rmul__(self, other):
        return self._binary(other, "*", calculus.mul, calculus.mul_dx, calculus.mul_dy, True)

    def __truediv__(self, other):
        """self / other; d/dself = 1/other, d/dother = -self/other^2 (inf with a warning at 0)."""
        out = self._binary(other, "/", calculus.div, calculus.div_dx, calculus.div_dy)
        _warn_nonfinite("div", out.data, self.data, _operand_data(other))
        return out

    def __rtruediv__(self, other):
        out = self._binary(other, "/", calculus.div, calculus.div_dx, calculus.div_dy, True)
        _warn_nonfinite("div", out.data, _operand_data(other), self.data)
        return out

    def __pow__(self, other):
        """self ** other; d/dself = other self^(other-1), d/dother = self^other ln(self).

        A negative base with a non-integer exponent has no real value: ValueError.
        """
        _check_pow(self.data, _operand_data(other, "pow"))
        out = self._binary(other, "**", calculus.pow, calculus.pow_dx, calculus.pow_dy)
        _warn_nonfinite("pow", out.data, self.data, _operand_data(other))
        return out

    def __rpow__(self, other):
        _check_pow(_operand_data(other, "pow"), self.data)
        out = self._binary(other, "**", calculus.pow, calculus.pow_dx, calculus.pow_dy, True)
        _warn_nonfinite("pow", out.data, _operand_data(other), self.data)
        return out

    # ------------------------------------------------------------ unary functions

    def _unary(self, op):
        """The registry's unary primitive ``op`` (scalargrad/primitives.py) of this Value: its
        calculus function f and local derivative f'(x, f(x))."""
        prim = primitives.get(op)
        x = self.data
        y = prim.value(x)
        return Value._make(y, op, (self,), (prim.derivs[0](x, y),))

    def __neg__(self):
        """-self; derivative -1."""
        return self._unary("neg")

    def __pos__(self):
        return self

    def exp(self):
        """e^self; derivative e^self (inf with a RuntimeWarning past float64's range)."""
        out = self._unary("exp")
        _warn_nonfinite("exp", out.data, self.data)
        return out

    def log(self):
        """ln(self); derivative 1/self. log(0) = -inf and log(x<0) = nan, with a RuntimeWarning."""
        out = self._unary("log")
        _warn_nonfinite("log", out.data, self.data)
        return out

    def sqrt(self):
        """sqrt(self); derivative 1/(2 sqrt(self)). nan below 0, with a RuntimeWarning."""
        out = self._unary("sqrt")
        _warn_nonfinite("sqrt", out.data, self.data)
        return out

    def tanh(self):
        """tanh(self); derivative 1 - tanh^2."""
        return self._unary("tanh")

    def sigmoid(self):
        """1/(1 + e^-self), stable for any input; derivative s(1 - s)."""
        return self._unary("sigmoid")

    def relu(self):
        """max(self, 0); derivative 1 for self > 0, else 0."""
        return self._unary("relu")

    def softplus(self):
        """ln(1 + e^self), stable for any input; derivative sigmoid(self)."""
        return self._unary("softplus")

    def sin(self):
        """sin(self) in radians; derivative cos(self)."""
        return self._unary("sin")

    def cos(self):
        """cos(self) in radians; derivative -sin(self)."""
        return self._unary("cos")

    def silu(self):
        """self sigmoid(self) (SiLU, swish); derivative s (1 + self (1 - s)), s = sigmoid(self)."""
        return self._unary("silu")

    def gelu(self, approximate="none"):
        """self Phi(self), Phi the standard normal CDF; derivative Phi + self phi. With
        ``approximate="tanh"``, PyTorch's tanh approximation."""
        if approximate not in ("none", "tanh"):
            raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
        return self._unary("gelu" if approximate == "none" else "gelu_tanh")

    def abs(self):
        """|self|; derivative sign(self) (0 at 0)."""
        return self._unary("abs")

    __abs__ = abs

    # ------------------------------------------------------------ comparisons (not differentiable)

    def __lt__(self, other):
        return self.data < _operand_data(other, "<")

    def __le__(self, other):
        return self.data <= _operand_data(other, "<=")

    def __gt__(self, other):
        return self.data > _operand_data(other, ">")

    def __ge__(self, other):
        return self.data >= _operand_data(other, ">=")

    __hash__ = object.__hash__

    # ------------------------------------------------------------ fused nodes

    @staticmethod
    def sum(values):
        """One node for ``0.0 + v_0 + v_1 + ...`` (added in that order); d/dv_i = 1.

        ``values`` may mix Values and numbers; numbers are constants.
        """
        total = 0.0
        parents = []
        for v in values:
            if type(v) is Value:
                total += v.data
                parents.append(v)
            else:
                total += _as_float(v, "sum")
        return Value._make(total, "sum", tuple(parents), (1.0,) * len(parents))

    @staticmethod
    def dot(weights, inputs, bias=0.0):
        """One node for ``bias + w_0 x_0 + w_1 x_1 + ...`` (added in that order): a neuron.

        d/dw_i = x_i, d/dx_i = w_i, d/dbias = 1. Any of them may be a number (a constant).
        Passing the same Values as weights and inputs gives ``sum v_i^2`` with d/dv_i = 2 v_i.
        """
        for what, xs in (("weights", weights), ("inputs", inputs)):
            if not isinstance(xs, (list, tuple)):
                raise TypeError(f"dot: {what} must be a list of Values or numbers, got "
                                f"{type(xs).__name__}")
        if len(weights) != len(inputs):
            raise ValueError(
                f"dot: got {len(weights)} weights and {len(inputs)} inputs; they must match"
            )
        parents = []
        local = []
        if type(bias) is Value:
            total = bias.data
            parents.append(bias)
            local.append(1.0)
        else:
            total = _as_float(bias, "dot")
        for w, x in zip(weights, inputs, strict=True):
            wd = w.data if type(w) is Value else _as_float(w, "dot")
            xd = x.data if type(x) is Value else _as_float(x, "dot")
            total += wd * xd
            if type(w) is Value:
                parents.append(w)
                local.append(xd)
            if type(x) is Value:
                parents.append(x)
                local.append(wd)
        return Value._make(total, "dot", tuple(parents), tuple(local))

    # ------------------------------------------------------------ backpropagation

    def backward(self, gradient=1.0):
        """Fill ``.grad`` of every Value this one depends on with d(self)/d(that Value).

        ``gradient`` is d(loss)/d(self) (1.0 when self is the loss). Leaves accumulate (+=);
        interior nodes get this pass's gradient. Works inside ``no_grad`` on a graph built
        outside it.
        """
        gradient = _as_float(gradient, "backward")
        if not self._prev:
            if self._prev is _NO_GRAPH:
                raise RuntimeError(
                    f"backward: this Value (op {self._op!r}) was computed inside no_grad(), so no "
                    "graph was recorded to backpropagate through; compute it outside no_grad()"
                )
            self.grad += gradient  # a leaf: d(self)/d(self) = 1
            return
        order = _topological_order(self)
        for node in order:
            node.grad = 0.0
        self.grad = gradient
        for node in order:  # each node comes before all of its parents
            g = node.grad
            for parent, local in zip(node._prev, node._local, strict=True):
                parent.grad += g * local


def _operand_data(x, op="operand"):
    return x.data if type(x) is Value else _as_float(x, op)


def _check_pow(base, exponent):
    if base < 0.0 and not (math.isfinite(exponent) and exponent == math.floor(exponent)):
        raise ValueError(
            f"pow: a negative base with a non-integer exponent has no real value: "
            f"{base!r} ** {exponent!r}"
        )


def _topological_order(root):
    """The interior nodes (those with parents) reachable from ``root``, root first, each node
    before all of its parents. Iterative depth-first search: no recursion limit."""
    post_order = []
    seen = {root}
    stack = [(root, iter(root._prev))]
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if parent._prev and parent not in seen:
                seen.add(parent)
                stack.append((parent, iter(parent._prev)))
                break
        else:
            stack.pop()
            post_order.append(node)
    post_order.reverse()
    return post_order
