"""d2l.ai chapter 5 (multilayer perceptrons): activation functions and their gradients, an MLP from
scratch and the concise one, dropout masks, on a synthetic dataset."""

# %% ReLU and its derivative
import numpy as np
import torch
from torch import nn

x = torch.arange(-8.0, 8.0, 2.0, requires_grad=True)
y = torch.relu(x)
print(y)
y.backward(torch.ones_like(x), retain_graph=True)
print(x.grad)

# %% sigmoid and its derivative
y = torch.sigmoid(x)
print(y)
x.grad.data.zero_()
y.backward(torch.ones_like(x),retain_graph=True)
print(x.grad)

# %% tanh and its derivative
y = torch.tanh(x)
print(y)
x.grad.data.zero_()
y.backward(torch.ones_like(x),retain_graph=True)
print(x.grad)

# %% the data: two interleaved half circles
rng = np.random.default_rng(3)
t = rng.uniform(0, np.pi, 200)
features = np.stack([np.concatenate([np.cos(t[:100]), 1 - np.cos(t[100:])]),
                     np.concatenate([np.sin(t[:100]), 0.5 - np.sin(t[100:])])], 1)
features = (features + rng.normal(0, 0.1, features.shape)).astype(np.float32)
labels = np.repeat([0, 1], 100)
X, y = torch.tensor(features), torch.tensor(labels)
print(X.shape, y.shape, X.dtype, y.dtype)

# %% MLP from scratch
num_inputs, num_outputs, num_hiddens = 2, 2, 16
W1 = nn.Parameter(torch.tensor(rng.normal(0, 0.5, (num_inputs, num_hiddens)), dtype=torch.float32))
b1 = nn.Parameter(torch.zeros(num_hiddens))
W2 = nn.Parameter(torch.tensor(rng.normal(0, 0.5, (num_hiddens, num_outputs)), dtype=torch.float32))
b2 = nn.Parameter(torch.zeros(num_outputs))
params = [W1, b1, W2, b2]

def relu(X):
    a = torch.zeros_like(X)
    return torch.max(X, a)

def net(X):
    X = X.reshape((-1, num_inputs))
    H = relu(X@W1 + b1)
    return (H@W2 + b2)

loss = nn.CrossEntropyLoss(reduction='none')
print(W1.shape, b2)

# %% training from scratch
updater = torch.optim.SGD(params, lr=0.5)
for epoch in range(10):
    for i in range(0, 200, 20):
        idx = torch.arange(i, i + 20)
        l = loss(net(X[idx]), y[idx])
        updater.zero_grad()
        l.mean().backward()
        updater.step()
    if epoch % 3 == 0:
        with torch.no_grad():
            acc = (net(X).argmax(1) == y).float().mean()
        print(f"epoch {epoch}: loss {loss(net(X), y).mean().item():.4f}, acc {acc:.3f}")

# %% concise MLP
model = nn.Sequential(nn.Flatten(), nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2))
with torch.no_grad():
    model[1].weight.copy_(W1.T)
    model[1].bias.zero_()
    model[3].weight.copy_(torch.tensor(rng.normal(0, 0.5, (2, 16)), dtype=torch.float32))
    model[3].bias.zero_()
print(model)

# %% concise training with Adam
optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
loss_fn = nn.CrossEntropyLoss()
for epoch in range(20):
    optimizer.zero_grad()
    l = loss_fn(model(X), y)
    l.backward()
    optimizer.step()
    if epoch % 5 == 4:
        print(epoch, l.item())
print(optimizer)

# %% dropout from scratch (the mask is fixed here; d2l draws it)
def dropout_layer(X, dropout, mask):
    assert 0 <= dropout <= 1
    if dropout == 1: return torch.zeros_like(X)
    mask = (mask > dropout).float()
    return mask * X / (1.0 - dropout)

X2 = torch.arange(16, dtype = torch.float32).reshape((2, 8))
mask = torch.tensor(np.linspace(0, 1, 16).reshape(2, 8), dtype=torch.float32)
print('dropout_p = 0:', dropout_layer(X2, 0, mask))
print('dropout_p = 0.5:', dropout_layer(X2, 0.5, mask))
print('dropout_p = 1:', dropout_layer(X2, 1, mask))

# %% nn.Dropout in evaluation mode passes inputs through
drop = nn.Dropout(0.5)
drop.eval()
print(drop, drop(X2))

# %% numerical stability: the gradient of the sigmoid vanishes
x = torch.arange(-8.0, 8.0, 1.0, requires_grad=True)
y = torch.sigmoid(x)
y.backward(torch.ones_like(x))
print(x.grad)
M = torch.tensor(np.linspace(-1, 1, 16).reshape(4, 4), dtype=torch.float32)
print(M)
for i in range(20):
    M = torch.mm(M, torch.tensor(np.eye(4) * 1.1, dtype=torch.float32))
print(M)

# %% other activations and evaluation without a graph
act = nn.LeakyReLU(0.2)
x = torch.arange(-2.0, 2.0, 0.5, requires_grad=True)
y = act(x)
print(act, y)
y.sum().backward()
print(x.grad)
with torch.inference_mode():
    print(model(X[:3]).argmax(1), torch.is_grad_enabled())
