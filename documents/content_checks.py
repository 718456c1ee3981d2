"""What is inside an upload that its type alone does not tell: active content and zip bombs.

`validators.validate_upload` decides the type by the magic bytes; this module then looks
inside a file of that type for what a municipal document never needs and an attacker does:

* PDF: scripts and automatic actions (JavaScript, launching a program, actions run on opening
  or on any event: /AA), interactive media and XFA, and embedded files. Names are compared
  after decoding (`/J#61vaScript` is `/JavaScript`); every object of every revision listed in
  the cross-reference data is read with pyHanko (its decoding limits bound object streams),
  and the file's text outside stream data is searched as well, for objects a viewer would
  find by rebuilding a broken cross-reference table.
* OOXML (DOCX, XLSX) and ODT: macros (vbaProject.bin, macro-enabled content types, Excel 4
  macro sheets, ActiveX, ODF Basic and scripts). The ZIP central directory is checked first
  (entries, total size, compression ratio) and then every member is inflated as a stream
  under the same caps, so a directory that lies about sizes is caught too (zipfile stops at
  the declared size and the CRC no longer matches).
* DOC/XLS (OLE2): the storage names of a VBA project.

Each check returns a `Finding` (a code for the message) or None; limits come from the kind's
rule (`validators.upload_rules`).
"""

import io
import re
import zipfile
from dataclasses import dataclass

MiB = 1024 * 1024


@dataclass(frozen=True)
class Finding:
    code: str
    detail: dict


# --- PDF ---------------------------------------------------------------------------------------

# Names that run something: scripts, programs, actions on events, rich media, XFA forms.
PDF_ACTIVE = {
    "/JavaScript",
    "/JS",
    "/Launch",
    "/AA",
    "/RichMedia",
    "/XFA",
    "/SubmitForm",
    "/ImportData",
}
PDF_EMBEDDED = {"/EmbeddedFile", "/EmbeddedFiles", "/FileAttachment"}
_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]*)")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM_BODY = re.compile(rb"stream\r?\n.*?endstream", re.DOTALL)


def _decoded_name(raw: bytes) -> str:
    return "/" + _HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw).decode("latin-1")


def _raw_names(data: bytes) -> set[str]:
    """Names in the file's text outside stream bodies (which hold compressed, arbitrary bytes
    where any three-byte sequence can occur by chance)."""
    text = _STREAM_BODY.sub(b"stream endstream", data)
    return {_decoded_name(m.group(1)) for m in _NAME.finditer(text)}


def _walk_names(obj, seen: set[str], depth: int = 0) -> None:
    from pyhanko.pdf_utils import generic

    if depth > 64:  # a nesting no real document has; deeper objects are still read by ref
        return
    if isinstance(obj, generic.NameObject):
        seen.add(str(obj))
    elif isinstance(obj, generic.DictionaryObject):
        for key in obj.keys():
            seen.add(str(key))
            _walk_names(obj.raw_get(key), seen, depth + 1)
    elif isinstance(obj, generic.ArrayObject):
        for item in obj:
            _walk_names(item, seen, depth + 1)


def _structured_names(fileobj) -> set[str]:
    """Every name in every object the cross-reference data lists, as pyHanko reads it.

    Raises ValueError when the file cannot be read, or is encrypted with a user password."""
    from pyhanko.pdf_utils.crypt import AuthStatus
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(fileobj, strict=False)
        if reader.encrypt_dict is not None:
            if reader.decrypt("").status == AuthStatus.FAILED:
                raise ValueError("encrypted")
        seen: set[str] = set()
        refs = set()
        for revision in range(reader.xrefs.total_revisions):
            refs |= reader.xrefs.explicit_refs_in_revision(revision)
        _walk_names(reader.trailer.flatten(), seen)
        for ref in refs:
            _walk_names(reader.get_object(ref), seen)
        return seen
    except ValueError:
        raise
    except Exception as exc:  # pyHanko's PdfReadError and anything a crafted file triggers
        raise ValueError(str(exc)) from exc


def pdf_check(fileobj, *, allow_attachments: bool = False) -> Finding | None:
    fileobj.seek(0)
    data = fileobj.read()
    fileobj.seek(0)
    try:
        names = _structured_names(io.BytesIO(data))
    except ValueError as exc:
        return Finding("pdf_unreadable", {"reason": str(exc)})
    names |= _raw_names(data)
    active = sorted(names & PDF_ACTIVE)
    if active:
        return Finding("pdf_active", {"names": active})
    embedded = sorted(names & PDF_EMBEDDED)
    if embedded and not allow_attachments:
        return Finding("pdf_embedded", {"names": embedded})
    return None


# --- ZIP containers (OOXML, ODF) --------------------------------------------------------------

_MACRO_MEMBER = re.compile(
    r"(^|/)(vbaProject\.bin|vbaProjectSignature\.bin|vbaData\.xml)$"
    r"|(^|/)(activeX|macrosheets)/"
    r"|^(Basic|Scripts)/",
    re.IGNORECASE,
)
_MACRO_CONTENT_TYPES = re.compile(
    rb"macroEnabled|vbaProject|ms-office\.activeX|ms-excel\.macrosheet|ms-excel\.intlmacrosheet",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ZipLimits:
    max_unzipped_bytes: int = 100 * MiB
    max_ratio: int = 100
    max_entries: int = 2000
    # Members smaller than this are not held to the ratio (tiny XML parts compress well).
    ratio_floor: int = MiB


def zip_check(fileobj, *, limits: ZipLimits) -> Finding | None:
    fileobj.seek(0)
    try:
        archive = zipfile.ZipFile(fileobj)
        members = archive.infolist()
        if len(members) > limits.max_entries:
            return Finding("zip_entries", {"entries": len(members), "limit": limits.max_entries})
        declared = sum(m.file_size for m in members)
        if declared > limits.max_unzipped_bytes:
            return Finding("zip_size", {"size": declared, "limit": limits.max_unzipped_bytes})
        for member in members:
            if _MACRO_MEMBER.search(member.filename):
                return Finding("macros", {"member": member.filename})
            if _too_compressed(member.file_size, member.compress_size, limits):
                return Finding("zip_ratio", {"member": member.filename})
        finding = _inflate_all(archive, members, limits)
        if finding is not None:
            return finding
        if "[Content_Types].xml" in archive.namelist():
            with archive.open("[Content_Types].xml") as handle:
                if _MACRO_CONTENT_TYPES.search(handle.read(limits.max_unzipped_bytes)):
                    return Finding("macros", {"member": "[Content_Types].xml"})
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        return Finding("zip_damaged", {"reason": str(exc)})
    except NotImplementedError as exc:  # a compression method zipfile does not know
        return Finding("zip_damaged", {"reason": str(exc)})
    finally:
        fileobj.seek(0)
    return None


def _too_compressed(size: int, compressed: int, limits: ZipLimits) -> bool:
    return size > limits.ratio_floor and size > limits.max_ratio * max(compressed, 1)


def _inflate_all(archive, members, limits: ZipLimits) -> Finding | None:
    """Inflate every member in 64 KiB steps, counting what really comes out: the directory's
    figures are the attacker's to write. zipfile itself stops at the declared size and then
    raises BadZipFile for the CRC, so a lying directory ends here as a damaged file."""
    total = 0
    for member in members:
        if member.is_dir():
            continue
        produced = 0
        with archive.open(member) as handle:
            while chunk := handle.read(64 * 1024):
                produced += len(chunk)
                total += len(chunk)
                if total > limits.max_unzipped_bytes:
                    return Finding("zip_size", {"size": total, "limit": limits.max_unzipped_bytes})
                if _too_compressed(produced, member.compress_size, limits):
                    return Finding("zip_ratio", {"member": member.filename})
    return None


# --- OLE2 (DOC, XLS) --------------------------------------------------------------------------

# Directory entries of a VBA project are UTF-16LE names: Word keeps "Macros/VBA/_VBA_PROJECT",
# Excel "_VBA_PROJECT_CUR/VBA/_VBA_PROJECT".
_OLE_VBA = "_VBA_PROJECT".encode("utf-16-le")


def ole_check(fileobj) -> Finding | None:
    fileobj.seek(0)
    try:
        previous = b""
        while chunk := fileobj.read(MiB):
            if _OLE_VBA in previous[-len(_OLE_VBA) :] + chunk:
                return Finding("macros", {"member": "_VBA_PROJECT"})
            previous = chunk
    finally:
        fileobj.seek(0)
    return None
