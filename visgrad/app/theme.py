"""Colours, fonts, icons and the stylesheet: one place that decides how the debugger looks.

The theme follows the system palette (light or dark) at start-up; the graph colours are chosen so
the roles of tensors (parameter, leaf, input, output) and the gradient stay apart in both.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QFont, QIcon, QPalette
from PySide6.QtWidgets import QApplication

from visgrad._resources import resource_path

UI_FONT = "DejaVu Sans"
MONO_FONT = "DejaVu Sans Mono"


@dataclass(frozen=True)
class GraphColors:
    """Colours of the graph scene."""

    background: QColor
    grid: QColor
    node_fill: QColor
    node_text: QColor
    muted_text: QColor
    border: QColor
    fn_fill: QColor
    fn_text: QColor
    fn_border: QColor
    edge: QColor
    parameter: QColor
    leaf: QColor
    input: QColor
    output: QColor
    grad: QColor
    executed: QColor
    current: QColor
    selected: QColor
    marks: dict[str, QColor]
    group: QColor  # module groups: outline and title of a box, accent of a closed group
    group_fill: QColor  # a closed group's card
    search: QColor  # search matches


def _c(hex_: str, alpha: int = 255) -> QColor:
    c = QColor(hex_)
    c.setAlpha(alpha)
    return c


LIGHT = GraphColors(
    background=_c("#f4f5f7"),
    grid=_c("#e3e6eb"),
    node_fill=_c("#ffffff"),
    node_text=_c("#1d2330"),
    muted_text=_c("#6b7280"),
    border=_c("#c7ccd4"),
    fn_fill=_c("#eef1f6"),
    fn_text=_c("#2c3444"),
    fn_border=_c("#9aa3b2"),
    edge=_c("#98a1ae"),
    parameter=_c("#d97706"),
    leaf=_c("#0e9f8e"),
    input=_c("#8b95a5"),
    output=_c("#7c3aed"),
    grad=_c("#e0452b"),
    executed=_c("#e0452b", 40),
    current=_c("#2563eb"),
    selected=_c("#0ea5e9"),
    marks={
        "nan": _c("#dc2626"),
        "error": _c("#dc2626"),
        "gradcheck-bad": _c("#dc2626"),
        "gradcheck-ok": _c("#16a34a"),
        "breakpoint": _c("#dc2626"),
    },
    group=_c("#5a6a8a"),
    group_fill=_c("#e9edf5"),
    search=_c("#f59e0b"),
)

DARK = GraphColors(
    background=_c("#1b1e24"),
    grid=_c("#262a32"),
    node_fill=_c("#262a33"),
    node_text=_c("#e6e9ef"),
    muted_text=_c("#9aa3b2"),
    border=_c("#424958"),
    fn_fill=_c("#2f3440"),
    fn_text=_c("#d8dde6"),
    fn_border=_c("#5b6475"),
    edge=_c("#687183"),
    parameter=_c("#f59e0b"),
    leaf=_c("#2dd4bf"),
    input=_c("#7d8799"),
    output=_c("#a78bfa"),
    grad=_c("#ff6b4a"),
    executed=_c("#ff6b4a", 46),
    current=_c("#60a5fa"),
    selected=_c("#38bdf8"),
    marks={
        "nan": _c("#f87171"),
        "error": _c("#f87171"),
        "gradcheck-bad": _c("#f87171"),
        "gradcheck-ok": _c("#4ade80"),
        "breakpoint": _c("#f87171"),
    },
    group=_c("#8fa3c8"),
    group_fill=_c("#2b3242"),
    search=_c("#fbbf24"),
)


def is_dark(palette: QPalette | None = None) -> bool:
    """True when the window background of the (application) palette is dark."""
    if palette is None:
        app = QApplication.instance()
        palette = app.palette() if isinstance(app, QApplication) else QPalette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def graph_colors(dark: bool | None = None) -> GraphColors:
    """The graph palette matching the system's light or dark mode."""
    return DARK if (is_dark() if dark is None else dark) else LIGHT


def role_color(colors: GraphColors, role: str) -> QColor | None:
    """Accent colour of a tensor role (None for plain intermediates)."""
    return {
        "parameter": colors.parameter,
        "leaf": colors.leaf,
        "input": colors.input,
        "output": colors.output,
    }.get(role)


def ui_font(size: float = 9.5, bold: bool = False) -> QFont:
    f = QFont(UI_FONT)
    f.setPointSizeF(size)
    f.setBold(bold)
    return f


def mono_font(pixel_size: int = 10, bold: bool = False) -> QFont:
    f = QFont(MONO_FONT)
    f.setPixelSize(pixel_size)
    f.setBold(bold)
    f.setStyleHint(QFont.StyleHint.Monospace)
    return f


def overview_color(colors: GraphColors, group: str) -> QColor:
    """The colour of a node's rectangle in the zoomed-out overview and the minimap: ``group`` is
    "f" (a function), "g" (a closed module group) or a tensor's role."""
    if group == "f":
        return colors.fn_border
    if group == "g":
        return colors.group
    return role_color(colors, group) or colors.border


def label_font(pixel_size: int = 11, bold: bool = False) -> QFont:
    f = QFont(UI_FONT)
    f.setPixelSize(pixel_size)
    f.setBold(bold)
    return f


_icon_cache: dict[tuple[str, bool], QIcon] = {}


def icon(name: str) -> QIcon:
    """An icon from ``resources/icons`` (``name-dark.svg`` is used in dark mode when present)."""
    dark = is_dark()
    key = (name, dark)
    if key not in _icon_cache:
        path = resource_path("icons", f"{name}-dark.svg") if dark else None
        if path is None or not path.is_file():
            path = resource_path("icons", f"{name}.svg")
        _icon_cache[key] = QIcon(str(path)) if path.is_file() else QIcon()
    return _icon_cache[key]


def apply_app_style(app: QApplication) -> None:
    """Pin the fonts (stable screenshots) and load the stylesheet with the palette's accents."""
    app.setFont(ui_font())
    qss = resource_path("styles", "app.qss")
    if not qss.is_file():
        return
    colors = graph_colors()
    text = qss.read_text(encoding="utf-8")
    subst = {
        "@accent": colors.current.name(),
        "@grad": colors.grad.name(),
        "@border": colors.border.name(),
        "@panel": colors.node_fill.name(),
        "@canvas": colors.background.name(),
        "@muted": colors.muted_text.name(),
        "@text": colors.node_text.name(),
        "@subtle": colors.fn_fill.name(),
    }
    # Longest names first so "@accent" never eats part of a longer placeholder.
    for k in sorted(subst, key=len, reverse=True):
        text = text.replace(k, subst[k])
    app.setStyleSheet(text)
