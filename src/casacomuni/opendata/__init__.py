"""The Provinces' open-data catalogues (DCAT-AP_IT) and their regenerated distributions."""
