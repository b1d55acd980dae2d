"""`[devices.id_reader]` keys of the PC/SC back-ends are checked at start-up."""
from __future__ import annotations

import pytest

from kiosk.config import ConfigError, config_from_dict


def test_pcsc_backends_and_defaults_are_accepted():
    config = config_from_dict({"devices": {"id_reader": {"backend": "pcsc", "reader_filter": "ACS"}}}, demo=True)
    section = config.devices.id_reader
    assert (section.backend, section.reader_filter, section.card_types) == ("pcsc", "ACS", ["ssse", "emrtd"])
    assert config_from_dict({"devices": {"id_reader": {"backend": "pcsc_sim", "sim_card": "emrtd"}}},
                            demo=True).devices.id_reader.sim_card == "emrtd"


@pytest.mark.parametrize("values,key", [
    ({"backend": "pcsc", "card_types": ["ssse", "magstripe"]}, "devices.id_reader.card_types"),
    ({"backend": "pcsc_sim", "sim_card": "passport"}, "devices.id_reader.sim_card"),
    ({"backend": "pcsc", "apdu_timeout_s": 0}, "devices.id_reader.apdu_timeout_s"),
    ({"backend": "pcsc", "reader_filter": 3}, "devices.id_reader.reader_filter"),
])
def test_bad_values_name_the_key(values, key):
    with pytest.raises(ConfigError) as info:
        config_from_dict({"devices": {"id_reader": values}}, demo=True)
    assert info.value.key == key


@pytest.mark.parametrize("backend,expected", [("pcsc_sim", "pcsc_sim"), ("pcsc", "sim"), ("sam_serial", "sim")])
def test_demo_keeps_only_self_simulating_reader_backends(tmp_path, backend, expected):
    import main
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[devices.id_reader]\nbackend = "{backend}"\nport = "{tmp_path}"\n')
    config = main.load_configuration(main.parse_args(["--demo", "--config", str(path)]))
    assert config.devices.id_reader.backend == expected
