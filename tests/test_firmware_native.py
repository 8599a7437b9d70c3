"""The portable core on the host, under AddressSanitizer + UndefinedBehaviorSanitizer: unit tests
(firmware/tests/core_test.c) and the protocol decoder fed 100k+ random and mutated frames."""
import subprocess

import numpy as np
import pytest

from firmware_build import FIRMWARE, have_sanitizers, make
from host_tools import protocol as p

pytestmark = pytest.mark.skipif(not have_sanitizers(), reason="no host C compiler")

FUZZ_FRAMES = 120_000


@pytest.fixture(scope="module")
def native(converted_edge, tmp_path_factory):
    build = tmp_path_factory.mktemp("native")
    make("native-test", converted_edge[0], build)
    make("native-fuzz", converted_edge[0], build)
    return build


def test_core_unit_tests(native):
    done = subprocess.run([str(native / "core_test"), str(FIRMWARE / "tests" / "protocol_vectors.txt")],
                          capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stdout + done.stderr


def fuzz_stream(n: int, seed: int = 0) -> bytes:
    """Random junk, frames of every type with random payloads (valid CRC), mutated valid frames
    (bit flips, truncation, insertion, deletion), oversized frames and well-formed requests."""
    rng = np.random.default_rng(seed)
    types = [p.PING, p.INFO, p.STREAM_RAW, p.ESTIMATE, p.REPLAY, p.REPLAY_RESET, p.HEAD_BEGIN, p.HEAD_CHUNK,
             p.HEAD_COMMIT, p.HEAD_RESET, p.CALIB_RESET, p.BENCH, p.OK, p.ERROR, 0x00, 0xFF]
    out = bytearray()
    for i in range(n):
        kind = i % 10
        if kind == 0:  # junk
            out += rng.integers(1, 256, size=int(rng.integers(1, 80)), dtype=np.uint8).tobytes() + b"\x00"
            continue
        type_ = int(rng.choice(types)) if kind < 8 else int(rng.integers(0, 256))
        size = int(rng.integers(0, 12)) if rng.random() < 0.8 else int(rng.integers(0, 1201))
        payload = rng.integers(0, 256, size=size, dtype=np.uint8).tobytes()
        if type_ == p.BENCH and size == 2:
            payload = bytes([int(rng.integers(0, 3)), 0])  # cheap runs only
        if type_ == p.REPLAY and rng.random() < 0.2:  # well-formed: runs the estimator
            count = int(rng.integers(0, 24))
            payload = bytes([int(rng.integers(0, 2)), count]) + rng.normal(size=count * 12).astype("<f4").tobytes()
        wire = bytearray(p.encode(type_, int(rng.integers(0, 65536)), payload)[:-1])
        if kind in (5, 6, 7):  # mutate
            for _ in range(int(rng.integers(1, 4))):
                if not wire:
                    break
                op, at = rng.integers(0, 4), int(rng.integers(0, len(wire)))
                if op == 0:
                    wire[at] ^= 1 << int(rng.integers(0, 8))
                elif op == 1:
                    del wire[at:]
                elif op == 2:
                    wire.insert(at, int(rng.integers(0, 256)))
                elif len(wire) > 1:
                    del wire[at]
        if kind == 9 and rng.random() < 0.05:  # longer than any frame the device accepts
            wire = bytearray(rng.integers(1, 256, size=1400, dtype=np.uint8).tobytes())
        out += bytes(wire) + b"\x00"
    return bytes(out)


def test_decoder_survives_random_and_mutated_frames(native):
    stream = fuzz_stream(FUZZ_FRAMES)
    done = subprocess.run([str(native / "protocol_fuzz")], input=stream, capture_output=True, timeout=900)
    report = done.stdout.decode()
    assert done.returncode == 0, report + done.stderr.decode()[-3000:]
    assert done.stderr == b"", done.stderr.decode()[-3000:]  # a sanitizer report would be here
    counts = dict(item.split("=") for item in report.split())
    frames, answered, discarded = (int(counts[k]) for k in ("frames", "answered", "discarded"))
    assert frames >= 100_000 and frames == answered + discarded
    assert answered > 10_000 and discarded > 10_000  # both paths were exercised
