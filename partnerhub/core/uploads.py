"""One upload policy for every file the product accepts, through the API and the pages alike.

A file is what its content says, not what its name or the browser's declared type say: each
policy lists the kinds it takes, the first bytes (and, for the zip-based office formats, the
archive's own table of contents) decide the kind, and a file larger than the policy's limit
(``UPLOAD_MAX_BYTES`` from the settings unless the policy names another setting) is refused. A
refusal is a ``ValidationError`` on the caller's field, raised before anything is stored; an
accepted file's name must end in an extension of its real kind and is reduced to a safe stem,
so a stored file never carries a name (``.html``, ``.exe``) that a web server would serve as
something else.

The signatures are checked here rather than by libmagic: the handful of formats we take have
fixed, documented signatures, the office formats need the archive opened anyway (libmagic
reports many valid XLSX files as plain zip), and nothing then depends on the version of a
system library.

Every model ``FileField`` carries its policy as a validator (``validators=[uploads.EVIDENCE]``)
and the service that stores the file calls ``policy.accept(file, field=...)``;
``tests/test_uploads.py`` enumerates the file fields and fails on one without a policy.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

CHUNK = 64 * 1024


@dataclass(frozen=True)
class Kind:
    code: str
    label: object  # str, or a lazily translated one
    extension: str
    content_type: str


KINDS = {
    k.code: k
    for k in (
        Kind("pdf", "PDF", "pdf", "application/pdf"),
        Kind("png", "PNG", "png", "image/png"),
        Kind("jpeg", "JPEG", "jpg", "image/jpeg"),
        Kind("docx", "DOCX", "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        Kind("xlsx", "XLSX", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        Kind("odt", "ODT", "odt", "application/vnd.oasis.opendocument.text"),
        Kind("pptx", "PPTX", "pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        Kind("zip", _("ZIP archive"), "zip", "application/zip"),
        Kind("text", _("UTF-8 text"), "txt", "text/plain"),
        Kind("xml", "XML", "xml", "application/xml"),
    )
}
# The name endings each kind may carry: a name that names another kind (or none of these) is refused.
EXTENSIONS = {
    "pdf": {"pdf"}, "png": {"png"}, "jpeg": {"jpg", "jpeg"}, "docx": {"docx"}, "xlsx": {"xlsx"}, "odt": {"odt"},
    "pptx": {"pptx"}, "zip": {"zip"},
    "text": {"csv", "txt", "yaml", "yml"},
    "xml": {"xml", "asp"},  # the Bank of Russia serves its daily rates as XML_daily.asp
}  # fmt: skip


def _read_head(file, size: int = 8) -> bytes:
    file.seek(0)
    head = file.read(size)
    file.seek(0)
    return head


def _zip_kind(file) -> str | None:
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            odt = KINDS["odt"].content_type.encode()
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 100 and archive.read("mimetype") == odt:
                return "odt"
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return None
    finally:
        file.seek(0)
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "ppt/presentation.xml" in names:
            return "pptx"
    return "zip"  # a readable archive of another kind: only the policies taking "zip" accept it


def _has_nul(file) -> bool:
    file.seek(0)
    try:
        while chunk := file.read(CHUNK):
            if b"\x00" in chunk:
                return True
    finally:
        file.seek(0)
    return False


def _is_utf8_text(file) -> bool:
    """No NUL byte and valid UTF-8 (a BOM allowed) from the first byte to the last."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    file.seek(0)
    try:
        while chunk := file.read(CHUNK):
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        file.seek(0)
    return True


def sniff(file) -> str | None:
    """The kind of ``file`` by its content (a code of ``KINDS``), or None for anything else."""
    head = _read_head(file)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(file)
    if _read_head(file, 64).removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<?xml") and not _has_nul(file):
        return "xml"  # any declared encoding (the Bank of Russia's files are windows-1251)
    if _is_utf8_text(file):
        return "text"
    return None


def _size(file) -> int:
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, 2)
        size = file.tell()
        file.seek(0)
    return int(size)


@deconstructible
class UploadPolicy:
    """The kinds a field takes and its size limit; callable as a model field validator."""

    def __init__(self, kinds: tuple[str, ...], limit_setting: str = "UPLOAD_MAX_BYTES", name: str = "") -> None:
        unknown = set(kinds) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown file kinds: {sorted(unknown)}")
        self.kinds = tuple(kinds)
        self.limit_setting = limit_setting
        self.name = name

    @property
    def max_bytes(self) -> int:
        return int(getattr(settings, self.limit_setting))

    def describe(self) -> str:
        return ", ".join(str(KINDS[k].label) for k in self.kinds)

    def check(self, file) -> Kind:
        """The file's kind, or a ``ValidationError`` (codes ``file_size``, ``file_type``) saying what is wrong.

        The content decides the kind; the name must then end in one of that kind's extensions.
        """
        if _size(file) > self.max_bytes:
            message = gettext("The file is larger than %(limit)s.") % {"limit": filesizeformat(self.max_bytes)}
            raise ValidationError(message, code="file_size")
        kind = sniff(file)
        if kind not in self.kinds:
            message = gettext("Upload a file of one of these types: %(types)s. This file's content is not.")
            raise ValidationError(message % {"types": self.describe()}, code="file_type")
        extension = Path(getattr(file, "name", "") or "").suffix.lower().lstrip(".")
        if extension not in EXTENSIONS[kind]:
            message = gettext("The file's content is %(kind)s but its name ends in “.%(extension)s”.")
            raise ValidationError(message % {"kind": KINDS[kind].label, "extension": extension}, code="file_type")
        return KINDS[kind]

    def __call__(self, file) -> None:
        if file and not getattr(file, "_committed", False):  # a stored file was checked when it came in
            self.check(file)

    def accept(self, file, *, field: str, required: bool = False):
        """``file`` checked and given a safe name (slug stem, its kind's extension); ``None`` passes unless required.

        Raises ``ValidationError({field: [...]})`` before anything is stored.
        """
        if not file:
            if required:
                raise ValidationError({field: [ValidationError(_("Choose a file."), code="required")]})
            return None
        try:
            self.check(file)
        except ValidationError as exc:
            raise ValidationError({field: [exc]}) from None
        original = Path(file.name)
        file.name = f"{slugify(original.stem, allow_unicode=True)[:60] or 'file'}.{original.suffix.lower().lstrip('.')}"
        file.seek(0)
        return file

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UploadPolicy) and (self.kinds, self.limit_setting) == (
            other.kinds,
            other.limit_setting,
        )

    def __hash__(self) -> int:
        return hash((self.kinds, self.limit_setting))

    def __repr__(self) -> str:
        return f"UploadPolicy({self.name or self.kinds})"


# ------------------------------------------------------------------------------ the policies in use

#: Evidence of a deal (a customer's written choice, an extension's reasons) or of an obligation.
EVIDENCE = UploadPolicy(("pdf", "png", "jpeg", "docx", "xlsx", "odt"), name="evidence")
#: A training lesson's handout: a document, a spreadsheet or an image.
TRAINING_MATERIAL = UploadPolicy(("pdf", "png", "jpeg", "docx", "xlsx", "odt"), name="training")
#: A signed contract.
CONTRACT = UploadPolicy(("pdf",), name="contract")
#: A sales import: CSV (UTF-8 text) or XLSX; read, never stored.
SPREADSHEET_IMPORT = UploadPolicy(("text", "xlsx"), limit_setting="UPLOAD_IMPORT_MAX_BYTES", name="spreadsheet")
#: A programme definition: UTF-8 YAML text; read, never stored.
YAML_IMPORT = UploadPolicy(("text",), limit_setting="UPLOAD_YAML_MAX_BYTES", name="yaml")
# Exchange rates in the Bank of Russia's XML_daily format.
XML_IMPORT = UploadPolicy(("xml",), limit_setting="UPLOAD_YAML_MAX_BYTES", name="xml")


class ImagePolicy(UploadPolicy):
    """PNG or JPEG whose content Pillow can decode, within a size and a range of dimensions.

    The signature check above decides the kind; Pillow then opens the file (``verify`` reads the
    whole stream, so a truncated or corrupt image is refused) and its dimensions are checked before
    anything is stored. Decompression bombs are refused by the pixel limit, not by Pillow's warning.
    """

    def __init__(self, *, min_side: int, max_side: int, max_pixels: int, **kwargs) -> None:
        super().__init__(("png", "jpeg"), **kwargs)
        self.min_side, self.max_side, self.max_pixels = min_side, max_side, max_pixels

    def check(self, file) -> Kind:
        kind = super().check(file)
        from PIL import Image, UnidentifiedImageError

        try:
            file.seek(0)
            with Image.open(file) as image:
                width, height = image.size
                if width * height > self.max_pixels:
                    raise ValidationError(gettext("The image has too many pixels."), code="image_size")
                image.verify()
        except ValidationError:
            raise
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
            raise ValidationError(gettext("The image is damaged or not a real image."), code="file_type") from None
        finally:
            file.seek(0)
        if min(width, height) < self.min_side or max(width, height) > self.max_side:
            message = gettext("The image must be between %(min)s and %(max)s pixels on each side; it is %(w)s×%(h)s.")
            params = {"min": self.min_side, "max": self.max_side, "w": width, "h": height}
            raise ValidationError(message % params, code="image_dimensions")
        return kind

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ImagePolicy) and (self.limit_setting, self.min_side, self.max_side) == (
            other.limit_setting,
            other.min_side,
            other.max_side,
        )

    def __hash__(self) -> int:
        return hash((self.kinds, self.limit_setting, self.min_side, self.max_side))

    def deconstruct(self):
        path = f"{self.__class__.__module__}.{self.__class__.__name__}"
        kwargs = {"min_side": self.min_side, "max_side": self.max_side, "max_pixels": self.max_pixels,
                  "limit_setting": self.limit_setting, "name": self.name}  # fmt: skip
        return path, (), kwargs


def thumbnail(file, *, box: tuple[int, int] = (320, 200)):
    """A PNG thumbnail of an accepted image (fits in ``box``, aspect kept), as a named in-memory file."""
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    file.seek(0)
    with Image.open(file) as image:
        image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
        image.thumbnail(box)
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=True)
    file.seek(0)
    return ContentFile(out.getvalue(), name=f"{Path(file.name).stem[:60] or 'image'}-thumb.png")


#: A screenshot of a marketplace listing: PNG or JPEG, 5 MB at most, 200–4000 px a side, Pillow-decodable.
IMAGE = ImagePolicy(min_side=200, max_side=4000, max_pixels=16_000_000, limit_setting="UPLOAD_IMAGE_MAX_BYTES",
                    name="image")  # fmt: skip
#: The thumbnail the product makes of an accepted IMAGE (PNG, fits 320×200, so any small side is fine).
THUMBNAIL = ImagePolicy(min_side=1, max_side=400, max_pixels=160_000, limit_setting="UPLOAD_IMAGE_MAX_BYTES",
                        name="thumbnail")  # fmt: skip
#: A file of the content library (price lists, presentations, brand books, logos, banners, launch kits…)
#: and a partner's contribution to it: documents, slides, spreadsheets, images and ZIP archives.
LIBRARY = UploadPolicy(("pdf", "pptx", "xlsx", "docx", "png", "jpeg", "zip"), name="library")
#: Proof of performance of a funded marketing activity (MDF/BDF claims): documents and photos.
PROOF_OF_PERFORMANCE = UploadPolicy(("pdf", "jpeg", "png"), name="proof_of_performance")
