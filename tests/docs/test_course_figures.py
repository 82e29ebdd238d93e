"""The course chapters embed lesson figures by the number sphinx-gallery gives them
(``auto_demos/images/sphx_glr_<lesson>_<NNN>.png``, in the order the lesson draws them). A
missing file fails the docs build; this test catches the other drift, a lesson that now draws
its figures in another order: the embedded image must still be the figure the chapter talks
about, recognised by its title (sphinx-gallery's alt text on the lesson's page). Needs the
built site: run by ``make docs-check``."""

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
EMBED = re.compile(r"auto_demos/images/(sphx_glr_([a-z0-9_]+)_(\d{3}))\.png")

# each embedded figure and a part of its title
TITLES = {
    "sphx_glr_lesson0_tensors_001": "broadcasting",
    "sphx_glr_lesson1_autograd_001": "computation graph",
    "sphx_glr_lesson1_autograd_002": "its tangent at x = 1",
    "sphx_glr_lesson3_linear_regression_001": "f(x) = c x: the cost",
    "sphx_glr_lesson3_linear_regression_003": "MSE cost J(w, b)",
    "sphx_glr_lesson3_linear_regression_004": "steps of each optimizer",
    "sphx_glr_lesson3_linear_regression_005": "one epoch = one pass",
    "sphx_glr_lesson3_linear_regression_006": "epochs per learning rate",
    "sphx_glr_lesson5_logistic_regression_001": "sigmoid",
    "sphx_glr_lesson5_logistic_regression_002": "maximum at the mean",
    "sphx_glr_lesson5_logistic_regression_003": "BCE cost J(w, b)",
    "sphx_glr_lesson5_logistic_regression_004": "MSE cost J(w, b)",
    "sphx_glr_lesson5_logistic_regression_006": "test patients",
    "sphx_glr_lesson6_nonlinear_regression_002": "what each hidden unit learned",
    "sphx_glr_lesson7_classification_002": "activations and their derivatives",
    "sphx_glr_lesson7_classification_003": "circles",
    "sphx_glr_lesson7_classification_004": "blobs",
    "sphx_glr_lesson7_classification_005": "spiral",
    "sphx_glr_lesson8_digits_002": "accuracy per epoch",
    "sphx_glr_lesson8_digits_003": "test images, accuracy",
}


def embeds():
    found = []
    for page in sorted((DOCS / "course").glob("*.md")):
        for image, lesson, _ in EMBED.findall(page.read_text(encoding="utf-8")):
            found.append((page.name, image, lesson))
    return found


def test_chapters_embed_figures():
    assert embeds(), "no course chapter embeds a lesson figure"


@pytest.mark.parametrize("page, image, lesson", embeds())
def test_embedded_figure_is_the_one_discussed(page, image, lesson):
    assert image in TITLES, f"{page} embeds {image}: add its title to TITLES in this test"
    rst = DOCS / "auto_demos" / f"{lesson}.rst"
    assert rst.is_file(), f"{rst} was not built: run make docs"
    match = re.search(rf"images/{image}\.png\n\s*:alt: (.*)", rst.read_text(encoding="utf-8"))
    assert match, f"{lesson} no longer draws {image}.png ({page} embeds it)"
    assert TITLES[image] in match.group(1), (
        f"{page} embeds {image}.png as the figure titled ~{TITLES[image]!r}, but the lesson's "
        f"figure there is now {match.group(1)!r}: the lesson draws its figures in another order")
