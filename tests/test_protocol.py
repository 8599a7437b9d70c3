"""The host side of the device protocol: the shared vectors (also checked by firmware/tests/core_test.c)
and COBS framing properties."""
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_build import FIRMWARE
from host_tools import protocol as p

VECTORS = FIRMWARE / "tests" / "protocol_vectors.txt"


def vectors():
    for line in VECTORS.read_text().splitlines():
        if line and not line.startswith("#"):
            type_, sequence, payload, wire = line.split()
            yield int(type_, 16), int(sequence), bytes.fromhex("" if payload == "-" else payload), bytes.fromhex(wire)


def test_shared_vectors_encode_and_decode():
    cases = list(vectors())
    assert len(cases) >= 5
    for type_, sequence, payload, wire in cases:
        assert p.encode(type_, sequence, payload) == wire
        frame = p.decode(wire[:-1])
        assert (frame.type, frame.sequence, frame.payload) == (type_, sequence, payload)


@settings(max_examples=300)
@given(st.binary(max_size=1200), st.integers(0, 255), st.integers(0, 65535))
def test_frames_round_trip_and_contain_no_delimiter(payload, type_, sequence):
    wire = p.encode(type_, sequence, payload)
    assert wire.index(b"\x00") == len(wire) - 1
    frame = p.decode(wire[:-1])
    assert (frame.type, frame.sequence, frame.payload) == (type_, sequence, payload)


@settings(max_examples=300)
@given(st.binary(min_size=1, max_size=300), st.integers(0, 10_000))
def test_a_flipped_bit_is_detected(payload, position):
    wire = bytearray(p.encode(p.REPLAY, 1, payload)[:-1])
    i = position % len(wire)
    wire[i] ^= 1 << (position % 8)
    try:
        frame = p.decode(bytes(wire))
    except p.FrameError:
        return
    raise AssertionError(f"corruption not detected: {frame}")
