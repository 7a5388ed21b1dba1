"""Count what one `bin/test` run tested: pytest tests plus schemathesis cases.

    python -m devtools.test_summary --junit var/test-results/pytest.xml --fuzz-reports var/fuzz [--step-failures N]

Prints one line, `N passed, M failed`, which bin/test makes its very last line:

- pytest: from its JUnit XML; a test is failed when it failed or errored, passed when it
  passed (skipped tests are neither, and are reported on the line before);
- schemathesis: from every NDJSON report under the fuzz report folder; a generated case
  is failed when any of its checks did not succeed;
- the step that stopped the run (`--failed-step`) counts as one more failure unless its
  own failures are already counted (a lint error, a pytest that collected nothing, a fuzz
  pass that could not start), so a broken run never prints `0 failed`.

Exits 0; bin/test decides its own exit status.
"""

from __future__ import annotations

import argparse
import json
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Counts:
    passed: int = 0
    failed: int = 0
    skipped: int = 0

    def add(self, other: Counts) -> None:
        self.passed += other.passed
        self.failed += other.failed
        self.skipped += other.skipped


def pytest_counts(junit: Path) -> Counts:
    counts = Counts()
    if not junit.is_file():
        return counts
    root = ET.parse(junit).getroot()  # noqa: S314
    for case in root.iter("testcase"):
        outcome = {child.tag for child in case}
        if outcome & {"failure", "error"}:
            counts.failed += 1
        elif "skipped" in outcome:
            counts.skipped += 1
        else:
            counts.passed += 1
    return counts


def fuzz_counts(report_dir: Path) -> Counts:
    counts = Counts()
    if not report_dir.is_dir():
        return counts
    for path in sorted(report_dir.glob("report-*/*.ndjson")):
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                event = json.loads(line)
                finished = event.get("ScenarioFinished")
                if not finished:
                    continue
                recorder = finished.get("recorder") or {}
                checks = recorder.get("checks") or {}
                for case_id in recorder.get("cases") or {}:
                    results = checks.get(case_id) or []
                    if any(result.get("status") != "success" for result in results):
                        counts.failed += 1
                    else:
                        counts.passed += 1
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--junit", type=Path, required=True)
    parser.add_argument("--fuzz-reports", type=Path, required=True)
    parser.add_argument("--failed-step", default="", help="the bin/test step that failed, if any")
    args = parser.parse_args(argv)

    tests = pytest_counts(args.junit)
    fuzz = fuzz_counts(args.fuzz_reports)
    total = Counts()
    total.add(tests)
    total.add(fuzz)
    own = {"pytest": tests, "fuzz": fuzz}.get(args.failed_step)
    step_failures = 1 if args.failed_step and (own is None or own.failed == 0) else 0
    total.failed += step_failures
    print(
        f"pytest {tests.passed} passed, {tests.failed} failed, {tests.skipped} skipped; "
        f"fuzz cases {fuzz.passed} passed, {fuzz.failed} failed"
        + (f"; step {args.failed_step!r} failed" if args.failed_step else "")
    )
    print(f"{total.passed} passed, {total.failed} failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
