# Starts the object stores the deploy tests run against (generator/deploy),
# each built or installed by its own .ci/install-*.sh and listening on
# 127.0.0.1 only, and exports their addresses:
#   WELLKNOWN_S3_ENDPOINT (+ _ACCESS_KEY, _SECRET_KEY)  versitygw
#   WELLKNOWN_GCS_ENDPOINT                              fake-gcs-server
#   WELLKNOWN_AZURE_BLOB_ENDPOINT                       Azurite
# Source it from .ci/run (". .ci/stores.sh"); the servers stop with the
# shell that started them. Tests make their own buckets.

stores_dir="$(mktemp -d)"
stores_pids=()
stop_stores() {
	kill "${stores_pids[@]}" 2>/dev/null || true
	sleep 1
	kill -9 "${stores_pids[@]}" 2>/dev/null || true
	rm -rf "$stores_dir"
}
trap stop_stores EXIT

# free_port prints a loopback port nothing listens on.
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 30000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
}

# wait_http URL: until the server answers at all (any status).
wait_http() {
	for _ in $(seq 1 100); do
		if curl -s -o /dev/null "$1"; then return 0; fi
		sleep 0.2
	done
	echo "no server at $1" >&2
	return 1
}

versitygw="$(bash .ci/install-versitygw.sh | tail -n1)"
fake_gcs="$(bash .ci/install-fake-gcs-server.sh | tail -n1)"
azurite_blob="$(bash .ci/install-azurite.sh | tail -n1)"

port="$(free_port)"
mkdir -p "$stores_dir/s3"
export WELLKNOWN_S3_ACCESS_KEY=wellknown-ci WELLKNOWN_S3_SECRET_KEY="ci-$RANDOM$RANDOM$RANDOM"
"$versitygw" --access "$WELLKNOWN_S3_ACCESS_KEY" --secret "$WELLKNOWN_S3_SECRET_KEY" \
	--port "127.0.0.1:$port" posix "$stores_dir/s3" >"$stores_dir/versitygw.log" 2>&1 &
stores_pids+=($!)
export WELLKNOWN_S3_ENDPOINT="http://127.0.0.1:$port"
wait_http "$WELLKNOWN_S3_ENDPOINT/"

port="$(free_port)"
"$fake_gcs" -scheme http -host 127.0.0.1 -port "$port" -backend memory \
	-external-url "http://127.0.0.1:$port" -public-host "127.0.0.1:$port" >"$stores_dir/fake-gcs.log" 2>&1 &
stores_pids+=($!)
export WELLKNOWN_GCS_ENDPOINT="127.0.0.1:$port"
wait_http "http://$WELLKNOWN_GCS_ENDPOINT/storage/v1/b"

port="$(free_port)"
"$azurite_blob" --blobHost 127.0.0.1 --blobPort "$port" --location "$stores_dir/azurite" \
	--silent --skipApiVersionCheck >"$stores_dir/azurite.log" 2>&1 &
stores_pids+=($!)
export WELLKNOWN_AZURE_BLOB_ENDPOINT="127.0.0.1:$port"
wait_http "http://$WELLKNOWN_AZURE_BLOB_ENDPOINT/"
