"""Device memory: copies to and from the host, views that share memory, clear errors."""

import numpy as np
import pytest
from cuda_testing import C, assert_matches, make

import scalargrad as sg
from scalargrad.matrix.backends import cuda_memory


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.bool_])
def test_round_trip_keeps_values_and_dtype(dtype):
    host = make("contiguous", np.random.default_rng(0), (3, 5), dtype)[1]
    assert_matches(C.from_numpy(host), host)
    assert C.is_device_array(C.from_numpy(host))


def test_round_trip_of_a_zero_dim_array():
    assert_matches(C.from_numpy(np.array(2.5)), np.array(2.5))
    assert_matches(C.reshape(C.from_numpy(np.array([4])), ()), np.array(4))


def test_round_trip_of_a_non_contiguous_host_array():
    host = np.arange(24.0).reshape(4, 6)[:, ::2]
    assert_matches(C.from_numpy(host), host)


def test_empty_full_and_zero_size():
    assert C.empty((2, 3), np.float32).shape == (2, 3)
    assert_matches(C.full((2, 3), 1.5, np.float64), np.full((2, 3), 1.5))
    assert_matches(C.full((0, 3), 1.5, np.float64), np.full((0, 3), 1.5))
    assert_matches(C.full((), 7, np.int64), np.full((), 7))


def test_permute_is_a_view_sharing_memory():
    a = C.from_numpy(np.arange(12.0).reshape(3, 4))
    t = C.permute(a, (1, 0))
    assert tuple(t.shape) == (4, 3)
    C.fill(t, 2.0)  # writing through the view changes the base array
    assert_matches(a, np.full((3, 4), 2.0))


def test_getitem_is_a_view_with_an_offset():
    host = np.arange(60.0).reshape(3, 4, 5)
    a = C.from_numpy(host)
    for index in [
        (1,),
        (slice(1, 3), 2),
        (Ellipsis, 3),
        (None, 2, slice(None), slice(1, 5, 2)),
        (2, 3, 4),
    ]:
        assert_matches(C.getitem(a, index), host[index])
    view = C.getitem(a, (2, slice(1, 3)))
    C.fill(view, -1.0)
    expected = host.copy()
    expected[2, 1:3] = -1.0
    assert_matches(a, expected)


def test_getitem_with_a_negative_step_copies():
    host = np.arange(12.0).reshape(3, 4)
    assert_matches(
        C.getitem(C.from_numpy(host), (slice(None, None, -1), slice(3, 0, -2))), host[::-1, 3:0:-2]
    )


def test_broadcast_to_has_zero_strides():
    host = np.arange(3.0).reshape(3, 1)
    b = C.broadcast_to(C.from_numpy(host), (2, 3, 4))
    assert tuple(b.strides)[0] == 0 and tuple(b.strides)[2] == 0
    assert_matches(C.copy(b), np.broadcast_to(host, (2, 3, 4)))


def test_reshape_view_when_possible_copy_otherwise():
    host = np.arange(24.0).reshape(2, 3, 4)
    a = C.from_numpy(host)
    r = C.reshape(a, (6, -1))
    C.fill(C.getitem(r, (0,)), 9.0)  # a view: the base changed
    assert C.to_numpy(a)[0, 0, 0] == 9.0
    host[0, 0, :] = 9.0
    t = C.permute(a, (2, 1, 0))
    assert_matches(C.reshape(t, (4, 6)), host.transpose(2, 1, 0).reshape(4, 6))  # needs a copy


def test_copy_and_astype_of_strided_views():
    a, host = make("sliced", np.random.default_rng(1), (3, 4))
    assert_matches(C.copy(a), host.copy())
    for dtype in (np.float32, np.int64, np.bool_):
        assert_matches(C.astype(a, dtype), host.astype(dtype))


def test_no_gpu_is_a_clear_runtime_error(monkeypatch):
    monkeypatch.setattr(cuda_memory, "_available", False)
    with pytest.raises(RuntimeError, match="device 'cuda'.*not available"):
        C.from_numpy(np.zeros(3))
    with pytest.raises(RuntimeError, match="device 'cuda'"):
        C.empty((2,), np.float32)
    assert sg.cuda.is_available() is False
    assert sg.cuda.device_count() == 0
    sg.cuda.synchronize()  # a no-op, not an error


def test_sg_cuda_reports_the_device():
    assert sg.cuda.is_available()
    assert sg.cuda.device_count() >= 1
    sg.cuda.synchronize()
