"""The floor of a cold check: Python's start, reading every checked file, grimp's scan of them.

    python benchmarks/floor.py CHECKED_LIST PACKAGE...

CHECKED_LIST holds the checked files, one `relpath dotted` pair a line (run.py writes it from
mmkit's discovery). No checker can do less without a cache: it has to start, read the code
and find its imports. grimp's scan is limited to the checked files, as mmkit's is; imports
resolve against every module of the packages.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main() -> int:
    listing, *packages = sys.argv[1:]
    sys.path.insert(0, ".")
    from grimp.application.config import settings
    from grimp.application.scanning import scan_imports

    checked = set()
    size = 0
    for line in Path(listing).read_text().splitlines():
        relpath, dotted = line.split(" ")
        checked.add(dotted)
        size += len(Path(relpath).read_bytes())
    file_system = settings.FILE_SYSTEM
    found = {
        settings.MODULE_FINDER.find_package(
            package_name=name, package_directory=directory, file_system=file_system
        )
        for name in packages
        for directory in settings.PACKAGE_FINDER.determine_package_directories(
            package_name=name, file_system=file_system
        )
    }
    wanted = [
        module_file
        for package in found
        for module_file in package.module_files
        if module_file.module.name in checked
    ]
    scanned = scan_imports(
        wanted,
        found_packages=found,
        include_external_packages=False,
        exclude_type_checking_imports=False,
    )
    print(len(checked), size, sum(len(imports) for imports in scanned.values()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
