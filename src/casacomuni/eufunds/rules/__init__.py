"""Pure rules of the EU-funds office: call status, amounts as published, eligibility."""
