#!/bin/sh
# x-io Fusion's C sources (MIT) — the AHRS the front-end runs — taken from the source distribution
# of the `imufusion` package on PyPI, the same code that package runs on the host. Pinned by version
# and SHA-256, unpacked beside this script, never committed. Prints the folder with Fusion/*.c.
#
#   firmware/third_party/fetch_fusion.sh            (PYTHON=... picks the pip to download with)
#
# Offline: put imufusion-1.3.3.tar.gz (the PyPI sdist) in this folder and it is used as is.
set -eu
VERSION=1.3.3
SHA256=b2175e5ed1e1cca95ef8673432d1f089037f957cde4325a510738c9e7ad3b87d
here=$(cd "$(dirname "$0")" && pwd)
dest="$here/fusion-$VERSION"
if [ -f "$dest/FusionAhrs.c" ]; then
  echo "$dest"
  exit 0
fi
archive="$here/imufusion-$VERSION.tar.gz"
if [ ! -f "$archive" ]; then
  if ! "${PYTHON:-python3}" -m pip download --quiet --disable-pip-version-check --no-deps \
      --no-binary imufusion "imufusion==$VERSION" -d "$here" >/dev/null 2>&1 || [ ! -f "$archive" ]; then
    echo "error: could not download imufusion==$VERSION from PyPI (Fusion's C sources); put the sdist $archive there by hand" >&2
    exit 1
  fi
fi
if ! echo "$SHA256  $archive" | sha256sum -c --status -; then
  echo "error: $archive does not have the pinned SHA-256 $SHA256; removed it" >&2
  rm -f "$archive"
  exit 1
fi
work=$(mktemp -d "$here/.unpack.XXXXXX")
trap 'rm -rf "$work"' EXIT
tar -xzf "$archive" -C "$work"
mkdir "$work/out"
cp "$work/imufusion-$VERSION/Fusion/"*.c "$work/imufusion-$VERSION/Fusion/"*.h "$work/imufusion-$VERSION/LICENSE.md" "$work/out/"
# Another build may have unpacked it meanwhile: theirs is the same bytes.
mv "$work/out" "$dest" 2>/dev/null || true
echo "$dest"
