"""A client of a running openoptd: import, compile, run and profile over its WebSocket JSON-RPC API
(schemas/api/), artifacts over HTTP. Synchronous methods; the connection's traffic runs on a thread of its own."""
import asyncio
import base64
import io
import json
import os
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, Union

import numpy as np

from .errors import OpenOptError
from .runtime import Model, load

# The API's dtype names and numpy's.
_NUMPY = {"f16": np.float16, "f32": np.float32, "f64": np.float64, "i8": np.int8, "i16": np.int16,
          "i32": np.int32, "i64": np.int64, "u8": np.uint8, "u16": np.uint16, "u32": np.uint32,
          "u64": np.uint64, "bool": np.bool_}
_API_DTYPE = {np.dtype(v): k for k, v in _NUMPY.items()}
websockets = None  # imported by DaemonClient


@dataclass
class RunResult:
    """A remote run: the outputs of its first run by name, and the latency of the timed runs (median, min,
    p95, in ms)."""
    outputs: Dict[str, np.ndarray]
    latency_ms: Dict[str, float]
    iterations: int


class DaemonClient:
    """One connection to openoptd's `WS /api`.

        with DaemonClient("ws://127.0.0.1:8765/api", token) as d:
            model = d.import_model("resnet.onnx")
            compiled = d.compile(model["id"])
            print(d.run(compiled["id"], iterations=20).latency_ms)
    """

    def __init__(self, url: str, token: Optional[str] = None, timeout: float = 600.0):
        global websockets
        try:
            import websockets  # only the client needs it (Debian's python3-websockets)
        except ImportError:
            raise OpenOptError("DaemonClient needs the websockets package (Debian: python3-websockets)") from None
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("ws", "wss"):
            raise OpenOptError(f"not a WebSocket URL: {url!r} (ws://HOST:PORT/api)", "invalid argument")
        self.url = url
        self.http = urllib.parse.urlunsplit(("https" if parts.scheme == "wss" else "http", parts.netloc, "", "", ""))
        self.token = token
        self.timeout = timeout
        self._next_id = 1
        self._pending: Dict[int, asyncio.Future] = {}
        self._done: Dict[str, Any] = {}  # job id -> job/done params
        self._job_waiters: Dict[str, asyncio.Future] = {}
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="openopt-daemon-client", daemon=True)
        self._thread.start()
        try:
            self._socket = self._wait(self._connect())
        except BaseException:
            self._stop_loop()
            raise
        self._reader = asyncio.run_coroutine_threadsafe(self._read(), self._loop)

    # -- plumbing ---------------------------------------------------------------------------------------
    def _wait(self, coroutine, timeout=None):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout or self.timeout)

    async def _connect(self):
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            try:
                return await websockets.connect(self.url, extra_headers=headers, max_size=1 << 30,
                                                open_timeout=30)
            except TypeError:  # websockets 14 and later name it additional_headers
                return await websockets.connect(self.url, additional_headers=headers, max_size=1 << 30,
                                                open_timeout=30)
        except websockets.exceptions.WebSocketException as e:
            # InvalidStatusCode (websockets 10-13) has status_code; InvalidStatus (14+) a response.
            status = getattr(e, "status_code", None) or getattr(getattr(e, "response", None), "status_code", None)
            if status is None:
                raise OpenOptError(f"cannot connect to {self.url}: {e}") from None
            why = {401: "the token was refused (wrong or missing)", 403: "forbidden"}.get(status, "")
            raise OpenOptError(f"cannot connect to {self.url}: HTTP {status} {why}".strip(), status) from None
        except (OSError, asyncio.TimeoutError) as e:
            raise OpenOptError(f"cannot connect to {self.url}: {e}") from None

    async def _read(self):
        try:
            async for text in self._socket:
                message = json.loads(text)
                for m in message if isinstance(message, list) else [message]:
                    if "id" in m and m["id"] in self._pending:
                        self._pending.pop(m["id"]).set_result(m)
                    elif m.get("method") == "job/done":
                        params = m.get("params", {})
                        self._done[params.get("job")] = params
                        waiter = self._job_waiters.pop(params.get("job"), None)
                        if waiter and not waiter.done():
                            waiter.set_result(params)
        except websockets.exceptions.ConnectionClosed:
            pass
        finally:
            closed = OpenOptError(f"the connection to {self.url} closed")
            for future in list(self._pending.values()) + list(self._job_waiters.values()):
                if not future.done():
                    future.set_exception(closed)

    async def _call(self, method: str, params: Mapping[str, Any]):
        request_id = self._next_id
        self._next_id += 1
        future = self._loop.create_future()
        self._pending[request_id] = future
        await self._socket.send(json.dumps({"jsonrpc": "2.0", "id": request_id, "method": method,
                                            "params": dict(params)}))
        response = await future
        if "error" in response:
            error = response["error"]
            raise OpenOptError(f"{method}: {error.get('message', 'error')}", error.get("code"))
        return response["result"]

    async def _job(self, job_id: str):
        if job_id in self._done:
            return self._done.pop(job_id)
        future = self._loop.create_future()
        self._job_waiters[job_id] = future
        params = await future
        self._done.pop(job_id, None)
        return params

    def call(self, method: str, params: Optional[Mapping[str, Any]] = None) -> Any:
        """One JSON-RPC call; its result, or OpenOptError with the daemon's message and code."""
        return self._wait(self._call(method, params or {}))

    def _start_and_wait(self, method: str, params: Mapping[str, Any]) -> Any:
        async def both():
            started = await self._call(method, params)
            done = await self._job(started["job"])
            if done.get("state") != "done":
                error = done.get("error") or {}
                raise OpenOptError(f"{method}: job {done.get('state')}: {error.get('message', '')}".rstrip(": "),
                                   error.get("code"))
            return done.get("result")
        return self._wait(both())

    # -- the API ------------------------------------------------------------------------------------------
    def info(self) -> Dict[str, Any]:
        """server/info: the daemon's version, the compiler's, the host, limits."""
        return self.call("server/info")

    def import_model(self, model: Union[str, os.PathLike, bytes], name: Optional[str] = None) -> Dict[str, Any]:
        """Uploads an ONNX model (a path or its bytes); the model's summary (its "id" is what compile takes)."""
        if isinstance(model, (bytes, bytearray)):
            data, name = bytes(model), name or "model.onnx"
        else:
            with open(model, "rb") as f:
                data = f.read()
            name = name or os.path.basename(os.fspath(model))
        result = self._start_and_wait("model/import", {"name": name, "data": base64.b64encode(data).decode()})
        return result["model"]

    def compile(self, model_id: str, recipe: Union[str, Mapping[str, Any], None] = None) -> Dict[str, Any]:
        """Compiles an imported model with `recipe` (its text, or a dict; the built-in one when None); the
        compile's summary (its "id", and "artifacts" for what it wrote)."""
        params: Dict[str, Any] = {"model": model_id}
        if recipe is not None:
            params["recipe"] = recipe if isinstance(recipe, str) else json.dumps(recipe)
        return self._start_and_wait("compile/start", params)["compile"]

    def run(self, compile_id: str, inputs: Optional[Mapping[str, np.ndarray]] = None, iterations: int = 10,
            seed: int = 1, device: Optional[str] = None) -> RunResult:
        """Runs a compile on the daemon's machine, or on `device` (one of info()["devices"]: "cuda:0", an
        agent's "NAME/cuda:0"): `inputs` by name (the others random from `seed`)."""
        params: Dict[str, Any] = {"compile": compile_id, "iterations": iterations, "seed": seed}
        if device:
            params["device"] = device
        if inputs:
            tensors = {}
            for name, value in inputs.items():
                array = np.ascontiguousarray(value)
                if array.dtype not in _API_DTYPE:
                    raise OpenOptError(f"input {name!r}: numpy {array.dtype} has no dtype in the API",
                                       "dtype mismatch")
                tensors[name] = {"dtype": _API_DTYPE[array.dtype], "shape": list(array.shape),
                                 "data": base64.b64encode(array.astype(array.dtype.newbyteorder("<")).tobytes()).decode()}
            params["inputs"] = tensors
        result = self._start_and_wait("run/start", params)
        outputs = {}
        for out in result["outputs"]:
            if "data" in out:
                raw = base64.b64decode(out["data"])
                outputs[out["name"]] = np.frombuffer(raw, dtype=np.dtype(_NUMPY[out["dtype"]]).newbyteorder("<")) \
                    .reshape(out["shape"]).copy()
            else:
                outputs[out["name"]] = np.load(io.BytesIO(self.artifact(out["npy"])))
        return RunResult(outputs, result["latencyMs"], result["iterations"])

    def profile(self, compile_id: str, iterations: int = 10, seed: int = 1,
                device: Optional[str] = None) -> Dict[str, Any]:
        """Profiles a compile on the daemon's machine (or `device`, as run): the per-op table (per GPU kernel on a
        GPU; schemas/profile.schema.json), and "trace", the Chrome trace's artifact."""
        params: Dict[str, Any] = {"compile": compile_id, "iterations": iterations, "seed": seed}
        if device:
            params["device"] = device
        return self._start_and_wait("profile/start", params)

    def artifact(self, ref: Union[str, Mapping[str, Any]]) -> bytes:
        """The bytes of a stored artifact (a reference from a result, or its hash), over HTTP."""
        digest = ref if isinstance(ref, str) else ref["hash"]
        request = urllib.request.Request(f"{self.http}/artifacts/{urllib.parse.quote(digest)}")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as e:
            raise OpenOptError(f"artifact {digest}: HTTP {e.code}", e.code) from None
        except urllib.error.URLError as e:
            raise OpenOptError(f"artifact {digest}: {e.reason}") from None

    def download_library(self, compiled: Mapping[str, Any], directory: str) -> Model:
        """Saves a compile's shared library and header (a recipe with outputs.sharedLibrary) into `directory`
        and opens the library here: compiled on the daemon's machine, run on this one."""
        artifacts = compiled.get("artifacts", {})
        if "sharedLibrary" not in artifacts:
            raise OpenOptError(f"compile {compiled.get('id')} has no shared library (compile with a recipe whose "
                               f"outputs.sharedLibrary is true)", "not found")
        os.makedirs(directory, exist_ok=True)
        # The files keep the names the compiler gave them (the library's soname is libNAME.so, which a
        # program linked with it looks for); the header's first line names NAME.
        header = self.artifact(artifacts["header"]) if "header" in artifacts else b""
        m = re.match(rb"/\* (\w+)\.h:", header)
        stem = m.group(1).decode() if m else "model"
        library = os.path.join(directory, f"lib{stem}.so")
        with open(library, "wb") as f:
            f.write(self.artifact(artifacts["sharedLibrary"]))
        if header:
            with open(os.path.join(directory, f"{stem}.h"), "wb") as f:
                f.write(header)
        if "weights" in artifacts:
            with open(os.path.join(directory, f"{stem}.weights"), "wb") as f:
                f.write(self.artifact(artifacts["weights"]))
        return load(library)

    # -- lifetime -----------------------------------------------------------------------------------------
    def _stop_loop(self):
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def close(self) -> None:
        """Closes the connection."""
        if self._loop.is_running():
            try:
                self._wait(self._socket.close(), 10)
            except Exception:
                pass
            self._stop_loop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
