"""A typical intro course: tensors and dtypes, a custom Dataset and DataLoader, logistic
regression with BCE, a class model with nn.Module, saving/loading a state_dict."""

# %% tensors, dtypes and types
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

a = torch.tensor([0, 1, 2, 3, 4])
print(a.dtype, a.type(), type(a))
b = torch.FloatTensor([0, 1, 2, 3, 4])
print(b.dtype, b.type())
c = a.type(torch.FloatTensor)
print(c, c.type())
print(a.size(), a.ndimension(), a.view(5, 1).shape, a.view(-1, 1).size())

# %% numpy and pandas-style conversions
numpy_array = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
new_tensor = torch.from_numpy(numpy_array)
print(new_tensor.dtype, new_tensor.type())
back = new_tensor.numpy()
print(back, back.dtype)
print(torch.tensor(np.array([1, 2, 3], dtype=np.uint8)), torch.as_tensor(numpy_array))
print(new_tensor.tolist(), new_tensor[0].item())
print(torch.tensor([1.0, 2.0]) + np.array([10.0, 20.0]))

# %% a uint8 image to floats
img = np.array([[0, 64], [128, 255]], dtype=np.uint8)
t = torch.tensor(img)
print(t, t.dtype)
print(t.float() / 255)
print(torch.LongTensor([1, 2]), torch.tensor([1, 2], dtype=torch.int32))

# %% devices
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
print(device, torch.device("cpu"), repr(device))
print(torch.ones(2, device=device).device)

# %% derivatives
x = torch.tensor(2.0, requires_grad=True)
y = x ** 2 + 2 * x + 1
y.backward()
print(y, x.grad)
u = torch.tensor(1.0, requires_grad=True)
v = torch.tensor(2.0, requires_grad=True)
f = u * v + u ** 2
f.backward()
print(f, u.grad, v.grad, f.grad_fn.name())

# %% a custom dataset
class Data(Dataset):
    def __init__(self):
        self.x = torch.arange(-1, 1, 0.1).view(-1, 1)
        self.y = torch.zeros(self.x.shape[0], 1)
        self.y[self.x[:, 0] > 0.2] = 1
        self.len = self.x.shape[0]

    def __getitem__(self, index):
        return self.x[index], self.y[index]

    def __len__(self):
        return self.len

data_set = Data()
print(len(data_set), data_set[0])
print(data_set[0:3])
trainloader = DataLoader(dataset=data_set, batch_size=5)
xb, yb = next(iter(trainloader))
print(xb.shape, yb.shape)

# %% logistic regression with nn.Module
class logistic_regression(nn.Module):
    def __init__(self, n_inputs):
        super(logistic_regression, self).__init__()
        self.linear = nn.Linear(n_inputs, 1)

    def forward(self, x):
        yhat = torch.sigmoid(self.linear(x))
        return yhat

model = logistic_regression(1)
model.state_dict()['linear.weight'].data[0] = torch.tensor([[-5.0]])
model.state_dict()['linear.bias'].data[0] = torch.tensor([-10.0])
print(model)
print(model.state_dict())
print(list(model.parameters()))

# %% training
criterion = nn.BCELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=2)
print(optimizer.state_dict())
LOSS = []
for epoch in range(100):
    for x, y in trainloader:
        yhat = model(x)
        loss = criterion(yhat, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    LOSS.append(loss.item())
print(LOSS[::20])
print(model.state_dict())

# %% accuracy and predictions
yhat = model(data_set.x)
label = yhat > 0.5
print(label.shape, label.dtype)
print("The accuracy: ", torch.mean((label == data_set.y.type(torch.ByteTensor)).type(torch.float)))

# %% a softmax classifier with nn.Sequential
X = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [-1.0, -1.0]])
Y = torch.tensor([0, 1, 2, 2])
clf = nn.Sequential(nn.Linear(2, 3))
clf.load_state_dict({"0.weight": torch.tensor([[0.5, -0.5], [-0.5, 0.5], [0.1, 0.1]]),
                     "0.bias": torch.zeros(3)})
z = clf(X)
print(z)
_, yhat = z.max(1)
print(yhat, (yhat == Y).sum().item())
print(F.softmax(z, dim=1))
print(nn.CrossEntropyLoss()(z, Y))

# %% functional losses and their legacy arguments
p = torch.tensor([0.2, 0.8, 0.6])
t = torch.tensor([0.0, 1.0, 1.0])
print(F.binary_cross_entropy(p, t), F.mse_loss(p, t), F.l1_loss(p, t, reduction='sum'))
print(nn.MSELoss(reduce=False)(p, t))
