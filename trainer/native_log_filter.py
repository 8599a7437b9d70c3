"""Keeps TensorFlow's known-harmless native log lines out of the terminal.

TensorFlow's C++ runtime writes straight to file descriptor 2, past Python's logging, so a
Python-level filter cannot catch it; and `TF_CPP_MIN_LOG_LEVEL` is the user's to set (a user
debugging TensorFlow lowers it). One line is printed on every training run whatever is wrong
or not: the tf.data version-skew notice `node_def_util.cc ... NodeDef mentions attribute
use_unbounded_threadpool ...` (tf_keras builds its input pipeline with an attribute this
TensorFlow build's op registry lacks; the attribute is ignored, which is correct). This module
puts a pipe in front of descriptor 2 and a thread that forwards everything else unchanged —
Python warnings, our error lines, any other native message — and drops only the known lines.
"""
from __future__ import annotations

import atexit
import os
import re
import sys
import threading

HARMLESS = (
    re.compile(rb"node_def_util\.cc:\d+\] NodeDef mentions attribute use_unbounded_threadpool "),
    re.compile(rb"^WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"),
)

_state: dict = {}


def _pump(read_fd: int, out_fd: int) -> None:
    pending = b""
    while True:
        try:
            chunk = os.read(read_fd, 65536)
        except OSError:
            chunk = b""
        if not chunk:
            break
        pending += chunk
        *lines, pending = pending.split(b"\n")
        kept = [line + b"\n" for line in lines if not any(p.search(line) for p in HARMLESS)]
        if kept:
            os.write(out_fd, b"".join(kept))
    if pending and not any(p.search(pending) for p in HARMLESS):
        os.write(out_fd, pending)
    os.close(read_fd)


def _restore() -> None:
    """At exit: give descriptor 2 back and let the thread forward what is still in the pipe."""
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    os.dup2(_state["terminal"], 2)     # closes the pipe's last write end we hold
    _state["thread"].join(timeout=2.0)  # a child that inherited the pipe may keep it open longer


def install() -> None:
    """Filter descriptor 2 for the rest of the process (idempotent)."""
    if _state:
        return
    read_fd, write_fd = os.pipe()
    terminal = os.dup(2)
    sys.stderr.flush()
    os.dup2(write_fd, 2)
    os.close(write_fd)
    thread = threading.Thread(target=_pump, args=(read_fd, terminal), name="native-log-filter", daemon=True)
    thread.start()
    _state.update(terminal=terminal, thread=thread)
    atexit.register(_restore)
