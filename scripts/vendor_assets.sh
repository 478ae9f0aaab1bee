#!/usr/bin/env bash
# Vendors the front-end assets pinned in package.json (and package-lock.json) into the repository.
#
#   bash scripts/vendor_assets.sh          install with `npm ci` and rewrite the vendored files
#   bash scripts/vendor_assets.sh --check  vendor into a temporary folder and compare with the committed
#                                          files; exits 1 and prints the differences when they drift
#
# What is served lands in src/casacomuni/web/static/vendor/ with a MANIFEST.json (package -> version,
# file -> sha256) that src/casacomuni/web/tests/test_vendor.py checks without npm. axe-core is for the
# accessibility tests only and goes to tests/browser/vendor/, outside the static files.
#
# Only what the pages use is copied: no source maps (their trailing sourceMappingURL comments are removed,
# because a reference to a missing map makes Django's ManifestStaticFilesStorage fail at collectstatic) and
# only the woff2 fonts, which every browser Bootstrap Italia 2 supports reads (see web/static/web/fonts.css).
# The one other change to upstream bytes: video.js's data: icon font is dropped from the CSS (see below).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATIC_REL="src/casacomuni/web/static/vendor"
AXE_REL="tests/browser/vendor"
MODULES="$ROOT/node_modules"

check=0
if [[ "${1:-}" == "--check" ]]; then
  check=1
elif [[ $# -gt 0 ]]; then
  echo "usage: $0 [--check]" >&2
  exit 2
fi

copy() {  # copy SRC (under node_modules) to DEST, creating folders
  mkdir -p "$(dirname "$2")"
  cp "$MODULES/$1" "$2"
}

copy_without_map() {  # copy a minified file without its sourceMappingURL comment line
  mkdir -p "$(dirname "$2")"
  grep -v -E '^(//|/\*)# sourceMappingURL=' "$MODULES/$1" >"$2"
}

drop_videojs_font() {  # remove the one @font-face of the CSS: video.js's icon font, inlined as a data: URL
  # The browser fetches a data: font as soon as it parses the rule, and the CSP (font-src 'self') blocks it;
  # no page of ours plays videos. Fails if the rule is no longer there, so that a new version is looked at.
  node - "$1" <<'JS'
const fs = require("fs");
const file = process.argv[2];
const css = fs.readFileSync(file, "utf8");
const rule = /@font-face\{font-family:VideoJS;src:url\(data:[^)]*\)[^}]*\}/;
if (!rule.test(css)) throw new Error("video.js @font-face not found in " + file);
fs.writeFileSync(file, css.replace(rule, ""));
JS
}

vega_interpreter_classic() {  # vega-interpreter 2 ships only an ES module that imports vega-util: make it a
  # classic script that takes vega-util's functions from the global ``vega`` (vega re-exports all of vega-util)
  # and defines the global ``vegaInterpreter.expressionInterpreter`` (``vega`` itself is frozen). Vega's
  # CSP-safe mode needs it (see static/indicators/charts.js). Fails if the module's import or export changed, so that a new version
  # is looked at.
  node - "$MODULES/$1" "$2" <<'JS'
const fs = require("fs");
const [source, target] = process.argv.slice(2);
let code = fs.readFileSync(source, "utf8");
const importLine = /^import \{([^}]*)\} from 'vega-util';$/m;
const exportLine = /^export \{ expression as expressionInterpreter \};$/m;
if (!importLine.test(code) || !exportLine.test(code)) throw new Error("unexpected module shape in " + source);
if ((code.match(/^import /gm) || []).length !== 1) throw new Error("more than one import in " + source);
code = code
  .replace(importLine, "const {$1} = window.vega;")
  .replace(exportLine, "window.vegaInterpreter = Object.freeze({ expressionInterpreter: expression });")
  .replace(/^\/\/# sourceMappingURL=.*$/m, "");
fs.mkdirSync(require("path").dirname(target), { recursive: true });
fs.writeFileSync(target, "(function () {\n\"use strict\";\n" + code.trimEnd() + "\n})();\n");
JS
}

vendor_into() {  # vendor everything under the folder $1, laid out like the repository root
  local out="$1/$STATIC_REL" axe_out="$1/$AXE_REL"
  local bi="bootstrap-italia/dist"
  rm -rf "$out" "$axe_out"
  mkdir -p "$out" "$axe_out"

  copy_without_map "$bi/css/bootstrap-italia.min.css" "$out/bootstrap-italia/css/bootstrap-italia.min.css"
  drop_videojs_font "$out/bootstrap-italia/css/bootstrap-italia.min.css"
  copy "$bi/js/bootstrap-italia.bundle.min.js" "$out/bootstrap-italia/js/bootstrap-italia.bundle.min.js"
  copy "$bi/svg/sprites.svg" "$out/bootstrap-italia/svg/sprites.svg"
  copy "bootstrap-italia/LICENSE" "$out/bootstrap-italia/LICENSE"
  local family file
  for family in Titillium_Web Roboto_Mono Lora; do
    for file in "$MODULES/$bi/fonts/$family"/*.woff2 "$MODULES/$bi/fonts/$family"/*.txt; do
      copy "${file#"$MODULES/"}" "$out/bootstrap-italia/fonts/$family/$(basename "$file")"
    done
  done

  copy "htmx.org/dist/htmx.min.js" "$out/htmx/htmx.min.js"
  copy "htmx.org/LICENSE" "$out/htmx/LICENSE"

  copy_without_map "leaflet/dist/leaflet.js" "$out/leaflet/leaflet.js"
  copy "leaflet/dist/leaflet.css" "$out/leaflet/leaflet.css"
  for file in "$MODULES"/leaflet/dist/images/*.png; do
    copy "${file#"$MODULES/"}" "$out/leaflet/images/$(basename "$file")"
  done
  copy "leaflet/LICENSE" "$out/leaflet/LICENSE"

  # Charts: Vega-Lite specifications compiled to Vega and drawn by vega-embed, with the expression
  # interpreter (no eval: the CSP has no 'unsafe-eval').
  copy_without_map "vega/build/vega.min.js" "$out/vega/vega.min.js"
  copy "vega/LICENSE" "$out/vega/LICENSE"
  copy_without_map "vega-lite/build/vega-lite.min.js" "$out/vega-lite/vega-lite.min.js"
  copy "vega-lite/LICENSE" "$out/vega-lite/LICENSE"
  copy_without_map "vega-embed/build/vega-embed.min.js" "$out/vega-embed/vega-embed.min.js"
  copy "vega-embed/LICENSE" "$out/vega-embed/LICENSE"
  vega_interpreter_classic "vega-interpreter/build/vega-interpreter.js" "$out/vega-interpreter/vega-interpreter.js"
  copy "vega-interpreter/LICENSE" "$out/vega-interpreter/LICENSE"

  copy "axe-core/axe.min.js" "$axe_out/axe.min.js"
  copy "axe-core/LICENSE" "$axe_out/LICENSE"

  write_manifest "$1"
}

write_manifest() {  # MANIFEST.json: installed versions and the sha256 of every vendored file
  node - "$1" "$STATIC_REL" "$AXE_REL" "$MODULES" <<'JS'
const fs = require("fs");
const path = require("path");
const crypto = require("crypto");
const [root, staticRel, axeRel, modules] = process.argv.slice(2);
const packages = {};
for (const name of Object.keys(require(path.join(process.cwd(), "package.json")).devDependencies).sort()) {
  packages[name] = require(path.join(modules, name, "package.json")).version;
}
const files = {};
const walk = (rel) => {
  for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const child = path.posix.join(rel, entry.name);
    if (entry.isDirectory()) walk(child);
    else if (entry.name !== "MANIFEST.json") files[child] = crypto.createHash("sha256").update(fs.readFileSync(path.join(root, child))).digest("hex");
  }
};
walk(staticRel);
walk(axeRel);
const sorted = Object.fromEntries(Object.keys(files).sort().map((k) => [k, files[k]]));
fs.writeFileSync(path.join(root, staticRel, "MANIFEST.json"), JSON.stringify({ packages, files: sorted }, null, 2) + "\n");
JS
}

cd "$ROOT"
npm ci --no-audit --no-fund --loglevel=error

if [[ $check -eq 0 ]]; then
  vendor_into "$ROOT"
  echo "Vendored into $STATIC_REL and $AXE_REL ($(du -sh "$STATIC_REL" | cut -f1) served)."
  exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
vendor_into "$tmp"
status=0
diff -r "$tmp/$STATIC_REL" "$ROOT/$STATIC_REL" >"$tmp/static.diff" || status=1
diff -r "$tmp/$AXE_REL" "$ROOT/$AXE_REL" >"$tmp/axe.diff" || status=1
if [[ $status -ne 0 ]]; then
  echo "Vendored assets drift from package.json / package-lock.json; run: bash scripts/vendor_assets.sh" >&2
  cat "$tmp/static.diff" "$tmp/axe.diff" | cut -c1-200 | head -50 >&2
  exit 1
fi
echo "Vendored assets match package-lock.json."
