"""Publishing a release into a shared output folder: one build at a time (a lock), an index
always derived from the release folders, what killed builds leave removed, an unwritable
folder a one-line error, and only release versions ever naming a folder."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from support.events import EVENTS, event, write_events_package
from support.paths import SRC as SRC_DIR
from support.paths import TESTS

from conflictdata._release.index import index_entries, index_is_current, read_index
from conflictdata._release.layout import INDEX_NAME, LOCK_NAME, list_release_dirs
from conflictdata._release.lock import publish_lock, remove_stale_temp
from conflictdata._release.verify import sha256_file
from conflictdata.cli import main
from conflictdata.errors import InvalidVersionError, OutputError
from conflictdata.tools import build_release

EPOCH = "1750000000"
SRC = str(SRC_DIR)


@pytest.fixture(autouse=True)
def _fixed_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def _pkg(root: Path, version: str, extra: int = 0) -> Path:
    """A package whose events grow with ``extra`` (so later versions keep every ID)."""
    more = [event(f"EV-09{i:02d}") for i in range(extra)]
    return write_events_package(root, version=version, events=EVENTS + more)


def _child_env() -> dict[str, str]:
    parts = [SRC, str(TESTS), os.environ.get("PYTHONPATH", "")]
    path = os.pathsep.join(p for p in parts if p)
    return {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONPATH": path}


def _listing(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir())


# --------------------------------------------------------------------------- the lock

# A build whose publish step waits (up to 1.5 s) for the other build to reach its own
# publish step, and logs when it entered and left it. Without a lock both are inside at once.
# With "second", it asks for the lock only once the other build is inside its publish step.
_RACER = r"""
import contextlib, json, os, sys, time
import conflictdata._tools.build as b
desc, out, me, other, log, order = sys.argv[1:7]
real_publish, real_index, real_lock = b._publish, b.write_index, b.publish_lock
span = {}
def publish(*args, **kwargs):
    span["enter"] = time.time()
    open(me, "w").close()
    deadline = time.monotonic() + 1.5
    while not os.path.exists(other) and time.monotonic() < deadline:
        time.sleep(0.01)
    return real_publish(*args, **kwargs)
def write_index(*args, **kwargs):
    path = real_index(*args, **kwargs)
    span["leave"] = time.time()
    return path
@contextlib.contextmanager
def lock(*args, **kwargs):
    deadline = time.monotonic() + 60
    while order == "second" and not os.path.exists(other) and time.monotonic() < deadline:
        time.sleep(0.01)
    with real_lock(*args, **kwargs) as held:
        yield held
b._publish, b.write_index, b.publish_lock = publish, write_index, lock
result = b.build_release(desc, out, validate=False, progress=False)
with open(log, "w") as f:
    json.dump({**span, "previous": result.previous}, f)
"""


@pytest.mark.waits
def test_two_concurrent_builds_publish_one_at_a_time_and_both_are_indexed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_release(_pkg(tmp_path / "p0", "1.0.0"), out, validate=False, progress=False)
    procs = []
    for i, (version, order) in enumerate([("1.1.0", "first"), ("1.2.0", "second")]):
        args = [
            str(_pkg(tmp_path / f"p{i + 1}", version, extra=i + 1)),
            str(out),
            str(tmp_path / f"at-{i}"),
            str(tmp_path / f"at-{1 - i}"),
            str(tmp_path / f"log-{i}"),
            order,
        ]
        procs.append(
            subprocess.Popen(
                [sys.executable, "-c", _RACER, *args],
                env=_child_env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    first, second = (json.loads((tmp_path / f"log-{i}").read_text()) for i in range(2))
    assert first["leave"] <= second["enter"], (first, second)  # never both publishing at once
    assert [e.version for e in read_index(out)] == ["1.0.0", "1.1.0", "1.2.0"]
    assert index_is_current(out)
    assert _listing(out) == ["1.0.0", "1.1.0", "1.2.0", INDEX_NAME]  # no lock or temp file left
    # 1.2.0 prepared its changelog against 1.0.0; 1.1.0 was published before 1.2.0 could
    # publish, so it was redone, under the lock, against 1.1.0
    assert first["previous"] == "1.0.0" and second["previous"] == "1.1.0"
    assert "Changes since 1.1.0" in (out / "1.2.0" / "CHANGELOG.md").read_text()
    sums = (out / "1.2.0" / "SHA256SUMS").read_text()
    assert sha256_file(out / "1.2.0" / "CHANGELOG.md") in sums


_HOLDER = r"""
import sys, time
from conflictdata._release.lock import publish_lock
with publish_lock(sys.argv[1]):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


@pytest.mark.waits
def test_a_build_waits_for_the_lock_and_gives_up_after_its_timeout(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(out), "1.0"],
        env=_child_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None  # piped
        assert holder.stdout.readline() == "locked\n"
        t0 = time.monotonic()
        with (
            pytest.raises(Exception, match="another build has held"),
            publish_lock(out, timeout=0.2),
        ):
            pass
        with publish_lock(out, timeout=30):  # the holder lets go after about a second
            assert time.monotonic() - t0 > 0.5
            assert holder.wait(timeout=30) == 0
    finally:
        holder.kill()
        holder.wait()
    assert not (out / LOCK_NAME).exists()


# --------------------------------------------------------------------------- killed builds

_STOP_BEFORE_INDEX = r"""
import sys, time
import conflictdata._tools.build as b
def write_index(*args, **kwargs):
    print("renamed", flush=True)
    time.sleep(600)
b.write_index = write_index
b.build_release(sys.argv[1], sys.argv[2], validate=False, progress=False)
"""

_STOP_IN_INDEX_WRITE = r"""
import os, sys, time
import conflictdata._util.fs as r
real = os.replace
def replace(src, dst, *args, **kwargs):
    if os.path.basename(str(dst)) == "index.json":
        print(src, flush=True)
        time.sleep(600)
    return real(src, dst, *args, **kwargs)
r.os.replace = replace
import conflictdata._tools.build as b
b.build_release(sys.argv[1], sys.argv[2], validate=False, progress=False)
"""


def _kill_at(script: str, desc: Path, out: Path) -> str:
    """Run a build in a child that stops at the point ``script`` picks; SIGKILL it there."""
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(desc), str(out)],
        env=_child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stderr is not None  # both piped
        line = proc.stdout.readline()
        assert line, proc.stderr.read()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    return line.strip()


@pytest.mark.waits
def test_kill_between_rename_and_index_then_next_build_repairs_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    build_release(_pkg(tmp_path / "p0", "1.0.0"), out, validate=False, progress=False)
    desc = _pkg(tmp_path / "p1", "1.1.0", extra=1)
    assert _kill_at(_STOP_BEFORE_INDEX, desc, out) == "renamed"
    assert (out / "1.1.0").is_dir()
    assert [e.version for e in read_index(out)] == ["1.0.0"]  # stale
    assert not index_is_current(out)
    # what is there is what readers see, whatever the stale index says
    assert [e.version for e in index_entries(out)] == ["1.0.0", "1.1.0"]
    monkeypatch.setenv("CONFLICTDATA_BUILD_DIR", str(out))
    assert main(["versions"]) == 0
    assert "1.1.0" in capsys.readouterr().out

    again = build_release(desc, out, validate=False, progress=False)  # the same build, run again
    assert again.status == "unchanged"
    assert [e.version for e in read_index(out)] == ["1.0.0", "1.1.0"]
    assert index_is_current(out)
    entry = read_index(out)[1]
    assert entry.archive_sha256 == sha256_file(out / entry.archive)
    assert _listing(out) == ["1.0.0", "1.1.0", INDEX_NAME]  # the dead build's lock file is gone


@pytest.mark.waits
def test_kill_during_index_write_leaves_a_temp_file_the_next_build_removes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_release(_pkg(tmp_path / "p0", "1.0.0"), out, validate=False, progress=False)
    before = (out / INDEX_NAME).read_bytes()
    temp = Path(_kill_at(_STOP_IN_INDEX_WRITE, _pkg(tmp_path / "p1", "1.1.0", extra=1), out))
    assert temp.parent == out and temp.name.startswith(".tmp-") and temp.is_file()
    assert (out / INDEX_NAME).read_bytes() == before  # the old index is whole, just stale
    time.sleep(0.05)  # the next build starts after the dead one's files were last touched

    build_release(_pkg(tmp_path / "p2", "1.2.0", extra=2), out, validate=False, progress=False)
    assert not temp.exists()
    assert _listing(out) == ["1.0.0", "1.1.0", "1.2.0", INDEX_NAME]
    assert [e.version for e in read_index(out)] == ["1.0.0", "1.1.0", "1.2.0"]


@pytest.mark.processes
def test_stale_temp_removal_spares_running_builds_and_newer_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    names = {
        "dead": f".tmp-{dead}-1.0.0-abc",  # a killed build's work folder
        "alive": f".tmp-{os.getpid()}-1.1.0-def",  # a build in progress (this process)
        "index": ".tmp-index.json.xyz",  # a killed index write
        "newer": f".tmp-{dead}-1.2.0-ghi",  # changed after the cut-off
        "other": "notes.txt",  # not ours
    }
    for key, name in names.items():
        p = out / name
        if key in ("index", "other"):
            p.write_text("x")
        else:
            p.mkdir()
            (p / "events.parquet").write_bytes(b"x")
    cut = time.time() - 10
    for key in ("dead", "alive", "index", "other"):
        os.utime(out / names[key], (cut - 60, cut - 60))
    removed = remove_stale_temp(out, cut)
    assert sorted(p.name for p in removed) == sorted([names["dead"], names["index"]])
    assert _listing(out) == sorted([names["alive"], names["newer"], names["other"]])


# --------------------------------------------------------------------------- unwritable output


def _one_line_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str], *expect: str) -> str:
    assert main(argv) == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in captured.err, captured.err
    for text in expect:
        assert text in err, err
    return err


@pytest.mark.parametrize("where", ["under-a-file", "proc"])
def test_output_folder_that_cannot_be_made_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    desc = _pkg(tmp_path / "pkg", "1.0.0")
    if where == "under-a-file":
        (tmp_path / "file").write_text("not a folder")
        out = tmp_path / "file" / "releases"
    else:
        if not Path("/proc/self").is_dir():
            pytest.skip("no /proc here")
        out = Path("/proc/conflictdata-releases")
    err = _one_line_exit_2(
        ["build", str(desc), "--out", str(out)],
        capsys,
        "cannot write release 1.0.0",
        "nothing was published",
    )
    assert str(out) in err
    with pytest.raises(OutputError):
        build_release(desc, out, validate=False, progress=False)
    assert not out.exists()
    if where == "under-a-file":
        assert (tmp_path / "file").read_text() == "not a folder"


_READ_ONLY = r"""
import os, sys
import importlib.metadata
import conflictdata._tools.build, conflictdata.cli, conflictdata._tools.diff, conflictdata._validation.run  # noqa
conflictdata.cli.build_parser()  # what it imports, imported while every file is readable
if os.geteuid() == 0:  # root writes anywhere: drop to nobody to meet a read-only folder
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)
sys.exit(conflictdata.cli.main(["build", sys.argv[1], "--out", sys.argv[2]]))
"""


@pytest.mark.processes
def test_read_only_output_folder_is_one_line_exit_2_and_left_as_it_was() -> None:
    base = Path(tempfile.mkdtemp(prefix="conflictdata-ro-"))  # readable by the dropped user
    try:
        base.chmod(0o755)
        out = base / "out"
        build_release(_pkg(base / "p0", "1.0.0"), out, validate=False, progress=False)
        desc = _pkg(base / "p1", "1.1.0", extra=1)
        for p in [base, *base.rglob("*")]:
            p.chmod(0o755 if p.is_dir() else 0o644)
        out.chmod(0o555)
        before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
        proc = subprocess.run(
            [sys.executable, "-c", _READ_ONLY, str(desc), str(out)],
            env=_child_env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if (
            os.geteuid() == 0
            and "Permission denied" in proc.stderr
            and "Traceback" in proc.stderr
            and "import" in proc.stderr
        ):
            pytest.skip(f"the unprivileged user cannot run this Python: {proc.stderr[-300:]}")
        assert proc.returncode == 2, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
        assert "cannot write release 1.1.0" in proc.stderr and "Permission denied" in proc.stderr
        assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before
    finally:
        for p in [base, *base.rglob("*")]:
            if p.is_dir():
                p.chmod(stat.S_IRWXU)
        shutil.rmtree(base)


def _enospc(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(args[0]) if args else None)


@pytest.mark.parametrize(
    "at",
    ["parquet", "csv copy", "zip", "parquet, validating", "zip, validating", "rename", "index"],
)
def test_full_disk_at_any_step_publishes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], at: str
) -> None:
    import conflictdata._tools.build as b
    import conflictdata._util.fs as r

    out = tmp_path / "out"
    build_release(_pkg(tmp_path / "p0", "1.0.0"), out, validate=False, progress=False)
    before = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    desc = _pkg(tmp_path / "p1", "1.1.0", extra=1)
    # validating, the tables are written beside the validator's checks and zipped as they
    # come: a failure there must still publish nothing and leave no thread behind
    validating = at.endswith(", validating")
    if at.startswith("parquet"):
        monkeypatch.setattr(b.pq, "write_table", _enospc)
    elif at == "csv copy":
        monkeypatch.setattr(b, "write_csv", _enospc)
    elif at.startswith("zip"):
        monkeypatch.setattr(b.ReleaseZip, "add", _enospc)
    elif at == "rename":
        monkeypatch.setattr(b.os, "rename", _enospc)
    else:
        real = os.replace
        monkeypatch.setattr(
            r.os, "replace", lambda s, d: _enospc(s) if Path(d).name == INDEX_NAME else real(s, d)
        )
    with pytest.raises(OutputError, match="No space left on device"):
        build_release(desc, out, validate=validating, progress=False)
    left = [t.name for t in threading.enumerate() if t.name.startswith(("build-", "release-zip"))]
    assert left == []
    after = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before  # no release folder, no temp file, no lock, the old index
    assert _listing(out) == ["1.0.0", INDEX_NAME]
    _one_line_exit_2(["build", str(desc), "--out", str(out)], capsys, "No space left on device")


def test_failed_first_build_leaves_no_output_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import conflictdata._util.fs as r

    real = os.replace
    monkeypatch.setattr(
        r.os, "replace", lambda s, d: _enospc(s) if Path(d).name == INDEX_NAME else real(s, d)
    )
    out = tmp_path / "new" / "out"
    with pytest.raises(OutputError):
        build_release(_pkg(tmp_path / "p0", "1.0.0"), out, validate=False, progress=False)
    assert not out.exists()


# --------------------------------------------------------------------------- versions

BAD_VERSIONS = [
    "index.json",
    "0.1.0 ",
    "9" * 300,
    ".tmp-1",
    "../1.0.0",
    "1.0.0/x",
    "",
    "v1.0.0",
    "1.0.0\n",
    1.0,
    None,
]


@pytest.mark.parametrize("version", BAD_VERSIONS, ids=repr)
def test_build_refuses_a_version_that_is_not_a_release_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], version: object
) -> None:
    desc = write_events_package(tmp_path / "pkg")
    data = json.loads(desc.read_text())
    if version is None:
        del data["version"]
    else:
        data["version"] = version
    desc.write_text(json.dumps(data))
    out = tmp_path / "out"
    with pytest.raises(InvalidVersionError):
        build_release(desc, out, validate=False, progress=False)
    err = _one_line_exit_2(
        ["build", str(desc), "--out", str(out)], capsys, "is not a release version", "'version'"
    )
    assert len(err) < 400  # 300 digits are shortened
    assert not out.exists()


def test_index_entries_and_folders_with_bad_versions_are_ignored(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_release(_pkg(tmp_path / "p0", "1.0.0"), out, validate=False, progress=False)
    # a folder that looks like a release but is not named by a release version
    shutil.copytree(out / "1.0.0", out / "0.1.0 ")
    index = json.loads((out / INDEX_NAME).read_text())
    good = index["releases"][0]
    index["releases"] += [
        {**good, "version": bad, "archive": f"{bad}/x.zip", "descriptor": f"{bad}/datapackage.json"}
        for bad in ["../../etc", "index.json", "0.1.0 ", "9" * 300]
    ] + [{**good, "archive": "../../etc/passwd"}, "not an entry", {**good, "version": 1}]
    (out / INDEX_NAME).write_text(json.dumps(index))
    assert [e.version for e in read_index(out)] == ["1.0.0"]
    assert list(list_release_dirs(out)) == ["1.0.0"]
    build_release(_pkg(tmp_path / "p1", "1.1.0", extra=1), out, validate=False, progress=False)
    written = json.loads((out / INDEX_NAME).read_text())["releases"]
    assert [e["version"] for e in written] == ["1.0.0", "1.1.0"]
    assert all(e["archive"] == f"{e['version']}/conflictdata-{e['version']}.zip" for e in written)
    assert index_is_current(out)


def test_a_lock_file_planted_as_a_symlink_is_refused_not_followed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    build_release(_pkg(tmp_path / "p0", "1.0.0"), out, validate=False, progress=False)
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("keep me")
    (out / LOCK_NAME).symlink_to(elsewhere)
    desc = _pkg(tmp_path / "p1", "1.1.0", extra=1)
    _one_line_exit_2(["build", str(desc), "--out", str(out)], capsys, LOCK_NAME)
    assert elsewhere.read_text() == "keep me" and (out / LOCK_NAME).is_symlink()
    assert list(list_release_dirs(out)) == ["1.0.0"]
