"""Policy files from a spec: a macOS configuration profile and the managed/recommended JSON files."""

from __future__ import annotations

import json
import plistlib
import uuid

from linkus_companion import APP_NAME
from linkus_companion.admin.spec import Spec
from linkus_companion.platform.launcher import BUNDLE_ID

EXAMPLE_SPEC: Spec = {
    "locked": {
        "backend": "embedded",
        "pbx.url": "https://pbx.example.com:8088",
        "crm.kind": "hubspot",
        "calllog.enabled": True,
    },
    "recommended": {"pop.trigger": "answered", "match.region": "GB", "ui.start_at_login": True},
}
"""What the generated examples set when the admin gives no spec of their own."""


def _uuid(name: str) -> str:
    """A stable UUID, so regenerating a profile updates it on the Macs instead of adding a second one."""
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{BUNDLE_ID}.{name}")).upper()


def mobileconfig(spec: Spec, organisation: str = "Example Ltd") -> bytes:
    """A configuration profile: `locked` values Forced, `recommended` ones applied Often (not forced)."""
    preferences: dict[str, object] = {}
    if spec.get("locked"):
        preferences["Forced"] = [{"mcx_preference_settings": spec["locked"]}]
    if spec.get("recommended"):
        preferences["Often"] = [{"mcx_preference_settings": spec["recommended"]}]
    payload = {
        "PayloadType": "com.apple.ManagedClient.preferences",
        "PayloadVersion": 1,
        "PayloadIdentifier": f"{BUNDLE_ID}.policy.preferences",
        "PayloadUUID": _uuid("preferences"),
        "PayloadEnabled": True,
        "PayloadDisplayName": f"{APP_NAME} settings",
        "PayloadContent": {BUNDLE_ID: preferences},
    }
    profile = {
        "PayloadType": "Configuration",
        "PayloadVersion": 1,
        "PayloadIdentifier": f"{BUNDLE_ID}.policy",
        "PayloadUUID": _uuid("profile"),
        "PayloadDisplayName": f"{APP_NAME} policy",
        "PayloadDescription": f"Settings for {APP_NAME}, pushed by {organisation}.",
        "PayloadOrganization": organisation,
        "PayloadScope": "System",
        "PayloadContent": [payload],
    }
    return plistlib.dumps(profile, sort_keys=True)


def policy_json(spec: Spec, section: str) -> str:
    """The JSON file for `managed/` (section `locked`) or `recommended/`."""
    return json.dumps(spec.get(section, {}), indent=2, ensure_ascii=False) + "\n"
