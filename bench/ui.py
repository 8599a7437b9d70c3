"""`kinedge ui` while it streams, measured end to end on this machine with the emulated device:
- latency from a sample entering the emulated IMU link to its estimate drawn on the page. The
  feeder notes when each sample left (time.time()); the page notes when it first drew each estimate
  (performance.timeOrigin + performance.now(): the same wall clock). An estimate is keyed by its
  window's newest sample, the one whose arrival made it due. Median, p95, max; and where the time
  goes: sample -> the server sends the estimate's batch (emulated link, device, serial, batching),
  -> the page receives it (WebSocket), -> drawn (the next animation frame);
- the page's CPU while streaming: Chrome's own main-thread busy time for the page
  (Performance.getMetrics TaskDuration, ScriptDuration) and the CPU time of every Chromium process
  (/proc), per second of streaming; and the `kinedge ui` server's CPU time;
- estimates the page received against those the device sent.
Writes bench/results/ui.json. Needs runs/bench-convert/ptq (bench/train.py, bench/convert.py),
arm-none-eabi-gcc, qemu-system-arm, chromium and chromium-driver."""
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from common import PROJECT, write_result

sys.path.insert(0, str(PROJECT / "tests"))
import headless_browser  # noqa: E402

from firmware import synthetic_walk  # noqa: E402  (bench/firmware.py: the same synthetic walk)
from host_tools.emulator import Emulator, ImuFeeder, build_firmware  # noqa: E402

BUNDLE = PROJECT / "runs" / "bench-convert" / "ptq"
KINEDGE = Path(sys.executable).with_name("kinedge")
WARM_UP_S, MEASURE_S, IDLE_S = 5.0, 30.0, 5.0
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


def chromium_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if "chrom" in (entry / "comm").read_text():
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


def page_metrics(browser) -> dict:
    answer = browser.execute_cdp_cmd("Performance.getMetrics", {})
    return {m["name"]: m["value"] for m in answer["metrics"]}


def percentiles(values_ms) -> dict:
    v = np.asarray(values_ms, dtype=float)
    return {"median": round(float(np.median(v)), 1), "p95": round(float(np.percentile(v, 95)), 1),
            "max": round(float(v.max()), 1), "n": int(len(v))}


def main() -> None:
    why = headless_browser.missing()
    if why:
        sys.exit(f"no headless browser: {why}")
    if not (BUNDLE / "c" / "model_aot.c").exists():
        sys.exit(f"{BUNDLE} is missing: run bench/train.py and bench/convert.py first")
    walk = synthetic_walk(6000)
    with tempfile.TemporaryDirectory() as folder:
        elf = build_firmware(BUNDLE, Path(folder) / "build")
        with Emulator(elf, Path(folder) / "device") as emulator:
            server = subprocess.Popen([str(KINEDGE), "ui", "--port", emulator.url, "--listen", "127.0.0.1:0"],
                                      stdout=subprocess.PIPE, text=True)
            url = next(line.split()[1] for line in server.stdout if line.startswith("open: "))
            browser = headless_browser.start()
            try:
                result = measure(browser, url, emulator, walk, server.pid)
            finally:
                browser.quit()
                server.terminate()
                server.wait(20)
    write_result("ui", result)


def measure(browser, url: str, emulator, walk: np.ndarray, server_pid: int) -> dict:
    js = browser.execute_script
    browser.get(url)
    deadline = time.monotonic() + 30
    while js("return window.kinedge.device && window.kinedge.device.state") != "connected":
        if time.monotonic() > deadline:
            raise RuntimeError("the page did not connect to the device")
        time.sleep(0.1)
    browser.execute_cdp_cmd("Performance.enable", {})
    info = js("return window.kinedge.info")
    # the page open with the device connected but its IMUs silent: what Chromium costs doing nothing
    idle_pids = chromium_pids()
    idle0, idle_wall0 = cpu_seconds(idle_pids), time.monotonic()
    time.sleep(IDLE_S)
    idle_share = (cpu_seconds(idle_pids) - idle0) / (time.monotonic() - idle_wall0)
    feeder = ImuFeeder(emulator.imu_url, walk, rate=100.0, loop=True, record_times=True).start()
    try:
        time.sleep(WARM_UP_S)
        first_row = js("return window.kinedge.rows.length")
        chrome_pids = chromium_pids()
        cpu0, server0, metrics0, wall0 = cpu_seconds(chrome_pids), cpu_seconds([server_pid]), page_metrics(browser), \
            time.monotonic()
        time.sleep(MEASURE_S)
        cpu1, server1, metrics1, wall1 = cpu_seconds(chrome_pids), cpu_seconds([server_pid]), page_metrics(browser), \
            time.monotonic()
        time.sleep(1.0)  # let the last estimates arrive before reading what the page has
        rows = js("return window.kinedge.rows")[first_row:]
        drawn = dict(js("return window.kinedge.drawn"))
        batches = js("return window.kinedge.batches")
    finally:
        feeder.stop()
    sent_at = np.asarray(feeder.sent_at)
    wall = wall1 - wall0
    sequences = [r[0] for r in rows if r[0] < len(sent_at)]
    first, last = sequences[0], sequences[-1]
    expected = (last - first) // info["hop"] + 1
    latency = [drawn[s] - sent_at[s] * 1000.0 for s in sequences if s in drawn]
    to_server = [b[0] - sent_at[b[2]] * 1000.0 for b in batches if b[2] is not None and first <= b[2] <= last]
    to_page = [b[1] - b[0] for b in batches if b[2] is not None and first <= b[2] <= last]
    newest_drawn = [drawn[b[2]] - b[1] for b in batches if b[2] in drawn and first <= b[2] <= last]
    busy = {k: round((metrics1[k] - metrics0[k]) / wall, 4) for k in ("TaskDuration", "ScriptDuration",
                                                                      "LayoutDuration", "RecalcStyleDuration")}
    return {
        "what": "kinedge ui against the emulated device (QEMU mps2-an386), headless Chromium, "
                f"{MEASURE_S:g} s of streaming at 100 samples/s after {WARM_UP_S:g} s warm-up, all on this machine",
        "estimates": {"device_sent": int(expected), "page_received": len(set(sequences)),
                      "received_share": round(len(set(sequences)) / expected, 4),
                      "per_second": round(len(sequences) / ((last - first) / info["sample_rate_hz"]), 2)},
        "latency_ms": {
            "sample_to_drawn": percentiles(latency),
            "sample_to_server_sends_batch": percentiles(to_server),
            "server_sends_to_page_receives": percentiles(to_page),
            "page_receives_to_drawn": percentiles(newest_drawn),
        },
        "page_cpu": {
            "main_thread_busy_share": busy,
            "all_chromium_processes_cpu_share": round((cpu1 - cpu0) / wall, 4),
            "all_chromium_processes_cpu_share_idle": round(idle_share, 4),
            "draws_per_second_at_most": 30,
            "note": "share of one CPU core per second of streaming (1.0 = a whole core)",
        },
        "server_cpu_share": round((server1 - server0) / wall, 4),
        "server_sends": "each estimate as it arrives; batched only beyond 40 ms of backlog",
    }


if __name__ == "__main__":
    main()
