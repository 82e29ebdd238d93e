"""The backward pass: reverse-mode differentiation over the graph of ``Function`` nodes.

``run_backward(tensor, grad, retain_graph)`` computes dL/dx for every leaf x that requires grad
and adds it to ``x.grad``. Without recursion, so a graph of any depth works:

1. Walk the graph from ``tensor.grad_fn`` with an explicit stack and count, for every node, how
   many edges point at it (how many gradient contributions it will receive).
2. Start from the output node with ``grad`` (dL/dL = 1 for a scalar loss). A node whose
   contributions have all arrived is *ready*: its ``backward`` maps the gradient of its output to
   the gradients of its inputs (the chain rule), which are sent along its edges. When several
   paths reach one node, their gradients add up (the multivariable chain rule).
3. A leaf's node (``AccumulateGrad``) adds what reaches it to ``leaf.grad``.

Without ``retain_graph`` each node frees its saved arrays after its backward, so a second
backward through it is an error, as in PyTorch. Gradients are computed whether or not grad mode is
on: a backward started inside ``no_grad`` on a graph built outside it works.
"""

import numpy as np

from scalargrad.matrix.autograd_function import AccumulateGrad, accumulate_node


def _topological_counts(root):
    """For each node reachable from ``root``: the number of edges that point at it."""
    counts = {root: 0}
    stack = [root]
    while stack:
        node = stack.pop()
        for edge in node._edges:
            if edge is None:
                continue
            if edge in counts:
                counts[edge] += 1
            else:
                counts[edge] = 1
                stack.append(edge)
    return counts


def _is_private(array, handed):
    """True if ``array`` may become a leaf's ``.grad`` without a copy (nothing else refers to
    it): a fresh backend output, not a view, not already handed to another leaf in this backward
    (``x + y`` hands one gradient array to both x and y: sharing it, the next backward's in-place
    accumulation would add twice into both)."""
    if id(array) in handed:
        return False
    if isinstance(array, np.ndarray):
        return (
            array.flags.writeable
            and array.flags.c_contiguous
            and not isinstance(array.base, np.ndarray)
        )
    # device arrays: the backend marks the ones its allocator made (views are new objects
    # without the mark)
    return getattr(array, "owns_memory", False)


def _accumulate(leaf, grad, handed):
    """leaf.grad += grad (a new ``.grad`` tensor the first time)."""
    backend = leaf._backend
    if grad.dtype != leaf._array.dtype:
        grad = backend.astype(grad, leaf._array.dtype)
    slots = leaf.__dict__  # .grad's storage: the property's checks are for users' assignments
    current_grad = slots.get("_grad")
    if current_grad is None:
        if not _is_private(grad, handed):
            grad = backend.copy(grad)
        handed[id(grad)] = grad
        wrapped = leaf._result_type()._wrap(grad, backend)
        if grad.shape == leaf._array.shape:  # dtype and backend match: converted above
            slots["_grad"] = wrapped
        else:  # the leaf changed shape since forward: the setter's error
            leaf.grad = wrapped
        return
    current = current_grad._array
    if current.shape != grad.shape:
        raise RuntimeError(
            f"backward: the existing .grad of shape {tuple(current.shape)} does not match the "
            f"gradient of shape {tuple(grad.shape)}; set .grad to None first"
        )
    if isinstance(current, np.ndarray) and not current.flags.writeable:
        current_grad._array = backend.binary("add", current, grad)
    else:
        backend.inplace_binary("add", current, grad)
        current_grad._vc[0] += 1


def _check_gradient(node, index, grad, meta):
    shape, dtype = meta
    if grad.shape != shape:
        raise RuntimeError(
            f"{node.name()} returned a gradient of shape {tuple(grad.shape)} for its input "
            f"{index}, which has shape {tuple(shape)} (backward must sum broadcast gradients "
            "back to the input's shape)"
        )


def run_backward(tensor, grad, retain_graph=False):
    """Backpropagate ``grad`` (an array of ``tensor``'s shape) from ``tensor`` to the leaves."""
    handed = {id(grad): grad}
    root = tensor.grad_fn if tensor.grad_fn is not None else accumulate_node(tensor)
    counts = _topological_counts(root)
    grads = {root: grad}
    ready = [root]
    while ready:
        node = ready.pop()
        g = grads.pop(node, None)
        if type(node) is AccumulateGrad:
            if g is not None:
                _accumulate(node.variable, g, handed)
            continue
        if g is not None:
            if node._retained is not None:
                kept = node._retained()
                if kept is not None and kept.grad_fn is node:
                    _accumulate(kept, g, handed)
            node._check_versions()
            if node._freed:
                _ = (
                    node.saved_tensors
                )  # raises the "backward through the graph a second time" error
            outs = node.backward(node, g)
            if not isinstance(outs, tuple):
                outs = (outs,)
            if len(outs) < len(node._edges):
                outs = outs + (None,) * (len(node._edges) - len(outs))
            if not retain_graph:
                node._release()
        else:
            outs = (None,) * len(node._edges)
        backend = node.backend
        for i, edge in enumerate(node._edges):
            if edge is None:
                continue
            gi = outs[i]
            if gi is not None:
                meta = node._meta[i]
                if gi.shape != meta[0]:
                    _check_gradient(node, i, gi, meta)
                if gi.dtype != meta[1]:
                    gi = backend.astype(gi, meta[1])
                previous = grads.get(edge)
                grads[edge] = gi if previous is None else backend.binary("add", previous, gi)
            counts[edge] -= 1
            if counts[edge] == 0:
                ready.append(edge)
