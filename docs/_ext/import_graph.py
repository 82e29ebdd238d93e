"""The import diagram of scalargrad, read from the code at every docs build (never drawn by hand).

Every module's imports of the package are read with ``ast``: the *module-level* ones (at the top
of a file, or in an ``if``/``try`` block there), which run when the module is imported, and the
ones inside a function, which run at its first call (the package defers numba and the matrix
engine that way, so ``import scalargrad`` stays fast). Both are dependencies: ``A -> B`` means
"A imports B", solid when at module level, dashed when only inside a function. Modules are
grouped into units (a subpackage such as ``nn`` or ``matrix.backends`` is one unit; a top-level
module, or a module of ``matrix/`` itself, is its own), and each unit is put on a layer:

    layer(u) = 0 if u imports no other unit, else 1 + max(layer(v) for each v that u imports)

so every arrow points down. Units (or modules) that import each other in a circle have no such
layering: they are reported as cycles (saying whether an import inside a function closes the
circle) and drawn on one layer, in red. The package's own ``__init__`` loads every public name
lazily by name (``importlib``), so it is the top of everything and is not drawn. Outputs:

* ``imports.svg``: the units on their layers, top down, drawn with matplotlib; an arrow that a
  longer chain of arrows already implies is left out, so the picture stays readable;
* ``imports.md``: the layers as a table, the cycles (or "none"), and every module with the
  modules it imports, top down.

Run by hand: ``python docs/_ext/import_graph.py OUTDIR``; as a Sphinx extension (``conf.py``
lists it) it writes into ``docs/architecture/_generated/`` before the pages are read.
"""

import ast
import sys
from pathlib import Path

PACKAGE = "scalargrad"
# subpackages drawn as one box each; any other module is a box of its own
GROUPS = (
    "scalargrad.matrix.backends",
    "scalargrad.matrix.functions",
    "scalargrad.scalar",
    "scalargrad.nn",
    "scalargrad.data",
    "scalargrad.viz",
    "scalargrad.testing",
)


# ---------------------------------------------------------------- reading the imports


def module_files(package_dir):
    """``{dotted module name: path}`` for every .py file under ``package_dir``."""
    package_dir = Path(package_dir)
    root = package_dir.parent
    mods = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        mods[".".join(parts)] = path
    return mods


def imports_by_kind(tree):
    """``(node, kind)`` for each Import / ImportFrom statement: kind "module" for those a module
    runs when it is imported (its body, and ``if`` / ``try`` / ``with`` / ``class`` blocks in it),
    "function" for those inside a def. ``if TYPE_CHECKING:`` blocks never run and are skipped."""
    stack = [(node, "module") for node in reversed(tree.body)]
    while stack:
        node, kind = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node, kind
            continue
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.dump(node.test):
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            kind = "function"  # (a class body runs at import time: it keeps the kind it is in)
        stack.extend((child, kind) for child in reversed(list(ast.iter_child_nodes(node))))


def imported_modules(name, is_package, node, mods):
    """The package's modules that one import statement of module ``name`` names: for
    ``from a.b import c`` the module ``a.b.c`` if there is one, else ``a.b``."""
    if isinstance(node, ast.Import):
        return {a.name for a in node.names if a.name in mods}
    base = node.module or ""
    if node.level:  # relative: from . import x, from ..y import z
        pkg = name if is_package else name.rpartition(".")[0]
        for _ in range(node.level - 1):
            pkg = pkg.rpartition(".")[0]
        base = f"{pkg}.{base}" if base else pkg
    found = set()
    for alias in node.names:
        sub = f"{base}.{alias.name}"
        if sub in mods:
            found.add(sub)
        elif base in mods:
            found.add(base)
    return found


def import_graph(package_dir):
    """``{module: {imported module: "module" or "function"}}`` over the package's modules:
    "module" when some import of it runs at module level, else "function". A module's import of
    a package above it (its own ``__init__``, which Python runs first anyway) is no edge."""
    mods = module_files(package_dir)
    graph = {}
    for name, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        is_package = path.name == "__init__.py"
        edges = {}
        for node, kind in imports_by_kind(tree):
            for t in imported_modules(name, is_package, node, mods):
                if t != name and not name.startswith(t + "."):
                    edges[t] = "module" if "module" in (kind, edges.get(t)) else kind
        graph[name] = edges
    return graph


def module_level_only(graph):
    """The graph of the imports that run at module level."""
    return {v: {w for w, kind in edges.items() if kind == "module"} for v, edges in graph.items()}


# ---------------------------------------------------------------- cycles and layers


def strongly_connected(graph):
    """The strongly connected components of ``graph`` (Tarjan's algorithm, without recursion):
    each is a set of nodes that all reach each other; a component of two or more is a cycle."""
    index, low, on_stack, stack, components = {}, {}, set(), [], []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            v, children = work[-1]
            w = next(children, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                component = set()
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.add(w)
                    if w == v:
                        break
                components.append(component)
    return components


def layers(graph):
    """``(layer of each node, cycles)``: layer 0 imports nothing of the package, and every other
    node sits one above the highest node it imports; the members of a cycle share one layer
    (``cycles``: the sorted members of each)."""
    components = strongly_connected(graph)
    owner = {v: i for i, comp in enumerate(components) for v in comp}
    # Tarjan's algorithm emits a component only after every component it reaches
    level = {}
    for i, comp in enumerate(components):
        below = [level[owner[w]] for v in comp for w in graph[v] if owner[w] != i]
        level[i] = 1 + max(below) if below else 0
    cycles = sorted((sorted(c) for c in components if len(c) > 1), key=lambda c: c[0])
    return {v: level[owner[v]] for v in graph}, cycles


def unit_of(module):
    """The box a module is drawn in: its group, else the module itself (without the package's
    name: ``nn``, ``calculus``, ``matrix.tensor``; the package's own ``__init__`` is
    ``scalargrad``)."""
    for group in GROUPS:
        if module == group or module.startswith(group + "."):
            module = group
            break
    return module.partition(".")[2] or module


def unit_graph(graph):
    """The module graph with each module replaced by its unit (arrows inside a unit dropped; an
    arrow is "module" if any import it stands for runs at module level). The package's own
    ``__init__`` is left out (see the top of this file)."""
    units = {}
    for module, edges in graph.items():
        if module == PACKAGE:
            continue
        u = unit_of(module)
        mine = units.setdefault(u, {})
        for t, kind in edges.items():
            tu = unit_of(t)
            if tu != u and t != PACKAGE:
                mine[tu] = "module" if "module" in (kind, mine.get(tu)) else kind
    return units


def cycles_by_kind(graph):
    """The cycles of ``graph`` (every import), each as ``(sorted members, closed_in_function)``:
    closed_in_function is True when the module-level imports alone make no circle of them."""
    module_level = module_level_only(graph)
    found = []
    for comp in strongly_connected(graph):
        if len(comp) < 2:
            continue
        sub = {v: {w for w in module_level[v] if w in comp} for v in comp}
        closed_in_function = all(len(c) == 1 for c in strongly_connected(sub))
        found.append((sorted(comp), closed_in_function))
    return sorted(found)


def without_implied_arrows(graph, level):
    """The arrows of an acyclic graph that no longer chain of arrows implies (for the picture)."""

    def below(v):
        """Every node reached from v by one or more downward arrows (the arrows between the
        members of a cycle, which share a layer, imply nothing)."""
        seen, todo = set(), [v]
        while todo:
            for w in graph[todo.pop()]:
                if level[w] < level[v] and w not in seen:
                    seen.add(w)
                    todo.append(w)
        return seen

    kept = {}
    for v, targets in graph.items():
        implied = set()
        for w in targets:
            if level[w] < level[v]:
                implied |= below(w)
        kept[v] = {w for w in targets if w not in implied}
    return kept


# ---------------------------------------------------------------- writing the outputs


def by_layer(level):
    rows = {}
    for v, k in level.items():
        rows.setdefault(k, []).append(v)
    return [(k, sorted(rows[k])) for k in sorted(rows, reverse=True)]


def _names(edges):
    """Imported names for a table cell; an import only inside a function is marked with *."""
    cells = []
    for t in sorted(edges):
        cells.append(f"`{t}`" + ("*" if edges[t] == "function" else ""))
    return ", ".join(cells)


def markdown(result):
    """The generated page part: layers of units, cycles, and every module's imports."""
    graph, units = result["graph"], result["units"]
    members = {}
    for module in graph:
        members.setdefault(unit_of(module), []).append(module)
    lines = [
        "| layer | unit | its modules | imports the units (* only inside a function) |",
        "|---|---|---|---|",
    ]
    for k, row in by_layer(result["unit_level"]):
        for u in row:
            mods = ", ".join(f"`{m.rpartition('.')[2]}`" for m in sorted(members[u]))
            imports = _names(units[u]) or "(nothing of the package)"
            lines.append(f"| {k} | `{u}` | {mods} | {imports} |")
    lines.append("")
    cycles = [("modules", c) for c in result["module_cycles"]]
    cycles += [("units", c) for c in result["unit_cycles"]]
    if cycles:
        lines += ["**Import cycles** (modules or units that import each other in a circle):", ""]
        for what, (members_, in_function) in cycles:
            how = "closed by an import inside a function" if in_function else "at module level"
            lines.append(f"- {what} ({how}): " + ", ".join(f"`{m}`" for m in members_))
    else:
        lines.append("**Import cycles:** none; every import points to a lower layer.")
    lines += [
        "",
        "Every module, top down, with the modules of the package it imports (* only inside a "
        "function):",
        "",
        "| layer | module | imports |",
        "|---|---|---|",
    ]
    for k, row in by_layer(result["module_level"]):
        for m in row:
            lines.append(f"| {k} | `{m}` | {_names(graph[m]) or '-'} |")
    return "\n".join(lines) + "\n"


def draw(units, level, cycles, path):
    """The units on their layers, top down, drawn with matplotlib (an SVG): solid arrows for
    imports at module level, dashed for imports only inside a function, red for cycles."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matplotlib.rcParams["svg.hashsalt"] = "scalargrad"  # the same file for the same graph
    rows = by_layer(level)
    in_cycle = {v for members, _ in cycles for v in members}
    width = max(len(row) for _, row in rows)
    fig, ax = plt.subplots(figsize=(max(8.0, 1.7 * width), 0.9 * len(rows) + 0.6))
    place = {}
    for k, row in reversed(rows):  # bottom up: a box goes above the boxes it imports
        def mean_x(v):
            xs = [place[w][0] for w in units[v] if w in place]
            return sum(xs) / len(xs) if xs else width / 2

        row = sorted(row, key=lambda v: (mean_x(v), v)) if k else row
        for i, v in enumerate(row):
            place[v] = ((i + 0.5) * width / len(row), k)
    for v, targets in without_implied_arrows(units, level).items():
        for w in sorted(targets):
            upward = level[w] >= level[v]
            ax.annotate(
                "",
                xy=place[w],
                xytext=place[v],
                arrowprops=dict(
                    arrowstyle="-|>",
                    color="#c0392b" if upward else "#7f8c8d",
                    linestyle="--" if units[v][w] == "function" else "-",
                    lw=0.8,
                    shrinkA=11,
                    shrinkB=11,
                    connectionstyle="arc3,rad=0.06",
                ),
            )
    for v, (x, y) in place.items():
        ax.text(
            x,
            y,
            v,
            ha="center",
            va="center",
            fontsize=8,
            family="monospace",
            bbox=dict(
                boxstyle="round,pad=0.35",
                fc="#fdecea" if v in in_cycle else "#eef3fb",
                ec="#c0392b" if v in in_cycle else "#4a6fa5",
                lw=0.8,
            ),
        )
    for k, _ in rows:
        ax.text(-0.15, k, f"layer {k}", ha="right", va="center", fontsize=8, color="#555555")
    ax.set_xlim(-1.1, width + 0.1)
    ax.set_ylim(-0.6, rows[0][0] + 0.6)
    ax.axis("off")
    fig.tight_layout()
    svg = Path(path).suffix == ".svg"  # (a .png too, to look at it while editing this file)
    fig.savefig(path, metadata={"Date": None} if svg else None)
    plt.close(fig)


def analyse(package_dir):
    """Everything the outputs show: ``dict(graph, module_level, module_cycles, units,
    unit_level, unit_cycles)`` (cycles as from ``cycles_by_kind``)."""
    graph = import_graph(package_dir)
    units = unit_graph(graph)
    return dict(
        graph=graph,
        module_level=layers(graph)[0],
        module_cycles=cycles_by_kind(graph),
        units=units,
        unit_level=layers(units)[0],
        unit_cycles=cycles_by_kind(units),
    )


def generate(package_dir, out_dir):
    """Write ``imports.svg`` and ``imports.md`` into ``out_dir``; returns ``analyse``'s dict."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    result = analyse(package_dir)
    draw(result["units"], result["unit_level"], result["unit_cycles"], out_dir / "imports.svg")
    (out_dir / "imports.md").write_text(markdown(result), encoding="utf-8")
    return result


def _on_builder_inited(app):
    docs = Path(app.srcdir)
    generate(docs.parent / PACKAGE, docs / "architecture" / "_generated")


def setup(app):
    """Sphinx extension: regenerate the diagram before the pages are read."""
    app.connect("builder-inited", _on_builder_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    here = Path(__file__).resolve().parents[2]
    out = sys.argv[1] if len(sys.argv) > 1 else here / "docs" / "architecture" / "_generated"
    result = generate(here / PACKAGE, out)
    cycles = result["module_cycles"] + result["unit_cycles"]
    print(f"wrote {out}/imports.svg and imports.md; cycles: {len(cycles)}")
