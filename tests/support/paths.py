"""Where things are in the repository, for tests at any depth."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TESTS = REPO / "tests"
FIXTURES = TESTS / "fixtures"
SRC = REPO / "src"
PKG = SRC / "conflictdata"
