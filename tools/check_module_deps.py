#!/usr/bin/env python3
"""Fails when a module includes a header of a module it may not depend on.

The allowed edges are the design's dependency direction (docs/architecture.md).
"""
import pathlib
import re
import sys

ALLOWED = {
    "base": set(),
    "metrics": {"base"},
    "state": {"base"},
    "site": {"base"},
    "net": {"base"},
    "http": {"base", "net"},
    "balancer": {"base", "net"},
    "config": {"base", "net", "balancer"},
    "proxy": {"base", "net", "http", "balancer", "config", "site", "metrics"},
    "cli": {"base", "net", "http", "site"},
    "supervisor": {"base", "net"},
    "control": {"base", "net"},
    "deploy": {"base", "net", "balancer", "config", "supervisor", "state", "metrics"},
    "keeper": {"net"},
    "app": {"base", "metrics", "net", "http", "balancer", "config", "proxy", "cli", "site", "state", "supervisor", "deploy", "control"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/([^"]+)"', re.M)
# The CLI reads what the control API writes through the same types, and nothing else of control/.
WIRE_ONLY = {"cli": "control"}


def main() -> int:
    src = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "src")
    problems = []
    for path in sorted(src.rglob("*.[ch]pp")):
        module = path.relative_to(src).parts[0]
        if module not in ALLOWED or path.name.endswith("_test.cpp"):
            continue
        for included, rest in INCLUDE.findall(path.read_text()):
            if WIRE_ONLY.get(module) == included and rest.startswith("wire/"):
                continue
            if included != module and included not in ALLOWED[module]:
                problems.append(f"{path}: module '{module}' may not include '{included}/'")
    for p in problems:
        print(p)
    print(f"module boundaries: {len(problems)} violation(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
