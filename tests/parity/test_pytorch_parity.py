"""PyTorch course code run twice, with the real PyTorch and with scalargrad through
``install_as_torch()``: every cell must print the same text (``torch`` -> ``scalargrad``) and the
same numbers (see parity_compare.py for what "same" means).

The courses in tests/parity/courses/ are cells of the PyTorch tutorials' "Learn the basics",
d2l.ai chapters 2-5 and a typical intro course, changed only where they download data or draw
random numbers. PyTorch is a test-only dependency: ``make test-parity`` installs it into .venv and
runs these tests; without it they skip.
"""

import importlib.util

import pytest
from parity_compare import COURSES, compare_cell, run_course, split_cells

HOW = "PyTorch is not installed: run `make test-parity` (installs torch==2.13.0 into .venv)"
pytestmark = pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason=HOW)

CELLS = [
    pytest.param(course, i, id=f"{course.stem}[{title}]")
    for course in COURSES
    for i, (title, _) in enumerate(split_cells(course.read_text()))
]
_runs = {}


def runs(course):
    """Both libraries' outputs for ``course`` (each course runs once per library per session)."""
    if course not in _runs:
        _runs[course] = run_course("torch", course), run_course("scalargrad", course)
    return _runs[course]


@pytest.mark.parametrize("course, index", CELLS)
def test_cell_prints_what_pytorch_prints(course, index):
    theirs, ours = runs(course)
    assert len(theirs) == len(ours) == len(split_cells(course.read_text()))
    verdict, detail = compare_cell(theirs[index], ours[index])
    assert verdict in ("same", "close"), f"{course.name} [{theirs[index]['title']}]:\n{detail}"


def test_no_course_cell_fails_under_pytorch():
    """The courses themselves are valid PyTorch code (a cell that fails there checks nothing)."""
    for course in COURSES:
        theirs, _ = runs(course)
        assert [c["title"] for c in theirs if c["error"]] == [], course.name
