"""The training pillar's rules, pure: the 40-hour ledger, completion and the register, seats and waiting list,
the Open Badges assertion. No Django, no database (import-linter contract, docs/adr/0007)."""
