"""One visual style for every report figure and page: colours per frame and voice, fonts, labels.

The frame colours are Paul Tol's colour-blind-safe "bright" scheme; every
figure, the legend of the report and the highlighted cue words use the same
colour for the same frame. Text is set in Amiri (SIL Open Font Licence, from
the ``fontpkg-amiri`` wheel), which has Arabic and Latin glyphs; matplotlib
(>= 3.11) shapes Arabic and orders it right to left itself, so labels are
passed as plain logical strings.
"""
from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache, wraps
from pathlib import Path

from ..lexicon import FRAMES, VOICES

FRAME_COLORS = {
    "coalition_failure": "#EE6677",  # red
    "official_success": "#4477AA",   # blue
    "threat": "#AA3377",             # purple
    "civilian_harm": "#CCBB44",      # yellow
    "military_progress": "#228833",  # green
    "diplomacy": "#66CCEE",          # cyan
}
FRAME_LABELS_AR = {
    "coalition_failure": "فشل التحالف",
    "official_success": "ادعاءات النجاح الرسمية",
    "threat": "التهديد",
    "civilian_harm": "الخسائر المدنية",
    "military_progress": "التقدم الميداني",
    "diplomacy": "التنسيق الدبلوماسي",
}
FRAME_LABELS_EN = {
    "coalition_failure": "coalition failure",
    "official_success": "official success claims",
    "threat": "threat",
    "civilian_harm": "civilian harm",
    "military_progress": "military progress",
    "diplomacy": "diplomacy",
}
VOICE_COLORS = {"authorial": "#BBBBBB", "official": "#332288", "other_source": "#DDAA33"}
VOICE_LABELS_AR = {"authorial": "صوت الوسيلة", "official": "مصدر رسمي", "other_source": "مصدر آخر"}
VOICE_LABELS_EN = {"authorial": "authorial", "official": "official", "other_source": "other source"}
NEUTRAL = "#555555"      # axes, text, "all" bars
OUTLET_LINE = "#999999"  # per-outlet lines in small multiples
HEAT_CMAP = "Greys"      # heat maps whose colour is a share or a count, not a frame

FONT_FAMILY = "Amiri"
FONT_SIZE = 10
DPI = 250                # PNG resolution (the PDF embeds the PNG)
WIDTH_IN = 6.7           # a full text width of the A4 report, in inches

for _key in FRAMES:
    assert _key in FRAME_COLORS and _key in FRAME_LABELS_AR, f"no style for frame {_key}"
for _key in VOICES:
    assert _key in VOICE_COLORS and _key in VOICE_LABELS_AR, f"no style for voice {_key}"


def frame_color(frame: str) -> str:
    return FRAME_COLORS.get(frame, NEUTRAL)


def frame_label(frame: str, english: bool = False) -> str:
    """The frame's Arabic name (``english=True``: the Arabic name, then the English one)."""
    ar = FRAME_LABELS_AR.get(frame, frame)
    return f"{ar} ({FRAME_LABELS_EN.get(frame, frame)})" if english else ar


def voice_label(voice: str) -> str:
    return VOICE_LABELS_AR.get(voice, voice)


def tint(color: str, amount: float = 0.6) -> str:
    """``color`` mixed with white (``amount`` = share of white): backgrounds behind text."""
    c = color.lstrip("#")
    rgb = [int(c[i:i + 2], 16) for i in (0, 2, 4)]
    return "#" + "".join(f"{round(v + (255 - v) * amount):02X}" for v in rgb)


def font_dir() -> Path:
    """The folder holding Amiri's .ttf files (from the ``fontpkg-amiri`` wheel)."""
    try:
        import fontpkg_amiri
        root = Path(fontpkg_amiri.ROOT)
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise RuntimeError("the report needs the Amiri font: pip install fontpkg-amiri") from exc
    for d in (root / "files", root):
        if any(d.glob("*.ttf")):
            return d
    found = sorted(root.rglob("*.ttf"))
    if not found:
        raise RuntimeError(f"no .ttf file under {root}")
    return found[0].parent


@lru_cache(maxsize=1)
def register_fonts() -> str:
    """Register Amiri with matplotlib's font manager (once) and return the family name."""
    from matplotlib import font_manager

    for ttf in sorted(font_dir().glob("*.ttf")):
        font_manager.fontManager.addfont(str(ttf))
    return FONT_FAMILY


def rc() -> dict:
    """matplotlib rcParams of the report style."""
    register_fonts()
    return {
        "font.family": [FONT_FAMILY, "DejaVu Sans"],
        "font.size": FONT_SIZE,
        "axes.titlesize": FONT_SIZE + 1,
        "axes.labelsize": FONT_SIZE,
        "axes.edgecolor": NEUTRAL,
        "axes.labelcolor": "#222222",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.axisbelow": True,
        "axes.grid": False,
        "grid.color": "#E5E5E5",
        "xtick.color": NEUTRAL,
        "ytick.color": NEUTRAL,
        "legend.frameon": False,
        "legend.fontsize": FONT_SIZE - 1,
        "text.parse_math": False,   # a "$" in an outlet name or a sentence is a dollar sign
        "axes.unicode_minus": False,
        "svg.fonttype": "path",     # SVGs carry glyph outlines: no font needed to view them
        "svg.hashsalt": "framing",  # reproducible SVG ids
        "figure.dpi": 100,
        "savefig.dpi": DPI,
        "figure.facecolor": "white",
    }


@contextmanager
def figure_style():
    """``with figure_style(): ...``: the report style for figures made inside the block."""
    import matplotlib

    with matplotlib.rc_context(rc()):
        yield


def styled(fn):
    """Decorator: run a plotting function under the report style."""
    @wraps(fn)
    def wrapper(*args, **kwargs):
        with figure_style():
            return fn(*args, **kwargs)
    return wrapper


__all__ = ["FRAME_COLORS", "FRAME_LABELS_AR", "FRAME_LABELS_EN", "VOICE_COLORS", "VOICE_LABELS_AR",
           "VOICE_LABELS_EN", "frame_color", "frame_label", "voice_label", "tint", "font_dir", "register_fonts",
           "rc", "figure_style", "styled"]
