"""openopt-agent: runs and profiles model libraries compiled elsewhere, on a machine with the runtime and no
compiler (a GPU server with the NVIDIA driver and Python). An openoptd lists its devices and sends it the libraries
of its compiles (`openoptd --agent NAME=URL`); `openopt remote --url http://HOST:PORT ...` uses it directly.

    python3 -m openopt.agent --port 8788 --token-file agent.token [--host 0.0.0.0] [--data DIR]

HTTP, every request with `Authorization: Bearer TOKEN`; JSON in and out (docs/cuda.md has the protocol):

    GET  /info                 the runtime, the CPU and the GPUs (or why there are none)
    HEAD /libraries/SHA256     whether the library is here
    PUT  /libraries/SHA256     a model library (the body; its SHA-256 must be the name); described back
    POST /run                  {"library": SHA256, "seed" | "inputs", "iterations", "warmup", "profile",
                                "outputs"}: latency, outputs, GPU kernel times

Errors come back as {"error": {"status", "message"}} with an HTTP status that says whose fault it was. Runs of one
library take turns; libraries are kept in the data folder (content-addressed) and opened once.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, Optional

import numpy as np

from . import _capi
from .devices import gpu_devices
from .errors import OpenOptError
from .runtime import Model, load

PROTOCOL = 1
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_NUMPY = {"f32": np.float32, "f64": np.float64, "f16": np.float16, "i8": np.int8, "i16": np.int16,
          "i32": np.int32, "i64": np.int64, "u8": np.uint8, "u16": np.uint16, "u32": np.uint32,
          "u64": np.uint64, "bool": np.bool_}


class AgentError(Exception):
    def __init__(self, http_status: int, status: str, message: str):
        super().__init__(message)
        self.http_status, self.status = http_status, status


class Agent:
    """The agent's state: where libraries live, the ones opened, a lock per library."""

    def __init__(self, data_dir: str, token: str, max_library_bytes: int, max_request_bytes: int,
                 max_iterations: int = 10000):
        self.libraries_dir = os.path.join(data_dir, "libraries")
        os.makedirs(self.libraries_dir, exist_ok=True)
        self.token = token
        self.max_library_bytes = max_library_bytes
        self.max_request_bytes = max_request_bytes
        self.max_iterations = max_iterations
        self._models: Dict[str, Model] = {}
        self._sessions: Dict[tuple, "Session"] = {}  # (library, device): reused run after run
        self._locks: Dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        # Bodies are read whole: at most two uploads at a time.
        self.uploads = threading.BoundedSemaphore(2)
        # The runtime takes the GPU of a session from $OPENOPT_CUDA_DEVICE when it first runs.
        self._device_env = threading.Lock()

    # -- what the handler calls --------------------------------------------------------------------------------
    def info(self) -> dict:
        try:
            gpus, gpu_error = [vars(g) for g in gpu_devices()], None
        except OpenOptError as e:
            gpus, gpu_error = [], str(e)
        return {"name": "openopt-agent", "protocol": PROTOCOL,
                "runtime": _capi.library().openopt_runtime_version().decode(),
                "abiVersion": _capi.ABI_VERSION,
                "cpu": {"arch": platform.machine(), "cores": os.cpu_count()},
                "gpus": gpus, "gpuError": gpu_error}

    def has_library(self, sha: str) -> bool:
        return os.path.exists(self._path(sha))

    @staticmethod
    def _runs_here(target: str) -> Optional[str]:
        """Why a library compiled for `target` ("x86_64 avx512", "aarch64 neon", "cuda sm_90 x86_64 avx2": a GPU
        library's kernels, then its host code's) cannot run on this machine's CPU, else None."""
        words = target.split()
        if words[:1] == ["cuda"]:
            words = words[2:]
        if not words:
            return None
        arch, isa = words[0], words[-1]
        machine = platform.machine()
        if arch != machine:
            return f"the library is for {arch} and this machine is {machine}"
        if arch == "x86_64":
            flags = _cpu_flags()
            wanted = {"avx512": "avx512f", "avx2": "avx2"}.get(isa)
            if wanted and flags is not None and wanted not in flags:
                return f"the library uses {isa} and this CPU has no {wanted}: compile it with " \
                       f'"isa": "avx2" (or for this machine)'
        return None

    def put_library(self, sha: str, body: bytes) -> dict:
        if hashlib.sha256(body).hexdigest() != sha:
            raise AgentError(400, "invalid argument", f"the body's SHA-256 is not {sha}")
        path = self._path(sha)
        if not os.path.exists(path):
            fd, temporary = tempfile.mkstemp(dir=self.libraries_dir, suffix=".part")
            with os.fdopen(fd, "wb") as f:
                f.write(body)
            # A library that the runtime cannot open is not kept.
            try:
                load(temporary).close()
            except OpenOptError as e:
                os.unlink(temporary)
                raise AgentError(422, e.status or "cannot load", f"not a model library this runtime runs: {e}")
            os.replace(temporary, path)
        model = self._model(sha)
        why = self._runs_here(model.target)
        if why:
            raise AgentError(422, "cannot load", why)
        return self._describe(model)

    def run(self, request: dict) -> dict:
        sha = request.get("library")
        if not isinstance(sha, str) or not _SHA256.match(sha):
            raise AgentError(400, "invalid argument", "/library: expected the SHA-256 of an uploaded library")
        if not self.has_library(sha):
            raise AgentError(404, "not found", f"no library {sha} here: PUT /libraries/{sha} first")
        iterations = _integer(request, "iterations", 10, 0, self.max_iterations)
        warmup = _integer(request, "warmup", 3, 0, 1000)
        profile = request.get("profile", False)
        if not isinstance(profile, bool):
            raise AgentError(400, "invalid argument", "/profile: expected true or false")
        want_outputs = request.get("outputs", "summary")
        if want_outputs not in ("none", "summary", "data"):
            raise AgentError(400, "invalid argument", '/outputs: expected "none", "summary" or "data"')
        model = self._model(sha)
        why = self._runs_here(model.target)
        if why:
            raise AgentError(422, "cannot load", why)
        is_gpu = model.target.startswith("cuda")
        device = _integer(request, "device", int(os.environ.get("OPENOPT_CUDA_DEVICE", "0") or 0), 0, 1023)
        if is_gpu and request.get("device") is not None:
            try:
                indices = [g.index for g in gpu_devices()]
            except OpenOptError as e:
                raise AgentError(422, "device error", str(e))
            if device not in indices:
                raise AgentError(400, "invalid argument", f"/device: no GPU {device} here (there are {indices})")
        feeds = self._inputs(model, request)
        with self._lock(sha):
            session = self._session(sha, model, device if is_gpu else None, feeds)
            if is_gpu:
                session.set_profiling(profile)
            outputs = session.run(feeds)
            for _ in range(warmup):
                session.run(feeds)
            samples, kernels = [], []
            for _ in range(iterations):
                start = time.perf_counter()
                session.run(feeds)
                samples.append((time.perf_counter() - start) * 1e3)
                if profile and is_gpu:
                    kernels.append([vars(k) for k in session.kernel_times()])
        result = {"library": sha, "target": model.target, "iterations": iterations,
                  "device": f"cuda:{device}" if is_gpu else "cpu",
                  "samplesMs": samples,
                  "latencyMs": _latency(samples), "outputs": [_output(n, a, want_outputs) for n, a in outputs.items()]
                  if want_outputs != "none" else []}
        if profile:
            result["kernels"] = kernels if is_gpu else None
            if not is_gpu:
                result["profileNote"] = ("a CPU library is timed as a whole here; its per-op profile is openoptd's "
                                         "(the compiler brackets each op)")
        return result

    # -- helpers -----------------------------------------------------------------------------------------------------
    def _path(self, sha: str) -> str:
        return os.path.join(self.libraries_dir, sha + ".so")

    def _session(self, sha: str, model: Model, device: Optional[int], feeds):
        """The session of `sha` on `device` (None: the CPU), made at first use (a first run on `feeds` binds it to
        the device); the caller holds sha's lock."""
        key = (sha, device)
        session = self._sessions.get(key)
        if session is None:
            session = model.session()
            if device is not None:
                # The runtime opens the GPU at the session's first run: that run sees this device.
                with self._device_env:
                    previous = os.environ.get("OPENOPT_CUDA_DEVICE")
                    os.environ["OPENOPT_CUDA_DEVICE"] = str(device)
                    try:
                        session.run(feeds)
                    except OpenOptError as e:
                        session.close()
                        raise AgentError(422, e.status or "device error", str(e))
                    finally:
                        if previous is None:
                            os.environ.pop("OPENOPT_CUDA_DEVICE", None)
                        else:
                            os.environ["OPENOPT_CUDA_DEVICE"] = previous
            self._sessions[key] = session
        return session

    def _lock(self, sha: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(sha, threading.Lock())

    def _model(self, sha: str) -> Model:
        with self._guard:
            model = self._models.get(sha)
        if model is None:
            try:
                model = load(self._path(sha))
            except OpenOptError as e:
                raise AgentError(422, e.status or "cannot load", str(e))
            with self._guard:
                model = self._models.setdefault(sha, model)
        return model

    @staticmethod
    def _describe(model: Model) -> dict:
        def spec(s):
            return {"name": s.name, "dtype": s.dtype, "shape": list(s.shape)}
        return {"name": model.name, "target": model.target, "threads": model.threads,
                "compilerVersion": model.compiler_version,
                "inputs": [spec(s) for s in model.inputs], "outputs": [spec(s) for s in model.outputs]}

    @staticmethod
    def _inputs(model: Model, request: dict) -> Dict[str, np.ndarray]:
        given = request.get("inputs", {})
        if not isinstance(given, dict):
            raise AgentError(400, "invalid argument", "/inputs: expected an object of name: tensor")
        unknown = [n for n in given if n not in {s.name for s in model.inputs}]
        if unknown:
            raise AgentError(400, "invalid argument", f"/inputs/{unknown[0]}: the model has no such input (it takes "
                             f"{', '.join(s.name for s in model.inputs)})")
        # The inputs not given: random from the seed (floats uniform in [-1, 1), as openoptd's runs).
        rng = np.random.default_rng(_integer(request, "seed", 1, 0, 2**32 - 1))
        feeds = {}
        for s in model.inputs:
            if s.name in given:
                continue
            if any(d < 0 for d in s.shape):
                raise AgentError(400, "invalid argument", f"input {s.name!r} has dynamic dimensions "
                                 f"{list(s.shape)}: give it in /inputs")
            dtype = _NUMPY.get(s.dtype)
            if dtype is None:
                raise AgentError(400, "invalid argument", f"input {s.name!r} is {s.dtype}: give it in /inputs")
            values = rng.uniform(-1.0, 1.0, s.shape) if np.issubdtype(dtype, np.floating) else \
                rng.integers(0, 2, s.shape)
            feeds[s.name] = values.astype(dtype)
        for name, t in given.items():
            where = f"/inputs/{name}"
            if not isinstance(t, dict) or not isinstance(t.get("dtype"), str) or t["dtype"] not in _NUMPY \
                    or not isinstance(t.get("shape"), list) or not isinstance(t.get("data"), str):
                raise AgentError(400, "invalid argument",
                                 f"{where}: expected {{dtype (one of {', '.join(_NUMPY)}), shape, data (base64)}}")
            try:
                raw = base64.b64decode(t["data"], validate=True)
                array = np.frombuffer(raw, dtype=_NUMPY[t["dtype"]]).reshape(t["shape"])
            except (ValueError, TypeError) as e:
                raise AgentError(400, "invalid argument", f"{where}: {e}")
            feeds[name] = array
        return feeds


def _cpu_flags() -> Optional[set]:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return None


def _integer(request: dict, key: str, default: int, low: int, high: int) -> int:
    value = request.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise AgentError(400, "invalid argument", f"/{key}: expected an integer from {low} to {high}")
    return value


def _latency(samples):
    if not samples:
        return None
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples),
            "mean": statistics.fmean(samples)}


def _output(name: str, array: np.ndarray, detail: str) -> dict:
    dtype = {v: k for k, v in _NUMPY.items()}.get(array.dtype.type, str(array.dtype))
    entry = {"name": name, "dtype": dtype, "shape": list(array.shape)}
    if array.size and np.issubdtype(array.dtype, np.number):
        # JSON has no NaN or Inf: such statistics are null.
        def finite(x):
            return float(x) if np.isfinite(x) else None
        entry.update(min=finite(array.min()), max=finite(array.max()), mean=finite(array.astype(np.float64).mean()),
                     nonFinite=int(np.size(array) - np.count_nonzero(np.isfinite(array)))
                     if np.issubdtype(array.dtype, np.floating) else 0)
    if detail == "data":
        entry["data"] = base64.b64encode(np.ascontiguousarray(array).tobytes()).decode()
    return entry


class Handler(BaseHTTPRequestHandler):
    server_version = "openopt-agent/" + str(PROTOCOL)
    agent: Agent = None  # set by serve()
    timeout = 120  # seconds a client may take to send a request (headers or body)

    def log_message(self, format, *args):  # one line per request on stderr
        sys.stderr.write("openopt-agent: %s %s\n" % (self.address_string(), format % args))

    def _reply(self, status: int, body: Optional[dict] = None):
        data = json.dumps(body, allow_nan=False).encode() if body is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _fail(self, e: AgentError):
        self._reply(e.http_status, {"error": {"status": e.status, "message": str(e)}})

    def _authorized(self) -> bool:
        given = self.headers.get("Authorization", "")
        if hmac.compare_digest(given.encode(), ("Bearer " + self.agent.token).encode()):
            return True
        self._fail(AgentError(401, "unauthorized", "missing or wrong token (Authorization: Bearer TOKEN)"))
        return False

    def _body(self, limit: int) -> bytes:
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            raise AgentError(411, "invalid argument", "a body needs a Content-Length")
        if int(length) > limit:
            # Read (and drop) a body of moderate excess, so that the client, still sending, hears why; a
            # larger one is cut off with the connection.
            left = int(length) if int(length) <= 4 * limit else 0
            while left > 0:
                chunk = self.rfile.read(min(left, 1 << 20))
                if not chunk:
                    break
                left -= len(chunk)
            self.close_connection = True
            raise AgentError(413, "limit exceeded", f"the body is {length} bytes; at most {limit}")
        body = self.rfile.read(int(length))
        if len(body) != int(length):
            raise AgentError(400, "invalid argument", "the body ended early")
        return body

    def _route(self):
        if not self._authorized():
            return
        path = self.path.split("?", 1)[0]
        match = re.match(r"^/libraries/([^/]+)$", path)
        try:
            if self.command == "GET" and path == "/info":
                return self._reply(200, self.agent.info())
            if match:
                sha = match.group(1)
                if not _SHA256.match(sha):
                    raise AgentError(400, "invalid argument", "a library is named by its SHA-256 (64 hex digits)")
                if self.command == "HEAD":
                    return self._reply(200 if self.agent.has_library(sha) else 404)
                if self.command == "PUT":
                    with self.agent.uploads:
                        body = self._body(self.agent.max_library_bytes)
                    return self._reply(200, self.agent.put_library(sha, body))
            if self.command == "POST" and path == "/run":
                try:
                    request = json.loads(self._body(self.agent.max_request_bytes))
                except json.JSONDecodeError as e:
                    raise AgentError(400, "invalid argument", f"the body is not JSON: {e}")
                if not isinstance(request, dict):
                    raise AgentError(400, "invalid argument", "the body must be a JSON object")
                return self._reply(200, self.agent.run(request))
            raise AgentError(404, "not found", f"no {self.command} {path} (GET /info, HEAD|PUT /libraries/SHA256, "
                                               "POST /run)")
        except AgentError as e:
            self._fail(e)
        except OpenOptError as e:
            self._fail(AgentError(422, e.status or "error", str(e)))
        except Exception as e:  # the agent stays up; the client hears what happened
            self._fail(AgentError(500, "internal", f"{type(e).__name__}: {e}"))

    do_GET = do_HEAD = do_PUT = do_POST = _route


def serve(host: str, port: int, agent: Agent) -> ThreadingHTTPServer:
    handler = type("BoundHandler", (Handler,), {"agent": agent})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m openopt.agent", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8788, help="0: any free port (printed)")
    p.add_argument("--token-file", required=True, help="the token clients must send (the file's first line)")
    p.add_argument("--data", default=os.path.join(os.path.expanduser("~"), ".local", "state", "openopt-agent"))
    p.add_argument("--max-library-mb", type=int, default=2048)
    p.add_argument("--max-request-mb", type=int, default=512)
    args = p.parse_args(argv)
    try:
        with open(args.token_file) as f:
            token = f.readline().strip()
    except OSError as e:
        print(f"openopt-agent: cannot read --token-file: {e}", file=sys.stderr)
        return 2
    if len(token) < 16:
        print("openopt-agent: the token must have at least 16 characters", file=sys.stderr)
        return 2
    agent = Agent(args.data, token, args.max_library_mb << 20, args.max_request_mb << 20)
    server = serve(args.host, args.port, agent)
    host, port = server.server_address[:2]
    print(f"openopt-agent listening on http://{host}:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
