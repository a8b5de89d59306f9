"""Assemble the report page: its sections, the charts compiled to Vega, Vega inlined, and a
Content-Security-Policy that lets only the page's own two scripts run.

The page fetches nothing, and runs no script but its own: the CSP names the inlined Vega bundle
and the page script by their SHA-256 (no ``'unsafe-inline'``, no ``'unsafe-eval'``); Vega runs
with its CSP-safe expression interpreter. The CSS and the page script are package data
(``static/``), read with importlib.resources and inlined. All release text is escaped
(:mod:`.text`); JSON in script elements has ``<``, ``>`` and ``&`` escaped, so a cell cannot
close an element or start markup.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..._util.fs import atomic_file
from ..._util.usercache import cache_dir
from . import sections as sec
from .options import SIZE_BUDGET, require
from .text import e

if TYPE_CHECKING:  # pragma: no cover
    from .source import Changelog, ReleaseFiles
    from .tables import Table

__all__ = ["CHANGELOG_LIMIT", "csp", "render_page", "script_json", "static_text", "vega_bundle"]

#: Largest part of CHANGELOG.md shown; a longer one is cut, and the page says so.
CHANGELOG_LIMIT = 256 * 1024


@functools.lru_cache(maxsize=4)
def static_text(name: str) -> str:
    """A file of the report's package data (``static/<name>``)."""
    return (resources.files(__package__) / "static" / name).read_text(encoding="utf-8")


def script_hash(text: str) -> str:
    """The CSP source expression of an inline script with exactly this text."""
    return (
        "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"
    )


def csp(scripts: list[str]) -> str:
    """The page's Content-Security-Policy: nothing fetched, only these inline scripts run."""
    return (
        "default-src 'none'; "
        f"script-src {' '.join(script_hash(s) for s in scripts)}; "
        "style-src 'unsafe-inline'; img-src data:; font-src 'none'; connect-src 'none'; "
        "object-src 'none'; form-action 'none'; base-uri 'none'"
    )


def script_json(value: Any) -> str:
    """JSON that is safe inside a ``<script>`` element: no ``<``, ``>``, ``&`` or line separators."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for a, b in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(a, b)
    return text


@functools.lru_cache(maxsize=1)
def vega_bundle() -> str:
    """Vega and vega-embed as one script, from vl-convert (offline; the same text every call)."""
    vlc = require("vl_convert")
    js = _cached_bundle(vlc)
    return js.replace("</script", "<\\/script").replace("<!--", "<\\!--")


#: a cached bundle larger than this is not one (vl-convert's is under 1 MiB)
_BUNDLE_LIMIT = 16 * 2**20


def _bundle_file(vlc: Any) -> Path:
    """Where the per-user cache keeps the bundle of this vl-convert (one file per version)."""
    tag = f"{getattr(vlc, '__version__', 'unknown')}-vega-{vlc.get_vega_version()}"
    return cache_dir() / "report" / f"vega-bundle-{re.sub(r'[^0-9A-Za-z.+-]', '_', tag)}.js"


def _cached_bundle(vlc: Any) -> str:
    """vl-convert's bundle, which takes it seconds to make, so it is kept in the per-user
    cache: the file's first line is the SHA-256 of the rest, and a file that does not match
    (cut short, changed) is made again. The cache is an aid: where it cannot be read or
    written the bundle is made each time."""
    path = _bundle_file(vlc)
    try:
        with open(path, "rb") as fh:
            raw = fh.read(_BUNDLE_LIMIT + 1)
        digest, _, body = raw.partition(b"\n")
        if len(raw) <= _BUNDLE_LIMIT and hashlib.sha256(body).hexdigest().encode() == digest:
            return body.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        pass
    js: str = vlc.javascript_bundle()
    body = js.encode("utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_file(path) as fh:
            fh.write(hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
    except OSError:
        pass
    return js


@functools.lru_cache(maxsize=1)
def _vl_version() -> str | None:
    vlc = require("vl_convert")
    from .charts import VL_SCHEMA

    wanted = VL_SCHEMA.rsplit("/v", 1)[1].removesuffix(".json")
    found = [v for v in vlc.get_vegalite_versions() if v.split(".")[0] == wanted.split(".")[0]]
    return found[-1] if found else None


def to_vega(spec: dict[str, Any]) -> dict[str, Any]:
    """A Vega-Lite spec of `charts` compiled to Vega (the page needs no Vega-Lite compiler)."""
    vlc = require("vl_convert")
    body = {k: v for k, v in spec.items() if k != "$schema"}
    return vlc.vegalite_to_vega(body, vl_version=_vl_version())


def _footer(ctx: sec.Context, version: str, created: str, asked_budget: int | None) -> str:
    vlc = require("vl_convert")
    text = (
        f"<p>Generated by conflictdata from release {e(version)} (created {e(created)}); "
        f"Vega {e(vlc.get_vega_version())} inlined: this page fetches nothing. "
        f"Row budget {ctx.row_budget:,} rows per table; size budget {SIZE_BUDGET / 2**20:.0f} MiB.</p>"
    )
    notes = list(ctx.notes)
    if asked_budget is not None and asked_budget != ctx.row_budget:
        notes.append(
            f"The row budget was lowered from {asked_budget:,} to {ctx.row_budget:,} rows to keep the "
            f"page within its size budget of {SIZE_BUDGET / 2**20:.0f} MiB."
        )
    if ctx.changelog.problem and ctx.changelog.text is None:
        notes.append(ctx.changelog.problem)
    if notes:
        text += "<ul>" + "".join(f"<li>{e(n)}</li>" for n in notes) + "</ul>"
    return text


def render_page(
    files: ReleaseFiles,
    tables: dict[str, Table],
    names: dict[str, str],
    changelog: Changelog,
    *,
    row_budget: int,
    asked_budget: int | None = None,
) -> str:
    """The whole page of a release's verified files, read into ``tables``."""
    ctx = sec.Context(
        tables=tables,
        row_budget=row_budget,
        names=names,
        changelog=changelog,
        changelog_limit=CHANGELOG_LIMIT,
        to_vega=to_vega,
    )
    sections = [s for s in (f(ctx) for f in sec.SECTIONS) if s is not None]
    descriptor = files.descriptor
    version = str(files.package.version)
    title = descriptor.get("title") or files.package.name or "conflictdata"
    created = str(descriptor.get("created", ""))
    lic = ", ".join(
        str(x.get("name") or x.get("title") or "")
        for x in descriptor.get("licenses", [])
        if isinstance(x, dict)
    )
    app = static_text("report.js")
    bundle = vega_bundle()
    body = "".join(
        f'<section id="{s.anchor}"><h2>{e(s.title)}</h2>{s.body}</section>' for s in sections
    )
    return "".join(
        [
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{csp([bundle, app])}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{e(title)} {e(version)}: report</title>",
            f"<style>{static_text('report.css')}</style></head><body>",
            f'<header><h1>{e(title)} <span class="id">{e(version)}</span></h1>',
            f'<p class="meta">Release created {e(created)}; licence {e(lic)}. '
            f"{e(descriptor.get('description', ''))}</p>",
            "<nav>"
            + "".join(f'<a href="#{s.anchor}">{e(s.title)}</a>' for s in sections)
            + "</nav>",
            "</header><main>",
            body,
            '<div id="cd-detail" hidden><button id="cd-detail-close" type="button">close</button>'
            '<strong>Row details</strong><div id="cd-detail-body"></div></div>',
            "</main>",
            f"<footer>{_footer(ctx, version, created, asked_budget)}</footer>",
            '<div id="cd-tip" hidden></div>',
            f'<script type="application/json" id="cd-specs">{script_json(ctx.specs)}</script>',
            f'<script type="application/json" id="cd-rows">{script_json(ctx.details)}</script>',
            f"<script>{bundle}</script>",
            f"<script>{app}</script>",
            "</body></html>\n",
        ]
    )
