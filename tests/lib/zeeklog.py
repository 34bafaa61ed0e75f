# tests/lib/zeeklog.py - read Zeek logs (TSV with meta lines, zeek-cut -m, JSON lines) and canonify them like btest.
"""Shared helpers for the pcap cases and the Zeek parity test.

A parsed log is a ZeekLog: `meta` (key -> raw value of each `#key` line),
`fields` (column names), `types`, `rows` (list of dicts, values exactly as
written: "-" unset, "(empty)" empty) and `json` (True for JSON lines, whose
row values keep their JSON types).
"""

import json
import re

UNSET = "-"
EMPTY = "(empty)"

# btest's diff-remove-first-timestamp: the first 9-10 digit epoch with a fraction on a
# line becomes X's; #open / #close stamps too.
_FIRST_TS = re.compile(r"[0-9]{9,10}\.[0-9]{1,8}")
_OPEN_CLOSE = re.compile(r"^#(open|close)\s.*$")


class ZeekLog:
    def __init__(self):
        self.meta = {}
        self.fields = []
        self.types = []
        self.rows = []
        self.json = False

    def column(self, name):
        return [r.get(name) for r in self.rows]


def canonify_line(line):
    """Mask a line the way btest's default canonifier does."""
    m = _OPEN_CLOSE.match(line)
    if m:
        return "#%s XXXX-XX-XX-XX-XX-XX" % m.group(1)
    return _FIRST_TS.sub("XXXXXXXXXX.XXXXXX", line, count=1)


def canonify_text(text):
    lines = text.split("\n")
    if lines and lines[0].startswith("### BTest baseline"):
        lines = lines[1:]
    return "\n".join(canonify_line(l) for l in lines)


def parse_text(text):
    """Parse a Zeek log's text. Accepts full TSV (with # meta lines), the
    `zeek-cut -m` form (one bare header line of names), and JSON lines."""
    log = ZeekLog()
    lines = [l for l in text.split("\n") if l != ""]
    if lines and lines[0].startswith("### BTest baseline"):
        lines = lines[1:]
    if lines and lines[0].lstrip().startswith("{"):
        log.json = True
        for l in lines:
            obj = json.loads(l)
            for k in obj:
                if k not in log.fields:
                    log.fields.append(k)
            log.rows.append(obj)
        return log
    sep = "\t"
    bare_header = True
    for l in lines:
        if l.startswith("#separator "):
            sep = l.split(" ", 1)[1].encode().decode("unicode_escape")
            bare_header = False
            continue
        if l.startswith("#"):
            bare_header = False
            key, _, val = l[1:].partition(sep)
            if key in ("open", "close") and not val:
                key, _, val = l[1:].partition(" ")
            log.meta[key] = val
            if key == "fields":
                log.fields = val.split(sep)
            elif key == "types":
                log.types = val.split(sep)
            continue
        if not log.fields and bare_header:
            log.fields = l.split(sep)      # zeek-cut -m: the first line names the columns
            continue
        vals = l.split(sep)
        log.rows.append(dict(zip(log.fields, vals + [None] * (len(log.fields) - len(vals)))))
    return log


def read(path, canonify=False):
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        text = f.read()
    if canonify:
        text = canonify_text(text)
    return parse_text(text)


def cut(log, columns, negate=False, minimal=False):
    """zeek-cut: keep `columns` (or all but them with negate). With minimal (-m) the
    result has no meta lines, only the names (zeek-cut -m)."""
    if negate:
        keep = [f for f in log.fields if f not in columns]
    elif columns:
        keep = [c for c in columns if c in log.fields]
    else:
        keep = list(log.fields)
    out = ZeekLog()
    out.json = log.json
    out.fields = keep
    if not minimal:
        out.meta = dict(log.meta)
        out.meta["fields"] = "\t".join(keep)
        if log.types:
            tmap = dict(zip(log.fields, log.types))
            out.types = [tmap.get(f, "") for f in keep]
            out.meta["types"] = "\t".join(out.types)
    out.rows = [{k: r.get(k) for k in keep} for r in log.rows]
    return out


def split_set(value):
    """A set/vector column as a sorted list ([] when unset or empty)."""
    if value in (None, UNSET, EMPTY):
        return []
    if isinstance(value, list):
        return sorted(value)
    return sorted(value.split(","))
