"""The figure script of docs/derivations/vanishing_gradients.md computes what the page says:
the gradient through sigmoids stays under 4^-L, and through random linear layers it follows s^L
(checked on the exponent, the slope of log-norm against depth)."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "docs/derivations/figures/vanishing_gradients.py"


@pytest.fixture(scope="module")
def figure():
    pytest.importorskip("matplotlib")
    spec = importlib.util.spec_from_file_location("vanishing_gradients", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sigmoid_chain_is_under_its_bound(figure):
    grads = figure.sigmoid_chain(depth=15)
    assert all(0.0 < g <= 0.25**depth for depth, g in enumerate(grads))


@pytest.mark.parametrize("s", [0.5, 1.0, 2.0])
def test_linear_chain_grows_like_s_to_the_depth(figure, s):
    norms = np.array(figure.linear_chain(s, depth=40))
    slope = np.polyfit(np.arange(41), np.log(norms), 1)[0]  # log-norm per layer
    assert abs(slope - np.log(s)) < 0.05, (s, slope)


def test_the_committed_figure_exists():
    assert SCRIPT.with_suffix(".png").is_file()
