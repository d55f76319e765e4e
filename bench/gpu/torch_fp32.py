#!/usr/bin/env python3
"""Runs the PyTorch reference bench.py with TF32 turned off in cuDNN convolutions and cuBLAS matrix products, so that
PyTorch computes in the same strict fp32 as ConvKit's cuda engine (FMA math). PyTorch's defaults allow TF32 in cuDNN
convolutions, which on Ampere and Hopper is a different, lower-precision computation.

    python3 torch_fp32.py PATH/TO/bench.py --worker ResNet20v1:128 --mode train --device cuda ...

Everything after the path goes to bench.py unchanged; bench.py's own settings (cudnn.benchmark) stay as they are.
"""
import runpy
import sys


def strict_fp32(torch):
    """TF32 off through the fp32_precision settings (PyTorch 2.9+) or the older allow_tf32 flags."""
    # PyTorch 2.9 and newer: the fp32_precision settings (mixing them with the older flags is refused there).
    try:
        torch.backends.cudnn.conv.fp32_precision = "ieee"
        torch.backends.cuda.matmul.fp32_precision = "ieee"
        if torch.backends.cudnn.conv.fp32_precision == "ieee" == torch.backends.cuda.matmul.fp32_precision:
            return "fp32_precision=ieee (cudnn.conv, cuda.matmul)"
    except Exception:  # noqa: BLE001 - no such setting in this PyTorch: use the flags every 1.7+ version has
        pass
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    if torch.backends.cudnn.allow_tf32 or torch.backends.cuda.matmul.allow_tf32:
        sys.exit("torch_fp32: TF32 is still allowed after setting allow_tf32=False")
    return "allow_tf32=False (cudnn, cuda.matmul)"


def main():
    if len(sys.argv) < 2 or not sys.argv[1].endswith(".py"):
        sys.exit("usage: torch_fp32.py PATH/TO/bench.py [bench.py arguments]")
    import torch
    how = strict_fp32(torch)
    print("torch_fp32: %s" % how, file=sys.stderr, flush=True)
    script = sys.argv[1]
    sys.argv = sys.argv[1:]
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
