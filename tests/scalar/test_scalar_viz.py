"""Graph output: repr, to_dot text, and draw_graph pictures with matplotlib (no Graphviz)."""

import re

import matplotlib
import pytest

from scalargrad import Value
from scalargrad.viz import draw_graph, graph_nodes, to_dot

matplotlib.use("Agg")


def small_graph():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    d = (c + a).tanh()
    d.backward()
    return a, b, c, d


def test_graph_nodes_are_parents_first_with_every_edge():
    a, b, c, d = small_graph()
    order, edges = graph_nodes(d)
    assert set(order) == {a, b, c, d, d._prev[0]} and order[-1] is d
    position = {node: i for i, node in enumerate(order)}
    assert all(position[parent] < position[child] for parent, child in edges)
    assert len(edges) == 5  # a->*, b->*, *->+, a->+, +->tanh


def test_to_dot_shows_every_node_op_data_and_grad():
    a, b, c, d = small_graph()
    dot = to_dot(d)
    assert dot.startswith("digraph") and dot.rstrip().endswith("}")
    assert dot == d.to_dot()
    assert len(re.findall(r"shape=record", dot)) == 5
    for op in ["*", "+", "tanh"]:
        assert f'label="{op}"' in dot
    assert "a | data 2 | grad" in dot and f"grad {a.grad:.4g}" in dot
    assert dot.count("->") == 5 + 3  # 5 operand edges + one op->result edge per result


def test_to_dot_escapes_record_characters():
    x = Value(1.0, label="x<1>|{y}")
    assert r"x\<1\>\|\{y\}" in to_dot(x * 2)


@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG"), (".svg", b"<?xml")])
def test_draw_graph_writes_a_picture(tmp_path, suffix, magic):
    *_, d = small_graph()
    path = tmp_path / "sub" / f"graph{suffix}"
    fig = draw_graph(d, path)
    assert path.read_bytes().startswith(magic)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any("tanh" in t and "grad 1" in t for t in texts)
    assert len([t for t in texts if "data" in t]) == 5


def test_draw_graph_of_a_deep_chain_without_recursion(tmp_path):
    x = Value(1.0)
    y = x
    for _ in range(5000):
        y = y + 1
    order, _ = graph_nodes(y)
    assert len(order) == 5001
    with pytest.raises(ValueError, match="max_nodes"):
        draw_graph(y, tmp_path / "g.png")
