"""GB/T 9704 typesetting helpers: solid Chinese text, heading numerals, title sizes."""

from __future__ import annotations

import pytest

from bot.exports.gbt9704 import chinese_number, tight, title_size


@pytest.mark.parametrize(
    ("typed", "set_as"),
    [
        ("全区 32 个成员单位", "全区32个成员单位"),
        ("覆盖学生 3.2 万人。 完成自评 18 所", "覆盖学生3.2万人。完成自评18所"),
        ("按时报送率 77 %", "按时报送率77 %"),  # only spaces next to Chinese go
        ("开展 COVID 19 疫苗 宣传", "开展COVID 19疫苗宣传"),
        ("9月5日\u3000义诊\n120 人", "9月5日义诊120人"),
        ("", ""),
    ],
)
def test_tight_removes_spaces_next_to_chinese_only(typed: str, set_as: str) -> None:
    assert tight(typed) == set_as


def test_heading_numerals() -> None:
    assert [chinese_number(n) for n in (1, 9, 10, 11, 20, 21, 99, 100)] == [
        "一", "九", "十", "十一", "二十", "二十一", "九十九", "100",
    ]  # fmt: skip


def test_the_title_takes_the_largest_size_that_fits_one_line() -> None:
    assert title_size("工作简报") == 36  # 小初
    assert title_size("永川区创建国家健康促进区工作简报") == 26  # 16 characters: 一号
    assert title_size("某某市某某区创建国家慢性病综合防控示范区工作简报") == 22  # wraps at 二号
