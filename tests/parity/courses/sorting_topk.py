"""Where a course reaches for sorting: top-5 accuracy, nearest neighbours, ranking a batch,
the classes present in a label vector. Random numbers come from NumPy (seeded), not torch."""

# %% sort, argsort and their indices
import numpy as np
import torch

x = torch.tensor([[0.3, -1.2, 2.5, 0.0], [1.5, 0.7, -0.4, 2.2]])
values, indices = torch.sort(x, dim=1, descending=True)
print(values, indices)
print(x.sort(dim=0))
print(torch.argsort(x, dim=1), x.argsort(dim=1, descending=True))
print(torch.gather(x, 1, indices))
print(torch.msort(x))

# %% top-5 accuracy
rng = np.random.default_rng(0)
logits = torch.tensor(rng.normal(size=(8, 10)), dtype=torch.float32)
labels = torch.tensor(rng.integers(0, 10, size=8))
top5 = logits.topk(5, dim=1).indices
correct = (top5 == labels.unsqueeze(1)).any(dim=1)
print(top5)
print(correct, correct.float().mean().item())
top1 = logits.argmax(dim=1)
print((top1 == labels).float().mean().item())

# %% nearest neighbours
points = torch.tensor(rng.normal(size=(6, 2)), dtype=torch.float32)
queries = torch.tensor(rng.normal(size=(3, 2)), dtype=torch.float32)
distances = ((queries.unsqueeze(1) - points.unsqueeze(0)) ** 2).sum(dim=2)
nearest = distances.topk(2, dim=1, largest=False)
print(nearest)
print(points[nearest.indices[:, 0]])

# %% the gradient flows to the values chosen
w = torch.tensor([1.0, 4.0, 2.0, 3.0], requires_grad=True)
best = w.topk(2)
best.values.sum().backward()
print(best.values, w.grad)
s = torch.sort(w * 2).values
print(s, s.grad_fn)

# %% unique labels and their counts
y = torch.tensor([2, 0, 2, 1, 0, 2])
print(torch.unique(y))
classes, counts = y.unique(return_counts=True)
print(classes, counts)
classes, inverse = torch.unique(y, return_inverse=True)
print(inverse, classes[inverse])
