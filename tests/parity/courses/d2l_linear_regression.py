"""d2l.ai chapter 3 (linear regression) without the d2l package: synthetic data, the model from
scratch, then the concise version (normal noise drawn by a seeded NumPy generator)."""

# %% synthetic data
import numpy as np
import torch
from torch import nn
from torch.utils import data

rng = np.random.default_rng(42)
true_w = torch.tensor([2, -3.4])
true_b = 4.2
num_examples = 1000
X = torch.tensor(rng.normal(0, 1, (num_examples, len(true_w))), dtype=torch.float32)
noise = torch.tensor(rng.normal(0, 0.01, num_examples), dtype=torch.float32)
y = torch.matmul(X, true_w) + true_b + noise
y = y.reshape((-1, 1))
print('features:', X[0], '\nlabel:', y[0])

# %% reading the dataset in minibatches
def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = list(range(num_examples))
    for i in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(indices[i: min(i + batch_size, num_examples)])
        yield features[batch_indices], labels[batch_indices]

batch_size = 10
for Xb, yb in data_iter(batch_size, X, y):
    print(Xb, '\n', yb)
    break

# %% model parameters, model, loss, optimizer
w = torch.tensor(rng.normal(0, 0.01, (2, 1)), dtype=torch.float32, requires_grad=True)
b = torch.zeros(1, requires_grad=True)

def linreg(X, w, b):
    return torch.matmul(X, w) + b

def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2

def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()

print(w.shape, b)

# %% training from scratch
lr = 0.03
num_epochs = 3
net = linreg
loss = squared_loss
for epoch in range(num_epochs):
    for Xb, yb in data_iter(batch_size, X, y):
        l = loss(net(Xb, w, b), yb)
        l.sum().backward()
        sgd([w, b], lr, batch_size)
    with torch.no_grad():
        train_l = loss(net(X, w, b), y)
        print(f'epoch {epoch + 1}, loss {float(train_l.mean()):f}')

# %% the error in estimating the parameters
print(f'error in estimating w: {true_w - w.reshape(true_w.shape)}')
print(f'error in estimating b: {true_b - b}')

# %% concise: dataset and data loader
def load_array(data_arrays, batch_size, is_train=True):
    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=False)

data_iter2 = load_array((X, y), batch_size)
print(next(iter(data_iter2))[0].shape)

# %% concise: model with LazyLinear, initialized as d2l does
net = nn.Sequential(nn.LazyLinear(1))
net(X[:1])
net[0].weight.data.fill_(0.01)
net[0].bias.data.fill_(0)
print(net)
print(net[0].weight.data, net[0].bias.data)

# %% concise: loss, optimizer, training
loss = nn.MSELoss()
trainer = torch.optim.SGD(net.parameters(), lr=0.03)
num_epochs = 3
for epoch in range(num_epochs):
    for Xb, yb in data_iter2:
        l = loss(net(Xb) ,yb)
        trainer.zero_grad()
        l.backward()
        trainer.step()
    l = loss(net(X), y)
    print(f'epoch {epoch + 1}, loss {l:f}')

# %% the learned parameters
w = net[0].weight.data
print('error in estimating w:', true_w - w.reshape(true_w.shape))
b = net[0].bias.data
print('error in estimating b:', true_b - b)

# %% state_dict shares the parameters' storage
sd = net.state_dict()
print(sd.keys())
net.state_dict()['0.bias'].data[0] = 1.5
print(net[0].bias)
print(trainer.state_dict()['param_groups'])

# %% the legacy reduction argument
loss_sum = nn.MSELoss(size_average=False)
print(loss_sum.reduction, loss_sum(torch.tensor([1.0, 2.0]), torch.tensor([0.0, 0.0])))
