"""PyTorch tutorials, "Learn the basics" > Automatic differentiation (fixed w, b instead of randn)."""

# %% a one-layer network
import torch

x = torch.ones(5)  # input tensor
y = torch.zeros(3)  # expected output
w = torch.tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6], [-0.7, 0.8, 0.9],
                  [1.0, -1.1, 1.2], [0.13, 0.14, -0.15]], requires_grad=True)
b = torch.tensor([0.01, -0.02, 0.03], requires_grad=True)
z = torch.matmul(x, w)+b
loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
print(loss)

# %% gradient functions
print(f"Gradient function for z = {z.grad_fn.name()}")
print(f"Gradient function for loss = {loss.grad_fn.name()}")

# %% computing gradients
loss.backward()
print(w.grad)
print(b.grad)

# %% disabling gradient tracking
z = torch.matmul(x, w)+b
print(z.requires_grad)

with torch.no_grad():
    z = torch.matmul(x, w)+b
print(z.requires_grad)

# %% detach
z = torch.matmul(x, w)+b
z_det = z.detach()
print(z_det.requires_grad)

# %% tensor gradients and Jacobian products
inp = torch.eye(4, 5, requires_grad=True)
out = (inp+1).pow(2).t()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"First call\n{inp.grad}")
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\nSecond call\n{inp.grad}")
inp.grad.zero_()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\nCall after zeroing gradients\n{inp.grad}")

# %% the grad_fn objects print as PyTorch's
print(z)
print(loss)
print(out.grad_fn.name(), type(out))
