"""Three readers, one count: for every seed file, the rows validate reads equal the rows the
build publishes (Parquet metadata) and the rows Python's csv module reads."""

from __future__ import annotations

import csv
import shutil

import pyarrow.parquet as pq
import pytest

from conflictdata.tools import build_release, validate


@pytest.fixture(scope="module")
def counts(root, tmp_path_factory):
    pkg = tmp_path_factory.mktemp("pkg")
    shutil.copy(root / "datapackage.json", pkg)
    shutil.copytree(root / "schemas", pkg / "schemas")
    shutil.copytree(root / "seeds", pkg / "seeds")
    report = validate(pkg / "datapackage.json")
    result = build_release(pkg / "datapackage.json", pkg / "out", progress=False)
    return pkg, report, result


def _csv_rows(path) -> int:
    with open(path, newline="", encoding="utf-8") as fh:
        return sum(1 for row in csv.reader(fh) if row) - 1  # minus the header


def test_every_seed_counts_the_same_three_ways(package, counts):
    pkg, report, result = counts
    assert report.valid, report.format_text()
    published = {t.name: t for t in result.tables}
    assert set(published) == set(package.tables)
    for name, ts in package.tables.items():
        by_csv = _csv_rows(pkg / ts.path)
        by_validate = report.stats["tables"][name]["rows"]
        meta = pq.read_metadata(result.path / published[name].path)
        assert by_csv > 0, name
        assert by_validate == by_csv == meta.num_rows == published[name].rows, name
