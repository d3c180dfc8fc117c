"""The settings schema: every key documented and valid by default; bad values named with their rule."""

from __future__ import annotations

import re

import pytest

from linkus_companion.config.errors import InvalidValue, UnknownSetting
from linkus_companion.config.schema import DEFAULT_DESCRIPTION, SCHEMA, ZOHO_DATA_CENTRES, setting

PRODUCT_KEYS = {
    "pbx.url", "pbx.client_id", "pbx.ca_file", "pbx.cert_fingerprint", "pbx.extensions",
    "pbx.heartbeat_seconds", "backend", "gateway.url", "crm.kind", "crm.enabled", "crm.client_id",
    "crm.zoho_data_centre", "crm.salesforce_login", "crm.redirect_uri", "crm.phonebridge",
    "pop.enabled", "pop.mode", "pop.trigger", "create.enabled", "create.record_type", "create.mode", "create.auto_name",
    "create.inbound", "create.outbound", "calllog.enabled", "calllog.subject", "calllog.description",
    "calllog.recording_link", "calllog.recording_base", "calllog.recording_delivery",
    "calllog.recording_link_days", "calllog.skip_unanswered_agents", "calllog.note_minutes", "store.retention_days", "sync.enabled", "sync.phonebook",
    "sync.modules", "sync.interval_minutes", "match.region", "match.extra_formats", "match.last_digits",
    "match.always_query_crm", "match.multiple", "match.module_priority", "ui.notifications",
    "ui.language", "ui.start_at_login", "ui.dial_prefix", "binding",
}  # fmt: skip


def test_the_schema_covers_every_product_setting_under_stable_names() -> None:
    assert set(SCHEMA) == PRODUCT_KEYS
    assert all(re.fullmatch(r"[a-z]+(\.[a-z_]+)?", key) for key in SCHEMA)


@pytest.mark.parametrize("key", sorted(SCHEMA))
def test_each_setting_is_documented_and_its_default_is_valid(key: str) -> None:
    entry = SCHEMA[key]
    assert entry.doc and "\n" not in entry.doc
    assert entry.kind is bool or entry.rule is not None
    assert entry.validate(entry.default) == entry.default
    assert entry.from_text(entry.to_text(entry.default)) == entry.default


def test_defaults_follow_the_manuals() -> None:
    assert SCHEMA["calllog.subject"].default == "Extension Call"
    assert SCHEMA["calllog.description"].default == DEFAULT_DESCRIPTION
    assert "{{.Call_Log_Status}}" in DEFAULT_DESCRIPTION
    assert SCHEMA["match.last_digits"].default == 7
    assert SCHEMA["pop.trigger"].default == "ringing"
    assert SCHEMA["backend"].default == "embedded"


def test_no_setting_holds_a_secret() -> None:
    assert not [key for key in SCHEMA if re.search("secret|password|token", key)]


VALID = [
    ("pbx.url", "https://pbx.example.com:8088"),
    ("pbx.url", "http://127.0.0.1:8088"),
    ("gateway.url", "https://gw.example.com/"),
    ("pbx.cert_fingerprint", "AB:" * 31 + "CD"),
    ("pbx.cert_fingerprint", "ab" * 32),
    ("pbx.ca_file", "/etc/ssl/pbx.pem"),
    ("pbx.ca_file", "C:\\certs\\pbx.pem"),
    ("pbx.extensions", ("1001", "1002")),
    ("pbx.heartbeat_seconds", 50),
    ("crm.salesforce_login", "test"),
    ("crm.salesforce_login", "https://acme.my.salesforce.com"),
    ("crm.redirect_uri", "http://localhost:0/callback"),
    ("sync.interval_minutes", 30),
    ("match.region", "GB"),
    ("match.extra_formats", ("(###) ###-####", "+44 ## #### ####")),
    ("calllog.description", "{{Time}} {{ .Call_From }} -> {{.Call_To}}"),
    ("binding", {"1001": "005xx000001Sv6A", "1002": "42"}),
    ("crm.kind", ""),
] + [("crm.zoho_data_centre", dc) for dc in ZOHO_DATA_CENTRES]


@pytest.mark.parametrize(("key", "value"), VALID)
def test_valid_values_are_accepted(key: str, value: object) -> None:
    assert SCHEMA[key].validate(value) == value


INVALID = [
    ("pbx.url", "http://pbx.example.com", "https://"),
    ("pbx.url", "https://admin:pw@pbx.example.com", "no user name"),
    ("pbx.url", "pbx.example.com", "https://"),
    ("pbx.url", "https://pbx.example.com:99999", "https://"),
    ("gateway.url", "ftp://gw", "https://"),
    ("crm.salesforce_login", "http://127.0.0.1", "login, test"),
    ("crm.zoho_data_centre", "de", "com, eu, in, com.au, com.cn, jp, ca, sa"),
    ("pop.trigger", "ring", "one of ringing, answered, ended"),
    ("pop.mode", "AUTO", "one of auto, manual"),
    ("create.record_type", "account", "one of contact, lead"),
    ("ui.language", "fr", "one of auto, en, zh_CN"),
    ("match.multiple", "all", "one of ask, priority, recent"),
    ("sync.interval_minutes", 31, "from 1 to 30"),
    ("sync.interval_minutes", "30", "from 1 to 30"),
    ("pbx.heartbeat_seconds", 60, "from 5 to 50"),
    ("match.last_digits", True, "from 0 to 15"),
    ("match.region", "UK", "ISO 3166"),
    ("pbx.cert_fingerprint", "abc", "64 hex digits"),
    ("pbx.ca_file", "certs/pbx.pem", "absolute file path"),
    ("pbx.extensions", ("1001", "1001"), "distinct"),
    ("pbx.extensions", ("1001", "ext"), "extension number"),
    ("pbx.extensions", "1001", "a list"),
    ("sync.modules", ("contacts", "deals"), "contacts, leads, accounts, companies"),
    ("calllog.description", "Call at {{.Time", "{{.Time}} or {{Time}}"),
    ("calllog.subject", "x" * 256, "at most 255"),
    ("binding", {"abc": "u1"}, "extension number"),
    ("binding", {"1001": "bad id!"}, "CRM user ID"),
    ("pop.enabled", "yes", "true or false"),
    ("ui.dial_prefix", "9a", "0-9 * #"),
]


@pytest.mark.parametrize(("key", "value", "rule"), INVALID)
def test_invalid_values_are_refused_naming_key_value_and_rule(key: str, value: object, rule: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        SCHEMA[key].validate(value)
    message = str(caught.value)
    assert message.startswith(f"{key}: {value!r}"[:60])
    assert rule in message


def test_a_huge_value_is_shortened_in_the_message() -> None:
    with pytest.raises(InvalidValue) as caught:
        SCHEMA["pop.trigger"].validate("x" * 10_000)
    assert len(str(caught.value)) < 200


@pytest.mark.parametrize(
    ("key", "text", "value"),
    [
        ("pop.enabled", "off", False),
        ("pop.enabled", " Yes ", True),
        ("sync.interval_minutes", "15", 15),
        ("pbx.extensions", "1001, 1002", ("1001", "1002")),
        ("pbx.extensions", '["1001"]', ("1001",)),
        ("pbx.extensions", "", ()),
        ("binding", "1001=u1, 1002=u2", {"1001": "u1", "1002": "u2"}),
        ("binding", '{"1001": "u1"}', {"1001": "u1"}),
        ("calllog.subject", "Call, {{.Call_From}}", "Call, {{.Call_From}}"),
    ],
)
def test_typed_text_is_read_into_values(key: str, text: str, value: object) -> None:
    assert SCHEMA[key].from_text(text) == value


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("pop.enabled", "maybe"),
        ("sync.interval_minutes", "ten"),
        ("binding", "1001"),
        ("binding", "{bad json"),
    ],
)
def test_unreadable_text_is_refused_naming_the_rule(key: str, text: str) -> None:
    with pytest.raises(InvalidValue, match=re.escape(key)):
        SCHEMA[key].from_text(text)


def test_an_unknown_key_suggests_the_closest_one() -> None:
    with pytest.raises(UnknownSetting, match=r"did you mean 'pop\.trigger'"):
        setting("pop.triger")
