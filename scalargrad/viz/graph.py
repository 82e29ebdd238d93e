"""Pictures of a computation graph: DOT text and a matplotlib drawing, for both engines.

For a Value, both show every node with its ``data`` and ``grad`` and every edge parent -> result,
labelled with the op that made the result. For a Tensor they show its autograd graph as PyTorch
keeps it: one box per ``grad_fn`` node (``MulBackward``, ...) with the shape and dtype of what it
made, and one ``AccumulateGrad`` box per leaf that requires grad.

``draw_graph`` needs only matplotlib: nodes are placed in layers by depth (leaves on the left,
the output on the right), computed without recursion. ``to_dot`` gives Graphviz text for people
who have Graphviz (``dot -Tsvg graph.dot``).
"""

from pathlib import Path


class GradFnNode:
    """One box of a Tensor's autograd graph, with the attributes the drawing reads off a Value:
    ``_prev`` (the boxes of its inputs), ``_op`` ('' : the name is in the text) and ``lines``."""

    __slots__ = ("_prev", "_op", "lines", "fn")

    def __init__(self, fn, lines):
        self.fn = fn
        self._prev = ()
        self._op = ""
        self.lines = lines


def _describe(shape, dtype):
    """``(4, 2) float32``: the shape as a tuple and the dtype's short name."""
    return f"{tuple(shape)} {getattr(dtype, 'name', dtype)}"


def tensor_graph(tensor):
    """The autograd graph of ``tensor`` as GradFnNodes; returns the node of ``tensor`` itself.

    A node's shape and dtype are those of the tensor it made: the root's own, and for any other
    node what its consumer recorded for that input. Iterative, like backward."""
    root_fn = tensor.grad_fn
    if root_fn is None:
        kind = "leaf, requires_grad" if tensor.requires_grad else "leaf"
        return GradFnNode(None, [f"tensor ({kind})", _describe(tensor.shape, tensor.dtype)])
    made = {root_fn: (tensor.shape, tensor.dtype)}
    nodes = {}
    stack = [root_fn]
    while stack:
        fn = stack.pop()
        if fn in nodes:
            continue
        shape, dtype = made[fn]
        name = fn.name()
        lines = [name, _describe(shape, dtype)]
        if name == "AccumulateGrad":
            lines.insert(1, "leaf")
        nodes[fn] = GradFnNode(fn, lines)
        for i, edge in enumerate(getattr(fn, "_edges", ())):
            if edge is not None:
                made.setdefault(edge, fn._meta[i])
                stack.append(edge)
    for fn, node in nodes.items():
        node._prev = tuple(nodes[e] for e in getattr(fn, "_edges", ()) if e is not None)
    return nodes[root_fn]


def _as_root(root, op):
    """A Value as it is; a Tensor as the node of its autograd graph."""
    if hasattr(root, "_prev"):
        return root
    if hasattr(root, "grad_fn") and hasattr(root, "_array"):
        return tensor_graph(root)
    raise TypeError(
        f"{op}: expected a Value or a Tensor (the result whose graph to draw), got "
        f"{type(root).__name__}"
    )


def graph_nodes(root):
    """All nodes that ``root`` depends on (``root`` included), each after all of its parents,
    and the edges ``(parent, child)``. Iterative depth-first search. For a Tensor the nodes are
    ``GradFnNode``s of its autograd graph."""
    root = _as_root(root, "graph_nodes")
    order, edges = [], []
    seen = {root}
    stack = [(root, iter(root._prev))]
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if parent not in seen:
                seen.add(parent)
                stack.append((parent, iter(parent._prev)))
                break
        else:
            stack.pop()
            order.append(node)
    for node in order:
        edges.extend((parent, node) for parent in node._prev)
    return order, edges


def _node_text(node, sep):
    if isinstance(node, GradFnNode):
        return sep.join(node.lines)
    label = f"{node.label}{sep}" if node.label else ""
    return f"{label}data {node.data:.4g}{sep}grad {node.grad:.4g}"


def _dot_escape(text):
    """Escape the characters that mean something inside a DOT record label."""
    for ch in '\\"{}|<>':
        text = text.replace(ch, "\\" + ch)
    return text


def to_dot(root):
    """The graph of ``root`` as Graphviz DOT text: a box per Value (label, data, grad) and an
    ellipse per operation, left to right as in micrograd's pictures; for a Tensor, a box per
    autograd node (its grad_fn name, shape and dtype)."""
    order, _ = graph_nodes(_as_root(root, "to_dot"))
    ids = {node: f"n{i}" for i, node in enumerate(order)}
    lines = ["digraph scalargrad {", "  rankdir=LR;", "  node [fontname=Helvetica];"]
    for node in order:
        text = " | ".join(_dot_escape(part) for part in _node_text(node, "\n").split("\n"))
        lines.append(f'  {ids[node]} [shape=record, label="{{ {text} }}"];')
        if node._prev and node._op:
            lines.append(f'  {ids[node]}_op [shape=ellipse, label="{_dot_escape(node._op)}"];')
            lines.append(f"  {ids[node]}_op -> {ids[node]};")
            for parent in dict.fromkeys(node._prev):  # an edge per distinct parent
                lines.append(f"  {ids[parent]} -> {ids[node]}_op;")
        else:  # a Tensor graph's node names its op itself
            for parent in dict.fromkeys(node._prev):
                lines.append(f"  {ids[parent]} -> {ids[node]};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _layers(order):
    """Depth of each node: 0 for leaves, else 1 + the deepest parent (order is parents first)."""
    depth = {}
    for node in order:
        depth[node] = 1 + max((depth[p] for p in node._prev), default=-1)
    return depth


def draw_graph(root, path=None, max_nodes=300):
    """Draw the graph of ``root`` with matplotlib and save it to ``path`` (.png, .svg, .pdf:
    the suffix picks the format). Returns the Figure. Each box shows the op that made the
    Value, its data and its grad; arrows go from operands to results. A Tensor's graph shows
    its grad_fn nodes with shapes and dtypes (see ``tensor_graph``)."""
    import matplotlib.pyplot as plt

    order, edges = graph_nodes(_as_root(root, "draw_graph"))
    if len(order) > max_nodes:
        raise ValueError(
            f"draw_graph: the graph has {len(order)} nodes, "
            f"more than max_nodes={max_nodes} can show "
            "readably; draw a smaller expression or raise max_nodes"
        )
    depth = _layers(order)
    columns = {}
    for node in order:
        columns.setdefault(depth[node], []).append(node)
    height = max(len(c) for c in columns.values())
    position = {}
    for d, nodes in columns.items():
        for i, node in enumerate(nodes):
            position[node] = (d * 2.2, (len(nodes) - 1) / 2.0 - i)  # each column centred on y = 0
    fig, ax = plt.subplots(figsize=(2.2 * (len(columns) + 0.5), 0.9 * height + 1.0))
    for parent, child in dict.fromkeys(edges):
        ax.annotate(
            "",
            xy=position[child],
            xytext=position[parent],
            arrowprops=dict(arrowstyle="->", color="0.5", shrinkA=28, shrinkB=28, lw=0.8),
        )
    for node in order:
        text = _node_text(node, "\n")
        if node._op:
            text = f"{node._op}\n{text}"
        ax.text(
            *position[node],
            text,
            ha="center",
            va="center",
            fontsize=7,
            family="monospace",
            bbox=dict(
                boxstyle="round,pad=0.3", fc="#dbe9f6" if node._prev else "#f6e7d2", ec="0.3"
            ),
        )
    xs = [x for x, _ in position.values()]
    ys = [y for _, y in position.values()]
    ax.set_xlim(min(xs) - 1.1, max(xs) + 1.1)
    ax.set_ylim(min(ys) - 0.7, max(ys) + 0.7)
    ax.axis("off")
    ax.set_title("computation graph (blue: results, tan: leaves)", fontsize=9)
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=120, bbox_inches="tight")
        plt.close(fig)
    return fig
