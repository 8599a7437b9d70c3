"""Plots and one self-contained HTML page for a results folder (`kinedge report DIR`)."""
from __future__ import annotations

import base64
import html
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .data.atomic import atomic_path, write_text_atomic  # noqa: E402
from .results import collect, markdown_table  # noqa: E402

COLORS = {"single-user": "#1b9e77", "transfer-full": "#7570b3", "transfer-head": "#66a61e",
          "multi-user": "#d95f02", "baseline-offset": "#666666", "baseline": "#999999"}


def _save(fig, path: Path) -> Path:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=90, format="png")
    plt.close(fig)
    return path


def plot_rmse_bars(summary: dict, path: Path) -> Path:
    approaches = list(summary)
    joints = list(next(iter(summary.values()))["joints"])
    fig, ax = plt.subplots(figsize=(10, 4.2))
    width = 0.8 / len(approaches)
    for i, approach in enumerate(approaches):
        means = [summary[approach]["joints"][j]["rmse_deg"]["mean"] for j in joints]
        sds = [summary[approach]["joints"][j]["rmse_deg"]["sd"] for j in joints]
        ax.bar(np.arange(len(joints)) + (i - (len(approaches) - 1) / 2) * width, means, width, yerr=sds,
               label=approach, color=COLORS.get(approach), capsize=2)
    ax.set_xticks(np.arange(len(joints)), joints)
    ax.set_ylabel("RMSE (deg), mean ± sd over subjects")
    ax.legend(fontsize=8)
    ax.set_title("Accuracy per approach and joint")
    fig.tight_layout()
    return _save(fig, path)


def plot_curves(out: Path, subject: str, path: Path, seconds: float = 6.0, hop_s: float = 0.02) -> Path | None:
    """Predicted vs reference angles over the first test stretch of one subject's first trial."""
    runs = {p.parent.name: np.load(p) for p in sorted(Path(out).glob(f"runs/*/{subject}.npz"))}
    if not runs:
        return None
    first = next(iter(runs.values()))
    targets = [str(t) for t in first["targets"]]
    trial = str(first["trial"][0])
    fig, axes = plt.subplots(len(targets), 1, figsize=(10, 1.9 * len(targets)), sharex=True)
    for j, (ax, name) in enumerate(zip(np.atleast_1d(axes), targets)):
        for k, (approach, run) in enumerate(runs.items()):
            keep = run["trial"] == trial
            n = min(int(seconds / hop_s), int(keep.sum()))
            t = np.arange(n) * hop_s
            if k == 0:
                ax.plot(t, run["y_true"][keep][:n, j], color="black", lw=2, label="reference")
            ax.plot(t, run["y_pred"][keep][:n, j], lw=1, color=COLORS.get(approach), label=approach)
        ax.set_ylabel(f"{name}\n(deg)", fontsize=8)
    np.atleast_1d(axes)[0].legend(fontsize=7, ncol=3, loc="upper right")
    np.atleast_1d(axes)[-1].set_xlabel(f"time into the test part of {trial} (s)")
    fig.tight_layout()
    return _save(fig, path)


def plot_combos(ranking: dict, path: Path) -> Path:
    names = ranking["overall"][::-1]
    means = [ranking["results"][n]["mean_rmse_deg"]["mean"] for n in names]
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(names) + 1.2))
    colors = ["#d95f02" if n == "femur+calcn" else "#7570b3" for n in names]
    ax.barh(names, means, color=colors)
    ax.set_xlabel("mean RMSE over joints (deg)")
    ax.set_title("IMU combinations, best at the top (femur+calcn highlighted)")
    fig.tight_layout()
    return _save(fig, path)


def _img(path: Path) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode()
    return f'<img alt="{html.escape(Path(path).stem)}" src="data:image/png;base64,{data}">'


def _table(markdown: str) -> str:
    rows = [r for r in markdown.strip().splitlines() if r.startswith("|") and not r.startswith("|---")]
    out = ["<table>"]
    for i, row in enumerate(rows):
        cells = [html.escape(c.strip()) for c in row.strip("|").split("|")]
        tag = "th" if i == 0 else "td"
        out.append("<tr>" + "".join(f"<{tag}>{c}</{tag}>" for c in cells) + "</tr>")
    return "\n".join(out + ["</table>"])


def build_report(out: Path) -> Path:
    out = Path(out)
    has_runs, has_combos = any(out.glob("runs/*/*.json")), (out / "combos.json").exists()
    if not has_runs and not has_combos:
        seeds = sorted(p.name for p in out.glob("seed-*") if any(p.glob("runs/*/*.json")))
        if seeds:  # a grid of several seeds: one experiment folder each, their mean ± sd in results.md
            raise FileNotFoundError(f"{out} holds one results folder per seed ({', '.join(seeds)}): report one of "
                                    f"them, e.g. {out / seeds[0]}; the mean ± sd over seeds is in {out / 'results.md'}")
        raise FileNotFoundError(f"{out} has no results yet (runs/*/*.json or combos.json)")
    figures = out / "figures"
    parts = ["<h1>kinedge results</h1>", f"<p>{html.escape(str(out))}</p>"]
    if has_runs:
        summary = collect(out)
        parts += ["<h2>Accuracy</h2><p>RMSE in degrees, mean ± sd over held-out subjects; every approach is scored "
                  "on the last part of each of the subject's trials.</p>", _table(markdown_table(summary)),
                  _img(plot_rmse_bars(summary, figures / "rmse_by_approach.png"))]
        subjects = next(iter(summary.values()))["subjects"]
        curves = plot_curves(out, subjects[0], figures / f"curves_{subjects[0]}.png")
        if curves:
            parts += [f"<h2>Held-out subject {html.escape(subjects[0])}</h2>", _img(curves)]
    if has_combos:
        from .combos import ranking_table

        ranking = json.loads((out / "combos.json").read_text())
        parts += ["<h2>IMU combinations</h2>", _table(ranking_table(ranking).split("\n\n")[0]),
                  f"<p>Best pair: {html.escape(str(ranking.get('best_pair')))} (seed paper: femur+calcn).</p>",
                  _img(plot_combos(ranking, figures / "combos.png"))]
    style = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
             "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;"
             "font-size:13px;text-align:right}th{background:#f0f0f0}img{max-width:100%}")
    page = f"<!doctype html><html><head><meta charset='utf-8'><title>kinedge results</title><style>{style}</style></head><body>" \
           + "\n".join(parts) + "</body></html>"
    write_text_atomic(out / "report.html", page)
    return out / "report.html"
