"""Open API endpoints for extensions, company contacts and phonebooks."""

from __future__ import annotations

from typing import Any

from linkus_companion.sim.pbx_api import ApiError, ApiRequest, Routes, envelope, invalid
from linkus_companion.sim.pbx_directory import ADDRESS_FIELDS, NUM_TYPES, Contact, Directory, Phonebook

EXT_SORT_KEYS = ("id", "number", "caller_id_name", "email_addr", "mobile_number", "presence_status")
CONTACT_SORT_KEYS = ("id", "contact_name", "company", "email")
_CONTACT_TEXT = ("first_name", "last_name", "company", "email", "remark")


def _int_list(req: ApiRequest, name: str) -> list[int]:
    value = req.get(name, [])
    if not isinstance(value, list) or not all(type(v) is int for v in value):
        raise invalid(name, "array")
    return value


def _number_list(req: ApiRequest) -> list[dict[str, str]]:
    numbers = req.get("number_list")
    if not isinstance(numbers, list) or not numbers:
        raise invalid("number_list")
    for entry in numbers:
        if not isinstance(entry, dict) or entry.get("num_type") not in NUM_TYPES or not entry.get("number"):
            raise invalid("number_list", "format")
    return [{"num_type": str(e["num_type"]), "number": str(e["number"])} for e in numbers]


def _matches(row: dict[str, Any], keyword: str, keys: tuple[str, ...]) -> bool:
    return not keyword or any(keyword.lower() in str(row.get(k, "")).lower() for k in keys)


def directory_routes(d: Directory) -> Routes:
    """Handlers keyed by (method, endpoint) for extensions, company contacts and phonebooks."""

    def contact(req: ApiRequest) -> Contact:
        found = d.contacts.get(req.integer("id"))
        if found is None:
            raise ApiError(60001)
        return found

    def phonebook(req: ApiRequest) -> Phonebook:
        found = d.phonebooks.get(req.integer("id"))
        if found is None:
            raise ApiError(70093)
        return found

    def contact_row(c: Contact) -> dict[str, Any]:
        return {**c.flat(), "phonebook_list": d.phonebooks_of(c.id)}

    def check_phonebooks(ids: list[int]) -> None:
        if any(i not in d.phonebooks for i in ids):
            raise ApiError(70093)

    def check_contacts(ids: list[int]) -> None:
        if any(i not in d.contacts for i in ids):
            raise ApiError(60001)

    def apply_contact(c: Contact, req: ApiRequest) -> None:
        for name in _CONTACT_TEXT:
            if name in req.params:
                setattr(c, name, str(req.params[name]))
        c.address.update({k: str(req.params[k]) for k in ADDRESS_FIELDS if k in req.params})
        if "phonebook_id_list" in req.params:
            books = _int_list(req, "phonebook_id_list")
            check_phonebooks(books)
            for book in d.phonebooks.values():
                (book.contact_ids.add if book.id in books else book.contact_ids.discard)(c.id)

    def unique_name(name: str, own_id: int | None = None) -> None:
        if any(b.name == name and b.id != own_id for b in d.phonebooks.values()):
            raise ApiError(40003, duplicate_field_list=["name"])

    async def extension_list(req: ApiRequest) -> dict[str, Any]:
        return req.page([e.basic_info() for e in d.extensions.values()], EXT_SORT_KEYS)

    async def extension_search(req: ApiRequest) -> dict[str, Any]:
        keyword = str(req.get("search_value", ""))
        keys = ("number", "caller_id_name", "email_addr", "mobile_number")
        rows = [e.basic_info() for e in d.extensions.values()]
        return req.page([r for r in rows if _matches(r, keyword, keys)], EXT_SORT_KEYS)

    async def extension_get(req: ApiRequest) -> dict[str, Any]:
        ext = d.extension_by_id(req.integer("id"))
        if ext is None:
            raise ApiError(60001)
        return envelope(data=ext.details())

    async def contact_list(req: ApiRequest) -> dict[str, Any]:
        return req.page([contact_row(c) for c in d.contacts.values()], CONTACT_SORT_KEYS)

    async def contact_search(req: ApiRequest) -> dict[str, Any]:
        keyword = str(req.get("search_value", ""))
        keys = ("contact_name", "company", "email", *NUM_TYPES.values())
        rows = [contact_row(c) for c in d.contacts.values()]
        return req.page([r for r in rows if _matches(r, keyword, keys)], CONTACT_SORT_KEYS)

    async def contact_get(req: ApiRequest) -> dict[str, Any]:
        c = contact(req)
        data = {
            "id": c.id,
            "first_name": c.first_name,
            "last_name": c.last_name,
            "company": c.company,
            "email": c.email,
            "phonebook_list": d.phonebooks_of(c.id),
            "remark": c.remark,
            "number_list": c.number_list,
            **{k: c.address.get(k, "") for k in ADDRESS_FIELDS},
        }
        return envelope(data=data)

    async def contact_create(req: ApiRequest) -> dict[str, Any]:
        req.required("first_name", "number_list")
        c = Contact(d.new_id(), "", number_list=_number_list(req))
        apply_contact(c, req)
        d.contacts[c.id] = c
        return envelope(id=c.id)

    async def contact_update(req: ApiRequest) -> dict[str, Any]:
        c = contact(req)
        if "number_list" in req.params:
            c.number_list = _number_list(req)
        apply_contact(c, req)
        return envelope()

    async def contact_delete(req: ApiRequest) -> dict[str, Any]:
        c = contact(req)
        if any(c.id in b.contact_ids for b in d.phonebooks.values()):
            raise ApiError(70091)
        del d.contacts[c.id]
        return envelope()

    async def phonebook_create(req: ApiRequest) -> dict[str, Any]:
        (name,) = req.required("name")
        unique_name(str(name))
        members = _int_list(req, "add_contacts_id_list")
        check_contacts(members)
        book = Phonebook(d.new_id(), str(name), _member_select(req, "sel_specific"), set(members))
        d.phonebooks[book.id] = book
        return envelope(id=book.id)

    async def phonebook_update(req: ApiRequest) -> dict[str, Any]:
        book = phonebook(req)
        if req.get("name") is not None:
            unique_name(str(req.params["name"]), book.id)
            book.name = str(req.params["name"])
        book.member_select = _member_select(req, book.member_select)
        added, removed = _int_list(req, "add_contacts_id_list"), _int_list(req, "del_contacts_id_list")
        check_contacts(added)
        book.contact_ids = (book.contact_ids | set(added)) - set(removed)
        return envelope()

    def phonebook_row(book: Phonebook) -> dict[str, Any]:
        return {
            "id": book.id,
            "name": book.name,
            "member_select": book.member_select,
            "total": len(d.phonebook_members(book)),
        }

    async def phonebook_get(req: ApiRequest) -> dict[str, Any]:
        book = phonebook(req)
        contacts = [c.flat() for c in d.phonebook_members(book)]
        return envelope(data={**phonebook_row(book), "contacts_list": contacts})

    async def phonebook_list(req: ApiRequest) -> dict[str, Any]:
        return req.page([phonebook_row(b) for b in d.phonebooks.values()], ("id", "name"))

    async def phonebook_search(req: ApiRequest) -> dict[str, Any]:
        keyword = str(req.get("search_value", ""))
        rows = [phonebook_row(b) for b in d.phonebooks.values()]
        return req.page([r for r in rows if _matches(r, keyword, ("name",))], ("id", "name"))

    async def phonebook_delete(req: ApiRequest) -> dict[str, Any]:
        del d.phonebooks[phonebook(req).id]
        return envelope()

    return {
        ("GET", "extension/list"): extension_list,
        ("GET", "extension/search"): extension_search,
        ("GET", "extension/get"): extension_get,
        ("GET", "company_contact/list"): contact_list,
        ("GET", "company_contact/search"): contact_search,
        ("GET", "company_contact/get"): contact_get,
        ("POST", "company_contact/create"): contact_create,
        ("POST", "company_contact/update"): contact_update,
        ("GET", "company_contact/delete"): contact_delete,
        ("POST", "phonebook/create"): phonebook_create,
        ("POST", "phonebook/update"): phonebook_update,
        ("GET", "phonebook/get"): phonebook_get,
        ("GET", "phonebook/list"): phonebook_list,
        ("GET", "phonebook/search"): phonebook_search,
        ("GET", "phonebook/delete"): phonebook_delete,
    }


def _member_select(req: ApiRequest, default: str) -> str:
    value = str(req.get("member_select", default))
    if value not in ("sel_all", "sel_specific"):
        raise invalid("member_select", "enum")
    return value
