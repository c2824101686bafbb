"""A class list as instructors have it: a CSV saved by any spreadsheet, or Moodle's participants export.

Read from bytes, the way a spreadsheet may have saved it:

- UTF-8 with or without BOM, UTF-16 with BOM ("Unicode text"), or Windows-1252 / Latin-1 (a French
  spreadsheet's "CSV"); a byte none of them can read — or a UTF-8 file with one corrupted byte — is reported
  by line and column instead of a bare ``codec can't decode`` error;
- comma, semicolon or tab separated: the separator is the one that splits the header line into the most
  columns (a header holds no separator inside a name, unlike the rows that ``csv.Sniffer`` would also weigh);
- headers in our names (``id,name,email,host…``), in Moodle's participants export (First name, Last name,
  Email address, ID number) or in its French version (Prénom, Nom, Adresse de courriel, Numéro
  d'identification); case, accents and spaces do not matter.

It lives in ``reports`` because the exports and the pre-flight need the same identities (email, Moodle's
ID number) as the grader does; ``fixtures.hosts.roster`` turns the rows into targets.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

# Our column names, in the order a roster is written.
COLUMNS = ("id", "name", "email", "idnumber", "host", "zookeeper", "bootstrap", "ssh", "submission", "host_key",
           "canvas_id")
# Header spellings → our column names (compared after _fold: lower case, no accents, single spaces).
ALIASES = {
    "id": "id", "student id": "id", "login": "id", "username": "id", "nom d'utilisateur": "id",
    "name": "name", "full name": "name", "nom complet": "name",
    "first name": "first_name", "prenom": "first_name",
    "last name": "last_name", "surname": "last_name", "nom": "last_name", "nom de famille": "last_name",
    "email": "email", "email address": "email", "e-mail": "email", "adresse de courriel": "email",
    "adresse email": "email", "adresse e-mail": "email", "courriel": "email",
    "idnumber": "idnumber", "id number": "idnumber", "numero d'identification": "idnumber",
    "host": "host", "hostname": "host", "hote": "host", "machine": "host",
    "zookeeper": "zookeeper", "bootstrap": "bootstrap", "ssh": "ssh", "submission": "submission",
    "host_key": "host_key", "host key": "host_key",
    "canvas_id": "canvas_id", "canvas id": "canvas_id", "canvas user id": "canvas_id",
}
# Moodle's participants export has more columns (groups, last access…): they are read and ignored.
_MOODLE_ONLY = {"first_name", "last_name"}
_DELIMITERS = (",", ";", "\t")
# Well-formed UTF-8 sequences of two to four bytes: how a UTF-8 file with one bad byte is told from a Latin-1 one.
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


@dataclass(frozen=True)
class TableError:
    """A problem located in the file: ``column`` is a column's name, or a character position for a bad byte."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.column == "-":  # the whole record (a CSV syntax error, too many cells)
            return f"line {self.line}: {self.message}"
        where = f"column {self.column}" if self.column.isdigit() else f"column {self.column!r}"
        return f"line {self.line}, {where}: {self.message}"


@dataclass
class Table:
    rows: list[tuple[int, dict[str, str]]]  # (line in the file, {our column: text})
    errors: list[TableError]
    encoding: str = "utf-8"
    delimiter: str = ","


# Typographic apostrophes and quotes a spreadsheet or a word processor writes for "'" (Moodle's French export
# says "Numéro d’identification"), folded before the accents are taken off (they are not ASCII either).
_QUOTES = str.maketrans({c: "'" for c in "\u2019\u2018\u02bc\u2032\u00b4\u0060\u201b\uff07"})


def _fold(name: str) -> str:
    """A header as compared: Unicode-normalised (NFKC: no-break and narrow spaces become spaces), typographic
    apostrophes made ``'``, accents removed, case folded, spaces and underscores single spaces."""
    # quotes first: NFKC would turn the acute accent used as an apostrophe (U+00B4) into a space and an accent
    text = unicodedata.normalize("NFKC", name.replace("\ufeff", "").translate(_QUOTES)).translate(_QUOTES)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(text.casefold().replace("_", " ").split())


def column_name(header: str) -> str | None:
    """Our name for a header cell, or None for a column we do not read."""
    return ALIASES.get(_fold(header))


def _position(data: bytes, offset: int) -> tuple[int, int]:
    """Line and column (in characters, 1-based) of a byte offset."""
    start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, len(data[start:offset].decode("utf-8", "replace")) + 1


def _mostly_utf8(data: bytes) -> bool:
    """More well-formed UTF-8 sequences than stray high bytes: a UTF-8 file with a bad byte, not Latin-1."""
    sequences = _UTF8_MULTIBYTE.findall(data)
    stray = len(re.findall(rb"[\x80-\xff]", data)) - sum(len(s) for s in sequences)
    return len(sequences) > stray


def decode(data: bytes) -> tuple[str | None, str, TableError | None]:
    """The text of a file, the encoding it was read in, or the first byte that cannot be read."""
    boms = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
    encoding = next((name for bom, name in boms if data.startswith(bom)), "utf-8")
    try:
        return data.decode(encoding), encoding, None
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    if encoding == "utf-8" and not _mostly_utf8(data):
        # Not UTF-8: the spreadsheet's 8-bit encoding (Windows-1252, the superset of Latin-1 that Excel writes).
        try:
            return data.decode("cp1252"), "cp1252", None
        except UnicodeDecodeError as exc:
            line, column = _position(data, exc.start)
            return None, "cp1252", TableError(line, str(column), (
                f"byte 0x{data[exc.start]:02x} is neither UTF-8 nor Windows-1252 (Latin-1): save the roster as "
                f"'CSV UTF-8' · octet illisible : enregistrez la liste en « CSV UTF-8 »"))
    line, column = _position(data, first_bad)
    return None, encoding, TableError(line, str(column), (
        f"byte 0x{data[first_bad]:02x} is not UTF-8 although the rest of the file is (a corrupted or pasted "
        f"character?) · octet 0x{data[first_bad]:02x} invalide dans un fichier UTF-8"))


def sniff_delimiter(text: str) -> str:
    """The separator that splits the header (the first non-blank line) into the most cells; comma on a tie."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: len(next(csv.reader([header], delimiter=d), [])) for d in _DELIMITERS}
    return max(_DELIMITERS, key=lambda d: (counts[d], -_DELIMITERS.index(d)))


def _derived(row: dict[str, str]) -> dict[str, str]:
    """Moodle's participants export has no full name: it is 'First name Last name'."""
    first, last = row.pop("first_name", "").strip(), row.pop("last_name", "").strip()
    if not row.get("name", "").strip() and (first or last):
        row["name"] = f"{first} {last}".strip()
    return row


def read_csv(data: bytes, required: tuple[str, ...] = ()) -> Table:
    """The rows of a CSV class list under our column names, with every problem located in the file."""
    text, encoding, error = decode(data)
    if text is None:
        return Table([], [error] if error else [], encoding)
    delimiter = sniff_delimiter(text)
    # strict: a quote left open is an error, not a cell that swallows the rest of the file.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    table = Table([], [], encoding, delimiter)
    try:
        header = next(reader, [])
    except csv.Error as exc:
        table.errors.append(syntax_error(1, exc))
        return table
    names = [column_name(cell) for cell in header]
    present = set(filter(None, names)) | ({"name"} if _MOODLE_ONLY & set(filter(None, names)) else set())
    table.errors += [TableError(1, column, "column missing from the header (separator "
                                f"{delimiter!r}; known: {', '.join(COLUMNS)})") for column in required
                     if column not in present]
    if any(e.line == 1 for e in table.errors):
        return table
    if not _MOODLE_ONLY & present:  # Moodle's export has many more columns (groups, last access…): not typos
        table.errors += [TableError(1, cell.strip(), f"unknown column, ignored (known: {', '.join(COLUMNS)})")
                         for cell, name in zip(header, names) if name is None and cell.strip()]
    seen = [n for n in names if n]
    table.errors += [TableError(1, n, "column given twice") for n in sorted(set(seen)) if seen.count(n) > 1]
    for line, cells in records(reader, table.errors.append):
        if not any(cell.strip() for cell in cells):
            continue  # a blank line (spreadsheets add some at the end)
        if len(cells) > len(header):
            table.errors.append(TableError(line, "-", f"{len(cells) - len(header)} cell(s) more than the header"))
            continue
        row = {name: cell for name, cell in zip(names, cells) if name}
        table.rows.append((line, _derived(row)))
    return table


def syntax_error(line: int, exc: csv.Error) -> TableError:
    """A CSV syntax error, named as such with the line where its record starts (not a missing cell later)."""
    text = str(exc)
    if "unexpected end of data" in text or "EOF" in text:
        text = ("a quote (\") opens a cell that is never closed: the rest of the file would be one cell · "
                "guillemet ouvert jamais fermé")
    elif "expected after" in text:
        text += " (a quote inside a quoted cell must be doubled: \"\") · guillemet mal placé"
    return TableError(line, "-", f"CSV syntax error · erreur de syntaxe CSV: {text}")


def records(reader, on_error: Callable[[TableError], object]):  # noqa: ANN001, ANN201 - csv's reader
    """Each record as (the line it starts on, its cells): a quoted cell may span lines, and a reader names the
    line a record *ends* on. A syntax error goes to ``on_error`` and reading goes on with the next record (the
    csv module starts afresh after an error)."""
    start = reader.line_num + 1
    for _ in range(10_000_000):  # bounded: every call consumes at least one line or ends
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            on_error(syntax_error(start, exc))
            start = reader.line_num + 1
            continue
        yield start, cells
        start = reader.line_num + 1


def write_csv(rows: list[dict[str, str]], columns: tuple[str, ...] = COLUMNS, delimiter: str = ",",
              encoding: str = "utf-8") -> bytes:
    """A class list as a spreadsheet would save it (the tests write every dialect and encoding with it)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([[row.get(c, "") for c in columns] for row in rows])
    return buffer.getvalue().encode(encoding)
