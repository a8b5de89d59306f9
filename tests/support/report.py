"""Fixtures of the report tests: the curated release built once, a second release that changes
it (so it has a changelog, a link, a long title and a retracted row), and hostile variants."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from pathlib import Path

import pytest

from support.paths import REPO

ROOT = REPO

#: Text that must never run or be read as markup wherever the report shows it.
PAYLOAD = '</script><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">&amp;'


def build_copy(
    tmp: Path, edit=None, *, out: Path | None = None, validate: bool | None = None
) -> Path:
    """Build the repository's package (optionally edited) into ``tmp`` (or ``out``); return the
    release folder."""
    from conflictdata.tools import build_release

    pkg = tmp / "package"
    shutil.rmtree(pkg, ignore_errors=True)
    shutil.copytree(ROOT / "schemas", pkg / "schemas")
    shutil.copytree(ROOT / "seeds", pkg / "seeds")
    shutil.copy(ROOT / "datapackage.json", pkg / "datapackage.json")
    if edit is not None:
        edit(pkg)
    return Path(
        build_release(
            pkg / "datapackage.json",
            out or tmp / "releases",
            validate=(edit is None) if validate is None else validate,
            progress=False,
        ).path
    )


def edit_events(pkg: Path, change) -> None:
    """Rewrite seeds/events.csv through ``change(rows) -> rows`` (dicts by field)."""
    path = pkg / "seeds" / "events.csv"
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    fields = list(rows[0])
    rows = change(rows)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def bump_version(pkg: Path, version: str) -> None:
    path = pkg / "datapackage.json"
    desc = json.loads(path.read_text(encoding="utf-8"))
    desc["version"] = version
    path.write_text(json.dumps(desc, indent=2, ensure_ascii=False), encoding="utf-8")


LONG_TITLE = (
    "A new event added in 0.2.0, answering the retaliation, whose title is long enough to wrap "
    "onto a second line of the label column"
)


def _evolve(rows: list[dict]) -> list[dict]:
    for r in rows:
        if r["event_id"] == "evt-0003":
            r["title"] = "First wave of Iranian missiles (retitled)"
        if r["event_id"] == "evt-0010":
            r["record_status"] = "retracted"
            r["notes"] = "Retracted in a test release."
    new = dict(rows[1])
    new.update(
        event_id="evt-0011",
        in_response_to_event_id="evt-0002",
        parent_event_id="",
        sequence_number="",
        title=LONG_TITLE,
        date_start="2025-06-14",
        date_end="2025-06-14",
        date_precision="day",
        date_text="",
    )
    return [*rows, new]


def rewrite_file(release: Path, name: str, data: bytes) -> None:
    """Replace a release file and its SHA256SUMS line: a release built that way, not a tampered one."""
    (release / name).write_bytes(data)
    sums = release / "SHA256SUMS"
    lines = []
    for line in sums.read_text(encoding="utf-8").splitlines():
        digest, _, listed = line.partition("  ")
        if listed == name:
            digest = hashlib.sha256(data).hexdigest()
        lines.append(f"{digest}  {listed}")
    sums.write_text("\n".join(lines) + "\n", encoding="utf-8")


#: Releases built once per test session, by kind (the modules' fixtures share them).
_BUILT: dict[str, Path] = {}


def _once(kind: str, factory: pytest.TempPathFactory, make) -> Path:
    pytest.importorskip("altair")
    pytest.importorskip("vl_convert")
    if kind not in _BUILT or not _BUILT[kind].is_dir():
        _BUILT[kind] = make(factory.mktemp(kind))
    return _BUILT[kind]


def curated_release(factory: pytest.TempPathFactory) -> Path:
    """The curated seeds built as they are."""
    return _once("curated", factory, build_copy)


def evolved_release(factory: pytest.TempPathFactory) -> Path:
    """Release 0.2.0 after the curated 0.1.0 in one output folder: evt-0003 retitled, evt-0010
    retracted, evt-0011 added (a long title, in response to evt-0002)."""

    def make(tmp: Path) -> Path:
        out = tmp / "releases"
        build_copy(tmp, out=out)

        def edit(pkg: Path) -> None:
            bump_version(pkg, "0.2.0")
            edit_events(pkg, _evolve)

        return build_copy(tmp, edit, out=out, validate=True)

    return _once("evolved", factory, make)


def hostile_release(factory: pytest.TempPathFactory) -> Path:
    """The curated release with PAYLOAD (and control characters) in an event title, the actor
    role enum and the changelog; the changelog rewritten as its release would carry it."""

    def make(tmp: Path) -> Path:
        def edit(pkg: Path) -> None:
            def change(rows: list[dict]) -> list[dict]:
                for r in rows:
                    if r["event_id"] == "evt-0008":  # undated: listed apart too
                        r["title"] = PAYLOAD + " \x1b[31mred\u202eevil"
                return rows

            edit_events(pkg, change)
            schema = pkg / "schemas" / "event_actors.json"
            doc = json.loads(schema.read_text(encoding="utf-8"))
            for f in doc["fields"]:
                if f["name"] == "role":
                    f["constraints"]["enum"].append(PAYLOAD)
            schema.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")

        release = build_copy(tmp, edit)
        changelog = (
            "# Hostile\n\n" + PAYLOAD + "\n\n- [a link](javascript:window.__pwned=3)\n"
            "- ![an image](http://127.0.0.1:9/x.png)\n- <b>raw html</b> \x1b[2J \u202etxt\n"
            "  - `` nested `code` ``\n"
        )
        rewrite_file(release, "CHANGELOG.md", changelog.encode("utf-8"))
        return release

    return _once("hostile", factory, make)
