"""The kiosk's icons: Material Design Icons through qtawesome (icon font, Apache-2.0 / MIT).

Screens name an icon by purpose (`ICONS` below is the one table of choices); the colour comes
from the theme at the call site, so both palettes work. Icons are vector glyphs: they stay
sharp at every size and in care mode.
"""
from __future__ import annotations

import qtawesome
from PySide6.QtGui import QIcon, QPixmap

# purpose -> qtawesome name. Add here; never pass raw qtawesome names from screens.
ICONS: dict[str, str] = {
    # devices and steps
    "id_card": "mdi6.card-account-details-outline",
    "passport": "mdi6.passport",
    "camera": "mdi6.camera-outline",
    "face": "mdi6.face-recognition",
    "form": "mdi6.form-select",
    "confirm": "mdi6.check-circle-outline",
    "receipt": "mdi6.receipt-text-outline",
    "printer": "mdi6.printer-outline",
    "document_printer": "mdi6.printer",
    "scanner": "mdi6.barcode-scan",
    "phone": "mdi6.cellphone",
    "qr": "mdi6.qrcode",
    "payment": "mdi6.cash-multiple",
    "certificate": "mdi6.certificate-outline",
    "document": "mdi6.file-document-outline",
    "search": "mdi6.magnify",
    "help": "mdi6.help-circle-outline",
    "staff": "mdi6.account-tie-voice-outline",
    "language": "mdi6.translate",
    "care_mode": "mdi6.format-size",
    "voice": "mdi6.volume-high",
    "repeat": "mdi6.replay",
    "back": "mdi6.arrow-left",
    "previous": "mdi6.chevron-left",
    "next": "mdi6.chevron-right",
    "home": "mdi6.home-outline",
    "warning": "mdi6.alert-outline",
    "error": "mdi6.alert-circle-outline",
    "ok": "mdi6.check",
    "network_off": "mdi6.wifi-off",
    "wrench": "mdi6.wrench-outline",
    "card_reader": "mdi6.card-account-details-star-outline",
    "keyboard": "mdi6.dialpad",
    "clock": "mdi6.timer-sand",
    "touch": "mdi6.gesture-tap",
    # service categories (department and life event)
    "social_insurance": "mdi6.shield-account-outline",
    "medical_insurance": "mdi6.hospital-box-outline",
    "household": "mdi6.home-account",
    "real_estate": "mdi6.home-city-outline",
    "market": "mdi6.store-outline",
    "civil_affairs": "mdi6.account-heart-outline",
    "housing_fund": "mdi6.piggy-bank-outline",
    "hk_macau": "mdi6.airplane",
    "elderly": "mdi6.human-cane",
    "birth": "mdi6.baby-carriage",
    "marriage": "mdi6.ring",
    "employment": "mdi6.briefcase-outline",
    "education": "mdi6.school-outline",
    "tax": "mdi6.calculator-variant-outline",
    "vehicle": "mdi6.car-outline",
    "health": "mdi6.stethoscope",
    "disability": "mdi6.wheelchair-accessibility",
    "agriculture": "mdi6.sprout-outline",
    "general": "mdi6.office-building-outline",
    "bereavement": "mdi6.flower-tulip-outline",
    "business": "mdi6.domain",
    "where_to_go": "mdi6.map-marker-outline",
    "popular": "mdi6.star-outline",
    "all": "mdi6.view-grid-outline",
}


ICON_SIZES = (24, 32, 48, 64, 96, 128)


def icon(purpose: str, color: str) -> QIcon:
    """The icon for a purpose in the given colour (KeyError for an unknown purpose), the same
    in every state: qtawesome draws nothing for a checked button's "on" state by default."""
    glyph = qtawesome.icon(ICONS[purpose], color=color, color_active=color)
    result = QIcon()
    for size in ICON_SIZES:
        drawn = glyph.pixmap(size, size)
        for state in (QIcon.Off, QIcon.On):
            result.addPixmap(drawn, QIcon.Normal, state)
            result.addPixmap(drawn, QIcon.Active, state)
    return result


def pixmap(purpose: str, color: str, size: int) -> QPixmap:
    return icon(purpose, color).pixmap(size, size)
