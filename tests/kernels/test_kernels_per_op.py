"""Unary and reduction kernels are built per op (cold start): running relu and a sum compiles
relu's and add's calculus functions and no other op's. A fresh process with an empty numba cache,
so that every kernel really compiles (a cache hit compiles nothing)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import json
import numpy as np
from scalargrad import primitives
from scalargrad.matrix.backends import cpu, cpu_ops

x = np.linspace(-2.0, 2.0, 11, dtype=np.float32)
g = np.full(11, 3.0, np.float32)
y = cpu.unary("relu", x)
dx = cpu.unary_backward("relu", x, y, g)
total = cpu.reduce("sum", x.reshape(1, 11), (1,), False)
fns = {n: f for n, f in vars(cpu_ops).items() if n.startswith("_") and hasattr(f, "signatures")}
for prim in primitives.UNARY:  # the unary ops' functions, compiled once each (cpu_ops.compiled)
    for f in (prim.value, *prim.derivs):
        fns["calculus." + f.__name__] = cpu_ops.compiled(f)
print(json.dumps({
    "compiled": sorted(n for n, f in fns.items() if f.signatures),
    "y": y.tolist(), "dx": dx.tolist(), "total": total.tolist(),
}))
"""


def test_relu_and_sum_compile_no_other_op(tmp_path):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path), PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, check=True
    )
    got = json.loads(out.stdout.strip().splitlines()[-1])
    x = np.linspace(-2.0, 2.0, 11, dtype=np.float32)
    np.testing.assert_array_equal(got["y"], np.maximum(x, 0.0))
    np.testing.assert_array_equal(got["dx"], np.where(x > 0, 3.0, 0.0))
    np.testing.assert_allclose(got["total"], [x.astype(np.float64).sum()], atol=1e-6)
    # relu's value and derivative, and add (the sum), compiled; nothing of the other 13 unary
    # ops, nor mul / maximum / minimum (prod, max, min)
    assert set(got["compiled"]) == {"calculus.relu", "calculus.relu_deriv", "_add"}, got["compiled"]
