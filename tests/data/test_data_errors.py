"""Data-loading misuse: batches keep their numbers, loaders stay lazy, files stay in their root."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import scalargrad as sg
from scalargrad.data import DataLoader
from scalargrad.data.dataloader import default_collate
from scalargrad.data.image_folder import ImageFolderDataset, save_image_folder

numbers = st.one_of(st.integers(-100, 100), st.floats(-100, 100), st.booleans())


@given(st.lists(numbers, min_size=1, max_size=8))
def test_collate_of_numbers_takes_the_dtype_of_the_whole_batch(batch):
    out = default_collate(batch)
    if any(isinstance(b, float) for b in batch):
        assert out.dtype == sg.float64
    elif all(isinstance(b, bool) for b in batch):
        assert out.dtype == sg.bool
    else:
        assert out.dtype == sg.int64
    assert out.tolist() == [float(b) if out.dtype == sg.float64 else b for b in batch]


def test_int_then_float_stays_float():
    (x, y), = list(DataLoader([(1, 0), (2.5, 1)], batch_size=2))
    assert x.tolist() == [1.0, 2.5] and x.dtype == sg.float64 and y.dtype == sg.int64


def test_collate_of_a_number_and_something_else_names_the_sample():
    with pytest.raises(TypeError, match="sample 1 of the batch is a str"):
        default_collate([1, "a"])


class Huge:
    """A data set far too large for a (n,) index array (8 * 2**50 bytes)."""

    def __len__(self):
        return 2**50

    def __getitem__(self, i):
        return float(i)


@given(st.integers(1, 64))
def test_an_unshuffled_loader_over_a_huge_data_set_is_lazy(batch_size):
    loader = DataLoader(Huge(), batch_size=batch_size)
    first = next(iter(loader))
    assert first.tolist() == [float(i) for i in range(batch_size)]
    assert len(loader) == -(-(2**50) // batch_size)


@given(st.integers(1, 20), st.integers(1, 7), st.booleans())
def test_lazy_batches_cover_the_data_once(n, batch_size, drop_last):
    loader = DataLoader(list(range(n)), batch_size=batch_size, drop_last=drop_last)
    seen = [i for batch in loader for i in batch.tolist()]
    assert seen == list(range(len(loader) * batch_size if drop_last else n))


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "images"
    save_image_folder(root, np.zeros((2, 3, 3)), [0, 1])
    (tmp_path / "outside.png").write_bytes((root / "00000.png").read_bytes())
    return root


@pytest.mark.parametrize("name", ["../outside.png", "sub/../../outside.png"])
def test_label_file_cannot_leave_the_root(folder, name):
    (folder / "bad.csv").write_text(f"00000.png,0\n{name},1\n")
    with pytest.raises(ValueError, match="outside the root folder"):
        ImageFolderDataset(folder, "bad.csv")


def test_label_file_cannot_name_absolute_paths(folder):
    absolute = (folder.parent / "outside.png").resolve()
    (folder / "bad.csv").write_text(f"{absolute},1\n")
    with pytest.raises(ValueError, match="outside the root folder"):
        ImageFolderDataset(folder, "bad.csv")


def test_a_one_row_label_file_is_data_not_a_header(folder):
    (folder / "one.csv").write_text("00001.png,1\n")
    assert ImageFolderDataset(folder, "one.csv").labels == [1]
    (folder / "word.csv").write_text("00001.png,cat\n")  # an image whose label is no integer
    with pytest.raises(ValueError, match="label 'cat' of '00001.png' is not an integer"):
        ImageFolderDataset(folder, "word.csv")
    (folder / "header.csv").write_text("filename,label\n")
    with pytest.raises(ValueError, match="lists no images.*read as a header"):
        ImageFolderDataset(folder, "header.csv")


def test_subset_indices_must_be_integers():
    from scalargrad.data import Subset

    with pytest.raises(TypeError, match="Subset: indices must be integers, got float64.*0.5"):
        Subset(list(range(3)), [0.5])


def test_loader_seed_and_dict_samples():
    with pytest.raises(TypeError, match="seed must be a non-negative int or None, got 'a'"):
        DataLoader([1, 2], seed="a")
    with pytest.raises(ValueError, match=r"sample 1 of the batch has keys \['b'\]"):
        list(DataLoader([{"a": 1}, {"b": 2}], batch_size=2))


def test_make_linear_weight_of_the_wrong_size():
    from scalargrad.data import toy_datasets

    with pytest.raises(ValueError, match=r"make_linear: weight must have shape .* = \(1, 2\)"):
        toy_datasets.make_linear(10, n_features=2, weight=[1, 2, 3])
