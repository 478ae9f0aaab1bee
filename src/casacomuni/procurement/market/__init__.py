"""Market data: ANAC's published OCDS releases, imported and read as comparable prices."""
