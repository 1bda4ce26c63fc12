#!/usr/bin/python3
"""Write the inputs of an ONNX model as .npy files, one per graph input, named after the input.

  gen_inputs.py MODEL.onnx --seed N --out DIR [--shape NAME=1x3x8x8]... [--range NAME=LO:HI]...
  gen_inputs.py MODEL.onnx --from-test-data DIR/test_data_set_0 --out DIR

Random mode: fixed-seed values, floats uniform in [-1, 1), ints uniform in [LO, HI) (default [0, 1), i.e.
zeros, the only range valid for every index input), bools uniform in {False, True}. --range changes the
interval of one input (for floats too). Symbolic dims must be given with --shape.
Test-data mode: converts input_<i>.pb to DIR/<input-name>.npy and output_<i>.pb to
DIR/expected/<output-name>.npy (ONNX TensorProto, model-zoo layout).
Names: characters outside [A-Za-z0-9_.-] become '_'. Prints NAME=PATH for every input written.
Also used as a library by check_model.py and check_op_models.py (Debian's /usr/bin/python3: numpy, onnx).
"""
import argparse
import glob
import os
import re
import sys

import numpy as np
import onnx
import onnx.mapping
import onnx.numpy_helper
from google.protobuf.message import DecodeError

from tensor_files import tensor_path


class InputSpecError(Exception):
    pass


def load_model(model_or_path):
    if isinstance(model_or_path, onnx.ModelProto):
        return model_or_path
    return onnx.load(model_or_path)


def graph_inputs(model):
    """[(name, numpy dtype, dims)] of the real graph inputs; a dim is an int or the str of a symbolic dim."""
    initializers = {t.name for t in model.graph.initializer}
    result = []
    for vi in model.graph.input:
        if vi.name in initializers:  # old exporters list weights as inputs too
            continue
        tt = vi.type.tensor_type
        if not vi.type.HasField("tensor_type") or tt.elem_type not in onnx.mapping.TENSOR_TYPE_TO_NP_TYPE:
            raise InputSpecError(f"input {vi.name}: not a tensor of a supported element type")
        dims = []
        for i, d in enumerate(tt.shape.dim):
            if d.HasField("dim_value"):
                dims.append(d.dim_value)
            else:
                dims.append(d.dim_param or f"?{i}")
        if not tt.HasField("shape"):
            dims = "unranked"
        result.append((vi.name, np.dtype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[tt.elem_type]), dims))
    return result


def graph_output_names(model):
    return [o.name for o in model.graph.output]


def resolve_shape(name, dims, shapes):
    if name in shapes:
        return list(shapes[name])
    if dims == "unranked" or any(isinstance(d, str) for d in dims):
        raise InputSpecError(f"input {name} has symbolic shape {dims}; give it with --shape {name}=AxBx...")
    return list(dims)


def random_inputs(model, seed, shapes=None, ranges=None):
    """{name: array} for every graph input, in graph order, drawn from one generator seeded with `seed`."""
    shapes, ranges = shapes or {}, ranges or {}
    rng = np.random.default_rng(seed)
    arrays = {}
    for name, dtype, dims in graph_inputs(load_model(model)):
        shape = resolve_shape(name, dims, shapes)
        if dtype == np.bool_:
            arrays[name] = rng.integers(0, 2, size=shape).astype(np.bool_)
        elif np.issubdtype(dtype, np.floating):
            lo, hi = ranges.get(name, (-1.0, 1.0))
            arrays[name] = rng.uniform(lo, hi, size=shape).astype(dtype)
        elif np.issubdtype(dtype, np.integer):
            lo, hi = ranges.get(name, (0, 1))
            if not int(lo) < int(hi):
                raise InputSpecError(f"input {name}: empty integer range [{lo}, {hi})")
            arrays[name] = rng.integers(int(lo), int(hi), size=shape, dtype=dtype)
        else:
            raise InputSpecError(f"input {name}: cannot generate values of type {dtype}")
    unused = (set(shapes) | set(ranges)) - set(arrays)
    if unused:
        raise InputSpecError(f"--shape/--range given for unknown input(s): {', '.join(sorted(unused))}")
    return arrays


def _pb_files(data_dir, prefix):
    """DIR/<prefix>_<i>.pb in numeric order of i (input_10 after input_9)."""
    numbered = []
    for f in glob.glob(os.path.join(data_dir, f"{prefix}_*.pb")):
        m = re.search(r"_(\d+)\.pb$", f)
        if m:
            numbered.append((int(m.group(1)), f))
    return [f for _, f in sorted(numbered)]


def _match_by_name_or_index(files, names, what):
    if len(files) != len(names):
        raise InputSpecError(f"{len(files)} {what}_*.pb file(s) but the model has {len(names)} {what}(s)")
    result = {}
    for i, f in enumerate(files):
        tensor = onnx.load_tensor(f)
        # Model-zoo files are matched by position; a TensorProto name that is a model name wins.
        name = tensor.name if tensor.name in names else names[i]
        result[name] = onnx.numpy_helper.to_array(tensor)
    return result


def test_data_tensors(model, data_dir):
    """({input: array}, {output: array}) from a test_data_set directory of input_<i>.pb / output_<i>.pb."""
    model = load_model(model)
    in_files, out_files = _pb_files(data_dir, "input"), _pb_files(data_dir, "output")
    if not in_files:
        raise InputSpecError(f"{data_dir}: no input_<i>.pb files")
    inputs = _match_by_name_or_index(in_files, [n for n, _, _ in graph_inputs(model)], "input")
    outputs = _match_by_name_or_index(out_files, graph_output_names(model), "output") if out_files else {}
    return inputs, outputs


def write_tensors(directory, arrays):
    """Saves each array as directory/<sanitized name>.npy; returns {name: path}."""
    os.makedirs(directory, exist_ok=True)
    paths = {}
    for name, array in arrays.items():
        paths[name] = tensor_path(directory, name)
        np.save(paths[name], np.ascontiguousarray(array).reshape(array.shape))  # 0-d stays 0-d
    return paths


def _name_value(text, flag):
    name, sep, value = text.rpartition("=")
    if not sep or not name:
        raise InputSpecError(f"{flag} expects NAME=VALUE, got '{text}'")
    return name, value


def parse_shape_flags(items):
    shapes = {}
    for item in items or []:
        name, value = _name_value(item, "--shape")
        try:
            shapes[name] = [int(d) for d in value.split("x")] if value else []
        except ValueError:
            raise InputSpecError(f"--shape {item}: dims must be integers separated by 'x'")
    return shapes


def parse_range_flags(items):
    ranges = {}
    for item in items or []:
        name, value = _name_value(item, "--range")
        try:
            lo, hi = (float(v) for v in value.split(":"))
        except ValueError:
            raise InputSpecError(f"--range {item}: expected NAME=LO:HI")
        ranges[name] = (lo, hi)
    return ranges


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model")
    p.add_argument("--out", required=True, help="directory for the .npy files")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--shape", action="append", metavar="NAME=AxBx..", help="shape of an input (symbolic dims)")
    p.add_argument("--range", action="append", metavar="NAME=LO:HI", help="value interval of an input")
    p.add_argument("--from-test-data", metavar="DIR", help="convert DIR/input_<i>.pb, output_<i>.pb instead")
    args = p.parse_args(argv)
    try:
        model = load_model(args.model)
        if args.from_test_data:
            inputs, outputs = test_data_tensors(model, args.from_test_data)
            write_tensors(os.path.join(args.out, "expected"), outputs)
        else:
            inputs = random_inputs(model, args.seed, parse_shape_flags(args.shape), parse_range_flags(args.range))
        for name, path in write_tensors(args.out, inputs).items():
            print(f"{name}={path}")
    except (InputSpecError, OSError, DecodeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
