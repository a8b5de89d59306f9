"""IDs caught before merge: `validate` compares the seeds with the newest release it sees (or
--against), and a released ID that is gone (E407) or a released row under another ID (E408)
is an error; a tombstone or a corrected row is not."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conflictdata.cli import main
from conflictdata.tools import validate

EV = "seeds/events.csv"


@pytest.fixture
def repo(tmp_path: Path, root: Path) -> Path:
    dest = tmp_path / "repo"
    dest.mkdir()
    shutil.copy(root / "datapackage.json", dest)
    shutil.copytree(root / "schemas", dest / "schemas")
    shutil.copytree(root / "seeds", dest / "seeds")
    return dest


@pytest.fixture
def release(curated_releases: Path) -> Path:
    return (
        curated_releases
        / json.loads((curated_releases / "index.json").read_text("utf-8"))["releases"][-1][
            "version"
        ]
    )


def _lines(repo: Path) -> list[str]:
    return (repo / EV).read_text("utf-8").split("\n")


def _write(repo: Path, lines: list[str]) -> None:
    (repo / EV).write_text("\n".join(lines), "utf-8")


def _found(report, *codes: str) -> list[tuple[str, str | None, int | None, str | None]]:
    return [(f.code, f.path, f.line, f.value) for f in report.findings if f.code in codes]


def test_the_curated_seeds_keep_every_released_id(root: Path, release: Path) -> None:
    report = validate(root / "datapackage.json", against=release)
    assert report.findings == []
    assert report.stats["against"]["tables"]["events"] == 10


def test_a_deleted_row_is_an_error_at_its_file(repo: Path, release: Path) -> None:
    _write(repo, [x for x in _lines(repo) if not x.startswith("evt-0010,")])
    report = validate(repo / "datapackage.json", against=release)
    assert _found(report, "E407", "E408") == [("E407", EV, None, "evt-0010")]
    (f,) = [f for f in report.findings if f.code == "E407"]
    assert f.message == (
        "'evt-0010' ('Trump–Netanyahu phone call') of release 0.1.0 has no row: it was deleted"
    )
    assert "record_status 'retracted'" in f.hint
    assert not report.valid


def test_a_tombstone_or_a_correction_is_no_error(repo: Path, release: Path) -> None:
    lines = _lines(repo)
    lines[10] = lines[10].replace(",active,", ",retracted,")  # evt-0010 withdrawn
    lines[2] = lines[2].replace("Iranian missile retaliation", "Iranian missile response")
    _write(repo, lines)
    report = validate(repo / "datapackage.json", against=release)
    assert _found(report, "E407", "E408") == []


def test_a_renumbered_row_is_an_error_at_its_line(repo: Path, release: Path) -> None:
    lines = _lines(repo)
    lines[8] = lines[8].replace("evt-0008,", "evt-0012,", 1)
    _write(repo, lines)
    report = validate(repo / "datapackage.json", against=release)
    assert _found(report, "E407", "E408") == [("E408", EV, 9, "evt-0012")]
    (f,) = [f for f in report.findings if f.code == "E408"]
    assert "released as 'evt-0008' in 0.1.0" in f.message
    assert f.hint.endswith("a new row takes the next free ID, evt-0011")


def test_rows_renumbered_after_an_inserted_one(repo: Path, release: Path) -> None:
    """A row inserted after evt-0005 and the later ones renumbered: each moved row is
    reported where it now is, none as deleted (every released ID still has a row)."""
    lines = _lines(repo)
    new = lines[5].replace("evt-0005,", "evt-0006,", 1).replace("wave 3 of 3", "wave 4")
    moved = []
    for line in lines[6:11]:
        n = int(line[4:8])
        moved.append(line.replace(f"evt-{n:04d},", f"evt-{n + 1:04d},", 1))
    _write(repo, [*lines[:6], new, *moved, *lines[11:]])
    report = validate(repo / "datapackage.json", against=release)
    got = _found(report, "E407", "E408")
    assert got == [("E408", EV, line, f"evt-{line - 1:04d}") for line in range(8, 13)]


def test_cli_compares_with_the_newest_release_it_finds(
    repo: Path, curated_releases: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    monkeypatch.setenv("CONFLICTDATA_BUILD_DIR", str(curated_releases))
    _write(repo, [x for x in _lines(repo) if not x.startswith("evt-0010,")])
    assert main(["validate", str(repo / "datapackage.json")]) == 1
    out, err = capsys.readouterr()
    assert f"{EV}: E407 [event_id] 'evt-0010'" in out
    assert err.startswith("IDs compared with release 0.1.0 (local build: ")
    assert main(["validate", str(repo / "datapackage.json"), "--against", "none"]) == 1
    out, err = capsys.readouterr()
    assert "E407" not in out and err == ""
    assert main(["validate", str(repo / "datapackage.json"), "--against", "0.1.0"]) == 1
    assert "E407" in capsys.readouterr().out
    code = main(
        ["validate", str(repo / "datapackage.json"), "--against", "0.1.0", "--releases", "/"]
    )
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and "release 0.1.0 is not in /" in err


def test_a_release_of_another_dataset_is_not_compared(
    repo: Path, release: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    other = tmp_path / "other" / release.name
    shutil.copytree(release, other)
    desc = json.loads((other / "datapackage.json").read_text("utf-8"))
    (other / "datapackage.json").write_text(json.dumps({**desc, "name": "elsewhere"}), "utf-8")
    monkeypatch.setenv("CONFLICTDATA_BUILD_DIR", str(other.parent))
    _write(repo, [x for x in _lines(repo) if not x.startswith("evt-0010,")])
    assert main(["validate", str(repo / "datapackage.json")]) == 1
    out, err = capsys.readouterr()
    assert "E407" not in out and err == ""
    assert main(["validate", str(repo / "datapackage.json"), "--against", str(other)]) == 2
    err = capsys.readouterr().err
    assert "is of dataset 'elsewhere', not 'conflictdata'" in err and err.count("\n") == 1


# --------------------------------------------------------------------------- sources


def test_a_source_text_that_is_not_the_one_hashed(
    root: Path, sources_dir: Path, tmp_path: Path
) -> None:
    """The right text passes; an edited copy is E409 at the source's text_sha256 cell, and
    the excerpts citing it are not checked against it (no E404 from it)."""
    good = validate(root / "datapackage.json", sources_dir=sources_dir)
    assert good.findings == [] and good.stats["provenance"]["excerpts_checked"] > 0
    (text,) = sources_dir.glob("*.txt")
    copy = tmp_path / "texts"
    copy.mkdir()
    (copy / text.name).write_text(text.read_text("utf-8").replace("Israel", "Isreal"), "utf-8")
    report = validate(root / "datapackage.json", sources_dir=copy)
    codes = [(f.code, f.path, f.line, f.field) for f in report.findings]
    assert ("E409", "seeds/sources.csv", 2, "text_sha256") in codes
    assert not [c for c in codes if c[0] in ("E404", "E406")]  # E409 says it all
    assert report.stats["provenance"]["sources_with_another_text"] == [text.stem]
    assert report.stats["provenance"]["excerpts_checked"] == 0
