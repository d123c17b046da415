"""Open the bulletin and the 汇总表 as an office suite would: LibreOffice renders them to PDF,
and every page must be A4 and carry something. Skipped where LibreOffice is not installed
(Debian: libreoffice-writer-nogui libreoffice-calc-nogui fonts-noto-cjk poppler-utils)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from bot.deps import Deps
from bot.domain.periods import YearMonth
from bot.exports.files import bulletin_file, workbook_file
from tests.render import calc_available, office_available, page_size_pt, page_text, to_pdf, to_png
from tests.sample_office import seed_office

pytestmark = pytest.mark.skipif(not office_available(), reason="LibreOffice is not installed")

A4 = (595.3, 841.9)  # points


def ink(png: Path) -> float:
    """The share of a page's pixels that are not white."""
    with Image.open(png) as image:
        grey = image.convert("L")
        histogram = grey.histogram()
    return 1 - sum(histogram[245:]) / sum(histogram)


def solid(text: str) -> str:
    return "".join(text.split())


def sample(make_settings: Any, folder: Path, kind: str) -> Path:
    """The sample office's September bulletin or workbook, written to ``folder``."""
    deps = Deps.from_settings(make_settings(bulletin_to="区委、区政府"))
    try:
        seed_office(deps)
        make = bulletin_file if kind == "docx" else workbook_file
        made = make(deps, YearMonth(2026, 9))
    finally:
        deps.close()
    (folder / made.name).write_bytes(made.data)
    return folder / made.name


def test_the_bulletin_renders_on_a4_without_blank_pages(tmp_path: Path, make_settings: Any) -> None:
    bulletin = to_pdf(sample(make_settings, tmp_path, "docx"))
    sizes = page_size_pt(bulletin)
    assert len(sizes) >= 3  # a month of 11 reports with photos is several pages
    assert all(size == pytest.approx(A4, abs=1) for size in sizes)  # portrait A4
    for page in range(1, len(sizes) + 1):
        assert ink(to_png(bulletin, page, tmp_path / f"bulletin-{page}.png", dpi=30)) > 0.01
    first = solid(page_text(bulletin, 1))  # pdftotext spaces out what it lays out
    assert "永川区创建国家健康促进区工作简报" in first and first.endswith("—1—")
    assert "印发" in page_text(bulletin, len(sizes))  # the 版记 closes the last page


@pytest.mark.skipif(not calc_available(), reason="LibreOffice Calc is not installed")
def test_the_workbook_prints_one_page_wide_on_landscape_a4(
    tmp_path: Path, make_settings: Any
) -> None:
    workbook = to_pdf(sample(make_settings, tmp_path, "xlsx"))
    sheets = page_size_pt(workbook)
    assert all(size == pytest.approx(A4[::-1], abs=1) for size in sheets)  # landscape A4
    assert len(sheets) == 4  # one page wide each: 报送情况, 趋势, 本月进展, 任务进度
    for page in range(1, len(sheets) + 1):
        assert ink(to_png(workbook, page, tmp_path / f"sheet-{page}.png", dpi=30)) > 0.01
    trend = solid(page_text(workbook, 2))
    assert "趋势（2026年9月）" in trend and trend.endswith("第2页，共4页")
