"""Files the docs name in prose (``python demos/x.py``, ``scalargrad/...py``) exist, so a renamed
demo or module cannot leave a page pointing at nothing. (literalinclude targets are checked by the
docs build itself, which runs with warnings as errors.)"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PATH = re.compile(r"(?<![\w/.])((?:demos|scalargrad|tests)/[A-Za-z0-9_/]+\.py)\b")


def named_paths():
    found = set()
    for page in (ROOT / "docs").rglob("*.md"):
        if "_build" in page.parts:
            continue
        for path in PATH.findall(page.read_text(encoding="utf-8")):
            found.add((page.relative_to(ROOT).as_posix(), path))
    return sorted(found)


@pytest.mark.parametrize("page, path", named_paths())
def test_named_file_exists(page, path):
    assert (ROOT / path).is_file(), f"{page} names {path}, which does not exist"
