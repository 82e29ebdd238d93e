"""tests/docs: the derivation-coverage test runs in ``make test``; the math-rendering test (it
needs Chromium), the notebook test (it needs the [docs] extra) and the course-figure test check a
built site, so only ``make docs-check`` runs them (it sets SCALARGRAD_DOCS_BUILT=1)."""

import os

BUILT_SITE = ["test_math_renders.py", "test_notebooks.py", "test_course_figures.py"]
collect_ignore = [] if os.environ.get("SCALARGRAD_DOCS_BUILT") == "1" else BUILT_SITE
