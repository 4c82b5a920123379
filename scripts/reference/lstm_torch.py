#!/usr/bin/python3
"""The fused LSTM kernel's reference: PyTorch's nn.LSTM with the same weights.

Writes src-main/models/lstm/fixtures/torch-parity.json: one case (weights in Keras layout,
pre-padded token ids, labels, an input dropout mask) with what PyTorch computes for it in
float64: class probabilities, the mean cross-entropy, and the gradients of every weight (in
Keras layout). src-main/models/lstm/kernel-parity.test.ts checks both builds of the kernel
(native and WebAssembly) against it.

Keras to PyTorch: the gate order i, f, c(g), o is the same; weight_ih = kernel^T,
weight_hh = recurrentKernel^T, bias_ih = bias, bias_hh = 0. The dropout mask multiplies the
embeddings (SpatialDropout1D and the LSTM's input dropout: one mask per sample, fixed over time).

    apt-get install -y python3-torch
    /usr/bin/python3 scripts/reference/lstm_torch.py
"""
import json
import os

import numpy as np
import torch

V, D, H, C, T, B = 20, 8, 12, 2, 9, 5
rng = np.random.default_rng(7)
f32 = lambda a: np.asarray(a, dtype=np.float32)  # the case is float32, as the kernel holds it
w = {
    "embedding": f32(rng.uniform(-0.5, 0.5, (V, D))),
    "kernel": f32(rng.uniform(-0.4, 0.4, (D, 4 * H))),
    "recurrentKernel": f32(rng.uniform(-0.4, 0.4, (H, 4 * H))),
    "bias": f32(rng.uniform(-0.3, 0.3, 4 * H)),
    "denseKernel": f32(rng.uniform(-0.6, 0.6, (H, C))),
    "denseBias": f32([0.1, -0.2]),
}
lengths = [9, 6, 3, 1, 7]
tokens = np.zeros((B, T), dtype=np.int64)
for s, n in enumerate(lengths):
    tokens[s, T - n:] = rng.integers(1, V, n)  # pre-padding with 0, as the tokenizer pads
labels = np.array([1, 0, 1, 0, 0])
xmask = f32(np.where(rng.random((B, D)) < 0.3, 0.0, 1 / 0.7))

t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in w.items()}  # kernel, recurrentKernel, bias: copied into the LSTM below
lstm = torch.nn.LSTM(D, H, batch_first=True).double()
with torch.no_grad():
    lstm.weight_ih_l0.copy_(t["kernel"].T)
    lstm.weight_hh_l0.copy_(t["recurrentKernel"].T)
    lstm.bias_ih_l0.copy_(t["bias"])
    lstm.bias_hh_l0.zero_()


def run(mask):
    x = t["embedding"][torch.from_numpy(tokens)]
    if mask is not None:
        x = x * torch.tensor(mask, dtype=torch.float64)[:, None, :]
    out, _ = lstm(x)
    logits = out[:, -1, :] @ t["denseKernel"] + t["denseBias"]
    return torch.softmax(logits, dim=1), torch.nn.functional.cross_entropy(logits, torch.from_numpy(labels))


probs, _ = run(None)
_, loss = run(xmask)
loss.backward()
# the LSTM's gradients back in Keras layout (bias_hh's gradient equals bias_ih's: both add to the gates)
grads = {
    "embedding": t["embedding"].grad.numpy(),
    "kernel": lstm.weight_ih_l0.grad.numpy().T,
    "recurrentKernel": lstm.weight_hh_l0.grad.numpy().T,
    "bias": lstm.bias_ih_l0.grad.numpy(),
    "denseKernel": t["denseKernel"].grad.numpy(),
    "denseBias": t["denseBias"].grad.numpy(),
}
case = {
    "generator": "scripts/reference/lstm_torch.py",
    "torch": torch.__version__,
    "shape": {"vocab": V, "embed": D, "units": H, "classes": C, "seqLen": T, "maxBatch": B},
    "weights": {k: v.ravel().tolist() for k, v in w.items()},
    "tokens": tokens.ravel().tolist(),
    "labels": labels.tolist(),
    "xmask": xmask.ravel().tolist(),
    "expected": {
        "probs": probs.detach().numpy().ravel().tolist(),
        "loss": loss.item(),
        "grads": {k: v.ravel().tolist() for k, v in grads.items()},
    },
}
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src-main", "models", "lstm", "fixtures", "torch-parity.json")
with open(out, "w") as f:
    json.dump(case, f)
print(f"wrote {os.path.normpath(out)}: loss {loss.item():.6f}")
