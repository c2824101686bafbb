"""``out/junit.xml`` for CI dashboards, written from the results (not pytest's own ``--junitxml``, which can only
say skipped/failed and would put the meaning upside down: a blocked check costs the student its points, a harness
error costs nothing).

How the four outcome states read in JUnit (what Jenkins, GitLab and GitHub dashboards count):

- passed → a bare ``<testcase>``;
- failed (``not submitted`` included) and blocked → ``<failure>`` with the reason: the student lost the points;
- not evaluated because the harness broke → ``<error>`` with the traceback (the grader's fault, not the student's);
- not evaluated otherwise (not applicable, not allowed, nothing handed in to the class) → ``<skipped>``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from .results import BLOCKED, FAILED, NOT_EVALUATED, OUTCOME_LABELS, CheckResult, TargetResults

# XML 1.0 allows only these characters: anything else (a surrogate, U+FFFE) would make the file unreadable.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str | None) -> str:
    return _NOT_XML.sub("\ufffd", text or "")


def element_for(result: CheckResult) -> ET.Element | None:
    """The child of a ``<testcase>`` that says the result's state (None for passed)."""
    label = " · ".join(OUTCOME_LABELS.get(result.outcome, (result.outcome,)))
    if result.outcome in (FAILED, BLOCKED):
        why = result.reason or (f"blocked by {result.blocked_by}" if result.blocked_by else label)
        node = ET.Element("failure", message=_xml(why), type=result.outcome)
        node.text = _xml("\n".join(filter(None, (why, result.hint_fr and f"FR: {result.hint_fr}",
                                                   result.hint_en and f"EN: {result.hint_en}"))))
        return node
    if result.outcome == NOT_EVALUATED and result.harness_error:
        node = ET.Element("error", message=_xml(result.reason or "harness error"), type="harness_error")
        node.text = _xml(result.harness_error)
        return node
    if result.outcome == NOT_EVALUATED:
        return ET.Element("skipped", message=_xml(result.reason or label))
    return None


def junit_tree(all_results: list[TargetResults]) -> ET.ElementTree:
    """One ``<testsuite>`` per subject (student), one ``<testcase>`` per check."""
    root = ET.Element("testsuites", name="kafkalab")
    for results in sorted(all_results, key=lambda r: r.target):
        children = [(r, element_for(r)) for r in results.in_lab_order()]
        tags = [child.tag for _, child in children if child is not None]
        suite = ET.SubElement(root, "testsuite", name=_xml(results.target), tests=str(len(children)),
                              failures=str(tags.count("failure")), errors=str(tags.count("error")),
                              skipped=str(tags.count("skipped")),
                              time=f"{sum(r.duration_s for r in results.results):.3f}")
        for result, child in children:
            case = ET.SubElement(suite, "testcase", classname=_xml(f"{results.target}.{result.step or '-'}"),
                                 name=_xml(result.check), time=f"{result.duration_s:.3f}")
            if child is not None:
                case.append(child)
    return ET.ElementTree(root)


def write_junit(all_results: list[TargetResults], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    junit_tree(all_results).write(path, encoding="utf-8", xml_declaration=True)
    return path
