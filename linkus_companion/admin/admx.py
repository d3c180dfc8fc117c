"""Group Policy templates (ADMX + en-US ADML) generated from the settings, locked and recommended."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass

from linkus_companion import APP_NAME, __version__
from linkus_companion.admin.spec import policy_settings
from linkus_companion.config.bundle_trust import TRUST_KEYS
from linkus_companion.config.policy_windows import POLICY_KEY, RECOMMENDED
from linkus_companion.config.rules import Choice, Range
from linkus_companion.config.setting import Setting

NS = "http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions"
FILE_STEM = "linkus-companion"
ROOT = "LinkusCompanion"
GROUPS = {
    "pbx": "PBX connection",
    "backend": "Where the engine runs",
    "gateway": "Site gateway",
    "crm": "CRM connection",
    "pop": "Screen pop",
    "create": "New contacts and leads",
    "calllog": "Call log",
    "sync": "Contact sync to the PBX",
    "match": "Number matching",
    "ui": "Desktop",
    "binding": "User binding",
    "provisioning": "Signed provisioning",
}
_INT_MAX = 2**31 - 1
TextAdder = Callable[[str, str], str]
"""Adds a string to the ADML string table and returns its `$(string.id)` reference."""


@dataclass(frozen=True)
class Tier:
    """Locked policies (key root) or recommended ones (the `Recommended` subkey)."""

    suffix: str
    category: str
    title: str
    key: str


TIERS = (
    Tier("", ROOT, APP_NAME, POLICY_KEY),
    Tier(
        "_Recommended",
        f"{ROOT}_Recommended",
        f"{APP_NAME} - Default Settings (users can override)",
        f"{POLICY_KEY}\\{RECOMMENDED}",
    ),
)


def policy_name(key: str, tier: Tier) -> str:
    """The ADMX policy name of a setting, e.g. `pop_trigger_Recommended`."""
    return key.replace(".", "_") + tier.suffix


def build() -> tuple[str, str]:
    """The ADMX and the en-US ADML documents."""
    admx = ET.Element("policyDefinitions", {"xmlns": NS, "revision": "1.0", "schemaVersion": "1.0"})
    adml = ET.Element("policyDefinitionResources", {"xmlns": NS, "revision": "1.0", "schemaVersion": "1.0"})
    ET.SubElement(adml, "displayName").text = APP_NAME
    ET.SubElement(adml, "description").text = f"{APP_NAME} {__version__} policies"
    resources = ET.SubElement(adml, "resources")
    strings = ET.SubElement(resources, "stringTable")
    presentations = ET.SubElement(resources, "presentationTable")

    def text(string_id: str, value: str) -> str:
        ET.SubElement(strings, "string", {"id": string_id}).text = value
        return f"$(string.{string_id})"

    namespaces = ET.SubElement(admx, "policyNamespaces")
    ET.SubElement(namespaces, "target", {"prefix": "linkuscompanion", "namespace": f"{ROOT}.Policies"})
    ET.SubElement(admx, "resources", {"minRequiredRevision": "1.0"})
    supported = ET.SubElement(ET.SubElement(admx, "supportedOn"), "definitions")
    ET.SubElement(
        supported,
        "definition",
        {
            "name": "SUPPORTED_ANY",
            "displayName": text("SUPPORTED_ANY", f"{APP_NAME} {__version__} and later"),
        },
    )
    categories = ET.SubElement(admx, "categories")
    policies = ET.SubElement(admx, "policies")
    for tier in TIERS:
        # The trust settings are honoured only when locked, so they have no recommended policy.
        settings = [e for e in policy_settings().values() if not (tier.suffix and e.key in TRUST_KEYS)]
        ET.SubElement(
            categories, "category", {"name": tier.category, "displayName": text(tier.category, tier.title)}
        )
        for group in dict.fromkeys(entry.key.split(".", 1)[0] for entry in settings):
            category = ET.SubElement(
                categories,
                "category",
                {
                    "name": f"{tier.category}_{group}",
                    "displayName": text(f"{tier.category}_{group}", GROUPS.get(group, group.capitalize())),
                },
            )
            ET.SubElement(category, "parentCategory", {"ref": tier.category})
        for entry in settings:
            _policy(policies, presentations, text, entry, tier)
    return _xml(admx), _xml(adml)


def _policy(
    policies: ET.Element, presentations: ET.Element, text: TextAdder, entry: Setting, tier: Tier
) -> None:
    name = policy_name(entry.key, tier)
    group = entry.key.split(".", 1)[0]
    lock = "Users cannot change it." if not tier.suffix else "Users may change it."
    explain = (
        f"{entry.doc}.\n\n{lock}\nAccepts: {entry.rule_text()}.\nDefault: {entry.to_text(entry.default) or '(not set)'}."
        f"\nRegistry: HKLM or HKCU\\{tier.key}, value {entry.key}."
    )
    attributes = {
        "name": name,
        "class": "Both",
        "displayName": text(name, entry.key),
        "explainText": text(f"{name}_Explain", explain),
        "key": tier.key,
    }
    if entry.kind is not bool:
        attributes["presentation"] = f"$(presentation.{name})"
    else:
        attributes["valueName"] = entry.key
    policy = ET.SubElement(policies, "policy", attributes)
    ET.SubElement(policy, "parentCategory", {"ref": f"{tier.category}_{group}"})
    ET.SubElement(policy, "supportedOn", {"ref": "SUPPORTED_ANY"})
    if entry.kind is bool:
        ET.SubElement(ET.SubElement(policy, "enabledValue"), "decimal", {"value": "1"})
        ET.SubElement(ET.SubElement(policy, "disabledValue"), "decimal", {"value": "0"})
        return
    elements = ET.SubElement(policy, "elements")
    shown = ET.SubElement(presentations, "presentation", {"id": name})
    _element(elements, shown, text, entry, name, tier)


def _element(
    elements: ET.Element, shown: ET.Element, text: TextAdder, entry: Setting, name: str, tier: Tier
) -> None:
    rule, label = entry.rule, entry.key
    if entry.kind is int:
        low, high = (rule.low, rule.high) if isinstance(rule, Range) else (0, _INT_MAX)
        ET.SubElement(
            elements,
            "decimal",
            {
                "id": name,
                "valueName": entry.key,
                "minValue": str(low),
                "maxValue": str(high),
                "required": "true",
            },
        )
        ET.SubElement(
            shown, "decimalTextBox", {"refId": name, "defaultValue": str(entry.default)}
        ).text = label
    elif entry.kind is str and isinstance(rule, Choice):
        choice = ET.SubElement(elements, "enum", {"id": name, "valueName": entry.key, "required": "true"})
        for i, option in enumerate(rule.options):
            item = ET.SubElement(choice, "item", {"displayName": text(f"{name}_{i}", option)})
            ET.SubElement(ET.SubElement(item, "value"), "string").text = option
        ET.SubElement(shown, "dropdownList", {"refId": name, "noSort": "true"}).text = label
    elif entry.kind is str:
        ET.SubElement(elements, "text", {"id": name, "valueName": entry.key, "maxLength": "2000"})
        ET.SubElement(ET.SubElement(shown, "textBox", {"refId": name}), "label").text = label
    elif entry.kind is tuple:
        ET.SubElement(elements, "multiText", {"id": name, "valueName": entry.key})
        ET.SubElement(shown, "multiTextBox", {"refId": name}).text = f"{label} (one per line)"
    else:
        ET.SubElement(
            elements, "list", {"id": name, "key": f"{tier.key}\\{entry.key}", "explicitValue": "true"}
        )
        ET.SubElement(shown, "listBox", {"refId": name}).text = f"{label} (name = value)"


def _xml(root: ET.Element) -> str:
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
