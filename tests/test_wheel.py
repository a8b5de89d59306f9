"""The wheel ships the current release: built from a clean copy of the repo (directly and
through its sdist), installed into a fresh venv, every table loads there offline without
pandera or frictionless.

Kept fast: ``--no-isolation`` (this venv has hatchling, pandas, pyarrow), a venv without pip
whose dependencies come from this venv's site-packages through a ``.pth`` file, and
``pip --python`` installing the wheel alone (``--no-deps --no-index``).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EPOCH = "1750000000"  # the same fixed release date for the wheel's build and the reference

pytestmark = [
    pytest.mark.wheel,
    pytest.mark.skipif(not (REPO / ".git").exists(), reason="needs the git checkout"),
]

CHECK = r"""
import json, socket, sys

def _no_network(*args, **kwargs):
    raise OSError("network used during an offline load")

socket.socket.connect = _no_network
socket.create_connection = _no_network

import conflictdata as cd
from conflictdata._tableschema.dtypes import pandas_dtype
from conflictdata._tableschema.package import package_from_descriptor

found = cd.versions()
assert [v.where for v in found] == [("bundled",)], found
release = found[0]
assert release.default and cd.load("events").attrs["conflictdata"]["source"] == "bundled"
pkg = package_from_descriptor(json.loads((release.bundled / "datapackage.json").read_text()), release.bundled)
rows, bad = {}, []
for name in cd.tables():
    df = cd.load(name)
    rows[name] = len(df)
    for f in pkg.tables[name].fields:
        if df[f.name].dtype != pandas_dtype(f) or df[f.name].dtype == object:
            bad.append((name, f.name, str(df[f.name].dtype)))
print(cd.load("events").head(2), file=sys.stderr)

# the rest of the release is there too: changelog, feed, report, Croissant, checksums, CSV
import hashlib, pandas as pd
folder = release.bundled
sums = dict(reversed(l.split("  ", 1)) for l in (folder / "SHA256SUMS").read_text().splitlines())
mismatched = [n for n, h in sums.items() if hashlib.sha256((folder / n).read_bytes()).hexdigest() != h]
csv_rows = {name: len(pd.read_csv(folder / "csv" / f"{name}.csv", keep_default_na=False, na_values=[""])) for name in cd.tables()}
all_rows = {name: len(cd.load(name, tombstones=True)) for name in cd.tables()}
feed = cd.changes()
print(json.dumps({
    "version": release.version,
    "rows": rows,
    "bad_dtypes": bad,
    "file": cd.__file__,
    "heavy": [m for m in ("pandera", "frictionless", "pooch", "requests") if m in sys.modules],
    "sums": sorted(sums),
    "mismatched": mismatched,
    "csv_rows": csv_rows,
    "changelog": (folder / "CHANGELOG.md").read_text(encoding="utf-8"),
    "all_rows": all_rows,
    "changes": len(feed),
    "changes_note": feed.attrs.get("conflictdata", {}).get("note"),
}))
"""


def _clean_copy(dest: Path) -> None:
    """The repository's files as a fresh clone has them (tracked or not ignored; no build/)."""
    listed = (
        subprocess.run(
            [
                "git",
                "-C",
                str(REPO),
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
            ],
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for rel in filter(None, listed):
        src = REPO / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)


def _extract_safely(tf: tarfile.TarFile, dest: Path, *, use_filter: bool | None = None) -> None:
    """Unpack a tar archive of plain files and folders inside ``dest`` only: tarfile's "data"
    filter where this Python has it (3.12, 3.11.4+), else the same refusals done here (Debian
    12's Python is 3.11.2): no absolute path, no member outside ``dest``, no link or device,
    no setuid/setgid/sticky bits."""
    if use_filter is None:
        use_filter = hasattr(tarfile, "data_filter")
    if use_filter:
        tf.extractall(dest, filter="data")
        return
    root = dest.resolve()
    members = []
    for m in tf.getmembers():
        target = (root / m.name).resolve()
        if Path(m.name).is_absolute() or not target.is_relative_to(root):
            raise ValueError(f"{m.name!r} in the archive is outside {dest}")
        if not (m.isfile() or m.isdir()):
            raise ValueError(f"{m.name!r} in the archive is neither a file nor a folder")
        m.mode = (m.mode & 0o755) | (0o700 if m.isdir() else 0o600)
        m.uid, m.gid, m.uname, m.gname = os.getuid(), os.getgid(), "", ""
        members.append(m)
    # checked above: where tarfile takes a filter, say so (3.14 would filter by default)
    if hasattr(tarfile, "fully_trusted_filter"):
        tf.extractall(dest, members=members, filter="fully_trusted")
    else:
        tf.extractall(dest, members=members)


def _build(args: list[str], env: dict[str, str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", *args],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Wheels built from a clean copy directly and through its sdist, and the reference
    `conflictdata build` output of the same copy."""
    base = tmp_path_factory.mktemp("wheel")
    clone = base / "clone"
    _clean_copy(clone)
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    _build(["--wheel", "--outdir", str(base / "direct"), str(clone)], env)
    _build(["--sdist", "--outdir", str(base / "sdist"), str(clone)], env)
    (sdist,) = (base / "sdist").glob("conflictdata-*.tar.gz")
    with tarfile.open(sdist) as tf:
        _extract_safely(tf, base / "unpacked")
    (unpacked,) = (base / "unpacked").iterdir()
    # no SOURCE_DATE_EPOCH and no git here: a rebuild could not reproduce the release date,
    # so this wheel matches the reference only if it ships the sdist's release as it is
    no_epoch = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    _build(["--wheel", "--outdir", str(base / "via-sdist"), str(unpacked)], no_epoch)
    ref = subprocess.run(
        [
            sys.executable,
            "-m",
            "conflictdata",
            "build",
            str(clone / "datapackage.json"),
            "--out",
            str(base / "ref"),
        ],
        capture_output=True,
        text=True,
        env={**env, "PYTHONPATH": str(clone / "src")},
        cwd=clone,
    )
    assert ref.returncode == 0, ref.stderr
    (release,) = [p for p in (base / "ref").iterdir() if p.is_dir()]
    return {
        "direct": next((base / "direct").glob("*.whl")),
        "via-sdist": next((base / "via-sdist").glob("*.whl")),
        "release": release,
    }


@pytest.mark.parametrize(
    "use_filter", [True, False] if hasattr(tarfile, "data_filter") else [False]
)
@pytest.mark.parametrize("bad", ["../outside.txt", "/abs.txt", "link", "dev", "a/../../up.txt"])
def test_sdist_unpacking_refuses_what_escapes_or_is_not_a_plain_file(
    tmp_path: Path, bad: str, use_filter: bool
) -> None:
    archive = tmp_path / "x.tar.gz"
    with tarfile.open(archive, "w:gz") as tf:
        for name in ("pkg/ok.txt", bad):
            info = tarfile.TarInfo(name)
            if name == "link":
                info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
            elif name == "dev":
                info.type, info.devmajor, info.devminor = tarfile.CHRTYPE, 1, 3
            data = b"" if name in ("link", "dev") else name.encode()
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    dest = tmp_path / "deep" / "dest"
    dest.mkdir(parents=True)
    with tarfile.open(archive) as tf:
        try:
            _extract_safely(tf, dest, use_filter=use_filter)
        except (ValueError, tarfile.TarError):
            pass
        else:  # only the "data" filter takes "/abs.txt", as dest/abs.txt; the fallback refuses
            assert use_filter and bad == "/abs.txt" and (dest / "abs.txt").is_file()
    outside = [p for p in tmp_path.rglob("*") if p.is_file() and dest not in p.parents]
    assert outside == [archive]
    assert not (dest / "link").is_symlink() and not (dest / "dev").exists()
    with tarfile.open(archive, "w:gz") as tf:  # a plain archive unpacks, modes tamed
        info = tarfile.TarInfo("pkg/run.sh")
        info.mode, info.size = 0o6777, 2
        tf.addfile(info, io.BytesIO(b"ok"))
    clean = tmp_path / "clean"
    clean.mkdir()
    with tarfile.open(archive) as tf:
        _extract_safely(tf, clean, use_filter=use_filter)
    assert (clean / "pkg" / "run.sh").read_bytes() == b"ok"
    assert (clean / "pkg" / "run.sh").stat().st_mode & 0o7022 == 0


@pytest.mark.parametrize("kind", ["direct", "via-sdist"])
def test_bundled_release_is_byte_identical_to_conflictdata_build(
    built: dict[str, Path], kind: str
) -> None:
    """Every file of the release but the zip (which holds the same files), byte for byte."""
    release = built["release"]
    expected = sorted(
        p.relative_to(release).as_posix()
        for p in release.rglob("*")
        if p.is_file() and not p.name.endswith(".zip")
    )
    assert {"CHANGELOG.md", "changes.parquet", "report.html", "croissant.json"} <= set(expected)
    assert {"SHA256SUMS", "csv/datapackage.json", "csv/events.csv"} <= set(expected)
    with zipfile.ZipFile(built[kind]) as zf:
        prefix = f"conflictdata/_bundled/{release.name}/"
        bundled = sorted(
            n[len(prefix) :] for n in zf.namelist() if n.startswith("conflictdata/_bundled/")
        )
        assert bundled == sorted(expected)
        for name in expected:
            assert zf.read(prefix + name) == (release / name).read_bytes(), name


def test_fresh_venv_loads_every_table_offline(built: dict[str, Path], tmp_path: Path) -> None:
    whl, release = built["via-sdist"], built["release"]
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            str(whl),
        ],
        check=True,
        capture_output=True,
    )
    # dependencies (pandas, pyarrow) from this venv, after the wheel, behind the fresh venv's own
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(purelib, "zz_outer_site.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    env = {
        k: v
        for k, v in os.environ.items()
        if not k.upper().endswith("_PROXY") and not k.startswith("CONFLICTDATA_")
    }
    env.update(
        {
            "CONFLICTDATA_CACHE_DIR": str(tmp_path / "empty-cache"),
            "http_proxy": "http://127.0.0.1:9",
            "https_proxy": "http://127.0.0.1:9",
            "PYTHONNOUSERSITE": "1",
        }
    )
    env.pop("PYTHONPATH", None)
    proc = subprocess.run(
        [str(python), "-c", CHECK], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    result = json.loads(proc.stdout)

    desc = json.loads((release / "datapackage.json").read_text())
    assert result["version"] == release.name
    assert result["rows"] == {r["name"]: r["rows"] for r in desc["resources"]}
    assert result["bad_dtypes"] == []
    assert result["heavy"] == []
    assert Path(result["file"]).is_relative_to(venv)  # the wheel, not this checkout
    # the whole release, checked against its own SHA256SUMS, from the installed package
    assert result["mismatched"] == [] and "csv/events.csv" in result["sums"]
    assert {"CHANGELOG.md", "changes.parquet", "report.html", "croissant.json"} <= set(
        result["sums"]
    )
    assert result["csv_rows"] == result["all_rows"]  # the CSV copy keeps tombstones too
    assert result["changelog"].startswith(f"# conflictdata {release.name}\n")
    assert "Initial release." in result["changelog"]
    assert result["changes"] == 0  # the first release: nothing before it, and it says so
    assert "first" in result["changes_note"]
    assert not (tmp_path / "empty-cache").exists()  # nothing downloaded, nothing cached
