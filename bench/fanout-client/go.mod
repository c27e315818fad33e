module tether.dev/bench/fanout-client

go 1.22
