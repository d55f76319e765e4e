#!/usr/bin/env python3
"""Helpers of bench/gpu/verify that are easier in Python than in bash. Standard library only (the GPU machine's
python3 is 3.12; 3.8 or newer works).

    report.py libs                         where the CUDA libraries the cuda engine loads are (tab-separated lines)
    report.py torch                        PyTorch's versions and device, one JSON line (imports torch)
    report.py junit OUT.xml SECTION.md XML...   merges JUnit XML reports, counts cuda cases, writes a summary section
    report.py fit LOG.csv                  accuracy and epoch time of a `convkit fit` run, one line
    report.py record RUNS.jsonl SIDE CONFIG MODE STATUS [STDOUT]   appends one throughput run (its RESULT line)
    report.py throughput RUNS.jsonl OUT.md OUT.json   the side-by-side throughput table

Exit status of `junit`: 0 when no test failed and at least one cuda case passed, 1 when any test failed, 3 when no
cuda case passed (all skipped, e.g. no GPU), 4 when the reports hold no test at all (discovery failed).
"""
import importlib.util
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

# The shared objects the cuda engine's JNI libraries need (JavaCPP cuda preset 13.1-9.19): cudart, cuBLAS, cuDNN 9
# and cuDNN's sub-libraries, and the driver's libcuda.
LIBS = ["libcuda.so.1", "libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13", "libcudnn.so.9",
        "libcudnn_ops.so.9", "libcudnn_cnn.so.9", "libcudnn_adv.so.9", "libcudnn_graph.so.9"]
SYSTEM_DIRS = ["/usr/local/nvidia/lib64", "/usr/local/cuda/lib64", "/usr/lib/x86_64-linux-gnu", "/usr/lib64",
               "/usr/lib/wsl/lib"]


def _package_dirs(name):
    """Folders of an installed package found without importing it (a namespace package may have several)."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return []
    if spec is None:
        return []
    if spec.submodule_search_locations:
        return list(spec.submodule_search_locations)
    return [os.path.dirname(spec.origin)] if spec.origin else []


def _ldconfig():
    """name -> folder from the dynamic linker's cache."""
    try:
        out = subprocess.run(["ldconfig", "-p"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                             timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    found = {}
    for line in out.splitlines():
        m = re.match(r"\s*(\S+) \(([^)]*)\) => (\S+)", line)
        if m and "x86-64" in m.group(2) and m.group(1) not in found:
            found[m.group(1)] = os.path.dirname(m.group(3))
    return found


def libs():
    """One line per library: found<TAB>NAME<TAB>FOLDER<TAB>HOW or missing<TAB>NAME<TAB>-<TAB>WHERE SEARCHED.
    The pip wheels (nvidia-cudnn-cu13, nvidia-cublas, nvidia-cuda-runtime under site-packages/nvidia) come first,
    then torch's own lib folder, then the linker cache and the usual system folders."""
    roots = [("wheel", d) for d in _package_dirs("nvidia")] + [("torch", os.path.join(d, "lib"))
                                                                for d in _package_dirs("torch")]
    found = {}
    for how, root in roots:
        for folder, _, files in os.walk(root):
            for f in files:
                if f in LIBS and f not in found:
                    found[f] = (folder, how + " " + root)
    cache = _ldconfig()
    for name in LIBS:
        if name not in found and name in cache:
            found[name] = (cache[name], "ldconfig")
        if name not in found:
            for d in SYSTEM_DIRS:
                if os.path.exists(os.path.join(d, name)):
                    found[name] = (d, "system folder")
                    break
    searched = ", ".join([r for _, r in roots] + ["ldconfig -p"] + SYSTEM_DIRS)
    for name in LIBS:
        if name in found:
            print("found\t%s\t%s\t%s" % (name, found[name][0], found[name][1]))
        else:
            print("missing\t%s\t-\tsearched %s" % (name, searched))


def torch_info():
    info = {}
    try:
        import torch
    except Exception as e:  # noqa: BLE001 - any import failure means: no PyTorch here
        print(json.dumps({"error": "python3 cannot import torch: %s" % e}))
        return
    info["torch"] = torch.__version__
    info["torch_cuda"] = torch.version.cuda
    info["cuda_available"] = torch.cuda.is_available()
    if info["cuda_available"]:
        info["cudnn"] = torch.backends.cudnn.version()
        info["device"] = torch.cuda.get_device_name(0)
        info["capability"] = "%d.%d" % torch.cuda.get_device_capability(0)
        info["devices"] = torch.cuda.device_count()
    else:
        info["error"] = "PyTorch %s sees no CUDA device (torch.cuda.is_available() is False)" % torch.__version__
    print(json.dumps(info))


# ----------------------------------------------------------------------------------------------------------- junit
def _display_name(tc):
    out = tc.find("system-out")
    m = re.search(r"^display-name: (.*)$", out.text or "", re.M) if out is not None else None
    return m.group(1).strip() if m else tc.get("name", "")


def _is_cuda(tc, display):
    return tc.get("classname", "").startswith("dev.convkit.backend.cuda.") or \
        re.search(r"(^|[\s\[(,])cuda\b", display) is not None


def _first_line(el):
    text = (el.get("message") or el.text or "").strip()
    return text.splitlines()[0] if text else el.tag


def junit(out_xml, section_md, xmls):
    merged = ET.Element("testsuites")
    counts = {True: dict(passed=0, failed=0, skipped=0), False: dict(passed=0, failed=0, skipped=0)}
    failures, skip_reasons = [], {}
    for path in xmls:
        if not os.path.exists(path):
            continue
        suite = ET.parse(path).getroot()
        props = suite.find("properties")
        if props is not None:
            suite.remove(props)  # 60 lines of JVM properties per suite; versions.txt has what matters
        for tc in suite.iter("testcase"):
            display = _display_name(tc)
            cuda = _is_cuda(tc, display)
            bad = tc.find("failure") if tc.find("failure") is not None else tc.find("error")
            skipped = tc.find("skipped")
            if bad is not None:
                counts[cuda]["failed"] += 1
                failures.append("%s %s: %s" % (tc.get("classname", "").rsplit(".", 1)[-1], display, _first_line(bad)))
            elif skipped is not None:
                counts[cuda]["skipped"] += 1
                reason = _first_line(skipped).replace("org.opentest4j.TestAbortedException: ", "")
                if cuda:
                    skip_reasons[reason] = skip_reasons.get(reason, 0) + 1
                skipped.text = reason  # a skip's stack trace says nothing the reason does not
            else:
                counts[cuda]["passed"] += 1
        merged.append(suite)
    ET.ElementTree(merged).write(out_xml, encoding="utf-8", xml_declaration=True)
    c, o = counts[True], counts[False]
    lines = ["cuda cases: %d passed, %d failed, %d skipped; other tests in these classes: %d passed, %d failed, "
             "%d skipped" % (c["passed"], c["failed"], c["skipped"], o["passed"], o["failed"], o["skipped"])]
    for reason, n in sorted(skip_reasons.items(), key=lambda kv: -kv[1])[:3]:
        lines.append("skipped %d cuda cases: %s" % (n, reason[:300]))
    for f in failures[:25]:
        lines.append("FAILED " + f[:400])
    if len(failures) > 25:
        lines.append("... and %d more failures (conformance.txt, conformance.xml)" % (len(failures) - 25))
    with open(section_md, "w") as f:
        f.write("\n".join("- " + l for l in lines) + "\n")
    print(lines[0])
    if sum(c.values()) + sum(o.values()) == 0:
        return 4
    if c["failed"] + o["failed"] > 0:
        return 1
    return 0 if c["passed"] > 0 else 3


# ------------------------------------------------------------------------------------------------------------- fit
def fit(log_csv):
    with open(log_csv) as f:
        rows = [l.strip().split(",") for l in f if l.strip()]
    head, last = rows[0], rows[-1]
    get = lambda k: float(last[head.index(k)])  # noqa: E731
    print("test accuracy %.4f, epoch %.2f s (wall time of the epoch including validation)"
          % (get("val_accuracy"), get("seconds")))


# ------------------------------------------------------------------------------------------------------ throughput
SIDES = [("convkit", "ConvKit cuda (fp32)"), ("torch-fp32", "PyTorch fp32 (TF32 off)"),
         ("torch-default", "PyTorch defaults (cuDNN TF32 on)")]


def record(runs_jsonl, side, config, mode, status, stdout=None):
    """Appends the run's last `RESULT {json}` line (StepRunner and bench.py both print one), tagged with its side;
    without one, a record carrying the status (why it was skipped or how it failed)."""
    r = None
    if stdout and os.path.exists(stdout):
        with open(stdout, errors="replace") as f:
            got = [l[7:] for l in f if l.startswith("RESULT ")]
        if got:
            r = json.loads(got[-1])
            status = "ok"
    r = r or {}
    r.update(side=side, config=config, mode=mode, status=status)
    with open(runs_jsonl, "a") as f:
        f.write(json.dumps(r) + "\n")
    print(status if status != "ok" else "%.1f img/s" % r["img_s_median"])


def _note(notes, text):
    """The number of a footnote holding text, added when new."""
    if text not in notes:
        notes.append(text)
    return str(notes.index(text) + 1)


def throughput(runs_jsonl, out_md, out_json):
    runs = []
    with open(runs_jsonl) as f:
        for line in f:
            if line.strip():
                runs.append(json.loads(line))
    cell = {}
    for r in runs:
        cell[(r["config"], r["mode"], r["side"])] = r
    rows = sorted({(r["config"], r["mode"]) for r in runs}, key=lambda cm: ([r["config"] for r in runs].index(cm[0]),
                                                                            cm[1] != "train"))
    md = ["| workload | mode | " + " | ".join(label for _, label in SIDES) + " | ConvKit / PyTorch fp32 "
          "| ConvKit / PyTorch defaults |", "|---|---|" + "---:|" * (len(SIDES) + 2)]
    summary, notes = [], []
    for config, mode in rows:
        vals, texts = {}, []
        for side, _ in SIDES:
            r = cell.get((config, mode, side))
            if r is None:
                texts.append("-")
            elif "img_s_median" in r:
                vals[side] = r["img_s_median"]
                texts.append("%.0f img/s (%.2f ms)" % (r["img_s_median"], r["median_ms"]))
            else:
                status = r.get("status", "?")
                texts.append(status.split(":", 1)[0] + " (%s)" % _note(notes, status))
        ratio = lambda other: "%.2f×" % (vals["convkit"] / vals[other]) if "convkit" in vals and other in vals \
            else "-"  # noqa: E731
        md.append("| %s | %s | %s | %s | %s |" % (config, mode, " | ".join(texts), ratio("torch-fp32"),
                                                  ratio("torch-default")))
        summary.append(dict(config=config, mode=mode, img_s={k: v for k, v in vals.items()},
                            ratio_fp32=vals["convkit"] / vals["torch-fp32"] if {"convkit", "torch-fp32"} <= set(vals)
                            else None))
    md += ["", "img/s = batch / median step time after warm-up (bench.py's method: random data, cross-entropy + SGD "
               "momentum 0.9, every step synchronised). ConvKit runs fp32 with FMA math (no TF32); the PyTorch fp32 "
               "column turns TF32 off in cuDNN and cuBLAS, the defaults column keeps PyTorch's defaults (cuDNN "
               "convolutions may use TF32 tensor cores). cudnn.benchmark is on for PyTorch."]
    md += [""] + ["%d. %s" % (i + 1, n) for i, n in enumerate(notes)]
    with open(out_md, "w") as f:
        f.write("\n".join(md) + "\n")
    with open(out_json, "w") as f:
        json.dump(dict(rows=summary, runs=runs), f, indent=1)
    print("\n".join(md[:2 + len(rows)]))


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd, rest = argv[1], argv[2:]
    if cmd == "libs" and not rest:
        libs()
    elif cmd == "torch" and not rest:
        torch_info()
    elif cmd == "junit" and len(rest) >= 2:
        sys.exit(junit(rest[0], rest[1], rest[2:]))
    elif cmd == "fit" and len(rest) == 1:
        fit(rest[0])
    elif cmd == "record" and len(rest) in (5, 6):
        record(*rest)
    elif cmd == "throughput" and len(rest) == 3:
        throughput(*rest)
    else:
        sys.exit("report.py: unknown command or wrong arguments: %s\n%s" % (" ".join(argv[1:]), __doc__))


if __name__ == "__main__":
    main(sys.argv)
