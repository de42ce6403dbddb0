// Command demo starts a simulated foundation with three routers that each learn route
// changes 200 ms to 2 s late, runs load through its load balancer, and deploys with the real
// out binary: v1, then v2 blue-green, then a crashing v3 that rolls back. For contrast it
// first shows a script-style cutover (map, unmap, delete at once) dropping requests.
package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	sim, err := cfsim.Start(cfsim.Config{Routers: 3, RouteLagMin: 200 * time.Millisecond, RouteLagMax: 2 * time.Second})
	if err != nil {
		return err
	}
	defer sim.Close()
	info := sim.Info()
	fmt.Printf("cfsim: api %s, load balancer %s\n", info.APIURL, info.LBURL)
	fmt.Printf("routers learn registrations after %v and removals after %v\n\n",
		round(sim.Routers().Lags()), round(sim.Routers().RemovalLags()))
	dir, err := os.MkdirTemp("", "demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	naive, err := naiveDemo(ctx, info, dir)
	if err != nil {
		return err
	}
	ours, err := resourceDemo(info, dir)
	if err != nil {
		return err
	}
	fmt.Println("\nsummary")
	naive.print("script-style cutover (map, unmap, delete)")
	ours.print("cf-bluegreen-resource: v2 blue-green, then crashing v3")
	return nil
}

// resourceDemo deploys v1, then v2 and a crashing v3 under load, with the out binary.
func resourceDemo(info cfsim.Info, dir string) (*load, error) {
	out, inputs, err := build(dir)
	if err != nil {
		return nil, err
	}
	fmt.Println("== cf-bluegreen-resource out ==")
	v1, err := deploy(out, inputs, info, "v1", nil)
	if err != nil {
		return nil, err
	}
	fmt.Printf("v1 (first deploy) took %s\n\n", v1.Round(100*time.Millisecond))
	host := "demo." + info.Domain
	if err := waitServing(info.RouterURLs, host, 20*time.Second); err != nil {
		return nil, err
	}
	l := startLoad(info.LBURL, host, 5*time.Minute)
	v2, err := deploy(out, inputs, info, "v2", nil)
	if err != nil {
		l.wait()
		return nil, err
	}
	fmt.Printf("v2 deployed in %s\n\n", v2.Round(100*time.Millisecond))
	v3, err := deploy(out, inputs, info, "v3", map[string]string{"CRASH": "start"})
	fmt.Printf("v3 (crashes on start) took %s and was rolled back: %v\n", v3.Round(100*time.Millisecond), err != nil)
	l = l.wait()
	_, serving := request(info.LBURL, host)
	fmt.Printf("now serving: %s\n", serving)
	return l, nil
}

// build compiles out and the test app and writes an inputs folder with a manifest.
func build(dir string) (string, string, error) {
	out := filepath.Join(dir, "out")
	inputs := filepath.Join(dir, "inputs")
	for _, b := range [][2]string{{out, "./cmd/out"}, {filepath.Join(inputs, "app", "versioned"), "./test/apps/versioned"}} {
		cmd := exec.Command("go", "build", "-o", b[0], b[1])
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if msg, err := cmd.CombinedOutput(); err != nil {
			return "", "", fmt.Errorf("build %s: %w\n%s", b[1], err, msg)
		}
	}
	manifest := "applications:\n- name: demo\n  memory: 64M\n  instances: 2\n  path: app\n" +
		"  health-check-type: http\n  health-check-http-endpoint: /health\n  timeout: 5\n  env:\n    VERSION: ((version))\n"
	if err := os.WriteFile(filepath.Join(inputs, "manifest.yml"), []byte(manifest), 0o644); err != nil {
		return "", "", err
	}
	return out, inputs, os.WriteFile(filepath.Join(inputs, "app", "Procfile"), []byte("web: ./versioned\n"), 0o644)
}

// deploy pipes a put request into out, its log going to our stdout, and times it.
func deploy(out, inputs string, info cfsim.Info, version string, env map[string]string) (time.Duration, error) {
	fmt.Printf("-- put %s --\n", version)
	req := fmt.Sprintf(`{"source":{"api":%q,"username":%q,"password":%q,"organization":%q,"space":%q,"router_urls":%s},`+
		`"params":{"manifest":"manifest.yml","vars":{"version":%q},"environment_variables":%s}}`,
		info.APIURL, info.Username, info.Password, info.Org, info.Space, jsonList(info.RouterURLs), version, jsonMap(env))
	cmd := exec.Command(out, inputs)
	cmd.Stdin = stringReader(req)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stdout
	start := time.Now()
	err := cmd.Run()
	fmt.Println()
	return time.Since(start), err
}
