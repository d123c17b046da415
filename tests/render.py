"""Open generated documents the way a clerk's office suite would: LibreOffice renders them to
PDF (and poppler to PNG), with a private profile so runs in parallel do not share one.

``fonts.conf`` maps the fonts offices have (仿宋_GB2312, 方正小标宋简体, 黑体 …) to the free Noto
CJK faces, serif for 宋/仿宋/楷 and sans for 黑体, so a server's rendering looks like the
printed page; without it the document still renders, in whatever CJK face fontconfig picks.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

FONTS_CONF = Path(__file__).resolve().parent.parent / "docs" / "fonts.conf"
TIMEOUT = 240  # seconds: a cold LibreOffice start on a busy 2-core machine is slow


def office_available() -> bool:
    """LibreOffice (with Writer) and poppler's tools are installed."""
    return shutil.which("soffice") is not None and shutil.which("pdftoppm") is not None


def calc_available() -> bool:
    """LibreOffice Calc is installed too (Debian: libreoffice-calc-nogui)."""
    soffice = shutil.which("soffice")
    return soffice is not None and (Path(soffice).resolve().parent / "libsclo.so").exists()


def to_pdf(document: Path) -> Path:
    """``document`` rendered to a PDF beside it."""
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        env = {**os.environ, "FONTCONFIG_FILE": str(FONTS_CONF)}
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
             "--convert-to", "pdf", "--outdir", str(document.parent), str(document)],
            check=True, capture_output=True, timeout=TIMEOUT, env=env,
        )  # fmt: skip
    pdf = document.with_suffix(".pdf")
    if not pdf.exists():
        raise RuntimeError(f"LibreOffice wrote no PDF for {document.name}")
    return pdf


def page_size_pt(pdf: Path) -> list[tuple[float, float]]:
    """Each page's width and height in points (pdfinfo)."""
    out = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "9999", str(pdf)], check=True, capture_output=True,
        text=True, timeout=60,
    ).stdout  # fmt: skip
    sizes = []
    for line in out.splitlines():
        if line.startswith("Page") and "size:" in line:
            width, _, height = line.split("size:")[1].split()[:3]
            sizes.append((float(width), float(height)))
    return sizes


def to_png(pdf: Path, page: int, out: Path, *, dpi: int = 60) -> Path:
    """One page of ``pdf`` as a PNG at ``out``."""
    subprocess.run(
        ["pdftoppm", "-f", str(page), "-l", str(page), "-r", str(dpi), "-png", "-singlefile",
         str(pdf), str(out.with_suffix(""))],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return out


def page_text(pdf: Path, page: int) -> str:
    return subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"],
        check=True, capture_output=True, text=True, timeout=60,
    ).stdout  # fmt: skip
