"""Doctor checks of this computer: admin policies and what they set, the keyring, the browser host."""

from __future__ import annotations

import logging
from collections import Counter

from linkus_companion.admin.findings import Finding, ok, problem
from linkus_companion.config.bundle_trust import Trust
from linkus_companion.config.cli import SOURCES
from linkus_companion.config.provisioning import key_id, load_public_key
from linkus_companion.config.schema import SCHEMA
from linkus_companion.config.settings import Settings
from linkus_companion.platform.native_manifest import BROWSERS, Registration
from linkus_companion.secrets import SecretStore, SecretStoreUnavailable
from linkus_companion.texts import Text, text_of

PROBE = "doctor.probe"
"""A throw-away keyring entry written, read back and deleted to prove the keyring works."""
_PLAINTEXT = ("keyrings.alt", "plaintext", "file.")
_LOG = logging.getLogger(__name__)


def policy_findings(settings: Settings, trust: Trust) -> list[Finding]:
    """Which admin policies apply, what each sets, which bundles are trusted, and every ignored value."""
    findings: list[Finding] = []
    if trust.keys:
        kids = ", ".join(key_id(load_public_key(text)) for text in trust.keys)
        findings.append(
            ok(
                "policy",
                Text(
                    "signed bundles are trusted from key(s) {kids} (pinned by {origin})",
                    kids=kids,
                    origin=trust.origin,
                ),
            )
        )
    if trust.url:
        findings.append(ok("policy", Text("central configuration from {url}", url=trust.url)))
    applied = {key: settings.effective(key) for key in SCHEMA}
    by_policy = Counter(e.policy_name for e in applied.values() if e.policy_name)
    for name, count in by_policy.items():
        findings.append(ok("policy", Text("{name} sets {count} setting(s)", name=name, count=count)))
    for key, e in applied.items():
        if e.policy_name:
            shown = SCHEMA[key].to_text(e.value) or Text("(empty)")
            source = SOURCES.get(e.source, e.source)
            findings.append(
                ok(
                    "policy",
                    Text(
                        "{key} = {value} ({source}: {policy})",
                        key=key,
                        value=shown,
                        source=source,
                        policy=e.policy_name,
                    ),
                )
            )
    if not by_policy:
        findings.append(
            ok("policy", Text("no admin policy applies; every setting is the user's or the default"))
        )
    for issue in settings.problems:
        findings.append(problem("policy", Text("{issue}; fix or remove that entry", issue=issue.text)))
    return findings


def keyring_findings(store: SecretStore) -> list[Finding]:
    """The keyring in use, in words (its class name goes to the log), refused when it fails or is unsafe."""
    backend = store.backend_name()
    _LOG.info("keyring backend: %s", backend)
    lowered = backend.lower()
    if lowered.startswith("keyring.backends.fail"):
        return [
            problem("keyring", Text("no OS keyring found; install or unlock one (GNOME Keyring, KWallet)"))
        ]
    if lowered.startswith("keyring.backends.null"):
        return [problem("keyring", Text("the keyring in use stores nothing; unset PYTHON_KEYRING_BACKEND"))]
    if any(marker in lowered for marker in _PLAINTEXT):
        return [
            problem(
                "keyring",
                Text(
                    "the keyring in use keeps secrets in a plain file; remove keyrings.alt and use the OS keyring"
                ),
            )
        ]
    name = _in_words(lowered)
    try:
        store.set(PROBE, "probe")
        works = store.get(PROBE) == "probe"
        store.delete(PROBE)
    except SecretStoreUnavailable as exc:
        return [problem("keyring", Text("{keyring} failed: {why}", keyring=name, why=text_of(exc)))]
    if not works:
        return [
            problem(
                "keyring",
                Text("{keyring} did not return what was stored; check the keyring service", keyring=name),
            )
        ]
    return [ok("keyring", Text("{keyring} stores and returns secrets", keyring=name))]


def _in_words(lowered: str) -> Text:
    """The OS keyring a backend class stands for, as a user knows it."""
    if "secretservice" in lowered or "libsecret" in lowered:
        return Text("the Secret Service keyring (GNOME Keyring, KWallet)")
    if "chainer" in lowered:
        return Text("the OS keyrings found on this computer")
    if "kwallet" in lowered:
        return Text("KWallet")
    if "windows" in lowered:
        return Text("Windows Credential Manager")
    if "macos" in lowered or "osx" in lowered:
        return Text("the macOS Keychain")
    return Text("a third-party keyring (named in the log file)")


def browser_findings(reg: Registration) -> list[Finding]:
    """Whether the browsers find the click-to-call host: optional when absent, a problem when broken."""
    problems = reg.problems()
    if not problems:
        return [
            ok(
                "browser",
                Text("the click-to-call host is registered for {browsers}", browsers=", ".join(BROWSERS)),
            )
        ]
    if not reg.launcher().exists():
        return [
            ok(
                "browser",
                Text("click to call from CRM pages is not set up (optional): `browser-extension install`"),
            )
        ]
    return [
        problem("browser", Text("{problem}; run `linkus-companion browser-extension install`", problem=text))
        for text in problems
    ]
