"""Pictures of a Value's computation graph: DOT text and a matplotlib drawing.

Both show every node with its ``data`` and ``grad`` and every edge parent -> result, labelled
with the op that made the result. ``draw_graph`` needs only matplotlib: nodes are placed in
layers by depth (leaves on the left, the output on the right), computed without recursion.
``to_dot`` gives Graphviz text for people who have Graphviz (``dot -Tsvg graph.dot``).
"""

from pathlib import Path


def graph_nodes(root):
    """All nodes that ``root`` depends on (``root`` included), each after all of its parents,
    and the edges ``(parent, child)``. Iterative depth-first search."""
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
    label = f"{node.label}{sep}" if node.label else ""
    return f"{label}data {node.data:.4g}{sep}grad {node.grad:.4g}"


def _dot_escape(text):
    """Escape the characters that mean something inside a DOT record label."""
    for ch in '\\"{}|<>':
        text = text.replace(ch, "\\" + ch)
    return text


def to_dot(root):
    """The graph of ``root`` as Graphviz DOT text: a box per Value (label, data, grad) and an
    ellipse per operation, left to right as in micrograd's pictures."""
    order, _ = graph_nodes(root)
    ids = {node: f"n{i}" for i, node in enumerate(order)}
    lines = ["digraph scalargrad {", "  rankdir=LR;", "  node [fontname=Helvetica];"]
    for node in order:
        text = " | ".join(_dot_escape(part) for part in _node_text(node, "\n").split("\n"))
        lines.append(f'  {ids[node]} [shape=record, label="{{ {text} }}"];')
        if node._prev:
            lines.append(f'  {ids[node]}_op [shape=ellipse, label="{_dot_escape(node._op)}"];')
            lines.append(f"  {ids[node]}_op -> {ids[node]};")
            for parent in dict.fromkeys(node._prev):  # an edge per distinct parent
                lines.append(f"  {ids[parent]} -> {ids[node]}_op;")
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
    Value, its data and its grad; arrows go from operands to results."""
    import matplotlib.pyplot as plt

    order, edges = graph_nodes(root)
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
