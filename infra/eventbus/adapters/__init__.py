"""Thin adapters at the edges: git, Kafka admin, AWS, Pulumi, catalog rendering."""
