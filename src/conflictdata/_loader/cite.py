"""The citation of a release, from its own descriptor (contributors with the author role,
title, version, year created, licence, homepage): nothing it does not say, no invented author
or DOI. Every piece is shown on one line (controls escaped) and, in BibTeX, escaped."""

from __future__ import annotations

import re
from typing import Any

from .._util.text import visible

#: Longest piece of a citation taken from a descriptor (a hostile one could hold megabytes).
MAX_PIECE = 300

FORMATS = ("text", "bibtex")

_URL = re.compile(r"https?://[^\s{}\\\"<>]+")
_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "^": r"\^{}",
    "~": r"\~{}",
}


def _piece(value: object) -> str:
    """A descriptor value as one short printable line ('' when it is not text)."""
    if not isinstance(value, str):
        return ""
    text = " ".join(visible(value).split())
    return text if len(text) <= MAX_PIECE else text[: MAX_PIECE - 1] + "…"


def _authors(descriptor: dict[str, Any]) -> list[str]:
    """Contributors whose role (Data Package v1 ``role``, v2 ``roles``) is author."""
    found = []
    for c in descriptor.get("contributors") or ():
        if not isinstance(c, dict):
            continue
        roles = c.get("roles")
        roles = roles if isinstance(roles, list) else [c.get("role")]
        name = _piece(c.get("title"))
        if name and "author" in roles:
            found.append(name)
    return found


def _licence(descriptor: dict[str, Any]) -> str:
    for lic in descriptor.get("licenses") or ():
        if isinstance(lic, dict):
            name = _piece(lic.get("name")) or _piece(lic.get("title"))
            if name:
                return name
    return ""


def _year(descriptor: dict[str, Any]) -> str:
    created = descriptor.get("created")
    if isinstance(created, str) and re.fullmatch(r"\d{4}", created[:4]):
        return created[:4]
    return ""


def _homepage(descriptor: dict[str, Any]) -> str:
    home = descriptor.get("homepage")
    return home if isinstance(home, str) and _URL.fullmatch(home) else ""


def _joined(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " & " + names[-1]


def citation_text(descriptor: dict[str, Any]) -> str:
    """One line: ``Authors (year). Title, version V [data set]. Licence. Homepage``."""
    authors = _authors(descriptor)
    title = _piece(descriptor.get("title")) or _piece(descriptor.get("name"))
    version = _piece(descriptor.get("version"))
    year = _year(descriptor) or "n.d."
    head = (
        f"{_joined(authors)} ({year}). {title}" if authors else f"{title} ({year})"
    ) + f", version {version} [data set]."
    tail = [p + "." for p in (_licence(descriptor),) if p] + [_homepage(descriptor)]
    return " ".join([head, *tail]).strip()


def _bib(text: str) -> str:
    return "".join(_BIBTEX_SPECIAL.get(ch, ch) for ch in text)


def citation_bibtex(descriptor: dict[str, Any], descriptor_sha256: str | None = None) -> str:
    """A BibTeX ``@misc`` entry; each author braced whole, so a name is never re-parsed."""
    name = _piece(descriptor.get("name")) or "dataset"
    version = _piece(descriptor.get("version"))
    key = re.sub(r"[^A-Za-z0-9]+", "_", f"{name}_{version}").strip("_")
    note = [f"Data set, release {version}."]
    if _licence(descriptor):
        note.append(f"Licence: {_licence(descriptor)}.")
    if descriptor_sha256:
        note.append(f"SHA-256 of its datapackage.json: {descriptor_sha256}.")
    fields = [
        ("author", " and ".join("{" + _bib(a) + "}" for a in _authors(descriptor))),
        ("title", "{" + _bib(_piece(descriptor.get("title")) or name) + "}"),
        ("year", _year(descriptor)),
        ("version", _bib(version)),
        ("url", _homepage(descriptor)),
        ("note", _bib(" ".join(note))),
    ]
    body = "".join(f"  {k} = {{{v}}},\n" for k, v in fields if v)
    return f"@misc{{{key},\n{body}}}\n"


def _meta_of(frame: Any) -> dict[str, Any] | None:
    """The ``conflictdata`` metadata a loaded pandas frame or Arrow table carries, if any."""
    import json

    attrs = getattr(frame, "attrs", None)
    if isinstance(attrs, dict) and isinstance(attrs.get("conflictdata"), dict):
        return attrs["conflictdata"]
    schema = getattr(frame, "schema", None)
    stored = getattr(schema, "metadata", None)
    if isinstance(stored, dict) and b"conflictdata" in stored:
        try:
            meta = json.loads(stored[b"conflictdata"])
        except ValueError:
            return None
        return meta if isinstance(meta, dict) else None
    return None


def cite(
    what: Any = None,
    *,
    format: str = "text",
    source: Any = None,
    url: str | None = None,
) -> str:
    """The citation of a release, as one line of text or (``format="bibtex"``) a BibTeX entry.

    ``what``: a frame or Arrow table from this package's loaders (the release it came from,
    checked by its descriptor's SHA-256), a version (``"latest"`` too), or None for the
    release ``load()`` reads by default.
    """
    from pathlib import Path

    from ..errors import ConflictDataError
    from .releases import open_release

    if format not in FORMATS:
        raise ConflictDataError(
            f"format={format!r}: expected one of {', '.join(map(repr, FORMATS))}"
        )
    if what is None or isinstance(what, str):
        release = open_release(what, source=source, url=url)
    else:
        meta = _meta_of(what)
        if meta is None or not isinstance(meta.get("version"), str):
            raise ConflictDataError(
                f"this {type(what).__name__} carries no conflictdata metadata (attrs"
                "['conflictdata'] or Arrow schema metadata); pass the version it was loaded from"
            )
        folder = meta.get("release")
        here = isinstance(folder, str) and (Path(folder) / "datapackage.json").is_file()
        try:
            release = open_release(meta["version"], source=Path(str(folder)) if here else source)
        except ConflictDataError:
            if not here:
                raise
            release = open_release(meta["version"], source=source, url=url)
        if meta.get("descriptor_sha256") not in (None, release.descriptor_sha256()):
            raise ConflictDataError(
                f"release {meta['version']} here ({release.root}) is not the one the frame "
                f"came from: its descriptor's SHA-256 differs from {meta['descriptor_sha256']}"
            )
    descriptor = release.package.descriptor
    if format == "bibtex":
        return citation_bibtex(descriptor, release.descriptor_sha256())
    return citation_text(descriptor)
