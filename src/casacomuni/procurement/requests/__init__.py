"""Procurement requests: a Comune (or Unione) asks the SUA of its Province to run a procedure for it."""
