"""Names as other people write them, against real member lists (seeds 003 and 000): every
variant is a suspicion with the right unit first, nothing is a unit unless it is one, and no
unit of a real list is ever proposed for another unit of the same list."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.importing.plan import build_plan
from bot.domain.importing.readers import Paragraph, Table
from bot.domain.importing.unit_names import UnitIndex, looks_like_unit, split_units
from tests.seedfiles import seed_000_units, yongchuan_members


def yongchuan() -> UnitIndex:
    index = UnitIndex(region_prefixes=("永川区", "永川"))
    for name in yongchuan_members():
        index.add(name)
    return index


def district_000() -> UnitIndex:
    index = UnitIndex()
    for name in seed_000_units():
        index.add(name)
    return index


def test_the_seed_lists_are_what_the_tests_assume() -> None:
    assert len(yongchuan_members()) == 29 and "区教委" in yongchuan_members()
    assert len(seed_000_units()) == 25 and "区爱卫办" in seed_000_units()


YONGCHUAN_VARIANTS = [
    ("区教委会", "区教委"),  # a character added
    ("区卫生建康委", "区卫生健康委"),  # a typo
    ("区卫生健康局", "区卫生健康委"),  # 局 / 委
    ("区发展和改革局", "区发展改革委"),  # 和 inserted, 局 / 委
    ("区退役军人事务局", None),  # like no unit of the list: unknown
    ("区住房和城乡建设局", "区住房城乡建委"),  # 和, 建设 / 建, 局 / 委
    ("区住房城乡建设和交通局", "区住房城乡建委"),  # a department that took on 交通
    ("永川区民政局", "区民政局"),  # the campaign's own region in front
    ("重庆市永川区民政局", None),  # …but not a whole address
    ("区财政局。", "区财政局"),  # trailing punctuation
    ("“区统计局”", "区统计局"),  # quotation marks
    ("区公安分局", "区公安局"),  # a branch of the same
    ("区农业农村局", "区农业农村委"),
    ("区文化旅游局", "区文化旅游委"),
    ("区司法局。", "区司法局"),
    ("永川区消防救援支队", "区消防救援支队"),
    ("区政府办", "区政府办公室"),  # 办 / 办公室
]


@pytest.mark.parametrize(("written", "unit"), YONGCHUAN_VARIANTS)
def test_variants_of_the_yongchuan_list_are_suspected_with_the_right_unit_first(
    written: str, unit: str | None
) -> None:
    index = yongchuan()
    assert index.lookup(written) is None  # never taken for a unit on its own
    suggested = index.suggest(written)
    if unit is None:
        assert suggested == ()
    else:
        assert suggested[0] == unit


SEED_000_VARIANTS = [
    ("区发展改革委", "区发展和改革局"),
    ("沙坡头区爱卫办", "区爱卫办"),  # another district's prefix
    ("区卫生建康局", "区卫生健康局"),
    ("区住房和城乡建设局", "区住房城乡建设和交通局"),
    ("区委办", "区委办公室"),
    ("区群团工委", "区群团工作委员会"),
    ("区教育体育局", "区教育局"),
    ("区退役军人事务局", None),
]


@pytest.mark.parametrize(("written", "unit"), SEED_000_VARIANTS)
def test_variants_of_the_seed_000_list(written: str, unit: str | None) -> None:
    index = district_000()
    assert index.lookup(written) is None
    suggested = index.suggest(written)
    assert (suggested[0] if suggested else None) == unit


@pytest.mark.parametrize("members", [yongchuan_members, seed_000_units])
def test_no_unit_of_a_real_list_is_taken_for_another(members: object) -> None:
    names = members()  # type: ignore[operator]
    for name in names:
        others = UnitIndex()
        for other in names:
            if other != name:
                others.add(other)
        assert others.lookup(name) is None, name
        assert others.suggest(name) == (), name


def test_abbreviations_and_prefixes_still_match_exactly() -> None:
    index = yongchuan()
    assert index.lookup("区卫生健康委员会") == "区卫生健康委"  # 委员会 = 委
    assert index.lookup("区医疗保障局") == "区医保局"  # the official abbreviation
    assert index.lookup("卫健委") == "区卫生健康委"  # without 区
    assert index.lookup("区人力资源和社会保障局") == "区人力社保局"
    assert index.lookup("区文化和旅游委") == "区文化旅游委"


def test_names_with_digits_are_names() -> None:
    assert looks_like_unit("县120急救指挥中心")
    assert looks_like_unit("12345政务服务便民热线办公室")
    for not_a_name in ("2023年", "2023年底前", "50%", "第3季度"):
        assert not looks_like_unit(not_a_name)


def test_ignored_names_are_skipped_with_their_variants() -> None:
    index = yongchuan()
    index.ignore("县医改办")
    split = split_units("区教委、县医改办、医改办", index)
    assert [u.name for u in split.units] == ["区教委"]
    assert split.ignored == ("县医改办", "医改办")
    assert split.unresolved == ()


DUTY_CELLS = [
    "县文联、县科协、县侨联",
    "县民政局、县残联、各村（社区）",
    "各乡镇",
    "县卫生健康局 县教育局",
]


@pytest.mark.parametrize("cell", DUTY_CELLS)
def test_a_table_cell_splits_like_the_same_text_in_a_paragraph(cell: str) -> None:
    """单位 | 职责 as a table, and "单位：职责" as paragraphs: the same units, the same groups,
    the same names to confirm; nothing is created from a duty list without confirmation."""
    as_table = build_plan([Table("表1", (("单位", "职责"), (cell, "负责宣传。")))])
    as_text = build_plan([Paragraph(f"{cell}：负责宣传。", 1)])
    for plan in (as_table, as_text):
        assert plan.units == {}
    assert list(as_table.unresolved) == list(as_text.unresolved)
    assert all("、" not in name for name in as_table.unresolved)
    assert [s[2] for s in as_table.skipped] == [s[2] for s in as_text.skipped]
    confirmed = [
        build_plan([Table("表1", (("单位", "职责"), (cell, "负责宣传。")))], create_all=True),
        build_plan([Paragraph(f"{cell}：负责宣传。", 1)], create_all=True),
    ]
    assert list(confirmed[0].units) == list(confirmed[1].units)
    assert all(u.duties == "负责宣传。" for plan in confirmed for u in plan.units.values())


def test_a_member_list_cell_naming_three_units_creates_three() -> None:
    plan = build_plan([Table("表1", (("单位名称", "类别"), ("县文联、县科协、县侨联", "群团")))])
    assert list(plan.units) == ["县文联", "县科协", "县侨联"]
    assert all(u.category == "mass_organisation" for u in plan.units.values())


def test_a_member_list_never_creates_a_near_duplicate() -> None:
    index = yongchuan()
    plan = build_plan(
        [Table("表1", (("单位名称",), ("区教委会",), ("区卫生健康委",), ("卫星湖街道",)))],
        index=index,
    )
    assert [u.full_name for u in plan.new_units] == ["卫星湖街道"]  # like no unit: a member
    assert [(u.name, u.candidates[0]) for u in plan.suspected] == [("区教委会", "区教委")]


@given(st.text(alphabet="区县教委卫生健康局办公室和与、。 0123", max_size=30))
def test_suspecting_never_crashes_and_never_matches_what_it_suggests(name: str) -> None:
    index = yongchuan()
    suggested = index.suggest(name)
    assert len(suggested) <= 3
    assert len(set(suggested)) == len(suggested)
