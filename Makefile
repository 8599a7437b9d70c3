# The two set-up-and-go commands (see README): `make demo` and `make test`.
# Both create .venv and install the project into it and, when run as root, the Debian packages
# the emulated device needs (arm-none-eabi toolchain, QEMU); `make test` also installs the system
# Chromium and its driver that the web page's browser tests drive.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEBIAN_PACKAGES := gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm
# A browser downloaded at test time (Playwright's, Selenium Manager's) is not reachable everywhere.
BROWSER_PACKAGES := chromium chromium-driver

.PHONY: demo test system-packages bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

demo: $(STAMP) system-packages
	$(BIN)/kinedge demo

# Installs only what is missing; needs root (CI runs as root). Without root it says what to install.
system-packages:
	@missing=""; \
	for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "warning: missing Debian packages:$$missing (sudo apt-get install --no-install-recommends$$missing); what needs them is skipped (the emulated device: demo's device part, firmware tests; the browser: web page tests)"; \
	  fi; \
	fi

test: DEBIAN_PACKAGES += $(BROWSER_PACKAGES)
test: $(STAMP) system-packages
	$(BIN)/python -m pytest

# In dependency order: train feeds convert; convert feeds aot_cost, firmware, host_tools and ui.
BENCHMARKS := synth_speed load_real realism virtual_vs_real dataset_build calibration no_standing real_s02 train synthetic_tables combos grid convert aot_cost firmware host_tools ui

bench: $(STAMP)
	for script in $(BENCHMARKS); do $(BIN)/python bench/$$script.py || exit 1; done

clean:
	rm -rf $(VENV) runs .pytest_cache
