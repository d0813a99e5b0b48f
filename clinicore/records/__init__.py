"""Treatment catalog, treatment records (visit summaries), prescriptions and patient documents."""
