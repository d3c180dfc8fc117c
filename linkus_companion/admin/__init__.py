"""Admin tools: signing keys and bundles, policy templates, and the `doctor` diagnosis."""
