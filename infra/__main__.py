"""Pulumi entry point (Pulumi.yaml: main: infra/): the deploy of the selected stack."""
from eventbus.deploy import main

main()
