"""The command's help: every subcommand says what it does, and the releases folder a command
reads is called --releases everywhere (the old spellings still work, with a warning)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from conflictdata.cli import build_parser, main


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


@pytest.mark.parametrize("name", sorted(_subcommands()))
def test_every_subcommand_help_says_what_it_does(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main([name, "--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    paragraphs = text.split("\n\n")
    assert paragraphs[0].startswith(f"usage: conflictdata {name}")
    description = " ".join(paragraphs[1].split())
    assert len(description) > 60 and description[0].isupper() and description.endswith(".")
    sub = _subcommands()[name]
    for action in sub._actions:
        if action.help != argparse.SUPPRESS and action.option_strings != ["-h", "--help"]:
            assert action.help or action.choices, (name, action.option_strings)


def test_the_releases_folder_read_has_one_name() -> None:
    readers = {}
    for name, sub in _subcommands().items():
        shown = {o for a in sub._actions if a.help != argparse.SUPPRESS for o in a.option_strings}
        readers[name] = shown
    for name in ("diff", "report", "validate"):
        assert "--releases" in readers[name], name
    assert "--out" not in readers["diff"] and "--source" not in readers["report"]
    assert "--releases" not in readers["build"]  # build writes a releases folder: --out


def test_old_spellings_still_work_with_a_warning(
    curated_releases: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["diff", "0.1.0", "0.1.0", "--out", str(curated_releases)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("# conflictdata 0.1.0")
    assert (
        err == f"conflictdata diff: --out is deprecated here: use --releases {curated_releases}\n"
    )
    assert main(["diff", "0.1.0", "0.1.0", "--releases", str(curated_releases)]) == 0
    assert capsys.readouterr().err == ""
