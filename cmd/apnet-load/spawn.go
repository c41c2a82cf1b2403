package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// instance is an `apnet serve` process started by the tool.
type instance struct {
	name string
	url  string // http://127.0.0.1:port
	log  string // its stdout and stderr
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
}

// buildServer compiles ./cmd/apnet into dir (run from the repository root).
func buildServer(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "apnet")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/apnet")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build ./cmd/apnet (run apnet-load from the repository root, or pass -apnet): %w", err)
	}
	return bin, nil
}

// spawn starts `apnet serve` on a free loopback port and waits until /readyz
// answers. redisURL "" means the in-process broker.
func spawn(ctx context.Context, bin, name, dir, dbURL, redisURL string) (*instance, error) {
	addr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close() // the child has its own descriptor
	cmd := exec.Command(bin, "serve", "-db", dbURL, "-addr", addr, "-redis="+redisURL)
	cmd.Env = append(os.Environ(), "APNET_LOG_LEVEL=warn")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	in := &instance{name: name, url: "http://" + addr, log: logPath, cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(in.done) }()

	deadline := time.Now().Add(60 * time.Second)
	for {
		if ready(ctx, in.url) {
			return in, nil
		}
		select {
		case <-in.done:
			return nil, fmt.Errorf("server %s exited during start-up; see %s:\n%s", name, logPath, tail(logPath))
		case <-ctx.Done():
			in.stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			in.stop()
			return nil, fmt.Errorf("server %s not ready after 60s; see %s", name, logPath)
		}
	}
}

// stop asks the server to shut down (SIGTERM) and kills it if it has not
// exited within 25 s.
func (in *instance) stop() {
	_ = in.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-in.done:
	case <-time.After(25 * time.Second):
		_ = in.cmd.Process.Kill()
		<-in.done
	}
}

func ready(ctx context.Context, base string) bool {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/readyz", nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// freeLoopbackAddr finds a port nobody listens on. Another process could
// take it before the server binds; the server would then fail to start and
// the error says so.
func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-20):], "\n")
}

// checkLoopback refuses any URL whose host is not this machine: the tool
// generates load and must never point it anywhere else.
func checkLoopback(flag, raw string) error {
	host := raw
	if i := strings.Index(host, "://"); i >= 0 {
		host = host[i+3:]
	}
	if i := strings.LastIndex(host, "@"); i >= 0 {
		host = host[i+1:]
	}
	if i := strings.IndexAny(host, "/?"); i >= 0 {
		host = host[:i]
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return errors.New("-" + flag + " " + raw + ": only loopback addresses (127.0.0.1, ::1, localhost) are allowed")
}
