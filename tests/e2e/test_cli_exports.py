"""`liaison-bot summary` and `liaison-bot export` on a month the office has data for."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from docx import Document
from openpyxl import load_workbook

from bot.clock import ManualClock
from bot.deps import Deps
from storage.migrate import upgrade_database
from tests.e2e.seed import backdate_units, seed_liaison, seed_report, seed_units
from tests.e2e.test_cli import run_cli
from tests.e2e.test_schedule import moment
from tests.e2e.test_summary import picture


def seeded(make_settings: Any) -> dict[str, str]:
    settings = make_settings()
    deps = Deps.from_settings(settings, clock=ManualClock(moment("2026-09-01 10:00")))
    upgrade_database(deps.db.engine)
    seed_liaison(deps, telegram_id=1001, name="王芳", unit_names=["区卫生健康委"])
    seed_liaison(deps, telegram_id=1002, name="李强", unit_names=["区教委"])
    seed_units(deps, "区总工会")
    backdate_units(deps, moment("2026-01-01 00:00"))
    seed_report(
        deps, unit_name="区卫生健康委", period="2026-09", submitted_at=moment("2026-09-28 10:00"),
        photos=((picture(1), "义诊"),),
    )  # fmt: skip
    deps.close()
    return {"DATABASE_URL": settings.database_url, "DATA_DIR": str(settings.data_dir)}


def test_summary_prints_the_month(tmp_path: Path, make_settings: Any) -> None:
    env = seeded(make_settings)
    result = run_cli("summary", "--period", "2026-09", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "2026-09 汇总（截止 2026-09-30）" in result.stdout
    assert "应报 3 个单位，已报 1 / 3：按时 1，逾期 0，未报 1，未登记联络员 1" in result.stdout
    assert "\n未报：区教委\n" in result.stdout
    assert "liaison-bot export --period 2026-09" in result.stdout
    assert "<b>" not in result.stdout
    bad = run_cli("summary", "--period", "九月", cwd=tmp_path, env=env)
    assert bad.returncode == 2 and "YYYY-MM" in bad.stderr


def test_export_writes_the_chosen_files_or_all_three(tmp_path: Path, make_settings: Any) -> None:
    env = seeded(make_settings)
    chosen = run_cli(
        "export", "--period", "2026-09", "--xlsx", "out/汇总.xlsx", "--zip", "out/p.zip",
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert chosen.returncode == 0, chosen.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["p.zip", "汇总.xlsx"]
    sheet = load_workbook(tmp_path / "out" / "汇总.xlsx")["报送情况"]
    assert [c.value for c in sheet[4]][9] == "按时"  # under the title rows
    archive = zipfile.ZipFile(tmp_path / "out" / "p.zip")
    assert "区卫生健康委/2026-09/2026-09-28_义诊.jpg" in archive.namelist()

    folder = tmp_path / "all"
    folder.mkdir()
    every = run_cli("export", "--period", "2026-09", "--issue", "7", cwd=folder, env=env)
    assert every.returncode == 0, every.stderr
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["2026-09_工作简报.docx", "2026-09_汇总表.xlsx", "2026-09_照片.zip"]
    bulletin = Document(io.BytesIO((folder / "2026-09_工作简报.docx").read_bytes()))
    assert bulletin.paragraphs[1].text == "2026年第7期"
    assert len(bulletin.inline_shapes) == 1


def test_the_issue_number_is_kept_and_counted_on(tmp_path: Path, make_settings: Any) -> None:
    """--issue sets September's 期号 (going on from a paper series); exporting September
    again prints the same number, October takes the next, and a taken number is refused."""
    env = seeded(make_settings)

    def issue(*args: str) -> str:
        made = run_cli("export", *args, "--docx", "b.docx", cwd=tmp_path, env=env)
        assert made.returncode == 0, made.stderr
        return str(Document(str(tmp_path / "b.docx")).paragraphs[1].text)

    assert issue("--period", "2026-09", "--issue", "7") == "2026年第7期"
    assert issue("--period", "2026-09") == "2026年第7期"
    assert issue("--period", "2026-10") == "2026年第8期"
    taken = run_cli("export", "--period", "2026-11", "--issue", "7", "--docx", "c.docx",
                    cwd=tmp_path, env=env)  # fmt: skip
    assert taken.returncode == 1 and "2026-09" in taken.stderr
    assert not (tmp_path / "c.docx").exists()
    assert issue("--period", "2026-11") == "2026年第9期"
