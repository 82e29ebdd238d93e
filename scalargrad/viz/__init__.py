"""Pictures: computation graphs of Values (graph.py) and the lessons' plots (plots.py).

Everything draws with matplotlib, so no Graphviz install is needed (``to_dot`` gives DOT text
for those who have it).
"""

from scalargrad.viz.graph import draw_graph, graph_nodes, to_dot

# the lessons' plots (decision boundaries, curves, cost surfaces, ...)
from scalargrad.viz.plots import *  # noqa: E402,F401,F403
from scalargrad.viz.plots import __all__ as _plots_all  # noqa: E402

__all__ = ["draw_graph", "graph_nodes", "to_dot"] + list(_plots_all)
