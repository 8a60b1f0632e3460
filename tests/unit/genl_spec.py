#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""
include/preempthint-genl.yaml against include/preempthint.h: every enum entry
of the header is in the spec with the same name and value, and the spec has
nothing the header lacks; the family's defines, the attribute types the
header's comments give, and the spec's own references agree. Prints TAP.

No PyYAML needed: the spec is read by a small parser for the block style
it is written in. Where PyYAML is installed (Debian: python3-yaml), the
two parses must also agree, which keeps that parser honest.
"""
import os
import re
import sys

TOP = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
HEADER = os.path.join(TOP, "include", "preempthint.h")
SPEC = os.path.join(TOP, "include", "preempthint-genl.yaml")

n = 0
failed = 0


def check(ok, what, diag=None):
    global n, failed
    n += 1
    print(f"{'ok' if ok else 'not ok'} {n} - {what}")
    if not ok:
        failed += 1
        if diag:
            for line in str(diag).splitlines():
                print(f"#   {line}")


def skip(what):
    global n
    n += 1
    print(f"ok {n} - # SKIP {what}")


# ---- the spec: a block-style YAML subset ---------------------------------

class SpecError(Exception):
    pass


def scalar(text):
    text = text.strip()
    if text == "{}":
        return {}
    if text.startswith("[") and text.endswith("]"):
        inner = text[1:-1].strip()
        return [scalar(x) for x in inner.split(",")] if inner else []
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"-?[0-9]+", text):
        return int(text)
    return text


def parse_yaml(text):
    """Mappings, '-' lists of mappings or scalars, '|' blocks, flow [a, b]."""
    lines = []
    for raw in text.splitlines():
        if not raw.strip() or raw.lstrip().startswith("#") or raw.strip() == "---":
            lines.append(None)      # keeps block scalars' blank lines countable
            continue
        if "\t" in raw[: len(raw) - len(raw.lstrip())]:
            raise SpecError(f"tab in indentation: {raw!r}")
        lines.append((len(raw) - len(raw.lstrip(" ")), raw.strip(), raw))
    pos = 0

    def skip_blank():
        nonlocal pos
        while pos < len(lines) and lines[pos] is None:
            pos += 1

    def block_scalar(indent):
        nonlocal pos
        body = []
        while pos < len(lines):
            line = lines[pos]
            if line is not None and line[0] <= indent:
                break
            body.append(line)
            pos += 1
        while body and body[-1] is None:
            body.pop()
        cut = min(line[0] for line in body if line is not None)
        return "".join((line[2][cut:] if line else "") + "\n" for line in body)

    def node(indent):
        nonlocal pos
        skip_blank()
        if pos >= len(lines) or lines[pos][0] < indent:
            raise SpecError("empty block")
        if lines[pos][1].startswith("-"):
            return seq(lines[pos][0])
        return mapping(lines[pos][0])

    def seq(indent):
        nonlocal pos
        out = []
        while True:
            skip_blank()
            if pos >= len(lines) or lines[pos][0] != indent or not lines[pos][1].startswith("-"):
                return out
            rest = lines[pos][1][1:].strip()
            pos += 1
            if rest:
                if re.match(r"[\w-]+:", rest):
                    raise SpecError(f"'- key: value' is not in this subset: {rest!r}")
                out.append(scalar(rest))
            else:
                out.append(node(indent + 1))

    def mapping(indent):
        nonlocal pos
        out = {}
        while True:
            skip_blank()
            if pos >= len(lines) or lines[pos][0] != indent:
                if pos < len(lines) and lines[pos][0] > indent:
                    raise SpecError(f"unexpected indentation: {lines[pos][2]!r}")
                return out
            m = re.fullmatch(r"([\w.-]+):(?:\s+(.*))?", lines[pos][1])
            if not m:
                raise SpecError(f"not 'key: value': {lines[pos][2]!r}")
            key, value = m.group(1), m.group(2)
            if key in out:
                raise SpecError(f"key {key!r} twice")
            pos += 1
            if value == "|":
                out[key] = block_scalar(indent)
            elif value is None:
                out[key] = node(indent + 1)
            else:
                out[key] = scalar(value)

    result = node(0)
    skip_blank()
    if pos != len(lines):
        raise SpecError(f"trailing text: {lines[pos][2]!r}")
    return result


# ---- the header -----------------------------------------------------------

def c_name(*parts):
    return "".join(parts).upper().replace("-", "_")


def parse_header(text):
    """Enums (name -> [(entry, value, comment)]) and #defines (name -> value)."""
    enums = {}
    for m in re.finditer(r"enum\s+(\w+)\s*\{(.*?)\};", text, re.S):
        # Comments on lines of their own go; one after an entry is its doc.
        body = re.sub(r"(?m)^\s*/\*.*?\*/", "", m.group(2), flags=re.S)
        entries, value = [], 0
        for line in body.splitlines():
            if not line.strip():
                continue
            e = re.fullmatch(r"\s*(\w+)\s*(?:=\s*([^,/]+?))?\s*,?\s*(?:/\*\s*(.*?)\s*\*/)?\s*",
                             line)
            if not e:
                raise SpecError(f"enum {m.group(1)}: cannot read {line.strip()!r}")
            if e.group(2) is not None:
                value = int(e.group(2), 0)
            entries.append((e.group(1), value, e.group(3) or ""))
            value += 1
        enums[m.group(1)] = entries
    known = {name: v for entries in enums.values() for name, v, _ in entries}
    defines = {}
    for m in re.finditer(r"(?m)^#define\s+(\w+)\s+(.+?)\s*(?:/\*.*)?$", text):
        name, expr = m.group(1), m.group(2)
        if expr.startswith('"'):
            defines[name] = expr.strip('"')
            continue
        expr = re.sub(r"\b(\d+)[UL]+\b", r"\1", expr)
        expr = re.sub(r"\b[A-Za-z_]\w*\b",
                      lambda w: str({**known, **defines}.get(w.group(0), w.group(0))), expr)
        if re.fullmatch(r"[\d\s()<>|+\-]+", expr):
            defines[name] = eval(expr)      # digits and operators only
    return enums, defines


# ---- the spec's names and values, as the C header would spell them --------

def spec_values(spec):
    """C name -> (value, what) for every enum entry and define the spec renders."""
    out = {}
    family = spec["name"]

    ops = spec["operations"]
    prefix = ops.get("name-prefix", f"{family}-cmd-")
    value = 1
    for op in ops["list"]:
        value = op.get("value", value)
        out[c_name(prefix, op["name"])] = (value, "op")
        last = value
        value += 1
    out[c_name(ops.get("cmd-cnt-name", f"__{prefix}max"))] = (last + 1, "op count")
    out[c_name(ops.get("cmd-max-name", f"{prefix}max"))] = (last, "op max")

    for aset in spec["attribute-sets"]:
        prefix = aset.get("name-prefix", f"{family}-{aset['name']}-a-")
        value = 1
        for attr in aset["attributes"]:
            value = attr.get("value", value)
            out[c_name(prefix, attr["name"])] = (value, f"attribute of {aset['name']}")
            last = value
            value += 1
        out[c_name(aset.get("attr-cnt-name", f"__{prefix}max"))] = (last + 1, "attribute count")
        out[c_name(aset.get("attr-max-name", f"{prefix}max"))] = (last, "attribute max")

    for d in spec.get("definitions", []):
        if d["type"] == "const":
            out[c_name(d.get("name-prefix", f"{family}-"), d["name"])] = (d["value"], "const")
        elif d["type"] in ("flags", "enum"):
            value = d.get("value-start", 0)
            for e in d["entries"]:
                e = e if isinstance(e, dict) else {"name": e}
                value = e.get("value", value)
                v = 1 << value if d["type"] == "flags" else value
                out[c_name(d.get("name-prefix", f"{family}-{d['name']}-"), e["name"])] = (v, d["type"])
                value += 1
    return out


def main():
    with open(HEADER, encoding="utf-8") as f:
        header = f.read()
    with open(SPEC, encoding="utf-8") as f:
        text = f.read()

    check(text.startswith("# SPDX-License-Identifier: "), "the spec starts with its SPDX tag")
    try:
        spec = parse_yaml(text)
        check(isinstance(spec, dict), "the spec parses")
    except SpecError as e:
        check(False, "the spec parses", e)
        return
    try:
        import yaml
    except ImportError:
        skip("PyYAML not installed: no second opinion on the parse")
    else:
        check(yaml.safe_load(text) == spec, "PyYAML reads the spec the same")

    check(spec.get("protocol") in ("genetlink", "genetlink-legacy", "genetlink-c"),
          f"protocol is a generic netlink one ({spec.get('protocol')})")
    try:
        enums, defines = parse_header(header)
    except SpecError as e:
        check(False, "the header's enums parse", e)
        return
    want_enums = ("preempthint_cmd", "preempthint_attr", "preempthint_stat")
    check(all(e in enums for e in want_enums), f"the header has the enums {', '.join(want_enums)}",
          f"found {sorted(enums)}")

    values = spec_values(spec)
    header_names = set()
    for enum in want_enums:
        for name, value, _ in enums.get(enum, []):
            header_names.add(name)
            got = values.get(name)
            check(got is not None and got[0] == value,
                  f"{enum}: {name} = {value} in the spec",
                  f"spec: {got[0] if got else 'missing'}")
    # The MAX names are #defines in the header (max-by-define).
    for name in (c_name(spec["operations"]["name-prefix"], "max"),) + tuple(
            c_name(s["name-prefix"], "max") for s in spec["attribute-sets"]):
        header_names.add(name)
        got = values.get(name)
        check(name in defines and got is not None and defines[name] == got[0],
              f"#define {name} = {defines.get(name)} in the spec",
              f"spec: {got[0] if got else 'missing'}")
    check(spec.get("max-by-define") is True, "max-by-define: the header #defines the MAX names")

    # Constants and flags: the #defines of the genl part of the header.
    for name, (value, what) in sorted(values.items()):
        if what in ("const", "flags", "enum"):
            header_names.add(name)
            check(defines.get(name) == value, f"{what} {name} = {value} in the header",
                  f"header: {defines.get(name)}")
    extra = sorted(set(values) - header_names)
    check(not extra, "the spec renders no name the header lacks", ", ".join(extra))
    for prefix in ("PREEMPTHINT_GRACE_US_", "PREEMPTHINT_MODE_"):
        names = sorted(d for d in defines if d.startswith(prefix))
        missing = [d for d in names if d not in values]
        check(not missing, f"every {prefix}* define is in the spec", ", ".join(missing))

    fam = c_name(spec["c-family-name"])
    check(defines.get(fam) == spec["name"], f"{fam} is the family name '{spec['name']}'",
          f"header: {defines.get(fam)}")
    ver = c_name(spec["c-version-name"])
    check(defines.get(ver) == spec.get("version", 1), f"{ver} is the version {spec.get('version', 1)}",
          f"header: {defines.get(ver)}")
    groups = spec["mcast-groups"]["list"]
    for g in groups:
        name = c_name(g.get("c-define-name", f"{spec['name']}-mcgrp-{g['name']}"))
        check(defines.get(name) == g["name"], f"{name} is the multicast group '{g['name']}'",
              f"header: {defines.get(name)}")

    # Types: the header's comments name them ("/* u64, ..."); counters are u64.
    sets = {s["name"]: s for s in spec["attribute-sets"]}
    types = {}
    for s in spec["attribute-sets"]:
        for a in s["attributes"]:
            types[c_name(s["name-prefix"], a["name"])] = a["type"]
    for name, _, comment in enums["preempthint_attr"] + enums["preempthint_stat"]:
        m = re.match(r"(string|nest|u8|u16|u32|u64)\b", comment)
        if name.endswith("_UNSPEC"):
            want = "unused"
        elif name.endswith("_PAD"):
            want = "pad"
        elif m:
            want = m.group(1)
        elif name.startswith("PREEMPTHINT_STAT_"):
            want = "u64"    # "nest of PREEMPTHINT_STAT_* (u64 each)"
        else:
            continue
        check(types.get(name) == want, f"{name} is {want}", f"spec: {types.get(name)}")
    for s in spec["attribute-sets"]:
        has_u64 = any(a["type"] == "u64" for a in s["attributes"])
        has_pad = any(a["type"] == "pad" for a in s["attributes"])
        check(has_pad or not has_u64, f"set {s['name']}: u64 attributes have a pad attribute")

    # The kernel's checks, as the header bounds them.
    attrs = {a["name"]: a for a in sets["preempthint"]["attributes"]}
    grace = attrs["grace-us"].get("checks", {})
    check((grace.get("min"), grace.get("max")) ==
          (defines["PREEMPTHINT_GRACE_US_MIN"], defines["PREEMPTHINT_GRACE_US_MAX"]),
          f"grace-us is checked to {grace.get('min')}..{grace.get('max')} us")
    mode = attrs["mode"].get("checks", {})
    check((mode.get("min"), mode.get("max")) == (1, defines["PREEMPTHINT_MODE_ALL"]),
          f"mode is checked to 1..PREEMPTHINT_MODE_ALL")
    check(attrs["cgroup-path"]["type"] == "string" and
          not attrs["cgroup-path"].get("checks", {}).get("unterminated-ok"),
          "cgroup-path is a NUL-terminated string")

    # References inside the spec.
    bad = []
    group_names = {g["name"] for g in groups}
    defs = {d["name"] for d in spec.get("definitions", [])}
    for s in spec["attribute-sets"]:
        for a in s["attributes"]:
            if a.get("nested-attributes") and a["nested-attributes"] not in sets:
                bad.append(f"{a['name']}: no set {a['nested-attributes']}")
            if a.get("enum") and a["enum"] not in defs:
                bad.append(f"{a['name']}: no definition {a['enum']}")
    for op in spec["operations"]["list"]:
        known = {a["name"] for a in sets.get(op.get("attribute-set"), {}).get("attributes", [])}
        lists = [op[m].get(d, {}).get("attributes", [])
                 for m in ("do", "dump") if m in op for d in ("request", "reply")]
        lists += [op["event"].get("attributes", [])] if "event" in op else []
        for name in (x for lst in lists for x in lst):
            if name not in known:
                bad.append(f"{op['name']}: no attribute {name}")
        if "event" in op and op.get("mcgrp") not in group_names:
            bad.append(f"{op['name']}: no multicast group {op.get('mcgrp')}")
    check(not bad, "every attribute, set, definition and group the spec names exists",
          "\n".join(bad))


if __name__ == "__main__":
    main()
    print(f"1..{n}")
    print(f"{n - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
