"""One payload list through every output path: nothing a descriptor, schema, file name or cell
holds is ever printed or written so that a terminal, a CI runner or a markdown/HTML reader
acts on it.

Each output path is one entry of :data:`OUTPUTS` (a name, how to get its text, and what kind
of text it is); adding a path is one line there. Every output is checked line by line: no
ESC, C0/C1 control, bidi control, lone surrogate or NUL; no line that starts a GitHub
Actions workflow command (``::`` first, or ``##[``) unless it is one of our own annotations;
markdown renders no link, image, heading or HTML from the data; HTML has no element from it.
"""

from __future__ import annotations

import copy
import csv
import html.parser
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from support.cli import Ran, run_cli
from support.events import EVENTS_SCHEMA, SOURCES, event, write_events_package

from conflictdata._checks.findings import RULES

#: What an attacker writes into a descriptor, a file name or a cell.
PAYLOADS = [
    "x\n::error file=INJECTED,title=X::injected\n",
    "  ::warning::indented",
    "##[error]old syntax",
    "\x1b[31mred\x1b[0m\x1b]0;title\x07\x1b[2J",
    "\x9b31mC1 CSI",
    "\u202eevil\u202c \u2066isolate\u2069",
    "zero\u200bwidth\u2028line",
    "# heading",
    "[link](http://evil.example/)",
    "![image](http://evil.example/i.png)",
    "`tick` ``two``",
    "</code><img src=x onerror=alert(1)>",
    "</script><img src=x>",
    "a\x00b",
    "cr\rreturn",
]
#: A lone surrogate: JSON can spell it (``"\ud800"``), no UTF-8 writer can write it.
SURROGATE = "\ud800"

_RAW = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ud800-\udfff]"
)
_OWN_ANNOTATION = re.compile(
    r"::(error|warning) (file=[^,:]*,)?(line=\d+,)?(col=\d+,)?title=(?P<code>[EW]\d{3})::\S.*"
)


def inert_lines(text: str, *, annotations: bool = False) -> None:
    """No line of ``text`` that a terminal or CI runner would act on."""
    for line in text.split("\n"):
        raw = _RAW.search(line)
        assert raw is None, (hex(ord(raw.group())), line[:300])
        if line.lstrip().startswith("::"):
            own = _OWN_ANNOTATION.fullmatch(line)
            assert annotations and own and own["code"] in RULES, line[:300]
        assert "##[" not in line, line[:300]


class _Elements(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def inert_html(text: str) -> None:
    """No element of the page came from the data: no image, no link to the payloads' host,
    no second script opened by a payload."""
    p = _Elements()
    p.feed(text)
    for tag, attrs in p.tags:
        assert tag != "img", attrs
        assert "evil.example" not in (attrs.get("href") or "") + (attrs.get("src") or "")
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)


def inert_markdown(text: str) -> None:
    """The markdown renders no link, image, heading or raw HTML from the payloads."""
    from markdown_it import MarkdownIt

    inert_lines(text)
    md = MarkdownIt("commonmark").enable("table")
    stack = list(md.parse(text))
    while stack:
        tok = stack.pop()
        stack.extend(tok.children or [])
        assert tok.type not in ("html_inline", "html_block", "image"), tok
        if tok.type == "link_open":
            assert "evil.example" not in str(tok.attrs.get("href")), tok
        if tok.type == "inline" and tok.level and "heading" in tok.content:
            assert not tok.content.lstrip().startswith("heading"), tok
    rendered = md.render(text)
    assert "<img" not in rendered and "<h1>heading" not in rendered, rendered[:2000]


# -- the packages ---------------------------------------------------------------------------

#: A field name of the schema: no control characters (the schema model refuses those), but
#: markdown, HTML, a workflow command and path characters.
FIELD = "n`</code><img src=x>`ote ::error x::y #h [l](http://evil.example/) ../b"
#: A file name: what a file system allows of the payloads.
FILE = "::error title=X::ev #h [l](evil.example) \u202egnp.csv"


def _events_schema(extra_enum: list[str]) -> dict:
    ev = copy.deepcopy(EVENTS_SCHEMA)
    fields = {f["name"]: f for f in ev["fields"]}
    fields["event_type"]["constraints"]["enum"] += extra_enum
    fields["event_type"]["enumDescriptions"] = {p: p for p in extra_enum}
    fields["date_start"]["description"] = "".join(PAYLOADS)
    fields["fatalities"]["name"] = FIELD
    fields["source_id"]["title"] = "".join(PAYLOADS)
    ev["description"] = "".join(PAYLOADS)
    return ev


def _package(root: Path, version: str, *, extra_enum: list[str], titles: list[str]) -> Path:
    sources = [dict(s) for s in SOURCES]
    sources[1]["title"] = "".join(titles)
    events = [
        event("EV-0001", event_type=extra_enum[0], source_id="SRC-002"),
        event("EV-0002", event_type=extra_enum[-1]),
    ]
    schema = _events_schema(extra_enum)
    desc = write_events_package(root, version=version, events_schema=schema)
    for name, rows in (("sources", sources), ("events", events)):
        names = [f["name"] for f in (schema["fields"] if name == "events" else [])] or list(rows[0])
        cells = [
            [r.get(n, "") if n != FIELD else r.get("fatalities", "") for n in names] for r in rows
        ]
        _write_rows(root / "seeds" / f"{name}.csv", [names, *cells])
    doc = json.loads(desc.read_text(encoding="utf-8"))
    doc["description"] = "".join(PAYLOADS)
    for r in doc["resources"]:
        if r["name"] == "events":
            (root / r["path"]).rename(root / "seeds" / FILE)
            r["path"] = f"seeds/{FILE}"
            r["title"] = "".join(PAYLOADS)
    desc.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return desc


def _write_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows(rows)


def _run(*args: str, cwd: Path | None = None) -> Ran:
    out = run_cli(*args, cwd=cwd)  # its streams encode UTF-8 strictly, as a UTF-8 pipe does
    assert "Traceback" not in out.stderr, out.stderr[-3000:]
    return out


@dataclass
class Corpus:
    """The hostile packages, and the releases built from them."""

    valid: Path  #: a clean package (warnings only) whose every string carries a payload
    invalid: Path  #: the same with a cell off its enum and a header label that is a payload
    releases: Path  #: 1.0.0 and 2.0.0 built from ``valid`` (2.0.0 adds payload enum values)
    build_output: str


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Corpus:
    base = tmp_path_factory.mktemp("hostile-output")
    v1 = _package(base / "v1", "1.0.0", extra_enum=PAYLOADS[:3], titles=PAYLOADS)
    v2 = _package(base / "v2", "2.0.0", extra_enum=PAYLOADS, titles=PAYLOADS[::-1])
    bad = _package(base / "bad", "1.0.0", extra_enum=PAYLOADS, titles=PAYLOADS)
    path = bad.parent / "seeds" / FILE
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    rows[0][2] = "label\x1b[2J" + PAYLOADS[0]
    rows[1][2] = "off-enum " + "".join(PAYLOADS)
    _write_rows(path, rows)
    releases = base / "releases"
    built = _run("build", str(v1), "--out", str(releases))
    assert built.returncode == 0, built.stderr
    built2 = _run("build", str(v2), "--out", str(releases))
    assert built2.returncode == 0, built2.stderr
    return Corpus(v1, bad, releases, built.stdout + built.stderr + built2.stdout + built2.stderr)


def _validate(fmt: str) -> Callable[[Corpus], str]:
    def get(c: Corpus) -> str:
        proc = _run("validate", str(c.invalid), "--format", fmt)
        assert proc.returncode == 1 and proc.stderr == "", proc.stderr
        return proc.stdout

    return get


def _diff(fmt: str) -> Callable[[Corpus], str]:
    def get(c: Corpus) -> str:
        proc = _run("diff", "1.0.0", "2.0.0", "--out", str(c.releases), "--format", fmt)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout + proc.stderr

    return get


def _file(name: str) -> Callable[[Corpus], str]:
    return lambda c: (c.releases / "2.0.0" / name).read_text(encoding="utf-8")


def _report(c: Corpus) -> str:
    pytest.importorskip("altair")
    out = c.releases / "report.html"
    proc = _run("report", "2.0.0", "--source", str(c.releases), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    inert_lines(proc.stdout + proc.stderr)
    return out.read_text(encoding="utf-8")


#: name -> (how to get the output, how to check it)
OUTPUTS: dict[str, tuple[Callable[[Corpus], str], Callable[[str], None]]] = {
    "validate text": (_validate("text"), inert_lines),
    "validate github": (_validate("github"), lambda t: inert_lines(t, annotations=True)),
    "validate json": (_validate("json"), inert_lines),
    "build output": (lambda c: c.build_output, inert_lines),
    "croissant.json": (_file("croissant.json"), inert_lines),
    "datapackage.json": (_file("datapackage.json"), inert_lines),
    "diff json": (_diff("json"), inert_lines),
    "diff markdown": (_diff("markdown"), inert_markdown),
    "CHANGELOG.md": (_file("CHANGELOG.md"), inert_markdown),
    "report page": (_report, inert_html),
}


@pytest.mark.parametrize("name", list(OUTPUTS))
def test_no_output_path_acts_on_a_payload(corpus: Corpus, name: str) -> None:
    get, check = OUTPUTS[name]
    text = get(corpus)
    assert text.strip()
    check(text)


def test_the_payloads_reach_the_validator_output(corpus: Corpus) -> None:
    """The check above is not vacuous: the findings name the payloads, escaped."""
    out = _validate("text")(corpus)
    assert "\\x1b[31mred" in out and "\\u202eevil" in out and "x\\n::error" in out
    assert "E113" in out and "E204" in out
    github = _validate("github")(corpus)
    assert sum(line.startswith("::") for line in github.split("\n")) >= 2


# -- refusals on stderr -----------------------------------------------------------------------


def _refusal(tmp_path: Path, edit: Callable[[dict, dict], None]) -> str:
    desc = _package(tmp_path, "1.0.0", extra_enum=PAYLOADS[:1], titles=PAYLOADS)
    doc = json.loads(desc.read_text(encoding="utf-8"))
    schema_path = tmp_path / "schemas" / "events.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    edit(doc, schema)
    desc.write_text(json.dumps(doc), encoding="utf-8")
    schema_path.write_text(json.dumps(schema).replace('"<1e400>"', "1e400"), encoding="utf-8")
    proc = _run("validate", str(desc))
    if proc.returncode == 1:  # a metadata error frictionless reports too: a located finding
        assert proc.stderr == "" and " E00" in proc.stdout, proc.stdout[-2000:]
        return proc.stdout
    assert proc.returncode == 2 and proc.stdout == "", (proc.returncode, proc.stdout[-2000:])
    assert len(proc.stderr.strip().split("\n")) == 1, proc.stderr
    return proc.stderr


def _events(doc: dict) -> dict:
    return next(r for r in doc["resources"] if r["name"] == "events")


REFUSALS: dict[str, Callable[[dict, dict], None]] = {
    # an unknown dialect key is accepted, as frictionless does: the payload goes in a value
    "dialect value": lambda d, s: _events(d).update(dialect={"delimiter": PAYLOADS[0]}),
    "field type": lambda d, s: s["fields"][0].update(type=PAYLOADS[0] + PAYLOADS[3]),
    "resource name": lambda d, s: _events(d).update(name=PAYLOADS[0]),
    "encoding": lambda d, s: _events(d).update(encoding=PAYLOADS[5]),
    "lone surrogate": lambda d, s: s["fields"][1].update(description=SURROGATE + PAYLOADS[0]),
    "non-finite bound": lambda d, s: s["fields"][4].update(constraints={"maximum": "<1e400>"}),
}


@pytest.mark.parametrize("name", list(REFUSALS))
def test_refusals_are_one_inert_line(tmp_path: Path, name: str) -> None:
    """Each hostile descriptor value gets a one-line refusal (exit 2) or, where frictionless
    reports it as a metadata error, a descriptor finding (exit 1): both inert."""
    inert_lines(_refusal(tmp_path, REFUSALS[name]))


def test_the_lone_surrogate_is_named_where_it_is(tmp_path: Path) -> None:
    line = _refusal(tmp_path, REFUSALS["lone surrogate"])
    assert "lone surrogate" in line and "events" in line and "\\ud800" in line


def test_a_number_too_large_for_a_float_is_refused_at_the_parse(tmp_path: Path) -> None:
    """``1e400`` would be read as infinity and written into the release as ``Infinity``."""
    line = _refusal(tmp_path, REFUSALS["non-finite bound"])
    assert "'1e400' is not finite" in line and "events" in line


# -- lone surrogates ---------------------------------------------------------------------------


def test_a_lone_surrogate_in_a_finding_prints_in_every_format() -> None:
    """An enum item "\\ud800" crashed the text output: every format shows it as an escape."""
    from conflictdata._checks.findings import make_finding
    from conflictdata.tools import Report

    f = make_finding(
        "E204",
        table="t",
        path=f"t{SURROGATE}.csv",
        line=2,
        column=1,
        message=f"value 'x' is not one of: {SURROGATE}, a{SURROGATE}",
        value=SURROGATE,
    )
    report = Report([f])
    for text in (report.format_text(), report.format_github(), report.format_json()):
        text.encode("utf-8")  # strict: no lone surrogate left
        inert_lines(text, annotations=True)
        assert "\\ud800" in text
    assert json.loads(report.format_json())["findings"][0]["value"] == SURROGATE  # exact


def test_the_build_refuses_a_lone_surrogate_in_one_line(tmp_path: Path) -> None:
    """A description "\\ud800" passed validate and crashed the build (Parquet metadata)."""
    desc = _package(tmp_path, "1.0.0", extra_enum=PAYLOADS[:1], titles=PAYLOADS)
    schema_path = tmp_path / "schemas" / "events.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["fields"][1]["description"] = SURROGATE
    schema_path.write_text(json.dumps(schema), encoding="utf-8")
    proc = _run("build", str(desc), "--out", str(tmp_path / "releases"))
    assert proc.returncode == 2 and not (tmp_path / "releases" / "1.0.0").exists()
    (line,) = proc.stderr.strip().split("\n")
    assert "lone surrogate" in line
    inert_lines(proc.stdout + proc.stderr)


def test_validate_frames_reports_a_lone_surrogate_cell(curated_build: Path) -> None:
    """A cell "\\ud800" crashed validate_frames: it is E202 (not text), the rest checked."""
    import conflictdata as cd

    events = cd.load("events")
    for col in ("notes", "event_id"):
        events[col] = events[col].astype(object)
    events.loc[0, "notes"] = f"a{SURROGATE}b"
    report = cd.tools.validate_frames({"events": events})
    bad = [(f.code, f.field) for f in report.findings if "surrogate" in f.message]
    assert bad == [("E202", "notes")]
    inert_lines(report.format_text())
