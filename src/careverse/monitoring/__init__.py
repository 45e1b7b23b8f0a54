"""Remote patient monitoring: devices, readings (HTTP, FHIR, MQTT), NEWS2, rules and alerts."""
