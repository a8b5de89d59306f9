"""Hatch build hook: ship the current release (Parquet + release descriptor) inside the wheel.

The release is built from the repository's ``datapackage.json`` by ``conflictdata build`` itself
(run from ``src/`` in a subprocess, into a temporary folder), so a wheel built from a fresh
clone needs nothing prepared and its files are byte-identical to what ``conflictdata build``
writes. It lands in the wheel as ``conflictdata/_bundled/<version>/``, where
``conflictdata.load()`` finds it offline. If ``build/releases/<version>/`` already exists and
differs, the wheel build fails: a published version never changes, bump the version.
Editable installs get no bundled release (load from the cache or a local build instead).

An sdist carries the release it was built with, as ``src/conflictdata/_bundled/<version>/``
(an sdist has no git history, so rebuilding from it could not reproduce the release date);
a wheel built from that sdist ships those files as they are, after checking their hashes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

#: The package-relative folder the loader reads bundled releases from (loader.BUNDLED_DIR).
BUNDLE_PREFIX = "conflictdata/_bundled"


class BundleReleaseHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

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
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(root / "src"), os.environ.get("PYTHONPATH", "")]),
        }
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "conflictdata",
                "build",
                str(descriptor),
                "--out",
                str(self._tmp),
            ],
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            raise RuntimeError(
                "conflictdata: building the release to bundle in the wheel failed "
                f"(exit {proc.returncode}); the wheel needs pandas and pyarrow at build time.\n"
                f"{proc.stdout}{proc.stderr}"
            )
        folders = [
            p for p in self._tmp.iterdir() if p.is_dir() and (p / "datapackage.json").is_file()
        ]
        if len(folders) != 1:
            raise RuntimeError(
                f"conflictdata: expected one release in {self._tmp}, found {folders}"
            )
        release = folders[0]
        desc = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
        names = ["datapackage.json"] + [r["path"] for r in desc["resources"]]
        self._check_published(root / "build" / "releases" / release.name, release, names)
        for name in names:
            build_data["force_include"][str(release / name)] = f"{target}/{release.name}/{name}"
        self.app.display_info(f"bundling release {release.name}: {', '.join(names)}")

    @staticmethod
    def _check_shipped(shipped: Path) -> None:
        """Every file a shipped release descriptor lists is there with its SHA-256."""
        import hashlib

        folders = [p for p in shipped.iterdir() if (p / "datapackage.json").is_file()]
        if len(folders) != 1:
            raise RuntimeError(f"conflictdata: expected one release in {shipped}, found {folders}")
        desc = json.loads((folders[0] / "datapackage.json").read_text(encoding="utf-8"))
        for r in desc["resources"]:
            path = folders[0] / r["path"]
            if (
                not path.is_file()
                or "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest() != r["hash"]
            ):
                raise RuntimeError(
                    f"conflictdata: {path} is missing or does not match its release descriptor"
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
