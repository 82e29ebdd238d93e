"""How the docs build runs the lessons of ``demos/`` with sphinx-gallery (see ``conf.py``).

sphinx-gallery executes each lesson as ``__main__`` with the command line ``reset_argv`` returns:
the small budget, figures into ``docs/_build/lessons/<lesson>/`` and kept open, so the gallery's
matplotlib scraper puts them on the lesson's page (``auto_demos/images/sphx_glr_<lesson>_<NNN>.png``,
numbered in the order the lesson draws them).
"""

from pathlib import Path

DOCS = Path(__file__).resolve().parent
DEMOS = DOCS.parent / "demos"
FIGURES = DOCS / "_build" / "lessons"

# the first cell of every downloaded notebook
FIRST_NOTEBOOK_CELL = """\
# A scalargrad lesson (demos/<lesson>.py). Run it from the demos/ folder of a scalargrad
# checkout: it imports demos/_common.py. SCALARGRAD_BUDGET=small in the environment trains less.
%matplotlib inline"""


def reset_argv(gallery_conf, script_vars):
    """The lesson's command line in the gallery build."""
    name = Path(script_vars["src_file"]).stem
    return ["--budget", "small", "--out", str(FIGURES / name), "--no-progress", "--keep-figures"]
