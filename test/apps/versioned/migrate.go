package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// runMigrate is the app as a one-off task (`versioned migrate`, a migration): it says which
// version it migrates to and which services it is bound to, then, as its flags ask, waits and
// exits with a status: --sleep 30s --exit 3.
func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	exit := fs.Int("exit", 0, "the exit status")
	wait := fs.Duration("sleep", 0, "how long the migration takes")
	if err := fs.Parse(args); err != nil {
		return 1
	}
	fmt.Fprintf(stdout, "versioned migrate: migrating the schema to version=%s\n", orDefault(getenv("VERSION"), "unknown"))
	fmt.Fprintf(stdout, "versioned migrate: bound services: %s\n", boundServices(getenv("VCAP_SERVICES")))
	if !sleep(ctx, *wait) {
		fmt.Fprintln(stderr, "versioned migrate: stopped")
		return 130
	}
	if *exit != 0 {
		fmt.Fprintf(stderr, "versioned migrate: failed with status %d\n", *exit)
	} else {
		fmt.Fprintln(stdout, "versioned migrate: done")
	}
	return *exit
}

// boundServices lists the names VCAP_SERVICES gives the bindings, sorted; "none" without any.
func boundServices(vcap string) string {
	var services map[string][]struct {
		Name string `json:"name"`
	}
	_ = json.Unmarshal([]byte(vcap), &services)
	var names []string
	for _, list := range services {
		for _, s := range list {
			names = append(names, s.Name)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
