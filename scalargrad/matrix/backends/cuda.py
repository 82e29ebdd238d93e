"""The CUDA backend: the backend interface (``backends/__init__.py``) on an NVIDIA GPU, with
numba.cuda kernels. Arrays are numba ``DeviceNDArray``s and stay on the GPU between operations.

The kernels live in one file per concept, the same files as the CPU backend's (``cpu_*.py``;
the table is in ``backends/__init__.py``), each with a note on how it maps work to threads and
blocks:

    cuda_memory.py       allocation, host <-> device copies, views (no copy), copy / astype /
                         assign / fill kernels, launch sizes (cuda_allocator.py: the memory pool)
    cuda_index.py        getitem, gather, scatter_add (atomics), setitem
    cuda_elementwise.py  map / zip / chain-rule kernels over strided, broadcast inputs
    cuda_reduce.py       sum / prod / max / min / argmax / argmin (shared-memory tree,
                         2 passes), cumsum
    cuda_softmax.py      softmax, log_softmax, logsumexp and their backward (rowwise_math.py)
    cuda_sort.py         sort along an axis (rank of each element, one thread each),
                         put_along_axis (its backward)
    cuda_fused.py        softmax + cross-entropy, optimizer updates
    cuda_matmul.py       tiled shared-memory matmul with register blocking; fused linear

Without a GPU every function that creates an array raises a RuntimeError naming the device.
The tests run all of it on numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``).
"""

from scalargrad.matrix.backends.cuda_elementwise import (  # noqa: F401
    binary,
    binary_backward,
    inplace_binary,
    pointwise_loss,
    pointwise_loss_backward,
    unary,
    unary_backward,
    where,
)
from scalargrad.matrix.backends.cuda_fused import (  # noqa: F401
    adam_step,
    cross_entropy,
    cross_entropy_backward,
    sgd_step,
)
from scalargrad.matrix.backends.cuda_index import gather, getitem, scatter_add, setitem  # noqa: F401
from scalargrad.matrix.backends.cuda_matmul import linear, matmul  # noqa: F401
from scalargrad.matrix.backends.cuda_memory import (  # noqa: F401
    astype,
    broadcast_to,
    copy,
    empty,
    fill,
    from_numpy,
    full,
    is_device_array,
    permute,
    reshape,
    to_numpy,
)
from scalargrad.matrix.backends.cuda_optim import adagrad_step, rmsprop_step  # noqa: F401
from scalargrad.matrix.backends.cuda_reduce import arg_reduce, cumsum, reduce  # noqa: F401
from scalargrad.matrix.backends.cuda_softmax import (  # noqa: F401
    log_softmax,
    log_softmax_backward,
    logsumexp,
    softmax,
    softmax_backward,
)
from scalargrad.matrix.backends.cuda_sort import put_along_axis, sort  # noqa: F401

name = "cuda"
