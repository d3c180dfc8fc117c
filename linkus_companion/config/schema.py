"""Every setting of the product: dotted name, type, default, one-line doc and rule."""

from __future__ import annotations

from linkus_companion.config.errors import UnknownSetting
from linkus_companion.config.rules import (
    AbsolutePath,
    Choice,
    Each,
    Either,
    Pairs,
    Pattern,
    Range,
    Region,
    Template,
    WebUrl,
)
from linkus_companion.config.setting import Setting
from linkus_companion.texts import Text

MODULES = ("contacts", "leads", "accounts", "companies")
"""CRM modules by our names: HubSpot has contacts and companies; Salesforce and Zoho the other three."""
ZOHO_DATA_CENTRES = ("com", "eu", "in", "com.au", "com.cn", "jp", "ca", "sa")
DEFAULT_SUBJECT = "Extension Call"
DEFAULT_DESCRIPTION = (
    "Call: {{.Time}} {{.Call_Log_Status}} from {{.Call_From}} to {{.Call_To}} {{.Talk_Duration}}"
)

_EXTENSION = Pattern(r"[0-9]{1,10}", Text("an extension number of 1 to 10 digits"))
_CLIENT_ID = Pattern(r"[\x21-\x7e]{1,256}", Text("an ID of 1 to 256 visible ASCII characters without spaces"))
_CRM_USER_ID = Pattern(r"[A-Za-z0-9_.@-]{1,64}", Text("a CRM user ID (letters, digits, _ . @ -)"))
_MODULE = Choice(MODULES)

_SETTINGS = (
    # PBX connection
    Setting("pbx.url", str, "", "PBX Open API base address, e.g. https://pbx.example.com:8088", WebUrl()),
    Setting("pbx.client_id", str, "", "Open API Client ID (its secret lives in the keyring)", _CLIENT_ID),
    Setting("pbx.ca_file", str, "", "CA certificate file that signs the PBX's certificate", AbsolutePath()),
    Setting(
        "pbx.cert_fingerprint",
        str,
        "",
        "SHA-256 fingerprint pinned for a PBX with its own certificate",
        Pattern(r"(?:[0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}", Text("64 hex digits, optionally colon-separated")),
    ),
    Setting(
        "pbx.extensions", tuple, (), "The PBX extension(s) whose calls this app handles", Each(_EXTENSION)
    ),
    Setting(
        "pbx.heartbeat_seconds",
        int,
        30,
        "WebSocket heartbeat interval (the PBX closes at 60 s idle)",
        Range(5, 50),
    ),
    # Where the engine runs
    Setting(
        "backend",
        str,
        "embedded",
        "Run the engine here (embedded) or use a site gateway",
        Choice(("embedded", "gateway")),
    ),
    Setting("gateway.url", str, "", "Address of the site gateway when backend is gateway", WebUrl()),
    # CRM connection
    Setting("crm.kind", str, "", "Which CRM to connect", Choice(("hubspot", "salesforce", "zoho"))),
    Setting("crm.enabled", bool, True, "CRM integration on; off keeps every setting (Disable)"),
    Setting(
        "crm.client_id",
        str,
        "",
        "OAuth Client ID (Salesforce: consumer key) of the admin's CRM app",
        _CLIENT_ID,
    ),
    Setting(
        "crm.zoho_data_centre",
        str,
        "com",
        "Zoho data centre: the domain ending of its servers",
        Choice(ZOHO_DATA_CENTRES),
    ),
    Setting(
        "crm.salesforce_login",
        str,
        "login",
        "Salesforce login: login (production), test (sandbox) or your My Domain URL",
        Either(Choice(("login", "test")), WebUrl(allow_loopback_http=False)),
    ),
    Setting(
        "crm.redirect_uri",
        str,
        "http://localhost:8768/callback",
        "OAuth redirect URI registered with the CRM app",
        WebUrl(),
    ),
    Setting("crm.phonebridge", bool, False, "Zoho PhoneBridge mode: Zoho pops and logs calls itself"),
    # Screen pop
    Setting("pop.enabled", bool, True, "Open the caller's CRM page"),
    Setting(
        "pop.mode",
        str,
        "auto",
        "auto (incoming calls only) or manual (button in the call window)",
        Choice(("auto", "manual")),
    ),
    Setting(
        "pop.trigger",
        str,
        "ringing",
        "When an auto pop opens the page",
        Choice(("ringing", "answered", "ended")),
    ),
    # Creating records for unknown numbers
    Setting("create.enabled", bool, True, "Offer to create CRM records for unknown numbers"),
    Setting(
        "create.record_type",
        str,
        "contact",
        "Create a contact or a lead (HubSpot: contacts only)",
        Choice(("contact", "lead")),
    ),
    Setting(
        "create.mode",
        str,
        "manual",
        "auto: create 'Automatic New Contact <number>'; manual: the user decides",
        Choice(("auto", "manual")),
    ),
    Setting(
        "create.auto_name",
        str,
        "language",
        "Name of auto-created records: in the interface language, or the manuals' exact "
        "'Automatic New Contact'",
        Choice(("language", "manual")),
    ),
    Setting("create.inbound", bool, True, "Auto-create for unknown numbers on inbound calls"),
    Setting("create.outbound", bool, False, "Auto-create for unknown numbers on outbound calls"),
    # Call-log sync
    Setting("calllog.enabled", bool, True, "Write every call of a bound extension into the CRM"),
    Setting(
        "calllog.subject",
        str,
        DEFAULT_SUBJECT,
        "Call-log subject template (Salesforce, Zoho)",
        Template(max_chars=255),
    ),
    Setting("calllog.description", str, DEFAULT_DESCRIPTION, "Call-log description template", Template()),
    Setting("calllog.recording_link", bool, True, "Add a link that plays the PBX recording"),
    Setting(
        "calllog.recording_base",
        str,
        "http://127.0.0.1:8769",
        "Where recording links point (this desktop's player, or the gateway's https address)",
        WebUrl(),
    ),
    Setting(
        "calllog.recording_delivery",
        str,
        "auto",
        "How CRM users play recordings: upload the file into the CRM, or a link to the gateway "
        "(auto: upload on a desktop, link with a gateway)",
        Choice(("auto", "upload", "link")),
    ),
    Setting(
        "calllog.recording_link_days",
        int,
        0,
        "Recording links stop playing this many days after they were written (0: never)",
        Range(0, 3650),
    ),
    Setting(
        "calllog.skip_unanswered_agents",
        bool,
        True,
        "Queue/ring-group calls: no missed-call log for agents who did not answer",
    ),
    Setting(
        "calllog.note_minutes",
        int,
        15,
        "Minutes after a call ends that its card still takes a note for the call log",
        Range(0, 1440),
    ),
    Setting(
        "store.retention_days",
        int,
        90,
        "Days closed calls and delivered call logs stay in the local store",
        Range(7, 3650),
    ),
    # Contact sync to the PBX
    Setting("sync.enabled", bool, False, "Copy CRM contacts who call or are called into a PBX phonebook"),
    Setting(
        "sync.phonebook",
        str,
        "",
        "Name of the PBX company-contacts group (phonebook) owned by the sync",
        Pattern(r"[^\x00-\x1f\x7f]{1,63}", Text("a name of 1 to 63 printable characters")),
    ),
    Setting("sync.modules", tuple, ("contacts",), "CRM modules whose records are synced", Each(_MODULE)),
    Setting(
        "sync.interval_minutes", int, 30, "Refresh synced contacts from the CRM this often", Range(1, 30)
    ),
    # Matching numbers to CRM records
    Setting("match.region", str, "US", "Default country for numbers written without one", Region()),
    Setting(
        "match.extra_formats",
        tuple,
        (),
        "Extra number layouts to search, # per national digit, e.g. (###) ###-####",
        Each(Pattern(r"[#0-9 ().+/-]{1,32}", Text("a layout of # and 0-9 ( ) . + / - and spaces"))),
    ),
    Setting("match.last_digits", int, 7, "Fall back to matching the last N digits (0: off)", Range(0, 15)),
    Setting(
        "match.always_query_crm",
        bool,
        False,
        "Ask the CRM on every call, not only when the PBX phonebook has no match",
    ),
    Setting(
        "match.multiple",
        str,
        "ask",
        "Several records share a number: ask, module priority or most recent",
        Choice(("ask", "priority", "recent")),
    ),
    Setting(
        "match.module_priority",
        tuple,
        MODULES,
        "Module order for lookups and the priority rule",
        Each(_MODULE),
    ),
    # Desktop
    Setting("ui.notifications", bool, True, "Show a notification for incoming calls"),
    Setting(
        "ui.language",
        str,
        "auto",
        "Interface language (auto follows the system)",
        Choice(("auto", "en", "zh_CN")),
    ),
    Setting("ui.start_at_login", bool, False, "Start the app when the user logs in"),
    Setting(
        "ui.dial_prefix",
        str,
        "",
        "Prefix dialled before external numbers (e.g. 9)",
        Pattern(r"[0-9*#]{1,8}", Text("1 to 8 of 0-9 * #")),
    ),
    # Binding
    Setting(
        "binding",
        dict,
        {},
        "Manual binding: extension -> CRM user ID (others bind by e-mail)",
        Pairs(_EXTENSION, _CRM_USER_ID),
    ),
)

SCHEMA: dict[str, Setting] = {s.key: s for s in _SETTINGS}
"""Every setting by its dotted name, in display order."""


def setting(key: str) -> Setting:
    """The schema entry for `key`, or UnknownSetting with a suggestion."""
    try:
        return SCHEMA[key]
    except KeyError:
        raise UnknownSetting(key, SCHEMA) from None
