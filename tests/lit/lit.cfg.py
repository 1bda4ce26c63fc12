# lit configuration for OpenOptimizer's FileCheck tests.
import os
import lit.formats

config.name = "OpenOptimizer"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".mlir", ".test", ".json"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.openopt_obj_root, "tests", "lit")
config.excludes = ["lit.cfg.py", "lit.site.cfg.py.in", "Inputs"]

config.environment["PATH"] = os.pathsep.join(
    [config.openopt_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", "")])
config.substitutions.append(("%python", "/usr/bin/python3"))
config.substitutions.append(("%repo", config.openopt_src_root))
config.substitutions.append(("%bench_models",
                             os.path.join(config.openopt_src_root, "..", "shared", "bench", "models")))

# The CUDA toolkit's ptxas (the cuda target's kernels are assembled with it).
_cuda_home = os.environ.get("CUDA_HOME") or "/usr/local/cuda"
if os.access(os.path.join(_cuda_home, "bin", "ptxas"), os.X_OK):
    config.available_features.add("ptxas")
config.substitutions.append(("%cuda_home", _cuda_home))
