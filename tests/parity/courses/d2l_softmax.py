"""d2l.ai chapter 4 (softmax regression) on a synthetic three-class dataset in place of
Fashion-MNIST: softmax from scratch, cross-entropy, accuracy, then the concise version."""

# %% the softmax
import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset

X = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
print(X.sum(0, keepdims=True), X.sum(1, keepdims=True))

def softmax(X):
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdims=True)
    return X_exp / partition

X = torch.tensor([[0.1, 0.5, -0.3, 1.2, 0.0], [2.0, -1.0, 0.3, 0.4, 0.5]])
X_prob = softmax(X)
print(X_prob, X_prob.sum(1))

# %% cross-entropy by indexing
y = torch.tensor([0, 2])
y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
print(y_hat[[0, 1], y])

def cross_entropy(y_hat, y):
    return -torch.log(y_hat[list(range(len(y_hat))), y]).mean()

print(cross_entropy(y_hat, y))

# %% accuracy
def accuracy(y_hat, y):
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())

print(accuracy(y_hat, y) / len(y))

# %% the data: three Gaussian blobs in 4 dimensions
rng = np.random.default_rng(1)
centers = np.array([[2, 0, 0, 1], [0, 2, 1, 0], [-2, -2, 0, 0]], dtype=np.float32)
labels = np.repeat(np.arange(3), 100)
features = (centers[labels] + rng.normal(0, 1.0, (300, 4))).astype(np.float32)
train = TensorDataset(torch.tensor(features), torch.tensor(labels))
train_iter = DataLoader(train, batch_size=30, shuffle=False)
print(len(train), features.dtype, labels.dtype)

# %% the model from scratch
num_inputs, num_outputs = 4, 3
W = torch.tensor(rng.normal(0, 0.01, (num_inputs, num_outputs)), dtype=torch.float32,
                 requires_grad=True)
b = torch.zeros(num_outputs, requires_grad=True)

def net(X):
    return softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)

print(net(torch.tensor(features[:2])))

# %% training from scratch
lr = 0.1
for epoch in range(3):
    total, correct, n = 0.0, 0.0, 0
    for Xb, yb in train_iter:
        l = cross_entropy(net(Xb), yb)
        l.backward()
        with torch.no_grad():
            W -= lr * W.grad
            b -= lr * b.grad
            W.grad.zero_()
            b.grad.zero_()
        total += float(l) * len(yb)
        correct += accuracy(net(Xb), yb)
        n += len(yb)
    print(f"epoch {epoch + 1}, loss {total / n:.4f}, train acc {correct / n:.3f}")

# %% concise implementation
model = nn.Sequential(nn.Flatten(), nn.Linear(4, 3))
model[1].weight.data.normal_(0, 0.01)
model[1].weight.data.copy_(torch.tensor(rng.normal(0, 0.01, (3, 4)), dtype=torch.float32))
model[1].bias.data.fill_(0)
loss = nn.CrossEntropyLoss(reduction='none')
trainer = torch.optim.SGD(model.parameters(), lr=0.1)
print(model)
print(loss)

# %% concise training
for epoch in range(3):
    for Xb, yb in train_iter:
        l = loss(model(Xb), yb)
        trainer.zero_grad()
        l.mean().backward()
        trainer.step()
    with torch.no_grad():
        out = model(torch.tensor(features))
        print(epoch + 1, F.cross_entropy(out, torch.tensor(labels)), accuracy(out, torch.tensor(labels)))

# %% predictions and the grad_fn of a loss
Xb, yb = next(iter(train_iter))
preds = model(Xb).argmax(axis=1)
print(preds[:10], yb[:10])
l = F.cross_entropy(model(Xb), yb)
print(l.grad_fn.name(), model(Xb).grad_fn.name())
print(model(Xb).max(dim=1))
