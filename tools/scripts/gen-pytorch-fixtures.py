#!/usr/bin/env python3
"""
Writes ONNX files with real PyTorch (torch.onnx.export) for the importer
tests, plus PyTorch's own outputs as a second oracle next to ONNX Runtime.

Not run by npm test or CI: the .onnx and .json files it writes are committed.
To regenerate (Debian 12 packages, no pip needed):

    apt-get install -y python3-torch python3-onnx
    /usr/bin/python3 tools/scripts/gen-pytorch-fixtures.py

For each model it writes tools/test/fixtures/pytorch/<name>.onnx and
<name>.json: the input rows, and what PyTorch predicts after each prefix of
them (rows 0..t for every t), which is what a device streaming the rows one
by one must print.
"""
import json
import os

import torch
from torch import nn

OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "pytorch")
STEPS = 6


class Head(nn.Module):
    """Linear, or Linear + ReLU + Linear."""

    def __init__(self, hidden, outputs, deep):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(hidden, 8), nn.ReLU(), nn.Linear(8, outputs)) if deep else nn.Linear(hidden, outputs)

    def forward(self, x):
        return self.net(x)


class Net(nn.Module):
    """A recurrent stack and a head, taking the output the two common ways."""

    def __init__(self, cell, inputs, hidden, outputs, layers, batch_first, bias, dropout, deep_head, select, extra_outputs):
        super().__init__()
        kwargs = dict(num_layers=layers, batch_first=batch_first, bias=bias, dropout=dropout)
        if cell in ("rnn_tanh", "rnn_relu"):
            self.rnn = nn.RNN(inputs, hidden, nonlinearity=cell[4:], **kwargs)
        elif cell == "lstm":
            self.rnn = nn.LSTM(inputs, hidden, **kwargs)
        else:
            self.rnn = nn.GRU(inputs, hidden, **kwargs)
        self.head = Head(hidden, outputs, deep_head)
        self.cell = cell
        self.batch_first = batch_first
        self.select = select
        self.extra_outputs = extra_outputs

    def forward(self, x):
        out, state = self.rnn(x)
        h_n = state[0] if self.cell == "lstm" else state
        if self.select == "last":
            last = out[:, -1] if self.batch_first else out[-1]
        else:
            last = h_n[-1]
        y = self.head(last)
        if not self.extra_outputs:
            return y
        # models that also return their state: (y, h_n, c_n) or (y, h_n)
        return (y, *state) if self.cell == "lstm" else (y, state)


# name: cell, opset, inputs, hidden, outputs, layers, batch_first, bias, dropout, deep head, select, extra outputs
MODELS = {
    "rnn_tanh_2layer_opset11": ("rnn_tanh", 11, 3, 6, 1, 2, True, True, 0.2, False, "last", False),
    "rnn_tanh_hn_opset17": ("rnn_tanh", 17, 2, 5, 2, 1, False, True, 0.0, True, "h_n", False),
    "rnn_relu_2layer_opset13": ("rnn_relu", 13, 3, 6, 1, 2, True, True, 0.1, True, "h_n", False),
    "rnn_relu_nobias_opset14": ("rnn_relu", 14, 2, 4, 1, 1, True, False, 0.0, False, "last", False),
    "lstm_2layer_opset11": ("lstm", 11, 3, 8, 1, 2, True, True, 0.2, True, "last", False),
    "lstm_nobias_hn_opset13": ("lstm", 13, 2, 6, 2, 1, False, False, 0.0, False, "h_n", False),
    "lstm_2layer_hn_opset14": ("lstm", 14, 4, 5, 1, 2, True, True, 0.3, False, "h_n", False),
    "lstm_returns_state_opset17": ("lstm", 17, 3, 6, 1, 2, True, True, 0.1, True, "last", True),
    "gru_2layer_opset11": ("gru", 11, 3, 6, 1, 2, True, True, 0.2, False, "h_n", False),
    "gru_nobias_opset13": ("gru", 13, 2, 5, 1, 1, True, False, 0.0, True, "last", False),
    "gru_2layer_timefirst_opset14": ("gru", 14, 3, 4, 2, 2, False, True, 0.1, True, "last", False),
    "gru_returns_state_opset17": ("gru", 17, 2, 6, 1, 2, True, True, 0.0, False, "h_n", True),
}


def rows(steps, inputs, seed):
    g = torch.Generator().manual_seed(seed)
    return (torch.rand(steps, inputs, generator=g) * 3 - 1.5).tolist()


def main():
    os.makedirs(OUT, exist_ok=True)
    for i, (name, spec) in enumerate(MODELS.items()):
        cell, opset, inputs, hidden, outputs, layers, batch_first, bias, dropout, deep, select, extra = spec
        torch.manual_seed(100 + i)
        net = Net(cell, inputs, hidden, outputs, layers, batch_first, bias, dropout, deep, select, extra).eval()
        # weights larger than PyTorch's init, so gates saturate and every nonlinearity matters
        with torch.no_grad():
            for p in net.parameters():
                p.uniform_(-1, 1)
        x_rows = rows(STEPS, inputs, 200 + i)

        def run(prefix):
            x = torch.tensor(prefix).unsqueeze(0 if batch_first else 1)
            y = net(x)
            return (y[0] if extra else y).reshape(-1).tolist()

        with torch.no_grad():
            prefix_outputs = [run(x_rows[: t + 1]) for t in range(STEPS)]
            example = torch.tensor(x_rows).unsqueeze(0 if batch_first else 1)
            seq_axes = {0: "batch", 1: "sequence"} if batch_first else {0: "sequence", 1: "batch"}
            names = ["output", "h_n", "c_n"][: (3 if cell == "lstm" else 2) if extra else 1]
            axes = {"input": seq_axes, "output": {0: "batch"}}
            torch.onnx.export(net, example, os.path.join(OUT, name + ".onnx"), input_names=["input"], output_names=names, dynamic_axes=axes, opset_version=opset)
        with open(os.path.join(OUT, name + ".json"), "w") as f:
            json.dump({"model": name + ".onnx", "torch": torch.__version__, "opset": opset, "batchFirst": batch_first, "outputs": outputs, "input": x_rows, "torchPrefixOutputs": prefix_outputs}, f, indent=1)
        print("wrote", name)


if __name__ == "__main__":
    main()
