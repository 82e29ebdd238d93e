"""ImageFolderDataset reads PNG files plus a CSV of labels."""

import numpy as np
import pytest

import scalargrad as sg
from scalargrad.data.image_folder import ImageFolderDataset, save_image_folder


def test_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 17, size=(5, 8, 8)).astype(float)
    labels = [3, 1, 4, 1, 5]
    csv_path = save_image_folder(tmp_path / "imgs", images, labels, vmax=16)
    ds = ImageFolderDataset(tmp_path / "imgs", "labels.csv")
    assert len(ds) == 5 and ds.classes == [1, 3, 4, 5]
    assert isinstance(ds, sg.data.Dataset)
    image, label = ds[2]
    assert image.shape == (8, 8) and image.dtype == np.float32 and label == 4
    np.testing.assert_allclose(image, images[2] / 16, atol=1 / 255 + 1e-6)
    flat = ImageFolderDataset(tmp_path / "imgs", csv_path, transform=lambda im: im.reshape(-1))
    assert flat[-1][0].shape == (64,)


def test_hand_written_csv_without_header(tmp_path):
    import matplotlib.pyplot as plt

    plt.imsave(tmp_path / "a.png", np.eye(4), cmap="gray")
    (tmp_path / "labels.csv").write_text("a.png,7\n")
    ds = ImageFolderDataset(tmp_path, tmp_path / "labels.csv")
    assert ds[0][1] == 7 and ds[0][0].shape == (4, 4)


def test_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="root folder"):
        ImageFolderDataset(tmp_path / "nope", "labels.csv")
    with pytest.raises(FileNotFoundError, match="label file"):
        ImageFolderDataset(tmp_path, "labels.csv")
    (tmp_path / "labels.csv").write_text("filename,label\nmissing.png,1\n")
    with pytest.raises(FileNotFoundError, match="missing.png"):
        ImageFolderDataset(tmp_path, "labels.csv")
    save_image_folder(tmp_path / "x", np.zeros((1, 2, 2)), [0])
    ds = ImageFolderDataset(tmp_path / "x", "labels.csv")
    with pytest.raises(IndexError):
        ds[1]
