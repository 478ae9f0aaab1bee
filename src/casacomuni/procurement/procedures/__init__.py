"""The SUA's procedures: from an accepted request to the awarded, contracted and closed lots."""
