"""Why reading a file or opening a socket failed, in the user's words (the system's own text only labelled)."""

from __future__ import annotations

import errno
import json
import ssl
import tomllib

from linkus_companion.texts import Text

_DETAIL = 200
"""How much of the system's own words a labelled detail keeps."""


def system_says(words: object) -> str:
    """The system's (or a library's) own words about a failure, labelled as its own, or "" when none."""
    said = " ".join(str(words).split())[:_DETAIL]
    return Text(" (the system says: {words})", words=said) if said else ""


_DENIED = Text("permission denied")
_FULL = Text("the disk is full")
_TOO_MANY = Text("too many files are open")
_BY_ERRNO = {
    errno.ENOENT: Text("it does not exist"),
    errno.EEXIST: Text("a file or folder of that name is already there"),
    errno.EACCES: _DENIED,
    errno.EPERM: _DENIED,
    errno.ENOSPC: _FULL,
    errno.EDQUOT: _FULL,
    errno.EROFS: Text("the disk is read-only"),
    errno.EISDIR: Text("it is a folder, not a file"),
    errno.ENOTDIR: Text("a part of the path is not a folder"),
    errno.ENAMETOOLONG: Text("the name is too long"),
    errno.EIO: Text("the disk reported a read or write error"),
    errno.EMFILE: _TOO_MANY,
    errno.ENFILE: _TOO_MANY,
    errno.EADDRINUSE: Text("another program already uses it"),
    errno.EADDRNOTAVAIL: Text("this computer has no such address"),
    errno.ELOOP: Text("it is a symbolic link, which is not followed"),
}
"""The failures a user can act on, by their errno."""


def os_why(error: BaseException) -> str:
    """A short phrase for why `error` happened, to put inside a sentence: our own words for the usual
    file and socket failures and unreadable text, the error's own sentence when it has one, else a
    general phrase with the system's words labelled."""
    first = error.args[0] if error.args else None
    if isinstance(first, Text):
        return first
    if isinstance(error, json.JSONDecodeError):
        return Text(
            "it is not valid JSON (line {line}, column {column})", line=error.lineno, column=error.colno
        )
    if isinstance(error, tomllib.TOMLDecodeError):
        return Text("it is not valid TOML{detail}", detail=system_says(error))
    if isinstance(error, UnicodeError):
        return Text("it is not UTF-8 text")
    if isinstance(error, ssl.SSLError):  # its errno is OpenSSL's, not the system's
        return Text("its content is not valid{detail}", detail=system_says(error.reason or error))
    if isinstance(error, OSError):
        phrase = _BY_ERRNO.get(error.errno or 0)
        if phrase is not None:
            return phrase
        return Text("the system refused it{detail}", detail=system_says(error.strerror or error))
    return Text("its content is not valid{detail}", detail=system_says(error))
