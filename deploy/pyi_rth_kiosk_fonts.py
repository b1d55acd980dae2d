# PyInstaller runtime hook: use the bundled fontconfig file (CJK-first aliases) unless the
# system administrator set FONTCONFIG_FILE explicitly.
import os
import sys

_conf = os.path.join(getattr(sys, "_MEIPASS", ""), "fonts", "kiosk-fonts.conf")
if os.path.isfile(_conf):
    os.environ.setdefault("FONTCONFIG_FILE", _conf)
