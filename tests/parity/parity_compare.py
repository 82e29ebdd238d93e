"""Compare a course's cells run with PyTorch and with scalargrad (used by the parity tests and by
``python tests/parity/parity_compare.py`` for a report).

A cell *matches* when its printed text is the same after two substitutions (``torch`` ->
``scalargrad``, memory addresses ``0x...`` -> ``0x?``; the C++ source location PyTorch appends
to some warnings is dropped), or when the texts differ only in numbers
that agree to float32 precision (rtol 1e-4, atol 1e-5: the last printed digit of a float32
computed in another order). A cell that raised in either library does not match.
"""

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

from run_cells import split_cells  # noqa: F401 - the tests read the cell titles with it

HERE = Path(__file__).resolve().parent
COURSES = sorted((HERE / "courses").glob("*.py"))
_NUMBER = re.compile(r"-?\d+\.?\d*(?:e[-+]?\d+)?")
_ADDRESS = re.compile(r"0x[0-9a-f]+")
_BUILD_PATH = re.compile(r" \(Triggered internally at [^)]*\)")  # where PyTorch's C++ warned


def run_course(mode, course):
    """The cells of ``course`` run with ``mode`` ("torch" or "scalargrad"), as run_cells gives."""
    env = dict(os.environ, PYTHONHASHSEED="0", MPLBACKEND="Agg")
    done = subprocess.run(
        [sys.executable, str(HERE / "run_cells.py"), mode, str(Path(course).resolve())],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(course.parent),
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{mode} run of {course.name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


def normalize(text):
    return _ADDRESS.sub("0x?", _BUILD_PATH.sub("", text).replace("torch", "scalargrad"))


def close_numbers(a, b):
    """True when ``a`` and ``b`` are the same text around numbers agreeing to float32 precision."""
    if _NUMBER.sub("#", a) != _NUMBER.sub("#", b):
        return False
    for x, y in zip(_NUMBER.findall(a), _NUMBER.findall(b), strict=True):
        if not math.isclose(float(x), float(y), rel_tol=1e-4, abs_tol=1e-5):
            return False
    return True


def compare_cell(torch_cell, sg_cell):
    """("same" | "close" | "different" | "error", detail) for one cell."""
    if torch_cell["error"] or sg_cell["error"]:
        return "error", f"torch: {torch_cell['error']}\nscalargrad: {sg_cell['error']}"
    want, got = normalize(torch_cell["stdout"]), normalize(sg_cell["stdout"])
    if want == got:
        return "same", ""
    if close_numbers(want, got):
        return "close", ""
    return "different", f"--- PyTorch printed:\n{want}\n--- scalargrad printed:\n{got}"


def report():
    total = same = close = 0
    for course in COURSES:
        ref, ours = run_course("torch", course), run_course("scalargrad", course)
        for t_cell, s_cell in zip(ref, ours, strict=True):
            verdict, detail = compare_cell(t_cell, s_cell)
            total += 1
            same += verdict == "same"
            close += verdict == "close"
            if verdict in ("different", "error"):
                print(f"{course.name} [{t_cell['title']}]: {verdict}\n{detail}\n")
    print(
        f"{total} cells: {same} print the same text, {close} the same up to float32 rounding; "
        f"{(same + close) / total:.1%} match"
    )


if __name__ == "__main__":
    report()
