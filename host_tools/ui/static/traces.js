// Joint-angle plots on a canvas, with no library: the live traces (one strip per output angle,
// the last `seconds` of the device's estimates, x = the estimate's sample time on the device) and
// the replay overlay (device against reference over a whole recording).
"use strict";

const COLORS = { device: "#1f5f9f", reference: "#999", grid: "#e4e4e4", text: "#333", marker: "#c0392b" };

function niceRange(lo, hi, minSpan) {
  // A y range around the data, at least minSpan wide, on 5-degree steps, so the strips do not jitter.
  if (!isFinite(lo) || !isFinite(hi)) return [-minSpan / 2, minSpan / 2];
  const mid = (lo + hi) / 2, half = Math.max(hi - lo, minSpan) / 2 * 1.1;
  return [Math.floor((mid - half) / 5) * 5, Math.ceil((mid + half) / 5) * 5];
}

function strips(ctx, width, height, count, top) {
  const h = (height - top) / Math.max(count, 1);
  return Array.from({ length: count }, (_, i) => ({ y0: top + i * h, h }));
}

class TraceView {
  constructor(canvas, seconds) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.seconds = seconds;
    this.names = [];
    this.rows = [];      // [sequence, device µs, angle...], oldest first, the last `seconds` only
    this.markers = [];   // {sequence, label}
    this.sampleRate = 100;
    this.hop = 1;
  }

  configure(names, sampleRate, hop) {
    const same = names.join() === this.names.join() && sampleRate === this.sampleRate;
    this.names = names;
    this.sampleRate = sampleRate;
    this.hop = hop;
    if (!same) { this.rows = []; this.markers = []; }
    const wanted = 40 + 100 * Math.max(names.length, 1);
    if (this.canvas.height !== wanted) this.canvas.height = wanted;
  }

  add(rows) {
    for (const row of rows) this.rows.push(row);
    const newest = this.rows.length ? this.rows[this.rows.length - 1][0] : 0;
    const oldest = newest - this.seconds * this.sampleRate;
    let cut = 0;
    while (cut < this.rows.length && this.rows[cut][0] < oldest) cut++;
    if (cut) this.rows.splice(0, cut);
    this.markers = this.markers.filter(m => m.sequence >= oldest);
  }

  mark(label) {
    const newest = this.rows.length ? this.rows[this.rows.length - 1][0] : 0;
    this.markers.push({ sequence: newest, label });
  }

  draw() {
    const { ctx, canvas } = this;
    const W = canvas.width, H = canvas.height, left = 150, right = 10, top = 20;
    ctx.clearRect(0, 0, W, H);
    ctx.font = "12px system-ui, sans-serif";
    if (!this.rows.length) {
      ctx.fillStyle = COLORS.text;
      ctx.fillText("waiting for estimates from the device…", left, H / 2);
      return;
    }
    const newest = this.rows[this.rows.length - 1][0];
    const span = this.seconds * this.sampleRate;
    const x = s => left + (W - left - right) * (1 - (newest - s) / span);
    // time grid: a line every 2 s, labelled in seconds before now
    ctx.fillStyle = COLORS.text;
    for (let back = 0; back <= this.seconds; back += 2) {
      const px = x(newest - back * this.sampleRate);
      ctx.strokeStyle = COLORS.grid;
      ctx.beginPath(); ctx.moveTo(px, top); ctx.lineTo(px, H); ctx.stroke();
      ctx.fillText(back ? `-${back} s` : "now", px - 14, 13);
    }
    strips(ctx, W, H, this.names.length, top).forEach(({ y0, h }, j) => {
      let lo = Infinity, hi = -Infinity;
      for (const r of this.rows) { const v = r[2 + j]; if (v !== null) { lo = Math.min(lo, v); hi = Math.max(hi, v); } }
      const [ymin, ymax] = niceRange(lo, hi, 20);
      const y = v => y0 + h - 6 - (h - 12) * (v - ymin) / (ymax - ymin);
      ctx.strokeStyle = COLORS.grid;
      ctx.strokeRect(left, y0 + 3, W - left - right, h - 6);
      ctx.fillStyle = COLORS.text;
      const last = this.rows[this.rows.length - 1][2 + j];
      ctx.fillText(this.names[j], 6, y0 + h / 2 - 4);
      ctx.fillText(last === null ? "–" : `${last.toFixed(1)}°`, 6, y0 + h / 2 + 12);
      ctx.fillText(`${ymax}°`, left - 34, y0 + 14);
      ctx.fillText(`${ymin}°`, left - 34, y0 + h - 6);
      ctx.strokeStyle = COLORS.device;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      let pen = false, previous = null;
      for (const r of this.rows) {
        const v = r[2 + j];
        // a gap (lost estimates, or the device restarting its window after a new calibration) is not bridged
        if (v === null || (previous !== null && r[0] - previous > 2 * this.hop)) pen = false;
        previous = r[0];
        if (v === null) continue;
        pen ? ctx.lineTo(x(r[0]), y(v)) : ctx.moveTo(x(r[0]), y(v));
        pen = true;
      }
      ctx.stroke();
      ctx.lineWidth = 1;
    });
    ctx.strokeStyle = COLORS.marker;
    ctx.fillStyle = COLORS.marker;
    for (const m of this.markers) {
      const px = x(m.sequence);
      ctx.beginPath(); ctx.moveTo(px, top); ctx.lineTo(px, H); ctx.stroke();
      ctx.fillText(m.label, px + 3, top + 12);
    }
  }
}

function drawOverlay(canvas, result) {
  // Device (blue) against reference (grey) for each joint of a replayed recording, RMSE in the label.
  const series = result.series, t = result.time;
  canvas.height = 30 + 110 * series.length;
  const ctx = canvas.getContext("2d"), W = canvas.width, H = canvas.height, left = 150, right = 10, top = 20;
  ctx.clearRect(0, 0, W, H);
  ctx.font = "12px system-ui, sans-serif";
  if (!t.length) return;
  const t0 = t[0], t1 = Math.max(t[t.length - 1], t0 + 1e-3);
  const x = s => left + (W - left - right) * (s - t0) / (t1 - t0);
  ctx.fillStyle = COLORS.text;
  ctx.fillText(`${t0.toFixed(1)} s`, left, 13);
  ctx.fillText(`${t1.toFixed(1)} s`, W - right - 40, 13);
  strips(ctx, W, H, series.length, top).forEach(({ y0, h }, j) => {
    const s = series[j];
    const values = s.device.concat(s.reference || []).filter(v => v !== null);
    const [ymin, ymax] = niceRange(Math.min(...values), Math.max(...values), 20);
    const y = v => y0 + h - 6 - (h - 12) * (v - ymin) / (ymax - ymin);
    ctx.strokeStyle = COLORS.grid;
    ctx.strokeRect(left, y0 + 3, W - left - right, h - 6);
    ctx.fillStyle = COLORS.text;
    ctx.fillText(s.joint, 6, y0 + h / 2 - 4);
    ctx.fillText(s.rmse === null || s.rmse === undefined ? "no reference" : `RMSE ${s.rmse.toFixed(2)}°`, 6, y0 + h / 2 + 12);
    for (const [key, values] of [["reference", s.reference], ["device", s.device]]) {
      if (!values) continue;
      ctx.strokeStyle = COLORS[key];
      ctx.beginPath();
      let pen = false;
      values.forEach((v, i) => {
        if (v === null) { pen = false; return; }
        pen ? ctx.lineTo(x(t[i]), y(v)) : ctx.moveTo(x(t[i]), y(v));
        pen = true;
      });
      ctx.stroke();
    }
  });
}
