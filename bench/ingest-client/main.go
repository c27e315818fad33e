// Command ingest-client is the load generator of bench/ingest-realistic.ts: C connections, each POSTing batch bodies
// to a Tether server's /api/v1/ingest one request at a time (the next after the answer), for -seconds. Written in Go
// with the standard library only so that the generator costs the shared 2 cores little (as bench/fanout-client).
//
// The bodies come from -bodies, one JSON body a line. Each connection sends the lines in order and starts over at the
// end; before sending, "{{C}}" in a line is replaced by -tag and the connection's number and "{{R}}" by how often that
// connection went through the file, so that event and session ids stay unique across repetitions (an id sent twice
// would be a cheap duplicate, not an insert). It prints one JSON line: requests, events sent, items answered 201, 200
// and errors, wall seconds, the latency of each request (p50/p99/max ms), and this process's CPU seconds.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"time"
)

type result struct {
	Requests  int     `json:"requests"`
	Events    int     `json:"events"`
	Created   int     `json:"created"`
	Duplicate int     `json:"duplicate"`
	Failed    int     `json:"failed"`
	HTTPError int     `json:"httpErrors"`
	Seconds   float64 `json:"seconds"`
	P50       float64 `json:"p50"`
	P99       float64 `json:"p99"`
	Max       float64 `json:"max"`
	CPU       float64 `json:"cpuSeconds"`
}

type answer struct {
	Results []struct {
		Status int `json:"status"`
	} `json:"results"`
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func main() {
	url := flag.String("url", "", "server base URL")
	file := flag.String("bodies", "", "file of request bodies, one a line")
	conns := flag.Int("connections", 1, "concurrent connections (one request in flight each)")
	seconds := flag.Float64("seconds", 5, "how long to send")
	check := flag.Bool("check", true, "parse every answer and count the items' statuses")
	tag := flag.String("tag", "", "prefix of the {{C}} replacement, so that runs against one server send new ids")
	flag.Parse()
	f, err := os.Open(*file)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var bodies [][]byte
	var counts []int
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<20), 64<<20)
	for sc.Scan() {
		line := append([]byte(nil), sc.Bytes()...)
		if len(line) == 0 {
			continue
		}
		var b struct {
			Events []json.RawMessage `json:"events"`
		}
		if err := json.Unmarshal(line, &b); err != nil {
			fmt.Fprintln(os.Stderr, "bad body:", err)
			os.Exit(1)
		}
		bodies = append(bodies, line)
		counts = append(counts, len(b.Events))
	}
	tr := &http.Transport{MaxIdleConnsPerHost: *conns, MaxConnsPerHost: *conns, DisableCompression: true}
	client := &http.Client{Transport: tr, Timeout: 60 * time.Second}
	var mu sync.Mutex
	var res result
	var lat []float64
	cpu0 := cpuSeconds()
	start := time.Now()
	deadline := start.Add(time.Duration(*seconds * float64(time.Second)))
	var wg sync.WaitGroup
	for c := 0; c < *conns; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			cTag := []byte(*tag + strconv.Itoa(c))
			var my result
			var myLat []float64
			for r := 0; time.Now().Before(deadline); r++ {
				rTag := []byte(strconv.Itoa(r))
				for i, tpl := range bodies {
					if !time.Now().Before(deadline) {
						break
					}
					body := bytes.ReplaceAll(bytes.ReplaceAll(tpl, []byte("{{C}}"), cTag), []byte("{{R}}"), rTag)
					t0 := time.Now()
					resp, err := client.Post(*url+"/api/v1/ingest", "application/json", bytes.NewReader(body))
					if err != nil {
						my.HTTPError++
						continue
					}
					data, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					myLat = append(myLat, float64(time.Since(t0).Microseconds())/1000)
					my.Requests++
					my.Events += counts[i]
					if resp.StatusCode != 207 {
						my.HTTPError++
						continue
					}
					if *check {
						var a answer
						if json.Unmarshal(data, &a) == nil {
							for _, it := range a.Results {
								switch it.Status {
								case 201:
									my.Created++
								case 200:
									my.Duplicate++
								default:
									my.Failed++
								}
							}
						}
					}
				}
			}
			mu.Lock()
			res.Requests += my.Requests
			res.Events += my.Events
			res.Created += my.Created
			res.Duplicate += my.Duplicate
			res.Failed += my.Failed
			res.HTTPError += my.HTTPError
			lat = append(lat, myLat...)
			mu.Unlock()
		}(c)
	}
	wg.Wait()
	res.Seconds = time.Since(start).Seconds()
	res.CPU = cpuSeconds() - cpu0
	sort.Float64s(lat)
	if n := len(lat); n > 0 {
		res.P50 = lat[n/2]
		res.P99 = lat[min(n-1, n*99/100)]
		res.Max = lat[n-1]
	}
	out, _ := json.Marshal(res)
	fmt.Println(string(out))
}
