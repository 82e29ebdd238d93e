"""Run PyTorch course code on scalargrad unchanged: ``import torch`` gets scalargrad.

    import scalargrad
    scalargrad.install_as_torch()
    import torch                                  # scalargrad
    from torch import nn                          # scalargrad.nn
    from torch.utils.data import DataLoader       # scalargrad.data.DataLoader

or, for a whole script, ``python -m scalargrad.torch_compat script.py [args]``.

``install_as_torch`` registers scalargrad's modules under PyTorch's names in ``sys.modules``:
``torch``, ``torch.nn``, ``torch.nn.functional``, ``torch.nn.init``, ``torch.optim``,
``torch.utils``, ``torch.utils.data``, ``torch.linalg``, ``torch.cuda``. It refuses when the real
PyTorch is already imported (the two cannot share the name). docs/pytorch_compat.md lists what a
first course uses and what differs.
"""

import importlib
import runpy
import sys

ALIASES = {
    "torch": "scalargrad",
    "torch.nn": "scalargrad.nn",
    "torch.nn.functional": "scalargrad.nn.functional",
    "torch.nn.init": "scalargrad.nn.init",
    "torch.optim": "scalargrad.optim",
    "torch.utils": "scalargrad.utils",
    "torch.utils.data": "scalargrad.data",
    "torch.linalg": "scalargrad.linalg",
    "torch.cuda": "scalargrad.cuda",
    "torch.accelerator": "scalargrad.accelerator",
}


def install_as_torch():
    """Make ``import torch`` (and ``torch.nn``, ``torch.optim``, ``torch.utils.data``, ...) import
    scalargrad's modules. Returns the ``scalargrad`` module."""
    current = sys.modules.get("torch")
    if current is not None and getattr(current, "__name__", "") != "scalargrad":
        raise RuntimeError(
            "install_as_torch: the real PyTorch is already imported in this process; call "
            "install_as_torch() before anything imports torch"
        )
    for alias, name in ALIASES.items():
        sys.modules[alias] = importlib.import_module(name)
    return sys.modules["torch"]


def main(argv=None):
    """``python -m scalargrad.torch_compat script.py [args]``: run script.py with torch ->
    scalargrad."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: python -m scalargrad.torch_compat script.py [args...]")
        return 0 if argv else 2
    install_as_torch()
    sys.argv = argv
    runpy.run_path(argv[0], run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
