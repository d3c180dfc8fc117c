"""The desktop protocol's JSON messages: calls, records, pops, status, requests and replies.

A sentence for the user travels twice: as English text (`message`, what desktops before typed
sentences show) and, when the gateway wrote it as a `texts.Text`, as its typed form (`message_text`:
template and fields, versioned) that the desktop shows in its own language.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from linkus_companion.backend import CallPhase, CallView, CrmState, LinkState, PopNotice, Status
from linkus_companion.model import Direction, Disposition, NewRecord, Outcome, Record, RecordKind
from linkus_companion.texts import from_json, to_json

PATH = "/desktop"
"""Where desktops open their WebSocket."""
CLOSE_EXPIRED = 4401
"""Close code: the access token expired (refresh and reconnect)."""
CLOSE_REVOKED = 4403
"""Close code: the session was revoked (enroll again)."""
OPS = ("open", "choose", "retry", "note", "create", "dial", "suggest", "browser", "ping")
"""What a desktop may ask for."""


class ProtocolError(Exception):
    """A message did not have the expected shape."""


def _time(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse_time(value: Any) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def sentence(name: str, value: str) -> dict[str, Any]:
    """`{name: english, name_text: typed form}` for a sentence (the typed form only when it has one)."""
    typed = to_json(value)
    return {name: str(value), f"{name}_text": typed} if typed is not None else {name: str(value)}


def parse_sentence(data: Any, name: str) -> str:
    """The sentence `name` of a message: a `Text` from its typed form, else its plain text ("" if absent)."""
    plain = data.get(name)
    return from_json(data.get(f"{name}_text"), "" if plain is None else str(plain))


def record_json(record: Record) -> dict[str, Any]:
    """A record as JSON."""
    return {
        "id": record.id,
        "kind": record.kind.value,
        "module": record.module,
        "display_name": record.display_name,
        "url": record.url,
        "company": record.company,
        "phones": list(record.phones),
        "email": record.email,
        "owner_id": record.owner_id,
        "updated_at": _time(record.updated_at),
    }


def parse_record(data: Any) -> Record:
    """A record from JSON."""
    try:
        return Record(
            id=str(data["id"]),
            kind=RecordKind(data["kind"]),
            module=str(data["module"]),
            display_name=str(data["display_name"]),
            url=str(data["url"]),
            company=str(data["company"]),
            phones=tuple(str(p) for p in data["phones"]),
            email=str(data["email"]),
            owner_id=str(data["owner_id"]),
            updated_at=_parse_time(data["updated_at"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ProtocolError(f"bad record: {exc!r}") from None


def call_json(view: CallView) -> dict[str, Any]:
    """A call as JSON."""
    return {
        "call_id": view.call_id,
        "extension": view.extension,
        "direction": view.direction.value,
        "phase": view.phase.value,
        "number": view.number,
        "started_at": _time(view.started_at),
        "records": [record_json(r) for r in view.records],
        "chosen": record_json(view.chosen) if view.chosen else None,
        "looking_up": view.looking_up,
        **sentence("lookup_error", view.lookup_error),
        "answered_at": _time(view.answered_at),
        "ended_at": _time(view.ended_at),
        "outcome": view.outcome.value if view.outcome else None,
        "transferred_to": view.transferred_to,
        "transferred_to_name": view.transferred_to_name,
        "owner_name": view.owner_name,
    }


def parse_call(data: Any) -> CallView:
    """A call from JSON."""
    try:
        started = _parse_time(data["started_at"])
        if started is None:
            raise ValueError("no start time")
        return CallView(
            call_id=str(data["call_id"]),
            extension=str(data["extension"]),
            direction=Direction(data["direction"]),
            phase=CallPhase(data["phase"]),
            number=str(data["number"]),
            started_at=started,
            records=tuple(parse_record(r) for r in data["records"]),
            chosen=parse_record(data["chosen"]) if data["chosen"] else None,
            looking_up=bool(data["looking_up"]),
            lookup_error=parse_sentence(data, "lookup_error"),
            answered_at=_parse_time(data["answered_at"]),
            ended_at=_parse_time(data["ended_at"]),
            outcome=Outcome(data["outcome"]) if data["outcome"] else None,
            transferred_to=str(data.get("transferred_to") or ""),
            transferred_to_name=str(data.get("transferred_to_name") or ""),
            owner_name=str(data.get("owner_name") or ""),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ProtocolError(f"bad call: {exc!r}") from None


def pop_json(notice: PopNotice) -> dict[str, Any]:
    """A pop as JSON."""
    return {
        "call_id": notice.call_id,
        "extension": notice.extension,
        "trigger": notice.trigger,
        "url": notice.url,
    }


def parse_pop(data: Any) -> PopNotice:
    """A pop from JSON."""
    try:
        return PopNotice(str(data["call_id"]), str(data["extension"]), str(data["trigger"]), str(data["url"]))
    except (KeyError, TypeError) as exc:
        raise ProtocolError(f"bad pop: {exc!r}") from None


def status_json(status: Status) -> dict[str, Any]:
    """A status as JSON."""
    return {
        "link": status.link.value,
        "crm": _LEGACY_CRM.get(status.crm, status.crm).value,
        "crm_state": status.crm.value,
        **sentence("message", status.message),
        "crm_kind": status.crm_kind,
        "creatable": [k.value for k in status.creatable],
        "dispositions": [d.value for d in status.dispositions],
        **sentence("crm_problem", status.crm_problem),
        "crm_since": _time(status.crm_since),
        "waiting_logs": status.waiting_logs,
        "retry_in": status.retry_in,
    }


def parse_status(data: Any) -> Status:
    """A status from JSON."""
    try:
        retry_in = data.get("retry_in")
        return Status(
            LinkState(data["link"]),
            _crm_state(data),
            parse_sentence(data, "message"),
            str(data["crm_kind"]),
            tuple(RecordKind(k) for k in data["creatable"]),
            dispositions=tuple(Disposition(d) for d in data.get("dispositions", ())),
            crm_problem=parse_sentence(data, "crm_problem"),
            crm_since=_parse_time(data.get("crm_since")),
            waiting_logs=int(data.get("waiting_logs") or 0),
            retry_in=float(retry_in) if retry_in is not None else None,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ProtocolError(f"bad status: {exc!r}") from None


_LEGACY_CRM = {
    state: CrmState.ERROR for state in (CrmState.FAILING, CrmState.RATE_LIMITED, CrmState.AUTH_EXPIRED)
}
"""`crm` keeps the states every desktop knows; `crm_state` says which trouble it is."""


def _crm_state(data: Any) -> CrmState:
    """The CRM state; one this desktop does not know yet (a newer gateway) reads as an error."""
    try:
        return CrmState(data.get("crm_state") or data["crm"])
    except ValueError:
        return CrmState.ERROR


def new_record_json(new: NewRecord) -> dict[str, Any]:
    """The Add-to-CRM dialog's fields as JSON (the owner is decided by the gateway)."""
    return {
        "kind": new.kind.value,
        "phone": new.phone,
        "first_name": new.first_name,
        "last_name": new.last_name,
        "email": new.email,
        "company": new.company,
        "note": new.note,
    }


def parse_new_record(data: Any) -> NewRecord:
    """The Add-to-CRM dialog's fields from JSON."""
    try:
        fields = {k: str(data.get(k, "")) for k in ("first_name", "last_name", "email", "company", "note")}
        return NewRecord(kind=RecordKind(data["kind"]), phone=str(data["phone"]), **fields)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ProtocolError(f"bad new record: {exc!r}") from None


def request(request_id: int, op: str, **args: Any) -> dict[str, Any]:
    """A desktop's request."""
    return {"type": "request", "id": request_id, "op": op, "args": args}


def reply_ok(request_id: int, result: Any) -> dict[str, Any]:
    """A successful reply."""
    return {"type": "reply", "id": request_id, "ok": True, "result": result}


def reply_error(request_id: int, message: str, *, retryable: bool = False) -> dict[str, Any]:
    """A refused or failed request; `message` is for the user (typed as well when it is a `Text`)."""
    return {
        "type": "reply",
        "id": request_id,
        "ok": False,
        **sentence("error", message),
        "retryable": retryable,
    }
