"""Configuration errors are one clear line (exit 2); logs never hold personal data."""
import io
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config import ConfigError, load_config
from kiosk.logging_setup import SensitiveNames, configure_logging
from kiosk.core.pii import mask_id_number, mask_name, mask_phone, mask_text

REPO = Path(__file__).resolve().parents[1]


def write(tmp_path, text):
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_loads():
    config = load_config(REPO / "kiosk.toml", demo=True)     # as `main.py --demo` loads it
    assert config.kiosk.languages == ["zh_CN", "zh_HK", "en"]
    assert config.face.threshold < 0.6
    assert config.devices.printer.backend == "sim"
    # Its simulated devices are test-only: without --demo (or [kiosk] demo = true) it is refused.
    with pytest.raises(ConfigError) as info:
        load_config(REPO / "kiosk.toml")
    assert info.value.key == "devices.id_reader.backend" and "test-only" in str(info.value)


@pytest.mark.parametrize("text, key", [
    ("[kiosk]\nidd = 'x'\n", "kiosk.idd"),
    ("[timeouts]\nidle_s = 'soon'\n", "timeouts.idle_s"),
    ("[devices.printer]\nport = '9100'\n", "devices.printer.port"),
    ("[devices.id_reader]\nbackend = 'sam_serial'\nport = '/dev/ttyNOPE9'\n", "devices.id_reader.port"),
    ("[devices.camera]\nbackend = 'webcam'\n", "devices.camera.backend"),
    ("[platform]\nurl = 'ftp://x'\n", "platform.url"),
    ("[face]\nthreshold = 0.7\n", "face.threshold"),
    ("[kiosk]\ndefault_language = 'fr'\n", "kiosk.default_language"),
    ("[surprise]\n", "surprise"),
])
def test_bad_config_names_the_key(tmp_path, text, key):
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    assert info.value.key == key
    assert str(info.value).startswith(key + ":")


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "[kiosk\n"))


@pytest.mark.parametrize("text, key", [("[kiosk]\nidd = 1\n", "kiosk.idd"), ("[devices.printer]\nbackend = 'fax'\n",
                                                                            "devices.printer.backend")])
def test_main_exits_2_with_one_line_and_no_traceback(tmp_path, text, key):
    result = subprocess.run([sys.executable, str(REPO / "main.py"), "--config", str(write(tmp_path, text))],
                            capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and key in lines[0]
    assert "Traceback" not in result.stderr


def test_main_help():
    result = subprocess.run([sys.executable, str(REPO / "main.py"), "--help"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "--demo" in result.stdout


def test_masking_helpers():
    assert mask_id_number("441202193801011234") == "4412**********1234"
    assert mask_name("张三丰") == "张**"
    assert mask_phone("13812345678") == "138****5678"
    text = mask_text("id 441202193801011234 tel 13812345678 name 张三丰", names=("张三丰",))
    assert text == "id 4412**********1234 tel 138****5678 name 张**"


def test_log_lines_are_json_and_masked(tmp_path):
    stream = io.StringIO()
    configure_logging("INFO", tmp_path / "k.log", stream=stream)
    try:
        SensitiveNames.set("张三丰")
        log = logging.getLogger("test")
        log.info("card of %s number %s", "张三丰", "441202193801011234", extra={"phone": "13812345678"})
        try:
            raise ValueError("bad id 441202193801011234")
        except ValueError:
            log.exception("failed")
    finally:
        SensitiveNames.clear()
        configure_logging("INFO", None, stream=None)
    written = (tmp_path / "k.log").read_text(encoding="utf-8") + stream.getvalue()
    for secret in ("441202193801011234", "13812345678", "张三丰"):
        assert secret not in written
    first = json.loads(written.splitlines()[0])
    assert first["msg"] == "card of 张** number 4412**********1234" and first["phone"] == "138****5678"
