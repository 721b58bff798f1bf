"""Images, decoded in full with Pillow: size as displayed, pixel limits, a JPEG thumbnail.

Pillow is imported inside the functions, so that a process can limit itself before it loads.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ocp.media.verdict import READY, Damaged, Inspection, Options, Reject, about_the_machine

if TYPE_CHECKING:
    from PIL import Image

MAX_IMAGE_PIXELS = 50_000_000
THUMBNAIL_SIZE = (320, 320)
THUMBNAIL_QUALITY = 85

PILLOW_FORMATS = {
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
}


def inspect_image(path: Path, content_type: str, options: Options) -> Inspection:
    """Decode fully (so damage shows), record the size as displayed, and make a thumbnail."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    with warnings.catch_warnings(), _image_errors():
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(path, formats=[PILLOW_FORMATS[content_type]]) as image:
            _check_pixels(*image.size)
            image.load()
            _check_pixels(*image.size)
            orientation = _orientation(image)
            width, height = image.size
            thumbnail = _thumbnail(image, orientation)
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    _save_jpeg(thumbnail, options.thumbnail_path)
    return Inspection(
        status=READY,
        content_type=content_type,
        kind="image",
        width=width,
        height=height,
        thumbnail=True,
    )


@contextlib.contextmanager
def _image_errors() -> Iterator[None]:
    """Pillow's many ways of saying "broken" become Damaged; bombs become a rejection; the
    machine's failures (an I/O error reading the upload) stay what they are."""
    from PIL import Image

    try:
        yield
    except (Reject, MemoryError):
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
        limit = f"{MAX_IMAGE_PIXELS / 1e6:g} megapixels"
        raise Reject(f"The image has too many pixels (the limit is {limit}).") from error
    except Exception as error:
        if about_the_machine(error):
            raise
        raise Damaged from error


def _check_pixels(width: int, height: int) -> None:
    if width * height > MAX_IMAGE_PIXELS:
        limit = f"{MAX_IMAGE_PIXELS / 1e6:g} megapixels"
        raise Reject(f"The image is too large ({width} x {height} pixels; the limit is {limit}).")


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation (1 to 8); 1 when absent or unreadable."""
    try:
        value = image.getexif().get(0x0112, 1)
    except Exception:
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _thumbnail(image: Image.Image, orientation: int) -> Image.Image:
    """The (first) frame, upright, within THUMBNAIL_SIZE, transparency flattened onto white."""
    from PIL import Image

    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    frame = image.convert("RGBA" if has_alpha else "RGB")
    frame.thumbnail(THUMBNAIL_SIZE)
    if has_alpha:
        background = Image.new("RGB", frame.size, "white")
        background.paste(frame, mask=frame.getchannel("A"))
        frame = background
    transposes = {
        2: Image.Transpose.FLIP_LEFT_RIGHT,
        3: Image.Transpose.ROTATE_180,
        4: Image.Transpose.FLIP_TOP_BOTTOM,
        5: Image.Transpose.TRANSPOSE,
        6: Image.Transpose.ROTATE_270,
        7: Image.Transpose.TRANSVERSE,
        8: Image.Transpose.ROTATE_90,
    }
    method = transposes.get(orientation)
    return frame if method is None else frame.transpose(method)


def _save_jpeg(image: Image.Image, target: Path) -> None:
    """Write ``image`` to ``target`` as a JPEG, atomically (a temporary file, then a rename)."""
    handle, temporary = tempfile.mkstemp(prefix=".thumbnail-", suffix=".jpg", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            image.save(out, format="JPEG", quality=THUMBNAIL_QUALITY, optimize=True)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
