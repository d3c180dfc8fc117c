"""The Salesforce emulator: simple-salesforce (unmodified) as an oracle over TLS, OAuth, SOSL/SOQL parsers."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import ssl
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)

from linkus_companion.sim.salesforce import SalesforceEmulator
from linkus_companion.sim.salesforce_soql import QueryError, parse_query
from linkus_companion.sim.salesforce_sosl import FieldValue, Term, parse_search

T = TypeVar("T")
CALLBACK = "http://localhost:1717/OauthRedirect"


@pytest.fixture
async def emulator(tmp_path: Path) -> AsyncIterator[SalesforceEmulator]:
    async with SalesforceEmulator(tls_dir=tmp_path / "tls", query_batch_size=3) as running:
        yield running


def sdk(emulator: SalesforceEmulator, token: str | None = None) -> Salesforce:
    """simple-salesforce pointed at the emulator; requests trusts only the emulator's CA."""
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise replace `verify`
    session.verify = str(emulator.ca_file)
    return Salesforce(
        instance_url=emulator.base_url,
        session_id=token or emulator.admin_token,
        version="66.0",
        session=session,
    )


async def in_thread(emulator: SalesforceEmulator, work: Callable[[Salesforce], T]) -> T:
    """Run synchronous SDK code in a worker thread while the emulator serves in this loop."""
    sf = sdk(emulator)
    try:
        return await asyncio.to_thread(work, sf)
    finally:
        sf.session.close()


# --- simple-salesforce as the oracle ----------------------------------------------------------------


async def test_sdk_search_finds_numbers_stored_in_any_format(emulator: SalesforceEmulator) -> None:
    ids = [
        emulator.add_record("Contact", LastName="Paren", Phone="(646) 555-0142"),
        emulator.add_record("Lead", LastName="Plus", Company="X", Phone="+1 646-555-0142"),
        emulator.add_record("Account", Name="Ext", Phone="646.555.0142 ext. 9"),
    ]
    emulator.add_record("Contact", LastName="Other", Phone="(646) 555-0143")
    sosl = (
        "FIND {6465550142 OR 16465550142} IN PHONE FIELDS RETURNING "
        "Contact(Id, Phone, LastName), Lead(Id, Phone, Company), Account(Id, Phone, Name)"
    )
    result = await in_thread(emulator, lambda sf: sf.search(sosl))
    rows = result["searchRecords"]
    assert sorted(r["Id"] for r in rows) == sorted(ids)
    assert {r["attributes"]["type"] for r in rows} == {"Contact", "Lead", "Account"}
    assert next(r for r in rows if r["Id"] == ids[0])["Phone"] == "(646) 555-0142"


async def test_sdk_quick_search_and_limits_header(emulator: SalesforceEmulator) -> None:
    def work(sf: Salesforce) -> tuple[Any, Any, Any]:
        return sf.quick_search("Lovelace"), sf.api_usage, sf.limits()

    found, usage, limits = await in_thread(emulator, work)
    assert [r["attributes"]["type"] for r in found["searchRecords"]] == ["Contact"]
    assert usage["api-usage"].used == 1 and usage["api-usage"].total == emulator.api_limit
    assert limits["DailyApiRequests"]["Max"] == emulator.api_limit


async def test_sdk_parameterized_search_and_describe(emulator: SalesforceEmulator) -> None:
    contact_id = emulator.add_record("Contact", LastName="Dialler", Phone="(646) 555-0177")
    params = {"q": "6465550177", "sobject": "Contact", "Contact.fields": "Id,Name,Phone", "in": "PHONE"}

    def work(sf: Salesforce) -> tuple[Any, Any]:
        return sf.restful("parameterizedSearch/", params=params), sf.Contact.describe()

    found, describe = await in_thread(emulator, work)
    assert [(r["Id"], r["Phone"]) for r in found["searchRecords"]] == [(contact_id, "(646) 555-0177")]
    fields = {f["name"]: f for f in describe["fields"]}
    assert fields["Phone"]["type"] == "phone" and fields["LastName"]["nillable"] is False
    assert fields["Name"]["createable"] is False and describe["keyPrefix"] == "003"


async def test_sdk_creates_contact_lead_and_call_task(emulator: SalesforceEmulator) -> None:
    def work(sf: Salesforce) -> tuple[Any, Any, Any]:
        contact = sf.Contact.create({"FirstName": "Ada", "LastName": "Lovelace", "Phone": "+442071234567"})
        lead = sf.Lead.create({"LastName": "Hopper", "Company": "Navy", "Phone": "+12125550100"})
        task = sf.Task.create(
            {
                "Subject": "Extension Call",
                "TaskSubtype": "Call",
                "Type": "Call",
                "Status": "Completed",
                "CallType": "Inbound",
                "CallDurationInSeconds": 125,
                "CallObject": "pbx-1717:101",
                "CallDisposition": "Answered",
                "WhoId": contact["id"],
                "OwnerId": emulator.admin_user_id,
                "ActivityDate": "2026-01-31",
                "Description": "notes",
            }
        )
        return contact, lead, task

    contact, lead, task = await in_thread(emulator, work)
    assert contact["success"] and contact["id"].startswith("003") and len(contact["id"]) == 18
    assert emulator.record(lead["id"])["Name"] == "Hopper"
    stored = emulator.record(task["id"])
    assert stored["WhoId"] == contact["id"] and stored["CallObject"] == "pbx-1717:101"
    assert stored["IsClosed"] is True and stored["OwnerId"] == emulator.admin_user_id


async def test_sdk_lists_users_across_query_batches(emulator: SalesforceEmulator) -> None:
    soql = "SELECT Id, Name, Email, Username, IsActive FROM User WHERE IsActive = true"
    first, everything = await in_thread(emulator, lambda sf: (sf.query(soql), sf.query_all(soql)))
    active = [u for u in emulator.records("User") if u["IsActive"]]
    assert first["done"] is False and first["nextRecordsUrl"].startswith("/services/data/v66.0/query/01g")
    assert len(first["records"]) == 3
    assert sorted(u["Email"] for u in everything["records"]) == sorted(u["Email"] for u in active)


async def test_sdk_counts_records_with_count(emulator: SalesforceEmulator) -> None:
    soql = "SELECT COUNT() FROM User WHERE IsActive = true"
    counted = await in_thread(emulator, lambda sf: sf.query(soql))
    active = [u for u in emulator.records("User") if u["IsActive"]]
    assert counted == {"totalSize": len(active), "done": True, "records": []}
    assert len(active) > 3, "more than one query batch: the count is not paged"


async def test_sdk_reads_a_deleted_record_as_deleted(emulator: SalesforceEmulator) -> None:
    def create_delete_read(sf: Salesforce) -> tuple[int, str]:
        record_id = sf.Contact.create({"LastName": "Gone"})["id"]
        return int(sf.Contact.delete(record_id)), record_id

    status, record_id = await in_thread(emulator, create_delete_read)
    assert status == 204
    for again in (lambda sf: sf.Contact.get(record_id), lambda sf: sf.Contact.delete(record_id)):
        with pytest.raises(SalesforceResourceNotFound) as gone:
            await in_thread(emulator, again)
        assert gone.value.content[0]["errorCode"] == "ENTITY_IS_DELETED"


async def test_sdk_sees_salesforce_errors(emulator: SalesforceEmulator) -> None:
    def missing_company(sf: Salesforce) -> None:
        sf.Lead.create({"LastName": "NoCompany"})

    with pytest.raises(SalesforceMalformedRequest) as refused:
        await in_thread(emulator, missing_company)
    assert refused.value.content[0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert refused.value.content[0]["fields"] == ["Company"]
    with pytest.raises(SalesforceResourceNotFound):
        await in_thread(emulator, lambda sf: sf.Contact.get("003000000000000AAA"))
    with pytest.raises(SalesforceMalformedRequest) as malformed:
        await in_thread(emulator, lambda sf: sf.search("FIND {555-0100}"))
    assert malformed.value.content[0]["errorCode"] == "MALFORMED_SEARCH"
    emulator.expire_sessions()
    with pytest.raises(SalesforceExpiredSession) as expired:
        await in_thread(emulator, lambda sf: sf.query("SELECT Id FROM User"))
    assert expired.value.content == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
    ]


async def test_request_limit_is_a_403_with_request_limit_exceeded(emulator: SalesforceEmulator) -> None:
    emulator.api_limit = emulator.api_usage
    with pytest.raises(SalesforceRefusedRequest) as refused:
        await in_thread(emulator, lambda sf: sf.query("SELECT Id FROM User"))
    assert refused.value.content == [
        {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
    ]


async def test_tls_is_verified_against_the_emulator_ca(emulator: SalesforceEmulator) -> None:
    untrusted = requests.Session()
    untrusted.trust_env = False
    with pytest.raises(requests.exceptions.SSLError):
        await asyncio.to_thread(untrusted.get, f"{emulator.base_url}/services/data/")
    untrusted.close()
    assert emulator.base_url.startswith("https://127.0.0.1:")


# --- OAuth ------------------------------------------------------------------------------------------


@pytest.fixture
async def web(emulator: SalesforceEmulator) -> AsyncIterator[httpx.AsyncClient]:
    context = ssl.create_default_context(cafile=str(emulator.ca_file))
    async with httpx.AsyncClient(base_url=emulator.base_url, verify=context, trust_env=False) as client:
        yield client


def pkce() -> tuple[str, str]:
    verifier = "v" * 64
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


async def approve(web: httpx.AsyncClient, emulator: SalesforceEmulator, challenge: str, **extra: str) -> str:
    """Open the authorize page, press Allow, return the redirect's code."""
    params = {
        "response_type": "code",
        "client_id": emulator.oauth_client_id,
        "redirect_uri": CALLBACK,
        "state": "s-1",
        "scope": "api refresh_token",
        "code_challenge": challenge,
        **extra,
    }
    page = await web.get("/services/oauth2/authorize", params=params)
    assert page.status_code == 200 and "Allow" in page.text
    request_id = page.text.split('name="request_id" value="')[1].split('"')[0]
    answer = await web.post(
        "/services/oauth2/authorize", data={"request_id": request_id, "decision": "allow"}
    )
    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert answer.headers["location"].startswith(CALLBACK) and query["state"] == ["s-1"]
    return query["code"][0]


async def test_web_server_flow_with_pkce_and_rotating_refresh(
    emulator: SalesforceEmulator, web: httpx.AsyncClient
) -> None:
    verifier, challenge = pkce()
    code = await approve(web, emulator, challenge)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": emulator.oauth_client_id,
        "client_secret": emulator.oauth_client_secret,
        "redirect_uri": CALLBACK,
        "code_verifier": verifier,
    }
    tokens = (await web.post("/services/oauth2/token", data=form)).json()
    assert "expires_in" not in tokens
    assert tokens["instance_url"] == emulator.base_url and tokens["token_type"] == "Bearer"
    assert tokens["id"] == f"{emulator.base_url}/id/{emulator.org_id}/{emulator.admin_user_id}"
    assert isinstance(tokens["issued_at"], str) and tokens["issued_at"].isdigit()
    mac = hmac.new(
        emulator.oauth_client_secret.encode(), (tokens["id"] + tokens["issued_at"]).encode(), "sha256"
    )
    assert tokens["signature"] == base64.b64encode(mac.digest()).decode()
    assert (await web.post("/services/oauth2/token", data=form)).json()["error"] == "invalid_grant"

    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert (await web.get(tokens["id"], headers=bearer)).json()["email"] == "admin@example.com"
    refresh = {
        "grant_type": "refresh_token",
        "refresh_token": tokens["refresh_token"],
        "client_id": emulator.oauth_client_id,
    }
    renewed = (await web.post("/services/oauth2/token", data=refresh)).json()
    assert renewed["refresh_token"] != tokens["refresh_token"] and "expires_in" not in renewed
    assert (await web.post("/services/oauth2/token", data=refresh)).json()["error"] == "invalid_grant"

    assert (
        await web.post("/services/oauth2/revoke", data={"token": renewed["refresh_token"]})
    ).status_code == 200
    after = await web.get(
        "/services/data/v66.0/limits/", headers={"Authorization": f"Bearer {renewed['access_token']}"}
    )
    assert after.status_code == 401 and after.json()[0]["errorCode"] == "INVALID_SESSION_ID"
    assert (await web.post("/services/oauth2/revoke", data={"token": "nope"})).status_code == 400


async def test_pkce_verifier_is_checked(emulator: SalesforceEmulator, web: httpx.AsyncClient) -> None:
    _, challenge = pkce()
    base = {
        "grant_type": "authorization_code",
        "client_id": emulator.oauth_client_id,
        "redirect_uri": CALLBACK,
    }
    missing = await web.post(
        "/services/oauth2/token", data={**base, "code": await approve(web, emulator, challenge)}
    )
    assert missing.json()["error"] == "invalid_grant"
    wrong = {**base, "code": await approve(web, emulator, challenge), "code_verifier": "w" * 64}
    assert (await web.post("/services/oauth2/token", data=wrong)).json()["error"] == "invalid_request"


async def test_authorize_refuses_unregistered_callbacks_and_reports_denial(
    emulator: SalesforceEmulator, web: httpx.AsyncClient
) -> None:
    emulator.allow_redirect(CALLBACK)
    base = {"response_type": "code", "client_id": emulator.oauth_client_id, "state": "s-2"}
    other = await web.get(
        "/services/oauth2/authorize", params={**base, "redirect_uri": "http://localhost:9/x"}
    )
    assert other.status_code == 400 and "redirect_uri_mismatch" in other.text
    page = await web.get("/services/oauth2/authorize", params={**base, "redirect_uri": CALLBACK})
    request_id = page.text.split('name="request_id" value="')[1].split('"')[0]
    denied = await web.post("/services/oauth2/authorize", data={"request_id": request_id, "decision": "deny"})
    assert parse_qs(urlsplit(denied.headers["location"]).query) == {
        "error": ["access_denied"],
        "error_description": ["end-user denied authorization"],
        "state": ["s-2"],
    }


async def test_versions_and_record_pages(emulator: SalesforceEmulator, web: httpx.AsyncClient) -> None:
    versions = (await web.get("/services/data/")).json()
    assert {"label": "Spring '26", "url": "/services/data/v66.0", "version": "66.0"} in versions
    contact_id = emulator.add_record("Contact", FirstName="Hedy", LastName="Lamarr", Phone="+1 212 555 0199")
    page = await web.get(f"/lightning/r/Contact/{contact_id}/view")
    assert (
        page.status_code == 200 and "Hedy Lamarr" in page.text and "text/html" in page.headers["content-type"]
    )
    short = await web.get(f"/{contact_id}")
    assert short.status_code == 302 and short.headers["location"] == f"/lightning/r/Contact/{contact_id}/view"
    assert (await web.get(f"/lightning/r/Lead/{contact_id}/view")).status_code == 404
    unsupported = await web.get("/services/data/v99.0/limits/", headers={"Authorization": "Bearer x"})
    assert unsupported.status_code == 404


async def test_composite_create_is_all_or_none_on_request(
    emulator: SalesforceEmulator, web: httpx.AsyncClient
) -> None:
    bearer = {"Authorization": f"Bearer {emulator.admin_token}"}
    good = {"attributes": {"type": "Task"}, "Subject": "Call", "Status": "Completed"}
    bad = {"attributes": {"type": "Lead"}, "LastName": "NoCompany"}
    url = "/services/data/v66.0/composite/sobjects"
    partial = (await web.post(url, json={"allOrNone": False, "records": [good, bad]}, headers=bearer)).json()
    assert partial[0]["success"] and partial[1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    tasks = len(emulator.tasks())
    atomic = (await web.post(url, json={"allOrNone": True, "records": [good, bad]}, headers=bearer)).json()
    assert not atomic[0]["success"] and len(emulator.tasks()) == tasks


# --- the SOSL parser ---------------------------------------------------------------------------------


def literal(term: Any) -> str:
    assert isinstance(term, Term)
    return "".join(c.ch for c in term.chars)


@pytest.mark.parametrize("reserved", list("?&|!{[]()^~*:\"'+-"))
def test_unescaped_reserved_characters_change_meaning_or_fail(reserved: str) -> None:
    text = f"ab{reserved}cd"
    try:
        search = parse_search("FIND {" + text + "}")
    except QueryError as err:
        assert err.code == "MALFORMED_SEARCH"
    else:  # it parsed, but as a wildcard rather than the literal character
        assert isinstance(search.expr, Term) and any(c.wild for c in search.expr.chars)


@pytest.mark.parametrize("reserved", list("?&|!{}[]()^~*:\\\"'+-"))
def test_escaped_reserved_characters_are_literal(reserved: str) -> None:
    search = parse_search("FIND {ab\\" + reserved + "cd}")
    assert isinstance(search.expr, Term) and literal(search.expr) == f"ab{reserved}cd"
    assert not any(c.wild for c in search.expr.chars)


def test_operators_phrases_and_wildcards() -> None:
    def hit(query: str, *values: str) -> bool:
        return parse_search("FIND {" + query + "}").expr.matches([FieldValue(v) for v in values])

    assert hit("Joe Smith", "Smith", "Joe") and not hit("Joe Smith", "Joe")
    assert hit("Joe OR Smith", "Smith") and not hit("Joe AND NOT Smith", "Joe Smith")
    assert hit('"joe smith"', "Joe Smith") and not hit('"joe smith"', "Smith Joe")
    assert hit("Sm?th*", "Smythe") and hit("(joe OR ann) AND smith", "Ann Smith")


@pytest.mark.parametrize(
    "stored", ["(415) 555-1212", "415-555-1212", "415.555.1212", "4155551212", "+1 415 555 1212 ext. 7"]
)
def test_phone_fields_match_whatever_the_formatting(stored: str) -> None:
    search = parse_search("FIND {4155551212 OR 14155551212} IN PHONE FIELDS")
    assert search.expr.matches([FieldValue(stored, phone=True)])
    assert not search.expr.matches([FieldValue(stored.replace("1212", "1213"), phone=True)])
    assert not search.expr.matches([FieldValue(stored, phone=False)]) or stored == "4155551212"


def test_a_brace_in_the_search_text_must_be_escaped() -> None:
    with pytest.raises(QueryError):
        parse_search("FIND {ab} RETURNING User(Id, Email)} IN PHONE FIELDS RETURNING Contact(Id)")
    escaped = parse_search(
        'FIND {"ab\\} RETURNING User\\(Id, Email\\)"} IN PHONE FIELDS RETURNING Contact(Id)'
    )
    assert [r.sobject for r in escaped.returning] == ["Contact"]
    assert literal(escaped.expr) == "ab} RETURNING User(Id, Email)"


@pytest.mark.parametrize(
    "source",
    [
        "FIND {a}",
        "FIND {}",
        "FIND {ab",
        'FIND {"ab}',
        "FIND {ab} IN FOO FIELDS",
        "SELECT Id FROM User",
        "FIND {ab} RETURNING Contact(Id",
        "FIND {ab} LIMIT x",
        "FIND {" + "1" * 100_001 + "}",
    ],
)
def test_malformed_searches_are_refused(source: str) -> None:
    with pytest.raises(QueryError) as refused:
        parse_search(source)
    assert refused.value.code == "MALFORMED_SEARCH"


# --- the SOQL parser ---------------------------------------------------------------------------------


async def test_a_quote_cannot_leave_a_soql_literal(
    emulator: SalesforceEmulator, web: httpx.AsyncClient
) -> None:
    emulator.add_record("Task", Subject="one", CallObject="a'b", OwnerId=emulator.admin_user_id)
    emulator.add_record("Task", Subject="two", CallObject="other", OwnerId=emulator.admin_user_id)
    bearer = {"Authorization": f"Bearer {emulator.admin_token}"}

    async def query(soql: str) -> httpx.Response:
        return await web.get("/services/data/v66.0/query/", params={"q": soql}, headers=bearer)

    broken = await query("SELECT Id FROM Task WHERE CallObject = 'x' OR CallObject != 'y'")
    assert broken.json()["totalSize"] == 2  # what an unescaped quote would let a caller do
    escaped = await query("SELECT Subject FROM Task WHERE CallObject = 'x\\' OR CallObject != \\'y'")
    assert escaped.json()["totalSize"] == 0
    exact = await query("SELECT Subject FROM Task WHERE CallObject = 'a\\'b'")
    assert [r["Subject"] for r in exact.json()["records"]] == ["one"]
    unbalanced = await query("SELECT Id FROM Task WHERE CallObject = 'x' OR '")
    assert unbalanced.status_code == 400 and unbalanced.json()[0]["errorCode"] == "MALFORMED_QUERY"
    unknown = await query("SELECT Nope FROM Task")
    assert unknown.status_code == 400 and unknown.json()[0]["errorCode"] == "INVALID_FIELD"


@pytest.mark.parametrize(
    "soql",
    [
        "SELECT COUNT(Id) FROM User",
        "SELECT Id FROM User GROUP BY Name",
        "SELECT Id FROM Task WHERE Subject = 'a\\x'",
        "SELECT Id, (SELECT Id FROM Contacts) FROM Account",
        "SELECT Id FROM User WHERE",
        "DELETE FROM User",
    ],
)
def test_unsupported_or_invalid_soql_is_malformed(soql: str) -> None:
    with pytest.raises(QueryError) as refused:
        parse_query(soql)
    assert refused.value.code == "MALFORMED_QUERY"


def test_like_wildcards_and_escapes() -> None:
    query = parse_query(r"SELECT Id FROM User WHERE Email LIKE '%\_x@%' AND Name = '50\%'")
    get: Callable[[Any, str], Any] = lambda record, name: record[name]  # noqa: E731
    assert query.where is not None
    assert query.where.test({"Email": "a_x@example.com", "Name": "50%"}, get)
    assert not query.where.test({"Email": "abx@example.com", "Name": "50%"}, get)


# --- the wire: kept-alive connections, as Salesforce serves them --------------------------------------


async def test_requests_share_one_kept_alive_tls_connection(emulator: SalesforceEmulator) -> None:
    context = ssl.create_default_context(cafile=str(emulator.ca_file))
    host, port = urlsplit(emulator.base_url).hostname, urlsplit(emulator.base_url).port
    reader, writer = await asyncio.open_connection(host, port, ssl=context, server_hostname=host)
    try:
        for _ in range(3):
            writer.write(
                f"GET /services/data/ HTTP/1.1\r\nHost: {host}\r\n"
                f"Authorization: Bearer {emulator.admin_token}\r\n\r\n".encode()
            )
            await writer.drain()
            head = (await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)).decode("latin-1").lower()
            assert head.startswith("http/1.1 200"), head
            assert "connection: close" not in head
            length = int(head.split("content-length:", 1)[1].split("\r\n", 1)[0])
            await reader.readexactly(length)
    finally:
        writer.close()


async def test_an_idle_connection_stays_open_past_uvicorns_five_seconds(emulator: SalesforceEmulator) -> None:
    """Calls a few seconds apart reuse the connection (the services keep idle ones about a minute)."""
    context = ssl.create_default_context(cafile=str(emulator.ca_file))
    host, port = urlsplit(emulator.base_url).hostname, urlsplit(emulator.base_url).port
    reader, writer = await asyncio.open_connection(host, port, ssl=context, server_hostname=host)
    request = (
        f"GET /services/data/ HTTP/1.1\r\nHost: {host}\r\n"
        f"Authorization: Bearer {emulator.admin_token}\r\n\r\n"
    ).encode()
    try:
        for pause in (0.0, 5.5):
            await asyncio.sleep(pause)
            writer.write(request)
            await writer.drain()
            head = (await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)).decode("latin-1").lower()
            assert head.startswith("http/1.1 200"), head
            await reader.readexactly(int(head.split("content-length:", 1)[1].split("\r\n", 1)[0]))
    finally:
        writer.close()


async def test_stop_is_prompt_with_an_idle_kept_alive_connection(tmp_path: Path) -> None:
    emu = SalesforceEmulator(tls_dir=tmp_path / "tls2")
    await emu.start()
    context = ssl.create_default_context(cafile=str(emu.ca_file))
    async with httpx.AsyncClient(verify=context) as client:
        base = emu.base_url
        answer = await client.get(
            f"{base}/services/data/", headers={"Authorization": f"Bearer {emu.admin_token}"}
        )
        assert answer.status_code == 200 and answer.headers.get("connection") != "close"
        started = asyncio.get_running_loop().time()
        await emu.stop()
        assert asyncio.get_running_loop().time() - started < 2.0
        with pytest.raises(httpx.TransportError):
            await client.get(f"{base}/services/data/")
