# PlatformIO pre-build script: Fusion's C sources from their pinned PyPI sdist (fetch_fusion.sh).
import os
import subprocess
import sys

Import("env")  # noqa: F821 (PlatformIO's SCons namespace)

subprocess.run(["sh", os.path.join("firmware", "third_party", "fetch_fusion.sh")], check=True,
               env={**os.environ, "PYTHON": sys.executable})
