"""Integration rules, Qt-free: lookup, screen pop, creation, call log, sync, binding."""
