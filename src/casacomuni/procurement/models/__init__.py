"""The procurement app's models, for Django and for ``apps.get_model``: each is defined in its sub-package.

Import a model from the module that defines it (``casacomuni.procurement.procedures.models``); this package
only gathers them so that Django registers every model of the ``procurement`` app.
"""

from casacomuni.procurement.bidding.models import (
    CommissionMember,
    EnvelopeOpening,
    IntegrationRequest,
    OnlineBid,
    ProcedureKey,
    SealedDocument,
    TechnicalCoefficient,
)
from casacomuni.procurement.market.models import MarketRelease
from casacomuni.procurement.procedures.models import (
    Bid,
    Clarification,
    Evaluation,
    Invitation,
    Lot,
    Procedure,
    ProcedureEvent,
)
from casacomuni.procurement.register.models import (
    OperatorDocument,
    RegisteredOperator,
    RegistrationCategory,
    RegistrationDecision,
)
from casacomuni.procurement.requests.models import ProcurementRequest, RequestAttachment

__all__ = [
    "Bid",
    "Clarification",
    "CommissionMember",
    "EnvelopeOpening",
    "Evaluation",
    "IntegrationRequest",
    "Invitation",
    "Lot",
    "OnlineBid",
    "MarketRelease",
    "OperatorDocument",
    "Procedure",
    "ProcedureEvent",
    "ProcedureKey",
    "ProcurementRequest",
    "RegisteredOperator",
    "RegistrationCategory",
    "RegistrationDecision",
    "RequestAttachment",
    "SealedDocument",
    "TechnicalCoefficient",
]
