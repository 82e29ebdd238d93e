"""The CPU backend: numpy arrays, numba kernels. The interface is in ``backends/__init__.py``.

The kernels live in one file per concept (the CUDA backend has the same files, ``cuda_*.py``;
the table is in ``backends/__init__.py``):

* ``cpu_memory.py``       allocation, copies and views: numpy's own (memcpy speed already)
* ``cpu_index.py``        getitem, gather, scatter_add, setitem
* ``cpu_strides.py``      how a strided view becomes (flat buffer, strides, 4-D shape); launches
* ``cpu_ops.py``          op code -> calculus.py function tables used by the element-wise kernels
* ``cpu_elementwise.py``  map / zip / compare / where / pointwise losses and their derivatives
* ``cpu_reduce.py``       sum prod max min, argmax argmin, cumsum
* ``cpu_softmax.py``      softmax, log_softmax, logsumexp and their backward (``rowwise_math.py``)
* ``cpu_sort.py``         sort along an axis (merge sort per row), put_along_axis (its backward)
* ``cpu_fused.py``        softmax + cross-entropy, a hidden layer's bias + ReLU, SGD and Adam
                          updates
* ``cpu_matmul.py``       blocked matmul and the fused Linear; ``matmul_in_use()`` says whether
                          float32/float64 products go to BLAS, ``use_matmul("numba")`` forces ours
"""

import os

from scalargrad import _numba_cache

_numba_cache.configure()

# Two pools of worker threads share the cores: numba's (parallel kernels) and BLAS's
# (numpy.matmul). OpenMP's workers, numba's default threading layer, spin for a while after each
# kernel waiting for the next one, and on a machine with as many cores as threads they take the
# cores from BLAS's threads. "Passive" workers sleep at once. Measured on 2 cores (a loaded
# machine, 2026-11-29): one step of MLP 784-256-128-10, batch 128, took 190-210 ms with spinning
# workers, 8-10 ms with passive ones (PyTorch 10-20 ms). It acts only if OpenMP is not loaded
# yet, and an OMP_WAIT_POLICY the user set wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from scalargrad.matrix.backends.cpu_elementwise import (  # noqa: E402,F401
    binary,
    binary_backward,
    inplace_binary,
    pointwise_loss,
    pointwise_loss_backward,
    unary,
    unary_backward,
    where,
)
from scalargrad.matrix.backends.cpu_fused import (  # noqa: E402,F401
    adam_step,
    cross_entropy,
    cross_entropy_backward,
    linear_relu,
    relu_bias_backward,
    sgd_step,
)
from scalargrad.matrix.backends.cpu_index import (  # noqa: E402,F401
    gather,
    getitem,
    scatter_add,
    setitem,
)
from scalargrad.matrix.backends.cpu_matmul import (  # noqa: E402,F401
    linear,
    matmul,
    matmul_in_use,
    use_matmul,
)
from scalargrad.matrix.backends.cpu_memory import (  # noqa: E402,F401
    astype,
    broadcast_to,
    copy,
    empty,
    fill,
    from_numpy,
    full,
    permute,
    reshape,
    to_numpy,
)
from scalargrad.matrix.backends.cpu_optim import adagrad_step, rmsprop_step  # noqa: E402,F401
from scalargrad.matrix.backends.cpu_reduce import arg_reduce, cumsum, reduce  # noqa: E402,F401
from scalargrad.matrix.backends.cpu_softmax import (  # noqa: E402,F401
    log_softmax,
    log_softmax_backward,
    logsumexp,
    softmax,
    softmax_backward,
)
from scalargrad.matrix.backends.cpu_sort import put_along_axis, sort  # noqa: E402,F401

name = "cpu"
