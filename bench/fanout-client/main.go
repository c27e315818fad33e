// Command fanout-client is the subscriber side of bench/fanout.ts: S WebSocket subscribers of a Tether server's live
// feed, written in Go with the standard library only so that the load generator costs the shared 2 cores as little as
// possible (the Node clients used about twice the server's CPU; see docs/benchmarks.md). It speaks just enough of
// RFC 6455 for the benchmark: the opening handshake, unmasked server frames (with fragmentation), masked pongs.
//
// Protocol with bench/fanout.ts: flags give the server, sessions, subscribers and the write load; it prints "READY"
// once every subscriber got its "subscribed" message, then waits for one line on stdin ("start"), appends -rate events
// per second for -warmup plus -seconds through POST /api/ingest (a batch every 10 ms, round-robin over the sessions,
// each event's data.t = send time in ms), and exits after every subscriber received every event of its session (or
// -drain elapsed), printing one JSON result line. Latency is sampled for events sent after the warm-up; loss and
// order are checked for all. The writer is here, not in Node, because fetch() in the benchmark process cost ~0.25
// core of the 2 that server and subscribers share.
package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type subscriber struct {
	session  string
	sampled  bool
	next     int64
	readied  bool
	ready    func()
	got      atomic.Int64
	disorder atomic.Int64
}

// measureFrom is the send time (Unix ms) from which latency is sampled: events of the warm-up before it count for
// loss and order, not for latency.
var measureFrom atomic.Int64

var (
	hist     [60001]atomic.Uint32
	samples  atomic.Int64
	actionPf = []byte(`{"type":"action"`)
	batchPf  = []byte(`{"type":"batch"`)
	subbed   = []byte(`"type":"subscribed"`)
)

// nextKey returns the offset just past the next occurrence of key in b at or after from, or -1. It scans for
// key[pivot], a byte chosen to be rare in the messages, and compares the rest around it: bytes.Index keys on the
// needle's first byte, and '"' is everywhere in JSON (it was 38 % of this client's CPU).
func nextKey(b []byte, from int, key []byte, pivot int) int {
	for {
		i := bytes.IndexByte(b[from:], key[pivot])
		if i < 0 {
			return -1
		}
		i += from
		if start := i - pivot; start >= 0 && start+len(key) <= len(b) && bytes.Equal(b[start:start+len(key)], key) {
			return start + len(key)
		}
		from = i + 1
	}
}

var (
	seqKey = []byte(`"seq":`) // found by its 'q'
	tKey   = []byte(`"t":`)   // found by its ':'
)

func nextSeq(b []byte, from int) int { return nextKey(b, from, seqKey, 3) }
func nextT(b []byte, from int) int   { return nextKey(b, from, tKey, 3) }

func intAt(b []byte, at int) int64 {
	var n int64
	for i := at; i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int64(c-'0')
	}
	return n
}

func dial(u *url.URL, path string) (net.Conn, *bufio.Reader, error) {
	c, err := net.Dial("tcp", u.Host)
	if err != nil {
		return nil, nil, err
	}
	key := make([]byte, 16)
	_, _ = rand.Read(key)
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n",
		path, u.Host, base64.StdEncoding.EncodeToString(key))
	br := bufio.NewReaderSize(c, 256*1024)
	status, err := br.ReadString('\n')
	if err != nil {
		return nil, nil, err
	}
	if !strings.Contains(status, " 101 ") {
		return nil, nil, fmt.Errorf("handshake: %s", strings.TrimSpace(status))
	}
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return nil, nil, err
		}
		if line == "\r\n" {
			return c, br, nil
		}
	}
}

// readMessage returns the next complete message (opcode of its first frame, payload), reusing buf.
func readMessage(br *bufio.Reader, buf []byte) (byte, []byte, error) {
	var op byte
	msg := buf[:0]
	var hdr [8]byte
	for {
		if _, err := io.ReadFull(br, hdr[:2]); err != nil {
			return 0, nil, err
		}
		fin, code, n := hdr[0]&0x80 != 0, hdr[0]&0x0f, uint64(hdr[1]&0x7f)
		if n == 126 {
			if _, err := io.ReadFull(br, hdr[:2]); err != nil {
				return 0, nil, err
			}
			n = uint64(binary.BigEndian.Uint16(hdr[:2]))
		} else if n == 127 {
			if _, err := io.ReadFull(br, hdr[:8]); err != nil {
				return 0, nil, err
			}
			n = binary.BigEndian.Uint64(hdr[:8])
		}
		if code != 0 {
			op = code
		}
		start := len(msg)
		if uint64(cap(msg)-start) < n {
			grown := make([]byte, start, start+int(n)+4096)
			copy(grown, msg)
			msg = grown
		}
		msg = msg[:start+int(n)]
		if _, err := io.ReadFull(br, msg[start:]); err != nil {
			return 0, nil, err
		}
		if fin || code >= 8 {
			return op, msg, nil
		}
	}
}

// pong writes a masked pong frame (clients must mask; a zero mask keeps the payload as is).
func pong(c net.Conn, payload []byte) {
	frame := append([]byte{0x8a, 0x80 | byte(len(payload)), 0, 0, 0, 0}, payload...)
	_, _ = c.Write(frame)
}

// onMessage handles one complete text message: the "subscribed" that makes the subscriber ready, and the events of
// an action message (or a batch frame), checking seq order and sampling latency.
func (s *subscriber) onMessage(msg []byte, batch bool) {
	if !s.readied && bytes.Contains(msg, subbed) {
		s.readied = true
		s.ready()
	}
	isEvents := (batch && bytes.HasPrefix(msg, batchPf)) || (!batch && bytes.HasPrefix(msg, actionPf))
	if !isEvents {
		return
	}
	var now int64
	tAt := -1
	if s.sampled {
		now = time.Now().UnixMilli()
		tAt = nextT(msg, 0)
	}
	for at := nextSeq(msg, 0); at >= 0; at = nextSeq(msg, at) {
		seq := intAt(msg, at)
		if seq != s.next {
			s.disorder.Add(1)
		}
		s.next = seq + 1
		s.got.Add(1)
		if tAt >= 0 {
			t := intAt(msg, tAt)
			tAt = nextT(msg, tAt)
			if t < measureFrom.Load() {
				continue // sent during the warm-up
			}
			d := now - t
			if d < 0 {
				d = 0
			} else if d > 60000 {
				d = 60000
			}
			hist[d].Add(1)
			samples.Add(1)
		}
	}
}

// run reads one subscriber's socket (a goroutine per subscriber; a variant reading all sockets from 2 threads with
// epoll(7) directly used the same CPU: the time is in the kernel's read path, not in Go's scheduler).
func run(c net.Conn, br *bufio.Reader, s *subscriber, batch bool) {
	buf := make([]byte, 0, 64*1024)
	for {
		op, msg, err := readMessage(br, buf)
		if err != nil {
			return
		}
		buf = msg
		switch op {
		case 9:
			pong(c, msg)
		case 8:
			return
		case 1:
			s.onMessage(msg, batch)
		}
	}
}

func main() {
	base := flag.String("url", "", "server base URL, http://host:port")
	subsN := flag.Int("subscribers", 1000, "subscribers")
	sessions := flag.Int("sessions", 1, "sessions fanout-0 … fanout-K-1; subscriber i follows fanout-(i mod K)")
	batch := flag.Bool("batch", false, "connect with ?batch=1")
	drain := flag.Duration("drain", 15*time.Second, "how long to wait for the expected events")
	rate := flag.Int("rate", 1000, "events appended per second")
	seconds := flag.Int("seconds", 10, "seconds of appending after the warm-up")
	warmup := flag.Duration("warmup", time.Second, "appending before latency is sampled")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the write phase to this file")
	flag.Parse()
	u, err := url.Parse(*base)
	if err != nil || u.Host == "" {
		fmt.Fprintln(os.Stderr, "fanout-client: -url http://host:port is required")
		os.Exit(2)
	}
	subs := make([]*subscriber, *subsN)
	var readyWG sync.WaitGroup
	readyWG.Add(*subsN)
	for i := 0; i < *subsN; i += 50 {
		var dialWG sync.WaitGroup
		for j := i; j < i+50 && j < *subsN; j++ {
			var once sync.Once
			s := &subscriber{session: fmt.Sprintf("fanout-%d", j%*sessions), sampled: j%10 == 0, next: 2, ready: func() { once.Do(readyWG.Done) }}
			subs[j] = s
			dialWG.Add(1)
			go func(j int) {
				path := fmt.Sprintf("/api/v1/ws?session=%s&user=bench-%d", s.session, j)
				if *batch {
					path += "&batch=1"
				}
				c, br, err := dial(u, path)
				dialWG.Done()
				if err != nil {
					fmt.Fprintf(os.Stderr, "subscriber %d: %v\n", j, err)
					os.Exit(1)
				}
				run(c, br, s, *batch)
			}(j)
		}
		dialWG.Wait()
	}
	readyWG.Wait()
	fmt.Println("READY")
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		fmt.Fprintln(os.Stderr, "fanout-client: waiting for start:", err)
		os.Exit(2)
	}

	if *cpuprofile != "" {
		if f, err := os.Create(*cpuprofile); err == nil {
			_ = pprof.StartCPUProfile(f)
		}
	}
	w := write(u, *rate, *seconds, *warmup, *sessions)
	deadline := time.Now().Add(*drain)
	var delivered, disorder int64
	for {
		delivered, disorder = 0, 0
		done := true
		for _, s := range subs {
			g := s.got.Load()
			delivered += g
			disorder += s.disorder.Load()
			if g < w.perSession[s.session] {
				done = false
			}
		}
		if done || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	var expected int64
	for _, s := range subs {
		expected += w.perSession[s.session]
	}
	n := samples.Load()
	pct := func(p float64) int {
		target := int64(float64(n)*p + 0.999999)
		var acc int64
		for ms := range hist {
			acc += int64(hist[ms].Load())
			if acc >= target && acc > 0 {
				return ms
			}
		}
		return -1
	}
	out, _ := json.Marshal(map[string]any{
		"written": w.written, "writeErrors": w.errors, "writeSeconds": w.elapsed.Seconds(),
		"expected": expected, "delivered": delivered, "disorder": disorder, "samples": n,
		"latencyMs": map[string]int{"p50": pct(0.5), "p90": pct(0.9), "p99": pct(0.99), "p999": pct(0.999), "max": pct(1)},
	})
	pprof.StopCPUProfile() // before the result line: the benchmark kills this process once it has read it
	fmt.Println(string(out))
}

type writeResult struct {
	written, errors int64
	perSession      map[string]int64
	elapsed         time.Duration
}

// write appends rate events/s for warmup + seconds: one POST /api/ingest every 10 ms with the events due by then
// (exact rate, also below 100/s), round-robin over the sessions; requests overlap when the server is slow. Latency is
// sampled from the end of the warm-up on (the server's first rounds run before its hot paths are compiled).
func write(u *url.URL, rate, seconds int, warmup time.Duration, sessions int) writeResult {
	const tick = 10 * time.Millisecond
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	endpoint := u.String() + "/api/ingest"
	res := writeResult{perSession: map[string]int64{}}
	var errs atomic.Int64
	var wg sync.WaitGroup
	ticks := (seconds*1000 + int(warmup/time.Millisecond)) / int(tick/time.Millisecond)
	start := time.Now()
	measureFrom.Store(start.Add(warmup).UnixMilli())
	sent := 0
	for k := 0; k < ticks; k++ {
		due := (k + 1) * rate * int(tick/time.Millisecond) / 1000
		if n := due - sent; n > 0 {
			var body bytes.Buffer
			body.WriteString(`{"events":[`)
			now := time.Now().UnixMilli()
			for j := 0; j < n; j++ {
				session := fmt.Sprintf("fanout-%d", (sent+j)%sessions)
				res.perSession[session]++
				if j > 0 {
					body.WriteByte(',')
				}
				fmt.Fprintf(&body, `{"sessionId":%q,"kind":"action","data":{"type":"tool_use","tool":"Bash","input":{"command":"echo hello"},"t":%d}}`, session, now)
			}
			body.WriteString(`]}`)
			sent = due
			wg.Add(1)
			go func(n int, payload []byte) {
				defer wg.Done()
				r, err := client.Post(endpoint, "application/json", bytes.NewReader(payload))
				if err != nil {
					errs.Add(int64(n))
					return
				}
				defer r.Body.Close()
				var b struct {
					Rejected int64 `json:"rejected"`
				}
				if r.StatusCode != 200 && r.StatusCode != 207 || json.NewDecoder(r.Body).Decode(&b) != nil {
					errs.Add(int64(n))
					return
				}
				errs.Add(b.Rejected)
			}(n, body.Bytes())
		}
		time.Sleep(time.Until(start.Add(time.Duration(k+1) * tick)))
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.written = int64(sent) - errs.Load()
	res.errors = errs.Load()
	return res
}
