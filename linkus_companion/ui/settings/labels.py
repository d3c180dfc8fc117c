"""Short labels for settings and their choices (the schema's docs become tooltips)."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

LABELS: dict[str, object] = {
    "backend": QT_TRANSLATE_NOOP("Settings", "Engine runs"),
    "gateway.url": QT_TRANSLATE_NOOP("Settings", "Gateway address"),
    "pbx.url": QT_TRANSLATE_NOOP("Settings", "PBX address"),
    "pbx.client_id": QT_TRANSLATE_NOOP("Settings", "API Client ID"),
    "pbx.ca_file": QT_TRANSLATE_NOOP("Settings", "CA certificate file"),
    "pbx.cert_fingerprint": QT_TRANSLATE_NOOP("Settings", "Certificate fingerprint"),
    "pbx.extensions": QT_TRANSLATE_NOOP("Settings", "Extension"),
    "pbx.heartbeat_seconds": QT_TRANSLATE_NOOP("Settings", "Heartbeat (seconds)"),
    "crm.kind": QT_TRANSLATE_NOOP("Settings", "CRM"),
    "crm.enabled": QT_TRANSLATE_NOOP("Settings", "CRM integration on"),
    "crm.client_id": QT_TRANSLATE_NOOP("Settings", "Client ID"),
    "crm.zoho_data_centre": QT_TRANSLATE_NOOP("Settings", "Zoho data centre"),
    "crm.salesforce_login": QT_TRANSLATE_NOOP("Settings", "Salesforce login"),
    "crm.redirect_uri": QT_TRANSLATE_NOOP("Settings", "Redirect URI"),
    "crm.phonebridge": QT_TRANSLATE_NOOP("Settings", "Zoho PhoneBridge mode"),
    "pop.enabled": QT_TRANSLATE_NOOP("Settings", "Screen pop"),
    "pop.mode": QT_TRANSLATE_NOOP("Settings", "Mode"),
    "pop.trigger": QT_TRANSLATE_NOOP("Settings", "Open the page when"),
    "create.enabled": QT_TRANSLATE_NOOP("Settings", "Create new contact"),
    "create.record_type": QT_TRANSLATE_NOOP("Settings", "Record type"),
    "create.mode": QT_TRANSLATE_NOOP("Settings", "Mode"),
    "create.auto_name": QT_TRANSLATE_NOOP("Settings", "Name of new records"),
    "create.inbound": QT_TRANSLATE_NOOP("Settings", "Inbound calls"),
    "create.outbound": QT_TRANSLATE_NOOP("Settings", "Outbound calls"),
    "calllog.enabled": QT_TRANSLATE_NOOP("Settings", "Call-log sync"),
    "calllog.subject": QT_TRANSLATE_NOOP("Settings", "Subject"),
    "calllog.description": QT_TRANSLATE_NOOP("Settings", "Description"),
    "calllog.recording_link": QT_TRANSLATE_NOOP("Settings", "Play call recording link"),
    "calllog.recording_base": QT_TRANSLATE_NOOP("Settings", "Recording link address"),
    "calllog.recording_delivery": QT_TRANSLATE_NOOP("Settings", "Recording delivery"),
    "calllog.recording_link_days": QT_TRANSLATE_NOOP("Settings", "Recording links expire after (days)"),
    "calllog.note_minutes": QT_TRANSLATE_NOOP("Settings", "Notes after a call (minutes)"),
    "calllog.skip_unanswered_agents": QT_TRANSLATE_NOOP(
        "Settings", "Don't log missed calls for agents who did not answer"
    ),
    "store.retention_days": QT_TRANSLATE_NOOP("Settings", "Keep call history (days)"),
    "sync.enabled": QT_TRANSLATE_NOOP("Settings", "Auto sync contacts"),
    "sync.phonebook": QT_TRANSLATE_NOOP("Settings", "Company contacts group"),
    "sync.modules": QT_TRANSLATE_NOOP("Settings", "Modules to sync"),
    "sync.interval_minutes": QT_TRANSLATE_NOOP("Settings", "Refresh every (minutes)"),
    "match.region": QT_TRANSLATE_NOOP("Settings", "Default country"),
    "match.extra_formats": QT_TRANSLATE_NOOP("Settings", "Extra number formats"),
    "match.last_digits": QT_TRANSLATE_NOOP("Settings", "Match last digits"),
    "match.always_query_crm": QT_TRANSLATE_NOOP("Settings", "Always query CRM"),
    "match.multiple": QT_TRANSLATE_NOOP("Settings", "Several matches"),
    "match.module_priority": QT_TRANSLATE_NOOP("Settings", "Module priority"),
    "ui.notifications": QT_TRANSLATE_NOOP("Settings", "Incoming-call notifications"),
    "ui.language": QT_TRANSLATE_NOOP("Settings", "Language"),
    "ui.start_at_login": QT_TRANSLATE_NOOP("Settings", "Start at login"),
    "ui.dial_prefix": QT_TRANSLATE_NOOP("Settings", "Outbound prefix"),
    "binding": QT_TRANSLATE_NOOP("Settings", "Manual binding"),
}
"""Every setting key with its label, in English (translated at display time; the marker's type is
`object` in PySide's stubs, hence the `str()` where they are used)."""

CHOICES: dict[str, object] = {
    "embedded": QT_TRANSLATE_NOOP("Choices", "On this computer"),
    "gateway": QT_TRANSLATE_NOOP("Choices", "On the site gateway"),
    "hubspot": QT_TRANSLATE_NOOP("Choices", "HubSpot"),
    "salesforce": QT_TRANSLATE_NOOP("Choices", "Salesforce"),
    "zoho": QT_TRANSLATE_NOOP("Choices", "Zoho CRM"),
    "auto": QT_TRANSLATE_NOOP("Choices", "Auto"),
    "manual": QT_TRANSLATE_NOOP("Choices", "Manual"),
    "ringing": QT_TRANSLATE_NOOP("Choices", "Ringing"),
    "answered": QT_TRANSLATE_NOOP("Choices", "Answered"),
    "ended": QT_TRANSLATE_NOOP("Choices", "Call ended"),
    "contact": QT_TRANSLATE_NOOP("Choices", "Contact"),
    "lead": QT_TRANSLATE_NOOP("Choices", "Lead"),
    "ask": QT_TRANSLATE_NOOP("Choices", "Ask me"),
    "priority": QT_TRANSLATE_NOOP("Choices", "Module priority"),
    "recent": QT_TRANSLATE_NOOP("Choices", "Most recently updated"),
    "upload": QT_TRANSLATE_NOOP("Choices", "Upload into the CRM"),
    "link": QT_TRANSLATE_NOOP("Choices", "Link to the recording"),
    "contacts": QT_TRANSLATE_NOOP("Choices", "Contacts"),
    "leads": QT_TRANSLATE_NOOP("Choices", "Leads"),
    "accounts": QT_TRANSLATE_NOOP("Choices", "Accounts"),
    "companies": QT_TRANSLATE_NOOP("Choices", "Companies"),
}
"""Labels of choice values that are words; other values (data centres) show as they are."""

_NATIVE = {"en": "English", "zh_CN": "简体中文"}
"""Languages are named in their own language, never translated."""
_CONTEXT_CHOICES: dict[tuple[str, str], object] = {
    ("pop.mode", "auto"): QT_TRANSLATE_NOOP("Choices", "Auto (incoming calls only)")
}
_CONTEXT_CHOICES[("calllog.recording_delivery", "auto")] = QT_TRANSLATE_NOOP(
    "Choices", "Auto (upload on a desktop, link with a gateway)"
)
_CONTEXT_CHOICES[("ui.language", "auto")] = QT_TRANSLATE_NOOP("Choices", "System language")
_CONTEXT_CHOICES[("create.auto_name", "language")] = QT_TRANSLATE_NOOP(
    "Choices", "In the interface language (自动新建联系人 in Chinese)"
)
_CONTEXT_CHOICES[("create.auto_name", "manual")] = QT_TRANSLATE_NOOP(
    "Choices", "Automatic New Contact (as in the manuals)"
)


def label(key: str) -> str:
    """The translated label of setting `key`."""
    return QCoreApplication.translate("Settings", str(LABELS.get(key, key)))


def choice_label(key: str, value: str) -> str:
    """The translated label of `value` as a choice of setting `key`."""
    if key == "ui.language" and value in _NATIVE:
        return _NATIVE[value]
    text = _CONTEXT_CHOICES.get((key, value)) or CHOICES.get(value)
    return QCoreApplication.translate("Choices", str(text)) if text else value


def doc(text: str) -> str:
    """The translated schema doc of `key` (catalogue context `SettingDocs`, filled from the schema)."""
    return QCoreApplication.translate("SettingDocs", text)
