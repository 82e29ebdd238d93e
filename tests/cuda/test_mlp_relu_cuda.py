"""MLP's fused hidden layer (LinearReLU) on the CUDA backend, which has no fused kernel for it: the
node computes with cuda's linear, unary and reduce kernels and gives the CPU twin's values and
gradients (tests/nn/test_nn_mlp_fused.py checks the CPU side against the two-node path).

Runs with the other CUDA tests (tests/cuda/conftest.py): on a GPU or numba's CUDA simulator.
"""

import numpy as np

import scalargrad as sg


def test_relu_mlp_on_cuda_matches_cpu():
    sg.manual_seed(1)
    gpu = sg.nn.MLP(3, [4, 5, 2], dtype=sg.float64)
    cpu = sg.nn.MLP(3, [4, 5, 2], dtype=sg.float64)
    cpu.load_state_dict(gpu.state_dict())
    gpu.to("cuda")
    x = np.random.default_rng(0).normal(size=(6, 3))
    y = np.array([0, 1, 1, 0, 1, 0])
    outs = []
    for model, dev in ((gpu, "cuda"), (cpu, "cpu")):
        out = model(sg.tensor(x, dtype=sg.float64).to(dev))
        assert out.grad_fn.next_functions[0][0].name() == "ReluBackward0"
        sg.nn.CrossEntropyLoss()(out, sg.tensor(y).to(dev)).backward()
        outs.append(out.detach().cpu().numpy())
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-12, atol=1e-12)
    for (name, a), (_, b) in zip(gpu.named_parameters(), cpu.named_parameters(), strict=True):
        np.testing.assert_allclose(
            a.grad.cpu().numpy(), b.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=name
        )
