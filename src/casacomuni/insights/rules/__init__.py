"""Pure rules of data collection: answer validation, the maturity index, reminder dates."""
