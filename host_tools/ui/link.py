"""The page's one connection to the device. A thread owns the `Device` (pyserial is not shared
between threads): it keeps the live estimates streaming to whoever listens, runs the page's
requests between stream frames, polls INFO for the device's counters, and when the link is lost
says so and tries again, so a lost device is a state the page shows, never a crash."""
from __future__ import annotations

import math
import queue
import struct
import threading
import time
from concurrent.futures import Future

from .. import protocol as p
from ..device import Device, DeviceGone, DeviceTimeout

LINK_FAILURES = (DeviceGone, DeviceTimeout, OSError)


class DeviceLost(ConnectionError):
    """A request was made while the device is not connected."""


class DeviceLink:
    """`call(fn)` runs fn(device) on the link thread; `on_event(dict)` receives what the page is
    sent: device state and INFO, batches of estimates, counters."""

    def __init__(self, port: str, on_event, timeout: float = 5.0, batch_seconds: float = 0.04,
                 info_every: float = 2.0, retry_every: float = 2.0):
        self.port, self.timeout = port, timeout
        self.on_event = on_event
        self.batch_seconds, self.info_every, self.retry_every = batch_seconds, info_every, retry_every
        self.state, self.error, self.info = "connecting", None, None
        self.estimates = 0            # estimates received from the device since this link started
        self.missing_estimates = 0    # gaps in their window sequence (hop apart): lost on the serial link
        self.raw_taps: list = []      # callables given each RAW_SAMPLE frame (calibration recording)
        self._calls: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._retry_now = threading.Event()
        self._drop = threading.Event()
        self._released = threading.Event()
        self._batch: list = []
        self._batch_started = 0.0
        self._last_end: int | None = None
        self._restart_expected = False
        self._thread = threading.Thread(target=self._run, name="device-link", daemon=True)

    # --- used by the server ------------------------------------------------------------------
    def start(self) -> "DeviceLink":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)

    def reconnect(self) -> None:
        """Drop the connection (if any) and open it again at once."""
        self._released.clear()
        self._drop.set()
        self._retry_now.set()

    def release(self) -> None:
        """Close the port and leave it closed (so a CLI command can use it) until reconnect()."""
        self._released.set()
        self._drop.set()
        self._retry_now.set()

    def call_soon(self, fn) -> Future:
        future: Future = Future()
        self._calls.put((fn, future))
        return future

    def call(self, fn, timeout: float | None = None):
        """fn(device) on the link thread; its result, or its exception raised here."""
        if self.state != "connected":
            raise DeviceLost(f"the device at {self.port} is {self.state}" + (f": {self.error}" if self.error else ""))
        return self.call_soon(fn).result(timeout)

    def expect_restart(self) -> None:
        """A new calibration restarts the device's estimator: the next gap (a window) is not a loss."""
        self._restart_expected = True

    def pump(self, dev: Device) -> None:
        """Deliver the stream frames that arrived during a long request (call from inside `call`)."""
        while dev.stream:
            self._dispatch(dev.stream.popleft())
        self._flush()

    # --- the thread ---------------------------------------------------------------------------
    def _run(self) -> None:
        dev = None
        while not self._stop.is_set():
            if dev is None and self._released.is_set():
                if self.state != "released":
                    self.error = None
                    self._set_state("released")
                self._fail_calls()
                self._retry_now.wait(0.5)
                self._retry_now.clear()
                continue
            if dev is None:
                dev = self._connect()
                if dev is None:
                    self._fail_calls()
                    self._retry_now.wait(self.retry_every)
                    self._retry_now.clear()
                    continue
            try:
                self._serve(dev)
            except LINK_FAILURES as exc:
                if self._released.is_set():
                    self._close(dev)
                else:
                    self._lost(dev, exc)
                dev = None
        if dev is not None:
            self._close(dev)

    @staticmethod
    def _close(dev: Device) -> None:
        try:
            dev.estimate(False)  # a board left streaming would fill the next program's input
        except LINK_FAILURES:
            pass
        dev.close()

    def _connect(self) -> Device | None:
        self._set_state("connecting")
        dev = None
        try:
            dev = Device(self.port, timeout=self.timeout)
            dev.ping(timeout=min(self.timeout, 2.0))
            self.info = dev.info()
            dev.estimate(True)
        except LINK_FAILURES as exc:
            if dev is not None:
                dev.close()
            self.error = str(exc)
            self._set_state("lost")
            return None
        self.error, self._last_end = None, None
        self._set_state("connected")
        return dev

    def _serve(self, dev: Device) -> None:
        """One connected session: requests first, then stream frames, INFO every few seconds."""
        next_info = time.monotonic() + self.info_every
        self._drop.clear()
        while not self._stop.is_set():
            if self._drop.is_set():
                raise DeviceGone(f"{self.port}: closed, as asked")
            while True:
                try:
                    fn, future = self._calls.get_nowait()
                except queue.Empty:
                    break
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    future.set_result(fn(dev))
                except LINK_FAILURES as exc:
                    future.set_exception(exc)
                    raise
                except BaseException as exc:  # the caller sees it; the link goes on
                    future.set_exception(exc)
                self.pump(dev)
            frame = dev.read_stream(timeout=0.01)
            if frame is not None:
                self._dispatch(frame)
            self._flush(dev)
            if time.monotonic() >= next_info:
                self.info = dev.info()
                self.publish_device()
                next_info = time.monotonic() + self.info_every

    def _dispatch(self, frame: p.Frame) -> None:
        if frame.type == p.RAW_SAMPLE:
            for tap in list(self.raw_taps):
                tap(frame)
            return
        if frame.type != p.ANGLES:
            return
        k = (len(frame.payload) - 8) // 4
        end, device_us = struct.unpack_from("<II", frame.payload)
        # NaN (a sensor gap the device could not bridge) travels as null: JSON has no NaN
        angles = [a if math.isfinite(a) else None for a in struct.unpack_from(f"<{k}f", frame.payload, 8)]
        hop = int(self.info.get("hop", 1)) if self.info else 1
        if self._last_end is not None and end > self._last_end + hop:
            if self._restart_expected:
                self._restart_expected = False
            else:
                self.missing_estimates += (end - self._last_end) // hop - 1
        self._last_end = end
        self.estimates += 1
        if not self._batch:
            self._batch_started = time.monotonic()
        self._batch.append([end, device_us, *angles])

    def _flush(self, dev: Device | None = None) -> None:
        """Estimates go to the pages as soon as no more are waiting on the port (each one, at the
        rates IMUs run), batched only when they come faster than the pages should be sent messages."""
        if not self._batch:
            return
        if (dev is not None and not dev.has_input()) or time.monotonic() - self._batch_started >= self.batch_seconds:
            rows, self._batch = self._batch, []
            self.on_event({"type": "angles", "rows": rows, "host_ms": time.time() * 1000.0})

    def counters(self) -> dict:
        info = self.info or {}
        return {"estimates": self.estimates, "missing_estimates": self.missing_estimates,
                "link_drops": info.get("link_drops"), "late_estimates": info.get("late_estimates"),
                "samples": info.get("samples"), "discarded_frames": info.get("discarded_frames")}

    def _lost(self, dev: Device, exc: Exception) -> None:
        dev.close()
        self._batch = []
        self.error = str(exc)
        self._set_state("lost")
        self._fail_calls()

    def _fail_calls(self) -> None:
        while True:
            try:
                _, future = self._calls.get_nowait()
            except queue.Empty:
                return
            if future.set_running_or_notify_cancel():
                future.set_exception(DeviceLost(f"the device at {self.port} is {self.state}: {self.error}"))

    def _set_state(self, state: str) -> None:
        self.state = state
        self.publish_device()

    def publish_device(self) -> None:
        """The device's state, INFO (while connected) and counters, to every page."""
        self.on_event({"type": "device", "state": self.state, "port": self.port, "error": self.error,
                       "info": self.info if self.state == "connected" else None, "counters": self.counters()})
