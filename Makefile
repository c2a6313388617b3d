# flyte-parity: `make parity` runs the parity suite, `make test` runs every test.
# Both set up what they need on a fresh machine (virtualenv, Python packages, flytekit-java from
# source, the JVM build) and redo a step only when its inputs changed.

PYTHON ?= python3
VENV := .venv
STAMPS := .stamps
# The flytekit (Python SDK) version under test.
FLYTEKIT_VERSION ?= 1.16.31
# The flytekit-java (JVM SDK) under test. Default: the jvm/flytekit-java submodule as checked out
# (pinned at 0.4.62), built from source. FLYTEKIT_JAVA_REF=<tag|branch|commit> builds another
# commit of the same repository; FLYTEKIT_JAVA_VERSION=<release> takes a release from Maven
# Central instead. FLYTEKIT_JAVA_GIT=<URL|mirror|bundle> is where the source is fetched from.
FLYTEKIT_JAVA_REF ?=
FLYTEKIT_JAVA_VERSION ?=
FLYTEKIT_JAVA_GIT ?=
# The release `make versions` compares the default build with.
VERSIONS_RELEASE ?= 0.3.20
# Extra Maven flags for the reactor build over jvm/.
MVN_ARGS ?=
PYTEST_ARGS ?=
# Needs whose modes a run leaves out (admin: the modes that need a FlyteAdmin; flytectl; cluster:
# the modes that run on a local Kubernetes).
WITHOUT ?=
# Where the Flyte binaries' source is fetched from when no knob names built ones: a URL, a local
# clone or mirror, or a git bundle of flyteorg/flyte (tag v1.16.8).
FLYTE_GIT ?=
export FLYTEKIT_JAVA_REF FLYTEKIT_JAVA_VERSION FLYTEKIT_JAVA_GIT MVN_ARGS FLYTE_GIT
# actionlint checks .github/workflows in `make test`; built from its Go module (cached in .tools/).
ACTIONLINT_VERSION ?= 1.7.12
TOOLS := .tools
PY := $(VENV)/bin/python
PYTEST := $(VENV)/bin/pytest --flytekit-version=$(FLYTEKIT_VERSION) --without="$(WITHOUT)" $(PYTEST_ARGS)

.PHONY: test parity versions legacy-env unit readme preflight binaries setup python jvm tools flyteadmin flytectl \
	flyte-binaries kubernetes clean clean-results

# Every test: the library's unit tests, then the parity suite and the harness self-tests
# (tests/harness) at the default build and at $(VERSIONS_RELEASE), compared in reports/versions.md.
test: preflight binaries setup tools unit versions legacy-env

unit: python tools
	PATH="$(abspath $(TOOLS))/bin:$$PATH" $(PYTEST) --junitxml=reports/junit-unit.xml tests/unit

parity: preflight binaries setup
	$(PYTEST) --junitxml=reports/junit-parity.xml tests/parity

# The parity suite at the default build and at a Maven Central release, and what changed between
# them; then, in a session of its own (a host runs one data plane at a time, and the harness starts
# its own), the harness self-tests, whose admin is FlyteAdmin alone. The default build stays
# jvm/target/current.
HARNESS := $(PYTEST) --flyte-backend=local
versions: python
	@echo "==> versions: the parity suite at flytekit-java $(VERSIONS_RELEASE) (Maven Central)"
	FLYTEKIT_JAVA_REF= FLYTEKIT_JAVA_VERSION=$(VERSIONS_RELEASE) $(PY) -m flyte_parity.sdk.jvm_build --no-current
	$(PYTEST) --jvm-build=mvn-$(VERSIONS_RELEASE) --reports=reports/versions/mvn-$(VERSIONS_RELEASE) \
		--junitxml=reports/versions/mvn-$(VERSIONS_RELEASE)/junit.xml tests/parity
	$(HARNESS) --jvm-build=mvn-$(VERSIONS_RELEASE) --reports=reports/versions/mvn-$(VERSIONS_RELEASE)/harness \
		--junitxml=reports/versions/mvn-$(VERSIONS_RELEASE)/junit-harness.xml tests/harness
	@echo "==> versions: the parity suite at the default flytekit-java build"
	FLYTEKIT_JAVA_REF= FLYTEKIT_JAVA_VERSION= $(PY) -m flyte_parity.sdk.jvm_build
	$(PYTEST) --junitxml=reports/junit-parity.xml tests/parity
	$(HARNESS) --reports=reports/harness --junitxml=reports/junit-harness.xml tests/harness
	$(PY) -m flyte_parity.reports.versions_report reports/matrix.json reports/versions/mvn-$(VERSIONS_RELEASE)/matrix.json \
		--out reports/versions.md

# The execution mode once more at the default build with the opt-in --jflyte-legacy-env: the JVM
# tasks get the variables flytekit-java reads, so their results are compared too (reports/legacy-env).
LEFT_OUT := $(findstring cluster,$(WITHOUT))$(findstring admin,$(WITHOUT))
legacy-env: python
ifeq ($(LEFT_OUT),)
	@echo "==> legacy-env: the execution mode with --jflyte-legacy-env at the default flytekit-java build"
	$(PYTEST) --jflyte-legacy-env -k "execution:" --reports=reports/legacy-env \
		--junitxml=reports/legacy-env/junit.xml tests/parity
else
	@echo "==> legacy-env: left out (WITHOUT=$(WITHOUT) leaves out the execution mode)"
endif

# Every part the run needs (a JDK, Maven, the flytekit-java source, PostgreSQL, the Flyte and
# Kubernetes binaries or Go to build them, unless WITHOUT leaves their modes out), checked in
# seconds with the system Python before anything is installed or built; each missing part is one
# line with its fix.
preflight:
	@$(PYTHON) -m flyte_parity.services.preflight --without "$(WITHOUT)"

# The README's list of modes and its parity matrix, from the mode registry and the last full run
# (reports/matrix.json of `make parity`); a test run never writes a tracked file.
readme: python
	$(PY) -m flyte_parity.cli readme

setup: python jvm

python: $(STAMPS)/python-$(FLYTEKIT_VERSION)

$(STAMPS)/python-$(FLYTEKIT_VERSION): pyproject.toml
	@echo "==> Python: virtualenv $(VENV), flyte-parity and flytekit $(FLYTEKIT_VERSION)"
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --disable-pip-version-check --progress-bar on -e '.[dev]' 'flytekit==$(FLYTEKIT_VERSION)'
	@mkdir -p $(STAMPS) && rm -f $(STAMPS)/python-* && touch $@

# flytekit-java (source or release) and the reactor over jvm/; cached per build in jvm/target/<id>,
# and jvm/target/current moves only when the build succeeded.
jvm: python
	$(PY) -m flyte_parity.sdk.jvm_build

tools: $(TOOLS)/bin/actionlint-$(ACTIONLINT_VERSION)

$(TOOLS)/bin/actionlint-$(ACTIONLINT_VERSION):
	@command -v go >/dev/null || { echo "make: go not found: install Go 1.24+ (it builds actionlint)"; exit 2; }
	@echo "==> actionlint $(ACTIONLINT_VERSION): go install from the Go module proxy"
	GOBIN="$(abspath $(TOOLS))/bin" go install github.com/rhysd/actionlint/cmd/actionlint@v$(ACTIONLINT_VERSION)
	@touch $@

# The Flyte binaries (flyteadmin, flytectl, flytepropeller, datacatalog at v1.16.8, fetched from
# FLYTE_GIT, default GitHub) and Kubernetes v1.34.4 with pause (through the Go module proxy, ~15 min)
# that the run needs and no knob (FLYTEADMIN_BIN, FLYTECTL_BIN, FLYTEPROPELLER_BIN, DATACATALOG_BIN,
# KUBERNETES_BIN_DIR) provides, built with Go into .tools/bin once; the source is kept in .tools/src.
binaries:
	@$(PYTHON) -m flyte_parity.services.tool_build --without "$(WITHOUT)"

# Just some of them.
flyteadmin flytectl kubernetes:
	@$(PYTHON) -m flyte_parity.services.tool_build --only $@

flyte-binaries:
	@$(PYTHON) -m flyte_parity.services.tool_build --only flyte

clean:
	rm -rf $(STAMPS) $(TOOLS) jvm/target

# The SDK results a run keeps by what produced them (.flyte-parity/results): emptied here.
clean-results:
	rm -rf .flyte-parity/results
