"""The HubSpot emulator: the official SDK accepts it, its traffic meets HubSpot's OpenAPI specs, and its
search, OAuth, rate limits, lag, validation and record pages behave as api/hubspot.md says."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import hubspot
import pytest
from hubspot.crm.associations.v4 import BatchInputPublicFetchAssociationsBatchRequest
from hubspot.crm.contacts import (
    BatchInputSimplePublicObjectBatchInputForCreate as BatchCreateInput,
)
from hubspot.crm.contacts import (
    PublicObjectSearchRequest,
    SimplePublicObjectInput,
    SimplePublicObjectInputForCreate,
)
from hubspot.crm.objects.calls import ApiException as CallsApiException
from hubspot.crm.objects.calls import BatchInputSimplePublicObjectId, BatchReadInputSimplePublicObjectId
from hubspot.crm.objects.calls import SimplePublicObjectInputForCreate as CallInput
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.templating.paths.exceptions import PathNotFound
from openapi_schema_validator import OAS30Validator
from werkzeug.datastructures import Headers, ImmutableMultiDict

from linkus_companion.sim.hubspot import HubSpotEmulator
from linkus_companion.sim.hubspot_traffic import Exchange

SPECS = Path(__file__).resolve().parent / "hubspot_specs"
"""HubSpot's own OpenAPI files (public), kept with the tests so a fresh clone validates against them."""
REDIRECT = "http://localhost:8765/oauth/callback"
CALC = "hs_searchable_calculated_phone_number"


@pytest.fixture
async def emu() -> AsyncIterator[HubSpotEmulator]:
    async with HubSpotEmulator(token="fixed-admin-token", search_rate=1000) as emulator:
        yield emulator


@pytest.fixture
async def api(emu: HubSpotEmulator) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"Bearer {emu.admin_token}"}
    async with httpx.AsyncClient(base_url=emu.base_url, headers=headers, timeout=10) as client:
        yield client


def search_body(*groups: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    body = {
        "filterGroups": [{"filters": g} for g in groups],
        "properties": ["phone"],
        "limit": 10,
        "after": "0",
    }
    return body | {"sorts": []} | extra


async def names(api: httpx.AsyncClient, *groups: list[dict[str, Any]], kind: str = "contacts") -> set[str]:
    response = await api.post(
        f"/crm/v3/objects/{kind}/search", json=search_body(*groups, properties=["firstname"])
    )
    assert response.status_code == 200, response.text
    return {r["properties"].get("firstname", "") for r in response.json()["results"]}


def eq(prop: str, value: str, operator: str = "EQ") -> list[dict[str, Any]]:
    return [{"propertyName": prop, "operator": operator, "value": value}]


async def authorize(client: httpx.AsyncClient, emu: HubSpotEmulator, **params: str) -> httpx.Response:
    """Open the authorize page and press its approve button, as the user's browser would."""
    query = {
        "client_id": emu.oauth_client_id,
        "redirect_uri": REDIRECT,
        "scope": "oauth crm.objects.contacts.read",
    }
    page = await client.get(f"{emu.base_url}/oauth/authorize", params=query | params)
    assert page.status_code == 200, page.text
    action = re.search(r'<form[^>]*action="([^"]+)"', page.text)
    request_id = re.search(r'name="request_id" value="([^"]+)"', page.text)
    assert action and request_id
    form = {"request_id": request_id.group(1), "owner_id": "6166860", "decision": "approve"}
    return await client.post(emu.base_url + action.group(1), data=form)


def redirected(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith(REDIRECT)
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


# --- the official SDK as an oracle ------------------------------------------------------------------


async def test_official_sdk_searches_creates_logs_calls_and_lists_owners(emu: HubSpotEmulator) -> None:
    def run() -> dict[str, Any]:
        client = hubspot.Client.create(access_token=emu.admin_token, host=emu.base_url)
        found = client.crm.contacts.search_api.do_search(
            public_object_search_request=PublicObjectSearchRequest(
                filter_groups=[
                    {"filters": [{"propertyName": CALC, "operator": "EQ", "value": "4155550102"}]}
                ],
                properties=["firstname", "phone"],
                limit=10,
                after="0",
                sorts=[],
            )
        )
        created = client.crm.contacts.basic_api.create(
            simple_public_object_input_for_create=SimplePublicObjectInputForCreate(
                properties={"firstname": "Radia", "lastname": "Perlman", "phone": "+1 415 555 0190"},
                associations=[],
            )
        )
        association = {
            "to": {"id": created.id},
            "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 194}],
        }
        call = client.crm.objects.calls.basic_api.create(
            simple_public_object_input_for_create=CallInput(
                properties={"hs_timestamp": "2026-01-31T10:15:00Z", "hs_call_direction": "INBOUND",
                            "hs_call_duration": "125000", "hubspot_owner_id": "6166861"},
                associations=[association],
            )
        )  # fmt: skip
        owners = client.crm.owners.owners_api.get_page(email="sam.sales@example.com")
        return {"found": found, "created": created, "call": call, "owners": owners}

    result = await asyncio.to_thread(run)
    assert result["found"].total == 1 and result["found"].results[0].properties["firstname"] == "Grace"
    assert result["created"].properties["firstname"] == "Radia"
    assert [o.id for o in result["owners"].results] == ["6166861"]
    [logged] = emu.call_engagements()
    assert logged["id"] == result["call"].id
    assert logged["owner_id"] == "6166861" and logged["associations"]["contacts"] == [result["created"].id]


async def test_official_sdk_reads_a_calls_associations_back(emu: HubSpotEmulator) -> None:
    def run() -> dict[str, Any]:
        client = hubspot.Client.create(access_token=emu.admin_token, host=emu.base_url)
        link = {
            "to": {"id": "1001"},
            "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 194}],
        }
        call = client.crm.objects.calls.basic_api.create(
            simple_public_object_input_for_create=CallInput(
                properties={"hs_timestamp": "2026-01-31T10:15:00Z"}, associations=[link]
            )
        )
        calls = client.crm.objects.calls
        return {
            "one": calls.basic_api.get_by_id(call.id, associations=["contacts", "companies"]),
            "bare": calls.basic_api.get_by_id(call.id),
            "page": calls.basic_api.get_page(associations=["contacts"]),
            "contact": client.crm.contacts.basic_api.get_by_id("1001", associations=["calls"]),
            "batch": calls.batch_api.read(
                BatchReadInputSimplePublicObjectId(
                    inputs=[{"id": call.id}, {"id": "999999"}], properties=[], properties_with_history=[]
                )
            ),
            "v4": client.crm.associations.v4.batch_api.get_page(
                "calls", "contacts", BatchInputPublicFetchAssociationsBatchRequest(inputs=[{"id": call.id}])
            ),
            "id": call.id,
        }

    got = await asyncio.to_thread(run)
    [contact] = got["one"].associations["contacts"].results
    assert (contact.id, contact.type) == ("1001", "call_to_contact")
    assert "companies" not in got["one"].associations and got["bare"].associations is None
    assert [a.id for a in got["page"].results[0].associations["contacts"].results] == ["1001"]
    assert [(a.id, a.type) for a in got["contact"].associations["calls"].results] == [
        (got["id"], "contact_to_call")
    ]
    assert [r.id for r in got["batch"].results] == [got["id"]] and got["batch"].num_errors == 1
    [linked] = got["v4"].results
    assert linked._from.id == got["id"] and [int(t.to_object_id) for t in linked.to] == [1001]
    assert [t.type_id for t in linked.to[0].association_types] == [194]


async def test_official_sdk_archives_a_call_to_the_recycling_bin(emu: HubSpotEmulator) -> None:
    def run() -> dict[str, Any]:
        client = hubspot.Client.create(access_token=emu.admin_token, host=emu.base_url)
        link = {
            "to": {"id": "1001"},
            "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 194}],
        }
        calls = client.crm.objects.calls
        new = [
            calls.basic_api.create(
                simple_public_object_input_for_create=CallInput(
                    properties={"hs_timestamp": "2026-01-31T10:15:00Z"}, associations=[link]
                )
            ).id
            for _ in range(3)
        ]
        calls.basic_api.archive(new[0])
        calls.batch_api.archive(BatchInputSimplePublicObjectId(inputs=[{"id": new[1]}]))
        try:
            calls.basic_api.get_by_id(new[0])
            status = 200
        except CallsApiException as exc:
            status = exc.status
        contact = client.crm.contacts.basic_api.get_by_id("1001", associations=["calls"])
        return {
            "new": new,
            "status": status,
            "live": [c.id for c in calls.basic_api.get_page().results],
            "bin": [(c.id, c.archived) for c in calls.basic_api.get_page(archived=True).results],
            "linked": [a.id for a in contact.associations["calls"].results],
        }

    got = await asyncio.to_thread(run)
    first, second, kept = got["new"]
    assert got["status"] == 404
    assert got["live"] == [kept] and got["linked"] == [kept]
    assert got["bin"] == [(first, True), (second, True)]
    assert [c.id for c in emu.call_logs()] == [kept]


async def test_official_sdk_sees_the_set_properties_in_the_create_answer(emu: HubSpotEmulator) -> None:
    def run() -> dict[str, Any]:
        client = hubspot.Client.create(access_token=emu.admin_token, host=emu.base_url)
        set_ = {"firstname": "Radia", "phone": "+1 415 555 0190", "hubspot_owner_id": "6166861"}
        created = client.crm.contacts.basic_api.create(
            simple_public_object_input_for_create=SimplePublicObjectInputForCreate(
                properties=set_, associations=[]
            )
        )
        batch = client.crm.contacts.batch_api.create(
            batch_input_simple_public_object_batch_input_for_create=BatchCreateInput(
                inputs=[{"properties": {"lastname": "Hopper", "mobilephone": "+1 415 555 0191"}}]
            )
        )
        changed = client.crm.contacts.basic_api.update(
            created.id, simple_public_object_input=SimplePublicObjectInput(properties={"jobtitle": "CTO"})
        )
        return {"created": created, "batch": batch, "changed": changed}

    got = await asyncio.to_thread(run)
    props = got["created"].properties
    assert props["hubspot_owner_id"] == "6166861" and props["phone"] == "+1 415 555 0190"
    assert props["hs_object_id"] == got["created"].id and props["createdate"] == props["lastmodifieddate"]
    [made] = got["batch"].results
    assert made.properties["mobilephone"] == "+1 415 555 0191" and made.properties["lastname"] == "Hopper"
    assert got["changed"].properties["jobtitle"] == "CTO"


async def test_official_sdk_exchanges_an_authorization_code(emu: HubSpotEmulator) -> None:
    async with httpx.AsyncClient() as browser:
        code = redirected(await authorize(browser, emu, state="s1"))["code"]

    def run() -> Any:
        client = hubspot.Client.create(host=emu.base_url)
        return client.oauth.tokens_api.create(
            grant_type="authorization_code", code=code, redirect_uri=REDIRECT,
            client_id=emu.oauth_client_id, client_secret=emu.oauth_client_secret,
        )  # fmt: skip

    tokens = await asyncio.to_thread(run)
    assert tokens.token_type.lower() == "bearer" and tokens.expires_in == 1800 and tokens.refresh_token


# --- traffic against HubSpot's OpenAPI specs ----------------------------------------------------------


class SpecRequest:
    """An emulator exchange in openapi-core's request protocol, as if sent to api.hubapi.com."""

    def __init__(self, exchange: Exchange) -> None:
        self.host_url = "https://api.hubapi.com"
        self.path = exchange.path
        self.method = exchange.method.lower()
        self.body = exchange.request_body or None
        self.content_type = exchange.request_headers.get("content-type", "").split(";")[0].lower()
        query = ImmutableMultiDict(
            [(k, v) for k, vs in parse_qs(exchange.query, keep_blank_values=True).items() for v in vs]
        )
        self.parameters = RequestParameters(query=query, header=Headers(exchange.request_headers))


class SpecResponse:
    """An emulator response in openapi-core's response protocol."""

    def __init__(self, exchange: Exchange) -> None:
        self.status_code = exchange.status
        self.headers = Headers(exchange.response_headers)
        self.content_type = exchange.response_headers.get("content-type", "").split(";")[0].lower()
        self.data = exchange.response_body


def validate(traffic: list[Exchange]) -> list[str]:
    """Validate each exchange against the spec that has its path; returns the operations checked.

    Error bodies are declared as `*/*` (which openapi-core does not parse), so they are checked against
    the spec's `Error` schema directly.
    """
    specs = [
        (OpenAPI.from_file_path(str(path)), json.loads(path.read_text()))
        for path in sorted(SPECS.glob("*.json"))
    ]
    assert specs, f"HubSpot's OpenAPI files are missing from {SPECS}"
    checked = []
    for exchange in traffic:
        request, response = SpecRequest(exchange), SpecResponse(exchange)
        for spec, raw in specs:
            try:
                spec.validate_request(request)
            except PathNotFound:
                continue
            if not exchange.response_body and exchange.status < 300:
                pass  # revoke: the spec documents only an error response; success is 200 without a body
            elif exchange.status >= 400:
                error_schema = {"$ref": "#/components/schemas/Error", "components": raw["components"]}
                OAS30Validator(error_schema).validate(json.loads(exchange.response_body))
            else:
                spec.validate_response(request, response)
            checked.append(f"{exchange.method} {exchange.path} {exchange.status}")
            break
    return checked


@pytest.mark.filterwarnings("ignore:Unsupported scheme type:UserWarning")  # openapi-core has no oauth2 check
async def test_traffic_validates_against_hubspots_openapi_specs(
    emu: HubSpotEmulator, api: httpx.AsyncClient
) -> None:
    contact = {
        "properties": {"firstname": "Ada", "email": "ada2@example.com", "phone": "+14155550180"},
        "associations": [],
    }
    created = (await api.post("/crm/objects/2026-03/contacts", json=contact)).json()
    await api.get(f"/crm/v3/objects/contacts/{created['id']}", params={"properties": "phone"})
    await api.post("/crm/objects/2026-03/contacts/search", json=search_body(eq(CALC, "4155550180")))
    await api.post("/crm/v3/objects/companies/search", json=search_body(eq("phone", "(212) 555-0300")))
    await api.post("/crm/v3/objects/contacts", json={"properties": {"nope": "x"}, "associations": []})
    call = {
        "properties": {"hs_timestamp": "1767225600000", "hs_call_status": "COMPLETED"},
        "associations": [],
    }
    call_id = (await api.post("/crm/objects/2026-03/calls", json=call)).json()["id"]
    await api.patch(f"/crm/v3/objects/calls/{call_id}", json={"properties": {"hs_call_body": "later"}})
    await api.post("/crm/v3/objects/calls/search", json=search_body(eq("hs_call_body", "later")))
    await api.put(f"/crm/objects/2026-03/calls/{call_id}/associations/default/contacts/{created['id']}")
    await api.put(f"/crm/v4/objects/calls/{call_id}/associations/default/companies/1007")
    await api.get(f"/crm/v3/objects/calls/{call_id}", params={"associations": "contacts,companies"})
    await api.get("/crm/objects/2026-03/calls", params={"associations": "contacts"})
    batch = {"inputs": [{"id": call_id}], "properties": ["hs_call_body"], "propertiesWithHistory": []}
    await api.post("/crm/v3/objects/calls/batch/read", json=batch)
    await api.post("/crm/v4/associations/calls/contacts/batch/read", json={"inputs": [{"id": call_id}]})
    await api.get("/crm/v3/owners", params={"limit": 2})
    await api.get("/settings/users/v3")
    await api.get("/crm/v3/objects/contacts/999999")
    async with httpx.AsyncClient(base_url=emu.base_url) as anonymous:
        await anonymous.get("/crm/v3/objects/contacts/1001")
        form = {"client_id": emu.oauth_client_id, "client_secret": emu.oauth_client_secret}
        refreshed = await anonymous.post(
            "/oauth/2026-03/token",
            data=form | {"grant_type": "refresh_token", "refresh_token": emu.admin_refresh_token},
        )
        await anonymous.post(
            "/oauth/v1/token", data=form | {"grant_type": "refresh_token", "refresh_token": "bad"}
        )
        await anonymous.get(f"/oauth/v1/access-tokens/{refreshed.json()['access_token']}")
        await anonymous.get(f"/oauth/v1/refresh-tokens/{emu.admin_refresh_token}")
        await anonymous.post("/oauth/v3/token/introspect", data=form | {"token": emu.admin_token})
        await anonymous.post("/oauth/v3/token/introspect", data=form | {"token": emu.admin_refresh_token})
        await anonymous.post("/oauth/2026-03/token/revoke", data=form | {"token": emu.admin_refresh_token})
    checked = await asyncio.to_thread(validate, emu.traffic)
    assert len(checked) == len(emu.traffic)  # every exchange had a spec path and met it
    assert {c.rsplit(" ", 1)[1] for c in checked} >= {"200", "201", "400", "401", "404"}


# --- phone matching ---------------------------------------------------------------------------------


async def test_eq_compares_the_stored_string_so_formatting_matters(api: httpx.AsyncClient) -> None:
    assert await names(api, eq("phone", "+14155550101")) == {"Ada"}
    assert await names(api, eq("phone", "(415) 555-0102")) == {"Grace"}
    assert await names(api, eq("phone", "+14155550102")) == set()  # stored as (415) 555-0102
    assert await names(api, eq("phone", "4155550101")) == set()  # stored as +14155550101


async def test_calculated_phone_properties_compare_digits(api: httpx.AsyncClient) -> None:
    assert await names(api, eq(CALC, "4155550102")) == {"Grace"}
    assert await names(api, eq(CALC, "+1 415 555 0102")) == set()  # the national digits do not carry the 1
    assert await names(api, eq(CALC, "4155550104")) == {"Katherine"}  # extension dropped
    assert await names(api, eq(CALC, "00442079460105")) == {"Tim"}
    assert await names(api, eq("hs_searchable_calculated_mobile_number", "4155550106")) == {"Margaret"}
    intl = "hs_searchable_calculated_international_phone_number"
    assert await names(api, eq(intl, "442079460103")) == {"Alan"}
    assert await names(api, eq(intl, "442079460105")) == {"Tim"}
    assert await names(api, eq(intl, "4155550102")) == set()  # national numbers have no international form


async def test_in_contains_token_and_has_property(api: httpx.AsyncClient) -> None:
    values = [{"propertyName": CALC, "operator": "IN", "values": ["14155550101", "4155550102"]}]
    assert await names(api, values) == {"Ada", "Grace"}
    assert await names(api, eq("phone", "0102", "CONTAINS_TOKEN")) == {"Grace"}  # tokens: 415, 555, 0102
    assert await names(api, eq("phone", "4155550102", "CONTAINS_TOKEN")) == set()
    assert await names(api, eq("phone", "*0103", "CONTAINS_TOKEN")) == {"Alan"}
    assert await names(api, [{"propertyName": "mobilephone", "operator": "HAS_PROPERTY"}]) == {
        "Grace",
        "Margaret",
    }


async def test_groups_are_ored_and_filters_anded(api: httpx.AsyncClient) -> None:
    both = eq(CALC, "4155550102") + eq("firstname", "grace")
    wrong = eq(CALC, "4155550102") + eq("firstname", "Ada")
    assert await names(api, both) == {"Grace"}
    assert await names(api, wrong) == set()
    assert await names(api, wrong, eq("lastname", "Turing")) == {"Alan"}


async def test_companies_are_searched_by_phone(api: httpx.AsyncClient) -> None:
    response = await api.post(
        "/crm/v3/objects/companies/search", json=search_body(eq(CALC, "2125550300"), properties=["name"])
    )
    assert [r["properties"]["name"] for r in response.json()["results"]] == ["Globex"]


async def test_search_limits_are_enforced(api: httpx.AsyncClient) -> None:
    seven = search_body(*[eq("phone", str(i)) for i in range(7)])
    response = await api.post("/crm/v3/objects/contacts/search", json=seven)
    assert response.status_code == 400 and response.json()["category"] == "VALIDATION_ERROR"
    assert (await api.post("/crm/v3/objects/contacts/search", json=search_body(limit=201))).status_code == 400


@pytest.mark.parametrize(
    "hostile",
    ["' OR 1=1 --", 'a"b\\"c', "line\nbreak\r\n", "名前 😀 \u202e", "x" * 10_000, "%_", "(phone:1*)"],
)
async def test_hostile_search_values_are_plain_data(api: httpx.AsyncClient, hostile: str) -> None:
    for operator in ("EQ", "CONTAINS_TOKEN"):
        assert await names(api, eq("phone", hostile, operator)) == set()
    body = search_body(query=hostile)
    response = await api.post("/crm/v3/objects/contacts/search", json=body)
    assert response.status_code == (400 if len(hostile) > 3000 else 200)
    if response.status_code == 200:
        assert response.json()["total"] == 0


# --- lag, rate limits, OAuth ------------------------------------------------------------------------


async def test_new_records_reach_search_only_after_the_lag(
    emu: HubSpotEmulator, api: httpx.AsyncClient
) -> None:
    emu.search_lag = 0.4
    new = {"properties": {"firstname": "Late", "phone": "+14155550170"}, "associations": []}
    created = await api.post("/crm/v3/objects/contacts", json=new)
    assert created.status_code == 201
    assert (await api.get(f"/crm/v3/objects/contacts/{created.json()['id']}")).status_code == 200
    assert await names(api, eq(CALC, "14155550170")) == set()
    await asyncio.sleep(0.5)
    assert await names(api, eq(CALC, "14155550170")) == {"Late"}


async def test_search_is_limited_to_four_requests_a_second_per_token() -> None:
    body = search_body(eq("phone", "+14155550101"))
    async with HubSpotEmulator() as emulator, httpx.AsyncClient(base_url=emulator.base_url) as api:
        api.headers["Authorization"] = f"Bearer {emulator.admin_token}"
        statuses = [(await api.post("/crm/v3/objects/contacts/search", json=body)) for _ in range(5)]
        other = await api.get("/crm/v3/objects/contacts/1001")
    assert [r.status_code for r in statuses] == [200, 200, 200, 200, 429]
    error = statuses[-1].json()
    assert error["errorType"] == "RATE_LIMIT" and error["policyName"] == "SECONDLY"
    assert error["message"] == "You have reached your secondly limit."
    assert other.status_code == 200  # other endpoints are not under the search limit


async def test_expired_token_gets_hubspots_error_and_refresh_recovers(emu: HubSpotEmulator) -> None:
    tokens = emu.issue_tokens("sup@example.com")
    emu.expire_token(tokens["access_token"])
    async with httpx.AsyncClient(base_url=emu.base_url) as client:
        stale = await client.get(
            "/crm/v3/objects/contacts/1001", headers={"Authorization": f"Bearer {tokens['access_token']}"}
        )
        assert stale.status_code == 401
        assert stale.json()["category"] == "EXPIRED_AUTHENTICATION"
        assert stale.json()["message"] == "The OAuth token used to make this call expired 0 minute(s) ago."
        form = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
                "client_id": emu.oauth_client_id, "client_secret": emu.oauth_client_secret}  # fmt: skip
        fresh = (await client.post("/oauth/2026-03/token", data=form)).json()
        assert fresh["token_use"] == "access_token" and fresh["hub_id"] == emu.hub_id
        ok = await client.get(
            "/crm/v3/objects/contacts/1001", headers={"Authorization": f"Bearer {fresh['access_token']}"}
        )
        assert ok.status_code == 200
        assert (await client.delete(f"/oauth/v1/refresh-tokens/{tokens['refresh_token']}")).status_code == 204
        refused = await client.post("/oauth/v1/token", data=form)
        assert refused.status_code == 400
        assert refused.json()["error"] == "invalid_grant" and refused.json()["status"] == "BAD_REFRESH_TOKEN"
        gone = await client.get(
            "/crm/v3/objects/contacts/1001", headers={"Authorization": f"Bearer {fresh['access_token']}"}
        )
        assert gone.json()["category"] == "INVALID_AUTHENTICATION"


async def test_authorize_redirects_with_code_and_state_and_checks_pkce(emu: HubSpotEmulator) -> None:
    verifier = "v" * 50
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    pkce = {"code_challenge": challenge, "code_challenge_method": "S256"}
    form = {"grant_type": "authorization_code", "redirect_uri": REDIRECT,
            "client_id": emu.oauth_client_id, "client_secret": emu.oauth_client_secret}  # fmt: skip
    async with httpx.AsyncClient(base_url=emu.base_url) as client:
        first = redirected(await authorize(client, emu, state="xyz", **pkce))
        assert first["state"] == "xyz"
        wrong = await client.post(
            "/oauth/v3/token", data=form | {"code": first["code"], "code_verifier": "w" * 50}
        )
        assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
        second = redirected(await authorize(client, emu, state="abc", **pkce))
        ok = await client.post(
            "/oauth/v3/token", data=form | {"code": second["code"], "code_verifier": verifier}
        )
        assert ok.status_code == 200 and ok.json()["scopes"] == ["oauth", "crm.objects.contacts.read"]
        replay = await client.post(
            "/oauth/v3/token", data=form | {"code": second["code"], "code_verifier": verifier}
        )
        assert replay.json()["status"] == "BAD_AUTH_CODE"


@pytest.mark.parametrize(
    "redirect_uri",
    ["http://localhost:9999/elsewhere", "http://127.0.0.1:8765/oauth/callback", "https://evil.example/cb"],
)
async def test_authorize_refuses_unregistered_or_insecure_redirects(
    emu: HubSpotEmulator, redirect_uri: str
) -> None:
    emu.register_redirect_uri(
        "http://127.0.0.1:8765/oauth/callback"
    )  # registered, but http is for localhost only
    async with httpx.AsyncClient(base_url=emu.base_url) as client:
        params = {"client_id": emu.oauth_client_id, "redirect_uri": redirect_uri, "scope": "oauth"}
        page = await client.get("/oauth/authorize", params=params)
    assert page.status_code == 400 and "location" not in page.headers


# --- validation, associations, pages ----------------------------------------------------------------


async def test_invalid_properties_name_the_property(api: httpx.AsyncClient) -> None:
    bad = {
        "properties": {"firstname": "X", "email": "not-an-email", "hubspot_owner_id": "42"},
        "associations": [],
    }
    response = await api.post("/crm/v3/objects/contacts", json=bad)
    assert response.status_code == 400
    assert sorted(e["in"] for e in response.json()["errors"]) == ["email", "hubspot_owner_id"]
    call = {"properties": {"hs_call_recording_url": "http://pbx/rec.wav"}, "associations": []}
    missing = await api.post("/crm/v3/objects/calls", json=call)
    assert "hs_timestamp" in missing.text
    duplicate = await api.post("/crm/v3/objects/contacts", json={"properties": {"email": "ADA@example.com"}})
    assert (
        duplicate.status_code == 409
        and duplicate.json()["message"] == "Contact already exists. Existing ID: 1001"
    )


async def test_both_path_families_share_records_and_associations(
    emu: HubSpotEmulator, api: httpx.AsyncClient
) -> None:
    call = {"properties": {"hs_timestamp": "2026-01-31T10:15:00Z"}, "associations": []}
    call_id = (await api.post("/crm/objects/2026-03/calls", json=call)).json()["id"]
    assert (await api.get(f"/crm/v3/objects/calls/{call_id}")).status_code == 200
    put = await api.put(f"/crm/objects/2026-03/calls/{call_id}/associations/default/contact/1001")
    assert put.status_code == 200
    assert {r["associationSpec"]["associationTypeId"] for r in put.json()["results"]} == {193, 194}
    listed = (await api.get("/crm/v4/objects/contacts/1001/associations/calls")).json()["results"]
    assert listed == [
        {
            "toObjectId": call_id,
            "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": 193}],
        }
    ]
    assert emu.call_engagements()[0]["associations"] == {"contacts": ["1001"], "companies": []}
    owners = (await api.get("/crm/owners/2026-03", params={"limit": 2})).json()
    assert len(owners["results"]) == 2 and owners["paging"]["next"]["after"] == "2"


async def test_record_page_is_served_at_the_web_ui_path(emu: HubSpotEmulator, api: httpx.AsyncClient) -> None:
    hostile = {
        "properties": {"firstname": "<script>alert(1)</script>", "lastname": "O'Neil"},
        "associations": [],
    }
    contact_id = (await api.post("/crm/v3/objects/contacts", json=hostile)).json()["id"]
    association = [
        {
            "to": {"id": contact_id},
            "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 194}],
        }
    ]
    call = {"properties": {"hs_timestamp": "1767225600000", "hs_call_title": "Inbound call",
                           "hs_call_recording_url": "https://pbx.example.com/r/1.wav"}, "associations": association}  # fmt: skip
    assert (await api.post("/crm/v3/objects/calls", json=call)).status_code == 201
    async with httpx.AsyncClient() as browser:
        page = await browser.get(f"{emu.base_url}/contacts/{emu.hub_id}/record/0-1/{contact_id}")
        legacy = await browser.get(f"{emu.base_url}/contacts/{emu.hub_id}/contact/{contact_id}")
        wrong_hub = await browser.get(f"{emu.base_url}/contacts/1/record/0-1/{contact_id}")
        company = await browser.get(emu.record_url("companies", "1007"))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "&lt;script&gt;" in page.text and "<script>" not in page.text
    assert "Inbound call" in page.text and "https://pbx.example.com/r/1.wav" in page.text
    assert legacy.status_code == 200 and wrong_hub.status_code == 404
    assert "Initech" in company.text


async def test_admin_token_is_fixed_and_bodies_are_json(emu: HubSpotEmulator, api: httpx.AsyncClient) -> None:
    assert emu.admin_token == "fixed-admin-token"
    body = (await api.get("/crm/v3/objects/contacts", params={"limit": 2, "properties": "phone"})).json()
    assert len(body["results"]) == 2 and body["paging"]["next"]["after"] == "2"
    assert json.loads(emu.traffic[-1].response_body)["results"][0]["properties"]["phone"] == "+14155550101"
