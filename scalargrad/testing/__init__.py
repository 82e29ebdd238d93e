"""Tools for testing your own ops and models (needs hypothesis: ``pip install scalargrad[test]``).

strategies.py   hypothesis strategies: floats away from kinks, random expression graphs,
                MLP shapes (and, via scalargrad.testing.tensors, tensors)
"""

from scalargrad.testing.strategies import (
    Expression,
    expressions,
    floats_away_from,
    mlp_shapes,
    positive_floats,
)

__all__ = ["Expression", "expressions", "floats_away_from", "mlp_shapes", "positive_floats"]
