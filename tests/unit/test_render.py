"""Templates: both locales complete, all render, user text escaped; message splitting."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.due_dates import Rule
from bot.fakes.telegram.html import html_to_plain
from messages.render import LOCALES, Renderer, split_text
from storage.models import ShiftDirection

# One sample context per template: adding a template without a sample fails the test below.
SAMPLES: dict[str, dict[str, Any]] = {
    "bot_commands": {},
    "reminder": {"step": "before", "unit": "区教委", "period": "2026-09", "due": "2026-09-30",
                 "weekday": 3},
    "digest": {"exempt": ["区文旅委"], "extended": [("区教委", "2026-10-15")], "open": False,
               "reported": 2, "pending": [], "new": ["区科协"],
               "period": "2026-09", "due": "2026-09-30", "total": 3, "on_time": 1,
               "late": [("区教委", 2)], "missing": ["区民政局"], "no_liaison": ["区总工会"],
               "no_progress": 1, "on_time_rate": 33, "unconfirmed_count": 7, "stale_months": 3,
               "unconfirmed": [("1.2", "健康知识普及行动"), ("2.1", "控烟")]},
    "task_alert": {"kind": "task_soon", "items": [{"code": "1.1", "content": "建设健康步道",
                   "deadline": "2026-10-16", "deadline_raw": "2026年10月中旬"}]},
    "blocked_notice": {"items": [{"name": "李强", "units": ["区教委"]}]},
    "rule_summary": {"rule": Rule(nominal_day=25, shift=ShiftDirection.PREVIOUS, grace_workdays=2)},
    "summary": {"exempt": ["区文旅委"], "extended": [("区教委", "2026-10-15")], "open": True,
                "reported": 2, "pending": ["区卫健委"], "new": [],
               "period": "2026-09", "due": "2026-09-30", "total": 3, "on_time": 1,
                "late": [("区教委", 2)], "missing": ["区民政局"], "no_liaison": ["区总工会"],
                "no_progress": 0, "on_time_rate": 33,
                "behind": [{"code": "1.1", "content": "建设健康步道", "unit": "区教委",
                            "status": "behind", "reason": "经费", "month": "2026-08"}],
                "unconfirmed_count": 0, "unconfirmed": [], "stale_months": 3},
    "missing": {"period": "2026-09", "due": "2026-09-30", "missing": ["区民政局"], "open": False,
                "total": 4, "reported": 2, "pending": [], "new": ["区科协"],
                "no_liaison": ["区总工会"]},
    "behind": {"period": "2026-09", "behind": [{"code": "1.1", "content": "建设健康步道",
               "unit": "区教委", "status": "stalled", "reason": "", "month": "2026-07",
               "confirmed": "2026-09"}],
               "unconfirmed_count": 1, "stale_months": 3, "unconfirmed": [("1.2", "控烟")]},
    "export_too_big": {"file": "2026-09_照片.zip", "size_mb": 61.2, "limit_mb": 50,
                       "period": "2026-09"},
    "export_failed": {"period": "2026-09"},
    "review_queue": {"items": [{"unit": "区教委"}], "shown": 30},
    "review_submission": {"unit": "区教委", "period": "2026-09", "version": 2,
        "state": "resubmitted",
        "submission": {"kind": "report", "work_done": "培训", "problems": "", "coordination": "",
                       "next_plan": "继续", "document_count": 1},
        "tasks": [{"code": "1.1", "content": "步道", "status": "behind", "reason": "经费"}],
        "indicators": [{"name": "比例", "raw": "8/20", "skipped": False}], "photos": 2,
        "files": [{"first": 12, "last": 13, "count": 2, "photo": True, "text": "11月5日·义诊"},
                  {"first": 14, "last": 14, "count": 1, "photo": False, "text": "方案.pdf"}],
        "history": [
            {"action": "submitted", "who": "李强", "comment": "",
             "at": datetime(2026, 9, 28, 10, 0, tzinfo=UTC)},
            {"action": "returned", "who": "陈静", "comment": "请补充",
             "at": datetime(2026, 9, 29, 10, 0, tzinfo=UTC)},
        ]},
    "review_already_decided": {},
    "review_approved": {"unit": "区教委", "period": "2026-09", "version": 2},
    "review_approved_liaison": {"unit": "区教委", "period": "2026-09"},
    "review_ask_comment": {"unit": "区教委", "period": "2026-09"},
    "review_comment_empty": {},
    "review_comment_too_long": {"limit": 1000},
    "review_comment_cancelled": {},
    "review_returned": {"unit": "区教委", "period": "2026-09"},
    "review_returned_liaison": {"unit": "区教委", "period": "2026-09", "comment": "请补充照片"},
    "period_locked": {"period": "2026-09"},
    "period_unlocked": {"period": "2026-09"},
    "report_locked": {"unit": "区教委", "period": "2026-09"},
    "exception_granted": {"unit": "区教委", "period": "2026-09", "kind": "extension",
                          "due": "2026-10-15", "reason": "国庆"},
    "review_no_campaign": {},
    "web_link": {"url": "https://bot.example.org/console/login/abc", "minutes": 10, "hours": 8},
    "web_off": {},
    "web_logged_out": {"count": 2},
    "review_usage": {},
    "review_notice": {"count": 3, "oldest": "区教委 2026-09"},
    "remind_liaison": {"unit": "区教委", "period": "2026-09", "due": "2026-09-30"},
    "remind_preview": {"period": "2026-09", "missing": ["区教委", "区民政局"], "open": True},
    "remind_done": {"outside_hours": False, "units": ["区教委"], "skipped": ["区民政局"],
                    "unknown": ["某局"], "blocked": 1},
    "error_generic": {},
    "wecom_choices": {"choices": "1 完成 · 2 跳过"},
    "wecom_card_chosen": {"label": "完成"},
    "wecom_card_hint": {},
    "wecom_words": {"wecom": True, "words": "报送、进度、取消"},
    "error_storage_full": {},
    "error_busy": {},
    "free_text_hint": {"registered": True},
    "help_liaison": {"words": "报送、进度"},
    "help_office": {"admin": True, "words": "汇总、催报"},
    "help_stranger": {},
    "not_registered": {},
    "start_liaison": {"name": "王芳", "units": ["区卫生健康委", "卫星湖街道"]},
    "start_office": {"name": "陈静", "role": "admin"},
    "start_stranger": {"bot_name": "创建办联络助手"},
    "unknown_command": {"command": "/foo"},
    "unsupported_content": {},
    "office_only": {},
    "admin_only": {},
    "liaison_only": {},
    "not_your_unit": {},
    "invite_locked": {"minutes": 42},
    "invite_invalid": {"remaining": 3},
    "invite_used": {},
    "invite_expired": {},
    "registration_ask_name": {"unit": "区教委", "role": "backup"},
    "registration_ask_phone": {"unit": "区教委", "role": "main"},
    "registration_confirm_pending": {"unit": "区教委", "role": "main"},
    "registration_bad_name": {},
    "registration_bad_phone": {},
    "registration_not_own_contact": {},
    "registration_done": {"unit": "区教委", "role": "main", "name": "王芳"},
    "registration_already": {"unit": "区教委", "role": "main", "name": "王芳"},
    "registration_pending": {"unit": "区教委", "role": "main", "name": "王芳"},
    "registration_cancelled": {},
    "nothing_to_cancel": {},
    "change_request": {"unit": "区教委", "new_name": "王芳", "old_name": "李强"},
    "change_already_decided": {},
    "change_approved": {"unit": "区教委", "name": "王芳"},
    "change_rejected": {"unit": "区教委", "name": "王芳"},
    "change_approved_ok": {"unit": "区教委", "name": "王芳"},
    "change_rejected_ok": {"unit": "区教委", "name": "王芳"},
    "liaison_replaced": {"unit": "区教委"},
    "invite_usage": {},
    "invite_no_unit": {"name": "不存在"},
    "invite_pick_unit": {"count": 2},
    "invite_issued": {
        "invites": [
            {"unit": "区教委", "role": "main", "replacement": True, "link": "https://t.me/b?start=x",
             "code": "x", "expires": "2026-12-07"}
        ],
        "wecom_on": True,
    },
    "office_usage": {},
    "office_list": {"users": [("陈静", "admin")]},
    "office_role_granted": {"name": "陈静", "role": "staff"},
    "office_role_revoked": {"name": "陈静", "role": ""},
    "office_unknown_person": {"id": "42"},
    "roster": {"rows": [], "registered": 0},
    "whoami": {"name": "王芳", "role": "", "units": []},
    "import_already_done": {},
    "import_cancelled": {"file": "a.xlsx"},
    "import_too_big": {"file": "a.xlsx"},
    "import_failed": {"file": "a.xlsx", "reason": "corrupt"},
    "units_table": {"rows": [{"full_name": "区教委", "short_name": "", "category": "township",
                              "registered": True}]},
    "tasks_table": {"rows": [{"code": "1.1", "category": "一", "content": "x & y", "lead": ["甲"],
                              "cooperating": [], "deadline_raw": "2022年", "deadline_kind": "date",
                              "deadline_date": "2022-12-31", "asked": "past"}]},
    "import_report": {
        "file": "a.xlsx", "campaign": "", "dry_run": False, "title": "永川区创建健康区",
        "identity": {"name": "", "kind": "", "region": "", "region_word": "", "office_name": ""},
        "units": {"created": 1, "updated": 0, "unchanged": 2},
        "tasks": {"created": 1, "updated": 0, "unchanged": 2},
        "indicators": {"created": 0, "updated": 0, "unchanged": 0},
        "units_created": ["区教委"],
        "units_matched": ["区总工会"],
        "suspected": [{"name": "区教委会", "where": ["S:2"], "more_places": 1, "creatable": True,
                       "candidates": [{"name": "区教委", "full_name": "永川区教育委员会"}]}],
        "unknown": [{"name": "卫星湖街道办", "where": ["S:3"], "more_places": 0,
                     "creatable": True, "candidates": []}],
        "ignored": 1, "empty_groups": ["1.1 各镇街"], "links_completed": ["2.1 各镇街"],
        "missing_tasks": [{"code": "9.9", "content": "旧任务"}], "tasks_retired": 0,
        "common_duties": True, "cli_file": "a.xlsx",
        "problems": [("unmatched", [{"where": "S:3", "reason": "", "text": "<x>"}]),
                     ("skipped", [{"where": "S:4", "reason": "not_a_unit", "text": "组长"}])],
        "limit": 1,
    },
    "import_name_question": {"name": "区教委会", "where": ["表1:5"], "left": 3,
                             "candidates": [{"name": "区教委", "full_name": "永川区教育委员会"}],
                             "answered": {"kind": "alias", "name": "区卫生建康委",
                                          "unit": "区卫生健康委"}},
    "unit_changed": {"action": "merged", "source": "区卫生建康委", "target": "区卫生健康委",
                     "from_period": "2026-11", "months_moved": ["2026-11"],
                     "months_kept_apart": [], "liaisons": 1, "links": 3, "aliases": 1},
    "unit_refused": {"reason": "merge_conflict", "source": "甲", "target": "乙",
                     "months": ["2026-11"], "cli": True},
    "unit_admin_usage": {"command": "merge"},
    "alias_list": {"rows": [{"name": "区教委会", "unit": "永川区教育委员会"},
                            {"name": "县医改办", "unit": ""}]},
    "campaign_identity": {"identity": {"name": "永川区创建国家健康促进区", "kind": "健康促进区",
                                       "region": "永川区", "region_word": "区",
                                       "office_name": ""}, "changed": True},
    "campaign_refused": {"field": "region_word", "value": "省"},
}  # fmt: skip


def _calendar_samples() -> dict[str, dict[str, Any]]:
    from bot.domain.calendar_admin import YearView
    from bot.domain.due_dates import Rule, due_date
    from bot.domain.periods import YearMonth
    from bot.domain.workdays import WorkCalendar

    calendar = WorkCalendar()
    year = [due_date(YearMonth(2025, m), Rule(), calendar) for m in range(1, 13)]
    days = [calendar.info(d.nominal) for d in year]
    return {
        "deadlines_table": {"deadlines": year},
        "calendar_uncovered": {"year": 2027},
        "calendar_year": {"view": YearView(2025, True, True, days)},
        "calendar_changed": {"first": "2027-02-06", "last": "2027-02-13", "workday": False,
                             "note": "春节", "count": 8, "removed": None},
        "calendar_usage": {},
    }  # fmt: skip


SAMPLES.update(_calendar_samples())
_REPORT = {"unit": "区教委", "period": "2026-11"}


def _month() -> Any:
    from bot.domain.standing import Standing, UnitStanding
    from bot.domain.unit_record import MonthRecord

    standing = UnitStanding(1, "区教委", "区教育委员会", Standing.LATE, workdays_late=1)
    return MonthRecord("2026-11", standing, _status_row().submission, 2, "11-23")


def _files() -> Any:
    from bot.domain.evidence import Counts

    return Counts(photos=3, documents=1, uncaptioned=2)


def _status_row() -> Any:
    from datetime import date

    from bot.domain.report_status import UnitStatus
    from storage.models import Submission, SubmissionKind

    done = Submission(unit_id=1, period="2026-11", version=2, kind=SubmissionKind.NO_PROGRESS,
                      due_date=date(2026, 11, 30), workdays_late=1)  # fmt: skip
    return UnitStatus("区教委", "2026-11", "2026-11-30", True, done, "review")


SAMPLES.update(
    {
        "report_pick_unit": {"period": "2026-11"},
        "report_ask_work": {**_REPORT, "so_far": 12},
        "report_work_added": {"chars": 12},
        "report_work_empty": {},
        "report_ask_problems": _REPORT,
        "report_ask_coordination": _REPORT,
        "report_ask_plan": _REPORT,
        "report_review": {**_REPORT, "work_done": "<义诊>", "problems": "", "coordination": "x",
                          "next_plan": "", "files": _files(),
                          "tasks": [{"code": "1.1.1", "content": "建立专家库", "status": "behind",
                                     "reason": "经费"}],
                          "tasks_total": 77, "tasks_same": 76, "tasks_first_time": False,
                          "indicators": [{"name": "健康学校", "raw": "12/20", "skipped": False},
                                         {"name": "吸烟率", "raw": "", "skipped": True}]},
        "report_use_buttons": {},
        "report_pick_section": {},
        "report_too_long": {"limit": 20000},
        "report_stale": {},
        "report_cancel_confirm": {"unit": "区教委"},
        "report_discarded": _REPORT,
        "report_paused": {},
        "report_submitted": {**_REPORT, "version": 2, "late": 1, "due": "2026-11-30",
                             "no_progress": False},
        "report_already_submitted": _REPORT,
        "report_has_content": {},
        "report_status": {"rows": [_status_row()]},
        "report_ask_evidence": {**_REPORT, "files": _files()},
        "evidence_received": {"new_photos": 10, "new_documents": 1, "duplicates": 1,
                              "files": _files()},
        "evidence_captioned": {"count": 2},
        "evidence_send_files": {},
        "evidence_too_big": {"file": "a.mp4"},
        "evidence_wrong_type": {"file": "a.exe"},
        "report_file_without_report": {},
        "task_ask_status": {"task": {"code": "1.1", "content": "x", "deadline": ""},
                            "status": "behind"},
        "task_start": {"total": 77, "counts": [("on_track", 76), ("behind", 1)], "new": 0},
        "task_page": {"lines": [{"n": "1", "code": "1.1", "content": "<建立>专家库", "status":
                                 "on_track", "when": "last"},
                                {"n": "2", "code": "1.2", "content": "x", "status": "",
                                 "when": ""}],
                      "page": 1, "pages": 10, "total": 77, "changed": 1,
                      "note": {"code": "1.1", "status": "behind", "reason": "<经费>"}},
        "report_all_tasks": {"tasks": [{"code": "1.1", "content": "x", "status": "behind",
                                        "reason": "经费", "changed": "1"}]},
        "task_changed": {"action": "closed", "code": "1.1", "content": "<x>", "on": False},
        "task_refused": {"reason": "task_not_found", "code": "9.9"},
        "task_ask_reason": {"task": {"code": "1.1"}, "status": "stalled"},
        "task_use_buttons": {},
        "indicator_ask_value": {"name": "健康促进学校比例", "target": "≥50%", "position": 1,
                                "total": 2},
        "indicator_bad_value": {"name": "健康促进学校比例"},
        "unit_usage": {},
        "report_pick_period": {"unit": "区教委", "previous": "2026-11", "current": "2026-12"},
        "unit_ambiguous": {"name": "卫星湖", "names": ["卫星湖街道", "卫星湖卫生院"]},
        "unit_history": {"unit": "区教委", "history": [_month()]},
    }
)  # fmt: skip


def _framework_report() -> Any:
    from bot.archive.framework_import import FrameworkReport
    from bot.domain.importing.plan import Where

    return FrameworkReport(
        "健康县区评估细则", "2024版", "health_county", levels={1: 2, 2: 5}, created=7, core=1,
        points=10.0, units_matched=["区卫健委"], unmatched=[(Where("Sheet1", 5), "区某某局")],
        groups=[(Where("Sheet1", 3), "各成员单位")], skipped=[(Where("Sheet1", 9), "说明")],
        indicators_linked=["健康社区比例"],
    )  # fmt: skip


def _link_report() -> Any:
    from bot.archive.links import LinkReport
    from bot.domain.importing.plan import Where

    return LinkReport([("1.1", "2.3 健康社区")], [(Where("表1", 4), "9.9")],
                      [(Where("表1", 5), "3.1")])  # fmt: skip


_ACK = {"new_photos": 3, "new_documents": 0, "duplicates": 0, "files": _files()}
SAMPLES.update(  # the evaluation archive (issue 24)
    {
        "archive_album": {**_ACK, "ask": ["地点", "人物", "背景"], "choices": True, "count": 3},
        "archive_album_tagged": {"count": 3, "label": "2.3 健康社区"},
        "archive_usage": {},
        "archive_no_framework": {"name": "健康县区"},
        "archive_made": {"year": 2026, "items": 12, "files": 11, "pages": 30, "parts": 2,
                         "indicators": 8, "covered": 5},
        "archive_too_big": {"file": "2026年度台账.zip", "size_mb": 61.2, "limit_mb": 50,
                            "year": 2026},
        "archive_coverage": {"year": 2026, "total": 8, "covered": 5,
                             "gaps": [{"unit": "区教委", "indicators": ["2.4 健康学校"]},
                                      {"unit": "", "indicators": ["3.1 <未定>"]}]},
        "archive_nudge": {"unit": "区教委", "year": 2026, "indicators": ["2.4 健康学校"]},
        "archive_nudged": {"units": ["区教委"], "skipped": ["区民政局"], "blocked": 1,
                           "year": 2026},
        "archive_evidence": {"id": 12, "unit": "区教委", "period": "2026-11", "kind": "photo",
                             "caption": "义诊", "title": "义诊", "doc_number": "某政办〔2026〕1号",
                             "tags": ["2.3 健康社区"], "chosen": False, "framework": True},
        "archive_evidence_usage": {},
        "archive_evidence_unknown": {"token": "#99"},
        "archive_unknown_codes": {"codes": ["9.9"]},
        "framework_report": {"report": _framework_report()},
        "framework_failed": {"file": "细则.xlsx", "reason": "nothing_recognised"},
        "framework_list": {"rows": []},
        "framework_items": {"rows": []},
        "framework_links": {"report": _link_report(), "dry_run": True},
        "framework_suggestions": {"suggestions": [], "confirmed": False},
    }
)  # fmt: skip


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def test_every_locale_has_the_same_templates(renderer: Renderer) -> None:
    names = {locale: renderer.template_names(locale) for locale in LOCALES}
    assert (
        names["zh-CN"]
        == names["en"]
        == sorted(
            [
                *SAMPLES,
                "buttons",
                "import_problem_titles",
                "labels",
                "standing_block",
                "unconfirmed_block",
            ]
        )
    )


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("template", sorted(SAMPLES))
def test_template_renders_valid_telegram_html(
    renderer: Renderer, locale: str, template: str
) -> None:
    text = renderer.render(template, locale=locale, **SAMPLES[template])
    assert text.strip()
    html_to_plain(text)  # raises on markup Telegram would refuse


@pytest.mark.parametrize("locale", LOCALES)
def test_every_button_label_exists(renderer: Renderer, locale: str) -> None:
    names = ["share_phone", "skip_phone", "approve_change", "reject_change", "confirm_import",
             "cancel_import", "work_done", "no_progress", "skip", "submit", "edit", "cancel_report",
             "discard", "resume", "section_work", "section_problems", "section_coordination",
             "section_plan", "section_evidence", "section_tasks", "status_on_track",
             "status_ahead", "status_behind", "status_stalled", "status_done",
             "status_no_progress", "section_indicators", "start_report", "export_xlsx",
             "export_docx", "export_zip",
             "approve", "return_report", "revise_report", "name_new", "name_ignore"]  # fmt: skip
    with_values: list[tuple[str, dict[str, Any]]] = [
                   ("unit", {"name": "区教委"}), ("late_month", {"period": "2026-11"}),
                   ("remind_all", {"count": 3}),
                   ("review_item", {"unit": "区教委", "period": "2026-09", "state": "resubmitted"}),
                   ("this_month", {"period": "2026-12"}), ("name_is", {"name": "区教委"}),
                   ("name_new_all", {"count": 3}),
                   ("confirm_import_retire", {"count": 2}),
                   ("archive_tag", {"label": "2.3 健康社区"}), ("archive_nudge", {"count": 2}),
                   ("archive_toggle", {"label": "2.3 健康社区", "on": True})]  # fmt: skip
    for name, values in [*[(n, {}) for n in names], *with_values]:
        assert renderer.button_label(name, locale=locale, **values)


def test_default_locale_is_chinese(renderer: Renderer) -> None:
    assert "没有" in renderer.render("unknown_command", command="/x")
    assert "There is no command" in Renderer("en").render("unknown_command", command="/x")


WECOM_WORDING: dict[str, dict[str, Any]] = {
    "not_registered": {}, "free_text_hint": {"registered": False}, "help_stranger": {},
    "start_stranger": {"bot_name": ""},
}  # fmt: skip


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("template", sorted(WECOM_WORDING))
def test_wecom_members_are_told_to_type_the_code_not_to_open_a_link(
    renderer: Renderer, locale: str, template: str
) -> None:
    on_wecom = renderer.render(template, locale=locale, wecom=True, **WECOM_WORDING[template])
    on_telegram = renderer.render(template, locale=locale, **WECOM_WORDING[template])
    assert "绑定" in on_wecom or "bind" in on_wecom
    assert "链接" in on_telegram or "link" in on_telegram
    assert "链接" not in on_wecom and "link" not in on_wecom


def test_wecom_help_lists_the_words_that_work_there(renderer: Renderer) -> None:
    text = renderer.render("help_office", admin=True, words="汇总、催报", wecom=True)
    assert "汇总、催报" in text and "回复选项前的数字" in text
    assert "汇总、催报" not in renderer.render("help_office", admin=True, words="汇总、催报")


def test_user_text_is_escaped(renderer: Renderer) -> None:
    text = renderer.render("start_office", name="<b>张&三</b>", role="staff")
    assert "&lt;b&gt;张&amp;三&lt;/b&gt;" in text
    assert html_to_plain(text).startswith("<b>张&三</b>")


def test_missing_variable_raises_instead_of_vanishing(renderer: Renderer) -> None:
    with pytest.raises(Exception, match="name"):
        renderer.render("start_office", role="admin")


def test_split_prefers_line_breaks() -> None:
    text = "第一行\n第二行\n第三行"
    assert list(split_text(text, 8)) == ["第一行\n第二行", "第三行"]


def test_split_does_not_cut_inside_an_entity_or_tag() -> None:
    line = "ab&amp;cd<b>ef</b>gh"
    pieces = list(split_text(line, 6))
    assert "".join(pieces) == line
    for piece in pieces:
        assert len(piece) <= 6
        assert piece.count("<") == piece.count(">")
        assert piece.count("&") == piece.count(";")


@given(st.text(alphabet=st.sampled_from("ab 中\n"), max_size=300), st.integers(1, 50))
def test_split_keeps_all_content_within_the_limit(text: str, limit: int) -> None:
    pieces = list(split_text(text, limit))
    assert all(0 < len(piece) <= limit and piece.strip() for piece in pieces)
    assert "".join("".join(pieces).split()) == "".join(text.split())


# Archive labels that take values: the archive tests render them in the files they open.
ARCHIVE_LABELS_WITH_VALUES = {
    "ar_subtitle", "ar_heading", "ar_bonus", "ar_value_at", "ar_file_stem", "ar_completion_stem",
    "ar_note_photo", "ar_note_also", "ar_note_item", "ar_photo_title", "ar_document_title",
}  # fmt: skip


def test_every_label_exists_in_both_locales(renderer: Renderer) -> None:
    """Exported files use ``labels.j2``: the same macros in every locale, all rendering."""
    import re

    from messages.render import TEMPLATE_ROOT

    names = {
        locale: re.findall(r"{% macro (\w+)\(", (TEMPLATE_ROOT / locale / "labels.j2").read_text())
        for locale in LOCALES
    }
    assert names["zh-CN"] == names["en"]
    for name in names["zh-CN"]:
        if name in {
            "bulletin_issue",
            "bulletin_date",
            "bulletin_overview_text",
            "bulletin_behind",
            "bulletin_unconfirmed",
            "not_confirmed",
            "bulletin_photo",
            "bulletin_printed_on",
            "bulletin_title_of",
            "bulletin_unit",
            "bulletin_unit_says",
            "sheet_title",
            "as_of",
            "made_by",
            "trend_month",
            "campaign_title",
            "status_late_days",
            "reported_of",
            *ARCHIVE_LABELS_WITH_VALUES,
        }:
            continue  # these take values; they are exercised by the export tests
        for locale in LOCALES:
            assert renderer.label(name, locale=locale)
