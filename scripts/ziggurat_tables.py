#!/usr/bin/env python3
"""Writes crates/imbalanced-random/src/ziggurat.rs: the double-precision
ziggurat tables of NumPy's Generator (standard normal and standard
exponential), copied from NumPy's numpy/random/src/distributions/
ziggurat_constants.h (BSD-3-Clause), so that the Rust `Generator` draws what
NumPy draws.

    python scripts/ziggurat_tables.py path/to/ziggurat_constants.h \
        > crates/imbalanced-random/src/ziggurat.rs

Floats are written in Python's shortest round-trip form of the C literal's
double, integers in hexadecimal, so the tables are the same bits.
"""
import re
import sys

TABLES = {
    "ki_double": ("KI", "u64"),
    "wi_double": ("WI", "f64"),
    "fi_double": ("FI", "f64"),
    "ke_double": ("KE", "u64"),
    "we_double": ("WE", "f64"),
    "fe_double": ("FE", "f64"),
}
SCALARS = {"ziggurat_nor_r": "NOR_R", "ziggurat_nor_inv_r": "NOR_INV_R", "ziggurat_exp_r": "EXP_R"}


def main(path):
    text = open(path).read()
    out = [
        "//! The double-precision ziggurat tables of NumPy's `Generator` (standard",
        "//! normal: `KI`, `WI`, `FI`; standard exponential: `KE`, `WE`, `FE`), from",
        "//! NumPy's `numpy/random/src/distributions/ziggurat_constants.h`",
        "//! (BSD-3-Clause), written by `scripts/ziggurat_tables.py`: do not edit.",
        "",
    ]
    for name, (rust, ty) in TABLES.items():
        body = re.search(r"static const \w+ " + name + r"\[\] = \{(.*?)\};", text, re.S).group(1)
        items = [t.strip() for t in body.split(",") if t.strip()]
        if ty == "u64":
            values = [f"0x{int(t.rstrip('ULL'), 16):016X}" for t in items]
        else:
            values = [repr(float(t)) for t in items]
        assert len(values) == 256, (name, len(values))
        out.append(f"pub(crate) const {rust}: [{ty}; 256] = [")
        for i in range(0, 256, 4):
            out.append("    " + ", ".join(values[i:i + 4]) + ",")
        out.append("];")
        out.append("")
    for name, rust in SCALARS.items():
        value = re.search(r"static const double " + name + r"\s*=\s*([0-9.eE+-]+)", text).group(1)
        out.append(f"pub(crate) const {rust}: f64 = {float(value)!r};")
    print("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1])
