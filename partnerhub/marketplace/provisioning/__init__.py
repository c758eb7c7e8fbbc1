"""Provisioning through a vendor's API: the contract's client, the conformance suite, a sample vendor service."""
