"""Start-up check that a CJK font is installed (Qt draws boxes without one)."""
from __future__ import annotations

from PySide6.QtGui import QFontDatabase

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK TC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei")


def check_cjk_font() -> str | None:
    """None when a CJK font is available, else a message for the technician."""
    families = set(QFontDatabase.families())
    if any(family in families for family in CJK_FAMILIES):
        return None
    return ("no CJK font found (install fonts-noto-cjk); Chinese text will not display — "
            "English only until it is installed")
