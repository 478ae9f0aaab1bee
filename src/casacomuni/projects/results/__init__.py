"""Results of the EU-funds office: the figures of a Province, of a Comune (Unione) and of the country, counted
on the applications (``rules.kpis``)."""
