"""Sphinx configuration for the scalargrad docs (MyST Markdown pages, furo theme).

Math is typeset by a copy of MathJax 3 that the ``sphinx-mathjax-offline`` package ships and
copies into ``_build/html/_static/mathjax``: the site needs no network.
"""

import os
import sys

sys.path.insert(0, os.path.abspath(".."))

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
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "conftest.py", "README.md"]

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
