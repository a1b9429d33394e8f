#!/bin/sh
# Runs `weed server` with the S3 gateway (identities from S3_CONFIG_FILE, a Swarm secret) and
# creates S3_BUCKET when it is missing; healthy (/tmp/bucket-ready) once the bucket exists.
set -eu
: "${S3_BUCKET:?S3_BUCKET must be set}"
: "${S3_CONFIG_FILE:?S3_CONFIG_FILE must be set}"
rm -f /tmp/bucket-ready
weed server -dir=/data -ip.bind=0.0.0.0 -master.volumeSizeLimitMB=256 -volume.max=64 \
  -master.telemetry=false -filer -s3 -s3.port=8333 -s3.port.iceberg=0 -s3.port.lance=0 \
  -s3.config="$S3_CONFIG_FILE" &
pid=$!
trap 'kill -TERM $pid' TERM INT
(
  until echo "s3.bucket.list" | weed shell -master=localhost:9333 >/tmp/buckets 2>/dev/null; do sleep 1; done
  grep -qx "  $S3_BUCKET" /tmp/buckets || grep -q "$S3_BUCKET" /tmp/buckets ||
    echo "s3.bucket.create -name $S3_BUCKET" | weed shell -master=localhost:9333 >/dev/null
  touch /tmp/bucket-ready
) &
wait $pid
