"""Run a course file's cells in one namespace and print their outputs as JSON (parity tests).

    python run_cells.py torch course.py        # with the real PyTorch
    python run_cells.py scalargrad course.py   # with scalargrad.install_as_torch()

A course file is Python split into cells by ``# %%`` lines (the "percent" format of Jupytext and
VS Code), run one after another in one namespace, as a notebook runs them. Each cell's standard
output (and warnings) is captured; a cell that raises records the exception instead, and the next
cells still run.
"""

import contextlib
import io
import json
import sys
import traceback
import warnings


def split_cells(text):
    """The cells of a course file: (title, source) for each ``# %%`` block."""
    cells = []
    for block in text.split("\n# %%")[1:]:
        title, _, source = block.partition("\n")
        cells.append((title.strip(), source))
    return cells


def run(mode, path):
    if mode == "scalargrad":
        import scalargrad

        scalargrad.install_as_torch()
    elif mode != "torch":
        raise SystemExit(f"mode must be torch or scalargrad, got {mode!r}")
    import numpy as np

    np.set_printoptions(precision=4, suppress=True)
    with open(path) as f:
        cells = split_cells(f.read())
    namespace = {"__name__": "__main__"}
    results = []
    for title, source in cells:
        out = io.StringIO()
        error = None
        with contextlib.redirect_stdout(out), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                exec(compile(source, f"{path}:{title}", "exec"), namespace)
            except Exception as e:  # noqa: BLE001 - recorded, compared, reported
                error = f"{type(e).__name__}: {e}"
                traceback.print_exc(file=sys.stderr)
        for w in caught:  # what a notebook shows under the cell (DeprecationWarnings it hides)
            if w.category is UserWarning:
                out.write(f"UserWarning: {w.message}\n")
        results.append({"title": title, "stdout": out.getvalue(), "error": error})
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    run(sys.argv[1], sys.argv[2])
