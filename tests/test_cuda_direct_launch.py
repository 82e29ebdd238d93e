"""The direct launch of ``cuda_memory.launch`` on the GPU code path, without a GPU: numba's
compiled kernel is replaced by a recorder, registered with the dispatcher as numba registers a
compiled overload. Checks what the simulator tests cannot (the simulator launches through
numba's dispatcher): that the direct launch calls the very kernel numba's dispatcher would
choose for these arguments, with numba's normalised grid and block, on the default stream, and
that the launch checks still refuse what a GPU would, also for a configuration seen before.

Runs in the ordinary (non-simulator) pytest process; skipped where numba's CUDA modules cannot
be imported, and on a machine with a GPU (where the CUDA tests launch real kernels)."""

import numpy as np
import pytest
from numba import config

pytestmark = pytest.mark.skipif(config.ENABLE_CUDASIM, reason="the GPU code path only")


class Recorder:
    """Stands in for numba's compiled kernel: records its launches."""

    def __init__(self, argtypes):
        self.argtypes = argtypes
        self.launches = []

    def launch(self, args, griddim, blockdim, stream=0, sharedmem=0):
        self.launches.append((args, griddim, blockdim, stream, sharedmem))


class FakePointer:
    device_ctypes_pointer = None

    def __init__(self, size):
        self.size = size

    def view(self, start, stop=None):
        return FakePointer((self.size if stop is None else stop) - start)


@pytest.fixture
def memory(monkeypatch):
    try:
        from numba import cuda
        from numba.cuda.dispatcher import CUDADispatcher

        from scalargrad.matrix.backends import cuda_memory
    except Exception as error:  # no CUDA bindings
        pytest.skip(f"numba's CUDA modules are unavailable: {error}")
    if cuda.is_available():
        pytest.skip("a GPU is here: the CUDA tests launch real kernels")
    if cuda_memory.SIMULATOR:
        pytest.skip("the GPU code path only")

    def compile(dispatcher, sig):
        argtypes = tuple(sig)
        kernel = dispatcher.overloads.get(argtypes)
        if kernel is None:
            kernel = Recorder(argtypes)
            dispatcher.add_overload(kernel, argtypes)
        return kernel

    monkeypatch.setattr(CUDADispatcher, "compile", compile)
    monkeypatch.setattr(cuda_memory, "_memalloc", FakePointer)
    monkeypatch.setattr(cuda_memory, "_available", True)
    return cuda_memory


def _kernel():
    from numba import cuda

    @cuda.jit
    def kernel(out, x, shape, scale, flag):
        i = cuda.grid(1)
        if i < out.size and flag:
            out[i] = x[i] * scale + shape[0]

    return kernel


def test_the_direct_launch_calls_the_kernel_numbas_dispatcher_would(memory):
    from numba.cuda.typing.typeof import Purpose, typeof

    kernel = _kernel()
    out = memory.empty((300,), np.float32)
    x = memory.permute(memory.empty((2, 150), np.float32), (1, 0))  # an 'A'-layout view
    args = (out, x, (3, 4), np.float32(2), True)
    memory.launch(kernel, 2, 256, *args)
    memory.launch(kernel, 2, 256, *args)  # the second time from the dicts
    numba_types = tuple(typeof(a, Purpose.argument) for a in args)
    (recorder,) = kernel.overloads.values()
    assert recorder.argtypes == numba_types
    assert [call[1:3] for call in recorder.launches] == [((2, 1, 1), (256, 1, 1))] * 2
    assert all(
        all(p is q for p, q in zip(call[0], args, strict=True)) for call in recorder.launches
    )
    assert recorder.launches[0][4] == 0  # no dynamic shared memory
    # the dispatcher, given the same arguments, resolves to the same compiled kernel
    memory.DIRECT_LAUNCH = False
    try:
        memory.launch(kernel, 2, 256, *args)
    finally:
        memory.DIRECT_LAUNCH = True
    assert len(recorder.launches) == 3 and len(kernel.overloads) == 1
    # on the default stream, as the dispatcher passes it
    direct, dispatched = recorder.launches[0][3], recorder.launches[2][3]
    assert type(direct) is type(dispatched) and direct.handle == dispatched.handle


def test_new_argument_types_compile_a_new_kernel(memory):
    kernel = _kernel()
    a32, a64 = memory.empty((8,), np.float32), memory.empty((8,), np.float64)
    memory.launch(kernel, 1, 32, a32, a32, (1,), np.float32(1), True)
    memory.launch(kernel, 1, 32, a64, a64, (1,), np.float64(1), True)
    memory.launch(kernel, 1, 32, a32, a32, (1,), np.float32(1), False)
    assert sorted(len(r.launches) for r in kernel.overloads.values()) == [1, 2]


def test_launch_checks_stay_after_caching(memory, monkeypatch):
    kernel = _kernel()
    a = memory.empty((8,), np.float32)
    args = (a, a, (1,), np.float32(1), True)
    memory.launch(kernel, (1, 3), 32, *args)
    with pytest.raises(ValueError, match="CUDA kernel kernel: a GPU would refuse"):
        memory.launch(kernel, 1, 2048, *args)
    monkeypatch.setattr(memory, "MAX_GRID_YZ", 2)  # the same configuration, a lower limit
    with pytest.raises(ValueError, match="grid y = 3"):
        memory.launch(kernel, (1, 3), 32, *args)
