"""Mutation testing of code mutmut cannot instrument: the autograd Functions' backward methods and
the kernels' row math (``make mutation`` runs this after ``run.py``; not part of CI).

mutmut swaps each function through a Python trampoline, which numba cannot compile, so it cannot
mutate code that kernels call. This script mutates the *source* instead, one change at a time:

* swap an arithmetic operator: ``+`` <-> ``-``, ``*`` <-> ``/`` (``+=`` and friends too);
* flip a comparison: ``<`` <-> ``<=``, ``>`` <-> ``>=``, ``==`` <-> ``!=``;
* an off-by-one in a ``range`` bound: ``range(a, b)`` -> ``range(a, b + 1)``, ``range(a + 1, b)``;
* a constant 0 <-> 1 (``0.0`` <-> ``1.0`` too);
* drop a statement that is a call on its own (``cuda.syncthreads()``, ``out.fill(0)``, ...).

For each mutant it writes the changed file into a copy of the package (``out/mutation/<target>``,
the repository itself is never changed), runs the target's tests there with ``-x`` and a timeout,
and counts the mutant *killed* (a test failed or the run timed out) or *survived*. The copy keeps
its own numba cache, so unchanged kernels compile once. On a small machine the run is bounded:
``--sample N`` draws N mutation sites per file with a fixed ``--seed`` (0: all sites), every
dropped call (such as a ``syncthreads``) among them.

    python tests/mutation/mutate.py [target ...] [--sample N] [--seed S] [--list]
"""

import argparse
import ast
import copy
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = "scalargrad/matrix/functions"

# The gradient tests of the matrix engine: central differences, ties and bounds, layouts.
MATRIX_GRAD_TESTS = [
    "tests/matrix/test_autograd.py",
    "tests/test_ties_and_bounds.py",
    "--deselect",  # (fails on the base branch, for a reason outside the Functions)
    "tests/test_ties_and_bounds.py::test_sgd_makes_its_buffers_once",
]

# target: (files, which functions of them to mutate (None: all), tests to run per file, and
# environment variables for the test process)
TARGETS = {
    "functions": (
        sorted(str(p.relative_to(ROOT)) for p in (ROOT / FUNCTIONS).glob("*.py")),
        {"backward"},
        {
            "elementwise.py": ["tests/matrix/test_elementwise_ops.py"],
            "comparison.py": ["tests/matrix/test_elementwise_ops.py"],
            "composite.py": ["tests/matrix/test_elementwise_ops.py"],
            "fused.py": [
                "tests/nn/test_nn_linear.py",
                "tests/nn/test_nn_losses.py",
                "tests/nn/test_nn_class_loss_options.py",
            ],
            "reductions.py": ["tests/matrix/test_reductions.py"],
            "softmax.py": [
                "tests/matrix/test_linalg_softmax.py",
                "tests/nn/test_nn_activations.py",
            ],
            "linalg.py": ["tests/matrix/test_linalg_softmax.py"],
            "det_inv.py": ["tests/test_torch_compat.py"],
            "indexing.py": ["tests/matrix/test_indexing.py"],
            "selection.py": ["tests/matrix/test_indexing.py", "tests/matrix/test_reductions.py"],
            "shape.py": ["tests/matrix/test_shape_ops.py"],
            "joining.py": ["tests/matrix/test_shape_ops.py"],
            "inplace.py": ["tests/matrix/test_inplace.py"],
        },
        {},
    ),
    "rowwise_math": (
        ["scalargrad/matrix/backends/rowwise_math.py"],
        None,
        {
            "rowwise_math.py": [
                "tests/kernels/test_rowwise_math.py",
                "tests/kernels/test_rowwise_math_layouts.py",
            ]
        },
        {},
    ),
    # the CUDA kernels run in numba's simulator (as Python), on the deterministic boundary tests
    "cuda_kernels": (
        ["scalargrad/matrix/backends/cuda_matmul.py", "scalargrad/matrix/backends/cuda_reduce.py"],
        {"_matmul_kernel", "_tree_kernel", "_arg_kernel"},
        {
            "cuda_matmul.py": ["tests/cuda/test_matmul_boundaries.py"],
            "cuda_reduce.py": ["tests/cuda/test_reduce.py"],
        },
        {"NUMBA_ENABLE_CUDASIM": "1"},
    ),
}

SWAPS = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
}


def _in_scope(tree, names):
    """The nodes inside the functions called ``names`` (all nodes when names is None)."""
    if names is None:
        return list(ast.walk(tree))
    scope = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name in names:
            scope.extend(ast.walk(node))
    return scope


def sites(tree, names):
    """Every (node index in ast.walk order, kind) this script can mutate."""
    index = {id(node): i for i, node in enumerate(ast.walk(tree))}
    found = []
    for node in _in_scope(tree, names):
        i = index[id(node)]
        if isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in SWAPS:
            found.append((i, "op"))
        elif isinstance(node, ast.Compare) and type(node.ops[0]) in SWAPS:
            found.append((i, "compare"))
        elif isinstance(node, ast.Constant) and type(node.value) in (int, float):
            if node.value in (0, 1) and not isinstance(node.value, bool):
                found.append((i, "constant"))
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "range":
            found.append((i, "range_stop"))
            if len(node.args) >= 2:
                found.append((i, "range_start"))
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            found.append((i, "drop"))
    return found


def mutate(tree, site):
    """A copy of ``tree`` with the one change at ``site``; returns (tree, description)."""
    tree = copy.deepcopy(tree)
    i, kind = site
    node = list(ast.walk(tree))[i]
    before = ast.unparse(node).splitlines()[0]
    if kind == "op":
        node.op = SWAPS[type(node.op)]()
    elif kind == "compare":
        node.ops[0] = SWAPS[type(node.ops[0])]()
    elif kind == "constant":
        node.value = type(node.value)(1 - node.value)
    elif kind in ("range_stop", "range_start"):
        k = -1 if kind == "range_stop" else 0
        node.args[k] = ast.BinOp(node.args[k], ast.Add(), ast.Constant(1))
    elif kind == "drop":
        node.value = ast.Constant(None)
    ast.fix_missing_locations(tree)
    after = ast.unparse(node).splitlines()[0]
    return tree, f"line {node.lineno}: {before}  ->  {after}"


def prepare(work):
    """A copy of the package and the tests in ``work`` (file dates kept: numba's cache)."""
    work.mkdir(parents=True, exist_ok=True)
    for name in ("scalargrad", "tests"):
        if (work / name).exists():
            shutil.rmtree(work / name)
        shutil.copytree(ROOT / name, work / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("setup.cfg", "pyproject.toml"):
        shutil.copy2(ROOT / name, work / name)


def run_tests(work, tests, timeout, extra_env):
    """'passed', 'failed' or 'timeout' for the tests, run in ``work`` against its package copy."""
    env = dict(os.environ, PYTHONPATH=str(work), PYTHONDONTWRITEBYTECODE="1", **extra_env)
    env.pop("NUMBA_CACHE_DIR", None)  # the copy's own cache (scalargrad/_numba_cache.py)
    command = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider"]
    command += ["--hypothesis-seed=0", *tests]
    try:
        done = subprocess.run(command, cwd=work, env=env, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout"
    return "passed" if done.returncode == 0 else "failed"


def run(target, sample, seed, list_only):
    files, names, tests_for, extra_env = TARGETS[target]
    work = ROOT / "out" / "mutation" / f"ast_{target}"
    if not list_only:
        prepare(work)
    rng = random.Random(seed)
    killed, survived = [], []
    for path in files:
        source = (ROOT / path).read_text()
        tree = ast.parse(source)
        found = sites(tree, names)
        if sample and len(found) > sample:
            # a dropped call (a kernel's syncthreads) is always in, the rest drawn with the seed
            drops = [site for site in found if site[1] == "drop"]
            rest = [site for site in found if site[1] != "drop"]
            found = sorted(drops + rng.sample(rest, max(0, min(len(rest), sample - len(drops)))))
        if not found:
            continue
        tests = tests_for[Path(path).name] + (MATRIX_GRAD_TESTS if target == "functions" else [])
        print(f"\n{path}: {len(found)} mutants, tests {' '.join(tests)}", flush=True)
        if list_only:
            for site in found:
                print("  ", mutate(tree, site)[1])
            continue
        start = time.time()
        if run_tests(work, tests, 1800, extra_env) != "passed":
            print("  the unmutated code fails its tests: skipped")
            continue
        timeout = 3 * (time.time() - start) + 30
        for site in found:
            mutant, description = mutate(tree, site)
            (work / path).write_text(ast.unparse(mutant))
            try:
                outcome = run_tests(work, tests, timeout, extra_env)
            finally:
                shutil.copy2(ROOT / path, work / path)  # the original back, date included
            kept = killed if outcome != "passed" else survived
            kept.append(f"{path} {description}")
            shown = "survived" if outcome == "passed" else outcome
            print(f"  {shown:>8}  {description}", flush=True)
    if not list_only and killed + survived:
        rate = len(killed) / (len(killed) + len(survived))
        print(f"\n{target}: {len(killed)} killed, {len(survived)} survived: kill rate {rate:.1%}")
        for name in survived:
            print("  survived:", name)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", help=f"some of {list(TARGETS)} (default: all)")
    parser.add_argument("--sample", type=int, default=6, help="mutants per file (0: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--list", action="store_true", help="print the mutants, run nothing")
    arguments = parser.parse_args()
    for target in arguments.targets or list(TARGETS):
        run(target, arguments.sample, arguments.seed, arguments.list)
