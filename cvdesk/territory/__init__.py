"""The official territory reference (communes and EPCI): its build script and its read-only lookups."""
