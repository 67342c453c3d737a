"""Avro handling: parsing and checks of .avsc files, and Schema Registry compatibility."""
