"""The on-disk kernel cache follows the source: an edit to calculus.py must not load old kernels."""

import re
from pathlib import Path

from scalargrad import _numba_cache

PACKAGE = Path(_numba_cache.__file__).resolve().parent


def test_every_file_numba_compiles_is_fingerprinted():
    uses_numba_jit = {
        path
        for path in PACKAGE.rglob("*.py")
        if path.name != "_numba_cache.py"
        and re.search(r"\b(njit|jit)\(|cache=True", path.read_text())
    }
    assert uses_numba_jit, "expected numba kernels in the package"
    assert uses_numba_jit | {PACKAGE / "calculus.py"} <= set(_numba_cache.compiled_sources())


def test_cache_folder_changes_with_the_source(tmp_path, monkeypatch):
    calculus_copy = tmp_path / "calculus.py"
    calculus_copy.write_text((PACKAGE / "calculus.py").read_text())
    monkeypatch.setattr(_numba_cache, "compiled_sources", lambda: [calculus_copy])
    before = _numba_cache.cache_dir()
    assert before.name == _numba_cache.source_fingerprint() and before.parent.name == "numba"
    assert _numba_cache.cache_dir() == before  # stable while nothing changes
    calculus_copy.write_text(calculus_copy.read_text() + "\n# a student's edit\n")
    assert _numba_cache.cache_dir() != before
