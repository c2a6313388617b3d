# flyte-parity: `make parity` runs the parity suite, `make test` runs every test.
# Both set up what they need on a fresh machine (virtualenv, Python packages, the JVM build) and
# redo a step only when its inputs changed (stamps under .stamps/).

PYTHON ?= python3
VENV := .venv
STAMPS := .stamps
# The flytekit (Python SDK) version under test.
FLYTEKIT_VERSION ?= 1.16.31
# The flytekit-java (JVM SDK) version under test. 0.4.x and later publish a flytekit-bom and a
# _2.13 Scala examples artifact; 0.3.x has neither (the reactor then imports flytekit-parent).
FLYTEKIT_JAVA_VERSION ?= 0.3.20
ifeq ($(filter 0.3.%,$(FLYTEKIT_JAVA_VERSION)),)
JVM_VERSION_ARGS := -Dflytekit.version=$(FLYTEKIT_JAVA_VERSION) -Dflytekit.bom.artifactId=flytekit-bom \
	-Dflytekit.examples.scala.artifactId=flytekit-examples-scala_2.13
else
JVM_VERSION_ARGS := -Dflytekit.version=$(FLYTEKIT_JAVA_VERSION)
endif
# Extra Maven flags, passed after the version flags.
MVN_ARGS ?=
PYTEST_ARGS ?=
# actionlint checks .github/workflows in `make test`; built from its Go module (cached in .tools/).
ACTIONLINT_VERSION ?= 1.7.12
TOOLS := .tools
VERSION_ARGS := --flytekit-version=$(FLYTEKIT_VERSION) --flytekit-java-version=$(FLYTEKIT_JAVA_VERSION)

JVM_INPUTS := $(shell find jvm -name target -prune -o -name flytekit-java -prune -o -type f -print)

.PHONY: test parity setup python jvm tools clean

test: setup tools
	PATH="$(abspath $(TOOLS))/bin:$$PATH" $(VENV)/bin/pytest $(VERSION_ARGS) $(PYTEST_ARGS) --junitxml=reports/junit.xml tests

parity: setup
	$(VENV)/bin/pytest $(VERSION_ARGS) $(PYTEST_ARGS) --junitxml=reports/junit-parity.xml tests/parity

setup: python jvm

python: $(STAMPS)/python-$(FLYTEKIT_VERSION)

$(STAMPS)/python-$(FLYTEKIT_VERSION): pyproject.toml
	@echo "==> Python: virtualenv $(VENV), flyte-parity and flytekit $(FLYTEKIT_VERSION)"
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --disable-pip-version-check --progress-bar on -e '.[dev]' 'flytekit==$(FLYTEKIT_VERSION)'
	@mkdir -p $(STAMPS) && rm -f $(STAMPS)/python-* && touch $@

jvm: $(STAMPS)/jvm-$(FLYTEKIT_JAVA_VERSION)

$(STAMPS)/jvm-$(FLYTEKIT_JAVA_VERSION): $(JVM_INPUTS) Makefile
	@echo "==> JVM: mvn package over jvm/ (flytekit-java $(FLYTEKIT_JAVA_VERSION) from Maven Central) $(MVN_ARGS)"
	mvn -B --no-transfer-progress -f jvm/pom.xml clean package -DskipTests $(JVM_VERSION_ARGS) $(MVN_ARGS)
	@mkdir -p $(STAMPS) && rm -f $(STAMPS)/jvm $(STAMPS)/jvm-* && touch $@

tools: $(TOOLS)/bin/actionlint-$(ACTIONLINT_VERSION)

$(TOOLS)/bin/actionlint-$(ACTIONLINT_VERSION):
	@command -v go >/dev/null || { echo "make: go not found: install Go 1.24+ (it builds actionlint)"; exit 2; }
	@echo "==> actionlint $(ACTIONLINT_VERSION): go install from the Go module proxy"
	GOBIN="$(abspath $(TOOLS))/bin" go install github.com/rhysd/actionlint/cmd/actionlint@v$(ACTIONLINT_VERSION)
	@touch $@

clean:
	rm -rf $(STAMPS) $(TOOLS)
	mvn -q -B -f jvm/pom.xml clean
