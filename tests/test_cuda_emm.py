"""The caching allocator's numba EMM plugin, without a GPU: numba's own pointer objects over a
fake driver (integers for addresses). Checks what the simulator tests cannot: that an array's
memory goes back to the pool only when the array *and every view of it* are gone, and is reused.

Runs in the ordinary (non-simulator) pytest process; skipped where numba's CUDA driver module
cannot be imported."""

import gc

import pytest
from numba import config

from scalargrad.matrix.backends import cuda_allocator

pytestmark = pytest.mark.skipif(config.ENABLE_CUDASIM, reason="the GPU code path only")


class FakeContext:
    pass


@pytest.fixture
def plugin(monkeypatch):
    try:
        manager_class = cuda_allocator.caching_memory_manager()
    except Exception as error:  # no CUDA bindings
        pytest.skip(f"numba's CUDA driver module is unavailable: {error}")
    addresses = iter(range(1 << 32, 1 << 48, 1 << 32))
    pool = cuda_allocator.CachingPool(alloc=lambda size: next(addresses), free=lambda p: None)
    monkeypatch.setattr(cuda_allocator, "gpu_pool", lambda: pool)
    context = FakeContext()
    return manager_class(context=context), pool, context


def test_memory_returns_to_the_pool_after_the_last_view(plugin):
    manager, pool, _context = plugin
    owned = manager.memalloc(1000)
    assert pool.allocated == 1024 and pool.driver_allocations == 1
    view = owned.view(100, 200)  # what a sliced DeviceNDArray holds
    del owned
    gc.collect()
    assert pool.allocated == 1024  # the view keeps the block in use
    del view
    gc.collect()
    assert pool.allocated == 0 and pool.reserved == cuda_allocator.SMALL_SEGMENT
    again = manager.memalloc(900)  # the cached segment, no driver call
    assert pool.driver_allocations == 1 and pool.allocated == 1024
    del again
    gc.collect()
    assert pool.allocated == 0


def test_blocks_of_one_segment_have_their_own_device_addresses(plugin):
    manager, pool, _context = plugin
    first, second = manager.memalloc(1000), manager.memalloc(100)
    segment = (1 << 32) + 0  # the fake driver's first address
    assert (first.device_pointer_value, second.device_pointer_value) == (segment, segment + 1024)
    assert pool.driver_allocations == 1
    assert set(manager.allocations) == {segment, segment + 1024}
    del first, second
    gc.collect()
    assert pool.allocated == 0 and not manager.allocations
