#!/usr/bin/env python3
"""
The oracle for "training as good as the usual recipe" (issue 17, item 3): a
same-size PyTorch model trained the way a practitioner trains one, on the
same rows `dsrnn train` gets, scored on rows neither of them saw.

Not run by npm test or CI: the JSON it writes is committed, and
tools/test/train/recipe.test.ts checks `dsrnn train` against it.
To regenerate (Debian 12 packages, no pip needed):

    apt-get install -y python3-torch python3-numpy
    nice /usr/bin/python3 tools/scripts/pytorch-recipe.py [series ...]

seattle-hourly trains the LSTM only: its GRU runs took longer than the
machine had (see CELLS).

The recipe, as the tutorials and Keras/PyTorch examples give it:
- inputs and target normalized with the mean and std of the training part;
- sliding windows of W rows, stride 1, sequence-to-one: the model reads rows
  t-W+1..t from zero state and its last output forecasts the target at t+h;
- Adam (lr 1e-3), MSE, batch 32, shuffled windows;
- ReduceLROnPlateau (factor 0.5, patience 5) and early stopping on the
  validation windows' MSE (patience 10, at most 100 epochs), restoring the
  best epoch's weights.

The split is `dsrnn train`'s (tools/src/train/options.ts resolveTrainOptions):
of the training file's N rows the last round(N * validation) validate, and
the rows after the training file are held out. A validation (or held-out)
window takes its earlier rows from before its part, as a practitioner
windowing the whole series and splitting by time does.

Held-out score: each held-out row t with a target t+h gets the windowed
forecast from rows t-W+1..t (what a practitioner reports), and, for
comparison, the forecast streamed from zero state over the held-out rows
alone (what `dsrnn evaluate` does with our model). Both targets are tried:
the level, and the change from the current value (differencing, the other
thing practitioners try first); each is the median of 3 seeds.

For each series it writes tools/test/fixtures/recipe/<series>.json.
"""
import csv
import json
import math
import os
import sys

import numpy as np
import torch
from torch import nn

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "tools", "test", "fixtures", "recipe")
DATA = os.path.join(ROOT, "node_modules", "vega-datasets", "data")

RECIPE = dict(lr=1e-3, batch=32, max_epochs=100, patience=10, plateau_factor=0.5, plateau_patience=5, units=16)
SEEDS = [1, 2, 3]
CELLS = {"seattle-hourly": ["lstm"]}

# heldOut: rows at the end of the file that neither side trains on; the rest is the training file `dsrnn train` reads.
SERIES = {
    # npm start's split (tools/scripts/demo.ts) and its model's inputs (tools/data/seattle-lstm.json training.command)
    "seattle-hourly": dict(file="seattle-weather-hourly-normals.csv", heldOut=1440, target="temperature", inputs=["temperature", "pressure"], horizon=1, validation=0.2, window=48),
    # four years of daily weather: the last year held out; every numeric column in, as `dsrnn train` takes by default
    "seattle-daily": dict(file="seattle-weather.csv", heldOut=365, target="temp_max", inputs=["precipitation", "temp_max", "temp_min", "wind"], horizon=1, validation=0.2, window=30),
    # monthly CO2 at Mauna Loa, 1958 on: a trend and a yearly season; the last 12 years held out
    "co2-monthly": dict(file="co2-concentration.csv", heldOut=144, target="CO2", inputs=["CO2"], horizon=1, validation=0.2, window=24),
}


def read_series(spec):
    with open(os.path.join(DATA, spec["file"]), newline="") as f:
        rows = list(csv.DictReader(f))
    x = np.array([[float(r[c]) for c in spec["inputs"]] for r in rows], dtype=np.float64)
    y = np.array([float(r[spec["target"]]) for r in rows], dtype=np.float64)
    return x, y


class Net(nn.Module):
    def __init__(self, cell, inputs, units):
        super().__init__()
        self.rnn = (nn.LSTM if cell == "lstm" else nn.GRU)(inputs, units, batch_first=True)
        self.head = nn.Linear(units, 1)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out)


def rmse_mae(pred, actual):
    e = np.asarray(pred) - np.asarray(actual)
    return float(np.sqrt(np.mean(e * e))), float(np.mean(np.abs(e)))


def run(spec, cell, change, seed):
    x, y = read_series(spec)
    h, w = spec["horizon"], spec["window"]
    n_file = len(y) - spec["heldOut"]
    n_val = int(math.floor(n_file * spec["validation"] + 0.5))  # Math.round
    n_train = n_file - n_val
    mx, sx = x[:n_train].mean(0), x[:n_train].std(0)
    sx[sx == 0] = 1
    # out[t]: what the model must give at row t, so that base[t] + out[t] * sy + my is the target at t + h
    out = np.full(len(y), np.nan)
    out[: len(y) - h] = y[h:] - (y[: len(y) - h] if change else 0)
    my, sy = out[: n_train - h].mean(), out[: n_train - h].std()
    xn = torch.tensor((x - mx) / sx, dtype=torch.float32)
    yn = torch.tensor((out - my) / sy, dtype=torch.float32)

    def windows(ends):
        idx = torch.tensor(ends)[:, None] + torch.arange(-w + 1, 1)[None, :]
        return xn[idx], yn[torch.tensor(ends)][:, None]

    # a window ends at row t and forecasts t + h; training targets stay in the training rows
    train_x, train_y = windows(list(range(w - 1, n_train - h)))
    val_x, val_y = windows(list(range(n_train, n_file - h)))
    test_ends = list(range(n_file, len(y) - h))
    test_x, _ = windows(test_ends)

    torch.manual_seed(seed)
    net = Net(cell, x.shape[1], RECIPE["units"])
    opt = torch.optim.Adam(net.parameters(), lr=RECIPE["lr"])
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=RECIPE["plateau_factor"], patience=RECIPE["plateau_patience"])
    gen = torch.Generator().manual_seed(seed)
    best, best_epoch, best_state, epochs = math.inf, -1, None, 0
    for epoch in range(RECIPE["max_epochs"]):
        net.train()
        order = torch.randperm(len(train_x), generator=gen)
        for b in range(0, len(order), RECIPE["batch"]):
            i = order[b : b + RECIPE["batch"]]
            opt.zero_grad()
            loss = nn.functional.mse_loss(net(train_x[i])[:, -1], train_y[i])
            loss.backward()
            opt.step()
        net.eval()
        with torch.no_grad():
            val = nn.functional.mse_loss(net(val_x)[:, -1], val_y).item()
        plateau.step(val)
        epochs = epoch + 1
        if val < best:
            best, best_epoch, best_state = val, epoch, {k: v.clone() for k, v in net.state_dict().items()}
        elif epoch - best_epoch >= RECIPE["patience"]:
            break
    net.load_state_dict(best_state)
    net.eval()
    base = y if change else np.zeros(len(y))
    actual = y[np.array(test_ends) + h]
    with torch.no_grad():
        windowed = net(test_x)[:, -1, 0].double().numpy() * sy + my + base[test_ends]
        streamed = net(xn[None, n_file : len(y) - h])[0, :, 0].double().numpy() * sy + my + base[test_ends]
    wr, wm = rmse_mae(windowed, actual)
    sr, sm = rmse_mae(streamed, actual)
    return dict(seed=seed, epochs=epochs, bestEpoch=best_epoch + 1, validationRmse=math.sqrt(best) * sy, windowed=dict(rmse=wr, mae=wm), streamed=dict(rmse=sr, mae=sm)), (n_train, n_val)


def median(values):
    return float(np.median(values))


def main(names):
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    for name in names or SERIES:
        spec = SERIES[name]
        x, y = read_series(spec)
        persistence = rmse_mae(y[len(y) - spec["heldOut"] : len(y) - spec["horizon"]], y[len(y) - spec["heldOut"] + spec["horizon"] :])
        result = dict(
            series=name,
            source=f"node_modules/vega-datasets/data/{spec['file']}",
            rows=len(y),
            split=None,
            target=spec["target"],
            inputs=spec["inputs"],
            horizon=spec["horizon"],
            window=spec["window"],
            recipe=dict(RECIPE, optimizer="Adam", loss="MSE", stride=1, stopping="validation windows' MSE, best weights restored"),
            scoring="held-out rows t (0-based in the held-out part) with a target t+h; windowed: rows t-W+1..t from zero state; streamed: the held-out rows from zero state",
            persistence=dict(rmse=persistence[0], mae=persistence[1]),
            runs={},
        )
        for cell in CELLS.get(name, ["lstm", "gru"]):
            for change in [False, True]:
                key = f"{cell}-{'change' if change else 'level'}"
                runs = []
                for seed in SEEDS:
                    r, (n_train, n_val) = run(spec, cell, change, seed)
                    runs.append(r)
                    print(f"{name} {key} seed {seed}: {r['epochs']} epochs (best {r['bestEpoch']}), held-out RMSE windowed {r['windowed']['rmse']:.4f}, streamed {r['streamed']['rmse']:.4f}", flush=True)
                result["split"] = dict(trainingFileRows=n_train + n_val, trainRows=n_train, validationRows=n_val, heldOutRows=spec["heldOut"])
                result["runs"][key] = dict(
                    seeds=runs,
                    median=dict(
                        windowed=dict(rmse=median([r["windowed"]["rmse"] for r in runs]), mae=median([r["windowed"]["mae"] for r in runs])),
                        streamed=dict(rmse=median([r["streamed"]["rmse"] for r in runs]), mae=median([r["streamed"]["mae"] for r in runs])),
                        epochs=median([r["epochs"] for r in runs]),
                    ),
                )
        with open(os.path.join(OUT, f"{name}.json"), "w") as f:
            json.dump(result, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
