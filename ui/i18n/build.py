"""Qt Linguist workflow: `.ts` sources live in the repo, `.qm` files are built from them.

    python -m ui.i18n.build            compile .ts -> .qm (what `make i18n` runs)
    python -m ui.i18n.build --update   refresh .ts from the QML and Python sources (lupdate)
    python -m ui.i18n.build --update --fill words.json
                                       ... then translate unfinished entries from a JSON
                                       object {"English source": "中文"} (exact source match)

English is the source language; ``qihang_zh_CN.ts`` carries the Simplified Chinese UI.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

I18N_DIR = Path(__file__).resolve().parent
UI_DIR = I18N_DIR.parent
TS_FILES = [I18N_DIR / "qihang_zh_CN.ts"]


def _tool(name: str) -> str:
    local = Path(sys.executable).parent / name
    found = str(local) if local.exists() else shutil.which(name)
    if not found:
        raise FileNotFoundError(f"{name} not found; install PySide6 into this environment")
    return found


def sources() -> list[Path]:
    files = sorted(UI_DIR.glob("qml/**/*.qml")) + sorted(UI_DIR.glob("bridge/*.py"))
    return [f for f in files if f.name != "__init__.py"]


def update() -> None:
    args = [str(p) for p in sources()]
    for ts in TS_FILES:
        subprocess.run(
            [_tool("pyside6-lupdate"), *args, "-no-obsolete", "-ts", str(ts)], check=True
        )


def fill(table: dict[str, str]) -> list[str]:
    """Translate every unfinished entry whose source is in ``table``; returns sources left
    unfinished (so the caller sees what still needs words). Edits the entries in place, so
    lupdate's layout of the file is kept."""
    import html
    import re

    entry = re.compile(
        # Never across a </message>: a finished entry must not pair with the next unfinished one.
        r"(<source>)(?P<source>[^<]*)(</source>(?:(?!</message>).)*?<translation) "
        r"type=\"unfinished\"\s*"
        r"(?:/>|>(?P<old>.*?)</translation>)",
        re.DOTALL,
    )
    left: list[str] = []

    def replace(match: re.Match[str]) -> str:
        source = html.unescape(match["source"])
        if source not in table:
            left.append(source)
            return match[0]
        words = html.escape(table[source], quote=False)
        return f"{match[1]}{match['source']}{match[3]}>{words}</translation>"

    for ts in TS_FILES:
        text = ts.read_text(encoding="utf-8")
        ts.write_text(entry.sub(replace, text), encoding="utf-8")
    return left


def ensure_compiled(force: bool = False) -> None:
    """Build each .qm that is missing or older than its .ts (cheap when up to date)."""
    for ts in TS_FILES:
        qm = ts.with_suffix(".qm")
        if force or not qm.exists() or qm.stat().st_mtime < ts.stat().st_mtime:
            subprocess.run(
                [_tool("pyside6-lrelease"), "-silent", str(ts), "-qm", str(qm)], check=True
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="run lupdate first")
    parser.add_argument("--fill", type=Path, help="JSON {source: translation} for new entries")
    args = parser.parse_args()
    if args.update:
        update()
    if args.fill:
        import json

        left = fill(json.loads(args.fill.read_text(encoding="utf-8")))
        for source in left:
            print(f"untranslated: {source!r}", file=sys.stderr)
    ensure_compiled(force=True)


if __name__ == "__main__":
    main()
