"""Data collection campaigns (questionnaires) sent by the Province to its Comuni, and the digital services catalogue."""
