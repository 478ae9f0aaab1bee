"""The operators' register (albo fornitori) of a Province's SUA."""
