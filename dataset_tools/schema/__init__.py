"""The schema and its versions: models, vocabularies, published schema files, migrations."""
