#!/usr/bin/env bash
# Writes the public API record (PublicAPI.Shipped.txt / PublicAPI.Unshipped.txt) of Pacer's packed libraries from the code.
#
#   eng/update-public-api.sh                      every library under src/ that records its API
#   eng/update-public-api.sh src/Pacer            one or more projects (folder or .csproj)
#   eng/update-public-api.sh --ship [projects]    at a release: the unshipped record becomes the shipped one
#
# Without --ship, PublicAPI.Unshipped.txt is written anew: every public symbol that PublicAPI.Shipped.txt does not list
# (added by the analyzer's own code fix, through `dotnet format`), and a `*REMOVED*` line for every shipped symbol that
# is gone. PublicAPI.Shipped.txt is never edited except by --ship. Review the diff: it is the API change.
# See CONTRIBUTING.md, "Changing the public API".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

ship=0
projects=()
for arg in "$@"; do
  case "$arg" in
    --ship) ship=1 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "update-public-api.sh: unknown option '$arg'" >&2; sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
    *.csproj) [ -f "$arg" ] || { echo "update-public-api.sh: no project '$arg'" >&2; exit 2; }
       projects+=("$(realpath --relative-to="$root" "$arg")") ;;
    *) found=$(ls "$arg"/*.csproj 2>/dev/null | head -n 1) || true
       if [ -z "$found" ]; then echo "update-public-api.sh: no project in '$arg'" >&2; exit 2; fi
       projects+=("$(realpath --relative-to="$root" "$found")") ;;
  esac
done
cd "$root"

if [ "${#projects[@]}" = 0 ]; then
  for proj in src/*/*.csproj; do
    if [ "$(dotnet msbuild "$proj" -nologo -getProperty:PacerRecordsPublicApi 2>/dev/null | tr -d '[:space:]')" = "true" ]; then
      projects+=("$proj")
    fi
  done
fi

header='#nullable enable'

ship_record() {
  local dir=$1 shipped=$1/PublicAPI.Shipped.txt unshipped=$1/PublicAPI.Unshipped.txt
  local removed kept
  removed=$(grep '^\*REMOVED\*' "$unshipped" | sed 's/^\*REMOVED\*//' || true)
  kept=$( { grep -v -x -F "$header" "$shipped" | grep -v -x -F -f <(printf '%s\n' "$removed") || true
            grep -v -x -F "$header" "$unshipped" | grep -v '^\*REMOVED\*' || true; } | grep -v '^$' | LC_ALL=C sort -u)
  { echo "$header"; [ -n "$kept" ] && printf '%s\n' "$kept"; } > "$shipped"
  echo "$header" > "$unshipped"
  echo "$dir: $(grep -c -v -x -F "$header" "$shipped" || true) symbols shipped"
}

# Builds the project and prints the symbols it reports as RS0016 (public, not recorded) or RS0017 (recorded, gone), as
# "RULE<tab>symbol" lines, the symbol as the record writes it. Warnings stay warnings here, so that a referenced
# library whose own record is out of date still builds; only this project's diagnostics count.
reported() {
  local full
  full=$(realpath "$1")
  dotnet build "$1" -nologo -clp:NoSummary -p:TreatWarningsAsErrors=false 2>&1 \
    | grep -F " [$full]" \
    | sed -n -E "s/.* (RS001[67]): Symbol '(.*)' is (not part of|part of) the declared .*/\1\t\2/p" \
    | LC_ALL=C sort -u || true
}

update_record() {
  local proj=$1 dir shipped unshipped
  dir=$(dirname "$proj")
  shipped=$dir/PublicAPI.Shipped.txt
  unshipped=$dir/PublicAPI.Unshipped.txt
  [ -f "$shipped" ] || echo "$header" > "$shipped"
  echo "$header" > "$unshipped"

  # New symbols: the analyzer's own code fix for RS0016 adds each one to PublicAPI.Unshipped.txt.
  local log
  log=$(mktemp)
  if ! dotnet format analyzers "$proj" --diagnostics RS0016 --severity info >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; exit 1
  fi
  rm -f "$log"

  # Shipped symbols that are gone (RS0017) are marked removed.
  local gone
  gone=$(reported "$proj" | sed -n 's/^RS0017\t//p')
  if [ -n "$gone" ]; then
    printf '%s\n' "$gone" | sed 's/^/*REMOVED*/' >> "$unshipped"
  fi

  local left
  left=$(reported "$proj")
  if [ -n "$left" ]; then
    echo "$proj: the record still differs from the code:" >&2
    printf '  %s\n' "$left" >&2
    exit 1
  fi
  echo "$dir: $(grep -c -v -x -F "$header" "$unshipped" || true) unshipped lines ($(printf '%s' "$gone" | grep -c . || true) removed)"
}

for proj in "${projects[@]}"; do
  if [ "$ship" = 1 ]; then
    ship_record "$(dirname "$proj")"
  else
    update_record "$proj"
  fi
done
