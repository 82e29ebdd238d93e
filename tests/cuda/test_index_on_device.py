"""Advanced indexing with index tensors on the GPU: the indices are read by the kernels where
they are, so a loop of gathers (``x[idx]``, ``logp[range(n), y]``, ``x.gather``, embedding-like
lookups) and their backward scatter-adds copies nothing to the host (each copy would wait for the
GPU) and uploads nothing after the first step. Results against NumPy (hypothesis: negative and
repeated indices, empty indices, slices and ints mixed in), gradients against the CPU engine,
out-of-range indices reported at the next read with the CPU path's text."""

import numpy as np
import pytest
from cuda_testing import C
from hypothesis import given, settings
from hypothesis import strategies as st
from test_targets_on_device import device_to_host  # noqa: F401 (a fixture)

import scalargrad as sg
from scalargrad.matrix.backends import cuda_index


@pytest.fixture
def uploads(monkeypatch):
    """A list that gets one entry per host -> device copy the indexing code makes."""
    copies = []
    original = cuda_index.from_numpy

    def counting(array):
        copies.append(np.shape(array))
        return original(array)

    monkeypatch.setattr(cuda_index, "from_numpy", counting)
    return copies


def test_a_loop_of_device_index_gathers_copies_nothing_to_the_host(device_to_host, uploads):  # noqa: F811
    rng = np.random.default_rng(0)
    table = sg.tensor(rng.standard_normal((10, 4)), requires_grad=True, device="cuda")
    logits = sg.tensor(rng.standard_normal((6, 5)), requires_grad=True, device="cuda")
    after_first = None
    for step in range(4):
        words = sg.tensor(rng.integers(-10, 10, (3, 2)), device="cuda")  # a new batch each step
        targets = sg.tensor(rng.integers(0, 5, 6), device="cuda")
        picked = sg.tensor(rng.integers(0, 5, (6, 2)), device="cuda")
        embedded = table[words]  # (3, 2, 4): an embedding lookup
        logp = logits.log_softmax(1)
        nll = -logp[range(6), targets]  # the hand-written cross-entropy's gather
        loss = embedded.sum() + nll.mean() + logits.gather(1, picked).sum()
        loss.backward()
        if step == 0:
            after_first = len(uploads)  # range(6) and gather's grids: uploaded once
    assert device_to_host == []
    assert len(uploads) == after_first
    assert np.isfinite(loss.item())  # (reading it copies, of course)
    assert len(device_to_host) == 1


def expected_positions(shape, index):
    return np.arange(int(np.prod(shape))).reshape(shape)[index]


@st.composite
def index_cases(draw):
    """(shape, host index, index with the arrays as device arrays) with at least one array:
    slices and ints on the other axes, arrays broadcast against each other, negative and
    repeated values, sometimes empty."""
    shape = tuple(draw(st.lists(st.integers(1, 5), min_size=1, max_size=3)))
    kinds = draw(
        st.lists(st.sampled_from(["array", "slice", "int"]), min_size=1, max_size=len(shape))
    )
    if "array" not in kinds:
        kinds[draw(st.integers(0, len(kinds) - 1))] = "array"
    b_shape = tuple(draw(st.lists(st.integers(0, 4), max_size=2)))
    host, device = [], []
    for axis, kind in enumerate(kinds):
        n = shape[axis]
        if kind == "slice":
            start = draw(st.integers(0, n))
            part = slice(start, draw(st.integers(start, n)), draw(st.integers(1, 2)))
            host.append(part)
            device.append(part)
        elif kind == "int":
            part = draw(st.integers(-n, n - 1))
            host.append(part)
            device.append(part)
        else:
            own = tuple(1 if draw(st.booleans()) else s for s in b_shape)  # broadcasts to B
            values = draw(
                st.lists(
                    st.integers(-n, n - 1), min_size=int(np.prod(own)), max_size=int(np.prod(own))
                )
            )
            array = np.array(values, np.int64).reshape(own)
            host.append(array)
            device.append(C.from_numpy(array))
    return shape, tuple(host), tuple(device)


@settings(max_examples=60, deadline=None)
@given(index_cases(), st.sampled_from([np.float32, np.float64]))
def test_gather_and_scatter_add_with_device_indices_match_numpy(case, dtype):
    shape, host, device = case
    rng = np.random.default_rng(0)
    a = rng.standard_normal(shape).astype(dtype)
    out = C.to_numpy(C.gather(C.from_numpy(a), device))
    assert out.shape == a[host].shape and out.dtype == dtype
    np.testing.assert_array_equal(out, a[host])
    values = rng.standard_normal(out.shape).astype(dtype)
    expected = np.zeros(shape, dtype)
    np.add.at(expected.reshape(-1), expected_positions(shape, host), values)  # repeats add up
    got = C.to_numpy(C.scatter_add(shape, device, C.from_numpy(values)))
    np.testing.assert_allclose(got, expected, rtol=1e-6 if dtype == np.float32 else 1e-12)


@settings(max_examples=30, deadline=None)
@given(index_cases())
def test_setitem_with_device_indices_matches_numpy(case):
    shape, host, device = case
    rng = np.random.default_rng(1)
    a = rng.standard_normal(shape)
    positions = expected_positions(shape, host)
    values = rng.standard_normal(positions.shape)
    got = C.from_numpy(a)
    C.setitem(got, device, C.from_numpy(values))
    expected = a.copy()
    expected[host] = values
    got = C.to_numpy(got)
    once = np.unique(positions, return_counts=True)  # a repeated position keeps one of its values
    single = once[0][once[1] == 1]
    np.testing.assert_array_equal(got.reshape(-1)[single], expected.reshape(-1)[single])
    untouched = np.setdiff1d(np.arange(a.size), positions.reshape(-1))
    np.testing.assert_array_equal(got.reshape(-1)[untouched], a.reshape(-1)[untouched])


def to_tensors(index, device):
    return tuple(sg.tensor(p, device=device) if isinstance(p, np.ndarray) else p for p in index)


@settings(max_examples=30, deadline=None)
@given(index_cases())
def test_gradients_of_device_index_gathers_match_the_cpu_engine(case):
    shape, host, _ = case
    rng = np.random.default_rng(2)
    a = rng.standard_normal(shape)
    weights = rng.standard_normal(a[host].shape)
    results = {}
    for dev in ("cpu", "cuda"):
        x = sg.tensor(a, requires_grad=True, device=dev)
        y = x[to_tensors(host, dev)]
        (y * sg.tensor(weights, device=dev)).sum().backward()
        results[dev] = (y.detach().cpu().numpy(), x.grad.cpu().numpy())
    np.testing.assert_array_equal(results["cuda"][0], results["cpu"][0])
    np.testing.assert_allclose(results["cuda"][1], results["cpu"][1], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_scatter_add_of_many_repeats_adds_them_all(dtype):
    rows = np.array([2, -2, 2, 0, 2, 2, -1] * 40)  # 280 threads hitting 2 rows
    values = np.arange(280 * 3, dtype=dtype).reshape(280, 3) / 7
    expected = np.zeros((4, 3), dtype)
    np.add.at(expected, rows, values)
    got = C.to_numpy(C.scatter_add((4, 3), (C.from_numpy(rows),), C.from_numpy(values)))
    np.testing.assert_allclose(got, expected, rtol=1e-5 if dtype == np.float32 else 1e-13)


def test_an_empty_device_index_gives_an_empty_result_and_a_zero_gradient():
    x = sg.tensor(np.ones((3, 2)), requires_grad=True, device="cuda")
    y = x[sg.tensor(np.array([], np.int64), device="cuda")]
    assert tuple(y.shape) == (0, 2)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.cpu().numpy(), np.zeros((3, 2)))


@pytest.mark.parametrize("bad", [3, -4])
def test_an_out_of_range_device_index_is_raised_at_the_next_read_with_the_cpu_text(bad):
    a = np.arange(6.0).reshape(3, 2)
    with pytest.raises(IndexError) as cpu:
        sg.tensor(a)[sg.tensor([0, bad])]
    x = sg.tensor(a, device="cuda")
    y = x[sg.tensor([0, bad], device="cuda")]  # no wait for the GPU here
    text = f"index {bad} is out of bounds for axis 0 with size 3"
    assert text in str(cpu.value)
    with pytest.raises(IndexError, match=rf"^index: {text} \(found by the GPU kernel"):
        y.cpu()
    assert np.isnan(y.cpu().numpy()[1]).all()  # reported once; the bad row reads nan
    np.testing.assert_array_equal(x[sg.tensor([2, -1], device="cuda")].cpu().numpy(), a[[2, -1]])


def test_an_out_of_range_index_of_gather_names_its_axis():
    x = sg.zeros(2, 3, device="cuda")
    out = x.gather(1, sg.tensor([[0, 5]], device="cuda"))
    with pytest.raises(IndexError, match="index 5 is out of bounds for axis 1 with size 3"):
        out.cpu()


def test_a_device_bool_mask_is_the_one_index_read_back(device_to_host):  # noqa: F811
    a = np.arange(12.0).reshape(3, 4)
    mask = a % 3 == 1
    x = sg.tensor(a, requires_grad=True, device="cuda")
    y = x[sg.tensor(mask, device="cuda")]
    assert len(device_to_host) == 1  # the mask: the result's size depends on it
    y.sum().backward()
    np.testing.assert_array_equal(y.detach().cpu().numpy(), a[mask])
    np.testing.assert_array_equal(x.grad.cpu().numpy(), mask.astype(float))


def test_setitem_and_scatter_with_device_indices(device_to_host):  # noqa: F811
    a = np.zeros((3, 4))
    x = sg.tensor(a, device="cuda")
    x[sg.tensor([2, -3], device="cuda")] = sg.tensor(np.ones(4), device="cuda")
    x.scatter_(1, sg.tensor([[3], [0], [1]], device="cuda"), value=5.0)
    assert device_to_host == []
    a[[2, -3]] = 1.0
    a[[0, 1, 2], [3, 0, 1]] = 5.0
    np.testing.assert_array_equal(x.cpu().numpy(), a)


def test_a_host_index_uploads_the_indices_not_a_position_per_element(uploads):
    # the DataLoader's X[idx] with host batch positions: 5 indices go up, not 5 * 40 positions
    cuda_index._ARANGES.clear()  # (other tests may have kept a range(2))
    a = np.arange(8 * 40.0).reshape(8, 40)
    idx = np.array([7, 0, -1, 3, 3])
    got = sg.tensor(a, device="cuda")[idx]
    assert uploads == [(5,)]
    np.testing.assert_array_equal(got.cpu().numpy(), a[idx])
    got = sg.tensor(a, device="cuda")[range(2), np.array([39, -40])]  # the arange: kept
    got = sg.tensor(a, device="cuda")[range(2), np.array([39, -40])]
    assert uploads == [(5,), (2,), (2,), (2,)]  # range(2) once, the other array each time
    np.testing.assert_array_equal(got.cpu().numpy(), a[range(2), [39, -40]])
