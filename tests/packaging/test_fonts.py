"""The fonts the station package depends on draw the rare name characters. 𠮷 (U+20BB7, CJK
Extension B) and 䶮 (U+4DAE, Extension A) are what the receipt printer's raster path exists for;
WenQuanYi Micro Hei draws both as its empty .notdef box, which is why the .deb depends on
fonts-noto-cjk. Every face of every font file of every font package in the built .deb's Depends
(alternatives included: apt may pick any) is rendered with Pillow and must put real ink down."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import ImageFont

from drivers.printer.raster import load_font
from tests.packaging.deb_files import depends

RARE = ("\U00020bb7", "\u4dae")  # 𠮷 䶮
# Unassigned in Unicode (Greek and Coptic block): no font maps it, so it must count as empty.
UNASSIGNED = "\u0378"
# A noncharacter: every font draws it with .notdef, the box a missing glyph gets.
NOTDEF = "\U0010fffd"
FONT_SUFFIXES = (".ttc", ".otf", ".ttf")


def _font_packages(deb: Path) -> list[str]:
    return [
        alternative.split()[0]
        for relation in depends(deb)
        for alternative in relation.split("|")
        if alternative.strip().startswith("fonts-")
    ]


def _font_files(package: str) -> list[Path]:
    proc = subprocess.run(["dpkg", "-L", package], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.fail(f"{package} is not installed: run packaging/system-deps.sh (it installs it)")
    return sorted(Path(p) for p in proc.stdout.split() if p.endswith(FONT_SUFFIXES))


def _faces(path: Path, size: int = 48) -> list[ImageFont.FreeTypeFont]:
    """Every face in a font file (a .ttc collection holds several: SC, TC, JP, KR, ...)."""
    faces = []
    while True:
        try:
            faces.append(ImageFont.truetype(str(path), size, index=len(faces)))
        except OSError:
            return faces


def draws(font: ImageFont.FreeTypeFont, char: str) -> bool:
    """True if `font` puts ink down for `char` and that ink is not its .notdef box."""
    mask = font.getmask(char)
    if mask.getbbox() is None:
        return False
    notdef = font.getmask(NOTDEF)
    return not (mask.size == notdef.size and bytes(mask) == bytes(notdef))


@pytest.fixture(scope="module")
def faces(debs: dict[str, Path]) -> dict[str, ImageFont.FreeTypeFont]:
    """'file#index family' -> face, for the station package's font dependencies."""
    packages = _font_packages(debs["qihang-kiosk"])
    assert packages, "the station .deb depends on no font package"
    found = {}
    for package in packages:
        files = _font_files(package)
        assert files, f"{package} installs no font file"
        for path in files:
            for index, face in enumerate(_faces(path)):
                found[f"{path.name}#{index} {face.getname()[0]}"] = face
    return found


def test_the_empty_glyph_check_can_fail(faces: dict[str, ImageFont.FreeTypeFont]) -> None:
    for name, face in faces.items():
        assert not draws(face, UNASSIGNED), name
        assert draws(face, "字"), name


@pytest.mark.parametrize("char", RARE, ids=["U+20BB7", "U+4DAE"])
def test_every_depended_font_draws_the_rare_name_characters(
    faces: dict[str, ImageFont.FreeTypeFont], char: str
) -> None:
    empty = [name for name, face in faces.items() if not draws(face, char)]
    assert empty == [], f"{char!r} comes out as an empty box in: {empty}"


def test_the_printer_raster_path_uses_a_depended_font(debs: dict[str, Path]) -> None:
    """drivers/printer/raster.py draws with a file from the packages the .deb depends on."""
    files = {f for p in _font_packages(debs["qihang-kiosk"]) for f in _font_files(p)}
    font = load_font()
    assert Path(str(font.path)) in files
    assert all(draws(font, char) for char in RARE)
