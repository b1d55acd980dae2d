"""Compiles screens/i18n/*.ts into .qm with Qt's lrelease (run by bootstrap).

`python -m kiosk.i18n_build --check` also lists source strings used by the
screens that have no translation, and exits 1 if there are any.
"""
from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
I18N_DIR = ROOT / "screens" / "i18n"
# One .ts per feature and language beside the main file (parts/<feature>_<lang>.ts), so features
# add strings without editing one shared XML file; all of a language's files compile into one .qm.
PARTS_DIR = I18N_DIR / "parts"


def language_of(ts: Path) -> str:
    """'zh_CN' for kiosk_zh_CN.ts and for parts/payment_zh_CN.ts."""
    return "_".join(ts.stem.split("_")[-2:])


def sources_for(main_ts: Path) -> list[Path]:
    """The main .ts file of a language and every feature part of the same language."""
    return [main_ts] + sorted(PARTS_DIR.glob(f"*_{language_of(main_ts)}.ts"))


def lrelease_command() -> list[str]:
    exe = Path(sys.executable).with_name("pyside6-lrelease")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("pyside6-lrelease") or shutil.which("lrelease")
    if not found:
        raise SystemExit("i18n: pyside6-lrelease not found (is PySide6 installed in this venv?)")
    return [found]


def compile_all() -> list[Path]:
    outputs = []
    for ts in sorted(I18N_DIR.glob("kiosk_*.ts")):
        qm = ts.with_suffix(".qm")
        # Written beside and renamed over: a running kiosk never sees a half-written file.
        partial = qm.with_suffix(".qm.partial")
        subprocess.run(lrelease_command() + ["-silent", *map(str, sources_for(ts)), "-qm", str(partial)],
                       check=True)
        os.replace(partial, qm)
        outputs.append(qm)
    return outputs


def _literals_passed_to(folder: Path, functions: tuple[str, ...]) -> set[str]:
    """String literals given as first argument to calls of `functions` in folder/*.py."""
    strings: set[str] = set()
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) in functions and node.args
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                strings.add(node.args[0].value)
    return strings


def source_strings() -> set[str]:
    """Every literal passed to tr(...) in screens/, plus the message tables."""
    strings = _literals_passed_to(ROOT / "screens", ("tr",))
    sys.path.insert(0, str(ROOT))
    from screens.texts import ALL_SOURCES
    strings.update(ALL_SOURCES)
    return strings


def technician_strings() -> set[str]:
    """Literals passed to t(...) or mark(...) in screens/technician/ (Qt context "Technician")."""
    return _literals_passed_to(ROOT / "screens" / "technician", ("t", "mark"))


def translated_strings(ts: Path, context: str | None = None) -> dict[str, str]:
    """Finished translations in a .ts file, of one Qt context or of all."""
    result = {}
    for block in ET.parse(ts).getroot().iter("context"):
        if context is not None and block.findtext("name") != context:
            continue
        for message in block.iter("message"):
            translation = message.find("translation")
            if translation is not None and translation.text and translation.get("type") != "unfinished":
                result[message.findtext("source")] = translation.text
    return result


def missing_translations() -> dict[str, list[str]]:
    citizen, technician = source_strings(), technician_strings()
    result = {}
    for ts in sorted(I18N_DIR.glob("kiosk_*.ts")):
        done: set[str] = set()
        done_technician: set[str] = set()
        for part in sources_for(ts):
            done |= set(translated_strings(part))
            done_technician |= set(translated_strings(part, "Technician"))
        result[ts.stem] = sorted((citizen - done) | {f"[Technician] {text}" for text in technician - done_technician})
    return result


if __name__ == "__main__":
    for qm in compile_all():
        print(qm)
    if "--check" in sys.argv:
        missing = {k: v for k, v in missing_translations().items() if v}
        for name, strings in missing.items():
            for text in strings:
                print(f"{name}: untranslated: {text}")
        sys.exit(1 if missing else 0)
