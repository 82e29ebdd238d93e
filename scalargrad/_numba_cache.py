"""Where numba keeps compiled kernels: ``.cache/numba`` in a source checkout.

numba compiles each kernel the first time it runs (seconds for a parallel kernel). With
``cache=True`` the machine code is written to disk and later processes load it in milliseconds.
In a checkout (an editable install) the cache goes to the repository's ignored ``.cache/numba``;
for an installed package, to ``~/.cache/scalargrad/numba``. ``NUMBA_CACHE_DIR`` set by the user wins.
"""

import os
import sys
from pathlib import Path


def cache_dir():
    package_dir = Path(__file__).resolve().parent
    checkout = package_dir.parent
    if (checkout / "setup.cfg").exists():
        return checkout / ".cache" / "numba"
    return Path.home() / ".cache" / "scalargrad" / "numba"


def configure():
    """Point numba at our cache directory unless the user already chose one."""
    if "NUMBA_CACHE_DIR" in os.environ:
        return
    path = str(cache_dir())
    os.environ["NUMBA_CACHE_DIR"] = path
    if "numba" in sys.modules:  # numba read its config already: tell it directly
        import numba

        numba.config.CACHE_DIR = path
