"""`kinedge ui` in a real browser (headless Chromium via Selenium) against the emulated device
(`kinedge emulate`), as a user runs them: the page loads and draws the live estimates, a head
pushed from the page changes the streamed angles exactly as the host model predicts, a calibration
recorded on the page ends up on the device, and requests without the token or from another
origin are refused. The tests run in file order on one device, one server and one browser."""
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import numpy as np
import pytest

import headless_browser
from converter.aot import qemu_check
from converter.blob import blob_crc
from host_tools import protocol as p
from host_tools.device_model import DeviceModel
from conftest import PROJECT
from test_cli_data import KINEDGE, run
from test_firmware_qemu import new_head
from trainer.data.store import read_recording, write_recording
from trainer.synth.generate import TrialSpec, subject_rng, synthesize_trial
from trainer.synth.subjects import sample_subject

pytestmark = [
    pytest.mark.skipif(qemu_check.available() is not None, reason=str(qemu_check.available())),
    pytest.mark.skipif(headless_browser.missing() is not None, reason=str(headless_browser.missing())),
]
SCREENSHOT = PROJECT / "runs" / "ui" / "live-traces.png"


@pytest.fixture(scope="module")
def person(tmp_path_factory):
    """A new person's walk for the emulated IMUs (looping), and another labelled walk to replay."""
    folder = tmp_path_factory.mktemp("ui_person")
    rng = subject_rng(505, 0)
    profile = sample_subject(rng, "N08")
    write_recording(synthesize_trial(profile, TrialSpec("walk", 1.05, 40.0), rng), folder / "walk.parquet")
    write_recording(synthesize_trial(profile, TrialSpec("walk", 1.2, 10.0), rng), folder / "test.parquet")
    return folder


def _started(command, prefix: str, env=None):
    """A kinedge command in the background and the word after `prefix` in its output."""
    process = subprocess.Popen([str(KINEDGE), *map(str, command)], stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "COLUMNS": "120", **(env or {})})
    for line in process.stdout:
        if line.startswith(prefix):
            return process, line.split()[1]
    process.wait(10)
    pytest.fail(f"kinedge {command[0]} printed no '{prefix}' line (exit {process.returncode})")


def _stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM if process.args[1] == "emulate" else signal.SIGINT)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def emulated(converted_edge, person, tmp_path_factory):
    state = tmp_path_factory.mktemp("ui_device")
    process, url = _started(["emulate", converted_edge[0], "--imu", person / "walk.parquet", "--state", state], "port: ")
    yield process, url
    _stop(process)


class Ui:
    def __init__(self, process, url):
        self.process, self.url = process, url
        self.base, self.token = url.split("/?token=")[0], url.split("token=")[1]

    def request(self, path, method="GET", data=None, headers=None, token=True):
        headers = dict(headers or {})
        if token:
            headers.setdefault("X-Kinedge-Token", self.token)
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=10) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def state(self) -> dict:
        status, body = self.request("/api/state")
        assert status == 200, body
        return json.loads(body)


@pytest.fixture(scope="module")
def ui(emulated):
    process, url = _started(["ui", "--port", emulated[1], "--listen", "127.0.0.1:0"], "open: ")
    yield Ui(process, url)
    _stop(process)


def wait_for(condition, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out after {timeout:g} s waiting for {what}")


@pytest.fixture(scope="module")
def page(ui):
    browser = headless_browser.start()
    browser.get(ui.url)
    js = browser.execute_script
    wait_for(lambda: js("return window.kinedge.device && window.kinedge.device.state") == "connected", 30,
             "the page to show the device connected")
    wait_for(lambda: js("return window.kinedge.received") > 0, 30, "the first estimates on the page")
    yield browser
    browser.quit()


def text(browser, element_id):
    return browser.execute_script(f"return document.getElementById('{element_id}').textContent")


def click(browser, element_id):
    wait_for(lambda: browser.execute_script(f"return !document.getElementById('{element_id}').disabled"), 20,
             f"#{element_id} to be enabled")
    browser.find_element("id", element_id).click()


def job_done(browser, name, timeout=60):
    """Waits for the page's last action to end; fails with the page's message if it did not succeed."""
    def ended():
        message = text(browser, "message")
        if message.startswith(f"{name} failed") or message.startswith(f"{name} cancelled"):
            pytest.fail(message)
        return message == f"{name}: done"
    wait_for(ended, timeout, f"{name} to finish on the page")


def test_the_live_trace_receives_the_estimates_the_device_sends(page, ui, converted_edge):
    js = page.execute_script
    hop, rate = js("return window.kinedge.info.hop"), js("return window.kinedge.info.sample_rate_hz")
    start = js("return window.kinedge.rows.length")
    time.sleep(10.0)
    rows = js("return window.kinedge.rows")[start:]
    drawn = {s for s, _ in js("return window.kinedge.drawn")}
    sequences = [r[0] for r in rows]
    assert sequences == sorted(sequences)
    first, last = sequences[0], sequences[-1]
    assert (last - first) / rate >= 9.0                           # ten seconds of the device's estimates
    sent = (last - first) // hop + 1                              # the device estimates every hop samples
    assert len(set(sequences)) / sent >= 0.95, (len(set(sequences)), sent)
    assert len(drawn & set(sequences)) / sent >= 0.95             # and drew them
    counters = ui.state()["counters"]
    assert counters["late_estimates"] == 0 and counters["link_drops"] == 0
    assert text(page, "c-missing") == "0"
    assert not js("return document.getElementById('calibration-hint').hidden")  # a new device: nominal mounting
    assert js("return document.getElementById('info').textContent").count(converted_edge[1]["model_hash"]) == 1


def test_a_head_pushed_from_the_page_changes_the_angles_exactly_as_the_host_predicts(page, ui, converted_edge,
                                                                                      person, tmp_path):
    bundle = converted_edge[0]
    model = DeviceModel(bundle)
    head = new_head(model, head_id=42)
    (tmp_path / "head.bin").write_bytes(head.to_bytes())
    page.find_element("id", "head-file").send_keys(str(tmp_path / "head.bin"))
    click(page, "head-push")
    job_done(page, "push-head")
    change = page.execute_script("""return Array.from(document.querySelectorAll('#head-change tr'))
        .map(tr => Array.from(tr.cells).map(c => c.textContent))""")
    assert ["head_id", "0", "42"] in change and ["head_source", "default", "slot_a"] in change
    time.sleep(2.0)
    rows = page.execute_script("return window.kinedge.rows")

    # What the device computes for every window the page received, with either head: the emulated
    # IMUs play the walk in a loop from the device's first sample, quantised to the sensors' counts.
    walk = read_recording(person / "walk.parquet").data[model.channels].to_numpy(np.float32)
    n = max(r[0] for r in rows) + 1
    seen = p.imu_values(p.imu_counts(walk[np.arange(n) % len(walk)]))
    ends, embeddings, physics = model.embeddings(seen)
    before, after = model.apply_head(embeddings, physics), model.apply_head(embeddings, physics, head)
    which = []
    for row in rows:
        i = (row[0] - (model.window - 1)) // model.hop
        assert ends[i] == row[0]
        angles = np.array(row[2:], dtype=np.float32)
        which.append("old" if np.array_equal(angles, before[i]) else "new" if np.array_equal(angles, after[i]) else "?")
    assert "?" not in which, f"{which.count('?')} estimates match neither head"
    switch = which.index("new")
    assert set(which[:switch]) == {"old"} and set(which[switch:]) == {"new"}   # one change, at the push
    assert switch > 50 and len(which) - switch > 50


def test_one_page_controls_the_device_and_another_watches(page, ui):
    first = page.current_window_handle
    page.switch_to.new_window("tab")
    page.get(ui.url)
    js = page.execute_script
    wait_for(lambda: js("return window.kinedge.client") is not None, 20, "the second page to connect")
    assert "another page controls" in text(page, "control-state")
    status = js("""return fetch('/api/bench', {method: 'POST', headers: {'X-Kinedge-Token': new URLSearchParams(
        location.search).get('token'), 'X-Kinedge-Client': window.kinedge.client}, body: '{"runs": 1}'})
        .then(r => r.status)""")
    assert status == 409
    wait_for(lambda: js("return window.kinedge.received") > 20, 20, "the watching page to receive estimates")
    page.find_element("id", "take-control").click()
    wait_for(lambda: js("return window.kinedge.controller === window.kinedge.client"), 10, "the take-over")
    page.close()  # the controlling page goes: control returns to the one left
    page.switch_to.window(first)
    wait_for(lambda: page.execute_script("return window.kinedge.controller === window.kinedge.client"), 10,
             "control to come back to the first page")


def _websocket_status(ui, query: str, origin: str | None) -> int:
    """The HTTP status of a WebSocket handshake to /ws."""
    host, port = ui.base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as s:
        request = (f"GET /ws{query} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                   + (f"Origin: {origin}\r\n" if origin else "") + "\r\n")
        s.sendall(request.encode())
        return int(s.recv(1024).split(b" ")[1])


def test_requests_without_the_token_or_from_another_origin_are_refused(page, ui, converted_edge):
    before = ui.state()["device"]["info"]
    assert before["head_id"] == 42
    client = page.execute_script("return window.kinedge.client")  # even the controlling page's id does not help
    blob = (converted_edge[0] / "head.bin").read_bytes()
    evil = "http://evil.example"
    attempts = [
        ("/", "GET", None, {}, False),
        ("/api/state", "GET", None, {}, False),
        ("/api/head/reset", "POST", b"", {"X-Kinedge-Client": client}, False),
        ("/api/head/reset", "POST", b"", {"X-Kinedge-Client": client, "X-Kinedge-Token": "wrong"}, False),
        ("/api/head", "POST", blob, {"X-Kinedge-Client": client}, False),
        ("/api/head", "POST", blob, {"X-Kinedge-Client": client, "Origin": evil}, True),
        ("/api/calibration/reset", "POST", b"", {"X-Kinedge-Client": client, "Origin": evil}, True),
        ("/api/head/reset", "POST", b"", {"X-Kinedge-Client": client, "Host": "evil.example"}, True),
    ]
    for path, method, data, headers, token in attempts:
        status, body = ui.request(path, method, data, headers, token)
        assert status == 403, (path, headers, status, body)
        assert body.startswith(b"403 forbidden")
    assert _websocket_status(ui, "", None) == 403
    assert _websocket_status(ui, f"?token={ui.token}", evil) == 403
    assert _websocket_status(ui, f"?token={ui.token}", ui.base) == 101   # the page's own handshake
    time.sleep(2.5)  # the server's INFO is refreshed every 2 s
    after = ui.state()["device"]["info"]
    for key in ("head_id", "head_crc", "head_source", "calib_crc", "calib_source"):
        assert after[key] == before[key], key


def test_a_long_action_shows_progress_and_can_be_cancelled(page, ui):
    page.find_element("id", "cal-seconds").clear()
    page.find_element("id", "cal-seconds").send_keys("120")
    click(page, "cal-record")
    wait_for(lambda: page.execute_script("return document.getElementById('job-progress').value") > 0.01, 20,
             "the progress bar to move")
    assert not page.execute_script("return document.getElementById('job').hidden")
    page.find_element("id", "job-cancel").click()
    wait_for(lambda: text(page, "message") == "calibration cancelled", 10, "the cancel")
    assert page.execute_script("return document.getElementById('job').hidden")
    assert ui.state()["job"]["state"] == "cancelled" and ui.state()["calibration"] is None


def test_a_calibration_recorded_on_the_page_is_stored_on_the_device(page, ui, emulated):
    click(page, "head-reset")
    job_done(page, "reset-head")
    page.find_element("id", "cal-seconds").clear()
    page.find_element("id", "cal-seconds").send_keys("20")
    page.find_element("id", "cal-standing").clear()
    page.find_element("id", "cal-standing").send_keys("3")
    click(page, "cal-record")
    wait_for(lambda: text(page, "cal-instruction") == "Stand still", 10, "the page to say: stand still")
    wait_for(lambda: text(page, "cal-instruction").startswith("Walk"), 10, "the page to say: walk")
    job_done(page, "calibration", timeout=60)
    summary = text(page, "cal-summary")
    assert "0 samples lost" in summary
    imus = text(page, "cal-imus")
    assert "femur_r" in imus and "calcn_r" in imus
    click(page, "cal-push")
    job_done(page, "push-calibration")
    assert "is running (slot_a" in text(page, "cal-pushed")
    wait_for(lambda: page.execute_script("return document.getElementById('calibration-hint').hidden"), 10,
             "the nominal-calibration hint to go")
    status, blob = ui.request("/api/calibration/person.bin")
    assert status == 200 and blob[:4] == b"KECA"

    # the page with calibrated live traces, for the record
    page.execute_script("window.scrollTo(0, 0)")
    time.sleep(10.0)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.save_screenshot(str(SCREENSHOT))
    sequences = page.execute_script("return window.kinedge.rows.map(r => r[0])")
    assert all(b > a for a, b in zip(sequences, sequences[1:]))  # counting on across the new calibration
    assert text(page, "c-missing") == "0"  # the device restarting its window is not a loss

    # `kinedge info` sees it: the page releases the port, the CLI reads INFO, the page takes it back
    click(page, "release")
    wait_for(lambda: page.execute_script("return window.kinedge.device.state") == "released", 10, "the release")
    answer = run("info", "--port", emulated[1], "--json")
    assert answer.returncode == 0, answer.stderr
    info = json.loads(answer.stdout)
    assert info["calib_source"] == "slot_a" and int(info["calib_crc"], 16) == blob_crc(blob)
    assert info["head_source"] == "default"
    click(page, "reconnect")
    wait_for(lambda: page.execute_script("return window.kinedge.device.state") == "connected", 20, "the reconnect")


def test_bench_and_replay_from_the_page(page, ui, converted_edge, person):
    page.find_element("id", "bench-runs").clear()
    page.find_element("id", "bench-runs").send_keys("12")
    click(page, "bench-run")
    job_done(page, "bench")
    table = text(page, "bench-result")
    for stage in ("frontend", "normalise", "backbone", "head", "instructions"):
        assert stage in table

    page.find_element("id", "replay-file").send_keys(str(person / "test.parquet"))
    click(page, "replay-run")
    job_done(page, "replay", timeout=120)
    result = page.execute_script("return window.kinedge.replay")
    status, blob = ui.request("/api/calibration/person.bin")
    from converter.calibration_blob import CalibrationBlob
    from host_tools.replay import score_against_reference

    model = DeviceModel(converted_edge[0])
    recording = read_recording(person / "test.parquet")
    calibration = CalibrationBlob.from_bytes(blob, model.segments).calibration
    ends, angles, _ = model.run(recording.data[model.channels].to_numpy(np.float32), None, calibration)
    assert result["estimates"] == len(ends)
    expected = score_against_reference(recording, [o["name"] for o in model.card["outputs"]], ends, angles)
    assert result["rmse"] == pytest.approx(expected, abs=1e-9)        # the device's own REPLAY, scored as the CLI does
    assert "RMSE" in text(page, "replay-summary")


def test_a_lost_device_is_shown_and_the_server_keeps_answering(page, ui, emulated):
    _stop(emulated[0])
    wait_for(lambda: page.execute_script("return window.kinedge.device.state") in ("lost", "connecting"), 20,
             "the page to show the device lost")
    assert ui.process.poll() is None
    assert ui.state()["device"]["state"] in ("lost", "connecting")
    wait_for(lambda: text(page, "device-state").startswith("lost"), 20, "the lost state on the page")
    severe = [e for e in page.get_log("browser") if e["level"] == "SEVERE" and e["source"] == "javascript"]
    assert not severe, severe
