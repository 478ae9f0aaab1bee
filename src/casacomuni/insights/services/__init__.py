"""Write operations of data collection, one module per section: ``questionnaires`` (built-in templates and the
builder), ``campaigns``, ``responses``, ``digital_services`` (the catalogue and its adoptions); what they
share is in ``_common``.

Every function takes the ``Actor``, checks its role and scope, runs in one transaction and records an audit
event. Bad input raises ``ValidationError`` (a message per field, or per question code for answers) and
writes nothing; a role that may not act raises ``PermissionDenied``. A refusal due to the state of an
object (a submitted response, a sent campaign) is a ``ValidationError`` with code ``"state"``: the API
turns it into a 409.
"""
