"""Demo tools: the autopilot (drives the window like a visitor) and the screenshot tool."""
