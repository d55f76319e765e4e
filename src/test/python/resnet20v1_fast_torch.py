"""The recipe of models/resnet20v1_fast.json in the PyTorch reference (../shared/anchors/pytorch/models.py), to
compare its curve with ConvKit's on the same data, augmentation and schedule (issue 16, item 3).

    /usr/bin/python3 src/test/python/resnet20v1_fast_torch.py --models ../shared/anchors/pytorch \
        --data ../shared/data/cifar-10 --epochs 40 --threads 2 --weight-decay 3e-4 --pad-crop 4 --precision bf16

Same as ConvKit's run: ResNet20v1 with Keras semantics (BN eps 1e-3, momentum 0.99, TF-same padding, Keras
initialisers), Keras l2(1e-4) on conv kernels as weight decay 2e-4 on those kernels only, SGD Nesterov 0.9, batch
128, lr 0.1 with linear warm-up over 2 epochs (step-wise) then cosine to 0 over the remaining 38 of 40 epochs,
label smoothing 0.1 on the training loss, pixel mean of the training set subtracted, random shifts of up to 10% with
bilinear interpolation and nearest-edge fill plus horizontal flips. Prints one line per epoch.

Options for the recipe's later settings: --weight-decay W adds PyTorch's coupled weight decay W on every conv and
dense kernel (on top of the conv kernels' Keras l2, as ConvKit's weight_decay); --pad-crop P replaces the shifts by
P pixels of zero padding (after the mean is subtracted, as ConvKit pads) and a random 32x32 crop; --precision bf16
runs forward and backward under torch.autocast("cpu", torch.bfloat16).
"""
import argparse, gzip, math, os, sys, time
import numpy as np


def load(path, files):
    xs, ys = [], []
    for f in files:
        raw = np.frombuffer(gzip.open(os.path.join(path, f)).read(), dtype=np.uint8).reshape(-1, 3073)
        ys.append(raw[:, 0].astype(np.int64))
        xs.append(raw[:, 1:].reshape(-1, 3, 32, 32).astype(np.float32) / 255.0)
    return np.concatenate(xs), np.concatenate(ys)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--total-epochs", type=int, default=40)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--weight-decay", type=float, default=0.0)
    ap.add_argument("--pad-crop", type=int, default=0)
    ap.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
    a = ap.parse_args()
    sys.path.insert(0, a.models)
    import torch
    import torch.nn.functional as F
    import models as M
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    M.set_tf_padding(True)
    xtr, ytr = load(a.data, ["data_batch_%d.bin.gz" % i for i in range(1, 6)])
    xte, yte = load(a.data, ["test_batch.bin.gz"])
    mean = xtr.mean(axis=0, keepdims=True)
    xtr, xte = torch.from_numpy(xtr - mean), torch.from_numpy(xte - mean)
    ytr, yte = torch.from_numpy(ytr), torch.from_numpy(yte)
    model = M.resnet_v1(20)
    groups = M.keras_l2_param_groups(model)
    if a.weight_decay:
        kernels = {id(m.weight) for m in model.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))}
        split = []
        for g in groups:
            mine = [p for p in g["params"] if id(p) in kernels]
            others = [p for p in g["params"] if id(p) not in kernels]
            if mine:
                split.append({"params": mine, "weight_decay": g["weight_decay"] + a.weight_decay})
            if others:
                split.append({"params": others, "weight_decay": g["weight_decay"]})
        groups = split
    opt = torch.optim.SGD(groups, lr=0.1, momentum=0.9, nesterov=True)
    steps = math.ceil(len(xtr) / 128)
    warm, decay = 2 * steps, (a.total_epochs - 2) * steps

    def rate(s):
        if s < warm:
            return 0.1 * (s + 1) / warm
        return 0.1 * 0.5 * (1 + math.cos(math.pi * min((s - warm) / decay, 1.0)))

    def pad_crop(x):
        n, p = x.shape[0], a.pad_crop
        padded = F.pad(x, (p, p, p, p))
        oy = rng.integers(0, 2 * p + 1, size=n)
        ox = rng.integers(0, 2 * p + 1, size=n)
        out = torch.stack([padded[i, :, oy[i]:oy[i] + 32, ox[i]:ox[i] + 32] for i in range(n)])
        flip = torch.from_numpy(rng.random(n) < 0.5)
        out[flip] = out[flip].flip(-1)
        return out

    def augment(x):
        if a.pad_crop:
            return pad_crop(x)
        n = x.shape[0]
        shift = torch.from_numpy(rng.uniform(-0.1, 0.1, size=(n, 2)).astype(np.float32)) * 2  # in [-1, 1] grid units
        theta = torch.zeros(n, 2, 3)
        theta[:, 0, 0] = 1
        theta[:, 1, 1] = 1
        theta[:, :, 2] = -shift
        grid = F.affine_grid(theta, list(x.shape), align_corners=False)
        out = F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)
        flip = torch.from_numpy(rng.random(n) < 0.5)
        out[flip] = out[flip].flip(-1)
        return out

    step = 0
    for epoch in range(a.epochs):
        model.train()
        order = torch.from_numpy(rng.permutation(len(xtr)))
        t0, seen, correct, total_loss = time.time(), 0, 0, 0.0
        for b in range(steps):
            idx = order[b * 128:(b + 1) * 128]
            x, y = augment(xtr[idx]), ytr[idx]
            for g in opt.param_groups:
                g["lr"] = rate(step)
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.precision == "bf16"):
                logits = model(x)
            loss = F.cross_entropy(logits.float(), y, label_smoothing=0.1)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            seen += len(idx)
            correct += (logits.argmax(1) == y).sum().item()
            total_loss += loss.item() * len(idx)
        model.eval()
        with torch.no_grad():
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.precision == "bf16"):
                right = sum((model(xte[i:i + 500]).argmax(1) == yte[i:i + 500]).sum().item() for i in range(0, len(xte), 500))
        print("epoch %d/%d - %.0fs - loss: %.4f - accuracy: %.4f - val_accuracy: %.4f - lr: %.2e"
              % (epoch + 1, a.total_epochs, time.time() - t0, total_loss / seen, correct / seen, right / len(xte), rate(step - 1)),
              flush=True)


if __name__ == "__main__":
    main()
