module tether.dev/bench/ingest-client

go 1.22
