"""The design gallery's partial refresh: the named ideas' sheets remade, the index of all."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from bench.design.gallery import ideas, refresh, slug


def test_a_refresh_remakes_the_named_sheets_and_indexes_every_idea(tmp_path: Path) -> None:
    kept = tmp_path / f"{slug('cat-ear headband')}.webp"
    Image.new("RGB", (8, 8)).save(kept)  # an earlier sheet, not remade: still listed
    failed = refresh(["frog mug"], out=tmp_path, count=8)
    assert failed == []
    sheet = Image.open(tmp_path / "frog-mug.webp")
    assert sheet.width > 600  # a contact sheet of 8 tiles, not a stub
    page = (tmp_path / "README.md").read_text()
    assert "![frog mug](frog-mug.webp)" in page
    assert "![cat-ear headband](cat-ear-headband.webp)" in page and kept.stat().st_size
    assert "## Refused" in page  # the development set's refusals, with their reasons
    missing = page.split("## Not built (a bug to fix)", 1)[1]
    assert "no sheet yet" in missing and len(ideas()) > 100
    assert "*frog mug*" not in missing
