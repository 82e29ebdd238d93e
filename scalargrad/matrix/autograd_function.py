"""``Function``: one differentiable op of the matrix engine, forward and backward side by side.

A subclass writes the math on backend arrays (``numpy.ndarray`` on the CPU, a device array on
CUDA)::

    class Mul(Function):
        derivation = "mul"                  # docs/derivations/mul.md derives it

        @staticmethod
        def forward(ctx, a, b):             # a, b: arrays of one dtype (shapes may differ)
            ctx.save_for_backward(a, b)
            ...
            return out                      # one backend array

        @staticmethod
        def backward(ctx, grad):            # grad: dL/d(out), same shape as out
            a, b = ctx.saved_tensors
            return grad_a, grad_b           # one array (or None) per forward argument,
                                            # each of that argument's shape

and is used as ``Mul.apply(x, y)``. ``apply`` unwraps every ``Tensor`` argument to its backend
array (other arguments, such as an axis or a shape, pass through unchanged), runs ``forward``,
and wraps the array it returns in a new tensor of the first tensor argument's result type
(``Tensor``). When grad mode is on and some input requires
grad, the new tensor gets ``grad_fn = ctx``: the context *is* the graph node. It prints as
PyTorch's node, ``<MulBackward0 object at 0x...>``.

What the context offers ``forward`` and ``backward``:

* ``ctx.backend``: the backend module doing the arithmetic (``ctx.backend.binary(...)``);
* ``ctx.save_for_backward(*arrays)`` / ``ctx.saved_tensors``: arrays kept for backward. Saving an
  input's (or the output's) array *itself* lets autograd notice an in-place change made to that
  tensor before backward (PyTorch's version counter), so save the arrays you were given;
* ``ctx.needs_input_grad``: one bool per forward argument, so backward can skip work;
* any other attribute (``ctx.shape = a.shape``).

A gradient returned for an input that was broadcast must already be summed back to that input's
shape: ``sum_to_shape(ctx.backend, grad, shape)`` does it. Every subclass names the docs page that
derives it in ``derivation`` (``docs/derivations/<page>.md``); a test checks that page exists.
A subclass that makes a *view* of its first argument (reshape, transpose, basic indexing) sets
``is_view = True`` so the result shares that tensor's storage version counter; any other forward
returns a new array, never one of its inputs. Backward checks each returned gradient's shape
against its input (an error naming the node if they differ) and converts its dtype if needed.
"""

import numpy as np

from scalargrad.autograd_mode import is_grad_enabled
from scalargrad.matrix.tensor_core import TensorBase


class Function:
    """Base class of every differentiable matrix-engine operation (see the module docstring)."""

    derivation = None
    is_view = False
    changes_backend = False  # True: forward sets ctx.out_backend (device transfers)

    # ------------------------------------------------------------ the user-facing API

    @staticmethod
    def forward(ctx, *args):  # pragma: no cover - subclasses implement it
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad):  # pragma: no cover - subclasses implement it
        raise NotImplementedError

    def save_for_backward(self, *arrays):
        """Keep arrays for backward (read them back from ``saved_tensors``)."""
        self._saved = arrays

    @property
    def saved_tensors(self):
        """The arrays given to ``save_for_backward``; an error once backward has freed them."""
        if self._freed:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Saved intermediate values of the "
                "graph are freed when you call .backward(). Specify retain_graph=True if you need "
                "to backward through the graph a second time."
            )
        return self._saved

    torch_name = None  # PyTorch's name for this node, where it is not <class name>Backward0

    def name(self):
        """PyTorch's name for this node: ``"MulBackward0"`` (an op that set ``ctx.torch_name`` in
        forward, e.g. a sum over one dim, ``SumBackward1``, names itself)."""
        return self.torch_name or type(self).__name__ + "Backward0"

    def __repr__(self):
        return f"<{self.name()} object at {id(self):#x}>"

    @property
    def next_functions(self):
        """The nodes the gradient flows to next, one per forward argument (None: no gradient)."""
        return tuple((edge, 0) if edge is not None else (None, 0) for edge in self._edges)

    @classmethod
    def apply(cls, *args):
        """Run ``forward`` on the arrays of ``args`` and return a Tensor that remembers this op."""
        ctx = cls.__new__(cls)
        backend = first = None
        arrays = []
        any_needs = False
        for arg in args:
            if isinstance(arg, TensorBase):
                if backend is None:
                    backend = arg._backend
                    first = arg
                elif arg._backend is not backend:
                    raise RuntimeError(
                        f"{cls.__name__.lower()}: expected all tensors to be on the same device, "
                        f"but found at least two devices, {first.device} and {arg.device}"
                    )
                arrays.append(arg._array)
                if arg._requires_grad:
                    any_needs = True
            else:
                arrays.append(arg)
        if backend is None:
            raise TypeError(f"{cls.__name__}.apply: needs at least one Tensor argument")
        record = any_needs and is_grad_enabled()
        ctx.backend = backend
        if record:
            ctx.needs_input_grad = tuple(
                isinstance(a, TensorBase) and a._requires_grad for a in args
            )
        else:
            ctx.needs_input_grad = (False,) * len(args)
        out = cls.forward(ctx, *arrays)
        if isinstance(out, np.generic):  # a NumPy scalar (np.sum(a) of all axes): a 0-d array
            out = np.asarray(out)
        out_backend = ctx.out_backend if cls.changes_backend else backend
        result = first._result_type()._wrap(out, out_backend)
        if cls.is_view:
            result._vc = first._vc
            result._base = first if first._base is None else first._base
        if record:
            ctx._record(args, result)
        elif any_needs or not is_grad_enabled():  # made under no_grad: backward() says so
            result._made_in_no_grad = True
        return result

    # ------------------------------------------------------------ bookkeeping for backward

    _saved = ()
    _freed = False
    _retained = None  # a weak reference to the output, set by Tensor.retain_grad()

    def _record(self, args, result):
        """Link this node into the graph: edges to the inputs' nodes, versions of saved arrays."""
        edges = []
        meta = []
        for arg, needed in zip(args, self.needs_input_grad, strict=False):
            if needed:
                fn = arg.grad_fn
                edges.append(fn if fn is not None else accumulate_node(arg))
                a = arg._array
                meta.append((a.shape, a.dtype))
            else:
                edges.append(None)
                meta.append(None)
        self._edges = edges
        self._meta = meta
        versions = []
        for saved in self._saved:
            if saved is None:
                continue
            if saved is result._array:
                versions.append((result._vc, result._vc[0], saved.shape, saved.dtype))
                continue
            for t in args:
                if isinstance(t, TensorBase) and t._array is saved:
                    versions.append((t._vc, t._vc[0], saved.shape, saved.dtype))
                    break
        self._versions = versions
        result._requires_grad = True
        result.grad_fn = self

    def _check_versions(self):
        for vc, version, shape, dtype in self._versions:
            if vc[0] != version:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by an "
                    f"inplace operation: [{dtype} tensor of shape {tuple(shape)}] is at version "
                    f"{vc[0]}; expected version {version} instead ({self.name()} needs its old "
                    "value). Use an out-of-place operation (y = y + 1 instead of y += 1), or "
                    ".clone() the tensor before changing it."
                )

    def _release(self):
        """Free the saved arrays (backward without retain_graph)."""
        if self._saved:
            self._saved = ()
            self._freed = True


class AccumulateGrad:
    """The graph node of a leaf tensor: adds the gradient that reaches it to ``leaf.grad``."""

    _edges = ()
    __slots__ = ("variable",)

    def __init__(self, variable):
        self.variable = variable

    def name(self):
        return "AccumulateGrad"

    def __repr__(self):
        return f"<AccumulateGrad object at {id(self):#x}>"

    @property
    def next_functions(self):
        return ()


def accumulate_node(leaf):
    """The ``AccumulateGrad`` node of a leaf tensor, made on first use and kept on the leaf."""
    if leaf._acc is None:
        leaf._acc = AccumulateGrad(leaf)
    return leaf._acc


def named(out, torch_name):
    """Give ``out``'s graph node PyTorch's name for the op that made it (``"SumBackward1"``, when
    one Function serves several PyTorch ops); returns ``out``."""
    if out.grad_fn is not None:
        out.grad_fn.torch_name = torch_name
    return out


def sum_to_shape(backend, grad, shape):
    """Sum ``grad`` over the axes that broadcasting added or stretched, giving an array of
    ``shape``.

    If ``x`` of shape ``shape`` was broadcast to ``grad.shape`` in the forward pass, each element
    of ``x`` fed every output element it was copied to, so dL/dx sums those outputs' gradients:
    over the leading axes broadcasting prepended, and over every axis where ``shape`` has 1 and
    ``grad.shape`` does not. Docs: derivations/broadcasting.
    """
    shape = tuple(shape)
    gshape = grad.shape
    if gshape == shape:
        return grad
    lead = len(gshape) - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(shape) if n == 1 and gshape[i + lead] != 1
    )
    if axes:
        grad = backend.reduce("sum", grad, axes, False)
    if grad.shape != shape:
        grad = backend.reshape(grad, shape)
    return grad

