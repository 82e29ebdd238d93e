"""Image data sets read from files: a folder of PNG images plus a CSV of labels.

The CSV has one row per image, ``file name,label`` (a header row such as ``filename,label`` is
skipped). ``save_image_folder`` writes arrays in that layout, so a demo can round-trip data
through files the way a real project reads them.

    ds = ImageFolderDataset("digits_png", "labels.csv", transform=lambda im: im.reshape(-1))
    image, label = ds[0]
"""

import csv
from pathlib import Path

import numpy as np

from scalargrad.data.dataset import Dataset

__all__ = ["ImageFolderDataset", "save_image_folder"]


class ImageFolderDataset(Dataset):
    """``(image, label)`` pairs: images are float32 arrays in [0, 1] read with
    ``matplotlib.image.imread`` (shape ``(H, W)`` for grey, ``(H, W, C)`` for colour).

    ``root`` is the image folder; ``csv`` a path to the label file (relative paths are looked
    up in ``root`` first); ``transform`` is applied to each image on access.
    """

    def __init__(self, root, csv, transform=None):
        self.root = Path(root)
        if not self.root.is_dir():
            raise FileNotFoundError(f"ImageFolderDataset: root folder {str(self.root)!r} "
                                    "does not exist")
        csv_path = Path(csv)
        if not csv_path.is_absolute() and (self.root / csv_path).exists():
            csv_path = self.root / csv_path
        if not csv_path.exists():
            raise FileNotFoundError(f"ImageFolderDataset: label file {str(csv)!r} not found")
        if transform is not None and not callable(transform):
            raise TypeError(f"transform must be callable, got {type(transform).__name__}")
        self.transform = transform
        self.files, self.labels = _read_labels(csv_path, self.root)
        for name in self.files:
            _check_inside(self.root, name, csv_path)
            if not (self.root / name).exists():
                raise FileNotFoundError(f"ImageFolderDataset: {name!r} listed in {csv_path.name}"
                                        f" is not in {str(self.root)!r}")
        self.classes = sorted(set(self.labels))

    def __len__(self):
        return len(self.files)

    def __getitem__(self, index):
        if not -len(self) <= index < len(self):
            raise IndexError(f"index {index} out of range for a data set of {len(self)} images")
        import matplotlib.image

        image = matplotlib.image.imread(self.root / self.files[index]).astype(np.float32)
        if image.ndim == 3 and image.shape[2] == 4 and np.all(image[:, :, 3] == 1):
            image = image[:, :, :3]  # drop an opaque alpha channel
        if image.ndim == 3 and np.all(image == image[:, :, :1]):
            image = image[:, :, 0]  # grey saved as RGB
        if self.transform is not None:
            image = self.transform(image)
        return image, self.labels[index]

    def __repr__(self):
        return (f"ImageFolderDataset(root={str(self.root)!r}, {len(self)} images, "
                f"classes={self.classes})")


def _check_inside(root, name, csv_path):
    """A label file may only name files inside ``root`` (no absolute paths, no ``..`` out)."""
    inside = root.resolve()
    target = (root / name).resolve()
    if Path(name).is_absolute() or (target != inside and inside not in target.parents):
        raise ValueError(
            f"ImageFolderDataset: {name!r} listed in {csv_path.name} is outside the root folder "
            f"{str(root)!r}; the label file must name files relative to the root, inside it"
        )


def _read_labels(path, root):
    """(file names, int labels) from the rows ``file,label``. The first row is a header only if
    its label is not an integer and its file is not in ``root`` (a one-row file is data)."""
    files, labels = [], []
    with open(path, newline="") as handle:
        for line_no, row in enumerate(csv.reader(handle), start=1):
            if not row or not "".join(row).strip():
                continue
            if len(row) < 2:
                raise ValueError(
                    f"ImageFolderDataset: {path.name} line {line_no}: expected 'file,label', "
                    f"got {row}"
                )
            name, label = row[0].strip(), row[1].strip()
            try:
                labels.append(int(label))
            except ValueError:
                if line_no == 1 and not (root / name).is_file():  # a header row
                    continue
                raise ValueError(f"ImageFolderDataset: {path.name} line {line_no}: label "
                                 f"{label!r} of {name!r} is not an integer class") from None
            files.append(name)
    if not files:
        raise ValueError(
            f"ImageFolderDataset: {path.name} lists no images (its only row, if any, was read as "
            "a header 'filename,label'); add rows 'file name,integer label'"
        )
    return files, labels


def save_image_folder(root, images, labels, csv_name="labels.csv", vmax=None):
    """Write each image as ``root/00000.png`` (grey) and a CSV ``filename,label``.

    ``images`` is ``(n, H, W)``; values are scaled by ``vmax`` (default: the largest value) to
    [0, 1]. Returns the CSV path.
    """
    import matplotlib.pyplot as plt

    images = np.asarray(images, dtype=np.float64)
    if images.ndim != 3:
        raise ValueError(f"images must have shape (n, H, W), got {tuple(images.shape)}")
    if len(images) != len(labels):
        raise ValueError(f"{len(images)} images but {len(labels)} labels")
    vmax = float(images.max()) if vmax is None else float(vmax)
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    rows = []
    for i, (image, label) in enumerate(zip(images, labels, strict=False)):
        name = f"{i:05d}.png"
        plt.imsave(root / name, np.clip(image / (vmax or 1.0), 0, 1), cmap="gray", vmin=0, vmax=1)
        rows.append((name, int(label)))
    csv_path = root / csv_name
    with open(csv_path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["filename", "label"])
        writer.writerows(rows)
    return csv_path
