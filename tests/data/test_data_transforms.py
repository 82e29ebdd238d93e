"""Transforms: ToTensor scaling and layout, Normalize per channel, crops, Flatten, Compose,
errors."""

import numpy as np
import pytest

import scalargrad as sg
from scalargrad.data.transforms import (
    CenterCrop,
    Compose,
    Crop,
    Flatten,
    Lambda,
    Normalize,
    ToTensor,
)


def test_to_tensor_scales_uint8_and_moves_channels_first():
    img = np.arange(24, dtype=np.uint8).reshape(2, 4, 3) * 10  # H x W x C
    t = ToTensor()(img)
    assert t.shape == (3, 2, 4) and t.dtype == sg.float32
    np.testing.assert_allclose(t.numpy(), np.transpose(img, (2, 0, 1)) / 255.0, rtol=1e-6)
    grey = ToTensor()(np.full((5, 6), 255, dtype=np.uint8))
    assert grey.shape == (1, 5, 6) and grey.numpy().max() == 1.0
    chw = ToTensor(channels_last=False)(np.zeros((3, 5, 6), dtype=np.uint8))
    assert chw.shape == (3, 5, 6)
    digits = ToTensor(max_value=16)(np.full((8, 8), 16.0))
    np.testing.assert_array_equal(digits.numpy(), 1.0)
    floats = ToTensor()(np.full((2, 2), 0.5))  # floats are kept (already in [0, 1])
    np.testing.assert_array_equal(floats.numpy(), 0.5)


def test_to_tensor_errors():
    with pytest.raises(ValueError, match=r"H x W.*\(5,\)"):
        ToTensor()(np.zeros(5))
    with pytest.raises(TypeError, match="numbers"):
        ToTensor()(np.array([["a"]]))
    with pytest.raises(ValueError, match="max_value"):
        ToTensor(max_value=0)


def test_normalize_per_channel_on_arrays_and_tensors():
    x = np.stack([np.full((2, 2), 1.0), np.full((2, 2), 3.0)]).astype(np.float32)  # C=2
    norm = Normalize(mean=[1.0, 2.0], std=[0.5, 2.0])
    expected = np.stack([np.zeros((2, 2)), np.full((2, 2), 0.5)])
    np.testing.assert_allclose(norm(x), expected)
    out = norm(sg.tensor(x))
    assert isinstance(out, sg.Tensor) and out.dtype == sg.float32
    np.testing.assert_allclose(out.numpy(), expected)
    np.testing.assert_allclose(Normalize(0.5, 0.5)(np.ones((3, 3))), 1.0)
    feats = Normalize([1.0, 2.0, 3.0], [1.0, 1.0, 2.0])(np.array([1.0, 1.0, 1.0]))
    np.testing.assert_allclose(feats, [0.0, -1.0, -1.0])


def test_normalize_errors():
    with pytest.raises(ValueError, match="non-zero"):
        Normalize(0.0, [1.0, 0.0])
    with pytest.raises(ValueError, match=r"3 mean/std values do not match 2 channel\(s\)"):
        Normalize([0, 0, 0], [1, 1, 1])(np.zeros((2, 4, 4)))
    with pytest.raises(TypeError, match="float"):
        Normalize(0, 1)(np.zeros((2, 2), dtype=np.uint8))


def test_crops():
    img = np.arange(30).reshape(5, 6)
    np.testing.assert_array_equal(Crop(1, 2, 2, 3)(img), img[1:3, 2:5])
    np.testing.assert_array_equal(CenterCrop(2)(img), img[2:4, 2:4])
    np.testing.assert_array_equal(CenterCrop((3, 4))(img), img[1:4, 1:5])
    chw = sg.tensor(np.stack([img, img]))
    assert CenterCrop(4)(chw).shape == (2, 4, 4)
    with pytest.raises(ValueError, match=r"does not fit in an image of shape \(5, 6\)"):
        Crop(4, 0, 2, 2)(img)
    with pytest.raises(ValueError, match=r"larger than the image"):
        CenterCrop(7)(img)
    with pytest.raises(ValueError, match="size"):
        CenterCrop(0)


def test_flatten_lambda_compose():
    img = np.zeros((28, 28), dtype=np.uint8)
    tf = Compose([ToTensor(), Normalize([0.5], [0.5]), Flatten()])
    out = tf(img)
    assert out.shape == (784,)
    np.testing.assert_allclose(out.numpy(), -1.0)
    assert Flatten(1)(np.zeros((2, 3, 4))).shape == (2, 12)
    assert Lambda(lambda x: x + 1)(1) == 2
    assert "ToTensor" in repr(tf) and "Normalize" in repr(tf)
    with pytest.raises(TypeError, match="transform 1"):
        Compose([Flatten(), "resize"])
    with pytest.raises(TypeError, match="callable"):
        Lambda(3)
    with pytest.raises(ValueError, match="start_dim"):
        Flatten(3)(np.zeros((2, 2)))


def test_transforms_in_a_dataloader():
    class Images(sg.data.Dataset):
        def __len__(self):
            return 6

        def __getitem__(self, i):
            return np.full((4, 4), i * 40, dtype=np.uint8), i

    loader = sg.data.DataLoader(
        Images(), batch_size=3, transform=Compose([ToTensor(), CenterCrop(2)])
    )
    xb, yb = next(iter(loader))
    assert xb.shape == (3, 1, 2, 2)
    np.testing.assert_allclose(xb.numpy()[:, 0, 0, 0], yb.numpy() * 40 / 255, rtol=1e-6)


def test_images_read_from_files_through_transforms_and_a_loader(tmp_path):
    from scalargrad.data.image_folder import ImageFolderDataset, save_image_folder

    images = np.zeros((5, 6, 6))
    for i in range(5):
        images[i, 1:5, 1:5] = i  # a bright square whose level is the label
    save_image_folder(tmp_path, images, labels=range(5), vmax=4)
    tf = Compose([ToTensor(), CenterCrop(4), Normalize([0.5], [0.5]), Flatten()])
    ds = ImageFolderDataset(tmp_path, "labels.csv", transform=tf)
    train, val = sg.data.random_split(ds, [0.6, 0.4], seed=0)
    xb, yb = next(iter(sg.data.DataLoader(train, batch_size=3)))
    assert xb.shape == (3, 16) and xb.dtype == sg.float32 and yb.dtype == sg.int64
    # the cropped square is uniform: (label / 4 - 0.5) / 0.5, up to PNG rounding
    expected = np.broadcast_to((yb.numpy()[:, None] / 4 - 0.5) / 0.5, (3, 16))
    np.testing.assert_allclose(xb.numpy(), expected, atol=0.01)
