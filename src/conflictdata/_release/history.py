"""The hash chain of releases: each descriptor names the SHA-256 of the one before."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import (
    HistoryError,
)

if TYPE_CHECKING:  # pragma: no cover
    pass
from .layout import DESCRIPTOR_NAME, check_version, is_valid_version, sort_versions, version_key
from .read import read_release_descriptor
from .verify import sha256_file

# --------------------------------------------------------------------------- the chain

#: Key of the release descriptor that chains it to the release before it:
#: ``{"version": ..., "sha256": <SHA-256 of that release's datapackage.json>}``.
PREVIOUS_KEY = "previous"

_HEX64 = re.compile(r"[0-9a-f]{64}")

#: Longest chain walked back when checking a server's history.
MAX_CHAIN = 10_000


def previous_link(folder: Path | None) -> dict[str, str] | None:
    """The ``previous`` entry for a release built after release folder ``folder`` (None:
    the first release)."""
    if folder is None:
        return None
    version = check_version(read_release_descriptor(folder).get("version"), f"{folder}: version")
    return {"version": version, "sha256": sha256_file(folder / DESCRIPTOR_NAME)}


def link_of(descriptor: Any) -> tuple[str, str] | None:
    """(version, SHA-256) of the release a descriptor names as its previous one, None when it
    names none; a malformed link is a ``ValueError``."""
    link = descriptor.get(PREVIOUS_KEY) if isinstance(descriptor, dict) else None
    if link is None:
        return None
    if (
        not isinstance(link, dict)
        or not is_valid_version(link.get("version"))
        or not (isinstance(link.get("sha256"), str) and _HEX64.fullmatch(link["sha256"]))
    ):
        raise ValueError(f"'{PREVIOUS_KEY}' must be {{version, sha256 (64 lowercase hex)}}")
    return link["version"], link["sha256"]


def verify_history(
    version: str,
    descriptor: dict[str, Any],
    sha256: str,
    trusted: dict[str, str],
    listed: set[str],
    fetch: Any,
    where: str,
) -> None:
    """Check that release ``version`` (its parsed ``descriptor``, whose bytes hash to
    ``sha256``) continues the history this installation trusts.

    ``trusted``: version -> descriptor SHA-256 of the releases already here (bundled, cached);
    ``listed``: the versions the server's index lists; ``fetch(version)``: the server's
    (descriptor dict, SHA-256) of a listed release. The ``previous`` links are followed back
    until a trusted release; every link must name the bytes the server serves, the trusted
    release met must be the one here, and no trusted release older than ``version`` may be
    skipped. Raises :class:`HistoryError`; with nothing trusted there is nothing to check.
    """
    if not trusted:
        return
    if version in trusted:
        if trusted[version] != sha256:
            raise HistoryError(
                f"{where} serves release {version} with a descriptor of SHA-256 {sha256}, but "
                f"the one this installation has is {trusted[version]}: the server's history "
                "was rewritten; refusing it"
            )
        return
    seen = {version}
    current, shown = descriptor, version
    for _ in range(MAX_CHAIN):
        try:
            link = link_of(current)
        except ValueError as exc:
            raise HistoryError(f"{where}: release {shown}: {exc}; refusing it") from None
        if link is None:
            break
        prev, expected = link
        if prev in seen or version_key(prev) >= version_key(shown):
            raise HistoryError(
                f"{where}: release {shown} names {prev} as its previous "
                "release: not an older release; refusing it"
            )
        seen.add(prev)
        if prev not in listed:
            raise HistoryError(
                f"{where} no longer lists release {prev}, which release {shown} follows: a "
                "past release was removed from the server's history; refusing it"
            )
        if prev in trusted:
            if trusted[prev] != expected:
                raise HistoryError(
                    f"{where}: release {shown} follows a release {prev} whose descriptor has "
                    f"SHA-256 {expected}, but the {prev} this installation has is "
                    f"{trusted[prev]}: the server's history was rewritten; refusing it"
                )
            return
        current, got = fetch(prev)
        if got != expected:
            raise HistoryError(
                f"{where} serves release {prev} with a descriptor of SHA-256 {got}, but release "
                f"{shown} names {expected}: a past release was changed; refusing it"
            )
        shown = prev
    older = [v for v in sort_versions(trusted) if version_key(v) < version_key(version)]
    if older:
        raise HistoryError(
            f"{where}: the history of release {version} does not contain release "
            f"{older[-1]}, which this installation has: a past release was removed or "
            "replaced; refusing it"
        )
