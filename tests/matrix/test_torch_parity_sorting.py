"""sort / argsort / msort / topk / unique against PyTorch 2.13 (skipped where torch is not
installed; ``make parity`` installs it): printed results, values, indices and gradients."""

import numpy as np
import pytest

import scalargrad as sg

torch = pytest.importorskip("torch")


def pair(a, requires_grad=False):
    return (
        sg.tensor(a, requires_grad=requires_grad),
        torch.tensor(a, requires_grad=requires_grad),
    )


def same_print(ours, theirs):
    assert repr(ours).replace("scalargrad.", "torch.") == repr(theirs)


NAN = float("nan")
CASES = {
    "sort": lambda lib, t: lib.sort(t),
    "sort dim 0 descending": lambda lib, t: t.sort(0, True),
    "sort stable ties": lambda lib, t: lib.sort(t, dim=1, descending=True, stable=True),
    "topk": lambda lib, t: t.topk(2),
    "topk smallest dim 0": lambda lib, t: lib.topk(t, 1, dim=0, largest=False),
    "argsort stable": lambda lib, t: lib.argsort(t, dim=-1, stable=True),
    "argsort descending stable": lambda lib, t: t.argsort(dim=1, descending=True, stable=True),
    "msort": lambda lib, t: lib.msort(t),
}
ARRAYS = {
    "distinct": [[3.0, -1.0, 2.5, 0.25], [7.0, 4.0, -2.0, 1.0], [0.5, 9.0, -3.0, 6.0]],
    "ties and nan": [[1.0, 2.0, 1.0, NAN], [NAN, 0.0, 0.0, -1.0], [5.0, 5.0, 5.0, 5.0]],
}


@pytest.mark.parametrize("array", ARRAYS)
@pytest.mark.parametrize("case", CASES)
def test_prints_and_values_match_torch(case, array):
    if array == "ties and nan" and case.startswith("topk"):
        pytest.skip("PyTorch's topk leaves the order of equal values unspecified")
    ours, theirs = pair(ARRAYS[array], requires_grad=True)
    same_print(CASES[case](sg, ours), CASES[case](torch, theirs))


@pytest.mark.parametrize("dtype", ["int64", "bool", "float32"])
def test_other_dtypes_match_torch(dtype):
    a = np.array([[3, 0, 1, 3], [1, 1, 0, 2]]).astype(dtype)
    ours, theirs = sg.tensor(a), torch.tensor(a)
    same_print(ours.sort(stable=True), theirs.sort(stable=True))
    same_print(
        ours.sort(dim=0, descending=True, stable=True),
        theirs.sort(dim=0, descending=True, stable=True),
    )
    same_print(ours.argsort(stable=True), theirs.argsort(stable=True))


@pytest.mark.parametrize("k", [0, 1, 3, 4])
def test_topk_gradient_matches_torch(k):
    a = np.random.default_rng(k).normal(size=(3, 4))
    w = np.random.default_rng(10 + k).normal(size=(3, k))
    ours, theirs = pair(a, requires_grad=True)
    ours.topk(k).values.backward(sg.tensor(w))
    theirs.topk(k).values.backward(torch.tensor(w))
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=0, atol=0)


def test_sort_gradient_with_ties_matches_torch():
    a = [1.0, 1.0, 1.0, 2.0, 1.0]
    ours, theirs = pair(a, requires_grad=True)
    w = [10.0, 20.0, 30.0, 40.0, 50.0]
    sg.sort(ours, descending=True, stable=True).values.backward(sg.tensor(w))
    torch.sort(theirs, descending=True, stable=True).values.backward(torch.tensor(w))
    assert ours.grad.tolist() == theirs.grad.tolist() == [20.0, 30.0, 40.0, 10.0, 50.0]


def test_zero_dim_matches_torch():
    ours, theirs = pair(2.5)
    same_print(ours.sort(), theirs.sort())
    same_print(ours.topk(1), theirs.topk(1))
    same_print(ours.topk(0), theirs.topk(0))


@pytest.mark.parametrize(
    "a",
    [
        [3.0, 1.0, 2.0, 3.0, 1.0, 7.0],
        [NAN, 1.0, NAN, 1.0, -2.0, 0.0],
        [[2, 2, 0], [5, 0, 2]],
        [True, False, True],
    ],
)
def test_unique_matches_torch(a):
    ours, theirs = sg.tensor(a), torch.tensor(a)
    same_print(ours.unique(), theirs.unique())
    for got, want in zip(
        sg.unique(ours, return_inverse=True, return_counts=True),
        torch.unique(theirs, return_inverse=True, return_counts=True),
        strict=True,
    ):
        same_print(got, want)
    same_print(ours.unique(sorted=False), theirs.unique(sorted=False))


def test_errors_are_of_torch_types():
    ours, theirs = pair([[1.0, 2.0], [3.0, 4.0]])
    for call in (lambda t: t.topk(3), lambda t: t.topk(2.0), lambda t: t.sort(dim=2)):
        with pytest.raises(Exception) as torch_error:
            call(theirs)
        with pytest.raises(torch_error.type):
            call(ours)


def test_empty_inputs_print_as_torch():
    # an empty int64 result names its dtype, as PyTorch prints it
    ours, theirs = sg.zeros(2, 0), torch.zeros(2, 0)
    same_print(ours.sort(), theirs.sort())
    same_print(ours.topk(0), theirs.topk(0))
    same_print(sg.ones(2, 3).topk(0), torch.ones(2, 3).topk(0))
    for got, want in zip(
        sg.unique(sg.zeros(0), return_inverse=True, return_counts=True),
        torch.unique(torch.zeros(0), return_inverse=True, return_counts=True),
        strict=True,
    ):
        same_print(got, want)
