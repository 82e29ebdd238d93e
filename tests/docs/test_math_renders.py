"""The built site typesets its math offline: open derivation pages of docs/_build/html in
headless Chromium (no network) and check that MathJax replaced every TeX delimiter with its
output elements. Run by ``make docs`` after the build."""

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

HTML = Path(__file__).resolve().parents[2] / "docs" / "_build" / "html"
PAGES = ["derivations/tanh.html", "derivations/softmax.html", "course/backprop.html"]
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--virtual-time-budget=15000",
]


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("Chromium is not installed: apt-get install -y chromium (see .ci/run)")


def rendered_dom(page):
    with tempfile.TemporaryDirectory() as profile:
        url = (HTML / page).as_uri()
        cmd = [chromium(), *FLAGS, f"--user-data-dir={profile}", "--dump-dom", url]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def visible_text(dom):
    """The DOM without <script>, <style> and <noscript>: what could show raw TeX to a reader."""
    return re.sub(r"(?is)<(script|style|noscript)\b.*?</\1>", "", dom)


@pytest.mark.parametrize("page", PAGES)
def test_math_is_typeset(page):
    assert (HTML / page).exists(), f"{page} was not built: run make docs"
    source = (HTML / page).read_text(encoding="utf-8")
    assert "_static/mathjax/tex-chtml.js" in source, "MathJax must be served from the site itself"
    assert "https://" not in "".join(re.findall(r'<script[^>]*src="([^"]*)"', source))
    dom = rendered_dom(page)
    assert dom.count("<mjx-container") >= 3, "MathJax produced no output elements"
    text = visible_text(dom)
    for raw in ("$$", "\\(", "\\)", "\\[", "\\]"):
        assert raw not in text, f"raw TeX delimiter {raw!r} left on {page}"


def test_mathjax_ships_with_the_site():
    assert (HTML / "_static" / "mathjax" / "tex-chtml.js").exists()
    fonts = HTML / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2"
    assert any(fonts.glob("*.woff")), "MathJax's fonts are missing from the site"
