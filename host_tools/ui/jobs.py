"""The page's long actions (record a calibration, bench, replay, push): one at a time, each in its
own thread, reporting progress and cancellable."""
from __future__ import annotations

import threading
import traceback

from ..errors import ToolError


# Failures a user can cause or meet (bad file, device refused or lost): one line on the page.
EXPECTED = (ValueError, ConnectionError, TimeoutError, ToolError)


class Busy(RuntimeError):
    pass


class Cancelled(Exception):
    pass


class Job:
    def __init__(self, name: str, publish):
        self.name, self._publish = name, publish
        self.cancel_requested = threading.Event()
        self.state, self.result, self.error = "running", None, None

    def progress(self, done: float, total: float, text: str = "") -> None:
        self.check()
        self._publish({"type": "job", "name": self.name, "state": "running", "done": done, "total": total,
                       "text": text})

    def check(self) -> None:
        """Raises Cancelled once the user cancelled: call between steps."""
        if self.cancel_requested.is_set():
            raise Cancelled(self.name)


class JobRunner:
    def __init__(self, publish):
        self._publish = publish
        self._lock = threading.Lock()
        self.current: Job | None = None

    def refuse_if_busy(self) -> None:
        if self.current is not None and self.current.state == "running":
            raise Busy(f"busy: {self.current.name} is running (cancel it first)")

    def start(self, name: str, work) -> Job:
        """Runs work(job) in a thread; its return value (a dict) is the job's result."""
        with self._lock:
            self.refuse_if_busy()
            job = self.current = Job(name, self._publish)
        self._publish({"type": "job", "name": name, "state": "running", "done": 0, "total": 0, "text": ""})
        threading.Thread(target=self._run, args=(job, work), name=f"job-{name}", daemon=True).start()
        return job

    def _run(self, job: Job, work) -> None:
        try:
            job.result = work(job)
            job.state = "done"
        except Cancelled:
            job.state = "cancelled"
        except Exception as exc:  # shown to the user as one line; the server keeps running
            job.state, job.error = "failed", _one_line(exc)
            if not isinstance(exc, EXPECTED):  # a bug: its traceback goes to the server's terminal
                traceback.print_exc()
        self._publish({"type": "job", "name": job.name, "state": job.state, "result": job.result,
                       "error": job.error})

    def cancel(self) -> bool:
        job = self.current
        if job is None or job.state != "running":
            return False
        job.cancel_requested.set()
        return True


def _one_line(exc: Exception) -> str:
    return (str(exc) or type(exc).__name__).splitlines()[0]
