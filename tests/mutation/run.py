"""``make mutation``: mutation testing with mutmut 3 (not part of CI: it takes long).

A mutant is a copy of the code with one small change (``<`` for ``<=``, ``1.0`` for ``2.0``,
``-`` for ``+``, a return value replaced by None, ...). A good test suite fails on it: the mutant
is *killed*. One that *survives* is a change no test notices: a missing test, or an equivalent
mutant (a change that cannot alter any result). The kill rate is killed / (killed + survived).

Each target is a module and the tests that check it directly. mutmut swaps functions through
a trampoline, which numba cannot compile, so the tests must call the mutated functions from
Python: for ``calculus.py`` the calculus tests (central differences, ties, kinks, special
values) and the scalar engine's tests, whose functions the kernels compile as they are.

The run happens in ``out/mutation/<target>`` (a copy of the package and the tests, with mutmut's
configuration written there), so the repository itself is never mutated.

    python tests/mutation/run.py [calculus]        # prints the kill rate and the survivors
"""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

TARGETS = {
    "calculus": (
        ["scalargrad/calculus.py"],
        [
            "tests/test_calculus.py",
            "tests/test_ties_and_bounds.py::test_maximum_and_minimum_split_the_gradient_at_a_tie",
            "tests/test_ties_and_bounds.py::test_maximum_and_minimum_off_a_tie",
            "tests/test_ties_and_bounds.py::test_kinks_at_zero",
            "tests/test_calculus_special_values.py",
            # the scalar engine calls calculus from Python (no numba): its tests count too
            "tests/scalar/test_scalar_ops.py",
            "tests/scalar/test_scalar_losses.py",
            "tests/scalar/test_scalar_optim.py",
            "tests/scalar/test_scalar_stability.py",
        ],
    ),
}


def run(target):
    paths, tests = TARGETS[target]
    work = ROOT / "out" / "mutation" / target
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    shutil.copytree(
        ROOT / "scalargrad", work / "scalargrad", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(
        ROOT / "tests", work / "tests", ignore=shutil.ignore_patterns("__pycache__", "mutation")
    )
    quoted = ", ".join(f'"{t}"' for t in tests)
    (work / "pyproject.toml").write_text(
        "[tool.mutmut]\n"
        'source_paths = ["scalargrad"]\n'
        f"only_mutate = [{', '.join(repr(p) for p in paths)}]\n"
        'also_copy = ["tests"]\n'
        f"pytest_add_cli_args_test_selection = [{quoted}]\n"
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-x"]\n'
    )
    mutmut = [sys.executable, "-m", "mutmut"]
    subprocess.run([*mutmut, "run", "--max-children", "2"], cwd=work, check=False)
    results = subprocess.run(
        [*mutmut, "results", "--all", "true"], cwd=work, capture_output=True, text=True
    )
    lines = [line.strip() for line in results.stdout.splitlines() if ":" in line]
    status = {}
    for line in lines:
        name, _, state = line.rpartition(":")
        status[name.strip()] = state.strip()
    killed = sum(s == "killed" for s in status.values())
    survived = [n for n, s in status.items() if s == "survived"]
    other = {s for s in status.values()} - {"killed", "survived"}
    print(f"\n{target}: {killed} killed, {len(survived)} survived", end="")
    if killed + len(survived):
        print(f": kill rate {killed / (killed + len(survived)):.1%}")
    print("other states:", {s: sum(v == s for v in status.values()) for s in other})
    for name in survived:
        print("  survived:", name)
    print(f"(see one with: cd {work.relative_to(ROOT)} && python -m mutmut show <name>)")


if __name__ == "__main__":
    for target in sys.argv[1:] or list(TARGETS):
        run(target)
