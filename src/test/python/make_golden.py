#!/usr/bin/env python3
"""Writes the golden logits that GoldenLogitsTest compares ConvKit's engines against.

Builds ResNet20v1 and the MNIST CNN from the PyTorch reference architectures (anchors/pytorch/models.py, which
reproduce Keras semantics: TF 'same' padding, BN eps 1e-3, Flatten in NHWC order), fills every parameter and BN
statistic from a closed formula that the Java test computes too, runs a fixed input batch in eval mode in float64
and writes src/test/resources/expect/<model>_logits.json.

Recipe (also written into every golden file):
  * Tensors are numbered k = 0, 1, 2, ... in the order of the golden file's "params" list (PyTorch state_dict
    order, num_batches_tracked left out). Element i is the flat row-major index in the ConvKit layout of the
    tensor (conv kernels [O, C, KH, KW] as PyTorch; dense kernels [in, out], i.e. PyTorch's Linear weight
    transposed). With s = sin(2.4*i + 1.3*k):
        kernel           s * 2 / sqrt(fan_in)     fan_in = C*KH*KW for convs, in for dense
        bias, beta       0.1 * s
        gamma            1 + 0.25 * s
        moving_mean      0.1 * s
        moving_variance  1 + 0.5 * s              (in [0.5, 1.5], positive)
  * Input element i (flat row-major index of the NCHW batch): sin(0.37*i + 0.11).
  * Every value is computed in float64 and rounded to float32; the forward pass then runs in float64 on those
    float32 values, so the logits are the exact function value up to float64 rounding.

Usage (from the repository root, with Debian's python3-torch):
    /usr/bin/python3 src/test/python/make_golden.py [--anchors ../shared/anchors/pytorch] [--out src/test/resources/expect]
"""
import argparse
import importlib.util
import json
import math
import os
import sys

import torch

BATCH = 3
RECIPE = {
    "tensor_order": "k = position in the 'params' list (PyTorch state_dict order without num_batches_tracked)",
    "element_index": "i = flat row-major index in the ConvKit shape ('shape'); dense kernels are [in, out], "
                     "the transpose of PyTorch's Linear weight",
    "s": "sin(2.4*i + 1.3*k)",
    "kernel": "s * 2 / sqrt(fan_in), fan_in = C*KH*KW (conv [O, C, KH, KW]) or in (dense [in, out])",
    "bias": "0.1 * s",
    "beta": "0.1 * s",
    "gamma": "1 + 0.25 * s",
    "moving_mean": "0.1 * s",
    "moving_variance": "1 + 0.5 * s",
    "input": "sin(0.37*i + 0.11), i = flat row-major index of the NCHW batch",
    "rounding": "every value computed in float64, rounded to float32; forward pass in float64, eval mode",
}


def load_models(anchors):
    path = os.path.join(anchors, "models.py")
    spec = importlib.util.spec_from_file_location("anchor_models", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.set_tf_padding(True)
    return module


def formula(kind, shape, k):
    """The recipe's values of tensor k (ConvKit layout, row-major), as a float64 tensor of float32-rounded values."""
    n = 1
    for d in shape:
        n *= d
    if kind == "kernel":
        fan_in = shape[1] * shape[2] * shape[3] if len(shape) == 4 else shape[0]
        amp = 2.0 / math.sqrt(fan_in)
        values = [amp * math.sin(2.4 * i + 1.3 * k) for i in range(n)]
    elif kind in ("bias", "beta", "moving_mean"):
        values = [0.1 * math.sin(2.4 * i + 1.3 * k) for i in range(n)]
    elif kind == "gamma":
        values = [1.0 + 0.25 * math.sin(2.4 * i + 1.3 * k) for i in range(n)]
    elif kind == "moving_variance":
        values = [1.0 + 0.5 * math.sin(2.4 * i + 1.3 * k) for i in range(n)]
    else:
        raise ValueError(kind)
    return torch.tensor(values, dtype=torch.float32).to(torch.float64).reshape(shape)


def input_batch(shape):
    n = 1
    for d in shape:
        n *= d
    values = [math.sin(0.37 * i + 0.11) for i in range(n)]
    return torch.tensor(values, dtype=torch.float32).to(torch.float64).reshape(shape)


def convkit_names_resnet_v1(depth):
    """PyTorch module path -> ConvKit layer name for models.resnet_v1(depth) and ResNetCifar.v1."""
    n = (depth - 2) // 6
    names = {"0.conv": "stem/conv", "0.bn": "stem/bn"}
    for j in range(1, 3 * n + 1):
        stage, block = (j - 1) // n + 1, (j - 1) % n + 1
        p = "stage%d/block%d" % (stage, block)
        names.update({"%d.a.conv" % j: p + "/conv1", "%d.a.bn" % j: p + "/bn1",
                      "%d.b.conv" % j: p + "/conv2", "%d.b.bn" % j: p + "/bn2"})
        if stage > 1 and block == 1:  # the projection shortcut of a down-sampling block
            names["%d.short.conv" % j] = p + "/shortcut"
    names["%d.fc" % (3 * n + 1)] = "head/dense"
    return names


MNIST_CNN_NAMES = {"0": "conv1", "3": "conv2", "6": "conv3", "10": "dense"}

PARAM_KIND = {  # (module type, PyTorch parameter) -> ConvKit parameter
    ("conv", "weight"): "kernel", ("conv", "bias"): "bias",
    ("linear", "weight"): "kernel", ("linear", "bias"): "bias",
    ("bn", "weight"): "gamma", ("bn", "bias"): "beta",
    ("bn", "running_mean"): "moving_mean", ("bn", "running_var"): "moving_variance",
}


def module_type(module):
    if isinstance(module, torch.nn.Conv2d):
        return "conv"
    if isinstance(module, torch.nn.Linear):
        return "linear"
    if isinstance(module, torch.nn.BatchNorm2d):
        return "bn"
    raise ValueError("unexpected module %r" % (module,))


def fill(model, layer_names):
    """Sets every tensor from the recipe; returns the params list of the golden file."""
    modules = dict(model.named_modules())
    state = model.state_dict()
    params = []
    mapped_layers = set()
    with torch.no_grad():
        for key, tensor in state.items():
            if key.endswith("num_batches_tracked"):
                continue
            path, attr = key.rsplit(".", 1)
            if path not in layer_names:
                raise KeyError("no ConvKit name for PyTorch module '%s' (tensor %s)" % (path, key))
            mapped_layers.add(path)
            mtype = module_type(modules[path])
            kind = PARAM_KIND[(mtype, attr)]
            transpose = mtype == "linear" and attr == "weight"
            shape = list(tensor.shape)[::-1] if transpose else list(tensor.shape)
            k = len(params)
            values = formula(kind, shape, k)
            tensor.copy_(values.t() if transpose else values)
            params.append({"convkit": layer_names[path] + "/" + kind, "pytorch": key, "shape": shape,
                           "kind": kind, "layout": "transpose" if transpose else "same"})
    unused = set(layer_names) - mapped_layers
    if unused:
        raise KeyError("ConvKit names given for modules without tensors: %s" % sorted(unused))
    return params


def golden(name, builder, model, layer_names, input_shape):
    model = model.double()
    params = fill(model, layer_names)
    model.eval()
    x = input_batch([BATCH] + list(input_shape))
    with torch.no_grad():
        logits = model(x)
        logits32 = model.float()(x.float()).double()
    return {
        "model": name,
        "pytorch_builder": builder,
        "torch_version": torch.__version__,
        "recipe": RECIPE,
        "input_shape": [BATCH] + list(input_shape),
        "params": params,
        "logits": [[float(v) for v in row] for row in logits.tolist()],
        "logits_dtype": "float64",
        "torch_float32_max_abs_diff": float((logits32 - logits).abs().max()),
    }


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--anchors", default=os.path.join("..", "shared", "anchors", "pytorch"),
                        help="folder of the PyTorch reference models.py (default: ../shared/anchors/pytorch)")
    parser.add_argument("--out", default=os.path.join("src", "test", "resources", "expect"),
                        help="folder for the golden JSON files (default: src/test/resources/expect)")
    args = parser.parse_args(argv)
    models = load_models(args.anchors)
    torch.manual_seed(0)  # construction draws initialisers; every value is then overwritten by the recipe
    cases = [
        ("resnet20v1", "resnet_v1(20)", models.resnet_v1(20), convkit_names_resnet_v1(20), (3, 32, 32)),
        ("mnist_cnn", "mnist_cnn()", models.mnist_cnn(), MNIST_CNN_NAMES, (1, 28, 28)),
    ]
    os.makedirs(args.out, exist_ok=True)
    for name, builder, model, layer_names, input_shape in cases:
        g = golden(name, builder, model, layer_names, input_shape)
        path = os.path.join(args.out, name + "_logits.json")
        with open(path, "w") as f:
            json.dump(g, f, indent=1)
            f.write("\n")
        flat = [v for row in g["logits"] for v in row]
        print("%s: %d tensors, logits in [%.4f, %.4f], float32 PyTorch differs by %.2e, %d bytes -> %s" % (
            name, len(g["params"]), min(flat), max(flat), g["torch_float32_max_abs_diff"], os.path.getsize(path), path))


if __name__ == "__main__":
    main(sys.argv[1:])
