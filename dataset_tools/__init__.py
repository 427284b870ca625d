"""coalition-dataset: schemas, validation and releases of counter-terrorism coalition data."""
