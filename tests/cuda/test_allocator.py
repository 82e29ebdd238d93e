"""The caching allocator: block splitting and merging in 2 MiB segments (the large pool:
test_allocator_large.py), reuse of freed blocks, stats, empty_cache, and training loops that
allocate nothing from the "driver" after the first step (on the simulator the pool's segments
are host bytearrays, counted the same way)."""

import gc

import numpy as np
import pytest
from cuda_testing import C

import scalargrad as sg
from scalargrad.matrix.backends import cuda_allocator
from scalargrad.matrix.backends.cuda_allocator import (
    MIN_BLOCK,
    SMALL_REQUEST,
    SMALL_SEGMENT,
    CachingPool,
    block_size,
)

MiB = 1 << 20


def fake_pool(budget=None):
    """A pool over a fake driver that records the segments it hands out (and can run out)."""
    live = []

    def alloc(size):
        if budget is not None and sum(len(s) for s in live) + size > budget:
            raise MemoryError("out of memory")
        live.append(bytearray(size))
        return live[-1]

    def free(segment):
        live.remove(segment)

    return CachingPool(alloc, free), live


@pytest.mark.parametrize("n", [1, 511, 512, 513, 1000, SMALL_REQUEST, 3 * MiB + 1])
def test_requests_round_to_512_bytes(n):
    size = block_size(n)
    assert size % MIN_BLOCK == 0 and n <= size < n + MIN_BLOCK or (n < MIN_BLOCK == size)


def test_small_blocks_are_split_from_one_segment_and_merged_back():
    pool, live = fake_pool()
    a, b, c = pool.take(1000), pool.take(512), pool.take(3000)
    assert pool.driver_allocations == 1 and pool.reserved == SMALL_SEGMENT
    assert [(x.offset, x.size) for x in (a, b, c)] == [(0, 1024), (1024, 512), (1536, 3072)]
    assert a.segment is b.segment is c.segment
    assert pool.allocated == 1024 + 512 + 3072
    pool.give(b)  # a hole between two live blocks
    assert pool.take(400) is b  # best fit: the 512-byte hole, not the segment's tail
    pool.give(b)
    pool.give(a)  # merges with the free hole after it
    free = [(f.offset, f.size) for f in pool.small_free]
    assert free == [(0, 1536), (4608, SMALL_SEGMENT - 4608)]
    pool.give(c)  # merges with both neighbours: the segment is one free block again
    assert [(f.offset, f.size) for f in pool.small_free] == [(0, SMALL_SEGMENT)]
    assert pool.allocated == 0 and pool.driver_allocations == 1
    pool.empty_cache()
    assert pool.reserved == 0 and live == [] and pool.driver_frees == 1


def test_empty_cache_keeps_segments_with_a_live_block():
    pool, live = fake_pool()
    keep = pool.take(100)
    pool.give(pool.take(200))
    pool.give(pool.take(5 * MiB))
    other = pool.take(SMALL_REQUEST)  # the first segment has room: no new segment
    pool.give(other)
    pool.empty_cache()
    assert len(live) == 1 and pool.reserved == SMALL_SEGMENT and pool.allocated == MIN_BLOCK
    pool.give(keep)
    pool.empty_cache()
    assert live == [] and pool.reserved == 0


def test_pool_empties_its_cache_and_retries_when_the_driver_is_out_of_memory():
    pool, live = fake_pool(budget=SMALL_SEGMENT + 16 * MiB)
    pool.give(pool.take(12 * MiB))  # a cached 12 MiB segment
    kept = pool.take(10)  # a small segment: 14 MiB in all
    block = pool.take(14 * MiB)  # fits no cached block; the driver has room only once the
    assert block.size == 14 * MiB and pool.driver_frees == 1  # cached 12 MiB went back
    assert pool.reserved == SMALL_SEGMENT + 14 * MiB and kept.free is False
    with pytest.raises(MemoryError):  # nothing cached left to free: the error stands
        pool.take(16 * MiB)


def check_invariants(pool, live):
    """Live blocks fit their requests and never overlap; the blocks of each segment tile it
    exactly, with no two free neighbours; the counters are the sums they claim to be."""
    taken = [b for b, _ in live]
    assert all(b.size >= n and not b.free for b, n in live)
    assert pool.allocated == sum(b.size for b in taken)
    assert pool.reserved == sum(s.size for s in pool.segments.values())
    assert pool.peak_allocated >= pool.allocated
    by_segment = {}
    for b in taken:
        by_segment.setdefault(b.segment.id, []).append((b.offset, b.offset + b.size))
    for spans in by_segment.values():
        spans.sort()
        assert all(end <= start for (_, end), (start, _) in zip(spans, spans[1:], strict=False))
    for segment in pool.segments.values():
        first = next(
            b
            for b in [*pool.small_free, *pool.large_free, *taken]
            if b.segment is segment and b.prev is None
        )
        offset, block = 0, first
        while block is not None:
            assert block.offset == offset
            assert not (block.free and block.next is not None and block.next.free)
            offset, block = offset + block.size, block.next
        assert offset == segment.size
    assert all(b.free and b.segment.small for b in pool.small_free)
    assert all(b.free and not b.segment.small for b in pool.large_free)
    assert pool.driver_allocations - pool.driver_frees == len(pool.segments)


# random take/give sequences over both pools: test_allocator_large.py


def test_a_view_keeps_the_block_in_use():
    pool = cuda_allocator.SIMULATOR_POOL
    gc.collect()
    before = pool.allocated
    a = C.empty((40, 40), np.float64)
    view = C.permute(C.getitem(a, (slice(1, None),)), (1, 0))
    del a
    gc.collect()
    assert pool.allocated == before + block_size(40 * 40 * 8)
    del view
    gc.collect()
    assert pool.allocated == before


def test_simulated_arrays_in_one_segment_do_not_share_memory():
    a, b = C.empty((300,), np.float64), C.empty((300,), np.float64)
    C.fill(a, 1.0)
    C.fill(b, 2.0)
    assert (C.to_numpy(a) == 1.0).all() and (C.to_numpy(b) == 2.0).all()


def test_new_arrays_are_poisoned_in_tests():
    assert np.isnan(C.to_numpy(C.empty((3,), np.float32))).all()
    assert (C.to_numpy(C.empty((2,), np.int64)) == np.iinfo(np.int64).min).all()


def test_sg_cuda_memory_stats_and_empty_cache():
    gc.collect()
    sg.cuda.empty_cache()
    base_allocated, base_reserved = sg.cuda.memory_allocated(), sg.cuda.memory_reserved()
    x = sg.zeros(1000, device="cuda")
    assert sg.cuda.memory_allocated() == base_allocated + 4096
    stats = sg.cuda.memory_stats()
    assert stats["allocated_bytes.all.current"] == sg.cuda.memory_allocated()
    assert stats["reserved_bytes.all.current"] == sg.cuda.memory_reserved()
    assert sg.cuda.max_memory_allocated() >= sg.cuda.memory_allocated()
    big = sg.zeros(2**19, device="cuda")  # 2 MiB: a large block of its own
    assert sg.cuda.memory_reserved() >= base_reserved + 2 * MiB
    del x, big
    gc.collect()
    assert sg.cuda.memory_allocated() == base_allocated
    assert sg.cuda.memory_reserved() > base_reserved  # the blocks are cached
    sg.cuda.empty_cache()
    assert sg.cuda.memory_reserved() == base_reserved


def driver_allocations_per_step(optimizer, batches):
    """Train Linear(6, 8) + ReLU + Linear(8, 3) on ``batches`` (an iterable of cuda (x, y));
    return (driver allocations so far, bytes in use) after each step."""
    sg.manual_seed(0)
    model = sg.nn.Sequential(sg.nn.Linear(6, 8), sg.nn.ReLU(), sg.nn.Linear(8, 3)).to("cuda")
    opt = {
        "sgd_momentum": lambda p: sg.optim.SGD(p, lr=0.1, momentum=0.9),
        "sgd": lambda p: sg.optim.SGD(p, lr=0.1),
        "adam": lambda p: sg.optim.Adam(p, lr=0.01),
    }[optimizer](model.parameters())
    loss_fn = sg.nn.CrossEntropyLoss()
    pool = cuda_allocator.SIMULATOR_POOL
    counts = []
    for x, y in batches:
        opt.zero_grad()
        loss = loss_fn(model(x.to("cuda")), y.to("cuda"))
        loss.backward()
        opt.step()
        del loss, x, y
        gc.collect()
        counts.append((pool.driver_allocations, pool.allocated))
    return counts


def data(n, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 6)).astype(np.float32), rng.integers(0, 3, n)


@pytest.mark.parametrize("optimizer", ["sgd_momentum", "sgd", "adam"])
def test_training_steps_after_the_first_allocate_nothing_from_the_driver(optimizer):
    # the first step makes the optimizer's state (momentum buffers, Adam's moments) after the
    # forward pass freed its blocks; the slack of the 2 MiB segment serves the next steps: from
    # the second step on, no driver allocation at all and no growth of the memory in use
    gc.collect()
    sg.cuda.empty_cache()  # the counts start from a pool that caches nothing
    X, Y = data(20)
    batches = [
        (sg.tensor(X[i : i + 5], device="cuda"), sg.tensor(Y[i : i + 5], device="cuda"))
        for i in range(0, 20, 5)
    ]
    counts = driver_allocations_per_step(optimizer, iter(batches))
    assert counts[0][0] >= 1  # (the first step did allocate: the counter counts)
    assert counts[1:] == [counts[0]] * 3


@pytest.mark.parametrize("on_device", [True, False], ids=["cuda_dataset", "cpu_dataset"])
def test_a_dataloader_loop_allocates_nothing_from_the_driver_after_the_first_step(on_device):
    gc.collect()
    sg.cuda.empty_cache()
    X, Y = data(24, seed=1)
    device = "cuda" if on_device else "cpu"
    dataset = sg.data.TensorDataset(sg.tensor(X, device=device), sg.tensor(Y, device=device))
    loader = sg.data.DataLoader(dataset, batch_size=8, shuffle=True, seed=0)
    batches = (batch for _ in range(2) for batch in loader)  # two epochs, six steps
    counts = driver_allocations_per_step("sgd_momentum", batches)
    assert len(counts) == 6
    assert counts[1:] == [counts[0]] * 5
