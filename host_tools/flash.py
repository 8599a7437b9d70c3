"""`kinedge flash`: the bundle's generated C into firmware/generated/, then PlatformIO builds and
uploads. PlatformIO installs platforms and libraries from its registry on first use; without
network access that fails, and the user is told so in one line instead of a traceback."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
GENERATED = PROJECT / "firmware" / "generated"
OFFLINE_SIGNS = ("HTTPClientError", "Could not resolve", "ConnectionError", "Max retries exceeded",
                 "Temporary failure in name resolution", "Network is unreachable", "InternetConnectionError",
                 "Failed to establish a new connection", "timed out")
NEEDED = ("model_aot.c", "model_aot.h", "model_config.h", "head_default.c", "head_default.h", "model_data.c",
          "model_data.h")


from .errors import ToolError

class FlashError(ToolError):
    pass


def install_sources(bundle: Path) -> list[str]:
    sources = Path(bundle) / "c"
    missing = [name for name in NEEDED if not (sources / name).exists()]
    if missing:
        raise FlashError(f"{bundle}: c/{missing[0]} is missing; run `kinedge convert {bundle}` first")
    GENERATED.mkdir(parents=True, exist_ok=True)
    for old in GENERATED.iterdir():
        old.unlink()
    for name in NEEDED:
        shutil.copy2(sources / name, GENERATED / name)
    return list(NEEDED)


def flash_board(bundle: Path, env: str, upload_port: str | None, echo=print) -> None:
    install_sources(bundle)
    echo(f"firmware/generated/ now holds {bundle}'s model; building env {env} with PlatformIO")
    pio = Path(sys.executable).with_name("pio")
    command = [str(pio) if pio.exists() else "pio", "run", "-e", env, "-t", "upload"]
    if upload_port:
        command += ["--upload-port", upload_port]
    done = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True)
    output = done.stdout + done.stderr
    if done.returncode == 0:
        echo(output.strip().splitlines()[-1] if output.strip() else "uploaded")
        return
    if any(sign in output for sign in OFFLINE_SIGNS):
        raise FlashError(f"PlatformIO could not reach its registry to install what env {env} needs (platform, "
                         f"Arduino core, IMU libraries); run `kinedge flash` on a machine with internet access, "
                         f"or use `kinedge emulate`")
    if f"Unknown environment names '{env}'" in output or "UnknownEnvNames" in output:
        raise FlashError(f"platformio.ini has no env {env!r}")
    last = [line for line in output.strip().splitlines() if line.strip()][-1:] or ["no output"]
    raise FlashError(f"PlatformIO failed for env {env} (exit {done.returncode}): {last[0]}")
