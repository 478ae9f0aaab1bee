"""The app's models, defined in its sub-packages and named here so that Django registers them under the
``projects`` label: ``applications.models`` (applications for calls) and ``funded.models`` (funded projects).
Import the choices and helpers from the module that defines them."""

from casacomuni.projects.applications.models import (
    Application,
    ApplicationDocument,
    ApplicationPartner,
    ApplicationTask,
)
from casacomuni.projects.funded.models import (
    BudgetLine,
    ComplianceCheck,
    Expense,
    Financing,
    FundedProject,
    Milestone,
    Movement,
    Phase,
    ProjectIndicator,
    ReportingPeriod,
)

__all__ = [
    "Application",
    "ApplicationDocument",
    "ApplicationPartner",
    "ApplicationTask",
    "BudgetLine",
    "ComplianceCheck",
    "Expense",
    "Financing",
    "FundedProject",
    "Milestone",
    "Movement",
    "Phase",
    "ProjectIndicator",
    "ReportingPeriod",
]
