# Shortcuts; each target delegates to a script in bin/ (which work without make too).
.PHONY: setup run demo test test-quick lint format fuzz docker

setup:  ## create .venv and install requirements.txt
	bin/setup

run: demo
demo:   ## migrate, seed demo data and serve on http://127.0.0.1:8000/ (embedded defaults)
	bin/demo

test:   ## the whole suite: ruff, migrations check, pytest on PostgreSQL/Redis, schemathesis fuzz
	bin/test $(ARGS)

test-quick:  ## the same without the fuzz step
	SKIP_FUZZ=1 bin/test $(ARGS)

lint:   ## ruff check and format check
	bin/lint

format: ## ruff fix and format
	bin/lint --fix

fuzz:   ## schemathesis over every API operation against a live gunicorn
	bin/fuzz

docker: ## build the image
	docker build -t hearth .
