"""OCDS: the public publication of the SUA's procedures and the import of ANAC's releases."""
