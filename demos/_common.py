"""What every lesson shares: the command line, progress bars, figures and the closing summary.

    python demos/lesson3_linear_regression.py --out out/l3 --budget small

``--out`` is where the PNG figures go (default ``out/<lesson>/``); ``--budget small`` trains
less (the smoke tests and the tour use it), ``full`` is what the lesson's numbers refer to. The
environment variable ``SCALARGRAD_BUDGET=small`` changes the default budget (for a notebook,
which has no command line). In a Jupyter notebook, and with ``--keep-figures`` (the docs'
sphinx-gallery build), figures stay open after they are saved, so the notebook or the gallery
page shows them.
"""

import argparse
import os
import sys
import warnings

# Small tensors make many short parallel kernels; with OpenMP's default busy-waiting threads
# those are ~50x slower on a machine whose cores are busy. Passive waiting costs nothing here.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
from pathlib import Path

import numpy as np
from tqdm import TqdmWarning

with warnings.catch_warnings():  # in a notebook without ipywidgets tqdm draws text bars
    warnings.simplefilter("ignore", TqdmWarning)
    from tqdm.auto import tqdm

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # lessons import each other (and moons_scalar.py) by name
    sys.path.insert(0, str(HERE))


def parse_args(name, description, argv=None, extra=None):
    """Parse the common options; ``extra(parser)`` adds a lesson's own ones."""
    parser = argparse.ArgumentParser(prog=f"{name}.py", description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("out") / name,
                        help=f"folder for the figures (default out/{name}/)")
    parser.add_argument("--budget", choices=["small", "full"],
                        default=os.environ.get("SCALARGRAD_BUDGET", "full"),
                        help="small: a quick run (tests, tour); full: the lesson as written "
                             "(default: $SCALARGRAD_BUDGET, else full)")
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    parser.add_argument("--no-progress", action="store_true", help="hide progress bars")
    parser.add_argument("--keep-figures", action="store_true",
                        help="leave the figures open after saving them (for sphinx-gallery)")
    if extra is not None:
        extra(parser)
    if argv is None and in_notebook():
        argv = []  # a kernel's command line is not the lesson's
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    global _SHOW_PROGRESS, _KEEP_FIGURES
    _SHOW_PROGRESS = not args.no_progress
    _KEEP_FIGURES = args.keep_figures or in_notebook()
    return args


_SHOW_PROGRESS = True
_KEEP_FIGURES = False


def in_notebook():
    """True inside a Jupyter kernel (a notebook made from a lesson)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return type(shell).__name__ == "ZMQInteractiveShell"


def progress(iterable=None, desc=None, total=None, **kwargs):
    """A tqdm progress bar (on stderr) unless ``--no-progress``."""
    return tqdm(iterable, desc=desc, total=total, disable=not _SHOW_PROGRESS, leave=False,
                dynamic_ncols=True, **kwargs)


def section(title):
    """Print a lesson section heading."""
    print(f"\n== {title} ==")


def save(fig, out, name):
    """Save a figure as ``out/name`` and print where it went; close it unless kept open."""
    from scalargrad.viz.plots import save_figure

    if _KEEP_FIGURES:  # the notebook or the gallery page shows it after the code
        path = Path(out) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=100, bbox_inches="tight")
    else:
        path = save_figure(fig, Path(out) / name)
    print(f"  figure: {path}")
    return path


def summary(title, results):
    """Print the closing summary of a lesson; returns ``results`` for tests and the tour."""
    print(f"\n--- summary: {title} ---")
    for key, value in results.items():
        if isinstance(value, float):
            value = f"{value:.6g}"
        elif isinstance(value, np.ndarray):
            value = np.array2string(value, precision=4)
        print(f"  {key}: {value}")
    return results


def accuracy(pred, target):
    """Fraction of equal labels."""
    pred, target = np.asarray(pred).reshape(-1), np.asarray(target).reshape(-1)
    return float((pred == target).mean())
