"""The README's two commands: `make demo` installs what the device part needs exactly as
`make test` does, and without root says in one line what to install."""
import os
import subprocess
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def dry_run(target: str) -> list[str]:
    result = subprocess.run(["make", "-n", target], cwd=PROJECT, capture_output=True, text=True, check=True)
    return result.stdout.splitlines()


def test_demo_installs_the_device_packages_before_it_runs():
    for target, command in (("demo", "kinedge demo"), ("test", "pytest")):
        lines = dry_run(target)
        packages = next(i for i, line in enumerate(lines) if "dpkg -s" in line)
        runs = next(i for i, line in enumerate(lines) if command in line)
        assert packages < runs, (target, lines)
        assert "gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm" in lines[packages]
        assert ("chromium chromium-driver" in lines[packages]) == (target == "test")  # the web page's browser tests


def test_without_root_a_missing_package_is_one_line(tmp_path):
    fake_id = tmp_path / "id"
    fake_id.write_text("#!/bin/sh\necho 1000\n")
    fake_id.chmod(0o755)
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"}
    result = subprocess.run(["make", "--no-print-directory", "system-packages",
                             "DEBIAN_PACKAGES=kinedge-no-such-package"], cwd=PROJECT, capture_output=True,
                            text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines() == [
        "warning: missing Debian packages: kinedge-no-such-package (sudo apt-get install --no-install-recommends "
        "kinedge-no-such-package); what needs them is skipped (the emulated device: demo's device part, firmware "
        "tests; the browser: web page tests)"]
