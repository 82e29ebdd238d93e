"""The generated import diagram (docs/_ext/import_graph.py): it reads imports as Python runs them,
lays the units out so that every arrow points down, flags cycles, and writes its two files."""

import importlib.util
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_generator():
    spec = importlib.util.spec_from_file_location(
        "import_graph", ROOT / "docs" / "_ext" / "import_graph.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ig = load_generator()


def write_package(tmp_path, files):
    """A package named scalargrad under tmp_path, from {relative path: source}."""
    pkg = tmp_path / "scalargrad"
    for rel, source in {"__init__.py": "", **files}.items():
        path = pkg / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
    return pkg


def test_import_kinds_and_resolution(tmp_path):
    pkg = write_package(
        tmp_path,
        {
            "low.py": "",
            "mid.py": """
                from scalargrad import low
                try:
                    import scalargrad.other
                except ImportError:
                    pass
                def later():
                    from scalargrad.high import thing
                """,
            "other.py": "",
            "high.py": """
                from typing import TYPE_CHECKING
                from scalargrad.sub import helper
                from .mid import later
                if TYPE_CHECKING:
                    from scalargrad import other
                class C:
                    from scalargrad.low import x
                """,
            "sub/__init__.py": "from scalargrad.sub.helper import f\n",
            "sub/helper.py": "from scalargrad.sub import inner\n",
            "sub/inner.py": "",
        },
    )
    graph = ig.import_graph(pkg)
    assert graph["scalargrad.mid"] == {
        "scalargrad.low": "module",
        "scalargrad.other": "module",  # inside try: runs on import
        "scalargrad.high": "function",
    }
    # a relative import resolves; a class body runs on import; TYPE_CHECKING never runs
    assert graph["scalargrad.high"] == {
        "scalargrad.sub.helper": "module",
        "scalargrad.mid": "module",
        "scalargrad.low": "module",
    }
    assert graph["scalargrad.sub"] == {"scalargrad.sub.helper": "module"}
    assert graph["scalargrad.sub.helper"] == {"scalargrad.sub.inner": "module"}
    # mid -> high only inside a function, high -> mid at module level: a cycle closed in a function
    assert ig.cycles_by_kind(graph) == [(["scalargrad.high", "scalargrad.mid"], True)]


def test_layers_put_every_arrow_downward_and_flag_cycles():
    dag = {"top": {"a", "b"}, "a": {"b", "c"}, "b": {"c"}, "c": set()}
    level, cycles = ig.layers(dag)
    assert level == {"c": 0, "b": 1, "a": 2, "top": 3} and cycles == []
    # top -> b and a -> c are implied by top -> a -> b -> c
    assert ig.without_implied_arrows(dag, level) == {
        "top": {"a"},
        "a": {"b"},
        "b": {"c"},
        "c": set(),
    }
    looped = {"x": {"y"}, "y": {"z"}, "z": {"x", "w"}, "w": set(), "u": {"x"}}
    level, cycles = ig.layers(looped)
    assert cycles == [["x", "y", "z"]]
    assert level["w"] == 0 and level["x"] == level["y"] == level["z"] == 1 and level["u"] == 2
    # an arrow into a cycle is kept: the arrows between its members imply nothing
    assert ig.without_implied_arrows(looped, level)["u"] == {"x"}


def test_generator_writes_the_diagram_of_the_package(tmp_path):
    result = ig.generate(ROOT / "scalargrad", tmp_path)
    svg = ET.parse(tmp_path / "imports.svg").getroot()
    assert svg.tag.endswith("svg")
    text = (tmp_path / "imports.md").read_text()
    units, level = result["units"], result["unit_level"]
    for unit in ("calculus", "scalar", "nn", "optim", "data", "matrix.backends"):
        assert f"| `{unit}` |" in text  # a row of the layer table
    for module in result["graph"]:
        assert f"| `{module}` |" in text  # a row of the module table
    # no upward arrow: each arrow goes to a lower layer, except between members of one cycle
    in_cycle = {u: i for i, (members, _) in enumerate(result["unit_cycles"]) for u in members}
    for unit, targets in units.items():
        for target in targets:
            same_cycle = unit in in_cycle and in_cycle[unit] == in_cycle.get(target)
            assert level[target] < level[unit] or same_cycle, f"{unit} -> {target} points up"
    # the cycles the page lists are the graph's
    if result["module_cycles"]:
        assert "**Import cycles**" in text
    else:
        assert "**Import cycles:** none" in text


def test_calculus_and_the_shared_vocabulary_are_the_bottom_layer():
    result = ig.analyse(ROOT / "scalargrad")
    for unit in ("calculus", "dtypes", "errors", "autograd_mode"):
        assert result["unit_level"][unit] == 0, f"{unit} imports something of the package"


def test_the_package_has_no_import_cycle():
    result = ig.analyse(ROOT / "scalargrad")
    assert result["module_cycles"] == [] and result["unit_cycles"] == []
