"""axe-core (the script axe-playwright-python ships) on a Playwright page."""

from axe_playwright_python.sync_playwright import Axe

# WCAG 2.0 and 2.1, levels A and AA, and axe's best practices (landmark-unique,
# heading-order, region, ...).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
OPTIONS = {"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]}

_axe = Axe()


def violations(page):
    """axe's violations on the page as it is now."""
    return _axe.run(page, options=OPTIONS).response["violations"]


def report(url, found):
    """One readable paragraph per violation: rule, impact, help and each offending element."""
    lines = []
    for violation in found:
        lines.append(f"{url}: {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {' '.join(node['target'])}: {node['html'][:160]}")
            summary = node.get("failureSummary", "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)
