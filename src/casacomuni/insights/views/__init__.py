"""Pages of data collection, one module per section: ``campaigns`` (with completion, exports and editions),
``responses`` (the Comune's form and the read-only response), ``questionnaires`` (the builder) and
``digital_services`` (the catalogue); what they share is in ``_common``.

Thin views: they read through ``for_user`` (404 for others' objects) and write only through
``insights.services``; a role that may not use a page gets 403.
"""
