"""Pulumi entry point (Pulumi.yaml: main: infra/). All logic lives in eventbus.adapters.pulumi_program."""
from eventbus.adapters.pulumi_program import main

main()
