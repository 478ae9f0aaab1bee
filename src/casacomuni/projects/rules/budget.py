"""Whether a funded project's cost plan (its budget lines, the quadro economico) matches its financing.

Art. 191 c. 1 TUEL (D.Lgs. 267/2000): a local authority spends only with financial cover. A cost plan above
the financing has a share with no cover; one below it leaves financing that nothing is planned to spend
(and that the funder may take back). Either way the project's figures do not reconcile, and the office and
the Comune must see it before the next statement.
"""

from decimal import Decimal


def cost_plan_gap(financing_total: Decimal, budget_total: Decimal) -> Decimal | None:
    """Budget lines minus financing (negative: the plan falls short), or None when they match or when no
    cost plan has been written yet (no budget line, or lines of zero)."""
    if budget_total == 0 or budget_total == financing_total:
        return None
    return budget_total - financing_total
