#!/bin/sh
# Post a JSON file to the HTTP Data Collector API with only curl and openssl: the documented
# SharedKey signature, base64(HMAC-SHA256(base64-decoded key, StringToSign)).
# usage: SHARED_KEY=... datacollector_post.sh BASE_URI WORKSPACE_ID LOG_TYPE CA_FILE BODY_FILE
# BASE_URI is Azure's https://{workspaceId}.ods.opinsights.azure.com or the emulator's
# endpoints.data_collector. Prints the HTTP status; the key is read from the environment, never argv.
set -eu
base=$1 ws=$2 log_type=$3 ca=$4 body=$5
date=$(LC_ALL=C date -u +'%a, %d %b %Y %H:%M:%S GMT')
length=$(wc -c < "$body" | tr -d ' ')
hexkey=$(printf '%s' "$SHARED_KEY" | openssl base64 -d -A | od -An -vtx1 | tr -d ' \n')
sig=$(printf 'POST\n%s\napplication/json\nx-ms-date:%s\n/api/logs' "$length" "$date" \
  | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$hexkey" -binary | openssl base64 -A)
curl -sS --cacert "$ca" -o /dev/null -w '%{http_code}' -X POST "$base/api/logs?api-version=2016-04-01" \
  -H "Content-Type: application/json" -H "Log-Type: $log_type" -H "x-ms-date: $date" \
  -H "Authorization: SharedKey $ws:$sig" --data-binary "@$body"
