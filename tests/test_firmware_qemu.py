"""The kinedge firmware running on the emulated Cortex-M4 (QEMU mps2-an386), driven through pyserial
and the protocol exactly as a board would be. Skips without arm-none-eabi-gcc and qemu-system-arm."""
import time
import zlib

import numpy as np
import pytest

from converter.aot import qemu_check
from converter.head_blob import Head
from firmware_build import make
from host_tools import protocol as p
from host_tools.device import Device, DeviceError
from host_tools.device_model import DeviceModel
from host_tools.emulator import Emulator, ImuFeeder
from trainer.synth.generate import TrialSpec, subject_rng, synthesize_trial
from trainer.synth.subjects import sample_subject

pytestmark = pytest.mark.skipif(qemu_check.available() is not None, reason=str(qemu_check.available()))


@pytest.fixture(scope="module")
def bundle(converted_edge):
    return converted_edge[0]


@pytest.fixture(scope="module")
def elf(bundle, tmp_path_factory):
    build = tmp_path_factory.mktemp("qemu")
    make("qemu", bundle, build)
    return build / "kinedge_qemu.elf"


@pytest.fixture(scope="module")
def model(bundle):
    return DeviceModel(bundle)


@pytest.fixture(scope="module")
def walk(model):
    """Eight seconds of a new synthetic person walking, in the model's channels."""
    rng = subject_rng(77, 0)
    recording = synthesize_trial(sample_subject(rng, "N01"), TrialSpec("walk", 1.1, 8.0), rng)
    return recording.data[model.channels].to_numpy(np.float32)


@pytest.fixture
def device(elf, tmp_path):
    with Emulator(elf, tmp_path / "state") as emulator, Device(emulator.url) as dev:
        dev.emulator = emulator
        yield dev


def new_head(model, head_id=42, model_hash=None) -> Head:
    rng = np.random.default_rng(head_id)
    kernel = model.head.kernel * np.float32(1.2) + rng.normal(0, 0.01, model.head.kernel.shape).astype(np.float32)
    return Head(kernel, model.head.bias + np.float32(3.0), model_hash or bytes.fromhex(model.model_hash), head_id,
                model.head.n_physics)


def new_calibration(model, seed=3):
    """A person calibration for the model's IMUs: any rotation, a small gyro bias."""
    from scipy.spatial.transform import Rotation

    from trainer.calibration import Calibration

    rng = np.random.default_rng(seed)
    n = len(model.segments)
    return Calibration(model.segments, Rotation.random(n, random_state=rng).as_matrix(), rng.normal(0, 0.01, (n, 3)))


def test_info_matches_the_bundle(device, bundle, model):
    info = device.info()
    card = model.card
    assert info["board"] == "qemu-mps2-an386" and info["engine"] == "aot" and info["protocol"] == p.VERSION
    assert info["model_hash"] == model.model_hash
    assert info["channels"] == card["channels"] and info["segments"] == card["segments"]
    assert info["outputs"] == [o["name"] for o in card["outputs"]]
    assert (info["window"], info["hop"], info["sample_rate_hz"]) == (card["window"], card["hop"], card["sample_rate"])
    assert info["head_id"] == 0 and info["head_source"] == "default"
    assert int(info["head_crc"], 16) == zlib.crc32((bundle / "head.bin").read_bytes()[:-4])
    assert 0 < info["arena_bytes"] < info["ram_bytes"] <= 24 * 1024 and 0 < info["flash_bytes"] <= 64 * 1024
    assert info["calib_source"] == "nominal" and info["features"] == len(card["features"])


def test_replay_equals_the_host_model_for_every_window(device, model, walk):
    index, angles, embeddings = device.replay(walk, embeddings=True)
    ends, expected_angles, expected_embeddings = model.run(walk)
    assert len(ends) > 200
    np.testing.assert_array_equal(index, ends)
    np.testing.assert_array_equal(embeddings, expected_embeddings)   # the int8 backbone, bit-exact
    np.testing.assert_array_equal(angles, expected_angles)           # the float head, same float32 steps


def test_head_upload_changes_outputs_as_predicted_and_survives_a_restart(elf, tmp_path, model, walk):
    head = new_head(model)
    blob = head.to_bytes()
    part = walk[:200]
    with Emulator(elf, tmp_path / "state") as emulator, Device(emulator.url) as dev:
        head_id, crc = dev.upload_head(blob)
        assert (head_id, crc) == (42, zlib.crc32(blob[:-4]))
        info = dev.info()
        assert info["head_id"] == 42 and info["head_source"] == "slot_a"
        _, angles, _ = dev.replay(part)
    np.testing.assert_array_equal(angles, model.run(part, head=head)[1])
    with Emulator(elf, tmp_path / "state") as emulator, Device(emulator.url) as dev:  # power cycle
        assert dev.info()["head_id"] == 42
        _, angles, _ = dev.replay(part)
        np.testing.assert_array_equal(angles, model.run(part, head=head)[1])
        dev.reset_head()
        assert dev.info()["head_source"] == "default"
        np.testing.assert_array_equal(dev.replay(part)[1], model.run(part)[1])


def test_replay_with_calibration_and_head_equals_the_host_mirror(elf, tmp_path, model, walk):
    """Calibration + front-end + backbone + head on the device, bit for bit as on the host, and
    the calibration persists and shows in INFO."""
    from converter.calibration_blob import CalibrationBlob

    calibration = new_calibration(model)
    blob = CalibrationBlob(calibration, bytes.fromhex(model.model_hash), calibration_id=9).to_bytes()
    head = new_head(model, head_id=17)
    with Emulator(elf, tmp_path / "state") as emulator, Device(emulator.url) as dev:
        assert dev.upload_calibration(blob) == (9, zlib.crc32(blob[:-4]))
        dev.upload_head(head.to_bytes())
        info = dev.info()
        assert info["calib_id"] == 9 and info["calib_source"] == "slot_a" and info["head_id"] == 17
        index, angles, embeddings = dev.replay(walk, embeddings=True)
    ends, expected, expected_embeddings = model.run(walk, head=head, calibration=calibration)
    np.testing.assert_array_equal(index, ends)
    np.testing.assert_array_equal(embeddings, expected_embeddings)
    np.testing.assert_array_equal(angles, expected)
    # The nominal mounting gives other features, so other angles: the calibration is really applied.
    assert not np.array_equal(angles, model.run(walk, head=head)[1])
    with Emulator(elf, tmp_path / "state") as emulator, Device(emulator.url) as dev:  # power cycle
        assert dev.info()["calib_id"] == 9
        np.testing.assert_array_equal(dev.replay(walk[:200])[1], model.run(walk[:200], head, calibration)[1])
        dev.reset_calibration()
        assert dev.info()["calib_source"] == "nominal"
        np.testing.assert_array_equal(dev.replay(walk[:200])[1], model.run(walk[:200], head)[1])


def test_bad_uploads_are_refused_and_the_old_head_keeps_working(device, model, walk):
    good = new_head(model, head_id=5)
    device.upload_head(good.to_bytes())
    part = walk[:120]
    expected = model.run(part, head=good)[1]
    attempts = {
        "HEAD_CRC": dict(blob=new_head(model, 6).to_bytes(), corrupt_chunk=2),
        "HEAD_TRUNCATED": dict(blob=new_head(model, 7).to_bytes(), stop_after_chunks=3),
        "HEAD_MODEL_MISMATCH": dict(blob=new_head(model, 8, model_hash=b"\x01" * 8).to_bytes()),
    }
    for code, attempt in attempts.items():
        with pytest.raises(DeviceError) as refused:
            device.upload_head(attempt.pop("blob"), **attempt)
        assert refused.value.name == code
        info = device.info()
        assert info["head_id"] == 5, code
        np.testing.assert_array_equal(device.replay(part)[1], expected)


def test_protocol_errors_are_coded(device):
    for type_, payload, code in [(0x7F, b"", "UNKNOWN_COMMAND"), (p.STREAM_RAW, b"\x05", "BAD_ARGUMENT"),
                                 (p.HEAD_CHUNK, b"\x00" * 8, "HEAD_NOT_STARTED"), (p.BENCH, b"\x00\x00", "BAD_ARGUMENT"),
                                 (p.REPLAY, b"\x00\x03\x00", "BAD_LENGTH")]:
        with pytest.raises(DeviceError) as refused:
            device.request(type_, payload)
        assert refused.value.name == code
    assert device.ping()


def test_bench_counts_are_repeatable(device):
    first, second = device.bench(5), device.bench(5)
    assert first == second and first["unit"] == "instructions" and first["runs"] == 5
    assert 0 < first["normalise"] < first["backbone"] and 0 < first["head"] < first["backbone"]
    assert 0 < first["frontend"] < first["backbone"]
    total = sum(first[s] for s in ("frontend", "normalise", "backbone", "head")) / 5
    assert total < 640_000  # generous guard on the budget; bench/ measures it


def test_live_stream_keeps_up_with_100_hz_without_drops(device, model, walk):
    samples = walk[:400]
    device.estimate(True, raw=True)
    with ImuFeeder(device.emulator.imu_url, samples, rate=100.0) as feeder:
        feeder.wait(30)
    raw, angles = [], []
    while True:
        frame = device.read_stream(timeout=1.0)
        if frame is None:
            break
        (raw if frame.type == p.RAW_SAMPLE else angles).append(frame.payload)
    device.estimate(False)
    raw_sequence = [int.from_bytes(f[:4], "little") for f in raw]
    assert raw_sequence == list(range(len(samples)))                       # every sample, in order
    seen = np.stack([np.frombuffer(f, "<f4", len(model.channels), 8) for f in raw])
    np.testing.assert_array_equal(seen, p.imu_values(p.imu_counts(samples)))  # what the sensors sent
    ends, expected, _ = model.run(seen)
    window_ends = [int.from_bytes(f[:4], "little") for f in angles]
    assert window_ends == list(ends)                                       # one estimate per hop, none late
    np.testing.assert_array_equal(np.stack([np.frombuffer(f, "<f4", expected.shape[1], 8) for f in angles]), expected)
    info = device.info()
    assert info["late_estimates"] == 0 and info["link_drops"] == 0 and info["samples"] == len(samples)


def test_lost_sensor_samples_are_counted(device, walk):
    with ImuFeeder(device.emulator.imu_url, walk[:50], rate=None, skip={10, 11, 30}) as feeder:
        feeder.wait(30)
    # The emulated device takes the last samples in its own time (slower on a loaded machine): wait
    # for them by the clock, not by a count of INFO round trips.
    deadline = time.monotonic() + 20.0
    while (info := device.info())["samples"] < 47 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert info["samples"] == 47 and info["link_drops"] == 3


def test_stream_sequence_numbers_count_from_boot_across_a_new_calibration(device, model, walk):
    """A calibration pushed mid-stream restarts the live estimator (a full window before the next
    estimate, computed through the new calibration) but not the sample count the streams carry."""
    from converter.calibration_blob import CalibrationBlob

    calibration = new_calibration(model, seed=5)
    blob = CalibrationBlob(calibration, bytes.fromhex(model.model_hash), calibration_id=3).to_bytes()
    device.estimate(True, raw=True)
    raw, angles = [], []

    def drain():
        while (frame := device.read_stream(timeout=1.0)) is not None:
            (raw if frame.type == p.RAW_SAMPLE else angles).append(frame.payload)

    with ImuFeeder(device.emulator.imu_url, walk[:200], rate=None) as feeder:
        feeder.wait(30)
    drain()
    device.upload_calibration(blob)
    with ImuFeeder(device.emulator.imu_url, walk[200:400], rate=None, first_sequence=200) as feeder:
        feeder.wait(30)
    drain()
    device.estimate(False)
    assert [int.from_bytes(f[:4], "little") for f in raw] == list(range(400))
    seen = p.imu_values(p.imu_counts(walk[:400]))
    ends_before, before, _ = model.run(seen[:200])
    ends_after, after, _ = model.run(seen[200:], calibration=calibration)
    got = [int.from_bytes(f[:4], "little") for f in angles]
    assert got == list(ends_before) + list(ends_after + 200)
    values = np.stack([np.frombuffer(f, "<f4", before.shape[1], 8) for f in angles])
    np.testing.assert_array_equal(values, np.concatenate([before, after]))
