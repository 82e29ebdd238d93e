"""The caching allocator: size classes, reuse of freed blocks, stats, and a training step that
allocates nothing from the "driver" after the first (on the simulator the pool's driver
allocations are host bytearrays, counted the same way)."""

import gc

import numpy as np
import pytest
from cuda_testing import C

import scalargrad as sg
from scalargrad.matrix.backends import cuda_allocator
from scalargrad.matrix.backends.cuda_allocator import CachingPool, size_class


@pytest.mark.parametrize("n", [1, 511, 512, 513, 767, 768, 769, 1024, 1025, 3 * 2**20 + 1])
def test_size_class_fits_and_wastes_at_most_a_third(n):
    size = size_class(n)
    assert size >= n
    assert size == 512 or size <= 1.5 * n
    assert size_class(size) == size  # a class is its own class


def test_pool_reuses_a_freed_block_and_counts_driver_allocations():
    made = []
    pool = CachingPool(
        alloc=lambda size: made.append(size) or bytearray(size), free=lambda b: made.remove(len(b))
    )
    block, size = pool.take(1000)
    assert (size, pool.driver_allocations, pool.allocated, pool.reserved) == (1024, 1, 1024, 1024)
    pool.give(block, size)
    assert pool.allocated == 0 and pool.reserved == 1024
    again, _ = pool.take(900)  # the same class: the cached block, no driver call
    assert again is block and pool.driver_allocations == 1
    pool.take(5000)  # another class: the driver
    assert pool.driver_allocations == 2
    pool.give(again, 1024)
    pool.empty_cache()
    assert pool.reserved == 6144 and made == [6144] and pool.driver_frees == 1


def test_pool_empties_its_cache_and_retries_when_the_driver_is_out_of_memory():
    budget = [2048]

    def alloc(size):
        if size > budget[0]:
            raise MemoryError("out of memory")
        budget[0] -= size
        return bytearray(size)

    pool = CachingPool(
        alloc=alloc, free=lambda block: budget.__setitem__(0, budget[0] + len(block))
    )
    block, size = pool.take(2048)
    pool.give(block, size)
    other, _ = pool.take(1500)  # needs the cached 2048 bytes back from the pool first
    assert len(other) == 1536 and pool.driver_frees == 1


def test_a_view_keeps_the_block_in_use():
    pool = cuda_allocator.SIMULATOR_POOL
    gc.collect()
    before = pool.allocated
    a = C.empty((40, 40), np.float64)
    view = C.permute(C.getitem(a, (slice(1, None),)), (1, 0))
    del a
    gc.collect()
    assert pool.allocated == before + size_class(40 * 40 * 8)
    del view
    gc.collect()
    assert pool.allocated == before


def test_new_arrays_are_poisoned_in_tests():
    assert np.isnan(C.to_numpy(C.empty((3,), np.float32))).all()
    assert (C.to_numpy(C.empty((2,), np.int64)) == np.iinfo(np.int64).min).all()


def test_sg_cuda_memory_stats_and_empty_cache():
    gc.collect()
    sg.cuda.empty_cache()
    assert sg.cuda.memory_reserved() == sg.cuda.memory_allocated()
    x = sg.zeros(1000, device="cuda")
    assert sg.cuda.memory_allocated() >= 4000
    stats = sg.cuda.memory_stats()
    assert stats["allocated_bytes.all.current"] == sg.cuda.memory_allocated()
    assert stats["reserved_bytes.all.current"] == sg.cuda.memory_reserved()
    assert sg.cuda.max_memory_allocated() >= sg.cuda.memory_allocated()
    del x
    gc.collect()
    assert sg.cuda.memory_reserved() > sg.cuda.memory_allocated()  # the block is cached
    sg.cuda.empty_cache()
    assert sg.cuda.memory_reserved() == sg.cuda.memory_allocated()


@pytest.mark.parametrize("optimizer", ["sgd_momentum", "sgd", "adam"])
def test_training_steps_after_the_first_allocate_nothing_from_the_driver(optimizer):
    rng = np.random.default_rng(0)
    model = sg.nn.Sequential(sg.nn.Linear(6, 8), sg.nn.ReLU(), sg.nn.Linear(8, 3)).to("cuda")
    opt = {
        "sgd_momentum": lambda p: sg.optim.SGD(p, lr=0.1, momentum=0.9),
        "sgd": lambda p: sg.optim.SGD(p, lr=0.1),
        "adam": lambda p: sg.optim.Adam(p, lr=0.01),
    }[optimizer](model.parameters())
    loss_fn = sg.nn.CrossEntropyLoss()
    batches = [
        (
            sg.tensor(rng.standard_normal((5, 6)).astype(np.float32), device="cuda"),
            sg.tensor(rng.integers(0, 3, 5), device="cuda"),
        )
        for _ in range(4)
    ]
    pool = cuda_allocator.SIMULATOR_POOL

    def step(x, y):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        del loss
        gc.collect()
        return pool.driver_allocations, pool.allocated

    counts = [step(x, y) for x, y in batches]
    # the first step makes the optimizer's state (momentum buffers, Adam's moments), which keeps
    # blocks the next forward pass would have reused: from the second step on, no driver
    # allocation at all and no growth of the memory in use
    assert counts[2:] == [counts[1]] * 2
    assert counts[1][0] - counts[0][0] <= len(list(model.parameters())) * 2
