"""The matrix engine's layers: every module imports only modules below it.

Read from the source with ``ast`` (every import, at module level or inside a function), so a
late import that closes a circle fails here as a module-level one does.
"""

import ast
from pathlib import Path

import scalargrad.matrix

MATRIX = Path(scalargrad.matrix.__file__).parent


def _module_name(path):
    parts = path.relative_to(MATRIX.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path):
    """The scalargrad.matrix modules (not backends) that the file at ``path`` imports."""
    package = _module_name(path)
    if path.name != "__init__.py":
        package = package.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pkg = package
                for _ in range(node.level - 1):
                    pkg = pkg.rsplit(".", 1)[0]
                base = pkg + ("." + base if base else "")
            names = [base] + [base + "." + a.name for a in node.names]
        else:
            continue
        found.update(n for n in names if n in GRAPH_NODES)
    return found


FILES = {
    _module_name(p): p
    for p in sorted(MATRIX.rglob("*.py"))
    if "backends" not in p.relative_to(MATRIX).parts
}
GRAPH_NODES = set(FILES)
GRAPH = {m: _imports(p) - {m} for m, p in FILES.items()}


def _reaches(start):
    """Every module ``start`` imports, directly or through others."""
    seen, todo = set(), [start]
    while todo:
        for dep in GRAPH[todo.pop()]:
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    return seen


def test_the_module_list_is_what_this_test_reads():
    assert "scalargrad.matrix.tensor_core" in GRAPH
    assert "scalargrad.matrix.functions.elementwise" in GRAPH
    assert len(GRAPH) > 20


def test_no_module_of_the_matrix_engine_imports_itself_back():
    circles = sorted(m for m in GRAPH if m in _reaches(m))
    assert not circles, f"import circles through: {circles}"


def test_the_tensor_core_builds_on_no_op():
    below = _reaches("scalargrad.matrix.tensor_core")
    assert below <= {
        "scalargrad.matrix.size",
        "scalargrad.matrix.printing",
        "scalargrad.matrix.shape_rules",
    }, below


def test_functions_and_autograd_never_reach_the_user_facing_tensor():
    above = {
        "scalargrad.matrix.tensor",
        "scalargrad.matrix.tensor_methods",
        "scalargrad.matrix.creation",
        "scalargrad.matrix",
    }
    lower = [m for m in GRAPH if m.startswith("scalargrad.matrix.functions.")]
    lower += ["scalargrad.matrix.autograd_function", "scalargrad.matrix.autograd"]
    for m in lower:
        assert not (_reaches(m) & above), f"{m} reaches {sorted(_reaches(m) & above)}"
