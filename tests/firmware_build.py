"""Builds of the firmware for tests: host (native board, sanitizers) and QEMU, for a converted bundle."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
FIRMWARE = PROJECT / "firmware"


def make(target: str, bundle: Path, build: Path) -> None:
    done = subprocess.run(["make", "-s", "-C", str(FIRMWARE), target, f"MODEL_DIR={Path(bundle, 'c').resolve()}",
                           f"BUILD={Path(build).resolve()}"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr + done.stdout


def have_sanitizers() -> bool:
    return shutil.which("cc") is not None
