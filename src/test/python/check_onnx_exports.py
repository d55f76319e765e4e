#!/usr/bin/env python3
"""Runs ONNX's own checker (onnx.checker.check_model with full_check, which includes shape inference) on ONNX files.

ConvKit's exports are checked by the Java tests against ONNX Runtime; this script adds the reference checker of the
onnx package (Debian: apt-get install python3-onnx), which the Java build cannot call.

Usage:
    ./convkit export --checkpoint runs/r20 --out r20.onnx
    /usr/bin/python3 src/test/python/check_onnx_exports.py r20.onnx [more.onnx ...]
"""
import os
import sys

import onnx


def main(paths):
    if not paths:
        print(__doc__)
        return 2
    failed = 0
    for path in paths:
        model = onnx.load(path)
        try:
            onnx.checker.check_model(model, full_check=True)
        except onnx.checker.ValidationError as e:
            failed += 1
            print("FAIL %s: %s" % (path, e))
            continue
        opsets = ", ".join("%s %d" % (o.domain or "ai.onnx", o.version) for o in model.opset_import)
        print("ok   %s: IR %d, opset %s, %d nodes, outputs %s, %d bytes" % (
            path, model.ir_version, opsets, len(model.graph.node), [o.name for o in model.graph.output], os.path.getsize(path)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
