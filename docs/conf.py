"""Sphinx configuration for the scalargrad docs (MyST Markdown pages, furo theme).

Math is typeset by a copy of MathJax 3 that the ``sphinx-mathjax-offline`` package ships and
copies into ``_build/html/_static/mathjax``: the site needs no network.
"""

import os
import sys

sys.path.insert(0, os.path.abspath(".."))
sys.path.insert(0, os.path.abspath("."))  # lessons_gallery.py
sys.path.insert(0, os.path.abspath("../demos"))  # the lessons import _common and each other
sys.path.insert(0, os.path.abspath("_ext"))  # import_graph: the generated import diagram
os.environ.setdefault("MPLBACKEND", "Agg")

project = "scalargrad"
author = "the scalargrad authors"
copyright = "2026, the scalargrad authors"  # noqa: A001 - Sphinx's name
release = "0.1.0"

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.viewcode",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",
    "sphinx_copybutton",
    "sphinx_gallery.gen_gallery",
    "import_graph",  # writes architecture/_generated/imports.{svg,md} before the pages are read
]

# sphinx-gallery writes the lesson pages as reStructuredText
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = [
    "_build",
    "conftest.py",
    "README.md",
    "auto_demos/*.md5",
    "architecture/_generated",  # included into architecture/layers.md, not a page of its own
]

# the lessons of demos/ as a gallery: each one runs with the small budget (lessons_gallery.py),
# its page shows the code, what it printed and its figures, with the .py and a notebook to
# download. benchmark.py (minutes, and it installs references) and the tour (lessons again) stay
# out; _common.py is the lessons' shared helper, not a lesson.
sphinx_gallery_conf = {
    "examples_dirs": "../demos",
    "gallery_dirs": "auto_demos",
    "filename_pattern": r"/(lesson\d|moons_scalar)",
    "ignore_pattern": r"(_common|benchmark|tour)\.py$",
    "reset_argv": "lessons_gallery.reset_argv",
    "first_notebook_cell": __import__("lessons_gallery").FIRST_NOTEBOOK_CELL,
    "within_subsection_order": "FileNameSortKey",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "download_all_examples": False,
    "show_memory": False,
    "show_signature": False,
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
}

myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# autodoc: the API reference documents what is importable; names still being written are skipped
autodoc_default_options = {"members": True, "undoc-members": False}
autodoc_member_order = "bysource"
autodoc_mock_imports = []

html_theme = "furo"
html_title = "scalargrad"
html_static_path = ["_static"]
html_css_files = ["scalargrad.css"]

# the copy button leaves out the >>> and ... prompts and the printed output
copybutton_prompt_text = r">>> |\.\.\. "
copybutton_prompt_is_regexp = True
copybutton_only_copy_prompt_lines = True

# a missing cross-reference is an error in a -W build; these are the known external names
nitpicky = False


def _docstring_as_text(app, what, name, obj, options, lines):
    """The package's docstrings are plain text (``|x|``, ``x * y`` and indented examples are
    not reStructuredText), so show each one verbatim, as a preformatted block."""
    if any(line.strip() for line in lines):
        lines[:] = ["::", ""] + [("    " + line) if line.strip() else "" for line in lines] + [""]


def setup(app):
    app.connect("autodoc-process-docstring", _docstring_as_text)
