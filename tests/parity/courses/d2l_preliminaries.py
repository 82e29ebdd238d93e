"""d2l.ai chapter 2 (preliminaries): data manipulation, linear algebra, calculus, autograd
(random tensors replaced by fixed ones; pandas replaced by the NumPy array it produces)."""

# %% 2.1 getting started
import numpy as np
import torch

x = torch.arange(12, dtype=torch.float32)
print(x)
print(x.numel())
print(x.shape)

# %% reshape, zeros, ones
X = x.reshape(3, 4)
print(X)
print(torch.zeros((2, 3, 4)))
print(torch.ones((2, 3, 4)))

# %% from nested lists
print(torch.tensor([[2, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]]))

# %% indexing and slicing
print(X[-1], X[1:3])
X[1, 2] = 17
print(X)
X[:2, :] = 12
print(X)

# %% operations
print(torch.exp(x))
x = torch.tensor([1.0, 2, 4, 8])
y = torch.tensor([2, 2, 2, 2])
print(x + y, x - y, x * y, x / y, x ** y)

# %% concatenation and comparison
X = torch.arange(12, dtype=torch.float32).reshape((3,4))
Y = torch.tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])
print(torch.cat((X, Y), dim=0), torch.cat((X, Y), dim=1))
print(X == Y)
print(X.sum())

# %% broadcasting
a = torch.arange(3).reshape((3, 1))
b = torch.arange(2).reshape((1, 2))
print(a, b)
print(a + b)

# %% saving memory
before = id(Y)
Y = Y + X
print(id(Y) == before)
Z = torch.zeros_like(Y)
print('id(Z):', id(Z) == id(Z))
Z[:] = X + Y
before = id(X)
X += Y
print(id(X) == before)

# %% conversion to other Python objects
A = X.numpy()
B = torch.from_numpy(A)
print(type(A), type(B))
a = torch.tensor([3.5])
print(a, a.item(), float(a), int(a))

# %% 2.2 data preprocessing: the array pandas gives
inputs = np.array([[3.0, 0.0, 1.0], [2.0, 1.0, 0.0], [4.0, 0.0, 1.0], [3.0, 0.0, 1.0]])
targets = np.array([127500.0, 106000.0, 178100.0, 140000.0])
X = torch.tensor(inputs)
y = torch.tensor(targets)
print(X, y)
print(X.dtype)

# %% 2.3 linear algebra: scalars and vectors
x = torch.tensor(3.0)
y = torch.tensor(2.0)
print(x + y, x * y, x / y, x**y)
x = torch.arange(3)
print(x)
print(x[2])
print(len(x))
print(x.shape)

# %% matrices
A = torch.arange(6).reshape(3, 2)
print(A)
print(A.T)
A = torch.tensor([[1, 2, 3], [2, 0, 4], [3, 4, 5]])
print(A == A.T)

# %% tensors
print(torch.arange(24).reshape(2, 3, 4))

# %% basic properties of tensor arithmetic
A = torch.arange(6, dtype=torch.float32).reshape(2, 3)
B = A.clone()
print(A, A + B)
print(A * B)
a = 2
X = torch.arange(24).reshape(2, 3, 4)
print(a + X, (a * X).shape)

# %% reduction
x = torch.arange(3, dtype=torch.float32)
print(x, x.sum())
print(A.shape, A.sum())
print(A.shape, A.sum(axis=0).shape)
print(A.shape, A.sum(axis=1).shape)
print(A.sum(axis=[0, 1]) == A.sum())
print(A.mean(), A.sum() / A.numel())
print(A.mean(axis=0), A.sum(axis=0) / A.shape[0])

# %% non-reduction sum
sum_A = A.sum(axis=1, keepdims=True)
print(sum_A, sum_A.shape)
print(A / sum_A)
print(A.cumsum(axis=0))

# %% dot products, matrix-vector and matrix-matrix products
y = torch.ones(3, dtype = torch.float32)
print(x, y, torch.dot(x, y))
print(torch.sum(x * y))
print(A.shape, x.shape, torch.mv(A, x), A@x)
B = torch.ones(3, 4)
print(torch.mm(A, B), A@B)

# %% norms
u = torch.tensor([3.0, -4.0])
print(torch.norm(u))
print(torch.abs(u).sum())
print(torch.norm(torch.ones((4, 9))))

# %% linear algebra functions
M = torch.tensor([[2.0, 1.0], [1.0, 3.0]])
print(torch.linalg.det(M))
print(torch.linalg.inv(M))
print(torch.linalg.norm(M))

# %% 2.5 automatic differentiation
x = torch.arange(4.0)
print(x)
x.requires_grad_(True)
print(x.grad)
y = 2 * torch.dot(x, x)
print(y)
y.backward()
print(x.grad)
print(x.grad == 4 * x)

# %% another function
x.grad.zero_()
y = x.sum()
y.backward()
print(x.grad)

# %% backward for non-scalar variables
x.grad.zero_()
y = x * x
y.backward(gradient=torch.ones(len(y)))
print(x.grad)

# %% detaching computation
x.grad.zero_()
y = x * x
u = y.detach()
z = u * x
z.sum().backward()
print(x.grad == u)
x.grad.zero_()
y.sum().backward()
print(x.grad == 2 * x)

# %% gradients and Python control flow
def f(a):
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c

a = torch.tensor(0.3, requires_grad=True)
d = f(a)
d.backward()
print(a.grad == d / a)
print(a.grad)

# %% the shapes and types
print(type(x), x.dtype, x.shape, x.size(), x.size(0), x.ndimension(), x.dim())
print(torch.get_default_dtype(), torch.int32, torch.uint8, torch.float64)
