"""How the docs build runs the lessons of ``demos/`` with sphinx-gallery (see ``conf.py``).

sphinx-gallery executes each lesson as ``__main__`` in ``demos/`` with the command line
``reset_argv`` returns: the small budget, its figures saved into ``demos/out/<lesson>/`` (as a
student's run would print them) and kept open, so the gallery's matplotlib scraper puts them on
the lesson's page as ``auto_demos/images/sphx_glr_<lesson>_<NNN>.png``, numbered in the order
the lesson draws them. The course chapters embed those files: a lesson that draws its figures in
another order must update the chapters (a missing file is a build error).
"""

from pathlib import Path

# the first cell of every downloaded notebook
FIRST_NOTEBOOK_CELL = """\
# A scalargrad lesson (demos/<lesson>.py). Run it from the demos/ folder of a scalargrad
# checkout: it imports demos/_common.py. SCALARGRAD_BUDGET=small in the environment trains less.
%matplotlib inline"""


def reset_argv(gallery_conf, script_vars):
    """The lesson's command line in the gallery build."""
    name = Path(script_vars["src_file"]).stem
    return ["--budget", "small", "--out", f"out/{name}", "--no-progress", "--keep-figures"]
