"""Smart cards read through PC/SC (pyscard + pcscd).

One module per job:

* `apdu`      - command/response APDUs, status words, T=0 `61xx`/`6Cxx` handling
* `tlv`       - the two TLV flavours on these cards (SSSE records, BER-TLV of ICAO LDS)
* `ssse`      - the Chinese social security card (社会保障卡) SSSE application
* `icao_bac`  - ICAO 9303 Basic Access Control: key derivation, mutual authentication,
                secure messaging (3DES + retail MAC)
* `mrz`       - MRZ check digits and the DG1 MRZ parser
* `emrtd`     - reading EF.COM and DG1 of an eMRTD after BAC
* `pcscd`     - starting/stopping a local pcscd (tests and the demo rig)
* `reader`    - `PcscIdReader`, the kiosk device (CardMonitor / ReaderMonitor)
* `virtual_card` - a pure-Python card process for the vpcd virtual reader
"""
