"""The public calculators (anomaly threshold, procedure router) and code checkers: no login, no tenant."""
