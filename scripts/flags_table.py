#!/usr/bin/env python3
"""Prints the Markdown table of innograph-server's flags (docs/operations.md) from --helpfull.

Usage: scripts/flags_table.py [path/to/innograph-server]   (default: build/release/server/...)

Only the flags of the server's own files (server/*.cc) are listed, sorted by name; the
compiled-in source directory in defaults is shown as <source>. Standard library only.
"""

import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        ROOT, "build", "release", "server", "innograph-server")
    text = subprocess.run([binary, "--helpfull"], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=60).stdout
    rows = []
    # Sections start with "  Flags from FILE:"; entries are "--name (help); default: value;"
    # wrapped over several indented lines.
    for section in re.split(r"\n  Flags from ", text)[1:]:
        path, _, body = section.partition(":\n")
        if os.path.basename(os.path.dirname(path)) != "server":
            continue
        body = body.split("\n\n")[0]  # A blank line ends the section.
        joined = " ".join(line.strip() for line in body.splitlines())
        for name, help_text, default in re.findall(
                r"--(\w+) \((.*?)\); default: (.*?);(?= --|\s*$)", joined):
            default = default.replace(ROOT, "<source>")
            rows.append((name, default, help_text, os.path.basename(path)))
    print("| flag | default | meaning |")
    print("|---|---|---|")
    for name, default, help_text, _ in sorted(rows):
        help_text = help_text.replace("|", "\\|")
        print("| `--%s` | `%s` | %s |" % (name.replace("_", "-"), default, help_text))


if __name__ == "__main__":
    main()
