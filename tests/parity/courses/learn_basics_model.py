"""PyTorch tutorials, "Learn the basics" > Build the model and Optimization (FashionMNIST replaced
by fixed synthetic 28x28 images; weights set from a seeded NumPy generator)."""

# %% imports and device
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
print(f"Using {device} device")

# %% define the class
class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(28*28, 512),
            nn.ReLU(),
            nn.Linear(512, 512),
            nn.ReLU(),
            nn.Linear(512, 10),
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits

model = NeuralNetwork().to(device)
print(model)

# %% the same weights in both libraries (the tutorial's are random)
rng = np.random.default_rng(0)
state = {k: torch.tensor(rng.uniform(-0.05, 0.05, tuple(v.shape)).astype(np.float32))
         for k, v in model.state_dict().items()}
print(model.load_state_dict(state))

# %% calling the model
X = torch.tensor(rng.uniform(0, 1, (1, 28, 28)).astype(np.float32), device=device)
logits = model(X)
pred_probab = nn.Softmax(dim=1)(logits)
y_pred = pred_probab.argmax(1)
print(f"Predicted class: {y_pred}")

# %% model layers
input_image = torch.tensor(rng.uniform(0, 1, (3, 28, 28)).astype(np.float32))
print(input_image.size())
flatten = nn.Flatten()
flat_image = flatten(input_image)
print(flat_image.size())

# %% nn.Linear
layer1 = nn.Linear(in_features=28*28, out_features=20)
layer1.load_state_dict({"weight": torch.tensor(rng.uniform(-0.03, 0.03, (20, 784)).astype(np.float32)),
                        "bias": torch.zeros(20)})
hidden1 = layer1(flat_image)
print(hidden1.size())

# %% nn.ReLU
print(f"Before ReLU: {hidden1[:, :4]}\n\n")
hidden1 = nn.ReLU()(hidden1)
print(f"After ReLU: {hidden1[:, :4]}")

# %% nn.Sequential and nn.Softmax
seq_modules = nn.Sequential(
    flatten,
    layer1,
    nn.ReLU(),
    nn.Linear(20, 10)
)
seq_modules[3].load_state_dict({"weight": torch.full((10, 20), 0.01), "bias": torch.zeros(10)})
logits = seq_modules(input_image)
softmax = nn.Softmax(dim=1)
pred_probab = softmax(logits)
print(pred_probab.shape, pred_probab.sum(1))

# %% model parameters
print(f"Model structure: {model}\n\n")
for name, param in model.named_parameters():
    print(f"Layer: {name} | Size: {param.size()} | Values : {param[:2, :2] if param.dim() == 2 else param[:2]} \n")

# %% hyperparameters and data for the optimization loop
learning_rate = 1e-1
batch_size = 16
epochs = 2
images = rng.uniform(0, 1, (64, 28, 28)).astype(np.float32)
labels = (images.reshape(64, -1)[:, :10].argmax(1)).astype(np.int64)
training_data = TensorDataset(torch.tensor(images), torch.tensor(labels))
test_data = TensorDataset(torch.tensor(images[:32]), torch.tensor(labels[:32]))
train_dataloader = DataLoader(training_data, batch_size=batch_size)
test_dataloader = DataLoader(test_data, batch_size=batch_size)
print(len(training_data), len(train_dataloader))

# %% loss function and optimizer
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
print(loss_fn)
print(optimizer)

# %% train and test loops
def train_loop(dataloader, model, loss_fn, optimizer):
    size = len(dataloader.dataset)
    model.train()
    for batch, (X, y) in enumerate(dataloader):
        pred = model(X)
        loss = loss_fn(pred, y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        if batch % 2 == 0:
            loss, current = loss.item(), batch * batch_size + len(X)
            print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")


def test_loop(dataloader, model, loss_fn):
    model.eval()
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    test_loss /= num_batches
    correct /= size
    print(f"Test Error: \n Accuracy: {(100*correct):>0.1f}%, Avg loss: {test_loss:>8f} \n")

# %% run the training
for t in range(epochs):
    print(f"Epoch {t+1}\n-------------------------------")
    train_loop(train_dataloader, model, loss_fn, optimizer)
    test_loop(test_dataloader, model, loss_fn)
print("Done!")

# %% save and load the model weights
import os
import tempfile

path = os.path.join(tempfile.mkdtemp(), "model_weights.pth")
torch.save(model.state_dict(), path)
model2 = NeuralNetwork()
print(model2.load_state_dict(torch.load(path, weights_only=True)))
model2.eval()
print(torch.equal(model2(X), model(X)))
