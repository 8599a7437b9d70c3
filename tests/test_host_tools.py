"""The `kinedge` device workflow against the emulated device, through the CLI as a user runs it:
a new person walks with the emulated IMUs while a reference system records the same walk;
collect → calibrate → push-calibration → sync → finetune → push-head → replay. Plus the failure
cases of the link."""
import json
import os
import signal
import socket
import subprocess
import threading
import time

import numpy as np
import pytest

from converter.aot import qemu_check
from host_tools.device import Device
from host_tools.emulator import Emulator, ImuFeeder, build_firmware
from test_cli_data import KINEDGE, assert_one_line_error, run
from trainer.data.loaders.opensim import write_angles
from trainer.data.store import read_recording, write_recording
from trainer.synth.generate import TrialSpec, subject_rng, synthesize_trial
from trainer.synth.subjects import sample_subject

needs_qemu = pytest.mark.skipif(qemu_check.available() is not None, reason=str(qemu_check.available()))


@pytest.fixture(scope="module")
def new_person(tmp_path_factory):
    """A person none of the models has seen: a 50 s walk (IMUs + mocap angles) and a second walk to test on."""
    folder = tmp_path_factory.mktemp("new_person")
    rng = subject_rng(404, 0)
    profile = sample_subject(rng, "N07")
    calibration = synthesize_trial(profile, TrialSpec("walk", 1.05, 50.0), rng)
    test = synthesize_trial(profile, TrialSpec("walk", 1.2, 12.0), rng)
    write_recording(calibration, folder / "walk.parquet")
    write_angles(calibration, folder / "mocap.mot")  # what the reference system exports
    write_recording(test, folder / "test.parquet")
    return folder


@pytest.fixture
def emulated(converted_edge, new_person, tmp_path):
    """`kinedge emulate` running with the new person's walk on its IMUs; yields the device URL."""
    process = subprocess.Popen([str(KINEDGE), "emulate", str(converted_edge[0]), "--imu", str(new_person / "walk.parquet"),
                                "--state", str(tmp_path / "state")], stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "COLUMNS": "120"})
    url = None
    for line in process.stdout:
        if line.startswith("port: "):
            url = line.split()[1]
            break
    assert url, "emulate printed no port"
    yield url
    process.send_signal(signal.SIGTERM)
    process.wait(20)


def ok(result):
    assert result.returncode == 0, result.stderr
    return result.stdout


@needs_qemu
def test_new_person_story_end_to_end(emulated, converted_edge, new_person, tmp_path):
    bundle = converted_edge[0]
    started = time.monotonic()
    out = ok(run("collect", "--port", emulated, "--seconds", 30, "--out", tmp_path / "rec.parquet", "--subject", "N07"))
    assert " 0 lost" in out
    recording = read_recording(tmp_path / "rec.parquet")
    assert 2800 <= recording.n_samples <= 3100 and recording.extra["lost_samples"] == 0

    person = tmp_path / "person.bin"
    out = ok(run("calibrate", bundle, tmp_path / "rec.parquet", "--out", person))
    assert "calibrated 2 IMUs" in out and f"for model {converted_edge[1]['model_hash']}" in out
    out = ok(run("push-calibration", person, "--port", emulated))
    assert "is running on" in out
    with Device(emulated) as dev:
        assert dev.info()["calib_source"] == "slot_a"

    out = ok(run("sync", tmp_path / "rec.parquet", "--reference", new_person / "mocap.mot", "--out",
                 tmp_path / "labelled.parquet", "--max-lag", 20))
    assert "correlation" in out
    labelled = read_recording(tmp_path / "labelled.parquet")
    assert "knee_angle_r" in labelled.angles and labelled.extra["alignment"]["correlation"] > 0.8

    out = ok(run("finetune", bundle, tmp_path / "labelled.parquet", "--person", person, "--out", tmp_path / "head.bin",
                 "--head-id", 77))
    assert "head id 77" in out

    before = tmp_path / "before.json"
    ok(run("replay", new_person / "test.parquet", "--port", emulated, "--bundle", bundle, "--person", person,
           "--json", before))
    out = ok(run("push-head", tmp_path / "head.bin", "--port", emulated))
    assert "head 77" in out
    after = tmp_path / "after.json"
    ok(run("replay", new_person / "test.parquet", "--port", emulated, "--bundle", bundle, "--head", tmp_path / "head.bin",
           "--person", person, "--json", after))
    before, after = json.loads(before.read_text()), json.loads(after.read_text())
    # device == host, both heads, through the person's calibration and the front-end
    assert before["host"]["identical_angles"] and after["host"]["identical_angles"]
    assert after["head_id"] == 77
    mean = lambda report: np.mean(list(report["rmse_deg"].values()))
    assert mean(after) < mean(before), (before["rmse_deg"], after["rmse_deg"])
    print(f"story: {time.monotonic() - started:.0f} s, RMSE {mean(before):.2f} -> {mean(after):.2f} deg")


@needs_qemu
def test_info_bench_monitor_and_devices_on_the_emulated_device(emulated, converted_edge, tmp_path):
    out = ok(run("info", "--port", emulated))
    assert "qemu-mps2-an386" in out and converted_edge[1]["model_hash"] in out
    out = ok(run("bench", "--port", emulated, "-n", 3, "--json", tmp_path / "bench.json"))
    assert "instructions" in out and "not Cortex-M4 cycles" in out
    figures = json.loads((tmp_path / "bench.json").read_text())
    assert figures["bench"]["runs"] == 3 and figures["per_estimate"]["backbone"] > 0
    out = ok(run("monitor", "--port", emulated, "--seconds", 3))
    assert "knee_angle_r" in out and "estimates/s" in out
    out = ok(run("devices", "--also", emulated))
    assert f"kinedge 0.1.0 on qemu-mps2-an386, model {converted_edge[1]['model_hash']}" in out


@needs_qemu
def test_push_head_refuses_another_models_head_before_sending(emulated, converted_edge, tmp_path):
    from converter.head_blob import Head

    head = Head.from_bytes((converted_edge[0] / "head.bin").read_bytes())
    head.model_hash = b"\x42" * 8
    (tmp_path / "other.bin").write_bytes(head.to_bytes())
    result = run("push-head", tmp_path / "other.bin", "--port", emulated)
    assert_one_line_error(result, "is for model 4242424242424242", "nothing was sent")
    with Device(emulated) as dev:
        assert dev.info()["head_id"] == 0


@needs_qemu
def test_unplugging_mid_stream_keeps_a_valid_partial_recording(converted_edge, new_person, tmp_path):
    elf = build_firmware(converted_edge[0], tmp_path / "build")
    walk = read_recording(new_person / "walk.parquet")
    with Emulator(elf, tmp_path / "state") as emulator:
        samples = walk.data[Device(emulator.url).info()["channels"]].to_numpy(np.float32)
        with ImuFeeder(emulator.imu_url, samples, rate=100.0):
            collect = subprocess.Popen([str(KINEDGE), "collect", "--port", emulator.url, "--seconds", "20", "--out",
                                        str(tmp_path / "partial.parquet")], stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True)
            time.sleep(6)
            emulator.stop()  # the cable is pulled
            _, stderr = collect.communicate(timeout=60)
    assert collect.returncode != 0
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "connection lost" in lines[0] and "kept in" in lines[0], stderr
    partial = read_recording(tmp_path / "partial.parquet")  # validates
    assert 50 < partial.n_samples < 2000 and partial.extra["stopped_by"] == "disconnect"


def test_a_device_that_does_not_answer_times_out_naming_the_port():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    accepted = []
    threading.Thread(target=lambda: accepted.append(server.accept()), daemon=True).start()
    result = run("info", "--port", f"socket://127.0.0.1:{port}", "--timeout", 1)
    assert_one_line_error(result, f"no answer from socket://127.0.0.1:{port}")
    server.close()


def test_flash_explains_an_unreachable_registry(monkeypatch, converted_edge, tmp_path):
    from host_tools import flash

    monkeypatch.setattr(flash, "GENERATED", tmp_path / "generated")
    class Done:
        returncode, stdout = 1, ""
        stderr = "HTTPClientError: Max retries exceeded with url: /v3/packages/platformio/tool/scons"

    monkeypatch.setattr(flash.subprocess, "run", lambda *a, **k: Done())
    with pytest.raises(flash.FlashError, match="could not reach its registry"):
        flash.flash_board(converted_edge[0], "nano33ble", None, echo=lambda text: None)
    assert (flash.GENERATED / "model_aot.c").read_text() == (converted_edge[0] / "c" / "model_aot.c").read_text()


def test_devices_marks_a_kinedge_device(tmp_path):
    result = run("devices", "--also", "socket://127.0.0.1:9")
    assert result.returncode == 0 and "no kinedge answer" in result.stdout
