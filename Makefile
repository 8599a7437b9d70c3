# The two set-up-and-go commands (see README): `make demo` and `make test`.
# Both create .venv and install the project into it; `make test` also installs the Debian
# packages the firmware tests need (arm-none-eabi toolchain, QEMU) when run as root.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEBIAN_PACKAGES := gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm

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
	    echo "warning: missing Debian packages:$$missing (sudo apt-get install --no-install-recommends$$missing); the emulated device (demo's device part, firmware tests) is skipped"; \
	  fi; \
	fi

test: $(STAMP) system-packages
	$(BIN)/python -m pytest

# In dependency order: train feeds convert; convert feeds aot_cost, firmware and host_tools.
BENCHMARKS := synth_speed load_real realism virtual_vs_real dataset_build calibration real_s02 train synthetic_tables combos convert aot_cost firmware host_tools

bench: $(STAMP)
	for script in $(BENCHMARKS); do $(BIN)/python bench/$$script.py || exit 1; done

clean:
	rm -rf $(VENV) runs .pytest_cache
