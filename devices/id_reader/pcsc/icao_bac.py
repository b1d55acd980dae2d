"""ICAO Doc 9303 Part 11 Basic Access Control and 3DES secure messaging.

Both sides are here (the terminal's and the chip's) because the test card
process needs the chip's half; the arithmetic is the same and is checked
against the worked example of Part 11 Appendix D (tests/test_pcsc_bac.py).

Crypto primitives come from `cryptography` (TripleDES lives in
`cryptography.hazmat.decrepit` since 43.0); only the ICAO glue is hand-written:
key derivation (SHA-1 KDF + DES parity), ISO 9797-1 padding method 2, the
retail MAC (ISO 9797-1 MAC algorithm 3), and the SM data objects
DO87 (encrypted data), DO97 (Le), DO99 (status word), DO8E (MAC).
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, modes

from devices.id_reader.pcsc.tlv import TlvError, encode_length, parse_ber

ZERO_IV = bytes(8)


class BacError(Exception):
    """BAC failed: wrong MRZ key (the chip refuses), or a reply that does not verify."""


class ChipAuthenticationError(BacError):
    """The chip accepted our key but its own answer does not verify (wrong MAC or challenge echo):
    a faulty, cloned or relayed chip, not a mistyped MRZ. Nothing from it may be trusted."""


class SecureMessagingError(Exception):
    """A protected response that is malformed or whose MAC does not verify."""


# --- primitives --------------------------------------------------------------------

def adjust_parity(key: bytes) -> bytes:
    """Set each byte's lowest bit so the byte has odd parity (DES key convention)."""
    out = bytearray()
    for b in key:
        high = b & 0xFE
        out.append(high | (0 if bin(high).count("1") % 2 else 1))
    return bytes(out)


def kdf(seed: bytes, counter: int) -> bytes:
    """Part 11 §9.7.1: SHA-1(seed || counter)[:16], parity adjusted (2-key 3DES)."""
    return adjust_parity(hashlib.sha1(seed + counter.to_bytes(4, "big")).digest()[:16])


ENC, MAC = 1, 2


def pad(data: bytes) -> bytes:
    """ISO 9797-1 padding method 2: 80 then 00 up to a multiple of 8."""
    data = bytes(data) + b"\x80"
    return data + bytes(-len(data) % 8)


def unpad(data: bytes) -> bytes:
    stripped = bytes(data).rstrip(b"\x00")
    if not stripped or stripped[-1] != 0x80 or len(data) - len(stripped) >= 8:
        raise SecureMessagingError("bad ISO 9797-1 padding")
    return stripped[:-1]


def _tdes(key: bytes) -> TripleDES:
    # 16-byte key = 2-key 3DES (K1 K2 K1); 8-byte key = single DES (K K K).
    # Spelled out as 24 bytes: `cryptography` deprecates the short forms.
    if len(key) == 8:
        return TripleDES(key * 3)
    if len(key) == 16:
        return TripleDES(key + key[:8])
    return TripleDES(key)


def tdes_encrypt(key: bytes, data: bytes, iv: bytes = ZERO_IV) -> bytes:
    encryptor = Cipher(_tdes(key), modes.CBC(iv)).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def tdes_decrypt(key: bytes, data: bytes, iv: bytes = ZERO_IV) -> bytes:
    if len(data) % 8:
        raise SecureMessagingError(f"ciphertext length {len(data)} is not a multiple of 8")
    decryptor = Cipher(_tdes(key), modes.CBC(iv)).decryptor()
    return decryptor.update(data) + decryptor.finalize()


def retail_mac(key: bytes, data: bytes) -> bytes:
    """ISO 9797-1 MAC algorithm 3 with DES (Ka, Kb = the key halves); data already padded.

    Single-DES CBC with Ka over all blocks, then the last block is decrypted with Kb
    and encrypted with Ka; equal to one 3DES(Ka,Kb,Ka) ECB of (h XOR last block).
    """
    if len(data) % 8 or not data:
        raise ValueError("retail MAC input must be padded to 8-byte blocks")
    ka = key[:8]
    h = ZERO_IV
    if len(data) > 8:
        h = tdes_encrypt(ka, data[:-8])[-8:]
    last = bytes(a ^ b for a, b in zip(h, data[-8:]))
    return tdes_encrypt(key, last)


# --- keys from the MRZ ---------------------------------------------------------------

def check_digit(field: str) -> str:
    """ICAO 9303 Part 3 check digit: weights 7 3 1, '<' = 0, A = 10 ... Z = 35."""
    total = 0
    for i, ch in enumerate(field):
        if ch.isdigit():
            value = int(ch)
        elif "A" <= ch <= "Z":
            value = ord(ch) - ord("A") + 10
        elif ch == "<":
            value = 0
        else:
            raise ValueError(f"character {ch!r} is not allowed in an MRZ field")
        total += value * (7, 3, 1)[i % 3]
    return str(total % 10)


def mrz_information(document_number: str, birth_yymmdd: str, expiry_yymmdd: str) -> str:
    """Document number (padded with '<' to 9) + check digit + birth + check + expiry + check."""
    number = document_number.strip().upper()
    if len(number) < 9:
        number = number.ljust(9, "<")
    for name, value in (("birth date", birth_yymmdd), ("expiry date", expiry_yymmdd)):
        if len(value) != 6 or not value.isdigit():
            raise ValueError(f"{name} must be YYMMDD digits")
    return (number + check_digit(number) + birth_yymmdd + check_digit(birth_yymmdd)
            + expiry_yymmdd + check_digit(expiry_yymmdd))


@dataclass(frozen=True)
class BacKeys:
    seed: bytes
    k_enc: bytes
    k_mac: bytes


def derive_bac_keys(document_number: str, birth_yymmdd: str, expiry_yymmdd: str) -> BacKeys:
    info = mrz_information(document_number, birth_yymmdd, expiry_yymmdd)
    seed = hashlib.sha1(info.encode("ascii")).digest()[:16]
    return BacKeys(seed, kdf(seed, ENC), kdf(seed, MAC))


# --- mutual authentication -------------------------------------------------------------

@dataclass(frozen=True)
class SessionKeys:
    ks_enc: bytes
    ks_mac: bytes
    ssc: int        # send sequence counter, 8 bytes big-endian


def session_from(k_ifd: bytes, k_ic: bytes, rnd_ic: bytes, rnd_ifd: bytes) -> SessionKeys:
    seed = bytes(a ^ b for a, b in zip(k_ifd, k_ic))
    return SessionKeys(kdf(seed, ENC), kdf(seed, MAC),
                       int.from_bytes(rnd_ic[4:8] + rnd_ifd[4:8], "big"))


def terminal_authenticate_data(keys: BacKeys, rnd_ic: bytes, rnd_ifd: bytes, k_ifd: bytes) -> bytes:
    """E_IFD || M_IFD: the 40-byte body of EXTERNAL AUTHENTICATE."""
    if len(rnd_ic) != 8 or len(rnd_ifd) != 8 or len(k_ifd) != 16:
        raise BacError("RND.IC, RND.IFD must be 8 bytes and K.IFD 16 bytes")
    e_ifd = tdes_encrypt(keys.k_enc, rnd_ifd + rnd_ic + k_ifd)
    return e_ifd + retail_mac(keys.k_mac, pad(e_ifd))


def terminal_finish(keys: BacKeys, response: bytes, rnd_ic: bytes, rnd_ifd: bytes,
                    k_ifd: bytes) -> SessionKeys:
    """Check the chip's E_IC || M_IC and derive the session keys."""
    if len(response) != 40:
        raise BacError(f"mutual authenticate response is {len(response)} bytes, expected 40")
    e_ic, m_ic = response[:32], response[32:]
    if not hmac.compare_digest(retail_mac(keys.k_mac, pad(e_ic)), m_ic):
        raise ChipAuthenticationError("chip's MAC does not verify")
    r = tdes_decrypt(keys.k_enc, e_ic)
    if r[:8] != rnd_ic or r[8:16] != rnd_ifd:
        raise ChipAuthenticationError("chip did not echo the challenges")
    return session_from(k_ifd, r[16:32], rnd_ic, rnd_ifd)


def chip_authenticate(keys: BacKeys, command_data: bytes, rnd_ic: bytes,
                      k_ic: bytes) -> tuple[bytes, SessionKeys]:
    """The chip's side: verify E_IFD || M_IFD, answer E_IC || M_IC. BacError = 6300."""
    if len(command_data) != 40:
        raise BacError("EXTERNAL AUTHENTICATE data must be 40 bytes")
    e_ifd, m_ifd = command_data[:32], command_data[32:]
    if not hmac.compare_digest(retail_mac(keys.k_mac, pad(e_ifd)), m_ifd):
        raise BacError("terminal MAC does not verify (wrong MRZ key)")
    s = tdes_decrypt(keys.k_enc, e_ifd)
    rnd_ifd, echoed_ic, k_ifd = s[:8], s[8:16], s[16:32]
    if echoed_ic != rnd_ic:
        raise BacError("terminal did not echo RND.IC")
    e_ic = tdes_encrypt(keys.k_enc, rnd_ic + rnd_ifd + k_ic)
    response = e_ic + retail_mac(keys.k_mac, pad(e_ic))
    return response, session_from(k_ifd, k_ic, rnd_ic, rnd_ifd)


# --- secure messaging ---------------------------------------------------------------------

class SecureMessaging:
    """Wraps command APDUs and unwraps responses with the BAC session keys.

    The SSC is incremented before each MAC computation, so terminal and chip
    keep in step: command N uses SSC+2N-1, its response SSC+2N.
    """

    def __init__(self, session: SessionKeys):
        self.ks_enc = session.ks_enc
        self.ks_mac = session.ks_mac
        self.ssc = session.ssc

    def _next_ssc(self) -> bytes:
        self.ssc = (self.ssc + 1) % (1 << 64)
        return self.ssc.to_bytes(8, "big")

    def _mac(self, data: bytes) -> bytes:
        return retail_mac(self.ks_mac, pad(self._next_ssc() + data))

    # terminal side
    def wrap(self, cla: int, ins: int, p1: int, p2: int, data: bytes = b"",
             le: int | None = None) -> bytes:
        header = bytes((cla | 0x0C, ins, p1, p2))
        do87 = b""
        if data:
            body = b"\x01" + tdes_encrypt(self.ks_enc, pad(data))
            do87 = b"\x87" + encode_length(len(body)) + body
        do97 = b"" if le is None else b"\x97\x01" + bytes((le & 0xFF,))
        mac = self._mac(pad(header) + do87 + do97)
        body = do87 + do97 + b"\x8e\x08" + mac
        return header + bytes((len(body),)) + body + b"\x00"

    def unwrap(self, response: bytes) -> tuple[bytes, int]:
        """(plain data, SW from DO99) of a protected response (including its SW1 SW2)."""
        if len(response) < 2:
            raise SecureMessagingError("response too short")
        body, outer_sw = response[:-2], (response[-2] << 8) | response[-1]
        if not body:
            # An unprotected error (e.g. 6988 "SM objects incorrect") ends the session.
            raise SecureMessagingError(f"chip answered without secure messaging, SW {outer_sw:04X}")
        try:
            objects = parse_ber(body)
        except TlvError as exc:
            raise SecureMessagingError(f"malformed protected response: {exc}") from None
        do87 = do99 = do8e = None
        macced = b""
        for obj in objects:
            encoded = _reencode(obj.tag, obj.value)
            if obj.tag == 0x87:
                do87 = obj.value
                macced += encoded
            elif obj.tag == 0x99:
                do99 = obj.value
                macced += encoded
            elif obj.tag == 0x8E:
                do8e = obj.value
            else:
                raise SecureMessagingError(f"unexpected data object {obj.tag:X}")
        if do8e is None or len(do8e) != 8:
            raise SecureMessagingError("missing or bad DO8E (MAC)")
        if do99 is None or len(do99) != 2:
            raise SecureMessagingError("missing or bad DO99 (status word)")
        if not hmac.compare_digest(self._mac(macced), do8e):
            raise SecureMessagingError("response MAC does not verify")
        inner_sw = (do99[0] << 8) | do99[1]
        if outer_sw not in (0x9000, inner_sw):
            # The outer SW is not covered by the MAC; one that contradicts DO99 is tampering.
            raise SecureMessagingError(f"outer SW {outer_sw:04X} contradicts DO99 {inner_sw:04X}")
        plain = b""
        if do87 is not None:
            if not do87 or do87[0] != 0x01:
                raise SecureMessagingError("DO87 without padding-indicator 01")
            plain = unpad(tdes_decrypt(self.ks_enc, do87[1:]))
        return plain, inner_sw

    # chip side (for the virtual card)
    def chip_unwrap(self, protected_header: bytes, body: bytes) -> tuple[bytes, int | None]:
        """Verify and decrypt a protected command body -> (data, Le)."""
        try:
            objects = parse_ber(body)
        except TlvError as exc:
            raise SecureMessagingError(f"malformed protected command: {exc}") from None
        do87 = do97 = do8e = None
        macced = b""
        for obj in objects:
            if obj.tag == 0x87:
                do87 = obj.value
                macced += _reencode(0x87, obj.value)
            elif obj.tag == 0x97:
                do97 = obj.value
                macced += _reencode(0x97, obj.value)
            elif obj.tag == 0x8E:
                do8e = obj.value
            else:
                raise SecureMessagingError(f"unexpected data object {obj.tag:X}")
        if do8e is None or not hmac.compare_digest(self._mac(pad(protected_header) + macced), do8e):
            raise SecureMessagingError("command MAC does not verify")
        data = b""
        if do87:
            data = unpad(tdes_decrypt(self.ks_enc, do87[1:]))
        le = None
        if do97 is not None:
            le = do97[0] if do97 and do97[0] else 256
        return data, le

    def chip_wrap(self, data: bytes, sw: int) -> bytes:
        do87 = b""
        if data:
            body = b"\x01" + tdes_encrypt(self.ks_enc, pad(data))
            do87 = b"\x87" + encode_length(len(body)) + body
        do99 = b"\x99\x02" + sw.to_bytes(2, "big")
        mac = self._mac(do87 + do99)
        return do87 + do99 + b"\x8e\x08" + mac + b"\x90\x00"


def _reencode(tag: int, value: bytes) -> bytes:
    return bytes((tag,)) + encode_length(len(value)) + value
