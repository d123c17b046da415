"""What the archive learns from a stored file once: its pages (页数) and when a photo was taken.

页数 counts every page with text or an image (DA/T 22-2015): a photo is one page; a PDF has
the pages pypdf counts; a .docx or .pptx the pages (slides) Word, WPS or PowerPoint saved in
its statistics (``docProps/app.xml``). A .docx without them (written by a program) is
estimated from its explicit page breaks and said to be an estimate; formats whose pages
cannot be known without printing them (spreadsheets, old .doc) get none, and the 目录 says
so in 备注 instead of inventing a number.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import PurePosixPath

from storage.models import EvidenceKind

log = logging.getLogger(__name__)
_APP_PAGES = re.compile(rb"<(?:\w+:)?(Pages|Slides)>\s*(\d+)\s*</(?:\w+:)?(?:Pages|Slides)>")
_PAGE_BREAK = re.compile(
    rb'<w:br\b[^>]*w:type="page"|<w:pageBreakBefore\b(?![^>]*w:val="(?:0|false)")'
)
_SECTION_BREAK = re.compile(rb"<w:sectPr\b")
EXIF_IFD = 0x8769
DATE_TIME_ORIGINAL = 36867
DATE_TIME = 306


@dataclass(frozen=True, slots=True)
class Probe:
    pages: int | None
    exact: bool = True
    taken_at: datetime | None = None


def probe(data: bytes, file_name: str, kind: EvidenceKind, tz: tzinfo) -> Probe:
    """Pages and (for photos) the EXIF time of ``data``; never raises on a damaged file."""
    if kind == EvidenceKind.PHOTO:
        return Probe(1, True, exif_time(data, tz))
    suffix = PurePosixPath(file_name).suffix.lower()
    try:
        if suffix == ".pdf":
            return Probe(pdf_pages(data))
        if suffix in (".docx", ".pptx"):
            return _office_pages(data, suffix)
    except Exception:  # a damaged file still goes into the archive, without a page count
        log.warning("could not count the pages of %s", file_name, exc_info=True)
    return Probe(None)


def pdf_pages(data: bytes) -> int:
    from pypdf import PdfReader  # imported here: an idle bot need not hold it

    return len(PdfReader(io.BytesIO(data), strict=False).pages)


def _office_pages(data: bytes, suffix: str) -> Probe:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = set(package.namelist())
        saved = 0
        if "docProps/app.xml" in names:
            found = _APP_PAGES.search(package.read("docProps/app.xml"))
            saved = int(found[2]) if found else 0
        if suffix == ".docx" and "word/document.xml" in names:
            body = package.read("word/document.xml")
            breaks = len(_PAGE_BREAK.findall(body)) + max(0, len(_SECTION_BREAK.findall(body)) - 1)
            if saved <= breaks:  # none saved, or stale (a program edited a template)
                return Probe(breaks + 1, exact=False)
    return Probe(saved) if saved > 0 else Probe(None)


def exif_time(data: bytes, tz: tzinfo) -> datetime | None:
    """When the camera says the photo was taken (its local time, read as the office's)."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            exif = image.getexif()
            raw = exif.get_ifd(EXIF_IFD).get(DATE_TIME_ORIGINAL) or exif.get(DATE_TIME)
    except Exception:
        return None
    if not isinstance(raw, str):
        return None
    try:
        return datetime.strptime(raw.strip()[:19], "%Y:%m:%d %H:%M:%S").replace(tzinfo=tz)
    except ValueError:
        return None
