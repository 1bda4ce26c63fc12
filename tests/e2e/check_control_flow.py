#!/usr/bin/python3
"""If, Loop and Scan models through `openopt run`, compared with ONNX Runtime on several inputs.

  check_control_flow.py [--openopt PATH] [--work DIR]

The models are built here with onnx.helper: a Loop whose trip count is a model input (run with 0, 1
and 7 trips) with a carried value and a scan output; a while-style Loop that stops on a condition
computed in its body; an If nested in an If branch, both reading a value from the outer graph (every
combination of the two conditions); and a Scan over a sequence of symbolic length (two lengths).
One line per run and output, then `N passed, N failed`; exit status 1 on any failure.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model_runners  # noqa: E402

F, I64, B = TensorProto.FLOAT, TensorProto.INT64, TensorProto.BOOL


def const(name, value, dtype=np.float32):
    return helper.make_node("Constant", [], [name],
                            value=numpy_helper.from_array(np.asarray(value, dtype), name))


def model(graph):
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 16)])
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m


def loop_with_trip_count():
    """y = the carried v after M steps of v = 0.5 v + i; s = the sum of v after each step."""
    body = helper.make_graph(
        [const("half", 0.5),
         helper.make_node("Mul", ["v_in", "half"], ["scaled"]),
         helper.make_node("Cast", ["i"], ["i_f"], to=F),
         helper.make_node("Add", ["scaled", "i_f"], ["v_out"]),
         helper.make_node("ReduceSum", ["v_out"], ["total"], keepdims=0),
         helper.make_node("Identity", ["cond_in"], ["cond_out"])],
        "body",
        [helper.make_tensor_value_info("i", I64, []), helper.make_tensor_value_info("cond_in", B, []),
         helper.make_tensor_value_info("v_in", F, ["n"])],
        [helper.make_tensor_value_info("cond_out", B, []), helper.make_tensor_value_info("v_out", F, ["n"]),
         helper.make_tensor_value_info("total", F, [])])
    graph = helper.make_graph(
        [helper.make_node("Loop", ["M", "", "x"], ["y", "s"], body=body)],
        "loop_trip_count",
        [helper.make_tensor_value_info("M", I64, []), helper.make_tensor_value_info("x", F, [3])],
        [helper.make_tensor_value_info("y", F, [3]), helper.make_tensor_value_info("s", F, ["trips"])])
    runs = [{"M": np.array(m, np.int64), "x": np.array([1.0, -2.0, 0.5], np.float32)} for m in (0, 1, 7)]
    return "loop_trip_count", model(graph), runs


def while_loop():
    """Doubles v until its sum reaches 100 (at most 50 trips); also counts the trips."""
    body = helper.make_graph(
        [const("two", 2.0), const("limit", 100.0), const("one", 1, np.int64),
         helper.make_node("Mul", ["v_in", "two"], ["v_out"]),
         helper.make_node("Add", ["k_in", "one"], ["k_out"]),
         helper.make_node("ReduceSum", ["v_out"], ["total"], keepdims=0),
         helper.make_node("Less", ["total", "limit"], ["cond_out"])],
        "body",
        [helper.make_tensor_value_info("i", I64, []), helper.make_tensor_value_info("cond_in", B, []),
         helper.make_tensor_value_info("v_in", F, [2]), helper.make_tensor_value_info("k_in", I64, [])],
        [helper.make_tensor_value_info("cond_out", B, []), helper.make_tensor_value_info("v_out", F, [2]),
         helper.make_tensor_value_info("k_out", I64, [])])
    graph = helper.make_graph(
        [const("max_trips", 50, np.int64), const("start", True, np.bool_), const("zero", 0, np.int64),
         helper.make_node("Loop", ["max_trips", "start", "x", "zero"], ["y", "trips"], body=body)],
        "while_loop", [helper.make_tensor_value_info("x", F, [2])],
        [helper.make_tensor_value_info("y", F, [2]), helper.make_tensor_value_info("trips", I64, [])])
    runs = [{"x": np.array(v, np.float32)} for v in ([1.0, 2.0], [30.0, 40.0], [200.0, 1.0])]
    return "while_loop", model(graph), runs


def nested_if():
    """outer ? (inner ? a * 2 : a - 1) : -a, every branch reading `a` from the main graph."""
    def branch(name, nodes, out):
        return helper.make_graph(nodes, name, [], [helper.make_tensor_value_info(out, F, [3])])
    inner = helper.make_node(
        "If", ["inner"], ["r_inner"],
        then_branch=branch("inner_then", [const("two", 2.0), helper.make_node("Mul", ["a", "two"], ["t"])], "t"),
        else_branch=branch("inner_else", [const("one", 1.0), helper.make_node("Sub", ["a", "one"], ["e"])], "e"))
    outer = helper.make_node(
        "If", ["outer"], ["r"],
        then_branch=branch("outer_then", [inner], "r_inner"),
        else_branch=branch("outer_else", [helper.make_node("Neg", ["a"], ["n"])], "n"))
    graph = helper.make_graph(
        [outer], "nested_if",
        [helper.make_tensor_value_info("outer", B, []), helper.make_tensor_value_info("inner", B, []),
         helper.make_tensor_value_info("a", F, [3])],
        [helper.make_tensor_value_info("r", F, [3])])
    a = np.array([0.5, -1.5, 3.0], np.float32)
    runs = [{"outer": np.array(o), "inner": np.array(i), "a": a} for o in (True, False) for i in (True, False)]
    return "nested_if", model(graph), runs


def scan_sequence():
    """A running sum over a sequence of symbolic length: the final sum and every partial one."""
    body = helper.make_graph(
        [helper.make_node("Add", ["acc_in", "item"], ["acc_out"]),
         helper.make_node("Identity", ["acc_out"], ["partial"])],
        "body",
        [helper.make_tensor_value_info("acc_in", F, [2]), helper.make_tensor_value_info("item", F, [2])],
        [helper.make_tensor_value_info("acc_out", F, [2]), helper.make_tensor_value_info("partial", F, [2])])
    graph = helper.make_graph(
        [helper.make_node("Scan", ["init", "xs"], ["total", "partials"], body=body, num_scan_inputs=1)],
        "scan_sequence",
        [helper.make_tensor_value_info("init", F, [2]), helper.make_tensor_value_info("xs", F, ["T", 2])],
        [helper.make_tensor_value_info("total", F, [2]), helper.make_tensor_value_info("partials", F, ["T", 2])])
    rng = np.random.default_rng(3)
    runs = [{"init": np.zeros(2, np.float32), "xs": rng.standard_normal((t, 2)).astype(np.float32)}
            for t in (1, 6)]
    return "scan_sequence", model(graph), runs


def main(argv):
    with model_runners.check_script(argv, __doc__, "openopt-control-flow-") as (openopt, work):
        tally = model_runners.Tally()
        for name, m, runs in (loop_with_trip_count(), while_loop(), nested_if(), scan_sequence()):
            path = os.path.join(work, name + ".onnx")
            onnx.save(m, path)
            outputs = [o.name for o in m.graph.output]
            for k, arrays in enumerate(runs):
                run_dir = os.path.join(work, f"{name}_{k}")
                os.makedirs(run_dir, exist_ok=True)
                inputs = {}
                for input_name, array in arrays.items():
                    inputs[input_name] = os.path.join(run_dir, input_name + ".npy")
                    np.save(inputs[input_name], array)
                shown = ", ".join(f"{n}={a.tolist() if a.size <= 3 else list(a.shape)}" for n, a in arrays.items())
                ours = model_runners.run_openopt(openopt, path, inputs, os.path.join(run_dir, "ours"))
                ref = model_runners.run_ort(path, inputs, os.path.join(run_dir, "ort"))
                if error := model_runners.run_error(ours, ref):
                    tally.fail(f"{name} ({shown}): {error}")
                    continue
                for out in outputs:
                    tally.check(f"{name}:{out} ({shown}) vs ort",
                                model_runners.compare_output(os.path.join(run_dir, "ours"), os.path.join(run_dir, "ort"), out),
                                1e-5)
        return tally.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
