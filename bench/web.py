"""The web console at the size of a city: the matrix page and a unit page with 100 photos.

On the data set of bench/summary.py (N units x 24 months, generated the same way), in one
process and one run:

- the 报送情况 matrix page (over HTTP, logged in) against the same month's Excel 汇总表 —
  target: the page costs no more than the export (ratio <= 1);
- a unit page with 100 photos, viewed twice, each view fetching the page and every thumbnail
  as a browser without a cache would — target: the second view encodes no photo (thumbnails
  are made once and kept under the data dir).

Nothing is asserted.

    python bench/web.py            # 1 000 units, 24 months, best of 5
    python bench/web.py --quick    # 100 units, as CI runs it so it never rots
"""

from __future__ import annotations

import argparse
import asyncio
import io
import re
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer
from PIL import Image
from sqlmodel import select
from summary import generate, timed

from bot.clock import ManualClock
from bot.config import Settings
from bot.deps import Deps
from bot.domain import web_access
from bot.domain.people import Requester
from bot.domain.periods import YearMonth
from bot.exports.workbook import build_workbook
from bot.web import build_web_app
from bot.web.console import CONSOLE
from storage.migrate import upgrade_database
from storage.models import Evidence, EvidenceKind, OfficeRole, Submission, Transport
from storage.repo_people import add_person_with_identity, grant_office_role

PHOTOS = 100


def photo(number: int) -> bytes:
    """A distinct 1280x960 JPEG, noisy enough to cost what a phone photo costs to decode."""
    image = Image.effect_noise((1280, 960), 40 + number % 30).convert("RGB")
    image.putpixel((number % 1280, 0), (number % 256, 0, 0))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def add_photos(deps: Deps, unit_id: int, period: YearMonth) -> None:
    """100 photos on the unit's month (with a submission, so the office may see them)."""
    with deps.db.session() as session:
        submitted = session.exec(
            select(Submission).where(
                Submission.unit_id == unit_id, Submission.period == str(period)
            )
        ).first()
        if submitted is None:
            session.add(Submission(unit_id=unit_id, period=str(period), due_date=date(2026, 12, 28),
                                   submitted_at=datetime(2026, 12, 20, tzinfo=UTC)))  # fmt: skip
        for number in range(PHOTOS):
            stored = deps.files.put_bytes(photo(number))
            session.add(
                Evidence(unit_id=unit_id, period=str(period), sha256=stored.sha256,
                         kind=EvidenceKind.PHOTO, file_name=f"{number}.jpg",
                         mime_type="image/jpeg", size=stored.size, caption=f"活动{number}")
            )  # fmt: skip


def login_token(deps: Deps) -> str:
    with deps.db.session() as session:
        person = add_person_with_identity(
            session=session, name="陈静", transport=Transport.TELEGRAM, external_id="9001",
            chat_id="9001",
        )  # fmt: skip
        assert person.id is not None
        grant_office_role(session=session, person_id=person.id, role=OfficeRole.ADMIN)
        who = Requester(person.id, person.name, OfficeRole.ADMIN)
        token = web_access.issue_link(session=session, who=who, now=deps.clock.now())
    assert token is not None
    return token


async def measure(units: int, folder: Path, repeat: int) -> dict[str, float]:
    settings = Settings(
        _env_file=None, database_url=f"sqlite:///{folder / 'web.db'}", data_dir=folder / "data",
        web_port=8090, web_base_url="http://bench.local",
    )  # fmt: skip
    deps = Deps.from_settings(settings)
    upgrade_database(deps.db.engine)
    last = generate(deps, units)
    now = datetime(last.next().year, last.next().month, 15, tzinfo=UTC)
    deps.clock = ManualClock(now)
    add_photos(deps, 1, last)
    app = build_web_app(deps)
    figures: dict[str, float] = {"units": float(units)}
    async with TestClient(TestServer(app)) as client:
        await client.post("/login", data={"token": login_token(deps)}, allow_redirects=False)

        async def matrix_page() -> None:
            response = await client.get(f"/matrix?period={last}")
            assert response.status == 200 and '<table class="matrix">' in await response.text()

        async def unit_view() -> int:
            page = await (await client.get("/unit/1")).text()
            thumbs = re.findall(r'src="(/thumb/[0-9a-f]{64})"', page)
            for url in thumbs:
                assert (await client.get(url)).status == 200
            return len(thumbs)

        figures["matrix_s"] = await timed_async(matrix_page, repeat)

        def workbook() -> bytes:
            with deps.db.session() as session:
                return build_workbook(session=session, period=last, now=now, tz=settings.tz,
                                      renderer=deps.renderer)  # fmt: skip

        figures["xlsx_s"] = timed(workbook, repeat)
        thumbs = app[CONSOLE].thumbs
        started = time.perf_counter()
        figures["thumbs"] = float(await unit_view())
        figures["first_s"], figures["first_encodes"] = time.perf_counter() - started, thumbs.encodes
        started = time.perf_counter()
        await unit_view()
        figures["second_s"] = time.perf_counter() - started
        figures["second_encodes"] = thumbs.encodes - figures["first_encodes"]
    deps.close()
    return figures


async def timed_async(action: Callable[[], Awaitable[None]], repeat: int) -> float:
    """The best of ``repeat`` runs, as ``summary.timed`` for a coroutine."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        await action()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 units (CI)")
    args = parser.parse_args()
    units, repeat = (100, 1) if args.quick else (1000, 5)
    with tempfile.TemporaryDirectory() as folder:
        figures = asyncio.run(measure(units, Path(folder), repeat))
    ratio = figures["matrix_s"] / figures["xlsx_s"]
    print(f"units {units}, months 24; best of {repeat}")
    print(f"matrix page {figures['matrix_s']:.3f} s, same month's xlsx {figures['xlsx_s']:.3f} s: "
          f"ratio {ratio:.2f} (target <= 1)")  # fmt: skip
    first, second = int(figures["first_encodes"]), int(figures["second_encodes"])
    print(f"unit page with {int(figures['thumbs'])} photos, page + every thumbnail: "
          f"first view {figures['first_s']:.2f} s ({first} encodes), "
          f"second view {figures['second_s']:.2f} s ({second} encodes; target 0)")  # fmt: skip


if __name__ == "__main__":
    main()
