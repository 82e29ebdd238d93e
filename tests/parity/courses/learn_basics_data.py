"""PyTorch tutorials, "Learn the basics" > Datasets & DataLoaders and Transforms (the image files
and torchvision replaced by in-memory uint8 images and the tutorial's transforms written out)."""

# %% a custom dataset: images and labels in memory instead of files
import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

rng = np.random.default_rng(5)
pixels = rng.integers(0, 256, (12, 1, 4, 4)).astype(np.uint8)
targets = np.arange(12) % 10


class ToTensor:
    """torchvision's ToTensor: a uint8 image to floats in [0, 1]."""

    def __call__(self, image):
        return torch.from_numpy(image).float() / 255


class CustomImageDataset(Dataset):
    def __init__(self, images, labels, transform=None, target_transform=None):
        self.img_labels = labels
        self.images = images
        self.transform = transform
        self.target_transform = target_transform

    def __len__(self):
        return len(self.img_labels)

    def __getitem__(self, idx):
        image = self.images[idx]
        label = int(self.img_labels[idx])
        if self.transform:
            image = self.transform(image)
        if self.target_transform:
            label = self.target_transform(label)
        return image, label

training_data = CustomImageDataset(pixels, targets, transform=ToTensor())
img, label = training_data[3]
print(len(training_data), img.shape, img.dtype, label)
print(torch.tensor(pixels[3]).dtype, torch.tensor(pixels[3])[0, 0])

# %% iterate through the DataLoader
train_dataloader = DataLoader(training_data, batch_size=4, shuffle=False)
train_features, train_labels = next(iter(train_dataloader))
print(f"Feature batch shape: {train_features.size()}")
print(f"Labels batch shape: {train_labels.size()}")
img = train_features[0].squeeze()
label = train_labels[0]
print(img.shape, f"Label: {label}")

# %% Lambda transforms: a one-hot target
target_transform = lambda y: torch.zeros(10, dtype=torch.float).scatter_(0, torch.tensor(y), value=1)
print(target_transform(3))
ds = CustomImageDataset(pixels, targets, transform=ToTensor(), target_transform=target_transform)
print(ds[2][1], F.one_hot(torch.tensor([0, 2, 9]), num_classes=10))

# %% batches and epochs
for epoch in range(2):
    for batch, (X, y) in enumerate(DataLoader(ds, batch_size=5)):
        print(epoch, batch, X.shape, y.shape, y.argmax(1))

# %% gather, masks and other small ops of course code
scores = torch.tensor([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]])
print(scores.gather(1, torch.tensor([[1], [0]])))
print(scores.masked_fill(scores < 0.25, 0.0))
print(scores.chunk(2, dim=0))
print(torch.round(scores * 10), scores.repeat(1, 2).shape, torch.square(scores).sum())
