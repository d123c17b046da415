"""Make the README's pictures of the office documents, from the sample office's September.

    apt-get install -y libreoffice-writer-nogui libreoffice-calc-nogui fonts-noto-cjk poppler-utils
    .venv/bin/python docs/pictures.py

Seeds a fresh SQLite database with ``tests/sample_office.py`` (a year of reports of a district
campaign), makes the 工作简报 and the 汇总表 as the office would, renders them with LibreOffice
(fonts mapped by docs/fonts.conf) and writes docs/bulletin.png (its first page and the page
with the 报送情况 table) and docs/trend-sheet.png (the 趋势 sheet as printed).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.deps import Deps  # noqa: E402
from bot.domain.periods import YearMonth  # noqa: E402
from bot.exports.files import bulletin_file, workbook_file  # noqa: E402
from tests.render import page_size_pt, page_text, to_pdf, to_png  # noqa: E402
from tests.sample_office import seed_office  # noqa: E402


def side_by_side(pictures: list[Path], out: Path) -> None:
    """Pages next to each other on a grey ground, as a viewer shows them."""
    images = [Image.open(picture) for picture in pictures]
    gap = 16
    width = sum(image.width for image in images) + gap * (len(images) + 1)
    height = max(image.height for image in images) + 2 * gap
    sheet = Image.new("RGB", (width, height), (128, 128, 128))
    left = gap
    for image in images:
        sheet.paste(image, (left, gap))
        left += image.width + gap
    sheet.save(out, optimize=True)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="pictures-") as folder:
        work = Path(folder)
        settings = Settings(
            _env_file=None, telegram_bot_token="1:pictures", database_url=f"sqlite:///{work}/db",
            data_dir=work / "data", bulletin_to="区委、区政府", bulletin_cc="市爱卫办",
            bulletin_distribute="各成员单位",
        )  # fmt: skip
        deps = Deps.from_settings(settings)
        try:
            seed_office(deps)
            made = [
                bulletin_file(deps, YearMonth(2026, 9)),
                workbook_file(deps, YearMonth(2026, 9)),
            ]
        finally:
            deps.close()
        for file in made:
            (work / file.name).write_bytes(file.data)
        bulletin = to_pdf(work / made[0].name)
        pages = range(1, len(page_size_pt(bulletin)) + 1)
        table = next(n for n in pages if "五、报送情况" in "".join(page_text(bulletin, n).split()))
        side_by_side(
            [to_png(bulletin, n, work / f"page-{n}.png", dpi=60) for n in (1, table)],
            ROOT / "docs" / "bulletin.png",
        )
        workbook = to_pdf(work / made[1].name)
        pages = range(1, len(page_size_pt(workbook)) + 1)
        page = next(n for n in pages if "趋势" in page_text(workbook, n))
        to_png(workbook, page, ROOT / "docs" / "trend-sheet.png", dpi=90)
    print("docs/bulletin.png docs/trend-sheet.png")  # noqa: T201


if __name__ == "__main__":
    main()
