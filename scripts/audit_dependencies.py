"""Audit the installed Python packages for known vulnerabilities with pip-audit (PyPI's advisory data).

Exit 0: every package audited, none vulnerable. Exit 1: a known vulnerability (listed with its fix).
Exit 3: the registry did not answer for some packages (a mirror without PyPI's per-version JSON API, or no
network), so they were not audited; scripts/test reports that as a skip, never as "no known vulnerabilities".
"""

import json
import subprocess
import sys

NOT_AUDITED = 3


def main() -> int:
    # The project itself is installed editable and is not on PyPI.
    command = [
        sys.executable,
        "-m",
        "pip_audit",
        "--progress-spinner",
        "off",
        "--skip-editable",
        "--format",
        "json",
    ]
    # A fixed command line, no user input.
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(f"pip-audit gave no report: {result.stderr.strip()[-500:]}")
        return NOT_AUDITED
    packages = report["dependencies"]
    vulnerable = [p for p in packages if p.get("vulns")]
    skipped = [p for p in packages if "skip_reason" in p]
    for package in vulnerable:
        for vuln in package["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
            print(f"{package['name']} {package['version']}: {vuln['id']} (fixed in {fixes})")
    print(
        f"{len(packages) - len(skipped)} packages audited, {len(vulnerable)} vulnerable, {len(skipped)} not audited"
    )
    if vulnerable:
        return 1
    if skipped:
        print(f"Not audited, e.g.: {skipped[0]['skip_reason']}")
        return NOT_AUDITED
    return 0


if __name__ == "__main__":
    sys.exit(main())
