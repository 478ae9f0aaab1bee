"""The model library (Biblioteca dei modelli): convention schemes, tender documents, EU-funds templates and
questionnaire templates published by UPI and by each Province, adopted and adapted by the Provinces."""
