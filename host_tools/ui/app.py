"""`kinedge ui`'s server: one page (static/), a WebSocket that streams the device's estimates and
the state of the device and of the running action to every open page, and a small JSON API for the
page's buttons. One page controls the device at a time; the others watch (and may take over)."""
from __future__ import annotations

import asyncio
import json
import secrets
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from . import actions
from .guard import Guard, cookie_name
from .jobs import Busy, JobRunner
from .link import DeviceLink

STATIC = Path(__file__).parent / "static"
STATIC_FILES = {"app.js": "text/javascript", "traces.js": "text/javascript", "style.css": "text/css"}
MAX_HEAD_BYTES = 1 << 16
MAX_RECORDING_BYTES = 256 << 20
CLIENT_QUEUE = 200  # messages a slow page may fall behind by before its estimate batches are dropped (and counted)


class Hub:
    """The open pages. Threads publish through `publish`, which hands the message to the event loop."""

    def __init__(self):
        self.loop: asyncio.AbstractEventLoop | None = None
        self.clients: dict[str, asyncio.Queue] = {}
        self.dropped: dict[str, int] = {}   # estimate batches not sent to a page (its queue was full)
        self.reported: dict[str, int] = {}  # ... of which the page has been told
        self.controller: str | None = None

    def publish(self, message: dict) -> None:
        if self.loop is not None and not self.loop.is_closed():
            text = json.dumps(message)
            try:
                self.loop.call_soon_threadsafe(self._put, message["type"], text)
            except RuntimeError:  # the loop closed meanwhile (shutting down)
                pass

    def _put(self, kind: str, text: str) -> None:
        for client, q in list(self.clients.items()):
            if q.full():
                if kind == "angles":  # a page that cannot keep up loses estimate batches, and is told so
                    self.dropped[client] = self.dropped.get(client, 0) + 1
                    continue
                q.get_nowait()  # state messages matter more than the oldest queued one
            dropped = self.dropped.get(client, 0)
            if dropped > self.reported.get(client, 0) and q.qsize() < q.maxsize - 1:
                q.put_nowait(json.dumps({"type": "dropped", "batches": dropped}))
                self.reported[client] = dropped
            q.put_nowait(text)

    def join(self, client: str) -> asyncio.Queue:
        self.clients[client] = asyncio.Queue(CLIENT_QUEUE)
        if self.controller not in self.clients:
            self.controller = client
        return self.clients[client]

    def leave(self, client: str) -> None:
        self.clients.pop(client, None)
        if self.controller == client:
            self.controller = next(iter(self.clients), None)
            self.announce_control()

    def announce_control(self) -> None:
        self.publish({"type": "control", "controller": self.controller})


class UiServer:
    """Everything behind the page: the device link, the running action, the last recorded calibration."""

    def __init__(self, port: str, timeout: float = 5.0, token: str | None = None):
        self.token = token or secrets.token_urlsafe(24)
        self.hub = Hub()
        self.link = DeviceLink(port, self.hub.publish, timeout=timeout)
        self.jobs = JobRunner(self.hub.publish)
        self.recorded: actions.RecordedCalibration | None = None

    def state(self) -> dict:
        job = self.jobs.current
        return {"device": {"state": self.link.state, "port": self.link.port, "error": self.link.error,
                           "info": self.link.info},
                "counters": self.link.counters(), "controller": self.hub.controller,
                "job": None if job is None else {"name": job.name, "state": job.state, "result": job.result,
                                                 "error": job.error},
                "calibration": None if self.recorded is None else
                {"summary": self.recorded.summary, "imus": self.recorded.imus,
                 "calibration_id": self.recorded.calibration_id}}

    def app(self, hosts: set[str] | None) -> Guard:
        @asynccontextmanager
        async def lifespan(_app):
            self.hub.loop = asyncio.get_running_loop()
            self.link.start()
            yield
            await run_in_threadpool(self.link.stop)

        routes = [Route("/", self.index), Route("/static/{name}", self.static),
                  Route("/api/state", self.api_state),
                  Route("/api/control", self.api_control, methods=["POST"]),
                  Route("/api/reconnect", self.api_reconnect, methods=["POST"]),
                  Route("/api/release", self.api_release, methods=["POST"]),
                  Route("/api/cancel", self.api_cancel, methods=["POST"]),
                  Route("/api/calibration/record", self.api_record, methods=["POST"]),
                  Route("/api/calibration/push", self.api_push_calibration, methods=["POST"]),
                  Route("/api/calibration/reset", self.api_reset_calibration, methods=["POST"]),
                  Route("/api/calibration/{name}", self.api_calibration_file),
                  Route("/api/head", self.api_push_head, methods=["POST"]),
                  Route("/api/head/reset", self.api_reset_head, methods=["POST"]),
                  Route("/api/bench", self.api_bench, methods=["POST"]),
                  Route("/api/replay", self.api_replay, methods=["POST"]),
                  WebSocketRoute("/ws", self.websocket)]
        return Guard(Starlette(routes=routes, lifespan=lifespan), self.token, hosts)

    # --- page and files ------------------------------------------------------------------------
    async def index(self, request):
        response = HTMLResponse((STATIC / "index.html").read_text())
        # So the page's own files and downloads need no token in their URLs; Strict: never sent cross-site.
        response.set_cookie(cookie_name(request.headers["host"]), self.token, httponly=True, samesite="strict")
        return response

    async def static(self, request):
        name = request.path_params["name"]
        if name not in STATIC_FILES:
            return Response("not found\n", 404)
        return FileResponse(STATIC / name, media_type=STATIC_FILES[name])

    async def api_state(self, request):
        return JSONResponse(self.state())

    async def api_calibration_file(self, request):
        if self.recorded is None:
            return _error(404, "no calibration recorded yet")
        name = request.path_params["name"]
        if name == "person.bin":
            return Response(self.recorded.blob, media_type="application/octet-stream",
                            headers={"content-disposition": "attachment; filename=person.bin"})
        if name == "recording.parquet":
            return Response(self.recorded.recording_parquet, media_type="application/octet-stream",
                            headers={"content-disposition": "attachment; filename=calibration.parquet"})
        return _error(404, f"no file {name}")

    # --- actions (the controlling page only) ------------------------------------------------------
    def _refuse(self, request) -> Response | None:
        client = request.headers.get("x-kinedge-client")
        if client is None or client not in self.hub.clients:
            return _error(409, "this request comes from no open kinedge page (its live stream is not connected)")
        if client != self.hub.controller:
            return _error(409, "another page controls the device (take control on this page first)")
        return None

    async def _start(self, request, name: str, work) -> Response:
        refused = self._refuse(request)
        if refused:
            return refused
        if self.link.state != "connected":
            return _error(503, f"the device at {self.link.port} is {self.link.state}")
        try:
            self.jobs.start(name, work)
        except Busy as exc:
            return _error(409, str(exc))
        return JSONResponse({"job": name}, 202)

    async def api_control(self, request):
        client = request.headers.get("x-kinedge-client")
        if client not in self.hub.clients:
            return _error(409, "connect the page first")
        self.hub.controller = client
        self.hub.announce_control()
        return JSONResponse({"controller": client})

    async def api_reconnect(self, request):
        refused = self._refuse(request)
        if refused:
            return refused
        self.link.reconnect()
        return JSONResponse({"state": "connecting"}, 202)

    async def api_release(self, request):
        refused = self._refuse(request)
        if refused:
            return refused
        try:
            self.jobs.refuse_if_busy()
        except Busy as exc:
            return _error(409, str(exc))
        self.link.release()
        return JSONResponse({"state": "released"}, 202)

    async def api_cancel(self, request):
        refused = self._refuse(request)
        return refused or JSONResponse({"cancelled": self.jobs.cancel()})

    async def api_record(self, request):
        body = await _json(request)
        try:
            seconds, standing = float(body.get("seconds", 30)), float(body.get("standing", 5))
        except (TypeError, ValueError):
            return _error(400, "seconds and standing must be numbers")

        def work(job):
            result, self.recorded = actions.record_calibration(job, self.link, seconds, standing)
            return result

        return await self._start(request, "calibration", work)

    async def api_push_calibration(self, request):
        if self.recorded is None:
            return _error(409, "record a calibration first")
        blob = self.recorded.blob
        return await self._start(request, "push-calibration",
                                 lambda job: actions.push_blob(job, self.link, blob, "calibration",
                                                               "the recorded calibration"))

    async def api_push_head(self, request):
        blob = await _body(request, MAX_HEAD_BYTES)
        if isinstance(blob, Response):
            return blob
        name = request.headers.get("x-filename", "head.bin")
        return await self._start(request, "push-head", lambda job: actions.push_blob(job, self.link, blob, "head", name))

    async def api_reset_head(self, request):
        return await self._start(request, "reset-head", lambda job: actions.reset(self.link, "head"))

    async def api_reset_calibration(self, request):
        return await self._start(request, "reset-calibration", lambda job: actions.reset(self.link, "calibration"))

    async def api_bench(self, request):
        try:
            runs = int((await _json(request)).get("runs", 20))
        except (TypeError, ValueError):
            return _error(400, "runs must be a whole number")
        return await self._start(request, "bench", lambda job: actions.bench(job, self.link, runs))

    async def api_replay(self, request):
        data = await _body(request, MAX_RECORDING_BYTES)
        if isinstance(data, Response):
            return data
        name = request.headers.get("x-filename", "recording.parquet")
        return await self._start(request, "replay", lambda job: actions.replay(job, self.link, data, name))

    # --- the stream ---------------------------------------------------------------------------
    async def websocket(self, ws: WebSocket):
        await ws.accept()
        client = secrets.token_hex(8)
        q = self.hub.join(client)
        try:
            await ws.send_text(json.dumps({"type": "hello", "client": client, **self.state()}))
            self.hub.announce_control()
            sender = asyncio.create_task(_send_all(ws, q))
            try:
                while True:  # the page sends nothing we need; this notices when it goes
                    await ws.receive_text()
            except WebSocketDisconnect:
                pass
            finally:
                sender.cancel()
        finally:
            self.hub.leave(client)


async def _send_all(ws: WebSocket, q: asyncio.Queue) -> None:
    try:
        while True:
            await ws.send_text(await q.get())
    except (WebSocketDisconnect, RuntimeError):
        pass


async def _json(request) -> dict:
    try:
        body = await request.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


async def _body(request, limit: int):
    declared = int(request.headers.get("content-length") or 0)
    if declared > limit:
        return _error(413, f"{declared} bytes is more than the {limit} accepted here")
    data = await request.body()
    if not data:
        return _error(400, "no file in the request")
    return data


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status)

