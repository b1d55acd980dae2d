"""Card models: answer command APDUs the way the real cards do.

`process(apdu) -> response` is the whole interface; `reset()` is called on
power-up / warm reset. The models are strict on purpose (wrong Le -> 6Cxx,
unknown file -> 6A82, SM error -> 6988 and the session ends) so the reader's
handling of each case is exercised.
"""
from __future__ import annotations

import datetime as dt
import os

from devices.id_reader.pcsc import icao_bac as bac
from devices.id_reader.pcsc.apdu import ApduError, parse_command
from devices.id_reader.pcsc.emrtd import EF_COM, EF_DG1, EMRTD_AID
from devices.id_reader.pcsc.mrz import encode_dg1
from devices.id_reader.pcsc.ssse import SSSE_AID
from devices.id_reader.pcsc.tlv import encode_ber, encode_simple_record

SW_OK = b"\x90\x00"


def sw(value: int) -> bytes:
    return value.to_bytes(2, "big")


class Card:
    atr: bytes = b""

    def reset(self) -> None:
        pass

    def process(self, apdu: bytes) -> bytes:
        raise NotImplementedError


# --- social security card -----------------------------------------------------------

def _bcd(day: dt.date) -> bytes:
    return bytes.fromhex(f"{day:%Y%m%d}")


class SsseCard(Card):
    """社会保障卡 (third generation layout), T=0: data comes back through 61xx/GET RESPONSE.

    `chunk` limits how many bytes one GET RESPONSE returns (a real T=0 card's
    buffer); when smaller than the record, the reader must loop over several 61xx.
    `always_61`: READ RECORD also answers 61xx instead of returning data directly.
    """

    # T=0 only (TD1 absent), TB1/TC1 00, 8 historical bytes.
    atr = bytes.fromhex("3B6800000073C84013009000")

    def __init__(self, *, name: str = "张三", ssn: str = "440305199003071236", sex: str = "1",
                 nation: int = 1, birth: dt.date = dt.date(1990, 3, 7),
                 issued: dt.date = dt.date(2019, 5, 20), valid_until: dt.date = dt.date(2029, 5, 20),
                 card_id_code: str = "440300D156000005", card_number: str = "M12345678",
                 chunk: int = 256, always_61: bool = False):
        name_gbk = name.encode("gbk")[:30].ljust(30, b"\x00")
        self.files = {
            0xEF05: {
                0x01: card_id_code.encode("ascii"), 0x02: b"\x03", 0x03: b"3.00",
                0x04: b"440300000001", 0x05: _bcd(issued), 0x06: _bcd(valid_until),
                0x07: card_number.encode("ascii"),
            },
            0xEF06: {
                0x08: ssn.encode("ascii"), 0x09: name_gbk, 0x0A: sex.encode("ascii"),
                0x0B: bytes((nation,)), 0x0C: bytes.fromhex(ssn[:6]), 0x0D: _bcd(birth),
            },
        }
        self.chunk = max(1, min(256, chunk))
        self.always_61 = always_61
        self.reset()

    def reset(self) -> None:
        self.app_selected = False
        self.current_ef: int | None = None
        self.pending = b""

    def _respond_via_61(self, data: bytes) -> bytes:
        self.pending = data
        return bytes((0x61, min(len(data), 256) & 0xFF))

    def process(self, apdu: bytes) -> bytes:
        try:
            cmd = parse_command(apdu)
        except ApduError:
            return sw(0x6700)
        if cmd.cla != 0x00:
            return sw(0x6E00)
        if cmd.ins == 0xC0:                                   # GET RESPONSE
            if not self.pending:
                return sw(0x6985)
            n = min(cmd.le or 256, self.chunk, len(self.pending))
            out, self.pending = self.pending[:n], self.pending[n:]
            if self.pending:
                return out + bytes((0x61, min(len(self.pending), 256) & 0xFF))
            return out + SW_OK
        self.pending = b""                                    # any other command drops pending data
        if cmd.ins == 0xA4:                                   # SELECT
            if cmd.p1 == 0x04:
                if cmd.data != SSSE_AID:
                    return sw(0x6A82)
                self.app_selected, self.current_ef = True, None
                fci = encode_ber(0x6F, encode_ber(0x84, SSSE_AID))
                return self._respond_via_61(fci)               # T=0 case 4: data only via GET RESPONSE
            if cmd.p1 in (0x00, 0x02) and len(cmd.data) == 2:
                fid = int.from_bytes(cmd.data, "big")
                if not self.app_selected or fid not in self.files:
                    return sw(0x6A82)
                self.current_ef = fid
                return SW_OK
            return sw(0x6A86)
        if cmd.ins == 0xB2:                                   # READ RECORD by identifier
            if self.current_ef is None:
                return sw(0x6986)
            value = self.files[self.current_ef].get(cmd.p1)
            if value is None:
                return sw(0x6A83)
            record = encode_simple_record(cmd.p1, value)
            if cmd.le != len(record):
                return bytes((0x6C, len(record)))              # T=0: resend with the exact Le
            if self.always_61:
                return self._respond_via_61(record)
            return record + SW_OK
        return sw(0x6D00)


# --- eMRTD ------------------------------------------------------------------------------

ICAO_SPECIMEN_MRZ = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
                     "L898902C<3UTO6908061F9406236ZE184226B<<<<<14")
# EF.COM of the worked example (LDS 1.6, Unicode 4.0.0, DG1 + DG2).
SPECIMEN_EF_COM = bytes.fromhex("60145F0104303130365F36063034303030305C026175")


class EmrtdCard(Card):
    """An ICAO 9303 chip with BAC and 3DES secure messaging; files EF.COM and DG1."""

    atr = bytes.fromhex("3B80800101")   # T=1 (TD1 80, TD2 01), no historical bytes, TCK 01

    def __init__(self, *, mrz: str = ICAO_SPECIMEN_MRZ, ef_com: bytes = SPECIMEN_EF_COM,
                 rng=os.urandom, k_ic: bytes | None = None, bad_auth_mac: bool = False):
        from devices.id_reader.pcsc.mrz import parse_mrz
        parsed = parse_mrz(mrz)
        self.keys = bac.derive_bac_keys(parsed.document_number, parsed.birth_yymmdd,
                                        parsed.expiry_yymmdd)
        self.files = {int.from_bytes(EF_COM, "big"): ef_com,
                      int.from_bytes(EF_DG1, "big"): encode_dg1(mrz)}
        self.rng = rng
        self.k_ic = k_ic
        self.bad_auth_mac = bad_auth_mac     # fault: MUTUAL AUTHENTICATE answer with a wrong MAC
        self.reset()

    def reset(self) -> None:
        self.app_selected = False
        self.rnd_ic: bytes | None = None
        self.sm: bac.SecureMessaging | None = None
        self.current: int | None = None

    def process(self, apdu: bytes) -> bytes:
        if len(apdu) >= 4 and apdu[0] & 0x0C == 0x0C:
            return self._protected(apdu)
        try:
            cmd = parse_command(apdu)
        except ApduError:
            return sw(0x6700)
        if cmd.ins == 0xA4 and cmd.p1 == 0x04:
            if cmd.data != EMRTD_AID:
                return sw(0x6A82)
            self.reset()
            self.app_selected = True
            return SW_OK
        if not self.app_selected:
            return sw(0x6985)
        if cmd.ins == 0x84 and cmd.le == 8:                  # GET CHALLENGE
            self.rnd_ic = self.rng(8)
            return self.rnd_ic + SW_OK
        if cmd.ins == 0x82:                                   # EXTERNAL / MUTUAL AUTHENTICATE
            if self.rnd_ic is None:
                return sw(0x6985)
            rnd_ic, self.rnd_ic = self.rnd_ic, None          # one attempt per challenge
            try:
                response, session = bac.chip_authenticate(self.keys, cmd.data, rnd_ic,
                                                          self.k_ic or self.rng(16))
            except bac.BacError:
                return sw(0x6300)
            self.sm = bac.SecureMessaging(session)
            if self.bad_auth_mac:        # a cloned or faulty chip: E_IC is right, M_IC is not
                response = response[:-1] + bytes([response[-1] ^ 0x01])
            return response + SW_OK
        # Files are readable only under secure messaging once BAC is done.
        return sw(0x6982)

    def _protected(self, apdu: bytes) -> bytes:
        if self.sm is None:
            return sw(0x6982)
        try:
            cmd = parse_command(apdu)
            data, le = self.sm.chip_unwrap(apdu[:4], cmd.data)
        except (ApduError, bac.SecureMessagingError):
            self.sm = None                                    # SM error ends the session
            return sw(0x6988)
        if cmd.ins == 0xA4 and cmd.p1 == 0x02 and len(data) == 2:
            fid = int.from_bytes(data, "big")
            if fid not in self.files:
                return self.sm.chip_wrap(b"", 0x6A82)
            self.current = fid
            return self.sm.chip_wrap(b"", 0x9000)
        if cmd.ins == 0xB0:
            if self.current is None:
                return self.sm.chip_wrap(b"", 0x6986)
            content = self.files[self.current]
            offset = (cmd.p1 << 8) | cmd.p2
            if offset > len(content):
                return self.sm.chip_wrap(b"", 0x6B00)
            chunk = content[offset:offset + (le or 256)]
            return self.sm.chip_wrap(chunk, 0x9000 if len(chunk) == (le or 256) or le is None
                                     else 0x6282)
        return self.sm.chip_wrap(b"", 0x6D00)


CARD_TYPES = {"ssse": SsseCard, "emrtd": EmrtdCard}
