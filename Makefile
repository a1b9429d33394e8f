# The front door: `make help` lists every target.
.DEFAULT_GOAL := help
SHELL := /bin/bash
ARGS ?=

.PHONY: help install dev test test-unit test-chaos test-process lint format typecheck build user bench-api bench-long-audio eval-notes bench-auth supabase-check bootstrap images up down logs ps monitor-status alerts-test silence silences backup backup-verify backup-prune restore bench-backup certs renew-certs tls-grade seaweedfs bench-stt bench-upload-formats bench-storage deploy rollback deploy-history load user-stack test-stack test-e2e trivy scan k8s-validate clean chaos swarm-deploy swarm-status swarm-rollback bench-swarm

help: ## List every target with one line each
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

install: ## Install the test tools (ops/install-test-deps.sh: Debian packages, promtool, npm ci)
	@bash ops/install-test-deps.sh

dev: install ## Run the API on Node with embedded defaults (PGlite, extractive writer) on :8080
	npm run dev

test: install ## Every check: types, lint, format, unit, web, process, the stack suite, then the chaos drills
	npm test

test-unit: install ## Run the unit and API tests only
	npm run test:unit

test-chaos: install ## Run the chaos drills as tests on their own scratch stack (CHAOS_DRILL=name for some)
	npm run test:chaos

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

user: ## Manage accounts: make user ARGS="add someone@example.org [--admin]" (grant-admin / revoke-admin EMAIL)
	npm run user -- $(ARGS)

bench-api: install ## Benchmark the API against bare baselines (prints ratios)
	npm run bench:api -- $(ARGS)

bench-long-audio: install ## What a 60-minute consultation costs the API: pauses, chunks, writer (prints ratios)
	npm run bench:long-audio
eval-notes: install ## Score the note writers on the synthetic consultations: facts per SOAP section, evidence (ARGS="--worst 5")
	npm run eval:notes -- $(ARGS)
bench-auth: install ## Benchmark Supabase token checks: cached JWKS (ES256/RS256) vs shared secret (ratios)
	npm run bench:auth -- $(ARGS)

supabase-check: ## Check a configured Supabase project from here: JWKS, sign-in, database mode, Storage (ARGS="--help")
	npm run --silent supabase-check -- $(ARGS)

bootstrap: install ## Make Docker ready: engine, compose v2, base image (ARGS="--dry-run")
	npm run bootstrap -- $(ARGS)

images: ## Build the images medic-scribe/*:local, after bootstrap (ARGS="--only api,stt --tag x")
	npm run --silent bootstrap
	npm run build:images -- $(ARGS)

up: images ## Start the stack on https://localhost:8443 and wait until healthy (ARGS="--monitor --dry-run")
	npm run up -- $(ARGS)

down: ## Stop the stack; the audio, notes and pgdata volumes are kept
	npm run --silent stack -- down

logs: ## Follow the stack's logs (ARGS="api edge" for some services)
	npm run --silent stack -- logs $(ARGS)

ps: ## Show the stack's services and their health
	npm run --silent stack -- ps

monitor-status: ## What the monitor sees: targets down, alerts firing, pending, silenced
	npm run --silent monitor:status -- $(ARGS)

alerts-test: ## Send a test notification to every configured receiver, say which answered
	npm run --silent alerts:test -- $(ARGS)

silence: ## Silence alerts for a while: make silence ARGS="--for 2h --reason 'planned upgrade'"
	npm run --silent silence -- $(ARGS)

silences: ## List the active silences (expire one: make silence ARGS="--expire ID")
	npm run --silent silence -- --list $(ARGS)

backup: ## Back up the database, audio and notes (volumes, or the bucket with STORAGE=s3) into the restic repository (ARGS="--project x")
	npm run --silent backup -- $(ARGS)

backup-verify: ## Check the repository (reads every pack) and the newest backup against its manifest
	npm run --silent backup:verify -- $(ARGS)

backup-prune: ## Keep the last KEEP_DAILY/WEEKLY/MONTHLY backups, list what is removed (ARGS="--dry-run")
	npm run --silent backup:prune -- $(ARGS)

restore: ## Restore a backup into the stack, safety backup first (ARGS="--snapshot ID --yes --dry-run")
	npm run --silent restore -- $(ARGS)

bench-backup: ## Backup figures on a scratch stack: 1 GB of audio vs tar, incremental, RTO (ARGS="--size-mb 200")
	npm run --silent bench:backup -- $(ARGS)

certs: ## First certificate for SERVER_NAME (+CERT_EXTRA_NAMES) via certbot; Let's Encrypt staging unless ARGS=--production
	npm run --silent certs -- $(ARGS)

renew-certs: ## Renew what is due (a third of the lifetime left), reload the edge, check what it serves (ARGS="--dry-run")
	npm run --silent renew-certs -- $(ARGS)

tls-grade: ## Grade the edge's TLS with testssl.sh 3.2: the grade and what cost points (ARGS="--min-grade A+")
	npm run --silent tls-grade -- $(ARGS)
seaweedfs: ## Build (once, cached) the SeaweedFS S3 server the object-storage tests use (ARGS="--dry-run")
	npm run --silent build:seaweedfs -- $(ARGS)

bench-stt: install ## Word error rate and speed of the offline engines, Whisper vs PocketSphinx (ARGS="--count 10")
	npm run --silent bench:stt -- $(ARGS)

bench-upload-formats: install ## Bytes a minute of WAV vs Opus (WebM, Ogg) and a throttled 30-minute upload (ARGS="--kbps 4000")
	npm run --silent bench:upload-formats -- $(ARGS)

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

user-stack: ## Accounts in the running stack: make user-stack ARGS="add someone@example.org [--admin]" (grant-admin / revoke-admin EMAIL)
	npm run --silent stack -- user $(ARGS)

test-stack: install ## Build the images and check the whole stack from outside (Testcontainers)
	npm run test:stack

test-e2e: install ## Only the PWA's browser tests (Chromium) against a fresh stack; screenshots in test-results/
	npm run test:stack -- tests/e2e

trivy: ## Build (once, cached) or find a trusted trivy v0.74.0 for make scan; refuses 0.69.4-0.69.6
	npm run --silent trivy -- $(ARGS)

scan: ## Security scan: images, SBOMs, secrets, hardening, API probe, TLS grade; report in scan-results/ (ARGS="--require-vulns")
	npm run --silent scan -- $(ARGS)

k8s-validate: ## Render the Kubernetes overlays (kustomize), decode them strictly, trivy config; tools built once (ARGS="--overlay group")
	npm run --silent k8s:validate -- $(ARGS)

clean: ## Remove build output (keeps ./data)
	rm -rf api/dist coverage

chaos: install ## Chaos drills on a scratch stack: table + resilience score (DRILL=name, ARGS="--project medic-scribe")
	npm run --silent chaos -- $(if $(DRILL),--drill $(DRILL)) $(ARGS)

swarm-deploy: ## Deploy on Docker Swarm from a stack file made from the compose files (ARGS="--api-replicas 3 --dry-run")
	npm run --silent swarm:deploy -- $(ARGS)

swarm-status: ## What the Swarm runs: nodes, services, updates, failed tasks
	npm run --silent swarm:status -- $(ARGS)

swarm-rollback: ## Put the Swarm's api back on its previous release (ARGS="--service api,stt")
	npm run --silent swarm:rollback -- $(ARGS)

bench-swarm: ## Swarm figures on three local nodes: notes/min with 1-3 api replicas, rolling update, recovery
	npm run --silent bench:swarm -- $(ARGS)
