"""The front-end on the host: the device's own C (firmware/frontend/), compiled for this computer.

Training features, the host mirror of the device and every offline estimate run this library, so
what a model learns on is, bit for bit, what the device computes from the same samples.

Per IMU the front-end turns 6 raw channels (sensor frame) into 8 features (FEATURE_KINDS): acc
and gyro in the segment frame, and the segment's pitch and roll in degrees (frontend.h).
"""
from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

import numpy as np

PROJECT = Path(__file__).resolve().parents[1]
FRONTEND = PROJECT / "firmware" / "frontend"
# No contraction into fused multiply-adds and no fast-math: the device build uses the same rules.
C_FLAGS = ["-std=c11", "-O2", "-ffp-contract=off", "-fno-fast-math",
           "-Wall", "-Wextra", "-Werror"]
SOURCES = ("frontend.c", "frontend_batch.c", "inclination.c")

FEATURE_KINDS = ("sacc_x", "sacc_y", "sacc_z", "sgyr_x", "sgyr_y", "sgyr_z", "pitch", "roll")
FEATURES_PER_IMU = len(FEATURE_KINDS)
# The inclination features: what the head also reads at the newest sample (the physics inputs).
INCLINATION_KINDS = ("pitch", "roll")


class FrontendBuildError(RuntimeError):
    pass


def feature_names(segments) -> list[str]:
    return [f"{segment}_{kind}" for segment in segments for kind in FEATURE_KINDS]


def inclination_names(segments) -> list[str]:
    return [f"{segment}_{kind}" for segment in segments for kind in INCLINATION_KINDS]


@lru_cache(maxsize=None)
def _library() -> ctypes.CDLL:
    sources = [FRONTEND / name for name in SOURCES]
    cc = os.environ.get("CC", "cc")
    if shutil.which(cc) is None:
        raise FrontendBuildError(f"no C compiler ({cc}) on PATH: the front-end is compiled from firmware/frontend")
    digest = hashlib.sha256(" ".join([cc, *C_FLAGS]).encode())
    for path in [*sources, *sorted(FRONTEND.glob("*.h"))]:
        digest.update(path.read_bytes())
    cache = Path(tempfile.gettempdir()) / "kinedge-native"
    library = cache / f"frontend-{digest.hexdigest()[:16]}.so"
    if not library.exists():
        cache.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(suffix=".so", dir=cache)
        os.close(fd)
        command = [cc, *C_FLAGS, "-shared", "-fPIC", f"-I{FRONTEND}", *map(str, sources), "-lm", "-o", tmp]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode:
            os.unlink(tmp)
            raise FrontendBuildError("compiling the front-end failed:\n" + done.stderr)
        os.replace(tmp, library)
    lib = ctypes.CDLL(str(library))
    lib.fe_run_batch.argtypes = [ctypes.c_void_p, ctypes.c_int32, ctypes.c_float, ctypes.c_void_p, ctypes.c_int64,
                                 ctypes.c_void_p]
    lib.fe_run_batch.restype = ctypes.c_int
    lib.fe_atan2_deg_host.argtypes = [ctypes.c_float, ctypes.c_float]
    lib.fe_atan2_deg_host.restype = ctypes.c_float
    return lib


def run_frontend(raw: np.ndarray, calibration: np.ndarray, sample_rate: float) -> np.ndarray:
    """raw (T, n_imus * 6) float32, sensor frame, IMU by IMU in the order of `calibration`
    (n_imus, 12): rotation row-major then gyro bias → features (T, n_imus * 8) float32.

    NaN samples (gaps) must be filled before: the filter would carry a NaN forever."""
    calibration = np.ascontiguousarray(calibration, dtype=np.float32).reshape(-1, 12)
    n_imus = len(calibration)
    raw = np.ascontiguousarray(raw, dtype=np.float32)
    if raw.ndim != 2 or raw.shape[1] != 6 * n_imus:
        raise ValueError(f"front-end input has shape {raw.shape}, expected (samples, {6 * n_imus})")
    out = np.empty((len(raw), FEATURES_PER_IMU * n_imus), dtype=np.float32)
    status = _library().fe_run_batch(calibration.ctypes.data, n_imus, float(sample_rate), raw.ctypes.data,
                                     len(raw), out.ctypes.data)
    if status:
        raise ValueError(f"the front-end takes at most 16 IMUs, not {n_imus}")
    return out


def atan2_deg(y: float, x: float) -> float:
    """The front-end's own atan2 (for tests of its accuracy)."""
    return float(_library().fe_atan2_deg_host(y, x))
