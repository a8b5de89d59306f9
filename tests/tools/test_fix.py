"""`conflictdata fix`: the seeds rewritten to the canonical form the validator's hints name
(UTF-8 without BOM, LF, NFC, trimmed, canonical quoting, a final newline) and nothing else:
no value changes meaning, no row is dropped or moved, fixing twice is fixing once."""

from __future__ import annotations

import csv
import io
import json
import shutil
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.paths import FIXTURES
from support.profiles import examples

from conflictdata._tools.fix import fix_package, fix_text
from conflictdata.cli import main
from conflictdata.tools import read_package, validate

#: The codes `fix` claims to repair: none of them may be left after it.
REPAIRED = {"E103", "E104", "E116", "E126", "W501", "W502", "W507"}
#: Structural codes after which `fix` leaves a file alone.
STRUCTURAL = {"E106", "E107", "E108", "E109", "E115", "E124"}
EV = "seeds/events.csv"


@pytest.fixture
def repo(tmp_path: Path, root: Path) -> Path:
    """A copy of this repository's data package, as a contributor's checkout holds it."""
    dest = tmp_path / "repo"
    dest.mkdir()
    shutil.copy(root / "datapackage.json", dest)
    shutil.copytree(root / "schemas", dest / "schemas")
    shutil.copytree(root / "seeds", dest / "seeds")
    return dest


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _codes(descriptor: Path) -> set[str]:
    return {f.code for f in validate(descriptor).findings}


def test_the_curated_seeds_are_canonical(root: Path) -> None:
    results = fix_package(root / "datapackage.json", write=False)
    assert [r.path for r in results if r.changed or r.blocked] == []


def test_excel_csv_utf8_bom_and_crlf(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Excel's "CSV UTF-8": a byte order mark and CRLF line ends; validate names fix."""
    seed = repo / EV
    original = seed.read_bytes()
    seed.write_bytes(b"\xef\xbb\xbf" + original.replace(b"\n", b"\r\n"))
    report = validate(repo / "datapackage.json")
    hinted = {f.code: f.hint for f in report.findings}
    assert set(hinted) == {"E103", "W507"}
    assert all("conflictdata fix" in h for h in hinted.values())

    code, out, _ = _run(capsys, "fix", str(repo / "datapackage.json"))
    assert code == 0
    assert f"{EV}: fixed" in out
    assert "removed the byte order mark" in out and "CRLF -> LF (11 lines)" in out
    assert out.splitlines()[-1] == "fixed 1 file, 7 files already canonical"
    assert seed.read_bytes() == original
    assert validate(repo / "datapackage.json").findings == []
    assert not [p for p in seed.parent.iterdir() if p.name.startswith(".tmp-")]


def test_excel_comma_delimited_cp1252(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Excel's "CSV (Comma delimited)" writes cp1252: one E104 per line with a non-ASCII
    character; fix transcodes it and names the lines it changed."""
    seed = repo / "seeds/statements.csv"
    text = seed.read_text("utf-8")
    seed.write_bytes(text.encode("cp1252"))
    before = validate(repo / "datapackage.json")
    e104 = [f.line for f in before.findings if f.code == "E104"]
    assert e104 and all("conflictdata fix" in f.hint for f in before.findings)

    code, out, _ = _run(capsys, "fix", str(repo / "datapackage.json"))
    assert code == 0
    lines = ", ".join(map(str, e104))
    assert "transcoded from cp1252" in out and f"lines {lines} changed" in out
    assert seed.read_text("utf-8") == text  # every ’ and – back as they were typed
    assert validate(repo / "datapackage.json").findings == []


def test_an_encoding_that_is_not_cp1252_is_named(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Old Mac Excel's "CSV (Macintosh)": Mac Roman, where Å is byte 0x81, which cp1252 does
    not have; fix says so, and reads it as --encoding names it."""
    seed = repo / "seeds/actors.csv"
    text = seed.read_text("utf-8").replace("USA TODAY,", "USA TODAY \u00c5,")
    seed.write_bytes(text.encode("mac_roman"))
    code, out, _ = _run(capsys, "fix", str(repo / "datapackage.json"))
    assert code == 1
    assert "seeds/actors.csv: not rewritten: it is not UTF-8, and not cp1252 either" in out
    assert "(byte 0x81 on line 14): name its encoding with --encoding" in out
    assert seed.read_bytes() == text.encode("mac_roman")

    code, out, _ = _run(capsys, "fix", str(repo / "datapackage.json"), "--encoding", "mac_roman")
    changed = [i for i, line in enumerate(text.split("\n"), 1) if not line.isascii()]
    assert code == 0
    assert (
        f"transcoded from mac_roman to UTF-8: lines {', '.join(map(str, changed))} changed" in out
    )
    assert "characters now: \u00c5 \u2019" in out
    assert seed.read_text("utf-8") == text

    code, _, err = _run(capsys, "fix", str(repo / "datapackage.json"), "--encoding", "klingon")
    assert code == 2 and err.count("\n") == 1 and "klingon" in err


def test_nfc_whitespace_quoting_and_final_newline(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = repo / EV
    original = seed.read_text("utf-8")
    lines = original.split("\n")
    cells = next(csv.reader([lines[2]]))
    cells[6] = "  " + cells[6] + "\t"  # title
    cells[11] = unicodedata.normalize("NFD", "Isra\u00e9l")  # location_text
    lines[2] = ",".join(f'"{c}"' for c in cells)  # every cell quoted, as some tools write
    seed.write_text("\n".join(lines).rstrip("\n"), "utf-8")
    codes = _codes(repo / "datapackage.json")
    assert {"W501", "W502"} <= codes

    code, out, _ = _run(capsys, "fix", "--check", str(repo / "datapackage.json"))
    assert code == 1 and f"{EV}: would fix" in out
    assert seed.read_text("utf-8") != original  # --check writes nothing
    code, out, _ = _run(capsys, "fix", str(repo / "datapackage.json"))
    assert code == 0
    assert "Unicode NFC: 1 cell on line 3" in out
    assert "surrounding whitespace trimmed: 1 cell on line 3" in out
    assert "quoting made canonical (quotes only where a cell needs them): line 3" in out
    assert "added the final newline" in out
    fixed = seed.read_text("utf-8")
    assert fixed == original.replace(
        next(csv.reader([original.split("\n")[2]]))[11], "Isra\u00e9l", 1
    ) or fixed.split("\n")[2].count('"') < lines[2].count('"')
    assert _codes(repo / "datapackage.json") == set()
    code, out, _ = _run(capsys, "fix", "--check", str(repo / "datapackage.json"))
    assert code == 0 and out == "nothing to fix: 8 files already canonical\n"


def test_diff_shows_what_would_change_and_writes_nothing(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = repo / "seeds/sources.csv"
    original = seed.read_bytes()
    seed.write_bytes(b"\xef\xbb\xbf" + original.replace(b"\n", b"\r\n"))
    code, out, _ = _run(capsys, "fix", "--diff", str(repo / "datapackage.json"))
    assert code == 1
    assert "--- a/seeds/sources.csv\n+++ b/seeds/sources.csv\n" in out
    assert "-\\ufeffsource_id,source_type," in out  # the BOM shown, not hidden
    assert "\\r\n" in out and "\r" not in out  # the CR shown as an escape
    assert seed.read_bytes().startswith(b"\xef\xbb\xbf")


def test_dates_and_numbers_a_spreadsheet_reformatted_are_not_touched(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """fix never changes a value's meaning: a locale date stays a finding, whose hint names
    the habit and what to type."""
    seed = repo / EV
    text = seed.read_text("utf-8").replace(
        ",2025-06-13,2025-06-13,day,", ",13/06/2025,6/13/2025,day,", 1
    )
    seed.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    code, out, _ = _run(capsys, "fix", str(repo / "datapackage.json"))
    assert code == 0 and "13/06/2025" not in out
    assert seed.read_text("utf-8") == text
    report = validate(repo / "datapackage.json")
    wrong = [f for f in report.findings if f.code == "E202"]
    assert [f.value for f in wrong] == ["13/06/2025", "6/13/2025"]
    assert all("spreadsheet" in f.hint and "2025-06-13" in f.hint for f in wrong)


def test_a_row_with_an_unquoted_comma_is_left_alone(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = repo / EV
    lines = seed.read_text("utf-8").split("\n")
    lines[3] = lines[3].replace(",targeting Israel,", ",Tel Aviv, Israel,")
    broken = "\ufeff" + "\n".join(lines)
    seed.write_text(broken, "utf-8")
    code, out, _ = _run(capsys, "fix", str(repo / "datapackage.json"))
    assert code == 1
    assert (
        f"{EV}: not rewritten: a row has more cells than the header (line 4), E108: correct "
        "it first (`conflictdata validate` shows it), then run fix again"
    ) in out
    assert (
        out.splitlines()[-1]
        == "nothing to fix: 7 files already canonical, 1 not rewritten (see above)"
    )
    assert seed.read_text("utf-8") == broken


def test_unsupported_resources_are_refused_before_anything_is_written(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    desc = json.loads((repo / "datapackage.json").read_text("utf-8"))
    desc["resources"][-1]["encoding"] = "latin-1"
    (repo / "datapackage.json").write_text(json.dumps(desc), "utf-8")
    seed = repo / "seeds/sources.csv"
    seed.write_bytes(b"\xef\xbb\xbf" + seed.read_bytes())
    code, _, err = _run(capsys, "fix", str(repo / "datapackage.json"))
    assert code == 2
    assert err.startswith("conflictdata fix: unsupported: encoding 'iso8859-1' in resource")
    assert seed.read_bytes().startswith(b"\xef\xbb\xbf")


# --------------------------------------------------------------------------- any file

_PACKAGE = {
    "name": "t",
    "conflictdata": {"policy": "strict"},
    "resources": [
        {
            "name": "t",
            "path": "t.csv",
            "dialect": {"delimiter": ",", "quoteChar": '"', "header": True},
            "schema": {"fields": [{"name": n, "type": "string"} for n in ("a", "b", "c")]},
        }
    ],
}

_CHARS = st.one_of(
    st.sampled_from(list(' \t\n",;x\u00a0\u2003\u0301\u00e9\u2019\u2013e\u0152')),
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")),
)
_CELL = st.text(_CHARS, max_size=8)
_ROW = st.lists(_CELL, min_size=3, max_size=3).filter(lambda r: any(c.strip() for c in r))


def _canon(cell: str) -> str:
    out = cell.replace("\r\n", "\n")
    for _ in range(4):
        out = unicodedata.normalize("NFC", out).strip()
    return out


def _write(rows: list[list[str]], quote_all: bool, eol: str, bom: bool, enc: str, end: bool):
    buf = io.StringIO()
    w = csv.writer(
        buf, lineterminator=eol, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    )
    w.writerow([" a", "b ", "c"] if bom else ["a", "b", "c"])
    w.writerows(rows)
    text = buf.getvalue()
    if not end:
        text = text[: -len(eol)]
    data = text.encode(enc)
    return (b"\xef\xbb\xbf" + data) if bom and enc == "utf-8" else data


@settings(
    max_examples=examples(150),
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=st.lists(_ROW, min_size=1, max_size=6),
    quote_all=st.booleans(),
    eol=st.sampled_from(["\n", "\r\n"]),
    bom=st.booleans(),
    cp1252=st.booleans(),
    end=st.booleans(),
)
def test_fix_then_validate_loses_no_row_and_leaves_nothing_fix_claims(
    tmp_path: Path,
    rows: list[list[str]],
    quote_all: bool,
    eol: str,
    bom: bool,
    cp1252: bool,
    end: bool,
) -> None:
    """For any file: fix is not refused, keeps every row and every cell's meaning (the cell
    made NFC and trimmed), validation then finds none of the codes fix repairs, and fixing
    the result changes nothing."""
    text = "".join("".join(r) for r in rows)
    enc = "cp1252" if cp1252 else "utf-8"
    try:
        text.encode(enc)
    except UnicodeEncodeError:
        enc = "utf-8"
    assume_rows = [[_canon(c) for c in r] for r in rows]
    if any(not any(r) for r in assume_rows):
        return  # a row of only whitespace: fix refuses it (tested below)
    folder = tmp_path / "pkg"
    folder.mkdir(exist_ok=True)
    (folder / "datapackage.json").write_text(json.dumps(_PACKAGE), "utf-8")
    pkg = read_package(folder / "datapackage.json")
    raw = _write(rows, quote_all, eol, bom, enc, end)

    result = fix_text(raw, pkg.tables["t"])
    assert result.blocked is None, result.blocked
    assert result.text is not None
    (folder / "t.csv").write_text(result.text, "utf-8", newline="")
    report = validate(folder / "datapackage.json")
    assert {f.code for f in report.findings} & (REPAIRED | STRUCTURAL) == set(), (
        report.format_text()
    )
    assert report.stats["rows"] == len(rows)
    back = list(csv.reader(io.StringIO(result.text, newline="")))
    assert back == [["a", "b", "c"], *assume_rows]

    again = fix_text(result.text.encode("utf-8"), pkg.tables["t"])
    assert again.changes == () and again.text == result.text


def test_a_row_trimmed_to_nothing_is_refused(tmp_path: Path) -> None:
    (tmp_path / "datapackage.json").write_text(json.dumps(_PACKAGE), "utf-8")
    ts = read_package(tmp_path / "datapackage.json").tables["t"]
    result = fix_text(b"a,b,c\nx,y,z\n , \t,\n", ts)
    assert result.blocked is not None and "only whitespace on line 3" in result.blocked


# --------------------------------------------------------------------------- spreadsheets

SPREADSHEET = FIXTURES / "spreadsheet"


def _as_excel_saves(data: bytes, bom: bool) -> bytes:
    """Excel's framing of the same cells: CRLF line ends, and with "CSV UTF-8" a BOM."""
    data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    return (b"\xef\xbb\xbf" + data) if bom else data


def _spreadsheet_seeds(folder: Path) -> dict[str, bytes]:
    utf8 = (folder / "libreoffice-utf8.csv").read_bytes()
    cp1252 = (folder / "libreoffice-cp1252.csv").read_bytes()
    return {
        "LibreOffice, UTF-8": utf8,
        "LibreOffice, Western Europe (Windows-1252)": cp1252,
        'Excel "CSV UTF-8"': _as_excel_saves(utf8, bom=True),
        'Excel "CSV (Comma delimited)"': _as_excel_saves(cp1252, bom=False),
    }


def _check_spreadsheet_seed(repo: Path, data: bytes) -> None:
    """Saved by a spreadsheet: fix leaves only the reformatted dates, each with a hint that
    names the habit and the date to type; every row is kept and the new one reads right."""
    seed = repo / EV
    seed.write_bytes(data)
    results = fix_package(repo / "datapackage.json")
    (events,) = [r for r in results if r.path == EV]
    assert events.blocked is None and events.changed
    report = validate(repo / "datapackage.json")
    assert {f.code for f in report.findings} == {"E202"}, report.format_text()
    assert {f.field for f in report.findings} == {"date_start", "date_end"}
    assert all("spreadsheet" in f.hint and "2025-06-13" in f.hint for f in report.findings)
    assert report.stats["tables"]["events"]["rows"] == 11
    last = list(csv.reader(io.StringIO(seed.read_text("utf-8"))))[-1]
    assert last[6] == "Reported strike near Isfahan \u2013 \u201cfacility\u201d hit"
    assert last[11] == "Isfahan, Ir\u00e1n"
    assert not any(r.changed for r in fix_package(repo / "datapackage.json", write=False))


@pytest.mark.parametrize("saved_by", list(_spreadsheet_seeds(SPREADSHEET)))
def test_spreadsheet_saved_seeds(repo: Path, saved_by: str) -> None:
    _check_spreadsheet_seed(repo, _spreadsheet_seeds(SPREADSHEET)[saved_by])


def test_spreadsheet_saved_seeds_made_now(repo: Path, tmp_path: Path) -> None:
    """The same, with the files made again by the LibreOffice installed here."""
    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc)")
    pytest.importorskip("openpyxl", reason="openpyxl makes the workbook LibreOffice saves")
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_spreadsheet", SPREADSHEET / "make.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.make(tmp_path / "made")
    for data in _spreadsheet_seeds(tmp_path / "made").values():
        _check_spreadsheet_seed(repo, data)
