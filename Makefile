# The two commands: `make run` serves the product, `make test` runs every test.
.PHONY: run test lint setup

run:
	@scripts/bootstrap.sh
	@.venv/bin/python manage.py embedded

test:
	@scripts/bootstrap.sh --test
	@.venv/bin/python scripts/run_tests.py $(ARGS)

lint:
	@.venv/bin/ruff check .
	@.venv/bin/ruff format --check .

setup:
	@scripts/bootstrap.sh --test
