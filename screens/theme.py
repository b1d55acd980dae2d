"""Sizes and colours, generated as one Qt style sheet.

Sizes come from millimetres on the configured panel (kiosk-ux.md §4): every
touch target >= 20 mm (Colle & Hiszem 2004: no performance loss from 20 mm),
body text ~7 mm. Care mode (适老化/关怀模式) scales text by 1.4 (9.8 mm body: kiosk-ux.md
§4.2 recommends >= 9-10 mm; WeChat's 关怀模式 uses x1.4 — 1.5 did not fit a 1280 x 800 panel) and
switches to a high-contrast dark palette; tests compute the WCAG contrast of
every text/background pair below (>= 4.5:1 required, both palettes are far above).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

# Default panel: 21.5" 1920x1080 (~102 ppi) = 4.0 px/mm. The kiosk uses the
# configured [display] section instead (KioskConfig.display.px_per_mm).
PX_PER_MM = 4.0
CARE_SCALE = 1.4
TOUCH_TARGET_MM = 20.0

FONT_FAMILY = '"Noto Sans CJK SC", "Noto Sans CJK TC", "WenQuanYi Micro Hei", sans-serif'


@dataclass(frozen=True)
class Palette:
    paper: str       # screen background
    ink: str         # body text
    muted: str       # hints
    accent: str      # titles, borders, primary buttons' background
    on_accent: str   # text on primary buttons and the top bar
    panel: str       # secondary buttons, read-only fields, status bar
    error: str
    ok: str
    disabled_text: str
    disabled_bg: str

    def text_pairs(self) -> dict[str, tuple[str, str]]:
        """Every (foreground, background) pair the style sheet puts text on."""
        return {
            "body": (self.ink, self.paper), "hint": (self.muted, self.paper),
            "title": (self.accent, self.paper), "error": (self.error, self.paper),
            "ok": (self.ok, self.paper), "primary button": (self.on_accent, self.accent),
            "top bar": (self.on_accent, self.accent), "secondary button": (self.ink, self.panel),
            "status bar": (self.ink, self.panel), "disabled button": (self.disabled_text, self.disabled_bg),
        }


NORMAL = Palette(paper="#ffffff", ink="#111111", muted="#3d3d3d", accent="#0b3a75", on_accent="#ffffff",
                 panel="#eef2f7", error="#a40000", ok="#0f5a1f", disabled_text="#595959",
                 disabled_bg="#f2f2f2")
# High contrast for care mode: light text on black, yellow primary actions.
HIGH_CONTRAST = Palette(paper="#000000", ink="#ffffff", muted="#e6e6e6", accent="#ffd400", on_accent="#000000",
                        panel="#1f1f1f", error="#ff8a80", ok="#7dff8a", disabled_text="#bdbdbd",
                        disabled_bg="#2b2b2b")


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of #rrggbb."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(foreground: str, background: str) -> float:
    high, low = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def px_per_mm(width_px: int, height_px: int, diagonal_in: float) -> float:
    return math.hypot(width_px, height_px) / diagonal_in / 25.4


@dataclass(frozen=True)
class Theme:
    care_mode: bool = False
    px_per_mm: float = PX_PER_MM

    @property
    def scale(self) -> float:
        return CARE_SCALE if self.care_mode else 1.0

    @property
    def palette(self) -> Palette:
        return HIGH_CONTRAST if self.care_mode else NORMAL

    def mm(self, millimetres: float) -> int:
        return round(millimetres * self.px_per_mm * self.scale)

    def unscaled_mm(self, millimetres: float) -> int:
        return math.ceil(millimetres * self.px_per_mm)

    @property
    def touch_px(self) -> int:
        """Smallest touch target (both directions), in pixels. 20 mm is already
        far above the elder-version 60 dp rule, so care mode grows targets only
        as far as its larger text needs (the button's size follows its text)."""
        return self.unscaled_mm(TOUCH_TARGET_MM)

    @property
    def margin_px(self) -> int:
        """A screen's side margin (not scaled: care mode needs the room for its text)."""
        return self.unscaled_mm(10)

    @property
    def gap_px(self) -> int:
        """Vertical gap between a screen's parts, and its top and bottom margin."""
        return self.unscaled_mm(3)

    @property
    def body_px(self) -> int:
        return self.mm(7)

    @property
    def title_px(self) -> int:
        return self.mm(10)

    @property
    def small_px(self) -> int:
        return self.mm(5.5)

    def style_sheet(self) -> str:
        p = self.palette
        body, title, small = self.body_px, self.title_px, self.small_px
        touch = self.touch_px
        border = 3 if self.care_mode else 2
        return f"""
        QWidget {{ font-family: {FONT_FAMILY}; font-size: {body}px; color: {p.ink}; background: {p.paper}; }}
        QLabel#title {{ font-size: {title}px; font-weight: bold; color: {p.accent}; }}
        QLabel#subtitle {{ font-size: {body}px; color: {p.muted}; }}
        QLabel#hint {{ font-size: {small}px; color: {p.muted}; }}
        QLabel#error {{ font-size: {body}px; color: {p.error}; }}
        QLabel#fieldError {{ font-size: {small}px; color: {p.error}; }}
        QLabel#ok {{ font-size: {body}px; color: {p.ok}; }}
        QLabel#bigNumber {{ font-size: {self.mm(13)}px; font-weight: bold; color: {p.accent}; }}
        QLabel#appLoginUserCode {{ font-size: {title}px; font-weight: bold; color: {p.accent}; }}
        QLabel#steps {{ font-size: {small}px; color: {p.muted}; }}
        QLabel#stepCurrent {{ font-size: {small}px; color: {p.accent}; font-weight: bold; }}
        QFrame#topBar, QFrame#topBar QLabel, QFrame#topBar QPushButton {{ background: {p.accent}; color: {p.on_accent}; }}
        QFrame#topBar QLabel {{ font-size: {small}px; }}
        QFrame#statusBar, QFrame#statusBar QLabel {{ background: {p.panel}; color: {p.ink}; font-size: {small}px; }}
        QFrame#card {{ background: {p.panel}; border-radius: {self.mm(2)}px; }}
        QFrame#card QLabel {{ background: {p.panel}; }}
        QFrame#overlay {{ background: rgba(0, 0, 0, 150); }}
        QFrame#dialog {{ background: {p.paper}; border: 3px solid {p.accent}; border-radius: {self.mm(3)}px; }}
        QPushButton {{
            min-height: {touch}px; min-width: {touch}px; padding: 0 {self.mm(5)}px;
            border-radius: {self.mm(2)}px; background: {p.panel}; color: {p.ink};
            border: {border}px solid {p.accent}; font-size: {body}px;
        }}
        QPushButton[primary="true"] {{ background: {p.accent}; color: {p.on_accent}; font-weight: bold; }}
        QPushButton:checked {{ background: {p.accent}; color: {p.on_accent}; }}
        QPushButton:disabled {{ color: {p.disabled_text}; border-color: {p.disabled_text}; background: {p.disabled_bg}; }}
        QPushButton:pressed {{ background: {p.muted}; color: {p.paper}; }}
        QPushButton[topBar="true"] {{ padding: 0 {self.mm(3)}px; border: 2px solid {p.on_accent}; font-size: {small}px; }}
        QPushButton[topBar="true"][selected="true"], QPushButton[topBar="true"]:checked,
        QFrame#topBar QPushButton[selected="true"], QFrame#topBar QPushButton:checked {{
            background: {p.on_accent}; color: {p.accent}; }}
        QPushButton[wrapping="true"] QLabel {{ background: transparent; color: {p.ink}; font-size: {body}px; }}
        QPushButton[wrapping="true"] QLabel:disabled {{ color: {p.disabled_text}; }}
        QPushButton#key {{ font-size: {self.unscaled_mm(8)}px; padding: 0; }}
        QPushButton[choice="true"] {{ font-size: {body}px; padding: 0 {self.mm(3)}px; }}
        QLineEdit {{ min-height: {self.mm(14)}px; font-size: {body}px; border: {border}px solid {p.accent};
            border-radius: {self.mm(1.5)}px; padding: 0 {self.mm(2)}px; background: {p.paper}; color: {p.ink}; }}
        QLineEdit[touchField="true"] {{ min-height: {touch}px; }}
        QLineEdit[active="true"] {{ border: {border + 3}px solid {p.accent}; }}
        QLineEdit[readOnly="true"] {{ background: {p.panel}; border-color: {p.muted}; }}
        QCheckBox {{ min-height: {touch}px; spacing: {self.mm(3)}px; }}
        QCheckBox::indicator {{ width: {self.mm(9)}px; height: {self.mm(9)}px; }}
        QScrollArea {{ border: none; }}
        """
