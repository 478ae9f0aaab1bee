"""Casa dei Comuni: shared services of Italy's Provinces for their Comuni."""
