"""Hatch build hook: ship the current release, every file of it, inside the wheel.

The release is built from the repository's ``datapackage.json`` by ``conflictdata build`` itself
(run from ``src/`` in a subprocess, into a temporary folder), so a wheel built from a fresh
clone needs nothing prepared and its files are byte-identical to what ``conflictdata build``
writes. It lands in the wheel as ``conflictdata/_bundled/<version>/`` (Parquet tables,
descriptor, CHANGELOG.md, change feed, report, Croissant metadata, SHA256SUMS and the CSV
copy: everything but the zip, which holds the same files), where ``conflictdata.load()`` finds
it offline. If ``build/releases/<version>/`` already exists and differs, the wheel build
fails: a published version never changes, bump the version.

What that build imports (the package's dependencies and its ``report`` extra) is asked for
through :meth:`BundleReleaseHook.dependencies` only where a release is built: an editable
install, and a wheel built from an sdist that already carries its release, need nothing but
hatchling.

An sdist carries the release it was built with, as ``src/conflictdata/_bundled/<version>/``
(an sdist has no git history, so rebuilding from it could not reproduce the release date);
a wheel built from that sdist ships those files as they are, after checking their hashes.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from types import FrameType
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

#: The package-relative folder the loader reads bundled releases from (loader.BUNDLED_DIR).
BUNDLE_PREFIX = "conflictdata/_bundled"
#: The extra whose packages ``conflictdata build`` needs besides the core (its report.html).
BUILD_EXTRA = "report"
#: The PEP 517/660 hooks a frontend calls for an editable install.
_EDITABLE_HOOKS = frozenset(
    {"get_requires_for_build_editable", "prepare_metadata_for_build_editable", "build_editable"}
)


def _editable_request() -> bool:
    """Whether the frontend asked for an editable install: the backend's editable hook is
    on the call stack (hatchling asks a hook for its dependencies without saying which)."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name in _EDITABLE_HOOKS:
            return True
        frame = frame.f_back
    return False


def _release_members(folder: Path) -> list[str]:
    """The release's files to bundle, as POSIX paths: all but the zip (it holds the same)."""
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and not p.name.endswith(".zip")
    )


def checkout_command(src: Path, *args: str) -> list[str]:
    """The command that runs ``conflictdata *args`` from the checkout's ``src``. That folder
    goes first on sys.path once the interpreter has started, not through PYTHONPATH: pip's
    isolated build environment drops at startup every path a site folder adds, and a venv
    with this checkout installed editable adds ``src`` itself."""
    run = (
        "import sys; sys.path.insert(0, sys.argv.pop(1)); "
        "from conflictdata.cli import main; raise SystemExit(main())"
    )
    return [sys.executable, "-c", run, str(src), *args]


class BundleReleaseHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def dependencies(self) -> list[str]:
        """What building the release needs, for wheel and sdist builds from a checkout only."""
        if _editable_request() or (Path(self.root) / "src" / BUNDLE_PREFIX).is_dir():
            return []
        core = self.metadata.core
        return [*core.dependencies, *core.optional_dependencies.get(BUILD_EXTRA, [])]

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name not in ("wheel", "sdist") or version == "editable":
            return
        root = Path(self.root)
        shipped = root / "src" / BUNDLE_PREFIX
        if shipped.is_dir():  # building from an sdist: the package already holds the release
            self._check_shipped(shipped)
            return
        target = BUNDLE_PREFIX if self.target_name == "wheel" else f"src/{BUNDLE_PREFIX}"
        descriptor = root / "datapackage.json"
        self._tmp = Path(tempfile.mkdtemp(prefix="conflictdata-wheel-"))
        proc = subprocess.run(
            checkout_command(root / "src", "build", str(descriptor), "--out", str(self._tmp)),
            cwd=root,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            raise RuntimeError(
                "conflictdata: building the release to bundle in the wheel failed "
                f"(exit {proc.returncode}).\n{proc.stdout}{proc.stderr}"
            )
        folders = [
            p for p in self._tmp.iterdir() if p.is_dir() and (p / "datapackage.json").is_file()
        ]
        if len(folders) != 1:
            raise RuntimeError(
                f"conflictdata: expected one release in {self._tmp}, found {folders}"
            )
        release = folders[0]
        names = _release_members(release)
        self._check_published(root / "build" / "releases" / release.name, release, names)
        for name in names:
            build_data["force_include"][str(release / name)] = f"{target}/{release.name}/{name}"
        self.app.display_info(f"bundling release {release.name}: {len(names)} files")

    @staticmethod
    def _check_shipped(shipped: Path) -> None:
        """Every file of the shipped release is there with the SHA-256 its SHA256SUMS lists,
        and every table with the one its descriptor lists."""
        folders = [p for p in shipped.iterdir() if (p / "datapackage.json").is_file()]
        if len(folders) != 1:
            raise RuntimeError(f"conflictdata: expected one release in {shipped}, found {folders}")
        folder = folders[0]
        desc = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        expected = {r["path"]: r["hash"].removeprefix("sha256:") for r in desc["resources"]}
        sums = folder / "SHA256SUMS"
        if sums.is_file():
            for line in sums.read_text(encoding="utf-8").splitlines():
                digest, _, name = line.partition("  ")
                expected[name] = digest
        for name, digest in expected.items():
            path = folder / name
            if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
                raise RuntimeError(
                    f"conflictdata: {path} is missing or does not match its release's checksums"
                )

    @staticmethod
    def _check_published(published: Path, fresh: Path, names: list[str]) -> None:
        """A local build of this version must hold the same bytes as the one bundled."""
        if not published.is_dir():
            return
        differing = [
            n
            for n in names
            if not (published / n).is_file()
            or (published / n).read_bytes() != (fresh / n).read_bytes()
        ]
        if differing:
            raise RuntimeError(
                f"conflictdata: {published} differs from the release the seeds build to "
                f"({', '.join(differing)}): a version never changes once built; bump the "
                "version in datapackage.json (or delete that local build if it was never published)"
            )

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        tmp = getattr(self, "_tmp", None)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
