"""Decompression bombs against `conflictdata validate`: each is one finding, fast, in bounded
memory.

For gzip, bz2, xz and zip it writes a one-table package whose file expands to ``--expand``
bytes (5 GiB by default) of ``1,a`` rows, and measures `conflictdata validate` on it as a
whole process (wall time, peak RSS via ``os.wait4``), beside the baseline measured in the
same run: the same command on the same table holding ten rows. The bombs are cheap to make:
gzip, bz2 and xz files may hold several members or streams one after the other, so one
compressed 64 MiB block is written as many times as it takes; the zip member is one deflate
stream made of one fully flushed block repeated, with its true CRC-32 and sizes.

    python bench/bombs.py [--expand BYTES] [--json PATH]
"""

from __future__ import annotations

import argparse
import bz2
import json
import lzma
import struct
import sys
import tempfile
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import format_table, run_measured, venv_command

BLOCK = b"1,a\n" * (16 << 20)  # 64 MiB of rows
HEADER = b"id,name\n"


def _repeated(compress_block: bytes, header: bytes, times: int) -> bytes:
    return header + compress_block * times


def gz_bomb(expand: int) -> bytes:
    def member(data: bytes) -> bytes:
        c = zlib.compressobj(9, zlib.DEFLATED, 31)
        return c.compress(data) + c.flush()

    return _repeated(member(BLOCK), member(HEADER), expand // len(BLOCK))


def bz2_bomb(expand: int) -> bytes:
    return _repeated(bz2.compress(BLOCK, 9), bz2.compress(HEADER), expand // len(BLOCK))


def xz_bomb(expand: int) -> bytes:
    return _repeated(lzma.compress(BLOCK, preset=9), lzma.compress(HEADER), expand // len(BLOCK))


def zip_bomb(expand: int) -> bytes:
    """One stored-name member ``t.csv``: a raw deflate stream of the header, then one
    full-flushed block of rows repeated (each starts from an empty window), then the end."""
    times = expand // len(BLOCK)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(HEADER) + c.flush(zlib.Z_FULL_FLUSH)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(BLOCK) + c.flush(zlib.Z_FULL_FLUSH)
    end = zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)
    stream = head + block * times + end
    crc = zlib.crc32(HEADER)
    for _ in range(times):
        crc = zlib.crc32(BLOCK, crc)
    size = len(HEADER) + len(BLOCK) * times
    name = b"t.csv"
    zip64 = struct.pack("<HHQQ", 1, 16, size, len(stream))
    local = struct.pack(
        "<IHHHHHIIIHH",
        0x04034B50,
        45,
        0,
        8,
        0,
        0x21,
        crc,
        0xFFFFFFFF,
        0xFFFFFFFF,
        len(name),
        len(zip64),
    )
    entry = local + name + zip64 + stream
    cd_extra = struct.pack("<HHQQQ", 1, 24, size, len(stream), 0)
    central = (
        struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            45,
            45,
            0,
            8,
            0,
            0x21,
            crc,
            0xFFFFFFFF,
            0xFFFFFFFF,
            len(name),
            len(cd_extra),
            0,
            0,
            0,
            0,
            0,
        )
        + name
        + cd_extra
    )
    cd_offset = len(entry)
    eocd64 = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, 1, 1, len(central), cd_offset)
    locator = struct.pack("<IIQI", 0x07064B50, 0, cd_offset + len(central), 1)
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), cd_offset, 0)
    return entry + central + eocd64 + locator + eocd


BOMBS = {"gz": gz_bomb, "bz2": bz2_bomb, "xz": xz_bomb, "zip": zip_bomb}


def write_package(root: Path, fname: str, data: bytes) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / fname).write_bytes(data)
    fields = [{"name": "id", "type": "integer"}, {"name": "name", "type": "string"}]
    res = {"name": "t", "path": fname, "schema": {"fields": fields}}
    desc = root / "datapackage.json"
    desc.write_text(json.dumps({"name": "bomb", "resources": [res]}), encoding="utf-8")
    return desc


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--expand", type=int, default=5 << 30, help="bytes each bomb expands to")
    ap.add_argument("--json", help="write the figures here too")
    args = ap.parse_args(argv)
    cmd = venv_command("conflictdata")
    rows, figures = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        small = write_package(Path(tmp) / "baseline", "t.csv", HEADER + b"1,a\n" * 10)
        base = run_measured([*cmd, "validate", str(small)])
        rows.append(
            [
                "baseline (10 rows, plain)",
                "-",
                "-",
                f"{base.wall_s:.2f}",
                f"{base.peak_rss_mb:.0f}",
                "-",
                base.stdout.strip().splitlines()[-1],
            ]
        )
        for kind, make in BOMBS.items():
            data = make(args.expand)
            fname = f"t.csv.{kind}"
            desc = write_package(Path(tmp) / kind, fname, data)
            del data
            r = run_measured([*cmd, "validate", str(desc)])
            lines = r.stdout.strip().splitlines()
            finding = lines[0] if len(lines) == 2 else f"rc {r.returncode}: {r.stdout[-300:]}"
            size = (Path(tmp) / kind / fname).stat().st_size
            rows.append(
                [
                    kind,
                    f"{size / (1 << 20):.1f} MiB",
                    f"{args.expand / (1 << 30):.1f} GiB",
                    f"{r.wall_s:.2f}",
                    f"{r.peak_rss_mb:.0f}",
                    f"{r.wall_s / base.wall_s:.1f}x / {r.peak_rss_mb / base.peak_rss_mb:.1f}x",
                    finding[:110],
                ]
            )
            figures[kind] = {
                "compressed_bytes": size,
                "expands_to": args.expand,
                "seconds": r.wall_s,
                "peak_rss_mb": r.peak_rss_mb,
                "returncode": r.returncode,
                "output": r.stdout,
            }
        figures["baseline"] = {"seconds": base.wall_s, "peak_rss_mb": base.peak_rss_mb}
    head = ["file", "stored", "expands to", "s", "peak MiB", "vs baseline", "output"]
    print(format_table(head, rows))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
