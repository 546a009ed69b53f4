"""Terraform and OpenTofu plans and states as inventory input (sovaudit.inputs.readers)."""
