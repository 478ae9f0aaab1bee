"""Calls for funding: the catalogue imported from public sources, eligibility and digests."""
