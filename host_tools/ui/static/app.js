// The kinedge page: a WebSocket for the device's estimates and state, fetch() for the buttons.
// Every request carries the access token from this page's URL. `window.kinedge` keeps what the
// page received and when it drew it, for tests and latency measurements.
"use strict";

const TOKEN = new URLSearchParams(location.search).get("token") || "";
const $ = id => document.getElementById(id);
const traces = new TraceView($("traces"), 10);

const kinedge = window.kinedge = {
  client: null, controller: null, device: null, info: null,
  received: 0,          // estimates received by this page
  rows: [],             // every received estimate [sequence, device µs, angles...] (the newest 30000)
  drawn: [],            // [sequence, epoch ms at which it was first drawn] (the newest 30000)
  batches: [],          // [server epoch ms at sending, page epoch ms at receiving, newest sequence] per batch (the newest 5000)
};
let undrawn = [];
let rateWindow = [];    // receive times of recent estimates, for the rate shown

function keepLast(array, n) { if (array.length > n) array.splice(0, array.length - n); }
function now() { return performance.timeOrigin + performance.now(); }

function say(text, isError) {
  $("message").textContent = text || "";
  $("message").className = isError ? "error" : "";
}

async function api(path, options = {}) {
  const headers = Object.assign({ "X-Kinedge-Token": TOKEN, "X-Kinedge-Client": kinedge.client || "" },
                                options.headers || {});
  const response = await fetch(path, Object.assign({}, options, { headers }));
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error || `${response.status} ${response.statusText}`);
  return body;
}

function act(path, body, headers) {
  // The buttons: start an action; its progress and result arrive on the WebSocket.
  say("");
  const options = { method: "POST", headers: headers || { "Content-Type": "application/json" } };
  if (body !== undefined) options.body = body instanceof Blob ? body : JSON.stringify(body);
  return api(path, options).catch(error => say(error.message, true));
}

// --- the WebSocket ----------------------------------------------------------------------------
let socket = null;
function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${location.host}/ws?token=${encodeURIComponent(TOKEN)}`);
  socket.onmessage = event => handle(JSON.parse(event.data));
  socket.onclose = () => {
    showDevice({ state: "lost", port: kinedge.device && kinedge.device.port, error: "the kinedge ui server is not reachable" });
    setTimeout(connect, 2000);
  };
}

function handle(m) {
  switch (m.type) {
    case "hello":
      kinedge.client = m.client;
      showDevice(m.device);
      showCounters(m.counters);
      showControl(m.controller);
      if (m.calibration) showCalibration(m.calibration);
      if (m.job && m.job.state === "running") showJob({ name: m.job.name, state: "running", done: 0, total: 0 });
      break;
    case "angles": onAngles(m); break;
    case "device": showDevice(m); break;
    case "control": showControl(m.controller); break;
    case "job": showJob(m); break;
    case "dropped": $("c-page-dropped").textContent = `${m.batches} batches`; break;
  }
}

function onAngles(m) {
  const t = now();
  kinedge.batches.push([m.host_ms, t, m.rows.length ? m.rows[m.rows.length - 1][0] : null]);
  keepLast(kinedge.batches, 5000);
  for (const row of m.rows) { kinedge.rows.push(row); undrawn.push(row[0]); rateWindow.push(t); }
  keepLast(kinedge.rows, 30000);
  kinedge.received += m.rows.length;
  traces.add(m.rows);
  askFrame();
}

// Redrawing the traces costs the page most of its CPU: at most this many times a second.
const MAX_DRAWS_PER_SECOND = 30;
let lastDraw = 0, frameAsked = false;

function askFrame() {
  // Frames only while there is something to draw: an idle page costs nothing.
  if (!frameAsked) { frameAsked = true; requestAnimationFrame(frame); }
}

function frame(timestamp) {
  // Draw what arrived since the last drawing; note when each estimate was first on screen.
  frameAsked = false;
  if (!undrawn.length) return;
  if (timestamp - lastDraw < 1000 / MAX_DRAWS_PER_SECOND - 2) { askFrame(); return; }
  lastDraw = timestamp;
  traces.draw();
  const t = now();
  for (const s of undrawn) kinedge.drawn.push([s, t]);
  keepLast(kinedge.drawn, 30000);
  undrawn = [];
  const cutoff = t - 2000;
  while (rateWindow.length && rateWindow[0] < cutoff) rateWindow.shift();
  $("c-received").textContent = kinedge.received;
  $("c-rate").textContent = (rateWindow.length / 2).toFixed(1);
}

// --- panels -----------------------------------------------------------------------------------
const INFO_SHOWN = ["firmware", "board", "engine", "model_hash", "segments", "channels", "outputs", "sample_rate_hz",
                    "window", "hop", "head_id", "head_source", "calib_id", "calib_source", "flash_bytes", "ram_bytes",
                    "arena_bytes"];

function table(element, rows, header) {
  element.replaceChildren();
  if (header) {
    const tr = element.insertRow();
    for (const h of header) { const th = document.createElement("th"); th.textContent = h; tr.appendChild(th); }
  }
  for (const row of rows) {
    const tr = element.insertRow();
    row.forEach((value, i) => {
      const cell = i === 0 && !header ? document.createElement("th") : tr.insertCell();
      if (cell.tagName === "TH") tr.appendChild(cell);
      cell.textContent = Array.isArray(value) ? value.join(", ") : value === null || value === undefined ? "–" : value;
      if (typeof value === "number") cell.className = "num";
    });
  }
}

function showDevice(d) {
  kinedge.device = d;
  $("device-state").textContent = d.state === "lost" ? `lost: ${d.error || "no answer"}` :
    d.state === "released" ? "port released (Reconnect takes it back)" : d.state;
  $("device-state").className = `pill ${d.state}`;
  $("device-port").textContent = d.port || "";
  if (d.info) {
    kinedge.info = d.info;
    traces.configure(d.info.outputs, d.info.sample_rate_hz, d.info.hop);
    $("calibration-hint").hidden = d.info.calib_source !== "nominal";
    table($("info"), INFO_SHOWN.filter(k => k in d.info).map(k =>
      [k, k === "channels" ? `${d.info[k].length} (acc + gyro of each segment)` : d.info[k]]));
  }
  if (d.counters) showCounters(d.counters);
  updateButtons();
}

function showCounters(c) {
  $("c-missing").textContent = c.missing_estimates;
  $("c-drops").textContent = c.link_drops ?? "–";
  $("c-late").textContent = c.late_estimates ?? "–";
}

function showControl(controller) {
  kinedge.controller = controller;
  const mine = controller === kinedge.client;
  $("control-state").textContent = mine ? "" : "another page controls the device: this one watches";
  $("take-control").hidden = mine;
  updateButtons();
}

let jobRunning = false;
function updateButtons() {
  const usable = kinedge.controller === kinedge.client && kinedge.device && kinedge.device.state === "connected";
  for (const b of document.querySelectorAll("[data-control]")) {
    b.disabled = b.id === "reconnect" ? kinedge.controller !== kinedge.client : !usable || jobRunning;
  }
}

function showJob(m) {
  jobRunning = m.state === "running";
  $("job").hidden = !jobRunning;
  updateButtons();
  if (jobRunning) {
    $("job-name").textContent = m.name;
    $("job-text").textContent = m.text || "";
    $("job-progress").value = m.total ? m.done / m.total : 0;
    if (m.name === "calibration") {
      $("cal-instruction").hidden = false;
      $("cal-instruction").textContent = m.text ? m.text[0].toUpperCase() + m.text.slice(1) : "";
    }
    return;
  }
  $("cal-instruction").hidden = true;
  if (m.state === "failed") { say(`${m.name} failed: ${m.error}`, true); return; }
  if (m.state === "cancelled") { say(`${m.name} cancelled`); return; }
  const r = m.result;
  if (m.name === "calibration") showCalibration(r);
  if (m.name === "push-calibration") {
    $("cal-pushed").textContent = `calibration ${r.id} is running (${r.after.calib_source}, crc ${r.after.calib_crc}), ` +
      `${r.bytes} bytes in ${r.seconds.toFixed(2)} s`;
    traces.mark(`calibration ${r.id}`);
  }
  if (m.name === "push-head" || m.name === "reset-head") {
    table($("head-change"), ["head_id", "head_crc", "head_source"].map(k => [k, r.before[k], r.after[k]]),
          ["", "before", "after"]);
    traces.mark(m.name === "push-head" ? `head ${r.id}` : "default head");
  }
  if (m.name === "reset-calibration") {
    $("cal-pushed").textContent = `nominal calibration (${r.after.calib_source})`;
    traces.mark("nominal calibration");
  }
  if (m.name === "bench") showBench(r);
  if (m.name === "replay") showReplay(r);
  say(`${m.name}: done`);
}

function showCalibration(r) {
  $("cal-result").hidden = false;
  const s = r.summary;
  $("cal-summary").textContent = `calibration ${r.calibration_id}: ${s.seconds.toFixed(1)} s recorded ` +
    `(${s.standing_s.toFixed(1)} s standing, ${s.walking_s.toFixed(1)} s walking), ${s.lost_samples} samples lost`;
  table($("cal-imus"), r.imus.map(q => [q.imu, q.vertical_from, q.standing_s.toFixed(1), q.walking_s.toFixed(1),
                                        q.axis_share.toFixed(2), q.sign_from]),
        ["IMU", "vertical from", "standing s", "walking s", "axis share", "sign from"]);
}

function showBench(r) {
  const rows = Object.entries(r.per_estimate).map(([stage, v]) =>
    [stage, Math.round(v).toLocaleString("en")].concat(r.per_estimate_us ? [r.per_estimate_us[stage].toFixed(1)] : []));
  rows.push(["total", Math.round(r.total).toLocaleString("en")]);
  table($("bench-result"), rows, ["stage", r.unit].concat(r.per_estimate_us ? ["µs"] : []));
  if (r.unit === "instructions") {
    const note = $("bench-result").insertRow().insertCell();
    note.colSpan = 3;
    note.textContent = "guest instructions counted by QEMU -icount, not Cortex-M4 cycles";
  }
  const mem = $("bench-result").insertRow().insertCell();
  mem.colSpan = 3;
  mem.textContent = `flash ${r.memory.flash_bytes} B, RAM ${r.memory.ram_bytes} B, activations ${r.memory.arena_bytes} B`;
}

function showReplay(r) {
  const scored = Object.entries(r.rmse);
  const mean = scored.length ? scored.reduce((a, [, v]) => a + v, 0) / scored.length : null;
  $("replay-summary").textContent = `${r.file}: ${r.estimates} estimates from ${r.samples} samples; ` +
    (scored.length ? `RMSE ${scored.map(([k, v]) => `${k} ${v.toFixed(2)}°`).join(", ")} (mean ${mean.toFixed(2)}°)`
                   : "the recording has none of the model's angles to compare with");
  $("replay-plot").hidden = false;
  $("replay-legend").hidden = false;
  drawOverlay($("replay-plot"), r);
  kinedge.replay = r;
}

// --- buttons ----------------------------------------------------------------------------------
function file(input) {
  const f = $(input).files[0];
  if (!f) say("choose a file first", true);
  return f;
}

$("reconnect").onclick = () => act("/api/reconnect");
$("release").onclick = () => act("/api/release");
$("take-control").onclick = () => act("/api/control");
$("job-cancel").onclick = () => act("/api/cancel");
$("cal-record").onclick = () => act("/api/calibration/record",
  { seconds: Number($("cal-seconds").value), standing: Number($("cal-standing").value) });
$("cal-push").onclick = () => act("/api/calibration/push");
$("cal-reset").onclick = () => act("/api/calibration/reset");
$("head-push").onclick = () => { const f = file("head-file"); if (f) act("/api/head", f, { "X-Filename": f.name }); };
$("head-reset").onclick = () => act("/api/head/reset");
$("bench-run").onclick = () => act("/api/bench", { runs: Number($("bench-runs").value) });
$("replay-run").onclick = () => { const f = file("replay-file"); if (f) act("/api/replay", f, { "X-Filename": f.name }); };

connect();
