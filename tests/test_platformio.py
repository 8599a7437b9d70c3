"""The PlatformIO project for real boards: its configuration parses (offline) and names sources that
exist. Building needs PlatformIO's registry, which CI cannot reach; `kinedge flash` does that."""
import json
import re
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def test_platformio_config_lists_the_board_envs():
    pio = Path(sys.executable).with_name("pio")
    done = subprocess.run([str(pio), "project", "config", "--json-output"], cwd=PROJECT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    sections = {name: dict(options) for name, options in json.loads(done.stdout)}
    assert {"env:nano33ble", "env:esp32s3", "env:esp32s3_tflm"} <= set(sections)
    assert Path(sections["platformio"]["src_dir"]) == PROJECT / "firmware"
    filters = " ".join(sections["env"]["build_src_filter"])
    for folder in re.findall(r"\+<([\w/]+)/", filters):
        if folder != "generated":  # written by `kinedge flash` from the bundle
            assert (PROJECT / "firmware" / folder).is_dir(), folder
    for source in ("engine/engine_aot.c", "engine/engine_tflm.cpp", "boards/arduino/main.cpp"):
        assert (PROJECT / "firmware" / source).exists()
