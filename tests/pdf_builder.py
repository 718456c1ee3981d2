"""Hand-built PDFs for the upload and download tests: a correct cross-reference table around
whatever objects a test needs (an action, a script, an embedded file, an HTML polyglot)."""

import io
import zlib

PAGE_OBJECTS = [
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
]


def build_pdf(objects: list[bytes] | None = None, *, preamble: bytes = b"") -> bytes:
    """Objects numbered from 1 (object 1 is the catalog); `preamble` goes after the header as
    raw bytes (a comment, or the HTML of a polyglot)."""
    objects = objects or PAGE_OBJECTS
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + preamble)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def with_catalog(extra: bytes, *more: bytes) -> bytes:
    """The one-page PDF whose catalog carries `extra` (e.g. b"/OpenAction 4 0 R"), with
    objects 4, 5... appended."""
    catalog = b"<< /Type /Catalog /Pages 2 0 R " + extra + b" >>"
    return build_pdf([catalog, *PAGE_OBJECTS[1:], *more])


def stream(body: bytes, *, dictionary: bytes = b"", compress: bool = False) -> bytes:
    data = zlib.compress(body) if compress else body
    flt = b"/Filter /FlateDecode " if compress else b""
    return b"<< %s%s/Length %d >>\nstream\n%s\nendstream" % (dictionary, flt, len(data), data)


def with_object_stream(hidden: bytes) -> bytes:
    """A PDF 1.5 file whose catalog sits in a compressed object stream, with `hidden` in the
    catalog: a name there is invisible to a byte search of the file."""
    catalog = b"<< /Type /Catalog /Pages 2 0 R " + hidden + b" >>"
    inner = catalog + b" "
    header = b"1 0 "
    objstm_body = header + inner
    objstm = stream(
        objstm_body,
        dictionary=b"/Type /ObjStm /N 1 /First %d " % len(header),
        compress=True,
    )
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    plain = {2: PAGE_OBJECTS[1], 3: PAGE_OBJECTS[2], 4: objstm}
    for number in (2, 3, 4):
        offsets[number] = out.tell()
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, plain[number]))
    xref_offset = out.tell()
    # Cross-reference stream: type 2 entry for object 1 (in object stream 4, index 0).
    rows = [b"\x00\x00\x00\x00\x00\xff", b"\x02\x00\x00\x00\x04\x00"]
    rows += [b"\x01" + offsets[n].to_bytes(4, "big") + b"\x00" for n in (2, 3, 4)]
    rows.append(b"\x01" + xref_offset.to_bytes(4, "big") + b"\x00")
    xref = stream(
        b"".join(rows),
        dictionary=b"/Type /XRef /Size 6 /W [1 4 1] /Root 1 0 R ",
    )
    out.write(b"5 0 obj\n%s\nendobj\n" % xref)
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref_offset)
    return out.getvalue()
