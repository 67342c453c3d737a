"""`scripts/pulumi-engine.sh verify`, step 1: the engine runs a Python program (config, secrets, outputs)."""
import pulumi

cfg = pulumi.Config()
pulumi.export("greeting", f"hello {cfg.require('who')} from {pulumi.get_stack()}")
pulumi.export("secret_length", cfg.require_secret("token").apply(len))
