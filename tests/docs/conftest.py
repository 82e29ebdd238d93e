"""tests/docs: the derivation-coverage test runs in ``make test``; the math-rendering test needs
a built site and Chromium, so only ``make docs`` runs it (it sets SCALARGRAD_DOCS_BUILT=1)."""

import os

collect_ignore = [] if os.environ.get("SCALARGRAD_DOCS_BUILT") == "1" else ["test_math_renders.py"]
