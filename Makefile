# Signet: one command to set up and run, one to set up and test. See README.md.
SHELL := /bin/bash
CARGO ?= cargo
# Debian packages the build and the tests need (installed only when missing).
APT_PACKAGES := build-essential pkg-config file libwebkit2gtk-4.1-dev libxdo-dev librsvg2-dev
STAMP := target/.setup-$(shell echo $(APT_PACKAGES) | md5sum | cut -c1-8)

.PHONY: setup ui-deps ui ui-checks bindings-check supply-chain run cli demo test check-fmt clippy unit e2e deb deb-test measure-desktop measure-cli fuzz bench provider clean-setup

## setup: install what is missing (Debian packages, Rust components, the UI's npm packages)
setup: $(STAMP) ui-deps

$(STAMP):
	@missing=$$(for p in $(APT_PACKAGES); do [ "$$(dpkg-query -W -f='$${db:Status-Status}' $$p 2>/dev/null)" = installed ] || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages: $$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
	@$(CARGO) fmt --version >/dev/null 2>&1 || rustup component add rustfmt
	@$(CARGO) clippy --version >/dev/null 2>&1 || rustup component add clippy
	@mkdir -p target && touch $@

# The UI's npm packages, exactly as package-lock.json pins them (reinstalled when it changes).
ui-deps: ui/node_modules/.package-lock.json

ui/node_modules/.package-lock.json: ui/package-lock.json
	cd ui && npm ci --no-audit --no-fund
	@touch $@

## ui: build the wizard into ui/dist (the desktop app embeds it)
ui: ui-deps
	cd ui && npm run build

## run: set up, build the UI and launch the desktop app (press "Try it with the demo provider")
run: setup ui
	$(CARGO) run -q -p signet-desktop

## cli: the ten-step dance in a terminal against the built-in demo provider
## (your browser opens the provider's consent page: sign in as alice / wonderland)
cli: setup ui
	$(CARGO) run -q -p signet-cli -- flow --demo

## demo: the same terminal dance with the consent approved automatically (no browser needed)
demo: setup ui
	$(CARGO) build -q -p signet-cli
	./target/debug/signet flow --demo --browser "$(CURDIR)/target/debug/signet approve"

## provider: run the demo provider on port 8000 until Ctrl-C
provider: setup ui
	$(CARGO) run -q -p signet-cli -- provider --port 8000

## test: set up, then every check CI runs (format, lints, the supply chain, bindings, all
## tests, the real app end to end under Xvfb, and the .deb's signet:// handler)
test: setup ui check-fmt clippy supply-chain bindings-check unit ui-checks e2e deb-test

# The desktop app embeds ui/dist at compile time: every cargo build of the workspace needs it.
clippy unit bindings-check: ui

## e2e: drive the real app with tauri-driver + WebKitWebDriver (screenshots in target/e2e/)
e2e: setup ui
	scripts/e2e.sh

## deb: build the Debian package (release, LTO) into target/release/bundle/deb/
deb: setup ui
	cd src-tauri && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npx tauri build --bundles deb

## deb-test: install the .deb, open a signet:// URL with gio and check the running app got it
deb-test: deb
	xvfb-run -a dbus-run-session -- tests/e2e/deb.sh

## measure-desktop: cold start, memory and binary size beside a bare Tauri app
measure-desktop: setup ui
	scripts/measure-desktop.sh

## measure-cli: `signet sign` and `signet --help` as whole processes beside a hello-world binary
measure-cli: setup
	scripts/measure-cli.sh

ui-checks: ui-deps
	cd ui && npm run check && npm run lint && npm run format:check && npm test

bindings-check:
	scripts/check-bindings.sh

## supply-chain: cargo deny (licenses, bans, sources; deny.toml) and npm audit of the UI
supply-chain: ui-deps
	scripts/supply-chain.sh

check-fmt:
	$(CARGO) fmt --all -- --check

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

unit:
	$(CARGO) test --workspace

## bench: signing, endpoint calls, dance and store benchmarks (figures in README.md)
bench: setup ui
	$(CARGO) bench -p signet-oauth1 --bench sign
	$(CARGO) bench -p signet-connector --bench call
	$(CARGO) run --release -q -p signet-app --example send_many -- 1000
	$(CARGO) run --release -q -p signet-app --example walk_pages -- 20
	$(CARGO) bench -p signet-connector --bench schema
	$(CARGO) run --release -q -p signet-connector --example schema_figures
	$(CARGO) bench -p signet-engine --bench dance
	$(CARGO) bench -p signet-store

## fuzz: run each fuzz target for FUZZ_SECONDS (default 300) or FUZZ_RUNS executions (default
## 10 million), whichever comes first; needs the nightly toolchain
FUZZ_SECONDS ?= 300
FUZZ_RUNS ?= 10000000
FUZZ_TARGETS ?= oauth1:token_response oauth1:callback oauth1:authorization_header \
  oauth1:diagnosis oauth1:deep_link store:import interchange:postman_import
fuzz:
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked
	for spec in $(FUZZ_TARGETS); do \
	  crate=$${spec%%:*}; t=$${spec##*:}; \
	  ( cd crates/$$crate/fuzz && mkdir -p corpus/$$t && \
	    cargo +nightly fuzz run $$t corpus/$$t seeds/$$t -- \
	      -max_total_time=$(FUZZ_SECONDS) -runs=$(FUZZ_RUNS) ) || exit 1; \
	done

clean-setup:
	rm -f target/.setup-*
