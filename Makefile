# flyte-parity: `make parity` runs the parity suite, `make test` runs every test.
# Both set up what they need on a fresh machine (virtualenv, Python packages, the JVM build) and
# redo a step only when its inputs changed (stamps under .stamps/).

PYTHON ?= python3
VENV := .venv
STAMPS := .stamps
# The flytekit (Python SDK) version under test.
FLYTEKIT_VERSION ?= 1.16.31
# Extra Maven flags, e.g. MVN_ARGS="-Dflytekit.version=0.4.62 -Dflytekit.bom.artifactId=flytekit-bom ..."
MVN_ARGS ?=
PYTEST_ARGS ?=

JVM_INPUTS := $(shell find jvm -name target -prune -o -name flytekit-java -prune -o -type f -print)

.PHONY: test parity setup python jvm clean

test: setup
	$(VENV)/bin/pytest $(PYTEST_ARGS) --junitxml=reports/junit.xml tests

parity: setup
	$(VENV)/bin/pytest $(PYTEST_ARGS) --junitxml=reports/junit-parity.xml tests/parity

setup: python jvm

python: $(STAMPS)/python-$(FLYTEKIT_VERSION)

$(STAMPS)/python-$(FLYTEKIT_VERSION): pyproject.toml
	@echo "==> Python: virtualenv $(VENV), flyte-parity and flytekit $(FLYTEKIT_VERSION)"
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --disable-pip-version-check --progress-bar on -e '.[dev]' 'flytekit==$(FLYTEKIT_VERSION)'
	@mkdir -p $(STAMPS) && rm -f $(STAMPS)/python-* && touch $@

jvm: $(STAMPS)/jvm

$(STAMPS)/jvm: $(JVM_INPUTS) Makefile
	@echo "==> JVM: mvn package over jvm/ (flytekit-java from Maven Central) $(MVN_ARGS)"
	mvn -B --no-transfer-progress -f jvm/pom.xml clean package -DskipTests $(MVN_ARGS)
	@mkdir -p $(STAMPS) && touch $@

clean:
	rm -rf $(STAMPS)
	mvn -q -B -f jvm/pom.xml clean
