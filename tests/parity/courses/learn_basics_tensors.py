"""PyTorch tutorials, "Learn the basics" > Tensors (random tensors replaced by fixed data)."""

# %% imports
import numpy as np
import torch

# %% initializing a tensor from data
data = [[1, 2], [3, 4]]
x_data = torch.tensor(data)
print(x_data)

# %% from a NumPy array
np_array = np.array(data)
x_np = torch.from_numpy(np_array)
print(x_np)

# %% from another tensor
x_ones = torch.ones_like(x_data)  # retains the properties of x_data
print(f"Ones Tensor: \n {x_ones} \n")
x_rand = torch.full_like(x_data, 0.25, dtype=torch.float)  # overrides the datatype of x_data
print(f"Random Tensor: \n {x_rand} \n")

# %% with random or constant values
shape = (2, 3,)
rand_tensor = torch.linspace(0, 1, 6).reshape(shape)
ones_tensor = torch.ones(shape)
zeros_tensor = torch.zeros(shape)
print(f"Random Tensor: \n {rand_tensor} \n")
print(f"Ones Tensor: \n {ones_tensor} \n")
print(f"Zeros Tensor: \n {zeros_tensor}")

# %% attributes of a tensor
tensor = torch.arange(12.0).reshape(3, 4) / 7
print(f"Shape of tensor: {tensor.shape}")
print(f"Datatype of tensor: {tensor.dtype}")
print(f"Device tensor is stored on: {tensor.device}")

# %% moving to the accelerator
if torch.accelerator.is_available():
    tensor = tensor.to(torch.accelerator.current_accelerator())
print(tensor.device)

# %% standard numpy-like indexing and slicing
tensor = torch.ones(4, 4)
print(f"First row: {tensor[0]}")
print(f"First column: {tensor[:, 0]}")
print(f"Last column: {tensor[..., -1]}")
tensor[:,1] = 0
print(tensor)

# %% joining tensors
t1 = torch.cat([tensor, tensor, tensor], dim=1)
print(t1)

# %% arithmetic operations
y1 = tensor @ tensor.T
y2 = tensor.matmul(tensor.T)
y3 = torch.zeros_like(y1)
print(y1)
print(torch.equal(y1, y2))
z1 = tensor * tensor
z2 = tensor.mul(tensor)
print(z1)
print(torch.equal(z1, z2))

# %% single-element tensors
agg = tensor.sum()
agg_item = agg.item()
print(agg_item, type(agg_item))

# %% in-place operations
print(f"{tensor} \n")
tensor.add_(5)
print(tensor)

# %% tensor to numpy array
t = torch.ones(5)
print(f"t: {t}")
n = t.numpy()
print(f"n: {n}")

# %% a change in the tensor reflects in the numpy array
t.add_(1)
print(f"t: {t}")
print(f"n: {n}")

# %% numpy array to tensor
n = np.ones(5)
t = torch.from_numpy(n)
np.add(n, 1, out=n)
print(f"t: {t}")
print(f"n: {n}")
