"""Ownership: CODEOWNERS generated from the tree, and the approvals a change needs."""
