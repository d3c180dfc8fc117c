"""`linkus-companion admin ...`: signed provisioning, policy templates, and secrets for deployment scripts."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import jwt

from linkus_companion.admin import admx, examples, keys, signing, spec
from linkus_companion.config.cli import SOURCES
from linkus_companion.config.errors import SettingsError
from linkus_companion.config.policies import admin_policies
from linkus_companion.config.provisioning import SECTIONS, Bundle, verify
from linkus_companion.os_cause import os_why
from linkus_companion.runtime import CRM_SECRET, PBX_SECRET
from linkus_companion.secrets import SecretStore, SecretStoreUnavailable
from linkus_companion.terminal import say, tell
from linkus_companion.texts import Text, text_of

DEPLOYABLE = (PBX_SECRET, CRM_SECRET)
"""Keyring entries a deployment script may fill for the user it runs as."""


def keygen(args: argparse.Namespace) -> int:
    """Create a signing key pair and say how to pin the public key."""
    try:
        pair = keys.generate(Path(args.out), args.algorithm)
    except keys.SigningKeyError as exc:
        return _fail(text_of(exc))
    except OSError as exc:
        return _fail(
            Text("cannot write the key pair into {path} ({why})", path=str(args.out), why=os_why(exc))
        )
    tell(Text("private key: {path}  (keep it offline; it signs every bundle)", path=str(pair.private_file)))
    tell(Text("public key:  {path}  (key id {key})", path=str(pair.public_file), key=pair.key_id))
    tell(Text("Pin it with a locked policy, e.g. managed/provisioning.json:"))
    print(json.dumps({"provisioning.public_keys": [pair.public_line]}, indent=2))
    return 0


def sign(args: argparse.Namespace) -> int:
    """Sign a spec file into a bundle."""
    try:
        checked = spec.load(Path(args.spec))
        token = signing.sign(checked, keys.load_private(Path(args.key)), days=args.days, issuer=args.issuer)
    except (SettingsError, keys.SigningKeyError, ValueError) as exc:
        return _fail(os_why(exc))
    if args.out == "-":
        print(token)
    else:
        Path(args.out).write_text(token + "\n", encoding="ascii")
        tell(Text("signed bundle written to {path}", path=args.out))
    return 0


def verify_bundle(args: argparse.Namespace) -> int:
    """Verify a bundle with the given keys (default: the keys this computer's policies pin)."""
    try:
        bundle = verify(_read(args.bundle), _pinned(args.public_key))
        for section, layer in SECTIONS.items():
            spec.check({section: bundle.sections.get(layer, {})}, allow_trust=False)
    except (SettingsError, ValueError, OSError) as exc:
        return _fail(Text("bundle refused: {why}", why=os_why(exc)))
    tell(Text("verified: {summary}", summary=_summary(bundle)))
    return 0


def show(args: argparse.Namespace) -> int:
    """Print what a bundle contains, then whether it verifies."""
    try:
        text = _read(args.bundle).strip()
        header = jwt.get_unverified_header(text)
        claims = jwt.decode(text, options={"verify_signature": False})
    except (jwt.PyJWTError, OSError) as exc:
        return _fail(Text("not a readable bundle ({why})", why=os_why(exc)))
    for name in ("iat", "exp", "nbf"):
        if isinstance(claims.get(name), int | float):
            claims[name] = dt.datetime.fromtimestamp(claims[name], dt.UTC).isoformat()
    print(json.dumps({"header": header, "claims": claims}, indent=2, ensure_ascii=False))
    try:
        tell(
            Text("signature: verified ({summary})", summary=_summary(verify(text, _pinned(args.public_key))))
        )
    except (SettingsError, ValueError) as exc:
        tell(Text("signature: NOT verified - {why}", why=os_why(exc)))
    return 0


def templates(args: argparse.Namespace) -> int:
    """Write the ADMX/ADML pair, a .mobileconfig and managed/recommended JSON into a folder."""
    try:
        content = spec.load(Path(args.spec)) if args.spec else examples.EXAMPLE_SPEC
    except SettingsError as exc:
        return _fail(text_of(exc))
    out = Path(args.out)
    admx_text, adml_text = admx.build()
    files = {
        out / f"{admx.FILE_STEM}.admx": admx_text,
        out / "en-US" / f"{admx.FILE_STEM}.adml": adml_text,
        out / "managed" / f"{admx.FILE_STEM}.json": examples.policy_json(content, "locked"),
        out / "recommended" / f"{admx.FILE_STEM}.json": examples.policy_json(content, "recommended"),
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    profile = out / f"{admx.FILE_STEM}.mobileconfig"
    profile.write_bytes(examples.mobileconfig(content, args.organisation))
    for path in (*files, profile):
        print(path)
    return 0


def store_secret(args: argparse.Namespace) -> int:
    """Put a deployable secret (read from standard input, never the command line) into the user's keyring."""
    if args.name not in DEPLOYABLE:
        return _fail(
            Text(
                '"{name}" is not a deployable secret; use one of {names}',
                name=args.name,
                names=", ".join(DEPLOYABLE),
            )
        )
    value = sys.stdin.readline().strip()
    if not value:
        return _fail(
            Text("no secret on standard input; pipe it in, e.g. from the deployment tool's secret store")
        )
    try:
        SecretStore().set(args.name, value)
    except SecretStoreUnavailable as exc:
        return _fail(text_of(exc))
    tell(
        Text("{name} stored in the keyring ({keyring})", name=args.name, keyring=SecretStore().backend_name())
    )
    return 0


def delete_recording(args: argparse.Namespace) -> int:
    """Delete one call's recording on request: withdraw its links, cancel its uploads, drop local copies,
    and delete the copies uploaded to the CRM (with this profile's or the gateway's CRM sign-in)."""
    import asyncio

    from linkus_companion.admin.crm_erasure import SignIn, delete_in_crm
    from linkus_companion.crm.base import CrmError
    from linkus_companion.engine.recording_erasure import erase_recording
    from linkus_companion.gateway.config import ConfigError
    from linkus_companion.runtime import NotConfigured
    from linkus_companion.store import Store, StoreError

    gateway = Path(args.config) if args.config else None
    try:
        sign_in = SignIn.of(gateway)
        store = Store.open(args.store or _gateway_store(gateway))
    except (StoreError, ConfigError, SecretStoreUnavailable) as exc:
        return _fail(text_of(exc))
    try:
        erased = erase_recording(store, args.call_id)
        tell(
            Text(
                "call {call}: {links} link(s) withdrawn, {uploads} queued upload(s) cancelled,"
                " {files} local copy(ies) deleted",
                call=args.call_id,
                links=erased.links,
                uploads=erased.uploads,
                files=erased.files,
            )
        )
        deleted: tuple[str, ...] = ()
        if erased.uploaded:
            try:
                deleted = asyncio.run(delete_in_crm(store, args.call_id, sign_in))
            except (NotConfigured, CrmError, SecretStoreUnavailable) as exc:
                tell(Text("the copies in the CRM could not be deleted: {why}", why=text_of(exc)), error=True)
    finally:
        store.close()
    for file_id in deleted:
        tell(Text("deleted from the CRM: file {file}", file=file_id))
    for file_id in (f for f in erased.uploaded if f not in deleted):
        tell(
            Text(
                "already stored in the CRM as file {file}: delete it there (CRM admin) to remove it everywhere",
                file=file_id,
            )
        )
    return 0 if set(erased.uploaded) <= set(deleted) else 1


def _gateway_store(config: Path | None) -> Path | str | None:
    """The gateway's SQLite file or PostgreSQL URL (None: this user's store)."""
    if config is None:
        return None
    from linkus_companion.gateway.config import load

    return load(config).database


def _read(name: str) -> str:
    return sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")


def _pinned(given: list[str] | None) -> tuple[str, ...]:
    """Keys from the command line (text or a file holding it), else the ones pinned by this computer."""
    if not given:
        return admin_policies().trust.read().keys
    return tuple(Path(k).read_text(encoding="utf-8") if Path(k).is_file() else k for k in given)


def _summary(bundle: Bundle) -> Text:
    counts = ", ".join(
        say(Text("{count} {layer}", count=len(values), layer=SOURCES.get(layer.label, layer.label)))
        for layer, values in bundle.sections.items()
    )
    key, expires = bundle.key_id or "?", f"{bundle.expires_at:%Y-%m-%d}"
    if bundle.issuer:
        return Text(
            "key {key}, issuer {issuer}, expires {expires}; settings: {counts}",
            key=key,
            issuer=bundle.issuer,
            expires=expires,
            counts=counts,
        )
    return Text("key {key}, expires {expires}; settings: {counts}", key=key, expires=expires, counts=counts)


def _fail(message: str) -> int:
    tell(Text("error: {why}", why=message), error=True)
    return 1
