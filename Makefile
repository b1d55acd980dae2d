# Conveniences; the README's two commands are scripts/demo.sh and scripts/test.sh
# (make is not on a bare Debian install).
.PHONY: demo test screenshots bench build
demo:
	scripts/demo.sh
test:
	scripts/test.sh
screenshots:
	scripts/bootstrap.sh && QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.visual_walk --gallery docs/screens
bench:
	scripts/bootstrap.sh && .venv/bin/python bench/startup.py
