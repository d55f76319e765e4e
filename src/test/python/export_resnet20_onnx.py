#!/usr/bin/env python3
"""Writes the PyTorch-exported ResNet20v1 ONNX file that OnnxPyTorchImportTest imports, and PyTorch's logits for it.

An independent producer for ConvKit's ONNX import: ResNet20v1 from the PyTorch reference architectures
(anchors/pytorch/models.py, TF 'same' padding, so the down-sampling convolutions are exported as Pad + Conv), with
fixed weights drawn from torch.manual_seed(20) and non-trivial BN statistics (the exporter folds every BN into its
convolution in eval mode, which the import must read as a convolution with a bias). Exported by torch.onnx.export
at opset 17 with a dynamic batch dimension.

Writes, in --out (default src/test/resources/onnx):
  * resnet20v1_pytorch.onnx   the model (about 1.1 MB)
  * resnet20v1_pytorch.json   input recipe, PyTorch's float32 logits for it and its float64 logits
  * resnet20v1_pytorch_logits.txt   the float32 logits alone, one sample per line (what the Java test reads)

Input element i (flat row-major index of the [4, 3, 32, 32] NCHW batch): sin(0.37*i + 0.11), rounded to float32.

Usage (from the repository root, with Debian's python3-torch):
    /usr/bin/python3 src/test/python/export_resnet20_onnx.py [--anchors ../shared/anchors/pytorch] [--out src/test/resources/onnx]
"""
import argparse
import importlib.util
import json
import math
import os
import sys

import torch

BATCH = 4
SEED = 20


def load_models(anchors):
    spec = importlib.util.spec_from_file_location("anchor_models", os.path.join(anchors, "models.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.set_tf_padding(True)
    return module


def randomise_batch_norms(model):
    """BN layers start as the identity (gamma 1, beta 0, mean 0, var 1); draw values that make folding visible."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                c = m.num_features
                m.weight.copy_(0.5 + torch.rand(c))
                m.bias.copy_(0.2 * torch.rand(c) - 0.1)
                m.running_mean.copy_(0.2 * torch.rand(c) - 0.1)
                m.running_var.copy_(0.5 + torch.rand(c))


def input_batch():
    n = BATCH * 3 * 32 * 32
    values = [math.sin(0.37 * i + 0.11) for i in range(n)]
    return torch.tensor(values, dtype=torch.float32).reshape(BATCH, 3, 32, 32)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--anchors", default=os.path.join("..", "shared", "anchors", "pytorch"))
    parser.add_argument("--out", default=os.path.join("src", "test", "resources", "onnx"))
    args = parser.parse_args(argv)
    models = load_models(args.anchors)
    torch.manual_seed(SEED)
    model = models.resnet_v1(20)
    randomise_batch_norms(model)
    model.eval()
    x = input_batch()
    with torch.no_grad():
        logits32 = model(x)
        logits64 = model.double()(x.double())
    model.float()
    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, "resnet20v1_pytorch.onnx")
    torch.onnx.export(model, x, onnx_path, input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "N"}, "logits": {0: "N"}}, opset_version=17, do_constant_folding=True)
    golden = {
        "model": "resnet20v1 (anchors/pytorch/models.py resnet_v1(20), TF 'same' padding)",
        "torch_version": torch.__version__,
        "seed": SEED,
        "opset": 17,
        "input_shape": [BATCH, 3, 32, 32],
        "input": "sin(0.37*i + 0.11), i = flat row-major index of the NCHW batch, rounded to float32",
        "params": sum(p.numel() for p in model.parameters()),
        "logits_float32": [[float(v) for v in row] for row in logits32.tolist()],
        "logits_float64": [[float(v) for v in row] for row in logits64.tolist()],
    }
    json_path = os.path.join(args.out, "resnet20v1_pytorch.json")
    with open(json_path, "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")
    with open(os.path.join(args.out, "resnet20v1_pytorch_logits.txt"), "w") as f:
        for row in golden["logits_float32"]:
            f.write(" ".join(repr(v) for v in row) + "\n")
    print("%s: %d bytes, %d params; %s; float32 vs float64 logits differ by %.2e" % (
        onnx_path, os.path.getsize(onnx_path), golden["params"], json_path,
        float((logits32.double() - logits64).abs().max())))


if __name__ == "__main__":
    main(sys.argv[1:])
