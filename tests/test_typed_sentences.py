"""Sentences a user meets outside the windows are typed `Text` (translated where shown), never English literals.

Checked in the modules whose words reach the user through another process or a terminal: the gateway
protocol's sides, dialling, the single-instance hand-over, the browser's native host, settings and store
errors, and the command lines. A new English sentence raised, printed or replied there fails this test.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "linkus_companion"
CHECKED = (
    "gateway/protocol.py",
    "gateway/client.py",
    "gateway/credentials.py",
    "gateway/desktop.py",
    "gateway/hub.py",
    "gateway/relay.py",
    "platform/dial.py",
    "platform/single_instance.py",
    "platform/native_messaging.py",
    "platform/native_host.py",
    "click_to_call.py",
    "phone.py",
    "ports.py",
    "cli.py",
    "terminal.py",
    "store.py",
    "store_sqlite.py",
    "config/errors.py",
    "config/rules.py",
    "config/setting.py",
    "config/settings.py",
    "config/userfile.py",
    "config/sources.py",
    "config/provisioning.py",
    "config/bundle_source.py",
    "config/bundle_trust.py",
    "config/cli.py",
    "admin/cli.py",
    "admin/keys.py",
    "admin/spec.py",
    "admin/signing.py",
    "admin/doctor.py",
    "admin/doctor_local.py",
    "admin/doctor_pbx.py",
    "admin/doctor_crm.py",
    "runtime.py",
    "pbx/client.py",
    "pbx/events.py",
    "pbx/tokens.py",
    "crm/oauth.py",
    "engine/contact_sync.py",
    "platform/native_commands.py",
    "gateway/commands.py",
    "gateway/config.py",
    "gateway/sealed.py",
    "gateway/server_secrets.py",
    "local_backend.py",
    "headless.py",
    "crm/oauth_loopback.py",
    "config/policy_url.py",
    "store_postgres.py",
    "crm/hubspot.py",
    "crm/salesforce.py",
    "crm/zoho.py",
    "crm/http.py",
    "pbx/errors.py",
    "pbx/transport.py",
    "pbx/resources.py",
    "net_cause.py",
    "os_cause.py",
    "secrets.py",
    "platform/logs.py",
    "gateway/tokens.py",
    "gateway/health_check.py",
    "gateway/unreachable.py",
    "config/policy_macos.py",
    "config/policy_windows.py",
    "pbx/tls.py",
    "crm/oauth_providers.py",
    "demo.py",
    "demo_command.py",
    "demo_browser.py",
    "gateway/demo.py",
    "engine/binding.py",
)
SENTENCE_CALLS = frozenset(
    {"_fail", "_failed", "_refused", "_offline", "reply_error", "Problem", "say", "tell"}
)
"""Functions whose text arguments are shown to the user."""
ERRORS = frozenset(
    {
        "RateLimited",
        "QuotaExhausted",
        "Unavailable",
        "AuthExpired",
        "ValidationFailed",
        "NotFound",
        "DuplicateContact",
    }
)
"""CRM errors made (and raised later) with the sentence the tray, the card or a dialog shows."""
WORDS = re.compile(r"[A-Za-z]{2,}[\])\[,:;]? +[\[(]?[A-Za-z]{2,}")
INTERNAL = {
    "gateway/protocol.py": {"ProtocolError", "ValueError"},
    "gateway/client.py": {"ConnectionError"},
    "gateway/desktop.py": {"ProtocolError"},
    "engine/contact_sync.py": {"ValueError"},
    "gateway/server_secrets.py": {"ValueError"},
    "crm/hubspot.py": {"ValueError"},
    "crm/zoho.py": {"ValueError"},
    "crm/http.py": {"ValueError"},
    "pbx/resources.py": {"MalformedPayload"},
    "gateway/tokens.py": {"ValueError"},
    "config/policy_macos.py": {"OSError"},
    "pbx/tls.py": {"PinMismatch"},
}
"""Errors of a module that never reach a user: the gateway client logs a malformed message or a closed
connection and shows its own typed sentence, the gateway answers a malformed request with one; an unreadable
PBX row is logged and skipped; a macOS CoreFoundation failure reaches the user only as the system's labelled
words (`os_cause.system_says`); a certificate that is not the pinned one is told from its class
(`net_cause.certificate_why`)."""


def _english(node: ast.AST) -> bool:
    """A literal (or f-string, or sum of them) holding words."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(WORDS.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_english(part) for part in node.values)
    if isinstance(node, ast.BinOp):
        return _english(node.left) or _english(node.right)
    return False


def _name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _shown(call: ast.Call) -> list[ast.AST]:
    """The arguments of `call` that a user reads, when it is a call that shows or raises a sentence."""
    name = _name(call)
    shown = name in SENTENCE_CALLS | ERRORS or name == "print" or name.startswith("Pbx")
    if shown or name.endswith(("Error", "Refused", "Busy", "Configured", "Failed")):
        return [*call.args, *(k.value for k in call.keywords if k.arg in (None, "message"))]
    return []


def english_sentences(source: str, internal: frozenset[str] = frozenset()) -> list[str]:
    """Where `source` raises, prints or replies an English literal instead of a `Text` (`internal`: error
    classes whose messages are not shown)."""
    tree = ast.parse(source)
    typed = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and _name(node) == "Text"
        for inner in ast.walk(node)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args:
            raised = node.exc
            if id(raised) not in typed and _name(raised) not in internal and not _shown(raised):
                found += [f"line {a.lineno}: {ast.unparse(a)[:70]}" for a in raised.args[:1] if _english(a)]
        if isinstance(node, ast.Call) and id(node) not in typed and _name(node) not in internal:
            found += [f"line {a.lineno}: {ast.unparse(a)[:70]}" for a in _shown(node) if _english(a)]
        if (
            isinstance(node, ast.Assign)
            and node in tree.body
            and all(isinstance(t, ast.Name) and t.id.isupper() for t in node.targets)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            and node.value.value.rstrip().endswith(".")
            and len(node.value.value.split()) >= 3
        ):
            found.append(f"line {node.lineno}: {node.value.value[:70]}")
    return found


@pytest.mark.parametrize("module", CHECKED)
def test_sentences_for_the_user_are_typed(module: str) -> None:
    internal = frozenset(INTERNAL.get(module, ()))
    assert english_sentences((PACKAGE / module).read_text(encoding="utf-8"), internal) == []


def test_the_check_finds_an_english_sentence_however_it_is_written() -> None:
    source = (
        'NOT_RUNNING = "Linkus Companion is not running here."\n'
        'raise DialError("No number given.")\n'
        'raise ProtocolError(f"The field {name!r} must be a string.")\n'
        'print(f"signed bundle written to {path}")\n'
        'reply_error(1, "The gateway did not understand the request.")\n'
        'self._offline(LinkState.ERROR, "Cannot reach " + url)\n'
        'raise DialError(Text("No number given."))\n'
        "print(json.dumps(document))\n"
        'log.warning("a log line stays English: %s", why)\n'
        'raise Unavailable(f"{name} sign-in server failed ({error}); try again later.")\n'
    )
    source += 'raise FrameError(f"bad record: {exc!r}")\n'
    source += 'raise ConfigError(f"{path}: unknown [gateway] keys {sorted(unknown)}")\n'
    found = sorted(line.split(":")[0] for line in english_sentences(source, frozenset({"FrameError"})))
    assert found == ["line 1", "line 10", "line 12", "line 2", "line 3", "line 4", "line 5", "line 6"]
