"""The import's parsers on their own: deadlines, unit cells, targets, headers, duty lists."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.importing.cells import campaign_name, chinese_number, parse_target
from bot.domain.importing.deadlines import parse_deadline
from bot.domain.importing.plan import Skip, build_plan
from bot.domain.importing.readers import Paragraph, Table
from bot.domain.importing.unit_names import GroupScope, UnitIndex, split_units
from storage.models import DeadlineKind
from tests.seedfiles import seed_path

# Names as offices write them (seed 002 and seed 000), used to build known-unit indexes.
KNOWN = [
    "卫健局", "县委宣传部", "网信办", "总工会", "团委", "妇联", "融媒体中心", "科协", "教体局",
    "工信局", "民政局", "财政局", "科技局", "市场监管局", "文广局", "发改局", "自然资源局",
    "住建局", "农业农村局", "残联", "工业园区管委会", "市生态环境局平罗分局", "机关事务服务中心",
    "县委编办", "政法委", "公安局", "交通运输局", "应急管理局", "医保局", "审批局", "人社局",
    "区委办公室", "区政府办公室", "区委组织部", "区发展和改革局", "区卫生健康局", "区公安分局",
]  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "kind", "when"),
    [
        ("2022年", DeadlineKind.DATE, date(2022, 12, 31)),
        ("2023年10月底前", DeadlineKind.DATE, date(2023, 10, 31)),
        ("2023年10月", DeadlineKind.DATE, date(2023, 10, 31)),
        ("2024年2月", DeadlineKind.DATE, date(2024, 2, 29)),
        ("2023年6月20日前", DeadlineKind.DATE, date(2023, 6, 20)),
        ("2023年上半年", DeadlineKind.DATE, date(2023, 6, 30)),
        ("2023年第三季度", DeadlineKind.DATE, date(2023, 9, 30)),
        ("长期坚持", DeadlineKind.ONGOING, None),
        ("持续推进", DeadlineKind.ONGOING, None),
        ("2023年底完成并长期坚持", DeadlineKind.DATE_THEN_ONGOING, date(2023, 12, 31)),
        ("每年", DeadlineKind.RECURRING, None),
        ("每季度", DeadlineKind.RECURRING, None),
        ("２０２５年", DeadlineKind.DATE, date(2025, 12, 31)),
        ("尽快完成", DeadlineKind.UNKNOWN, None),
        ("2023年2月30日", DeadlineKind.UNKNOWN, None),
        ("", DeadlineKind.UNKNOWN, None),
    ],
)
def test_deadlines(raw: str, kind: DeadlineKind, when: date | None) -> None:
    parsed = parse_deadline(raw)
    assert (parsed.kind, parsed.date) == (kind, when)
    assert parsed.raw == raw.strip()


@given(st.text(max_size=60))
def test_deadline_parser_never_crashes(raw: str) -> None:
    parsed = parse_deadline(raw)
    assert parsed.kind in DeadlineKind
    assert parsed.date is None or parsed.kind in (DeadlineKind.DATE, DeadlineKind.DATE_THEN_ONGOING)


def index() -> UnitIndex:
    built = UnitIndex()
    for name in KNOWN:
        built.add(name)
    return built


def test_cells_as_seed_002_writes_them() -> None:
    cell = "县委宣传部 网信办\n总工会 团委 妇联\n融媒体中心  科协\n教体局 工信局"
    assert [u.name for u in split_units(cell, index()).units] == [
        "县委宣传部", "网信办", "总工会", "团委", "妇联", "融媒体中心", "科协", "教体局", "工信局",
    ]  # fmt: skip


def test_a_wrapped_name_is_one_unit() -> None:
    split = split_units("市生态环境局\n平罗分局", index())
    assert [u.name for u in split.units] == ["市生态环境局平罗分局"]
    unknown = split_units("市生态环境局\n平罗分局", UnitIndex())  # one name, still unconfirmed
    assert (unknown.units, unknown.unresolved) == ((), ("市生态环境局平罗分局",))


def test_abbreviations_and_prefixes_match_known_units() -> None:
    known = UnitIndex()
    known.add("县卫生健康局", "卫健局")
    split = split_units("县卫健局、卫生健康局，卫健局", known)
    assert [(u.name, u.known) for u in split.units] == [("县卫生健康局", True)]


def test_run_together_names_are_cut_at_known_ones() -> None:
    split = split_units("卫健局教体局", index())
    assert [u.name for u in split.units] == ["卫健局", "教体局"]


def test_groups_are_references_not_units() -> None:
    split = split_units(
        "县直各部门\n各乡镇（街道）、各成员单位；各医疗机构 县医改领导小组成员单位", index()
    )
    assert split.units == ()
    assert [(g.label, g.scope) for g in split.groups] == [
        ("县直各部门", GroupScope.DEPARTMENTS),
        ("各乡镇（街道）", GroupScope.TOWNSHIPS),
        ("各成员单位", GroupScope.ALL),
        ("各医疗机构", GroupScope.MEDICAL),
        ("县医改领导小组成员单位", GroupScope.UNKNOWN),
    ]


def test_fragments_that_are_not_names_are_reported() -> None:
    split = split_units("卫健局 负责统筹 2023年", index())
    assert [u.name for u in split.units] == ["卫健局"]
    assert split.unmatched == ("负责统筹", "2023年")


SEPARATORS = st.sampled_from([" ", "  ", "\n", "、", "，", ",", "；", ";", "\u3000", " 、 "])


@given(st.lists(st.sampled_from(KNOWN), min_size=1, max_size=8, unique=True), st.data())
def test_known_names_joined_by_any_separator_split_back(
    names: list[str], data: st.DataObject
) -> None:
    cell = names[0]
    for name in names[1:]:
        cell += data.draw(SEPARATORS) + name
    split = split_units(cell, index())
    assert [u.name for u in split.units] == names
    assert split.unmatched == ()


@given(st.text(max_size=80))
def test_splitter_never_crashes_and_never_invents_from_nothing(cell: str) -> None:
    split = split_units(cell, index())
    for unit in split.units:
        assert unit.name.strip() == unit.name
        assert unit.name


@pytest.mark.parametrize(
    ("raw", "comparator", "value", "measure"),
    [
        ("≥80%", ">=", 80.0, "%"),
        ("100%", ">=", 100.0, "%"),
        ("不低于20%", ">=", 20.0, "%"),
        ("<25%", "<", 25.0, "%"),
        ("低于25%", "<", 25.0, "%"),
        ("每年新创建1家", ">=", 1.0, "家"),
        ("26%以上", ">=", 26.0, "%"),
        ("逐年提高", "", None, ""),
    ],
)
def test_targets(raw: str, comparator: str, value: float | None, measure: str) -> None:
    target = parse_target(raw)
    assert (target.comparator, target.value, target.measure) == (comparator, value, measure)


@pytest.mark.parametrize(
    ("text", "number"),
    [("一", 1), ("九", 9), ("十", 10), ("十二", 12), ("二十三", 23), ("廿", None)],
)
def test_chinese_numbers(text: str, number: int | None) -> None:
    assert chinese_number(text) == number


def test_header_below_a_title_and_synonyms() -> None:
    table = Table(
        "Sheet1",
        (
            ("附件2", "", "", ""),
            ("某县健康县区建设重点任务分解表", "", "", ""),
            ("工作任务", "责任单位", "协办单位", "时限要求"),
            ("一、健康教育", "", "", ""),
            ("开展健康讲座", "卫健局、教体局", "妇联", "2023年6月20日前"),
            ("", "", "", ""),
            ("（二）控烟", "", "", ""),
            ("创建无烟单位", "", "各成员单位", "每年"),
        ),
    )
    plan = build_plan([table], existing=[("卫健局", []), ("教体局", []), ("妇联", [])])
    assert plan.title == "某县健康县区建设重点任务分解表"
    first, second = plan.tasks
    assert first.category_path == ("一、健康教育",)
    assert first.responsible == ("卫健局", "教体局")
    assert first.cooperating == ("妇联",)
    assert first.deadline.date == date(2023, 6, 20)
    assert first.where.row == 5
    assert second.category_path == ("一、健康教育", "（二）控烟")
    assert second.responsible == ()  # a new sub-heading does not inherit the lead above it
    assert [g.label for _, g in second.groups] == ["各成员单位"]


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("平罗县全民健康水平提升行动责任分工细则", "平罗县全民健康水平提升行动"),
        ("永川区创建健康区工作小组成员单位", "永川区创建健康区"),
        ("永川区创建健康区重点任务分工", "永川区创建健康区"),
        ("健康县区", "健康县区"),
    ],
)
def test_campaign_name_from_a_title(title: str, name: str) -> None:
    assert campaign_name(title) == name


def test_a_title_mentioning_a_column_is_not_the_header() -> None:
    table = Table(
        "成员单位.csv",
        (
            ("永川区创建健康区工作小组成员单位", "", ""),
            ("单位名称", "简称", "类别"),
            ("永川区教育委员会", "区教委", "党政部门"),
        ),
    )
    plan = build_plan([table])
    assert plan.title == "永川区创建健康区工作小组成员单位"
    assert plan.units["永川区教育委员会"].short_name == "区教委"
    assert plan.skipped == []


def test_table_without_header_is_reported() -> None:
    plan = build_plan([Table("Sheet1", (("随便", "写点"), ("什么", "东西")))])
    assert plan.is_empty
    assert plan.skipped[0][1] == Skip.NO_HEADER


def test_seed_000_unit_duties() -> None:
    lines = seed_path("000").read_text(encoding="utf-8").splitlines()
    paragraphs = [Paragraph(line, n) for n, line in enumerate(lines, 1)]
    unconfirmed = build_plan(paragraphs)  # a duty list: its names are confirmed, not assumed
    assert unconfirmed.units == {}
    assert len(unconfirmed.unknown) == 25 and unconfirmed.suspected == []
    assert unconfirmed.common_duties.startswith("各成员单位结合工作职责")
    plan = build_plan(paragraphs, create_all=True)
    assert len(plan.units) == 25
    assert plan.units["区卫生健康局"].duties.startswith("负责")
    assert "区爱卫办" in plan.units
    assert all(not unit.known for unit in plan.units.values())
    assert (Skip.GROUP, "各乡镇人民政府") in [(reason, text) for _, reason, text in plan.skipped]


def test_several_units_sharing_duties_and_a_member_list() -> None:
    plan = build_plan(
        [
            Paragraph("区民政局、区残联、区妇联：负责关爱特殊人群健康。", 1),
            Paragraph("成员单位：区政府办公室、区委宣传部、卫星湖街道、各镇街。", 2),
            Paragraph("组  长：李世红  区政府副区长", 3),
        ]
    )
    assert set(plan.unresolved) == {"区民政局", "区残联", "区妇联"}  # duties: not a member list
    assert {"区政府办公室", "区委宣传部", "卫星湖街道"} <= set(plan.units)  # the member list
    assert "组长" not in plan.units
    assert plan.skipped[-1][1] == Skip.NOT_A_UNIT


def test_unit_table_with_short_names_and_categories() -> None:
    table = Table(
        "成员单位",
        (
            ("单位名称", "简称", "类别", "职责"),
            ("县卫生健康局", "卫健局", "党政部门", "牵头"),
            ("城关镇人民政府", "城关镇", "乡镇", ""),
            ("各乡镇人民政府", "", "", ""),
        ),
    )
    plan = build_plan([table])
    assert plan.units["县卫生健康局"].short_name == "卫健局"
    assert plan.units["城关镇人民政府"].category == "township"
    assert [(reason, text) for _, reason, text in plan.skipped] == [
        (Skip.GROUP, "各乡镇人民政府")
    ]  # a group, not a member unit
