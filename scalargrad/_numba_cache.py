"""Where numba keeps compiled kernels: ``.cache/numba/<source fingerprint>`` in a checkout.

numba compiles each kernel the first time it runs (seconds for a parallel kernel). With
``cache=True`` the machine code is written to disk and later processes load it in milliseconds.
In a checkout (an editable install) the cache goes to the repository's ignored ``.cache/numba``;
for an installed package, to ``~/.cache/scalargrad/numba``. A ``NUMBA_CACHE_DIR`` that the user
set wins.

numba checks only the date of the file that defines a cached kernel, not of the files it calls
into: after an edit to ``calculus.py`` it would load kernels compiled from the old math. So the
cache lives in a sub-folder named by a hash of every file whose functions numba compiles; any
edit there starts a fresh cache (and one cold compile).
"""

import hashlib
import os
import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def compiled_sources():
    """The files whose functions numba compiles: calculus.py and the kernel backends."""
    backends = sorted((PACKAGE_DIR / "matrix" / "backends").glob("*.py"))
    return [PACKAGE_DIR / "calculus.py", *backends]


def source_fingerprint():
    digest = hashlib.sha1()
    for path in compiled_sources():
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def cache_dir():
    checkout = PACKAGE_DIR.parent
    if (checkout / "setup.cfg").exists():
        base = checkout / ".cache" / "numba"
    else:
        base = Path.home() / ".cache" / "scalargrad" / "numba"
    return base / source_fingerprint()


def configure():
    """Point numba at our cache directory unless the user already chose one."""
    if "NUMBA_CACHE_DIR" in os.environ:
        return
    path = str(cache_dir())
    os.environ["NUMBA_CACHE_DIR"] = path
    if "numba" in sys.modules:  # numba read its config already: tell it directly
        import numba

        numba.config.CACHE_DIR = path
