#!/usr/bin/env bash
# Packs every packable project under src/ (the libraries and any .NET tool) in Release into one folder,
# artifacts/packages by default, with symbol packages (.snupkg) beside them.
#
#   eng/pack.sh                                  -> artifacts/packages
#   eng/pack.sh -o /tmp/feed -p:VersionSuffix=rc.1
#
# Other arguments go to each `dotnet pack` (for example --artifacts-path DIR to keep the build out of bin/ and obj/).
set -euo pipefail
cd "$(dirname "$0")/.."

out=artifacts/packages
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    -o|--output) out=$2; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
mkdir -p "$out"

packed=0
for proj in src/*/*.csproj; do
  if [ "$(dotnet msbuild "$proj" -nologo -getProperty:IsPackable 2>/dev/null | tr -d '[:space:]')" != "true" ]; then
    continue
  fi
  echo "== dotnet pack $proj"
  # ContinuousIntegrationBuild: deterministic paths in the PDBs (/_/src/...), as SourceLink expects of a published build.
  dotnet pack "$proj" -c Release -nologo -clp:ErrorsOnly -o "$out" -p:ContinuousIntegrationBuild=true ${args[@]+"${args[@]}"}
  packed=$((packed + 1))
done

if [ "$packed" = 0 ]; then
  echo "pack.sh: no packable project under src/" >&2
  exit 1
fi
echo "== $packed projects packed into $out"
ls -l "$out"
