// Command cfsim runs the simulated Cloud Foundry foundation until SIGINT or SIGTERM, and
// writes where to reach it to --info-file as JSON.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "cfsim:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	cfg, infoFile, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	sim, err := cfsim.Start(cfg)
	if err != nil {
		return err
	}
	defer sim.Close()
	info, _ := json.MarshalIndent(sim.Info(), "", "  ")
	if infoFile != "" {
		if err := writeAtomically(infoFile, info); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "%s\n", info)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	fmt.Fprintln(stderr, "cfsim: stopping")
	return sim.Close()
}

func parseFlags(args []string, stderr io.Writer) (cfsim.Config, string, error) {
	var cfg cfsim.Config
	fs := flag.NewFlagSet("cfsim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&cfg.Routers, "routers", 3, "number of gorouters behind the load balancer")
	lag := fs.String("route-lag", "0s-0s", "range each router's registration lag is drawn from, e.g. 200ms-2s")
	fs.DurationVar(&cfg.DeploymentInterval, "deployment-interval", 5*time.Second, "deployment updater tick")
	fs.DurationVar(&cfg.TokenTTL, "token-ttl", 1199*time.Second, "UAA access-token lifetime")
	fs.DurationVar(&cfg.StagingTime, "staging-time", 300*time.Millisecond, "how long staging takes")
	fs.BoolVar(&cfg.LegacyRouters, "legacy-routers", false, "routers ignore X-CF-Process-Instance")
	fs.IntVar(&cfg.CellMemoryMB, "cell-memory", 0, "Diego cell capacity in MB (0 = unlimited)")
	fs.DurationVar(&cfg.PolicyCleanup, "policy-cleanup", 60*time.Minute, "how often the policy server removes policies of deleted apps")
	fs.DurationVar(&cfg.ServiceOperationTime, "service-operation-time", time.Second,
		"how long the built-in broker's asynchronous operations stay in progress")
	fs.Uint64Var(&cfg.Seed, "seed", 0, "seed for router lags and fault draws (0 = random)")
	appLogs := fs.Bool("app-logs", false, "copy app and staging output to stderr")
	infoFile := fs.String("info-file", "", "write the connection info JSON here")
	images := dockerImages{}
	fs.Var(images, "docker-image", "REF=DIR: serve docker image REF from folder DIR (repeatable)")
	if err := fs.Parse(args); err != nil {
		return cfg, "", err
	}
	lo, hi, err := parseLag(*lag)
	if err != nil {
		return cfg, "", err
	}
	cfg.RouteLagMin, cfg.RouteLagMax = lo, hi
	cfg.DockerImages = images
	if *appLogs {
		cfg.Log = stderr
	}
	return cfg, *infoFile, nil
}

// parseLag reads "MIN-MAX" (or one duration for a fixed lag).
func parseLag(v string) (time.Duration, time.Duration, error) {
	lo, hi, found := strings.Cut(v, "-")
	if !found {
		hi = lo
	}
	min, err1 := time.ParseDuration(lo)
	max, err2 := time.ParseDuration(hi)
	if err1 != nil || err2 != nil || min < 0 || max < min {
		return 0, 0, fmt.Errorf("--route-lag %q: want MIN-MAX durations with MIN <= MAX, e.g. 200ms-2s", v)
	}
	return min, max, nil
}

// dockerImages collects --docker-image REF=DIR flags. DIR is made absolute, since app
// processes run with the image folder as their working directory.
type dockerImages map[string]string

func (d dockerImages) String() string { return fmt.Sprint(map[string]string(d)) }

func (d dockerImages) Set(v string) error {
	ref, dir, ok := strings.Cut(v, "=")
	if !ok || ref == "" || dir == "" {
		return fmt.Errorf("want REF=DIR, e.g. registry.example.com/org/app:v1=/path/to/folder, got %q", v)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if info, err := os.Stat(abs); err != nil || !info.IsDir() {
		return fmt.Errorf("%s is not a folder", dir)
	}
	d[ref] = abs
	return nil
}

func writeAtomically(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".cfsim-info-*")
	if err != nil {
		return fmt.Errorf("write info file: %w", err)
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write info file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write info file: %w", err)
	}
	return os.Rename(tmp.Name(), path)
}
