#!/usr/bin/env python3
"""Generates every consumer of the toevp register map from model/abi/regmap.json.

The JSON file is the single description of BAR0 (DESIGN.md, "Host/NIC ABI"):
offsets are typed there and nowhere else. This script checks it and writes

  toevp_regs.h          C/C++ header for firmware: offsets, field shifts/masks,
                        reset values (TOEVP_REG_<NAME>, TOEVP_<REG>_<FIELD>_*)
  toevp_regs_table.inc  X-macro list for the model's register table:
                        TOEVP_REG(NAME, OFFSET, ACCESS, RESET, HW, DOORBELL)
                        and, if defined, TOEVP_FIELD(REG, FIELD, LSB, WIDTH)
  toevp_regs_pkg.sv     SystemVerilog package of localparams
  registers.md          the Markdown reference (committed as docs/registers.md)

A map that is not self-consistent (duplicate names or offsets, unaligned
offsets, overlapping fields, fields beyond bit 31, ...) is rejected: the script
prints every problem it found and exits with status 1, writing nothing.

Python 3 standard library only.
"""

import argparse
import json
import os
import re
import sys

ACCESS_TOKENS = {"ro": "RO", "rw": "RW", "rw1c": "RW1C"}
ACCESS_TEXT = {
    "RO": "read-only",
    "RW": "read/write",
    "RW1C": "read, write 1 to clear",
}
NAME_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
TOP_KEYS = {"name", "description", "bar", "size", "registers"}
REG_KEYS = {"name", "offset", "access", "reset", "hw", "doorbell", "doc", "fields"}
FIELD_KEYS = {"name", "bits", "doc"}
GENERATED_NOTE = "Generated from model/abi/regmap.json by scripts/gen_regmap.py; do not edit."


class RegmapError(Exception):
    """The register map is not valid; args[0] is the list of problems."""


class Field:
    def __init__(self, name, lsb, width, doc):
        self.name, self.lsb, self.width, self.doc = name, lsb, width, doc

    @property
    def msb(self):
        return self.lsb + self.width - 1

    @property
    def mask(self):
        return ((1 << self.width) - 1) << self.lsb

    def bits_text(self):
        return str(self.lsb) if self.width == 1 else f"{self.msb}:{self.lsb}"


class Register:
    def __init__(self, name, offset, access, reset, hw, doorbell, doc, fields):
        self.name, self.offset, self.access = name, offset, access
        self.reset, self.hw, self.doorbell = reset, hw, doorbell
        self.doc, self.fields = doc, fields


class Regmap:
    def __init__(self, name, description, bar, size, registers):
        self.name, self.description = name, description
        self.bar, self.size, self.registers = bar, size, registers


# ---------------------------------------------------------------------------
# Parsing and validation
# ---------------------------------------------------------------------------

def parse_int(value, what, errors):
    """Accepts a JSON integer or a string such as "0x3C" / "60"."""
    if isinstance(value, bool):
        errors.append(f"{what}: {value!r} is not a number")
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value, 0)
        except ValueError:
            pass
    errors.append(f"{what}: {value!r} is not a number")
    return None


def parse_bits(text, what, errors):
    """"7:4" -> (lsb 4, width 4); "3" -> (3, 1)."""
    m = re.fullmatch(r"\s*(\d+)\s*(?::\s*(\d+)\s*)?", str(text))
    if not m:
        errors.append(f"{what}: bits {text!r} is not 'msb:lsb' or 'bit'")
        return None
    msb = int(m.group(1))
    lsb = int(m.group(2)) if m.group(2) is not None else msb
    if msb < lsb:
        errors.append(f"{what}: bits {text!r} has msb below lsb")
        return None
    if msb > 31:
        errors.append(f"{what}: bits {text!r} reach beyond bit 31 of a 32-bit register")
        return None
    return lsb, msb - lsb + 1


def check_keys(obj, allowed, what, errors):
    if not isinstance(obj, dict):
        errors.append(f"{what}: expected an object")
        return False
    for key in sorted(set(obj) - allowed):
        errors.append(f"{what}: unknown key {key!r}")
    return True


def check_name(name, what, errors):
    if not isinstance(name, str) or not NAME_RE.match(name):
        errors.append(f"{what}: name {name!r} is not an upper-case identifier")
        return False
    return True


def check_doc(obj, what, errors):
    doc = obj.get("doc")
    if not isinstance(doc, str) or not doc.strip():
        errors.append(f"{what}: missing 'doc' text")
        return ""
    return doc.strip()


def parse_fields(raw_fields, reg_what, errors):
    if not isinstance(raw_fields, list):
        errors.append(f"{reg_what}: 'fields' must be a list")
        return []
    fields, names = [], set()
    for i, raw in enumerate(raw_fields):
        what = f"{reg_what} field #{i}"
        if not isinstance(raw, dict):
            errors.append(f"{what}: expected an object")
            continue
        name = raw.get("name")
        if check_name(name, what, errors):
            what = f"{reg_what} field {name}"
            if name in names:
                errors.append(f"{what}: duplicate field name")
            names.add(name)
        check_keys(raw, FIELD_KEYS, what, errors)
        doc = check_doc(raw, what, errors)
        if "bits" not in raw:
            errors.append(f"{what}: missing 'bits'")
            continue
        bits = parse_bits(raw["bits"], what, errors)
        if bits is not None and isinstance(name, str):
            fields.append(Field(name, bits[0], bits[1], doc))
    check_overlaps(fields, reg_what, errors)
    return sorted(fields, key=lambda f: f.lsb)


def check_overlaps(fields, reg_what, errors):
    for i, a in enumerate(fields):
        for b in fields[i + 1:]:
            if a.mask & b.mask:
                errors.append(f"{reg_what}: fields {a.name} [{a.bits_text()}] and "
                              f"{b.name} [{b.bits_text()}] overlap")


def parse_register(raw, index, size, errors):
    what = f"register #{index}"
    if not isinstance(raw, dict):
        errors.append(f"{what}: expected an object")
        return None
    name = raw.get("name")
    if not check_name(name, what, errors):
        return None
    what = f"register {name}"
    check_keys(raw, REG_KEYS, what, errors)
    doc = check_doc(raw, what, errors)
    offset = parse_int(raw.get("offset"), f"{what}: offset", errors) if "offset" in raw else None
    if "offset" not in raw:
        errors.append(f"{what}: missing 'offset'")
    elif offset is not None:
        if offset % 4:
            errors.append(f"{what}: offset {offset:#x} is not 4-byte aligned")
        if not 0 <= offset <= size - 4:
            errors.append(f"{what}: offset {offset:#x} is outside the {size:#x}-byte BAR")
    access = ACCESS_TOKENS.get(str(raw.get("access", "")).lower())
    if access is None:
        errors.append(f"{what}: access {raw.get('access')!r} is not one of ro, rw, rw1c")
    hw = raw.get("hw", False)
    doorbell = raw.get("doorbell", False)
    for flag, value in (("hw", hw), ("doorbell", doorbell)):
        if not isinstance(value, bool):
            errors.append(f"{what}: '{flag}' must be true or false")
    if doorbell and access != "RW":
        errors.append(f"{what}: a doorbell must be rw")
    reset = 0
    if "reset" in raw:
        reset = parse_int(raw["reset"], f"{what}: reset", errors)
        if reset is not None and not 0 <= reset <= 0xFFFFFFFF:
            errors.append(f"{what}: reset {reset:#x} does not fit in 32 bits")
            reset = None
    elif not hw:
        errors.append(f"{what}: missing 'reset' (only 'hw' registers may omit it)")
    fields = parse_fields(raw.get("fields", []), what, errors)
    if fields and reset:
        covered = 0
        for f in fields:
            covered |= f.mask
        if reset & ~covered:
            errors.append(f"{what}: reset {reset:#x} sets bits outside every field")
    if offset is None or access is None or reset is None:
        return None
    return Register(name, offset, access, reset, bool(hw), bool(doorbell), doc, fields)


def check_unique(registers, errors):
    by_name, by_offset = {}, {}
    for r in registers:
        if r.name in by_name:
            errors.append(f"register {r.name}: duplicate register name")
        by_name[r.name] = r
        if r.offset in by_offset:
            errors.append(f"register {r.name}: offset {r.offset:#05x} is already used by "
                          f"{by_offset[r.offset].name}")
        else:
            by_offset[r.offset] = r
    # Generated identifiers must not collide across registers either
    # (register A_B field C and register A field B_C both give TOEVP_A_B_C_*).
    seen = {}
    for r in registers:
        for ident in [f"{r.name}_RESET"] + [f"{r.name}_{f.name}" for f in r.fields]:
            owner = seen.setdefault(ident, r.name)
            if owner != r.name:
                errors.append(f"register {r.name}: generated name TOEVP_{ident} collides "
                              f"with one of register {owner}")


def parse_regmap(data):
    """Returns a Regmap or raises RegmapError with every problem found."""
    errors = []
    if not check_keys(data, TOP_KEYS, "regmap", errors):
        raise RegmapError(errors)
    size = parse_int(data.get("size", 4096), "regmap: size", errors) or 4096
    bar = parse_int(data.get("bar", 0), "regmap: bar", errors) or 0
    raw_regs = data.get("registers")
    if not isinstance(raw_regs, list) or not raw_regs:
        errors.append("regmap: 'registers' must be a non-empty list")
        raise RegmapError(errors)
    registers = [r for i, raw in enumerate(raw_regs)
                 if (r := parse_register(raw, i, size, errors)) is not None]
    check_unique(registers, errors)
    if errors:
        raise RegmapError(errors)
    registers.sort(key=lambda r: r.offset)
    return Regmap(str(data.get("name", "toevp")), str(data.get("description", "")).strip(),
                  bar, size, registers)


def load_regmap(path):
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f, object_pairs_hook=reject_duplicate_keys)
    except (OSError, ValueError) as e:
        raise RegmapError([f"{path}: {e}"])
    return parse_regmap(data)


def reject_duplicate_keys(pairs):
    keys = [k for k, _ in pairs]
    dups = sorted({k for k in keys if keys.count(k) > 1})
    if dups:
        raise ValueError(f"duplicate JSON key(s) {', '.join(dups)}")
    return dict(pairs)


# ---------------------------------------------------------------------------
# Emitters
# ---------------------------------------------------------------------------

def c_comment(text):
    return text.replace("*/", "* /")


def hex32(v):
    return f"0x{v:08X}"


def emit_c_header(m):
    out = [f"/* {GENERATED_NOTE}",
           " *",
           " * Offsets and fields of the toevp BAR0 registers for firmware (C and C++).",
           " * TOEVP_REG_<REG> is a byte offset; TOEVP_<REG>_<FIELD>_SHIFT/_WIDTH give a",
           " * field's position and TOEVP_<REG>_<FIELD>_MASK its bits in place;",
           " * TOEVP_<REG>_RESET is the reset value (0 for registers the hardware",
           " * supplies). */",
           "#ifndef TOEVP_REGS_H",
           "#define TOEVP_REGS_H",
           "",
           f"#define TOEVP_REGMAP_BAR {m.bar}u",
           f"#define TOEVP_REGMAP_SIZE 0x{m.size:X}u",
           f"#define TOEVP_REG_COUNT {len(m.registers)}u",
           ""]
    for r in m.registers:
        flags = "".join([", hw" if r.hw else "", ", doorbell" if r.doorbell else ""])
        out.append(f"/* {r.name} ({r.access}{flags}): {c_comment(r.doc)} */")
        out.append(f"#define TOEVP_REG_{r.name} 0x{r.offset:03X}u")
        out.append(f"#define TOEVP_{r.name}_RESET {hex32(r.reset)}u")
        for f in r.fields:
            p = f"TOEVP_{r.name}_{f.name}"
            out.append(f"#define {p}_SHIFT {f.lsb}u")
            out.append(f"#define {p}_WIDTH {f.width}u")
            out.append(f"#define {p}_MASK {hex32(f.mask)}u")
        out.append("")
    out.append("#endif /* TOEVP_REGS_H */")
    return "\n".join(out) + "\n"


def emit_table_inc(m):
    out = [f"/* {GENERATED_NOTE}",
           " *",
           " * X-macro list of the toevp BAR0 registers, in offset order. Define",
           " *   TOEVP_REG(NAME, OFFSET, ACCESS, RESET, HW, DOORBELL)",
           " * (ACCESS is one of the bare tokens RO, RW, RW1C; HW and DOORBELL are 0/1)",
           " * and optionally TOEVP_FIELD(REG, FIELD, LSB, WIDTH), then include this",
           " * file. Both macros are #undef'd at the end. No include guard: it is",
           " * meant to be included several times. */",
           "#ifndef TOEVP_REG",
           "#error \"define TOEVP_REG(NAME, OFFSET, ACCESS, RESET, HW, DOORBELL) before including toevp_regs_table.inc\"",
           "#endif",
           "#ifndef TOEVP_FIELD",
           "#define TOEVP_FIELD(REG, FIELD, LSB, WIDTH)",
           "#endif",
           ""]
    for r in m.registers:
        out.append(f"TOEVP_REG({r.name}, 0x{r.offset:03X}u, {r.access}, {hex32(r.reset)}u, "
                   f"{int(r.hw)}, {int(r.doorbell)})")
    out.append("")
    for r in m.registers:
        for f in r.fields:
            out.append(f"TOEVP_FIELD({r.name}, {f.name}, {f.lsb}u, {f.width}u)")
    out += ["", "#undef TOEVP_REG", "#undef TOEVP_FIELD"]
    return "\n".join(out) + "\n"


def emit_sv_package(m):
    out = [f"// {GENERATED_NOTE}",
           "//",
           "// The toevp BAR0 register map for RTL: byte offsets (TOEVP_REG_<REG>),",
           "// reset values and field positions, with the names of the C header.",
           "// A design uses a few of these constants: unused ones are not a lint issue.",
           "/* verilator lint_off UNUSEDPARAM */",
           "package toevp_regs_pkg;",
           "",
           f"  localparam logic [31:0] TOEVP_REGMAP_SIZE = 32'h{m.size:X};",
           f"  localparam logic [31:0] TOEVP_REG_COUNT = 32'd{len(m.registers)};",
           ""]
    for r in m.registers:
        out.append(f"  // {r.name} ({r.access}): {r.doc}")
        out.append(f"  localparam logic [31:0] TOEVP_REG_{r.name} = 32'h{r.offset:03X};")
        out.append(f"  localparam logic [31:0] TOEVP_{r.name}_RESET = 32'h{r.reset:08X};")
        for f in r.fields:
            p = f"TOEVP_{r.name}_{f.name}"
            out.append(f"  localparam logic [31:0] {p}_SHIFT = 32'd{f.lsb};")
            out.append(f"  localparam logic [31:0] {p}_WIDTH = 32'd{f.width};")
            out.append(f"  localparam logic [31:0] {p}_MASK = 32'h{f.mask:08X};")
    out += ["", "endpackage : toevp_regs_pkg", "/* verilator lint_on UNUSEDPARAM */"]
    return "\n".join(out) + "\n"


def md_cell(text):
    return " ".join(text.split()).replace("|", "\\|")


def md_reset(r):
    return "hw" if r.hw else f"`{hex32(r.reset)}`"


def md_summary(r):
    first = r.doc.split(". ")[0].rstrip(".")
    return md_cell(first) + "."


def emit_markdown(m):
    out = [f"# toevp register map (BAR{m.bar})", "",
           f"<!-- {GENERATED_NOTE} -->", "",
           md_cell(m.description), "",
           "Access: **RO** read-only (writes are ignored and set `ERR_STATUS.MMIO`), "
           "**RW** read/write, **RW1C** write 1 to clear a bit. A reset of **hw** means "
           "the value is supplied by the hardware (capabilities, status, counters). "
           "A **doorbell** register starts NIC work when written. The host/NIC ABI "
           "(submission and completion entries, PCB) is described in [abi.md](abi.md).", "",
           "| offset | register | access | reset | summary |",
           "|---|---|---|---|---|"]
    for r in m.registers:
        access = r.access + (", doorbell" if r.doorbell else "")
        out.append(f"| `0x{r.offset:03X}` | [{r.name}](#{r.name.lower()}) | {access} | "
                   f"{md_reset(r)} | {md_summary(r)} |")
    out += ["", "## Registers", ""]
    for r in m.registers:
        out += emit_md_register(r)
    return "\n".join(out).rstrip("\n") + "\n"


def emit_md_register(r):
    kind = ACCESS_TEXT[r.access] + (", doorbell" if r.doorbell else "")
    out = [f"### {r.name}", "",
           f"Offset `0x{r.offset:03X}`, {r.access} ({kind}), reset {md_reset(r)}.", "",
           md_cell(r.doc), ""]
    if r.fields:
        out += ["| bits | field | reset | description |", "|---|---|---|---|"]
        for f in reversed(r.fields):
            reset = "hw" if r.hw else f"`{(r.reset & f.mask) >> f.lsb:#x}`"
            out.append(f"| {f.bits_text()} | {f.name} | {reset} | {md_cell(f.doc)} |")
        out.append("")
    return out


OUTPUTS = {
    "toevp_regs.h": emit_c_header,
    "toevp_regs_table.inc": emit_table_inc,
    "toevp_regs_pkg.sv": emit_sv_package,
    "registers.md": emit_markdown,
}


def write_if_changed(path, text):
    """Leaves an identical file untouched so its dependents are not rebuilt
    (CMake's Ninja rules for custom commands use restat)."""
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return
    except OSError:
        pass
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("regmap", help="path of regmap.json")
    ap.add_argument("--out-dir", help="directory for the generated files")
    ap.add_argument("--markdown", help="also write the Markdown reference here "
                    "(e.g. docs/registers.md after a change to the map)")
    args = ap.parse_args(argv)
    try:
        regmap = load_regmap(args.regmap)
    except RegmapError as e:
        for problem in e.args[0]:
            print(f"gen_regmap: error: {problem}", file=sys.stderr)
        return 1
    if args.out_dir:
        os.makedirs(args.out_dir, exist_ok=True)
        for name, emit in OUTPUTS.items():
            write_if_changed(os.path.join(args.out_dir, name), emit(regmap))
    if args.markdown:
        write_if_changed(args.markdown, emit_markdown(regmap))
    return 0


if __name__ == "__main__":
    sys.exit(main())
