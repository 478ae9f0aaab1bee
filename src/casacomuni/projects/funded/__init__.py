"""Funded projects: financing, budget, commitments and payments, phases, indicators, PNRR milestones and
checks, reporting periods and expenses, the OpenCoesione export and the procurement request to the SUA."""
