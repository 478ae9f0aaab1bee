"""Dashboards, statistics API and charts of the SUA procedures.

The dashboard card is ``procurement.cards``: the home dashboard finds it there by convention."""
