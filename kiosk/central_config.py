"""Configuration from the centre: signed bundles per group and per kiosk, layered over kiosk.toml.

A bundle is a small JSON document the platform signs with its Ed25519 key (the catalog's key,
`[platform] catalog_public_key`), served by `GET /config-bundles/{scope}/{target}` with the
detached signature in `X-Config-Signature` (docs/platform-api.md, docs/fleet.md):

    {"format": 1, "kind": "kiosk-config", "scope": "group" | "kiosk", "target": "canary" | "GD-...",
     "version": 7, "issued_at": "2026-12-03T08:00:00Z", "settings": {"timeouts": {"idle_s": 90}}}

The signature covers `SIGNING_CONTEXT + bytes`, so a catalog signature (same key, bare bytes)
can never pass as a configuration bundle.

Layering, lowest first: built-in default < local kiosk.toml < group bundle < kiosk bundle. The
centre outranks the file written at enrolment (fleet policy is set centrally, per hall or per
kiosk), but identity, trust anchors, hardware backends and demo mode are local only
(`kiosk.settings.LOCAL_ONLY`): a bundle naming one is refused whole. How each section takes
effect is declared once in `kiosk.settings.REMOTE_APPLY` (runtime = at the next idle moment,
restart = the kiosk restarts itself at the next idle moment).

A bundle is refused (the active one stays) when: unsigned or badly signed, too large, not JSON
(e.g. truncated), a wrong envelope, meant for another kiosk or group, older than the active one
(rollback) or the version that was already refused once, naming an unknown or local-only key,
a value of the wrong type, or making the layered configuration invalid (`kiosk.config`).

On disk (`data_dir/central-config/`), every file written atomically: `active/`, `pending/` and
`last-good/` hold `<scope>.json` + `<scope>.sig` (re-verified whenever loaded), `state.json` the
trial state. A newly applied set is on trial until `confirm_good()` (self-check passed); a start
that finds the trial already started once (the kiosk died or was restarted before confirming)
restores the last good set, as does `restore_last_good()` when the self-check fails.
"""
from __future__ import annotations

import base64
import dataclasses
import json
import logging
import os
import shutil
import time
import tomllib
import typing
from dataclasses import dataclass
from pathlib import Path

from kiosk.config import ConfigError, KioskConfig, _coerce, config_from_dict, load_config
from kiosk.settings import LOCAL_ONLY, REMOTE_APPLY

log = logging.getLogger(__name__)

BUNDLE_FORMAT = 1
BUNDLE_KIND = "kiosk-config"
SIGNING_CONTEXT = b"kiosk-config-bundle-v1\n"
MAX_BUNDLE_BYTES = 64 * 1024
SCOPES = ("group", "kiosk")           # layered in this order over kiosk.toml
ENVELOPE_KEYS = ("format", "kind", "scope", "target", "version", "issued_at", "settings")
SIGNATURE_HEADER = "X-Config-Signature"


class BundleRejected(Exception):
    """A bundle was refused. `code`: signature_missing | signature_invalid | too_large | not_json |
    bad_envelope | wrong_target | rollback | refused_before | unknown_key | local_only |
    wrong_type | invalid_value; `key` names the setting when there is one."""

    def __init__(self, code: str, message: str, key: str = ""):
        super().__init__(message)
        self.code = code
        self.key = key


@dataclass(frozen=True)
class Bundle:
    scope: str
    target: str
    version: int
    issued_at: str
    settings: dict
    raw: bytes
    signature: bytes

    @property
    def label(self) -> str:
        return f"{self.scope} bundle v{self.version} ({self.target})"


# --- one bundle ------------------------------------------------------------------------------

def parse_bundle(raw: bytes, signature: bytes | str | None, verifier, *, scope: str, target: str) -> Bundle:
    """The verified, checked bundle for `scope`/`target`, or BundleRejected. `verifier.verify(data,
    signature)` raises on a bad signature (offline_cache.catalog_cache.Ed25519CatalogVerifier)."""
    if len(raw) > MAX_BUNDLE_BYTES:
        raise BundleRejected("too_large", f"bundle is {len(raw)} bytes (at most {MAX_BUNDLE_BYTES})")
    if not signature:
        raise BundleRejected("signature_missing", "bundle has no signature")
    if isinstance(signature, str):
        try:
            signature = base64.b64decode(signature, validate=True)
        except ValueError:
            raise BundleRejected("signature_invalid", "signature is not base64") from None
    try:
        verifier.verify(SIGNING_CONTEXT + raw, signature)
    except Exception:
        raise BundleRejected("signature_invalid", "signature does not verify with the platform key") from None
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BundleRejected("not_json", "bundle is not a complete JSON document") from None
    if not isinstance(doc, dict) or sorted(doc) != sorted(ENVELOPE_KEYS):
        raise BundleRejected("bad_envelope", f"bundle must have exactly the keys {', '.join(ENVELOPE_KEYS)}")
    if doc["format"] != BUNDLE_FORMAT or doc["kind"] != BUNDLE_KIND:
        raise BundleRejected("bad_envelope", f"not a format-{BUNDLE_FORMAT} {BUNDLE_KIND} bundle")
    version = doc["version"]
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise BundleRejected("bad_envelope", "version must be a positive integer")
    if not isinstance(doc["settings"], dict) or not isinstance(doc["issued_at"], str):
        raise BundleRejected("bad_envelope", "settings must be a table and issued_at a string")
    if doc["scope"] != scope or doc["target"] != target:
        raise BundleRejected("wrong_target", f"bundle is for {doc['scope']} {doc['target']!r}, "
                                             f"not {scope} {target!r}")
    check_remote_settings(doc["settings"])
    return Bundle(scope, target, version, doc["issued_at"], doc["settings"], raw, signature)


def _schema_field(dotted: str):
    """(annotation, owning dataclass) of a dotted key, or None when the schema has no such key."""
    cls: typing.Any = KioskConfig
    hint = None
    for part in dotted.split("."):
        if not dataclasses.is_dataclass(cls):
            return None
        hints = typing.get_type_hints(cls)
        names = {f.name for f in dataclasses.fields(cls)} - {"source_path"}
        if part not in names:
            return None
        hint = hints[part]
        cls = hint
    return hint


def flatten(settings: dict, prefix: str = "") -> dict[str, object]:
    """{"a": {"b": 1}} -> {"a.b": 1}: the dotted keys a bundle (or a TOML file) sets."""
    flat: dict[str, object] = {}
    for key, value in settings.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and dataclasses.is_dataclass(_schema_field(dotted)):
            flat.update(flatten(value, dotted + "."))
        else:
            flat[dotted] = value
    return flat


def check_remote_settings(settings: dict) -> None:
    """Every key a bundle sets exists, may be set remotely and has the declared type."""
    for dotted, value in flatten(settings).items():
        hint = _schema_field(dotted)
        if hint is None:
            raise BundleRejected("unknown_key", f"{dotted}: unknown setting", dotted)
        if dataclasses.is_dataclass(hint):
            raise BundleRejected("wrong_type", f"{dotted}: expected a table", dotted)
        if dotted in LOCAL_ONLY or dotted.split(".")[0] not in REMOTE_APPLY:
            raise BundleRejected("local_only", f"{dotted}: can only be set in the kiosk's own kiosk.toml", dotted)
        try:
            _coerce(hint, value, dotted)
        except ConfigError as exc:
            raise BundleRejected("wrong_type", str(exc), dotted) from None


# --- layering --------------------------------------------------------------------------------

def _merge(base: dict, over: dict) -> dict:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def layered_raw(local_raw: dict, bundles: dict[str, Bundle]) -> tuple[dict, dict[str, str]]:
    """kiosk.toml's table with the bundles on top, and the source of every key set somewhere."""
    merged = local_raw
    sources = {key: "kiosk.toml" for key in flatten(local_raw)}
    for scope in SCOPES:
        bundle = bundles.get(scope)
        if bundle is not None:
            merged = _merge(merged, bundle.settings)
            sources.update({key: bundle.label for key in flatten(bundle.settings)})
    return merged, sources


def read_toml(path: Path) -> dict:
    """kiosk.toml's raw table (load_config has checked it already when the kiosk got this far)."""
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError("", f"cannot read {path}: {exc}") from None


def build_config(path: Path, bundles: dict[str, Bundle], *, demo: bool = False) -> KioskConfig:
    """The configuration kiosk.toml + bundles make; ConfigError names the first bad key."""
    local = load_config(path, demo=demo)     # the file alone must stay valid: it is the fallback
    if not bundles:
        return local
    merged, _ = layered_raw(read_toml(path), bundles)
    config = config_from_dict(merged, demo=demo)
    # Paths as load_config resolved them (data_dir is local only, so it is the file's).
    return dataclasses.replace(config, source_path=local.source_path,
                               kiosk=dataclasses.replace(config.kiosk, data_dir=local.kiosk.data_dir))


def changed_keys(old: KioskConfig, new: KioskConfig) -> list[str]:
    def leaves(obj, prefix=""):
        out: dict[str, object] = {}
        for f in dataclasses.fields(obj):
            if f.name == "source_path":
                continue
            value = getattr(obj, f.name)
            out.update(leaves(value, f"{prefix}{f.name}.") if dataclasses.is_dataclass(value)
                       else {prefix + f.name: value})
        return out
    a, b = leaves(old), leaves(new)
    return sorted(k for k in a if a[k] != b[k])


def needs_restart(keys: list[str]) -> bool:
    return any(REMOTE_APPLY.get(key.split(".")[0]) != "runtime" for key in keys)


def explain(config: KioskConfig, sources: dict[str, str]) -> list[tuple[str, object, str]]:
    """(dotted key, effective value, where it came from) for every setting."""
    rows = []

    def walk(obj, prefix=""):
        for f in dataclasses.fields(obj):
            if f.name == "source_path":
                continue
            value = getattr(obj, f.name)
            if dataclasses.is_dataclass(value):
                walk(value, f"{prefix}{f.name}.")
            else:
                key = prefix + f.name
                rows.append((key, value, sources.get(key, "default")))
    walk(config)
    return rows


# --- the store on disk -----------------------------------------------------------------------

@dataclass
class ApplyResult:
    changed: list[str]
    restart: bool
    healthy_before: list[str] | None = None     # devices healthy before the change (the self-check's bar)


class CentralConfigStore:
    """Active, pending and last-good bundles of one kiosk, and the trial state."""

    def __init__(self, directory: Path, config_path: Path, *, kiosk_id: str, group: str, verifier,
                 demo: bool = False):
        self.dir = Path(directory)
        self.config_path = Path(config_path)
        self.kiosk_id, self.group, self.verifier, self.demo = kiosk_id, group, verifier, demo
        for sub in ("active", "pending", "last-good"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)

    # files
    def _target(self, scope: str) -> str:
        return self.kiosk_id if scope == "kiosk" else self.group

    def _load(self, sub: str) -> dict[str, Bundle]:
        bundles = {}
        for scope in SCOPES:
            raw_path, sig_path = self.dir / sub / f"{scope}.json", self.dir / sub / f"{scope}.sig"
            if not raw_path.exists() or (scope == "group" and not self.group):
                continue
            try:
                bundles[scope] = parse_bundle(raw_path.read_bytes(), sig_path.read_bytes(), self.verifier,
                                              scope=scope, target=self._target(scope))
            except (OSError, BundleRejected) as exc:   # damaged or replaced on disk: not used
                log.warning("central config: %s/%s.json not usable: %s", sub, scope, exc)
        return bundles

    def active(self) -> dict[str, Bundle]:
        return self._load("active")

    def pending(self) -> dict[str, Bundle]:
        return self._load("pending")

    def state(self) -> dict:
        try:
            state = json.loads((self.dir / "state.json").read_text(encoding="utf-8"))
            return state if isinstance(state, dict) else {}
        except (OSError, ValueError):
            return {}

    def _save_state(self, state: dict) -> None:
        _atomic_write(self.dir / "state.json", json.dumps(state, sort_keys=True).encode())

    def _copy_set(self, src: str, dst: str) -> None:
        for scope in SCOPES:
            for ext in ("json", "sig"):
                source, target = self.dir / src / f"{scope}.{ext}", self.dir / dst / f"{scope}.{ext}"
                if source.exists():
                    _atomic_write(target, source.read_bytes())
                elif target.exists():
                    target.unlink()

    # receiving
    def accept(self, scope: str, raw: bytes, signature: bytes | str | None) -> Bundle | None:
        """Checks a fetched bundle and stages it in pending/ (None: this version is already there).
        BundleRejected leaves everything as it was; the refusal is kept for the technician."""
        try:
            return self._accept(scope, raw, signature)
        except BundleRejected as exc:
            state = self.state()
            state["last_refusal"] = {"scope": scope, "code": exc.code, "message": str(exc), "at": time.time()}
            self._save_state(state)
            log.warning("central config: %s bundle refused: %s", scope, exc)
            raise

    def _accept(self, scope: str, raw: bytes, signature) -> Bundle | None:
        target = self._target(scope)
        if not target:
            raise BundleRejected("wrong_target", "this kiosk has no configuration group (fleet.group)")
        bundle = parse_bundle(raw, signature, self.verifier, scope=scope, target=target)
        current = {**self.active(), **self.pending()}.get(scope)
        if current is not None and bundle.version < current.version:
            raise BundleRejected("rollback", f"version {bundle.version} is older than {current.label}")
        if current is not None and bundle.version == current.version:
            if bundle.raw != current.raw:
                raise BundleRejected("rollback", f"version {bundle.version} reused with other content")
            return None
        state = self.state()
        refused = state.get("refused", {}).get(scope, 0)
        if bundle.version <= refused:
            raise BundleRejected("refused_before", f"version {bundle.version} failed its self-check before")
        highest = state.get("highest", {}).get(scope, 0)
        if bundle.version < highest:     # even if the newer files were lost from disk
            raise BundleRejected("rollback", f"version {bundle.version} is older than v{highest} seen before")
        try:
            build_config(self.config_path, {**self.active(), **self.pending(), scope: bundle}, demo=self.demo)
        except ConfigError as exc:
            raise BundleRejected("invalid_value", str(exc), exc.key) from None
        state.setdefault("highest", {})[scope] = bundle.version
        self._save_state(state)
        _atomic_write(self.dir / "pending" / f"{scope}.sig", bundle.signature)
        _atomic_write(self.dir / "pending" / f"{scope}.json", bundle.raw)
        return bundle

    # applying
    def apply_pending(self, healthy_before: list[str] | None = None) -> ApplyResult | None:
        """Makes the staged bundles active (call at an idle moment); None when nothing is staged.
        The previous active set becomes last-good unless it was itself still on trial.
        `healthy_before`: the devices healthy before the change, kept for the self-check after a restart."""
        pending = self.pending()
        if not pending:
            return None
        before = build_config(self.config_path, self.active(), demo=self.demo)
        state = self.state()
        if not state.get("trial"):
            self._copy_set("active", "last-good")
        for scope, bundle in pending.items():
            _atomic_write(self.dir / "active" / f"{scope}.sig", bundle.signature)
            _atomic_write(self.dir / "active" / f"{scope}.json", bundle.raw)
            for ext in ("json", "sig"):
                (self.dir / "pending" / f"{scope}.{ext}").unlink(missing_ok=True)
        after = build_config(self.config_path, self.active(), demo=self.demo)
        keys = changed_keys(before, after)
        state.update(trial=True, starts=0, applied_at=time.time(), healthy_before=healthy_before,
                     trial_versions={s: b.version for s, b in self.active().items()})
        self._save_state(state)
        log.info("central config applied: %s", ", ".join(b.label for b in pending.values()))
        return ApplyResult(keys, needs_restart(keys), healthy_before)

    def confirm_good(self) -> None:
        """The self-check passed with the active set: it is the new last good one."""
        state = self.state()
        if state.get("trial"):
            state.update(trial=False, confirmed_at=time.time())
            state.pop("trial_versions", None)
            self._save_state(state)
            self._copy_set("active", "last-good")

    def restore_last_good(self, reason: str) -> None:
        """Back to the last good set; the failed versions are never applied again."""
        state = self.state()
        refused = state.setdefault("refused", {})
        for scope, version in (state.get("trial_versions") or {}).items():
            refused[scope] = max(refused.get(scope, 0), version)
        self._copy_set("last-good", "active")
        state.update(trial=False, restored_at=time.time(), restore_reason=reason)
        state.pop("trial_versions", None)
        self._save_state(state)
        log.warning("central config: restored the last good bundles: %s", reason)

    def note_start(self) -> bool:
        """Call once at every kiosk start, before building the configuration. A trial set that
        already had a start without confirming is restored; True when that happened."""
        state = self.state()
        if not state.get("trial"):
            return False
        if state.get("starts", 0) >= 1:
            self.restore_last_good("the kiosk restarted before the new configuration passed its self-check")
            return True
        state["starts"] = state.get("starts", 0) + 1
        self._save_state(state)
        return False

    def effective(self) -> tuple[KioskConfig, dict[str, str]]:
        """The configuration in force and the source of every key set somewhere. A set that no
        longer builds (kiosk.toml edited since) is restored to the last good, then to none."""
        bundles = self.active()
        try:
            config = build_config(self.config_path, bundles, demo=self.demo)
        except ConfigError as exc:
            self.restore_last_good(f"configuration no longer valid: {exc}")
            bundles = self.active()
            try:
                config = build_config(self.config_path, bundles, demo=self.demo)
            except ConfigError:
                bundles = {}
                config = build_config(self.config_path, bundles, demo=self.demo)
        _, sources = layered_raw(read_toml(self.config_path), bundles)
        return config, sources

    def summary(self) -> dict:
        """What the technician sees: active versions, trial, last refusal or restore."""
        state = self.state()
        return {"group": self.group or None,
                "active": {s: {"version": b.version, "issued_at": b.issued_at} for s, b in self.active().items()},
                "pending": {s: b.version for s, b in self.pending().items()},
                "trial": bool(state.get("trial")),
                "last_refusal": state.get("last_refusal"),
                "restore_reason": state.get("restore_reason")}


def fetch_and_stage(client, store: CentralConfigStore) -> dict[str, str]:
    """Fetches this kiosk's group and kiosk bundles (blocking: a worker thread) and stages the new
    ones. Returns scope -> "staged vN" | "unchanged" | "none" | "refused: code" | "unreachable"."""
    outcome = {}
    for scope in SCOPES:
        target = store.group if scope == "group" else store.kiosk_id
        if not target:
            continue
        try:
            fetched = client.get_config_bundle(scope, target)
        except Exception as exc:     # kiosk.platform.PlatformError and the like: try again next poll
            log.info("central config: %s bundle not fetched: %s", scope, exc)
            outcome[scope] = "unreachable"
            continue
        if fetched is None:
            outcome[scope] = "none"
            continue
        try:
            bundle = store.accept(scope, *fetched)
        except BundleRejected as exc:
            outcome[scope] = f"refused: {exc.code}"
            continue
        outcome[scope] = f"staged v{bundle.version}" if bundle else "unchanged"
    return outcome


def verifier_for(config: KioskConfig):
    """The platform-key verifier (the catalog's key), or None when no key is configured."""
    if not config.platform.catalog_public_key:
        return None
    from kiosk.config import load_catalog_public_key
    from offline_cache.catalog_cache import Ed25519CatalogVerifier
    return Ed25519CatalogVerifier(load_catalog_public_key(config.platform.catalog_public_key))


def explain_text(config_path: str, *, demo: bool = False) -> str:
    """`python -m kiosk.central_config --explain FILE`: bundle versions, then every key, value and source."""
    local = load_config(config_path, demo=demo)
    verifier = verifier_for(local)
    lines = []
    if verifier is None:
        config, sources = local, layered_raw(read_toml(Path(config_path)), {})[1]
        lines.append("central configuration: off (no platform.catalog_public_key)")
    else:
        store = store_for(local, verifier)
        config, sources = store.effective()
        summary = store.summary()
        active = ", ".join(f"{s} v{v['version']} (issued {v['issued_at']})" for s, v in summary["active"].items())
        lines.append(f"central configuration: group {summary['group'] or '-'}; active: {active or 'none'}"
                     + ("; ON TRIAL" if summary["trial"] else ""))
        if summary["pending"]:
            lines.append(f"  staged for the next idle moment: {summary['pending']}")
        if summary["last_refusal"]:
            r = summary["last_refusal"]
            lines.append(f"  last refused: {r['scope']} bundle, {r['code']}: {r['message']}")
        if summary["restore_reason"]:
            lines.append(f"  last restore: {summary['restore_reason']}")
    if demo:
        sources = {**sources, "kiosk.demo": "--demo"}
    width = max(len(key) for key, _, _ in explain(config, sources))
    for key, value, source in explain(config, sources):
        apply = "local" if key in LOCAL_ONLY or key.split(".")[0] not in REMOTE_APPLY else REMOTE_APPLY[key.split(".")[0]]
        lines.append(f"{key:<{width}}  {json.dumps(value, ensure_ascii=False)}  [{source}; {apply}]")
    return "\n".join(lines) + "\n"


def at_start(config: KioskConfig) -> tuple[KioskConfig, CentralConfigStore | None]:
    """main.py, once per start: with `fleet.config_poll_s` set, counts the start of a set on trial
    (restoring the last good one after a start that never confirmed) and returns the layered
    configuration and the store; otherwise the configuration unchanged and None."""
    if not config.fleet.config_poll_s or not config.source_path:
        return config, None
    store = store_for(config, verifier_for(config))
    store.note_start()
    layered, _sources = store.effective()
    return layered, store


def store_for(config: KioskConfig, verifier) -> CentralConfigStore:
    return CentralConfigStore(Path(config.kiosk.data_dir) / "central-config", Path(config.source_path),
                              kiosk_id=config.kiosk.id, group=config.fleet.group, verifier=verifier,
                              demo=config.kiosk.demo)


def main(argv: list[str] | None = None) -> int:
    import argparse
    parser = argparse.ArgumentParser(prog="python -m kiosk.central_config",
                                     description="The configuration in force: central bundles and every key's source.")
    parser.add_argument("--explain", metavar="FILE", required=True, help="the kiosk.toml to explain")
    parser.add_argument("--demo", action="store_true", help="as main.py --demo loads it")
    args = parser.parse_args(argv)
    try:
        print(explain_text(args.explain, demo=args.demo), end="")
    except ConfigError as exc:
        print(f"configuration error: {exc}")
        return 2
    return 0


def config_command(argv: list[str], default_config: str) -> int:
    """`python main.py config show [--config FILE] [--demo]` (the PyInstaller build has no `-m`)."""
    import argparse
    parser = argparse.ArgumentParser(prog="kiosk config", description="The configuration in force.")
    parser.add_argument("action", choices=["show"], help="show: central bundles and every key's value and source")
    parser.add_argument("--config", default=default_config, help="kiosk.toml")
    parser.add_argument("--demo", action="store_true", help="as main.py --demo loads it")
    args = parser.parse_args(argv)
    return main(["--explain", args.config, *(["--demo"] if args.demo else [])])


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_all(directory: Path) -> None:
    """Forget every bundle (technician: back to kiosk.toml alone)."""
    shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
