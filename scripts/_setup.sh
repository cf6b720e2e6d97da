# Shared by scripts/start and scripts/test: make the virtualenv and install the project into it.
# Re-installs only when setup.cfg changed since the last install.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"
PYTHON_BIN=${PYTHON:-python3}

ensure_venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        echo "Creating the virtualenv in .venv …"
        "$PYTHON_BIN" -m venv "$VENV"
    fi
    local stamp="$VENV/.installed"
    if [ ! -f "$stamp" ] || [ "$ROOT/setup.cfg" -nt "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ]; then
        echo "Installing the project and its dependencies into .venv …"
        # Twice quiet: errors still show, the build's notes for developers ("editable installation…") do not.
        "$VENV/bin/python" -m pip install -qq --upgrade pip
        "$VENV/bin/python" -m pip install -qq -e "$ROOT[test]"
        touch "$stamp"
    fi
}

ensure_chromium() {
    # Browser tests drive Debian's Chromium through pip's playwright (no browser download).
    if [ -x /usr/bin/chromium ] || [ -n "${CHROMIUM_PATH:-}" ]; then
        return
    fi
    if [ "$(id -u)" -ne 0 ]; then
        echo "Chromium is missing: run 'sudo apt-get install -y chromium' and try again." >&2
        exit 1
    fi
    echo "Installing Chromium for the browser tests …"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
}
