"""Indicator framework tables as offices keep them (../shared/ARCHIVE.md), made in memory.

- 健康县区 (xlsx, 7 columns, the 一级 cell merged down its rows, a title above the header);
- 慢病示范区 2011 考评表 (docx: 项目 | 内容 | 总分 | 自评分 | 考核分 | 原因, "*" core items,
  附加分 in the 项目 cell, 项目 merged down);
- 健康促进县区 (csv in GBK: 一级 | 二级 | 三级 | 指标解释 | 权重(分) | 评估办法 | 评分标准 | 得分,
  codes like Ⅱ-1-1);
plus a 责任分工 table with an 指标编号 column, and small PDF/DOCX documents with known pages.
"""

from __future__ import annotations

import io

from docx import Document
from openpyxl import Workbook

UNITS = ("区政府办公室", "区发展和改革委员会", "区卫生健康委员会", "区教育委员会", "区民政局",
         "区体育局", "区总工会")  # fmt: skip
SHORT = {"区政府办公室": "区政府办", "区发展和改革委员会": "区发改委",
         "区卫生健康委员会": "区卫健委", "区教育委员会": "区教委"}  # fmt: skip

COUNTY_ROWS = [
    ("一、完善健康政策", "1.纳入县区发展规划",
     "工作报告、发展规划等文件中,体现健康县区建设内容",
     "查阅资料:工作报告、发展规划等文件。资料来源:文件印发部门。",
     "文件中体现健康县区建设内容,得1分;未体现,不得分。", "1分",
     "区政府办 区发改委 区卫健委 各成员单位"),
    ("一、完善健康政策", "2.制定健康县区实施方案", "印发实施方案", "查阅资料", "印发得2分", "2分",
     "区卫健委 区政府办"),
    ("二、营造健康环境", "2.3 健康社区建设", "健康社区比例达到20%", "查阅资料、现场查看",
     "达到20%得3分", "3分", "区民政局 区卫健委"),
    ("二、营造健康环境", "2.4 健康促进学校", "健康促进学校比例达到50%", "查阅资料",
     "达到50%得2分", "2分", "区教委 区卫健委 区文化旅游委"),  # 区文化旅游委: no such unit
    ("二、营造健康环境", "2.5 全民健身", "建设健身步道", "现场查看", "建成得1分", "1分",
     "区体育局"),
]  # fmt: skip


def county_xlsx() -> bytes:
    """健康县区评估细则（2024版）: title, header, 一级 merged down its rows."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "评估细则"
    sheet.append(["健康县区评估细则（2024版）"])
    sheet.merge_cells("A1:G1")
    sheet.append(["一级指标", "二级指标", "指标说明", "评估方式和数据来源", "指标值计算方法",
                  "分值", "责任单位"])  # fmt: skip
    for number, row in enumerate(COUNTY_ROWS):
        first = number in (0, 2)  # the merged 一级 cell keeps its text in its first row only
        sheet.append([row[0] if first else None, *row[1:]])
    sheet.merge_cells("A3:A4")  # 一、完善健康政策 over its two rows (the reader repeats it)
    sheet.merge_cells("A5:A7")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def chronic_docx() -> bytes:
    """慢性病综合防控示范区现场考评表 (2011): 项目 merged down, * core items, 附加分."""
    document = Document()
    document.add_paragraph("慢性病综合防控示范区现场考评表")
    rows = [
        ("项目", "内容", "总分", "自评分", "考核分", "简述自评分与考核分有差异的原因"),
        ("一、组织保障(80分)", "*1.区政府成立示范区建设领导小组", "20", "20", "", ""),
        ("一、组织保障(80分)", "2.示范区办公室每年至少召开4次联络员会议", "15", "12", "", ""),
        ("二、经费保障(50分)附加分(20分)", "1.慢性病防控经费纳入财政预算", "30", "", "", ""),
    ]
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if not (c == 0 and r == 2):  # the merged cell keeps one text
                table.cell(r, c).text = text
    table.cell(1, 0).merge(table.cell(2, 0))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def promotion_csv() -> bytes:
    """健康促进县区综合评分标准 (GBK csv), three levels with Ⅱ-1-1 codes."""
    lines = [
        "一级指标,二级指标,三级指标,指标解释,权重(分),评估办法,评分标准,得分",
        "Ⅰ 组织管理,Ⅰ-1 领导机制,Ⅰ-1-1 成立健康促进领导小组,政府成立领导小组,2,查阅文件,成立得2分,",
        "Ⅰ 组织管理,Ⅰ-1 领导机制,Ⅰ-1-2 召开联络员会议,每年至少4次,2,查阅纪要,4次得2分,",
        "Ⅱ 健康环境,Ⅱ-1 健康场所,Ⅱ-1-1 健康社区,健康社区比例,3,现场查看,达到20%得3分,2.5",
    ]
    return ("\n".join(lines) + "\n").encode("gbk")


def tasks_xlsx() -> bytes:
    """A 责任分工 table with an 指标编号 column."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["序号", "具体内容", "牵头单位", "配合单位", "完成时限", "指标编号"])
    sheet.append(["一、健康环境", None, None, None, None, None])
    sheet.append(["1", "开展健康社区创建", "区民政局", "区卫健委", "2026年底", "2.3"])
    sheet.append(["2", "创建健康促进学校", "区教委", "区卫健委", "长期坚持", "2.4、9.9"])
    sheet.append(["3", "建设健身步道", "区体育局", "", "2026年", ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pdf(pages: int) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx(page_breaks: int, saved_pages: int | None = None) -> bytes:
    """A .docx with explicit page breaks; with ``saved_pages`` its statistics say so, as Word's
    and WPS's files do (python-docx alone writes none)."""
    document = Document()
    document.add_paragraph("关于开展健康社区创建工作的通知")
    for _ in range(page_breaks):
        document.add_page_break()  # type: ignore[no-untyped-call]
        document.add_paragraph("正文")
    out = io.BytesIO()
    document.save(out)
    if saved_pages is None:
        return out.getvalue()
    return _with_app_pages(out.getvalue(), saved_pages)


def _with_app_pages(data: bytes, pages: int) -> bytes:
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    app = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        f"<Pages>{pages}</Pages><Application>WPS Office</Application></Properties>"
    )
    with zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            if entry.filename != "docProps/app.xml":
                target.writestr(entry, source.read(entry.filename))
        target.writestr("docProps/app.xml", app)
    return out.getvalue()
