"""The Zoho emulator speaks Zoho's documented protocol: accounts, CRM v8, limits, pages, data centres."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from linkus_companion.sim.zoho import ZohoEmulator
from linkus_companion.sim.zoho_accounts import MAX_REFRESH_TOKENS

REDIRECT = "http://127.0.0.1:8765/callback"
INVALID_TOKEN = {"code": "INVALID_TOKEN", "details": {}, "message": "invalid oauth token", "status": "error"}


@pytest.fixture
async def emulator() -> AsyncIterator[ZohoEmulator]:
    emu = ZohoEmulator(token="1000.fixed-admin-token")
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as http:
        yield http


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Zoho-oauthtoken {token}"}


async def api(
    client: httpx.AsyncClient, emu: ZohoEmulator, method: str, path: str, **kw: Any
) -> httpx.Response:
    return await client.request(method, emu.base_url + path, headers=auth(emu.admin_token), **kw)


def authorize_url(emu: ZohoEmulator, **extra: str) -> str:
    query = {
        "scope": "ZohoCRM.modules.ALL,ZohoCRM.users.READ,ZohoCRM.org.READ,ZohoSearch.securesearch.READ",
        "client_id": emu.oauth_client_id,
        "response_type": "code",
        "access_type": "offline",
        "redirect_uri": REDIRECT,
        "prompt": "consent",
        "state": "s-123",
        **extra,
    }
    return f"{emu.accounts_url}/oauth/v2/auth?{urlencode(query)}"


async def sign_in(emu: ZohoEmulator, **extra: str) -> dict[str, str]:
    location = await emu.consent(authorize_url(emu, **extra))
    assert location.startswith(REDIRECT)
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


async def exchange(client: httpx.AsyncClient, emu: ZohoEmulator, server: str, **form: str) -> dict[str, Any]:
    body = {
        "grant_type": "authorization_code",
        "client_id": emu.oauth_client_id,
        "client_secret": emu.oauth_client_secret,
        "redirect_uri": REDIRECT,
        **form,
    }
    response = await client.post(f"{server}/oauth/v2/token", data=body)
    assert response.status_code == 200
    result: dict[str, Any] = response.json()
    return result


# --- accounts ---------------------------------------------------------------------------------


async def test_consent_redirects_with_code_state_location_and_accounts_server(emulator: ZohoEmulator) -> None:
    params = await sign_in(emulator)
    assert params["state"] == "s-123" and params["code"]
    assert params["location"] == "us"
    assert params["accounts-server"] == emulator.accounts_server


async def test_rejecting_consent_redirects_with_access_denied(emulator: ZohoEmulator) -> None:
    location = await emulator.consent(authorize_url(emulator), accept=False)
    assert parse_qs(urlsplit(location).query)["error"] == ["access_denied"]


async def test_unknown_client_or_redirect_gets_an_error_page(
    emulator: ZohoEmulator, client: httpx.AsyncClient
) -> None:
    page = await client.get(authorize_url(emulator, client_id="1000.nobody"))
    assert page.status_code == 400 and "Invalid Client" in page.text
    page = await client.get(authorize_url(emulator, redirect_uri="https://evil.example/cb"))
    assert page.status_code == 400 and "Invalid Redirect Uri" in page.text


async def test_code_exchange_gives_tokens_with_api_domain_and_works_once(
    emulator: ZohoEmulator, client: httpx.AsyncClient
) -> None:
    code = (await sign_in(emulator))["code"]
    tokens = await exchange(client, emulator, emulator.accounts_server, code=code)
    assert tokens["api_domain"] == emulator.base_url
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 3600
    assert tokens["refresh_token"] and tokens["access_token"]
    users = await client.get(
        f"{emulator.base_url}/crm/v8/users?type=CurrentUser", headers=auth(tokens["access_token"])
    )
    assert users.json()["users"][0]["email"] == "john.smith@example.com"
    again = await exchange(client, emulator, emulator.accounts_server, code=code)
    assert again == {"error": "invalid_code"}


async def test_code_expires_after_two_minutes(emulator: ZohoEmulator, client: httpx.AsyncClient) -> None:
    code = (await sign_in(emulator))["code"]
    emulator.advance(121)
    assert await exchange(client, emulator, emulator.accounts_server, code=code) == {"error": "invalid_code"}


async def test_pkce_verifier_is_checked(emulator: ZohoEmulator, client: httpx.AsyncClient) -> None:
    verifier = "v" * 50
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    code = (await sign_in(emulator, code_challenge=challenge, code_challenge_method="S256"))["code"]
    assert await exchange(client, emulator, emulator.accounts_server, code=code, code_verifier="wrong") == {
        "error": "invalid_code"
    }
    code = (await sign_in(emulator, code_challenge=challenge, code_challenge_method="S256"))["code"]
    tokens = await exchange(client, emulator, emulator.accounts_server, code=code, code_verifier=verifier)
    assert "access_token" in tokens


async def test_wrong_secret_is_invalid_client(emulator: ZohoEmulator, client: httpx.AsyncClient) -> None:
    code = (await sign_in(emulator))["code"]
    result = await exchange(client, emulator, emulator.accounts_server, code=code, client_secret="nope")
    assert result == {"error": "invalid_client"}


async def test_refresh_keeps_the_refresh_token_and_revoke_ends_it(
    emulator: ZohoEmulator, client: httpx.AsyncClient
) -> None:
    form = {
        "grant_type": "refresh_token",
        "client_id": emulator.oauth_client_id,
        "client_secret": emulator.oauth_client_secret,
        "refresh_token": emulator.admin_refresh_token,
    }
    refreshed = (await client.post(f"{emulator.accounts_server}/oauth/v2/token", params=form)).json()
    assert refreshed["access_token"] and "refresh_token" not in refreshed
    assert refreshed["api_domain"] == emulator.base_url
    revoke = f"{emulator.accounts_server}/oauth/v2/token/revoke"
    assert (await client.post(revoke, params={"token": emulator.admin_refresh_token})).json() == {
        "status": "success"
    }
    assert (await client.post(revoke, params={"token": emulator.admin_refresh_token})).status_code == 400
    again = (await client.post(f"{emulator.accounts_server}/oauth/v2/token", data=form)).json()
    assert again == {"error": "invalid_code"}
    users = await client.get(f"{emulator.base_url}/crm/v8/users", headers=auth(refreshed["access_token"]))
    assert users.status_code == 401 and users.json() == INVALID_TOKEN


async def test_the_21st_refresh_token_silently_evicts_the_oldest(
    emulator: ZohoEmulator, client: httpx.AsyncClient
) -> None:
    oldest = emulator.admin_refresh_token
    for _ in range(MAX_REFRESH_TOKENS - 1):  # 20 held, the seeded one first
        emulator.accounts.issue(emulator.oauth_client_id, emulator.admin, ("ZohoCRM.org.READ",), offline=True)
    assert oldest in emulator.accounts.refresh
    code = (await sign_in(emulator))["code"]
    assert "refresh_token" in await exchange(client, emulator, emulator.accounts_server, code=code)
    held = [t for t in emulator.accounts.refresh.values() if t.user_id == emulator.admin.id]
    assert len(held) == MAX_REFRESH_TOKENS
    assert oldest not in emulator.accounts.refresh


async def test_expired_access_token_gets_the_documented_invalid_token_body(
    emulator: ZohoEmulator, client: httpx.AsyncClient
) -> None:
    assert (await api(client, emulator, "GET", "/crm/v8/org")).status_code == 200
    emulator.advance(3601)
    response = await api(client, emulator, "GET", "/crm/v8/org")
    assert response.status_code == 401 and response.json() == INVALID_TOKEN


async def test_bearer_header_and_missing_scope_are_refused(
    emulator: ZohoEmulator, client: httpx.AsyncClient
) -> None:
    bearer = await client.get(
        f"{emulator.base_url}/crm/v8/org", headers={"Authorization": f"Bearer {emulator.admin_token}"}
    )
    assert bearer.status_code == 401 and bearer.json()["code"] == "AUTHENTICATION_FAILURE"
    narrow = emulator.issue_token(emulator.admin, ("ZohoCRM.modules.Contacts.READ",))
    search = await client.get(
        f"{emulator.base_url}/crm/v8/Contacts/search", params={"phone": "1"}, headers=auth(narrow.value)
    )
    assert search.status_code == 401 and search.json()["code"] == "OAUTH_SCOPE_MISMATCH"


async def test_eu_data_centre_uses_its_own_hosts() -> None:
    emu = ZohoEmulator(data_centre="eu")
    await emu.start()
    try:
        params = await sign_in(emu)
        assert params["location"] == "eu"
        assert params["accounts-server"] == emu.url_of("accounts.zoho.eu") != emu.accounts_url
        assert emu.base_url == emu.url_of("www.zohoapis.eu") and emu.web_url == emu.url_of("crm.zoho.eu")
        async with httpx.AsyncClient() as client:
            at_start = await exchange(client, emu, emu.accounts_url, code=params["code"])
            assert at_start == {"error": "invalid_code"}  # the code belongs to accounts.zoho.eu
            params = await sign_in(emu)
            tokens = await exchange(client, emu, params["accounts-server"], code=params["code"])
            assert tokens["api_domain"] == emu.url_of("www.zohoapis.eu")
        with pytest.raises(LookupError):
            emu.url_of("www.zohoapis.com")
    finally:
        await emu.stop()


# --- search ---------------------------------------------------------------------------------------


async def search(client: httpx.AsyncClient, emu: ZohoEmulator, module: str, **params: str) -> httpx.Response:
    return await api(client, emu, "GET", f"/crm/v8/{module}/search", params=params)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("4155550102", "Grace Hopper"),  # stored "(415) 555-0102"
        ("+14155550104", "Alan Turing"),  # stored "+1 415 555 0104 ext. 12"
        ("4155550192", "Grace Hopper"),  # Mobile "415.555.0192"
        ("0031205550105", "Edsger Dijkstra"),  # stored "0031 20 555 0105"
        ("4155550106", "Barbara Liskov"),  # Home_Phone
        ("+1-415-555-0107", "Ken Thompson"),  # Other_Phone, formatting in the query too
    ],
)
async def test_phone_search_looks_in_every_phone_field_ignoring_formatting(
    emulator: ZohoEmulator, client: httpx.AsyncClient, query: str, expected: str
) -> None:
    response = await search(client, emulator, "Contacts", phone=query)
    assert response.status_code == 200
    assert [r["Full_Name"] for r in response.json()["data"]] == [expected]
    assert response.json()["info"] == {"per_page": 200, "count": 1, "page": 1, "more_records": False}


async def test_one_format_per_request_a_plus_is_significant(
    emulator: ZohoEmulator, client: httpx.AsyncClient
) -> None:
    assert (await search(client, emulator, "Contacts", phone="+4155550102")).status_code == 204
    assert (await search(client, emulator, "Contacts", phone="02079460018")).status_code == 204


async def test_nothing_found_is_204_with_an_empty_body(
    emulator: ZohoEmulator, client: httpx.AsyncClient
) -> None:
    response = await search(client, emulator, "Leads", phone="+19995550000")
    assert response.status_code == 204 and response.content == b""


async def test_precedence_is_criteria_then_email_then_phone_then_word(
    emulator: ZohoEmulator, client: httpx.AsyncClient
) -> None:
    both = await search(
        client, emulator, "Contacts", criteria="(Last_Name:equals:Hopper)", email="ada@example.com"
    )
    assert [r["Last_Name"] for r in both.json()["data"]] == ["Hopper"]
    email = await search(client, emulator, "Contacts", email="ada@example.com", phone="4155550102")
    assert [r["Last_Name"] for r in email.json()["data"]] == ["Lovelace"]
    phone = await search(client, emulator, "Contacts", phone="4155550102", word="Turing")
    assert [r["Last_Name"] for r in phone.json()["data"]] == ["Hopper"]
    missing = await search(client, emulator, "Contacts")
    assert missing.status_code == 400 and missing.json()["code"] == "REQUIRED_PARAM_MISSING"


async def test_fields_limit_what_is_returned(emulator: ZohoEmulator, client: httpx.AsyncClient) -> None:
    response = await search(client, emulator, "Accounts", phone="2125550140", fields="Account_Name")
    assert response.json()["data"] == [
        {"id": response.json()["data"][0]["id"], "Account_Name": "Globex Corporation"}
    ]


async def test_criteria_injection_attempts_do_not_widen_the_search(
    emulator: ZohoEmulator, client: httpx.AsyncClient
) -> None:
    escaped = await search(
        client, emulator, "Contacts", criteria=r"(Last_Name:equals:x\)or\(Last_Name:starts_with:)"
    )
    assert escaped.status_code == 204
    raw = await search(
        client, emulator, "Contacts", criteria="(Last_Name:equals:x)or(Last_Name:starts_with:)"
    )
    assert len(raw.json()["data"]) == len(emulator.records("Contacts"))  # why values must be escaped
    unknown = await search(client, emulator, "Contacts", criteria="(Password:equals:x)")
    assert unknown.status_code == 400 and unknown.json()["details"]["api_name"] == "Password"


async def test_per_page_is_capped_and_pages_report_more_records(
    emulator: ZohoEmulator, client: httpx.AsyncClient
) -> None:
    assert (await search(client, emulator, "Contacts", word="Lamarr", per_page="201")).status_code == 400
    page = await search(
        client, emulator, "Contacts", criteria="(Last_Name:starts_with:)", per_page="2", page="2"
    )
    assert page.json()["info"] == {"per_page": 2, "count": 2, "page": 2, "more_records": True}


# --- records, calls, users, org, pages --------------------------------------------------------------


async def test_create_contact_returns_201_with_the_documented_details(
    emulator: ZohoEmulator, client: httpx.AsyncClient
) -> None:
    body = {
        "data": [{"Last_Name": "Babbage", "First_Name": "Charles", "Phone": "+442071234567"}],
        "trigger": ["workflow"],
    }
    response = await api(client, emulator, "POST", "/crm/v8/Contacts", json=body)
    assert response.status_code == 201
    result = response.json()["data"][0]
    assert (result["code"], result["message"], result["status"]) == ("SUCCESS", "record added", "success")
    assert set(result["details"]) == {"Modified_Time", "Modified_By", "Created_Time", "id", "Created_By"}
    got = await api(client, emulator, "GET", f"/crm/v8/Contacts/{result['details']['id']}")
    assert got.json()["data"][0]["Full_Name"] == "Charles Babbage"


async def test_missing_last_name_is_a_per_record_error(
    emulator: ZohoEmulator, client: httpx.AsyncClient
) -> None:
    response = await api(client, emulator, "POST", "/crm/v8/Leads", json={"data": [{"First_Name": "Only"}]})
    assert response.status_code == 400
    assert response.json()["data"][0] == {
        "code": "MANDATORY_NOT_FOUND",
        "details": {"api_name": "Last_Name"},
        "message": "required field not found",
        "status": "error",
    }


def a_call(**fields: Any) -> dict[str, Any]:
    return {
        "Subject": "Extension Call",
        "Call_Type": "Inbound",
        "Call_Start_Time": "2026-01-31T10:15:00+00:00",
        "Call_Duration": "02:05",
        **fields,
    }


async def test_call_links_a_contact_with_who_id_and_a_lead_with_what_id(
    emulator: ZohoEmulator, client: httpx.AsyncClient
) -> None:
    contact = emulator.records("Contacts")[0]["id"]
    lead = emulator.records("Leads")[0]["id"]
    owner = next(u for u in emulator.org.users.values() if u.email == "amy.lee@example.com")
    calls = [
        a_call(Who_Id={"id": contact}, Owner={"id": owner.id}, Voice_Recording__s="https://pbx/rec/1"),
        a_call(Who_Id=contact, Call_Type="Missed", Call_Duration=None),
        a_call(What_Id={"id": lead}, **{"$se_module": "Leads"}, Call_Type="Outbound", Call_Duration="61:30"),
    ]
    response = await api(client, emulator, "POST", "/crm/v8/Calls", json={"data": calls})
    assert response.status_code == 201
    stored = emulator.records("Calls")
    assert stored[0]["Who_Id"]["id"] == contact and stored[0]["Owner"]["id"] == owner.id
    assert (
        stored[0]["Voice_Recording__s"] == "https://pbx/rec/1"
        and stored[0]["Call_Duration_in_seconds"] == 125
    )
    assert stored[1]["Call_Type"] == "Missed"
    assert stored[2]["What_Id"]["id"] == lead and stored[2]["$se_module"] == "Leads"


@pytest.mark.parametrize(
    ("fields", "api_name"),
    [
        ({"Call_Type": "Voicemail"}, "Call_Type"),
        ({"Call_Start_Time": "2026-01-31 10:15:00"}, "Call_Start_Time"),
        ({"Call_Duration": "2 minutes"}, "Call_Duration"),
        ({"Who_Id": {"id": "4150868999999999999"}}, "Who_Id"),
        ({"What_Id": {"id": "4150868999999999999"}, "$se_module": "Leads"}, "What_Id"),
        ({"Owner": {"id": "4150868999999999999"}}, "Owner"),
    ],
)
async def test_wrong_call_values_are_invalid_data(
    emulator: ZohoEmulator, client: httpx.AsyncClient, fields: dict[str, Any], api_name: str
) -> None:
    response = await api(client, emulator, "POST", "/crm/v8/Calls", json={"data": [a_call(**fields)]})
    assert response.status_code == 400
    error = response.json()["data"][0]
    assert error["code"] == "INVALID_DATA" and error["details"]["api_name"] == api_name


async def test_completed_call_needs_a_duration_and_call_type_cannot_change(
    emulator: ZohoEmulator, client: httpx.AsyncClient
) -> None:
    missing = await api(
        client, emulator, "POST", "/crm/v8/Calls", json={"data": [a_call(Call_Duration=None)]}
    )
    assert missing.json()["data"][0]["details"] == {"api_name": "Call_Duration"}
    created = await api(client, emulator, "POST", "/crm/v8/Calls", json={"data": [a_call()]})
    call_id = created.json()["data"][0]["details"]["id"]
    change = await api(
        client, emulator, "PUT", f"/crm/v8/Calls/{call_id}", json={"data": [{"Call_Type": "Outbound"}]}
    )
    assert change.status_code == 400 and change.json()["data"][0]["details"] == {"api_name": "Call_Type"}
    patch = {"data": [{"id": call_id, "Voice_Recording__s": "https://pbx/rec/2"}]}
    updated = await api(client, emulator, "PUT", "/crm/v8/Calls", json=patch)
    assert updated.status_code == 200 and updated.json()["data"][0]["message"] == "record updated"
    assert emulator.records("Calls")[0]["Voice_Recording__s"] == "https://pbx/rec/2"
    gone = await api(client, emulator, "PUT", "/crm/v8/Calls/4150868999999999999", json=patch)
    assert gone.json()["data"][0]["details"] == {"id": "4150868999999999999"}


@pytest.mark.parametrize(
    ("kind", "emails"),
    [
        ("ActiveUsers", {"john.smith", "amy.lee", "raj.patel", "mia.chen"}),
        ("DeactiveUsers", {"old.timer"}),
        ("CurrentUser", {"john.smith"}),
    ],
)
async def test_users_by_type(
    emulator: ZohoEmulator, client: httpx.AsyncClient, kind: str, emails: set[str]
) -> None:
    users = (await api(client, emulator, "GET", "/crm/v8/users", params={"type": kind})).json()["users"]
    assert {u["email"].split("@")[0] for u in users} == emails
    assert all(u["full_name"] and u["id"] for u in users)


async def test_org_names_the_domain_used_by_record_pages(
    emulator: ZohoEmulator, client: httpx.AsyncClient
) -> None:
    org = (await api(client, emulator, "GET", "/crm/v8/org")).json()["org"][0]
    assert org["domain_name"] == emulator.org.domain_name and org["domain_name"].startswith("org")
    contact = emulator.add_record("Contacts", {"Last_Name": "<script>alert(1)</script>", "Phone": "1"})
    page = await client.get(f"{emulator.web_url}/crm/{org['domain_name']}/tab/Contacts/{contact}")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "&lt;script&gt;" in page.text and "<script>" not in page.text
    assert (await client.get(f"{emulator.web_url}/crm/tab/Contacts/{contact}")).status_code == 200
    assert (await client.get(f"{emulator.web_url}/crm/org1/tab/Contacts/{contact}")).status_code == 404


# --- limits -----------------------------------------------------------------------------------------


async def test_credits_run_out_with_too_many_requests() -> None:
    emu = ZohoEmulator(credits=2)
    await emu.start()
    try:
        async with httpx.AsyncClient() as client:
            statuses = [(await api(client, emu, "GET", "/crm/v8/org")).status_code for _ in range(3)]
            last = await api(client, emu, "GET", "/crm/v8/org")
        assert statuses == [200, 200, 429]
        assert last.json()["code"] == "TOO_MANY_REQUESTS"
    finally:
        await emu.stop()


async def test_concurrency_limit_answers_429() -> None:
    emu = ZohoEmulator(concurrency=2, latency=0.2)
    await emu.start()
    try:
        async with httpx.AsyncClient() as client:
            responses = await asyncio.gather(*(api(client, emu, "GET", "/crm/v8/org") for _ in range(4)))
        codes = sorted(r.status_code for r in responses)
        assert codes == [200, 200, 429, 429]
        assert {r.json()["code"] for r in responses if r.status_code == 429} == {"TOO_MANY_REQUESTS"}
    finally:
        await emu.stop()


async def test_injected_fault_carries_retry_after(emulator: ZohoEmulator, client: httpx.AsyncClient) -> None:
    emulator.inject(429, "TOO_MANY_REQUESTS", "slow down", retry_after=3)
    response = await api(client, emulator, "GET", "/crm/v8/org")
    assert response.status_code == 429 and response.headers["Retry-After"] == "3"
    assert (await api(client, emulator, "GET", "/crm/v8/org")).status_code == 200


async def test_settings_fields_describe_the_modules(
    emulator: ZohoEmulator, client: httpx.AsyncClient
) -> None:
    fields = (
        await api(client, emulator, "GET", "/crm/v8/settings/fields", params={"module": "Calls"})
    ).json()
    by_name = {f["api_name"]: f for f in fields["fields"]}
    assert by_name["Call_Type"]["system_mandatory"] is True
    assert {v["actual_value"] for v in by_name["Call_Type"]["pick_list_values"]} == {
        "Inbound",
        "Outbound",
        "Missed",
    }
