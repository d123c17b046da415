"""Thumbnails of stored photos, made once and kept on disk next to the file store.

A thumbnail is named by its photo's sha256 (and the size it was made for), so it never goes
stale and a second view of a page costs a file read, not a decode and an encode. A photo
Pillow cannot open (HEIC without a plugin, a damaged file) gets no thumbnail: the page links
the original instead.
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
import warnings
from pathlib import Path

from PIL import Image, ImageOps

from storage.files import ContentStore

log = logging.getLogger(__name__)

SIZE = 360  # px, the longer side: sharp in a grid of ~180 px on a 2x phone screen
QUALITY = 80


class Thumbnails:
    """``root/ab/<sha256>-360.jpg`` for each photo of ``files``; ``encodes`` counts the
    thumbnails actually made (bench/web.py checks a second view makes none)."""

    def __init__(self, files: ContentStore, root: Path, size: int = SIZE) -> None:
        self.files = files
        self.root = root
        self.size = size
        self.encodes = 0

    def path_for(self, sha256: str) -> Path:
        self.files.path_for(sha256)  # refuses anything that is not a sha256 digest
        return self.root / sha256[:2] / f"{sha256}-{self.size}.jpg"

    def get(self, sha256: str) -> Path | None:
        """The thumbnail's file, made now if this is the first time it is asked for."""
        path = self.path_for(sha256)
        if path.is_file():
            return path
        data = self._encode(self.files.path_for(sha256))
        if data is None:
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, path)  # two requests racing write the same bytes: either wins
        finally:
            Path(tmp).unlink(missing_ok=True)
        return path

    def _encode(self, original: Path) -> bytes | None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(original) as image:
                    image.draft("RGB", (self.size, self.size))  # JPEG: decode at a fraction
                    picture = ImageOps.exif_transpose(image) or image
                    picture.thumbnail((self.size, self.size))
                    out = io.BytesIO()
                    picture.convert("RGB").save(out, "JPEG", quality=QUALITY, optimize=True)
        except (OSError, ValueError, Image.DecompressionBombError, Warning):
            log.info("no thumbnail for %s: not a picture Pillow can read", original.name)
            return None
        self.encodes += 1
        return out.getvalue()
