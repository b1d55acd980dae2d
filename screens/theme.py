"""Sizes and colours, generated as one Qt style sheet.

Sizes come from millimetres on the panel (kiosk-ux.md §4): primary buttons
and keypad keys >= 20 mm, body text ~7 mm, care mode (长者模式) ~1.3x larger.
Contrast: dark text on white and white on dark blue, both well above 7:1.
"""
from __future__ import annotations

from dataclasses import dataclass

# A 21.5" 1920x1080 panel has ~102 px per inch = 4.0 px/mm.
PX_PER_MM = 4.0

FONT_FAMILY = '"Noto Sans CJK SC", "Noto Sans CJK TC", "WenQuanYi Micro Hei", sans-serif'

NAVY = "#0b3a75"       # white on navy: 11.6:1
INK = "#111111"        # on white: 18.9:1
MUTED = "#3d3d3d"      # on white: 10.9:1
ERROR_RED = "#a40000"  # on white: 8.6:1
OK_GREEN = "#0f5a1f"   # on white: 8.3:1
PAPER = "#ffffff"
PANEL = "#eef2f7"


@dataclass(frozen=True)
class Theme:
    care_mode: bool = False

    @property
    def scale(self) -> float:
        return 1.3 if self.care_mode else 1.0

    def mm(self, millimetres: float) -> int:
        return round(millimetres * PX_PER_MM * self.scale)

    @property
    def body_px(self) -> int:
        return self.mm(7)

    @property
    def title_px(self) -> int:
        return self.mm(11)

    def style_sheet(self) -> str:
        body, title, small = self.body_px, self.title_px, self.mm(5.5)
        button_h = self.mm(20)
        return f"""
        QWidget {{ font-family: {FONT_FAMILY}; font-size: {body}px; color: {INK}; background: {PAPER}; }}
        QLabel#title {{ font-size: {title}px; font-weight: bold; color: {NAVY}; }}
        QLabel#subtitle {{ font-size: {body}px; color: {MUTED}; }}
        QLabel#hint {{ font-size: {small}px; color: {MUTED}; }}
        QLabel#error {{ font-size: {body}px; color: {ERROR_RED}; }}
        QLabel#fieldError {{ font-size: {small}px; color: {ERROR_RED}; }}
        QLabel#ok {{ font-size: {body}px; color: {OK_GREEN}; }}
        QLabel#bigNumber {{ font-size: {self.mm(13)}px; font-weight: bold; color: {NAVY}; }}
        QFrame#topBar, QFrame#topBar QLabel, QFrame#topBar QPushButton {{ background: {NAVY}; color: white; }}
        QFrame#topBar QLabel {{ font-size: {small}px; }}
        QFrame#statusBar, QFrame#statusBar QLabel {{ background: {PANEL}; color: {INK}; font-size: {small}px; }}
        QFrame#card {{ background: {PANEL}; border-radius: {self.mm(2)}px; }}
        QFrame#card QLabel {{ background: {PANEL}; }}
        QFrame#overlay {{ background: rgba(0, 0, 0, 150); }}
        QFrame#dialog {{ background: {PAPER}; border: 3px solid {NAVY}; border-radius: {self.mm(3)}px; }}
        QPushButton {{
            min-height: {button_h}px; padding: 0 {self.mm(6)}px; border-radius: {self.mm(2)}px;
            background: {PANEL}; color: {INK}; border: 2px solid {NAVY}; font-size: {body}px;
        }}
        QPushButton[primary="true"] {{ background: {NAVY}; color: white; font-weight: bold; }}
        QPushButton:disabled {{ color: #6b6b6b; border-color: #9a9a9a; background: #f2f2f2; }}
        QPushButton:pressed {{ background: #c9d7ea; }}
        QPushButton#langButton {{ min-height: {self.mm(12)}px; padding: 0 {self.mm(3)}px; border: 2px solid white;
            font-size: {small}px; }}
        QPushButton#langButton[selected="true"] {{ background: white; color: {NAVY}; font-weight: bold; }}
        QPushButton#key {{ min-width: {self.mm(20)}px; min-height: {self.mm(20)}px; font-size: {title}px; }}
        QLineEdit {{ min-height: {self.mm(14)}px; font-size: {body}px; border: 2px solid {NAVY};
            border-radius: {self.mm(1.5)}px; padding: 0 {self.mm(2)}px; }}
        QLineEdit[readOnly="true"] {{ background: {PANEL}; border-color: #9a9a9a; }}
        QCheckBox {{ min-height: {self.mm(14)}px; spacing: {self.mm(3)}px; }}
        QCheckBox::indicator {{ width: {self.mm(9)}px; height: {self.mm(9)}px; }}
        """
