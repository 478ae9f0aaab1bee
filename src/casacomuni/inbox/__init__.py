"""One inbox: the in-app notifications of everything the platform tells its users, and each user's choice of
e-mail for each kind (immediately, in a daily digest, or not by e-mail)."""
