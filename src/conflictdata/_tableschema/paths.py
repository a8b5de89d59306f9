"""Paths a descriptor names, confined to the package folder."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DescriptorError

if TYPE_CHECKING:  # pragma: no cover
    pass
from .._util.text import CONTROL, kind, short_repr


def confined_path(root: Path, rel: Any, what: str) -> Path:
    """``root / rel`` for a relative, normalised POSIX path that stays inside ``root`` once
    symbolic links are resolved; anything else is a DescriptorError showing the path."""
    shown = short_repr(rel, 200)
    if not isinstance(rel, str) or not rel:
        raise DescriptorError(
            f"{what}: the path must be a non-empty string, not {kind(rel)} {shown}"
        )
    if len(rel) > 1024 or CONTROL.search(rel):
        raise DescriptorError(f"{what}: path {shown} is too long or holds control characters")
    if "://" in rel:
        raise DescriptorError(
            f"{what}: path {shown} is a URL; only files inside the package folder are supported"
        )
    if rel.startswith("/") or "\\" in rel or re.match(r"[A-Za-z]:", rel):
        raise DescriptorError(
            f"{what}: path {shown} is absolute or uses backslashes; paths "
            "are relative to the package folder, with '/'"
        )
    parts = rel.split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise DescriptorError(
            f"{what}: path {shown} is not normalised (no '.', '..' or empty parts)"
        )
    try:
        base = root.resolve()
        target = (root / rel).resolve()
    except (OSError, RuntimeError, ValueError):
        raise DescriptorError(
            f"{what}: path {shown} cannot be resolved (a symbolic link loop?)"
        ) from None
    if target != base and base not in target.parents:
        raise DescriptorError(
            f"{what}: path {shown} leads outside the package folder (through a symbolic link)"
        )
    return root / rel
