"""Photo captions and the six elements archives require: 事由、时间、地点、人物、背景、摄影者.

What can be known without asking is filled in: the time (a date in the caption, else the
camera's EXIF time, else when the photo arrived) and the photographer (the liaison who sent
it, unless the caption names one). The rest is read from the caption with plain word lists;
when 事由, 地点 or 人物 is missing from an album's caption, the liaison gets at most one
question for the album, never a required one. 背景 is asked for only alongside those (a
caption rarely names the banner behind the people; asking for it alone would be a burden).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, tzinfo

from bot.domain.text_input import clean_text

ELEMENTS = ("事由", "时间", "地点", "人物", "背景", "摄影者")
ASKED = ("事由", "地点", "人物")  # missing any of these: the one question goes out
MAX_CAPTION = 1000
_PATTERNS = {
    "事由": re.compile(
        r"开展|举办|举行|召开|组织|参加|进行|宣传|培训|义诊|讲座|检查|督导|调研|会议|活动|启动|签约|巡查|筛查"
        r"|体检|健身|比赛|竞赛|演练|宣讲|慰问|座谈|观摩|评审|验收|测评|走访|服务|教育|咨询|授课|发放|张贴"
    ),
    "时间": re.compile(
        r"\d{1,2}\s*月\s*\d{1,2}\s*[日号]|\d{4}\s*[年.\-/]\s*\d{1,2}|\d{1,2}[.\-/]\d{1,2}"
        r"|[上下]午|晚上|当天|今天|昨天|周[一二三四五六日天]|星期"
    ),
    "地点": re.compile(
        r"在[\u4e00-\u9fff]{2,}|于[\u4e00-\u9fff]{2,}|社区|村委?|镇|乡|街道|学校|小学|中学|幼儿园|医院|卫生院"
        r"|服务中心|中心|广场|公园|会议室|礼堂|大厅|活动室|门诊|站|馆|室|厅|楼|场|路|街|企业|公司|园区|超市|市场"
    ),
    "人物": re.compile(
        r"书记|局长|主任|院长|镇长|区长|县长|市长|部长|科长|所长|站长|校长|同志|干部|职工|员工|居民|群众|学生"
        r"|老人|医生|医务|护士|志愿者|村民|家长|教师|老师|儿童|专家|代表|工作人员|人员|队员|党员"
        r"|\d+\s*余?\s*[人名位]|等人|一行"
    ),
    "背景": re.compile(r"背景|横幅|展板|标语|宣传栏|海报|电子屏|LED|主席台|会标|现场"),
    "摄影者": re.compile(r"摄影|摄[:：\s]|拍摄|供图|图[:：]|摄$"),
}
_CAPTION_DATE = re.compile(r"(?:(\d{4})\s*[年.\-/]\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")


def present(caption: str) -> set[str]:
    """The elements a caption states."""
    text = unicodedata.normalize("NFKC", caption)
    return {name for name, pattern in _PATTERNS.items() if pattern.search(text)}


def to_ask(caption: str) -> list[str]:
    """What the one question asks for: nothing unless 事由, 地点 or 人物 is missing (time and
    photographer are known without asking); then those, and 背景 if it is missing too."""
    found = present(caption)
    missing = [name for name in ASKED if name not in found]
    if not missing:
        return []
    return [*missing, *(["背景"] if "背景" not in found else [])]


def caption_date(caption: str, year: int) -> date | None:
    """The day a caption names ("11月5日", "2026年11月5日"); in the report's year
    when it gives none."""
    match = _CAPTION_DATE.search(unicodedata.normalize("NFKC", caption))
    if match is None:
        return None
    try:
        return date(int(match[1] or year), int(match[2]), int(match[3]))
    except ValueError:
        return None


def photo_date(
    caption: str, taken_at: datetime | None, received_at: datetime, year: int, tz: tzinfo
) -> date:
    """日期 of a photo: the caption's day, else the camera's, else the day it arrived (a day
    after the photo arrived is not when it was taken: a typo or another year)."""
    arrived = received_at.astimezone(tz).date()
    named = caption_date(caption, year)
    if named is not None and named <= arrived:
        return named
    camera = taken_at.astimezone(tz).date() if taken_at else None
    return camera if camera is not None and camera <= arrived else arrived


def completed(caption: str, answer: str) -> str:
    """The album's caption with the liaison's answer to the question added."""
    addition = " ".join(clean_text(answer).split())
    return f"{caption}；{addition}"[:MAX_CAPTION] if caption else addition[:MAX_CAPTION]
