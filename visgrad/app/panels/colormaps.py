"""Heatmap colour maps for light and dark panels; an array's image in one NumPy pass."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtGui import QColor, QImage

from visgrad.app.theme import is_dark


def _lut(stops: list[tuple[float, str]]) -> np.ndarray:
    """256 BGRA colours interpolated between ``stops`` (position, hex colour)."""
    xs = np.array([p for p, _ in stops])
    cols = np.array(
        [[QColor(c).red(), QColor(c).green(), QColor(c).blue()] for _, c in stops], dtype=np.float64
    )
    t = np.linspace(0, 1, 256)
    rgb = np.stack([np.interp(t, xs, cols[:, i]) for i in range(3)], axis=1)
    lut = np.empty((256, 4), dtype=np.uint8)
    lut[:, 0], lut[:, 1], lut[:, 2] = rgb[:, 2], rgb[:, 1], rgb[:, 0]
    lut[:, 3] = 255
    return lut


DIVERGING = _lut(
    [(0.0, "#2166ac"), (0.25, "#67a9cf"), (0.5, "#f7f7f7"), (0.75, "#ef8a62"), (1.0, "#b2182b")]
)
SEQUENTIAL = _lut([(0.0, "#fcfbfd"), (0.35, "#9ecae1"), (0.7, "#3182bd"), (1.0, "#08306b")])
# Dark mode: small magnitudes fade into the dark panel, large ones glow (the light maps'
# near-white end would make a bright block of every small or zero entry).
DIVERGING_DARK = _lut(
    [(0.0, "#7cc0f5"), (0.25, "#2f6a9c"), (0.5, "#2c3038"), (0.75, "#a2452f"), (1.0, "#ff9266")]
)
SEQUENTIAL_DARK = _lut([(0.0, "#2a2e37"), (0.35, "#1f5a8a"), (0.7, "#3d9be0"), (1.0, "#cfe9ff")])
NAN_BGRA = np.array([180, 0, 200, 255], dtype=np.uint8)  # magenta: cannot be read as a value
# As one uint32 per entry (0xAARRGGBB in memory order), like the maps' views heat_image gathers.
NAN32 = NAN_BGRA.view(np.uint32)[0]


@dataclass(frozen=True, slots=True)
class HeatColors:
    """The colour maps and the frame of a heatmap, for a light or a dark panel."""

    sequential: np.ndarray
    diverging: np.ndarray
    background: QColor
    frame: QColor
    text: QColor
    muted: QColor


HEAT_LIGHT = HeatColors(
    SEQUENTIAL,
    DIVERGING,
    QColor("#ffffff"),
    QColor("#bbbbbb"),
    QColor("#333333"),
    QColor("#888888"),
)
HEAT_DARK = HeatColors(
    SEQUENTIAL_DARK,
    DIVERGING_DARK,
    QColor("#22262e"),
    QColor("#4a5161"),
    QColor("#e6e9ef"),
    QColor("#9aa3b2"),
)


def heat_colors(dark: bool | None = None) -> HeatColors:
    """The heatmap colours matching the system's light or dark mode."""
    return HEAT_DARK if (is_dark() if dark is None else dark) else HEAT_LIGHT


def heat_image(
    a2: np.ndarray, colors: HeatColors = HEAT_LIGHT
) -> tuple[QImage, float, float, bool]:
    """A QImage of a 2-D array (one pixel per entry), its colour range and whether it diverges."""
    f = a2 if a2.dtype == np.float32 else np.asarray(a2, dtype=np.float32)
    lo, hi = (float(f.min()), float(f.max())) if f.size else (0.0, 0.0)
    finite: np.ndarray | None = None
    if not (np.isfinite(lo) and np.isfinite(hi)):
        finite = np.isfinite(f)
        vals = f[finite]
        lo, hi = (float(vals.min()), float(vals.max())) if vals.size else (0.0, 0.0)
    diverging = lo < 0 < hi
    if diverging:
        m = max(-lo, hi)
        lo, hi, lut = -m, m, colors.diverging.view(np.uint32).reshape(-1)
    else:
        lut = colors.sequential.view(np.uint32).reshape(-1)
    span = hi - lo
    if span > 0:
        with np.errstate(invalid="ignore"):
            idx = (f - np.float32(lo)) * np.float32(255.0 / span)
            np.clip(idx, 0, 255, out=idx)
        if finite is not None:
            idx[~finite] = 0
        pix = lut[idx.astype(np.uint8)]
    else:
        pix = np.full(f.shape, lut[128], dtype=np.uint32)
    if finite is not None:
        pix[~finite] = NAN32
    pix = np.ascontiguousarray(pix)
    h, w = pix.shape[:2]
    img = QImage(pix.data, w, h, 4 * w, QImage.Format.Format_RGB32).copy()
    return img, lo, hi, diverging
