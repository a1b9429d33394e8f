# The front door: `make help` lists every target.
.DEFAULT_GOAL := help
SHELL := /bin/bash
ARGS ?=

.PHONY: help install dev test test-unit test-process test-stack test-e2e lint format typecheck build user bench-api clean bootstrap images up down logs ps user-stack backup backup-verify backup-prune restore bench-backup seaweedfs bench-storage

help: ## List every target with one line each
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

install: ## Install test tools (espeak-ng, sox) and npm dependencies
	@bash ops/install-test-deps.sh

dev: install ## Run the API on Node with embedded defaults (PGlite, extractive writer) on :8080
	npm run dev

test: install ## Run every check: types, lint, format, unit and API tests, process tests, then the stack suite
	npm test

test-unit: install ## Run the unit and API tests only
	npm run test:unit

test-process: install ## Run the crash-recovery and Deno tests only
	npm run test:process

lint: ## Lint and check formatting
	npm run lint

format: ## Format and auto-fix lint findings
	npm run format

typecheck: ## Type-check the whole repository
	npm run typecheck

build: ## Bundle the API into api/dist/node.js
	npm run build

user: ## Manage accounts: make user ARGS="add someone@example.org"
	npm run user -- $(ARGS)

bench-api: install ## Benchmark the API against bare baselines (prints ratios)
	npm run bench:api -- $(ARGS)

bootstrap: install ## Make Docker ready: engine, compose v2, base image (ARGS="--dry-run")
	npm run bootstrap -- $(ARGS)

images: ## Build the images medic-scribe/*:local, after bootstrap (ARGS="--only api,stt --tag x")
	npm run --silent bootstrap
	npm run build:images -- $(ARGS)

up: images ## Start the stack on https://localhost:8443 and wait until healthy (ARGS="--dry-run")
	npm run up -- $(ARGS)

down: ## Stop the stack; the audio, notes and pgdata volumes are kept
	npm run --silent stack -- down

logs: ## Follow the stack's logs (ARGS="api edge" for some services)
	npm run --silent stack -- logs $(ARGS)

ps: ## Show the stack's services and their health
	npm run --silent stack -- ps

backup: ## Back up the database, audio and notes into the restic repository (ARGS="--project x")
	npm run --silent backup -- $(ARGS)

backup-verify: ## Check the repository (reads every pack) and the newest backup against its manifest
	npm run --silent backup:verify -- $(ARGS)

backup-prune: ## Keep the last KEEP_DAILY/WEEKLY/MONTHLY backups, list what is removed (ARGS="--dry-run")
	npm run --silent backup:prune -- $(ARGS)

restore: ## Restore a backup into the stack, safety backup first (ARGS="--snapshot ID --yes --dry-run")
	npm run --silent restore -- $(ARGS)

bench-backup: ## Backup figures on a scratch stack: 1 GB of audio vs tar, incremental, RTO (ARGS="--size-mb 200")
	npm run --silent bench:backup -- $(ARGS)

seaweedfs: ## Build (once, cached) the SeaweedFS S3 server the object-storage tests use (ARGS="--dry-run")
	npm run --silent build:seaweedfs -- $(ARGS)

bench-storage: install seaweedfs ## Upload ingest MB/s: object store (SeaweedFS) vs disk store, same run (ARGS="--size-mb 64")
	npm run --silent bench:storage -- $(ARGS)

deploy: ## Roll out the API from this commit (or VERSION=tag) with no downtime; rolls back on failure
	npm run --silent deploy -- $(if $(VERSION),--version $(VERSION)) $(ARGS)

rollback: ## Put the previous (or VERSION=tag) API release back live, same health gate
	npm run --silent rollback -- $(if $(VERSION),--version $(VERSION)) $(ARGS)

deploy-history: ## Show every deploy and rollback recorded on the target
	npm run --silent deploy:history -- $(ARGS)

load: ## Load-test through the edge: k6 if installed, else autocannon (PROFILE=smoke|load|stress|soak)
	npm run --silent load -- $(if $(PROFILE),--profile $(PROFILE)) $(ARGS)

user-stack: ## Accounts in the running stack: make user-stack ARGS="add someone@example.org"
	npm run --silent stack -- user $(ARGS)

test-stack: install ## Build the images and check the whole stack from outside (Testcontainers)
	npm run test:stack

test-e2e: install ## Only the PWA's browser tests (Chromium) against a fresh stack; screenshots in test-results/
	npm run test:stack -- tests/e2e

clean: ## Remove build output (keeps ./data)
	rm -rf api/dist coverage
