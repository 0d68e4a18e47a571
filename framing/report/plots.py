"""The report's figures, one public function each: a :class:`~framing.results.Results` in, a Figure out.

Notebooks call the same functions the report does::

    from framing.report import plots
    fig = plots.frame_profile(res)          # displays in Jupyter
    plots.save(fig, "figures", "profile")   # figures/profile.png and .svg

Figures are ``matplotlib.figure.Figure`` objects made without pyplot (no
global state, nothing to close). Arabic labels are plain logical strings:
matplotlib >= 3.11 shapes and orders them.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import MaxNLocator

from ..lexicon import FRAMES, VOICES
from ..results import Results
from . import stats
from .style import (
    FRAME_COLORS,
    HEAT_CMAP,
    NEUTRAL,
    OUTLET_LINE,
    VOICE_COLORS,
    DPI,
    WIDTH_IN,
    figure_style,
    frame_label,
    styled,
    voice_label,
)


def _one(res: Results, doc_id=None) -> Results:
    return stats.article_of(res, doc_id) if doc_id is not None else res


def _frame_axis(ax, labels: list[str] | None = None) -> np.ndarray:
    y = np.arange(len(FRAMES))
    ax.set_yticks(y, labels or [frame_label(f) for f in FRAMES])
    ax.set_ylim(len(FRAMES) - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    return y


def _pct(v: float) -> str:
    return f"{100 * v:.0f}%" if v >= 0.095 or v == 0 else f"{100 * v:.1f}%"


@styled
def frame_profile(res: Results, doc_id=None) -> Figure:
    """Share of sentences carrying each frame (bars, with counts) and the mean frame score (intensity)."""
    r = _one(res, doc_id)
    s = r.sentences
    lab = stats.label_matrix(s)
    n = len(s)
    share = lab.mean().reindex(FRAMES).fillna(0.0) if n else pd.Series(0.0, index=FRAMES)
    count = lab.sum().reindex(FRAMES).fillna(0).astype(int)
    intensity = pd.Series({f: float(s[f"score_{f}"].mean()) if n else 0.0 for f in FRAMES})
    colors = [FRAME_COLORS[f] for f in FRAMES]
    fig = Figure(figsize=(WIDTH_IN, 2.7), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [1.15, 1]})
    y = _frame_axis(ax1)
    ax1.barh(y, share.values * 100, color=colors, height=0.7)
    top = max(100 * share.max(), 10)
    for yi, f in zip(y, FRAMES):
        ax1.text(100 * share[f] + top * 0.02, yi, f"{_pct(share[f])}  ({count[f]}/{n})", va="center", fontsize=8.5,
                 color="#222222")
    ax1.set_xlim(0, top * 1.45)
    ax1.set_title("حصة الجمل التي تحمل الإطار (%)")
    ax1.xaxis.grid(True)
    ax2.barh(y, intensity.values, color=colors, height=0.7)
    for yi, f in zip(y, FRAMES):
        ax2.text(intensity[f] + 0.015, yi, f"{intensity[f]:.2f}", va="center", fontsize=8.5, color="#222222")
    ax2.set_xlim(0, 1)
    ax2.set_title("متوسط درجة الإطار (0–1)")
    ax2.xaxis.grid(True)
    ax2.tick_params(axis="y", length=0)
    return fig


@styled
def frame_trajectory(res: Results, doc_id=None) -> Figure:
    """Sentence position x frame: each cell's colour is the frame score, a dot marks a labelled sentence."""
    r = _one(res, doc_id)
    s = r.sentences
    if s["doc_id"].astype(str).nunique() > 1:
        raise ValueError("frame_trajectory draws one article: pass doc_id")
    s = s.sort_values("sentence")
    n = len(s)
    scores = np.clip(s[[f"score_{f}" for f in FRAMES]].to_numpy(dtype=float).T, 0, 1) if n else np.zeros((6, 0))
    img = np.ones((len(FRAMES), max(n, 1), 3))
    for i, f in enumerate(FRAMES):
        c = np.array(to_rgb(FRAME_COLORS[f]))
        img[i, :n] = 1 - scores[i][:, None] * (1 - c)
    fig = Figure(figsize=(WIDTH_IN, 2.5), layout="constrained")
    ax = fig.subplots()
    idx = s["sentence"].to_numpy() if n else np.array([0])
    ax.imshow(img, aspect="auto", interpolation="nearest",
              extent=(idx.min() - 0.5, idx.min() + max(n, 1) - 0.5, len(FRAMES) - 0.5, -0.5))
    lab = stats.label_matrix(s).to_numpy()
    for i in range(len(FRAMES)):
        xs = idx[lab[:, i]] if n else []
        ax.scatter(xs, [i] * len(xs), s=14, color="#111111", zorder=3, linewidths=0)
    _frame_axis(ax)
    for x in np.arange(idx.min() - 0.5, idx.min() + n, 1):
        ax.axvline(x, color="white", lw=0.6)
    for yv in np.arange(-0.5, len(FRAMES), 1):
        ax.axhline(yv, color="white", lw=1.2)
    step = 1 if n <= 30 else 5 if n <= 150 else 10
    ticks = [v for v in idx if v % step == 0]
    ax.set_xticks(ticks)
    ax.set_xlabel("رقم الجملة في المقال (0 = العنوان)، كما في sentences.csv")
    ax.spines[["left", "bottom"]].set_visible(False)
    ax.set_title("مسار الأطر عبر المقال: لون الخانة = درجة الإطار، والنقطة = الجملة تحمل الإطار", fontsize=10)
    return fig


@styled
def voice_by_frame(res: Results, doc_id=None) -> Figure:
    """For each frame, the voices of the sentences that carry it (stacked shares, counts in the bars)."""
    r = _one(res, doc_id)
    vb = stats.voice_by_frame(r)
    fig = Figure(figsize=(WIDTH_IN, 2.9), layout="constrained")
    ax = fig.subplots()
    rows = ["all", *FRAMES]
    labels = ["كل الجمل", *[frame_label(f) for f in FRAMES]]
    y = np.arange(len(rows))
    left = np.zeros(len(rows))
    tot = vb.loc[rows].sum(axis=1).to_numpy(dtype=float)
    for v in VOICES:
        cnt = vb.loc[rows, v].to_numpy(dtype=float)
        w = np.divide(cnt, tot, out=np.zeros_like(cnt), where=tot > 0)
        ax.barh(y, w * 100, left=left * 100, color=VOICE_COLORS[v], height=0.68, label=voice_label(v),
                edgecolor="white", linewidth=0.6)
        for yi, c, wi, li in zip(y, cnt, w, left):
            if c and wi >= 0.07:
                ax.text((li + wi / 2) * 100, yi, f"{int(c)}", ha="center", va="center", fontsize=8,
                        color="white" if v == "official" else "#111111")
        left += w
    for yi, t in zip(y, tot):
        ax.text(101.5, yi, f"({int(t)})", va="center", fontsize=8, color=NEUTRAL)
    ax.set_yticks(y, labels)
    ax.get_yticklabels()[0].set_fontweight("bold")
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlim(0, 110)
    ax.set_xticks([0, 25, 50, 75, 100], ["0", "25%", "50%", "75%", "100%"])
    ax.tick_params(axis="y", length=0)
    ax.axhline(0.5, color=NEUTRAL, lw=0.6)
    ax.legend(ncols=3, loc="lower center", bbox_to_anchor=(0.5, 1.0), handlelength=1.2)
    ax.set_xlabel("توزيع الجمل التي تحمل الإطار على الأصوات (الأرقام: عدد الجمل، وبين القوسين: مجموعها)")
    return fig


@styled
def prevalence(res: Results, n_boot: int = stats.BOOTSTRAP_RESAMPLES, seed: int = stats.BOOTSTRAP_SEED,
               table: pd.DataFrame | None = None) -> Figure:
    """Prevalence of each frame: share of sentences and share of articles, with 95% bootstrap intervals.

    ``table``: :func:`framing.report.stats.bootstrap_prevalence` computed already (the report also prints it).
    """
    table = stats.bootstrap_prevalence(res, n_boot=n_boot, seed=seed) if table is None else table
    p = table.set_index("frame").reindex(FRAMES)
    colors = [FRAME_COLORS[f] for f in FRAMES]
    fig = Figure(figsize=(WIDTH_IN, 2.8), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    for ax, key, title in ((axes[0], "sentence", "حصة الجمل (%)"), (axes[1], "article", "حصة المقالات (%)")):
        y = _frame_axis(ax)
        val = p[f"{key}_share"].to_numpy() * 100
        lo, hi = p[f"{key}_lo"].to_numpy() * 100, p[f"{key}_hi"].to_numpy() * 100
        ax.barh(y, val, color=colors, height=0.68)
        ax.errorbar(val, y, xerr=[np.maximum(val - lo, 0), np.maximum(hi - val, 0)], fmt="none", ecolor="#111111",
                    elinewidth=1, capsize=2.5)
        top = max(hi.max() if len(hi) else 0, 10)
        for yi, v, h in zip(y, val, hi):
            ax.text(h + top * 0.03, yi, f"{v:.1f}%", va="center", fontsize=8.5)
        ax.set_xlim(0, top * 1.25)
        ax.set_title(title)
        ax.xaxis.grid(True)
    fig.suptitle("انتشار الأطر مع فترات ثقة 95% (بوتستراب على المقالات)", fontsize=10)
    return fig


def _wrap(label: str, width: int = 12) -> str:
    """Break a long label at the space nearest its middle (matplotlib shapes each line)."""
    if len(label) <= width or " " not in label:
        return label
    mid = len(label) // 2
    spaces = [i for i, ch in enumerate(label) if ch == " "]
    i = min(spaces, key=lambda k: abs(k - mid))
    return label[:i] + "\n" + label[i + 1:]


def _frame_columns(ax, n_rows: int) -> None:
    ax.set_xticks(np.arange(len(FRAMES)), [_wrap(frame_label(f)) for f in FRAMES], fontsize=8.5)
    ax.tick_params(axis="x", length=0, pad=8)
    for j, f in enumerate(FRAMES):
        ax.add_patch(Rectangle((j - 0.5, n_rows - 0.5), 1, 0.12 * max(1, n_rows / 6), color=FRAME_COLORS[f],
                               clip_on=False, transform=ax.transData, zorder=4))


def _heat(ax, values: np.ndarray, fmt, vmax: float | None = None, skip_diagonal: bool = False) -> None:
    vmax = vmax if vmax else (values.max() if values.size and values.max() > 0 else 1)
    ax.imshow(values, cmap=HEAT_CMAP, vmin=0, vmax=vmax * 1.25, aspect="auto")
    for (i, j), v in np.ndenumerate(values):
        if skip_diagonal and i == j:
            continue
        ax.text(j, i, fmt(v), ha="center", va="center", fontsize=8.5,
                color="white" if v > vmax * 0.62 else "#111111")
    ax.spines[:].set_visible(False)


@styled
def outlet_heatmap(res: Results) -> Figure:
    """Outlets x frames: the share of each outlet's sentences that carry the frame."""
    o = stats.outlet_shares(res)
    vals = o[list(FRAMES)].to_numpy(dtype=float)
    fig = Figure(figsize=(WIDTH_IN, 0.9 + 0.38 * max(len(o), 2)), layout="constrained")
    ax = fig.subplots()
    _heat(ax, vals * 100, lambda v: f"{v:.0f}%" if v >= 9.5 else f"{v:.1f}%")
    ax.set_yticks(np.arange(len(o)), [f"{name} ({int(a)})" for name, a in zip(o.index, o["articles"])])
    ax.tick_params(axis="y", length=0)
    _frame_columns(ax, len(o))
    ax.set_title("حسب الوسيلة: حصة جمل كل وسيلة التي تحمل الإطار (بين القوسين: عدد المقالات)")
    return fig


MAX_OUTLET_LINES = 8  # more outlets than this: their lines would hide each other, only all outlets together are drawn


@styled
def frames_over_time(res: Results, period: str | None = None) -> Figure:
    """Small multiples, one panel per frame: share of sentences per month or week (all outlets, and each outlet).

    Periods are placed side by side in order; periods without any dated
    article are not drawn. Each tick says how many articles the period has.
    """
    dates = stats.article_dates(res)
    period = period or stats.choose_period(dates)
    if period is None:
        raise ValueError("frames_over_time needs dated articles in two periods or more")
    allp = stats.period_shares(res, period)
    byo = stats.period_shares(res, period, by_outlet=True)
    outlets = sorted(set(byo.index.get_level_values("outlet"))) if len(byo) else []
    pos = {p: i for i, p in enumerate(allp.index)}
    x = np.arange(len(allp))
    fig = Figure(figsize=(WIDTH_IN, 4.3), layout="constrained")
    axes = fig.subplots(2, 3, sharex=True, sharey=True)
    styles = ["-", "--", ":", "-."]
    top = 0.0
    for ax, f in zip(axes.flat, FRAMES):
        if 1 < len(outlets) <= MAX_OUTLET_LINES:
            for k, o in enumerate(outlets):
                sub = byo.xs(o, level="outlet")[f] * 100
                ax.plot([pos[p] for p in sub.index], sub.values, color=OUTLET_LINE, lw=0.8, ls=styles[k % len(styles)],
                        marker=".", ms=3, label=o)
                top = max(top, sub.max())
        vals = allp[f].to_numpy() * 100
        ax.plot(x, vals, color=FRAME_COLORS[f], lw=2.2, marker="o", ms=4, label="كل الوسائل", zorder=3)
        top = max(top, vals.max() if len(vals) else 0)
        ax.set_title(frame_label(f), color="#111111")
        ax.yaxis.grid(True)
    axes.flat[0].set_ylim(0, max(top * 1.08, 5))
    fmt = "%Y-%m" if period == "month" else "%Y-%m-%d"
    many = len(x) > 5
    labels = [f"{d.strftime(fmt)}{' ' if many else chr(10)}({int(n)})" for d, n in zip(allp.index, allp["articles"])]
    for ax in axes[1]:
        ax.set_xticks(x, labels, rotation=90 if many else 0, fontsize=7.5)
    for ax in axes[:, 0]:
        ax.set_ylabel("% من الجمل")
    handles, names = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles[::-1], names[::-1], loc="outside lower center", ncols=min(len(names), 6), fontsize=8)
    fig.suptitle(("حسب الشهر" if period == "month" else "حسب الأسبوع (يوم بدايته)")
                 + ": حصة الجمل التي تحمل كل إطار (بين القوسين: عدد المقالات)", fontsize=10)
    return fig


@styled
def outlet_balance(res: Results) -> Figure:
    """Per outlet: share of sentences with official success claims (right) against coalition failure (left)."""
    b = stats.balance_by_outlet(res)
    a_key, b_key = "official_success", "coalition_failure"
    fig = Figure(figsize=(WIDTH_IN, 1.1 + 0.42 * max(len(b), 2)), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(b))
    right = b[f"share_{a_key}"].to_numpy() * 100
    left = b[f"share_{b_key}"].to_numpy() * 100
    ax.barh(y, right, color=FRAME_COLORS[a_key], height=0.62)
    ax.barh(y, -left, color=FRAME_COLORS[b_key], height=0.62)
    top = max(right.max() if len(right) else 0, left.max() if len(left) else 0, 1)
    for yi, r, lft, na, nb, bal in zip(y, right, left, b[a_key], b[b_key], b["balance"]):
        ax.text(r + top * 0.02, yi, f"{r:.1f}% ({int(na)})", va="center", ha="left", fontsize=8)
        ax.text(-lft - top * 0.02, yi, f"{lft:.1f}% ({int(nb)})", va="center", ha="right", fontsize=8)
        ax.text(top * 1.75, yi, "—" if bal != bal else f"{bal:+.2f}", va="center", ha="right", fontsize=8.5,
                color=NEUTRAL)
    ax.text(top * 1.75, -0.75, "التوازن", ha="right", va="bottom", fontsize=8.5, color=NEUTRAL)
    ax.axvline(0, color=NEUTRAL, lw=0.8)
    ax.set_yticks(y, [f"{o} ({int(n)})" for o, n in zip(b.index, b["sentences"])])
    ax.set_ylim(len(b) - 0.5, -0.9)
    ax.set_xlim(-top * 1.5, top * 1.78)
    ticks = [t for t in MaxNLocator(nbins=6, symmetric=True).tick_values(-top, top) if abs(t) <= top * 1.05]
    ax.set_xticks(ticks, [f"{abs(t):g}%" for t in ticks])
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.legend(handles=[Patch(color=FRAME_COLORS[b_key], label=frame_label(b_key)),
                       Patch(color=FRAME_COLORS[a_key], label=frame_label(a_key))],
              ncols=2, loc="lower center", bbox_to_anchor=(0.5, 1.0))
    ax.set_xlabel("% من جمل الوسيلة (بين القوسين: عدد الجمل)؛ التوازن = (نجاح − فشل) / (نجاح + فشل)")
    return fig


@styled
def cooccurrence(res: Results, unit: str = "sentence") -> Figure:
    """Frames x frames: how many sentences (or articles) carry both frames; the diagonal is each frame's total."""
    m = stats.cooccurrence(res, unit).to_numpy(dtype=float)
    off = m.copy()
    np.fill_diagonal(off, 0)
    fig = Figure(figsize=(WIDTH_IN / 2, 3.35), layout="constrained")
    ax = fig.subplots()
    _heat(ax, off, lambda v: f"{int(v)}", vmax=off.max() if off.max() > 0 else 1, skip_diagonal=True)
    for i in range(len(FRAMES)):
        ax.add_patch(Rectangle((i - 0.5, i - 0.5), 1, 1, facecolor="white", edgecolor=FRAME_COLORS[FRAMES[i]], lw=1.5))
        ax.text(i, i, f"{int(m[i, i])}", ha="center", va="center", fontsize=8.5, fontweight="bold")
    ax.set_yticks(np.arange(len(FRAMES)), [frame_label(f) for f in FRAMES], fontsize=8.5)
    ax.set_xticks(np.arange(len(FRAMES)), [frame_label(f) for f in FRAMES], fontsize=8, rotation=50, ha="right",
                  rotation_mode="anchor")
    ax.tick_params(length=0)
    ax.set_title("داخل الجمل" if unit == "sentence" else "داخل المقالات")
    return fig


def save(fig: Figure, folder: str | Path, name: str) -> dict[str, Path]:
    """Write ``folder/name.svg`` and ``folder/name.png``: one drawing, two files.

    matplotlib lays the figure out and writes the SVG (glyphs as outlines, no
    date inside, so the same results give the same file); the PNG is that SVG
    rasterized at the report's resolution by Typst, which is several times
    faster than drawing the figure a second time.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    svg, png = folder / f"{name}.svg", folder / f"{name}.png"
    with figure_style():
        fig.savefig(svg, format="svg", metadata={"Date": None}, facecolor="white")
    try:
        import typst

        src = b"#set page(width: auto, height: auto, margin: 0pt, fill: white)\n#image(sys.inputs.svg)"
        typst.compile(src, output=str(png), root=str(folder.resolve()), format="png", ppi=DPI,
                      ignore_system_fonts=True, sys_inputs={"svg": svg.name})
    except Exception:  # noqa: BLE001 - a PNG from matplotlib is as good, only slower
        engine = fig.get_layout_engine()
        fig.set_layout_engine("none")  # keep the positions the SVG was drawn with
        try:
            with figure_style():
                fig.savefig(png, format="png", metadata={"Software": None}, dpi=DPI, facecolor="white")
        finally:
            fig.set_layout_engine(engine)
    return {"svg": svg, "png": png}


__all__ = ["frame_profile", "frame_trajectory", "voice_by_frame", "prevalence", "outlet_heatmap",
           "frames_over_time", "outlet_balance", "cooccurrence", "save"]
